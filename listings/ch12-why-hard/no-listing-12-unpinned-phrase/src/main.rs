use std::future::Future;
use std::time::Duration;
use tokio::time::{sleep, Instant};

async fn long_phrase(score: Vec<&'static str>) -> usize {
    let opening = &score[..2]; // borrows the future's own `score`
    sleep(Duration::from_millis(2000)).await;
    opening.len() + score[2..].len()
}

/// Listing 12-4's `conduct` without its `pin!` line.
async fn conduct<F>(phrase: F, start: Instant) -> (usize, u32)
where
    F: Future<Output = usize>,
{
    let mut glances = 0;
    loop {
        tokio::select! {
            biased;
            notes = &mut phrase => {
                let ms = start.elapsed().as_millis();
                println!("@{ms}ms conductor: phrase ends, {notes} notes");
                return (notes, glances);
            }
            () = sleep(Duration::from_millis(800)) => {
                glances += 1;
                let ms = start.elapsed().as_millis();
                println!("@{ms}ms conductor: still playing, keep going");
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let phrase = long_phrase(vec!["C4", "E4", "G4", "C5"]);
    conduct(phrase, Instant::now()).await;
}
