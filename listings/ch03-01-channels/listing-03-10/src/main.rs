// ANCHOR: all
use std::io;
use std::num::NonZeroUsize;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

/// A job: any work a copyist can do once, on its own thread.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// Opens the copying room: `size` named copyists share one tray of jobs.
/// Each returns how many jobs it did, once the tray is closed and empty.
fn open_copying_room(size: usize) -> (Sender<Job>, Vec<JoinHandle<usize>>) {
    let (tray, jobs) = mpsc::channel::<Job>();
    let jobs: Arc<Mutex<Receiver<Job>>> = Arc::new(Mutex::new(jobs));
    let copyists = (1..=size)
        .map(|n| {
            let jobs = Arc::clone(&jobs);
            thread::Builder::new()
                .name(format!("copyist-{n}"))
                .spawn(move || {
                    let mut done = 0;
                    loop {
                        // The guard is dropped at the end of this statement,
                        // so the lock is held while taking a job, not doing it.
                        let next = jobs.lock().unwrap().recv();
                        let Ok(job) = next else {
                            return done; // the tray is closed and empty
                        };
                        job();
                        done += 1;
                    }
                })
                .expect("the operating system could not start a thread")
        })
        .collect();
    (tray, copyists)
}

/// How many copyists: the estimate of parallelism, a hint and not a
/// promise, or one copyist if the estimate is unavailable.
fn room_size(estimate: io::Result<NonZeroUsize>) -> usize {
    estimate.map_or(1, NonZeroUsize::get)
}

fn main() {
    let size = room_size(thread::available_parallelism());
    let (tray, copyists) = open_copying_room(size);

    let parts = ["violins", "violas", "cellos", "basses", "flutes", "horns"];
    let (to_library, library) = mpsc::channel();
    for part in parts {
        let to_library = to_library.clone();
        let job: Job = Box::new(move || to_library.send(part).unwrap());
        tray.send(job).unwrap();
    }
    drop(to_library);
    drop(tray); // no more jobs: each copyist leaves when the tray is empty

    let done: usize = copyists.into_iter().map(|c| c.join().unwrap()).sum();
    let mut copied: Vec<&str> = library.iter().collect();
    copied.sort();
    println!("copied: {}", copied.join(", "));
    println!("{done} jobs done, and every copyist has gone home");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;
    use std::time::Duration;

    const WATCHDOG: Duration = Duration::from_secs(10);

    #[test]
    fn the_room_has_a_copyist_per_unit_of_parallelism_or_one() {
        let three = NonZeroUsize::new(3).unwrap();
        assert_eq!(room_size(Ok(three)), 3);
        let unknown = io::Error::new(io::ErrorKind::Unsupported, "no estimate");
        assert_eq!(room_size(Err(unknown)), 1);
    }

    type Room = (Sender<Job>, Vec<JoinHandle<usize>>);

    /// How a room closed: who did each job, by job number, and how many
    /// jobs each copyist said it did when it was joined.
    struct Closed {
        done: Vec<(usize, String)>,
        counts: Vec<usize>,
    }

    /// Runs `jobs` jobs in the room, closes the tray, and joins every
    /// copyist, under a watchdog: `None` if the room had not closed within
    /// `limit`.
    fn run_room(
        (tray, copyists): Room,
        jobs: usize,
        job: impl Fn(usize) + Send + Sync + 'static,
        limit: Duration,
    ) -> Option<Closed> {
        let job = Arc::new(job);
        let (to_ledger, ledger) = mpsc::channel();
        for number in 0..jobs {
            let (job, to_ledger) = (Arc::clone(&job), to_ledger.clone());
            tray.send(Box::new(move || {
                job(number);
                let name = thread::current().name().unwrap().to_string();
                to_ledger.send((number, name)).unwrap();
            }))
            .unwrap();
        }
        drop((tray, to_ledger));
        let (report, watchdog) = mpsc::channel();
        thread::spawn(move || {
            let counts: Vec<usize> =
                copyists.into_iter().map(|c| c.join().unwrap()).collect();
            let mut done: Vec<(usize, String)> = ledger.iter().collect();
            done.sort();
            report.send(Closed { done, counts }).unwrap();
        });
        watchdog.recv_timeout(limit).ok()
    }

    #[test]
    fn copyists_wait_at_an_empty_tray_and_are_named_apart() {
        let (tray, copyists) = open_copying_room(3);
        let names: Vec<_> =
            copyists.iter().map(|c| c.thread().name()).collect();
        let named = [Some("copyist-1"), Some("copyist-2"), Some("copyist-3")];
        assert_eq!(names, named);
        // Open but empty: nobody goes home while the tray may still fill.
        thread::sleep(Duration::from_millis(300));
        assert!(!copyists.iter().any(JoinHandle::is_finished), "left early");
        let closed = run_room((tray, copyists), 10, |_| {}, WATCHDOG);
        assert_eq!(closed.expect("the room never closed").done.len(), 10);
    }

    #[test]
    fn every_job_runs_exactly_once_and_every_copyist_goes_home() {
        let Closed { done, counts } =
            run_room(open_copying_room(3), 100, |_| {}, WATCHDOG)
                .expect("a copyist never went home");
        let numbers: Vec<usize> = done.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, (0..100).collect::<Vec<_>>(), "each job once");
        let names = ["copyist-1", "copyist-2", "copyist-3"];
        assert!(done.iter().all(|(_, name)| names.contains(&name.as_str())));
        assert_eq!(counts.len(), 3, "three copyists joined");
        assert_eq!(counts.iter().sum::<usize>(), 100);
    }

    /// Two jobs that can only finish together: each waits at the barrier
    /// until the other has arrived.
    fn two_jobs_that_meet() -> impl Fn(usize) + Send + Sync + 'static {
        let barrier = Barrier::new(2);
        move |_| {
            barrier.wait();
        }
    }

    #[test]
    fn two_copyists_work_at_the_same_time() {
        let room = open_copying_room(2);
        let finished = run_room(room, 2, two_jobs_that_meet(), WATCHDOG);
        assert!(finished.is_some(), "the second job never started");
    }

    /// Broken twin: the guard lives as long as the `while let` body, so a
    /// copyist holds the lock while it works, and no one else takes a job.
    fn open_copying_room_holding_the_lock(size: usize) -> Room {
        let (tray, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        let copyists = (1..=size)
            .map(|n| {
                let jobs = Arc::clone(&jobs);
                thread::Builder::new()
                    .name(format!("copyist-{n}"))
                    .spawn(move || {
                        let mut done = 0;
                        while let Ok(job) = jobs.lock().unwrap().recv() {
                            job();
                            done += 1;
                        }
                        done
                    })
                    .unwrap()
            })
            .collect();
        (tray, copyists)
    }

    #[test]
    fn a_copyist_holding_the_lock_while_working_fails_the_check() {
        let room = open_copying_room_holding_the_lock(2);
        let limit = Duration::from_millis(500);
        // Its two threads stay blocked for good: a leak this test accepts.
        let finished = run_room(room, 2, two_jobs_that_meet(), limit);
        assert!(finished.is_none(), "the twin should never finish");
    }
}
