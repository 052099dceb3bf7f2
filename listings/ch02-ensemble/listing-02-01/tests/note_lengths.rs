//! Each note lasts its beat, read from the program's own events: the next
//! note, or the end of the solo, comes at least one beat later. The note
//! stamps are whole milliseconds since `solo`'s `Instant`, the total since
//! `main`'s earlier one, which can only make it larger; `thread::sleep`
//! never ends early, so a gap can be longer than the beat but never
//! shorter.

use std::path::Path;

/// The beat `main` gives the soloist, in milliseconds.
const BEAT_MS: u128 = 20;

#[test]
fn each_note_lasts_its_beat() {
    let output = recording::run(
        Path::new(env!("CARGO_BIN_EXE_listing-02-01")),
        Path::new(env!("CARGO_MANIFEST_DIR")),
    )
    .expect("the soloist plays to the end");
    let at: Vec<u128> = output
        .lines()
        .filter_map(|line| {
            line.strip_prefix('@')?.split_once("ms ")?.0.parse().ok()
        })
        .collect();
    assert_eq!(at.len(), 8, "eight notes in:\n{output}");
    for (note, next) in at.iter().zip(&at[1..]) {
        assert!(
            *next >= note + BEAT_MS,
            "a note at {note}ms lasted less than a beat:\n{output}"
        );
    }
    let took: u128 = output
        .lines()
        .last()
        .and_then(|line| {
            line.rsplit_once(" in ")?.1.strip_suffix("ms")?.parse().ok()
        })
        .expect("the last line says how long the solo took");
    let last = at[at.len() - 1];
    assert!(
        took >= last + BEAT_MS,
        "the last note, at {last}ms, lasted less than a beat:\n{output}"
    );
}
