use std::time::Duration;

use tokio::sync::watch;
use tokio::time::{interval, sleep_until, Instant};

// ANCHOR: all
/// Beats per minute.
type Tempo = u32;

/// The conductor sets a tempo, changes her mind at once, and later sets
/// another. Each `send` replaces the value the channel holds.
async fn conductor(
    tempo: watch::Sender<Tempo>,
    beat: Duration,
    start: Instant,
) {
    let set = |bpm: Tempo| {
        tempo.send(bpm).unwrap();
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms conductor: tempo {bpm}");
    };
    sleep_until(start + beat).await;
    set(72);
    set(84); // no `.await` in between: 72 is replaced at once
    sleep_until(start + beat * 5).await;
    set(96);
} // the sender is dropped: `changed` will report the channel closed

/// The section plays a phrase at the current tempo, then looks up again.
async fn strings(
    mut reading: watch::Receiver<Tempo>,
    phrase: Duration,
    start: Instant,
) -> Vec<Tempo> {
    let mut played = Vec::new();
    let mut phrase_ends = interval(phrase);
    phrase_ends.tick().await; // the first tick completes at once
    loop {
        let bpm = *reading.borrow_and_update(); // marks this value as seen
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms strings: phrase at {bpm}");
        played.push(bpm);
        phrase_ends.tick().await;
        if reading.changed().await.is_err() {
            break; // the conductor has gone and nothing new is unseen
        }
    }
    played
}

async fn rehearsal(beat: Duration) -> Vec<Tempo> {
    let start = Instant::now();
    let (tempo, reading) = watch::channel(60);
    let listening = tokio::spawn(strings(reading, beat * 3, start));
    conductor(tempo, beat, start).await;
    listening.await.unwrap()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let played = rehearsal(Duration::from_millis(200)).await;
    println!("strings played at {played:?}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::{sleep, timeout};

    #[tokio::test(start_paused = true)]
    async fn the_strings_never_see_72() {
        let beat = Duration::from_secs(1);
        let start = Instant::now();
        let played = timeout(Duration::from_secs(60), rehearsal(beat))
            .await
            .expect("the strings stop when the conductor leaves");
        // 60 at 0 s; 72 and 84 are sent at 1 s, and only 84 is left when
        // the strings look up at 3 s; 96 is sent at 5 s and read at 6 s.
        assert_eq!(played, [60, 84, 96]);
        assert_eq!(start.elapsed(), beat * 9, "the last phrase is played");
    }

    /// Strings already waiting in `changed` when 72 is sent still never
    /// read it: nothing between the conductor's two sends lets them run.
    #[tokio::test(start_paused = true)]
    async fn a_reader_already_waiting_never_sees_72_either() {
        let (beat, start) = (Duration::from_secs(1), Instant::now());
        let (tempo, reading) = watch::channel(60);
        let listening = tokio::spawn(strings(reading, beat / 2, start));
        conductor(tempo, beat, start).await;
        let played = timeout(Duration::from_secs(60), listening).await;
        assert_eq!(played.expect("the strings stop").unwrap(), [60, 84, 96]);
    }

    /// Broken twin: the same rehearsal over a queue, which keeps every
    /// value it is given.
    async fn rehearsal_with_a_queue(beat: Duration) -> Vec<Tempo> {
        let (tempo, mut reading) = tokio::sync::mpsc::unbounded_channel();
        let listening = tokio::spawn(async move {
            let mut played = vec![60];
            sleep(beat * 3).await;
            while let Some(bpm) = reading.recv().await {
                played.push(bpm);
                sleep(beat * 3).await;
            }
            played
        });
        sleep(beat).await;
        tempo.send(72).unwrap();
        tempo.send(84).unwrap();
        sleep(beat * 4).await;
        tempo.send(96).unwrap();
        drop(tempo);
        listening.await.unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn a_queue_would_make_the_strings_play_72() {
        let beat = Duration::from_secs(1);
        let played =
            timeout(Duration::from_secs(60), rehearsal_with_a_queue(beat))
                .await
                .expect("the twin ends");
        assert_eq!(played, [60, 72, 84, 96]);
    }

    #[tokio::test]
    async fn changed_returns_at_once_for_an_unseen_value() {
        let (tempo, mut reading) = watch::channel(60);
        tempo.send(72).unwrap();
        tempo.send(84).unwrap();
        drop(tempo);
        let changed = timeout(Duration::from_secs(10), reading.changed());
        assert!(changed.await.unwrap().is_ok(), "84 is new to this reader");
        assert_eq!(*reading.borrow_and_update(), 84);
        assert!(reading.changed().await.is_err(), "closed, nothing unseen");
    }
}
