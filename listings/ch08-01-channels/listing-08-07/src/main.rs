use std::time::Duration;

use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::{interval, sleep_until, Instant};

// ANCHOR: all
type Cue = &'static str;

/// The channel keeps the last `KEPT` cues for receivers that lag behind.
const KEPT: usize = 2;

async fn conductor(
    baton: broadcast::Sender<Cue>,
    cues: Vec<Cue>,
    beat: Duration,
    start: Instant,
) {
    let mut pulse = interval(beat); // ticks at 0, 1, 2... beats from now
    for cue in cues {
        pulse.tick().await;
        let ms = start.elapsed().as_millis();
        // `send` never waits; it reports how many receivers there are.
        let listening = baton.send(cue).unwrap();
        println!("@{ms}ms conductor: {cue} (to {listening} sections)");
    }
} // the only sender is dropped: the receivers will see `Closed`

/// A section that counts rests until `rest` after the start, then reads
/// every cue it can.
async fn section(
    name: &'static str,
    mut eyes: broadcast::Receiver<Cue>,
    rest: Duration,
    start: Instant,
) -> Vec<String> {
    sleep_until(start + rest).await;
    let mut seen = Vec::new();
    loop {
        let what = match eyes.recv().await {
            Ok(cue) => cue.to_string(),
            Err(RecvError::Lagged(missed)) => {
                format!("lagged, {missed} missed")
            }
            Err(RecvError::Closed) => break,
        };
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms {name}: {what}");
        seen.push(what);
    }
    seen
}

async fn concert(
    cues: Vec<Cue>,
    beat: Duration,
    timpani_rest: Duration,
) -> (Vec<String>, Vec<String>) {
    let start = Instant::now();
    let (baton, violin_eyes) = broadcast::channel(KEPT);
    let timpani_eyes = baton.subscribe(); // before the first cue is sent
    let violins = section("violins", violin_eyes, Duration::ZERO, start);
    let violins = tokio::spawn(violins);
    let timpani = section("timpani", timpani_eyes, timpani_rest, start);
    let timpani = tokio::spawn(timpani);
    conductor(baton, cues, beat, start).await;
    (violins.await.unwrap(), timpani.await.unwrap())
}

#[tokio::main]
async fn main() {
    let cues = vec!["breathe", "downbeat", "crescendo", "cut-off"];
    let beat = Duration::from_millis(200);
    concert(cues, beat, beat * 5).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    const CUES: [Cue; 4] = ["breathe", "downbeat", "crescendo", "cut-off"];
    const BEAT: Duration = Duration::from_secs(1);
    const LIMIT: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn every_section_sees_every_cue_it_keeps_up_with() {
        let (violins, timpani) =
            timeout(LIMIT, concert(CUES.to_vec(), BEAT, BEAT * 5))
                .await
                .expect("the sections stop when the conductor leaves");
        assert_eq!(violins, CUES, "a section that keeps up sees every cue");
        // Four cues sent, two kept: the first two were overwritten before
        // the timpani looked, and the channel says how many it missed.
        assert_eq!(timpani, ["lagged, 2 missed", "crescendo", "cut-off"]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_lag_starts_when_the_third_cue_overwrites_the_first() {
        // Just after the second cue (1,000 ms) both cues sent are kept.
        let rest = BEAT + Duration::from_millis(1);
        let (_, timpani) = timeout(LIMIT, concert(CUES.to_vec(), BEAT, rest))
            .await
            .expect("the sections stop when the conductor leaves");
        assert_eq!(timpani, CUES, "looked up in time: nothing missed");
        // Just after the third cue (2,000 ms) the first is gone.
        let rest = BEAT * 2 + Duration::from_millis(1);
        let (_, timpani) = timeout(LIMIT, concert(CUES.to_vec(), BEAT, rest))
            .await
            .expect("the sections stop when the conductor leaves");
        let late = ["lagged, 1 missed", "downbeat", "crescendo", "cut-off"];
        assert_eq!(timpani, late);
    }
}
