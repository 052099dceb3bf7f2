// The same mistake without a thread: a borrow used after its value was
// moved is refused with E0505 all the same.
fn main() {
    let score = vec!["C4", "E4", "G4"];
    let part = &score;
    drop(score); // the librarian collects the music
    for note in part {
        println!("violins: {note}");
    }
}
