#[cfg(loom)]
use loom::sync::atomic::{AtomicBool, Ordering};
#[cfg(not(loom))]
use std::sync::atomic::{AtomicBool, Ordering};

// ANCHOR: all
/// One solo in the score, and any section may claim it.
struct Solo {
    claimed: AtomicBool,
}

impl Solo {
    fn new() -> Solo {
        Solo {
            claimed: AtomicBool::new(false),
        }
    }

    /// Step one: look at the stand.
    fn looks_free(&self) -> bool {
        !self.claimed.load(Ordering::SeqCst)
    }

    /// Step two: mark the solo as ours.
    fn claim(&self) {
        self.claimed.store(true, Ordering::SeqCst);
    }

    /// Check, then act: two atomic steps, with a gap between them.
    fn try_take(&self) -> bool {
        if self.looks_free() {
            self.claim();
            true
        } else {
            false
        }
    }
}

/// One unlucky schedule, replayed step by step on one thread.
fn replay_unlucky_schedule() -> usize {
    let solo = Solo::new();
    let violins_saw_it_free = solo.looks_free();
    println!("violins: the solo looks free ({violins_saw_it_free})");
    let cellos_saw_it_free = solo.looks_free();
    println!("cellos: the solo looks free ({cellos_saw_it_free})");

    let mut soloists = 0;
    if violins_saw_it_free {
        solo.claim();
        println!("violins: stand up and play the solo");
        soloists += 1;
    }
    if cellos_saw_it_free {
        solo.claim();
        println!("cellos: stand up and play the solo");
        soloists += 1;
    }
    soloists
}

fn main() {
    let solo = Solo::new();
    println!("violins: took the solo? {}", solo.try_take());
    println!("cellos: took the solo? {}", solo.try_take());

    println!("-- a new rehearsal, the same steps interleaved --");
    let soloists = replay_unlucky_schedule();
    println!("soloists: {soloists}");
}
// ANCHOR_END: all

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn one_section_alone_takes_the_solo_once() {
        let solo = Solo::new();
        assert!(solo.try_take());
        assert!(!solo.try_take());
    }

    #[test]
    fn the_unlucky_schedule_gives_two_soloists() {
        assert_eq!(replay_unlucky_schedule(), 2);
    }
}

// ANCHOR: loom
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::Arc;
    use loom::thread;
    use recording::performances::{
        compare_or_record, note, Collector, Verdict,
    };

    /// Loom runs two real sections through every interleaving its search
    /// reaches and records each distinct performance and its count of
    /// soloists.
    #[test]
    fn loom_finds_two_soloists() {
        let collector = Collector::new("try-take", "two sections play it");
        let seen = collector.clone();
        loom::model(move || {
            seen.begin();
            let solo = Arc::new(Solo::new());
            let for_violins = Arc::clone(&solo);
            let violins = thread::spawn(move || {
                let took = for_violins.try_take();
                note(format!("violins: took the solo? {took}"));
                took
            });
            let cellos = solo.try_take();
            note(format!("cellos: took the solo? {cellos}"));
            let violins = violins.join().unwrap();
            let soloists = usize::from(violins) + usize::from(cellos);
            let verdict = match soloists {
                1 => Verdict::Right,
                _ => Verdict::Wrong,
            };
            seen.end(verdict, format!("soloists: {soloists}"));
        });

        let model = collector.model();
        assert!(
            model
                .performances
                .iter()
                .any(|p| p.outcome == "soloists: 2"),
            "loom should reach the schedule with two soloists"
        );
        compare_or_record(env!("CARGO_MANIFEST_DIR"), &[model]);
    }
}
// ANCHOR_END: loom
