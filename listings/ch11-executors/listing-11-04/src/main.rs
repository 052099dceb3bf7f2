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

/// The same duet on whichever conductor it is given; returns every desk
/// the two sections used.
fn perform(conductor: &Runtime) -> Vec<String> {
    conductor.block_on(async {
        let downbeat = Arc::new(Barrier::new(2));
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
    use std::sync::mpsc;
    use std::time::Duration;

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
