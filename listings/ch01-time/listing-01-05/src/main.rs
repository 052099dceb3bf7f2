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
/// A section raises the tempo in one indivisible step.
fn raise_tempo(section: &str, tempo: &AtomicU32, both_ready: &Barrier) {
    // Both sections are released together, as in Listing 1-4.
    both_ready.wait();

    tempo.fetch_add(10, Ordering::SeqCst); // read and write, in one step
    println!("{section}: raised the tempo by 10 bpm");
}

/// Two sections each raise the tempo by 10 bpm. Returns the final tempo.
fn rehearse() -> u32 {
    let tempo = AtomicU32::new(120);
    let both_ready = Barrier::new(2);
    thread::scope(|s| {
        s.spawn(|| raise_tempo("violins", &tempo, &both_ready));
        s.spawn(|| raise_tempo("cellos", &tempo, &both_ready));
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
    fn no_raise_is_lost_at_the_unlucky_moment() {
        // Watchdog: a section stuck at the barrier must fail, not hang.
        let (report, watch) = mpsc::channel();
        thread::spawn(move || report.send(rehearse()).unwrap());
        let tempo = watch
            .recv_timeout(Duration::from_secs(5))
            .expect("a section never reached the barrier");
        assert_eq!(tempo, 140, "both raises count");
    }

    #[test]
    fn a_section_alone_waits_at_the_barrier_before_its_raise() {
        let (report, watch) = mpsc::channel();
        thread::spawn(move || {
            let (tempo, both_ready) = (AtomicU32::new(120), Barrier::new(2));
            let alone = thread::scope(|s| {
                s.spawn(|| raise_tempo("violins", &tempo, &both_ready));
                // Given 100 ms, a section that raised before the barrier
                // would almost always have; one that waits cannot have.
                thread::sleep(Duration::from_millis(100));
                let seen = tempo.load(Ordering::SeqCst);
                raise_tempo("cellos", &tempo, &both_ready);
                seen
            });
            report.send((alone, tempo.into_inner())).unwrap();
        });
        let seen = watch.recv_timeout(Duration::from_secs(5));
        assert_eq!(seen, Ok((120, 140)), "raised before the barrier");
    }
}

/// Under `--cfg loom`: every interleaving loom explores of two unstaged
/// raises, each distinct performance recorded in `performances.txt`.
#[cfg(all(test, loom))]
mod every_interleaving {
    use super::*;
    use loom::sync::Arc;
    use recording::performances::{
        compare_or_record, note, Collector, Model, Verdict,
    };

    /// Every performance loom reaches when two sections `raise` at once.
    fn explore(name: &str, raise: fn(&str, &AtomicU32)) -> Model {
        let collector = Collector::new(name, "a raise is lost");
        let seen = collector.clone();
        loom::model(move || {
            seen.begin();
            let tempo = Arc::new(AtomicU32::new(120));
            let violins = {
                let tempo = tempo.clone();
                loom::thread::spawn(move || raise("violins", &tempo))
            };
            raise("cellos", &tempo);
            violins.join().unwrap();
            let tempo = tempo.load(Ordering::SeqCst);
            let verdict = if tempo == 140 {
                Verdict::Right
            } else {
                Verdict::Wrong
            };
            seen.end(verdict, format!("{tempo} bpm"));
        });
        collector.model()
    }

    /// The final tempos of a model's performances.
    fn endings(model: &Model) -> Vec<&str> {
        model
            .performances
            .iter()
            .map(|p| p.outcome.as_str())
            .collect()
    }

    /// The listing's `raise_tempo`; a barrier for one section never waits.
    fn unstaged(section: &str, tempo: &AtomicU32) {
        raise_tempo(section, tempo, &Barrier::new(1));
    }

    /// A broken twin: the same raise, split into a read and a write.
    fn split(section: &str, tempo: &AtomicU32) {
        let heard = tempo.load(Ordering::SeqCst);
        note(format!("{section}: heard {heard} bpm"));
        tempo.store(heard + 10, Ordering::SeqCst);
        note(format!("{section}: set {} bpm", heard + 10));
    }

    /// No interleaving of the listing loses a raise; the same check finds
    /// the lost raise in the split twin. Both sets are recorded.
    #[test]
    fn no_interleaving_loses_a_raise_and_a_split_raise_does() {
        let whole = explore("fetch-add", unstaged);
        assert!(endings(&whole).iter().all(|e| *e == "140 bpm"));
        let split = explore("split", split);
        assert!(endings(&split).contains(&"130 bpm"));
        compare_or_record(env!("CARGO_MANIFEST_DIR"), &[whole, split]);
    }
}
