//! "Your run": what `theme/yourrun.js` needs to score a reader's own run of
//! a listing beside its recorded one.
//!
//! Under each score the preprocessor places an empty `<div class="yourrun">`
//! that names the score it belongs to, the listing's output rule
//! (`ci/recording`) and the recorded output itself, whole: the rule compares
//! every line, not only the events. The script fills the `<div>` when the
//! reader presses Run or pastes an output; without JavaScript it stays empty
//! and shows nothing.

use recording::Rule;

/// The `<div>` under the score `id` of a listing recorded as `output` and
/// compared by `rule`. The recording is one attribute: newlines are written
/// `&#10;`, so a blank line of output cannot end mdBook's HTML block.
pub fn container(id: &str, rule: Rule, output: &str) -> String {
    let recording = output
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\r', "&#13;")
        .replace('\n', "&#10;");
    format!(
        r#"<div class="yourrun" data-score="{}" data-rule="{}" data-recording="{recording}"></div>"#,
        id.replace('"', "&quot;"),
        rule.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORDED: &str = "@0ms strings: C4 & <E4>\n\n\"done\"\r\n";

    #[test]
    fn the_container_matches_its_golden_file() {
        let html =
            container("score-listing-02-02", Rule::PerPerformer, RECORDED);
        crate::assert_golden("yourrun.html", "container", &html);
    }

    #[test]
    fn the_recording_is_one_line_with_nothing_left_unescaped() {
        let html = container("s", Rule::Exact, RECORDED);
        assert!(!html.contains('\n') && !html.contains('\r'), "{html}");
        let recording = html
            .split_once(r#"data-recording=""#)
            .and_then(|(_, rest)| rest.strip_suffix(r#""></div>"#))
            .unwrap();
        assert!(!recording.contains(['<', '>', '"']), "{recording}");
        let decoded = recording
            .replace("&#10;", "\n")
            .replace("&#13;", "\r")
            .replace("&quot;", "\"")
            .replace("&gt;", ">")
            .replace("&lt;", "<")
            .replace("&amp;", "&");
        assert_eq!(decoded, RECORDED);
        assert!(html.contains(r#"data-rule="exact""#), "{html}");
    }
}
