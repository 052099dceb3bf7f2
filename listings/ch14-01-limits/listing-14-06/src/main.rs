use std::time::Duration;
use tokio::time::sleep;

async fn violins(score: &[&str]) {
    for note in score {
        sleep(Duration::from_millis(100)).await;
        println!("violins: {note}");
    }
}

#[tokio::main]
async fn main() {
    let score = vec!["C4", "E4", "G4", "C5"];
    let section = tokio::spawn(violins(&score));
    section.await.unwrap();
}
