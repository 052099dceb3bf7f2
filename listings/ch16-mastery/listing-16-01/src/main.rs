use std::thread;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task;

// ANCHOR: all
/// The channel holds at most this many notes; a copyist that gets further
/// ahead waits in `blocking_send` until the conductor takes one.
const ROOM: usize = 2;

/// The copyist reads the score note by note: slow, blocking work that
/// belongs on a thread, not on the runtime's.
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
    let (notes, received) = mpsc::channel(ROOM);

    let reading = Duration::from_millis(20);
    let copying =
        task::spawn_blocking(move || copyist(score, notes, reading, start));
    let cued = conductor(received, start).await;
    copying.await.unwrap(); // a rest, not a blocking join

    println!("cued {} notes: {}", cued.len(), cued.join(" "));
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::RecvTimeoutError;
    use tokio::sync::oneshot;
    use tokio::time::timeout;

    const LIMIT: Duration = Duration::from_secs(5);

    // The tests run the copyist on a plain thread that reports back, not
    // on `spawn_blocking`: a runtime cannot shut down while a blocking task
    // runs, so a stuck copyist would hang the test instead of failing it.
    #[tokio::test]
    async fn every_note_arrives_in_order_and_both_finish() {
        let score = vec!["A4", "B4", "C5", "D5", "E5", "F5"];
        let (notes, received) = mpsc::channel(ROOM);
        let start = Instant::now();
        let reading = Duration::from_millis(1);
        let (report, finished) = oneshot::channel();
        thread::spawn(move || {
            copyist(score, notes, reading, start);
            report.send(()).unwrap();
        });
        let cued = timeout(LIMIT, conductor(received, start))
            .await
            .expect("the conductor finishes once the copyist is done");
        assert_eq!(cued, ["A4", "B4", "C5", "D5", "E5", "F5"]);
        timeout(LIMIT, finished)
            .await
            .expect("the copyist has finished")
            .expect("the copyist did not panic");
    }

    /// Backpressure, observed: with nobody receiving, a copyist with one
    /// note more than the channel holds cannot finish; taking one note
    /// makes room, and then it can. No runtime is needed on this side.
    #[test]
    fn a_full_channel_holds_the_copyist_back() {
        let (notes, mut received) = mpsc::channel(ROOM);
        let (done, finished) = std::sync::mpsc::channel();
        let score = vec!["A4", "B4", "C5"];
        assert_eq!(score.len(), ROOM + 1);
        thread::spawn(move || {
            copyist(score, notes, Duration::ZERO, Instant::now());
            done.send(()).unwrap();
        });
        // First see that the copyist has run: the channel fills up.
        let filling = Instant::now();
        while received.len() < ROOM {
            assert!(filling.elapsed() < LIMIT, "the copyist never sent");
            thread::sleep(Duration::from_millis(1));
        }
        // Two notes fit; the third has no room. Nothing the copyist can do
        // lets it finish now, so this wait always runs out.
        let held = finished.recv_timeout(Duration::from_millis(300));
        assert_eq!(held, Err(RecvTimeoutError::Timeout), "it did not wait");
        assert_eq!(received.blocking_recv(), Some("A4"));
        finished
            .recv_timeout(LIMIT)
            .expect("the copyist finishes once there is room");
        assert_eq!(received.len(), ROOM, "B4 and C5 wait in the channel");
    }
}
