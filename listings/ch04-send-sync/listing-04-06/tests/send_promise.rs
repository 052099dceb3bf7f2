//! `unsafe impl Send for Tape` rests on two facts about `Tape` that the
//! compiler does check, once a program asks: a `Tape` cannot be copied, so
//! no two tapes own one buffer, and no borrow of its beats outlives it, so
//! nothing on this thread still reads a buffer another thread owns. Two
//! programs in `tests/misuse/` each break one of them, and a third shares one
//! `Tape` between two threads, which needs the `Sync` nobody promised. Each
//! must fail to compile with the error recorded beside it (rerecord with
//! `TRYBUILD=overwrite`).

#[test]
fn the_promise_rests_on_facts_the_compiler_checks() {
    trybuild::TestCases::new().compile_fail("tests/misuse/*.rs");
}
