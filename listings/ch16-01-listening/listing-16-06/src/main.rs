use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::{sleep_until, Instant};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{info, info_span, Event, Instrument, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

const BEAT: Duration = Duration::from_millis(200);

/// A section's part: each note and the beat it falls on.
type Part = &'static [(&'static str, u32)];

/// What the listener heard: when (ms), in whose passage, and what.
type Heard = (u128, String, String);

// ANCHOR: listener
/// A score reader's ear: it writes down every time a passage is entered
/// or left, and every note with the passage it is heard in.
struct Listener {
    start: Instant,
    heard: Arc<Mutex<Vec<Heard>>>,
}

impl Listener {
    fn hear(&self, passage: String, what: String) {
        let ms = self.start.elapsed().as_millis();
        self.heard.lock().unwrap().push((ms, passage, what));
    }
}

/// The section a passage belongs to, kept with the span by the registry.
struct Section(String);

impl<S> Layer<S> for Listener
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, cx: Context<'_, S>) {
        let section = field(|visitor| attrs.record(visitor), "section");
        let span = cx.span(id).expect("the registry knows a new span");
        span.extensions_mut().insert(Section(section));
    }

    fn on_enter(&self, id: &Id, cx: Context<'_, S>) {
        self.hear(section_of(cx.span(id)), "enters passage".into());
    }

    fn on_exit(&self, id: &Id, cx: Context<'_, S>) {
        self.hear(section_of(cx.span(id)), "leaves passage".into());
    }

    fn on_event(&self, event: &Event<'_>, cx: Context<'_, S>) {
        let note = field(|visitor| event.record(visitor), "note");
        self.hear(section_of(cx.event_span(event)), format!("plays {note}"));
    }
}
// ANCHOR_END: listener

/// The section of a span the registry found (`none` outside any passage).
fn section_of<S>(
    span: Option<tracing_subscriber::registry::SpanRef<'_, S>>,
) -> String
where
    S: for<'a> LookupSpan<'a>,
{
    span.and_then(|span| {
        span.extensions().get::<Section>().map(|s| s.0.clone())
    })
    .unwrap_or_else(|| "none".into())
}

/// Reads the text of the field called `name` from a span or an event.
fn field(record: impl FnOnce(&mut dyn Visit), name: &'static str) -> String {
    struct Reader(&'static str, String);
    impl Visit for Reader {
        fn record_str(&mut self, field: &Field, value: &str) {
            if field.name() == self.0 {
                self.1 = value.to_owned();
            }
        }
        fn record_debug(&mut self, _: &Field, _: &dyn fmt::Debug) {}
    }
    let mut reader = Reader(name, String::new());
    record(&mut reader);
    reader.1
}

// ANCHOR: all
async fn play(part: Part, start: Instant) {
    for &(note, beat) in part {
        sleep_until(start + BEAT * beat).await; // a rest
        info!(note);
    }
}

/// Spawns a section's part as a task inside its passage, the right way:
/// `instrument` enters the span for every poll and leaves it after.
fn stage(section: &'static str, part: Part, start: Instant) -> JoinHandle<()> {
    let passage = info_span!("passage", section);
    tokio::spawn(play(part, start).instrument(passage))
}

type Stage = fn(&'static str, Part, Instant) -> JoinHandle<()>;

async fn perform(stage: Stage, start: Instant) {
    let violins = stage("violins", &[("E5", 2), ("G5", 4)], start);
    sleep_until(start + BEAT).await; // the cellos come in one beat later
    let cellos = stage("cellos", &[("C3", 3), ("G2", 5)], start);
    violins.await.expect("the violins played");
    cellos.await.expect("the cellos played");
}

/// Performs under the listener and returns what it heard.
async fn listen(stage: Stage) -> Vec<Heard> {
    let start = Instant::now();
    let heard = Arc::new(Mutex::new(Vec::new()));
    let ear = Listener {
        start,
        heard: Arc::clone(&heard),
    };
    let subscriber = tracing_subscriber::registry().with(ear);
    // This thread's listener: a current_thread runtime polls every task here.
    let _listening = tracing::subscriber::set_default(subscriber);
    perform(stage, start).await;
    // Bound first: in edition 2021 a guard in the tail expression would
    // outlive `heard` (E0597).
    let heard = heard.lock().unwrap().clone();
    heard
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    for (ms, passage, what) in listen(stage).await {
        println!("@{ms}ms {passage}: {what}");
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use tokio::time::timeout;

    /// The section whose part holds `note`.
    fn player(note: &str) -> &'static str {
        if ["E5", "G5"].contains(&note) {
            "violins"
        } else {
            "cellos"
        }
    }

    /// The claim: a passage is left at every rest (on the paused clock a
    /// poll takes no time, so it is left in the millisecond it was
    /// entered), and when a note sounds, the only passage entered is its
    /// player's own, which is the one the note is heard in.
    fn check(heard: &[Heard]) -> Result<(), String> {
        let mut open = BTreeMap::new(); // passage -> entered at (ms)
        let mut notes = 0;
        for (ms, passage, what) in heard {
            if what == "enters passage" {
                open.insert(passage, *ms);
            } else if what == "leaves passage" {
                let since =
                    open.remove(passage).ok_or("left, never entered")?;
                if since != *ms {
                    return Err(format!(
                        "{passage} stayed entered from {since} ms to {ms} ms"
                    ));
                }
            } else {
                let note = what.trim_start_matches("plays ");
                let own = player(note);
                let entered: Vec<&str> =
                    open.keys().map(|p| p.as_str()).collect();
                if passage != own || entered != [own] {
                    return Err(format!(
                        "{note} at {ms} ms, by the {own}, was heard in \
                         {passage} while {entered:?} were entered"
                    ));
                }
                notes += 1;
            }
        }
        if notes != 4 || !open.is_empty() {
            return Err(format!("{notes} notes heard, {open:?} still entered"));
        }
        Ok(())
    }

    async fn run(stage: Stage) -> Vec<Heard> {
        let performance = timeout(Duration::from_secs(60), listen(stage));
        performance.await.expect("the performance ends")
    }

    /// What one passage's listener heard, as "ms what" lines.
    fn record(heard: &[Heard], section: &str) -> Vec<String> {
        heard
            .iter()
            .filter(|(_, passage, _)| passage == section)
            .map(|(ms, _, what)| format!("{ms} {what}"))
            .collect()
    }

    /// A part with its first rest at `entrance` ms and notes at `notes`.
    fn left_at_every_rest(
        entrance: u128,
        notes: [(u128, &str); 2],
    ) -> Vec<String> {
        let mut lines = vec![
            format!("{entrance} enters passage"),
            format!("{entrance} leaves passage"), // the first rest
        ];
        for (ms, note) in notes {
            lines.push(format!("{ms} enters passage"));
            lines.push(format!("{ms} plays {note}"));
            lines.push(format!("{ms} leaves passage")); // a rest, or the end
        }
        let (end, _) = notes[1];
        lines.push(format!("{end} enters passage")); // `Instrumented` drops
        lines.push(format!("{end} leaves passage")); // its future inside it
        lines
    }

    /// The records pin one poll per wake-up, as tokio 1.54.1 schedules
    /// these tasks; a spurious wakeup, which tokio allows, would add an
    /// empty pair that `check` accepts and these pins do not.
    #[tokio::test(start_paused = true)]
    async fn an_instrumented_passage_is_left_at_every_rest() {
        let heard = run(stage).await;
        assert_eq!(check(&heard), Ok(()));
        let violins = left_at_every_rest(0, [(400, "E5"), (800, "G5")]);
        assert_eq!(record(&heard, "violins"), violins);
        let cellos = left_at_every_rest(200, [(600, "C3"), (1000, "G2")]);
        assert_eq!(record(&heard, "cellos"), cellos);
    }

    /// Broken twin: the task enters its passage once and holds the guard
    /// across every rest. It compiles, even inside `tokio::spawn`.
    fn stage_holding_the_guard(
        section: &'static str,
        part: Part,
        start: Instant,
    ) -> JoinHandle<()> {
        tokio::spawn(async move {
            let passage = info_span!("passage", section);
            let _inside = passage.enter();
            play(part, start).await;
        })
    }

    #[tokio::test(start_paused = true)]
    async fn a_guard_held_across_a_rest_keeps_the_passage_entered() {
        let verdict = check(&run(stage_holding_the_guard).await).unwrap_err();
        assert_eq!(
            verdict,
            "E5 at 400 ms, by the violins, was heard in cellos \
             while [\"cellos\", \"violins\"] were entered"
        );
    }

    /// Broken twin, alone on stage: the violins hold the guard and the
    /// cellos stay silent, so no note is heard in a wrong passage.
    fn soloist_holding_the_guard(
        section: &'static str,
        part: Part,
        start: Instant,
    ) -> JoinHandle<()> {
        if section == "cellos" {
            return tokio::spawn(async {});
        }
        stage_holding_the_guard(section, part, start)
    }

    #[tokio::test(start_paused = true)]
    async fn a_soloist_holding_the_guard_stays_entered_through_the_rests() {
        let verdict = check(&run(soloist_holding_the_guard).await).unwrap_err();
        assert_eq!(verdict, "violins stayed entered from 0 ms to 800 ms");
    }
}
