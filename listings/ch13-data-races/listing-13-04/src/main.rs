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
}

fn main() {
    let cue: Arc<Cue> = Arc::new(Cue::new());

    let for_violins = Arc::clone(&cue);
    let violins = thread::spawn(move || loop {
        if let Some(tempo) = for_violins.read() {
            return tempo;
        }
        thread::yield_now(); // the cue has not come yet
    });
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
            thread::spawn(move || loop {
                if let Some(tempo) = for_violins.read() {
                    report.send(tempo).unwrap();
                    return;
                }
                thread::yield_now();
            });
            thread::spawn(move || cue.give(96));
            let seen = watchdog.recv_timeout(Duration::from_secs(5));
            assert_eq!(seen, Ok(96), "the violins never saw the cue");
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;

    /// Every interleaving: whoever sees the cue sees the tempo.
    #[test]
    fn acquire_sees_what_release_published() {
        loom::model(|| {
            let cue = Arc::new(Cue::new());
            let for_conductor = Arc::clone(&cue);
            let conductor = thread::spawn(move || for_conductor.give(96));
            if let Some(tempo) = cue.read() {
                assert_eq!(tempo, 96);
            }
            conductor.join().unwrap();
        });
    }

    /// The same cue with a `Relaxed` flag: loom finds a run in which
    /// the flag is up and the tempo on the stand is still the old one.
    #[test]
    fn a_relaxed_flag_can_be_seen_before_the_tempo() {
        use std::sync::atomic::AtomicBool as StdAtomicBool;
        static STALE_TEMPO_SEEN: StdAtomicBool = StdAtomicBool::new(false);

        loom::model(|| {
            let cue = Arc::new(Cue::new());
            let for_conductor = Arc::clone(&cue);
            let conductor = thread::spawn(move || {
                for_conductor.tempo.store(96, Ordering::Relaxed);
                for_conductor.ready.store(true, Ordering::Relaxed);
            });
            if cue.ready.load(Ordering::Relaxed)
                && cue.tempo.load(Ordering::Relaxed) == 0
            {
                STALE_TEMPO_SEEN
                    .store(true, std::sync::atomic::Ordering::SeqCst);
            }
            conductor.join().unwrap();
        });

        assert!(
            STALE_TEMPO_SEEN.load(std::sync::atomic::Ordering::SeqCst),
            "loom should find the reordering a Relaxed flag allows"
        );
    }
}
