//! The drift guard: what can be checked from the sources alone, in well
//! under a second, before anything is compiled.

use std::collections::BTreeMap;
use std::path::Path;

use regex::Regex;

use crate::book::{Block, Book, Directive, Page, Selector};
use crate::listings::{Kind, Listing, Workspace};
use crate::problem::Report;

/// Crates the Rust Playground offers, so Run works for a listing using them.
const PLAYGROUND_CRATES: &[&str] = &[
    "tokio",
    "tokio-util",
    "futures-util",
    "rayon",
    "tracing",
    "tracing-subscriber",
    "tokio-stream",
];

/// The GitHub workflow that tests the book and publishes it.
const WORKFLOW: &str = ".github/workflows/book.yml";

/// A reader's test command is what CI runs: the `cargo xtask` line of
/// `.ci/run` must stand, as a line of its own, in README.md, and the
/// GitHub workflow must have a step `run: .ci/run`.
pub fn ci_runs_the_readme_command(root: &Path, report: &mut Report) {
    let workflow = root.join(WORKFLOW);
    let steps = std::fs::read_to_string(&workflow).unwrap_or_default();
    if !steps.lines().any(|l| l.trim() == "run: .ci/run") {
        report.add(
            &workflow,
            None,
            "the workflow does not run `.ci/run`, so CI may test another command than the README's",
            "run the tests with the step `run: .ci/run`",
        );
    }
    let ci = root.join(".ci/run");
    let script = std::fs::read_to_string(&ci).unwrap_or_default();
    let Some((line, command)) = script
        .lines()
        .enumerate()
        .find_map(|(n, l)| Some((n + 1, &l[l.find("cargo xtask")?..])))
    else {
        report.add(
            &ci,
            None,
            "CI runs no `cargo xtask` command",
            "run the README's test command: exec cargo xtask test",
        );
        return;
    };
    let readme =
        std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    if !readme.lines().any(|l| l.trim() == command.trim()) {
        report.add(
            &ci,
            Some(line),
            format!(
                "CI runs `{}`, which README.md does not give",
                command.trim()
            ),
            "make README.md's test command and .ci/run the same",
        );
    }
}

/// The two other places that must name every crate in
/// [`PLAYGROUND_CRATES`]: skeptic compiles the pages' programs against
/// `ci/page-tests`' dev-dependencies, and `theme/head.hbs` answers mdBook's
/// question for the Playground's crate list (as the Playground names
/// them, with `_`).
pub fn playground_crates_are_everywhere(root: &Path, report: &mut Report) {
    for (file, spelled, fix) in [
        (
            "ci/page-tests/Cargo.toml",
            (|c: &str| format!("{c}.workspace = true")) as fn(&str) -> String,
            "add it to [dev-dependencies], so skeptic can compile the pages' \
             programs",
        ),
        (
            "theme/head.hbs",
            |c: &str| format!("{{ id: \"{}\" }}", c.replace('-', "_")),
            "add it to the crate list mdBook's Run asks for",
        ),
    ] {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for krate in PLAYGROUND_CRATES {
            if !text.contains(&spelled(krate)) {
                report.add(
                    &path,
                    None,
                    format!(
                        "`{krate}` is a Playground crate listings may use \
                         (PLAYGROUND_CRATES in ci/xtask/src/checks.rs), but \
                         this file lacks `{}`",
                        spelled(krate)
                    ),
                    fix,
                );
            }
        }
    }
}

/// What the drift guard looked at, for its one line on success.
pub struct Checked {
    pages: usize,
    listings: usize,
    includes: usize,
    captions: usize,
    scores: usize,
}

impl std::fmt::Display for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} pages, {} listings, {} includes with their files and \
             anchors, {} captions, {} scores and every code block agree",
            self.pages,
            self.listings,
            self.includes,
            self.captions,
            self.scores
        )
    }
}

pub fn run(workspace: &Workspace, book: &Book, report: &mut Report) -> Checked {
    for page in &book.pages {
        // 404.md is mdBook's page for a missing address, never a chapter.
        let not_found = page.path.ends_with("src/404.md");
        if !page.in_summary && !not_found {
            report.add(
                &page.path,
                None,
                "this page is not in src/SUMMARY.md, so no reader can reach it",
                "link it from src/SUMMARY.md or delete it",
            );
        }
        check_admonitions(page, report);
        check_includes(page, workspace, report);
        check_blocks(page, workspace, report);
        check_captions(page, workspace, report);
        check_scores(page, workspace, report);
        check_rehearsal(page, report);
        check_quoted_times(page, workspace, report);
    }
    check_listings(workspace, book, report);
    crate::exercises::check(workspace, book, report);
    let count = |f: fn(&Page) -> usize| book.pages.iter().map(f).sum();
    Checked {
        pages: book.pages.len(),
        listings: workspace.listings.len(),
        includes: count(|p| p.includes.len()),
        captions: count(|p| p.captions.len()),
        scores: count(|p| p.scores.len()),
    }
}

/// Prose that quotes one run's time, as in "in this run both happen at 101
/// ms" ([`Page::run_times`]): the time must be one the recording of the
/// listing above holds (`@101ms`). A recording made again moves such
/// times, and no rule compares prose with it; a time that the listing's
/// tests assert is written without naming a run.
fn check_quoted_times(page: &Page, workspace: &Workspace, report: &mut Report) {
    for (line, ms) in &page.run_times {
        let Some(listing) = listing_above(page, workspace, *line) else {
            report.add(
                &page.path,
                Some(*line),
                format!(
                    "this line quotes a run's time, at {ms} ms, but no \
                     listing's code block comes before it"
                ),
                "quote the run after the listing's block, or say what its \
                 tests assert without naming a run",
            );
            continue;
        };
        let file = listing.dir.join("output.txt");
        let recorded = std::fs::read_to_string(&file).unwrap_or_default();
        if !recorded.contains(&format!("@{ms}ms")) {
            report.add(
                &page.path,
                Some(*line),
                format!(
                    "this line quotes the recorded run of {} at {ms} ms, a \
                     time {} does not hold",
                    listing.name,
                    relative(&file).display()
                ),
                "quote a time the recording holds (its `@…ms` stamps), or \
                 say what the listing's tests assert without naming a run",
            );
        }
    }
}

/// Every chapter and sub-chapter page (`chNN…md`) ends with `## Rehearsal`
/// holding at least this many questions (CONTRIBUTING.md, "Rehearsals").
const REHEARSAL_QUESTIONS: usize = 3;

fn check_rehearsal(page: &Page, report: &mut Report) {
    let is_chapter = page
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("ch") && n.ends_with(".md"));
    if !is_chapter {
        return;
    }
    let text = std::fs::read_to_string(&page.path).unwrap_or_default();
    if let Some((line, problem, fix)) = rehearsal_problem(&text) {
        report.add(&page.path, line, problem, fix);
    }
}

/// What is wrong with a chapter's closing Rehearsal, if anything: its line
/// (when there is one to point at), the problem and the fix.
fn rehearsal_problem(
    text: &str,
) -> Option<(Option<usize>, String, &'static str)> {
    let mut fenced = false;
    let mut last_heading = None;
    let mut questions = 0;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            if trimmed == "[[question]]" && last_heading.is_some() {
                questions += 1;
            }
            continue;
        }
        if let Some(title) = line.strip_prefix("## ") {
            last_heading = Some((index + 1, title.trim().to_string()));
            questions = 0;
        }
    }
    let fix = "end the page with `## Rehearsal` and at least three \
               questions (CONTRIBUTING.md, \"Rehearsals\")";
    match last_heading {
        Some((_, title)) if title == "Rehearsal" => {
            (questions < REHEARSAL_QUESTIONS).then(|| {
                let problem = format!(
                    "the Rehearsal has {questions} question(s), fewer than \
                     {REHEARSAL_QUESTIONS}"
                );
                (None, problem, fix)
            })
        }
        Some((line, title)) => Some((
            Some(line),
            format!("the page ends with `## {title}`, not `## Rehearsal`"),
            fix,
        )),
        None => Some((None, "the page has no `## Rehearsal`".into(), fix)),
    }
}

/// The kinds of admonition the runbook gives a meaning, and the only ones
/// `theme/mdbook-admonish.css` styles.
const ADMONITIONS: &[&str] = &["note", "warning", "tip"];

fn check_admonitions(page: &Page, report: &mut Report) {
    let text = std::fs::read_to_string(&page.path).unwrap_or_default();
    let fence = Regex::new(r"^\s*(`{3,}|~{3,})\s*admonish\b\s*([^\s]*)")
        .expect("valid regex");
    for (index, line) in text.lines().enumerate() {
        let Some(found) = fence.captures(line) else {
            continue;
        };
        // mdbook-admonish takes a missing kind as `note`.
        let kind = found[2].split('.').next().unwrap_or_default();
        if !kind.is_empty() && !ADMONITIONS.contains(&kind) {
            report.add(
                &page.path,
                Some(index + 1),
                format!("an admonition of kind `{kind}`"),
                "use note (where the essay simplifies), warning (a trap) or \
                 tip (practice); the book's styles have only these",
            );
        }
    }
}

fn check_includes(page: &Page, workspace: &Workspace, report: &mut Report) {
    for include in &page.includes {
        let shown = relative(&include.file);
        let shown = shown.display();
        let Ok(text) = std::fs::read_to_string(&include.file) else {
            let (message, fix) = match unrecorded(workspace, &include.file) {
                Some(listing) => (
                    format!("{shown}: not recorded"),
                    format!("run `cargo xtask outputs {}`", listing.name),
                ),
                None => (
                    format!("included file {shown} does not exist"),
                    "fix the path (it is relative to the page's folder)"
                        .to_string(),
                ),
            };
            report.add(&page.path, Some(include.line), message, fix);
            continue;
        };
        match &include.selector {
            Selector::Whole => {}
            Selector::Anchor(name) => {
                if let Some((message, fix)) = anchor_problem(&text, name) {
                    report.add(
                        &page.path,
                        Some(include.line),
                        format!("{shown} {message}"),
                        fix,
                    );
                }
            }
            Selector::Lines(range) => {
                let last = range
                    .split(':')
                    .filter_map(|n| n.parse::<usize>().ok())
                    .max()
                    .unwrap_or(0);
                if last > text.lines().count() {
                    report.add(
                        &page.path,
                        Some(include.line),
                        format!("{shown} has no line {last}"),
                        "use an anchor rather than line numbers",
                    );
                }
            }
        }
        if include.block.is_none() {
            report.add(
                &page.path,
                Some(include.line),
                "an include outside a fenced code block",
                "put it inside ```rust (code) or ```text (output)",
            );
        }
    }
}

/// The listing whose recording `file` is, when that recording has not
/// been made yet: its `output.txt`, or a negative example's
/// `src/main.stderr`.
fn unrecorded<'a>(
    workspace: &'a Workspace,
    file: &Path,
) -> Option<&'a Listing> {
    let file = normalize(file);
    owner(workspace, &file).filter(|listing| {
        let recording = match listing.kind {
            Kind::CompileFail => listing.stderr_file(),
            _ => listing.output_file(),
        };
        file == recording && !file.exists()
    })
}

/// What is wrong with `{{#rustdoc_include file:name}}` for a file holding
/// `text`, told once, with the anchors the file does have.
fn anchor_problem(text: &str, name: &str) -> Option<(String, String)> {
    let start = has_marker(text, "ANCHOR", name);
    let end = has_marker(text, "ANCHOR_END", name);
    match (start, end) {
        (true, true) => None,
        (true, false) => Some((
            format!("has `// ANCHOR: {name}` but no `// ANCHOR_END: {name}`"),
            format!("add `// ANCHOR_END: {name}` after the shown part"),
        )),
        (false, true) => Some((
            format!("has `// ANCHOR_END: {name}` but no `// ANCHOR: {name}`"),
            format!("add `// ANCHOR: {name}` before the shown part"),
        )),
        (false, false) => {
            let found = anchors(text);
            let those = if found.is_empty() {
                "it has no anchors".to_string()
            } else {
                let names: Vec<String> =
                    found.iter().map(|a| format!("`{a}`")).collect();
                format!("its anchors: {}", names.join(", "))
            };
            Some((
                format!("has no anchor `{name}` ({those})"),
                format!(
                    "name one of its anchors, or put `// ANCHOR: {name}` and \
                     `// ANCHOR_END: {name}` around the part to show"
                ),
            ))
        }
    }
}

/// The names after `ANCHOR:` in `text`, in order.
fn anchors(text: &str) -> Vec<String> {
    let marker = Regex::new(r"\bANCHOR:\s*(\S+)").expect("valid regex");
    text.lines()
        .filter_map(|line| Some(marker.captures(line)?[1].to_string()))
        .collect()
}

fn has_marker(text: &str, marker: &str, name: &str) -> bool {
    let pattern = format!(r"\b{marker}:\s*{}\b", regex::escape(name));
    let marker = Regex::new(&pattern).expect("valid regex");
    text.lines().any(|line| marker.is_match(line))
}

/// The listing whose folder holds `file`, if any.
fn owner<'a>(workspace: &'a Workspace, file: &Path) -> Option<&'a Listing> {
    let file = normalize(file);
    workspace.listings.iter().find(|l| file.starts_with(&l.dir))
}

/// `path` normalized and relative to the workspace root, for messages.
pub fn relative(path: &Path) -> std::path::PathBuf {
    let path = normalize(path);
    let root = crate::listings::workspace_root();
    path.strip_prefix(&root)
        .map(Path::to_path_buf)
        .unwrap_or(path)
}

/// `a/b/../c` → `a/c`, without touching the file system.
pub fn normalize(path: &Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn check_blocks(page: &Page, workspace: &Workspace, report: &mut Report) {
    for (index, block) in page.blocks.iter().enumerate() {
        let includes: Vec<_> = page
            .includes
            .iter()
            .filter(|i| i.block == Some(index))
            .collect();
        let other_lines = block
            .body
            .iter()
            .filter(|l| !l.trim().is_empty() && !l.contains("{{#"))
            .count();
        let at = Some(block.line);
        match block.language() {
            "" => report.add(
                &page.path,
                at,
                "a code block without a language",
                "say what it is: ```rust, ```text, ```toml, ```sh …",
            ),
            "rust" => {
                if block.in_admonition {
                    report.add(
                        &page.path,
                        at,
                        "a Rust block inside an admonition",
                        "move the code out; admonitions hold prose",
                    );
                }
                if block.has("ignore") {
                    report.add(
                        &page.path,
                        at,
                        "`ignore` would leave this block untested",
                        "make it compile (a listing), or mark a negative \
                         example `compile_fail,E….`",
                    );
                }
                let [include] = includes.as_slice() else {
                    report.add(
                        &page.path,
                        at,
                        "a Rust block must be exactly one \
                         {{#rustdoc_include}} of a listing",
                        "move the code into a listing crate \
                         (`cargo xtask new-listing`) and include it",
                    );
                    continue;
                };
                if other_lines > 0
                    || include.directive != Directive::RustdocInclude
                {
                    report.add(
                        &page.path,
                        at,
                        "a Rust block must hold only a {{#rustdoc_include}}",
                        "use {{#rustdoc_include path:anchor}} so Run and \
                         Copy get the whole program",
                    );
                }
                match owner(workspace, &include.file) {
                    Some(listing) => {
                        check_rust_block(page, block, listing, report)
                    }
                    None => report.add(
                        &page.path,
                        at,
                        format!(
                            "{} is not in a listing crate",
                            relative(&include.file).display()
                        ),
                        "include a listing's src/main.rs",
                    ),
                }
            }
            "text" | "console" => {
                let recorded = includes.len() == 1
                    && other_lines == 0
                    && includes[0].selector == Selector::Whole
                    && owner(workspace, &includes[0].file).is_some()
                    && (includes[0].file.ends_with("output.txt")
                        || includes[0].file.ends_with("src/main.stderr"));
                if !recorded {
                    report.add(
                        &page.path,
                        at,
                        "an output block must be one {{#include}} of a \
                         listing's recorded output.txt or src/main.stderr",
                        "record the run (`cargo xtask outputs`) and include \
                         it; for other text use a more specific language",
                    );
                } else if let Some(problem) =
                    misplaced_output(page, workspace, block, &includes[0].file)
                {
                    report.add(
                        &page.path,
                        at,
                        problem,
                        "put each recorded output after its own listing's \
                         code block (and caption)",
                    );
                }
            }
            _ => {}
        }
    }
}

/// The listing whose Rust block is the nearest one on `page` that starts
/// before `line`: the listing a caption at `line` names, and the one
/// `theme/output.js` labels an output block at `line` with.
fn listing_above<'a>(
    page: &Page,
    workspace: &'a Workspace,
    line: usize,
) -> Option<&'a Listing> {
    page.blocks
        .iter()
        .enumerate()
        .rfind(|(_, b)| b.language() == "rust" && b.line < line)
        .and_then(|(index, _)| {
            page.includes.iter().find(|i| i.block == Some(index))
        })
        .and_then(|i| owner(workspace, &i.file))
}

/// Readers see an output block labelled as the run of the listing whose
/// Rust block is the nearest above it (`theme/output.js`): whether `file`,
/// the recording `block` includes, belongs to another listing.
fn misplaced_output(
    page: &Page,
    workspace: &Workspace,
    block: &Block,
    file: &Path,
) -> Option<String> {
    let shown = owner(workspace, file)?;
    match listing_above(page, workspace, block.line) {
        Some(listing) if listing.name == shown.name => None,
        Some(listing) => Some(format!(
            "the recording of {} follows {}'s code block, and readers \
             would see it labelled as that listing's",
            shown.name, listing.name
        )),
        None => Some(format!(
            "the recording of {} follows no Rust block, so readers would \
             see it labelled as the output of no listing",
            shown.name
        )),
    }
}

fn check_rust_block(
    page: &Page,
    block: &Block,
    listing: &Listing,
    report: &mut Report,
) {
    let at = Some(block.line);
    let negative = listing.kind == Kind::CompileFail;
    if negative != block.has("compile_fail") {
        let fix = if negative {
            "mark the block ```rust,compile_fail,E…. with the error code"
        } else {
            "remove compile_fail: this listing compiles"
        };
        report.add(
            &page.path,
            at,
            format!("{} and the block's compile_fail disagree", listing.name),
            fix,
        );
    }
    // Without a record there is no error to compare the code with; the
    // missing record is reported on its own.
    let recorded = std::fs::read_to_string(listing.stderr_file());
    if let (true, Ok(stderr)) = (negative, recorded) {
        let code = block
            .tokens()
            .into_iter()
            .find(|t| t.len() == 5 && t.starts_with('E'))
            .map(str::to_string);
        match code {
            // Some errors have no code ("future cannot be sent between
            // threads safely"); such a block names none, and its record
            // must hold an error without one.
            None if !stderr.contains("error[")
                && stderr.contains("error: ") => {}
            None => report.add(
                &page.path,
                at,
                "a compile_fail block without its error code",
                "add the code the compiler gives, e.g. compile_fail,E0373",
            ),
            Some(code) if !stderr.contains(&format!("error[{code}]")) => report
                .add(
                    &page.path,
                    at,
                    format!(
                        "the block says {code} but {} records no error[{code}]",
                        relative(&listing.stderr_file()).display()
                    ),
                    "fix the code in the block's info string",
                ),
            Some(_) => {}
        }
    }
    if block.has("no_run") && !block.has("compile_fail") {
        report.add(
            &page.path,
            at,
            "no_run would leave this program unrun",
            "make the program finish; its tests prove the behaviour",
        );
    }
    let foreign: Vec<&String> = listing
        .dependencies
        .iter()
        .filter(|d| !PLAYGROUND_CRATES.contains(&d.as_str()))
        .collect();
    let runnable = listing.playground && foreign.is_empty();
    if !runnable && !block.has("noplayground") {
        report.add(
            &page.path,
            at,
            format!(
                "{} cannot run on the Playground (needs {foreign:?} or \
                 playground = false)",
                listing.name
            ),
            "mark the block ```rust,noplayground so no Run button shows",
        );
    }
}

/// A score draws a listing's recorded output (mdbook-score parses it and
/// fails the build on a bad event line).
fn check_scores(page: &Page, workspace: &Workspace, report: &mut Report) {
    for (line, file) in &page.scores {
        let listing = unrecorded(workspace, file)
            .filter(|l| normalize(file) == l.output_file());
        if let Some(listing) = listing {
            report.add(
                &page.path,
                Some(*line),
                format!("{}: not recorded", relative(file).display()),
                format!("run `cargo xtask outputs {}`", listing.name),
            );
            continue;
        }
        let recorded = owner(workspace, file)
            .is_some_and(|l| normalize(file) == l.output_file());
        if !recorded || !file.exists() {
            report.add(
                &page.path,
                Some(*line),
                format!(
                    "{{{{#score}}}} of {}: not a listing's recorded output.txt",
                    relative(file).display()
                ),
                "point it at listings/chNN-…/listing-NN-MM/output.txt and \
                 record it with `cargo xtask outputs`",
            );
        }
    }
}

fn check_captions(page: &Page, workspace: &Workspace, report: &mut Report) {
    let page_chapter = chapter_of_page(&page.path);
    let numbered: Vec<(u32, u32)> = workspace
        .listings
        .iter()
        .filter_map(Listing::number)
        .collect();
    let mut previous = 0;
    for &(line, chapter, number) in &page.captions {
        let captioned =
            listing_above(page, workspace, line).and_then(Listing::number);
        if captioned != Some((chapter, number)) {
            report.add(
                &page.path,
                Some(line),
                format!(
                    "caption Listing {chapter}-{number} does not follow \
                     listing-{chapter:02}-{number:02}'s code block"
                ),
                "put each caption right after its listing's block, with \
                 the number of the crate it includes",
            );
        }
        if Some(chapter) != page_chapter {
            report.add(
                &page.path,
                Some(line),
                format!("caption Listing {chapter}-{number} on another chapter's page"),
                "number the listing after this page's chapter",
            );
        }
        // The same number twice is a second caption, reported as such.
        if number < previous {
            report.add(
                &page.path,
                Some(line),
                format!("Listing {chapter}-{number} comes after Listing {chapter}-{previous}"),
                "number listings in the order they appear",
            );
        }
        previous = number;
    }
    for &(line, chapter, number) in &page.mentions {
        if !numbered.contains(&(chapter, number)) {
            report.add(
                &page.path,
                Some(line),
                format!("there is no Listing {chapter}-{number}"),
                format!("create listings/chNN-…/listing-{chapter:02}-{number:02} or fix the number"),
            );
        }
    }
}

/// `src/ch03-threads.md` → 3.
fn chapter_of_page(path: &Path) -> Option<u32> {
    let stem = path.file_stem()?.to_str()?;
    stem.strip_prefix("ch")?.get(..2)?.parse().ok()
}

fn check_listings(workspace: &Workspace, book: &Book, report: &mut Report) {
    for orphan in crate::negatives::orphan_records(workspace) {
        report.add(
            &orphan,
            None,
            "a recorded compiler error that is no program's record",
            format!(
                "a record belongs beside its program: a negative listing's \
                 src/main.rs, or a near miss in {}/; restore the program, \
                 or delete the record",
                crate::negatives::REFUSED
            ),
        );
    }
    for stray in &workspace.strays {
        report.add(
            stray,
            None,
            "a folder under listings/ that is not a workspace crate",
            "give it a Cargo.toml (`cargo xtask new-listing`) or delete it",
        );
    }
    let name_rule = Regex::new(
        r"^(listing-(\d\d)-\d\d|(?:no-listing|exercise)-(\d\d)-[a-z0-9-]+)$",
    )
    .expect("valid regex");
    let mut uses: BTreeMap<&Path, Vec<(&Page, usize)>> = BTreeMap::new();
    for page in &book.pages {
        for include in &page.includes {
            if let Some(listing) = owner(workspace, &include.file) {
                uses.entry(listing.dir.as_path())
                    .or_default()
                    .push((page, include.line));
            }
        }
    }
    for listing in &workspace.listings {
        let manifest = listing.dir.join("Cargo.toml");
        let folder = listing
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if folder != listing.name {
            report.add(
                &manifest,
                None,
                format!("package `{}` sits in folder `{folder}`", listing.name),
                "name the package after its folder",
            );
        }
        let chapter_number = name_rule
            .captures(&listing.name)
            .and_then(|c| c.get(2).or(c.get(3)))
            .map(|m| m.as_str().to_string());
        match chapter_number {
            None => report.add(
                &manifest,
                None,
                format!("`{}` is not a listing name", listing.name),
                "use listing-NN-MM, no-listing-NN-what or \
                 exercise-NN-what-starter/-solution",
            ),
            Some(nn)
                if !listing.chapter_dir.starts_with(&format!("ch{nn}-")) =>
            {
                report.add(
                    &manifest,
                    None,
                    format!(
                        "`{}` sits in {}, another chapter",
                        listing.name, listing.chapter_dir
                    ),
                    "move it, or renumber it after its chapter",
                )
            }
            Some(_) => {}
        }
        let page_path = crate::listings::workspace_root()
            .join("src")
            .join(format!("{}.md", listing.chapter_dir));
        let listing_uses = uses.get(listing.dir.as_path());
        let on_its_page = listing_uses
            .is_some_and(|u| u.iter().any(|(p, _)| p.path == page_path));
        if !on_its_page {
            report.add(
                &manifest,
                None,
                format!(
                    "orphan listing: src/{}.md does not include {}",
                    listing.chapter_dir, listing.name
                ),
                "include it on its chapter's page, or delete the crate",
            );
        }
        let page = book.pages.iter().find(|p| p.path == page_path);
        if let (Some(page), Some((chapter, number))) = (page, listing.number())
        {
            check_caption_count(page, listing, (chapter, number), report);
        }
        check_test_written(listing, report);
        check_recorded_files(listing, listing_uses, report);
    }
}

/// A numbered listing on its page has exactly one caption. A missing one
/// is reported at the listing's code block, a second one at itself.
fn check_caption_count(
    page: &Page,
    listing: &Listing,
    (chapter, number): (u32, u32),
    report: &mut Report,
) {
    let lines: Vec<usize> = page
        .captions
        .iter()
        .filter(|c| (c.1, c.2) == (chapter, number))
        .map(|c| c.0)
        .collect();
    let source = listing.source();
    let block = page
        .includes
        .iter()
        .find(|i| normalize(&i.file) == source)
        .and_then(|i| page.blocks.get(i.block?));
    let Some(block) = block else {
        return; // not on its page: reported as an orphan
    };
    let caption = format!(
        "<span class=\"caption\">Listing {chapter}-{number}: what it \
         shows</span>"
    );
    match lines.as_slice() {
        [] => report.add(
            &page.path,
            Some(block.line),
            format!("{} has no caption", listing.name),
            format!("right after this block add {caption}"),
        ),
        [_] => {}
        [_, second, ..] => report.add(
            &page.path,
            Some(*second),
            format!(
                "a second caption for {} ({} in all)",
                listing.name,
                lines.len()
            ),
            format!("keep one {caption}, right after its block"),
        ),
    }
}

/// Whether `manifest` (a listing's `Cargo.toml`) declares `src/main.rs`
/// as a program cargo builds only with a feature asked for
/// (`required-features`), as a negative example's must be: the
/// workspace's build must not compile it. A `[[bin]]` without `path` is
/// `src/main.rs` when it is named after the package, as cargo infers.
fn builds_only_when_asked(manifest: &str) -> bool {
    let Ok(table) = manifest.parse::<toml::Table>() else {
        return false;
    };
    let package = table
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str());
    let bins = table.get("bin").and_then(|b| b.as_array());
    bins.into_iter().flatten().any(|bin| {
        let main = match bin.get("path").and_then(|p| p.as_str()) {
            Some(path) => path.trim_start_matches("./") == "src/main.rs",
            None => {
                package.is_some()
                    && bin.get("name").and_then(|n| n.as_str()) == package
            }
        };
        main && bin
            .get("required-features")
            .and_then(|f| f.as_array())
            .is_some_and(|f| !f.is_empty())
    })
}

/// The test `cargo xtask new-listing` writes fails until it is replaced
/// by one that asserts the listing's claim; this says so before anything
/// is compiled.
fn check_test_written(listing: &Listing, report: &mut Report) {
    if listing.kind != Kind::Program {
        return;
    }
    let source = listing.source();
    let text = std::fs::read_to_string(&source).unwrap_or_default();
    if let Some(line) = text
        .lines()
        .position(|l| l.contains(crate::scaffold::UNWRITTEN_TEST))
    {
        report.add(
            &source,
            Some(line + 1),
            format!("{}'s test is still the scaffold's stub", listing.name),
            "write the test: assert the claim the prose makes about this \
             program (CONTRIBUTING.md, \"Tests in a listing\")",
        );
    }
}

fn check_recorded_files(
    listing: &Listing,
    uses: Option<&Vec<(&Page, usize)>>,
    report: &mut Report,
) {
    let shown = |file: &Path| {
        uses.is_some_and(|u| {
            u.iter().any(|(page, line)| {
                page.includes.iter().any(|i| {
                    i.line == *line && normalize(&i.file) == normalize(file)
                })
            })
        })
    };
    let output = listing.output_file();
    if output.exists() && !shown(&output) {
        report.add(
            &output,
            None,
            "a recorded output no page shows",
            "include it in a ```text block after its listing, or delete it",
        );
    }
    if listing.kind == Kind::CompileFail {
        let stderr = listing.stderr_file();
        // A page that includes a missing record hears "not recorded" from
        // the include check; here, a record no page includes.
        if !shown(&stderr) {
            let (message, fix) = if stderr.exists() {
                (
                    "the recorded compiler error is not shown on the page",
                    "include it in a ```text block after the listing"
                        .to_string(),
                )
            } else {
                (
                    "a negative example without its recorded compiler error",
                    format!(
                        "run `cargo xtask outputs {}` to record it, and \
                         include it in a ```text block after the listing",
                        listing.name
                    ),
                )
            };
            report.add(&stderr, None, message, fix);
        }
        let manifest_text =
            std::fs::read_to_string(listing.dir.join("Cargo.toml"))
                .unwrap_or_default();
        if !builds_only_when_asked(&manifest_text) {
            report.add(
                &listing.dir.join("Cargo.toml"),
                None,
                "a compile-fail listing whose src/main.rs cargo would build \
                 with the workspace",
                "declare it as a [[bin]] with `required-features = \
                 [\"refused\"]` and a feature `refused = []`, as `cargo \
                 xtask new-listing CH --negative` does",
            );
        }
        if output.exists() {
            report.add(
                &output,
                None,
                "a program that does not compile has no output",
                "delete it",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_negative_example_must_be_a_program_cargo_builds_only_when_asked() {
        let scaffold = crate::scaffold::manifest("listing-05-09", true);
        assert!(builds_only_when_asked(&scaffold));
        let no_path = scaffold.replace("path = \"src/main.rs\"\n", "");
        assert!(builds_only_when_asked(&no_path), "{no_path}");
        let dotted = scaffold.replace("\"src/main.rs\"", "\"./src/main.rs\"");
        assert!(builds_only_when_asked(&dotted));
        let always =
            scaffold.replace("required-features = [\"refused\"]\n", "");
        assert!(!builds_only_when_asked(&always), "{always}");
        // A `[[bin]]` without a path named otherwise is `src/bin/<name>.rs`.
        let other = no_path.replace(
            "[[bin]]\nname = \"listing-05-09\"",
            "[[bin]]\nname = \"other\"",
        );
        assert!(!builds_only_when_asked(&other), "{other}");
        let program = crate::scaffold::manifest("listing-05-09", false);
        assert!(!builds_only_when_asked(&program));
    }

    fn listing(dir: &Path, kind: Kind) -> Listing {
        Listing::sample("listing-05-07", dir, "ch05-mutexes", kind)
    }

    fn messages(report: Report) -> String {
        report.finish("test").err().unwrap_or_default()
    }

    #[test]
    fn ci_runs_the_readme_command_through_the_workflow() {
        let root = std::env::temp_dir()
            .join(format!("xtask-ci-command-{}", std::process::id()));
        std::fs::create_dir_all(root.join(".ci")).unwrap();
        std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
        std::fs::write(root.join(".ci/run"), "exec cargo xtask test\n")
            .unwrap();
        std::fs::write(root.join("README.md"), "cargo xtask test\n").unwrap();
        let steps = "      - name: test\n        run: .ci/run\n";
        std::fs::write(root.join(WORKFLOW), steps).unwrap();
        let check = || {
            let mut report = Report::default();
            ci_runs_the_readme_command(&root, &mut report);
            messages(report)
        };
        assert_eq!(check(), "");
        let own = steps.replace(".ci/run", "cargo xtask test --full");
        std::fs::write(root.join(WORKFLOW), own).unwrap();
        assert!(check().contains("does not run `.ci/run`"));
        std::fs::write(root.join(WORKFLOW), steps).unwrap();
        std::fs::write(root.join("README.md"), "cargo xtask tests\n").unwrap();
        assert!(check().contains("which README.md does not give"));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn every_playground_crate_is_linked_and_listed() {
        let root = std::env::temp_dir()
            .join(format!("xtask-playground-{}", std::process::id()));
        std::fs::create_dir_all(root.join("ci/page-tests")).unwrap();
        std::fs::create_dir_all(root.join("theme")).unwrap();
        let deps: String = PLAYGROUND_CRATES
            .iter()
            .map(|c| format!("{c}.workspace = true\n"))
            .collect();
        let ids: String = PLAYGROUND_CRATES
            .iter()
            .map(|c| format!("{{ id: \"{}\" }}, ", c.replace('-', "_")))
            .collect();
        std::fs::write(root.join("ci/page-tests/Cargo.toml"), &deps).unwrap();
        std::fs::write(root.join("theme/head.hbs"), &ids).unwrap();
        let mut report = Report::default();
        playground_crates_are_everywhere(&root, &mut report);
        assert_eq!(messages(report), "");
        let without = ids.replace("{ id: \"tokio_stream\" }, ", "");
        std::fs::write(root.join("theme/head.hbs"), without).unwrap();
        let mut report = Report::default();
        playground_crates_are_everywhere(&root, &mut report);
        let message = messages(report);
        assert!(
            message.contains("lacks `{ id: \"tokio_stream\" }`"),
            "{message}"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_chapter_ends_with_a_rehearsal_of_three_questions() {
        let question = "```rehearsal\n[[question]]\n```\n";
        let page =
            |tail: &str| format!("# T\n\n## What to Remember\n\n- x\n{tail}");
        let three = format!("\n## Rehearsal\n\n{}", question.repeat(3));
        assert_eq!(rehearsal_problem(&page(&three)), None);
        let two = format!("\n## Rehearsal\n\n{}", question.repeat(2));
        let (_, problem, _) = rehearsal_problem(&page(&two)).unwrap();
        assert!(problem.contains("2 question(s)"), "{problem}");
        let (line, problem, _) = rehearsal_problem(&page("")).unwrap();
        assert_eq!(line, Some(3));
        assert!(problem.contains("What to Remember"), "{problem}");
        // Questions above the Rehearsal, or a heading inside a fence, do
        // not count.
        let early = format!(
            "{question}{question}{question}{}",
            page("\n## Rehearsal\n")
        );
        assert!(rehearsal_problem(&early).is_some());
        let fenced = format!("{three}```text\n## Not a heading\n```\n");
        assert_eq!(rehearsal_problem(&page(&fenced)), None);
        assert!(rehearsal_problem("# T\n").is_some());
    }

    #[test]
    fn a_wrong_anchor_is_told_once_with_the_anchors_there_are() {
        let text = "// ANCHOR: all\nfn main() {}\n// ANCHOR_END: all\n\
                    // ANCHOR: tail\n// ANCHOR_END: tail\n";
        let (message, _) = anchor_problem(text, "al").expect("a problem");
        assert_eq!(message, "has no anchor `al` (its anchors: `all`, `tail`)");
        assert_eq!(anchor_problem(text, "all"), None);
        let (message, _) = anchor_problem("fn main() {}\n", "all").unwrap();
        assert!(message.ends_with("(it has no anchors)"), "{message}");
        let half = "// ANCHOR: all\nfn main() {}\n";
        let (message, fix) = anchor_problem(half, "all").unwrap();
        assert!(message.contains("no `// ANCHOR_END: all`"), "{message}");
        assert!(fix.contains("ANCHOR_END: all"), "{fix}");
    }

    #[test]
    fn a_missing_recording_is_not_recorded_and_a_wrong_path_is_a_path() {
        let dir = std::env::temp_dir().join("xtask-checks-unrecorded");
        let workspace = Workspace {
            listings: vec![listing(&dir, Kind::Program)],
            strays: Vec::new(),
            target_dir: dir.join("target"),
        };
        let page = Page::parse(
            &dir.join("../page.md"),
            "```text\n\
             {{#include xtask-checks-unrecorded/output.txt}}\n```\n\n\
             ```text\n\
             {{#include xtask-checks-unrecorded/outptu.txt}}\n```\n",
        );
        let mut report = Report::default();
        check_includes(&page, &workspace, &mut report);
        let text = messages(report);
        assert!(
            text.contains(":2: ")
                && text.contains(
                    "output.txt: not recorded\n    fix: run \
                                  `cargo xtask outputs listing-05-07`"
                ),
            "{text}"
        );
        assert!(
            text.contains(":6: ")
                && text.contains(
                    "outptu.txt does not exist\n    fix: fix the path"
                ),
            "{text}"
        );
    }

    #[test]
    fn an_output_follows_its_own_listing_block() {
        let dir = std::env::temp_dir().join("xtask-checks-output-owner");
        let other = dir.with_file_name("xtask-checks-output-other");
        for listing in [&dir, &other] {
            std::fs::create_dir_all(listing).unwrap();
            std::fs::write(listing.join("output.txt"), "a run\n").unwrap();
        }
        let workspace = Workspace {
            listings: vec![
                listing(&dir, Kind::Program),
                Listing::sample(
                    "listing-05-08",
                    &other,
                    "ch05-mutexes",
                    Kind::Program,
                ),
            ],
            strays: Vec::new(),
            target_dir: dir.join("target"),
        };
        let page = |recording: &str| {
            Page::parse(
                &dir.join("../page.md"),
                &format!(
                    "# T\n\n```rust\n\
                     {{{{#rustdoc_include xtask-checks-output-owner/src/main.rs:all}}}}\n\
                     ```\n\n```text\n{{{{#include {recording}/output.txt}}}}\n```\n"
                ),
            )
        };
        let check = |recording: &str| {
            let mut report = Report::default();
            check_blocks(&page(recording), &workspace, &mut report);
            messages(report)
        };
        assert!(!check("xtask-checks-output-owner").contains("recording of"));
        let text = check("xtask-checks-output-other");
        assert!(
            text.contains(
                "page.md:7: the recording of listing-05-08 follows \
                 listing-05-07's code block"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_time_quoted_from_a_run_is_one_its_recording_holds() {
        let dir = std::env::temp_dir().join("xtask-checks-quoted-time");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("output.txt"), "@1ms a\n@81ms b\n@1201ms c\n")
            .unwrap();
        let workspace = Workspace {
            listings: vec![listing(&dir, Kind::Program)],
            strays: Vec::new(),
            target_dir: dir.join("target"),
        };
        // `before` on the page's third line, `after` on its eighth, below
        // the listing's block; a fenced block's text is no prose.
        let check = |before: &str, after: &str| {
            let text = format!(
                "# T\n\n{before}\n\n```rust\n\
                 {{{{#rustdoc_include xtask-checks-quoted-time/src/main.rs:all}}}}\n\
                 ```\n{after}\n\n```text\nIn this run, at 5 ms.\n```\n"
            );
            let page = Page::parse(&dir.join("../page.md"), &text);
            let mut report = Report::default();
            check_quoted_times(&page, &workspace, &mut report);
            messages(report)
        };
        assert_eq!(check("", "In the recorded run beat 2 came at 81 ms."), "");
        assert_eq!(check("", "In this run it ended at 1,201 ms."), "");
        // A time before the words naming the run is not one run's.
        assert_eq!(
            check("", "On the paused clock at 80 ms; 81 in this run."),
            ""
        );
        let text =
            check("", "In the recorded run, late; beat 2 came at 82 ms.");
        assert!(
            text.contains(
                "page.md:8: this line quotes the recorded run of \
                 listing-05-07 at 82 ms, a time"
            ),
            "{text}"
        );
        // An admonition's body is prose.
        let text = check("", "```admonish note\nIn this run, at 82 ms.\n```");
        assert!(
            text.contains("page.md:9: this line quotes the recorded run"),
            "{text}"
        );
        let text = check("In this run it ended at 81 ms.", "");
        assert!(
            text.contains(
                "page.md:3: this line quotes a run's time, at 81 ms, but no \
                 listing's code block comes before it"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_missing_caption_is_reported_at_its_listing_block() {
        let dir = std::env::temp_dir().join("xtask-checks-caption");
        let page = |text: &str| Page::parse(&dir.join("../page.md"), text);
        let block = "# T\n\n```rust\n\
                     {{#rustdoc_include xtask-checks-caption/src/main.rs:all}}\n\
                     ```\n";
        let listing = listing(&dir, Kind::Program);
        let mut report = Report::default();
        check_caption_count(&page(block), &listing, (5, 7), &mut report);
        let text = messages(report);
        assert!(
            text.contains("page.md:3: listing-05-07 has no caption"),
            "{text}"
        );
        let captioned = format!(
            "{block}\n<span class=\"caption\">Listing 5-7: one</span>\n\n\
             <span class=\"caption\">Listing 5-7: two</span>\n"
        );
        let mut report = Report::default();
        check_caption_count(&page(&captioned), &listing, (5, 7), &mut report);
        let text = messages(report);
        assert!(text.contains("page.md:9: a second caption"), "{text}");
        let once = format!(
            "{block}\n<span class=\"caption\">Listing 5-7: one</span>\n"
        );
        let mut report = Report::default();
        check_caption_count(&page(&once), &listing, (5, 7), &mut report);
        assert_eq!(messages(report), "");
    }
}
