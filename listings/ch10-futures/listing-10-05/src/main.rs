use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

// ANCHOR: all
type Journal = Arc<Mutex<Vec<String>>>;

fn note(journal: &Journal, line: &str) {
    journal.lock().unwrap().push(line.to_string());
}

async fn play(part: &str, journal: Journal, done: oneshot::Sender<()>) {
    for bar in 1..=2 {
        note(&journal, &format!("{part}: bar {bar}"));
        tokio::task::yield_now().await;
    }
    let _ = done.send(());
}

async fn rehearsal() -> Vec<String> {
    let journal = Journal::default();
    let (orchestra_done, _) = oneshot::channel();
    let (soloist_done, soloist_finished) = oneshot::channel();

    // A plain future: lazy, it waits to be awaited.
    let orchestra = play("orchestra", journal.clone(), orchestra_done);
    // A spawned task: handed to the executor now.
    let soloist = tokio::spawn(play("soloist", journal.clone(), soloist_done));
    drop(soloist); // dropping the JoinHandle does not stop the task
    note(&journal, "conductor: soloist spawned, handle dropped");

    soloist_finished.await.unwrap(); // a rest: the soloist gets the stage
    note(&journal, "conductor: the soloist finished unawaited");
    drop(orchestra); // never awaited, never played

    // Bound first: in edition 2021 a guard in the tail expression would
    // outlive `journal` (E0597).
    let lines = journal.lock().unwrap().clone();
    lines
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    for line in rehearsal().await {
        println!("{line}");
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::time::timeout;

    #[tokio::test]
    async fn a_spawned_task_runs_without_its_handle_being_awaited() {
        let journal =
            timeout(Duration::from_secs(10), rehearsal()).await.unwrap();
        assert_eq!(
            journal,
            [
                "conductor: soloist spawned, handle dropped",
                "soloist: bar 1",
                "soloist: bar 2",
                "conductor: the soloist finished unawaited",
            ]
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_worker_threads_the_task_plays_all_the_same() {
        let journal =
            timeout(Duration::from_secs(10), rehearsal()).await.unwrap();
        let soloist: Vec<&String> = journal
            .iter()
            .filter(|line| line.starts_with("soloist"))
            .collect();
        assert_eq!(soloist, ["soloist: bar 1", "soloist: bar 2"]);
        assert_eq!(
            journal.last().unwrap(),
            "conductor: the soloist finished unawaited"
        );
        assert!(!journal.iter().any(|line| line.starts_with("orchestra")));
    }
}
