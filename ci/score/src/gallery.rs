//! The gallery: every distinct performance loom explored of one model of a
//! listing, from its recorded `performances.txt` (`recording::performances`),
//! drawn as small scores grouped by outcome.
//!
//! A chapter asks for it with
//!
//! ```text
//! {{#gallery ../listings/ch01-time/listing-01-04/performances.txt unstaged}}
//! ```
//!
//! (the file, then the model's name). Each small score has one lane per
//! performer and one mark per event, placed by its order, not by a time:
//! loom explores orders. A wrong or frozen performance is marked by its
//! caption's words and a mark beside it, and by a dashed frame, not only by
//! colour; a frozen one ends in a bar where it froze. Each has the score's
//! Listen and Stop (`theme/score.js` plays every `figure.gallery-score` as
//! it plays a `figure.score`), and its events as text.

use std::fmt::Write;
use std::path::Path;
use std::sync::LazyLock;

use recording::performances::{self, Model, Performance, Verdict};
use regex::Regex;

use crate::{escape, mark};

const WIDTH: u64 = 300;
const LEFT: u64 = 84;
const RIGHT: u64 = 36;
const TOP: u64 = 6;
const LANE: u64 = 24;
const BOTTOM: u64 = 8;
/// The time a mark stands for, so Listen plays one event a beat.
const BEAT_MS: u64 = 250;

/// Where a gallery comes from, for its ids and text.
pub struct Source<'a> {
    /// A unique id on the page.
    pub id: &'a str,
    /// "Listing 1-4"
    pub listing: &'a str,
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The sentence that heads the gallery.
pub fn heading(model: &Model, listing: &str) -> String {
    let froze = model
        .performances
        .iter()
        .any(|p| p.verdict == Verdict::Froze);
    let not_right = match model.not_right() {
        0 => "none".to_string(),
        n => n.to_string(),
    };
    let times = match model.iterations {
        1 => "once".to_string(),
        n => format!("{n} times"),
    };
    format!(
        "Loom ran {listing}'s model `{}` {times}{}: {}; in {not_right} of \
         them {}.",
        model.name,
        if froze {
            ", stopping at the first freeze it found"
        } else {
            ""
        },
        plural(
            model.performances.len(),
            "distinct performance",
            "distinct performances"
        ),
        model.wrong
    )
}

/// The verdict as the caption says it, and the mark drawn beside it.
fn verdict_words(verdict: Verdict) -> (&'static str, &'static str) {
    match verdict {
        Verdict::Right => ("Right", "\u{2713}"),
        Verdict::Wrong => ("Wrong", "\u{2717}"),
        Verdict::Froze => ("Froze", "\u{2016}"),
    }
}

/// Performers in the order they first play anywhere in the model, so a
/// performer keeps its lane, colour and shape across the gallery.
fn lanes(model: &Model) -> Vec<&str> {
    let mut seen: Vec<&str> = Vec::new();
    for performance in &model.performances {
        for event in &performance.events {
            let performer = event.split_once(": ").map_or("", |(p, _)| p);
            if !seen.contains(&performer) {
                seen.push(performer);
            }
        }
    }
    seen
}

/// One small score.
fn small_score(
    performance: &Performance,
    number: usize,
    model: &Model,
    source: &Source,
) -> String {
    let lanes = lanes(model);
    // Places for marks, the same in every score of the gallery; a frozen
    // performance needs one more, for the bar where it froze.
    let longest = model
        .performances
        .iter()
        .map(|p| p.events.len() + usize::from(p.verdict == Verdict::Froze))
        .max()
        .unwrap_or(1)
        .max(2) as u64;
    let plot = WIDTH - LEFT - RIGHT;
    let x_of = |index: u64| LEFT + 8 + index * (plot - 16) / (longest - 1);
    let y_of = |lane: usize| TOP + LANE * lane as u64 + LANE / 2;
    let height = TOP + LANE * lanes.len() as u64 + BOTTOM;
    let events = performance.events.len() as u64;
    let end = (events.saturating_sub(1) * BEAT_MS).max(1);
    let span = (longest - 1) * BEAT_MS;
    let id = format!("{}-{number}", escape(source.id));
    let (word, sign) = verdict_words(performance.verdict);
    let verdict = performance.verdict.word();
    let outcome = escape(&performance.outcome);
    let listing = escape(source.listing);
    let wrong = escape(&model.wrong);
    let told = match performance.verdict {
        Verdict::Right => format!("{word}: {outcome}"),
        _ => format!("{word}, {wrong}: {outcome}"),
    };
    let in_order: Vec<String> =
        performance.events.iter().map(|e| escape(e)).collect();

    let mut html = String::new();
    let _ = write!(
        html,
        r#"<figure class="gallery-score gallery-{verdict}" id="{id}" data-verdict="{verdict}" data-notes="{events}" data-lanes="{}">"#,
        lanes.len()
    );
    let _ = write!(
        html,
        r#"<svg class="score-svg gallery-svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id}-title {id}-desc" data-end="{end}" data-span="{span}" data-left="{}" data-plot="{}" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">Performance {number} of {listing}, {}</title><desc id="{id}-desc">{} in this order: {}. {told}.</desc>"#,
        x_of(0),
        x_of(longest - 1) - x_of(0),
        word.to_lowercase(),
        plural(performance.events.len(), "event", "events"),
        in_order.join("; ")
    );
    for (lane, performer) in lanes.iter().enumerate() {
        let y = y_of(lane);
        let name = escape(performer);
        let _ = write!(
            html,
            r#"<g class="score-lane score-lane-{}" data-performer="{name}"><line class="score-staff" x1="{LEFT}" y1="{y}" x2="{}" y2="{y}"/><text class="score-label" x="{}" y="{}" text-anchor="end">{name}</text>"#,
            lane % 8,
            WIDTH - RIGHT,
            LEFT - 8,
            y + 4
        );
        for (index, event) in performance.events.iter().enumerate() {
            let Some(what) = event
                .split_once(": ")
                .filter(|(p, _)| p == performer)
                .map(|(_, what)| what)
            else {
                continue;
            };
            let _ = write!(
                html,
                r#"<g class="score-note" data-t="{}" data-lane="{lane}"><title>{}: {name}: {}</title>{}</g>"#,
                index as u64 * BEAT_MS,
                index + 1,
                escape(what),
                mark(lane, x_of(index as u64), y)
            );
        }
        html.push_str("</g>");
    }
    let bottom = TOP + LANE * lanes.len() as u64;
    if performance.verdict == Verdict::Froze {
        let x = x_of(events) - (plot - 16) / (longest - 1) / 2;
        let _ = write!(
            html,
            r#"<g class="gallery-freeze"><line x1="{x}" y1="{TOP}" x2="{x}" y2="{bottom}"/><line x1="{}" y1="{TOP}" x2="{}" y2="{bottom}"/><text x="{}" y="{}">froze</text></g>"#,
            x + 4,
            x + 4,
            x + 8,
            TOP + 10
        );
    }
    let _ = write!(
        html,
        r#"<line class="score-playhead" x1="{}" y1="{TOP}" x2="{}" y2="{bottom}" visibility="hidden"/></svg>"#,
        x_of(0),
        x_of(0)
    );
    let _ = write!(
        html,
        r#"<figcaption id="{id}-caption"><span class="gallery-sign" aria-hidden="true">{sign}</span> Performance {number}: {told}</figcaption>"#
    );
    let _ = write!(
        html,
        r#"<div class="score-controls"><button type="button" class="score-listen" aria-describedby="{id}-caption">Listen</button> <button type="button" class="score-stop" aria-describedby="{id}-caption" disabled>Stop</button></div>"#
    );
    let _ = write!(
        html,
        r#"<details class="score-events" open><summary>Its {} as text</summary><ol>"#,
        plural(performance.events.len(), "event", "events")
    );
    for event in &in_order {
        let _ = write!(html, "<li>{event}</li>");
    }
    html.push_str("</ol></details></figure>");
    html
}

/// `text` with each `` `span` `` as `<code>span</code>`.
fn code_spans(text: &str) -> String {
    let mut html = String::new();
    for (index, part) in text.split('`').enumerate() {
        match index % 2 {
            0 => html.push_str(part),
            _ => {
                let _ = write!(html, "<code>{part}</code>");
            }
        }
    }
    html
}

/// The gallery as HTML: a heading sentence, then one group per outcome
/// (verdict and outcome), each a list of small scores.
pub fn render(model: &Model, source: &Source) -> String {
    let id = escape(source.id);
    let mut html = String::new();
    let _ = write!(
        html,
        r#"<figure class="gallery" id="{id}" aria-labelledby="{id}-heading" data-iterations="{}" data-performances="{}" data-not-right="{}"><figcaption class="gallery-heading" id="{id}-heading">{}</figcaption>"#,
        model.iterations,
        model.performances.len(),
        model.not_right(),
        code_spans(&escape(&heading(model, source.listing)))
    );
    let mut number = 0;
    let mut start = 0;
    while start < model.performances.len() {
        let first = &model.performances[start];
        let group: Vec<&Performance> = model.performances[start..]
            .iter()
            .take_while(|p| {
                p.verdict == first.verdict && p.outcome == first.outcome
            })
            .collect();
        let (word, sign) = verdict_words(first.verdict);
        let what = match first.verdict {
            Verdict::Right => String::new(),
            _ => format!(", {}", escape(&model.wrong)),
        };
        let _ = write!(
            html,
            r#"<div class="gallery-group gallery-{}"><p class="gallery-outcome"><span class="gallery-sign" aria-hidden="true">{sign}</span> {word}{what}: {} ({})</p><ul class="gallery-items">"#,
            first.verdict.word(),
            escape(&first.outcome),
            plural(group.len(), "performance", "performances")
        );
        for performance in &group {
            number += 1;
            html.push_str("<li>");
            html.push_str(&small_score(performance, number, model, source));
            html.push_str("</li>");
        }
        html.push_str("</ul></div>");
        start += group.len();
    }
    html.push_str("</figure>");
    html
}

/// Replaces every `{{#gallery <file> <model>}}` of `content` with its
/// gallery; `None` when the chapter has none. `file` is the chapter's
/// Markdown on disk (the gallery's path is relative to its folder, and a
/// problem names the directive's line in it), `page` how a problem names
/// it: `src/ch01-time.md`.
pub fn expand(
    content: &str,
    file: &Path,
    page: &str,
) -> Result<Option<String>, String> {
    static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\{\{#gallery\s+(\S+)\s+([a-z0-9-]+)\s*\}\}")
            .expect("valid regex")
    });
    if !DIRECTIVE.is_match(content) {
        return Ok(None);
    }
    let folder = file.parent().unwrap_or(Path::new("."));
    // Earlier preprocessors (mdBook's includes) move lines, so a directive
    // is found again in the file the author wrote.
    let written = std::fs::read_to_string(file).unwrap_or_default();
    let line_of = |text: &str, at: usize| text[..at].matches('\n').count() + 1;
    let mut problems = Vec::new();
    let expanded = DIRECTIVE.replace_all(content, |found: &regex::Captures| {
        let whole = &found[0];
        let at = match written.find(whole) {
            Some(offset) => line_of(&written, offset),
            None => line_of(content, found.get(0).map_or(0, |m| m.start())),
        };
        gallery(folder, &found[1], &found[2]).unwrap_or_else(|message| {
            problems.push(format!(
                "{page}:{at}: gallery of {}: {message}",
                &found[1]
            ));
            String::new()
        })
    });
    if problems.is_empty() {
        Ok(Some(expanded.into_owned()))
    } else {
        Err(problems.join("\n"))
    }
}

/// The gallery of model `name` in the `performances.txt` at `target`.
fn gallery(folder: &Path, target: &str, name: &str) -> Result<String, String> {
    let file = folder.join(target);
    if file.file_name().and_then(|n| n.to_str()) != Some(performances::FILE) {
        return Err(format!(
            "not a listing's {}: point it at \
             ../listings/chNN-…/listing-NN-MM/{}",
            performances::FILE,
            performances::FILE
        ));
    }
    let text = std::fs::read_to_string(&file).map_err(|e| {
        format!("{e}: its loom model records it with `cargo xtask outputs`")
    })?;
    let models = performances::parse(&text)
        .map_err(|e| format!("line {}: {}", e.line, e.message))?;
    let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    let model = models.iter().find(|m| m.name == name).ok_or_else(|| {
        format!("no model `{name}` (it has {})", names.join(", "))
    })?;
    let (crate_name, listing) = crate::listing_of(target);
    let id = format!("gallery-{crate_name}-{name}");
    Ok(render(
        model,
        &Source {
            id: &id,
            listing: &listing,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use recording::performances::parse;

    const SET: &str = "\
model unstaged
iterations 12
wrong a raise is lost

performance right: 140 bpm
    cellos: heard 120 bpm
    cellos: set 130 bpm
    violins: heard 130 bpm
    violins: set 140 bpm

performance wrong: 130 bpm
    cellos: heard 120 bpm
    violins: heard 120 bpm
    cellos: set 130 bpm
    violins: set 130 bpm

performance wrong: 130 bpm
    cellos: heard 120 bpm
    violins: heard 120 bpm
    violins: set 130 bpm
    cellos: set 130 bpm

model equal-ranks
iterations 2
wrong the duet freezes

performance froze: every performer waits for the other
    soloist: took the violin
    understudy: took the bow
";

    fn gallery(model: usize) -> String {
        let models = parse(SET).unwrap();
        render(
            &models[model],
            &Source {
                id: "gallery-golden",
                listing: "Listing 1-4",
            },
        )
    }

    #[test]
    fn the_heading_counts_iterations_performances_and_wrong_ones() {
        let models = parse(SET).unwrap();
        assert_eq!(
            heading(&models[0], "Listing 1-4"),
            "Loom ran Listing 1-4's model `unstaged` 12 times: 3 distinct \
             performances; in 2 of them a raise is lost."
        );
        assert_eq!(
            heading(&models[1], "Listing 7-2"),
            "Loom ran Listing 7-2's model `equal-ranks` 2 times, stopping at \
             the first freeze it found: 1 distinct performance; in 1 of them \
             the duet freezes."
        );
    }

    #[test]
    fn every_performance_is_a_score_grouped_by_outcome() {
        let html = gallery(0);
        assert_eq!(html.matches(r#"<figure class="gallery-score"#).count(), 3);
        assert_eq!(html.matches(r#"class="gallery-group "#).count(), 2);
        assert_eq!(html.matches(r#"class="score-note""#).count(), 12);
        assert_eq!(html.matches(r#"class="score-listen""#).count(), 3);
        assert_eq!(
            html.matches(r#"<figure class="gallery-score gallery-wrong""#)
                .count(),
            2
        );
        assert!(
            html.contains("Wrong, a raise is lost: 130 bpm (2 performances)")
        );
        let frozen = gallery(1);
        assert_eq!(frozen.matches(r#"class="gallery-freeze""#).count(), 1);
        assert!(frozen.contains("Froze, the duet freezes"));
    }

    #[test]
    fn a_group_is_one_verdict_with_one_outcome() {
        let set = "\
model split
iterations 3
wrong a raise is lost

performance wrong: 120 bpm
    cellos: set 120 bpm

performance wrong: 130 bpm
    violins: set 130 bpm

performance wrong: 130 bpm
    cellos: set 130 bpm
";
        let models = parse(set).unwrap();
        let source = Source {
            id: "g",
            listing: "Listing 1-4",
        };
        let html = render(&models[0], &source);
        assert_eq!(html.matches(r#"class="gallery-group "#).count(), 2);
        assert!(html.contains(": 120 bpm (1 performance)"), "{html}");
        assert!(html.contains(": 130 bpm (2 performances)"), "{html}");
    }

    #[test]
    fn a_directive_becomes_its_gallery_and_a_bad_one_names_its_line() {
        let root = std::env::temp_dir()
            .join(format!("gallery-expand-{}", std::process::id()));
        let listing = root.join("listings/ch01-time/listing-01-04");
        std::fs::create_dir_all(&listing).unwrap();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(listing.join("performances.txt"), SET).unwrap();
        let chapter = root.join("src/ch01-time.md");
        let file = "../listings/ch01-time/listing-01-04/performances.txt";
        let page = format!("# Time\n\n{{{{#gallery {file} unstaged}}}}\n");
        let expand = |text: &str| {
            std::fs::write(&chapter, text).unwrap();
            // As after mdBook's includes: lines added above the directive.
            expand(&format!("\n\n{text}"), &chapter, "src/ch01-time.md")
        };
        let html = expand(&page).unwrap().unwrap();
        assert!(html.starts_with(
            "\n\n# Time\n\n<figure class=\"gallery\" \
             id=\"gallery-listing-01-04-unstaged\""
        ));
        assert!(html.contains("Loom ran Listing 1-4's model"));
        assert_eq!(expand("# Time\n"), Ok(None));

        let unknown = expand(&page.replace("unstaged", "staged"));
        let message = unknown.unwrap_err();
        assert!(
            message.starts_with("src/ch01-time.md:3: gallery of "),
            "{message}"
        );
        assert!(
            message
                .contains("no model `staged` (it has unstaged, equal-ranks)"),
            "{message}"
        );
        let output = expand(&page.replace("performances.txt", "output.txt"));
        assert!(output
            .unwrap_err()
            .contains("not a listing's performances.txt"));
        std::fs::write(listing.join("performances.txt"), "model m\n").unwrap();
        let broken = expand(&page).unwrap_err();
        assert!(broken.contains("no performance"), "{broken}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn the_gallery_matches_its_golden_file() {
        let html = gallery(0) + "\n" + &gallery(1);
        crate::assert_golden("gallery.html", "gallery", &html);
    }
}
