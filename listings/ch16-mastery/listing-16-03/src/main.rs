use std::time::Instant;

use tokio::sync::mpsc;
use tokio::task;

// ANCHOR: all
/// The copyist reports a torn page instead of inventing the notes on it.
fn copyist(
    pages: Vec<Option<&'static str>>,
    notes: mpsc::Sender<&'static str>,
    start: Instant,
) -> Result<(), String> {
    for (number, page) in pages.into_iter().enumerate() {
        let Some(note) = page else {
            println!(
                "@{}ms copyist: page {} is torn",
                start.elapsed().as_millis(),
                number + 1
            );
            return Err(format!("page {} is torn", number + 1));
        };
        println!("@{}ms copyist: read {note}", start.elapsed().as_millis());
        notes
            .blocking_send(note)
            .map_err(|_| "the conductor left")?;
    }
    Ok(())
}

async fn conductor(
    mut notes: mpsc::Receiver<&'static str>,
    start: Instant,
) -> usize {
    let mut cued = 0;
    while let Some(note) = notes.recv().await {
        println!("@{}ms conductor: cue {note}", start.elapsed().as_millis());
        cued += 1;
    }
    cued
}

/// How the copyist's part ended, from what its `JoinHandle` gave back.
fn how_it_ended(
    joined: Result<Result<(), String>, task::JoinError>,
) -> Result<(), String> {
    match joined {
        Ok(Ok(())) => Ok(()),
        Ok(Err(reason)) => Err(reason),
        Err(_) => Err("the copyist panicked".to_string()),
    }
}

/// How many notes were cued, and how the copyist's part ended.
async fn perform(
    pages: Vec<Option<&'static str>>,
) -> (usize, Result<(), String>) {
    let start = Instant::now();
    let (notes, received) = mpsc::channel(4);
    let copying = task::spawn_blocking(move || copyist(pages, notes, start));
    let cued = conductor(received, start).await;
    (cued, how_it_ended(copying.await))
}

#[tokio::main]
async fn main() {
    let pages = vec![Some("C4"), Some("E4"), None, Some("C5")];
    match perform(pages).await {
        (cued, Ok(())) => println!("the performance ended: {cued} notes"),
        (cued, Err(reason)) => {
            println!("the performance stopped after {cued} notes: {reason}")
        }
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::time::timeout;

    // No score here sends more notes than the channel holds (4), so no send
    // ever waits: the copyist finishes whatever the conductor does, and the
    // runtime, which waits for blocking tasks when it shuts down, cannot hang.
    const LIMIT: Duration = Duration::from_secs(5);

    #[tokio::test]
    async fn a_torn_page_stops_the_performance_after_the_notes_before_it() {
        let pages = vec![Some("C4"), Some("E4"), None, Some("G4")];
        let (cued, ending) = timeout(LIMIT, perform(pages)).await.unwrap();
        // The notes sent before the tear are cued, however the two sides
        // interleaved: the channel keeps them after the copyist returns.
        assert_eq!(cued, 2);
        assert_eq!(ending, Err("page 3 is torn".to_string()));
    }

    #[tokio::test]
    async fn a_copyist_that_panics_is_told_apart_from_one_that_reports() {
        // No page makes the listing's copyist panic, so this one does.
        let ink_ran_out = || -> Result<(), String> { panic!("no ink") };
        let joined = timeout(LIMIT, task::spawn_blocking(ink_ran_out))
            .await
            .expect("a panic ends the copyist's part at once");
        assert!(joined.as_ref().is_err_and(|e| e.is_panic()));
        assert_eq!(how_it_ended(joined), Err("the copyist panicked".into()));
    }

    #[tokio::test]
    async fn a_whole_score_is_performed() {
        let pages = vec![Some("C4"), Some("E4"), Some("G4")];
        let (cued, ending) = timeout(LIMIT, perform(pages)).await.unwrap();
        assert_eq!((cued, ending), (3, Ok(())));
    }
}
