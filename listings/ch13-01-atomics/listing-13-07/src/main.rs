#[cfg(loom)]
use loom::{
    cell::UnsafeCell,
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

/// std's `UnsafeCell` with loom's closure-style access (the shim loom's
/// docs suggest), so the same code runs on std and under loom's checks.
#[cfg(not(loom))]
struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    fn new(value: T) -> UnsafeCell<T> {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

// ANCHOR: all
/// A music stand. The conductor leaves one part on it and then raises
/// `ready`; the part itself is plain memory, not an atomic.
struct Stand {
    part: UnsafeCell<Vec<&'static str>>,
    ready: AtomicBool,
}

// SAFETY: `part` is written once, by `Conductor::place`, before `ready`
// is released, and read only after `ready` is acquired as `true`: every
// read happens after the write, and no write follows a read.
unsafe impl Sync for Stand {}

/// The one handle allowed to write the part; placing it uses it up.
struct Conductor {
    stand: Arc<Stand>,
}

fn new_stand() -> (Conductor, Arc<Stand>) {
    let stand = Arc::new(Stand {
        part: UnsafeCell::new(Vec::new()),
        ready: AtomicBool::new(false),
    });
    let conductor = Conductor {
        stand: Arc::clone(&stand),
    };
    (conductor, stand)
}

impl Conductor {
    fn place(self, part: Vec<&'static str>) {
        // SAFETY: the only write (`new_stand` makes one `Conductor`, and
        // `place` consumes it), and nobody reads until `ready` is true.
        self.stand.part.with_mut(|slot| unsafe { *slot = part });
        // Release: the write above happens before any Acquire load
        // that reads this `true`.
        self.stand.ready.store(true, Ordering::Release);
    }
}

impl Stand {
    fn read(&self) -> Option<Vec<&'static str>> {
        // Acquire: reading the Release store's `true` makes the write
        // of the part happen before the read below.
        if self.ready.load(Ordering::Acquire) {
            // SAFETY: the write happened before this read, and it was
            // the last one.
            Some(self.part.with(|slot| unsafe { (*slot).clone() }))
        } else {
            None
        }
    }

    /// Look until the part is on the stand, and return a copy of it.
    fn wait(&self) -> Vec<&'static str> {
        loop {
            if let Some(part) = self.read() {
                return part;
            }
            thread::yield_now(); // the part is not on the stand yet
        }
    }
}

fn main() {
    let (conductor, stand) = new_stand();
    let sections: Vec<_> = ["violins", "cellos"]
        .into_iter()
        .map(|name| {
            let stand = Arc::clone(&stand);
            thread::spawn(move || (name, stand.wait()))
        })
        .collect();
    thread::spawn(move || conductor.place(vec!["C4", "E4", "G4", "C5"]))
        .join()
        .unwrap();

    for section in sections {
        let (name, part) = section.join().unwrap();
        println!("{name}: read {} notes: {}", part.len(), part.join(" "));
    }
}
// ANCHOR_END: all

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    // The one write rests on these two, checked by the compiler: `place`
    // takes the `Conductor` by value...
    const _: fn(Conductor, Vec<&'static str>) = Conductor::place;

    // ...and there is no second `Conductor` to clone: were it `Clone`,
    // both impls would apply and `check` would be ambiguous.
    trait AmbiguousIfClone<A> {
        fn check() {}
    }
    impl<T> AmbiguousIfClone<()> for T {}
    impl<T: Clone> AmbiguousIfClone<u8> for T {}
    const _: fn() = <Conductor as AmbiguousIfClone<_>>::check;

    #[test]
    fn no_part_before_the_flag_and_the_whole_part_after_it() {
        let (conductor, stand) = new_stand();
        assert_eq!(stand.read(), None);
        conductor.place(vec!["A4", "B4"]);
        assert_eq!(stand.read(), Some(vec!["A4", "B4"]));
    }

    #[test]
    fn a_waiting_section_reads_the_whole_part() {
        let (report, watchdog) = mpsc::channel();
        for _rehearsal in 0..50 {
            let (conductor, stand) = new_stand();
            let report = report.clone();
            thread::spawn(move || report.send(stand.wait()).unwrap());
            thread::spawn(move || conductor.place(vec!["C4", "E4", "G4"]));
            let seen = watchdog.recv_timeout(Duration::from_secs(5));
            assert_eq!(seen, Ok(vec!["C4", "E4", "G4"]), "no part was read");
        }
    }
}

// ANCHOR: loom
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;

    const PART: [&str; 2] = ["C4", "E4"];

    /// Every execution loom's search reaches: the section waits until it sees
    /// the flag, reads the whole part, and loom finds no unordered access.
    #[test]
    fn acquire_reads_what_release_published() {
        loom::model(|| {
            let (conductor, stand) = new_stand();
            let placing = thread::spawn(move || conductor.place(PART.into()));
            let part = stand.wait();
            placing.join().unwrap();
            assert_eq!(part, PART);
        });
    }

    /// Broken twin: the listing's Release store, read with `Relaxed`.
    #[test]
    #[should_panic(expected = "Causality violation")]
    fn release_without_acquire_is_a_data_race() {
        loom::model(|| {
            let (conductor, stand) = new_stand();
            let placing = thread::spawn(move || conductor.place(PART.into()));
            if stand.ready.load(Ordering::Relaxed) {
                stand.part.with(|slot| unsafe { (*slot).clone() });
            }
            placing.join().unwrap();
        });
    }

    /// Broken twin: a `Relaxed` store, read by the listing's Acquire.
    #[test]
    #[should_panic(expected = "Causality violation")]
    fn acquire_without_release_is_a_data_race() {
        loom::model(|| {
            let (conductor, stand) = new_stand();
            let placing = thread::spawn(move || {
                let stand = conductor.stand;
                stand.part.with_mut(|slot| unsafe { *slot = PART.into() });
                stand.ready.store(true, Ordering::Relaxed);
            });
            stand.read();
            placing.join().unwrap();
        });
    }
}
// ANCHOR_END: loom
