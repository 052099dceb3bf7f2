use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

// ANCHOR: all
/// Waking the conductor means unparking the thread that runs `block_on`.
struct Baton(Thread);

impl Wake for Baton {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs one future to completion on the calling thread.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(Baton(thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => thread::park(), // rest until someone wakes us
        }
    }
}

fn main() {
    let cue = Arc::new(Mutex::new(CueState::default()));
    let stagehand = thread::spawn({
        let cue = Arc::clone(&cue);
        move || {
            thread::sleep(Duration::from_millis(30));
            println!("stagehand: gives the cue");
            give_cue(&cue);
        }
    });

    let bars = block_on(async {
        println!("soloist: waits for the cue");
        Cue(cue).await;
        println!("soloist: plays");
        8
    });
    stagehand.join().unwrap();
    println!("conductor: the solo lasted {bars} bars");
}
// --snip--
// ANCHOR_END: all

/// A cue that some other thread gives.
#[derive(Default)]
struct CueState {
    given: bool,
    waker: Option<Waker>,
}

struct Cue(Arc<Mutex<CueState>>);

impl Future for Cue {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.0.lock().unwrap();
        if state.given {
            Poll::Ready(())
        } else {
            state.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

fn give_cue(cue: &Mutex<CueState>) {
    let mut state = cue.lock().unwrap();
    state.given = true;
    if let Some(waker) = state.waker.take() {
        waker.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    use std::sync::mpsc::{self, RecvTimeoutError};
    use std::time::Instant;

    const WATCHDOG: Duration = Duration::from_secs(10);
    /// How long the soloist must stay silent while the cue is not given.
    const QUIET: Duration = Duration::from_millis(200);

    /// Runs `block_on(future)` on its own thread; fails instead of hanging.
    fn run_watched<F>(future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (report, outcome) = mpsc::channel();
        thread::spawn(move || report.send(block_on(future)).unwrap());
        outcome
            .recv_timeout(WATCHDOG)
            .expect("block_on never finished: a wake-up was lost")
    }

    #[test]
    fn the_cue_holds_the_soloist_until_it_is_given() {
        let cue = Arc::new(Mutex::new(CueState::default()));
        let (report, outcome) = mpsc::channel();
        let waiting = Cue(Arc::clone(&cue));
        thread::spawn(move || {
            block_on(waiting);
            report.send("played").unwrap();
        });
        // Give the cue only once the future has answered `Pending` and left
        // its waker, so the conductor is (or is about to be) parked.
        let deadline = Instant::now() + WATCHDOG;
        while cue.lock().unwrap().waker.is_none() {
            assert!(Instant::now() < deadline, "the cue was never waited for");
            thread::yield_now();
        }
        // A sample: a soloist who did not wait for the cue would almost
        // always have played within the quiet spell.
        let early = outcome.recv_timeout(QUIET);
        assert_eq!(early, Err(RecvTimeoutError::Timeout), "played uncued");
        give_cue(&cue);
        let heard = outcome.recv_timeout(WATCHDOG);
        assert_eq!(heard, Ok("played"), "the conductor never woke up");
    }

    /// A cue that counts its polls, tells the stagehand when it first
    /// answers `Pending`, and leaves the latest waker where the stagehand can
    /// find it.
    struct WatchedCue {
        given: Arc<AtomicBool>,
        polls: Arc<AtomicU32>,
        first_pending: Option<mpsc::Sender<()>>,
        waker: Arc<Mutex<Option<Waker>>>,
    }

    impl Future for WatchedCue {
        type Output = ();

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            self.polls.fetch_add(1, Ordering::SeqCst);
            if self.given.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
            *self.waker.lock().unwrap() = Some(cx.waker().clone());
            if let Some(first) = self.first_pending.take() {
                let _ = first.send(());
            }
            Poll::Pending
        }
    }

    /// Runs `executor` on a `WatchedCue`, with a stagehand on this thread.
    /// After the first `Pending` the stagehand waits a while before it gives
    /// the cue and wakes the conductor: every poll in that time came without
    /// a wake. Returns how many there were.
    fn polls_without_a_wake(executor: fn(WatchedCue)) -> u32 {
        let given = Arc::new(AtomicBool::new(false));
        let polls = Arc::new(AtomicU32::new(0));
        let waker = Arc::new(Mutex::new(None));
        let (first_pending, stagehand) = mpsc::channel();
        let cue = WatchedCue {
            given: Arc::clone(&given),
            polls: Arc::clone(&polls),
            first_pending: Some(first_pending),
            waker: Arc::clone(&waker),
        };
        let (report, outcome) = mpsc::channel();
        thread::spawn(move || {
            executor(cue);
            report.send("finished").unwrap();
        });
        stagehand
            .recv_timeout(WATCHDOG)
            .expect("the cue was never polled");
        thread::sleep(Duration::from_millis(200));
        let unwoken = polls.load(Ordering::SeqCst) - 1;
        given.store(true, Ordering::SeqCst);
        let latest = waker.lock().unwrap().take().expect("a waker was left");
        latest.wake();
        outcome
            .recv_timeout(WATCHDOG)
            .expect("the conductor never woke up");
        unwoken
    }

    /// `park` may return without a wake, its documentation says, and
    /// `block_on` would then poll once more. On Linux, std 1.95's `park`
    /// waits on a futex and goes back to waiting after a spurious return,
    /// so it returns only once `unpark` has left the token: this platform's
    /// `park`, not a promise, lets the test require no poll at all.
    #[test]
    fn block_on_polls_again_only_when_woken() {
        let unwoken = polls_without_a_wake(block_on);
        assert_eq!(unwoken, 0, "polls without a wake");
    }

    /// A broken twin: it parks for at most 20 ms, then polls whether it
    /// was woken or not, a conductor that looks up on a timer.
    fn timed_block_on<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        let waker = Waker::from(Arc::new(Baton(thread::current())));
        let mut cx = Context::from_waker(&waker);
        loop {
            match future.as_mut().poll(&mut cx) {
                Poll::Ready(output) => return output,
                Poll::Pending => {
                    thread::park_timeout(Duration::from_millis(20))
                }
            }
        }
    }

    #[test]
    fn the_check_catches_an_executor_that_polls_on_a_timer() {
        let unwoken = polls_without_a_wake(timed_block_on);
        assert!(unwoken > 0, "no poll without a wake");
    }

    /// Pending once, after asking to be polled again at once.
    struct OneBeatRest {
        polls: u32,
    }

    impl Future for OneBeatRest {
        type Output = u32;

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
            self.polls += 1;
            if self.polls == 1 {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            Poll::Ready(self.polls)
        }
    }

    #[test]
    fn a_wake_before_the_park_is_not_lost() {
        // The waker is called before `block_on` parks; the remembered token
        // makes the park return at once.
        assert_eq!(run_watched(OneBeatRest { polls: 0 }), 2);
    }

    #[test]
    fn block_on_returns_what_the_future_produces() {
        assert_eq!(run_watched(async { 3 * 4 }), 12);
    }
}
