use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;
use tokio::runtime::Builder;

// ANCHOR: all
/// A stagehand's job, blocking from start to end: lift the prop, hold it
/// until the pit says it may go down, set it down.
fn stagehand(
    prop: &'static str,
    may_go_down: Receiver<()>,
    log: Sender<String>,
) -> &'static str {
    log.send(format!("{prop}: lifted")).unwrap();
    may_go_down.recv().unwrap();
    log.send(format!("{prop}: set down")).unwrap();
    prop
}

/// How long the pit listens for more before it acts.
const QUIET: Duration = Duration::from_millis(200);
/// The longest the pit waits for what must happen.
const WATCHDOG: Duration = Duration::from_secs(10);

/// Two props for a blocking pool of `crew` threads; returns what happened,
/// in order. The pit waits `listen` for the harp to lift before it acts.
fn scene_change(crew: usize, listen: Duration) -> Vec<String> {
    let stage = Builder::new_current_thread()
        .max_blocking_threads(crew)
        .build()
        .unwrap();
    let (log_tx, log) = mpsc::channel();
    let (piano_down, piano_waits) = mpsc::channel();
    let (harp_down, harp_waits) = mpsc::channel();
    let piano_tx = log_tx.clone();
    let piano =
        stage.spawn_blocking(move || stagehand("piano", piano_waits, piano_tx));
    let mut timeline = vec![log.recv_timeout(WATCHDOG).unwrap()];
    stage.spawn_blocking(move || stagehand("harp", harp_waits, log_tx));
    match log.recv_timeout(listen) {
        Ok(harp) => timeline.push(harp), // the crew had a free hand
        Err(_) => {
            timeline.push(format!("pit: no one else lifted in {listen:?}"))
        }
    }
    timeline.push("pit: aborts the piano's task".to_string());
    piano.abort();
    timeline.push("pit: both may go down".to_string());
    piano_down.send(()).unwrap();
    harp_down.send(()).unwrap();
    // The rest, until both stagehands are done.
    while let Ok(event) = log.recv_timeout(WATCHDOG) {
        timeline.push(event);
    }
    let carried = stage.block_on(piano);
    timeline.push(format!("piano's JoinHandle: {carried:?}"));
    timeline
}

fn main() {
    for event in scene_change(1, QUIET) {
        println!("{event}");
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crew_of_one_queues_the_harp_and_abort_stops_nothing() {
        assert_eq!(
            scene_change(1, QUIET),
            [
                "piano: lifted",
                "pit: no one else lifted in 200ms",
                "pit: aborts the piano's task",
                "pit: both may go down",
                "piano: set down",
                "harp: lifted",
                "harp: set down",
                "piano's JoinHandle: Ok(\"piano\")",
            ]
        );
    }

    #[test]
    fn a_crew_of_two_lifts_both_at_once() {
        let mut timeline = scene_change(2, WATCHDOG);
        timeline[4..6].sort(); // the two set down in either order
        assert_eq!(
            timeline,
            [
                "piano: lifted",
                "harp: lifted",
                "pit: aborts the piano's task",
                "pit: both may go down",
                "harp: set down",
                "piano: set down",
                "piano's JoinHandle: Ok(\"piano\")",
            ]
        );
    }

    #[test]
    fn by_default_the_crew_stops_growing_at_512() {
        let stage = Builder::new_current_thread()
            .thread_stack_size(256 * 1024) // 513 small threads
            .build()
            .unwrap();
        let (log_tx, log) = mpsc::channel();
        let mut releases = Vec::new();
        for _ in 0..513 {
            let (may_go_down, waits) = mpsc::channel();
            releases.push(may_go_down);
            let log_tx = log_tx.clone();
            stage.spawn_blocking(move || stagehand("prop", waits, log_tx));
        }
        for _ in 0..512 {
            let event =
                log.recv_timeout(WATCHDOG).expect("fewer than 512 lifted");
            assert_eq!(event, "prop: lifted");
        }
        assert!(log.recv_timeout(QUIET).is_err(), "a 513th thread lifted");
        for may_go_down in releases {
            may_go_down.send(()).unwrap();
        }
        let events: Vec<String> = (0..514)
            .map(|_| log.recv_timeout(WATCHDOG).expect("a prop never moved"))
            .collect();
        let at = |what: &str| events.iter().position(|event| event == what);
        let lifted = events.iter().filter(|e| *e == "prop: lifted").count();
        assert_eq!(lifted, 1, "one prop was still to lift");
        let (last_lift, first_down) =
            (at("prop: lifted"), at("prop: set down"));
        assert!(
            last_lift > first_down,
            "the last prop waited for a free hand"
        );
    }
}
