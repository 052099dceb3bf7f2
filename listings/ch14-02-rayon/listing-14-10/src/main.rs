use rayon::prelude::*;
use std::sync::Mutex;

// ANCHOR: all
/// One bar of the phrase: the notes of a chord, as MIDI note numbers.
type Bar = Vec<u8>;

/// Every note of the phrase, counted by many desks and added up.
fn count_notes(phrase: &[Bar]) -> usize {
    phrase.par_iter().map(|bar| bar.len()).sum()
}

/// Many desks engrave the phrase. Whoever takes a bar calls out its
/// number; the engraved bars come back in the phrase's order.
fn engrave_all(
    phrase: Vec<Bar>,
    call_out: impl Fn(usize) + Sync,
) -> Vec<String> {
    phrase
        .into_par_iter()
        .enumerate()
        .map(|(number, bar)| {
            call_out(number);
            engrave(&bar)
        })
        .collect()
}

fn main() {
    let phrase = the_phrase(12);
    let one_desk: usize = phrase.iter().map(|bar| bar.len()).sum();
    println!(
        "notes: {} by many desks, {one_desk} by one",
        count_notes(&phrase)
    );

    let called = Mutex::new(Vec::new());
    let engraved = engrave_all(phrase, |n| called.lock().unwrap().push(n));
    for (number, bar) in engraved.iter().enumerate() {
        println!("bar {number:>2}: {bar}");
    }
    let mut called = called.into_inner().unwrap();
    called.sort_unstable(); // called out in whatever order the desks played
    let each_once = called.iter().copied().eq(0..engraved.len());
    println!("bars called out: {}, each once: {each_once}", called.len());
}
// --snip-- (`the_phrase` and `engrave` are in the full program)
// ANCHOR_END: all

/// A phrase of `bars` bars, the same every time: roots a fourth apart,
/// with one, two or three notes of a major chord on each.
fn the_phrase(bars: u8) -> Vec<Bar> {
    (0..bars)
        .map(|n| {
            let root = 60 + n % 12 * 5 % 12;
            let notes = usize::from(n % 3) + 1;
            [0, 4, 7][..notes].iter().map(|step| root + step).collect()
        })
        .collect()
}

/// Engraves one bar: its notes by name, such as `C4 E4 G4`.
fn engrave(bar: &Bar) -> String {
    const NAMES: [&str; 12] = [
        "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
    ];
    let names: Vec<String> = bar
        .iter()
        .map(|&note| {
            format!("{}{}", NAMES[usize::from(note % 12)], note / 12 - 1)
        })
        .collect();
    names.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use desk_watch::{the_global_pool, while_the_desks_wait};
    use rayon::{ThreadPool, ThreadPoolBuilder};
    use std::sync::Condvar;
    use std::time::Duration;

    /// A pool of `n` desks, whatever the number of CPUs.
    fn desks(n: usize) -> ThreadPool {
        ThreadPoolBuilder::new().num_threads(n).build().unwrap()
    }

    fn one_desk(phrase: &[Bar]) -> Vec<String> {
        phrase.iter().map(engrave).collect()
    }

    #[test]
    fn engraving_names_the_notes() {
        let phrase = the_phrase(4);
        assert_eq!(one_desk(&phrase), ["C4", "F4 A4", "A#4 D5 F5", "D#4"]);
    }

    #[test]
    fn many_desks_count_what_one_desk_counts() {
        let pool = desks(4);
        for bars in [0, 1, 2, 7, 12, 64, 200] {
            let phrase = the_phrase(bars);
            let one: usize = phrase.iter().map(|bar| bar.len()).sum();
            assert_eq!(pool.install(|| count_notes(&phrase)), one);
        }
        assert_eq!(pool.install(|| count_notes(&the_phrase(12))), 24);
    }

    #[test]
    fn the_desks_count_while_the_caller_waits() {
        let _turn = the_global_pool();
        // Only a desk can play work handed to the pool, and every desk is
        // waiting for some: a count done in sequence never hands it any.
        let phrase = the_phrase(12);
        let (notes, played) = while_the_desks_wait(|| count_notes(&phrase));
        assert_eq!(notes, 24);
        assert!(played, "the caller counted alone: no desk played a bar");
    }

    #[test]
    fn engraved_in_phrase_order_and_each_bar_called_once() {
        let pool = desks(4);
        let phrase = the_phrase(64);
        for _ in 0..20 {
            let called = Mutex::new(Vec::new());
            let engraved = pool.install(|| {
                engrave_all(phrase.clone(), |n| called.lock().unwrap().push(n))
            });
            assert_eq!(engraved, one_desk(&phrase));
            let mut called = called.into_inner().unwrap();
            called.sort_unstable();
            assert_eq!(called, (0..phrase.len()).collect::<Vec<_>>());
        }
    }

    /// What each desk calls out, as the tests pass it around.
    type CallOut<'a> = &'a (dyn Fn(usize) + Sync);

    /// The desk that takes bar 0 does not finish it until bar `last` has
    /// been called out, or until `patience` runs out. Returns what was
    /// engraved, or why the first bar gave up.
    fn first_bar_waits_for_the_last(
        pool: &ThreadPool,
        bars: u8,
        patience: Duration,
        engrave_all: fn(Vec<Bar>, CallOut) -> Vec<String>,
    ) -> Result<Vec<String>, String> {
        let last = usize::from(bars) - 1;
        let last_played = (Mutex::new(false), Condvar::new());
        let gave_up = Mutex::new(false);
        let call_out = |n: usize| {
            let (played, cue) = &last_played;
            if n == last {
                *played.lock().unwrap() = true;
                cue.notify_all();
            } else if n == 0 {
                let played = played.lock().unwrap();
                let (_played, wait) = cue
                    .wait_timeout_while(played, patience, |played| !*played)
                    .unwrap();
                *gave_up.lock().unwrap() = wait.timed_out();
            }
        };
        let engraved =
            pool.install(|| engrave_all(the_phrase(bars), &call_out));
        if *gave_up.lock().unwrap() {
            return Err("nobody else played the last bar".to_string());
        }
        Ok(engraved)
    }

    fn listing(phrase: Vec<Bar>, call_out: CallOut) -> Vec<String> {
        engrave_all(phrase, call_out)
    }

    /// Broken twin: each desk pushes its bar where the others can see it,
    /// so the engraving comes out in the order the bars were played.
    fn in_the_order_played(phrase: Vec<Bar>, call_out: CallOut) -> Vec<String> {
        let stand = Mutex::new(Vec::new());
        phrase
            .into_par_iter()
            .enumerate()
            .for_each(|(number, bar)| {
                call_out(number);
                stand.lock().unwrap().push(engrave(&bar));
            });
        stand.into_inner().unwrap()
    }

    /// Twelve bars, no two engraved alike.
    const BARS: u8 = 12;

    #[test]
    fn played_out_of_order_still_engraved_in_order() {
        // Bar 0 is finished only after bar 11 was called out: another desk
        // took the far end of the phrase while the first desk waited.
        let engraved = first_bar_waits_for_the_last(
            &desks(2),
            BARS,
            Duration::from_secs(10),
            listing,
        );
        assert_eq!(engraved, Ok(one_desk(&the_phrase(BARS))));
    }

    #[test]
    fn collecting_in_the_order_played_loses_the_phrase() {
        let engraved = first_bar_waits_for_the_last(
            &desks(2),
            BARS,
            Duration::from_secs(10),
            in_the_order_played,
        )
        .expect("another desk played the last bar");
        // The thief steals the oldest job, the far half of the phrase, and
        // plays it from its start: those bars are on the stand before bar
        // 0, which waits for bar 11.
        assert_ne!(engraved[0], engrave(&the_phrase(1)[0]));
        assert_ne!(engraved, one_desk(&the_phrase(BARS)));
    }

    #[test]
    fn a_desk_that_waits_alone_waits_in_vain() {
        let engraved = first_bar_waits_for_the_last(
            &desks(1),
            BARS,
            Duration::from_millis(200),
            listing,
        );
        assert_eq!(engraved, Err("nobody else played the last bar".into()));
    }
}
