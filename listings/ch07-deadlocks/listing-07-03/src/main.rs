use std::sync::{Barrier, Mutex, TryLockError};
use std::thread;
use std::time::{Duration, Instant};

struct Instrument {
    name: &'static str,
    phrases: Mutex<u32>,
}

// ANCHOR: all
/// Takes `first`, then only *tries* `second`: if it is busy, puts `first`
/// down, rests for `backoff` and starts over. Returns how many tries the
/// phrase took. `staged` makes the first try collide on purpose.
fn play_phrase(
    performer: &str,
    [first, second]: [&Instrument; 2],
    backoff: Duration,
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
                drop(first_in_hand); // hold nothing while resting
                thread::sleep(backoff);
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
            let rest = Duration::from_millis(2);
            play_phrase("soloist", part, rest, Some(&staged), clock)
        });
        s.spawn(|| {
            let part = [&bow, &violin];
            let rest = Duration::from_millis(5);
            play_phrase("understudy", part, rest, Some(&staged), clock)
        });
    });
    let played = *violin.phrases.lock().unwrap();
    println!("the violin played {played} phrases, and nobody froze");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn stage() -> [Instrument; 2] {
        ["violin", "bow"].map(|name| Instrument {
            name,
            phrases: Mutex::new(0),
        })
    }

    #[test]
    fn a_staged_collision_makes_both_back_off_then_both_play() {
        let (done, finished) = mpsc::channel();
        thread::spawn(move || {
            let [violin, bow] = stage();
            let (staged, clock) = (Barrier::new(2), Instant::now());
            let rest = Duration::from_micros(50);
            let tries = thread::scope(|s| {
                let soloist = s.spawn(|| {
                    let part = [&violin, &bow];
                    play_phrase("soloist", part, rest, Some(&staged), clock)
                });
                let understudy = s.spawn(|| {
                    let part = [&bow, &violin];
                    play_phrase("understudy", part, rest, Some(&staged), clock)
                });
                [soloist.join().unwrap(), understudy.join().unwrap()]
            });
            done.send((tries, violin.phrases.into_inner().unwrap()))
                .unwrap();
        });
        let (tries, played) = finished
            .recv_timeout(Duration::from_secs(20))
            .expect("the performers froze");
        assert!(tries.iter().all(|&t| t >= 2), "no back-off: {tries:?}");
        assert_eq!(played, 2);
    }

    #[test]
    fn opposite_orders_with_backoff_always_finish() {
        let (done, finished) = mpsc::channel();
        thread::spawn(move || {
            let [violin, bow] = stage();
            let clock = Instant::now();
            let parts = [
                ("soloist", [&violin, &bow], Duration::from_micros(20)),
                ("understudy", [&bow, &violin], Duration::from_micros(50)),
            ];
            thread::scope(|s| {
                for (performer, part, rest) in parts {
                    s.spawn(move || {
                        for _ in 0..300 {
                            play_phrase(performer, part, rest, None, clock);
                        }
                    });
                }
            });
            done.send([violin, bow].map(|i| i.phrases.into_inner().unwrap()))
                .unwrap();
        });
        let played = finished
            .recv_timeout(Duration::from_secs(20))
            .expect("the performers froze");
        assert_eq!(played, [600, 600]);
    }
}
