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

#[tokio::main]
async fn main() {
    let start = Instant::now();
    tokio::join!(
        keep_time("burst", MissedTickBehavior::Burst, start),
        keep_time("delay", MissedTickBehavior::Delay, start),
        keep_time("skip", MissedTickBehavior::Skip, start),
    );
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    async fn timeline(behavior: MissedTickBehavior) -> Vec<u128> {
        let run = keep_time("test", behavior, Instant::now());
        time::timeout(Duration::from_secs(10), run).await.unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn burst_plays_the_missed_beats_at_once_then_keeps_the_grid() {
        let heard = timeline(MissedTickBehavior::Burst).await;
        assert_eq!(heard, [0, 50, 170, 170, 200, 250]);
    }

    #[tokio::test(start_paused = true)]
    async fn delay_plays_one_late_beat_then_starts_a_new_grid() {
        let heard = timeline(MissedTickBehavior::Delay).await;
        assert_eq!(heard, [0, 50, 170, 220, 270, 320]);
    }

    #[tokio::test(start_paused = true)]
    async fn skip_plays_one_late_beat_then_rejoins_the_old_grid() {
        let heard = timeline(MissedTickBehavior::Skip).await;
        assert_eq!(heard, [0, 50, 170, 200, 250, 300]);
    }
}
