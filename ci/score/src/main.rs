//! `mdbook-score`: the mdBook preprocessor that replaces
//! `{{#score ../listings/chNN-…/listing-NN-MM/output.txt}}` in a chapter with
//! the score of that recorded run (see `lib.rs`).
//!
//! mdBook calls `mdbook-score supports <renderer>` (every renderer is
//! supported), then `mdbook-score` with `[context, book]` as JSON on stdin,
//! and reads the book back from stdout. A bad event line fails the build,
//! naming the chapter, the output file and the line.
//!
//! Under each score it leaves what the page needs to score a reader's own
//! run, the listing's output rule and its recording (see `yourrun.rs`).
//!
//! It also renders each chapter's ```` ```rehearsal ```` questions, their
//! keys derived from the listings' recordings (see `rehearsal.rs`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use mdbook_score::{parse, rehearsal, render, steady, yourrun, Source};
use regex::Regex;
use serde_json::Value;

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("supports") {
        return ExitCode::SUCCESS;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mdbook-score: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("reading stdin: {e}"))?;
    let value: Value =
        serde_json::from_str(&input).map_err(|e| format!("bad input: {e}"))?;
    let [context, mut book] =
        <[Value; 2]>::try_from(value.as_array().cloned().unwrap_or_default())
            .map_err(|_| "expected [context, book] on stdin".to_string())?;
    let root = PathBuf::from(context["root"].as_str().unwrap_or("."));
    let src =
        root.join(context["config"]["book"]["src"].as_str().unwrap_or("src"));
    let directive =
        Regex::new(r"\{\{#score\s+([^}\s]+)\s*\}\}").expect("valid regex");
    if let Some(sections) = book["sections"].as_array_mut() {
        for item in sections {
            score_chapter(item, &src, &directive)?;
        }
    }
    println!("{book}");
    Ok(())
}

fn score_chapter(
    item: &mut Value,
    src: &Path,
    directive: &Regex,
) -> Result<(), String> {
    let Some(chapter) = item.get_mut("Chapter") else {
        return Ok(());
    };
    let page = src.join(chapter["source_path"].as_str().unwrap_or(""));
    let folder = page.parent().unwrap_or(src).to_path_buf();
    if let Some(content) = chapter["content"].as_str() {
        if directive.is_match(content) {
            let mut failure = None;
            let scored =
                directive.replace_all(content, |found: &regex::Captures| {
                    score(&folder, &found[1]).unwrap_or_else(|message| {
                        failure.get_or_insert(format!(
                            "{}: {message}",
                            page.display()
                        ));
                        String::new()
                    })
                });
            if let Some(message) = failure {
                return Err(message);
            }
            chapter["content"] = Value::String(scored.into_owned());
        }
    }
    let root = src.parent().unwrap_or(src);
    let name = page.strip_prefix(root).unwrap_or(&page).to_string_lossy();
    let html = Path::new(chapter["source_path"].as_str().unwrap_or(""))
        .with_extension("html");
    // Galleries of every performance loom explored (`gallery.rs`).
    let content = chapter["content"].as_str().unwrap_or("");
    if let Some(drawn) = mdbook_score::gallery::expand(content, &page, &name)? {
        chapter["content"] = Value::String(drawn);
    }
    let rehearsal = rehearsal::Page {
        root,
        file: &page,
        name: &name,
        html: &html.to_string_lossy(),
    };
    let content = chapter["content"].as_str().unwrap_or("");
    if let Some(rehearsed) = rehearsal::expand(content, &rehearsal)? {
        chapter["content"] = Value::String(rehearsed);
    }
    if let Some(items) = chapter["sub_items"].as_array_mut() {
        for sub in items {
            score_chapter(sub, src, directive)?;
        }
    }
    Ok(())
}

/// The figure for one recorded output, named after its listing's folder.
fn score(folder: &Path, target: &str) -> Result<String, String> {
    let file = folder.join(target);
    let output = std::fs::read_to_string(&file)
        .map_err(|e| format!("score of {target}: {e}"))?;
    let events = parse(&output).map_err(|e| {
        format!("score of {target}: line {}: {}", e.line, e.message)
    })?;
    let (crate_name, listing) = mdbook_score::listing_of(target);
    let id = format!("score-{crate_name}");
    let rule = recording::rule_of(file.parent().unwrap_or(folder))
        .map_err(|e| format!("score of {target}: {e}"))?;
    let figure = render(
        &events,
        &Source {
            id: &id,
            listing: &listing,
        },
    );
    let figure = steady::caption(figure, &events, rule);
    Ok(figure + &yourrun::container(&id, rule, &output))
}
