#[cfg(loom)]
use loom::sync::atomic::{AtomicBool, Ordering};
#[cfg(not(loom))]
use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(not(loom))]
use std::thread;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

/// Under `--cfg loom` (the book's model check), parking is loom's; loom has
/// no clock, so the timed calls stay std's, and only `main` uses them.
#[cfg(loom)]
mod thread {
    pub use loom::thread::*;
    pub use std::thread::{park_timeout, sleep};
}

// ANCHOR: all
/// A section dozes until its cue is given. `park` may return with no tap,
/// or for a tap that was meant for something else, so each time it
/// returns the section looks at the cue again, and dozes again without it.
fn doze_until_cued(cue: &AtomicBool) {
    while !cue.load(Ordering::Acquire) {
        thread::park();
    }
}

/// The same, for `patience` at most: `true` if the cue came in time.
fn doze_until_cued_or(cue: &AtomicBool, patience: Duration) -> bool {
    let deadline = Instant::now() + patience;
    while !cue.load(Ordering::Acquire) {
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        thread::park_timeout(deadline - now); // may return early too
    }
    true
}

/// The conductor writes the cue first, then taps the section's shoulder.
fn give_cue(cue: &AtomicBool, section: &thread::Thread) {
    cue.store(true, Ordering::Release);
    section.unpark();
}

fn main() {
    let start = Instant::now();
    let say = move |who: &str, what: &str| {
        println!("@{}ms {who}: {what}", start.elapsed().as_millis());
    };
    let violins_cue = Arc::new(AtomicBool::new(false));
    let horns_cue = Arc::new(AtomicBool::new(false)); // never given

    let violins = {
        let cue = Arc::clone(&violins_cue);
        thread::spawn(move || {
            say("violins", "dozing until the conductor's tap");
            doze_until_cued(&cue);
            say("violins", "tapped, and the cue is given: playing");
        })
    };
    let horns = {
        let cue = Arc::clone(&horns_cue);
        thread::spawn(move || {
            say("horns", "dozing, for 200ms at most");
            if doze_until_cued_or(&cue, Duration::from_millis(200)) {
                say("horns", "cued: playing");
            } else {
                say("horns", "no cue after 200ms: coming in anyway");
            }
        })
    };

    thread::sleep(Duration::from_millis(300));
    say("conductor", "gives the violins their cue, with a tap");
    give_cue(&violins_cue, violins.thread());
    violins.join().unwrap();
    horns.join().unwrap();
}
// ANCHOR_END: all

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::mpsc::{self, Receiver, RecvTimeoutError};

    const WATCHDOG: Duration = Duration::from_secs(10);
    /// How long a section that must stay asleep is watched.
    const QUIET: Duration = Duration::from_millis(300);

    /// A stray tap: the current thread's token is made available now, so
    /// its next `park` or `park_timeout` returns at once, with no cue.
    fn stray_tap() {
        thread::current().unpark();
    }

    /// Starts a section that dozes with `doze` after a stray tap, and
    /// sends on the receiver what `doze` says when it wakes: whether its
    /// cue was given. Returns once the section is running, so that the
    /// quiet the tests listen to does not begin before its thread has
    /// started. The tap comes after the section says so, right before its
    /// doze: code run between a tap and a `park` may park and use the tap
    /// up, as `park`'s documentation warns.
    fn tapped_too_early(
        doze: impl FnOnce(&AtomicBool) -> bool + Send + 'static,
    ) -> (Arc<AtomicBool>, thread::Thread, Receiver<bool>) {
        let cue = Arc::new(AtomicBool::new(false));
        let (report, woke) = mpsc::channel();
        let (running, started) = mpsc::channel();
        let section = {
            let cue = Arc::clone(&cue);
            thread::spawn(move || {
                running.send(()).unwrap();
                stray_tap();
                report.send(doze(&cue)).unwrap();
            })
        };
        started
            .recv_timeout(WATCHDOG)
            .expect("the section never started");
        (cue, section.thread().clone(), woke)
    }

    /// The check: after a stray tap the section still dozes, and it wakes,
    /// with its cue given, only once the conductor gives it.
    fn waits_for_its_cue(
        doze: impl FnOnce(&AtomicBool) -> bool + Send + 'static,
    ) -> Result<(), String> {
        let (cue, section, woke) = tapped_too_early(doze);
        match woke.recv_timeout(QUIET) {
            Err(RecvTimeoutError::Timeout) => {}
            woke => return Err(format!("woke before its cue: {woke:?}")),
        }
        give_cue(&cue, &section);
        match woke.recv_timeout(WATCHDOG) {
            Ok(true) => Ok(()),
            woke => Err(format!("did not wake with its cue: {woke:?}")),
        }
    }

    /// A section that dozes with `doze`, then looks whether its cue was
    /// given.
    fn then_looks(
        doze: fn(&AtomicBool),
    ) -> impl FnOnce(&AtomicBool) -> bool + Send + 'static {
        move |cue| {
            doze(cue);
            cue.load(Ordering::Acquire)
        }
    }

    #[test]
    fn the_violins_doze_until_their_cue() {
        waits_for_its_cue(then_looks(doze_until_cued)).unwrap();
    }

    /// Broken twin: parks once instead of looping over the cue.
    fn doze_once(cue: &AtomicBool) {
        if !cue.load(Ordering::Acquire) {
            thread::park();
        }
    }

    #[test]
    fn a_section_that_parks_once_wakes_without_its_cue() {
        let verdict = waits_for_its_cue(then_looks(doze_once));
        assert!(verdict.is_err(), "the twin should wake without its cue");
    }

    const PATIENCE: Duration = Duration::from_millis(200);

    /// The check: with no cue, and a stray tap first, the section gives up
    /// no earlier than its patience allows.
    fn keeps_its_patience(
        doze: fn(&AtomicBool, Duration) -> bool,
    ) -> Result<(), String> {
        let never_given = AtomicBool::new(false);
        stray_tap();
        let began = Instant::now();
        let cued = doze(&never_given, PATIENCE);
        let waited = began.elapsed();
        if cued {
            Err("it says it was cued".to_string())
        } else if waited < PATIENCE {
            Err(format!("it gave up after {waited:?}"))
        } else {
            Ok(())
        }
    }

    #[test]
    fn the_horns_wait_their_whole_patience_for_a_cue() {
        // On a thread of its own: a doze that never gave up would hang it,
        // not the test.
        let (done, verdict) = mpsc::channel();
        thread::spawn(move || {
            done.send(keeps_its_patience(doze_until_cued_or)).unwrap()
        });
        let verdict = verdict.recv_timeout(WATCHDOG).expect("it never woke");
        verdict.unwrap();
    }

    /// Broken twin: one `park_timeout` for the whole patience, no loop.
    fn doze_once_or(cue: &AtomicBool, patience: Duration) -> bool {
        if !cue.load(Ordering::Acquire) {
            thread::park_timeout(patience);
        }
        cue.load(Ordering::Acquire)
    }

    #[test]
    fn a_single_park_timeout_gives_up_too_soon() {
        let verdict = keeps_its_patience(doze_once_or);
        assert!(verdict.is_err(), "the twin should give up too soon");
    }

    /// The horns, given twice the watchdog's patience, run the same check:
    /// only the cue can end their doze before the watchdog does.
    #[test]
    fn a_cue_ends_a_patient_doze_early() {
        waits_for_its_cue(|cue| doze_until_cued_or(cue, WATCHDOG * 2)).unwrap();
    }

    #[test]
    fn a_single_long_park_timeout_wakes_at_the_stray_tap() {
        let verdict = waits_for_its_cue(|cue| doze_once_or(cue, WATCHDOG * 2));
        assert!(verdict.is_err(), "the twin should wake without its cue");
    }
}

/// Under `--cfg loom`: every interleaving loom explores of a section that
/// dozes and a conductor that cues it. Loom's `park` returns only for a
/// token; std's may also return spuriously, which the stray-tap tests
/// cover.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::atomic::AtomicU32;

    /// However the two interleave, the section wakes with its cue. Loom has
    /// no scheduling point between the section's look and its `park`, so
    /// the tap comes before the look or after the doze: the tap that lands
    /// in between is std's promise, which the stray-tap tests check.
    #[test]
    fn the_violins_never_sleep_through_their_cue() {
        loom::model(|| {
            let cue = Arc::new(AtomicBool::new(false));
            let violins = {
                let cue = Arc::clone(&cue);
                thread::spawn(move || doze_until_cued(&cue))
            };
            give_cue(&cue, violins.thread());
            violins.join().unwrap();
        });
    }

    /// The conductor writes a tempo, `Relaxed`, which orders nothing by
    /// itself, then gives one cue to two sections, tapping each in turn.
    /// The cellos can find the cue while the violins are being tapped:
    /// then only the cue's `Release` store and `Acquire` load order the
    /// tempo before their read. One section would not do: loom's `unpark`
    /// hands the tapped thread the tapper's writes at once, and loom cannot
    /// stop the conductor between `give_cue`'s store and its `unpark`.
    fn sections_read_the_tempo(give_cue: fn(&AtomicBool, &thread::Thread)) {
        loom::model(move || {
            let cue = Arc::new(AtomicBool::new(false));
            let tempo = Arc::new(AtomicU32::new(0));
            let [violins, cellos] = [(); 2].map(|()| {
                let (cue, tempo) = (Arc::clone(&cue), Arc::clone(&tempo));
                thread::spawn(move || {
                    doze_until_cued(&cue);
                    tempo.load(Ordering::Relaxed)
                })
            });
            tempo.store(120, Ordering::Relaxed);
            give_cue(&cue, violins.thread());
            give_cue(&cue, cellos.thread());
            for section in [violins, cellos] {
                let heard = section.join().unwrap();
                assert_eq!(heard, 120, "a section saw the cue, not the tempo");
            }
        });
    }

    #[test]
    fn with_their_cue_sections_see_what_was_written_before_it() {
        sections_read_the_tempo(give_cue);
    }

    /// Broken twin: the conductor stores the cue `Relaxed`.
    fn give_cue_relaxed(cue: &AtomicBool, section: &thread::Thread) {
        cue.store(true, Ordering::Relaxed);
        section.unpark();
    }

    /// The cellos can see the cue before their tap and read a tempo of 0:
    /// loom finds that execution.
    #[test]
    #[should_panic(expected = "a section saw the cue, not the tempo")]
    fn a_cue_stored_relaxed_can_come_without_the_tempo() {
        sections_read_the_tempo(give_cue_relaxed);
    }

    /// Broken twin: the conductor taps before writing the cue. The section
    /// can use the tap, find no cue, and doze again with nobody left to
    /// tap it: loom finds that deadlock.
    #[test]
    #[should_panic(expected = "deadlock")]
    fn a_tap_before_the_cue_is_written_can_be_slept_through() {
        loom::model(|| {
            let cue = Arc::new(AtomicBool::new(false));
            let violins = {
                let cue = Arc::clone(&cue);
                thread::spawn(move || doze_until_cued(&cue))
            };
            violins.thread().unpark();
            cue.store(true, Ordering::Release);
            violins.join().unwrap();
        });
    }
}
