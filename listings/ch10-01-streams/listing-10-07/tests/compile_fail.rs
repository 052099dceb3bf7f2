//! The page shows src/main.rs failing to compile with the error recorded
//! in src/main.stderr; this test proves both still hold. The page also
//! says what rustc answers to `use std::async_iter::AsyncIterator`: the
//! program in `tests/refused/` must fail with the error recorded beside it
//! (rerecord with `cargo xtask outputs listing-10-07`).

#[test]
fn fails_with_the_recorded_error() {
    trybuild::TestCases::new().compile_fail("src/main.rs");
}

#[test]
fn the_std_candidate_is_refused() {
    trybuild::TestCases::new().compile_fail("tests/refused/*.rs");
}
