use std::time::Duration;

use tokio::time::{interval_at, sleep, timeout, Instant};

// ANCHOR: all
const BAR: Duration = Duration::from_millis(400);
const CURTAIN: Duration = Duration::from_millis(1000);

fn say(start: Instant, section: &str, what: &str) {
    println!("@{}ms {section}: {what}", start.elapsed().as_millis());
}

/// One curtain for the whole rehearsal, pinned once, borrowed every turn.
async fn rehearse(section: &str, start: Instant) -> u32 {
    let mut metronome = interval_at(start + BAR, BAR);
    let curtain = sleep(CURTAIN);
    tokio::pin!(curtain);
    let mut bars = 0;
    loop {
        tokio::select! {
            _ = metronome.tick() => {
                bars += 1;
                say(start, section, &format!("bar {bars}"));
            }
            () = &mut curtain => {
                say(start, section, "curtain falls");
                return bars;
            }
        }
    }
}

/// Wrong: a new `sleep(CURTAIN)` every turn, dropped whenever a bar wins.
async fn rehearse_restarting(section: &str, start: Instant) -> u32 {
    let mut metronome = interval_at(start + BAR, BAR);
    let mut bars = 0;
    loop {
        tokio::select! {
            _ = metronome.tick() => {
                bars += 1;
                say(start, section, &format!("bar {bars}"));
            }
            () = sleep(CURTAIN) => {
                say(start, section, "curtain falls");
                return bars;
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let start = Instant::now();
    let patience = Duration::from_millis(1400);
    let (_, restarting) = tokio::join!(
        rehearse("violins", start),
        timeout(patience, rehearse_restarting("cellos", start)),
    );
    if restarting.is_err() {
        say(start, "cellos", "still no curtain: stopped from outside");
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::sync::mpsc::{self as std_mpsc, RecvTimeoutError};
    use std::{panic, thread};

    /// Runs `test` on a paused clock in a thread of its own. A loop with a
    /// branch ready on every turn keeps the runtime busy, so the paused
    /// clock never moves and no `timeout` can fire: a real-time watchdog
    /// turns that hang into a failure.
    fn on_paused_clock<T: Send + 'static>(
        test: impl Future<Output = T> + Send + 'static,
    ) -> T {
        let (report, outcome) = std_mpsc::channel();
        let rehearsal = thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .start_paused(true)
                .build()
                .unwrap();
            let _ = report.send(runtime.block_on(test));
        });
        match outcome.recv_timeout(Duration::from_secs(10)) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                panic!("10 real seconds and the clock has not moved: it spins")
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic::resume_unwind(rehearsal.join().unwrap_err())
            }
        }
    }

    /// `Ok(bars)` if the rehearsal ends exactly when the curtain is due.
    async fn ends_at_the_curtain(
        rehearsal: impl Future<Output = u32>,
    ) -> Result<u32, String> {
        let start = Instant::now();
        match timeout(Duration::from_secs(60), rehearsal).await {
            Ok(bars) if start.elapsed() == CURTAIN => Ok(bars),
            Ok(_) => Err(format!("it ended at {:?}", start.elapsed())),
            Err(_) => Err("a minute later, still rehearsing".to_string()),
        }
    }

    #[test]
    fn a_pinned_curtain_falls_on_time_however_many_bars_win() {
        let verdict = on_paused_clock(async {
            ends_at_the_curtain(rehearse("violins", Instant::now())).await
        });
        // Bars at 400 and 800 ms each won a turn; the curtain kept its
        // progress and fell at 1,000 ms.
        assert_eq!(verdict, Ok(2));
    }

    #[test]
    fn a_curtain_made_each_turn_never_falls() {
        let verdict = on_paused_clock(async {
            ends_at_the_curtain(rehearse_restarting("cellos", Instant::now()))
                .await
        });
        assert_eq!(
            verdict,
            Err("a minute later, still rehearsing".to_string())
        );
    }

    /// A deadline at a fixed instant survives being rebuilt every turn:
    /// it is the duration, started over each time, that never elapses.
    async fn rehearse_until(start: Instant) -> u32 {
        let mut metronome = interval_at(start + BAR, BAR);
        let mut bars = 0;
        loop {
            tokio::select! {
                _ = metronome.tick() => bars += 1,
                () = tokio::time::sleep_until(start + CURTAIN) => return bars,
            }
        }
    }

    #[test]
    fn a_fixed_instant_made_each_turn_also_falls_on_time() {
        let verdict = on_paused_clock(async {
            ends_at_the_curtain(rehearse_until(Instant::now())).await
        });
        assert_eq!(verdict, Ok(2));
    }

    /// The page shows `no-listing-12-unpinned-curtain` failing to compile
    /// as this listing's `rehearse` without its pin: it must be exactly that.
    #[test]
    fn the_near_miss_is_this_rehearse_without_its_pin() {
        let near_miss =
            include_str!("../../no-listing-12-unpinned-curtain/src/main.rs");
        let ours = include_str!("main.rs");
        let unpinned = recording::source::function_without(
            ours,
            "rehearse",
            "tokio::pin!(",
        );
        assert_eq!(
            recording::source::function(near_miss, "rehearse"),
            unpinned
        );
    }
}
