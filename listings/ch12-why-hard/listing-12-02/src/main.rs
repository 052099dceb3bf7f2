use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::main]
async fn main() {
    let tempo = Arc::new(Mutex::new(120_u32));
    let baton = Arc::clone(&tempo);
    let section = tokio::spawn(async move {
        let mut bpm = baton.lock().unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
        *bpm += 4;
    });
    section.await.unwrap();
    println!("tempo: {}", tempo.lock().unwrap());
}
