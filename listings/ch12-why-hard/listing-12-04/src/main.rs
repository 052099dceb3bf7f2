use std::future::Future;
use std::pin::{pin, Pin};
use std::time::Duration;
use tokio::time::{sleep, Instant};

// ANCHOR: all
async fn long_phrase(score: Vec<&'static str>) -> usize {
    let opening = &score[..2]; // borrows the future's own `score`
    sleep(Duration::from_millis(2000)).await;
    opening.len() + score[2..].len()
}

/// Conducts `phrase` to its end: returns its notes and the glances it took.
async fn conduct<F>(phrase: F, start: Instant) -> (usize, u32)
where
    F: Future<Output = usize>,
{
    let mut phrase = pin!(phrase); // pinned in place until `conduct` ends
    let mut glances = 0;
    loop {
        tokio::select! {
            biased;
            notes = &mut phrase => {
                let ms = start.elapsed().as_millis();
                println!("@{ms}ms conductor: phrase ends, {notes} notes");
                return (notes, glances);
            }
            () = sleep(Duration::from_millis(800)) => {
                glances += 1;
                let ms = start.elapsed().as_millis();
                println!("@{ms}ms conductor: still playing, keep going");
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let programme: Vec<Pin<Box<dyn Future<Output = usize>>>> = vec![
        Box::pin(long_phrase(vec!["C4", "E4", "G4", "C5"])),
        Box::pin(async {
            sleep(Duration::from_millis(150)).await;
            2
        }),
    ];
    let start = Instant::now();
    for phrase in programme {
        conduct(phrase, start).await;
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    /// A paused-clock limit well past every end the tests expect.
    const LIMIT: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn the_same_pinned_phrase_resumes_after_each_glance() {
        let start = Instant::now();
        let phrase = long_phrase(vec!["C4", "E4", "G4", "C5"]);
        let heard = timeout(LIMIT, conduct(phrase, start))
            .await
            .expect("the phrase ends");
        // Two glances at 800 and 1600 ms; the phrase was never restarted,
        // so it still ends at exactly 2000 ms, with all four notes.
        assert_eq!(heard, (4, 2));
        assert_eq!(start.elapsed(), Duration::from_millis(2000));
    }

    #[tokio::test(start_paused = true)]
    async fn a_boxed_phrase_is_conducted_the_same_way() {
        let start = Instant::now();
        let phrase: Pin<Box<dyn Future<Output = usize>>> =
            Box::pin(long_phrase(vec!["A4", "B4"]));
        let heard = timeout(LIMIT, conduct(phrase, start))
            .await
            .expect("the phrase ends");
        assert_eq!(heard, (2, 2));
        assert_eq!(start.elapsed(), Duration::from_millis(2000));
    }

    /// The page shows `no-listing-12-unpinned-phrase` failing to compile
    /// as this listing's `conduct` without its pin: it must be exactly that.
    #[test]
    fn the_near_miss_is_this_conduct_without_its_pin() {
        let near_miss =
            include_str!("../../no-listing-12-unpinned-phrase/src/main.rs");
        let ours = include_str!("main.rs");
        let unpinned =
            recording::source::function_without(ours, "conduct", "pin!(");
        assert_eq!(recording::source::function(near_miss, "conduct"), unpinned);
    }
}
