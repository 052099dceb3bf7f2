// ANCHOR: all
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Lets at most `starts` sections begin within any one `period`.
struct RateLimiter {
    permits: Arc<Semaphore>,
    period: Duration,
}

impl RateLimiter {
    fn new(starts: usize, period: Duration) -> RateLimiter {
        RateLimiter {
            permits: Arc::new(Semaphore::new(starts)),
            period,
        }
    }

    /// Waits until a start is allowed: returns at once while fewer than
    /// `starts` cues were given in the last `period`, and otherwise as
    /// soon as the oldest of them is a `period` old.
    async fn cue(&self) {
        // Write: take a permit, and give it back one `period` after this
        // start, from a task of its own, so that the caller need not wait
        // for it.
        let _ = (&self.permits, self.period);
    }
}

#[tokio::main]
async fn main() {
    let limiter = RateLimiter::new(2, Duration::from_millis(100));
    let downbeat = Instant::now();
    for section in ["violins", "violas", "cellos", "basses", "flutes"] {
        limiter.cue().await;
        let ms = downbeat.elapsed().as_millis();
        println!("@{ms}ms {section}: start");
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::sync::mpsc::{self, RecvTimeoutError};
    use std::thread;
    use tokio::time::{advance, sleep, timeout};

    /// Real time: long enough to mean "never", short enough to fail fast.
    const WATCHDOG: Duration = Duration::from_secs(10);

    const SECOND: Duration = Duration::from_secs(1);

    /// Runs `concert` on tokio's paused clock, on a thread of its own: a
    /// failure inside it fails the test, and so does a concert that has
    /// not finished after `WATCHDOG` of real time.
    fn on_paused_clock<F>(
        concert: impl FnOnce() -> F + Send + 'static,
    ) -> F::Output
    where
        F: Future,
        F::Output: Send + 'static,
    {
        let (done, finished) = mpsc::channel();
        let stage = thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .start_paused(true)
                .build()
                .unwrap();
            done.send(runtime.block_on(concert())).unwrap();
        });
        match finished.recv_timeout(WATCHDOG) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                panic!("still running after {WATCHDOG:?} of real time")
            }
            Err(RecvTimeoutError::Disconnected) => {
                std::panic::resume_unwind(stage.join().unwrap_err())
            }
        }
    }

    /// The milliseconds since `downbeat` at which each of `count` cues,
    /// given one after another, returned.
    async fn cue_times(
        limiter: &RateLimiter,
        downbeat: Instant,
        count: usize,
    ) -> Vec<u128> {
        let mut starts = Vec::new();
        for _ in 0..count {
            timeout(Duration::from_secs(60), limiter.cue())
                .await
                .expect("a cue waited a minute");
            starts.push(downbeat.elapsed().as_millis());
        }
        starts
    }

    #[test]
    fn at_most_three_starts_in_any_second_and_no_wait_beyond_that() {
        let starts = on_paused_clock(|| async {
            let limiter = RateLimiter::new(3, SECOND);
            cue_times(&limiter, Instant::now(), 7).await
        });
        assert_eq!(starts, [0, 0, 0, 1000, 1000, 1000, 2000]);
    }

    #[test]
    fn a_start_counts_for_one_period_from_when_it_was_given() {
        let starts = on_paused_clock(|| async {
            let limiter = RateLimiter::new(2, SECOND);
            let downbeat = Instant::now();
            let mut starts = cue_times(&limiter, downbeat, 1).await;
            sleep(Duration::from_millis(400)).await;
            starts.extend(cue_times(&limiter, downbeat, 3).await);
            starts
        });
        // The second start fits at 400; the third waits for the first to
        // be a second old, the fourth for the second.
        assert_eq!(starts, [0, 400, 1000, 1400]);
    }

    #[test]
    fn a_period_runs_from_the_start_not_from_when_a_task_first_runs() {
        let starts = on_paused_clock(|| async {
            let limiter = RateLimiter::new(1, SECOND);
            let downbeat = Instant::now();
            let mut starts = cue_times(&limiter, downbeat, 1).await;
            // In tokio 1.54.1 `advance` moves the clock before it yields,
            // so a task spawned by that cue is first polled at 500 ms.
            advance(Duration::from_millis(500)).await;
            starts.extend(cue_times(&limiter, downbeat, 1).await);
            starts
        });
        assert_eq!(starts, [0, 1000]);
    }

    #[test]
    fn sections_cued_at_once_share_the_limit() {
        let mut starts = on_paused_clock(|| async {
            let limiter = Arc::new(RateLimiter::new(2, SECOND));
            let downbeat = Instant::now();
            let sections: Vec<_> = (0..5)
                .map(|_| {
                    let limiter = Arc::clone(&limiter);
                    tokio::spawn(async move {
                        cue_times(&limiter, downbeat, 1).await[0]
                    })
                })
                .collect();
            let mut starts = Vec::new();
            for section in sections {
                starts.push(section.await.unwrap());
            }
            starts
        });
        starts.sort();
        assert_eq!(starts, [0, 0, 1000, 1000, 2000]);
    }

    #[test]
    fn an_idle_limiter_holds_nobody_back() {
        let starts = on_paused_clock(|| async {
            let limiter = RateLimiter::new(2, SECOND);
            let downbeat = Instant::now();
            let mut starts = cue_times(&limiter, downbeat, 2).await;
            sleep(Duration::from_secs(5)).await;
            starts.extend(cue_times(&limiter, downbeat, 2).await);
            starts
        });
        assert_eq!(starts, [0, 0, 5000, 5000]);
    }
}
