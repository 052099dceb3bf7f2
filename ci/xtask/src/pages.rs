//! The rendered pages: mdBook expands every include into Markdown
//! (`book/markdown/`), and every Rust block there is tested as a reader sees
//! it, hidden lines included.
//!
//! skeptic compiles each block as a program (edition 2021), and runs
//! none: see [`checked_only`]. It has no
//! `compile_fail`, so negative examples are checked here instead: each
//! `compile_fail` block on a page must be, line for line, the source of a
//! negative listing, which `cargo xtask test` proves fails with the
//! recorded error ([`crate::negatives`]). They are taken out of the copy
//! that skeptic reads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::background::{Background, Beside, Finish};
use crate::book::{Block, Page};
use crate::cache::{self, Cache, Key};
use crate::incremental::Built;
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
    let log: String = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| !crate::tools::is_version_notice(l))
        .map(|l| format!("{l}\n"))
        .collect();
    let complaints: Vec<&str> = log
        .lines()
        .filter(|l| crate::tools::is_complaint(l))
        .collect();
    if !output.status.success() || !complaints.is_empty() {
        return Err(format!("mdbook build reported:\n{log}"));
    }
    println!("rendered {}", book_dir(root).display());
    crate::slim::book(root, &book_dir(root).join("html"))
}

/// [`render`], skipped when its inputs are those of the last render and
/// `book/html` and `book/markdown` are as that render left them. Returns a
/// note for the stage summary.
///
/// The inputs: `book.toml`, `src/`, `theme/`, `listings/`, the score
/// preprocessor `ci/score` and the rules it keys rehearsals with,
/// `ci/recording`, every other file a page includes, the pinned
/// tools, `ci/browser` and Node.js (whose `slim.mjs` post-processes the
/// pages), and what every key holds (the xtask; the toolchain and
/// `Cargo.lock`, which build `mdbook-score`).
pub fn render_cached(
    tools: &Tools,
    root: &Path,
    cache: &Cache,
) -> Result<String, String> {
    let inputs = render_inputs(root)?;
    if cache.fresh("render", "inputs", inputs)
        && cache.fresh("render", "outputs", rendered(root))
    {
        return Ok("sources unchanged and book/ as rendered, skipped".into());
    }
    render(tools, root)?;
    cache.record("render", "inputs", inputs)?;
    cache.record("render", "outputs", rendered(root))?;
    Ok(match cache.full() {
        Some(why) => format!("rendered: {why}"),
        None => "rendered: its sources changed".into(),
    })
}

fn render_inputs(root: &Path) -> Result<Key, String> {
    let mut inputs = cache::common(root);
    inputs.file(root, &root.join("book.toml"));
    // ci/recording: its rules derive the rehearsals' keys (ci/score).
    for dir in [
        "src",
        "theme",
        "listings",
        "ci/score",
        "ci/recording",
        "ci/browser",
    ] {
        inputs.tree(root, &root.join(dir), &["target", "node_modules"]);
    }
    inputs.add("node", cache::version("node", &["--version"]).as_bytes());
    for page in crate::book::Book::load(root)?.pages {
        for include in &page.includes {
            inputs.file(root, &include.file);
        }
        for (_, score) in &page.scores {
            inputs.file(root, score);
        }
    }
    for (tool, version) in crate::tools::PINNED {
        inputs.add(tool, version.as_bytes());
    }
    Ok(inputs.key())
}

/// What the last render left: every file of `book/html` and
/// `book/markdown`, and mdBook's own search index, which slimming the book
/// keeps beside them (`ci/browser/search-index.mjs`).
fn rendered(root: &Path) -> Key {
    let mut outputs = cache::Fingerprint::new("rendered");
    for dir in ["html", "markdown"] {
        outputs.tree(root, &book_dir(root).join(dir), &[]);
    }
    outputs.file(root, &book_dir(root).join("mdbook-searchindex.js"));
    outputs.key()
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

/// `block`'s opening `fence`, marked `no_run` for skeptic: it compiles
/// the block as a program (rustc's checks, no code generation) and does
/// not run it. Running each program is its listing's work: a program
/// listing's recorded-output test runs it and compares what it prints,
/// and the exercise stage runs each exercise's `main`; the browser tests
/// prove that each block on a page is its listing's source.
fn checked_only(block: &Block, fence: &str) -> String {
    let fence = fence.trim_end();
    if block.has("no_run") {
        fence.to_string()
    } else {
        format!("{fence},no_run")
    }
}

fn without_anchors(source: &str) -> String {
    source
        .lines()
        .filter(|l| !l.contains("ANCHOR:") && !l.contains("ANCHOR_END:"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The pages staged for skeptic ([`stage`]): which pages' blocks run, and
/// how many Rust blocks each holds.
pub struct Staged {
    plan: cache::Plan,
    blocks: HashMap<String, usize>,
}

/// Checks the `compile_fail` blocks and stages the pages for skeptic in
/// [`crate::incremental::PAGES`], where the page tests' build script reads
/// them: before the build, which compiles the page tests with every other
/// crate.
pub fn stage(
    root: &Path,
    workspace: &Workspace,
    cache: &Cache,
) -> Result<Staged, String> {
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
    let staged = root.join(crate::incremental::PAGES);
    std::fs::create_dir_all(&staged)
        .map_err(|e| format!("{}: {e}", staged.display()))?;
    let mut stale: Vec<PathBuf> = std::fs::read_dir(&staged)
        .map_err(|e| format!("{}: {e}", staged.display()))?
        .flatten()
        .map(|e| e.path())
        .collect();

    let mut report = Report::default();
    let (mut tested, mut negative) = (0, 0);
    // Each staged page with its key and its number of Rust blocks.
    let mut work = Vec::new();
    let mut blocks = HashMap::new();
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
        let mut kept: Vec<String> = text.lines().map(String::from).collect();
        let mut programs = 0;
        for block in page.blocks.iter().rev() {
            if block.language() != "rust" {
                continue;
            }
            if !block.has("compile_fail") {
                programs += 1;
                let fence = &mut kept[block.line - 1];
                *fence = checked_only(block, fence);
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
        let name = test_prefix(file);
        work.push((name.clone(), page_key(root, &name, &content)));
        blocks.insert(name, programs);
        tested += programs;
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
         blocks are negative listings rustc must refuse",
        files.len()
    );
    Ok(Staged {
        plan: cache.plan("skeptic", work),
        blocks,
    })
}

/// The page tests' program, running; [`Running::finish`] waits for it.
pub struct Running {
    tests: Background,
    staged: Staged,
}

/// Runs the Rust blocks of each staged page whose text changed since it
/// last passed (every page in a full run), beside the stages that follow,
/// writing to `log`: the page tests' program that `built` holds, run
/// directly, so that no cargo lock is held while it runs.
pub fn start(
    root: &Path,
    staged: Staged,
    built: &Built,
    cache: &Cache,
    log: &Path,
) -> Result<Beside, String> {
    let plan = &staged.plan;
    let expected: usize =
        plan.stale_names().iter().map(|n| staged.blocks[*n]).sum();
    if expected == 0 {
        plan.record(cache)?;
        return Ok(Beside::Skipped(plan.note("pages")));
    }
    let dir = root.join("ci/page-tests");
    // cargo 1.95 names a test's program after its target, `pages`, and a
    // hash (seen, not documented: cargo promises no file names; a change
    // fails here, saying so).
    let program = built
        .in_dir(&dir)
        .iter()
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("pages-"))
        })
        .ok_or_else(|| {
            format!(
                "the build made no program of the page tests' \
                 tests/pages.rs in {}",
                dir.display()
            )
        })?;
    // skeptic compiles the blocks in a pool of one rustc a core (its
    // default): 6 s and 10 CPU-seconds for 141 blocks, where compiling
    // and running them took 20 s and 41 (`checked_only` says why no run
    // is needed). As `cargo test` runs it: in its package's folder.
    let mut command = std::process::Command::new(program);
    command.current_dir(&dir);
    if cache.full().is_none() {
        for name in plan.stale_names() {
            command.args(tests_of(name));
        }
    }
    let tests = Background::start(&mut command, Some(log), "the page tests")?;
    Ok(Beside::Running(Box::new(Running { tests, staged })))
}

impl Finish for Running {
    /// Waits for the page tests, prints what they said but the line of
    /// each passing test, and records the pages whose every block passed.
    /// Returns the stage's note.
    fn finish(self: Box<Self>, cache: &Cache) -> Result<String, String> {
        let Running { tests, staged } = *self;
        let Staged { plan, blocks } = staged;
        let ended = tests.wait()?;
        let results = read_tests(ended.status.success(), &ended.log);
        // A page passed when every one of its Rust blocks ran and passed.
        let passed = |name: &str| {
            let (ran, failed) = results.of(name);
            ran >= blocks[name] && !failed
        };
        plan.record_passed(cache, passed)?;
        if !results.success {
            return Err("a Rust block on a rendered page failed (skeptic names \
                        it <page>_line_<N>: the line in book/markdown/<page>.md)"
                .into());
        }
        let short: Vec<String> = plan
            .stale_names()
            .into_iter()
            .filter(|n| !passed(n))
            .map(|n| format!("{n} ({} of {})", results.of(n).0, blocks[n]))
            .collect();
        if !short.is_empty() {
            return Err(format!(
                "skeptic passed fewer tests than the pages have Rust blocks: \
                 {}; does it still name its tests <page>_line_<N>?",
                short.join(", ")
            ));
        }
        Ok(ended.note(&plan.note("pages")))
    }
}

/// skeptic names a block's test `<page>_line_<N>`, or
/// `<page>_sect_<heading>_line_<N>` under a heading: libtest filters that
/// select a page's tests.
fn tests_of(page: &str) -> [String; 2] {
    [format!("{page}_line_"), format!("{page}_sect_")]
}

/// What libtest reported, test by test.
struct TestResults {
    success: bool,
    /// Each test that ran: its name and whether it passed.
    tests: Vec<(String, bool)>,
}

impl TestResults {
    /// How many of `page`'s tests passed, and whether any failed.
    fn of(&self, page: &str) -> (usize, bool) {
        let [line, sect] = tests_of(page);
        let mine = self.tests.iter().filter(|(name, _)| {
            name.starts_with(&line) || name.starts_with(&sect)
        });
        let passed = mine.clone().filter(|(_, ok)| *ok).count();
        (passed, mine.clone().any(|(_, ok)| !ok))
    }
}

/// What the page tests said (`log`): printed but for the line of each
/// passing test, and each test's result.
fn read_tests(success: bool, log: &str) -> TestResults {
    let mut tests = Vec::new();
    for line in log.lines() {
        match test_result(line) {
            Some((name, true)) => tests.push((name.to_string(), true)),
            Some((name, false)) => {
                tests.push((name.to_string(), false));
                println!("{line}");
            }
            None if line.is_empty() => {}
            None => println!("{line}"),
        }
    }
    TestResults { success, tests }
}

/// `("ch03_threads_line_12", true)` from libtest's
/// `test ch03_threads_line_12 ... ok` (`... FAILED` is false).
fn test_result(line: &str) -> Option<(&str, bool)> {
    let (name, result) = line.strip_prefix("test ")?.split_once(" ... ")?;
    match result {
        "ok" => Some((name, true)),
        "FAILED" => Some((name, false)),
        _ => None,
    }
}

/// The name skeptic starts a page's tests with: its file stem, lower case,
/// every run of other characters than ASCII letters and digits one `_`.
fn test_prefix(file: &Path) -> String {
    let stem = file.file_stem().unwrap_or_default().to_string_lossy();
    stem.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// A page's skeptic tests depend on its staged text, the page-tests crate
/// and what every key holds (toolchain, `Cargo.lock`, the xtask).
fn page_key(root: &Path, name: &str, staged: &str) -> Key {
    let mut fingerprint = cache::common(root);
    fingerprint.add("page", name.as_bytes());
    fingerprint.add("staged", staged.as_bytes());
    fingerprint.tree(root, &root.join("ci/page-tests"), &["target"]);
    fingerprint.key()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A checkout with one chapter, which includes a listing and a file
    /// outside the folders render_inputs reads whole.
    fn checkout(name: &str) -> PathBuf {
        let root = std::env::temp_dir()
            .join(format!("xtask-render-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (file, text) in [
            ("book.toml", "[book]\n"),
            ("src/SUMMARY.md", "- [One](ch01.md)\n"),
            (
                "src/ch01.md",
                "{{#include ../listings/ch01/l/src/main.rs}}\n\
                 {{#include ../notes/aside.md}}\n",
            ),
            ("listings/ch01/l/src/main.rs", "fn main() {}\n"),
            ("notes/aside.md", "An aside.\n"),
            ("theme/book.css", "body {}\n"),
            ("ci/score/src/main.rs", "fn main() {}\n"),
            ("ci/browser/slim.mjs", "slim()\n"),
            ("ci/browser/node_modules/esbuild/x.js", "x\n"),
            ("book/html/ch01.html", "<p>One</p>\n"),
            ("book/markdown/ch01.md", "One\n"),
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        root
    }

    #[test]
    fn the_render_key_changes_with_each_kind_of_input() {
        let root = checkout("inputs");
        let first = render_inputs(&root).unwrap();
        assert_eq!(render_inputs(&root).unwrap(), first, "nothing changed");
        for (file, what) in [
            ("book.toml", "the book's settings"),
            ("src/ch01.md", "a chapter"),
            ("listings/ch01/l/src/main.rs", "a listing"),
            ("notes/aside.md", "an included file outside src/"),
            ("theme/book.css", "the theme"),
            ("ci/score/src/main.rs", "the score preprocessor"),
            ("ci/browser/slim.mjs", "the script that slims the pages"),
        ] {
            let path = root.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, format!("{text}\n")).unwrap();
            assert_ne!(render_inputs(&root).unwrap(), first, "{what} changed");
            std::fs::write(&path, text).unwrap();
        }
        std::fs::write(root.join("ci/browser/node_modules/esbuild/x.js"), "y")
            .unwrap();
        assert_eq!(
            render_inputs(&root).unwrap(),
            first,
            "installed packages count by their lock file"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_pages_skeptic_key_changes_with_its_text_and_the_test_crate() {
        let root = checkout("skeptic");
        let build = root.join("ci/page-tests/build.rs");
        std::fs::create_dir_all(build.parent().unwrap()).unwrap();
        std::fs::write(&build, "fn main() {}\n").unwrap();
        let first = page_key(&root, "ch01", "```rust\nfn main() {}\n```\n");
        let key = |name: &str, text: &str| page_key(&root, name, text);
        assert_eq!(key("ch01", "```rust\nfn main() {}\n```\n"), first);
        assert_ne!(key("ch01", "```rust\nfn main() { }\n```\n"), first);
        assert_ne!(key("ch02", "```rust\nfn main() {}\n```\n"), first);
        std::fs::write(&build, "fn main() { generate() }\n").unwrap();
        assert_ne!(key("ch01", "```rust\nfn main() {}\n```\n"), first);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_touched_rendered_book_is_rendered_again() {
        let root = checkout("outputs");
        let first = rendered(&root);
        std::fs::write(root.join("book/html/ch01.html"), "<p>1</p>").unwrap();
        assert_ne!(rendered(&root), first, "a page was changed by hand");
        std::fs::remove_file(root.join("book/markdown/ch01.md")).unwrap();
        std::fs::write(root.join("book/html/ch01.html"), "<p>One</p>\n")
            .unwrap();
        assert_ne!(rendered(&root), first, "a page was removed");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn skeptic_compiles_every_block_and_runs_none() {
        let mark = |fence: &str| {
            let page =
                Page::parse(Path::new("p.md"), &format!("{fence}\n```\n"));
            checked_only(&page.blocks[0], fence)
        };
        assert_eq!(mark("```rust"), "```rust,no_run");
        assert_eq!(
            mark("  ```rust,noplayground  "),
            "  ```rust,noplayground,no_run"
        );
        assert_eq!(mark("```rust,no_run"), "```rust,no_run");
        assert_eq!(mark("```rust, no_run"), "```rust, no_run");
    }

    #[test]
    fn a_page_is_named_as_skeptic_names_its_tests() {
        let name = |f: &str| test_prefix(Path::new(f));
        assert_eq!(name("book/markdown/ch03-threads.md"), "ch03_threads");
        assert_eq!(name("x/Why--Rust Async.md"), "why_rust_async");
    }

    #[test]
    fn libtest_lines_give_each_tests_result() {
        let ok = "test ch03_threads_line_12 ... ok";
        assert_eq!(test_result(ok), Some(("ch03_threads_line_12", true)));
        let failed = "test ch05_mutexes_sect_a_line_3 ... FAILED";
        assert_eq!(
            test_result(failed),
            Some(("ch05_mutexes_sect_a_line_3", false))
        );
        assert_eq!(test_result("test x ... ignored"), None);
        assert_eq!(test_result("running 12 tests"), None);
        assert_eq!(test_result("test result: ok. 12 passed; 0 failed"), None);
    }

    #[test]
    fn each_page_is_credited_only_with_its_own_tests() {
        let results = TestResults {
            success: false,
            tests: [
                ("ch03_threads_line_5", true),
                ("ch03_threads_sect_a_baton_line_9", true),
                ("ch03_threads_extra_line_2", false),
                ("ch03_line_7", true),
                ("ch05_mutexes_line_4", false),
            ]
            .map(|(name, ok)| (name.to_string(), ok))
            .to_vec(),
        };
        assert_eq!(results.of("ch03_threads"), (2, false));
        assert_eq!(results.of("ch03_threads_extra"), (0, true));
        assert_eq!(results.of("ch03"), (1, false));
        assert_eq!(results.of("ch05_mutexes"), (0, true));
        assert_eq!(results.of("ch09_await"), (0, false), "never ran");
    }
}
