#[cfg(loom)]
use loom::sync::atomic::{AtomicU32, Ordering};
#[cfg(not(loom))]
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Barrier;
use std::thread;

// Under the loom model, each line the sections print is noted as an event
// of the interleaving being explored, instead of printed (see the model).
#[cfg(all(test, loom))]
macro_rules! println {
    ($($line:tt)*) => {
        recording::performances::note(format!($($line)*))
    };
}

// ANCHOR: all
/// A section reads the tempo, then writes back its own raise: two steps.
fn raise_tempo(section: &str, tempo: &AtomicU32, both_have_read: &Barrier) {
    let heard = tempo.load(Ordering::SeqCst); // read
    println!("{section}: heard {heard} bpm");

    // Staged: wait until the other section has read too, so the unlucky
    // moment happens on every run instead of on some runs.
    both_have_read.wait();

    tempo.store(heard + 10, Ordering::SeqCst); // write
    println!("{section}: set {} bpm", heard + 10);
}

/// Two sections each raise the tempo by 10 bpm. Returns the final tempo.
fn rehearse() -> u32 {
    let tempo = AtomicU32::new(120);
    let both_have_read = Barrier::new(2);
    thread::scope(|s| {
        s.spawn(|| raise_tempo("violins", &tempo, &both_have_read));
        s.spawn(|| raise_tempo("cellos", &tempo, &both_have_read));
    });
    tempo.into_inner()
}

fn main() {
    let tempo = rehearse();
    println!("120 bpm raised twice by 10 ends at {tempo} bpm");
}
// ANCHOR_END: all

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_read_then_a_write_loses_a_raise() {
        // Watchdog: a section stuck at the barrier must fail, not hang.
        let (report, watch) = mpsc::channel();
        thread::spawn(move || report.send(rehearse()).unwrap());
        let tempo = watch
            .recv_timeout(Duration::from_secs(5))
            .expect("a section never reached the barrier");
        assert_eq!(tempo, 130, "one of the two raises was lost");
    }
}

/// Under `--cfg loom`: the listing's own `raise_tempo`, without staging,
/// in every interleaving of the two sections that loom explores, each
/// distinct performance recorded in `performances.txt`.
#[cfg(all(test, loom))]
mod every_interleaving {
    use super::*;
    use loom::sync::Arc;
    use recording::performances::{compare_or_record, Collector, Verdict};

    #[test]
    fn without_staging_some_interleaving_still_loses_a_raise() {
        let collector = Collector::new("unstaged", "a raise is lost");
        let seen = collector.clone();
        loom::model(move || {
            seen.begin();
            // A barrier for one section never waits: no staging at all.
            let unstaged = || Barrier::new(1);
            let tempo = Arc::new(AtomicU32::new(120));
            let violins = {
                let tempo = tempo.clone();
                loom::thread::spawn(move || {
                    raise_tempo("violins", &tempo, &unstaged());
                })
            };
            raise_tempo("cellos", &tempo, &unstaged());
            violins.join().unwrap();
            let tempo = tempo.load(Ordering::SeqCst);
            let verdict = if tempo == 140 {
                Verdict::Right
            } else {
                Verdict::Wrong
            };
            seen.end(verdict, format!("{tempo} bpm"));
        });
        let model = collector.model();
        let endings: Vec<&str> = model
            .performances
            .iter()
            .map(|p| p.outcome.as_str())
            .collect();
        assert!(endings.contains(&"130 bpm"), "{endings:?}");
        assert!(endings.contains(&"140 bpm"), "{endings:?}");
        assert!(endings.iter().all(|e| ["130 bpm", "140 bpm"].contains(e)));
        compare_or_record(env!("CARGO_MANIFEST_DIR"), &[model]);
    }
}
