use std::thread;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

// ANCHOR: all
/// The copyist reads the score note by note: slow, blocking work that
/// belongs on a thread of its own.
fn copyist(
    score: Vec<&'static str>,
    notes: mpsc::Sender<&'static str>,
    reading: Duration,
    start: Instant,
) {
    for note in score {
        thread::sleep(reading);
        println!("@{}ms copyist: read {note}", start.elapsed().as_millis());
        notes
            .blocking_send(note)
            .expect("the conductor is listening");
    }
    println!("@{}ms copyist: done", start.elapsed().as_millis());
}

/// The conductor cues each note as it arrives, and finishes when the
/// copyist has put down the pen (the channel closes).
async fn conductor(
    mut notes: mpsc::Receiver<&'static str>,
    start: Instant,
) -> Vec<&'static str> {
    let mut cued = Vec::new();
    while let Some(note) = notes.recv().await {
        println!("@{}ms conductor: cue {note}", start.elapsed().as_millis());
        cued.push(note);
    }
    println!("@{}ms conductor: fine", start.elapsed().as_millis());
    cued
}

#[tokio::main]
async fn main() {
    let start = Instant::now();
    let score = vec!["C4", "E4", "G4", "C5"];
    let (notes, received) = mpsc::channel(2);

    let reading = Duration::from_millis(20);
    let copyist = thread::spawn(move || copyist(score, notes, reading, start));
    let cued = conductor(received, start).await;
    copyist.join().unwrap();

    println!("cued {} notes: {}", cued.len(), cued.join(" "));
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    #[tokio::test]
    async fn every_note_arrives_in_order_and_both_finish() {
        let score = vec!["A4", "B4", "C5", "D5", "E5", "F5"];
        let (notes, received) = mpsc::channel(2);
        let start = Instant::now();
        let reading = Duration::from_millis(1);
        let copyist =
            thread::spawn(move || copyist(score, notes, reading, start));
        let cued = timeout(Duration::from_secs(5), conductor(received, start))
            .await
            .expect("the conductor finishes once the copyist is done");
        assert_eq!(cued, ["A4", "B4", "C5", "D5", "E5", "F5"]);
        assert!(copyist.join().is_ok());
    }
}
