// ANCHOR: all
use std::cell::Cell;
use std::sync::{Mutex, PoisonError};
use std::thread::{self, JoinHandle};

/// The orchestra's library: one for everybody, so it sits behind a lock.
static LIBRARY: Mutex<Vec<(String, u32)>> = Mutex::new(Vec::new());

/// A section's own stand, set up the first time the section uses it.
struct Stand {
    section: String,
    bars: Cell<u32>,
}

impl Stand {
    fn set_up() -> Stand {
        let section = thread::current().name().unwrap_or("?").to_string();
        Stand {
            section,
            bars: Cell::new(0),
        }
    }
}

impl Drop for Stand {
    /// Runs on the section's own thread as it exits: the stand is handed
    /// in. A panic here would abort the process, so a poisoned library
    /// is used as it is.
    fn drop(&mut self) {
        let handed_in = (std::mem::take(&mut self.section), self.bars.get());
        let mut library =
            LIBRARY.lock().unwrap_or_else(PoisonError::into_inner);
        library.push(handed_in);
    }
}

thread_local! {
    static STAND: Stand = Stand::set_up();
}

fn play_bar() {
    STAND.with(|stand| stand.bars.set(stand.bars.get() + 1));
}

/// Starts a named section for each part, playing its bars, and joins them
/// all: once this returns, every stand has been handed in.
fn play_parts(parts: &[(&str, u32)]) {
    let sections: Vec<JoinHandle<()>> = parts
        .iter()
        .map(|&(name, bars)| {
            thread::Builder::new()
                .name(name.to_string())
                .spawn(move || (0..bars).for_each(|_| play_bar()))
                .unwrap()
        })
        .collect();
    for section in sections {
        section.join().unwrap(); // waits for its stand's destructor too
    }
}

fn main() {
    let parts = [("violins", 3), ("cellos", 5), ("harp", 0)];
    play_parts(&parts);
    let mut handed_in = LIBRARY.lock().unwrap().clone();
    handed_in.sort();
    for (section, bars) in &handed_in {
        println!("library: {section} handed in a stand with {bars} bars");
    }
    let (stands, sections) = (handed_in.len(), parts.len());
    println!("library: {stands} stands came back from {sections} sections");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;
    use std::sync::mpsc::{self, RecvTimeoutError};
    use std::time::Duration;

    const WATCHDOG: Duration = Duration::from_secs(10);

    /// What the library holds from the section named `name`. Tests run at
    /// the same time and share the library, so each names its own sections.
    fn handed_in_by(name: &str) -> Vec<u32> {
        let library = LIBRARY.lock().unwrap();
        library
            .iter()
            .filter(|(section, _)| section == name)
            .map(|&(_, bars)| bars)
            .collect()
    }

    /// Starts a section named `name` that runs `part`, and joins it under
    /// a watchdog. Returns what `part` returned.
    fn perform<T: Send + 'static>(
        name: &str,
        part: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let (report, watchdog) = mpsc::channel();
        let name = name.to_string();
        thread::spawn(move || {
            let section = thread::Builder::new().name(name).spawn(part);
            report.send(section.unwrap().join().unwrap()).unwrap();
        });
        watchdog
            .recv_timeout(WATCHDOG)
            .expect("the section never ended")
    }

    #[test]
    fn a_stand_is_handed_in_as_its_thread_exits_and_join_waits_for_it() {
        let before_exit = perform("test-tuba", || {
            (0..4).for_each(|_| play_bar());
            handed_in_by("test-tuba")
        });
        assert_eq!(before_exit, Vec::<u32>::new(), "handed in too early");
        assert_eq!(handed_in_by("test-tuba"), [4], "after join");
    }

    /// A stand that takes its time to be handed in: its destructor rests
    /// 200 ms before the `Stand` inside it is dropped and pushed.
    struct SlowStand(Stand);

    impl Drop for SlowStand {
        fn drop(&mut self) {
            thread::sleep(Duration::from_millis(200));
        }
    }

    thread_local! {
        static SLOW_STAND: SlowStand = SlowStand(Stand::set_up());
    }

    #[test]
    fn join_waits_even_for_a_slow_destructor() {
        perform("test-harp", || SLOW_STAND.with(|slow| slow.0.bars.set(3)));
        assert_eq!(handed_in_by("test-harp"), [3], "join came back first");
    }

    #[test]
    fn each_section_hands_in_its_own_count() {
        perform("test-oboe", || (0..2).for_each(|_| play_bar()));
        perform("test-bassoon", || (0..7).for_each(|_| play_bar()));
        assert_eq!(handed_in_by("test-oboe"), [2]);
        assert_eq!(handed_in_by("test-bassoon"), [7]);
    }

    /// How long `play_parts` is watched while it must not return.
    const QUIET: Duration = Duration::from_millis(300);

    #[test]
    fn play_parts_returns_only_once_every_stand_is_handed_in() {
        // While the test holds the library's lock, the sections can finish
        // playing, but no stand's destructor can hand it in.
        let library = LIBRARY.lock().unwrap();
        let (report, returned) = mpsc::channel();
        thread::spawn(move || {
            play_parts(&[("test-viola", 2), ("test-flute", 1)]);
            report.send(()).unwrap();
        });
        let early = returned.recv_timeout(QUIET);
        drop(library);
        assert_eq!(early, Err(RecvTimeoutError::Timeout), "returned early");
        let late = returned.recv_timeout(WATCHDOG);
        assert_eq!(late, Ok(()), "it never returned");
        assert_eq!(handed_in_by("test-viola"), [2]);
        assert_eq!(handed_in_by("test-flute"), [1]);
    }

    /// Set in the child process that poisons the library.
    const POISONED: &str = "LISTING_03_14_POISONED_LIBRARY";

    /// A poisoned library stays poisoned for every test that shares it,
    /// so this one plays in a child process: this test's own executable,
    /// running this test alone. A destructor that panicked would abort it.
    #[test]
    fn a_stand_is_handed_in_to_a_poisoned_library() {
        if std::env::var_os(POISONED).is_some() {
            let spill = thread::spawn(|| {
                let _library = LIBRARY.lock().unwrap();
                panic!("a section drops the shelf while it holds the lock");
            });
            assert!(spill.join().is_err() && LIBRARY.is_poisoned());
            perform("test-cello", || (0..6).for_each(|_| play_bar()));
            let library = LIBRARY.lock().unwrap_err().into_inner();
            assert_eq!(library[..], [("test-cello".to_string(), 6)]);
            return;
        }
        let child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "tests::a_stand_is_handed_in_to_a_poisoned_library",
            ])
            .env(POISONED, "1")
            .output()
            .expect("the test executable runs again");
        let stdout = String::from_utf8_lossy(&child.stdout);
        let stderr = String::from_utf8_lossy(&child.stderr);
        assert!(
            child.status.success() && stdout.contains("1 passed"),
            "the child did not pass:\n{stdout}\n{stderr}"
        );
    }

    #[test]
    fn a_section_that_never_plays_sets_up_no_stand() {
        perform("test-triangle", || ());
        assert_eq!(handed_in_by("test-triangle"), Vec::<u32>::new());
    }
}
