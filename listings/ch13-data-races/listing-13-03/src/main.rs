use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;

// ANCHOR: all
fn count_beats(sections: u32, beats_each: u32) -> u32 {
    let beats = AtomicU32::new(0);

    thread::scope(|s| {
        for _section in 0..sections {
            s.spawn(|| {
                for _beat in 0..beats_each {
                    beats.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });

    beats.load(Ordering::Relaxed)
}

fn main() {
    let beats = count_beats(2, 1000);
    println!("two sections, 1000 beats each: {beats} beats counted");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_beat_is_ever_lost() {
        for _rehearsal in 0..20 {
            assert_eq!(count_beats(8, 10_000), 80_000);
        }
    }
}
