use std::time::Duration;

use tokio::time::{interval_at, sleep, Instant};

const BAR: Duration = Duration::from_millis(400);
const CURTAIN: Duration = Duration::from_millis(1000);

fn say(start: Instant, section: &str, what: &str) {
    println!("@{}ms {section}: {what}", start.elapsed().as_millis());
}

/// Listing 12-8's `rehearse` without its `tokio::pin!` line.
async fn rehearse(section: &str, start: Instant) -> u32 {
    let mut metronome = interval_at(start + BAR, BAR);
    let curtain = sleep(CURTAIN);
    let mut bars = 0;
    loop {
        tokio::select! {
            _ = metronome.tick() => {
                bars += 1;
                say(start, section, &format!("bar {bars}"));
            }
            () = &mut curtain => {
                say(start, section, "curtain falls");
                return bars;
            }
        }
    }
}

#[tokio::main]
async fn main() {
    rehearse("violins", Instant::now()).await;
}
