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
