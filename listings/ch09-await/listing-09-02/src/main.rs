use std::thread::{self, ThreadId};
use std::time::Duration;

use tokio::task;
use tokio::time::{self, Instant};

// ANCHOR: all
/// Engraving a page is slow, blocking work: it holds its thread.
fn engrave(pages: u32, page_time: Duration, start: Instant) -> ThreadId {
    for page in 1..=pages {
        thread::sleep(page_time);
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms copyist: page {page} engraved");
    }
    thread::current().id()
}

async fn rehearse(pages: u32, page_time: Duration, beat: Duration) -> ThreadId {
    let start = Instant::now();
    // The blocking pool gives the copyist a thread of its own...
    let copyist =
        task::spawn_blocking(move || engrave(pages, page_time, start));
    // ...so this task, on the runtime's only thread, keeps the beat.
    for _ in 0..5 {
        time::sleep(beat).await;
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms drummer: tap");
    }
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
    use std::sync::mpsc;

    #[tokio::test]
    async fn the_copyist_works_on_another_thread() {
        let copyist = time::timeout(
            Duration::from_secs(5),
            rehearse(1, Duration::ZERO, Duration::ZERO),
        )
        .await
        .expect("the rehearsal ended");
        assert_ne!(copyist, thread::current().id());
    }

    #[tokio::test]
    async fn the_ensemble_plays_while_the_copyist_blocks() {
        // The blocking job waits for a cue that only a task on the runtime's
        // one thread can give, so it finishes only if that thread is free.
        let (cue, wait_for_cue) = mpsc::channel();
        let copyist = task::spawn_blocking(move || {
            wait_for_cue.recv_timeout(Duration::from_secs(5))
        });
        task::spawn(async move { cue.send("drummer: tap").unwrap() });
        let heard = time::timeout(Duration::from_secs(5), copyist)
            .await
            .expect("the copyist finished")
            .unwrap();
        assert_eq!(heard, Ok("drummer: tap"));
    }
}
