use std::future::Future;
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
/// The contract now says it: whoever plays this part may change stands
/// between bars. Implementors may still write `async fn`.
trait Part {
    fn name(&self) -> &'static str;
    fn play(&self, stage: &Stage) -> impl Future<Output = ()> + Send;
}

struct Section {
    name: &'static str,
    notes: Vec<&'static str>,
    bar: Duration,
}

impl Part for Section {
    fn name(&self) -> &'static str {
        self.name
    }

    async fn play(&self, stage: &Stage) {
        for &note in &self.notes {
            stage.sound(self.name, note);
            sleep(self.bar).await;
        }
    }
}

/// Sends any part to play as its own task, on whichever thread is free.
fn on_stage<P>(part: Arc<P>, stage: Stage) -> JoinHandle<()>
where
    P: Part + Send + Sync + 'static,
{
    tokio::spawn(async move {
        stage.sound(part.name(), "takes a seat");
        part.play(&stage).await;
        stage.sound(part.name(), "bows");
    })
}

async fn concert(parts: Vec<Section>) -> Vec<Event> {
    let (ear, mut heard) = mpsc::unbounded_channel();
    let stage = Stage {
        downbeat: Instant::now(),
        ear,
    };
    let tasks: Vec<JoinHandle<()>> = parts
        .into_iter()
        .map(|part| on_stage(Arc::new(part), stage.clone()))
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
    let violins = Section {
        name: "violins",
        notes: vec!["C4", "E4", "G4"],
        bar: Duration::from_millis(200),
    };
    let cellos = Section {
        name: "cellos",
        notes: vec!["C3", "G2"],
        bar: Duration::from_millis(300),
    };
    concert(vec![violins, cellos]).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    const LIMIT: Duration = Duration::from_secs(60);

    fn section(name: &'static str, notes: &[&'static str], ms: u64) -> Section {
        Section {
            name,
            notes: notes.to_vec(),
            bar: Duration::from_millis(ms),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn every_part_plays_as_its_own_task() {
        let violins = section("violins", &["C4", "E4", "G4"], 200);
        let cellos = section("cellos", &["C3", "G2"], 300);
        let mut events = timeout(LIMIT, concert(vec![violins, cellos]))
            .await
            .expect("the concert ends");
        events.sort();
        assert_eq!(
            events,
            [
                (0, "cellos", "C3"),
                (0, "cellos", "takes a seat"),
                (0, "violins", "C4"),
                (0, "violins", "takes a seat"),
                (200, "violins", "E4"),
                (300, "cellos", "G2"),
                (400, "violins", "G4"),
                (600, "cellos", "bows"),
                (600, "violins", "bows"),
            ]
        );
    }
}
