use tokio::sync::{mpsc, oneshot};

// ANCHOR: all
const CADENZA: u32 = 1_000;

/// A soloist with every note of a cadenza ready at once, and a cut-off
/// that the conductor has already given.
fn stage() -> (mpsc::Receiver<u32>, oneshot::Receiver<()>) {
    let (soloist, solo) = mpsc::channel(CADENZA as usize);
    for note in 1..=CADENZA {
        soloist.try_send(note).unwrap();
    }
    let (conductor, cut_off) = oneshot::channel();
    conductor.send(()).unwrap();
    (solo, cut_off)
}

/// `biased;`, solo first: the cut-off is polled only when no note is ready.
async fn solo_first() -> u32 {
    let (mut solo, mut cut_off) = stage();
    let mut played = 0;
    loop {
        tokio::select! {
            biased;
            Some(_) = solo.recv() => played += 1,
            _ = &mut cut_off => return played,
        }
    }
}

/// `biased;`, cut-off first: it is polled first on every turn.
async fn cut_off_first() -> u32 {
    let (mut solo, mut cut_off) = stage();
    let mut played = 0;
    loop {
        tokio::select! {
            biased;
            _ = &mut cut_off => return played,
            Some(_) = solo.recv() => played += 1,
        }
    }
}

/// The default: each turn starts polling at a branch chosen at random.
async fn random_start() -> u32 {
    let (mut solo, mut cut_off) = stage();
    let mut played = 0;
    loop {
        tokio::select! {
            Some(_) = solo.recv() => played += 1,
            _ = &mut cut_off => return played,
        }
    }
}

#[tokio::main]
async fn main() {
    let played = solo_first().await;
    println!(
        "biased, solo first: {played} of {CADENZA} notes, then the cut-off"
    );
    let played = cut_off_first().await;
    println!("biased, cut-off first: {played} notes, then the cut-off");
    let heard_in_time = random_start().await < CADENZA;
    println!(
        "random start: cut-off heard before the last note? {heard_in_time}"
    );
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::time::timeout;

    const LIMIT: Duration = Duration::from_secs(10);

    #[tokio::test]
    async fn biased_polls_in_written_order() {
        let starved =
            timeout(LIMIT, solo_first()).await.expect("the loop ends");
        assert_eq!(starved, CADENZA, "the ready solo hid the cut-off");
        // Without `biased;` this would be 0 only half the time: 64 runs.
        for _ in 0..64 {
            let prompt = timeout(LIMIT, cut_off_first())
                .await
                .expect("the loop ends");
            assert_eq!(prompt, 0, "the cut-off, asked first, wins at once");
        }
    }

    /// Modelling each turn's start as a fair coin (tokio 1.54.1 draws one
    /// bit of a fast pseudo-random number each poll), the cut-off is heard
    /// after `k` notes with probability 2^-(k+1), and together the
    /// assertions below fail with probability below 2^-62.
    #[tokio::test]
    async fn the_default_start_is_random() {
        let mut runs = Vec::new();
        for _ in 0..64 {
            runs.push(
                timeout(LIMIT, random_start()).await.expect("the loop ends"),
            );
        }
        assert!(runs.iter().all(|&played| played < CADENZA), "{runs:?}");
        assert!(runs.contains(&0), "the cut-off was never polled first");
        assert!(runs.iter().any(|&played| played > 0), "nor the solo");
    }
}
