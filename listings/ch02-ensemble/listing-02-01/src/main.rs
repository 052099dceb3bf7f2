use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: all
/// One section's part: who plays it, and its notes in order.
struct Part {
    section: &'static str,
    notes: [&'static str; 4],
}

const PIECE: [Part; 2] = [
    Part {
        section: "violins",
        notes: ["E5", "D5", "C5", "D5"],
    },
    Part {
        section: "cellos",
        notes: ["C3", "G2", "A2", "F2"],
    },
];

/// `performer` plays `part`, one note per beat, printing each note as an
/// event timed from `start`. Returns the notes in the order played.
fn play(
    performer: &str,
    part: &Part,
    beat: Duration,
    start: Instant,
) -> Vec<&'static str> {
    let mut played = Vec::new();
    for note in part.notes {
        let at = start.elapsed().as_millis();
        println!("@{at}ms {performer}: {} {note}", part.section);
        played.push(note);
        thread::sleep(beat); // the note sounds for one beat
    }
    played
}

/// A soloist plays every part of the piece, one part after the other.
fn solo(beat: Duration) -> Vec<&'static str> {
    let start = Instant::now();
    let mut played = Vec::new();
    for part in &PIECE {
        played.extend(play("soloist", part, beat, start));
    }
    played
}

fn main() {
    let start = Instant::now();
    let played = solo(Duration::from_millis(20));
    let took = start.elapsed().as_millis();
    println!("the soloist played {} notes in {took}ms", played.len());
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soloist_plays_every_part_in_score_order() {
        let played = solo(Duration::ZERO);
        let score: Vec<&str> =
            PIECE.iter().flat_map(|part| part.notes).collect();
        assert_eq!(played, score);
    }

    // That each note lasts its beat is read from a run's events, in
    // `tests/note_lengths.rs`; this test checks the whole solo.
    #[test]
    fn the_solo_lasts_at_least_eight_beats() {
        // A sleep never ends early: eight notes take eight beats or more.
        let start = Instant::now();
        solo(Duration::from_millis(5));
        assert!(start.elapsed() >= Duration::from_millis(40));
    }
}
