use tokio::sync::mpsc::{self, UnboundedReceiver};
use tokio::sync::watch;
use tokio::task;

// ANCHOR: all
/// Drains a channel whose every note is already waiting: each `recv().await`
/// is ready at once, so this loop never has to wait for anything.
async fn listener(
    mut score: UnboundedReceiver<u32>,
    heard: watch::Sender<u32>,
) {
    while let Some(_note) = score.recv().await {
        heard.send_modify(|count| *count += 1);
    }
}

/// Wakes on every note the listener hears, but can only play when the
/// listener gives up the thread; it notes how far the listener had got.
async fn metronome(mut heard: watch::Receiver<u32>) -> Vec<u32> {
    let mut turns = Vec::new();
    while heard.changed().await.is_ok() {
        let so_far = *heard.borrow_and_update();
        println!("metronome: a turn after note {so_far}");
        turns.push(so_far);
    }
    turns
}

async fn rehearsal(notes: u32, budgeted: bool) -> Vec<u32> {
    let (tx, score) = mpsc::unbounded_channel();
    for note in 1..=notes {
        tx.send(note).unwrap();
    }
    drop(tx);
    let (heard, progress) = watch::channel(0);
    let listening = if budgeted {
        task::spawn(listener(score, heard))
    } else {
        // `unconstrained` switches the budget off for this task.
        task::spawn(task::unconstrained(listener(score, heard)))
    };
    let ticking = task::spawn(metronome(progress));
    listening.await.unwrap();
    ticking.await.unwrap()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!("-- with tokio's budget --");
    rehearsal(600, true).await;
    println!("-- without it (task::unconstrained) --");
    rehearsal(600, false).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn turns(budgeted: bool) -> Vec<u32> {
        let rehearsal = rehearsal(10_000, budgeted);
        tokio::time::timeout(Duration::from_secs(10), rehearsal)
            .await
            .expect("the rehearsal ended")
    }

    #[tokio::test]
    async fn the_budget_makes_a_busy_task_yield_at_await_points() {
        // The listener never waited for a note, yet the metronome got turns
        // while it was still listening: the budget made `recv` return
        // `Pending` now and then, and the listener yielded there.
        let turns = turns(true).await;
        assert!(turns.iter().any(|&n| 0 < n && n < 10_000), "{turns:?}");
        assert_eq!(turns.last(), Some(&10_000));
    }

    #[tokio::test]
    async fn without_the_budget_the_metronome_waits_for_the_end() {
        assert_eq!(turns(false).await, [10_000]);
    }
}
