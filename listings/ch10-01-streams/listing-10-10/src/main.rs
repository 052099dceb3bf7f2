use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{interval, sleep, Instant};
use tokio_stream::wrappers::{IntervalStream, ReceiverStream};
use tokio_stream::{Stream, StreamExt};

// ANCHOR: all
/// What the conductor hears: a beat, with the millisecond it was due,
/// or a note from the soloist.
#[derive(Debug, PartialEq)]
enum Cue {
    Beat(u128),
    Note(&'static str),
}

/// The soloist plays between the beats: half a beat in, then once a
/// beat, and holds its last note a beat before it leaves; its `Sender`
/// is dropped when it returns.
async fn soloist(stand: mpsc::Sender<&'static str>, beat: Duration) {
    sleep(beat / 2).await;
    for note in ["C5", "E5", "G5"] {
        stand.send(note).await.expect("the conductor listens");
        sleep(beat).await;
    }
}

/// Four beats of a metronome that starts now, each stamped with the
/// millisecond after `start` it was due, merged with the soloist's notes.
fn cues(
    beat: Duration,
    start: Instant,
    notes: mpsc::Receiver<&'static str>,
) -> impl Stream<Item = Cue> + Unpin {
    let metronome = IntervalStream::new(interval(beat))
        .take(4)
        .map(move |due: Instant| Cue::Beat((due - start).as_millis()));
    let solo = ReceiverStream::new(notes).map(Cue::Note);
    metronome.merge(solo)
}

/// Hears the cues as they come; returns each with the millisecond it was
/// heard.
async fn concert(beat: Duration) -> (Vec<(u128, Cue)>, u128) {
    let start = Instant::now();
    let (stand, notes) = mpsc::channel(1);
    tokio::spawn(soloist(stand, beat));
    let mut cues = cues(beat, start, notes);
    let mut heard = Vec::new();
    while let Some(cue) = cues.next().await {
        let ms = start.elapsed().as_millis();
        match cue {
            Cue::Beat(due) => println!("@{ms}ms metronome: tick due {due}ms"),
            Cue::Note(note) => println!("@{ms}ms soloist: {note}"),
        }
        heard.push((ms, cue));
    }
    let end = start.elapsed().as_millis();
    println!("@{end}ms conductor: None, both parts have ended");
    (heard, end)
}

#[tokio::main]
async fn main() {
    concert(Duration::from_millis(200)).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    const BEAT: Duration = Duration::from_secs(1);
    const LIMIT: Duration = Duration::from_secs(60);

    /// What `merge` promises: values "in the order they arrive", so no
    /// beat waits for the other part; and it ends when both parts end.
    fn on_time(heard: &[(u128, Cue)]) -> Result<(), String> {
        for (ms, cue) in heard {
            if let Cue::Beat(due) = cue {
                if ms != due {
                    return Err(format!("beat due {due}ms heard at {ms}ms"));
                }
            }
        }
        let beats = heard.iter().filter(|h| matches!(h.1, Cue::Beat(_)));
        let notes: Vec<_> = heard
            .iter()
            .filter_map(|h| match h.1 {
                Cue::Note(note) => Some(note),
                Cue::Beat(_) => None,
            })
            .collect();
        if beats.count() != 4 || notes != ["C5", "E5", "G5"] {
            return Err(format!("a cue is missing: {heard:?}"));
        }
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn beats_and_notes_are_heard_as_they_come() {
        let (heard, end) = timeout(LIMIT, concert(BEAT))
            .await
            .expect("the concert ends");
        assert_eq!(
            heard,
            [
                (0, Cue::Beat(0)),
                (500, Cue::Note("C5")),
                (1000, Cue::Beat(1000)),
                (1500, Cue::Note("E5")),
                (2000, Cue::Beat(2000)),
                (2500, Cue::Note("G5")),
                (3000, Cue::Beat(3000)),
            ]
        );
        assert_eq!(end, 3500, "when the soloist leaves, not at the last beat");
        assert_eq!(on_time(&heard), Ok(()));
    }

    /// The conductor asks for nothing until 2,500 ms: the three beats due
    /// by then come at once, each stamped with the instant it was due, as
    /// `MissedTickBehavior::Burst` promises; the fourth comes on time.
    #[tokio::test(start_paused = true)]
    async fn a_late_beat_keeps_the_stamp_of_when_it_was_due() {
        let start = Instant::now();
        let (stand, notes) = mpsc::channel(1);
        drop(stand); // no soloist: the solo ends at once
        let late = cues(BEAT, start, notes);
        sleep(BEAT * 5 / 2).await;
        let heard =
            timeout(LIMIT, heard_from(late, start)).await.expect("ends");
        assert_eq!(
            heard,
            [
                (2500, Cue::Beat(0)),
                (2500, Cue::Beat(1000)),
                (2500, Cue::Beat(2000)),
                (3000, Cue::Beat(3000)),
            ]
        );
    }

    /// Every cue ready at once: three notes waiting on the stand and, at
    /// 3,000 ms, all four beats due. `merge` promises to alternate between
    /// two parts that are both ready, so neither plays twice in a row
    /// while the other still has a cue.
    #[tokio::test(start_paused = true)]
    async fn parts_ready_together_alternate() {
        let start = Instant::now();
        let (stand, notes) = mpsc::channel(3);
        for note in ["C5", "E5", "G5"] {
            stand.send(note).await.expect("the stand has room");
        }
        drop(stand);
        let together = cues(BEAT, start, notes);
        sleep(BEAT * 3).await;
        let heard = timeout(LIMIT, heard_from(together, start))
            .await
            .expect("ends");
        assert!(heard.iter().all(|(ms, _)| *ms == 3000), "{heard:?}");
        let parts: String = heard
            .iter()
            .map(|(_, cue)| match cue {
                Cue::Beat(_) => 'b',
                Cue::Note(_) => 'n',
            })
            .collect();
        assert!(
            ["bnbnbnb", "nbnbnbb"].contains(&parts.as_str()),
            "the parts did not alternate: {parts}"
        );
    }

    /// Broken twin: `chain` instead of `merge`. The metronome is asked
    /// for its first tick only when the solo has ended.
    async fn chained(beat: Duration) -> Vec<(u128, Cue)> {
        let start = Instant::now();
        let (stand, notes) = mpsc::channel(1);
        tokio::spawn(soloist(stand, beat));
        let metronome = IntervalStream::new(interval(beat))
            .take(4)
            .map(move |due: Instant| Cue::Beat((due - start).as_millis()));
        let solo = ReceiverStream::new(notes).map(Cue::Note);
        let cues = solo.chain(metronome);
        heard_from(cues, start).await
    }

    async fn heard_from(
        cues: impl Stream<Item = Cue>,
        start: Instant,
    ) -> Vec<(u128, Cue)> {
        let mut cues = std::pin::pin!(cues);
        let mut heard = Vec::new();
        while let Some(cue) = cues.next().await {
            heard.push((start.elapsed().as_millis(), cue));
        }
        heard
    }

    #[tokio::test(start_paused = true)]
    async fn chained_the_metronome_waits_for_the_solo() {
        let heard = timeout(LIMIT, chained(BEAT)).await.expect("it ends");
        assert_eq!(on_time(&heard), Err("beat due 0ms heard at 3500ms".into()));
        assert_eq!(
            heard,
            [
                (500, Cue::Note("C5")),
                (1500, Cue::Note("E5")),
                (2500, Cue::Note("G5")),
                (3500, Cue::Beat(0)),
                (3500, Cue::Beat(1000)),
                (3500, Cue::Beat(2000)),
                (3500, Cue::Beat(3000)),
            ],
            "every tick late, each stamped with the instant it was due"
        );
    }
}
