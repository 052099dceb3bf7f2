use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{sleep, timeout, Instant};

type Note = &'static str;

async fn oboe(cues: mpsc::Sender<Note>, start: Instant) {
    for note in ["C4", "E4", "G4", "C5", "E5", "G5"] {
        if note == "G4" {
            sleep(Duration::from_millis(600)).await; // a long breath
        }
        println!("@{}ms oboe: {note}", start.elapsed().as_millis());
        cues.send(note).await.unwrap();
    }
}

// ANCHOR: all
async fn read_phrase(
    cues: &mut mpsc::Receiver<Note>,
    phrase: &mut Vec<Note>, // owned by the caller, survives a cancel
) -> bool {
    while phrase.len() < 4 {
        match cues.recv().await {
            Some(note) => phrase.push(note),
            None => return false,
        }
    }
    true
}

async fn listen(start: Instant) -> Vec<Note> {
    let (sender, mut cues) = mpsc::channel(8);
    tokio::spawn(oboe(sender, start));
    let mut heard = Vec::new();
    let mut phrase = Vec::new();
    loop {
        let patience = Duration::from_millis(400);
        match timeout(patience, read_phrase(&mut cues, &mut phrase)).await {
            Ok(more) => {
                heard.append(&mut phrase);
                if !more {
                    return heard;
                }
            }
            Err(_) => {
                let ms = start.elapsed().as_millis();
                println!("@{ms}ms conductor: too slow, keeping {phrase:?}");
            }
        }
    }
}
// ANCHOR_END: all

#[tokio::main]
async fn main() {
    let start = Instant::now();
    let heard = listen(start).await;
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms conductor: heard {heard:?}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_read_phrase_keeps_its_notes() {
        let start = Instant::now();
        let heard = timeout(Duration::from_secs(1), listen(start))
            .await
            .expect("the oboe finishes");
        assert_eq!(heard, ["C4", "E4", "G4", "C5", "E5", "G5"]);
        assert_eq!(start.elapsed(), Duration::from_millis(600));
    }
}
