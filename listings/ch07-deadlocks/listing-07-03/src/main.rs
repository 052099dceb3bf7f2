use std::sync::{Barrier, Mutex, TryLockError};
use std::thread;
use std::time::{Duration, Instant};

struct Instrument {
    name: &'static str,
    phrases: Mutex<u32>,
}

// ANCHOR: all
/// Takes `first`, then only *tries* `second`: if it is busy, puts `first`
/// down, pauses holding nothing, and starts over. Returns how many tries the
/// phrase took. `staged` makes the first try collide on purpose.
fn play_phrase(
    performer: &str,
    [first, second]: [&Instrument; 2],
    pause: impl Fn(),
    staged: Option<&Barrier>,
    clock: Instant,
) -> u32 {
    let cue = |what: &str| {
        let ms = clock.elapsed().as_millis();
        println!("@{ms}ms {performer}: {what}");
    };
    let mut tries = 0;
    loop {
        tries += 1;
        let staging = staged.filter(|_| tries == 1);
        let mut first_in_hand = first.phrases.lock().unwrap();
        if let Some(both_hold_one) = staging {
            cue(&format!("took the {}", first.name));
            both_hold_one.wait();
        }
        match second.phrases.try_lock() {
            Ok(mut second_in_hand) => {
                *first_in_hand += 1;
                *second_in_hand += 1;
                cue(&format!("took the {} too, played", second.name));
                return tries;
            }
            Err(TryLockError::WouldBlock) => {
                if let Some(both_tried) = staging {
                    both_tried.wait();
                    let (f, s) = (first.name, second.name);
                    cue(&format!("the {s} is busy, put the {f} down"));
                }
                drop(first_in_hand); // hold nothing while pausing
                pause();
            }
            Err(TryLockError::Poisoned(e)) => panic!("{e}"),
        }
    }
}

fn main() {
    let clock = Instant::now();
    let violin = Instrument {
        name: "violin",
        phrases: Mutex::new(0),
    };
    let bow = Instrument {
        name: "bow",
        phrases: Mutex::new(0),
    };
    let staged = Barrier::new(2);
    thread::scope(|s| {
        s.spawn(|| {
            let part = [&violin, &bow];
            let pause = || thread::sleep(Duration::from_millis(2));
            play_phrase("soloist", part, pause, Some(&staged), clock)
        });
        s.spawn(|| {
            let part = [&bow, &violin];
            let pause = || thread::sleep(Duration::from_millis(5));
            play_phrase("understudy", part, pause, Some(&staged), clock)
        });
    });
    let played = *violin.phrases.lock().unwrap();
    println!("the violin played {played} phrases, and nobody froze");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::{self, RecvTimeoutError};
    use std::sync::Arc;

    /// Long enough to mean "never", short enough to fail fast.
    const HANG: Duration = Duration::from_secs(10);

    /// `play_phrase`'s shape, so that a broken twin can stand in for it.
    type Play =
        fn(&str, [&Instrument; 2], &dyn Fn(), Option<&Barrier>, Instant) -> u32;

    fn stage() -> [Instrument; 2] {
        ["violin", "bow"].map(|name| Instrument {
            name,
            phrases: Mutex::new(0),
        })
    }

    /// The watchdog: runs `scene` on its own thread and fails the test if
    /// it has not finished after twice `HANG`.
    fn within<T: Send + 'static>(
        scene: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let (done, finished) = mpsc::channel();
        thread::spawn(move || done.send(scene()).unwrap());
        match finished.recv_timeout(HANG * 2) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => panic!("the performers froze"),
            Err(RecvTimeoutError::Disconnected) => {
                panic!("a performer panicked")
            }
        }
    }

    /// The check: the test holds the bow, so `play`'s soloist takes the
    /// violin, finds the bow busy and pauses. While she pauses, is the violin
    /// free for someone else?
    fn violin_is_free_while_the_soloist_pauses(play: Play) -> bool {
        let [violin, bow] = stage();
        let bow_in_hand = bow.phrases.lock().unwrap();
        let (pausing, pauses) = mpsc::channel();
        let (go_on, cue) = mpsc::channel();
        let part = [&violin, &bow];
        thread::scope(|s| {
            let soloist = s.spawn(move || {
                let pause = || {
                    pausing.send(()).unwrap();
                    cue.recv_timeout(HANG).expect("no cue to go on");
                };
                play("soloist", part, &pause, None, Instant::now())
            });
            pauses.recv_timeout(HANG).expect("the soloist never paused");
            let free = violin.phrases.try_lock().is_ok();
            drop(bow_in_hand);
            go_on.send(()).unwrap();
            assert_eq!(soloist.join().unwrap(), 2, "one pause, then both");
            free
        })
    }

    /// A broken twin of `play_phrase`: it pauses with `first` still in
    /// hand, which is hold and wait again.
    fn pauses_holding_first(
        _performer: &str,
        [first, second]: [&Instrument; 2],
        pause: &dyn Fn(),
        _staged: Option<&Barrier>,
        _clock: Instant,
    ) -> u32 {
        let mut tries = 0;
        loop {
            tries += 1;
            let _first_in_hand = first.phrases.lock().unwrap();
            if second.phrases.try_lock().is_ok() {
                return tries;
            }
            pause();
        }
    }

    #[test]
    fn a_performer_who_backs_off_pauses_holding_nothing() {
        let real: Play = |performer, part, pause, staged, clock| {
            play_phrase(performer, part, pause, staged, clock)
        };
        assert!(within(move || violin_is_free_while_the_soloist_pauses(
            real
        )));
    }

    #[test]
    fn the_check_rejects_a_twin_that_pauses_holding_on() {
        let twin: Play = pauses_holding_first;
        assert!(!within(move || violin_is_free_while_the_soloist_pauses(
            twin
        )));
    }

    /// The test's arrival at `barrier`, on a thread of its own so that a
    /// performer who never arrives fails the test instead of hanging it.
    /// Returns once the barrier has opened.
    fn arrive(barrier: &Arc<Barrier>, wait: &str) {
        let (opened, opening) = mpsc::channel();
        let barrier = Arc::clone(barrier);
        thread::spawn(move || {
            barrier.wait();
            opened.send(()).unwrap();
        });
        let never = || panic!("the soloist never reached the {wait}");
        opening.recv_timeout(HANG).unwrap_or_else(|_| never());
    }

    /// The barrier's two places. The test is its second party and plays
    /// the understudy, so the soloist waits at each wait alone until the
    /// test arrives. At `both_hold_one` she holds the violin and has left
    /// the bow alone; at `both_tried` she has found the bow busy and still
    /// holds the violin. Given 100 ms alone, a soloist who tried the bow
    /// before the first wait, or put the violin down before the second,
    /// would have.
    #[test]
    fn alone_at_each_wait_the_soloist_holds_the_violin() {
        let stage = Arc::new(stage());
        let staged = Arc::new(Barrier::new(2));
        let (pausing, pauses) = mpsc::channel();
        let (go_on, cue) = mpsc::channel();
        let (bravo, applause) = mpsc::channel();
        let soloist = (Arc::clone(&stage), Arc::clone(&staged));
        thread::spawn(move || {
            let ([violin, bow], staged) = (&*soloist.0, &*soloist.1);
            let pause = || {
                pausing.send(()).unwrap();
                cue.recv_timeout(HANG).expect("no cue to go on");
            };
            let (part, clock) = ([violin, bow], Instant::now());
            let tries =
                play_phrase("soloist", part, pause, Some(staged), clock);
            bravo.send(tries).unwrap();
        });
        let [violin, bow] = &*stage;
        let held = || {
            matches!(violin.phrases.try_lock(), Err(TryLockError::WouldBlock))
        };
        let deadline = Instant::now() + HANG;
        while !held() {
            assert!(applause.try_recv().is_err(), "she played at once");
            assert!(Instant::now() < deadline, "she never took the violin");
            thread::sleep(Duration::from_millis(1));
        }
        let alone = Duration::from_millis(100);
        thread::sleep(alone);
        assert!(held(), "she put the violin down before the first wait");
        let bow_in_hand = bow.phrases.try_lock().expect("she took the bow");
        assert_eq!(*bow_in_hand, 0, "she played before the first wait");
        arrive(&staged, "first wait");
        thread::sleep(alone);
        assert!(held(), "she put the violin down before the second wait");
        arrive(&staged, "second wait");
        pauses.recv_timeout(HANG).expect("she never paused");
        assert!(!held(), "she pauses holding the violin");
        drop(bow_in_hand);
        go_on.send(()).unwrap();
        assert_eq!(applause.recv_timeout(HANG), Ok(2), "one pause, then both");
    }

    #[test]
    fn a_staged_collision_is_resolved_as_a_pause_holds_nothing() {
        let (tries, played) = within(|| {
            let [violin, bow] = stage();
            let staged = Barrier::new(2);
            let (pausing, pauses) = mpsc::channel();
            let (bravo, applause) = mpsc::channel();
            // The soloist pauses until the understudy is pausing; the
            // understudy pauses until the soloist has played.
            let soloist_pauses = move || {
                pauses
                    .recv_timeout(HANG)
                    .expect("the understudy never paused");
            };
            let understudy_pauses = move || {
                pausing.send(()).unwrap();
                applause
                    .recv_timeout(HANG)
                    .expect("the soloist never played");
            };
            let tries = thread::scope(|s| {
                let soloist = s.spawn(|| {
                    let (part, clock) = ([&violin, &bow], Instant::now());
                    let pause = soloist_pauses;
                    let tries = play_phrase(
                        "soloist",
                        part,
                        pause,
                        Some(&staged),
                        clock,
                    );
                    bravo.send(()).unwrap();
                    tries
                });
                let understudy = s.spawn(|| {
                    let (part, clock) = ([&bow, &violin], Instant::now());
                    let pause = understudy_pauses;
                    play_phrase("understudy", part, pause, Some(&staged), clock)
                });
                [soloist.join().unwrap(), understudy.join().unwrap()]
            });
            (tries, violin.phrases.into_inner().unwrap())
        });
        // The first try collided for both. The soloist's second try
        // succeeded because the understudy had put the bow down before she
        // paused, and the understudy's because the soloist had finished.
        assert_eq!(tries, [2, 2]);
        assert_eq!(played, 2);
    }
}
