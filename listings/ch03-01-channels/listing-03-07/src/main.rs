// ANCHOR: all
use std::sync::mpsc::{self, Receiver, SendError, SyncSender};
use std::thread;
use std::time::{Duration, Instant};

/// The copyist is fast: every page is ready at once. `sent` hears of
/// each page as soon as its `send` has returned.
fn copy_pages(
    stand: SyncSender<u32>,
    pages: u32,
    mut sent: impl FnMut(u32),
) -> Result<(), SendError<u32>> {
    for page in 1..=pages {
        stand.send(page)?; // blocks while the stand is full
        sent(page);
    }
    Ok(())
}

/// Room on the violins' stand: the copyist may be two pages ahead.
const STAND: usize = 2;
/// Room in the turner's hand: none, so every page is a rendezvous.
const HAND_TO_HAND: usize = 0;

/// The player is slow: a bar passes before it reaches for each page.
fn play_pages(stand: Receiver<u32>, bar: Duration, mut took: impl FnMut(u32)) {
    thread::sleep(bar);
    for page in stand {
        took(page);
        thread::sleep(bar);
    }
}

fn main() {
    let start = Instant::now();
    let say = move |who: &str, what: &str, page: u32| {
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms {who}: {what} page {page}");
    };
    let bar = Duration::from_millis(100);
    thread::scope(|s| {
        for (writer, reader, room) in [
            ("copyist", "violins", STAND),
            ("turner", "pianist", HAND_TO_HAND),
        ] {
            let (stand, desk) = mpsc::sync_channel(room);
            s.spawn(move || {
                copy_pages(stand, 4, |page| say(writer, "sent", page))
                    .expect("the reader stays to the end")
            });
            s.spawn(move || {
                play_pages(desk, bar, |page| say(reader, "took", page))
            });
        }
    });
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::{RecvTimeoutError, Sender};
    use std::thread::JoinHandle;

    const WATCHDOG: Duration = Duration::from_secs(10);
    /// How long a send that must not complete is given to complete.
    const QUIET: Duration = Duration::from_millis(300);

    type Copyist = JoinHandle<Result<(), SendError<u32>>>;

    struct CopyistAlone {
        copyist: Copyist,
        progress: Receiver<u32>,
        desk: Receiver<u32>,
    }

    /// A copyist that nobody reads yet. `progress` hears of every send
    /// that returned; `desk`, the receiver, is kept but not read.
    fn copyist_alone(room: usize, pages: u32) -> CopyistAlone {
        let (stand, desk) = mpsc::sync_channel(room);
        let (report, progress) = mpsc::channel();
        let copyist = thread::spawn(move || {
            copy_pages(stand, pages, |page| report.send(page).unwrap())
        });
        CopyistAlone {
            copyist,
            progress,
            desk,
        }
    }

    /// The check: pages 1 to `done` were sent, and the next send has not
    /// returned while nobody was receiving.
    fn sent_exactly(progress: &Receiver<u32>, done: u32) -> Result<(), String> {
        for page in 1..=done {
            match progress.recv_timeout(WATCHDOG) {
                Ok(sent) if sent == page => {}
                other => return Err(format!("page {page}: {other:?}")),
            }
        }
        match progress.recv_timeout(QUIET) {
            Err(RecvTimeoutError::Timeout) => Ok(()),
            other => {
                Err(format!("after page {done}, nobody reading: {other:?}"))
            }
        }
    }

    #[test]
    fn the_stand_holds_the_copyist_at_two_pages_ahead() {
        let alone = copyist_alone(STAND, 10);
        assert_eq!(sent_exactly(&alone.progress, 2), Ok(()));
        for page in 1..=3 {
            assert_eq!(alone.desk.recv(), Ok(page));
            // One page taken makes room for exactly one more.
            assert_eq!(alone.progress.recv_timeout(WATCHDOG), Ok(page + 2));
            let next = alone.progress.recv_timeout(QUIET);
            assert_eq!(next, Err(RecvTimeoutError::Timeout));
        }
    }

    #[test]
    fn the_turners_send_returns_only_when_a_recv_takes_it() {
        let alone = copyist_alone(HAND_TO_HAND, 10);
        assert_eq!(sent_exactly(&alone.progress, 0), Ok(()));
        for page in 1..=3 {
            assert_eq!(alone.desk.recv(), Ok(page));
            assert_eq!(alone.progress.recv_timeout(WATCHDOG), Ok(page));
            let next = alone.progress.recv_timeout(QUIET);
            assert_eq!(next, Err(RecvTimeoutError::Timeout));
        }
    }

    #[test]
    fn the_copyist_stops_when_the_reader_leaves() {
        let alone = copyist_alone(2, 10);
        assert_eq!(sent_exactly(&alone.progress, 2), Ok(()));
        drop(alone.desk); // wakes the blocked send with an error
        let (done, stopped) = mpsc::channel();
        let copyist = alone.copyist;
        thread::spawn(move || done.send(copyist.join().unwrap()).unwrap());
        let stopped = stopped.recv_timeout(WATCHDOG);
        assert_eq!(stopped, Ok(Err(SendError(3))), "page 3 comes back");
    }

    /// Broken twin: the same copyist over an unbounded `channel`.
    fn copy_pages_unbounded(
        stand: Sender<u32>,
        pages: u32,
        mut sent: impl FnMut(u32),
    ) -> Result<(), SendError<u32>> {
        for page in 1..=pages {
            stand.send(page)?;
            sent(page);
        }
        Ok(())
    }

    #[test]
    fn the_check_rejects_an_unbounded_channel() {
        let (stand, _desk) = mpsc::channel();
        let (report, progress) = mpsc::channel();
        // It never blocks, so it finishes with nobody reading.
        copy_pages_unbounded(stand, 5, |page| report.send(page).unwrap())
            .unwrap();
        let verdict = sent_exactly(&progress, 2).unwrap_err();
        assert_eq!(verdict, "after page 2, nobody reading: Ok(3)");
    }

    #[test]
    fn the_check_rejects_a_stand_of_one_as_a_rendezvous() {
        let alone = copyist_alone(1, 1);
        // One page fits on a stand of one: the copyist finishes unread.
        assert_eq!(alone.copyist.join().unwrap(), Ok(()));
        let verdict = sent_exactly(&alone.progress, 0).unwrap_err();
        assert_eq!(verdict, "after page 0, nobody reading: Ok(1)");
    }
}
