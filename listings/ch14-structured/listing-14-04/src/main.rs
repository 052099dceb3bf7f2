use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::{sleep, Instant};
use tokio_util::sync::CancellationToken;

// ANCHOR: all
async fn section(
    name: &'static str,
    bar: Duration,
    cut_off: CancellationToken,
    stand: Arc<()>, // a music stand; the section holds it while on stage
    start: Instant,
) -> (&'static str, u32, Duration) {
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms {name}: takes the stage");
    let mut bars = 0;
    loop {
        tokio::select! {
            () = cut_off.cancelled() => {
                let ms = start.elapsed().as_millis();
                println!("@{ms}ms {name}: bows after bar {bars}");
                drop(stand);
                return (name, bars, start.elapsed());
            }
            () = sleep(bar) => {
                bars += 1;
                let ms = start.elapsed().as_millis();
                println!("@{ms}ms {name}: bar {bars}");
            }
        }
    }
}

async fn concert(
    length: Duration,
    stands: Arc<()>,
) -> Vec<(&'static str, u32, Duration)> {
    let start = Instant::now();
    let cut_off = CancellationToken::new();
    let mut on_stage = JoinSet::new();
    for (name, bar) in [("violins", 800), ("cellos", 1200), ("timpani", 1400)] {
        let bar = Duration::from_millis(bar);
        let stand = Arc::clone(&stands);
        let token = cut_off.child_token();
        on_stage.spawn(section(name, bar, token, stand, start));
    }

    sleep(length).await;
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms conductor: cut-off");
    cut_off.cancel();

    let mut bows = Vec::new();
    while let Some(joined) = on_stage.join_next().await {
        bows.push(joined.expect("no section panicked"));
    }
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms conductor: all {} sections have bowed", bows.len());
    bows
}

#[tokio::main]
async fn main() {
    let stands = Arc::new(());
    concert(Duration::from_millis(2000), Arc::clone(&stands)).await;
    let left = Arc::strong_count(&stands) - 1;
    println!("stands still in use: {left}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    #[tokio::test(start_paused = true)]
    async fn every_section_stops_at_the_cut_off_and_none_is_orphaned() {
        let stands = Arc::new(());
        let start = Instant::now();
        let mut bows = timeout(
            Duration::from_secs(5),
            concert(Duration::from_millis(2000), Arc::clone(&stands)),
        )
        .await
        .expect("the concert ends");
        bows.sort();

        let cut_off = Duration::from_millis(2000);
        assert_eq!(
            bows,
            [
                ("cellos", 1, cut_off),
                ("timpani", 1, cut_off),
                ("violins", 2, cut_off),
            ]
        );
        // The concert returned at the cut-off, not a bar later...
        assert_eq!(start.elapsed(), cut_off);
        // ...and no task still holds a stand: nobody was left behind.
        assert_eq!(Arc::strong_count(&stands), 1);
    }
}
