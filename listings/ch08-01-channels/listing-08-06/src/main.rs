use std::collections::BTreeMap;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

// ANCHOR: all
type Part = &'static str;

#[derive(Debug, PartialEq)]
enum Refusal {
    NotInArchive,
    AllLentOut,
    LibraryClosed,
}

/// What a section can ask the librarian. A question carries the sending
/// half of a `oneshot` channel: the envelope for the answer.
enum Request {
    Lend {
        part: Part,
        reply: oneshot::Sender<Result<Part, Refusal>>,
    },
    Return {
        part: Part,
    },
}

/// The librarian owns the archive: no other task can reach `shelf`, so
/// it needs no `Mutex`. Requests are handled one at a time, in the order
/// they arrive, until every `Library` handle has been dropped.
async fn librarian(
    mut requests: mpsc::Receiver<Request>,
    mut shelf: BTreeMap<Part, u32>,
) -> BTreeMap<Part, u32> {
    while let Some(request) = requests.recv().await {
        match request {
            Request::Lend { part, reply } => {
                let answer = match shelf.get_mut(part) {
                    None => Err(Refusal::NotInArchive),
                    Some(0) => Err(Refusal::AllLentOut),
                    Some(copies) => {
                        *copies -= 1;
                        Ok(part)
                    }
                };
                // The section stopped waiting: the copy goes back.
                if let Err(Ok(part)) = reply.send(answer) {
                    *shelf.entry(part).or_default() += 1;
                }
            }
            Request::Return { part } => *shelf.entry(part).or_default() += 1,
        }
    }
    shelf
}

/// A handle to the library: any number of sections can hold a clone.
#[derive(Clone)]
struct Library {
    desk: mpsc::Sender<Request>,
}

impl Library {
    async fn lend(&self, part: Part) -> Result<Part, Refusal> {
        let (reply, answer) = oneshot::channel();
        let request = Request::Lend { part, reply };
        if self.desk.send(request).await.is_err() {
            return Err(Refusal::LibraryClosed); // the librarian has gone
        }
        // `Err` here means the librarian dropped `reply` unanswered.
        answer.await.unwrap_or(Err(Refusal::LibraryClosed))
    }

    async fn give_back(&self, part: Part) {
        let _ = self.desk.send(Request::Return { part }).await;
    }
}

/// Opens the library: spawns its librarian, and returns the first handle.
fn open(
    shelf: BTreeMap<Part, u32>,
) -> (Library, JoinHandle<BTreeMap<Part, u32>>) {
    let (desk, requests) = mpsc::channel(8);
    (Library { desk }, tokio::spawn(librarian(requests, shelf)))
}

async fn section(name: &str, part: Part, library: Library) {
    match library.lend(part).await {
        Ok(part) => {
            println!("{name}: borrowed {part}");
            library.give_back(part).await;
            println!("{name}: returned {part}");
        }
        Err(refusal) => println!("{name}: no {part}: {refusal:?}"),
    }
}

#[tokio::main]
async fn main() {
    let archive = BTreeMap::from([("cello", 1), ("timpani", 1), ("violin", 2)]);
    let (library, closing) = open(archive);
    let sections = [
        tokio::spawn(section("violins", "violin", library.clone())),
        tokio::spawn(section("cellos", "cello", library.clone())),
        tokio::spawn(section("horns", "horn", library.clone())),
    ];
    drop(library); // the sections hold the only handles now
    for section in sections {
        section.await.unwrap();
    }
    let shelf = closing.await.unwrap();
    println!("librarian: every handle dropped, closing with {shelf:?}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::time::timeout;

    const LIMIT: Duration = Duration::from_secs(10);

    /// Eight sections on four threads ask at once for the one timpani
    /// part: the librarian's check and its lending cannot interleave.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_copy_goes_to_exactly_one_section() {
        let (library, closing) = open(BTreeMap::from([("timpani", 1)]));
        let askers: Vec<_> = (0..8)
            .map(|_| {
                let library = library.clone();
                tokio::spawn(async move { library.lend("timpani").await })
            })
            .collect();
        let mut answers = Vec::new();
        for asker in askers {
            answers.push(timeout(LIMIT, asker).await.unwrap().unwrap());
        }
        let lent = answers.iter().filter(|a| a.is_ok()).count();
        assert_eq!(lent, 1, "{answers:?}");
        let refused = Err(Refusal::AllLentOut);
        assert_eq!(answers.iter().filter(|a| **a == refused).count(), 7);
        drop(library);
        let shelf = timeout(LIMIT, closing).await.unwrap().unwrap();
        assert_eq!(shelf, BTreeMap::from([("timpani", 0)]));
    }

    #[tokio::test]
    async fn a_section_gone_before_the_answer_loses_no_copy() {
        let (library, closing) = open(BTreeMap::from([("timpani", 1)]));
        let (reply, answer) = oneshot::channel();
        drop(answer); // the section gave up before the answer came
        let lend = Request::Lend {
            part: "timpani",
            reply,
        };
        assert!(library.desk.send(lend).await.is_ok());
        let lent = timeout(LIMIT, library.lend("timpani")).await.unwrap();
        assert_eq!(lent, Ok("timpani"), "the copy went back on the shelf");
        drop(library);
        timeout(LIMIT, closing).await.unwrap().unwrap();
    }

    /// The desk holds eight questions: before the librarian first runs
    /// (nothing here has awaited yet), a ninth finds it full.
    #[tokio::test]
    async fn the_desk_holds_eight_questions() {
        let (library, _closing) = open(BTreeMap::new());
        let ask = || library.desk.try_send(Request::Return { part: "harp" });
        for _ in 0..8 {
            assert!(ask().is_ok(), "the desk had room");
        }
        assert!(matches!(ask(), Err(mpsc::error::TrySendError::Full(_))));
    }

    /// A desk of eight, full before the librarian arrives: a ninth `lend`
    /// rests in `send`, neither answered nor refused, until there is room.
    #[tokio::test(start_paused = true)]
    async fn a_ninth_question_rests_at_a_full_desk() {
        let (desk, requests) = mpsc::channel(8);
        let library = Library { desk };
        for _ in 0..8 {
            timeout(LIMIT, library.give_back("harp")).await.unwrap();
        }
        let mut ninth = Box::pin(library.lend("cello"));
        // An hour on the paused clock, and the question is still resting.
        let hour = Duration::from_secs(3600);
        let rested = timeout(hour, ninth.as_mut()).await;
        assert!(rested.is_err(), "no rest at a full desk: {rested:?}");
        // Not waiting for an answer: the ninth question is not on the desk.
        assert_eq!(requests.len(), 8, "the ninth rests in send, off the desk");
        // The librarian arrives and takes the first question: a place
        // frees, and the ninth goes on to be answered in its turn.
        let archive = BTreeMap::from([("cello", 1)]);
        let closing = tokio::spawn(librarian(requests, archive));
        assert_eq!(timeout(LIMIT, ninth).await, Ok(Ok("cello")));
        drop(library);
        let shelf = timeout(LIMIT, closing).await.unwrap().unwrap();
        assert_eq!(shelf, BTreeMap::from([("cello", 0), ("harp", 8)]));
    }

    #[tokio::test]
    async fn returns_come_back_and_the_loop_ends_with_the_last_handle() {
        let (library, closing) = open(BTreeMap::from([("cello", 1)]));
        let lend = |part| timeout(LIMIT, library.lend(part));
        assert_eq!(lend("cello").await, Ok(Ok("cello")));
        assert_eq!(lend("cello").await, Ok(Err(Refusal::AllLentOut)));
        library.give_back("cello").await;
        assert_eq!(lend("horn").await, Ok(Err(Refusal::NotInArchive)));
        drop(library);
        let shelf = timeout(LIMIT, closing).await.expect("loop ended");
        assert_eq!(shelf.unwrap(), BTreeMap::from([("cello", 1)]));
    }

    #[tokio::test]
    async fn a_closed_library_refuses_instead_of_hanging() {
        let (desk, requests) = mpsc::channel(1);
        drop(requests); // no librarian at all
        let library = Library { desk };
        let refusal = timeout(LIMIT, library.lend("cello")).await.unwrap();
        assert_eq!(refusal, Err(Refusal::LibraryClosed));

        let (desk, mut requests) = mpsc::channel(1);
        let mute = tokio::spawn(async move {
            let question = requests.recv().await;
            drop(question); // drops `reply` without answering
        });
        let library = Library { desk };
        let refusal = timeout(LIMIT, library.lend("cello")).await.unwrap();
        assert_eq!(refusal, Err(Refusal::LibraryClosed));
        mute.await.unwrap();
    }
}
