// Listing 12-1's task given to `spawn_local` inside a `LocalSet`.
use std::rc::Rc;
use std::time::Duration;
use tokio::task::{self, LocalSet};

#[tokio::main]
async fn main() {
    let stage = LocalSet::new();
    stage
        .run_until(async {
            let violins = task::spawn_local(async {
                let score = Rc::new(vec!["C4", "E4", "G4"]);
                tokio::time::sleep(Duration::from_millis(10)).await;
                println!("violins: {} notes", score.len());
            });
            violins.await.unwrap();
        })
        .await;
}
