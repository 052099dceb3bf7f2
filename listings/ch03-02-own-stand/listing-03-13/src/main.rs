// ANCHOR: all
use std::cell::Cell;
use std::sync::Barrier;
use std::thread;

thread_local! {
    /// The bars played, marked on this thread's own stand: every thread
    /// that touches `BARS_PLAYED` gets a counter of its own, starting at 0.
    static BARS_PLAYED: Cell<u32> = const { Cell::new(0) };
}

fn play_bar() {
    BARS_PLAYED.set(BARS_PLAYED.get() + 1);
}

/// A section plays its bars, waits until every section has played all of
/// theirs, then takes the count off its own stand, leaving 0 there.
fn section(bars: u32, everyone_played: &Barrier) -> u32 {
    for _ in 0..bars {
        play_bar();
    }
    everyone_played.wait();
    BARS_PLAYED.take()
}

fn main() {
    let parts = [("violins", 3), ("cellos", 5), ("horns", 2)];
    let everyone_played = &Barrier::new(parts.len());
    let counts: Vec<u32> = thread::scope(|s| {
        let sections: Vec<_> = parts
            .iter()
            .map(|&(_, bars)| s.spawn(move || section(bars, everyone_played)))
            .collect();
        sections.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ((name, _), count) in parts.iter().zip(counts) {
        println!("{name}: took {count} bars off my own stand");
    }

    play_bar();
    let mine = BARS_PLAYED.get();
    println!("conductor: played 1 bar, and my own stand says {mine}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{mpsc, Arc};
    use std::time::Duration;

    const WATCHDOG: Duration = Duration::from_secs(10);

    /// The check: four sections play 1, 2, 3 and 4 bars at the same time,
    /// none reads its stand before all have played, and each must take
    /// off exactly its own bars.
    fn each_reads_only_its_own(
        section: fn(u32, &Barrier) -> u32,
    ) -> Result<(), String> {
        let bars = [1, 2, 3, 4];
        let everyone_played = Arc::new(Barrier::new(bars.len()));
        let (report, counts) = mpsc::channel();
        for own in bars {
            let (everyone_played, report) =
                (Arc::clone(&everyone_played), report.clone());
            thread::spawn(move || {
                report.send((own, section(own, &everyone_played))).unwrap();
            });
        }
        for _ in bars {
            let (own, count) = counts
                .recv_timeout(WATCHDOG)
                .map_err(|_| "a section never finished".to_string())?;
            if count != own {
                return Err(format!("played {own} bars, read {count}"));
            }
        }
        Ok(())
    }

    #[test]
    fn each_section_reads_only_its_own_stand() {
        each_reads_only_its_own(section).unwrap();
    }

    /// Broken twin: one counter in a plain `static`, shared by every
    /// thread, where the listing has one per thread.
    static SHARED_BARS: AtomicU32 = AtomicU32::new(0);

    fn section_on_a_shared_stand(bars: u32, everyone_played: &Barrier) -> u32 {
        for _ in 0..bars {
            SHARED_BARS.fetch_add(1, Ordering::Relaxed);
        }
        everyone_played.wait();
        SHARED_BARS.load(Ordering::Relaxed)
    }

    #[test]
    fn a_shared_counter_fails_the_check() {
        let verdict = each_reads_only_its_own(section_on_a_shared_stand);
        assert!(verdict.is_err(), "every section should read the total");
    }

    #[test]
    fn take_leaves_a_fresh_stand_behind() {
        // The test's own thread: its stand starts at 0, like any thread's.
        assert_eq!(BARS_PLAYED.get(), 0);
        assert_eq!(section(3, &Barrier::new(1)), 3);
        assert_eq!(BARS_PLAYED.get(), 0);
        play_bar();
        assert_eq!(BARS_PLAYED.get(), 1);
    }
}
