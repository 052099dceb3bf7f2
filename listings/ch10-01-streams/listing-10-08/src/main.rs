use std::cell::RefCell;
use std::pin::pin;
use std::time::Duration;

use tokio::time::{sleep, Instant};
use tokio_stream::{self as stream, Stream, StreamExt};

// ANCHOR: all
/// The part as written: notes, and rests (`-`).
const PART: [&str; 8] = ["C4", "-", "E4", "G4", "-", "C5", "G4", "E4"];

/// Every event, with the millisecond it happened at.
struct Timeline {
    downbeat: Instant,
    events: RefCell<Vec<(u128, &'static str, &'static str)>>,
}

impl Timeline {
    fn mark(&self, performer: &'static str, what: &'static str) {
        let ms = self.downbeat.elapsed().as_millis();
        println!("@{ms}ms {performer}: {what}");
        self.events.borrow_mut().push((ms, performer, what));
    }
}

/// The copyist reads the part symbol by symbol, the rests are left out,
/// the notes come at most one per beat, and only four are wanted.
fn phrase<'a>(
    timeline: &'a Timeline,
    beat: Duration,
) -> impl Stream<Item = &'static str> + 'a {
    stream::iter(PART)
        .map(move |symbol| {
            timeline.mark("copyist", symbol);
            symbol
        })
        .filter(|symbol| *symbol != "-")
        .throttle(beat)
        .take(4)
}

/// The conductor rests one beat, then asks for notes until `None`.
async fn perform(
    phrase: impl Stream<Item = &'static str>,
    timeline: &Timeline,
    beat: Duration,
) {
    timeline.mark("conductor", "the phrase is built; one beat's rest");
    sleep(beat).await;
    let mut phrase = pin!(phrase); // `throttle` is not `Unpin`
    while let Some(note) = phrase.next().await {
        timeline.mark("violins", note);
    }
    timeline.mark("violins", "None, the part ends");
}

#[tokio::main]
async fn main() {
    let beat = Duration::from_millis(100);
    let timeline = Timeline {
        downbeat: Instant::now(),
        events: RefCell::default(),
    };
    perform(phrase(&timeline, beat), &timeline, beat).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    const BEAT: Duration = Duration::from_millis(250);
    const LIMIT: Duration = Duration::from_secs(60);

    fn timeline() -> Timeline {
        Timeline {
            downbeat: Instant::now(),
            events: RefCell::default(),
        }
    }

    /// What laziness means here: nothing is read before the first
    /// `next`, each note is read when it is asked for (so it is played
    /// the instant it is read), and nothing after the last note wanted is
    /// ever read.
    fn read_on_demand(
        events: &[(u128, &'static str, &'static str)],
        first_ask: u128,
    ) -> Result<(), String> {
        let read: Vec<_> = events
            .iter()
            .filter(|e| e.1 == "copyist")
            .map(|e| (e.0, e.2))
            .collect();
        let played: Vec<_> = events
            .iter()
            .filter(|e| e.1 == "violins" && e.2 != "None, the part ends")
            .map(|e| (e.0, e.2))
            .collect();
        if let Some(early) = read.iter().find(|r| r.0 < first_ask) {
            return Err(format!("{early:?} read before anyone asked"));
        }
        let notes_read: Vec<_> =
            read.iter().copied().filter(|r| r.1 != "-").collect();
        if notes_read != played {
            return Err(format!("read {notes_read:?}, played {played:?}"));
        }
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn each_note_is_read_when_it_is_asked_for() {
        let timeline = timeline();
        timeout(LIMIT, perform(phrase(&timeline, BEAT), &timeline, BEAT))
            .await
            .expect("the part ends");
        let events = timeline.events.into_inner();
        assert_eq!(
            events,
            [
                (0, "conductor", "the phrase is built; one beat's rest"),
                (250, "copyist", "C4"),
                (250, "violins", "C4"),
                (500, "copyist", "-"),
                (500, "copyist", "E4"),
                (500, "violins", "E4"),
                (750, "copyist", "G4"),
                (750, "violins", "G4"),
                (1000, "copyist", "-"),
                (1000, "copyist", "C5"),
                (1000, "violins", "C5"),
                (1000, "violins", "None, the part ends"),
            ],
            "G4 and E4 at the end are never read"
        );
        assert_eq!(read_on_demand(&events, 250), Ok(()));
    }

    /// `throttle` in this version lets the first note through at once,
    /// even the instant the phrase is built; the second waits a beat.
    #[tokio::test(start_paused = true)]
    async fn the_first_note_is_not_held_back() {
        let timeline = timeline();
        let mut phrase = pin!(phrase(&timeline, BEAT));
        let first = timeout(LIMIT, phrase.next()).await.expect("a note");
        let second = timeout(LIMIT, phrase.next()).await.expect("a note");
        assert_eq!((first, second), (Some("C4"), Some("E4")));
        assert_eq!(
            timeline.events.take(),
            [
                (0, "copyist", "C4"),
                (250, "copyist", "-"),
                (250, "copyist", "E4"),
            ]
        );
    }

    /// Broken twin: the part is read, and the rests left out, while the
    /// phrase is built, as an iterator `collect`ed into a `Vec` does.
    fn eager_phrase(
        timeline: &Timeline,
        beat: Duration,
    ) -> impl Stream<Item = &'static str> {
        let notes: Vec<_> = PART
            .into_iter()
            .inspect(|symbol| timeline.mark("copyist", symbol))
            .filter(|symbol| *symbol != "-")
            .collect();
        stream::iter(notes).throttle(beat).take(4)
    }

    #[tokio::test(start_paused = true)]
    async fn an_eager_phrase_reads_everything_up_front() {
        let timeline = timeline();
        timeout(
            LIMIT,
            perform(eager_phrase(&timeline, BEAT), &timeline, BEAT),
        )
        .await
        .expect("the twin ends");
        let events = timeline.events.into_inner();
        let played: Vec<_> =
            events.iter().filter(|e| e.1 == "violins").collect();
        assert_eq!(
            played,
            [
                &(250, "violins", "C4"),
                &(500, "violins", "E4"),
                &(750, "violins", "G4"),
                &(1000, "violins", "C5"),
                &(1000, "violins", "None, the part ends"),
            ],
            "the same notes at the same times"
        );
        let verdict = read_on_demand(&events, 250).unwrap_err();
        assert_eq!(verdict, r#"(0, "C4") read before anyone asked"#);
    }
}
