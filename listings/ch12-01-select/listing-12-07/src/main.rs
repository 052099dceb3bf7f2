use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::{interval_at, sleep_until, Instant};

// ANCHOR: all
type Cue = &'static str;

/// What the conductor handled: when (ms), from whom, and what.
type Heard = (u128, &'static str, Cue);

fn heard(start: Instant, from: &'static str, what: Cue) -> Heard {
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms {from}: {what}");
    (ms, from, what)
}

async fn oboe(cues: mpsc::Sender<Cue>, beat: Duration, start: Instant) {
    sleep_until(start + beat / 2).await;
    cues.send("A4, tuning note").await.unwrap();
    sleep_until(start + beat * 3 / 2).await;
    cues.send("E5, solo entry").await.unwrap();
} // the oboe leaves: `recv` will return `None`

async fn stage_manager(stop: oneshot::Sender<()>, at: Instant) {
    sleep_until(at).await;
    stop.send(()).unwrap();
}

async fn conduct(
    mut cues: mpsc::Receiver<Cue>,
    mut stop: oneshot::Receiver<()>,
    beat: Duration,
    start: Instant,
) -> Vec<Heard> {
    let mut metronome = interval_at(start + beat, beat);
    let mut log = Vec::new();
    loop {
        // Each turn builds a `recv` and a `tick` future and polls all three
        // branches; the first ready one's handler runs, the rest are dropped.
        tokio::select! {
            Some(cue) = cues.recv() => log.push(heard(start, "oboe", cue)),
            _ = metronome.tick() => log.push(heard(start, "metronome", "beat")),
            _ = &mut stop => {
                log.push(heard(start, "stage", "stop"));
                return log;
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let beat = Duration::from_millis(200);
    let start = Instant::now();
    let (cue_sender, cues) = mpsc::channel(4);
    let (stop_sender, stop) = oneshot::channel();
    tokio::spawn(oboe(cue_sender, beat, start));
    tokio::spawn(stage_manager(stop_sender, start + beat * 5 / 2));
    conduct(cues, stop, beat, start).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    #[tokio::test(start_paused = true)]
    async fn the_conductor_handles_each_source_when_it_is_ready() {
        let beat = Duration::from_millis(200);
        let start = Instant::now();
        let (cue_sender, cues) = mpsc::channel(4);
        let (stop_sender, stop) = oneshot::channel();
        tokio::spawn(oboe(cue_sender, beat, start));
        tokio::spawn(stage_manager(stop_sender, start + beat * 5 / 2));
        let log =
            timeout(Duration::from_secs(10), conduct(cues, stop, beat, start))
                .await
                .expect("the stop signal ends the loop");
        // Every cue is heard although a `recv` future was dropped on each
        // beat's turn, and every event is handled at the instant it is ready.
        assert_eq!(
            log,
            [
                (100, "oboe", "A4, tuning note"),
                (200, "metronome", "beat"),
                (300, "oboe", "E5, solo entry"),
                (400, "metronome", "beat"),
                (500, "stage", "stop"),
            ]
        );
    }
}
