use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Barrier;
use std::thread;

// ANCHOR: all
/// A section raises the tempo in one indivisible step.
fn raise_tempo(section: &str, tempo: &AtomicU32, both_ready: &Barrier) {
    // Both sections arrive at the same moment, as in Listing 1-4.
    both_ready.wait();

    tempo.fetch_add(10, Ordering::SeqCst); // check and act, at once
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// Runs `f` on its own thread and fails if it takes longer than 10 s.
    fn within_watchdog<T: Send + 'static>(f: fn() -> T) -> T {
        let (report, watch) = mpsc::channel();
        thread::spawn(move || report.send(f()).unwrap());
        watch
            .recv_timeout(Duration::from_secs(10))
            .expect("the rehearsal never finished")
    }

    #[test]
    fn no_raise_is_lost_at_the_unlucky_moment() {
        assert_eq!(within_watchdog(rehearse), 140);
    }

    #[test]
    fn many_sections_many_raises_reach_the_exact_total() {
        fn crowded_rehearsal() -> u32 {
            let tempo = AtomicU32::new(0);
            thread::scope(|s| {
                for _section in 0..8 {
                    s.spawn(|| {
                        for _beat in 0..10_000 {
                            tempo.fetch_add(1, Ordering::Relaxed);
                        }
                    });
                }
            });
            tempo.into_inner()
        }
        assert_eq!(within_watchdog(crowded_rehearsal), 80_000);
    }
}

/// Under `--cfg loom`: every interleaving of two unstaged raises.
#[cfg(all(test, loom))]
mod every_interleaving {
    use loom::sync::atomic::{AtomicU32, Ordering};
    use loom::sync::Arc;
    use loom::thread;

    #[test]
    fn no_interleaving_loses_a_raise() {
        loom::model(|| {
            let tempo = Arc::new(AtomicU32::new(120));
            let violins = {
                let tempo = tempo.clone();
                thread::spawn(move || tempo.fetch_add(10, Ordering::SeqCst))
            };
            tempo.fetch_add(10, Ordering::SeqCst); // the cellos
            violins.join().unwrap();
            assert_eq!(tempo.load(Ordering::SeqCst), 140);
        });
    }
}
