#[cfg(loom)]
use loom::{
    sync::atomic::{AtomicU32, Ordering},
    sync::Arc,
    thread,
};
#[cfg(not(loom))]
use std::{
    sync::atomic::{AtomicU32, Ordering},
    sync::Arc,
    thread,
};

// ANCHOR: all
/// The orchestra pit: a fixed number of chairs, numbered from 0.
struct Pit {
    taken: AtomicU32,
    chairs: u32,
}

impl Pit {
    fn new(chairs: u32) -> Pit {
        Pit {
            taken: AtomicU32::new(0),
            chairs,
        }
    }

    /// The next free chair, or `None` once the pit is full.
    fn take_chair(&self) -> Option<u32> {
        let mut seen = self.taken.load(Ordering::Relaxed);
        loop {
            if seen == self.chairs {
                return None;
            }
            match self.taken.compare_exchange_weak(
                seen,
                seen + 1,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(seen),
                // Someone sat down first, or the weak exchange failed
                // spuriously: decide again from the value it found.
                Err(now) => seen = now,
            }
        }
    }
}

fn main() {
    let pit = Arc::new(Pit::new(4));
    let musicians: Vec<thread::JoinHandle<Option<u32>>> = (0..6)
        .map(|_| {
            let pit = Arc::clone(&pit);
            thread::spawn(move || pit.take_chair())
        })
        .collect();

    let mut seated = Vec::new();
    let mut turned_away = 0;
    for musician in musicians {
        match musician.join().unwrap() {
            Some(chair) => seated.push(chair),
            None => turned_away += 1,
        }
    }
    seated.sort();
    println!("6 musicians, 4 chairs");
    println!("seated in chairs {seated:?}, {turned_away} turned away");
    println!("chairs taken: {}", pit.taken.load(Ordering::Relaxed));
}
// ANCHOR_END: all

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn chairs_go_in_order_until_the_pit_is_full() {
        let pit = Pit::new(2);
        assert_eq!(pit.take_chair(), Some(0));
        assert_eq!(pit.take_chair(), Some(1));
        assert_eq!(pit.take_chair(), None);
        assert_eq!(pit.take_chair(), None);
        assert_eq!(pit.taken.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn each_chair_is_taken_once_on_real_threads() {
        for _rehearsal in 0..50 {
            let pit = Pit::new(4);
            let mut seated: Vec<u32> = thread::scope(|s| {
                let musicians: Vec<_> =
                    (0..8).map(|_| s.spawn(|| pit.take_chair())).collect();
                musicians
                    .into_iter()
                    .filter_map(|musician| musician.join().unwrap())
                    .collect()
            });
            seated.sort();
            assert_eq!(seated, [0, 1, 2, 3]);
            assert_eq!(pit.taken.load(Ordering::Relaxed), 4);
        }
    }
}

// ANCHOR: loom
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::sync::Mutex;

    /// (chairs handed out, sorted; musicians turned away; final count;
    /// the count one look saw while others may still be taking theirs)
    type Outcome = (Vec<u32>, usize, u32, u32);

    /// Every outcome loom reaches when three musicians call `take` at
    /// once on a pit with two chairs.
    fn outcomes(take: fn(&Pit) -> Option<u32>) -> BTreeSet<Outcome> {
        let all = std::sync::Arc::new(Mutex::new(BTreeSet::new()));
        let seen = all.clone();
        loom::model(move || {
            let pit = Arc::new(Pit::new(2));
            let others: Vec<_> = (0..2)
                .map(|_| {
                    let pit = Arc::clone(&pit);
                    thread::spawn(move || take(&pit))
                })
                .collect();
            let mut got = vec![take(&pit)];
            let looked = pit.taken.load(Ordering::Relaxed); // before the joins
            got.extend(others.into_iter().map(|o| o.join().unwrap()));
            let mut seated: Vec<u32> = got.iter().flatten().copied().collect();
            seated.sort();
            let away = got.iter().filter(|g| g.is_none()).count();
            let count = pit.taken.load(Ordering::Relaxed);
            seen.lock().unwrap().insert((seated, away, count, looked));
        });
        let all = std::sync::Arc::try_unwrap(all).unwrap();
        all.into_inner().unwrap()
    }

    /// One ending, and the look finds one or two chairs taken, never 3.
    #[test]
    fn each_explored_interleaving_seats_two_and_turns_one_away() {
        let expected =
            BTreeSet::from([(vec![0, 1], 1, 2, 1), (vec![0, 1], 1, 2, 2)]);
        assert_eq!(outcomes(Pit::take_chair), expected);
    }

    /// Broken twin: check for a free chair, then `fetch_add` it.
    fn check_then_add(pit: &Pit) -> Option<u32> {
        if pit.taken.load(Ordering::Relaxed) < pit.chairs {
            Some(pit.taken.fetch_add(1, Ordering::Relaxed))
        } else {
            None
        }
    }

    #[test]
    fn the_same_check_catches_a_third_chair() {
        assert!(outcomes(check_then_add).contains(&(vec![0, 1, 2], 0, 3, 3)));
    }

    /// Broken twin: `fetch_add` a number, and give it back if it is no
    /// chair. Every ending is right; the look catches the count at 3.
    fn add_then_give_back(pit: &Pit) -> Option<u32> {
        let chair = pit.taken.fetch_add(1, Ordering::Relaxed);
        if chair < pit.chairs {
            return Some(chair);
        }
        pit.taken.fetch_sub(1, Ordering::Relaxed);
        None
    }

    #[test]
    fn the_look_catches_a_count_past_the_chairs() {
        let endings = outcomes(add_then_give_back);
        let right = |(seated, away, count, _): &Outcome| {
            *seated == [0, 1] && *away == 1 && *count == 2
        };
        assert!(endings.iter().all(right));
        assert!(endings.contains(&(vec![0, 1], 1, 2, 3)));
    }
}
// ANCHOR_END: loom
