//! A score whose run never changes: its caption says so, and it is also
//! drawn event by event.
//!
//! [`render`](crate::render)'s caption warns that real clocks and
//! schedulers differ from run to run. A listing compared by the `exact`
//! rule (`ci/recording`) must print every event of its recording, at the
//! same times, in every run, or its recorded-output test fails. That the
//! reader's run will match too is true only where the events follow from
//! the code alone, as on one thread with a virtual clock (Listings 11-5
//! and 11-6, the only exact scores). On tokio's paused clock they also
//! follow from tokio's scheduler, whose order tokio 1.54 does not promise
//! ("there is no guarantee about the order in which tasks are scheduled")
//! and the Playground's tokio need not share, so a score of such a
//! listing would need another caption than [`SAME`]. For a virtual clock
//! the warning would be false, so [`caption`] puts [`SAME`] in its place.
//!
//! Such a run's order is exact too, so [`caption`] also draws it event by
//! event ([`steps`]): an executor's trace (Listing 11-5) puts many events
//! in one millisecond, where the score's marks lie on one another.

use std::fmt::Write;

use recording::Rule;

use crate::VARIES;
use crate::{escape, mark, performers, Event, LANE, LEFT, RIGHT, TOP, WIDTH};

/// The caption's last sentence for a run that every run repeats.
pub const SAME: &str = "Every run of this listing prints these same \
                        events at these same times, so your run will match \
                        this one.";

/// The score `figure` of `events`, from a listing compared by `rule`: its
/// caption told whether another run may differ, and a run that never does
/// also drawn event by event, above the caption.
pub fn caption(figure: String, events: &[Event], rule: Rule) -> String {
    match rule {
        Rule::Exact => figure
            .replacen("<figcaption>", &(steps(events) + "<figcaption>"), 1)
            .replacen(VARIES, SAME, 1),
        Rule::AnyOrder | Rule::PerPerformer => figure,
    }
}

/// The events one column each, in the order they were printed, in the
/// score's lanes and marks; a dashed line where the clock moves on, with
/// the new time. Its marks are not the score's notes: Listen plays those.
pub fn steps(events: &[Event]) -> String {
    let lanes = performers(events);
    let column = (WIDTH - LEFT - RIGHT) / events.len().max(1) as u64;
    let bottom = TOP + LANE * lanes.len() as u64;
    let height = bottom + 24;
    let y_of = |lane: usize| TOP + LANE * lane as u64 + LANE / 2;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="score-svg score-steps" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="The same {} events one by one, in the order they happened; the list of events below gives each." xmlns="http://www.w3.org/2000/svg">"#,
        events.len()
    );
    for (lane, performer) in lanes.iter().enumerate() {
        let y = y_of(lane);
        let _ = write!(
            svg,
            r#"<line class="score-staff" x1="{LEFT}" y1="{y}" x2="{}" y2="{y}"/><text class="score-label" x="{}" y="{}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 10,
            y + 4,
            escape(performer)
        );
    }
    let mut clock = None;
    for (step, event) in events.iter().enumerate() {
        let x = LEFT + column * step as u64 + column / 2;
        if clock != Some(event.millis) {
            let edge = x - column / 2;
            let _ = write!(
                svg,
                r#"<g class="score-axis"><line x1="{edge}" y1="{TOP}" x2="{edge}" y2="{bottom}" stroke-dasharray="3 3"/><text x="{}" y="{}">{} ms</text></g>"#,
                edge + 3,
                bottom + 16,
                event.millis
            );
            clock = Some(event.millis);
        }
        let lane = lanes
            .iter()
            .position(|p| *p == event.performer)
            .unwrap_or_default();
        let _ = write!(
            svg,
            r#"<g class="score-label" data-step="{step}"><title>{} ms: {}: {}</title>{}</g>"#,
            event.millis,
            escape(&event.performer),
            escape(&event.what),
            mark(lane, x, y_of(lane))
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse, render, Source};

    /// A conductor's trace, as Listing 11-5 prints it, cut short.
    const TRACE: &str = "\
@0ms conductor: polls strings
@0ms strings: waker registered, timer due at 100 ms
@0ms strings: returned Poll::Pending
@0ms conductor: queue empty, clock jumps to 100 ms
@100ms conductor: timer due, wake called for strings
@100ms strings: re-queued
@100ms conductor: polls strings
@100ms strings: returned Poll::Ready
";

    fn events() -> Vec<Event> {
        parse(TRACE).unwrap()
    }

    fn figure() -> String {
        let source = Source {
            id: "score-steady",
            listing: "Listing 11-5",
        };
        render(&events(), &source)
    }

    #[test]
    fn an_exact_recording_matches_its_golden_file() {
        let html = caption(figure(), &events(), Rule::Exact);
        crate::assert_golden("steady.html", "score", &html);
    }

    #[test]
    fn every_event_has_its_column_in_order_and_every_instant_its_line() {
        let drawn = steps(&events());
        let titles: Vec<&str> = drawn
            .split("<title>")
            .skip(1)
            .map(|rest| rest.split_once("</title>").unwrap().0)
            .collect();
        let listed: Vec<String> = events()
            .iter()
            .map(|e| format!("{} ms: {}: {}", e.millis, e.performer, e.what))
            .collect();
        assert_eq!(titles, listed);
        let marks: Vec<&str> = drawn.split("data-step=").skip(1).collect();
        assert_eq!(marks.len(), 8);
        let column = (WIDTH - LEFT - RIGHT) / 8;
        for (step, drawn) in marks.iter().enumerate() {
            let x = LEFT + column * step as u64 + column / 2;
            let at = [format!(r#"cx="{x}""#), format!(r#"x="{}""#, x - 5)];
            assert!(
                at.iter().any(|a| drawn.contains(a)),
                "step {step}: {drawn}"
            );
        }
        assert_eq!(drawn.matches("stroke-dasharray").count(), 2);
        assert!(
            drawn.contains(">0 ms</text>") && drawn.contains(">100 ms</text>")
        );
        let exact = caption(figure(), &events(), Rule::Exact);
        assert_eq!(exact.matches(r#"class="score-note""#).count(), 8);
        let drawn_at = exact.find("score-steps").expect("drawn");
        assert!(drawn_at < exact.find("<figcaption>").unwrap());
    }

    #[test]
    fn only_an_exact_recording_says_every_run_is_the_same() {
        let exact = caption(figure(), &events(), Rule::Exact);
        assert_eq!(exact.matches(SAME).count(), 1, "{exact}");
        assert!(!exact.contains(VARIES), "{exact}");
        for rule in [Rule::AnyOrder, Rule::PerPerformer] {
            let varies = caption(figure(), &events(), rule);
            assert_eq!(varies.matches(VARIES).count(), 1, "{varies}");
            assert!(!varies.contains(SAME), "{varies}");
            assert!(!varies.contains("score-steps"), "{varies}");
        }
    }
}
