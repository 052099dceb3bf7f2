use std::thread;

fn main() {
    let score = vec!["C4", "E4", "G4"];
    let part = &score;

    thread::scope(|s| {
        s.spawn(move || {
            for note in part {
                println!("violins: {note}");
            }
        });

        drop(score); // the librarian collects the music
    });
}
