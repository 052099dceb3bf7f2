use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{sleep, Instant};

// ANCHOR: all
/// The music stand holds this many pages; a copyist who gets further
/// ahead waits in `send` until the player takes one.
const ROOM: usize = 2;

/// A page number, and the millisecond at which something happened to it.
type Moment = (u32, u128);

/// The copyist is fast: each page is ready at once. Returns when each
/// page was placed on the stand, that is, when its `send` completed.
async fn copyist(
    stand: mpsc::Sender<u32>,
    pages: u32,
    start: Instant,
) -> Vec<Moment> {
    let mut placed = Vec::new();
    for page in 1..=pages {
        stand.send(page).await.expect("the player is still there");
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms copyist: page {page} on the stand");
        placed.push((page, ms));
    }
    placed
} // `stand` is dropped here: the last sender is gone

/// The player is slow: a bar passes before it reaches for each page.
async fn player(
    mut stand: mpsc::Receiver<u32>,
    bar: Duration,
    start: Instant,
) -> Vec<Moment> {
    let mut taken = Vec::new();
    loop {
        sleep(bar).await;
        let Some(page) = stand.recv().await else {
            break; // every sender is gone and the stand is empty
        };
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms player: takes page {page}");
        taken.push((page, ms));
    }
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms player: stand empty, copyist gone: fine");
    taken
}

async fn rehearsal(pages: u32, bar: Duration) -> (Vec<Moment>, Vec<Moment>) {
    let start = Instant::now();
    let (stand, reach) = mpsc::channel(ROOM);
    let playing = tokio::spawn(player(reach, bar, start));
    let placed = copyist(stand, pages, start).await;
    (placed, playing.await.unwrap())
}

#[tokio::main]
async fn main() {
    rehearsal(5, Duration::from_millis(100)).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    const BAR: Duration = Duration::from_secs(1);
    const LIMIT: Duration = Duration::from_secs(60);

    /// What backpressure promises: every page arrives, in order, and page
    /// `k + room` is placed no earlier than page `k` is taken.
    fn waited_for_room(
        placed: &[Moment],
        taken: &[Moment],
        room: usize,
    ) -> Result<(), String> {
        let pages = |moments: &[Moment]| -> Vec<u32> {
            moments.iter().map(|m| m.0).collect()
        };
        if pages(placed) != pages(taken) {
            return Err(format!(
                "pages lost: placed {placed:?}, taken {taken:?}"
            ));
        }
        for (later, earlier) in placed.iter().skip(room).zip(taken) {
            if later.1 < earlier.1 {
                return Err(format!(
                    "page {} was placed at {}ms, before page {} was taken \
                     at {}ms",
                    later.0, later.1, earlier.0, earlier.1
                ));
            }
        }
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn the_third_page_waits_until_the_first_is_taken() {
        let (placed, taken) = timeout(LIMIT, rehearsal(5, BAR))
            .await
            .expect("the rehearsal ends when the copyist leaves");
        assert_eq!(
            placed,
            [(1, 0), (2, 0), (3, 1000), (4, 2000), (5, 3000)],
            "two pages fit at once; each later one waits for a free slot"
        );
        assert_eq!(
            taken,
            [(1, 1000), (2, 2000), (3, 3000), (4, 4000), (5, 5000)]
        );
        assert_eq!(waited_for_room(&placed, &taken, ROOM), Ok(()));
    }

    /// Broken twin: the same two parts over an unbounded channel.
    async fn rehearsal_unbounded(pages: u32) -> (Vec<Moment>, Vec<Moment>) {
        let start = Instant::now();
        let (stand, mut reach) = mpsc::unbounded_channel();
        let playing = tokio::spawn(async move {
            let mut taken = Vec::new();
            loop {
                sleep(BAR).await;
                let Some(page) = reach.recv().await else {
                    break;
                };
                taken.push((page, start.elapsed().as_millis()));
            }
            taken
        });
        let mut placed = Vec::new();
        for page in 1..=pages {
            stand.send(page).expect("the player is still there");
            placed.push((page, start.elapsed().as_millis()));
        }
        drop(stand);
        (placed, playing.await.unwrap())
    }

    /// Broken twin: `try_send`, with its `Full` error ignored.
    async fn rehearsal_try_send(pages: u32) -> (Vec<Moment>, Vec<Moment>) {
        let start = Instant::now();
        let (stand, reach) = mpsc::channel(ROOM);
        let playing = tokio::spawn(player(reach, BAR, start));
        let mut placed = Vec::new();
        for page in 1..=pages {
            let _ = stand.try_send(page);
            placed.push((page, start.elapsed().as_millis()));
        }
        drop(stand);
        (placed, playing.await.unwrap())
    }

    #[tokio::test(start_paused = true)]
    async fn an_unbounded_channel_never_holds_the_copyist_back() {
        let (placed, taken) = timeout(LIMIT, rehearsal_unbounded(5))
            .await
            .expect("the twin ends");
        assert!(placed.iter().all(|&(_, ms)| ms == 0), "{placed:?}");
        assert_eq!(taken.len(), 5, "nothing is lost, just piled up");
        let verdict = waited_for_room(&placed, &taken, ROOM).unwrap_err();
        assert!(verdict.starts_with("page 3 was placed at 0ms"), "{verdict}");
    }

    #[tokio::test(start_paused = true)]
    async fn try_send_ignoring_full_loses_pages_instead_of_waiting() {
        let (placed, taken) = timeout(LIMIT, rehearsal_try_send(5))
            .await
            .expect("the twin ends");
        assert_eq!(taken, [(1, 1000), (2, 2000)], "pages 3 to 5 were lost");
        let verdict = waited_for_room(&placed, &taken, ROOM).unwrap_err();
        assert!(verdict.starts_with("pages lost"), "{verdict}");
    }
}
