use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::Instant;

const SECTIONS: u64 = 4;
const NOTES: u64 = 100_000;

// ANCHOR: all
type Counting = fn() -> u64;

/// Every section counts its notes into one `Mutex`: one baton, passed
/// hand to hand for every note.
fn with_a_baton() -> u64 {
    let total = Mutex::new(0);
    thread::scope(|s| {
        for _ in 0..SECTIONS {
            s.spawn(|| {
                for _ in 0..NOTES {
                    *total.lock().unwrap() += 1;
                }
            });
        }
    });
    total.into_inner().unwrap()
}

/// Every note is an atomic increment: no baton, one shared counter.
fn with_an_atomic() -> u64 {
    let total = AtomicU64::new(0);
    thread::scope(|s| {
        for _ in 0..SECTIONS {
            s.spawn(|| {
                for _ in 0..NOTES {
                    total.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    total.into_inner()
}

/// Each section counts alone, note by note on its own stand, and reports
/// once, at the end.
fn counted_apart() -> u64 {
    thread::scope(|s| {
        let parts: Vec<_> = (0..SECTIONS)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = 0;
                    for _ in 0..NOTES {
                        mine = black_box(mine + 1);
                    }
                    mine
                })
            })
            .collect();
        parts.into_iter().map(|part| part.join().unwrap()).sum()
    })
}

fn main() {
    let ways: [(&str, Counting); 3] = [
        ("baton", with_a_baton),
        ("atomic", with_an_atomic),
        ("apart", counted_apart),
    ];
    for (name, count) in ways {
        let start = Instant::now();
        let total = count();
        let took = start.elapsed().as_micros();
        println!("{name}: {total} notes in {took}us");
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_three_are_correct() {
        let every_note = SECTIONS * NOTES;
        assert_eq!(with_a_baton(), every_note);
        assert_eq!(with_an_atomic(), every_note);
        assert_eq!(counted_apart(), every_note);
    }
}
