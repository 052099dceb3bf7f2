// ANCHOR: all
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Barrier, LazyLock, OnceLock};
use std::thread;

/// How many times the chairs were set out.
static SETUPS: AtomicU32 = AtomicU32::new(0);

/// Chairs per section, set out the first time anyone looks.
static SEATING: LazyLock<HashMap<&str, u32>> = LazyLock::new(|| {
    SETUPS.fetch_add(1, Ordering::Relaxed);
    println!("stage-manager: sets out the chairs");
    HashMap::from([("violins", 16), ("violas", 12), ("cellos", 10)])
});

/// The orchestra tunes to one A, which the oboe gives once.
struct Orchestra {
    a: OnceLock<u32>,
    oboe_calls: AtomicU32,
}

impl Orchestra {
    fn ask_oboe(&self) -> u32 {
        self.oboe_calls.fetch_add(1, Ordering::Relaxed);
        println!("oboe: gives the A");
        440
    }

    fn tuning_a(&self) -> u32 {
        *self.a.get_or_init(|| self.ask_oboe())
    }
}

fn main() {
    let orchestra = Orchestra {
        a: OnceLock::new(),
        oboe_calls: AtomicU32::new(0),
    };
    let sections = ["violins", "violas", "cellos", "basses"];
    let all_at_once = Barrier::new(sections.len());
    thread::scope(|s| {
        for section in sections {
            let (orchestra, all_at_once) = (&orchestra, &all_at_once);
            s.spawn(move || {
                all_at_once.wait();
                println!("{section}: tunes to {} Hz", orchestra.tuning_a());
            });
        }
    });
    let calls = orchestra.oboe_calls.load(Ordering::Relaxed);
    println!("conductor: the oboe was asked {calls} time(s)");
    println!("conductor: set(442) -> {:?}", orchestra.a.set(442));

    println!(
        "conductor: chairs set out so far: {}",
        SETUPS.load(Ordering::Relaxed)
    );
    let chairs: u32 = SEATING.values().sum();
    println!(
        "conductor: {chairs} chairs; cellos get {}",
        SEATING["cellos"]
    );
    println!(
        "conductor: chairs set out: {}",
        SETUPS.load(Ordering::Relaxed)
    );
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    fn new_orchestra() -> Orchestra {
        Orchestra {
            a: OnceLock::new(),
            oboe_calls: AtomicU32::new(0),
        }
    }

    /// Releases `sections` threads at once to call `tune`; returns what
    /// each got and how many times the oboe was asked.
    fn race(
        sections: usize,
        tune: impl Fn(&Orchestra) -> u32 + Sync,
    ) -> (Vec<u32>, u32) {
        let orchestra = new_orchestra();
        let start = Barrier::new(sections);
        let heard = thread::scope(|s| {
            let players: Vec<_> = (0..sections)
                .map(|_| {
                    s.spawn(|| {
                        start.wait();
                        tune(&orchestra)
                    })
                })
                .collect();
            players.into_iter().map(|p| p.join().unwrap()).collect()
        });
        (heard, orchestra.oboe_calls.into_inner())
    }

    #[test]
    fn racing_sections_ask_the_oboe_once() {
        let (heard, oboe_calls) = race(16, Orchestra::tuning_a);
        assert_eq!(heard, [440; 16]);
        assert_eq!(oboe_calls, 1);
    }

    /// The broken twin: look first, then ask the oboe and `set`. It is
    /// staged so that both sections look before either asks.
    fn check_then_set(orchestra: &Orchestra, both_looked: &Barrier) -> u32 {
        if let Some(a) = orchestra.a.get() {
            return *a;
        }
        both_looked.wait();
        let a = orchestra.ask_oboe();
        let _ = orchestra.a.set(a);
        a
    }

    #[test]
    fn the_count_catches_a_check_then_set_twin() {
        let both_looked = Barrier::new(2);
        let (_, oboe_calls) = race(2, |o| check_then_set(o, &both_looked));
        assert_eq!(oboe_calls, 2);
    }

    #[test]
    fn set_fills_the_cell_once() {
        let orchestra = new_orchestra();
        assert_eq!(orchestra.a.set(442), Ok(()));
        assert_eq!(orchestra.a.set(440), Err(440));
        assert_eq!(orchestra.tuning_a(), 442);
        assert_eq!(orchestra.oboe_calls.into_inner(), 0);
    }

    /// The only test in this binary that touches `SEATING`: tests run on
    /// parallel threads of one process, and a static is shared by them all.
    #[test]
    fn the_chairs_are_set_out_once_on_first_use() {
        assert_eq!(SETUPS.load(Ordering::Relaxed), 0);
        let counts: Vec<u32> = thread::scope(|s| {
            let players: Vec<_> =
                (0..8).map(|_| s.spawn(|| SEATING["violas"])).collect();
            players.into_iter().map(|p| p.join().unwrap()).collect()
        });
        assert_eq!(counts, [12; 8]);
        assert_eq!(SETUPS.load(Ordering::Relaxed), 1);
    }
}
