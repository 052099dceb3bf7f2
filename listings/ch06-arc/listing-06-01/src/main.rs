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

fn main() {
    let score: Arc<Score> = Arc::new(Score {
        title: "Serenade",
        notes: vec!["G4", "D4", "G4", "D4", "G4"],
    });

    let sections: Vec<JoinHandle<()>> = ["violins", "violas", "cellos"]
        .into_iter()
        .map(|section| {
            let score: Arc<Score> = Arc::clone(&score); // a new handle
            thread::spawn(move || println!("{}", play(section, &score)))
        })
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

    #[test]
    fn every_section_reads_the_same_score_not_a_copy() {
        let score = Arc::new(Score {
            title: "Étude",
            notes: vec!["A4"],
        });
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let score = Arc::clone(&score);
                thread::spawn(move || {
                    assert_eq!(play("flutes", &score), "flutes: Étude | A4");
                    score
                })
            })
            .collect();
        for handle in handles {
            let theirs = handle.join().unwrap();
            assert!(Arc::ptr_eq(&theirs, &score), "a section got a copy");
        }
    }
}
