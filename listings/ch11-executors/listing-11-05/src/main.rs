use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

// ANCHOR: all
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

/// A task's cue: calling its waker puts the task back in the queue.
struct Cue {
    task: usize,
    name: &'static str,
    hall: Hall,
}

impl Wake for Cue {
    fn wake(self: Arc<Self>) {
        let mut desk = self.hall.lock().unwrap();
        desk.ready.push_back(self.task);
        desk.note(self.name, "re-queued");
    }
}

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
        let waker = Waker::from(Arc::new(Cue { task, name, hall }));
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
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    /// Runs `play` on its own thread and fails, instead of hanging, if it
    /// has not finished within ten seconds.
    fn watched<T: Send + 'static>(
        play: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let (report, outcome) = mpsc::channel();
        thread::spawn(move || report.send(play()).unwrap());
        outcome
            .recv_timeout(Duration::from_secs(10))
            .expect("the conductor never finished")
    }

    /// One trace line as (ms, performer, what).
    fn parse(line: &str) -> (u64, &str, &str) {
        let (time, rest) = line.split_once("ms ").expect("an event");
        let (who, what) = rest.split_once(": ").expect("an event");
        (time[1..].parse().expect("a time"), who, what)
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum State {
        Queued,
        Polled,
        Resting,
        Done,
    }

    /// The waker contract, checked on a trace: a task is polled only when
    /// queued; it answers Pending only after registering a waker; it is
    /// queued again only after that waker is called; it is Ready once,
    /// then silent; the clock never runs backwards; everyone finishes.
    fn keeps_the_contract(trace: &[String], names: &[&str]) {
        let mut state: HashMap<&str, State> =
            names.iter().map(|n| (*n, State::Queued)).collect();
        let mut registered: HashMap<&str, bool> = HashMap::new();
        let mut woken: HashMap<&str, bool> = HashMap::new();
        let mut clock = 0;
        for line in trace {
            let (ms, who, what) = parse(line);
            assert!(ms >= clock, "the clock ran backwards at {line}");
            clock = ms;
            if who == "conductor" {
                if let Some(name) = what.strip_prefix("polls ") {
                    assert_eq!(state[name], State::Queued, "{line}");
                    state.insert(name, State::Polled);
                    registered.insert(name, false);
                } else if let Some(name) =
                    what.strip_prefix("timer due, wake called for ")
                {
                    assert_eq!(state[name], State::Resting, "{line}");
                    woken.insert(name, true);
                }
                continue;
            }
            let now = state[who];
            match what {
                "returned Poll::Pending" => {
                    assert_eq!(now, State::Polled, "{line}");
                    assert!(registered[who], "Pending, no waker: {line}");
                    state.insert(who, State::Resting);
                    woken.insert(who, false);
                }
                "re-queued" => {
                    assert_eq!(now, State::Resting, "{line}");
                    assert!(woken[who], "queued with no wake: {line}");
                    state.insert(who, State::Queued);
                }
                "returned Poll::Ready" => {
                    assert_eq!(now, State::Polled, "{line}");
                    state.insert(who, State::Done);
                }
                _ if what.starts_with("waker registered") => {
                    assert_eq!(now, State::Polled, "{line}");
                    registered.insert(who, true);
                }
                _ => assert_eq!(now, State::Polled, "plays unpolled: {line}"),
            }
        }
        for (name, end) in state {
            assert_eq!(end, State::Done, "{name} never returned Ready");
        }
        assert!(trace.last().unwrap().ends_with("the concert is over"));
    }

    #[test]
    fn the_trace_keeps_the_waker_contract() {
        let trace = watched(concert);
        keeps_the_contract(&trace, &["strings", "winds"]);
        let polls = trace.iter().filter(|l| l.contains("polls")).count();
        assert_eq!(polls, 3, "two first polls and one after the wake");
    }

    #[test]
    fn a_rest_lasts_its_virtual_time_and_no_longer() {
        let trace = watched(concert);
        let bars: Vec<(u64, &str, &str)> = trace
            .iter()
            .map(|line| parse(line))
            .filter(|(_, _, what)| what.starts_with("plays"))
            .collect();
        assert_eq!(
            bars,
            [
                (0, "strings", "plays bar 1"),
                (0, "winds", "plays bar 1"),
                (100, "strings", "plays bar 2"),
            ]
        );
    }

    #[test]
    fn three_sections_rest_and_wake_in_deadline_order() {
        let trace = watched(|| {
            let hall = Hall::default();
            let mut conductor = Conductor {
                hall: Arc::clone(&hall),
                tasks: Vec::new(),
            };
            for (name, millis) in [("cellos", 80), ("oboe", 30), ("harp", 30)] {
                conductor
                    .spawn(name, section(Arc::clone(&hall), name, 3, millis));
            }
            conductor.run()
        });
        keeps_the_contract(&trace, &["cellos", "oboe", "harp"]);
        let wakes: Vec<(u64, &str)> = trace
            .iter()
            .map(|line| parse(line))
            .filter_map(|(ms, _, what)| {
                let name = what.strip_prefix("timer due, wake called for ")?;
                Some((ms, name))
            })
            .collect();
        assert_eq!(
            wakes,
            [
                (30, "oboe"),
                (30, "harp"),
                (60, "oboe"),
                (60, "harp"),
                (80, "cellos"),
                (160, "cellos"),
            ]
        );
    }

    #[test]
    fn a_task_pending_without_a_waker_is_reported_not_waited_for() {
        let trace = watched(|| {
            let mut conductor = Conductor {
                hall: Hall::default(),
                tasks: Vec::new(),
            };
            conductor.spawn("mute", std::future::poll_fn(|_| Poll::Pending));
            conductor.run()
        });
        assert_eq!(
            trace,
            [
                "@0ms conductor: polls mute",
                "@0ms mute: returned Poll::Pending",
                "@0ms conductor: silence: nothing queued, no timer left, \
                 mute unfinished",
            ]
        );
    }

    #[test]
    fn a_task_woken_after_it_finished_is_not_polled_again() {
        let trace = watched(|| {
            let hall = Hall::default();
            let mut conductor = Conductor {
                hall: Arc::clone(&hall),
                tasks: Vec::new(),
            };
            let desk = Arc::clone(&hall);
            conductor.spawn(
                "encore",
                std::future::poll_fn(move |cx| {
                    desk.lock().unwrap().timers.push(Timer {
                        due: 0,
                        name: "encore",
                        waker: cx.waker().clone(),
                    });
                    Poll::Ready(())
                }),
            );
            conductor.run()
        });
        assert_eq!(
            trace,
            [
                "@0ms conductor: polls encore",
                "@0ms encore: returned Poll::Ready",
                "@0ms conductor: timer due, wake called for encore",
                "@0ms encore: re-queued",
                "@0ms conductor: every task Ready, the concert is over",
            ]
        );
    }
}
