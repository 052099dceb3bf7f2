// An `Rc` captured from outside is part of the future from its creation:
// ending its life before the `.await` does not make the future `Send`.
use std::rc::Rc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    let score = Rc::new(vec!["C4", "E4", "G4"]);
    let violins = tokio::spawn(async move {
        let notes = score.len();
        drop(score);
        tokio::time::sleep(Duration::from_millis(10)).await;
        println!("violins: {notes} notes");
    });
    violins.await.unwrap();
}
