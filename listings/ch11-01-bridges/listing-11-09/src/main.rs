use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;
use tokio::runtime::{Builder, Runtime};

// ANCHOR: all
/// A stagehand still holding a prop when the hall closes.
fn stagehand(may_go_down: Receiver<()>, log: Sender<String>) {
    log.send("stagehand: lifted the piano".to_string()).unwrap();
    may_go_down.recv().unwrap();
    log.send("stagehand: set it down".to_string()).unwrap();
}

/// Three ways to close the hall.
#[derive(Clone, Copy, Debug)]
enum Close {
    Drop,
    ShutdownTimeout,
    ShutdownBackground,
}

fn close(hall: Runtime, how: Close) {
    match how {
        Close::Drop => drop(hall),
        Close::ShutdownTimeout => {
            hall.shutdown_timeout(Duration::from_millis(100));
        }
        Close::ShutdownBackground => hall.shutdown_background(),
    }
}

/// Closes the hall on another thread while the stagehand holds the
/// piano; the pit waits up to `patience` for the hall to close before it
/// lets the piano go down. Returns every event, in order.
fn curtain(how: Close, patience: Duration) -> Vec<String> {
    let hall = Builder::new_current_thread().build().unwrap();
    let (log_tx, log) = mpsc::channel();
    let (may_go_down, waits) = mpsc::channel();
    let stagehand_log = log_tx.clone();
    hall.spawn_blocking(move || stagehand(waits, stagehand_log));
    let mut events = vec![log.recv_timeout(WATCHDOG).unwrap()];
    thread::spawn(move || {
        close(hall, how);
        log_tx.send(format!("pit: {how:?} returned")).unwrap();
    });
    match log.recv_timeout(patience) {
        Ok(event) => events.push(event),
        Err(_) => events.push(format!("pit: still closing after {patience:?}")),
    }
    events.push("pit: the piano may go down".to_string());
    may_go_down.send(()).unwrap();
    // The rest, until the stagehand and the closing thread are both done.
    while let Ok(event) = log.recv_timeout(WATCHDOG) {
        events.push(event);
    }
    events
}

/// The longest the pit waits for what must happen.
const WATCHDOG: Duration = Duration::from_secs(10);

fn main() {
    for how in [
        Close::Drop,
        Close::ShutdownTimeout,
        Close::ShutdownBackground,
    ] {
        // Dropping cannot return before the piano is down: 300 ms shows it
        // waiting. The other two return, and the pit waits for that.
        let patience = match how {
            Close::Drop => Duration::from_millis(300),
            _ => WATCHDOG,
        };
        println!("-- {how:?} --");
        for event in curtain(how, patience) {
            println!("{event}");
        }
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_the_runtime_waits_for_the_stagehand() {
        let events = curtain(Close::Drop, Duration::from_millis(300));
        assert_eq!(
            events,
            [
                "stagehand: lifted the piano",
                "pit: still closing after 300ms",
                "pit: the piano may go down",
                "stagehand: set it down",
                "pit: Drop returned",
            ]
        );
    }

    #[test]
    fn shutting_down_with_a_timeout_leaves_the_stagehand_running() {
        let events = curtain(Close::ShutdownTimeout, WATCHDOG);
        assert_eq!(
            events,
            [
                "stagehand: lifted the piano",
                "pit: ShutdownTimeout returned",
                "pit: the piano may go down",
                "stagehand: set it down",
            ]
        );
    }

    fn empty_hall() -> Runtime {
        Builder::new_current_thread().build().unwrap()
    }

    /// With the piano held all along, `shutdown_timeout` is unblocked only
    /// when its timeout is reached: it takes at least the 100 ms it is
    /// given. (No upper bound: a busy machine may take longer to return.)
    /// It closes the hall on a thread of its own, under the watchdog, so a
    /// close that waited for the piano would fail the test, not hang it.
    #[test]
    fn shutting_down_with_a_timeout_waits_out_its_timeout() {
        let hall = empty_hall();
        let (log, heard) = mpsc::channel();
        let (may_go_down, waits) = mpsc::channel();
        hall.spawn_blocking(move || stagehand(waits, log));
        assert_eq!(
            heard.recv_timeout(WATCHDOG).unwrap(),
            "stagehand: lifted the piano"
        );
        let (closed, returned) = mpsc::channel();
        thread::spawn(move || {
            let began = std::time::Instant::now();
            close(hall, Close::ShutdownTimeout);
            closed.send(began.elapsed()).unwrap();
        });
        let waited = returned.recv_timeout(WATCHDOG);
        may_go_down.send(()).unwrap();
        let waited = waited.expect("closing returns while the piano is held");
        assert!(
            waited >= Duration::from_millis(100),
            "returned after {waited:?}"
        );
    }

    #[tokio::test]
    #[should_panic(expected = "Cannot drop a runtime in a context where")]
    async fn dropping_a_runtime_inside_async_code_panics() {
        close(empty_hall(), Close::Drop);
    }

    #[tokio::test]
    async fn shutting_one_down_in_the_background_there_does_not() {
        close(empty_hall(), Close::ShutdownBackground);
    }

    #[test]
    fn shutting_down_in_the_background_leaves_it_running_too() {
        let events = curtain(Close::ShutdownBackground, WATCHDOG);
        assert_eq!(
            events,
            [
                "stagehand: lifted the piano",
                "pit: ShutdownBackground returned",
                "pit: the piano may go down",
                "stagehand: set it down",
            ]
        );
    }
}
