use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{sleep, Instant};

const CADENZA: [&str; 8] = ["G4", "A4", "B4", "C5", "D5", "E5", "F5", "G5"];

// ANCHOR: all
async fn soloist(played: Arc<AtomicUsize>, start: Instant) {
    for note in CADENZA {
        println!("@{}ms soloist: {note}", start.elapsed().as_millis());
        played.fetch_add(1, Ordering::SeqCst);
        sleep(Duration::from_millis(800)).await;
    }
}

#[tokio::main]
async fn main() {
    let start = Instant::now();
    let played = Arc::new(AtomicUsize::new(0));

    let handle = tokio::spawn(soloist(Arc::clone(&played), start));
    drop(handle); // detaches the task: it does NOT stop it
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms conductor: dropped the soloist's JoinHandle");

    sleep(Duration::from_millis(2000)).await;
    let ms = start.elapsed().as_millis();
    let notes = played.load(Ordering::SeqCst);
    println!("@{ms}ms conductor: the soloist has played {notes} notes");
    println!("@{ms}ms conductor: main returns, the soloist is cut off");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    #[tokio::test(start_paused = true)]
    async fn dropping_the_handle_detaches_the_task() {
        let start = Instant::now();
        let played = Arc::new(AtomicUsize::new(0));
        drop(tokio::spawn(soloist(Arc::clone(&played), start)));

        // Nobody holds a handle, yet the cadenza plays to its end: eight
        // notes 800 ms apart, the last at 5600 ms, done at 6400 ms.
        sleep(Duration::from_millis(8000)).await;
        assert_eq!(Arc::strong_count(&played), 1, "the task has ended");
        assert_eq!(played.load(Ordering::SeqCst), CADENZA.len());
    }

    #[tokio::test(start_paused = true)]
    async fn abort_is_what_stops_it() {
        let start = Instant::now();
        let played = Arc::new(AtomicUsize::new(0));
        let handle = tokio::spawn(soloist(Arc::clone(&played), start));
        sleep(Duration::from_millis(2000)).await;
        handle.abort();
        let joined = timeout(Duration::from_secs(5), handle)
            .await
            .expect("an aborted task finishes");
        assert!(joined.unwrap_err().is_cancelled());
        // Notes at 0, 800 and 1600 ms, then nothing: the future was dropped.
        assert_eq!(played.load(Ordering::SeqCst), 3);
        assert_eq!(Arc::strong_count(&played), 1);
    }
}
