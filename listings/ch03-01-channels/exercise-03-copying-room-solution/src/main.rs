// ANCHOR: all
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

/// A job: any work a copyist can do once, on its own thread.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// A copying room whose tray has a fixed number of places.
struct CopyingRoom {
    tray: SyncSender<Job>,
    copyists: Vec<JoinHandle<usize>>,
}

impl CopyingRoom {
    /// Opens the room: `copyists` threads share one tray with `places`
    /// places for waiting jobs.
    fn open(copyists: usize, places: usize) -> CopyingRoom {
        let (tray, jobs) = mpsc::sync_channel::<Job>(places);
        let jobs: Arc<Mutex<Receiver<Job>>> = Arc::new(Mutex::new(jobs));
        let copyists = (0..copyists)
            .map(|_| {
                let jobs = Arc::clone(&jobs);
                thread::spawn(move || {
                    let mut done = 0;
                    loop {
                        // The guard goes at the end of this statement: the
                        // lock is held to take a job, not to do it.
                        let next = jobs.lock().unwrap().recv();
                        let Ok(job) = next else {
                            return done; // the tray is closed and empty
                        };
                        job();
                        done += 1;
                    }
                })
            })
            .collect();
        CopyingRoom { tray, copyists }
    }

    /// Puts `job` on the tray, waiting while every place is taken; gives
    /// the job back if nobody will ever take it.
    fn hand(&self, job: Job) -> Result<(), Job> {
        self.tray.send(job).map_err(|refused| refused.0)
    }

    /// Puts `job` on the tray only if a place is free now; gives it back
    /// if not.
    fn try_hand(&self, job: Job) -> Result<(), Job> {
        self.tray.try_send(job).map_err(|refused| match refused {
            TrySendError::Full(job) | TrySendError::Disconnected(job) => job,
        })
    }

    /// Closes the tray, waits for every copyist, and returns how many
    /// jobs they did.
    fn close(self) -> usize {
        drop(self.tray);
        self.copyists.into_iter().map(|c| c.join().unwrap()).sum()
    }
}

fn main() {
    let room = CopyingRoom::open(2, 1);
    let (to_library, library) = mpsc::channel();
    for part in ["violins", "violas", "cellos", "basses", "flutes", "horns"] {
        let to_library = to_library.clone();
        let job: Job = Box::new(move || to_library.send(part).unwrap());
        // A free place now, or else wait for one.
        if room.try_hand(job).or_else(|job| room.hand(job)).is_err() {
            println!("the room refused the {part}");
        }
    }
    drop(to_library);
    let done = room.close();
    let mut copied: Vec<&str> = library.iter().collect();
    copied.sort();
    println!("copied: [{}], {done} jobs done", copied.join(", "));
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
    use std::thread;
    use std::time::Duration;

    /// Long enough to mean "never", short enough to fail fast.
    const WATCHDOG: Duration = Duration::from_secs(10);
    /// How long a `hand` that must wait is given to return anyway.
    const QUIET: Duration = Duration::from_millis(300);

    /// Runs `scene` on a thread of its own: a failure inside it fails the
    /// test, and so does a scene still running after `WATCHDOG`.
    fn within<T: Send + 'static>(
        scene: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let (done, finished) = mpsc::channel();
        let stage = thread::spawn(move || done.send(scene()).unwrap());
        match finished.recv_timeout(WATCHDOG) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                panic!("still running after {WATCHDOG:?}: something is stuck")
            }
            Err(RecvTimeoutError::Disconnected) => {
                std::panic::resume_unwind(stage.join().unwrap_err())
            }
        }
    }

    /// A job that reports `n` to `report` when it runs.
    fn counted(n: u32, report: &Sender<u32>) -> Job {
        let report = report.clone();
        Box::new(move || report.send(n).unwrap())
    }

    /// A job that says it has started, then waits until `gate` is dropped.
    fn held(started: &Sender<()>, gate: Receiver<()>) -> Job {
        let started = started.clone();
        Box::new(move || {
            started.send(()).unwrap();
            let _ = gate.recv();
        })
    }

    #[test]
    fn every_job_handed_in_is_done_exactly_once() {
        let (mut done, count) = within(|| {
            let room = CopyingRoom::open(3, 2);
            let (report, reports) = mpsc::channel();
            for n in 0..50 {
                let handed = room.hand(counted(n, &report));
                assert!(handed.is_ok(), "job {n} was refused");
            }
            drop(report);
            let count = room.close();
            (reports.iter().collect::<Vec<u32>>(), count)
        });
        done.sort();
        assert_eq!(done, (0..50).collect::<Vec<u32>>());
        assert_eq!(count, 50, "close counts every job done");
    }

    #[test]
    fn copyists_work_at_once_and_a_full_tray_refuses_a_job() {
        let (accepted, mut done, count) = within(|| {
            let room = CopyingRoom::open(2, 3);
            let (started, starts) = mpsc::channel();
            let mut gates = Vec::new();
            for _ in 0..2 {
                let (gate, waits) = mpsc::channel();
                gates.push(gate);
                let handed = room.hand(held(&started, waits));
                assert!(handed.is_ok(), "a job was refused");
            }
            for _ in 0..2 {
                let start = starts.recv_timeout(WATCHDOG);
                assert!(start.is_ok(), "two copyists never held two jobs");
            }
            // Both copyists are busy: only the tray's places are left.
            let (report, reports) = mpsc::channel();
            let accepted = (0..5)
                .take_while(|&n| room.try_hand(counted(n, &report)).is_ok())
                .count();
            drop(report);
            drop(gates);
            let count = room.close();
            (accepted, reports.iter().collect::<Vec<u32>>(), count)
        });
        assert_eq!(accepted, 3, "a full tray takes no job, one with room does");
        // Two copyists take from the tray: in whatever order they finish.
        done.sort();
        assert_eq!(done, [0, 1, 2], "the refused job is given back, not done");
        assert_eq!(count, 5, "two held jobs and three from the tray");
    }

    #[test]
    fn hand_waits_for_a_place_rather_than_refusing() {
        let (done, count) = within(|| {
            let room = CopyingRoom::open(1, 1);
            let (started, starts) = mpsc::channel();
            let (gate, waits) = mpsc::channel();
            assert!(room.hand(held(&started, waits)).is_ok());
            assert!(starts.recv_timeout(WATCHDOG).is_ok(), "nobody started");
            let (report, reports) = mpsc::channel();
            assert!(room.try_hand(counted(1, &report)).is_ok(), "a free place");
            thread::scope(|s| {
                // The tray is full: this hand waits until the gate opens.
                let (returned, returns) = mpsc::channel();
                let (room, report) = (&room, &report);
                let waiting = s.spawn(move || {
                    let handed = room.hand(counted(2, report));
                    returned.send(()).unwrap();
                    handed
                });
                let early = returns.recv_timeout(QUIET);
                assert_eq!(
                    early,
                    Err(RecvTimeoutError::Timeout),
                    "hand returned while every place was taken"
                );
                drop(gate);
                assert!(waiting.join().unwrap().is_ok(), "hand refused a job");
            });
            drop(report);
            let count = room.close();
            (reports.iter().collect::<Vec<u32>>(), count)
        });
        assert_eq!(done, [1, 2], "one copyist does the jobs in tray order");
        assert_eq!(count, 3);
    }

    #[test]
    fn a_room_does_a_job_with_a_copyist_and_gives_it_back_without() {
        let (back, count) = within(|| {
            let (report, reports) = mpsc::channel();
            // A room with a copyist takes the job and does it...
            let staffed = CopyingRoom::open(1, 1);
            let taken = staffed.hand(counted(0, &report));
            assert!(taken.is_ok(), "a room with a copyist takes the job");
            assert_eq!(staffed.close(), 1, "its copyist did the job");
            // ...one with none gives each job back.
            let room = CopyingRoom::open(0, 1);
            let handed = room.hand(counted(1, &report));
            let tried = room.try_hand(counted(2, &report));
            // The jobs given back are the very jobs handed in: run them.
            for job in [handed, tried] {
                job.expect_err("nobody will ever take it")();
            }
            drop(report);
            (reports.iter().collect::<Vec<u32>>(), room.close())
        });
        assert_eq!(back, [0, 1, 2], "each job done or given back, once");
        assert_eq!(count, 0, "no copyist did anything");
    }
}
