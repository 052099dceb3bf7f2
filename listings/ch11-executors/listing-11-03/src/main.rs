use std::thread;
use std::time::Duration;
use tokio::runtime::{Builder, Runtime};
use tokio::time::{sleep, Instant};

// ANCHOR: all
async fn section(
    name: &str,
    bars: u32,
    tempo: Duration,
    downbeat: Instant,
) -> Vec<String> {
    let mut played = Vec::new();
    for bar in 1..=bars {
        sleep(tempo).await; // a rest: the thread is free for the others
        let ms = downbeat.elapsed().as_millis();
        let desk = thread::current().name().unwrap_or("unnamed").to_string();
        let line = format!("@{ms}ms {name}: bar {bar} on thread {desk}");
        println!("{line}");
        played.push(line);
    }
    played
}

fn perform(conductor: &Runtime, beat: Duration) -> Vec<Vec<String>> {
    conductor.block_on(async {
        let downbeat = Instant::now(); // one clock for the whole ensemble
        let strings = tokio::spawn(section("strings", 3, beat * 4, downbeat));
        let brass = tokio::spawn(section("brass", 2, beat * 5, downbeat));
        let winds = tokio::spawn(section("winds", 1, beat * 7, downbeat));
        vec![
            strings.await.unwrap(),
            brass.await.unwrap(),
            winds.await.unwrap(),
        ]
    })
}

fn main() {
    let conductor =
        Builder::new_current_thread().enable_time().build().unwrap();
    perform(&conductor, Duration::from_millis(10));
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn one_thread_plays_every_task_taking_turns_at_each_rest() {
        let (report, outcome) = mpsc::channel();
        let desk = thread::Builder::new().name("podium".to_string());
        desk.spawn(move || {
            let conductor = Builder::new_current_thread()
                .enable_time()
                .start_paused(true)
                .build()
                .unwrap();
            report
                .send(perform(&conductor, Duration::from_millis(25)))
                .unwrap();
        })
        .unwrap();
        let played = outcome
            .recv_timeout(Duration::from_secs(10))
            .expect("the performance hung");
        assert_eq!(
            played,
            [
                vec![
                    "@100ms strings: bar 1 on thread podium",
                    "@200ms strings: bar 2 on thread podium",
                    "@300ms strings: bar 3 on thread podium",
                ],
                vec![
                    "@125ms brass: bar 1 on thread podium",
                    "@250ms brass: bar 2 on thread podium",
                ],
                vec!["@175ms winds: bar 1 on thread podium"],
            ]
        );
    }
}
