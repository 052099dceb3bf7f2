// ANCHOR: all
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};

type Note = (&'static str, &'static str); // (section, pitch)

fn perform(parts: Vec<(&'static str, Vec<&'static str>)>) -> Vec<Note> {
    let (to_conductor, podium): (Sender<Note>, Receiver<Note>) =
        mpsc::channel();

    let sections: Vec<JoinHandle<()>> = parts
        .into_iter()
        .map(|(section, pitches)| {
            let to_conductor = to_conductor.clone();
            thread::spawn(move || {
                for pitch in pitches {
                    to_conductor.send((section, pitch)).unwrap();
                }
            })
        })
        .collect();
    drop(to_conductor); // only the sections' senders remain

    // Ends when the last Sender is dropped: every section has finished.
    let mut heard: Vec<Note> = Vec::new();
    for (section, pitch) in podium.iter() {
        println!("{section}: {pitch}");
        heard.push((section, pitch));
    }
    for section in sections {
        section.join().unwrap();
    }
    heard
}

fn main() {
    let heard = perform(vec![
        ("violins", vec!["E5", "D5", "C5"]),
        ("violas", vec!["G4", "F4", "E4"]),
        ("cellos", vec!["C3", "G2", "C3"]),
    ]);
    println!("conductor: heard {} notes", heard.len());
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn each_sections_notes_arrive_in_order_and_the_channel_closes() {
        let (done, report) = mpsc::channel();
        thread::spawn(move || {
            let parts: Vec<_> = ["a", "b", "c", "d"]
                .into_iter()
                .map(|s| (s, vec!["1", "2", "3", "4", "5", "6"]))
                .collect();
            done.send(perform(parts)).unwrap();
        });
        // If a Sender outlived its section, `podium.iter()` would never end.
        let heard = report
            .recv_timeout(Duration::from_secs(10))
            .expect("the conductor is still waiting for notes");
        assert_eq!(heard.len(), 24);
        for section in ["a", "b", "c", "d"] {
            let own: Vec<&str> = heard
                .iter()
                .filter(|(s, _)| *s == section)
                .map(|(_, pitch)| *pitch)
                .collect();
            assert_eq!(own, ["1", "2", "3", "4", "5", "6"], "{section}");
        }
    }
}
