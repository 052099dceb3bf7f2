// Listing 12-1 with the `Rc`'s life ended before the `.await`.
use std::rc::Rc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    let violins = tokio::spawn(async {
        let notes = {
            let score = Rc::new(vec!["C4", "E4", "G4"]);
            score.len()
        }; // `score` is dropped here, before the rest
        tokio::time::sleep(Duration::from_millis(10)).await;
        println!("violins: {notes} notes");
    });
    violins.await.unwrap();
}
