use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{sleep, Instant};
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::{Stream, StreamExt};

// ANCHOR: all
/// The stand holds one page; a copyist who is ahead waits in `send`.
const ROOM: usize = 1;

/// Who wrote a page, and the note on it.
type Page = (&'static str, &'static str);

/// Writes one page per `pace`; returns the millisecond it left.
async fn copyist(
    name: &'static str,
    notes: &'static [&'static str],
    pace: Duration,
    stand: mpsc::Sender<Page>,
    start: Instant,
) -> u128 {
    for &note in notes {
        sleep(pace).await;
        stand.send((name, note)).await.expect("the player is there");
    }
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms {name}: done, pen down");
    ms
} // this copyist's `Sender` is dropped here

/// Plays any stream of pages until it ends. It does not know, or need
/// to know, that a channel is behind it.
async fn player(
    mut pages: impl Stream<Item = Page> + Unpin,
    start: Instant,
) -> (Vec<(u128, Page)>, u128) {
    let mut heard = Vec::new();
    while let Some((from, note)) = pages.next().await {
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms player: {note} from {from}");
        heard.push((ms, (from, note)));
    }
    let end = start.elapsed().as_millis();
    println!("@{end}ms player: None, every copyist has left");
    (heard, end)
}

/// Returns what the player heard, when its stream ended, and when each
/// copyist left.
async fn rehearsal(pace: Duration) -> (Vec<(u128, Page)>, u128, [u128; 2]) {
    let start = Instant::now();
    let (stand, reach) = mpsc::channel(ROOM);
    let a = copyist("copyist-a", &["C4", "E4"], pace * 2, stand.clone(), start);
    let b = copyist("copyist-b", &["G4", "C5"], pace * 3, stand, start);
    let (a, b) = (tokio::spawn(a), tokio::spawn(b));
    let (heard, end) = player(ReceiverStream::new(reach), start).await;
    (heard, end, [a.await.unwrap(), b.await.unwrap()])
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    rehearsal(Duration::from_millis(400)).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    const PACE: Duration = Duration::from_secs(1);
    const LIMIT: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn the_stream_ends_when_the_last_copyist_leaves() {
        let (heard, end, left) = timeout(LIMIT, rehearsal(PACE))
            .await
            .expect("the stream ends");
        assert_eq!(
            heard,
            [
                (2000, ("copyist-a", "C4")),
                (3000, ("copyist-b", "G4")),
                (4000, ("copyist-a", "E4")),
                (6000, ("copyist-b", "C5")),
            ]
        );
        assert_eq!(left, [4000, 6000]);
        assert_eq!(end, 6000, "not at 4000 ms, when only copyist-a left");
    }

    /// Nobody reads the stand: copyist-a puts C4 on it at 1,000 ms, then
    /// waits in `send` with E4 until the test takes C4, at 10,000 ms.
    #[tokio::test(start_paused = true)]
    async fn a_copyist_who_is_ahead_waits_for_room() {
        let start = Instant::now();
        let (stand, mut reach) = mpsc::channel(ROOM);
        let a = copyist("copyist-a", &["C4", "E4"], PACE, stand, start);
        let a = tokio::spawn(a);
        sleep(PACE * 10).await;
        assert!(!a.is_finished(), "copyist-a left, a page still unread");
        assert_eq!(reach.recv().await, Some(("copyist-a", "C4")));
        let left = timeout(LIMIT, a).await.expect("copyist-a leaves");
        assert_eq!(left.unwrap(), 10_000, "when its last page found room");
        assert_eq!(reach.recv().await, Some(("copyist-a", "E4")));
    }

    /// Broken twin: the rehearsal keeps its own `Sender` while it plays.
    #[tokio::test(start_paused = true)]
    async fn a_sender_kept_alive_means_the_stream_never_ends() {
        let start = Instant::now();
        let (stand, reach) = mpsc::channel(ROOM);
        let a = copyist("copyist-a", &["C4"], PACE, stand.clone(), start);
        let b = copyist("copyist-b", &["G4"], PACE, stand.clone(), start);
        let (a, b) = (tokio::spawn(a), tokio::spawn(b));
        let playing = player(ReceiverStream::new(reach), start);
        assert!(timeout(LIMIT, playing).await.is_err(), "it should hang");
        let left = [a.await.unwrap(), b.await.unwrap()];
        assert_eq!(left, [1000, 1000], "both copyists left long before");
        drop(stand);
    }
}
