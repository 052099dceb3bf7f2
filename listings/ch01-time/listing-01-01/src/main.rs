use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::thread;

// ANCHOR: all
/// The strings tune to whatever `pitch` holds when they look at it.
/// Returns the pitch they tuned to.
fn tune(pitch: &AtomicU32) -> u32 {
    let (cue, wait_for_cue) = mpsc::channel::<()>();

    thread::scope(|s| {
        s.spawn(move || {
            // Staged: the oboe waits for a cue, so the unlucky timing
            // happens on every run instead of on some runs.
            wait_for_cue.recv().unwrap();
            pitch.store(442, Ordering::Relaxed);
            println!("oboe: sounded A at 442 Hz");
        });

        let heard = pitch.load(Ordering::Relaxed);
        println!("strings: tuned to {heard} Hz");
        cue.send(()).unwrap();
        heard
    })
}

fn main() {
    let pitch = AtomicU32::new(0); // 0 Hz: the oboe has not played yet
    let tuned = tune(&pitch);
    let sounded = pitch.load(Ordering::Relaxed);
    println!("oboe at {sounded} Hz, strings at {tuned} Hz: out of tune");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Tunes from `start` on a thread of its own, under a watchdog: if
    /// the staging ever hangs, the test fails with a message. Returns what
    /// the strings heard and what the atomic held at the end.
    fn tune_from(start: u32) -> (u32, u32) {
        let (report, watch) = mpsc::channel();
        thread::spawn(move || {
            let pitch = AtomicU32::new(start);
            let tuned = tune(&pitch);
            report.send((tuned, pitch.into_inner())).unwrap();
        });
        watch
            .recv_timeout(Duration::from_secs(5))
            .expect("the tuning never finished")
    }

    #[test]
    fn the_strings_can_read_the_pitch_before_it_is_written() {
        let (tuned, sounded) = tune_from(0);
        assert_eq!(tuned, 0, "the strings read before the oboe wrote");
        assert_eq!(sounded, 442, "the oboe did play, only too late");
    }

    #[test]
    fn the_strings_hear_whatever_the_atomic_holds() {
        // From another starting pitch: a `tune` that made its 0 up fails.
        assert_eq!(tune_from(415), (415, 442));
    }
}
