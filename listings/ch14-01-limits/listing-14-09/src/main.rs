use futures_util::stream::{self, StreamExt};
use std::cell::{Cell, RefCell};
use std::time::Duration;
use tokio::time::{sleep, Instant};

// ANCHOR: all
/// Two judges: at most this many auditions at once.
const JUDGES: usize = 2;

/// Who is auditioning now, and who has finished, in order. `Cell` and
/// `RefCell` are enough: the panel never leaves this task.
#[derive(Default)]
struct Panel {
    playing: Cell<usize>,
    most: Cell<usize>,
    ended: RefCell<Vec<&'static str>>,
}

async fn audition(
    player: &'static str,
    ms: u64,
    panel: &Panel,
    start: Instant,
) -> &'static str {
    panel.playing.set(panel.playing.get() + 1);
    panel.most.set(panel.most.get().max(panel.playing.get()));
    println!("@{}ms {player}: begins", start.elapsed().as_millis());
    sleep(Duration::from_millis(ms)).await;
    println!("@{}ms {player}: ends", start.elapsed().as_millis());
    panel.playing.set(panel.playing.get() - 1);
    panel.ended.borrow_mut().push(player);
    player
}

/// Runs every audition, at most `JUDGES` at a time, and returns the
/// players in the order their auditions ended.
async fn auditions(
    players: &[(&'static str, u64)],
    panel: &Panel,
    start: Instant,
) -> Vec<&'static str> {
    let mut heard = stream::iter(players)
        .map(|&(player, ms)| audition(player, ms, panel, start))
        .buffer_unordered(JUDGES);
    let mut order = Vec::new();
    while let Some(player) = heard.next().await {
        order.push(player);
    }
    order
}

#[tokio::main]
async fn main() {
    let players = [
        ("harp", 1600),
        ("flute", 400),
        ("tuba", 800),
        ("viola", 1200),
        ("oboe", 400),
    ];
    let panel = Panel::default();
    let start = Instant::now();
    let order = auditions(&players, &panel, start).await;
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms judges: heard {order:?}");
    println!("@{ms}ms judges: at most {} at once", panel.most.get());
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream::FuturesUnordered;
    use tokio::time::timeout;

    const PLAYERS: [(&str, u64); 5] = [
        ("harp", 1600),
        ("flute", 400),
        ("tuba", 800),
        ("viola", 1200),
        ("oboe", 400),
    ];
    const LIMIT: Duration = Duration::from_secs(60);

    /// What `buffer_unordered` promises: every player heard once, never more
    /// than `n` at once, in the order the auditions end; plus what
    /// futures-util 0.3.34 does at the first poll: it fills both places from
    /// the ready list, so the panel sees two and the flute is heard first.
    /// When a later free place is filled is not promised; the recorded run
    /// shows it for the pinned futures-util.
    #[tokio::test(start_paused = true)]
    async fn at_most_two_at_a_time_heard_as_they_end() {
        let panel = Panel::default();
        let start = Instant::now();
        let order = timeout(LIMIT, auditions(&PLAYERS, &panel, start))
            .await
            .expect("the auditions end");
        assert_eq!(panel.most.get(), JUDGES);
        assert_eq!(panel.playing.get(), 0);
        let mut heard = order.clone();
        heard.sort_unstable();
        let mut listed = PLAYERS.map(|(player, _)| player);
        listed.sort_unstable();
        assert_eq!(heard, listed);
        // Heard in the order the auditions ended, whatever that was.
        assert_eq!(order, *panel.ended.borrow());
        // The harp is listed first, but the flute, which began with it,
        // ends first (400 ms), before any later player can.
        assert_eq!(order[0], "flute", "{order:?}");
    }

    /// Broken twin: the same auditions gathered in a `FuturesUnordered`
    /// with no bound, as `collect` makes it.
    async fn all_at_once(panel: &Panel, start: Instant) -> Vec<&'static str> {
        let mut heard: FuturesUnordered<_> = PLAYERS
            .iter()
            .map(|&(player, ms)| audition(player, ms, panel, start))
            .collect();
        let mut order = Vec::new();
        while let Some(player) = heard.next().await {
            order.push(player);
        }
        order
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_bound_every_audition_starts_at_once() {
        let panel = Panel::default();
        let start = Instant::now();
        let order = timeout(LIMIT, all_at_once(&panel, start))
            .await
            .expect("the twin ends");
        assert_eq!(order.len(), PLAYERS.len());
        assert_eq!(panel.most.get(), PLAYERS.len(), "not {JUDGES}");
    }

    /// `buffered` keeps the same bound but hands results back in the
    /// order the players were listed.
    #[tokio::test(start_paused = true)]
    async fn buffered_returns_results_in_the_order_given() {
        let panel = Panel::default();
        let start = Instant::now();
        let order: Vec<&str> = timeout(
            LIMIT,
            stream::iter(PLAYERS)
                .map(|(player, ms)| audition(player, ms, &panel, start))
                .buffered(JUDGES)
                .collect(),
        )
        .await
        .expect("the auditions end");
        assert_eq!(order, ["harp", "flute", "tuba", "viola", "oboe"]);
        assert_eq!(panel.most.get(), JUDGES);
        assert_eq!(panel.playing.get(), 0);
    }
}
