use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{interval, sleep, Instant};
use tokio_stream::wrappers::{IntervalStream, ReceiverStream};
use tokio_stream::StreamExt;

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

/// Hears four beats of a metronome and the soloist's notes, merged into
/// one stream; returns each cue with the millisecond it was heard.
async fn concert(beat: Duration) -> (Vec<(u128, Cue)>, u128) {
    let start = Instant::now();
    let (stand, notes) = mpsc::channel(1);
    tokio::spawn(soloist(stand, beat));
    let metronome = IntervalStream::new(interval(beat))
        .take(4)
        .map(move |due: Instant| Cue::Beat((due - start).as_millis()));
    let solo = ReceiverStream::new(notes).map(Cue::Note);
    let mut cues = metronome.merge(solo);
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
    use tokio_stream::Stream;

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
