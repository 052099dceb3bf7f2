//! The drift guard: what can be checked from the sources alone, in well
//! under a second, before anything is compiled.

use std::collections::BTreeMap;
use std::path::Path;

use regex::Regex;

use crate::book::{Block, Book, Directive, Page, Selector};
use crate::listings::{Kind, Listing, Workspace};
use crate::problem::Report;

/// Crates the Rust Playground offers, so Run works for a listing using them.
const PLAYGROUND_CRATES: &[&str] = &["tokio", "tokio-util"];

/// A reader's test command is what CI runs: the `cargo xtask` line of
/// `.ci/run` must stand, as a line of its own, in README.md.
pub fn ci_runs_the_readme_command(root: &Path, report: &mut Report) {
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

pub fn run(workspace: &Workspace, book: &Book, report: &mut Report) {
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
        check_includes(page, report);
        check_blocks(page, workspace, report);
        check_captions(page, workspace, report);
        check_scores(page, workspace, report);
    }
    check_listings(workspace, book, report);
}

fn check_includes(page: &Page, report: &mut Report) {
    for include in &page.includes {
        let shown = relative(&include.file);
        let shown = shown.display();
        let Ok(text) = std::fs::read_to_string(&include.file) else {
            report.add(
                &page.path,
                Some(include.line),
                format!("included file {shown} does not exist"),
                "fix the path (it is relative to the page's folder)",
            );
            continue;
        };
        match &include.selector {
            Selector::Whole => {}
            Selector::Anchor(name) => {
                for marker in ["ANCHOR", "ANCHOR_END"] {
                    if !has_marker(&text, marker, name) {
                        report.add(
                            &page.path,
                            Some(include.line),
                            format!("{shown} has no `// {marker}: {name}`"),
                            format!(
                                "add `// ANCHOR: {name}` and \
                                 `// ANCHOR_END: {name}` around the shown \
                                 part, or fix the anchor name"
                            ),
                        );
                    }
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
                }
            }
            _ => {}
        }
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
    if negative {
        let code = block
            .tokens()
            .into_iter()
            .find(|t| t.len() == 5 && t.starts_with('E'))
            .map(str::to_string);
        let stderr =
            std::fs::read_to_string(listing.stderr_file()).unwrap_or_default();
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
                        listing.stderr_file().display()
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
        let captioned = page
            .blocks
            .iter()
            .enumerate()
            .rfind(|(_, b)| b.language() == "rust" && b.line < line)
            .and_then(|(index, _)| {
                page.includes.iter().find(|i| i.block == Some(index))
            })
            .and_then(|i| owner(workspace, &i.file))
            .and_then(Listing::number);
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
        if number <= previous {
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
    for stray in &workspace.strays {
        report.add(
            stray,
            None,
            "a folder under listings/ that is not a workspace crate",
            "give it a Cargo.toml (`cargo xtask new-listing`) or delete it",
        );
    }
    let name_rule = Regex::new(
        r"^(listing-(\d\d)-\d\d|(?:no-listing|output-only)-(\d\d)-[a-z0-9-]+)$",
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
                "use listing-NN-MM, no-listing-NN-what or output-only-NN-what",
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
        if let Some((chapter, number)) = listing.number() {
            let captions = book
                .pages
                .iter()
                .filter(|p| p.path == page_path)
                .flat_map(|p| &p.captions)
                .filter(|c| (c.1, c.2) == (chapter, number))
                .count();
            if on_its_page && captions != 1 {
                report.add(
                    &page_path,
                    None,
                    format!(
                        "{} needs exactly one caption, found {captions}",
                        listing.name
                    ),
                    format!(
                        "after its block add <span class=\"caption\">\
                         Listing {chapter}-{number}: what it shows</span>"
                    ),
                );
            }
        }
        check_recorded_files(listing, listing_uses, report);
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
        if !stderr.exists() {
            report.add(
                &stderr,
                None,
                "a negative example without its recorded compiler error",
                "run `cargo xtask outputs` to record it",
            );
        } else if !shown(&stderr) {
            report.add(
                &stderr,
                None,
                "the recorded compiler error is not shown on the page",
                "include it in a ```text block after the listing",
            );
        }
        if !listing.dir.join("tests/compile_fail.rs").exists() {
            report.add(
                &listing.dir.join("Cargo.toml"),
                None,
                "a compile-fail listing without tests/compile_fail.rs",
                "scaffold it with `cargo xtask new-listing CH --negative`",
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
