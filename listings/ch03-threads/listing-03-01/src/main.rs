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

fn main() {
    let bar_length = Duration::from_millis(30);
    let strings = thread::spawn(move || play("strings", 3, bar_length));
    let brass = thread::spawn(move || play("brass", 3, bar_length));

    let strings_played = strings.join().unwrap();
    let brass_played = brass.join().unwrap();
    let bars = strings_played.len() + brass_played.len();
    println!("both sections finished: {bars} bars");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_hands_back_every_bar_in_order() {
        let bar = Duration::from_millis(1);
        let strings = thread::spawn(move || play("strings", 4, bar));
        let brass = thread::spawn(move || play("brass", 2, bar));
        assert_eq!(
            strings.join().unwrap(),
            [
                "strings: bar 1",
                "strings: bar 2",
                "strings: bar 3",
                "strings: bar 4"
            ]
        );
        assert_eq!(brass.join().unwrap(), ["brass: bar 1", "brass: bar 2"]);
    }
}
