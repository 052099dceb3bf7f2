use std::future::Future;

use tokio::runtime::Handle;
use tokio::sync::mpsc::{self, UnboundedReceiver};
use tokio::sync::watch;
use tokio::task::{self, coop};

// ANCHOR: all
/// Drains a channel whose every note is already waiting: no `recv().await`
/// ever has to wait for a note.
async fn listener(
    mut score: UnboundedReceiver<u32>,
    heard: watch::Sender<u32>,
) {
    while let Some(note) = score.recv().await {
        heard.send_replace(note);
        if note % 100 == 0 {
            println!("listener: note {note}");
        }
    }
}

/// Can play from the listener's first note on, but only once the listener
/// gives up the thread; returns how far the listener had got.
async fn metronome(mut heard: watch::Receiver<u32>) -> u32 {
    heard.changed().await.unwrap();
    println!("metronome: a turn");
    *heard.borrow()
}

/// Spawns `part` as a task, with or without tokio's budget.
fn spawn_part<F>(part: F, budgeted: bool) -> task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    if budgeted {
        task::spawn(part)
    } else {
        // `unconstrained` switches the budget off for this future.
        task::spawn(coop::unconstrained(part))
    }
}

async fn rehearsal(notes: u32, budgeted: bool) -> u32 {
    let (tx, score) = mpsc::unbounded_channel();
    for note in 1..=notes {
        tx.send(note).unwrap();
    }
    drop(tx);
    let (heard, progress) = watch::channel(0);
    let listening = spawn_part(listener(score, heard), budgeted);
    let ticking = task::spawn(metronome(progress));
    listening.await.unwrap();
    ticking.await.unwrap()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let flavor = Handle::current().runtime_flavor();
    println!("-- both rehearsals on a {flavor:?} runtime --");
    println!("-- with tokio's budget --");
    rehearsal(600, true).await;
    println!("-- without it (coop::unconstrained) --");
    rehearsal(600, false).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::poll_fn;
    use std::pin::pin;
    use std::time::Duration;

    const NOTES: u32 = 1_000;

    /// Spawns `listener` on a full channel and counts how often the runtime
    /// has to poll it before it has heard every note.
    async fn polls_to_drain(budgeted: bool) -> u32 {
        let (tx, score) = mpsc::unbounded_channel();
        for note in 1..=NOTES {
            tx.send(note).unwrap();
        }
        drop(tx);
        let (heard, _progress) = watch::channel(0);
        let counted =
            spawn_part(counting_polls(listener(score, heard)), budgeted);
        tokio::time::timeout(Duration::from_secs(10), counted)
            .await
            .expect("the listener finished")
            .unwrap()
    }

    async fn counting_polls(part: impl Future<Output = ()>) -> u32 {
        let mut part = pin!(part);
        let mut polls = 0;
        poll_fn(|cx| {
            polls += 1;
            part.as_mut().poll(cx)
        })
        .await;
        polls
    }

    #[tokio::test]
    async fn the_budget_makes_a_busy_task_yield_at_await_points() {
        // No note ever made the listener wait, yet one poll was not enough:
        // the budget made `recv` answer `Pending`, and the listener yielded.
        assert!(polls_to_drain(true).await > 1);
    }

    #[tokio::test]
    async fn without_the_budget_one_poll_drains_every_note() {
        assert_eq!(polls_to_drain(false).await, 1);
    }

    #[tokio::test]
    async fn without_the_budget_the_metronome_waits_for_the_end() {
        let rehearsal = rehearsal(NOTES, false);
        let heard = tokio::time::timeout(Duration::from_secs(10), rehearsal)
            .await
            .expect("the rehearsal ended");
        assert_eq!(heard, NOTES);
    }
}
