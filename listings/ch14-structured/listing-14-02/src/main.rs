use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::{sleep, Instant};

type Score = Vec<&'static str>;

// ANCHOR: all
struct Section {
    name: &'static str,
    bar: Duration,
    breaks_after: Option<usize>,
}

impl Section {
    fn new(name: &'static str, bar_ms: u64, breaks: Option<usize>) -> Self {
        let bar = Duration::from_millis(bar_ms);
        Section {
            name,
            bar,
            breaks_after: breaks,
        }
    }
}

async fn play(
    section: Section,
    score: Arc<Score>,
    start: Instant,
) -> Result<String, String> {
    for (played, note) in score.iter().enumerate() {
        if section.breaks_after == Some(played) {
            return Err(format!("{} split a reed", section.name));
        }
        let ms = start.elapsed().as_millis();
        println!("@{ms}ms {}: {note}", section.name);
        sleep(section.bar).await;
    }
    Ok(format!("{} played {} bars", section.name, score.len()))
}

async fn concert(
    sections: Vec<Section>,
    score: Arc<Score>,
    start: Instant,
) -> Result<Vec<String>, String> {
    let mut playing = JoinSet::new();
    for section in sections {
        playing.spawn(play(section, Arc::clone(&score), start));
    }
    let mut finished = Vec::new();
    while let Some(joined) = playing.join_next().await {
        match joined.expect("no section panicked") {
            Ok(done) => finished.push(done),
            Err(mishap) => {
                let ms = start.elapsed().as_millis();
                println!("@{ms}ms conductor: {mishap}; everyone stops");
                playing.shutdown().await; // abort the rest, wait for them
                return Err(mishap);
            }
        }
    }
    Ok(finished)
}

#[tokio::main]
async fn main() {
    let score = Arc::new(vec!["C4", "E4", "G4", "C5"]);
    let sections = vec![
        Section::new("violins", 800, None),
        Section::new("cellos", 1200, None),
        Section::new("oboe", 1000, Some(2)),
    ];
    let start = Instant::now();
    if let Err(mishap) = concert(sections, Arc::clone(&score), start).await {
        println!("the concert stopped: {mishap}");
    }
    let out = Arc::strong_count(&score) - 1;
    println!("copies of the score still on stands: {out}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    #[tokio::test(start_paused = true)]
    async fn every_result_is_collected() {
        let score = Arc::new(vec!["C4", "E4", "G4", "C5"]);
        // Spawned cellos first: finishing order is not spawn order.
        let sections = vec![
            Section::new("cellos", 1200, None),
            Section::new("violins", 800, None),
        ];
        let start = Instant::now();
        let finished = timeout(
            Duration::from_secs(10),
            concert(sections, Arc::clone(&score), start),
        )
        .await
        .expect("the concert ends");
        // Results arrive in the order the sections finish.
        assert_eq!(
            finished,
            Ok(vec![
                "violins played 4 bars".to_string(),
                "cellos played 4 bars".to_string(),
            ])
        );
        assert_eq!(start.elapsed(), Duration::from_millis(4800));
    }

    #[tokio::test(start_paused = true)]
    async fn the_first_error_stops_everyone_at_once() {
        let score = Arc::new(vec!["C4", "E4", "G4", "C5"]);
        let sections = vec![
            Section::new("violins", 800, None),
            Section::new("cellos", 1200, None),
            Section::new("oboe", 1000, Some(2)),
        ];
        let start = Instant::now();
        let result = timeout(
            Duration::from_secs(10),
            concert(sections, Arc::clone(&score), start),
        )
        .await
        .expect("the concert ends");
        assert_eq!(result, Err("oboe split a reed".to_string()));
        // The error came back the moment it happened (2 oboe bars)...
        assert_eq!(start.elapsed(), Duration::from_millis(2000));
        // ...and no section is left holding the score: all were aborted
        // and dropped before `concert` returned.
        assert_eq!(Arc::strong_count(&score), 1);
    }
}
