// ANCHOR: all
use std::sync::OnceLock;
use std::thread;

/// The pitch the whole concert tunes to, struck once.
static CONCERT_PITCH: OnceLock<u32> = OnceLock::new();

/// Strikes the fork: the first strike sets the pitch; a later one is
/// refused, and its pitch handed back.
fn strike(fork: &OnceLock<u32>, pitch: u32) -> Result<(), u32> {
    // Write: set the fork if nobody has struck it yet.
    let _ = fork;
    Err(pitch)
}

/// Listens for the fork: waits until it has been struck, however long
/// that takes, then returns its pitch.
fn listen(fork: &OnceLock<u32>) -> u32 {
    // Write: wait for the strike.
    let _ = fork;
    0
}

fn main() {
    let sections = ["violins", "cellos", "oboes"];
    let heard: Vec<u32> = thread::scope(|s| {
        let listening: Vec<_> = sections
            .iter()
            .map(|_| s.spawn(|| listen(&CONCERT_PITCH)))
            .collect();
        for pitch in [442, 440] {
            match strike(&CONCERT_PITCH, pitch) {
                Ok(()) => println!("the conductor strikes {pitch} Hz"),
                Err(refused) => println!("a strike at {refused} Hz is refused"),
            }
        }
        listening.into_iter().map(|l| l.join().unwrap()).collect()
    });
    for (section, pitch) in sections.iter().zip(heard) {
        println!("the {section} tune to {pitch} Hz");
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::{self, RecvTimeoutError};
    use std::sync::{Arc, Barrier};
    use std::time::Duration;

    /// Long enough to mean "never", short enough to fail fast.
    const WATCHDOG: Duration = Duration::from_secs(10);

    /// Runs `scene` on a thread of its own: a failure inside it fails the
    /// test, and so does a scene still running after `WATCHDOG` (a section
    /// still listening for a fork nobody struck).
    fn within<T: Send + 'static>(
        scene: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let (done, finished) = mpsc::channel();
        let stage = thread::spawn(move || done.send(scene()).unwrap());
        match finished.recv_timeout(WATCHDOG) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                panic!("still running after {WATCHDOG:?}: nobody heard a pitch")
            }
            Err(RecvTimeoutError::Disconnected) => {
                std::panic::resume_unwind(stage.join().unwrap_err())
            }
        }
    }

    #[test]
    fn the_first_strike_sets_the_pitch_and_a_later_one_is_refused() {
        within(|| {
            let fork = OnceLock::new();
            assert_eq!(strike(&fork, 442), Ok(()));
            assert_eq!(strike(&fork, 440), Err(440), "the fork is struck once");
            let again = strike(&fork, 442);
            assert_eq!(
                again,
                Err(442),
                "the same pitch again is a second strike"
            );
            let heard = [listen(&fork), listen(&fork)];
            assert_eq!(heard, [442, 442], "heard as often as needed");
        });
    }

    #[test]
    fn sections_that_listen_before_the_strike_wait_for_it() {
        let fork = Arc::new(OnceLock::new());
        let (heard, ears) = mpsc::channel();
        for _ in 0..4 {
            let (fork, heard) = (Arc::clone(&fork), heard.clone());
            thread::spawn(move || heard.send(listen(&fork)).unwrap());
        }
        // A listen that answers before any strike has nothing true to
        // say; 100 ms gives it time to try.
        let early = ears.recv_timeout(Duration::from_millis(100));
        assert_eq!(early, Err(RecvTimeoutError::Timeout), "heard too soon");
        let struck = within(move || strike(&fork, 442));
        assert_eq!(struck, Ok(()));
        for _ in 0..4 {
            assert_eq!(ears.recv_timeout(WATCHDOG), Ok(442));
        }
    }

    #[test]
    fn of_racing_strikes_one_sets_the_pitch_and_all_hear_it() {
        let results = within(|| {
            let fork = Arc::new(OnceLock::new());
            let start = Arc::new(Barrier::new(8));
            let strikes: Vec<_> = (0..8)
                .map(|n| {
                    let (fork, start) = (Arc::clone(&fork), Arc::clone(&start));
                    thread::spawn(move || {
                        start.wait();
                        let pitch = 436 + n;
                        (pitch, strike(&fork, pitch), listen(&fork))
                    })
                })
                .collect();
            strikes
                .into_iter()
                .map(|s| s.join().unwrap())
                .collect::<Vec<_>>()
        });
        let set: Vec<u32> = results
            .iter()
            .filter(|(_, struck, _)| struck.is_ok())
            .map(|(pitch, _, _)| *pitch)
            .collect();
        assert_eq!(set.len(), 1, "exactly one strike sets the fork");
        for (pitch, struck, heard) in results {
            assert!(struck == Ok(()) || struck == Err(pitch), "{struck:?}");
            assert_eq!(heard, set[0], "every section hears the one pitch");
        }
    }

    #[test]
    fn a_strike_while_the_fork_is_being_tuned_is_refused() {
        within(|| {
            let fork = OnceLock::new();
            let (inside, tuning) = mpsc::channel();
            let (gate, held) = mpsc::channel::<()>();
            let striker = thread::scope(|s| {
                // A tuner that holds the fork half tuned until the gate opens.
                let tuned = &fork;
                s.spawn(move || {
                    tuned.get_or_init(|| {
                        inside.send(()).unwrap();
                        let _ = held.recv();
                        440
                    })
                });
                tuning
                    .recv_timeout(WATCHDOG)
                    .expect("the tuner never started");
                let striker = s.spawn(|| strike(&fork, 442));
                // 100 ms for the strike to reach the fork while it is tuned.
                thread::sleep(Duration::from_millis(100));
                drop(gate);
                striker.join().unwrap()
            });
            assert_eq!(
                striker,
                Err(442),
                "a strike during the tuning was taken"
            );
            assert_eq!(listen(&fork), 440);
        });
    }
}
