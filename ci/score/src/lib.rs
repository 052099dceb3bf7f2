//! The score: a listing's recorded performance drawn as lanes of notes.
//!
//! A performance prints one line per event (CONTRIBUTING.md):
//!
//! ```text
//! @<ms>ms <performer>: <what it played>
//! ```
//!
//! [`parse`] reads those lines from a recorded `output.txt` (other lines are
//! ignored), and [`render`] turns them into an inline SVG with one lane per
//! performer, a time axis, a legend, a text alternative, and the controls
//! that `theme/score.js` brings to life.

use std::fmt::Write;
use std::sync::LazyLock;

use regex::Regex;

pub mod gallery;
pub mod rehearsal;
pub mod steady;
pub mod yourrun;

/// The listing crate a recording belongs to, from its path in a chapter
/// (`../listings/ch02-ensemble/listing-02-01/output.txt`), and its name
/// for readers (`Listing 2-1`, or the crate's name if it has no number).
pub fn listing_of(target: &str) -> (&str, String) {
    let crate_name = std::path::Path::new(target)
        .parent()
        .and_then(std::path::Path::file_name)
        .and_then(|n| n.to_str())
        .unwrap_or("listing");
    let label = rehearsal::listing_label(crate_name)
        .unwrap_or_else(|| crate_name.to_string());
    (crate_name, label)
}

/// One note: when, who, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub millis: u64,
    pub performer: String,
    pub what: String,
}

/// A parse failure, naming the line.
#[derive(Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Reads the events of a recorded output. A line that starts with `@` but
/// is not an event is an error (a typo would otherwise drop a note
/// silently), and so is an output with no events at all.
pub fn parse(output: &str) -> Result<Vec<Event>, ParseError> {
    static EVENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^@(\d+)ms ([A-Za-z0-9_-]+): (.*)$").expect("valid regex")
    });
    let mut events = Vec::new();
    for (index, line) in output.lines().enumerate() {
        if !line.starts_with('@') {
            continue;
        }
        let found = EVENT.captures(line).ok_or_else(|| ParseError {
            line: index + 1,
            message: format!(
                "`{line}` is not an event: write `@<ms>ms <performer>: <what>`"
            ),
        })?;
        events.push(Event {
            millis: found[1].parse().map_err(|_| ParseError {
                line: index + 1,
                message: format!("`{}` ms is too large a time", &found[1]),
            })?,
            performer: found[2].to_string(),
            what: found[3].to_string(),
        });
    }
    if events.is_empty() {
        return Err(ParseError {
            line: 0,
            message: "no `@<ms>ms <performer>: <what>` events to draw".into(),
        });
    }
    Ok(events)
}

/// Performers in the order they first play.
pub fn performers(events: &[Event]) -> Vec<&str> {
    let mut seen: Vec<&str> = Vec::new();
    for event in events {
        if !seen.contains(&event.performer.as_str()) {
            seen.push(&event.performer);
        }
    }
    seen
}

const WIDTH: u64 = 640;
const LEFT: u64 = 96;
const RIGHT: u64 = 20;
const TOP: u64 = 12;
const LANE: u64 = 34;
const AXIS: u64 = 40;
const SHAPES: usize = 4;

/// A tick step of 1, 2 or 5 times a power of ten, giving at most 8 ticks.
fn tick_step(span: u64) -> u64 {
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            if span / (step * factor) <= 8 {
                return step * factor;
            }
        }
        step *= 10;
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The note's mark: each lane its own shape as well as its own colour, so
/// lanes differ without relying on colour alone.
fn mark(lane: usize, x: u64, y: u64) -> String {
    match lane % SHAPES {
        0 => format!(r#"<circle cx="{x}" cy="{y}" r="6"/>"#),
        1 => format!(
            r#"<rect x="{}" y="{}" width="11" height="11"/>"#,
            x - 5,
            y - 5
        ),
        2 => format!(
            r#"<path d="M{x} {} L{} {y} L{x} {} L{} {y} Z"/>"#,
            y - 7,
            x + 7,
            y + 7,
            x - 7
        ),
        _ => format!(
            r#"<path d="M{x} {} L{} {} L{} {} Z"/>"#,
            y - 7,
            x + 7,
            y + 6,
            x - 7,
            y + 6
        ),
    }
}

/// The caption's last sentence: a run drawn from real clocks and schedulers
/// is one of many (`steady.rs` replaces it where every run is the same).
pub const VARIES: &str = "Real clocks and schedulers differ from run to run, \
                          so your run will differ in its details.";

/// Where a score comes from, for its caption and labels.
pub struct Source<'a> {
    /// A unique id on the page, for ARIA references.
    pub id: &'a str,
    /// "Listing 3-1"
    pub listing: &'a str,
}

/// The score as an HTML `<figure>`: the SVG, a caption, Listen and Stop
/// buttons, and the events as text.
pub fn render(events: &[Event], source: &Source) -> String {
    let lanes = performers(events);
    let end = events.iter().map(|e| e.millis).max().unwrap_or(0).max(1);
    let step = tick_step(end);
    let span = end.div_ceil(step) * step;
    let height = TOP + LANE * lanes.len() as u64 + AXIS;
    let plot = WIDTH - LEFT - RIGHT;
    let x_of = |millis: u64| LEFT + millis * plot / span;
    let y_of = |lane: usize| TOP + LANE * lane as u64 + LANE / 2;
    let id = escape(source.id);
    let listing = escape(source.listing);

    let counts: Vec<String> = lanes
        .iter()
        .map(|p| {
            let n = events.iter().filter(|e| e.performer == *p).count();
            format!("{p} {n} {}", if n == 1 { "note" } else { "notes" })
        })
        .collect();
    let summary = format!(
        "Score of one recorded run of {listing}: {} performers, {} notes \
         over {end} ms. {}.",
        lanes.len(),
        events.len(),
        escape(&counts.join(", "))
    );

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="score-svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id}-title {id}-desc" data-end="{end}" data-span="{span}" data-left="{LEFT}" data-plot="{plot}" xmlns="http://www.w3.org/2000/svg">"#
    );
    let _ = write!(
        svg,
        r#"<title id="{id}-title">Score of {listing}</title><desc id="{id}-desc">{summary}</desc>"#
    );
    for (lane, performer) in lanes.iter().enumerate() {
        let y = y_of(lane);
        let name = escape(performer);
        let _ = write!(
            svg,
            r#"<g class="score-lane score-lane-{}" data-performer="{name}"><line class="score-staff" x1="{LEFT}" y1="{y}" x2="{}" y2="{y}"/><text class="score-label" x="{}" y="{}" text-anchor="end">{name}</text>"#,
            lane % 8,
            WIDTH - RIGHT,
            LEFT - 10,
            y + 4
        );
        for event in events.iter().filter(|e| e.performer == **performer) {
            let x = x_of(event.millis);
            let _ = write!(
                svg,
                r#"<g class="score-note" data-t="{}" data-lane="{lane}"><title>{} ms: {name}: {}</title>{}</g>"#,
                event.millis,
                event.millis,
                escape(&event.what),
                mark(lane, x, y)
            );
        }
        svg.push_str("</g>");
    }
    let axis_y = TOP + LANE * lanes.len() as u64 + 6;
    let _ = write!(
        svg,
        r#"<g class="score-axis"><line x1="{LEFT}" y1="{axis_y}" x2="{}" y2="{axis_y}"/>"#,
        WIDTH - RIGHT
    );
    let mut tick = 0;
    while tick <= span {
        let x = x_of(tick);
        let _ = write!(
            svg,
            r#"<line x1="{x}" y1="{axis_y}" x2="{x}" y2="{}"/><text x="{x}" y="{}" text-anchor="middle">{tick}</text>"#,
            axis_y + 5,
            axis_y + 18
        );
        tick += step;
    }
    let _ = write!(
        svg,
        r#"<text class="score-unit" x="{}" y="{}" text-anchor="end">time (ms)</text></g>"#,
        LEFT - 10,
        axis_y + 18
    );
    let _ = write!(
        svg,
        r#"<line class="score-playhead" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{axis_y}" visibility="hidden"/></svg>"#
    );

    let mut html = String::new();
    let _ = write!(
        html,
        r#"<figure class="score" id="{id}" data-notes="{}" data-lanes="{}">"#,
        events.len(),
        lanes.len()
    );
    html.push_str(&svg);
    let _ = write!(
        html,
        r#"<figcaption>The score of one recorded run of {listing}: one lane per performer, each mark a note at the time it was played. {VARIES}</figcaption>"#
    );
    html.push_str(
        r#"<div class="score-controls"><button type="button" class="score-listen">Listen</button> <button type="button" class="score-stop" disabled>Stop</button></div>"#,
    );
    let _ = write!(
        html,
        r#"<details class="score-events"><summary>The {} events as text</summary><ol>"#,
        events.len()
    );
    for event in events {
        let _ = write!(
            html,
            "<li>{} ms: {}: {}</li>",
            event.millis,
            escape(&event.performer),
            escape(&event.what)
        );
    }
    html.push_str("</ol></details></figure>");
    html
}

/// For the drawings' tests: `html` must be the golden file `file` under
/// `tests/golden/`, which `SCORE_BLESS=1` rewrites; `what` names the
/// drawing in the failure.
#[cfg(test)]
pub(crate) fn assert_golden(file: &str, what: &str, html: &str) {
    let golden = format!("{}/tests/golden/{file}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("SCORE_BLESS").is_some() {
        std::fs::write(&golden, html).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    assert!(
        html == expected,
        "the {what} differs from {golden}; if intended, rerun with \
         SCORE_BLESS=1 and review the diff"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENSEMBLE: &str = "\
@0ms strings: C4
@0ms brass: G3
not an event: ignored
@120ms strings: E4
@250ms brass: C4
both sections finished
";

    #[test]
    fn parses_events_and_skips_other_lines() {
        let events = parse(ENSEMBLE).unwrap();
        assert_eq!(events.len(), 4);
        assert_eq!(
            events[2],
            Event {
                millis: 120,
                performer: "strings".into(),
                what: "E4".into()
            }
        );
        assert_eq!(performers(&events), ["strings", "brass"]);
    }

    #[test]
    fn a_malformed_event_names_its_line() {
        let error = parse("@0ms strings: C4\n@12 ms brass: G3\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.message.contains("@12 ms brass"), "{}", error.message);
    }

    #[test]
    fn a_time_too_large_names_its_line() {
        let error =
            parse("@0ms strings: C4\n@99999999999999999999ms brass: G3\n")
                .unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.message.contains("too large"), "{}", error.message);
    }

    #[test]
    fn no_events_is_an_error_not_an_empty_score() {
        let error = parse("just text\n").unwrap_err();
        assert!(error.message.contains("no `@"), "{}", error.message);
    }

    #[test]
    fn ticks_are_round_and_few() {
        assert_eq!(tick_step(7), 1);
        assert_eq!(tick_step(250), 50);
        assert_eq!(tick_step(1_000), 200);
        assert_eq!(tick_step(2_600), 500);
    }

    #[test]
    fn the_score_matches_its_golden_file() {
        let events = parse(ENSEMBLE).unwrap();
        let html = render(
            &events,
            &Source {
                id: "score-golden",
                listing: "Listing 2-1",
            },
        );
        crate::assert_golden("ensemble.html", "score", &html);
    }

    #[test]
    fn a_recording_names_its_listing() {
        assert_eq!(
            listing_of("../listings/ch02-ensemble/listing-02-01/output.txt"),
            ("listing-02-01", "Listing 2-1".to_string())
        );
        assert_eq!(
            listing_of("../listings/ch10-futures/exercise-10-duet/output.txt"),
            ("exercise-10-duet", "exercise-10-duet".to_string())
        );
    }

    #[test]
    fn every_note_and_lane_is_drawn_and_described() {
        let events = parse(ENSEMBLE).unwrap();
        let html = render(
            &events,
            &Source {
                id: "s",
                listing: "Listing 2-1",
            },
        );
        assert_eq!(html.matches(r#"class="score-note""#).count(), 4);
        assert_eq!(html.matches(r#"class="score-lane "#).count(), 2);
        assert!(html.contains("2 performers, 4 notes over 250 ms"));
        assert!(html.contains(r#"aria-labelledby="s-title s-desc""#));
        assert_eq!(html.matches("<li>").count(), 4);
    }

    #[test]
    fn each_lane_has_a_shape_of_its_own_and_counts_its_notes() {
        let events = parse(
            "@0ms strings: C4\n@0ms brass: G3\n@0ms winds: E4\n\
             @9ms drums: X\n@9ms drums: Y\n",
        )
        .unwrap();
        let source = Source {
            id: "s",
            listing: "Listing 2-1",
        };
        let html = render(&events, &source);
        // A circle, a square, a diamond (four corners) and a triangle.
        let corners: Vec<usize> = html
            .split(r#"<path d=""#)
            .skip(1)
            .map(|d| d.split('"').next().unwrap().matches('L').count() + 1)
            .collect();
        assert!(html.contains("<circle "), "{html}");
        assert!(html.contains("<rect "), "{html}");
        assert!(corners.contains(&4) && corners.contains(&3), "{corners:?}");
        assert!(html.contains("strings 1 note"), "{html}");
        assert!(html.contains("drums 2 notes"), "{html}");
    }
}
