// ANCHOR: all
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// What a section can ask the page turner, with the envelope for the
/// answer: the page open after the request.
enum Request {
    Turn(oneshot::Sender<u32>),
    Page(oneshot::Sender<u32>),
}

/// A section's handle on the page turner; clone it to share it.
#[derive(Clone)]
struct PageTurner {
    desk: mpsc::Sender<Request>,
}

/// The page turner has left, or dropped the question unanswered.
#[derive(Debug, PartialEq)]
struct Gone;

/// Starts the page turner, who owns the open page, at `first`. Its task
/// answers each request in turn and ends, returning the page it closed
/// on, once every `PageTurner` has been dropped.
fn open(first: u32) -> (PageTurner, JoinHandle<u32>) {
    let (desk, mut requests) = mpsc::channel(8);
    let turner = tokio::spawn(async move {
        let mut page = first;
        while let Some(request) = requests.recv().await {
            let reply = match request {
                Request::Turn(reply) => {
                    page += 1;
                    reply
                }
                Request::Page(reply) => reply,
            };
            // A section that stopped waiting needs no answer.
            let _ = reply.send(page);
        }
        page
    });
    (PageTurner { desk }, turner)
}
impl PageTurner {
    /// Sends `request`, made with a fresh envelope, and awaits the answer.
    async fn ask(
        &self,
        request: fn(oneshot::Sender<u32>) -> Request,
    ) -> Result<u32, Gone> {
        let (reply, answer) = oneshot::channel();
        self.desk.send(request(reply)).await.map_err(|_| Gone)?;
        answer.await.map_err(|_| Gone)
    }

    /// Turns the page, and returns the page now open.
    async fn turn(&self) -> Result<u32, Gone> {
        self.ask(Request::Turn).await
    }

    /// Returns the page open, without turning it.
    async fn page(&self) -> Result<u32, Gone> {
        self.ask(Request::Page).await
    }
}

#[tokio::main]
async fn main() {
    let (turner, closing) = open(1);
    let violins = turner.clone();
    let turning =
        tokio::spawn(
            async move { [violins.turn().await, violins.turn().await] },
        );
    println!("the cellos turn to {:?}", turner.turn().await);
    println!("the violins turn to {:?}", turning.await.unwrap());
    println!("open at {:?}", turner.page().await);
    drop(turner);
    println!("closed on page {}", closing.await.unwrap());
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::poll_fn;
    use std::future::Future;
    use std::pin::pin;
    use std::sync::mpsc::{self as std_mpsc, RecvTimeoutError};
    use std::task::Poll;
    use std::thread;
    use std::time::Duration;

    /// Long enough to mean "never", short enough to fail fast.
    const WATCHDOG: Duration = Duration::from_secs(10);

    /// Runs `concert` on a runtime with four worker threads, on a thread
    /// of its own: a failure inside it fails the test, and so does a
    /// concert still running after `WATCHDOG`.
    fn within<F>(concert: impl FnOnce() -> F + Send + 'static) -> F::Output
    where
        F: Future,
        F::Output: Send + 'static,
    {
        let (done, finished) = std_mpsc::channel();
        let stage = thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(4)
                .enable_all()
                .build()
                .unwrap();
            done.send(runtime.block_on(concert())).unwrap();
        });
        match finished.recv_timeout(WATCHDOG) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                panic!("still running after {WATCHDOG:?}: someone is stuck")
            }
            Err(RecvTimeoutError::Disconnected) => {
                std::panic::resume_unwind(stage.join().unwrap_err())
            }
        }
    }

    #[test]
    fn every_turn_gets_a_page_of_its_own() {
        let (mut pages, open_now, closed_on) = within(|| async {
            let (turner, closing) = open(0);
            let sections: Vec<_> = (0..8)
                .map(|_| {
                    let turner = turner.clone();
                    tokio::spawn(async move {
                        let mut pages = Vec::new();
                        for _ in 0..10 {
                            pages.push(turner.turn().await);
                        }
                        pages
                    })
                })
                .collect();
            let mut pages = Vec::new();
            for section in sections {
                pages.extend(section.await.unwrap());
            }
            let open_now = turner.page().await;
            drop(turner);
            (pages, open_now, closing.await.unwrap())
        });
        assert!(pages.iter().all(Result::is_ok), "a turn went unanswered");
        pages.sort_by_key(|page| *page.as_ref().unwrap());
        let expected: Vec<Result<u32, Gone>> = (1..=80).map(Ok).collect();
        assert_eq!(pages, expected, "80 turns, 80 different pages");
        assert_eq!(open_now, Ok(80));
        assert_eq!(closed_on, 80, "the task returns the page it closed on");
    }

    #[test]
    fn page_tells_without_turning() {
        let (asked, closed_on) = within(|| async {
            let (turner, closing) = open(12);
            let asked = [
                turner.page().await,
                turner.page().await,
                turner.turn().await,
                turner.page().await,
            ];
            drop(turner);
            (asked, closing.await.unwrap())
        });
        assert_eq!(asked, [Ok(12), Ok(12), Ok(13), Ok(13)]);
        assert_eq!(closed_on, 13);
    }

    #[test]
    fn the_turner_stays_while_any_section_holds_a_handle() {
        let (late, closed_on) = within(|| async {
            let (turner, closing) = open(3);
            let last = turner.clone();
            drop(turner);
            // One handle is left: the turner must still be there.
            let late = last.turn().await;
            drop(last);
            (late, closing.await.unwrap())
        });
        assert_eq!(late, Ok(4));
        assert_eq!(closed_on, 4);
    }

    #[test]
    fn a_turner_that_has_left_answers_gone() {
        let answer = within(|| async {
            let (turner, closing) = open(0);
            closing.abort();
            let _ = closing.await;
            turner.turn().await
        });
        assert_eq!(answer, Err(Gone), "an answer, not a hang");
    }

    #[test]
    fn a_section_that_stopped_waiting_is_not_answered_and_the_turner_goes_on() {
        let (open_now, closed_on) = within(|| async {
            let (turner, closing) = open(0);
            // A section asks for a turn, then stops waiting for the answer.
            let (reply, gave_up) = oneshot::channel();
            drop(gave_up);
            turner.desk.send(Request::Turn(reply)).await.unwrap();
            let open_now = turner.page().await;
            drop(turner);
            (open_now, closing.await.unwrap())
        });
        assert_eq!(
            open_now,
            Ok(1),
            "the turn was made, and the turner goes on"
        );
        assert_eq!(closed_on, 1);
    }

    #[test]
    fn at_a_full_desk_a_section_waits_for_room() {
        let answer = within(|| async {
            let (desk, mut requests) = mpsc::channel(1);
            let turner = PageTurner { desk };
            // One question already fills the desk's only place.
            let (first, _) = oneshot::channel();
            turner.desk.send(Request::Page(first)).await.unwrap();
            let (start, started) = oneshot::channel();
            tokio::spawn(async move {
                // A turner who starts only when told, and answers turns.
                started.await.unwrap();
                while let Some(request) = requests.recv().await {
                    if let Request::Turn(reply) = request {
                        let _ = reply.send(1);
                    }
                }
            });
            let mut turn = pin!(turner.turn());
            let first_poll = poll_fn(|cx| Poll::Ready(turn.as_mut().poll(cx)));
            assert!(
                first_poll.await.is_pending(),
                "a full desk gave an answer at once, not a wait for room"
            );
            start.send(()).unwrap();
            turn.await
        });
        assert_eq!(answer, Ok(1));
    }

    #[test]
    fn a_question_dropped_unanswered_answers_gone() {
        let answer = within(|| async {
            let (desk, mut requests) = mpsc::channel(1);
            // A turner who takes the question and drops its envelope.
            let mute = tokio::spawn(async move { drop(requests.recv().await) });
            let answer = PageTurner { desk }.turn().await;
            mute.await.unwrap();
            answer
        });
        assert_eq!(answer, Err(Gone), "an unanswered question, not a panic");
    }
}
