// ANCHOR: all
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::sleep;
use tokio_util::sync::CancellationToken;

/// A client's request: a note to tune, and the envelope for the answer.
struct Request {
    note: &'static str,
    reply: oneshot::Sender<String>,
}

/// Tunes one note, which takes a while.
async fn tune(note: &'static str) -> String {
    sleep(Duration::from_millis(300)).await;
    format!("{note} in tune")
}

/// Serves each request in a session of its own until the `curtain` is
/// cancelled, or every client has dropped its sender. Then it takes no
/// more requests (one sent from then on is refused at once), lets the
/// sessions under way finish, and returns how many requests it took.
async fn serve(
    mut requests: mpsc::Receiver<Request>,
    curtain: CancellationToken,
) -> usize {
    // Write: track the sessions in a `TaskTracker`, with a `select!` loop
    // over the curtain and `requests.recv()`, then close the door and
    // wait for the sessions. This stand-in serves one request at a time,
    // and never looks at the curtain.
    let mut taken = 0;
    while let Some(Request { note, reply }) = requests.recv().await {
        let _ = reply.send(tune(note).await);
        taken += 1;
    }
    drop(curtain);
    taken
}

#[tokio::main]
async fn main() {
    let (door, requests) = mpsc::channel(8);
    let curtain = CancellationToken::new();
    let tuner = tokio::spawn(serve(requests, curtain.clone()));
    let mut answers = Vec::new();
    for note in ["A4", "E5"] {
        let (reply, answer) = oneshot::channel();
        door.send(Request { note, reply }).await.unwrap();
        answers.push(answer);
    }
    sleep(Duration::from_millis(100)).await;
    curtain.cancel();
    sleep(Duration::from_millis(100)).await;
    let (reply, _) = oneshot::channel();
    let late = door.send(Request { note: "D3", reply }).await;
    println!("a request after the curtain is refused: {}", late.is_err());
    drop(door);
    for answer in answers {
        println!("{:?}", answer.await);
    }
    println!("requests taken: {}", tuner.await.unwrap());
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::sync::mpsc as std_mpsc;
    use std::thread;
    use tokio::time::{timeout, Instant};

    /// Real time: long enough to mean "never", short enough to fail fast.
    const WATCHDOG: Duration = Duration::from_secs(10);

    /// Runs `concert` on tokio's paused clock, on a thread of its own: a
    /// failure inside it fails the test, and so does a concert that has
    /// not finished after `WATCHDOG` of real time.
    fn on_paused_clock<F>(
        concert: impl FnOnce() -> F + Send + 'static,
    ) -> F::Output
    where
        F: Future,
        F::Output: Send + 'static,
    {
        let (done, finished) = std_mpsc::channel();
        let stage = thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .start_paused(true)
                .build()
                .unwrap();
            done.send(runtime.block_on(concert())).unwrap();
        });
        match finished.recv_timeout(WATCHDOG) {
            Ok(result) => result,
            Err(std_mpsc::RecvTimeoutError::Timeout) => {
                panic!("still running after {WATCHDOG:?} of real time")
            }
            Err(std_mpsc::RecvTimeoutError::Disconnected) => {
                std::panic::resume_unwind(stage.join().unwrap_err())
            }
        }
    }

    /// A tuner being served, on the paused clock.
    struct Hall {
        door: mpsc::Sender<Request>,
        curtain: CancellationToken,
        tuner: tokio::task::JoinHandle<(usize, u128)>,
        downbeat: Instant,
    }

    impl Hall {
        fn open() -> Hall {
            let (door, requests) = mpsc::channel(8);
            let curtain = CancellationToken::new();
            let downbeat = Instant::now();
            let tuner = tokio::spawn({
                let curtain = curtain.clone();
                async move {
                    let taken = serve(requests, curtain).await;
                    (taken, downbeat.elapsed().as_millis())
                }
            });
            Hall {
                door,
                curtain,
                tuner,
                downbeat,
            }
        }

        /// Sends a request for `note`; its answer and when it came, or
        /// `None` if the request was refused at the door.
        async fn ask(
            &self,
            note: &'static str,
        ) -> Option<tokio::task::JoinHandle<(Option<String>, u128)>> {
            let (reply, answer) = oneshot::channel();
            self.door.send(Request { note, reply }).await.ok()?;
            let downbeat = self.downbeat;
            Some(tokio::spawn(async move {
                let answer = timeout(Duration::from_secs(60), answer).await;
                (
                    answer.ok().and_then(Result::ok),
                    downbeat.elapsed().as_millis(),
                )
            }))
        }

        /// What `serve` returned and when, or `None` after a minute.
        async fn closed(self) -> Option<(usize, u128)> {
            let Hall { door, tuner, .. } = self;
            let closed = timeout(Duration::from_secs(60), tuner).await;
            drop(door);
            closed.ok().map(Result::unwrap)
        }
    }

    #[test]
    fn sessions_are_served_at_the_same_time() {
        let (answers, closed) = on_paused_clock(|| async {
            let hall = Hall::open();
            let mut asked = Vec::new();
            for note in ["A4", "E5", "D3"] {
                asked.push(hall.ask(note).await.expect("refused"));
            }
            let mut answers = Vec::new();
            for answer in asked {
                answers.push(answer.await.unwrap());
            }
            sleep(Duration::from_millis(100)).await;
            hall.curtain.cancel();
            (answers, hall.closed().await)
        });
        let expected = ["A4 in tune", "E5 in tune", "D3 in tune"]
            .map(|a| (Some(a.to_string()), 300));
        assert_eq!(answers, expected, "three sessions, not one after another");
        assert_eq!(closed, Some((3, 400)), "closed at the curtain, 400 ms");
    }

    #[test]
    fn at_the_curtain_the_sessions_under_way_finish() {
        let (answers, closed) = on_paused_clock(|| async {
            let hall = Hall::open();
            let first = hall.ask("A4").await.expect("refused");
            let second = hall.ask("E5").await.expect("refused");
            sleep(Duration::from_millis(100)).await;
            hall.curtain.cancel();
            let closed = hall.closed().await;
            ([first.await.unwrap(), second.await.unwrap()], closed)
        });
        let answered = |a: &str| (Some(a.to_string()), 300);
        assert_eq!(answers, [answered("A4 in tune"), answered("E5 in tune")]);
        assert_eq!(closed, Some((2, 300)), "it returns when both are done");
    }

    #[test]
    fn the_door_closes_at_the_curtain_not_when_the_last_session_ends() {
        let (refused, first, closed) = on_paused_clock(|| async {
            let hall = Hall::open();
            let first = hall.ask("A4").await.expect("refused");
            sleep(Duration::from_millis(100)).await;
            hall.curtain.cancel();
            sleep(Duration::from_millis(100)).await;
            // A4's session is still under way, and B2 comes too late.
            let refused = hall.ask("B2").await.is_none();
            (refused, first.await.unwrap(), hall.closed().await)
        });
        assert!(refused, "a request after the curtain is refused at once");
        assert_eq!(first, (Some("A4 in tune".to_string()), 300));
        assert_eq!(closed, Some((1, 300)));
    }

    #[test]
    fn the_tuner_also_closes_when_every_client_has_left() {
        let (answer, closed) = on_paused_clock(|| async {
            let hall = Hall::open();
            let asked = hall.ask("G3").await.expect("refused");
            let Hall { door, tuner, .. } = hall;
            drop(door);
            let closed = timeout(Duration::from_secs(60), tuner).await;
            (asked.await.unwrap(), closed.ok().map(Result::unwrap))
        });
        assert_eq!(answer, (Some("G3 in tune".to_string()), 300));
        assert_eq!(closed, Some((1, 300)));
    }
}
