#[cfg(loom)]
use loom::sync::atomic::{AtomicU32, Ordering};
#[cfg(not(loom))]
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Barrier;
use std::thread;

// ANCHOR: all
/// A section reads the tempo, then writes back its own raise: two steps.
fn raise_tempo(section: &str, tempo: &AtomicU32, both_have_read: &Barrier) {
    let heard = tempo.load(Ordering::SeqCst); // read
    println!("{section}: heard {heard} bpm");

    // Staged: wait until the other section has read too, so the unlucky
    // moment happens on every run instead of on some runs.
    both_have_read.wait();

    tempo.store(heard + 10, Ordering::SeqCst); // write
    println!("{section}: set {} bpm", heard + 10);
}

/// Two sections each raise the tempo by 10 bpm. Returns the final tempo.
fn rehearse() -> u32 {
    let tempo = AtomicU32::new(120);
    let both_have_read = Barrier::new(2);
    thread::scope(|s| {
        s.spawn(|| raise_tempo("violins", &tempo, &both_have_read));
        s.spawn(|| raise_tempo("cellos", &tempo, &both_have_read));
    });
    tempo.into_inner()
}

fn main() {
    let tempo = rehearse();
    println!("120 bpm raised twice by 10 ends at {tempo} bpm");
}
// ANCHOR_END: all

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_read_then_a_write_loses_a_raise() {
        // Watchdog: a section stuck at the barrier must fail, not hang.
        let (report, watch) = mpsc::channel();
        thread::spawn(move || report.send(rehearse()).unwrap());
        let tempo = watch
            .recv_timeout(Duration::from_secs(5))
            .expect("a section never reached the barrier");
        assert_eq!(tempo, 130, "one of the two raises was lost");
    }
}

/// Under `--cfg loom`: the listing's own `raise_tempo`, without staging,
/// in every interleaving of the two sections that loom explores.
#[cfg(all(test, loom))]
mod every_interleaving {
    use super::*;
    use loom::sync::Arc;
    use std::collections::BTreeSet;
    use std::sync::Mutex;

    #[test]
    fn without_staging_some_interleaving_still_loses_a_raise() {
        let endings = std::sync::Arc::new(Mutex::new(BTreeSet::new()));
        let seen = endings.clone();
        loom::model(move || {
            // A barrier for one section never waits: no staging at all.
            let unstaged = || Barrier::new(1);
            let tempo = Arc::new(AtomicU32::new(120));
            let violins = {
                let tempo = tempo.clone();
                loom::thread::spawn(move || {
                    raise_tempo("violins", &tempo, &unstaged());
                })
            };
            raise_tempo("cellos", &tempo, &unstaged());
            violins.join().unwrap();
            seen.lock().unwrap().insert(tempo.load(Ordering::SeqCst));
        });
        let endings = endings.lock().unwrap();
        assert_eq!(*endings, BTreeSet::from([130, 140]));
    }
}
