use std::thread;
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task;
use tokio::time::{self, Instant};

// ANCHOR: all
type Event = (u128, &'static str, &'static str);

/// Where the players perform: a shared start time, and the audience's ear.
#[derive(Clone)]
struct Stage {
    start: Instant,
    ear: UnboundedSender<Event>,
}

impl Stage {
    fn play(&self, who: &'static str, what: &'static str) {
        let ms = self.start.elapsed().as_millis();
        println!("@{ms}ms {who}: {what}");
        self.ear.send((ms, who, what)).unwrap();
    }
}

async fn soloist(rest: Duration, block: Duration, stage: Stage) {
    stage.play("soloist", "A4, then a rest");
    time::sleep(rest).await; // a rest: this task pauses, the thread plays on
    stage.play("soloist", "B4, then a block");
    thread::sleep(block); // a block: the whole thread stops
    stage.play("soloist", "C5");
}

async fn drummer(beat: Duration, beats: u32, stage: Stage) {
    for _ in 0..beats {
        time::sleep(beat).await;
        stage.play("drummer", "tap");
    }
}

/// Both tasks share one thread; the events come back in the order they
/// were really played.
async fn perform(
    beat: Duration,
    rest: Duration,
    block: Duration,
) -> Vec<Event> {
    let (ear, mut heard) = mpsc::unbounded_channel();
    let stage = Stage {
        start: Instant::now(),
        ear,
    };
    let drums = task::spawn(drummer(beat, 8, stage.clone()));
    let solo = task::spawn(soloist(rest, block, stage));
    drums.await.unwrap();
    solo.await.unwrap();
    let mut events = Vec::new();
    while let Some(event) = heard.recv().await {
        events.push(event);
    }
    events
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let beat = Duration::from_millis(40);
    let hold = Duration::from_millis(140);
    let events = perform(beat, hold, hold).await;
    let flavor = Handle::current().runtime_flavor();
    println!("{} events heard, on a {flavor:?} runtime", events.len());
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn during_a_rest_the_drummer_plays_on() {
        let beat = Duration::from_millis(100);
        let rest = Duration::from_millis(350);
        let events = time::timeout(
            Duration::from_secs(60),
            perform(beat, rest, Duration::ZERO),
        )
        .await
        .expect("the performance ended");
        assert_eq!(
            events,
            [
                (0, "soloist", "A4, then a rest"),
                (100, "drummer", "tap"),
                (200, "drummer", "tap"),
                (300, "drummer", "tap"),
                (350, "soloist", "B4, then a block"),
                (350, "soloist", "C5"),
                (400, "drummer", "tap"),
                (500, "drummer", "tap"),
                (600, "drummer", "tap"),
                (700, "drummer", "tap"),
                (800, "drummer", "tap"),
            ]
        );
    }

    // `std::thread::sleep` stops the thread, not tokio's paused clock, so
    // this test runs on the real clock: ten-millisecond taps, a rest of five
    // beats, then a block of twenty and a half, so that it does not end on
    // the drummer's old grid.
    #[tokio::test]
    async fn during_a_block_nobody_else_plays() {
        let beat = Duration::from_millis(10);
        let (rest, block) = (beat * 5, beat * 20 + beat / 2);
        let events =
            time::timeout(Duration::from_secs(5), perform(beat, rest, block))
                .await
                .expect("the performance ended");
        let at = |what| events.iter().position(|e| e.2.starts_with(what));
        let (b4, c5) = (at("B4").unwrap(), at("C5").unwrap());
        // The drummer was keeping time when the block began...
        let tapped_before = events[..b4].iter().any(|e| e.1 == "drummer");
        assert!(tapped_before, "{events:?}");
        // ...yet nothing sounded during the block...
        assert_eq!(c5, b4 + 1, "{events:?}");
        assert!(events[c5].0 >= events[b4].0 + 205, "{events:?}");
        // ...although the drummer had taps still to play, each due one beat
        // after the last: the one that fell due waited for the block to end...
        let after: Vec<u128> = events[c5 + 1..].iter().map(|e| e.0).collect();
        assert!(after.len() >= 2, "{events:?}");
        // ...and the rest of the part moved back, each later tap a whole
        // beat or more after the one before (a `sleep` never ends early):
        // no burst of missed taps, and no return to the old grid, whose
        // next point lies half a beat after the block.
        let spaced = after.windows(2).all(|w| w[1] >= w[0] + 10);
        assert!(spaced, "{events:?}");
    }
}
