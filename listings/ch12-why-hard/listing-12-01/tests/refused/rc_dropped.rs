// Listing 12-1 with `drop(score)` before the `.await`: the `Rc` is moved
// out, but `score.len()` borrowed it first, and rustc 1.95 still counts a
// local that was borrowed as held at the rest (rust-lang/rust#101135), so
// the future is still not `Send`.
use std::rc::Rc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    let violins = tokio::spawn(async {
        let score = Rc::new(vec!["C4", "E4", "G4"]);
        let notes = score.len();
        drop(score);
        tokio::time::sleep(Duration::from_millis(10)).await;
        println!("violins: {notes} notes");
    });
    violins.await.unwrap();
}
