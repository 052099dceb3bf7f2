use std::time::Duration;
use tokio::time::{sleep_until, Instant};
use tracing::{info, info_span, Subscriber};
use tracing_subscriber::fmt::MakeWriter;

const BEAT: Duration = Duration::from_millis(400);

// ANCHOR: all
/// A section's part: each note and the beat it falls on.
type Part = &'static [(&'static str, u32)];

/// The passage is entered once, at the start, and its guard is held across
/// every rest: a trap, although it compiles.
async fn play(section: &'static str, part: Part, start: Instant) {
    let passage = info_span!("passage", section);
    let _inside = passage.enter(); // stays entered until `play` returns
    for &(note, beat) in part {
        sleep_until(start + BEAT * beat).await; // a rest, still "inside"
        info!(note, "plays");
    }
}

async fn perform(start: Instant) {
    info!("downbeat"); // no passage is playing here
    let violins = tokio::spawn(play("violins", &[("E5", 2), ("G5", 4)], start));
    sleep_until(start + BEAT).await; // the cellos come in one beat later
    let cellos = tokio::spawn(play("cellos", &[("C3", 3), ("G2", 5)], start));
    violins.await.expect("the violins played");
    cellos.await.expect("the cellos played");
    info!("cut-off");
}

/// The formatted listener: no timestamps and no colours, so two runs print
/// the same text.
fn listener<W>(writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .without_time()
        .with_ansi(false)
        .with_target(false)
        .with_writer(writer)
        .finish()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    tracing::subscriber::set_global_default(listener(std::io::stdout))
        .expect("no other listener was installed");
    perform(Instant::now()).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;
    use std::sync::{Arc, Mutex};
    use tokio::time::{sleep, timeout};

    /// A writer the test can read back: every line the listener prints.
    #[derive(Clone, Default)]
    struct Transcript(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Transcript {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Runs `perform` under the listener on the paused clock and returns
    /// what it printed, line by line.
    async fn listen() -> Vec<String> {
        let transcript = Transcript::default();
        let sink = transcript.clone();
        let _listening =
            tracing::subscriber::set_default(listener(move || sink.clone()));
        let concert = perform(Instant::now());
        timeout(Duration::from_secs(60), concert)
            .await
            .expect("the performance ends");
        let text = transcript.0.lock().unwrap().clone();
        String::from_utf8(text)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The claim: the guard held across the first rest leaves the violins'
    /// passage entered on the thread, so the cellos' passage opens inside
    /// it, and every note after that, the violins' too, is heard inside the
    /// cellos' passage.
    #[tokio::test(start_paused = true)]
    async fn a_guard_held_across_a_rest_mixes_up_the_passages() {
        let mixed =
            " INFO passage{section=\"violins\"}:passage{section=\"cellos\"}:";
        assert_eq!(
            listen().await,
            [
                " INFO downbeat".to_owned(),
                format!("{mixed} plays note=\"E5\""),
                format!("{mixed} plays note=\"C3\""),
                format!("{mixed} plays note=\"G5\""),
                format!("{mixed} plays note=\"G2\""),
                " INFO cut-off".to_owned(),
            ]
        );
    }

    /// The claim: while the violins rest with their guard alive, their
    /// passage is still the thread's current span, so a task with no
    /// passage of its own, playing half a beat in, is heard inside it.
    #[tokio::test(start_paused = true)]
    async fn a_bystander_is_heard_inside_the_resting_passage() {
        let bystander = tokio::spawn(async {
            sleep(BEAT / 2).await; // before the cellos come in
            info!("coughs");
        });
        let heard = listen().await;
        bystander.await.expect("the bystander coughed");
        assert_eq!(
            heard[..2],
            [
                " INFO downbeat",
                " INFO passage{section=\"violins\"}: coughs",
            ]
        );
    }
}
