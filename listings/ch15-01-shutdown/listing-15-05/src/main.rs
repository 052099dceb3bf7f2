use std::time::Duration;
use tokio::time::{sleep, sleep_until, Instant};
use tokio_util::task::TaskTracker;

const BAR: Duration = Duration::from_millis(100);

/// Plays `bars` bars, then leaves the stage.
async fn play(name: &'static str, bars: u32, start: Instant) {
    for bar in 1..=bars {
        sleep(BAR).await;
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms {name}: bar {bar}");
    }
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms {name}: leaves the stage");
}

/// The conductor's bow, which is not a task of its own.
async fn bow(start: Instant) {
    sleep(2 * BAR).await;
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms conductor: bows and leaves");
}

// ANCHOR: all
/// Returns when the lights went out, in milliseconds.
async fn concert(start: Instant) -> u128 {
    let stage = TaskTracker::new();
    let lights = tokio::spawn({
        let stage = stage.clone();
        async move {
            stage.wait().await; // closed, and every tracked task gone
            let ms = start.elapsed().as_millis();
            println!("@{ms}ms lights: out");
            ms
        }
    });

    let first_half = [
        stage.spawn(play("violins", 2, start)),
        stage.spawn(play("cellos", 1, start)),
    ];
    for player in first_half {
        player.await.expect("no player panicked"); // gone, future dropped
    }

    sleep_until(start + Duration::from_millis(400)).await;
    let ms = start.elapsed().as_millis();
    let (tracked, closed) = (stage.len(), stage.is_closed());
    println!("@{ms}ms conductor: {tracked} on stage, closed: {closed}; encore");
    stage.spawn(play("soloist", 1, start));
    stage.close(); // nobody else will come on
    stage.track_future(bow(start)).await; // counted until it is dropped

    lights.await.expect("the lights task did not panic")
}

#[tokio::main]
async fn main() {
    concert(Instant::now()).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    const LIMIT: Duration = Duration::from_secs(60);

    /// The claim: the lights go out only when everyone has left, and the
    /// concert's last performer is the conductor, whose bow ends it.
    fn check(lights_out: u128, last_left: u128) -> Result<(), String> {
        if lights_out < last_left {
            return Err(format!(
                "the lights went out at {lights_out} ms, while someone was \
                 on stage until {last_left} ms"
            ));
        }
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn the_lights_wait_for_the_encore_and_the_bow() {
        let start = Instant::now();
        let lights_out = timeout(LIMIT, concert(start)).await.expect("hung");
        let last_left = start.elapsed().as_millis();
        // Cellos leave at 100, violins at 200, the soloist at 500, and the
        // conductor's tracked bow ends at 600.
        assert_eq!((lights_out, last_left), (600, 600));
        assert_eq!(check(lights_out, last_left), Ok(()));
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_stall_the_encore_still_waits_for_the_first_half() {
        let start = Instant::now();
        // A stalled machine: at 50 ms the clock jumps to 450 ms, so the
        // first bars are heard late, past the conductor's 400 ms cue.
        tokio::spawn(async {
            sleep(Duration::from_millis(50)).await;
            tokio::time::advance(Duration::from_millis(400)).await;
        });
        let lights_out = timeout(LIMIT, concert(start)).await.expect("hung");
        // The violins' second bar ends at 550, the soloist's at 650, and
        // the bow at 750; an encore cued at 450 would end it all at 650.
        assert_eq!(lights_out, 750);
    }

    /// Broken twin: the same concert with the tracker closed at once.
    async fn concert_closed_at_once(start: Instant) -> u128 {
        let stage = TaskTracker::new();
        stage.close();
        let lights = tokio::spawn({
            let stage = stage.clone();
            async move {
                stage.wait().await;
                start.elapsed().as_millis()
            }
        });
        let first_half = [
            stage.spawn(play("violins", 2, start)),
            stage.spawn(play("cellos", 1, start)),
        ];
        for player in first_half {
            player.await.unwrap();
        }
        sleep_until(start + Duration::from_millis(400)).await;
        stage.spawn(play("soloist", 1, start));
        stage.track_future(bow(start)).await;
        lights.await.unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn closed_too_soon_the_lights_go_out_during_the_applause() {
        let start = Instant::now();
        let lights_out = timeout(LIMIT, concert_closed_at_once(start))
            .await
            .expect("hung");
        let last_left = start.elapsed().as_millis();
        assert_eq!((lights_out, last_left), (200, 600));
        let verdict = check(lights_out, last_left).unwrap_err();
        assert!(verdict.contains("out at 200 ms"), "{verdict}");
    }
}
