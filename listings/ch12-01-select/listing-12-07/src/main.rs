use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::{interval_at, sleep_until, Instant};

// ANCHOR: all
const BEAT: Duration = Duration::from_millis(400);

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
        // Each turn makes a new `recv` and a new `tick` future, and polls
        // the branches, from a random one on, until one is ready with a
        // matching value. Its handler runs; the losing `recv` and `tick` are
        // dropped, and `&mut stop` drops only a borrow.
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

/// The oboe, the stage manager and the conductor, on one `beat`.
async fn concert(beat: Duration) -> Vec<Heard> {
    let start = Instant::now();
    let (cue_sender, cues) = mpsc::channel(4);
    let (stop_sender, stop) = oneshot::channel();
    tokio::spawn(oboe(cue_sender, beat, start));
    tokio::spawn(stage_manager(stop_sender, start + beat * 5 / 2));
    conduct(cues, stop, beat, start).await
}

#[tokio::main]
async fn main() {
    concert(BEAT).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::sync::mpsc::{self as std_mpsc, RecvTimeoutError};
    use std::{panic, thread};
    use tokio::time::timeout;

    /// Runs `test` on a paused clock in a thread of its own. A loop with a
    /// branch ready on every turn keeps the runtime busy, so the paused
    /// clock never moves and no `timeout` can fire: a real-time watchdog
    /// turns that hang into a failure.
    fn on_paused_clock<T: Send + 'static>(
        test: impl Future<Output = T> + Send + 'static,
    ) -> T {
        let (report, outcome) = std_mpsc::channel();
        let rehearsal = thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .start_paused(true)
                .build()
                .unwrap();
            let _ = report.send(runtime.block_on(test));
        });
        match outcome.recv_timeout(Duration::from_secs(10)) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                panic!("10 real seconds and the clock has not moved: it spins")
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic::resume_unwind(rehearsal.join().unwrap_err())
            }
        }
    }

    #[test]
    fn the_conductor_handles_each_source_when_it_is_ready() {
        let log = on_paused_clock(async {
            timeout(Duration::from_secs(10), concert(BEAT))
                .await
                .expect("the stop signal ends the loop")
        });
        // Every cue is heard, each event at the instant it is ready, and
        // after the oboe leaves, its `None` disables the branch instead of
        // winning every turn.
        assert_eq!(
            log,
            [
                (200, "oboe", "A4, tuning note"),
                (400, "metronome", "beat"),
                (600, "oboe", "E5, solo entry"),
                (800, "metronome", "beat"),
                (1000, "stage", "stop"),
            ]
        );
    }
}
