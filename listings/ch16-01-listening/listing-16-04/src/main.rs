use std::time::Duration;
use tokio::time::{sleep_until, Instant};
use tracing::{info, instrument, Subscriber};
use tracing_subscriber::fmt::MakeWriter;

const BEAT: Duration = Duration::from_millis(400);

// ANCHOR: all
/// A section's part: each note and the beat it falls on.
type Part = &'static [(&'static str, u32)];

/// Every call is one passage: a span named `passage`, with the section's
/// name as a field, entered whenever the task plays and left at each rest.
#[instrument(name = "passage", skip(part, start))]
async fn play(section: &'static str, part: Part, start: Instant) {
    for &(note, beat) in part {
        sleep_until(start + BEAT * beat).await; // a rest
        info!(note, "plays"); // an event: one note
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

#[tokio::main]
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
    use tokio::time::timeout;

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

    /// The claim: the tasks' notes interleave in time, yet each note is
    /// heard inside its own section's passage, and the lines outside any
    /// passage carry no span.
    #[tokio::test(start_paused = true)]
    async fn every_note_is_heard_inside_its_own_passage() {
        assert_eq!(
            listen().await,
            [
                " INFO downbeat",
                " INFO passage{section=\"violins\"}: plays note=\"E5\"",
                " INFO passage{section=\"cellos\"}: plays note=\"C3\"",
                " INFO passage{section=\"violins\"}: plays note=\"G5\"",
                " INFO passage{section=\"cellos\"}: plays note=\"G2\"",
                " INFO cut-off",
            ]
        );
    }
}
