use std::collections::BTreeMap;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: all
/// An instrument on the stage: its `Mutex` is the only way to pick it up.
struct Instrument {
    name: &'static str,
    phrases: Mutex<u32>,
}

/// One event of the performance: when, who, what.
type Note = (Duration, &'static str, String);

fn perform(
    performer: &'static str,
    [first, second]: [&Instrument; 2],
    both_hold_one: &Barrier,
    clock: Instant,
    notes: &Sender<Note>,
) {
    let cue = |what: String| {
        notes.send((clock.elapsed(), performer, what)).unwrap();
    };
    let mut first_in_hand = first.phrases.lock().unwrap();
    cue(format!("took the {}", first.name));
    both_hold_one.wait(); // now each performer holds one instrument
    cue(format!("waiting for the {}", second.name));
    let mut second_in_hand = second.phrases.lock().unwrap();
    *first_in_hand += 1;
    *second_in_hand += 1;
    cue("played a phrase".to_string());
}

/// Starts both performers; each reaches for the instruments in its own
/// order. Returns the stage and the stream of their notes.
fn start(clock: Instant) -> ([Arc<Instrument>; 2], Receiver<Note>) {
    let violin = Arc::new(Instrument {
        name: "violin",
        phrases: Mutex::new(0),
    });
    let bow = Arc::new(Instrument {
        name: "bow",
        phrases: Mutex::new(0),
    });
    let both_hold_one = Arc::new(Barrier::new(2));
    let (notes, heard) = mpsc::channel();
    let parts = [
        ("soloist", [Arc::clone(&violin), Arc::clone(&bow)]),
        ("understudy", [Arc::clone(&bow), Arc::clone(&violin)]),
    ];
    for (performer, [first, second]) in parts {
        let both_hold_one = Arc::clone(&both_hold_one);
        let notes = notes.clone();
        thread::spawn(move || {
            perform(performer, [&first, &second], &both_hold_one, clock, &notes)
        });
    }
    ([violin, bow], heard)
}

const SILENCE: Duration = Duration::from_millis(500);

/// The watchdog: prints each note as it comes and waits up to `silence`
/// for the next. Returns each performer's last note once the music has
/// been quiet that long, or `None` once every performer has finished and
/// dropped its `Sender`.
fn watch(
    heard: &Receiver<Note>,
    silence: Duration,
) -> Option<BTreeMap<&'static str, String>> {
    let mut last_note = BTreeMap::new();
    loop {
        match heard.recv_timeout(silence) {
            Ok((at, performer, what)) => {
                println!("@{}ms {performer}: {what}", at.as_millis());
                last_note.insert(performer, what);
            }
            Err(RecvTimeoutError::Timeout) => return Some(last_note),
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
}

fn main() {
    let clock = Instant::now();
    let (_stage, heard) = start(clock);
    let Some(last_note) = watch(&heard, SILENCE) else {
        println!("every performer finished");
        return;
    };
    let now = clock.elapsed().as_millis();
    println!("@{now}ms watchdog: no note for {SILENCE:?}, the music froze");
    for (performer, what) in &last_note {
        println!("watchdog: {performer} is stuck {what}");
    }
    // The frozen threads can never be joined: end the process here.
    std::process::exit(0);
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::TryLockError;

    /// Long enough to mean "hung", short enough to fail fast.
    const HANG: Duration = Duration::from_secs(10);

    /// The control: with nobody to collide with, the same `perform` gets
    /// both instruments and plays, so the freeze below comes from the
    /// opposite orders, not from `perform` itself.
    #[test]
    fn alone_on_stage_a_performer_plays() {
        let [violin, bow] = ["violin", "bow"].map(|name| Instrument {
            name,
            phrases: Mutex::new(0),
        });
        let (notes, heard) = mpsc::channel();
        let alone = Barrier::new(1);
        perform("soloist", [&violin, &bow], &alone, Instant::now(), &notes);
        drop(notes);
        let said: Vec<String> = heard.iter().map(|(_, _, what)| what).collect();
        let all = ["took the violin", "waiting for the bow", "played a phrase"];
        assert_eq!(said, all);
        let played = [violin, bow].map(|i| i.phrases.into_inner().unwrap());
        assert_eq!(played, [1, 1]);
    }

    /// The barrier's place. The test is its second party, so the soloist
    /// waits there alone until the test arrives: she has taken the violin
    /// and said so, and has not reached for the bow. Given 100 ms, a
    /// soloist whose barrier stood later, or who had none, would have
    /// said more; once the test arrives, she waits for the bow it holds.
    #[test]
    fn alone_at_the_barrier_a_performer_holds_one_and_waits() {
        let stage = Arc::new(["violin", "bow"].map(|name| Instrument {
            name,
            phrases: Mutex::new(0),
        }));
        let both_hold_one = Arc::new(Barrier::new(2));
        let (notes, heard) = mpsc::channel();
        let soloist = (Arc::clone(&stage), Arc::clone(&both_hold_one));
        thread::spawn(move || {
            let ([violin, bow], both_hold_one) = (&*soloist.0, &soloist.1);
            let clock = Instant::now();
            perform("soloist", [violin, bow], both_hold_one, clock, &notes);
        });
        let next = || heard.recv_timeout(HANG).map(|(_, _, what)| what);
        let took = next();
        assert_eq!(took.as_deref(), Ok("took the violin"), "at the barrier");
        let alone = heard.recv_timeout(Duration::from_millis(100));
        assert!(
            matches!(alone, Err(RecvTimeoutError::Timeout)),
            "alone at the barrier, the soloist went on: {alone:?}"
        );
        let [violin, bow] = &*stage;
        assert!(
            matches!(violin.phrases.try_lock(), Err(TryLockError::WouldBlock)),
            "she put the violin down"
        );
        let bow_in_hand = bow.phrases.try_lock().expect("she took the bow");
        // The test arrives, on a thread of its own: `next` is its watchdog.
        thread::spawn(move || both_hold_one.wait());
        assert_eq!(next().as_deref(), Ok("waiting for the bow"));
        drop(bow_in_hand);
        assert_eq!(next().as_deref(), Ok("played a phrase"));
    }

    /// A performer who plays a note and leaves: the watchdog says the
    /// performance finished, not that it froze.
    #[test]
    fn when_every_performer_has_finished_the_watchdog_says_so() {
        let (notes, heard) = mpsc::channel();
        notes
            .send((Duration::ZERO, "soloist", "bowed".into()))
            .unwrap();
        drop(notes);
        assert_eq!(watch(&heard, HANG), None);
    }

    /// Notes every 50 ms for 600 ms, longer than the 300 ms of silence
    /// the watchdog allows: each note starts the wait again, so it never
    /// runs out, and the performance finishes. A watchdog whose wait ran
    /// from its start would call a freeze at 300 ms. (On the real clock:
    /// it trusts each note to come within 250 ms of its time.)
    #[test]
    fn each_note_resets_the_watchdog() {
        let (notes, heard) = mpsc::channel();
        thread::spawn(move || {
            for _ in 0..12 {
                thread::sleep(Duration::from_millis(50));
                notes
                    .send((Duration::ZERO, "soloist", "bowed".into()))
                    .unwrap();
            }
        });
        assert_eq!(watch(&heard, Duration::from_millis(300)), None);
    }

    #[test]
    fn the_watchdog_reports_each_frozen_performer_last_note() {
        let (_stage, heard) = start(Instant::now());
        let stuck = watch(&heard, SILENCE).expect("the music froze");
        assert_eq!(
            stuck,
            BTreeMap::from([
                ("soloist", "waiting for the bow".to_string()),
                ("understudy", "waiting for the violin".to_string()),
            ])
        );
    }

    #[test]
    fn opposite_orders_always_freeze() {
        let ([violin, bow], heard) = start(Instant::now());
        let mut waiting = Vec::new();
        while waiting.len() < 2 {
            let (_, performer, what) =
                heard.recv_timeout(HANG).expect("a performer went quiet");
            assert!(what != "played a phrase", "{performer} got to play");
            if what.starts_with("waiting") {
                waiting.push(format!("{performer}: {what}"));
            }
        }
        waiting.sort();
        assert_eq!(
            waiting,
            [
                "soloist: waiting for the bow",
                "understudy: waiting for the violin"
            ]
        );
        // Each holds one instrument and waits for the other, for good.
        assert!(matches!(
            violin.phrases.try_lock(),
            Err(TryLockError::WouldBlock)
        ));
        assert!(matches!(
            bow.phrases.try_lock(),
            Err(TryLockError::WouldBlock)
        ));
        assert_eq!(
            heard.recv_timeout(Duration::from_millis(200)).unwrap_err(),
            RecvTimeoutError::Timeout,
            "a note after the freeze"
        );
    }
}
