use std::thread;
use std::time::Duration;
use tokio::runtime::{Builder, Handle};
use tokio::sync::mpsc::{self, Receiver, Sender};
use tokio::time;

// ANCHOR: all
/// How long a silence from the stage ends the organist's part.
const PATIENCE: Duration = Duration::from_millis(400);

/// The next cue, or `None` once the stage has been silent for `PATIENCE`
/// or has left. `blocking_recv` has no deadline; the runtime's timer does,
/// and a plain thread reaches it through a `Handle`.
fn next_cue(stage: &Handle, cues: &mut Receiver<u32>) -> Option<u32> {
    // The timeout is made inside `block_on`, where the runtime is current.
    let waited =
        stage.block_on(async { time::timeout(PATIENCE, cues.recv()).await });
    waited.ok().flatten()
}

/// The organist in the pit: plain synchronous code on a thread of its
/// own, the way a callback API calls you.
fn organist(stage: Handle, mut cues: Receiver<u32>, chords: Sender<String>) {
    // The downbeat may take as long as it takes.
    let mut cue = cues.blocking_recv();
    while let Some(bar) = cue {
        println!("organist: bar {bar}");
        chords
            .blocking_send(format!("chord for bar {bar}"))
            .unwrap();
        cue = next_cue(&stage, &mut cues);
    }
    println!("organist: silence, the pit stops");
}

/// The conductor, async code on the stage: cues three bars, one chord at
/// a time, then waits until the pit has stopped.
async fn conductor(cues: Sender<u32>, mut chords: Receiver<String>) {
    for bar in 1..=3 {
        cues.send(bar).await.unwrap();
        let chord = chords.recv().await.unwrap();
        println!("conductor: heard the {chord}");
    }
    let stopped = chords.recv().await; // `None`: the pit has left
    println!("conductor: the pit has stopped ({stopped:?})");
}

fn main() {
    let stage = Builder::new_multi_thread()
        .worker_threads(1)
        .enable_time()
        .build()
        .unwrap();
    let (cue_tx, cue_rx) = mpsc::channel(1);
    let (chord_tx, chord_rx) = mpsc::channel(1);
    let handle = stage.handle().clone();
    let pit = thread::spawn(move || organist(handle, cue_rx, chord_tx));
    stage.block_on(conductor(cue_tx, chord_rx));
    pit.join().unwrap();
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::sync::mpsc::{self as std_mpsc, RecvTimeoutError};
    use std::time::Instant;
    use tokio::task;

    /// The longest a test waits for what must happen.
    const WATCHDOG: Duration = Duration::from_secs(10);

    /// Runs `organist` on a plain thread, with `cued` already on its
    /// stand and room for as many chords; the receiver hears when it
    /// returns.
    fn pit(
        stage: Handle,
        cued: &[u32],
    ) -> (Sender<u32>, Receiver<String>, Done) {
        let (cue_tx, cue_rx) = mpsc::channel(cued.len());
        for &bar in cued {
            cue_tx
                .try_send(bar)
                .expect("the stand has room for every cue");
        }
        let (chord_tx, chord_rx) = mpsc::channel(cued.len());
        let (done_tx, done) = std_mpsc::channel();
        thread::spawn(move || {
            organist(stage, cue_rx, chord_tx);
            done_tx.send(Instant::now()).unwrap();
        });
        (cue_tx, chord_rx, done)
    }
    type Done = std_mpsc::Receiver<Instant>;

    #[test]
    fn the_organist_plays_every_cue_and_stops_after_a_silence() {
        let stage = Builder::new_multi_thread()
            .worker_threads(1)
            .enable_time()
            .build()
            .unwrap();
        // Every cue is on the stand before the organist starts, so no cue
        // is ever late, however slowly the threads are scheduled; `cues`
        // stays open, silent, until the pit has stopped.
        let cued_at = Instant::now();
        let (cues, mut chords, done) = pit(stage.handle().clone(), &[1, 2, 3]);
        let stopped = done.recv_timeout(WATCHDOG).expect("the pit hung");
        assert!(stopped - cued_at >= PATIENCE, "stopped before the silence");
        let heard: Vec<String> =
            (0..3).filter_map(|_| chords.blocking_recv()).collect();
        assert_eq!(
            heard,
            ["chord for bar 1", "chord for bar 2", "chord for bar 3"]
        );
        assert_eq!(chords.blocking_recv(), None, "the pit has left");
        drop(cues);
    }

    #[test]
    fn on_current_thread_only_runtime_block_on_drives_the_timer() {
        let stage =
            Builder::new_current_thread().enable_time().build().unwrap();
        let (cues, mut chords, done) = pit(stage.handle().clone(), &[1]);
        assert_eq!(chords.blocking_recv().unwrap(), "chord for bar 1");
        // The organist waits in `Handle::block_on` for a timer that no
        // thread drives: the silence never ends.
        let waited = done.recv_timeout(PATIENCE * 3);
        assert!(waited.is_err(), "the organist stopped with nobody driving");
        // A thread in `Runtime::block_on` drives the timer, and it fires.
        stage.block_on(async { time::sleep(PATIENCE).await });
        done.recv_timeout(WATCHDOG).expect("the timer never fired");
        drop(cues);
    }

    /// Runs `scene` on a paused `current_thread` runtime on a thread of
    /// its own, under a real-time watchdog: a paused clock that never
    /// moves would hang the scene, and `timeout` with it.
    fn on_paused_stage<F>(
        scene: impl FnOnce() -> F + Send + 'static,
    ) -> F::Output
    where
        F: Future,
        F::Output: Send + 'static,
    {
        let (done, finished) = std_mpsc::channel();
        let stage = thread::spawn(move || {
            let runtime = Builder::new_current_thread()
                .enable_time()
                .start_paused(true)
                .build()
                .unwrap();
            done.send(runtime.block_on(scene())).unwrap();
        });
        match finished.recv_timeout(WATCHDOG) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                panic!("still waiting after {WATCHDOG:?} of real time")
            }
            Err(RecvTimeoutError::Disconnected) => {
                std::panic::resume_unwind(stage.join().unwrap_err())
            }
        }
    }

    /// The organist waits in `spawn_blocking`, and while a blocking task
    /// runs tokio does not auto-advance the paused clock: only `advance`
    /// moves it. A cue sent while the clock stands at 100 ms (before or
    /// after `next_cue` began to wait) is taken at 100 ms; a `next_cue`
    /// that waits for the clock to move would wait forever.
    #[test]
    fn a_cue_is_taken_without_waiting_for_the_clock() {
        let (cue, waited) = on_paused_stage(|| async {
            let (cues, mut waits) = mpsc::channel(1);
            let start = time::Instant::now();
            let organist = task::spawn_blocking(move || {
                let cue = next_cue(&Handle::current(), &mut waits);
                (cue, start.elapsed())
            });
            time::advance(PATIENCE / 4).await;
            cues.send(2).await.unwrap();
            organist.await.unwrap()
        });
        assert_eq!(cue, Some(2));
        assert_eq!(waited, PATIENCE / 4, "not taken when it came");
    }

    /// The test plays the pit. After the third chord the conductor cues
    /// nothing for an hour, yet keeps `cues` open; it closes only when the
    /// conductor returns, after the pit has left.
    #[tokio::test(start_paused = true)]
    async fn the_conductor_keeps_its_sender_until_the_pit_has_left() {
        let (cues, mut waits) = mpsc::channel(1);
        let (chords, heard) = mpsc::channel(1);
        let stage = tokio::spawn(conductor(cues, heard));
        for bar in 1..=3 {
            assert_eq!(waits.recv().await, Some(bar));
            chords.send(format!("chord for bar {bar}")).await.unwrap();
        }
        let hour = Duration::from_secs(3600);
        let silence = time::timeout(hour, waits.recv()).await;
        assert!(silence.is_err(), "the cues closed early: {silence:?}");
        drop(chords); // the pit leaves
        let stopped = time::timeout(WATCHDOG, stage).await;
        stopped.expect("the conductor waits on").unwrap();
        let closed = time::timeout(WATCHDOG, waits.recv()).await;
        assert_eq!(closed, Ok(None), "the cues are still open");
    }

    /// A broken twin of `next_cue`: the timeout is made on the plain
    /// thread, before `block_on` has made the runtime current.
    fn next_cue_timed_outside(
        stage: &Handle,
        cues: &mut Receiver<u32>,
    ) -> Option<u32> {
        let waited = stage.block_on(time::timeout(PATIENCE, cues.recv()));
        waited.ok().flatten()
    }

    #[test]
    #[should_panic(expected = "there is no reactor running")]
    fn a_timeout_made_outside_block_on_finds_no_runtime() {
        let stage = Builder::new_multi_thread().enable_time().build().unwrap();
        let (_cues, mut waits) = mpsc::channel(1);
        next_cue_timed_outside(stage.handle(), &mut waits);
    }

    #[tokio::test]
    #[should_panic(expected = "Cannot start a runtime from within a runtime")]
    async fn next_cue_panics_on_stage() {
        let (_cues, mut waits) = mpsc::channel(1);
        next_cue(&Handle::current(), &mut waits);
    }

    #[tokio::test]
    #[should_panic(expected = "Cannot block the current thread from within")]
    async fn the_organist_panics_on_stage() {
        let (_cues, waits) = mpsc::channel(1);
        let (chords, _heard) = mpsc::channel(1);
        organist(Handle::current(), waits, chords);
    }
}
