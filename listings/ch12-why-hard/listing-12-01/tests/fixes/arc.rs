// Listing 12-1 with `Arc`, whose count is atomic, in place of `Rc`.
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    let violins = tokio::spawn(async {
        let score = Arc::new(vec!["C4", "E4", "G4"]);
        tokio::time::sleep(Duration::from_millis(10)).await;
        println!("violins: {} notes", score.len());
    });
    violins.await.unwrap();
}
