use std::thread;
use std::time::{Duration, Instant};

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
        println!("@{at}ms {performer}: {note}");
        played.push(note);
        thread::sleep(beat); // the note sounds for one beat
    }
    played
}

// ANCHOR: all
/// Every section plays its own part on its own thread, all at once.
/// Returns what each section played, in the order of the piece.
fn ensemble(beat: Duration) -> Vec<Vec<&'static str>> {
    let start = Instant::now();
    thread::scope(|s| {
        let sections: Vec<thread::ScopedJoinHandle<Vec<&str>>> = PIECE
            .iter()
            .map(|part| s.spawn(move || play(part.section, part, beat, start)))
            .collect();
        sections.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn main() {
    let start = Instant::now();
    let played = ensemble(Duration::from_millis(20));
    let took = start.elapsed().as_millis();
    let notes: usize = played.iter().map(Vec::len).sum();
    println!("the ensemble played {notes} notes in {took}ms");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn every_section_plays_all_its_notes_in_its_own_order() {
        // Watchdog: a section that never finishes fails the test.
        let (report, watch) = mpsc::channel();
        thread::spawn(move || report.send(ensemble(Duration::ZERO)).unwrap());
        let played = watch
            .recv_timeout(Duration::from_secs(10))
            .expect("the ensemble never finished");
        assert_eq!(played.len(), PIECE.len());
        for (part, notes) in PIECE.iter().zip(&played) {
            assert_eq!(notes[..], part.notes, "{}", part.section);
        }
    }
}
