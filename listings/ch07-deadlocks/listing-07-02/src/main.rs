#[cfg(loom)]
use loom::sync::Mutex;
#[cfg(not(loom))]
use std::sync::Mutex;
use std::thread;
use std::time::Instant;

// Under the loom model, each line the performers print is noted as an event
// of the interleaving being explored, instead of printed (see the model).
#[cfg(all(test, loom))]
macro_rules! println {
    ($($line:tt)*) => {
        recording::performances::note(format!($($line)*))
    };
}

// ANCHOR: all
/// An instrument on the stage, with its place in the stage order.
struct Instrument {
    rank: u8,
    name: &'static str,
    phrases: Mutex<u32>,
}

impl Instrument {
    fn new(rank: u8, name: &'static str) -> Self {
        let phrases = Mutex::new(0);
        Instrument {
            rank,
            name,
            phrases,
        }
    }
}

/// The house rule: whatever order a part asks for, pick instruments up
/// in stage order, lowest rank first.
fn in_stage_order([a, b]: [&Instrument; 2]) -> [&Instrument; 2] {
    if a.rank <= b.rank {
        [a, b]
    } else {
        [b, a]
    }
}

fn perform(
    performer: &str,
    part: [&Instrument; 2],
    phrases: u32,
    clock: Instant,
) {
    let cue = |what: &str| {
        let ms = clock.elapsed().as_millis();
        println!("@{ms}ms {performer}: {what}");
    };
    let [first, second] = in_stage_order(part);
    for phrase in 1..=phrases {
        let mut first_in_hand = first.phrases.lock().unwrap();
        cue(&format!("took the {}", first.name));
        let mut second_in_hand = second.phrases.lock().unwrap();
        cue(&format!("took the {}", second.name));
        *first_in_hand += 1;
        *second_in_hand += 1;
        cue(&format!("played phrase {phrase}"));
    } // both guards drop here, at the end of every phrase
}

fn main() {
    let clock = Instant::now();
    let violin = Instrument::new(1, "violin");
    let bow = Instrument::new(2, "bow");
    thread::scope(|s| {
        s.spawn(|| perform("soloist", [&violin, &bow], 2, clock));
        s.spawn(|| perform("understudy", [&bow, &violin], 2, clock));
    });
    let played = *violin.phrases.lock().unwrap();
    println!("the violin played {played} phrases, and nobody froze");
}
// ANCHOR_END: all

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn stage_order_always_finishes() {
        let (done, finished) = mpsc::channel();
        thread::spawn(move || {
            let violin = Instrument::new(1, "violin");
            let bow = Instrument::new(2, "bow");
            let clock = Instant::now();
            thread::scope(|s| {
                s.spawn(|| perform("soloist", [&violin, &bow], 300, clock));
                s.spawn(|| perform("understudy", [&bow, &violin], 300, clock));
            });
            let played =
                [violin.phrases.into_inner(), bow.phrases.into_inner()];
            done.send(played.map(Result::unwrap)).unwrap();
        });
        // The watchdog: a deadlock here is a failed test, not a hang.
        let played = finished
            .recv_timeout(Duration::from_secs(20))
            .expect("the performers froze");
        assert_eq!(played, [600, 600]);
    }

    #[test]
    fn either_part_starts_with_the_lower_rank() {
        let low = Instrument::new(1, "violin");
        let high = Instrument::new(2, "bow");
        for part in [[&low, &high], [&high, &low]] {
            let [first, second] = in_stage_order(part);
            assert_eq!([first.name, second.name], ["violin", "bow"]);
        }
    }
}

/// Loom runs the model under the interleavings of its threads' lock
/// operations that its search reaches (here both orders in which the
/// performers can reach the violin), and fails the test if any of them
/// leaves every thread blocked.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    // The locks are what loom must model; std's `Arc` only shares the stage,
    // and unlike loom's it can still be dropped after loom stops a frozen run.
    use std::sync::Arc;

    use recording::performances::{
        compare_or_record, Collector, Model, Verdict,
    };
    use std::panic::AssertUnwindSafe;

    /// Both performers play one phrase on `stage`, each asking for the
    /// instruments in her own order.
    fn duet(stage: [Instrument; 2]) {
        let stage = Arc::new(stage);
        let other = Arc::clone(&stage);
        let understudy = loom::thread::spawn(move || {
            let [violin, bow] = &*other;
            perform("understudy", [bow, violin], 1, Instant::now());
        });
        let [violin, bow] = &*stage;
        perform("soloist", [violin, bow], 1, Instant::now());
        understudy.join().unwrap();
        assert_eq!(*violin.phrases.lock().unwrap(), 2);
        assert_eq!(*bow.phrases.lock().unwrap(), 2);
    }

    /// Every distinct performance loom explores of a duet on `stage`.
    /// A freeze makes `loom::model` panic, so it is caught and kept as the
    /// frozen performance, drawn up to where it froze.
    fn explore(name: &str, stage: fn() -> [Instrument; 2]) -> Model {
        let collector = Collector::new(name, "the duet freezes");
        let seen = collector.clone();
        let run = std::panic::catch_unwind(AssertUnwindSafe(|| {
            loom::model(move || {
                seen.begin();
                duet(stage());
                seen.end(Verdict::Right, "each instrument played 2 phrases");
            });
        }));
        if let Err(panic) = run {
            let message =
                panic.downcast_ref::<String>().map_or("", String::as_str);
            assert!(message.contains("deadlock"), "not a freeze: {message}");
            collector.froze("every performer waits for the other");
        }
        collector.model()
    }

    /// In stage order no interleaving freezes. The broken twin: two
    /// instruments of equal rank have no order between them, so each
    /// performer keeps her own, and loom finds the freeze.
    #[test]
    fn in_stage_order_no_interleaving_freezes_and_equal_ranks_do() {
        let ranked = explore("stage-order", || {
            [Instrument::new(1, "violin"), Instrument::new(2, "bow")]
        });
        let not_right = |m: &Model| {
            m.performances
                .iter()
                .filter(|p| p.verdict != Verdict::Right)
                .count()
        };
        assert_eq!(not_right(&ranked), 0, "stage order froze");
        let equal = explore("equal-ranks", || {
            [Instrument::new(1, "violin"), Instrument::new(1, "bow")]
        });
        assert!(equal
            .performances
            .iter()
            .any(|p| p.verdict == Verdict::Froze));
        compare_or_record(env!("CARGO_MANIFEST_DIR"), &[ranked, equal]);
    }
}
