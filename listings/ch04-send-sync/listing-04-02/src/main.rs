use std::sync::Arc;
use std::thread::{self, JoinHandle};

// ANCHOR: all
type Score = Vec<&'static str>;

fn play_from(score: Arc<Score>, section: &'static str) -> JoinHandle<usize> {
    thread::spawn(move || {
        println!("{section}: read {} notes", score.len());
        score.len()
    })
}

fn main() {
    let score: Arc<Score> = Arc::new(vec!["C4", "E4", "G4"]);

    let for_violins: Arc<Score> = Arc::clone(&score);
    let for_cellos: Arc<Score> = Arc::clone(&score);
    println!("main: {} owners of one score", Arc::strong_count(&score));

    let violins = play_from(for_violins, "violins");
    let cellos = play_from(for_cellos, "cellos");

    violins.join().unwrap();
    cellos.join().unwrap();
    println!("main: {} owner after the join", Arc::strong_count(&score));
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_reads_the_whole_score() {
        let score: Arc<Score> = Arc::new(vec!["C4", "E4", "G4"]);
        let played = play_from(Arc::clone(&score), "violas");
        assert_eq!(played.join().unwrap(), 3);
        assert_eq!(Arc::strong_count(&score), 1);
    }
}
