use std::sync::mpsc;
use std::thread;

// ANCHOR: all
/// The oboe sends the pitch; the strings tune to what they receive.
fn tune() -> u32 {
    let (pitch_tx, pitch_rx) = mpsc::channel::<u32>();

    let oboe = thread::spawn(move || {
        println!("oboe: sounding A at 442 Hz");
        pitch_tx.send(442).unwrap();
    });

    // `recv` waits until a pitch arrives: there is nothing to read
    // before the oboe has played.
    let heard = pitch_rx.recv().unwrap();
    println!("strings: tuned to {heard} Hz");
    oboe.join().unwrap();
    heard
}

fn main() {
    let tuned = tune();
    println!("the strings tuned to {tuned} Hz");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_strings_always_hear_the_oboe() {
        // Watchdog: a lost message would leave `recv` waiting forever.
        let (report, watch) = mpsc::channel();
        thread::spawn(move || {
            let heard: Vec<u32> = (0..100).map(|_| tune()).collect();
            report.send(heard).unwrap();
        });
        let heard = watch
            .recv_timeout(Duration::from_secs(10))
            .expect("the strings waited forever");
        assert!(heard.iter().all(|&pitch| pitch == 442), "{heard:?}");
    }
}
