use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{sleep, timeout, Instant};

type Note = &'static str;

// ANCHOR: all
async fn oboe(cues: mpsc::Sender<Note>, start: Instant) {
    for note in ["C4", "E4", "G4", "C5", "E5", "G5"] {
        if note == "G4" {
            sleep(Duration::from_millis(1200)).await; // a long breath
        }
        println!("@{}ms oboe: {note}", start.elapsed().as_millis());
        cues.send(note).await.unwrap();
    }
}

async fn read_phrase(cues: &mut mpsc::Receiver<Note>) -> Vec<Note> {
    let mut phrase = Vec::new(); // lives inside this future
    while phrase.len() < 4 {
        match cues.recv().await {
            Some(note) => phrase.push(note),
            None => break,
        }
    }
    phrase
}

async fn listen(start: Instant) -> Vec<Note> {
    let (sender, mut cues) = mpsc::channel(8);
    tokio::spawn(oboe(sender, start));
    let mut heard = Vec::new();
    loop {
        let patience = Duration::from_millis(800);
        match timeout(patience, read_phrase(&mut cues)).await {
            Ok(phrase) if phrase.is_empty() => return heard,
            Ok(phrase) => heard.extend(phrase),
            Err(_) => {
                let ms = start.elapsed().as_millis();
                println!("@{ms}ms conductor: too slow, start the phrase again");
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let start = Instant::now();
    let heard = listen(start).await;
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms conductor: heard {heard:?}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic;
    use std::sync::mpsc as std_mpsc;
    use std::sync::mpsc::RecvTimeoutError;
    use std::thread;

    /// Runs `listen` on a paused clock on a thread of its own. A loop that
    /// never rests keeps that clock from moving, so no `timeout` inside
    /// could fire: ten real seconds are the watchdog instead.
    fn listen_on_paused_clock() -> (Vec<Note>, Duration) {
        let (report, outcome) = std_mpsc::channel();
        let rehearsal = thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .start_paused(true)
                .build()
                .unwrap();
            let _ = report.send(runtime.block_on(async {
                let start = Instant::now();
                let heard = timeout(Duration::from_secs(2), listen(start))
                    .await
                    .expect("the oboe finishes");
                (heard, start.elapsed())
            }));
        });
        match outcome.recv_timeout(Duration::from_secs(10)) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                panic!("10 real seconds and the clock has not moved: it spins")
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic::resume_unwind(rehearsal.join().unwrap_err())
            }
        }
    }

    #[test]
    fn a_cancelled_read_phrase_loses_its_notes() {
        let (heard, ended) = listen_on_paused_clock();
        // C4 and E4 were received, then dropped with the cancelled future.
        assert_eq!(heard, ["G4", "C5", "E5", "G5"]);
        assert_eq!(ended, Duration::from_millis(1200));
    }
}
