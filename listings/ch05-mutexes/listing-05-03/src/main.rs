// ANCHOR: all
use std::sync::{Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

struct Podium {
    tempo: u32,
    hand_offs: Vec<Hold>,
}

struct Hold {
    section: &'static str,
    took: Instant,
    released: Instant,
}

/// One section's part; returns how long it spent waiting for the baton.
fn play(
    baton: &Mutex<Podium>,
    start: Instant,
    section: &'static str,
    rounds: u32,
    hold: Duration,
) -> Duration {
    let mut waited = Duration::ZERO;
    for _round in 0..rounds {
        event(start, section, "waits for the baton");
        let asked = Instant::now();
        let mut podium: MutexGuard<Podium> = baton.lock().unwrap();
        let took = Instant::now();
        waited += took - asked;
        let ms = (took - asked).as_millis();
        event(start, section, &format!("takes it after {ms}ms"));

        podium.tempo += 10;
        thread::sleep(hold); // adjusting, baton in hand

        event(start, section, "hands it back");
        let released = Instant::now();
        podium.hand_offs.push(Hold {
            section,
            took,
            released,
        });
        drop(podium);

        thread::sleep(hold * 2); // practising, baton free
        event(start, section, "practised");
    }
    waited
}

fn perform(sections: &[&'static str], rounds: u32, hold: Duration) -> Podium {
    let baton = Mutex::new(Podium {
        tempo: 120,
        hand_offs: Vec::new(),
    });
    let start = Instant::now();

    let waited: Duration = thread::scope(|s| {
        let players: Vec<_> = sections
            .iter()
            .map(|&section| {
                let baton = &baton;
                s.spawn(move || play(baton, start, section, rounds, hold))
            })
            .collect();
        players.into_iter().map(|p| p.join().unwrap()).sum()
    });

    let ms = waited.as_millis();
    println!("conductor: the sections waited {ms}ms in all for the baton");
    baton.into_inner().unwrap()
}

fn main() {
    let sections = ["violins", "violas", "cellos"];
    let podium = perform(&sections, 2, Duration::from_millis(5));
    for section in sections {
        let n = turns(&podium.hand_offs, section);
        println!("conductor: {section} held the baton {n} times");
    }
    let overlaps = overlapping(&podium.hand_offs);
    println!("conductor: {overlaps} overlapping holds");
    println!("conductor: final tempo {} bpm", podium.tempo);
}
// --snip-- (`event`, `turns` and `overlapping` are in the full program)
// ANCHOR_END: all

/// Prints one event of the performance: `@<ms>ms <section>: <what>`.
fn event(start: Instant, section: &str, what: &str) {
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms {section}: {what}");
}

/// How many times `section` held the baton.
fn turns(hand_offs: &[Hold], section: &str) -> usize {
    hand_offs.iter().filter(|h| h.section == section).count()
}

/// How many holds began before the previous one ended.
fn overlapping(hand_offs: &[Hold]) -> usize {
    let pairs = hand_offs.windows(2);
    pairs.filter(|pair| pair[0].released > pair[1].took).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_every_turn_counted() {
        let sections = ["violins", "violas", "cellos", "basses"];
        let podium = perform(&sections, 3, Duration::from_millis(1));
        assert_eq!(podium.tempo, 120 + 4 * 3 * 10);
        assert_eq!(podium.hand_offs.len(), 12);
        for section in sections {
            assert_eq!(turns(&podium.hand_offs, section), 3, "{section}");
        }
        // The holds are recorded under the lock, so they are in the order
        // the baton passed; each one ends before the next one begins.
        assert_eq!(overlapping(&podium.hand_offs), 0, "two holders at once");
        // Each holder adjusts with the baton in hand (a sleep never ends
        // early), not after putting it down.
        for hold in &podium.hand_offs {
            let held = hold.released - hold.took;
            assert!(held >= Duration::from_millis(1), "{}", hold.section);
        }
    }

    #[test]
    fn overlapping_counts_a_hold_that_begins_before_the_last_ends() {
        let t0 = Instant::now();
        let hold = |section, took, released| Hold {
            section,
            took: t0 + Duration::from_millis(took),
            released: t0 + Duration::from_millis(released),
        };
        let handed_on = [hold("violins", 0, 5), hold("violas", 5, 9)];
        assert_eq!(overlapping(&handed_on), 0);
        let snatched = [hold("violins", 0, 5), hold("violas", 4, 9)];
        assert_eq!(overlapping(&snatched), 1);
    }
}
