use std::hint::black_box;

use tokio::runtime::Handle;
use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task;

// ANCHOR: all
type Ear = UnboundedSender<String>;

/// Heavy work with no `.await`: no other task on its thread runs meanwhile.
fn compose_phrase(phrase: u64) -> u64 {
    (0..100_000u64).fold(phrase, |melody, n| {
        black_box(melody.wrapping_mul(31).wrapping_add(n))
    })
}

async fn composer(polite: bool, ear: Ear) {
    for phrase in 1..=4 {
        compose_phrase(phrase);
        ear.send(format!("composer: phrase {phrase}")).unwrap();
        if polite {
            // A pause after each phrase: the thread goes back to the runtime.
            task::yield_now().await;
        }
    }
}

async fn metronome(ear: Ear) {
    for tick in 1..=4 {
        ear.send(format!("metronome: tick {tick}")).unwrap();
        task::yield_now().await;
    }
}

async fn concert(polite: bool) -> Vec<String> {
    let (ear, mut heard) = mpsc::unbounded_channel();
    let ticking = task::spawn(metronome(ear.clone()));
    let composing = task::spawn(composer(polite, ear));
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
    let flavor = Handle::current().runtime_flavor();
    println!("-- both concerts on a {flavor:?} runtime --");
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
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Waker};
    use std::time::Duration;

    #[tokio::test]
    async fn a_loop_that_never_awaits_holds_the_thread() {
        let log = tokio::time::timeout(Duration::from_secs(10), concert(false))
            .await
            .expect("the concert ended");
        // Once the composer's task starts, it keeps the only thread until
        // its last phrase: the metronome cannot tick in between.
        let at = |line| log.iter().position(|l| l == line).unwrap();
        let (first, last) =
            (at("composer: phrase 1"), at("composer: phrase 4"));
        assert_eq!(last, first + 3, "{log:?}");
    }

    /// Polls `composer` by hand, as an executor would, and returns what each
    /// poll composed and whether it finished; fails after a hundred polls.
    fn polls_of(polite: bool) -> Vec<(Vec<String>, bool)> {
        let (ear, mut heard) = mpsc::unbounded_channel();
        let mut composing = pin!(composer(polite, ear));
        let mut cx = Context::from_waker(Waker::noop());
        let mut polls = Vec::new();
        for _ in 0..100 {
            let done = composing.as_mut().poll(&mut cx).is_ready();
            let mut phrases = Vec::new();
            while let Ok(line) = heard.try_recv() {
                phrases.push(line);
            }
            polls.push((phrases, done));
            if done {
                return polls;
            }
        }
        panic!("the composer never finished: {polls:?}");
    }

    #[test]
    fn yield_now_gives_the_thread_back_after_every_phrase() {
        // Without yields, one poll runs all four phrases: the thread is
        // never handed back in between.
        let rude = polls_of(false);
        assert_eq!(rude.len(), 1, "{rude:?}");
        assert_eq!(rude[0].0.len(), 4, "{rude:?}");
        // With them, each poll composes one phrase and answers `Pending`,
        // which is the runtime's chance to poll someone else.
        let polite = polls_of(true);
        let phrases: Vec<usize> = polite.iter().map(|p| p.0.len()).collect();
        assert_eq!(phrases, [1, 1, 1, 1, 0], "{polite:?}");
        assert!(polite[..4].iter().all(|p| !p.1), "{polite:?}");
    }
}
