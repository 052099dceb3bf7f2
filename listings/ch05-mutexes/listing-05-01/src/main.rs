// ANCHOR: all
use std::sync::{Mutex, MutexGuard};
use std::thread;

fn rehearse(sections: u32, step: u32) -> u32 {
    let tempo: Mutex<u32> = Mutex::new(120);

    thread::scope(|s| {
        for _section in 0..sections {
            s.spawn(|| {
                let mut t: MutexGuard<u32> = tempo.lock().unwrap();
                *t += step;
            });
        }
    });

    tempo.into_inner().unwrap()
}

fn main() {
    let tempo = rehearse(10, 10);
    println!("ten sections each raised the tempo by 10: {tempo} bpm");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_adjustment_counts() {
        assert_eq!(rehearse(10, 10), 220);
    }

    #[test]
    fn many_sections_many_times() {
        for _ in 0..50 {
            assert_eq!(rehearse(64, 1), 184);
        }
    }
}
