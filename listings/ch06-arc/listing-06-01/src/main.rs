// ANCHOR: all
use std::sync::Arc;
use std::thread::{self, JoinHandle};

struct Score {
    title: &'static str,
    notes: Vec<&'static str>,
}

fn play(section: &str, score: &Score) -> String {
    let notes = score.notes.join(" ");
    format!("{section}: {} | {notes}", score.title)
}

/// Starts a section on its own thread with its own handle to the score;
/// the thread hands its handle back when it has played.
fn start(section: &'static str, score: &Arc<Score>) -> JoinHandle<Arc<Score>> {
    let score: Arc<Score> = Arc::clone(score); // a new handle
    thread::spawn(move || {
        println!("{}", play(section, &score));
        score
    })
}

fn main() {
    let score: Arc<Score> = Arc::new(Score {
        title: "Serenade",
        notes: vec!["G4", "D4", "G4", "D4", "G4"],
    });

    let sections: Vec<JoinHandle<Arc<Score>>> = ["violins", "violas", "cellos"]
        .into_iter()
        .map(|section| start(section, &score))
        .collect();

    for section in sections {
        section.join().unwrap();
    }
    println!("main: still holds {}", score.title);
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    fn etude() -> Arc<Score> {
        Arc::new(Score {
            title: "Étude",
            notes: vec!["A4", "B4"],
        })
    }

    #[test]
    fn every_section_gets_the_same_score_not_a_copy() {
        let score = etude();
        let sections: Vec<_> = ["flutes", "oboes", "horns", "harps"]
            .into_iter()
            .map(|section| start(section, &score))
            .collect();
        for section in sections {
            let theirs = section.join().unwrap();
            assert!(Arc::ptr_eq(&theirs, &score), "a section got a copy");
        }
        assert_eq!(Arc::strong_count(&score), 1);
    }

    #[test]
    fn a_section_plays_the_title_and_the_notes() {
        assert_eq!(play("flutes", &etude()), "flutes: Étude | A4 B4");
    }
}
