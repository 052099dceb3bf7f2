use std::sync::{Arc, Barrier};
use std::thread::{self, ThreadId};

use tokio::runtime::Builder;

// ANCHOR: all
/// What a section reports once it is past the downbeat.
struct Past {
    thread: ThreadId,
    /// Whether `wait` named this section the leader of its release.
    led: bool,
}

/// A section that blocks its thread until its partner reaches the same bar.
/// Both can only get past `wait` if they are running at the same time.
fn play_in_unison(name: &str, downbeat: &Barrier) -> Past {
    println!("{name}: waiting at the downbeat");
    let led = downbeat.wait().is_leader();
    println!("{name}: playing in unison");
    Past {
        thread: thread::current().id(),
        led,
    }
}

fn duet() -> [Past; 2] {
    let runtime = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    runtime.block_on(async {
        let downbeat = Arc::new(Barrier::new(2));
        let score = Arc::clone(&downbeat);
        let violins =
            tokio::spawn(async move { play_in_unison("violins", &score) });
        let score = Arc::clone(&downbeat);
        let cellos =
            tokio::spawn(async move { play_in_unison("cellos", &score) });
        [violins.await.unwrap(), cellos.await.unwrap()]
    })
}

fn main() {
    let [violins, cellos] = duet();
    let apart = violins.thread != cellos.thread;
    println!("on two worker threads at once: {apart}");
    println!("one leader at the downbeat: {}", violins.led != cellos.led);
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn two_tasks_run_at_once_on_the_multi_thread_runtime() {
        // Watchdog: if the tasks could not run at the same time, the barrier
        // would never open; fail with a message instead of hanging.
        let (done, finished) = mpsc::channel();
        thread::spawn(move || done.send(duet()).unwrap());
        let [violins, cellos] = finished
            .recv_timeout(Duration::from_secs(10))
            .expect("both tasks reached the barrier together");
        // `wait` names one leader among the threads it releases together.
        // One leader for two sections: one downbeat released both, so
        // neither got past it before the other arrived.
        let leaders = [&violins, &cellos].iter().filter(|s| s.led).count();
        assert_eq!(leaders, 1, "exactly one leader at the downbeat");
        assert_ne!(violins.thread, cellos.thread);
    }
}
