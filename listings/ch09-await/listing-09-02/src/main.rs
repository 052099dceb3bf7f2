use std::sync::mpsc::{self, Receiver};
use std::thread::{self, ThreadId};
use std::time::Duration;

use tokio::task;
use tokio::time::{self, Instant};

// ANCHOR: all
/// Engraving is blocking work: the copyist blocks in `recv` until the next
/// page is handed over, then blocks in `sleep` while engraving it.
fn engrave(
    pages: Receiver<u32>,
    page_time: Duration,
    start: Instant,
) -> ThreadId {
    for page in pages {
        thread::sleep(page_time);
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms copyist: page {page} engraved");
    }
    thread::current().id()
}

async fn rehearse(pages: u32, page_time: Duration, beat: Duration) -> ThreadId {
    let start = Instant::now();
    let (hand_over, to_engrave) = mpsc::channel();
    // The blocking pool gives the copyist a thread of its own...
    let copyist =
        task::spawn_blocking(move || engrave(to_engrave, page_time, start));
    // ...so this future, on the runtime's only thread, keeps the beat and
    // hands over a page every second tap.
    for tap in 1..=2 * pages {
        time::sleep(beat).await;
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms drummer: tap");
        if tap % 2 == 0 {
            hand_over.send(tap / 2).unwrap();
        }
    }
    drop(hand_over); // no more pages: the copyist's loop ends
    copyist.await.unwrap()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (page, beat) = (Duration::from_millis(50), Duration::from_millis(30));
    let copyist = rehearse(3, page, beat).await;
    let conductor = thread::current().id();
    println!("copyist on its own thread: {}", copyist != conductor);
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::runtime::Builder;

    /// Runs `rehearse` on a `current_thread` runtime of its own, watched
    /// from outside: if the copyist blocked the runtime's thread, the pages
    /// it waits for could never be handed over, and the rehearsal would
    /// hang; the watchdog turns that into a failure.
    fn rehearse_watched(pages: u32) -> (ThreadId, ThreadId) {
        let (report, outcome) = mpsc::channel();
        thread::spawn(move || {
            let runtime =
                Builder::new_current_thread().enable_time().build().unwrap();
            let beat = Duration::from_millis(1);
            let copyist = runtime.block_on(rehearse(pages, beat, beat));
            report.send((copyist, thread::current().id())).unwrap();
        });
        outcome
            .recv_timeout(Duration::from_secs(10))
            .expect("the rehearsal hung: the drummer could not play")
    }

    #[test]
    fn the_drummer_plays_while_the_copyist_blocks() {
        // Each page reaches the copyist only after the drummer's taps, so
        // the rehearsal ends only if the drummer's task kept running while
        // the copyist was blocked.
        rehearse_watched(3);
    }

    #[test]
    fn the_copyist_works_on_another_thread() {
        let (copyist, conductor) = rehearse_watched(1);
        assert_ne!(copyist, conductor);
    }
}
