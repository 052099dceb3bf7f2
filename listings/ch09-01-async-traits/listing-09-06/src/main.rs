use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::sleep;

trait Part {
    async fn play(&self) -> &'static str;
}

struct Violins;

impl Part for Violins {
    async fn play(&self) -> &'static str {
        sleep(Duration::from_millis(100)).await;
        "C4"
    }
}

/// Sends any part to play as its own task, on whichever thread is free.
fn on_stage<P>(part: Arc<P>) -> JoinHandle<&'static str>
where
    P: Part + Send + Sync + 'static,
{
    tokio::spawn(async move { part.play().await })
}

#[tokio::main]
async fn main() {
    let note = on_stage(Arc::new(Violins)).await.unwrap();
    println!("violins: {note}");
}
