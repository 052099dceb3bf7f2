//! The page says a `Mutex<Cell<u32>>` compiles where Listing 5-8's
//! `RwLock<Cell<u32>>` does not, because only one thread at a time can
//! reach the `Cell`: the test below is Listing 5-8 with that one change,
//! which would not build if it were refused, and runs.

use std::cell::Cell;
use std::sync::Mutex;
use std::thread;

#[test]
fn a_mutex_around_the_cell_compiles() {
    let score: Mutex<Cell<u32>> = Mutex::new(Cell::new(0));
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let readings = score.lock().unwrap();
                readings.set(readings.get() + 1);
            });
        }
    });
    assert_eq!(score.into_inner().unwrap().get(), 2);
}
