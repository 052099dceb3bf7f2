use std::collections::HashSet;
use std::sync::{Arc, Barrier};
use std::thread::{self, ThreadId};
use tokio::runtime::{Builder, Runtime};

// ANCHOR: all
/// Plays one chord that needs every section sounding at the same instant.
fn chord(name: &str, downbeat: &Barrier) -> ThreadId {
    let desk = thread::current();
    println!("{name}: ready on {}", desk.name().unwrap_or("unnamed"));
    downbeat.wait(); // blocks this thread until every section is here
    println!("{name}: plays the chord");
    desk.id()
}

fn perform(conductor: &Runtime) -> HashSet<ThreadId> {
    conductor.block_on(async {
        let downbeat = Arc::new(Barrier::new(2));
        let strings = tokio::spawn({
            let downbeat = Arc::clone(&downbeat);
            async move { chord("strings", &downbeat) }
        });
        let brass = tokio::spawn({
            let downbeat = Arc::clone(&downbeat);
            async move { chord("brass", &downbeat) }
        });
        HashSet::from([strings.await.unwrap(), brass.await.unwrap()])
    })
}

fn main() {
    let conductor = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("orchestra-worker")
        .build()
        .unwrap();
    let desks = perform(&conductor);
    println!("conductor: the chord took {} threads at once", desks.len());
    let main_played = desks.contains(&thread::current().id());
    println!("conductor: the main thread played: {main_played}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn two_workers_play_two_tasks_in_parallel() {
        let (report, outcome) = mpsc::channel();
        let podium = thread::spawn(move || {
            let conductor = Builder::new_multi_thread()
                .worker_threads(2)
                .build()
                .unwrap();
            let desks = perform(&conductor);
            report.send((desks, thread::current().id())).unwrap();
        });
        // The barrier only opens if both tasks run at the same moment.
        let (desks, podium_id) = outcome
            .recv_timeout(Duration::from_secs(10))
            .expect("the sections never met: they did not run in parallel");
        assert_eq!(desks.len(), 2, "two different threads played");
        assert!(!desks.contains(&podium_id), "only workers played");
        podium.join().unwrap();
    }
}
