// ANCHOR: all
use std::sync::{PoisonError, RwLock};
use std::thread;

type Score = RwLock<Vec<&'static str>>;

/// A section reads the score and loses its place halfway through.
fn reader_stumbles(score: &Score) {
    let bars = score.read().unwrap();
    panic!("the violins lost their place after {} bars", bars.len());
}

/// The arranger starts a bar and drops the pen before finishing it.
fn arranger_stumbles(score: &Score) {
    let mut bars = score.write().unwrap();
    bars.push("half a bar");
    panic!("the arranger dropped the pen");
}

/// Runs `part` on a thread named `name`, which must panic.
fn stumble(name: &str, score: &Score, part: fn(&Score)) {
    thread::scope(|s| {
        let player = thread::Builder::new()
            .name(name.to_string())
            .spawn_scoped(s, || part(score))
            .unwrap();
        assert!(player.join().is_err(), "{name} did not stumble");
    });
}

fn main() {
    let score: Score = RwLock::new(vec!["C4", "E4", "G4"]);

    stumble("violins", &score, reader_stumbles);
    println!("after a reader's panic, poisoned: {}", score.is_poisoned());
    println!("read() is Ok: {}", score.read().is_ok());

    stumble("arranger", &score, arranger_stumbles);
    println!("after a writer's panic, poisoned: {}", score.is_poisoned());
    let bars = score.read();
    println!("read() is Err: {}", bars.is_err());
    let bars = bars.unwrap_or_else(PoisonError::into_inner);
    println!("the score inside: {:?}", *bars);
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::TryLockError;

    /// The score the reader test stumbles on, where its panic hook can
    /// look at it.
    static WATCHED: Score = RwLock::new(Vec::new());
    /// Whether a writer was shut out when the reader panicked.
    static HELD_AT_THE_PANIC: AtomicBool = AtomicBool::new(false);

    #[test]
    fn a_reader_that_panics_leaves_the_lock_healthy() {
        // The panic hook runs on the panicking thread before unwinding
        // drops anything: there, the reader's guard must still be held.
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if thread::current().name() == Some("reader") {
                let held = WATCHED.try_write();
                let held = matches!(held, Err(TryLockError::WouldBlock));
                HELD_AT_THE_PANIC.store(held, Ordering::SeqCst);
            }
            previous(info);
        }));
        WATCHED.write().unwrap().push("C4");
        stumble("reader", &WATCHED, reader_stumbles);
        let held = HELD_AT_THE_PANIC.load(Ordering::SeqCst);
        assert!(held, "the reader let go of the score before its panic");
        assert!(!WATCHED.is_poisoned());
        // Unwinding dropped the read guard: a writer gets in, and cleanly.
        assert!(WATCHED.try_write().is_ok());
    }

    #[test]
    fn a_writer_that_panics_poisons_the_lock_for_everyone() {
        let score: Score = RwLock::new(vec!["C4"]);
        stumble("writer", &score, arranger_stumbles);
        assert!(score.is_poisoned());
        let Err(poisoned) = score.read() else {
            panic!("read() did not report the poison");
        };
        // The guard inside the error shows the half-finished change.
        assert_eq!(*poisoned.into_inner(), ["C4", "half a bar"]);
        assert!(matches!(score.try_write(), Err(TryLockError::Poisoned(_))));
    }
}
