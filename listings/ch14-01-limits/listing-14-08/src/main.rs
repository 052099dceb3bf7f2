use futures_util::stream::{FuturesUnordered, StreamExt};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::{sleep, Instant};

// ANCHOR: all
const BAR: Duration = Duration::from_millis(300);
const AWAY: Duration = Duration::from_millis(750);
const SOLOS: [(&str, u32); 3] = [("violins", 1), ("cellos", 2), ("horns", 3)];

/// Plays a solo of `bars` bars; returns who played and when it ended.
async fn solo(
    section: &'static str,
    bars: u32,
    start: Instant,
) -> (&'static str, u128) {
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms {section}: begins");
    sleep(BAR * bars).await;
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms {section}: ends");
    (section, ms)
}

/// The conductor steps out for a while, then comes back to listen.
async fn step_out(start: Instant) {
    sleep(AWAY).await;
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms conductor: back, listening");
}

fn hear(section: &str, start: Instant) {
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms conductor: hears the {section}");
}

/// Tasks: each solo runs from `spawn` on, whoever is listening.
async fn with_join_set(start: Instant) -> Vec<(&'static str, u128)> {
    let mut stage = JoinSet::new();
    for (section, bars) in SOLOS {
        stage.spawn(solo(section, bars, start));
    }
    step_out(start).await;
    let mut ended = Vec::new();
    while let Some(done) = stage.join_next().await {
        let (section, at) = done.expect("no solo panicked");
        hear(section, start);
        ended.push((section, at));
    }
    ended
}

/// Futures in this task: a solo runs only while `next` polls the set.
async fn with_futures_unordered(start: Instant) -> Vec<(&'static str, u128)> {
    let mut stage: FuturesUnordered<_> = SOLOS
        .into_iter()
        .map(|(section, bars)| solo(section, bars, start))
        .collect();
    step_out(start).await;
    let mut ended = Vec::new();
    while let Some((section, at)) = stage.next().await {
        hear(section, start);
        ended.push((section, at));
    }
    ended
}

/// Both ways in turn, each under its heading: when each solo ended.
async fn concert(start: Instant) -> [Vec<(&'static str, u128)>; 2] {
    println!("-- JoinSet: spawned tasks --");
    let spawned = with_join_set(start).await;
    println!("-- FuturesUnordered: futures inside this task --");
    let inside = with_futures_unordered(start).await;
    [spawned, inside]
}

#[tokio::main]
async fn main() {
    concert(Instant::now()).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    const LIMIT: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn spawned_solos_play_while_the_conductor_is_out() {
        let start = Instant::now();
        let ended = timeout(LIMIT, with_join_set(start))
            .await
            .expect("the solos end");
        // Two solos were over before the conductor came back at 750 ms.
        assert_eq!(ended, [("violins", 300), ("cellos", 600), ("horns", 900)]);
        assert_eq!(start.elapsed(), Duration::from_millis(900));
    }

    #[tokio::test(start_paused = true)]
    async fn unpolled_futures_wait_for_the_conductor() {
        let start = Instant::now();
        let ended = timeout(LIMIT, with_futures_unordered(start))
            .await
            .expect("the solos end");
        // Nothing began before the first poll, at 750 ms.
        assert_eq!(
            ended,
            [("violins", 1050), ("cellos", 1350), ("horns", 1650)]
        );
        assert_eq!(start.elapsed(), Duration::from_millis(1650));
    }

    /// What the recorded run shows under each heading: the spawned solos
    /// first, then, from 900 ms on, the unspawned ones 750 ms late.
    #[tokio::test(start_paused = true)]
    async fn the_concert_plays_each_way_under_its_heading() {
        let start = Instant::now();
        let [spawned, inside] = timeout(LIMIT, concert(start))
            .await
            .expect("the concert ends");
        assert_eq!(
            spawned,
            [("violins", 300), ("cellos", 600), ("horns", 900)]
        );
        assert_eq!(
            inside,
            [("violins", 1950), ("cellos", 2250), ("horns", 2550)]
        );
    }
}
