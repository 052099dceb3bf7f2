use std::thread::{self, JoinHandle};

// ANCHOR: all
/// The violins' thread takes the score, plays it, and hands it back.
fn hand_to_violins(score: Vec<&'static str>) -> JoinHandle<Vec<&'static str>> {
    thread::spawn(move || {
        for note in &score {
            println!("violins: {note}");
        }
        score // the thread owns the score, so it can give it back
    })
}

fn main() {
    let score = vec!["C4", "E4", "G4"];

    let violins = hand_to_violins(score);
    // Until `join` returns, the score belongs to the violins' thread.
    let score = violins.join().unwrap();
    println!("the violins handed back {} notes", score.len());
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thread_takes_the_score_itself_and_hands_it_back() {
        let score = vec!["C4", "E4", "G4"];
        let notes_live_at = score.as_ptr();
        let returned = hand_to_violins(score).join().unwrap();
        // Moved, never copied: the very same notes went there and back.
        assert_eq!(returned.as_ptr(), notes_live_at);
        assert_eq!(returned, ["C4", "E4", "G4"]);
    }
}
