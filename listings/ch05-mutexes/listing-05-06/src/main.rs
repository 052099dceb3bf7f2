// ANCHOR: all
use std::sync::{Condvar, Mutex, MutexGuard, WaitTimeoutResult};
use std::thread;
use std::time::{Duration, Instant};

struct Downbeat {
    given: Mutex<bool>,
    signal: Condvar,
}

impl Downbeat {
    fn give(&self) {
        *self.given.lock().unwrap() = true;
        self.signal.notify_all();
    }

    /// Calls `announce` with the lock held, then sleeps until the downbeat
    /// is given; `false` if `patience` ran out first.
    fn wait(&self, patience: Duration, announce: impl FnOnce()) -> bool {
        let given: MutexGuard<bool> = self.given.lock().unwrap();
        announce();
        // Releases the lock and sleeps, as one step; checks `given` first,
        // and again after every wake-up.
        let (_given, result): (MutexGuard<bool>, WaitTimeoutResult) = self
            .signal
            .wait_timeout_while(given, patience, |given| !*given)
            .unwrap();
        !result.timed_out()
    }
}

fn event(start: Instant, performer: &str, what: &str) {
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms {performer}: {what}");
}

fn main() {
    let downbeat = Downbeat {
        given: Mutex::new(false),
        signal: Condvar::new(),
    };
    let start = Instant::now();

    thread::scope(|s| {
        for section in ["violins", "violas", "cellos"] {
            let downbeat = &downbeat;
            s.spawn(move || {
                let waits = || event(start, section, "waits for the downbeat");
                if downbeat.wait(Duration::from_secs(2), waits) {
                    event(start, section, "plays");
                } else {
                    event(start, section, "gave up waiting");
                }
            });
        }

        thread::sleep(Duration::from_millis(30)); // the conductor breathes
        event(start, "conductor", "downbeat");
        downbeat.give();
    });
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{mpsc, Arc};

    /// Long enough to mean "never", short enough to fail fast.
    const HANG: Duration = Duration::from_secs(10);

    fn new_downbeat() -> Downbeat {
        Downbeat {
            given: Mutex::new(false),
            signal: Condvar::new(),
        }
    }

    #[test]
    fn sections_asleep_in_wait_all_wake_on_the_downbeat() {
        let downbeat = Arc::new(new_downbeat());
        let (asleep, announced) = mpsc::channel();
        let (report, reports) = mpsc::channel();
        for section in 0..8 {
            let (downbeat, asleep) = (Arc::clone(&downbeat), asleep.clone());
            let report = report.clone();
            // Not scoped: the watchdog below must be able to give up on a
            // section that never wakes, without waiting for it.
            thread::spawn(move || {
                let announce = || asleep.send(section).unwrap();
                report.send(downbeat.wait(HANG * 6, announce)).unwrap();
            });
        }
        for _ in 0..8 {
            announced
                .recv_timeout(HANG)
                .expect("a section never waited");
        }
        // Each section announced with the lock held and lets go of it only
        // inside `wait_timeout_while`, as it goes to sleep. So `give` gets
        // the lock only once all eight have gone to sleep in `wait`.
        downbeat.give();
        for _ in 0..8 {
            let woke = reports
                .recv_timeout(HANG)
                .expect("a section slept through the downbeat");
            assert!(woke, "a section gave up waiting");
        }
    }

    #[test]
    fn a_downbeat_given_early_is_not_missed() {
        let downbeat = new_downbeat();
        downbeat.give();
        // The condition is checked before sleeping: no wait at all, where
        // a section that slept first would sleep out its whole patience.
        let asked = Instant::now();
        assert!(downbeat.wait(HANG, || ()));
        assert!(asked.elapsed() < HANG, "slept before looking at the cue");
    }

    #[test]
    fn without_a_downbeat_the_wait_times_out() {
        let downbeat = new_downbeat();
        let mut announced = false;
        // The announcement comes with the lock held: `try_lock` then finds
        // the downbeat taken.
        let held = || {
            let taken = downbeat.given.try_lock();
            announced =
                matches!(taken, Err(std::sync::TryLockError::WouldBlock));
        };
        assert!(!downbeat.wait(Duration::from_millis(10), held));
        assert!(announced, "announced without the lock held");
    }
}
