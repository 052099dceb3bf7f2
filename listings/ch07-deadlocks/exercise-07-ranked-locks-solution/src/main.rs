// ANCHOR: all
use std::cell::RefCell;
use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, MutexGuard};
use std::thread;

/// A mutex with a place in the stage order.
struct Ranked<T> {
    rank: u32,
    lock: Mutex<T>,
}

/// A take the stage order forbids: the rank asked for, and the highest
/// rank the thread already holds.
#[derive(Debug, PartialEq)]
struct OutOfOrder {
    wanted: u32,
    held: u32,
}

/// The lock in hand; dropping it puts the lock down.
struct RankedGuard<'a, T> {
    rank: u32,
    guard: MutexGuard<'a, T>,
}

thread_local! {
    /// The ranks this thread holds, lowest first.
    static HELD: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

impl<T> Ranked<T> {
    fn new(rank: u32, value: T) -> Ranked<T> {
        Ranked {
            rank,
            lock: Mutex::new(value),
        }
    }

    /// Takes the lock, waiting for it if need be; refuses at once if this
    /// thread already holds a lock of this rank or a higher one.
    fn lock(&self) -> Result<RankedGuard<'_, T>, OutOfOrder> {
        let highest = HELD.with_borrow(|held| held.last().copied());
        if let Some(held) = highest.filter(|&held| held >= self.rank) {
            return Err(OutOfOrder {
                wanted: self.rank,
                held,
            });
        }
        let guard = self.lock.lock().unwrap();
        HELD.with_borrow_mut(|held| held.push(self.rank));
        Ok(RankedGuard {
            rank: self.rank,
            guard,
        })
    }
}

impl<T> Drop for RankedGuard<'_, T> {
    fn drop(&mut self) {
        // Guards may be dropped in any order: forget this one's rank.
        HELD.with_borrow_mut(|held| held.retain(|&rank| rank != self.rank));
    }
}

impl<T> Deref for RankedGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> DerefMut for RankedGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

fn main() {
    let (stand, score) = (Ranked::new(1, "stand"), Ranked::new(2, 0u32));
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let _stand = stand.lock().unwrap();
                *score.lock().unwrap() += 8; // rank 2 after rank 1
            });
        }
    });
    let notes = score.lock().unwrap();
    match stand.lock().map(|stand| stand.to_string()) {
        Ok(name) => println!("{name} (rank {}) taken out of order", stand.rank),
        Err(OutOfOrder { wanted, held }) => {
            println!("{} notes; rank {wanted} refused under {held}", *notes)
        }
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::{self, RecvTimeoutError};
    use std::time::Duration;

    /// Long enough to mean "never", short enough to fail fast.
    const WATCHDOG: Duration = Duration::from_secs(10);

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
                panic!("still running after {WATCHDOG:?}: a take froze")
            }
            Err(RecvTimeoutError::Disconnected) => {
                std::panic::resume_unwind(stage.join().unwrap_err())
            }
        }
    }

    #[test]
    fn a_rank_at_or_below_one_held_is_refused_at_once() {
        within(|| {
            let violin = Ranked::new(1, "violin");
            let viola = Ranked::new(1, "viola");
            let bow = Ranked::new(2, "bow");
            let in_hand = bow.lock().unwrap();
            let refused = violin.lock().err();
            assert_eq!(refused, Some(OutOfOrder { wanted: 1, held: 2 }));
            drop(in_hand);
            let violin_in_hand = violin.lock().unwrap();
            let same_rank = viola.lock().err();
            assert_eq!(same_rank, Some(OutOfOrder { wanted: 1, held: 1 }));
            // Taking the same lock twice is refused, not a self-deadlock.
            let again = violin.lock().err();
            assert_eq!(again, Some(OutOfOrder { wanted: 1, held: 1 }));
            let bow_in_hand = bow.lock().unwrap();
            assert_eq!((*violin_in_hand, *bow_in_hand), ("violin", "bow"));
        });
    }

    #[test]
    fn a_dropped_guard_gives_back_its_own_rank_in_any_order() {
        within(|| {
            let [one, two, three] = [1, 2, 3].map(|r| Ranked::new(r, r));
            let (g1, g2, g3) = (
                one.lock().unwrap(),
                two.lock().unwrap(),
                three.lock().unwrap(),
            );
            drop(g2);
            let refused = two.lock().err();
            assert_eq!(refused, Some(OutOfOrder { wanted: 2, held: 3 }));
            drop(g3);
            let g2 = two.lock().expect("only rank 1 is held");
            drop(g1);
            drop(g2);
            let all = [one.lock(), two.lock(), three.lock()];
            assert!(all.iter().all(Result::is_ok), "nothing is held");
        });
    }

    #[test]
    fn each_thread_keeps_its_own_order() {
        within(|| {
            let (stand, score) = (Ranked::new(1, ()), Ranked::new(2, ()));
            let _score_here = score.lock().unwrap();
            thread::scope(|s| {
                let there = s.spawn(|| stand.lock().is_ok());
                assert!(there.join().unwrap(), "another thread holds nothing");
            });
        });
    }

    #[test]
    fn sections_in_stage_order_never_freeze() {
        let notes = within(|| {
            let (stand, score) = (Ranked::new(1, 0), Ranked::new(2, 0));
            thread::scope(|s| {
                for _ in 0..4 {
                    s.spawn(|| {
                        for _ in 0..500 {
                            let mut bars = stand.lock().unwrap();
                            let mut notes = score.lock().unwrap();
                            *bars += 1;
                            *notes += 1;
                        }
                    });
                }
            });
            let notes = *score.lock().unwrap();
            notes
        });
        assert_eq!(notes, 2000);
    }
}
