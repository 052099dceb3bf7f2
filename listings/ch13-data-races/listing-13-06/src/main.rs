#[cfg(loom)]
use loom::{
    sync::atomic::{AtomicBool, Ordering},
    sync::Arc,
    thread,
};
#[cfg(not(loom))]
use std::{
    sync::atomic::{AtomicBool, Ordering},
    sync::Arc,
    thread,
};

// ANCHOR: all
struct Solo {
    claimed: AtomicBool,
}

impl Solo {
    fn new() -> Solo {
        Solo {
            claimed: AtomicBool::new(false),
        }
    }

    /// Check and act in one indivisible step: of all the sections
    /// that try, exactly one turns `false` into `true`.
    fn try_take(&self) -> bool {
        self.claimed
            .compare_exchange(false, true, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    }
}

/// Three sections reach for the solo at once; how many play it?
fn rehearse() -> usize {
    rehearse_with(Solo::try_take)
}

/// The same rehearsal, each section reaching with `take`.
fn rehearse_with(take: fn(&Solo) -> bool) -> usize {
    let solo: Arc<Solo> = Arc::new(Solo::new());
    let sections: Vec<thread::JoinHandle<bool>> = (0..3)
        .map(|_| {
            let solo = Arc::clone(&solo);
            thread::spawn(move || take(&solo))
        })
        .collect();
    sections
        .into_iter()
        .map(|section| section.join().unwrap())
        .filter(|&took_it| took_it)
        .count()
}

fn main() {
    let soloists: Vec<usize> = (0..100).map(|_| rehearse()).collect();
    let always_one = soloists.iter().all(|&n| n == 1);
    println!("100 rehearsals, one soloist in every one: {always_one}");
}
// ANCHOR_END: all

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn the_solo_is_taken_once() {
        let solo = Solo::new();
        assert!(solo.try_take());
        assert!(!solo.try_take());
    }

    #[test]
    fn every_rehearsal_has_one_soloist() {
        for _rehearsal in 0..200 {
            assert_eq!(rehearse(), 1);
        }
    }
}

// ANCHOR: loom
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;

    /// Every interleaving of the three sections that loom's search
    /// reaches: one soloist.
    #[test]
    fn loom_finds_no_schedule_with_two_soloists() {
        loom::model(|| assert_eq!(rehearse(), 1));
    }
}
// ANCHOR_END: loom

/// The control: the listing's own rehearsal with a claim made in two
/// steps, check then act, as in Listing 13-5. Loom must find more than one
/// soloist here, or the model above could pass by being unable to fail.
/// Loom stops at the first execution that panics, so the control ends as
/// soon as it finds one.
#[cfg(all(test, loom))]
mod loom_control {
    use super::*;

    fn try_take_in_two_steps(solo: &Solo) -> bool {
        if solo.claimed.load(Ordering::Relaxed) {
            return false;
        }
        solo.claimed.store(true, Ordering::Relaxed);
        true
    }

    #[test]
    #[should_panic(expected = "more than one soloist")]
    fn loom_finds_two_soloists_for_the_two_step_claim() {
        loom::model(|| {
            let soloists = rehearse_with(try_take_in_two_steps);
            assert!(soloists <= 1, "more than one soloist: {soloists}");
        });
    }
}
