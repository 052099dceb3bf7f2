use std::cell::RefCell;
use std::time::Duration;
use tokio::time::{sleep, Instant};

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

// ANCHOR: all
// --snip-- (`Timeline` as in Listing 10-3)

/// Marks the timeline if its section leaves the stage before the last bar.
struct OnStage<'a> {
    name: &'a str,
    timeline: &'a Timeline,
    finished: bool,
}

impl Drop for OnStage<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.timeline.mark(self.name, "dropped mid-phrase");
        }
    }
}

async fn section(name: &str, bars: u32, tempo: Duration, timeline: &Timeline) {
    let mut on_stage = OnStage {
        name,
        timeline,
        finished: false,
    };
    for bar in 1..=bars {
        sleep(tempo).await;
        timeline.mark(name, &format!("bar {bar}"));
    }
    on_stage.finished = true;
}

async fn first_to_finish(beat: Duration) -> Vec<String> {
    let timeline = Timeline::new();
    tokio::select! {
        () = section("strings", 4, beat * 5, &timeline) => {
            timeline.mark("conductor", "the strings won");
        }
        () = section("brass", 2, beat * 6, &timeline) => {
            timeline.mark("conductor", "the brass won");
        }
    }
    timeline.events.into_inner()
}

#[tokio::main]
async fn main() {
    first_to_finish(Duration::from_millis(200)).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    #[tokio::test(start_paused = true)]
    async fn the_loser_is_dropped_when_the_winner_finishes() {
        let beat = Duration::from_millis(20);
        let mut events =
            timeout(Duration::from_secs(60), first_to_finish(beat))
                .await
                .unwrap();
        // The strings are dropped at the instant the brass finish. Whether
        // that happens before or after the handler runs, `select!` does not
        // document, so those last two events are compared in sorted order.
        events[4..].sort();
        assert_eq!(
            events,
            [
                "@100ms strings: bar 1",
                "@120ms brass: bar 1",
                "@200ms strings: bar 2",
                "@240ms brass: bar 2",
                "@240ms conductor: the brass won",
                "@240ms strings: dropped mid-phrase",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_section_that_finishes_is_not_reported_dropped() {
        let timeline = Timeline::new();
        let brass = section("brass", 2, Duration::from_millis(50), &timeline);
        timeout(Duration::from_secs(60), brass).await.unwrap();
        assert_eq!(
            timeline.events.into_inner(),
            ["@50ms brass: bar 1", "@100ms brass: bar 2"]
        );
    }

    /// Dropped between its rests, the section's own guard says so.
    #[tokio::test(start_paused = true)]
    async fn a_section_dropped_mid_phrase_reports_it_itself() {
        let timeline = Timeline::new();
        let strings =
            section("strings", 4, Duration::from_millis(100), &timeline);
        let cut = timeout(Duration::from_millis(250), strings).await;
        assert!(cut.is_err(), "the phrase ended before the cut");
        assert_eq!(
            timeline.events.into_inner(),
            [
                "@100ms strings: bar 1",
                "@200ms strings: bar 2",
                "@250ms strings: dropped mid-phrase",
            ]
        );
    }
}
