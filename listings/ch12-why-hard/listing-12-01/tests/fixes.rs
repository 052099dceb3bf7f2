//! The page names three ways to make Listing 12-1 compile, and says a
//! future driven by `Runtime::block_on` compiles with the same body: each
//! program in `tests/fixes/` must compile and run. It also says that an
//! `Rc` captured from outside belongs to the future from the start, and
//! that a `drop` before the rest is not enough: each program in
//! `tests/refused/` must fail with the error recorded beside it (rerecord
//! with `cargo xtask outputs listing-12-01`).

#[test]
fn each_fix_compiles_and_each_near_miss_is_refused() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/fixes/*.rs");
    cases.compile_fail("tests/refused/*.rs");
}
