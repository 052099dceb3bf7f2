#[cfg(loom)]
use loom::{
    sync::atomic::{AtomicU32, AtomicUsize},
    sync::Arc,
    thread,
};
#[cfg(not(loom))]
use std::{
    sync::atomic::{AtomicU32, AtomicUsize},
    sync::Arc,
    thread,
};

// ANCHOR: all
/// Each section's count of bars, and how many sections still play.
struct Tally {
    bars: Vec<AtomicU32>,
    playing: AtomicUsize,
}

impl Tally {
    fn new(sections: usize) -> Tally {
        Tally {
            bars: (0..sections).map(|_| AtomicU32::new(0)).collect(),
            playing: AtomicUsize::new(sections),
        }
    }

    /// Section number `section` has finished, after `bars` bars. The last
    /// section to finish gets the total of every section's bars; the
    /// others get `None`.
    fn finish(&self, section: usize, bars: u32) -> Option<u32> {
        // Write: store this section's bars, count it out of `playing`,
        // and if it was the last, add up every section's bars. Choose the
        // orderings so that the last one sees every other section's store.
        let _ = (section, bars, &self.bars, &self.playing);
        None
    }
}

fn main() {
    let tally = Arc::new(Tally::new(4));
    let sections: Vec<_> = (0..4)
        .map(|section| {
            let tally = Arc::clone(&tally);
            thread::spawn(move || tally.finish(section, 8 * section as u32))
        })
        .collect();
    let totals: Vec<Option<u32>> =
        sections.into_iter().map(|s| s.join().unwrap()).collect();
    println!("what each section was told: {totals:?}");
}
// ANCHOR_END: all

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::mpsc::{self, RecvTimeoutError};
    use std::sync::Barrier;
    use std::time::Duration;

    /// How long a scene may run: far above what it needs.
    const WATCHDOG: Duration = Duration::from_secs(10);

    /// Runs `scene` on a thread of its own: a failure inside it fails the
    /// test, and so does a scene still running after `WATCHDOG` (a
    /// `finish` that waits for the others to leave never returns here).
    fn within<T: Send + 'static>(
        scene: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let (done, finished) = mpsc::channel();
        let stage = thread::spawn(move || done.send(scene()).unwrap());
        match finished.recv_timeout(WATCHDOG) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                panic!("still running after {WATCHDOG:?}: a finish waited")
            }
            Err(RecvTimeoutError::Disconnected) => {
                std::panic::resume_unwind(stage.join().unwrap_err())
            }
        }
    }

    #[test]
    fn the_last_section_out_announces_the_total() {
        within(|| {
            let tally = Tally::new(3);
            assert_eq!(tally.finish(0, 4), None);
            assert_eq!(tally.finish(2, 5), None);
            assert_eq!(tally.finish(1, 6), Some(15), "the last of three");
        });
    }

    #[test]
    fn of_many_sections_finishing_at_once_one_announces() {
        within(of_many_sections_one_announces);
    }

    fn of_many_sections_one_announces() {
        for _rehearsal in 0..20 {
            let tally = Arc::new(Tally::new(8));
            let start = Arc::new(Barrier::new(8));
            let sections: Vec<_> = (0..8)
                .map(|section| {
                    let (tally, start) =
                        (Arc::clone(&tally), Arc::clone(&start));
                    thread::spawn(move || {
                        start.wait();
                        tally.finish(section, section as u32 + 1)
                    })
                })
                .collect();
            let told: Vec<u32> = sections
                .into_iter()
                .filter_map(|s| s.join().unwrap())
                .collect();
            assert_eq!(told, [36], "one section, told 1 + 2 + … + 8");
        }
    }
}

/// Loom models: `RUSTFLAGS="--cfg loom" cargo test --release`.
#[cfg(all(test, loom))]
mod models {
    use super::*;
    use std::sync::atomic::Ordering;

    /// Every execution loom's search reaches: whoever finishes last sees
    /// both sections' bars.
    #[test]
    fn the_last_out_sees_every_section_bars() {
        loom::model(|| {
            let tally = Arc::new(Tally::new(2));
            let for_violins = Arc::clone(&tally);
            let violins = thread::spawn(move || for_violins.finish(0, 3));
            let cellos = tally.finish(1, 4);
            let violins = violins.join().unwrap();
            assert!(violins.is_none() || cellos.is_none(), "one is last");
            assert_eq!(violins.or(cellos), Some(7));
        });
    }

    /// A control, which does not run your `finish`: the same countdown
    /// with `countdown` as the ordering of its `fetch_sub`.
    fn finish_counting_down_with(
        countdown: Ordering,
        tally: &Tally,
        section: usize,
        bars: u32,
    ) -> Option<u32> {
        tally.bars[section].store(bars, Ordering::Relaxed);
        if tally.playing.fetch_sub(1, countdown) != 1 {
            return None;
        }
        Some(tally.bars.iter().map(|b| b.load(Ordering::Relaxed)).sum())
    }

    /// Whether loom finds an execution of the control that fails the
    /// model's check: the section told the total is not told 7, or no one
    /// is told. (Its countdown tells exactly one section, so that can only
    /// be the last one out missing the other section's bars.)
    fn loom_finds_a_missed_store(countdown: Ordering) -> bool {
        // A std atomic, outside the model, only collects.
        let missed =
            std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let seen = std::sync::Arc::clone(&missed);
        loom::model(move || {
            let tally = Arc::new(Tally::new(2));
            let for_violins = Arc::clone(&tally);
            let violins = thread::spawn(move || {
                finish_counting_down_with(countdown, &for_violins, 0, 3)
            });
            let cellos = finish_counting_down_with(countdown, &tally, 1, 4);
            let violins = violins.join().unwrap();
            if violins.or(cellos) != Some(7) {
                seen.store(true, Ordering::Relaxed);
            }
        });
        missed.load(Ordering::Relaxed)
    }

    /// With a `Relaxed` count, loom finds the execution in which the last
    /// one out reads the other's bars as 0.
    #[test]
    fn a_relaxed_count_lets_the_last_out_miss_a_store() {
        assert!(
            loom_finds_a_missed_store(Ordering::Relaxed),
            "loom should find the stale read a Relaxed count allows"
        );
    }

    /// `Release` alone: the last one out's decrement acquires nothing.
    #[test]
    fn release_alone_lets_the_last_out_miss_a_store() {
        assert!(
            loom_finds_a_missed_store(Ordering::Release),
            "loom should find the stale read a count without Acquire allows"
        );
    }

    /// `Acquire` alone: the other section's decrement releases nothing.
    #[test]
    fn acquire_alone_lets_the_last_out_miss_a_store() {
        assert!(
            loom_finds_a_missed_store(Ordering::Acquire),
            "loom should find the stale read a count without Release allows"
        );
    }
}
