use std::future::Future;
use std::time::Duration;

use tokio::time::sleep;

/// The same conductor, bound the old way: a closure returning a future.
async fn conduct<F, Fut>(bars: u32, mut section: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    for _ in 0..bars {
        section().await;
    }
}

#[tokio::main]
async fn main() {
    let mut part = ["C4", "E4", "G4"].iter();
    let mut stand = Vec::new();
    conduct(3, || async {
        let note = part.next().copied().unwrap_or("rest");
        sleep(Duration::from_millis(100)).await;
        stand.push(note);
    })
    .await;
    println!("the stand reads {stand:?}");
}
