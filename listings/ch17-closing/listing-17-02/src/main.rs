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

#[tokio::main]
async fn main() {
    let start = Instant::now();
    let bar_line = Arc::new(Barrier::new(3));
    let mut ensemble = JoinSet::new();
    for (name, part) in [("flutes", 20), ("horns", 35), ("drums", 50)] {
        let part = Duration::from_millis(part);
        ensemble.spawn(section(name, part, 3, Arc::clone(&bar_line), start));
    }
    while let Some(entrances) = ensemble.join_next().await {
        entrances.expect("every section plays to the end");
    }
    println!("three bars, every one begun together");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    #[tokio::test(start_paused = true)]
    async fn every_bar_begins_together_at_the_slowest_sections_pace() {
        let start = Instant::now();
        let bar_line = Arc::new(Barrier::new(3));
        let play = |part| {
            section(
                "s",
                Duration::from_millis(part),
                3,
                bar_line.clone(),
                start,
            )
        };
        let all = async { tokio::join!(play(20), play(35), play(50)) };
        // A bar line that never opened would fail here, not hang.
        let (flutes, horns, drums) = timeout(Duration::from_secs(5), all)
            .await
            .expect("every section reaches the end");
        assert_eq!(flutes, [0, 50, 100]);
        assert_eq!(horns, flutes);
        assert_eq!(drums, flutes);
    }
}
