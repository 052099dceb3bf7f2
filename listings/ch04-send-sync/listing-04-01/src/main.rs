use std::rc::Rc;
use std::thread;

fn main() {
    let score: Rc<Vec<&str>> = Rc::new(vec!["C4", "E4", "G4"]);

    let violins = thread::spawn(move || {
        println!("violins read {} notes", score.len());
    });

    violins.join().unwrap();
}
