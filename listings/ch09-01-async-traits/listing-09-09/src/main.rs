use std::time::Duration;

use tokio::time::{sleep, Instant};

// ANCHOR: all
/// The conductor cues a section `bars` times, each cue once the last bar
/// has ended. It knows the section only as an async closure.
async fn conduct(bars: u32, mut section: impl AsyncFnMut()) {
    for _ in 0..bars {
        section().await;
    }
}

/// What the violins marked on their stand: when, and which note.
type Stand = Vec<(u128, &'static str)>;

async fn rehearse(bars: u32, notes: &[&'static str], bar: Duration) -> Stand {
    let downbeat = Instant::now();
    let mut part = notes.iter();
    let mut stand = Stand::new();
    // Each cue's future borrows `part` and `stand` from the closure, and
    // keeps both borrows through its rest.
    conduct(bars, async || {
        let note = part.next().copied().unwrap_or("rest");
        println!("@{}ms violins: {note}", downbeat.elapsed().as_millis());
        sleep(bar).await;
        stand.push((downbeat.elapsed().as_millis(), note));
    })
    .await;
    stand
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let bar = Duration::from_millis(100);
    let stand = rehearse(4, &["C4", "E4", "G4"], bar).await;
    let marks: Vec<&str> = stand.iter().map(|&(_, note)| note).collect();
    println!("the stand reads {marks:?}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    const LIMIT: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn each_cue_borrows_the_sections_state_through_its_rest() {
        let bar = Duration::from_millis(100);
        let downbeat = Instant::now();
        let stand = timeout(LIMIT, rehearse(4, &["C4", "E4", "G4"], bar))
            .await
            .expect("the rehearsal ends");
        // One cue at a time, each a full bar: the state the closure
        // captured carried over from cue to cue.
        assert_eq!(
            stand,
            [(100, "C4"), (200, "E4"), (300, "G4"), (400, "rest")]
        );
        assert_eq!(downbeat.elapsed(), bar * 4);
    }
}
