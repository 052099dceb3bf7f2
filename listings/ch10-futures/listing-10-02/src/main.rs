use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::time::Instant;

// ANCHOR: all
/// What the ticking task and the metronome share.
#[derive(Default)]
struct Beats {
    heard: u32,
    waker: Option<Waker>,
}

/// A future that is ready once `beats` beats have sounded.
struct Metronome {
    beats: u32,
    tempo: Duration,
    shared: Arc<Mutex<Beats>>,
    ticking: bool,
    start: Instant,
    log: Vec<String>,
}

impl Metronome {
    fn new(beats: u32, tempo: Duration) -> Self {
        Metronome {
            beats,
            tempo,
            shared: Arc::default(),
            ticking: false,
            start: Instant::now(),
            log: Vec::new(),
        }
    }
}

impl Future for Metronome {
    type Output = Vec<String>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Self::Output> {
        if !self.ticking {
            // The first poll starts the clock: until now, nothing ticked.
            self.ticking = true;
            self.start = Instant::now();
            tokio::spawn(tick(self.beats, self.tempo, self.shared.clone()));
        }
        let mut beats = self.shared.lock().unwrap();
        let heard = beats.heard;
        if heard == self.beats {
            drop(beats);
            self.note(format!("polled, beat {heard}: ready"));
            return Poll::Ready(std::mem::take(&mut self.log));
        }
        // Not yet: leave a way to be woken, then yield the stage.
        beats.waker = Some(cx.waker().clone());
        drop(beats);
        self.note(format!("polled, beat {heard}: pending"));
        Poll::Pending
    }
}

/// The ticking task: one beat per `tempo`, waking the metronome each time.
async fn tick(beats: u32, tempo: Duration, shared: Arc<Mutex<Beats>>) {
    for _ in 0..beats {
        tokio::time::sleep(tempo).await;
        let mut shared = shared.lock().unwrap();
        shared.heard += 1;
        if let Some(waker) = shared.waker.take() {
            waker.wake();
        }
    }
}

#[tokio::main]
async fn main() {
    let metronome = Metronome::new(3, Duration::from_millis(50));
    let log = metronome.await;
    println!("the metronome was polled {} times", log.len());
}
// --snip--
// ANCHOR_END: all

impl Metronome {
    fn note(&mut self, what: String) {
        let ms = self.start.elapsed().as_millis();
        let line = format!("@{ms}ms metronome: {what}");
        println!("{line}");
        self.log.push(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    #[tokio::test(start_paused = true)]
    async fn polled_once_at_the_start_and_once_per_beat() {
        let metronome = Metronome::new(4, Duration::from_millis(250));
        let log = timeout(Duration::from_secs(10), metronome).await.unwrap();
        assert_eq!(
            log,
            [
                "@0ms metronome: polled, beat 0: pending",
                "@250ms metronome: polled, beat 1: pending",
                "@500ms metronome: polled, beat 2: pending",
                "@750ms metronome: polled, beat 3: pending",
                "@1000ms metronome: polled, beat 4: ready",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_ticks_until_the_metronome_is_polled() {
        let metronome = Metronome::new(2, Duration::from_millis(100));
        let beats = Arc::clone(&metronome.shared);
        // Five seconds: time enough for both beats, had anything started.
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(beats.lock().unwrap().heard, 0, "ticked before a poll");
        // Awaiting polls it, and only now do the beats sound.
        let log = timeout(Duration::from_secs(10), metronome).await.unwrap();
        assert_eq!(beats.lock().unwrap().heard, 2);
        assert_eq!(
            log,
            [
                "@0ms metronome: polled, beat 0: pending",
                "@100ms metronome: polled, beat 1: pending",
                "@200ms metronome: polled, beat 2: ready",
            ]
        );
    }
}
