#[cfg(loom)]
use loom::sync::{Mutex, MutexGuard};
#[cfg(not(loom))]
use std::sync::{Mutex, MutexGuard};
use std::thread;

// ANCHOR: all
/// One section's turn: take the baton, raise the tempo, hand it back.
fn raise(tempo: &Mutex<u32>, step: u32) {
    let mut t: MutexGuard<u32> = tempo.lock().unwrap();
    *t += step;
} // `t` is dropped here: the lock is released

fn rehearse(sections: u32, step: u32) -> u32 {
    let tempo: Mutex<u32> = Mutex::new(120);

    thread::scope(|s| {
        for _section in 0..sections {
            s.spawn(|| raise(&tempo, step));
        }
    });

    tempo.into_inner().unwrap()
}

fn main() {
    let tempo = rehearse(10, 10);
    println!("ten sections each raised the tempo by 10: {tempo} bpm");
}
// ANCHOR_END: all

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn every_adjustment_counts() {
        assert_eq!(rehearse(10, 10), 220);
    }

    #[test]
    fn many_sections_many_times() {
        for _ in 0..50 {
            assert_eq!(rehearse(64, 1), 184);
        }
    }
}

/// Under `--cfg loom`: every interleaving loom explores of two sections'
/// turns, each taking the lock once.
#[cfg(all(test, loom))]
mod every_interleaving {
    use super::*;
    use std::collections::BTreeSet;
    use std::sync::Arc;

    /// Every final tempo loom reaches when two sections take `turn` at once.
    fn endings(turn: fn(&Mutex<u32>, u32)) -> BTreeSet<u32> {
        let endings = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
        let seen = Arc::clone(&endings);
        loom::model(move || {
            let tempo = Arc::new(Mutex::new(120));
            let violins = {
                let tempo = Arc::clone(&tempo);
                loom::thread::spawn(move || turn(&tempo, 10))
            };
            turn(&tempo, 10);
            violins.join().unwrap();
            seen.lock().unwrap().insert(*tempo.lock().unwrap());
        });
        let endings = Arc::try_unwrap(endings).unwrap();
        endings.into_inner().unwrap()
    }

    /// A broken twin: it reads under one lock and writes under another, so
    /// the baton is put down between the read and the write.
    fn split(tempo: &Mutex<u32>, step: u32) {
        let heard = *tempo.lock().unwrap();
        *tempo.lock().unwrap() = heard + step;
    }

    #[test]
    fn no_interleaving_loses_a_raise() {
        assert_eq!(endings(raise), BTreeSet::from([140]));
    }

    #[test]
    fn the_same_check_catches_a_split_turn() {
        assert!(endings(split).contains(&130));
    }
}
