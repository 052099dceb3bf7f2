use tokio::time::{self, Duration, Instant};

// ANCHOR: all
const BEAT: Duration = Duration::from_millis(50);
const WORK: Duration = Duration::from_millis(20);

fn cue(clock: Instant, performer: &str, bar: u32) -> u128 {
    let ms = clock.elapsed().as_millis();
    println!("@{ms}ms {performer}: bar {bar}");
    ms
}

/// Plays a bar, then sleeps for a beat: every bar also pays for its work.
async fn sleeper(bars: u32, clock: Instant) -> Vec<u128> {
    let mut heard = Vec::new();
    for bar in 1..=bars {
        heard.push(cue(clock, "sleeper", bar));
        time::sleep(WORK).await; // the bar's work: a frame, a physics step
        time::sleep(BEAT).await;
    }
    heard
}

/// Waits for the next tick of a fixed grid, then plays the bar.
async fn metronome(bars: u32, clock: Instant) -> Vec<u128> {
    let mut beat = time::interval(BEAT); // the first tick is due at once
    let mut heard = Vec::new();
    for bar in 1..=bars {
        beat.tick().await;
        heard.push(cue(clock, "metronome", bar));
        time::sleep(WORK).await;
    }
    heard
}

#[tokio::main]
async fn main() {
    let clock = Instant::now();
    let (slept, ticked) = tokio::join!(sleeper(5, clock), metronome(5, clock));
    println!("sleeper's last bar at {}ms", slept[4]);
    println!("metronome's last bar at {}ms", ticked[4]);
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Duration = Duration::from_secs(10);

    #[tokio::test(start_paused = true)]
    async fn sleeping_a_beat_drifts_by_the_work_every_bar() {
        let clock = Instant::now();
        let heard = time::timeout(LIMIT, sleeper(5, clock)).await.unwrap();
        assert_eq!(heard, [0, 70, 140, 210, 280]);
    }

    #[tokio::test(start_paused = true)]
    async fn an_interval_keeps_the_grid() {
        let clock = Instant::now();
        let heard = time::timeout(LIMIT, metronome(5, clock)).await.unwrap();
        assert_eq!(heard, [0, 50, 100, 150, 200]);
    }

    /// A loop that slept for what was left of each beat, or aimed at its
    /// own late start, would land on the same grid above; a late bar
    /// tells them apart.
    #[tokio::test(start_paused = true)]
    async fn after_a_late_bar_the_interval_is_back_on_the_grid() {
        let clock = Instant::now();
        tokio::spawn(async {
            // A stall: at 10 ms the clock jumps to 60 ms.
            time::sleep(Duration::from_millis(10)).await;
            time::advance(Duration::from_millis(50)).await;
        });
        let heard = time::timeout(LIMIT, metronome(3, clock)).await.unwrap();
        assert_eq!(heard, [0, 60, 100], "bar 2 late, bar 3 on the grid");
    }
}
