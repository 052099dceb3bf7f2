use tokio::time::{self, Duration, Instant, MissedTickBehavior};

// ANCHOR: all
const BEAT: Duration = Duration::from_millis(50);
const STALL: Duration = Duration::from_millis(120);

/// Keeps a 50 ms beat for six beats; the work after beat 2 takes 120 ms,
/// past the ticks due at 100 and 150 ms. `behavior` decides what happens
/// to those missed ticks.
async fn keep_time(
    performer: &str,
    behavior: MissedTickBehavior,
    start: Instant,
) -> Vec<u128> {
    let mut beat = time::interval_at(start, BEAT);
    beat.set_missed_tick_behavior(behavior);
    let mut heard = Vec::new();
    for n in 1..=6 {
        beat.tick().await;
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms {performer}: beat {n}");
        heard.push(ms);
        if n == 2 {
            time::sleep(STALL).await; // a frame that took too long
        }
    }
    heard
}

/// Who plays which recovery: each performer is named for its behaviour.
const ENSEMBLE: [(&str, MissedTickBehavior); 3] = [
    ("burst", MissedTickBehavior::Burst),
    ("delay", MissedTickBehavior::Delay),
    ("skip", MissedTickBehavior::Skip),
];

#[tokio::main]
async fn main() {
    let start = Instant::now();
    let [burst, delay, skip] = ENSEMBLE
        .map(|(performer, behavior)| keep_time(performer, behavior, start));
    tokio::join!(burst, delay, skip);
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    async fn timeline(behavior: MissedTickBehavior) -> Vec<u128> {
        let run = keep_time("test", behavior, Instant::now());
        time::timeout(Duration::from_secs(10), run).await.unwrap()
    }

    /// The page's table: the beats each performer plays, in ms.
    fn table(performer: &str) -> [u128; 6] {
        match performer {
            "burst" => [0, 50, 170, 170, 200, 250],
            "delay" => [0, 50, 170, 220, 270, 320],
            "skip" => [0, 50, 170, 200, 250, 300],
            other => panic!("the page's table has no performer {other}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn burst_plays_the_missed_beats_at_once_then_keeps_the_grid() {
        assert_eq!(timeline(MissedTickBehavior::Burst).await, table("burst"));
    }

    #[tokio::test(start_paused = true)]
    async fn delay_plays_one_late_beat_then_starts_a_new_grid() {
        assert_eq!(timeline(MissedTickBehavior::Delay).await, table("delay"));
    }

    #[tokio::test(start_paused = true)]
    async fn skip_plays_one_late_beat_then_rejoins_the_old_grid() {
        assert_eq!(timeline(MissedTickBehavior::Skip).await, table("skip"));
    }

    /// The lanes of the recorded run and its score are the names `main`
    /// gives: each must play the timeline the page's table gives it.
    #[tokio::test(start_paused = true)]
    async fn each_performer_plays_the_behaviour_it_is_named_for() {
        for (performer, behavior) in ENSEMBLE {
            assert_eq!(
                timeline(behavior).await,
                table(performer),
                "{performer}"
            );
        }
    }
}
