use std::sync::Arc;
use std::time::Duration;
use tokio::time::sleep;

// ANCHOR: all
async fn nudge_tempo(tempo: Arc<std::sync::Mutex<u32>>) {
    {
        let mut bpm = tempo.lock().unwrap();
        *bpm += 1;
    } // the std guard is dropped here, before any await
    sleep(Duration::from_millis(10)).await;
}

async fn rehearse_bar(bars: Arc<tokio::sync::Mutex<u32>>) {
    let mut played = bars.lock().await;
    let before = *played;
    sleep(Duration::from_millis(10)).await; // guard held across the rest
    *played = before + 1;
}

#[tokio::main]
async fn main() {
    let tempo = Arc::new(std::sync::Mutex::new(120));
    let bars = Arc::new(tokio::sync::Mutex::new(0));

    let mut sections = Vec::new();
    for _ in 0..8 {
        sections.push(tokio::spawn(nudge_tempo(Arc::clone(&tempo))));
        sections.push(tokio::spawn(rehearse_bar(Arc::clone(&bars))));
    }
    for section in sections {
        section.await.unwrap();
    }

    println!("tempo: {} bpm", tempo.lock().unwrap());
    println!("bars rehearsed: {}", bars.lock().await);
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use tokio::time::{timeout, Instant};

    /// Spawns every section and waits, at most a second, for all of them.
    async fn all_finish<F>(sections: impl Iterator<Item = F>)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let handles: Vec<_> = sections.map(tokio::spawn).collect();
        timeout(Duration::from_secs(1), async {
            for handle in handles {
                handle.await.unwrap();
            }
        })
        .await
        .expect("the sections finish");
    }

    #[tokio::test(start_paused = true)]
    async fn a_scoped_std_guard_never_spans_an_await() {
        let tempo = Arc::new(std::sync::Mutex::new(120));
        let start = Instant::now();
        all_finish((0..8).map(|_| nudge_tempo(Arc::clone(&tempo)))).await;
        assert_eq!(*tempo.lock().unwrap(), 128);
        // The guard was released before the rest, so all rests overlap.
        assert_eq!(start.elapsed(), Duration::from_millis(10));
    }

    #[tokio::test(start_paused = true)]
    async fn a_tokio_guard_held_across_await_loses_no_update() {
        let bars = Arc::new(tokio::sync::Mutex::new(0));
        let start = Instant::now();
        all_finish((0..8).map(|_| rehearse_bar(Arc::clone(&bars)))).await;
        // Read, rest, write: no section saw a stale count...
        assert_eq!(*bars.lock().await, 8);
        // ...because they took turns: eight rests of 10 ms, one at a time.
        assert_eq!(start.elapsed(), Duration::from_millis(80));
    }
}
