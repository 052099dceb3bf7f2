use std::sync::Arc;
use std::thread;
use tokio::runtime::{Builder, Runtime};
use tokio::sync::Barrier;

// ANCHOR: all
/// The name of the thread this section is playing on.
fn desk() -> String {
    thread::current().name().unwrap_or("unnamed").to_string()
}

/// Plays one chord that needs both sections: each waits at the barrier,
/// resting rather than blocking until the other arrives.
async fn chord(name: &str, downbeat: &Barrier) -> [String; 2] {
    let ready = desk();
    println!("{name}: ready on {ready}");
    downbeat.wait().await; // a rest: the thread is free for the other part
    let played = desk();
    println!("{name}: plays the chord on {played}");
    [ready, played]
}

/// The chord's downbeat: it falls when both sections have arrived.
fn downbeat() -> Arc<Barrier> {
    Arc::new(Barrier::new(2))
}

/// The same duet on whichever conductor it is given; returns every desk
/// the two sections used.
fn perform(conductor: &Runtime) -> Vec<String> {
    conductor.block_on(async {
        let downbeat = downbeat();
        let strings = tokio::spawn({
            let downbeat = Arc::clone(&downbeat);
            async move { chord("strings", &downbeat).await }
        });
        let brass = tokio::spawn({
            let downbeat = Arc::clone(&downbeat);
            async move { chord("brass", &downbeat).await }
        });
        let mut desks = strings.await.unwrap().to_vec();
        desks.extend(brass.await.unwrap());
        desks
    })
}

fn main() {
    println!("-- current_thread --");
    perform(&Builder::new_current_thread().build().unwrap());
    println!("-- multi_thread, two workers --");
    let workers = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("orchestra-worker")
        .build()
        .unwrap();
    perform(&workers);
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::pin::pin;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc;
    use std::task::{Context, Wake, Waker};
    use std::time::Duration;

    /// A waker that remembers it was called.
    struct Nudge(AtomicBool);

    impl Wake for Nudge {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    /// Polls both sections by hand, with no runtime: the strings rest at
    /// the downbeat however often they are polled, until the brass arrive.
    #[test]
    fn the_first_section_rests_until_the_second_arrives() {
        let downbeat = downbeat();
        let nudge = Arc::new(Nudge(AtomicBool::new(false)));
        let waker = Waker::from(Arc::clone(&nudge));
        let mut strings_cx = Context::from_waker(&waker);
        let mut strings = pin!(chord("strings", &downbeat));
        for _ in 0..3 {
            let polled = strings.as_mut().poll(&mut strings_cx);
            assert!(polled.is_pending(), "the strings played alone");
        }
        assert!(!nudge.0.load(Ordering::SeqCst), "woken with nobody there");
        let mut brass_cx = Context::from_waker(Waker::noop());
        let brass = pin!(chord("brass", &downbeat)).poll(&mut brass_cx);
        assert!(brass.is_ready(), "the last to arrive plays at once");
        assert!(nudge.0.load(Ordering::SeqCst), "the strings were not woken");
        assert!(strings.as_mut().poll(&mut strings_cx).is_ready());
    }

    /// Builds a runtime on a thread named `podium` and performs on it there;
    /// a duet that cannot finish fails the test instead of hanging it.
    fn perform_on_podium(build: fn() -> Runtime) -> Vec<String> {
        let (report, outcome) = mpsc::channel();
        thread::Builder::new()
            .name("podium".to_string())
            .spawn(move || report.send(perform(&build())).unwrap())
            .unwrap();
        outcome
            .recv_timeout(Duration::from_secs(10))
            .expect("the sections never met at the barrier")
    }

    #[test]
    fn on_current_thread_both_parts_play_on_the_podium() {
        let desks = perform_on_podium(|| {
            Builder::new_current_thread().build().unwrap()
        });
        assert_eq!(desks, ["podium"; 4]);
    }

    #[test]
    fn on_multi_thread_only_the_workers_play() {
        let desks = perform_on_podium(|| {
            Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("orchestra-worker")
                .build()
                .unwrap()
        });
        assert_eq!(desks, ["orchestra-worker"; 4]);
    }
}
