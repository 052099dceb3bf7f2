use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::{interval, sleep, Instant};

/// A note: when (ms since the downbeat), who, and what.
type Note = (u128, &'static str, String);

fn play(start: Instant, who: &'static str, what: String) -> Note {
    let at = start.elapsed().as_millis();
    println!("@{at}ms {who}: {what}");
    (at, who, what)
}

// ANCHOR: all
/// Play in time: the metronome keeps a fixed beat with an interval.
async fn metronome(start: Instant, beats: u32) -> Vec<Note> {
    let mut beat = interval(Duration::from_millis(40));
    let mut played = Vec::new();
    for n in 1..=beats {
        beat.tick().await;
        played.push(play(start, "metronome", format!("beat {n}")));
    }
    played
}

/// Respect the rests: between phrases the soloist awaits, and others play.
async fn soloist(start: Instant) -> Vec<Note> {
    let mut played = Vec::new();
    for phrase in ["call", "answer", "cadence"] {
        played.push(play(start, "soloist", phrase.to_string()));
        sleep(Duration::from_millis(60)).await;
    }
    played
}

/// Trust the conductor: the runtime decides who plays next, and the
/// ensemble leaves together.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let start = Instant::now();
    let mut ensemble = JoinSet::new();
    ensemble.spawn(metronome(start, 5));
    ensemble.spawn(soloist(start));

    let mut notes = 0;
    while let Some(part) = ensemble.join_next().await {
        notes += part.expect("every part is played to the end").len();
    }
    println!("fine: {notes} notes, every part played to its end");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_coda_keeps_exact_time() {
        let start = Instant::now();
        let (beats, phrases) =
            tokio::join!(metronome(start, 5), soloist(start));
        let times =
            |notes: &[Note]| notes.iter().map(|n| n.0).collect::<Vec<_>>();
        assert_eq!(times(&beats), [0, 40, 80, 120, 160]);
        assert_eq!(times(&phrases), [0, 60, 120]);
        // The last rest is part of the piece: the soloist ends at 180 ms.
        assert_eq!(start.elapsed(), Duration::from_millis(180));
    }

    #[tokio::test(start_paused = true)]
    async fn the_ensemble_leaves_together() {
        let start = Instant::now();
        let mut ensemble = JoinSet::new();
        ensemble.spawn(metronome(start, 2));
        ensemble.spawn(soloist(start));
        let mut parts = Vec::new();
        while let Some(part) = ensemble.join_next().await {
            parts.push(part.unwrap().len());
        }
        assert_eq!(parts, [2, 3], "the short part ends first");
        assert!(ensemble.is_empty());
    }
}
