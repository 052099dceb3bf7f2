use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

/// The conductor's desk: a virtual clock, the queue of tasks ready to be
/// polled, the timers and the wakers they will call, and the trace.
#[derive(Default)]
struct Desk {
    now: u64, // virtual milliseconds: only the conductor moves them
    ready: VecDeque<usize>,
    timers: Vec<Timer>,
    trace: Vec<String>,
}

struct Timer {
    due: u64,
    name: &'static str,
    waker: Waker,
}

type Hall = Arc<Mutex<Desk>>;

impl Desk {
    fn note(&mut self, who: &str, what: &str) {
        let line = format!("@{}ms {who}: {what}", self.now);
        self.trace.push(line);
    }
}

// ANCHOR: cue
/// A task's cue, broken: its waker is called, and the task stays put.
struct Cue {
    name: &'static str,
    hall: Hall,
}

impl Wake for Cue {
    fn wake(self: Arc<Self>) {
        let mut desk = self.hall.lock().unwrap();
        // The bug: nothing puts the task back in the queue.
        desk.note(self.name, "wake heard, but not re-queued");
    }
}
// ANCHOR_END: cue

/// A rest of some virtual milliseconds, timed by the conductor's timers.
struct Rest {
    hall: Hall,
    name: &'static str,
    due: u64,
}

impl Future for Rest {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut desk = self.hall.lock().unwrap();
        if desk.now >= self.due {
            return Poll::Ready(());
        }
        desk.timers.push(Timer {
            due: self.due,
            name: self.name,
            waker: cx.waker().clone(),
        });
        let what = format!("waker registered, timer due at {} ms", self.due);
        desk.note(self.name, &what);
        Poll::Pending
    }
}

fn rest(hall: &Hall, name: &'static str, millis: u64) -> Rest {
    let due = hall.lock().unwrap().now + millis;
    let hall = Arc::clone(hall);
    Rest { hall, name, due }
}

type Part = Pin<Box<dyn Future<Output = ()>>>;

struct Task {
    name: &'static str,
    part: Option<Part>, // None once it has returned Ready
    waker: Waker,
}

struct Conductor {
    hall: Hall,
    tasks: Vec<Task>,
}

impl Conductor {
    fn spawn(
        &mut self,
        name: &'static str,
        part: impl Future<Output = ()> + 'static,
    ) {
        let task = self.tasks.len();
        let hall = Arc::clone(&self.hall);
        let waker = Waker::from(Arc::new(Cue { name, hall }));
        let part: Part = Box::pin(part);
        self.tasks.push(Task {
            name,
            part: Some(part),
            waker,
        });
        self.hall.lock().unwrap().ready.push_back(task);
    }

    /// Polls whoever is queued; when nobody is, moves the clock to the
    /// next timer and calls its waker; stops when neither is left.
    fn run(mut self) -> Vec<String> {
        loop {
            let next = self.hall.lock().unwrap().ready.pop_front();
            if let Some(index) = next {
                self.poll(index);
            } else if !self.fire_next_timer() {
                break;
            }
        }
        let unfinished: Vec<&str> = self
            .tasks
            .iter()
            .filter(|task| task.part.is_some())
            .map(|task| task.name)
            .collect();
        let mut desk = self.hall.lock().unwrap();
        if unfinished.is_empty() {
            desk.note("conductor", "every task Ready, the concert is over");
        } else {
            let what = format!(
                "silence: nothing queued, no timer left, {} unfinished",
                unfinished.join(" and ")
            );
            desk.note("conductor", &what);
        }
        std::mem::take(&mut desk.trace)
    }

    fn poll(&mut self, index: usize) {
        let task = &mut self.tasks[index];
        let Some(part) = task.part.as_mut() else {
            return; // woken after it finished: nothing to play
        };
        let what = format!("polls {}", task.name);
        self.hall.lock().unwrap().note("conductor", &what);
        let mut cx = Context::from_waker(&task.waker);
        let answer = part.as_mut().poll(&mut cx);
        let mut desk = self.hall.lock().unwrap();
        if answer.is_ready() {
            task.part = None;
            desk.note(task.name, "returned Poll::Ready");
        } else {
            desk.note(task.name, "returned Poll::Pending");
        }
    }

    /// Fires the earliest timer, jumping the clock to it if it is ahead.
    fn fire_next_timer(&mut self) -> bool {
        let mut desk = self.hall.lock().unwrap();
        let Some(soonest) = desk.timers.iter().map(|t| t.due).min() else {
            return false;
        };
        if soonest > desk.now {
            let what = format!("queue empty, clock jumps to {soonest} ms");
            desk.note("conductor", &what);
            desk.now = soonest;
        }
        let at = desk.timers.iter().position(|t| t.due == soonest).unwrap();
        let timer = desk.timers.remove(at);
        let what = format!("timer due, wake called for {}", timer.name);
        desk.note("conductor", &what);
        drop(desk); // the waker locks the desk to queue its task
        timer.waker.wake();
        true
    }
}

async fn section(hall: Hall, name: &'static str, bars: u32, millis: u64) {
    for bar in 1..=bars {
        if bar > 1 {
            rest(&hall, name, millis).await;
        }
        hall.lock().unwrap().note(name, &format!("plays bar {bar}"));
    }
}

fn concert() -> Vec<String> {
    let hall = Hall::default();
    let mut conductor = Conductor {
        hall: Arc::clone(&hall),
        tasks: Vec::new(),
    };
    conductor.spawn("strings", section(Arc::clone(&hall), "strings", 2, 100));
    conductor.spawn("winds", section(hall, "winds", 1, 0));
    conductor.run()
}

fn main() {
    for line in concert() {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    /// Runs `play` on its own thread and fails, instead of hanging, if it
    /// has not finished within ten seconds.
    fn watched(play: fn() -> Vec<String>) -> Vec<String> {
        let (report, outcome) = mpsc::channel();
        thread::spawn(move || report.send(play()).unwrap());
        outcome
            .recv_timeout(Duration::from_secs(10))
            .expect("the conductor hung instead of reporting the silence")
    }

    #[test]
    fn the_silence_is_reported_not_waited_for() {
        let trace = watched(concert);
        assert_eq!(
            trace.last().unwrap(),
            "@100ms conductor: silence: nothing queued, no timer left, \
             strings unfinished"
        );
    }

    #[test]
    fn every_timer_fires_before_the_silence_is_reported() {
        let trace = watched(|| {
            let hall = Hall::default();
            let mut conductor = Conductor {
                hall: Arc::clone(&hall),
                tasks: Vec::new(),
            };
            for name in ["strings", "brass"] {
                conductor.spawn(name, section(Arc::clone(&hall), name, 2, 100));
            }
            conductor.run()
        });
        assert_eq!(
            trace[8..],
            [
                "@0ms conductor: queue empty, clock jumps to 100 ms",
                "@100ms conductor: timer due, wake called for strings",
                "@100ms strings: wake heard, but not re-queued",
                "@100ms conductor: timer due, wake called for brass",
                "@100ms brass: wake heard, but not re-queued",
                "@100ms conductor: silence: nothing queued, no timer left, \
                 strings and brass unfinished",
            ]
        );
    }

    #[test]
    fn the_wake_is_called_and_no_poll_follows() {
        let trace = watched(concert);
        let wake = trace
            .iter()
            .position(|l| l.ends_with("wake called for strings"))
            .expect("the timer called the waker");
        let polls: Vec<usize> = trace
            .iter()
            .enumerate()
            .filter(|(_, l)| l.ends_with("conductor: polls strings"))
            .map(|(at, _)| at)
            .collect();
        assert_eq!(polls, [0], "strings was polled once, before its rest");
        assert!(
            !trace[wake..].iter().any(|l| l.contains("strings: plays")),
            "the strings played after a wake that queued nothing"
        );
        assert!(trace.contains(&"@0ms winds: returned Poll::Ready".into()));
    }
}
