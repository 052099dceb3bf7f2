use std::thread;

// ANCHOR: all
fn main() {
    let score = vec!["C4", "E4", "G4"];

    let violins = thread::spawn(move || {
        for note in &score {
            println!("violins: {note}");
        }
        score.len()
    });

    let played = violins.join().unwrap();
    println!("the violins played {played} notes");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use std::thread;

    #[test]
    fn the_thread_owns_what_was_moved_in() {
        let score = vec![String::from("C4"), String::from("E4")];
        let handle = thread::spawn(move || score);
        let returned = handle.join().unwrap();
        assert_eq!(returned, ["C4", "E4"]);
    }
}
