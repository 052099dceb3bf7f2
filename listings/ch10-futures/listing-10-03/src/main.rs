use std::cell::RefCell;
use std::time::Duration;
use tokio::time::{sleep, Instant};

// ANCHOR: all
/// When each event happened, measured from the downbeat.
struct Timeline {
    downbeat: Instant,
    events: RefCell<Vec<String>>,
}

impl Timeline {
    fn new() -> Self {
        Timeline {
            downbeat: Instant::now(),
            events: RefCell::new(Vec::new()),
        }
    }

    fn mark(&self, performer: &str, what: &str) {
        let ms = self.downbeat.elapsed().as_millis();
        let line = format!("@{ms}ms {performer}: {what}");
        println!("{line}");
        self.events.borrow_mut().push(line);
    }
}

async fn section(name: &str, bars: u32, tempo: Duration, timeline: &Timeline) {
    for bar in 1..=bars {
        sleep(tempo).await;
        timeline.mark(name, &format!("bar {bar}"));
    }
}

async fn one_after_another(beat: Duration) -> Vec<String> {
    let timeline = Timeline::new();
    section("strings", 3, beat * 5, &timeline).await;
    section("brass", 2, beat * 6, &timeline).await;
    timeline.mark("conductor", "both sections done");
    timeline.events.into_inner()
}

async fn together(beat: Duration) -> Vec<String> {
    let timeline = Timeline::new();
    tokio::join!(
        section("strings", 3, beat * 5, &timeline),
        section("brass", 2, beat * 6, &timeline),
    );
    timeline.mark("conductor", "both sections done");
    timeline.events.into_inner()
}

#[tokio::main]
async fn main() {
    let beat = Duration::from_millis(10);
    println!("-- one after another --");
    one_after_another(beat).await;
    println!("-- together, with join! --");
    together(beat).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    const BEAT: Duration = Duration::from_millis(20);
    const LIMIT: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn awaiting_in_turn_adds_the_durations() {
        let events = timeout(LIMIT, one_after_another(BEAT)).await.unwrap();
        assert_eq!(
            events,
            [
                "@100ms strings: bar 1",
                "@200ms strings: bar 2",
                "@300ms strings: bar 3",
                "@420ms brass: bar 1",
                "@540ms brass: bar 2",
                "@540ms conductor: both sections done",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn join_takes_as_long_as_the_longest_section() {
        let events = timeout(LIMIT, together(BEAT)).await.unwrap();
        assert_eq!(
            events,
            [
                "@100ms strings: bar 1",
                "@120ms brass: bar 1",
                "@200ms strings: bar 2",
                "@240ms brass: bar 2",
                "@300ms strings: bar 3",
                "@300ms conductor: both sections done",
            ]
        );
    }
}
