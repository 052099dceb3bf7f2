use std::thread;

fn main() {
    let score = vec!["C4", "E4", "G4"];

    let violins = thread::spawn(|| {
        for note in &score {
            println!("violins: {note}");
        }
    });

    violins.join().unwrap();
}
