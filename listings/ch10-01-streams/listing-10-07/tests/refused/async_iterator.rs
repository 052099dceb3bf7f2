//! The standard library's candidate for `Stream` is unstable on Rust 1.95.
use std::async_iter::AsyncIterator;

fn main() {
    let _: Option<&dyn AsyncIterator<Item = u32>> = None;
}
