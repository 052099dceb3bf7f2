use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task;
use tokio::time::{self, Instant};

// ANCHOR: all
/// One event of the performance: when, who, and what was played.
type Event = (u128, &'static str, String);

async fn section(
    name: &'static str,
    beats_per_bar: u32,
    bar: Duration,
    bars: u32,
    start: Instant,
    score: UnboundedSender<Event>,
) {
    let mut pulse = time::interval(bar / beats_per_bar);
    // Every beat of every bar, then one last downbeat together.
    for beat in 0..=beats_per_bar * bars {
        pulse.tick().await;
        let ms = start.elapsed().as_millis();
        let what = if beat == beats_per_bar * bars {
            "final downbeat".to_string()
        } else {
            format!("beat {} of {beats_per_bar}", beat % beats_per_bar + 1)
        };
        println!("@{ms}ms {name}: {what}");
        score.send((ms, name, what)).unwrap();
    }
}

/// Three against two: violins play three beats in each bar while the
/// cellos play two, as two tasks (on one thread, under `current_thread`).
async fn polyrhythm(bar: Duration, bars: u32) -> Vec<Event> {
    let start = Instant::now();
    let (score, mut heard) = mpsc::unbounded_channel();
    let violins =
        task::spawn(section("violins", 3, bar, bars, start, score.clone()));
    let cellos = task::spawn(section("cellos", 2, bar, bars, start, score));
    violins.await.unwrap();
    cellos.await.unwrap();
    let mut events = Vec::new();
    while let Some(event) = heard.recv().await {
        events.push(event);
    }
    events
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let events = polyrhythm(Duration::from_millis(240), 2).await;
    let flavor = Handle::current().runtime_flavor();
    println!("{} events heard, on a {flavor:?} runtime", events.len());
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn three_against_two_keeps_exact_time() {
        let six_seconds = Duration::from_secs(6);
        let mut events =
            time::timeout(Duration::from_secs(60), polyrhythm(six_seconds, 2))
                .await
                .expect("the polyrhythm ended");
        // The events were heard in the order of time...
        let in_time = events.windows(2).all(|w| w[0].0 <= w[1].0);
        assert!(in_time, "{events:?}");
        // ...but events at the same instant may come in either order;
        // sorting by time, then performer, fixes only those.
        events.sort();
        let timeline: Vec<(u128, &str, &str)> = events
            .iter()
            .map(|(ms, who, what)| (*ms, *who, what.as_str()))
            .collect();
        assert_eq!(
            timeline,
            [
                (0, "cellos", "beat 1 of 2"),
                (0, "violins", "beat 1 of 3"),
                (2000, "violins", "beat 2 of 3"),
                (3000, "cellos", "beat 2 of 2"),
                (4000, "violins", "beat 3 of 3"),
                (6000, "cellos", "beat 1 of 2"),
                (6000, "violins", "beat 1 of 3"),
                (8000, "violins", "beat 2 of 3"),
                (9000, "cellos", "beat 2 of 2"),
                (10000, "violins", "beat 3 of 3"),
                (12000, "cellos", "final downbeat"),
                (12000, "violins", "final downbeat"),
            ]
        );
    }

    /// One six-second bar, with the thread busy from 1 ms until `busy_ms`:
    /// the times each section was heard.
    async fn a_bar_with_a_stall(busy_ms: u64) -> [Vec<u128>; 2] {
        let one_bar = task::spawn(polyrhythm(Duration::from_secs(6), 1));
        // The clock reaches 1 ms only once both sections have played their
        // first beat and are waiting for the next tick.
        time::sleep(Duration::from_millis(1)).await;
        time::advance(Duration::from_millis(busy_ms - 1)).await;
        let events = time::timeout(Duration::from_secs(60), one_bar)
            .await
            .expect("the bar ended")
            .unwrap();
        let heard = |who| -> Vec<u128> {
            events.iter().filter(|e| e.1 == who).map(|e| e.0).collect()
        };
        [heard("violins"), heard("cellos")]
    }

    #[tokio::test(start_paused = true)]
    async fn a_late_beat_does_not_move_the_grid() {
        // Past the violins' second beat, due at 2,000 ms: that beat sounds
        // late, but the next beats keep their places on the grid.
        let [violins, cellos] = a_bar_with_a_stall(2_500).await;
        assert_eq!(violins, [0, 2_500, 4_000, 6_000]);
        assert_eq!(cellos, [0, 3_000, 6_000]);
        // Past two beats: `Burst` plays both missed beats at once, where
        // `Skip` would drop one and `Delay` would start a new grid.
        let [violins, cellos] = a_bar_with_a_stall(4_500).await;
        assert_eq!(violins, [0, 4_500, 4_500, 6_000]);
        assert_eq!(cellos, [0, 4_500, 6_000]);
    }
}
