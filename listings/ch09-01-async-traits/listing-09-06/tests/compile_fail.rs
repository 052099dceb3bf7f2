//! The page shows src/main.rs failing to compile with the error recorded
//! in src/main.stderr; this test proves both still hold. The page also
//! says what rustc answers to five near misses of its traits and async
//! closures: each program in `tests/refused/` must fail with the error
//! recorded beside it (rerecord with `cargo xtask outputs listing-09-06`).

#[test]
fn fails_with_the_recorded_error() {
    trybuild::TestCases::new().compile_fail("src/main.rs");
}

#[test]
fn each_near_miss_is_refused() {
    trybuild::TestCases::new().compile_fail("tests/refused/*.rs");
}
