//! Each note lasts its beat, read from the program's own events, section by
//! section: a section's next note, or the end of the piece, comes at least
//! one beat later. Every stamp and the total are whole milliseconds since
//! the same `start`; `thread::sleep` never ends early, so a gap can be
//! longer than the beat but never shorter. Nothing here bounds how the two
//! sections' lines interleave, except that they overlap: each section's
//! first note comes before the other's last, which a run that played the
//! parts one after the other (the soloist's way) cannot do. That one is a
//! check of likelihood: it trusts the second thread to start within three
//! beats (60 ms) of the first.

use std::collections::BTreeMap;
use std::path::Path;

/// The beat `main` gives every section, in milliseconds.
const BEAT_MS: u128 = 20;

/// A run of the program, and each section's stamps, in order.
fn run() -> (String, BTreeMap<String, Vec<u128>>) {
    let output = recording::run(
        Path::new(env!("CARGO_BIN_EXE_listing-02-02")),
        Path::new(env!("CARGO_MANIFEST_DIR")),
    )
    .expect("the ensemble plays to the end");
    let mut sections: BTreeMap<String, Vec<u128>> = BTreeMap::new();
    for line in output.lines() {
        let Some((at, rest)) =
            line.strip_prefix('@').and_then(|l| l.split_once("ms "))
        else {
            continue;
        };
        let section = rest.split_once(": ").expect("a section and a note").0;
        sections
            .entry(section.to_string())
            .or_default()
            .push(at.parse().expect("a stamp in milliseconds"));
    }
    (output, sections)
}

#[test]
fn each_note_lasts_its_beat_in_every_section() {
    let (output, sections) = run();
    let took: u128 = output
        .lines()
        .last()
        .and_then(|line| {
            line.rsplit_once(" in ")?.1.strip_suffix("ms")?.parse().ok()
        })
        .expect("the last line says how long the piece took");
    assert_eq!(sections.len(), 2, "two sections in:\n{output}");
    for (section, at) in &sections {
        assert_eq!(at.len(), 4, "four notes from the {section} in:\n{output}");
        for (note, next) in at.iter().zip(&at[1..]) {
            assert!(
                *next >= note + BEAT_MS,
                "a {section} note at {note}ms lasted less than a beat:\n{output}"
            );
        }
        let last = at[at.len() - 1];
        assert!(
            took >= last + BEAT_MS,
            "the {section}' last note, at {last}ms, lasted less than a beat:\n{output}"
        );
    }
}

/// The first section found to begin only after another's last note, with
/// the two times; `None` when every section began before each other one
/// ended.
fn played_alone(
    sections: &BTreeMap<String, Vec<u128>>,
) -> Option<(&str, u128, &str, u128)> {
    sections.iter().find_map(|(section, at)| {
        sections
            .iter()
            .filter(|(other, _)| *other != section)
            .find(|(_, theirs)| at[0] >= theirs[theirs.len() - 1])
            .map(|(other, theirs)| {
                (
                    section.as_str(),
                    at[0],
                    other.as_str(),
                    theirs[theirs.len() - 1],
                )
            })
    })
}

#[test]
fn the_sections_play_at_the_same_time() {
    let (output, sections) = run();
    assert_eq!(sections.len(), 2, "two sections in:\n{output}");
    if let Some((section, first, other, their_last)) = played_alone(&sections) {
        panic!(
            "the {section} began at {first}ms, after the {other}' last note \
             at {their_last}ms:\n{output}"
        );
    }
}

/// The same check fails a run that played the parts one after the other,
/// as the soloist would: the cellos begin after the violins' last note.
#[test]
fn parts_played_in_sequence_fail_the_same_check() {
    let solo = BTreeMap::from([
        ("violins".to_string(), vec![0, 20, 40, 60]),
        ("cellos".to_string(), vec![80, 100, 120, 140]),
    ]);
    assert_eq!(played_alone(&solo), Some(("cellos", 80, "violins", 60)));
}
