use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{sleep, timeout, Instant};

type Note = &'static str;

// ANCHOR: all
async fn oboe(cues: mpsc::Sender<Note>, start: Instant) {
    for note in ["C4", "E4", "G4", "C5", "E5", "G5"] {
        if note == "G4" {
            sleep(Duration::from_millis(600)).await; // a long breath
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
        let patience = Duration::from_millis(400);
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

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_read_phrase_loses_its_notes() {
        let start = Instant::now();
        let heard = timeout(Duration::from_secs(1), listen(start))
            .await
            .expect("the oboe finishes");
        // C4 and E4 were received, then dropped with the cancelled future.
        assert_eq!(heard, ["G4", "C5", "E5", "G5"]);
        assert_eq!(start.elapsed(), Duration::from_millis(600));
    }
}
