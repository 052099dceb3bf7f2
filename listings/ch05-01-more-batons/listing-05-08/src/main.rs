use std::cell::Cell;
use std::sync::RwLock;
use std::thread;

fn main() {
    // Readers count their readings through the read guard, with a `Cell`.
    let score: RwLock<Cell<u32>> = RwLock::new(Cell::new(0));

    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let readings = score.read().unwrap();
                readings.set(readings.get() + 1);
            });
        }
    });

    println!("readings: {}", score.read().unwrap().get());
}
