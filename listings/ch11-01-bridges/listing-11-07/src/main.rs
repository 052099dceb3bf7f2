use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;
use tokio::runtime::Builder;
use tokio::task;

// ANCHOR: all
/// How a performer waits for a cue from the pit, a blocking `recv` on a
/// `std::sync::mpsc` channel.
#[derive(Clone, Copy, Debug)]
enum Wait {
    /// Blocks inside the task: the worker thread waits with her.
    OnStage,
    /// A stagehand waits off stage: `spawn_blocking`.
    Stagehand,
    /// She tells the runtime first: `block_in_place`.
    InPlace,
}

/// One performer's task: she waits for the pit, and her own tremolo,
/// joined in the same task, should keep sounding meanwhile.
async fn performer(
    name: &'static str,
    wait: Wait,
    cue: Receiver<()>,
    ready: Sender<&'static str>,
    heard: Sender<String>,
) {
    let waiting = async move {
        ready.send(name).unwrap();
        match wait {
            Wait::OnStage => cue.recv().unwrap(),
            Wait::Stagehand => {
                task::spawn_blocking(move || cue.recv().unwrap())
                    .await
                    .unwrap()
            }
            Wait::InPlace => task::block_in_place(|| cue.recv().unwrap()),
        }
    };
    let tremolo = async {
        task::yield_now().await; // sounds only on a later poll
        heard.send(format!("{name}'s tremolo")).unwrap();
    };
    tokio::join!(waiting, tremolo);
}

/// A task of its own, spawned once both performers are waiting.
async fn drummer(heard: Sender<String>) {
    heard.send("the drummer".to_string()).unwrap();
}

/// How long the pit listens for more before it gives the cues.
const QUIET: Duration = Duration::from_millis(200);
/// The longest the pit waits for what must happen.
const WATCHDOG: Duration = Duration::from_secs(10);

/// Plays the piece on two worker threads; returns what the pit heard
/// before it gave the cues, sorted. The pit waits up to `WATCHDOG` for each
/// of the first `sure` sounds, then gives the cues once it has heard every
/// part, or nothing new for `QUIET`.
fn concert(wait: Wait, sure: usize) -> Vec<String> {
    let stage = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let (ready_tx, ready) = mpsc::channel();
    let (heard_tx, heard) = mpsc::channel();
    let mut cues = Vec::new();
    for name in ["violin", "cello"] {
        let (cue, waits_for) = mpsc::channel();
        cues.push(cue);
        let (ready, heard) = (ready_tx.clone(), heard_tx.clone());
        stage.spawn(performer(name, wait, waits_for, ready, heard));
    }
    for _ in 0..2 {
        ready
            .recv_timeout(WATCHDOG)
            .expect("a performer never started");
    }
    stage.spawn(drummer(heard_tx));
    let mut before = Vec::new();
    while before.len() < 3 {
        let listen = if before.len() < sure { WATCHDOG } else { QUIET };
        let Ok(sound) = heard.recv_timeout(listen) else {
            break;
        };
        before.push(sound);
    }
    for cue in cues {
        cue.send(()).unwrap();
    }
    for _ in before.len()..3 {
        heard.recv_timeout(WATCHDOG).expect("a part never sounded");
    }
    before.sort();
    before
}

fn main() {
    // With each way of waiting, how many parts are sure to sound before
    // the cues: the pit waits for those, however slow the machine.
    for (wait, sure) in
        [(Wait::OnStage, 0), (Wait::Stagehand, 3), (Wait::InPlace, 1)]
    {
        let before = concert(wait, sure);
        println!("{wait:?}: before the cue the pit heard {before:?}");
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Waker};
    use std::time::Instant;

    #[test]
    fn waiting_on_stage_silences_every_part() {
        let began = Instant::now();
        assert!(concert(Wait::OnStage, 0).is_empty());
        // No sound is sure to come, so the pit listens `QUIET` for one,
        // not `WATCHDOG`, before it gives the cues.
        assert!(
            began.elapsed() < WATCHDOG,
            "the pit waited out the watchdog for a sound not sure to come"
        );
    }

    #[test]
    fn a_stagehand_frees_the_worker_and_the_task() {
        assert_eq!(
            concert(Wait::Stagehand, 3),
            ["cello's tremolo", "the drummer", "violin's tremolo"]
        );
    }

    /// With a stagehand she still waits for the pit: when the pit leaves
    /// without a cue, her wait fails and her task ends in that panic.
    #[test]
    fn with_a_stagehand_she_still_waits_for_the_pit() {
        let stage = Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let (cue, waits_for) = mpsc::channel::<()>();
        let (ready, _ready) = mpsc::channel();
        let (heard_tx, heard) = mpsc::channel();
        let violin = stage.spawn(performer(
            "violin",
            Wait::Stagehand,
            waits_for,
            ready,
            heard_tx,
        ));
        let tremolo = heard.recv_timeout(WATCHDOG);
        assert_eq!(tremolo.as_deref(), Ok("violin's tremolo"));
        drop(cue);
        let ended = stage.block_on(violin);
        assert!(ended.is_err_and(|e| e.is_panic()), "ended without the pit");
    }

    #[test]
    fn waiting_in_place_frees_other_tasks_but_not_her_own() {
        assert_eq!(concert(Wait::InPlace, 1), ["the drummer"]);
    }

    /// One violinist, cued in advance and waiting in place, polled by hand
    /// outside any runtime, where `block_in_place` just calls the closure:
    /// her wait ends in the first poll, her tremolo only in the next.
    #[test]
    fn a_tremolo_sounds_only_on_a_later_poll() {
        let (cue, waits_for) = mpsc::channel();
        let (ready, _ready) = mpsc::channel();
        let (heard_tx, heard) = mpsc::channel();
        cue.send(()).unwrap();
        let violin =
            performer("violin", Wait::InPlace, waits_for, ready, heard_tx);
        let mut violin = pin!(violin);
        let mut cx = Context::from_waker(Waker::noop());
        assert!(violin.as_mut().poll(&mut cx).is_pending());
        assert_eq!(heard.try_recv().ok(), None, "sounded on the first poll");
        assert!(violin.as_mut().poll(&mut cx).is_ready());
        assert_eq!(heard.try_recv().unwrap(), "violin's tremolo");
    }

    /// One violinist, cued in advance, waiting in place on the runtime
    /// that `#[tokio::test]` builds; returns what she played.
    async fn violin_in_place() -> Vec<String> {
        let (cue, waits_for) = mpsc::channel();
        let (ready, _ready) = mpsc::channel();
        let (heard_tx, heard) = mpsc::channel();
        cue.send(()).unwrap();
        performer("violin", Wait::InPlace, waits_for, ready, heard_tx).await;
        heard.try_iter().collect()
    }

    #[tokio::test]
    #[should_panic(
        expected = "can call blocking only when running on the multi-threaded"
    )]
    async fn waiting_in_place_panics_on_current_thread() {
        violin_in_place().await; // `#[tokio::test]` is `current_thread`
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn waiting_in_place_plays_on_multi_thread() {
        assert_eq!(violin_in_place().await, ["violin's tremolo"]);
    }
}
