#[cfg(loom)]
use loom::sync::atomic::{AtomicU32, Ordering};
#[cfg(not(loom))]
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Barrier;
use std::thread;

// ANCHOR: all
/// A section raises the tempo in one indivisible step.
fn raise_tempo(section: &str, tempo: &AtomicU32, both_ready: &Barrier) {
    // Both sections are released together, as in Listing 1-4.
    both_ready.wait();

    tempo.fetch_add(10, Ordering::SeqCst); // read and write, in one step
    println!("{section}: raised the tempo by 10 bpm");
}

/// Two sections each raise the tempo by 10 bpm. Returns the final tempo.
fn rehearse() -> u32 {
    let tempo = AtomicU32::new(120);
    let both_ready = Barrier::new(2);
    thread::scope(|s| {
        s.spawn(|| raise_tempo("violins", &tempo, &both_ready));
        s.spawn(|| raise_tempo("cellos", &tempo, &both_ready));
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
    fn no_raise_is_lost_at_the_unlucky_moment() {
        // Watchdog: a section stuck at the barrier must fail, not hang.
        let (report, watch) = mpsc::channel();
        thread::spawn(move || report.send(rehearse()).unwrap());
        let tempo = watch
            .recv_timeout(Duration::from_secs(5))
            .expect("a section never reached the barrier");
        assert_eq!(tempo, 140, "both raises count");
    }
}

/// Under `--cfg loom`: every interleaving loom explores of two unstaged raises.
#[cfg(all(test, loom))]
mod every_interleaving {
    use super::*;
    use loom::sync::Arc;
    use std::collections::BTreeSet;
    use std::sync::Mutex;

    /// Every final tempo loom reaches when two sections `raise` at once.
    fn endings(raise: fn(&str, &AtomicU32)) -> BTreeSet<u32> {
        let endings = std::sync::Arc::new(Mutex::new(BTreeSet::new()));
        let seen = endings.clone();
        loom::model(move || {
            let tempo = Arc::new(AtomicU32::new(120));
            let violins = {
                let tempo = tempo.clone();
                loom::thread::spawn(move || raise("violins", &tempo))
            };
            raise("cellos", &tempo);
            violins.join().unwrap();
            seen.lock().unwrap().insert(tempo.load(Ordering::SeqCst));
        });
        let endings = std::sync::Arc::try_unwrap(endings).unwrap();
        endings.into_inner().unwrap()
    }

    /// The listing's `raise_tempo`; a barrier for one section never waits.
    fn unstaged(section: &str, tempo: &AtomicU32) {
        raise_tempo(section, tempo, &Barrier::new(1));
    }

    /// A broken twin: the same raise, split into a read and a write.
    fn split(_section: &str, tempo: &AtomicU32) {
        let heard = tempo.load(Ordering::SeqCst);
        tempo.store(heard + 10, Ordering::SeqCst);
    }

    #[test]
    fn no_interleaving_loses_a_raise() {
        assert_eq!(endings(unstaged), BTreeSet::from([140]));
    }

    #[test]
    fn the_same_check_catches_a_split_raise() {
        assert!(endings(split).contains(&130));
    }
}
