//! A score whose run never changes says so in its caption.
//!
//! [`render`](crate::render)'s caption warns that real clocks and
//! schedulers differ from run to run. A listing compared by the `exact`
//! rule (`ci/recording`) must print every event of its recording, at the
//! same times, in every run, or its recorded-output test fails: its events
//! follow from its code alone, as on one thread with a virtual clock or
//! tokio's paused one. For it that warning would be false, so [`caption`]
//! puts [`SAME`] in its place.

use recording::Rule;

use crate::VARIES;

/// The caption's last sentence for a run that every run repeats.
pub const SAME: &str = "Every run of this listing prints these same \
                        events at these same times, so your run will match \
                        this one.";

/// The score `figure` of a listing compared by `rule`, its caption told
/// whether another run may differ.
pub fn caption(figure: String, rule: Rule) -> String {
    match rule {
        Rule::Exact => figure.replacen(VARIES, SAME, 1),
        Rule::AnyOrder | Rule::PerPerformer => figure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse, render, Source};

    /// A conductor's trace, as Listing 11-9 prints it, cut short.
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

    fn figure() -> String {
        let source = Source {
            id: "score-steady",
            listing: "Listing 11-9",
        };
        render(&parse(TRACE).unwrap(), &source)
    }

    #[test]
    fn an_exact_recording_matches_its_golden_file() {
        let html = caption(figure(), Rule::Exact);
        let golden =
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/steady.html");
        if std::env::var_os("SCORE_BLESS").is_some() {
            std::fs::write(golden, &html).unwrap();
        }
        let expected = std::fs::read_to_string(golden).unwrap_or_default();
        assert!(
            html == expected,
            "the score differs from {golden}; if intended, rerun with \
             SCORE_BLESS=1 and review the diff"
        );
    }

    #[test]
    fn only_an_exact_recording_says_every_run_is_the_same() {
        let exact = caption(figure(), Rule::Exact);
        assert_eq!(exact.matches(SAME).count(), 1, "{exact}");
        assert!(!exact.contains(VARIES), "{exact}");
        for rule in [Rule::AnyOrder, Rule::PerPerformer] {
            let varies = caption(figure(), rule);
            assert_eq!(varies.matches(VARIES).count(), 1, "{varies}");
            assert!(!varies.contains(SAME), "{varies}");
        }
    }
}
