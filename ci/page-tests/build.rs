//! Turns every Rust block of the rendered pages into a test. `cargo xtask
//! test` renders the book, stages the expanded Markdown and passes its
//! folder as `BOOK_PAGES`; without it there is nothing to test, and the one
//! test generated says so rather than passing on nothing.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=BOOK_PAGES");
    let Some(dir) = std::env::var_os("BOOK_PAGES").map(PathBuf::from) else {
        let out = PathBuf::from(
            std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"),
        );
        std::fs::write(
            out.join("skeptic-tests.rs"),
            "#[test]\nfn pages_were_rendered() {\n    \
             panic!(\"no pages to test: run `cargo xtask test`, which renders \
             the book and passes BOOK_PAGES\");\n}\n",
        )
        .expect("OUT_DIR is writable");
        return;
    };
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("BOOK_PAGES is a folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    skeptic::generate_doc_tests(&pages);
}
