use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Barrier;
use tokio::task::JoinSet;
use tokio::time::{sleep, Instant};

// ANCHOR: all
/// A section plays its part of each bar, then waits at the bar line until
/// every section has arrived: nobody controls the others, they agree.
async fn section(
    name: &'static str,
    part: Duration,
    bars: u32,
    bar_line: Arc<Barrier>,
    start: Instant,
) -> Vec<u128> {
    let mut entrances = Vec::new();
    for bar in 1..=bars {
        let at = start.elapsed().as_millis();
        println!("@{at}ms {name}: enters bar {bar}");
        entrances.push(at);
        sleep(part).await;
        bar_line.wait().await;
    }
    entrances
}

/// The ensemble: each section and the length of its part, in ms.
const PARTS: [(&str, u64); 3] = [("flutes", 20), ("horns", 35), ("drums", 50)];

/// Every section plays `bars` bars; returns each one's entrances.
async fn perform(bars: u32) -> Vec<Vec<u128>> {
    let start = Instant::now();
    let bar_line = Arc::new(Barrier::new(PARTS.len()));
    let mut ensemble = JoinSet::new();
    for (name, part) in PARTS {
        let part = Duration::from_millis(part);
        ensemble.spawn(section(name, part, bars, Arc::clone(&bar_line), start));
    }
    let mut all = Vec::new();
    while let Some(entrances) = ensemble.join_next().await {
        all.push(entrances.expect("every section plays to the end"));
    }
    all
}

#[tokio::main]
async fn main() {
    perform(3).await;
    println!("three bars, every one begun together");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    #[tokio::test(start_paused = true)]
    async fn every_bar_begins_together_at_the_slowest_sections_pace() {
        // A bar line that never opened would fail here, not hang.
        let all = timeout(Duration::from_secs(5), perform(3))
            .await
            .expect("every section reaches the end");
        assert_eq!(all, [[0, 50, 100], [0, 50, 100], [0, 50, 100]]);
    }
}
