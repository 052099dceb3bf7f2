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
    use std::sync::mpsc;
    use std::time::Instant;

    const WATCHDOG: Duration = Duration::from_secs(10);

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
    fn a_cue_from_another_thread_wakes_the_parked_conductor() {
        let cue = Arc::new(Mutex::new(CueState::default()));
        let (report, outcome) = mpsc::channel();
        let waiting = Cue(Arc::clone(&cue));
        thread::spawn(move || {
            block_on(waiting);
            report.send("cued").unwrap();
        });

        // Give the cue only once the future has returned Pending and left
        // its waker, so the conductor is (or is about to be) parked.
        let deadline = Instant::now() + WATCHDOG;
        while cue.lock().unwrap().waker.is_none() {
            assert!(Instant::now() < deadline, "the cue was never polled");
            thread::yield_now();
        }
        give_cue(&cue);
        let heard = outcome
            .recv_timeout(WATCHDOG)
            .expect("the conductor never woke up");
        assert_eq!(heard, "cued");
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
    fn a_future_that_wakes_itself_is_polled_again() {
        assert_eq!(run_watched(OneBeatRest { polls: 0 }), 2);
    }

    #[test]
    fn block_on_returns_what_the_future_produces() {
        assert_eq!(run_watched(async { 3 * 4 }), 12);
    }
}
