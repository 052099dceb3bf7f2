use std::sync::{Arc, Barrier};
use std::thread::{self, ThreadId};

use tokio::runtime::Builder;

// ANCHOR: all
/// A section that blocks its thread until its partner reaches the same bar.
/// Both can only get past `wait` if they are running at the same time.
/// Returns its thread, and whether `wait` named it the leader.
fn play_in_unison(name: &str, downbeat: &Barrier) -> (ThreadId, bool) {
    println!("{name}: waiting at the downbeat");
    let leader = downbeat.wait().is_leader();
    println!("{name}: playing in unison");
    (thread::current().id(), leader)
}

fn duet() -> [(ThreadId, bool); 2] {
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
    let [(violins, _), (cellos, _)] = duet();
    println!("on two worker threads at once: {}", violins != cellos);
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
        let [(violins, violins_led), (cellos, cellos_led)] = finished
            .recv_timeout(Duration::from_secs(10))
            .expect("both tasks reached the barrier together");
        // `wait` names one leader among the threads it releases together.
        // One leader for two sections: one downbeat released both, so
        // neither got past it before the other arrived.
        let leaders = [violins_led, cellos_led].iter().filter(|l| **l).count();
        assert_eq!(leaders, 1, "exactly one leader at the downbeat");
        assert_ne!(violins, cellos);
    }
}
