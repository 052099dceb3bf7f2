// ANCHOR: all
use std::thread;

fn play(section: &str, bars: u32) -> Vec<String> {
    let mut played = Vec::new();
    for bar in 1..=bars {
        let note = format!("{section}: bar {bar}");
        println!("{note}");
        played.push(note);
    }
    played
}

fn main() {
    let strings = thread::spawn(|| play("strings", 3));
    let brass = thread::spawn(|| play("brass", 3));

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
        let strings = thread::spawn(|| play("strings", 4));
        let brass = thread::spawn(|| play("brass", 2));
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
