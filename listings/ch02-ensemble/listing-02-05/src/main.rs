use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

// ANCHOR: all
/// How long the watchdog waits for the sections before it calls a freeze.
const PATIENCE: Duration = Duration::from_millis(300);

/// Two sections each need both batons, but reach for them in opposite
/// orders. Returns how many sections finished before the watchdog gave up.
fn perform(
    tempo: Arc<Mutex<u32>>,
    dynamics: Arc<Mutex<&'static str>>,
) -> usize {
    let both_hold_one = Arc::new(Barrier::new(2));
    let (finished, watchdog) = mpsc::channel::<&str>();

    let batons = (tempo.clone(), dynamics.clone(), both_hold_one.clone());
    let violins_done = finished.clone();
    thread::spawn(move || {
        let (tempo, dynamics, both_hold_one) = batons;
        let _tempo = tempo.lock().unwrap();
        println!("violins: hold the tempo, reach for the dynamics");
        both_hold_one.wait(); // staged: the unlucky moment, every time
        let _dynamics = dynamics.lock().unwrap();
        violins_done.send("violins").unwrap();
    });

    thread::spawn(move || {
        let _dynamics = dynamics.lock().unwrap();
        println!("cellos: hold the dynamics, reach for the tempo");
        both_hold_one.wait();
        let _tempo = tempo.lock().unwrap();
        finished.send("cellos").unwrap();
    });

    let mut done = 0;
    while done < 2 {
        match watchdog.recv_timeout(PATIENCE) {
            Ok(section) => {
                println!("{section}: finished");
                done += 1;
            }
            Err(RecvTimeoutError::Timeout) => {
                let waited = PATIENCE.as_millis();
                println!("watchdog: nothing for {waited}ms, the music froze");
                break;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    done
}

fn main() {
    let tempo = Arc::new(Mutex::new(120));
    let dynamics = Arc::new(Mutex::new("mezzo-forte"));
    let finished = perform(tempo, dynamics);
    println!("{finished} of 2 sections finished; the program compiled fine");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::TryLockError;

    /// Whether some thread holds `baton` right now.
    fn is_held<T>(baton: &Mutex<T>) -> bool {
        matches!(baton.try_lock(), Err(TryLockError::WouldBlock))
    }

    #[test]
    fn opposite_lock_orders_freeze_and_the_watchdog_notices() {
        let tempo = Arc::new(Mutex::new(120));
        let dynamics = Arc::new(Mutex::new("mezzo-forte"));
        let batons = (tempo.clone(), dynamics.clone());
        // `perform` bounds its own wait with `PATIENCE`; this outer
        // watchdog guards the test against a bug in that bound.
        let (report, watch) = mpsc::channel();
        thread::spawn(move || {
            report.send(perform(batons.0, batons.1)).unwrap();
        });
        let finished = watch
            .recv_timeout(Duration::from_secs(10))
            .expect("the watchdog itself hung");
        assert_eq!(finished, 0, "both sections wait for each other forever");

        // Each section still holds one baton while it waits for the other:
        // a freeze at the barrier instead would leave one baton free.
        assert!(is_held(&tempo), "nobody holds the tempo");
        assert!(is_held(&dynamics), "nobody holds the dynamics");
    }
}
