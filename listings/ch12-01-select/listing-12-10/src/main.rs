use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{interval_at, Instant};

// ANCHOR: all
const BEAT: Duration = Duration::from_millis(100);

fn say(start: Instant, who: &str, what: &str) {
    println!("@{}ms {who}: {what}", start.elapsed().as_millis());
}

/// Sends a bar every other beat, from beat `first`, until `bars` are sent
/// or nobody listens any more; then the section leaves.
async fn section(
    part: mpsc::Sender<u32>,
    first: u32,
    bars: u32,
    start: Instant,
) {
    let mut metronome = interval_at(start + BEAT * first, BEAT * 2);
    for bar in 1..=bars {
        metronome.tick().await;
        if part.send(bar).await.is_err() {
            return; // the conductor has gone
        }
    }
}

/// Hears every bar of the strings, and the first `brass_wanted` bars of
/// the brass; ends when no branch is left.
async fn conduct(
    mut strings: mpsc::Receiver<u32>,
    mut brass: mpsc::Receiver<u32>,
    brass_wanted: usize,
    start: Instant,
) -> (Vec<u32>, Vec<u32>) {
    let (mut from_strings, mut from_brass) = (Vec::new(), Vec::new());
    loop {
        tokio::select! {
            // `None` (the strings have left) does not match: disabled.
            Some(bar) = strings.recv() => {
                say(start, "strings", &format!("bar {bar}"));
                from_strings.push(bar);
            }
            // Checked before each turn: false means not polled this turn.
            Some(bar) = brass.recv(), if from_brass.len() < brass_wanted => {
                say(start, "brass", &format!("bar {bar}"));
                from_brass.push(bar);
            }
            // Runs when every branch above is disabled.
            else => {
                say(start, "conductor", "no branch left: that's the piece");
                return (from_strings, from_brass);
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let start = Instant::now();
    let (strings, from_strings) = mpsc::channel(1);
    let (brass, from_brass) = mpsc::channel(1);
    tokio::spawn(section(strings, 1, 3, start)); // beats 1, 3, 5
    tokio::spawn(section(brass, 2, u32::MAX, start)); // beats 2, 4, 6, ...
    conduct(from_strings, from_brass, 2, start).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::sync::mpsc::{self as std_mpsc, RecvTimeoutError};
    use std::{panic, thread};
    use tokio::time::timeout;

    const LIMIT: Duration = Duration::from_secs(60);

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

    fn stage(start: Instant) -> (mpsc::Receiver<u32>, mpsc::Receiver<u32>) {
        let (strings, from_strings) = mpsc::channel(1);
        let (brass, from_brass) = mpsc::channel(1);
        tokio::spawn(section(strings, 1, 3, start));
        tokio::spawn(section(brass, 2, u32::MAX, start));
        (from_strings, from_brass)
    }

    #[test]
    fn else_ends_the_loop_once_a_pattern_and_a_precondition_fail() {
        let (heard, ended) = on_paused_clock(async {
            let start = Instant::now();
            let (strings, brass) = stage(start);
            let heard = timeout(LIMIT, conduct(strings, brass, 2, start))
                .await
                .expect("the else branch ends the loop");
            (heard, start.elapsed())
        });
        assert_eq!(heard, (vec![1, 2, 3], vec![1, 2]));
        // The brass are still playing; the strings' last bar (beat 5) is
        // what left the `select!` with no branch.
        assert_eq!(ended, BEAT * 5);
    }

    /// Broken twin: no precondition, so the brass branch is never disabled.
    async fn conduct_without_if(
        mut strings: mpsc::Receiver<u32>,
        mut brass: mpsc::Receiver<u32>,
    ) -> Vec<u32> {
        let mut heard = Vec::new();
        loop {
            tokio::select! {
                Some(bar) = strings.recv() => heard.push(bar),
                Some(bar) = brass.recv() => heard.push(bar),
                else => return heard,
            }
        }
    }

    #[test]
    fn without_the_precondition_the_brass_never_let_it_end() {
        let ended = on_paused_clock(async {
            let (strings, brass) = stage(Instant::now());
            timeout(LIMIT, conduct_without_if(strings, brass)).await
        });
        assert!(ended.is_err(), "the loop ended: {ended:?}");
    }

    /// Broken twin: no `else`, so the turn with no branch left panics.
    async fn conduct_without_else(
        mut strings: mpsc::Receiver<u32>,
        mut brass: mpsc::Receiver<u32>,
    ) {
        let mut brass_heard = 0;
        loop {
            tokio::select! {
                Some(_) = strings.recv() => {}
                Some(_) = brass.recv(), if brass_heard < 2 => brass_heard += 1,
            }
        }
    }

    #[test]
    fn without_else_the_turn_with_no_branch_panics() {
        let failure = on_paused_clock(async {
            let (strings, brass) = stage(Instant::now());
            let concert = tokio::spawn(conduct_without_else(strings, brass));
            timeout(LIMIT, concert).await.expect("the loop stops")
        });
        let message = failure.expect_err("the loop panics").into_panic();
        assert_eq!(
            message.downcast_ref::<&str>(),
            Some(&"all branches are disabled and there is no else branch")
        );
    }
}
