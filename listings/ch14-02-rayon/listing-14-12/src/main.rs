// ANCHOR: all
/// One bar of the phrase: the notes of a chord, as MIDI note numbers.
type Bar = Vec<u8>;

/// A stretch this short is counted by one desk, without splitting it.
const SHORT: usize = 4;

/// Counts the notes of a stretch of the phrase. A desk with a long
/// stretch splits it in two, offers the second half to any free desk,
/// counts the first half itself, and adds the counts once both are in.
fn count_notes(bars: &[Bar]) -> usize {
    if bars.len() <= SHORT {
        return bars.iter().map(|bar| bar.len()).sum();
    }
    let (first, second) = bars.split_at(bars.len() / 2);
    let (a, b) = rayon::join(|| count_notes(first), || count_notes(second));
    a + b
}

/// A task per section copies its part onto its own slot of the stand.
/// Both are borrowed from the caller, with no `Arc` and no `Mutex`:
/// `scope` returns only when every task it started has finished.
fn copy_parts(parts: &[(&str, Bar)], stand: &mut [String]) {
    rayon::scope(|s| {
        for ((section, part), slot) in parts.iter().zip(stand.iter_mut()) {
            s.spawn(move |_| *slot = format!("{section}: {part:?}"));
        }
    }); // every copy is on the stand here
}

fn main() {
    let phrase: Vec<Bar> = (0..40u8)
        .map(|n| vec![60 + n % 12; usize::from(n % 3) + 1])
        .collect();
    println!("notes in the phrase: {}", count_notes(&phrase));

    let parts = [
        ("violins", vec![76, 74, 72, 71]),
        ("violas", vec![67, 65]),
        ("cellos", vec![48, 43, 36]),
    ];
    let mut stand = vec![String::new(); parts.len()];
    copy_parts(&parts, &mut stand);
    for copy in &stand {
        println!("{copy}");
    }
    println!("the parts are still ours: {} sections", parts.len());
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use desk_watch::{the_global_pool, while_the_desks_wait};
    use rayon::{ThreadPool, ThreadPoolBuilder};
    use std::sync::{mpsc, Arc, Mutex};
    use std::thread;
    use std::time::{Duration, Instant};

    /// A pool of `n` desks, whatever the number of CPUs.
    fn desks(n: usize) -> ThreadPool {
        ThreadPoolBuilder::new().num_threads(n).build().unwrap()
    }

    fn the_parts() -> Vec<(&'static str, Bar)> {
        vec![
            ("violins", vec![76, 74, 72, 71]),
            ("violas", vec![67, 65]),
            ("cellos", vec![48, 43, 36]),
            ("basses", vec![36]),
            ("flutes", vec![84, 83, 81, 79, 77]),
        ]
    }

    /// What the stand must hold once the copying has returned.
    fn all_copied(
        stand: &[String],
        parts: &[(&str, Bar)],
    ) -> Result<(), String> {
        let missing: Vec<&str> = parts
            .iter()
            .zip(stand)
            .filter(|((section, part), copy)| {
                **copy != format!("{section}: {part:?}")
            })
            .map(|((section, _), _)| *section)
            .collect();
        if stand.len() != parts.len() || !missing.is_empty() {
            return Err(format!("not copied: {missing:?}"));
        }
        Ok(())
    }

    #[test]
    fn split_in_halves_counts_what_one_desk_counts() {
        let pool = desks(4);
        for bars in 0..=50u8 {
            let phrase: Vec<Bar> =
                (0..bars).map(|n| vec![n; usize::from(n % 5) + 1]).collect();
            let one: usize = phrase.iter().map(|bar| bar.len()).sum();
            assert_eq!(pool.install(|| count_notes(&phrase)), one, "{bars}");
        }
    }

    #[test]
    fn every_part_is_on_the_stand_when_scope_returns() {
        let pool = desks(4);
        let parts = the_parts();
        for _ in 0..50 {
            let mut stand = vec![String::new(); parts.len()];
            pool.install(|| copy_parts(&parts, &mut stand));
            assert_eq!(all_copied(&stand, &parts), Ok(()));
        }
    }

    // Only a desk can play work handed to the pool, and every desk is
    // waiting for some: halves counted in turn, or parts copied in a plain
    // loop, never hand it any.
    #[test]
    fn the_desks_count_the_halves_while_the_caller_waits() {
        let _turn = the_global_pool();
        let phrase: Vec<Bar> = (0..12u8).map(|n| vec![n; 2]).collect();
        let (notes, played) = while_the_desks_wait(|| count_notes(&phrase));
        assert_eq!(notes, 24);
        assert!(played, "the caller counted alone: no desk played a half");
    }

    #[test]
    fn the_desks_copy_the_parts_while_the_caller_waits() {
        let _turn = the_global_pool();
        let parts = the_parts();
        let mut stand = vec![String::new(); parts.len()];
        let ((), played) =
            while_the_desks_wait(|| copy_parts(&parts, &mut stand));
        assert_eq!(all_copied(&stand, &parts), Ok(()));
        assert!(played, "the caller copied alone: no desk played a part");
    }

    /// Broken twin: `rayon::spawn` is not scoped. It cannot borrow the
    /// stand, so the copies go to a shared one behind an `Arc`, and it
    /// returns at once. Its desk starts copying on `cue`.
    fn copy_parts_detached(
        parts: Vec<(&'static str, Bar)>,
        stand: Arc<Mutex<Vec<String>>>,
        cue: mpsc::Receiver<()>,
    ) {
        rayon::spawn(move || {
            let _ = cue.recv_timeout(Duration::from_secs(10));
            let mut stand = stand.lock().unwrap();
            for ((section, part), slot) in parts.iter().zip(stand.iter_mut()) {
                *slot = format!("{section}: {part:?}");
            }
        });
    }

    #[test]
    fn a_detached_spawn_returns_before_the_copies() {
        let _turn = the_global_pool();
        let parts = the_parts();
        let stand = Arc::new(Mutex::new(vec![String::new(); parts.len()]));
        let (cue, wait) = mpsc::channel();
        copy_parts_detached(parts.clone(), Arc::clone(&stand), wait);
        let returned_with = stand.lock().unwrap().clone();
        let every_section: Vec<&str> = parts.iter().map(|p| p.0).collect();
        assert_eq!(
            all_copied(&returned_with, &parts),
            Err(format!("not copied: {every_section:?}"))
        );
        // Only now may the detached desk start copying; the pool is this
        // test's until it has.
        cue.send(()).expect("the detached desk waits for its cue");
        let patience = Instant::now() + Duration::from_secs(10);
        while all_copied(&stand.lock().unwrap(), &parts).is_err() {
            assert!(
                Instant::now() < patience,
                "the detached desk never copied"
            );
            thread::yield_now();
        }
    }
}
