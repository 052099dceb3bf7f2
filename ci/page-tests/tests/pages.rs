//! One test per Rust block of the rendered book, named
//! `<page>_line_<N>` after its place in `book/markdown/<page>.md`.
#![allow(clippy::all)]

include!(concat!(env!("OUT_DIR"), "/skeptic-tests.rs"));
