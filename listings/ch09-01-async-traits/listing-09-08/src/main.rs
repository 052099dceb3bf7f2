use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task::JoinHandle;
use tokio::time::{sleep, Instant};

/// What the audience heard: ms since the downbeat, who, and what.
type Event = (u128, &'static str, &'static str);

/// The hall of Listing 9-5: one downbeat, and the audience's ear.
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

// ANCHOR: all
/// A phrase in a box: every part returns this one type, on the heap.
type Phrase<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// A contract that `dyn Part` can keep: `play` returns a named type.
trait Part: Send + Sync {
    fn name(&self) -> &'static str;
    fn play<'a>(&'a self, stage: &'a Stage) -> Phrase<'a>;
}

struct Violins {
    notes: Vec<&'static str>,
    bar: Duration,
}

impl Part for Violins {
    fn name(&self) -> &'static str {
        "violins"
    }

    fn play<'a>(&'a self, stage: &'a Stage) -> Phrase<'a> {
        Box::pin(async move {
            for &note in &self.notes {
                stage.sound("violins", note);
                sleep(self.bar).await;
            }
        })
    }
}

struct Timpani {
    rolls: u32,
    bar: Duration,
}

impl Part for Timpani {
    fn name(&self) -> &'static str {
        "timpani"
    }

    fn play<'a>(&'a self, stage: &'a Stage) -> Phrase<'a> {
        Box::pin(async move {
            for _ in 0..self.rolls {
                stage.sound("timpani", "roll");
                sleep(self.bar).await;
            }
        })
    }
}

/// The programme is a list of names known only at run time: one `Vec`
/// holds parts of different types, each behind `Arc<dyn Part>`.
fn programme(names: &[&str]) -> Vec<Arc<dyn Part>> {
    let bar = Duration::from_millis(100);
    let mut parts: Vec<Arc<dyn Part>> = Vec::new();
    for &name in names {
        match name {
            "violins" => parts.push(Arc::new(Violins {
                notes: vec!["C4", "E4", "G4"],
                bar,
            })),
            "timpani" => parts.push(Arc::new(Timpani {
                rolls: 2,
                bar: bar * 2,
            })),
            _ => println!("no such part: {name}"),
        }
    }
    parts
}

async fn concert(parts: Vec<Arc<dyn Part>>) -> Vec<Event> {
    let (ear, mut heard) = mpsc::unbounded_channel();
    let stage = Stage {
        downbeat: Instant::now(),
        ear,
    };
    let tasks: Vec<JoinHandle<()>> = parts
        .into_iter()
        .map(|part| {
            let stage = stage.clone();
            tokio::spawn(async move {
                part.play(&stage).await;
                stage.sound(part.name(), "bows");
            })
        })
        .collect();
    drop(stage);
    for task in tasks {
        task.await.unwrap();
    }
    let mut events = Vec::new();
    while let Some(event) = heard.recv().await {
        events.push(event);
    }
    events
}

#[tokio::main]
async fn main() {
    let names = ["timpani", "violins", "harp"];
    concert(programme(&names)).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    const LIMIT: Duration = Duration::from_secs(60);

    #[test]
    fn the_programme_holds_parts_of_different_types_in_its_order() {
        let parts = programme(&["timpani", "oboe", "violins", "timpani"]);
        let names: Vec<&str> = parts.iter().map(|part| part.name()).collect();
        assert_eq!(names, ["timpani", "violins", "timpani"]);
    }

    #[tokio::test(start_paused = true)]
    async fn each_part_plays_through_the_same_boxed_call() {
        let parts = programme(&["violins", "timpani"]);
        let mut events = timeout(LIMIT, concert(parts))
            .await
            .expect("the concert ends");
        events.sort();
        assert_eq!(
            events,
            [
                (0, "timpani", "roll"),
                (0, "violins", "C4"),
                (100, "violins", "E4"),
                (200, "timpani", "roll"),
                (200, "violins", "G4"),
                (300, "violins", "bows"),
                (400, "timpani", "bows"),
            ]
        );
    }
}
