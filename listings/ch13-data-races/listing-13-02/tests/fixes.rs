//! The page says that wrapping Listing 13-2's `BEATS += 1` in an `unsafe`
//! block makes it compile, with its data race still in it. `racing` below
//! is Listing 13-2 with that one change: this test would not build if it
//! were refused. It is never run, since its behaviour is undefined.

use std::thread;

static mut BEATS: u32 = 0;

/// Listing 13-2's `main`, with `BEATS += 1` in an `unsafe` block.
fn racing() {
    thread::scope(|s| {
        for _section in 0..2 {
            s.spawn(|| {
                for _beat in 0..1000 {
                    unsafe { BEATS += 1 } // compiles, and races
                }
            });
        }
    });
}

/// The check is the build: this test exists only if `racing` compiled.
#[test]
fn an_unsafe_block_makes_it_compile() {
    let _accepted: fn() = racing;
}
