use std::thread;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

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
    let copyist = thread::spawn(move || copyist(notes, bar_length, start));

    conductor(received, 5, start).await;
    copyist.join().unwrap();
    println!("both have stopped: no performer is left behind");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    #[tokio::test]
    async fn leaving_stops_the_copyist_and_nobody_is_left_behind() {
        let start = Instant::now();
        let (notes, received) = mpsc::channel(1);
        let bar_length = Duration::from_millis(1);
        let copyist = thread::spawn(move || copyist(notes, bar_length, start));
        let heard = conductor(received, 3, start).await;
        assert_eq!(heard, 3);

        // The copyist notices within one more bar; a watchdog guards the join.
        let delivered = timeout(
            Duration::from_secs(5),
            tokio::task::spawn_blocking(move || copyist.join().unwrap()),
        )
        .await
        .expect("the copyist stops once the conductor has left")
        .unwrap();
        // Everything delivered was heard, but for one bar left in the channel.
        assert!((3..=4).contains(&delivered), "delivered {delivered}");
    }
}
