use std::sync::{Mutex, MutexGuard};
use std::thread;

fn main() {
    let tempo: Mutex<u32> = Mutex::new(120);

    let mut baton: MutexGuard<'_, u32> = tempo.lock().unwrap();
    thread::scope(|s| {
        s.spawn(move || *baton += 10);
    });

    println!("tempo: {}", tempo.lock().unwrap());
}
