// ANCHOR: all
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// A note as the podium receives it: who played it, what, and when.
struct Note {
    section: &'static str,
    pitch: &'static str,
    at: Duration, // since the performance began
}

/// A section's part: its name, the length of its beat, and its pitches.
type Part = (&'static str, Duration, &'static [&'static str]);

/// Each section plays on its own thread and sends every note through its
/// own clone of the `Sender`.
fn start_sections(
    parts: &[Part],
    to_podium: &Sender<Note>,
    start: Instant,
) -> Vec<JoinHandle<()>> {
    parts
        .iter()
        .map(|&(section, beat, pitches)| {
            let to_podium = to_podium.clone();
            thread::spawn(move || {
                for &pitch in pitches {
                    let at = start.elapsed();
                    to_podium.send(Note { section, pitch, at }).unwrap();
                    thread::sleep(beat);
                }
            }) // the section's clone is dropped when its closure returns
        })
        .collect()
}

/// Receives until every `Sender` has been dropped and every note is read.
fn listen(podium: Receiver<Note>) -> Vec<Note> {
    let mut heard = Vec::new();
    for note in podium {
        let ms = note.at.as_millis();
        println!("@{ms}ms {}: {}", note.section, note.pitch);
        heard.push(note);
    }
    heard
}

fn perform(parts: &[Part]) -> Vec<Note> {
    let (to_podium, podium) = mpsc::channel();
    let sections = start_sections(parts, &to_podium, Instant::now());
    drop(to_podium); // keep it, and `listen` never returns
    let heard = listen(podium);
    for section in sections {
        section.join().unwrap();
    }
    heard
}

fn main() {
    let beat = Duration::from_millis;
    let heard = perform(&[
        ("violins", beat(50), &["E5", "D5", "C5", "D5", "E5", "E5"]),
        ("cellos", beat(100), &["C3", "G2", "C3"]),
        ("horns", beat(150), &["G3", "C4"]),
    ]);
    println!("conductor: {} notes heard, every section gone", heard.len());
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::RecvTimeoutError;

    const PITCHES: &[&str] = &["1", "2", "3", "4", "5", "6", "7", "8"];
    const PARTS: [Part; 4] = [
        ("a", Duration::ZERO, PITCHES),
        ("b", Duration::ZERO, PITCHES),
        ("c", Duration::ZERO, PITCHES),
        ("d", Duration::ZERO, PITCHES),
    ];
    const WATCHDOG: Duration = Duration::from_secs(10);

    /// What `mpsc` promises: each sender's notes arrive in the order it
    /// sent them. How the four sections interleave is not checked.
    fn in_each_senders_order(heard: &[Note]) -> Result<(), String> {
        for (section, _, sent) in PARTS {
            let got: Vec<&str> = heard
                .iter()
                .filter(|note| note.section == section)
                .map(|note| note.pitch)
                .collect();
            if got != sent {
                return Err(format!("{section} sent {sent:?}, got {got:?}"));
            }
        }
        Ok(())
    }

    #[test]
    fn every_note_arrives_in_its_senders_order_and_the_loop_ends() {
        let (report, watchdog) = mpsc::channel();
        thread::spawn(move || report.send(perform(&PARTS)).unwrap());
        let heard = watchdog
            .recv_timeout(WATCHDOG)
            .expect("`listen` is still waiting: a Sender was never dropped");
        assert_eq!(heard.len(), 32);
        assert_eq!(in_each_senders_order(&heard), Ok(()));
    }

    /// How long each section rests after its one note in the test below.
    const REST: Duration = Duration::from_secs(3);

    #[test]
    fn the_sections_play_at_the_same_time() {
        // `sleep` never returns early, so sections that took turns would
        // send their notes at least a `REST` apart.
        let one_note: [Part; 3] = [
            ("a", REST, &["1"]),
            ("b", REST, &["1"]),
            ("c", REST, &["1"]),
        ];
        let (report, watchdog) = mpsc::channel();
        thread::spawn(move || report.send(perform(&one_note)).unwrap());
        let heard = watchdog.recv_timeout(WATCHDOG).expect("perform returns");
        assert_eq!(heard.len(), 3);
        let first = heard.iter().map(|note| note.at).min().unwrap();
        let last = heard.iter().map(|note| note.at).max().unwrap();
        let apart = last - first;
        assert!(apart < REST, "the notes came {apart:?} apart: in turn");
    }

    #[test]
    fn a_sender_left_alive_keeps_the_podium_listening() {
        let (to_podium, podium) = mpsc::channel();
        for section in start_sections(&PARTS, &to_podium, Instant::now()) {
            section.join().unwrap(); // every section has played and left
        }
        let (report, watchdog) = mpsc::channel();
        thread::spawn(move || report.send(listen(podium)).unwrap());

        // The original `to_podium` is alive, so `listen` is still waiting.
        let still_listening = watchdog.recv_timeout(Duration::from_millis(300));
        assert_eq!(still_listening.err(), Some(RecvTimeoutError::Timeout));

        drop(to_podium); // the last Sender: now the loop ends
        let heard = watchdog.recv_timeout(WATCHDOG).expect("listen returns");
        assert_eq!(heard.len(), 32, "every note sent was still delivered");
    }

    #[test]
    fn the_order_check_rejects_a_section_out_of_order() {
        let note = |section, pitch| Note {
            section,
            pitch,
            at: Duration::ZERO,
        };
        let mut heard: Vec<Note> = PARTS
            .iter()
            .flat_map(|&(section, _, pitches)| {
                pitches.iter().map(move |&pitch| note(section, pitch))
            })
            .collect();
        assert_eq!(in_each_senders_order(&heard), Ok(()));
        heard.swap(0, 1); // a's first two notes trade places
        assert!(in_each_senders_order(&heard).is_err());
    }
}
