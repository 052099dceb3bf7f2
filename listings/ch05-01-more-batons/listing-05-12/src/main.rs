// ANCHOR: all
use std::sync::{Arc, Mutex};
use std::thread;

/// Every bar anyone plays, anywhere in the program.
static REHEARSAL_LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Nothing in this signature says that it writes to a shared log.
fn play(section: &str, bar: u32) {
    let mut log = REHEARSAL_LOG.lock().unwrap();
    log.push(format!("{section} bar {bar}"));
}

/// The same part, with the log it writes to in plain sight.
fn play_into(log: &Mutex<Vec<String>>, section: &str, bar: u32) {
    log.lock().unwrap().push(format!("{section} bar {bar}"));
}

fn main() {
    // The closures capture nothing, yet they share the static log.
    let a = thread::spawn(|| play("violins", 1));
    let b = thread::spawn(|| play("cellos", 1));
    a.join().unwrap();
    b.join().unwrap();

    // This log is shared in the open: each thread is handed an `Arc`.
    let log = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = ["violins", "cellos"]
        .into_iter()
        .map(|section| {
            let log = Arc::clone(&log);
            thread::spawn(move || play_into(&log, section, 1))
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }

    let mut global = REHEARSAL_LOG.lock().unwrap().clone();
    let mut passed = log.lock().unwrap().clone();
    global.sort();
    passed.sort();
    println!("the static log:    {global:?}");
    println!("the log passed in: {passed:?}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Barrier, MutexGuard, PoisonError};

    // ANCHOR: tests
    /// By default `cargo test` runs a binary's tests on parallel threads,
    /// and a static is shared by all of them. Every test that touches
    /// `REHEARSAL_LOG` takes this lock first.
    static LOG_TESTS: Mutex<()> = Mutex::new(());

    fn log_to_myself() -> MutexGuard<'static, ()> {
        let turn = LOG_TESTS.lock().unwrap_or_else(PoisonError::into_inner);
        REHEARSAL_LOG.lock().unwrap().clear();
        turn
    }

    #[test]
    fn play_writes_to_the_static_log() {
        let _turn = log_to_myself();
        play("violins", 1);
        play("violins", 2);
        let log = REHEARSAL_LOG.lock().unwrap().clone();
        assert_eq!(log, ["violins bar 1", "violins bar 2"]);
    }

    /// Two test bodies that share the static without taking `LOG_TESTS`,
    /// run at once. The barrier stages what parallel tests may do: both
    /// clear the log, then both play, then both count.
    #[test]
    fn two_bodies_sharing_the_static_count_each_others_bars() {
        let _turn = log_to_myself();
        let step = Barrier::new(2);
        let body = |section: &'static str, bars: u32| {
            REHEARSAL_LOG.lock().unwrap().clear();
            step.wait();
            (1..=bars).for_each(|bar| play(section, bar));
            step.wait();
            REHEARSAL_LOG.lock().unwrap().len()
        };
        let counted = thread::scope(|s| {
            let violins = s.spawn(|| body("violins", 1));
            let cellos = s.spawn(|| body("cellos", 2));
            [violins.join().unwrap(), cellos.join().unwrap()]
        });
        assert_eq!(counted, [3, 3]); // not [1, 2]
    }

    /// The same two bodies, each with a log of its own, passed in.
    #[test]
    fn bodies_with_their_own_log_count_their_own_bars() {
        let step = Barrier::new(2);
        let body = |section: &'static str, bars: u32| {
            let log = Mutex::new(Vec::new());
            step.wait();
            (1..=bars).for_each(|bar| play_into(&log, section, bar));
            step.wait();
            log.into_inner().unwrap().len()
        };
        let counted = thread::scope(|s| {
            let violins = s.spawn(|| body("violins", 1));
            let cellos = s.spawn(|| body("cellos", 2));
            [violins.join().unwrap(), cellos.join().unwrap()]
        });
        assert_eq!(counted, [1, 2]);
    }
    // ANCHOR_END: tests
}
