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

    /// Sleeps until the downbeat is given; `false` if `patience` ran out.
    fn wait(&self, patience: Duration) -> bool {
        let given: MutexGuard<bool> = self.given.lock().unwrap();
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
                event(start, section, "waits for the downbeat");
                if downbeat.wait(Duration::from_secs(2)) {
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
    use std::sync::mpsc;

    fn new_downbeat() -> Downbeat {
        Downbeat {
            given: Mutex::new(false),
            signal: Condvar::new(),
        }
    }

    #[test]
    fn every_section_wakes_on_the_downbeat() {
        let (report, reports) = mpsc::channel();
        let downbeat = new_downbeat();
        thread::scope(|s| {
            for _ in 0..8 {
                let report = report.clone();
                let downbeat = &downbeat;
                // Patience far beyond any scheduling delay: the watchdog
                // below fails the test long before a section gives up.
                s.spawn(move || {
                    report.send(downbeat.wait(Duration::from_secs(60)))
                });
            }
            downbeat.give();
            for _ in 0..8 {
                let woke = reports
                    .recv_timeout(Duration::from_secs(10))
                    .expect("a section slept through the downbeat");
                assert!(woke);
            }
        });
    }

    #[test]
    fn a_downbeat_given_early_is_not_missed() {
        let downbeat = new_downbeat();
        downbeat.give();
        // The condition is checked before sleeping: no wait at all.
        assert!(downbeat.wait(Duration::ZERO));
    }

    #[test]
    fn without_a_downbeat_the_wait_times_out() {
        let downbeat = new_downbeat();
        assert!(!downbeat.wait(Duration::from_millis(10)));
    }
}
