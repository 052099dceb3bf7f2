//! The page says that wrapping Listing 13-2's `BEATS += 1` in an `unsafe`
//! block makes it compile, with its data race still in it. `racing` below
//! is Listing 13-2 with that change, and with the number of sections as a
//! parameter: the test would not build if the `unsafe` block were
//! refused. It runs one section only, which cannot race, and counts its
//! beats; two sections, as in the listing, would race, and their
//! behaviour is undefined, so they never run.

use std::thread;

static mut BEATS: u32 = 0;

/// Listing 13-2's `main`, with `BEATS += 1` in an `unsafe` block, for
/// `sections` sections.
fn racing(sections: u32) {
    thread::scope(|s| {
        for _section in 0..sections {
            s.spawn(|| {
                for _beat in 0..1000 {
                    unsafe { BEATS += 1 } // compiles, and races
                }
            });
        }
    });
}

#[test]
fn an_unsafe_block_makes_it_compile() {
    racing(1);
    // One section, joined by the scope: nothing else touches `BEATS`.
    let beats = unsafe { BEATS };
    assert_eq!(beats, 1000);
}
