use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

// ANCHOR: all
type Journal = Arc<Mutex<Vec<String>>>;

/// A one-beat rest: gives the stage back once, asking to be queued again.
struct Rest {
    taken: bool,
}

impl Future for Rest {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.taken {
            return Poll::Ready(());
        }
        self.taken = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn rest() -> Rest {
    Rest { taken: false }
}

type Part = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A task: a part still to play, and the way back into the queue.
struct Task {
    part: Mutex<Option<Part>>,
    queue: Sender<Arc<Task>>,
}

impl Wake for Task {
    fn wake(self: Arc<Self>) {
        let queue = self.queue.clone();
        let _ = queue.send(self); // back of the line
    }
}

struct Conductor {
    ready: Receiver<Arc<Task>>,
    queue: Sender<Arc<Task>>,
}

impl Conductor {
    fn new() -> Self {
        let (queue, ready) = mpsc::channel();
        Conductor { ready, queue }
    }

    fn spawn(&self, part: impl Future<Output = ()> + Send + 'static) {
        let task = Arc::new(Task {
            part: Mutex::new(Some(Box::pin(part))),
            queue: self.queue.clone(),
        });
        self.queue.send(task).unwrap();
    }

    /// Who plays next? Whoever is at the front of the queue.
    fn run(self) {
        drop(self.queue); // from now on, only tasks can requeue tasks
        while let Ok(task) = self.ready.recv() {
            let mut slot = task.part.lock().unwrap();
            if let Some(mut part) = slot.take() {
                let waker = Waker::from(Arc::clone(&task));
                let mut cx = Context::from_waker(&waker);
                if part.as_mut().poll(&mut cx).is_pending() {
                    *slot = Some(part); // not finished: keep it for later
                }
            }
        }
    }
}

async fn section(name: &'static str, bars: u32, journal: Journal) {
    for bar in 1..=bars {
        let line = format!("{name}: bar {bar}");
        println!("{line}");
        journal.lock().unwrap().push(line);
        rest().await;
    }
}

fn concert() -> Vec<String> {
    let journal = Journal::default();
    let conductor = Conductor::new();
    conductor.spawn(section("strings", 3, Arc::clone(&journal)));
    conductor.spawn(section("brass", 2, Arc::clone(&journal)));
    conductor.spawn(section("winds", 1, Arc::clone(&journal)));
    conductor.run(); // returns once no task and no waker is left

    // Bound first: in edition 2021 a guard in the tail expression would
    // outlive `journal` (E0597).
    let played = journal.lock().unwrap().clone();
    played
}

fn main() {
    let played = concert();
    println!("conductor: {} bars, one thread, no runtime", played.len());
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;
    use std::time::Duration;

    /// Runs `conductor` on a thread of its own; the receiver hears when
    /// `run` returns.
    fn run_aside(conductor: Conductor) -> mpsc::Receiver<&'static str> {
        let (report, outcome) = mpsc::channel();
        thread::spawn(move || {
            conductor.run();
            report.send("finished").unwrap();
        });
        outcome
    }

    #[test]
    fn tasks_take_turns_in_queue_order_at_each_rest() {
        let (report, outcome) = mpsc::channel();
        thread::spawn(move || report.send(concert()).unwrap());
        let played = outcome
            .recv_timeout(Duration::from_secs(10))
            .expect("the conductor never finished");
        assert_eq!(
            played,
            [
                "strings: bar 1",
                "brass: bar 1",
                "winds: bar 1",
                "strings: bar 2",
                "brass: bar 2",
                "strings: bar 3",
            ]
        );
    }

    #[test]
    fn a_task_woken_from_another_thread_is_played() {
        let (cue, heard) = mpsc::channel::<Waker>();
        let journal = Journal::default();
        let conductor = Conductor::new();
        let log = Arc::clone(&journal);
        conductor.spawn(async move {
            let mut asked = false;
            std::future::poll_fn(|cx| {
                if asked {
                    return Poll::Ready(());
                }
                asked = true;
                cue.send(cx.waker().clone()).unwrap();
                Poll::Pending
            })
            .await;
            log.lock().unwrap().push("soloist: cued".to_string());
        });
        let stagehand = thread::spawn(move || {
            heard.recv_timeout(Duration::from_secs(10)).unwrap().wake();
        });
        let outcome = run_aside(conductor);
        outcome
            .recv_timeout(Duration::from_secs(10))
            .expect("the conductor never finished");
        stagehand.join().unwrap();
        assert_eq!(*journal.lock().unwrap(), ["soloist: cued"]);
    }

    #[test]
    fn run_waits_while_a_waker_is_alive() {
        let (cue, heard) = mpsc::channel::<Waker>();
        let conductor = Conductor::new();
        // A part that never finishes; it hands its waker out on each poll.
        conductor.spawn(std::future::poll_fn(move |cx| {
            cue.send(cx.waker().clone()).unwrap();
            Poll::Pending
        }));
        let outcome = run_aside(conductor);
        let waker = heard
            .recv_timeout(Duration::from_secs(10))
            .expect("the part was never polled");
        // Someone could still wake the task, so `run` must keep waiting.
        let early = outcome.recv_timeout(Duration::from_millis(100));
        assert!(early.is_err(), "run returned while a waker was alive");
        // The last waker gone, the task and its sender go with it.
        drop(waker);
        outcome
            .recv_timeout(Duration::from_secs(10))
            .expect("run kept waiting with no waker left");
    }

    /// A part that keeps a clone of its own waker and finishes: `run`
    /// drops the finished part, and with it the cycle, so it returns.
    #[test]
    fn a_finished_part_is_dropped_with_the_waker_it_kept() {
        let conductor = Conductor::new();
        let mut kept: Option<Waker> = None;
        conductor.spawn(std::future::poll_fn(move |cx| {
            if kept.is_some() {
                return Poll::Ready(());
            }
            kept = Some(cx.waker().clone());
            cx.waker().wake_by_ref();
            Poll::Pending
        }));
        let outcome = run_aside(conductor);
        outcome
            .recv_timeout(Duration::from_secs(10))
            .expect("a finished part kept its own waker alive");
    }

    #[tokio::test]
    async fn the_same_sections_play_unchanged_under_tokio() {
        let journal = Journal::default();
        let sections = [("strings", 3), ("brass", 2), ("winds", 1)];
        let mut handles = Vec::new();
        for (name, bars) in sections {
            handles.push(tokio::spawn(section(name, bars, journal.clone())));
        }
        for handle in handles {
            tokio::time::timeout(Duration::from_secs(10), handle)
                .await
                .expect("a section never finished")
                .unwrap();
        }
        let played = journal.lock().unwrap().clone();
        for (name, bars) in sections {
            let mine: Vec<&String> = played
                .iter()
                .filter(|line| line.starts_with(name))
                .collect();
            let expected: Vec<String> =
                (1..=bars).map(|bar| format!("{name}: bar {bar}")).collect();
            assert_eq!(mine, expected.iter().collect::<Vec<_>>());
        }
        assert_eq!(played.len(), 6);
    }
}
