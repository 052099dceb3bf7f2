// ANCHOR: all
use std::thread;
use std::time::{Duration, Instant};

fn play(section: &str, bars: u32, bar_length: Duration) -> Vec<String> {
    let start = Instant::now();
    let mut played = Vec::new();
    for bar in 1..=bars {
        let note = format!("{section}: bar {bar}");
        println!("@{}ms {note}", start.elapsed().as_millis());
        played.push(note);
        thread::sleep(bar_length);
    }
    played
}

/// The strings and the brass each play on their own thread; `join` waits
/// for each one and hands back what it played.
fn perform(bars: u32, bar_length: Duration) -> [Vec<String>; 2] {
    let strings = thread::spawn(move || play("strings", bars, bar_length));
    let brass = thread::spawn(move || play("brass", bars, bar_length));

    [strings.join().unwrap(), brass.join().unwrap()]
}

fn main() {
    let [strings_played, brass_played] = perform(3, Duration::from_millis(30));
    let bars = strings_played.len() + brass_played.len();
    println!("both sections finished: {bars} bars");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn join_hands_back_every_bar_in_order() {
        // Watchdog: a section that never finishes fails the test.
        let (report, watch) = mpsc::channel();
        thread::spawn(move || report.send(perform(4, Duration::ZERO)).unwrap());
        let [strings, brass] = watch
            .recv_timeout(Duration::from_secs(10))
            .expect("a section never finished");
        let bars = |section: &str| -> Vec<String> {
            (1..=4).map(|bar| format!("{section}: bar {bar}")).collect()
        };
        assert_eq!(strings, bars("strings"));
        assert_eq!(brass, bars("brass"));
    }

    #[test]
    fn the_sections_play_at_the_same_time() {
        // Two bars of half a second each: together at least one second
        // (a sleep never ends early); one section after the other at
        // least two, so under two shows they overlapped. A second of
        // margin is not promised, only very likely.
        let start = Instant::now();
        perform(2, Duration::from_millis(500));
        let took = start.elapsed();
        assert!(took >= Duration::from_secs(1), "{took:?}");
        assert!(took < Duration::from_secs(2), "{took:?}: in turn");
    }
}
