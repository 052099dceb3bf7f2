use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use tokio::time::{interval, Instant, Interval};
use tokio_stream::{Stream, StreamExt};

// ANCHOR: all
/// A phrase that repeats: its notes, one per beat, `times` times over,
/// and then the part ends.
struct Phrase {
    notes: &'static [&'static str],
    times: usize,
    played: usize,
    beat: Interval,
}

impl Phrase {
    fn new(
        notes: &'static [&'static str],
        times: usize,
        beat: Duration,
    ) -> Self {
        let beat = interval(beat); // its first tick is at once
        Phrase {
            notes,
            times,
            played: 0,
            beat,
        }
    }
}

impl Stream for Phrase {
    type Item = &'static str;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<&'static str>> {
        if self.played == self.notes.len() * self.times {
            return Poll::Ready(None); // the part ends
        }
        // Pending until the next beat; the interval keeps our waker.
        ready!(self.beat.poll_tick(cx));
        let note = self.notes[self.played % self.notes.len()];
        self.played += 1;
        Poll::Ready(Some(note))
    }
}

/// Plays the phrase to its end; returns each note with the millisecond
/// it was heard, and the millisecond the part ended.
async fn perform(
    mut phrase: impl Stream<Item = &'static str> + Unpin,
) -> (Vec<(u128, &'static str)>, u128) {
    let start = Instant::now();
    let mut heard = Vec::new();
    while let Some(note) = phrase.next().await {
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms violins: {note}");
        heard.push((ms, note));
    }
    let end = start.elapsed().as_millis();
    println!("@{end}ms violins: None, the part ends");
    (heard, end)
}

#[tokio::main]
async fn main() {
    let beat = Duration::from_millis(100);
    perform(Phrase::new(&["C4", "E4", "G4"], 2, beat)).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::pin;
    use std::task::Waker;
    use tokio::time::{advance, timeout};

    const BEAT: Duration = Duration::from_millis(250);
    const LIMIT: Duration = Duration::from_secs(60);
    const TRIAD: &[&str] = &["C4", "E4", "G4"];

    /// The part holds six notes; `take(7)` asks for at most one more, so
    /// a phrase that never ended would fail here instead of hanging.
    #[tokio::test(start_paused = true)]
    async fn the_phrase_repeats_on_the_beat_until_the_part_ends() {
        let phrase = Phrase::new(TRIAD, 2, BEAT).take(7);
        let (heard, end) = timeout(LIMIT, perform(phrase))
            .await
            .expect("the part ends");
        assert_eq!(
            heard,
            [
                (0, "C4"),
                (250, "E4"),
                (500, "G4"),
                (750, "C4"),
                (1000, "E4"),
                (1250, "G4"),
            ]
        );
        assert_eq!(end, 1250, "None comes at once, not a beat later");
    }

    /// `poll_next` by hand: `Ready(Some)` on a beat, `Pending` between
    /// beats, `Ready(None)` once the part is over. A sleep is not promised
    /// to complete at the first poll after `advance`, so the beat itself is
    /// reached by awaiting, which the paused clock auto-advances to.
    #[tokio::test(start_paused = true)]
    async fn between_beats_the_phrase_is_pending() {
        let start = Instant::now();
        let mut phrase = pin!(Phrase::new(&["A4"], 2, BEAT));
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(phrase.as_mut().poll_next(&mut cx), Poll::Ready(Some("A4")));
        assert_eq!(phrase.as_mut().poll_next(&mut cx), Poll::Pending);
        advance(BEAT - Duration::from_millis(1)).await;
        assert_eq!(phrase.as_mut().poll_next(&mut cx), Poll::Pending);
        assert_eq!(phrase.next().await, Some("A4"));
        assert_eq!(start.elapsed(), BEAT, "the second note, on the beat");
        assert_eq!(phrase.as_mut().poll_next(&mut cx), Poll::Ready(None));
    }
}
