use std::time::Duration;

use tokio::runtime::Handle;
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

/// Respect the rests: after each phrase the soloist awaits, and others play.
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
async fn coda(start: Instant, beats: u32) -> Vec<Note> {
    let mut ensemble = JoinSet::new();
    ensemble.spawn(metronome(start, beats));
    ensemble.spawn(soloist(start));

    let mut notes = Vec::new();
    while let Some(part) = ensemble.join_next().await {
        notes.extend(part.expect("every part is played to the end"));
    }
    notes
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let notes = coda(Instant::now(), 5).await;
    let flavor = Handle::current().runtime_flavor();
    println!(
        "fine: {} notes, every part played to its end, on a {flavor:?} runtime",
        notes.len()
    );
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    #[tokio::test(start_paused = true)]
    async fn the_coda_keeps_exact_time_and_ends_when_every_part_has() {
        let start = Instant::now();
        let notes = timeout(Duration::from_secs(5), coda(start, 5))
            .await
            .expect("the coda ends");
        let times = |who| {
            let part = notes.iter().filter(|note| note.1 == who);
            part.map(|note| note.0).collect::<Vec<_>>()
        };
        assert_eq!(times("metronome"), [0, 40, 80, 120, 160]);
        assert_eq!(times("soloist"), [0, 60, 120]);
        // The metronome is done at 160 ms, but the coda returns only when
        // the soloist's last rest ends, at 180 ms, with every note.
        assert_eq!(start.elapsed(), Duration::from_millis(180));
        assert_eq!(notes.len(), 8);
    }
}
