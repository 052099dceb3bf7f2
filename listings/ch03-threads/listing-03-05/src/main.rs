use std::thread;

// ANCHOR: all
fn main() {
    let score = vec!["C4", "E4", "G4"];

    thread::scope(|s| {
        s.spawn(|| {
            for note in &score {
                println!("violins: {note}");
            }
        });
        s.spawn(|| {
            for note in &score {
                println!("cellos: {note}");
            }
        });
    });

    println!("the score is still ours: {score:?}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;

    #[test]
    fn scoped_threads_borrow_and_are_all_joined() {
        let score = ["C4", "E4", "G4"];
        let notes_played = AtomicUsize::new(0);
        thread::scope(|s| {
            for _section in 0..4 {
                s.spawn(|| {
                    for _note in &score {
                        notes_played.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        });
        assert_eq!(notes_played.load(Ordering::Relaxed), 12);
    }
}
