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
    let metronome = Metronome::new(3, Duration::from_millis(400));
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
    use std::future::poll_fn;
    use std::pin::pin;
    use tokio::time::timeout;

    /// More polls than this, and the metronome is spinning instead of
    /// waiting for its beats.
    const POLL_LIMIT: u32 = 20;

    /// Awaits `metronome` and returns its log, failing instead of hanging if
    /// it spins: a metronome that woke itself on every poll would keep the
    /// runtime busy, and the paused clock would never move on to a beat.
    async fn conduct(metronome: Metronome) -> Vec<String> {
        let mut metronome = pin!(metronome);
        let mut polls = 0;
        let counted = poll_fn(|cx| {
            polls += 1;
            assert!(polls <= POLL_LIMIT, "polled {polls} times: it spins");
            metronome.as_mut().poll(cx)
        });
        timeout(Duration::from_secs(10), counted)
            .await
            .expect("the metronome finished")
    }

    /// The first poll to hear each beat. Tokio may also poll a task that
    /// nobody woke (a spurious poll); such a poll hears what an earlier one
    /// already heard, so it is left out.
    fn first_to_hear_each_beat(mut log: Vec<String>) -> Vec<String> {
        log.dedup_by_key(|line| {
            line.split_once(", ").map(|(_, heard)| heard.to_string())
        });
        log
    }

    #[tokio::test(start_paused = true)]
    async fn each_beat_is_heard_at_the_instant_it_sounds() {
        let metronome = Metronome::new(4, Duration::from_millis(250));
        let log = conduct(metronome).await;
        assert_eq!(
            first_to_hear_each_beat(log),
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
        let log = conduct(metronome).await;
        assert_eq!(beats.lock().unwrap().heard, 2);
        assert_eq!(
            first_to_hear_each_beat(log),
            [
                "@0ms metronome: polled, beat 0: pending",
                "@100ms metronome: polled, beat 1: pending",
                "@200ms metronome: polled, beat 2: ready",
            ]
        );
    }

    /// Polls nobody woke hear no beat, and only the waker of the latest
    /// poll is woken: three idle polls with a waker that does nothing,
    /// then a real one, which the beats must reach.
    #[tokio::test(start_paused = true)]
    async fn spurious_polls_hear_nothing_and_the_latest_waker_is_woken() {
        let mut metronome = pin!(Metronome::new(2, Duration::from_millis(100)));
        let mut idle = Context::from_waker(Waker::noop());
        for _ in 0..3 {
            let poll = metronome.as_mut().poll(&mut idle);
            assert!(poll.is_pending(), "no beat has sounded yet");
        }
        let heard = poll_fn(|cx| metronome.as_mut().poll(cx));
        let log = timeout(Duration::from_secs(10), heard)
            .await
            .expect("the beats woke the latest waker");
        let last = log.last().map(String::as_str);
        assert_eq!(last, Some("@200ms metronome: polled, beat 2: ready"));
    }
}
