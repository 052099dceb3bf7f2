//! The rendered pages: mdBook expands every include into Markdown
//! (`book/markdown/`), and every Rust block there is tested as a reader sees
//! it, hidden lines included.
//!
//! skeptic compiles and runs each block (edition 2021). It has no
//! `compile_fail`, so negative examples are checked here instead: each
//! `compile_fail` block on a page must be, line for line, the source of a
//! negative listing, whose own trybuild test proves it fails with the
//! recorded error. They are taken out of the copy that skeptic reads.

use std::path::{Path, PathBuf};

use crate::book::{Block, Page};
use crate::listings::{Kind, Workspace};
use crate::problem::Report;
use crate::tools::Tools;

pub fn book_dir(root: &Path) -> PathBuf {
    root.join("book")
}

/// `book/html` for readers and `book/markdown` for the page tests. Any
/// warning or error mdBook prints fails the stage: mdBook itself exits 0
/// when an include is missing.
pub fn render(tools: &Tools, root: &Path) -> Result<(), String> {
    let output = tools
        .mdbook_command(root)
        .arg("build")
        .env("MDBOOK_OUTPUT__MARKDOWN", "{}")
        .output()
        .map_err(|e| format!("could not run mdbook: {e}"))?;
    let log = String::from_utf8_lossy(&output.stderr);
    let complaints: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("WARN") || l.contains("ERROR"))
        .collect();
    if !output.status.success() || !complaints.is_empty() {
        return Err(format!("mdbook build reported:\n{log}"));
    }
    println!("rendered {}", book_dir(root).display());
    Ok(())
}

/// Removes `# ` hiding and anchor lines: the program the Run button gets.
fn full_program(lines: &[String]) -> String {
    lines
        .iter()
        .map(|line| {
            let trimmed = line.trim_start();
            if trimmed == "#" {
                ""
            } else if let Some(rest) = trimmed.strip_prefix("# ") {
                rest
            } else {
                line.as_str()
            }
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

fn without_anchors(source: &str) -> String {
    source
        .lines()
        .filter(|l| !l.contains("ANCHOR:") && !l.contains("ANCHOR_END:"))
        .map(|l| format!("{l}\n"))
        .collect()
}

pub fn test(root: &Path, workspace: &Workspace) -> Result<(), String> {
    let negatives: Vec<(String, String)> = workspace
        .listings
        .iter()
        .filter(|l| l.kind == Kind::CompileFail)
        .filter_map(|l| {
            let source = std::fs::read_to_string(l.source()).ok()?;
            Some((l.name.clone(), without_anchors(&source)))
        })
        .collect();

    let rendered = book_dir(root).join("markdown");
    // Pages are restaged only when they changed, so an unchanged book does
    // not make skeptic regenerate and rebuild its tests.
    let staged = root.join("target/page-tests");
    std::fs::create_dir_all(&staged)
        .map_err(|e| format!("{}: {e}", staged.display()))?;
    let mut stale: Vec<PathBuf> = std::fs::read_dir(&staged)
        .map_err(|e| format!("{}: {e}", staged.display()))?
        .flatten()
        .map(|e| e.path())
        .collect();

    let mut report = Report::default();
    let (mut tested, mut negative) = (0, 0);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&rendered)
        .map_err(|e| {
            format!("{}: {e} (was the book rendered?)", rendered.display())
        })?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    for file in &files {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        let page = Page::parse(file, &text);
        let mut kept: Vec<&str> = text.lines().collect();
        for block in page.blocks.iter().rev() {
            if block.language() != "rust" {
                continue;
            }
            if !block.has("compile_fail") {
                tested += 1;
                continue;
            }
            negative += 1;
            check_negative(file, block, &negatives, &mut report);
            let end = (block.line + block.body.len()).min(kept.len() - 1);
            kept.drain(block.line - 1..=end);
        }
        let staged_file = staged.join(file.file_name().expect("a file name"));
        stale.retain(|f| *f != staged_file);
        let content = kept.join("\n") + "\n";
        if std::fs::read_to_string(&staged_file).ok() != Some(content.clone()) {
            std::fs::write(&staged_file, content)
                .map_err(|e| format!("{}: {e}", staged_file.display()))?;
        }
    }
    for gone in stale {
        std::fs::remove_file(&gone)
            .map_err(|e| format!("{}: {e}", gone.display()))?;
    }
    report.finish("negative-example check")?;
    println!(
        "{} pages: {tested} Rust blocks go to skeptic, {negative} compile_fail \
         blocks are negative listings checked by trybuild",
        files.len()
    );
    crate::run(
        std::process::Command::new(crate::env_cargo())
            .args(["test", "--package", "page-tests", "--quiet"])
            .env("BOOK_PAGES", &staged)
            .current_dir(root),
        "a Rust block on a rendered page failed (skeptic names it \
         <page>_line_<N>: the line in book/markdown/<page>.md)",
    )
}

fn check_negative(
    file: &Path,
    block: &Block,
    negatives: &[(String, String)],
    report: &mut Report,
) {
    let program = full_program(&block.body);
    if !negatives.iter().any(|(_, source)| *source == program) {
        report.add(
            file,
            Some(block.line),
            "this compile_fail block is not the source of any negative \
             listing, so nothing proves it fails as the page says",
            "include a `kind = \"compile-fail\"` listing's src/main.rs",
        );
    }
}
