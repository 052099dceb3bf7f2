// ANCHOR: all
use std::sync::{Barrier, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::thread;

/// One section's part: it keeps its read guard while it waits at the
/// barrier, and reads aloud once every section has arrived.
fn read_at_the_barrier(
    section: &str,
    score: &RwLock<Vec<&str>>,
    all_reading: &Barrier,
) -> usize {
    let bars: RwLockReadGuard<Vec<&str>> = score.read().unwrap();
    all_reading.wait();
    println!("{section}: reads {} bars", bars.len());
    bars.len()
}

fn read_together(score: &RwLock<Vec<&str>>, sections: &[&str]) -> Vec<usize> {
    // A barrier opens only when every section has reached it: it proves
    // they all hold a read guard at the same moment.
    let all_reading = &Barrier::new(sections.len());

    thread::scope(|s| {
        let readers: Vec<_> = sections
            .iter()
            .map(|&section| {
                s.spawn(move || {
                    read_at_the_barrier(section, score, all_reading)
                })
            })
            .collect();
        readers.into_iter().map(|r| r.join().unwrap()).collect()
    })
}

fn main() {
    let score = RwLock::new(vec!["C4", "E4", "G4", "C5"]);

    read_together(&score, &["violins", "violas", "cellos"]);

    {
        let reading = score.read().unwrap();
        let blocked = score.try_write().is_err();
        println!("arranger: a reader is in, so try_write fails: {blocked}");
        drop(reading);

        let mut bars: RwLockWriteGuard<Vec<&str>> = score.write().unwrap();
        bars.push("G5");
        println!("arranger: alone with the score, adds a bar");
    }

    read_together(&score, &["violins", "violas", "cellos"]);
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{mpsc, TryLockError};
    use std::time::Duration;

    #[test]
    fn many_readers_hold_the_score_at_once() {
        let (done, report) = mpsc::channel();
        thread::spawn(move || {
            let score = RwLock::new(vec!["C4", "E4"]);
            let sections = ["a", "b", "c", "d", "e", "f", "g", "h"];
            done.send(read_together(&score, &sections)).unwrap();
        });
        // The barrier would never open if the readers excluded each other.
        let counts = report
            .recv_timeout(Duration::from_secs(10))
            .expect("the readers did not all read at once");
        assert_eq!(counts, [2; 8]);
    }

    /// The test is the barrier's second party, so the section waits there
    /// alone. It keeps its read guard: 100 ms after the test first finds
    /// `try_write` refused, time for a section that had let go before the
    /// barrier to do so, it is refused still, and only once the barrier
    /// has opened and the section has read does it succeed.
    #[test]
    fn a_section_holds_its_read_guard_while_it_waits_at_the_barrier() {
        let (done, report) = mpsc::channel();
        thread::spawn(move || {
            let score = RwLock::new(vec!["C4", "E4"]);
            let all_reading = Barrier::new(2);
            let locked_out =
                || matches!(score.try_write(), Err(TryLockError::WouldBlock));
            let seen = thread::scope(|s| {
                let violins = s.spawn(|| {
                    read_at_the_barrier("violins", &score, &all_reading)
                });
                while !locked_out() {
                    thread::sleep(Duration::from_millis(1));
                }
                thread::sleep(Duration::from_millis(100));
                let still = locked_out();
                all_reading.wait();
                (still, violins.join().unwrap())
            });
            done.send((seen, locked_out())).unwrap();
        });
        let seen = report
            .recv_timeout(Duration::from_secs(10))
            .expect("the section's read guard was never seen held");
        assert_eq!(seen, ((true, 2), false), "let go before the barrier");
    }

    #[test]
    fn a_writer_excludes_readers_and_readers_exclude_writers() {
        let score = RwLock::new(vec!["C4"]);
        let reading = score.read().unwrap();
        assert!(score.try_read().is_ok());
        assert!(score.try_write().is_err());
        drop(reading);
        let writing = score.write().unwrap();
        assert!(score.try_read().is_err());
        drop(writing);
        assert!(score.try_write().is_ok());
    }
}
