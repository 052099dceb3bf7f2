use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::{sleep_until, Instant};
use tokio_util::sync::CancellationToken;

const BAR: Duration = Duration::from_millis(800);

/// How a player left: its name, the bars it played, and when (ms).
type Exit = (&'static str, u32, u128);

/// Plays a bar every `BAR` (on the beat of `start`, however late it was
/// first polled) until its own token is cancelled.
async fn player(
    name: &'static str,
    cue: CancellationToken,
    start: Instant,
) -> Exit {
    let mut bars = 0;
    loop {
        tokio::select! {
            () = cue.cancelled() => break,
            () = sleep_until(start + BAR * (bars + 1)) => {
                bars += 1;
                let ms = start.elapsed().as_millis();
                println!("@{ms}ms {name}: bar {bars}");
            }
        }
    }
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms {name}: stops after bar {bars}");
    (name, bars, ms)
}

// ANCHOR: all
/// Each player's token, derived from the conductor's, and the violins'
/// token the stand partners' come from.
struct Seating {
    violins: CancellationToken,
    violin1: CancellationToken,
    violin2: CancellationToken,
    cellos: CancellationToken,
}

/// The tree: concert -> violins -> (violin1, violin2), concert -> cellos.
fn seat(concert: &CancellationToken) -> Seating {
    let violins = concert.child_token();
    Seating {
        violin1: violins.child_token(), // two stand partners
        violin2: violins.child_token(),
        cellos: concert.child_token(),
        violins,
    }
}

async fn perform(
    concert: CancellationToken,
    seating: Seating,
    start: Instant,
) -> Vec<Exit> {
    // Held to the end, so the cut-off reaches violin1 through the violins.
    let _violins = seating.violins;
    let violin2 = seating.violin2.clone();
    let mut stage = JoinSet::new();
    stage.spawn(player("violin1", seating.violin1, start));
    stage.spawn(player("violin2", seating.violin2, start));
    stage.spawn(player("cellos", seating.cellos, start));

    sleep_until(start + Duration::from_millis(1200)).await;
    violin2.cancel(); // a child: only violin2 hears it
    let ms = start.elapsed().as_millis();
    let over = concert.is_cancelled();
    println!("@{ms}ms conductor: violin2 leaves; concert over? {over}");

    sleep_until(start + Duration::from_millis(2000)).await;
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms conductor: cut-off");
    concert.cancel(); // the root: every token below it hears it

    let mut exits = Vec::new();
    while let Some(exit) = stage.join_next().await {
        exits.push(exit.expect("no player panicked"));
    }
    exits
}

#[tokio::main]
async fn main() {
    let concert = CancellationToken::new();
    let seating = seat(&concert);
    perform(concert, seating, Instant::now()).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    /// Runs the concert with a seating; `None` if it never ends.
    async fn run(seat: fn(&CancellationToken) -> Seating) -> Option<Vec<Exit>> {
        let concert = CancellationToken::new();
        let seating = seat(&concert);
        let concert = perform(concert, seating, Instant::now());
        let mut exits = timeout(Duration::from_secs(60), concert).await.ok()?;
        exits.sort();
        Some(exits)
    }

    /// The claim: cancelling violin2 stops violin2 alone (not its parent,
    /// not its stand partner, not the cellos), and cancelling the concert
    /// stops every player below it, grandchildren included.
    fn check(exits: Option<Vec<Exit>>) -> Result<(), String> {
        let exits = exits.ok_or("the cut-off reached nobody: it hung")?;
        for (name, bars, ms) in exits {
            let want = if name == "violin2" {
                (1, 1200)
            } else {
                (2, 2000)
            };
            if (bars, ms) != want {
                return Err(format!(
                    "{name} stopped at {ms} ms after bar {bars}, \
                     not at {} ms after bar {}",
                    want.1, want.0
                ));
            }
        }
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn cancellation_flows_down_the_tree_never_up() {
        let exits = run(seat).await;
        assert_eq!(
            exits,
            Some(vec![
                ("cellos", 2, 2000),
                ("violin1", 2, 2000),
                ("violin2", 1, 1200),
            ])
        );
        assert_eq!(check(exits), Ok(()));
    }

    /// Broken twin: the stand partners share the section's token itself.
    fn seat_with_clones(concert: &CancellationToken) -> Seating {
        let violins = concert.child_token();
        Seating {
            violin1: violins.clone(),
            violin2: violins.clone(),
            cellos: concert.child_token(),
            violins,
        }
    }

    /// Broken twin: every player has a token of its own, in no tree.
    fn seat_apart(_concert: &CancellationToken) -> Seating {
        Seating {
            violins: CancellationToken::new(),
            violin1: CancellationToken::new(),
            violin2: CancellationToken::new(),
            cellos: CancellationToken::new(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_clone_is_not_a_child_it_cancels_its_whole_section() {
        let verdict = check(run(seat_with_clones).await).unwrap_err();
        assert!(
            verdict.starts_with("violin1 stopped at 1200 ms"),
            "{verdict}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn tokens_outside_the_tree_never_hear_the_cut_off() {
        let verdict = check(run(seat_apart).await).unwrap_err();
        assert!(verdict.contains("hung"), "{verdict}");
    }
}
