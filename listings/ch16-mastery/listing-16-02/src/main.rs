use std::thread;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task;

// ANCHOR: all
/// An endless part: the copyist keeps reading until nobody listens.
fn copyist(
    notes: mpsc::Sender<u32>,
    bar_length: Duration,
    start: Instant,
) -> u32 {
    let mut bar = 0;
    loop {
        bar += 1;
        thread::sleep(bar_length);
        if notes.blocking_send(bar).is_err() {
            let at = start.elapsed().as_millis();
            println!("@{at}ms copyist: nobody is listening, pen down");
            return bar - 1;
        }
    }
}

/// The conductor takes the bars the program needs, then leaves. Leaving
/// drops the receiver, and that is the copyist's signal to stop.
async fn conductor(
    mut notes: mpsc::Receiver<u32>,
    bars: u32,
    start: Instant,
) -> u32 {
    let mut heard = 0;
    while heard < bars {
        let Some(bar) = notes.recv().await else { break };
        println!("@{}ms conductor: bar {bar}", start.elapsed().as_millis());
        heard = bar;
    }
    println!("@{}ms conductor: leaves", start.elapsed().as_millis());
    heard
}

#[tokio::main]
async fn main() {
    let start = Instant::now();
    let (notes, received) = mpsc::channel(1);
    let bar_length = Duration::from_millis(10);
    let copying =
        task::spawn_blocking(move || copyist(notes, bar_length, start));

    conductor(received, 5, start).await;
    copying.await.unwrap();
    println!("both have stopped: no performer is left behind");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::oneshot;
    use tokio::time::timeout;

    const LIMIT: Duration = Duration::from_secs(5);

    // The test runs the copyist on a plain thread that reports back, not
    // on `spawn_blocking`: the runtime could neither abort a copyist that
    // never stopped nor shut down while it ran, and the test would hang.
    #[tokio::test]
    async fn leaving_stops_the_copyist_and_nobody_is_left_behind() {
        let start = Instant::now();
        let (notes, received) = mpsc::channel(1);
        let bar_length = Duration::from_millis(1);
        let (report, stopped) = oneshot::channel();
        thread::spawn(move || report.send(copyist(notes, bar_length, start)));
        let heard = timeout(LIMIT, conductor(received, 3, start))
            .await
            .expect("the conductor hears its three bars");
        assert_eq!(heard, 3);

        // The copyist notices at its next send, within one more bar.
        let delivered = timeout(LIMIT, stopped)
            .await
            .expect("the copyist stops once the conductor has left")
            .expect("the copyist did not panic");
        // Everything delivered was heard, but for one bar left in the channel.
        assert!((3..=4).contains(&delivered), "delivered {delivered}");
    }
}
