use std::thread;
use std::time::Instant;

use tokio::sync::mpsc;

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

async fn perform(pages: Vec<Option<&'static str>>) -> Result<usize, String> {
    let start = Instant::now();
    let (notes, received) = mpsc::channel(4);
    let copyist = thread::spawn(move || copyist(pages, notes, start));
    let cued = conductor(received, start).await;
    match copyist.join() {
        Ok(Ok(())) => Ok(cued),
        Ok(Err(reason)) => Err(reason),
        Err(_) => Err("the copyist panicked".to_string()),
    }
}

#[tokio::main]
async fn main() {
    let pages = vec![Some("C4"), Some("E4"), None, Some("C5")];
    match perform(pages).await {
        Ok(cued) => println!("the performance ended: {cued} notes"),
        Err(reason) => println!("the performance stopped: {reason}"),
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::time::timeout;

    #[tokio::test]
    async fn a_torn_page_stops_the_performance_with_its_reason() {
        let pages = vec![Some("C4"), None, Some("G4")];
        let result = timeout(Duration::from_secs(5), perform(pages)).await;
        assert_eq!(result.unwrap(), Err("page 2 is torn".to_string()));
    }

    #[tokio::test]
    async fn a_whole_score_is_performed() {
        let pages = vec![Some("C4"), Some("E4"), Some("G4")];
        let result = timeout(Duration::from_secs(5), perform(pages)).await;
        assert_eq!(result.unwrap(), Ok(3));
    }
}
