use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

// ANCHOR: all
/// The oboe sounds the A and sends its pitch to the strings.
fn oboe(pitch: Sender<u32>) {
    println!("oboe: sounding A at 442 Hz");
    pitch.send(442).unwrap();
}

/// The strings wait for the pitch, then tune to it.
fn strings(pitch: Receiver<u32>) -> u32 {
    // `recv` waits until a pitch arrives: there is nothing to read
    // before the oboe has played.
    let heard = pitch.recv().unwrap();
    println!("strings: tuned to {heard} Hz");
    heard
}

fn main() {
    let (pitch_tx, pitch_rx) = mpsc::channel();
    let oboe_thread = thread::spawn(move || oboe(pitch_tx));
    let tuned = strings(pitch_rx);
    oboe_thread.join().unwrap();
    println!("the strings tuned to {tuned} Hz");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::RecvTimeoutError;
    use std::time::Duration;

    #[test]
    fn the_strings_wait_until_the_oboe_has_played() {
        let (pitch_tx, pitch_rx) = mpsc::channel();
        let (report, watch) = mpsc::channel();
        thread::spawn(move || report.send(strings(pitch_rx)).unwrap());

        // The oboe holds its note: the strings must still be waiting.
        assert_eq!(
            watch.recv_timeout(Duration::from_millis(200)),
            Err(RecvTimeoutError::Timeout),
            "the strings tuned before the oboe played"
        );

        oboe(pitch_tx);
        // Watchdog: a lost pitch would leave the strings waiting forever.
        assert_eq!(watch.recv_timeout(Duration::from_secs(5)), Ok(442));
    }

    #[test]
    fn an_oboe_that_never_plays_leaves_nothing_to_tune_to() {
        let (pitch_tx, pitch_rx) = mpsc::channel::<u32>();
        drop(pitch_tx); // the oboe leaves without sounding the A
        let (report, watch) = mpsc::channel();
        // `strings` panics on the hang-up, so `report` is dropped unsent.
        thread::spawn(move || report.send(strings(pitch_rx)).unwrap());
        assert_eq!(
            watch.recv_timeout(Duration::from_secs(5)),
            Err(RecvTimeoutError::Disconnected),
            "the strings tuned to a pitch nobody sent"
        );
    }
}
