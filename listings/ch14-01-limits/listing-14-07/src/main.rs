use std::cell::RefCell;
use std::time::Duration;
use tokio::time::{sleep, Instant};

// ANCHOR: all
/// Events since the downbeat, kept in a plain `RefCell`: not `Sync`, so a
/// `&Timeline` is not `Send`. The caller owns it; the parts borrow it.
struct Timeline {
    downbeat: Instant,
    events: RefCell<Vec<String>>,
}

impl Timeline {
    fn new() -> Self {
        let events = RefCell::new(Vec::new());
        Timeline {
            downbeat: Instant::now(),
            events,
        }
    }

    fn mark(&self, performer: &str, what: &str) {
        let ms = self.downbeat.elapsed().as_millis();
        let line = format!("@{ms}ms {performer}: {what}");
        println!("{line}");
        self.events.borrow_mut().push(line);
    }
}

/// A music stand that notices if its part is dropped before the end.
struct Stand<'a> {
    section: &'static str,
    timeline: &'a Timeline,
    played: usize,
    done: bool,
}

impl Drop for Stand<'_> {
    fn drop(&mut self) {
        if !self.done {
            let what = format!("dropped before note {}", self.played + 1);
            self.timeline.mark(self.section, &what);
        }
    }
}

async fn violins(score: &[&str], timeline: &Timeline) -> Result<usize, String> {
    let mut stand = Stand {
        section: "violins",
        timeline,
        played: 0,
        done: false,
    };
    for note in score {
        sleep(Duration::from_millis(800)).await;
        timeline.mark("violins", note);
        stand.played += 1;
    }
    stand.done = true;
    Ok(stand.played)
}

/// The oboe plays one note, and then its reed splits.
async fn oboe(timeline: &Timeline) -> Result<usize, String> {
    sleep(Duration::from_millis(600)).await;
    timeline.mark("oboe", "A4");
    sleep(Duration::from_millis(600)).await;
    timeline.mark("oboe", "reed split");
    Err("the oboe's reed split".to_string())
}

type Both = (Result<usize, String>, Result<usize, String>);

async fn with_join(score: &[&str], timeline: &Timeline) -> Both {
    tokio::join!(violins(score, timeline), oboe(timeline))
}

async fn with_try_join(
    score: &[&str],
    timeline: &Timeline,
) -> Result<(usize, usize), String> {
    tokio::try_join!(violins(score, timeline), oboe(timeline))
}

#[tokio::main]
async fn main() {
    let score = vec!["C4", "G4"];
    let timeline = Timeline::new();
    let heard = with_join(&score, &timeline).await;
    timeline.mark("conductor", &format!("join! gave {heard:?}"));
    let heard = with_try_join(&score, &timeline).await;
    timeline.mark("conductor", &format!("try_join! gave {heard:?}"));
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    const SCORE: [&str; 2] = ["C4", "G4"];
    const LIMIT: Duration = Duration::from_secs(60);

    fn lines(timeline: Timeline) -> Vec<String> {
        timeline.events.into_inner()
    }

    #[tokio::test(start_paused = true)]
    async fn join_waits_for_every_part_even_after_an_error() {
        let timeline = Timeline::new();
        let heard = timeout(LIMIT, with_join(&SCORE, &timeline))
            .await
            .expect("the warm-up ends");
        assert_eq!(heard, (Ok(2), Err("the oboe's reed split".to_string())));
        assert_eq!(timeline.downbeat.elapsed(), Duration::from_millis(1600));
        assert_eq!(
            lines(timeline),
            [
                "@600ms oboe: A4",
                "@800ms violins: C4",
                "@1200ms oboe: reed split",
                "@1600ms violins: G4",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn try_join_drops_the_rest_at_the_first_error() {
        let timeline = Timeline::new();
        let heard = timeout(LIMIT, with_try_join(&SCORE, &timeline))
            .await
            .expect("the warm-up ends");
        assert_eq!(heard, Err("the oboe's reed split".to_string()));
        // It returned at the error, and the violins' future had already
        // been dropped mid-part: its stand said so, at that same instant.
        assert_eq!(timeline.downbeat.elapsed(), Duration::from_millis(1200));
        assert_eq!(
            lines(timeline),
            [
                "@600ms oboe: A4",
                "@800ms violins: C4",
                "@1200ms oboe: reed split",
                "@1200ms violins: dropped before note 2",
            ]
        );
    }
}
