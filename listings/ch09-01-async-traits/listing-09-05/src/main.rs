use std::rc::Rc;
use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::time::{sleep, Instant};

// ANCHOR: all
/// What the audience heard: ms since the downbeat, who, and what.
type Event = (u128, &'static str, &'static str);

/// The hall: one downbeat for every part, and the audience's ear.
#[derive(Clone)]
struct Stage {
    downbeat: Instant,
    ear: UnboundedSender<Event>,
}

impl Stage {
    fn sound(&self, who: &'static str, what: &'static str) {
        let ms = self.downbeat.elapsed().as_millis();
        println!("@{ms}ms {who}: {what}");
        self.ear.send((ms, who, what)).unwrap();
    }
}

/// The contract: every part has rests in it. It does not say what plays
/// them, nor whether the player may change stands between bars.
trait Part {
    fn name(&self) -> &'static str;
    async fn play(&self, stage: &Stage);
}

struct Violins {
    notes: [&'static str; 3],
    bar: Duration,
}

impl Part for Violins {
    fn name(&self) -> &'static str {
        "violins"
    }

    async fn play(&self, stage: &Stage) {
        for note in self.notes {
            stage.sound("violins", note);
            sleep(self.bar).await; // a rest on tokio's timer
        }
    }
}

/// The organ is built into the hall: its part keeps an `Rc`, which is
/// not `Send`, through every rest. The contract allows that.
struct Organ {
    chord: &'static str,
    bars: u32,
    bar: Duration,
}

impl Part for Organ {
    fn name(&self) -> &'static str {
        "organ"
    }

    async fn play(&self, stage: &Stage) {
        let pipes = Rc::new(self.chord);
        for _ in 0..self.bars {
            stage.sound("organ", *pipes);
            sleep(self.bar).await;
        }
    }
}

/// Generic over every part: all it knows is that `play` can be awaited.
async fn perform<P: Part>(part: &P, stage: &Stage) {
    stage.sound(part.name(), "takes a seat");
    part.play(stage).await;
    stage.sound(part.name(), "bows");
}

/// Both parts on one task, joined: each one's rests are the other's turn.
async fn concert(violins: &Violins, organ: &Organ) -> Vec<Event> {
    let (ear, mut heard) = mpsc::unbounded_channel();
    let stage = Stage {
        downbeat: Instant::now(),
        ear,
    };
    tokio::join!(perform(violins, &stage), perform(organ, &stage));
    drop(stage);
    let mut events = Vec::new();
    while let Some(event) = heard.recv().await {
        events.push(event);
    }
    events
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let violins = Violins {
        notes: ["C4", "E4", "G4"],
        bar: Duration::from_millis(200),
    };
    let organ = Organ {
        chord: "C2+G2",
        bars: 2,
        bar: Duration::from_millis(300),
    };
    concert(&violins, &organ).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    const LIMIT: Duration = Duration::from_secs(60);

    /// Whether `$value` is `Send`, as the compiler sees its type where the
    /// macro is used: an inherent method that needs `Send` comes before a
    /// trait's, when the type has it.
    macro_rules! is_send {
        ($value:expr) => {{
            struct Probe<T>(std::marker::PhantomData<T>);
            #[allow(dead_code)] // one of the two answers goes unused
            trait Otherwise {
                fn answer(&self) -> bool {
                    false
                }
            }
            impl<T> Otherwise for Probe<T> {}
            impl<T: Send> Probe<T> {
                #[allow(dead_code)] // one of the two answers goes unused
                fn answer(&self) -> bool {
                    true
                }
            }
            fn probe<T>(_: &T) -> Probe<T> {
                Probe(std::marker::PhantomData)
            }
            probe(&$value).answer()
        }};
    }

    /// What the page says of the two parts: the violins' future is
    /// `Send`, and the organ's, which keeps an `Rc` through its rests, is
    /// not; both are `Part`s all the same. Neither future is polled.
    #[test]
    fn the_violins_future_is_send_and_the_organs_is_not() {
        let (violins, organ) = ensemble();
        let (ear, _heard) = mpsc::unbounded_channel();
        let stage = Stage {
            downbeat: Instant::now(),
            ear,
        };
        assert!(is_send!(violins.play(&stage)), "the violins' future");
        assert!(!is_send!(organ.play(&stage)), "the organ's future");
    }

    fn ensemble() -> (Violins, Organ) {
        let violins = Violins {
            notes: ["C4", "E4", "G4"],
            bar: Duration::from_millis(200),
        };
        let organ = Organ {
            chord: "C2+G2",
            bars: 2,
            bar: Duration::from_millis(300),
        };
        (violins, organ)
    }

    #[tokio::test(start_paused = true)]
    async fn the_generic_caller_awaits_each_implementors_rests() {
        let (violins, organ) = ensemble();
        let mut events = timeout(LIMIT, concert(&violins, &organ))
            .await
            .expect("the concert ends");
        // Each part played at the times its own rests set, so the organ's
        // second chord fell between the violins' E4 and G4.
        events.sort();
        assert_eq!(
            events,
            [
                (0, "organ", "C2+G2"),
                (0, "organ", "takes a seat"),
                (0, "violins", "C4"),
                (0, "violins", "takes a seat"),
                (200, "violins", "E4"),
                (300, "organ", "C2+G2"),
                (400, "violins", "G4"),
                (600, "organ", "bows"),
                (600, "violins", "bows"),
            ]
        );
    }
}
