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
fn play_pages(desk: Receiver<u32>, bar: Duration, mut took: impl FnMut(u32)) {
    thread::sleep(bar);
    for page in desk {
        took(page);
        thread::sleep(bar);
    }
}

/// Both pairs rehearse at once, four pages each, over channels of their
/// own; `say` hears who sent or took which page.
fn rehearse(bar: Duration, say: impl Fn(&str, &str, u32) + Sync) {
    let say = &say;
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

fn main() {
    let start = Instant::now();
    rehearse(Duration::from_millis(100), |who, what, page| {
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms {who}: {what} page {page}");
    });
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::{RecvTimeoutError, Sender};
    use std::sync::{Arc, RwLock};
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

    /// Where the test holds each reader, with a page in hand: the violins
    /// at page 1, the pianist at page 2.
    const HELD: [(&str, u32); 2] = [("violins", 1), ("pianist", 2)];

    /// Receives events until every one of `expected` has come, in any
    /// order, then requires `QUIET` with no other. Returns them as received.
    fn exactly(
        events: &Receiver<String>,
        expected: &[&str],
    ) -> Result<Vec<String>, String> {
        let mut heard = Vec::new();
        let mut missing = expected.to_vec();
        while !missing.is_empty() {
            let event = events
                .recv_timeout(WATCHDOG)
                .map_err(|_| format!("still waiting for {missing:?}"))?;
            match missing.iter().position(|&m| m == event) {
                Some(found) => missing.remove(found),
                None => return Err(format!("unexpected `{event}`")),
            };
            heard.push(event);
        }
        match events.recv_timeout(QUIET) {
            Err(RecvTimeoutError::Timeout) => Ok(heard),
            other => Err(format!("after {expected:?}: {other:?}")),
        }
    }

    #[test]
    fn rehearse_gives_each_pair_its_own_channel_and_ends() {
        let door = Arc::new(RwLock::new(()));
        let shut = door.write().unwrap();
        let (report, events) = mpsc::channel();
        let rehearsal = {
            let door = Arc::clone(&door);
            move || {
                rehearse(Duration::ZERO, |who, what, page| {
                    report.send(format!("{who}: {what} page {page}")).unwrap();
                    let held = HELD.contains(&(who, page));
                    if what == "took" && held {
                        drop(door.read()); // waits while the door is shut
                    }
                });
                report.send("over".to_string()).unwrap();
            }
        };
        thread::spawn(rehearsal);

        // With the readers held, each writer is as far ahead as its own
        // channel allows: two pages on the stand, none in the hand.
        let ahead = exactly(
            &events,
            &[
                "copyist: sent page 1",
                "copyist: sent page 2",
                "violins: took page 1",
                "copyist: sent page 3",
                "turner: sent page 1",
                "pianist: took page 1",
                "turner: sent page 2",
                "pianist: took page 2",
            ],
        );
        drop(shut);
        let mut heard = ahead.unwrap();
        loop {
            let event = events.recv_timeout(WATCHDOG).expect("it never ended");
            if event == "over" {
                break;
            }
            heard.push(event);
        }

        // Every writer's senders were dropped, so every reader's loop ended
        // after page 4, and each performer kept its own order.
        for performer in [
            "copyist: sent",
            "violins: took",
            "turner: sent",
            "pianist: took",
        ] {
            let own: Vec<String> = heard
                .iter()
                .filter(|event| event.starts_with(performer))
                .cloned()
                .collect();
            let pages: Vec<String> = (1..=4)
                .map(|page| format!("{performer} page {page}"))
                .collect();
            assert_eq!(own, pages);
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
