// ANCHOR: all
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{self, Instant};

/// A note, as a section sends it.
type Note = &'static str;

/// Gathers the notes that arrive into bars. Each beat of the metronome,
/// one `bar` after another from the downbeat, closes the bar under way
/// (an empty bar is not kept). At `stop`, or once every section has
/// dropped its sender, the bar under way and every note still to be
/// received make one last bar. Returns the bars.
async fn conduct(
    mut notes: mpsc::Receiver<Note>,
    mut stop: oneshot::Receiver<()>,
    bar: Duration,
) -> Vec<Vec<Note>> {
    let mut metronome = time::interval_at(Instant::now() + bar, bar);
    let (mut bars, mut under_way) = (Vec::new(), Vec::new());
    loop {
        tokio::select! {
            // The stop cue is heard first, however many notes wait.
            biased;
            _ = &mut stop => break,
            note = notes.recv() => match note {
                Some(note) => under_way.push(note),
                None => break, // every section has left
            },
            _ = metronome.tick() => {
                if !under_way.is_empty() {
                    bars.push(std::mem::take(&mut under_way));
                }
            }
        }
    }
    // No new sends from here on; `recv` plays what was already sent, and
    // waits for any place a section reserved before the stop to be filled.
    notes.close();
    while let Some(note) = notes.recv().await {
        under_way.push(note);
    }
    if !under_way.is_empty() {
        bars.push(under_way);
    }
    bars
}

#[tokio::main]
async fn main() {
    let (section, notes) = mpsc::channel(8);
    let (cut_off, stop) = oneshot::channel();
    tokio::spawn(async move {
        for note in ["C4", "E4", "G4", "C5"] {
            time::sleep(Duration::from_millis(60)).await;
            if section.send(note).await.is_err() {
                return; // the conductor has left
            }
        }
        let _ = cut_off.send(());
    });
    let bars = conduct(notes, stop, Duration::from_millis(100)).await;
    println!("bars played: {bars:?}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::sync::mpsc::{self as std_mpsc, RecvTimeoutError};
    use std::thread;
    use tokio::time::Instant;

    /// Real time: long enough to mean "never", short enough to fail fast.
    const WATCHDOG: Duration = Duration::from_secs(10);

    /// One bar of the tests' metronome.
    const BAR: Duration = Duration::from_millis(100);

    /// Runs `concert` on tokio's paused clock, on a thread of its own: a
    /// failure inside it fails the test, and so does a concert that has
    /// not finished after `WATCHDOG` of real time (a loop that never
    /// waits keeps the paused clock from ever moving on).
    fn on_paused_clock<F>(
        concert: impl FnOnce() -> F + Send + 'static,
    ) -> F::Output
    where
        F: Future,
        F::Output: Send + 'static,
    {
        let (done, finished) = std_mpsc::channel();
        let stage = thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .start_paused(true)
                .build()
                .unwrap();
            done.send(runtime.block_on(concert())).unwrap();
        });
        match finished.recv_timeout(WATCHDOG) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                panic!("still running after {WATCHDOG:?} of real time")
            }
            Err(RecvTimeoutError::Disconnected) => {
                std::panic::resume_unwind(stage.join().unwrap_err())
            }
        }
    }

    /// Plays `part` (a note at each of its times, in ms from the
    /// downbeat), gives the stop cue at `stop_at`, and returns the bars
    /// and when `conduct` returned. The section keeps its sender.
    async fn rehearse(
        part: &[(u64, Note)],
        stop_at: u64,
    ) -> (Vec<Vec<Note>>, u64) {
        let (section, notes) = mpsc::channel(64);
        let (cut_off, stop) = oneshot::channel();
        let downbeat = Instant::now();
        let part = part.to_vec();
        tokio::spawn(async move {
            for (at, note) in part {
                time::sleep_until(downbeat + Duration::from_millis(at)).await;
                let _ = section.send(note).await;
            }
            time::sleep_until(downbeat + Duration::from_millis(stop_at)).await;
            let _ = cut_off.send(());
            time::sleep(Duration::from_secs(3600)).await; // still there
        });
        let played =
            time::timeout(Duration::from_secs(60), conduct(notes, stop, BAR));
        let bars = played.await.expect("conduct never returned");
        (bars, downbeat.elapsed().as_millis() as u64)
    }

    #[test]
    fn every_note_sent_is_played_once_in_order() {
        let part: Vec<(u64, Note)> = ["C4", "D4", "E4", "F4", "G4", "A4"]
            .iter()
            .cycle()
            .take(24)
            .enumerate()
            .map(|(n, note)| (35 * n as u64 + 10, *note))
            .collect();
        let sent: Vec<Note> = part.iter().map(|(_, note)| *note).collect();
        let (bars, _) =
            on_paused_clock(move || async move { rehearse(&part, 900).await });
        assert_eq!(bars.concat(), sent);
    }

    #[test]
    fn each_beat_closes_its_bar_and_empty_bars_are_not_kept() {
        let part = [(50, "C4"), (150, "E4"), (170, "G4"), (320, "C5")];
        let (bars, ended) =
            on_paused_clock(move || async move { rehearse(&part, 450).await });
        assert_eq!(bars, [vec!["C4"], vec!["E4", "G4"], vec!["C5"]]);
        assert_eq!(ended, 450, "the concert ends at the stop cue");
    }

    #[test]
    fn notes_sent_before_the_stop_are_still_played() {
        // Sixty notes: a loop that drew its branches at random would take
        // them all before the stop cue by luck less than once in 2^35 runs.
        let sent: Vec<Note> = ["C4", "E4", "G4"].repeat(20);
        let part = sent.clone();
        let bars = on_paused_clock(move || async move {
            let (section, notes) = mpsc::channel(64);
            let (cut_off, stop) = oneshot::channel();
            for note in part {
                section.send(note).await.unwrap();
            }
            cut_off.send(()).unwrap();
            // The stop cue and sixty notes are all waiting at once.
            conduct(notes, stop, BAR).await
        });
        assert_eq!(bars, [sent]);
    }

    #[test]
    fn the_concert_ends_when_every_section_has_left() {
        let (bars, ended) = on_paused_clock(|| async {
            let (section, notes) = mpsc::channel(8);
            let (_cut_off, stop) = oneshot::channel();
            let downbeat = Instant::now();
            tokio::spawn(async move {
                time::sleep(Duration::from_millis(250)).await;
                section.send("B3").await.unwrap();
            });
            let played = time::timeout(
                Duration::from_secs(60),
                conduct(notes, stop, BAR),
            );
            let bars = played.await.expect("conduct never returned");
            (bars, downbeat.elapsed().as_millis())
        });
        assert_eq!(bars, [vec!["B3"]]);
        assert_eq!(ended, 250, "it ends when the last section leaves");
    }

    #[test]
    fn a_place_reserved_before_the_stop_is_filled_and_played() {
        let (bars, ended) = on_paused_clock(|| async {
            let (section, notes) = mpsc::channel(8);
            let (cut_off, stop) = oneshot::channel();
            let downbeat = Instant::now();
            // The section reserves a place on the stand, then the stop.
            let place = section.reserve_owned().await.unwrap();
            cut_off.send(()).unwrap();
            tokio::spawn(async move {
                time::sleep(Duration::from_millis(50)).await;
                let _still_there = place.send("C5");
                time::sleep(Duration::from_secs(3600)).await;
            });
            let played = time::timeout(
                Duration::from_secs(60),
                conduct(notes, stop, BAR),
            );
            let bars = played.await.expect("conduct never returned");
            (bars, downbeat.elapsed().as_millis())
        });
        assert_eq!(bars, [vec!["C5"]]);
        assert_eq!(ended, 50, "it waits for the reserved place to be filled");
    }

    #[test]
    fn a_section_that_never_rests_cannot_drown_the_stop() {
        // More notes than one turn of tokio's co-operative budget lets a
        // task take (128 in tokio 1.54.1): a conductor that listened for
        // notes before the stop would give up its turn with notes still
        // waiting, the section would fill the stand again, and the stop
        // would never be polled.
        const STAND: usize = 256;
        let bars = on_paused_clock(|| async {
            let (section, notes) = mpsc::channel(STAND);
            let (cut_off, stop) = oneshot::channel();
            for _ in 0..STAND {
                section.send("A4").await.unwrap();
            }
            // The stand is full and the stop cue given before the
            // conductor starts.
            cut_off.send(()).unwrap();
            // This section never rests between notes: it sends the next
            // one as soon as there is room, until the channel is closed.
            tokio::spawn(async move {
                loop {
                    if section.send("B4").await.is_err() {
                        return; // the conductor has closed the channel
                    }
                }
            });
            conduct(notes, stop, BAR).await
        });
        // One bar: the notes on the stand when the stop came, no other.
        assert_eq!(bars.len(), 1, "bars played");
        assert!(bars[0] == ["A4"; STAND], "{} notes played", bars[0].len());
    }

    #[test]
    fn the_bar_under_way_and_the_notes_drained_make_one_last_bar() {
        let (bars, ended) = on_paused_clock(|| async {
            let (section, notes) = mpsc::channel(8);
            let (cut_off, stop) = oneshot::channel();
            let downbeat = Instant::now();
            tokio::spawn(async move {
                time::sleep(Duration::from_millis(50)).await;
                section.send("C4").await.unwrap();
                time::sleep(Duration::from_millis(10)).await;
                // A note and the stop cue in one turn: the note is still
                // on the stand when the conductor hears the stop.
                section.send("E4").await.unwrap();
                cut_off.send(()).unwrap();
                time::sleep(Duration::from_secs(3600)).await; // still there
            });
            let played = time::timeout(
                Duration::from_secs(60),
                conduct(notes, stop, BAR),
            );
            let bars = played.await.expect("conduct never returned");
            (bars, downbeat.elapsed().as_millis())
        });
        assert_eq!(bars, [vec!["C4", "E4"]], "one last bar of both");
        assert_eq!(ended, 60, "the concert ends at the stop cue");
    }

    #[test]
    fn the_first_beat_comes_one_bar_after_the_downbeat() {
        let bars = on_paused_clock(|| async {
            let (section, notes) = mpsc::channel(8);
            let (cut_off, stop) = oneshot::channel();
            // A note already waits at the downbeat, and one more at 50 ms.
            section.send("C4").await.unwrap();
            tokio::spawn(async move {
                time::sleep(Duration::from_millis(50)).await;
                let _ = section.send("E4").await;
                time::sleep(Duration::from_millis(100)).await;
                let _ = cut_off.send(());
            });
            conduct(notes, stop, BAR).await
        });
        assert_eq!(bars, [vec!["C4", "E4"]], "a beat closed a bar at 0 ms");
    }
}
