use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task;

// ANCHOR: all
/// Heavy work with no `.await` in it: nothing can interrupt it.
fn compose_phrase(phrase: u64) -> u64 {
    (0..100_000u64).fold(phrase, |melody, n| {
        black_box(melody.wrapping_mul(31).wrapping_add(n))
    })
}

async fn composer(polite: bool, done: Arc<AtomicBool>, ear: Ear) {
    for phrase in 1..=4 {
        compose_phrase(phrase);
        ear.send(format!("composer: phrase {phrase}")).unwrap();
        if polite {
            // A rest between phrases: let anyone who is ready play.
            task::yield_now().await;
        }
    }
    done.store(true, Ordering::Release);
}

async fn metronome(done: Arc<AtomicBool>, ear: Ear) {
    let mut tick = 0;
    while !done.load(Ordering::Acquire) {
        tick += 1;
        ear.send(format!("metronome: tick {tick}")).unwrap();
        task::yield_now().await;
    }
}

type Ear = UnboundedSender<String>;

async fn concert(polite: bool) -> Vec<String> {
    let (ear, mut heard) = mpsc::unbounded_channel();
    let done = Arc::new(AtomicBool::new(false));
    let ticking = task::spawn(metronome(done.clone(), ear.clone()));
    let composing = task::spawn(composer(polite, done, ear));
    ticking.await.unwrap();
    composing.await.unwrap();
    let mut log = Vec::new();
    while let Some(line) = heard.recv().await {
        log.push(line);
    }
    log
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    for polite in [false, true] {
        println!("-- the composer yields between phrases: {polite} --");
        for line in concert(polite).await {
            println!("{line}");
        }
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn heard(polite: bool) -> Vec<String> {
        tokio::time::timeout(Duration::from_secs(10), concert(polite))
            .await
            .expect("the concert ended")
    }

    /// The metronome ticks heard after the first phrase and before the last.
    fn ticks_during_composition(log: &[String]) -> usize {
        let first = log.iter().position(|l| l == "composer: phrase 1").unwrap();
        let last = log.iter().position(|l| l == "composer: phrase 4").unwrap();
        log[first..last]
            .iter()
            .filter(|l| l.starts_with("metronome"))
            .count()
    }

    #[tokio::test]
    async fn a_loop_that_never_awaits_silences_the_metronome() {
        let log = heard(false).await;
        assert_eq!(ticks_during_composition(&log), 0, "{log:?}");
    }

    #[tokio::test]
    async fn yield_now_lets_the_metronome_tick_during_composition() {
        // `yield_now` promises no particular order, only that every other
        // task that is ready gets a turn before the composer's next-but-one
        // phrase; so between the first and last of four phrases the
        // metronome must have ticked.
        let log = heard(true).await;
        assert!(ticks_during_composition(&log) >= 1, "{log:?}");
    }
}
