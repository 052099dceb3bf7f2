// ANCHOR: all
use std::future::Future;
use std::time::Duration;
use tokio::time::{sleep, timeout, Instant};

/// Plays `first` and `second` together, within the current task, and
/// returns both outputs once both parts are done.
fn duet<A, B>(
    first: A,
    second: B,
) -> impl Future<Output = (A::Output, B::Output)>
where
    A: Future + Unpin,
    B: Future + Unpin,
{
    // Write: a future of your own, `Duet`, that holds both parts and the
    // output of each part once it is ready. Its `poll` polls each part not
    // done yet, never one that is, and is ready once both are done.
    drop((first, second));
    std::future::pending()
}

#[tokio::main]
async fn main() {
    let part = |name: &'static str, ms| {
        Box::pin(async move {
            sleep(Duration::from_millis(ms)).await;
            name
        })
    };
    let downbeat = Instant::now();
    let both = duet(part("strings", 150), part("brass", 100));
    let played = timeout(Duration::from_millis(500), both).await;
    let ms = downbeat.elapsed().as_millis();
    println!("{played:?} after {ms} ms");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::Pin;
    use std::sync::mpsc::{self, RecvTimeoutError};
    use std::thread;
    use tokio::sync::oneshot;

    /// Real time: long enough to mean "never", short enough to fail fast.
    const WATCHDOG: Duration = Duration::from_secs(10);

    /// Runs `concert` on tokio's paused clock, on a thread of its own: a
    /// failure inside it fails the test, and so does a concert that has
    /// not finished after `WATCHDOG` of real time (a future that wakes
    /// itself keeps the paused clock from ever moving on).
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

    /// A part that plays for `ms` milliseconds, then answers `name`.
    fn part(
        name: &'static str,
        ms: u64,
    ) -> Pin<Box<impl Future<Output = &'static str>>> {
        Box::pin(async move {
            sleep(Duration::from_millis(ms)).await;
            name
        })
    }

    /// The duet's outputs, and how long it took on the paused clock; a
    /// minute of paused time without an end is an `Err`.
    async fn play<A, B>(
        first: A,
        second: B,
    ) -> (Result<(A::Output, B::Output), ()>, u128)
    where
        A: Future + Unpin,
        B: Future + Unpin,
    {
        let downbeat = Instant::now();
        let played =
            timeout(Duration::from_secs(60), duet(first, second)).await;
        (played.map_err(drop), downbeat.elapsed().as_millis())
    }

    #[test]
    fn the_parts_play_together_and_come_back_in_order() {
        let slow_first =
            on_paused_clock(|| play(part("strings", 300), part("brass", 200)));
        assert_eq!(slow_first, (Ok(("strings", "brass")), 300), "not 500 ms");
        let fast_first =
            on_paused_clock(|| play(part("flutes", 100), part("horns", 250)));
        assert_eq!(fast_first, (Ok(("flutes", "horns")), 250));
    }

    #[test]
    fn a_part_that_is_done_is_never_polled_again() {
        // A finished `async` block panics if it is polled again: each
        // part in turn is the one done at once.
        let played = on_paused_clock(|| async {
            let at_once = Box::pin(async { "downbeat" });
            play(at_once, part("coda", 100)).await
        });
        assert_eq!(played, (Ok(("downbeat", "coda")), 100));
        let played = on_paused_clock(|| async {
            let at_once = Box::pin(async { "downbeat" });
            play(part("coda", 100), at_once).await
        });
        assert_eq!(played, (Ok(("coda", "downbeat")), 100));
    }

    #[test]
    fn either_part_can_wake_the_duet() {
        // Each part in turn is cued last, so that only its waker can end
        // the duet.
        for (oboe_at, harp_at) in [(200, 100), (100, 200)] {
            let played = on_paused_clock(move || async move {
                let (oboe, oboe_cue) = oneshot::channel();
                let (harp, harp_cue) = oneshot::channel();
                tokio::spawn(async move {
                    sleep(Duration::from_millis(oboe_at)).await;
                    let _ = oboe.send("oboe");
                });
                tokio::spawn(async move {
                    sleep(Duration::from_millis(harp_at)).await;
                    let _ = harp.send("harp");
                });
                play(oboe_cue, harp_cue).await
            });
            let heard = (Ok((Ok("oboe"), Ok("harp"))), 200);
            assert_eq!(played, heard, "oboe at {oboe_at}, harp at {harp_at}");
        }
    }
}
