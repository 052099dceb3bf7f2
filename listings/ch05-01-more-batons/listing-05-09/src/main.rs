#[cfg(loom)]
use loom::sync::{Condvar, Mutex, MutexGuard};
use std::collections::VecDeque;
#[cfg(not(loom))]
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: all
/// A music stand with room for a few pages: a bounded queue.
struct MusicStand {
    pages: Mutex<Pages>,
    room: usize,
    not_full: Condvar,
    not_empty: Condvar,
}

struct Pages {
    queue: VecDeque<u32>,
    /// How many times anyone has gone to sleep at this stand.
    waits: u32,
}

impl MusicStand {
    fn new(room: usize) -> MusicStand {
        MusicStand {
            pages: Mutex::new(Pages {
                queue: VecDeque::new(),
                waits: 0,
            }),
            room,
            not_full: Condvar::new(),
            not_empty: Condvar::new(),
        }
    }

    /// Puts a page on the stand; returns whether it had to wait for room.
    fn put(&self, page: u32) -> bool {
        let mut pages: MutexGuard<Pages> = self.pages.lock().unwrap();
        let mut waited = false;
        while pages.queue.len() == self.room {
            pages.waits += 1;
            waited = true;
            pages = self.not_full.wait(pages).unwrap();
        }
        pages.queue.push_back(page);
        self.not_empty.notify_one();
        waited
    }

    /// Takes the oldest page, waiting while the stand is empty.
    fn take(&self) -> u32 {
        let mut pages: MutexGuard<Pages> = self.pages.lock().unwrap();
        while pages.queue.is_empty() {
            pages.waits += 1;
            pages = self.not_empty.wait(pages).unwrap();
        }
        let page = pages.queue.pop_front().unwrap();
        self.not_full.notify_one();
        page
    }
}

fn event(start: Instant, performer: &str, what: &str) {
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms {performer}: {what}");
}

fn main() {
    let stand = MusicStand::new(2);
    let start = Instant::now();

    thread::scope(|s| {
        s.spawn(|| {
            for page in 1..=4 {
                let waited = stand.put(page);
                let how = if waited {
                    " after waiting for room"
                } else {
                    ""
                };
                event(start, "copyist", &format!("puts page {page}{how}"));
            }
        });
        s.spawn(|| {
            for _ in 1..=4 {
                thread::sleep(Duration::from_millis(400)); // playing
                let page = stand.take();
                event(start, "player", &format!("takes page {page}"));
            }
        });
    });
}
// ANCHOR_END: all

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::mpsc::{self, TryRecvError};
    use std::sync::{Arc, PoisonError};

    /// Long enough to mean "never", short enough to fail fast.
    const HANG: Duration = Duration::from_secs(10);

    /// How many waits the stand has counted; a player that panicked with
    /// the lock held has poisoned it, and the count is still readable.
    fn waits(stand: &MusicStand) -> u32 {
        stand
            .pages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .waits
    }

    /// Polls the stand until `waits` reaches `n`. A performer counts its
    /// wait and falls asleep in one turn of the lock, so once the count is
    /// seen, whoever counted is asleep, or woken and checking again.
    fn await_waits(stand: &MusicStand, n: u32) {
        let deadline = Instant::now() + HANG;
        while waits(stand) < n {
            assert!(
                Instant::now() < deadline,
                "the stand never counted {n} waits"
            );
            thread::sleep(Duration::from_millis(1));
        }
    }

    /// Runs `part` on a thread of its own, waiting at most `HANG` for it:
    /// the test's own thread never blocks on the stand.
    fn watched<T: Send + 'static>(
        what: &str,
        part: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let (done, report) = mpsc::channel();
        thread::spawn(move || done.send(part()).unwrap());
        report
            .recv_timeout(HANG)
            .unwrap_or_else(|_| panic!("{what} hung"))
    }

    #[test]
    fn no_page_is_lost_and_each_copyist_keeps_its_order() {
        const PAGES: u32 = 300;
        let stand = Arc::new(MusicStand::new(2));
        for copyist in 0..3 {
            let stand = Arc::clone(&stand);
            thread::spawn(move || {
                for n in 0..PAGES {
                    stand.put(copyist * 1000 + n);
                }
            });
        }
        let (report, reports) = mpsc::channel();
        for _player in 0..3 {
            let (stand, report) = (Arc::clone(&stand), report.clone());
            thread::spawn(move || {
                let taken: Vec<u32> =
                    (0..PAGES).map(|_| stand.take()).collect();
                report.send(taken).unwrap();
            });
        }
        let mut all = Vec::new();
        for _ in 0..3 {
            let taken = reports
                .recv_timeout(HANG)
                .expect("a player never got all its pages: a lost wake-up");
            for copyist in 0..3 {
                let from = |p: &&u32| **p / 1000 == copyist;
                let theirs: Vec<&u32> = taken.iter().filter(from).collect();
                assert!(theirs.is_sorted(), "copyist {copyist} out of order");
            }
            all.extend(taken);
        }
        all.sort();
        let put: Vec<u32> = (0..3)
            .flat_map(|c| (0..PAGES).map(move |n| c * 1000 + n))
            .collect();
        assert_eq!(all, put, "a page was lost or taken twice");
    }

    #[test]
    fn the_copyist_waits_while_the_stand_is_full() {
        let stand = Arc::new(MusicStand::new(2));
        let (report, reports) = mpsc::channel();
        let copyist = Arc::clone(&stand);
        thread::spawn(move || {
            let waited: Vec<bool> = (1..=3).map(|p| copyist.put(p)).collect();
            report.send(waited).unwrap();
        });
        await_waits(&stand, 1);
        // The copyist is asleep in `put`, and page 3 is not on the stand.
        assert_eq!(stand.pages.lock().unwrap().queue, [1, 2]);
        let player = Arc::clone(&stand);
        assert_eq!(watched("take", move || player.take()), 1);
        let waited = reports
            .recv_timeout(HANG)
            .expect("the copyist was never woken to put page 3");
        assert_eq!(waited, [false, false, true]);
        assert_eq!(stand.pages.lock().unwrap().queue, [2, 3]);
    }

    /// Starts `part` on a thread of its own and, once it is asleep at a
    /// fresh `stand`, wakes everyone on `bell` with nothing changed, as a
    /// spurious wake-up would. Returns whether `part` went back to sleep;
    /// `false` if it returned or panicked instead.
    fn sleeps_again_after_a_false_wake<T: Send + 'static>(
        stand: &Arc<MusicStand>,
        bell: fn(&MusicStand) -> &Condvar,
        part: impl FnOnce(&MusicStand) -> T + Send + 'static,
    ) -> (bool, mpsc::Receiver<T>) {
        let (report, reports) = mpsc::channel();
        let performer = Arc::clone(stand);
        thread::spawn(move || report.send(part(&performer)).unwrap());
        await_waits(stand, 1);
        bell(stand).notify_all(); // nothing changed: a false wake-up
        let deadline = Instant::now() + HANG;
        while waits(stand) < 2 {
            if !matches!(reports.try_recv(), Err(TryRecvError::Empty)) {
                return (false, reports);
            }
            assert!(
                Instant::now() < deadline,
                "the performer neither slept again nor gave up"
            );
            thread::sleep(Duration::from_millis(1));
        }
        (true, reports)
    }

    /// A player at an empty stand, falsely woken; page 7 arrives only
    /// once it has gone back to sleep. Returns the page it took, or
    /// `None` if it did not go back to sleep.
    fn take_after_a_false_wake(take: fn(&MusicStand) -> u32) -> Option<u32> {
        let stand = Arc::new(MusicStand::new(2));
        let (slept, reports) = sleeps_again_after_a_false_wake(
            &stand,
            |stand| &stand.not_empty,
            take,
        );
        if !slept {
            return None;
        }
        let copyist = Arc::clone(&stand);
        watched("putting page 7", move || copyist.put(7));
        reports.recv_timeout(HANG).ok()
    }

    /// A copyist at a full stand, falsely woken. Returns whether it went
    /// back to sleep, and what the stand held when it came back.
    fn put_after_a_false_wake(
        put: fn(&MusicStand, u32) -> bool,
    ) -> (bool, VecDeque<u32>) {
        let stand = Arc::new(MusicStand::new(2));
        stand.pages.lock().unwrap().queue.extend([1, 2]);
        let (slept, reports) = sleeps_again_after_a_false_wake(
            &stand,
            |stand| &stand.not_full,
            move |stand| put(stand, 3),
        );
        if slept {
            let player = Arc::clone(&stand);
            watched("take", move || player.take());
            reports.recv_timeout(HANG).expect("page 3 never went on");
        }
        let queue = stand.pages.lock().unwrap().queue.clone();
        (slept, queue)
    }

    /// The broken twin: `if` checks the stand once, so a wake-up with the
    /// stand still empty reaches for a page that is not there.
    fn take_with_if(stand: &MusicStand) -> u32 {
        let mut pages = stand.pages.lock().unwrap();
        if pages.queue.is_empty() {
            pages.waits += 1;
            pages = stand.not_empty.wait(pages).unwrap();
        }
        let page = pages.queue.pop_front().unwrap();
        stand.not_full.notify_one();
        page
    }

    /// The broken twin of `put`: a wake-up with the stand still full puts
    /// a third page on a stand with room for two.
    fn put_with_if(stand: &MusicStand, page: u32) -> bool {
        let mut pages = stand.pages.lock().unwrap();
        let waited = pages.queue.len() == stand.room;
        if waited {
            pages.waits += 1;
            pages = stand.not_full.wait(pages).unwrap();
        }
        pages.queue.push_back(page);
        stand.not_empty.notify_one();
        waited
    }

    #[test]
    fn a_false_wake_sends_the_player_back_to_sleep() {
        assert_eq!(take_after_a_false_wake(MusicStand::take), Some(7));
    }

    #[test]
    fn the_if_twin_is_fooled_by_a_false_wake() {
        assert_eq!(take_after_a_false_wake(take_with_if), None);
    }

    #[test]
    fn a_false_wake_sends_the_copyist_back_to_sleep() {
        assert_eq!(
            put_after_a_false_wake(MusicStand::put),
            (true, [2, 3].into())
        );
    }

    #[test]
    fn the_if_twin_overfills_the_stand_on_a_false_wake() {
        assert_eq!(
            put_after_a_false_wake(put_with_if),
            (false, [1, 2, 3].into())
        );
    }
}

/// Under `--cfg loom`: the listing's stand, under every interleaving of
/// its threads' lock and condition-variable operations that loom's search
/// reaches.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    // Loom models the stand's lock and condition variables; std's `Arc`
    // only shares the stand.
    use std::sync::Arc;

    /// Two copyists, one page each, `put` on a stand with room for one.
    /// Both pages can be on it at once only before the player's first
    /// take, so she looks at the stand then.
    fn two_copyists_and_a_player(put: fn(&MusicStand, u32) -> bool) {
        loom::model(move || {
            let stand = Arc::new(MusicStand::new(1));
            let copyists = [1, 2].map(|page| {
                let stand = Arc::clone(&stand);
                loom::thread::spawn(move || put(&stand, page))
            });
            let on_it = stand.pages.lock().unwrap().queue.len();
            assert!(on_it <= stand.room, "{on_it} pages on the stand");
            let mut taken = [stand.take(), stand.take()];
            for copyist in copyists {
                copyist.join().unwrap();
            }
            taken.sort();
            assert_eq!(taken, [1, 2]);
        });
    }

    #[test]
    fn two_copyists_never_overfill_the_stand() {
        two_copyists_and_a_player(MusicStand::put);
    }

    /// Broken twin: `put` lets the lock go between finding room and
    /// putting its page, and locks again to put it.
    fn split_put(stand: &MusicStand, page: u32) -> bool {
        let mut pages = stand.pages.lock().unwrap();
        while pages.queue.len() == stand.room {
            pages = stand.not_full.wait(pages).unwrap();
        }
        drop(pages);
        stand.pages.lock().unwrap().queue.push_back(page);
        stand.not_empty.notify_one();
        false
    }

    #[test]
    #[should_panic(expected = "2 pages on the stand")]
    fn the_model_catches_a_put_split_in_two() {
        two_copyists_and_a_player(split_put);
    }
}
