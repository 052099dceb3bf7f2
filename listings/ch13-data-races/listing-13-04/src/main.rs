#[cfg(loom)]
use loom::{
    sync::atomic::{AtomicBool, AtomicU32, Ordering},
    sync::Arc,
    thread,
};
#[cfg(not(loom))]
use std::{
    sync::atomic::{AtomicBool, AtomicU32, Ordering},
    sync::Arc,
    thread,
};

// ANCHOR: all
/// The conductor writes the tempo on the stand, then raises the cue.
struct Cue {
    tempo: AtomicU32,
    ready: AtomicBool,
}

impl Cue {
    fn new() -> Cue {
        Cue {
            tempo: AtomicU32::new(0),
            ready: AtomicBool::new(false),
        }
    }

    fn give(&self, tempo: u32) {
        self.tempo.store(tempo, Ordering::Relaxed);
        // Release: every write above is published with the flag.
        self.ready.store(true, Ordering::Release);
    }

    fn read(&self) -> Option<u32> {
        // Acquire: if we see the flag, we see what it published.
        if self.ready.load(Ordering::Acquire) {
            Some(self.tempo.load(Ordering::Relaxed))
        } else {
            None
        }
    }

    /// Look until the cue comes, and return its tempo.
    fn wait(&self) -> u32 {
        loop {
            if let Some(tempo) = self.read() {
                return tempo;
            }
            thread::yield_now(); // the cue has not come yet
        }
    }
}

fn main() {
    let cue: Arc<Cue> = Arc::new(Cue::new());

    let for_violins = Arc::clone(&cue);
    let violins = thread::spawn(move || for_violins.wait());
    let conductor = thread::spawn(move || cue.give(96));

    conductor.join().unwrap();
    let tempo = violins.join().unwrap();
    println!("violins: came in at {tempo} bpm");
}
// ANCHOR_END: all

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn no_tempo_before_the_cue_and_the_tempo_after_it() {
        let cue = Cue::new();
        assert_eq!(cue.read(), None);
        cue.give(72);
        assert_eq!(cue.read(), Some(72));
    }

    #[test]
    fn a_waiting_section_sees_the_published_tempo() {
        let (report, watchdog) = mpsc::channel();
        for _rehearsal in 0..50 {
            let cue = Arc::new(Cue::new());
            let for_violins = Arc::clone(&cue);
            let report = report.clone();
            thread::spawn(move || report.send(for_violins.wait()).unwrap());
            thread::spawn(move || cue.give(96));
            let seen = watchdog.recv_timeout(Duration::from_secs(5));
            assert_eq!(seen, Ok(96), "the violins never saw the cue");
        }
    }
}

/// Under `--cfg loom`: the interleavings loom's search reaches of the
/// conductor's cue with one look by the violins, or with their waiting
/// loop; the single looks' distinct performances are recorded in
/// `performances.txt`.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use recording::performances::{
        compare_or_record, note, Collector, Model, Verdict,
    };

    /// The conductor gives the cue with `give` while the violins look once
    /// with `read`: every performance loom reaches.
    fn explore(
        name: &str,
        give: fn(&Cue),
        read: fn(&Cue) -> Option<u32>,
    ) -> Model {
        let collector =
            Collector::new(name, "the violins see the cue but not its tempo");
        let seen = collector.clone();
        loom::model(move || {
            seen.begin();
            let cue = Arc::new(Cue::new());
            let for_conductor = Arc::clone(&cue);
            let conductor = thread::spawn(move || {
                give(&for_conductor);
                note("conductor: gave the cue at 96 bpm");
            });
            let looked = read(&cue);
            match looked {
                Some(tempo) => {
                    note(format!("violins: saw the cue, {tempo} bpm"))
                }
                None => note("violins: no cue yet"),
            }
            conductor.join().unwrap();
            match looked {
                Some(0) => seen.end(Verdict::Wrong, "read the old tempo, 0"),
                Some(tempo) => {
                    seen.end(Verdict::Right, format!("read {tempo} bpm"))
                }
                None => seen.end(Verdict::Right, "looked too early"),
            }
        });
        collector.model()
    }

    /// The same cue with both flag operations `Relaxed`.
    fn give_relaxed(cue: &Cue) {
        cue.tempo.store(96, Ordering::Relaxed);
        cue.ready.store(true, Ordering::Relaxed);
    }

    fn read_relaxed(cue: &Cue) -> Option<u32> {
        if cue.ready.load(Ordering::Relaxed) {
            Some(cue.tempo.load(Ordering::Relaxed))
        } else {
            None
        }
    }

    /// Every interleaving loom reaches: whoever sees the cue sees the
    /// tempo. With a `Relaxed` flag, loom finds a run in which the flag is
    /// up and the tempo on the stand is still the old one.
    #[test]
    fn acquire_sees_what_release_published_and_relaxed_may_not() {
        let published =
            explore("release-acquire", |cue| cue.give(96), Cue::read);
        assert!(
            published
                .performances
                .iter()
                .all(|p| p.verdict == Verdict::Right),
            "a stale tempo behind an Acquire load"
        );
        let relaxed = explore("relaxed", give_relaxed, read_relaxed);
        assert!(
            relaxed
                .performances
                .iter()
                .any(|p| p.verdict == Verdict::Wrong),
            "loom should find the reordering a Relaxed flag allows"
        );
        compare_or_record(env!("CARGO_MANIFEST_DIR"), &[published, relaxed]);
    }

    /// The violins wait with `wait` while the conductor gives the cue:
    /// in every interleaving loom reaches, they come in at 96 bpm.
    #[test]
    fn the_waiting_violins_come_in_at_the_published_tempo() {
        loom::model(|| {
            let cue = Arc::new(Cue::new());
            let for_conductor = Arc::clone(&cue);
            let conductor = thread::spawn(move || for_conductor.give(96));
            let tempo = cue.wait();
            conductor.join().unwrap();
            assert_eq!(tempo, 96, "came in without the cue's tempo");
        });
    }
}
