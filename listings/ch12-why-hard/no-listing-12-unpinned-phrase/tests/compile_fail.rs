//! The page shows src/main.rs failing to compile with the error recorded
//! in src/main.stderr; this test proves both still hold.

#[test]
fn fails_with_the_recorded_error() {
    trybuild::TestCases::new().compile_fail("src/main.rs");
}
