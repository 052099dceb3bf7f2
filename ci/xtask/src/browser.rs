//! The hosted book in a real browser: `ci/browser/*.test.mjs`, run by
//! node's test runner against `book/html` served on 127.0.0.1, in Debian's
//! Chromium driven by playwright-core (see `ci/browser/book.mjs`).
//!
//! Before the tests run this installs, saying so, what they need:
//! Chromium's headless shell and pdftotext (`apt-get install
//! chromium-headless-shell poppler-utils`, when running as root; otherwise
//! it fails saying what to install) and the
//! pinned npm packages (`npm ci` from
//! `ci/browser/package-lock.json`, when `node_modules` is missing or was
//! installed from another lock file). It also writes the map the tests check
//! every Rust block against: each page's Rust blocks, in order, with the
//! listing source each must hold (`target/browser/blocks.json`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Map, Value};

use crate::background::{Background, Beside, Finish};
use crate::book::{Book, Selector};
use crate::cache::{self, Cache, Fingerprint, Key};

/// Where Debian's chromium-headless-shell package puts the browser the
/// tests drive (see [`ensure_chromium`]).
const CHROMIUM: &str = "/usr/bin/chromium-headless-shell";
/// Where Debian's chromium package puts the desktop browser.
const DESKTOP_CHROMIUM: &str = "/usr/bin/chromium";
/// Where Debian's poppler-utils puts the tool that reads the PDF's text.
const PDFTOTEXT: &str = "/usr/bin/pdftotext";
/// The book for offline reading, printed from print.html by
/// `ci/browser/pages.test.mjs` (with `ci/browser/pdf.mjs`) into `book/`
/// (the deploy workflow publishes it).
const PDF: &str = "rust-as-music-part-iii-time.pdf";

/// The test files node starts first, in order; the others follow by name.
const FIRST: &[&str] = &["search.test.mjs", "pages.test.mjs", "site.test.mjs"];

/// Written into `node_modules` after a successful `npm ci`: the lock file it
/// installed, so a changed lock file reinstalls.
const STAMP: &str = ".installed-from-package-lock.json";

/// Runs `ci/browser/*.test.mjs` on the pages whose inputs changed since
/// they last passed (every page in a full run), and the site-wide checks
/// when any file of the built book changed. Returns a note for the stage
/// summary.
///
/// A page's inputs: its HTML; every other file of the built book that is
/// no page (CSS, JS, fonts, images) except the search index, which mdBook
/// 0.4.52 loads only once a reader opens the search; its Rust blocks and
/// the files its chapter includes or scores; and the harness (the tests
/// in `ci/browser` and the verdict cases in `ci/recording/verdicts.json`,
/// `theme/`, `book.toml`, the versions of Node.js and Chromium, the
/// xtask). The site-wide checks' inputs: every file of the built book,
/// every page's Rust blocks, and the harness.
pub fn test(root: &Path, cache: &Cache) -> Result<String, String> {
    start(root, cache, None)?.finish(cache)
}

/// node running the browser tests; [`Running::finish`] waits for it.
/// Dropped unfinished (another stage failed), it stops node.
pub struct Running {
    node: Background,
    report: PathBuf,
    pages: cache::Plan,
    site: cache::Plan,
    note: String,
}

/// Installs what the browser tests need and starts node on the pages
/// whose inputs changed, without waiting for it. With `log`, node writes
/// there instead of to the terminal, so other stages can run meanwhile
/// and print undisturbed; [`Running::finish`] prints the log.
pub fn start(
    root: &Path,
    cache: &Cache,
    log: Option<&Path>,
) -> Result<Beside, String> {
    let dir = root.join("ci/browser");
    let chromium = ensure_chromium()?;
    let pdftotext = ensure_pdftotext()?;
    ensure_node_modules(&dir)?;
    let book = Book::load(root)?;
    let (blocks, expected) = write_blocks(root, &book)?;
    let html = crate::pages::book_dir(root).join("html");
    let harness = harness(root, &dir, &[&chromium, &pdftotext]);

    let pages = cache.plan(
        "browser-page",
        page_keys(root, &html, &book, &expected, &harness)?,
    );
    let mut site = harness.clone();
    site.tree(root, &html, &[]);
    site.add("blocks", Value::Object(expected).to_string().as_bytes());
    let site = cache.plan("browser-site", vec![("book".into(), site.key())]);
    let note = if site.stale.is_empty() {
        pages.note("pages")
    } else {
        format!("{}; site-wide checks run", pages.note("pages"))
    };
    if pages.stale.is_empty() && site.stale.is_empty() {
        return Ok(Beside::Skipped(note));
    }

    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    // node starts the files in this order, two at a time: the longest
    // after an edit first (the checks every change of the HTML reruns),
    // so the shorter ones fill in beside them. Measured on the checks a
    // chapter edit reruns, alternating: 38.7 and 39.8 s, against 41.9 and
    // 43.5 s in name order.
    files.sort_by_key(|file| {
        let name = file.file_name().and_then(|n| n.to_str());
        let first = FIRST.iter().position(|f| Some(*f) == name);
        (first.unwrap_or(FIRST.len()), file.clone())
    });
    if files.is_empty() {
        return Err(format!("no *.test.mjs in {}", dir.display()));
    }
    // Which tests passed, page by page; one file per run, so a run reads
    // no other run's results.
    let report = root
        .join("target/browser")
        .join(format!("report-{}.tap", std::process::id()));
    let mut command = Command::new("node");
    command
        .args(["--test", "--test-concurrency=2"])
        .args(["--test-reporter=spec", "--test-reporter-destination=stdout"])
        .args(["--test-reporter=tap", "--test-reporter-destination"])
        .arg(&report)
        .args(&files)
        .current_dir(&dir)
        .env("BOOK_HTML", &html)
        .env("BOOK_BLOCKS", &blocks)
        .env("BOOK_CHROMIUM", &chromium)
        .env("BOOK_PDFTOTEXT", &pdftotext)
        .env("BOOK_PDF", crate::pages::book_dir(root).join(PDF));
    match cache.full() {
        None => command.env("BOOK_CHECK_PAGES", pages.stale_names().join("\n")),
        Some(_) => command.env_remove("BOOK_CHECK_PAGES"),
    };
    let node = Background::start(
        &mut command,
        log,
        "node (install Node.js 20 and npm)",
    )?;
    Ok(Beside::Running(Box::new(Running {
        node,
        report,
        pages,
        site,
        note,
    })))
}

impl Finish for Running {
    /// Waits for node, prints its log if it wrote one, and records the
    /// pages and site-wide checks that passed. Returns the stage's note.
    fn finish(self: Box<Self>, cache: &Cache) -> Result<String, String> {
        let Running {
            node,
            report,
            pages,
            site,
            note,
        } = *self;
        let ended = node.wait()?;
        print!("{}", ended.log);
        let tap = std::fs::read_to_string(&report).unwrap_or_default();
        let _ = std::fs::remove_file(&report);
        let all: Vec<&str> = pages
            .stale_names()
            .into_iter()
            .chain(pages.fresh.iter().map(String::as_str))
            .collect();
        let passed =
            passed_pages(&tap_results(&tap), &pages.stale_names(), &all);
        let passed = |page: &str| passed.contains(&page);
        pages.record_passed(cache, passed)?;
        if !ended.status.success() {
            return Err(
                "a browser test failed: each failure above names its page \
                 (book/html/<page>, written from src/<page>.md)"
                    .into(),
            );
        }
        let unchecked: Vec<&str> = pages
            .stale_names()
            .into_iter()
            .filter(|page| !passed(page))
            .collect();
        if !unchecked.is_empty() {
            return Err(format!(
                "the browser tests passed without checking {} (no \
                 `ok N - <page>` in node's TAP report): \
                 ci/browser/pages.test.mjs must check every page that \
                 BOOK_CHECK_PAGES names",
                unchecked.join(", ")
            ));
        }
        site.record(cache)?;
        Ok(ended.note(&note))
    }
}

/// One test of node's TAP report.
#[derive(Debug)]
struct TapTest<'a> {
    name: &'a str,
    /// Passed, and was not skipped (`# SKIP`, `# TODO` checked nothing).
    passed: bool,
    /// The groups it runs in, outermost first.
    groups: Vec<&'a str>,
    /// Whether it is a test rather than a group of tests.
    leaf: bool,
}

impl TapTest<'_> {
    /// Whether it checks `page`: it is the page's group, runs in it, or is
    /// named after it (`ch05-mutexes.html: each score …`).
    fn about(&self, page: &str) -> bool {
        let named = |name: &str| {
            name == page
                || name
                    .strip_prefix(page)
                    .is_some_and(|rest| rest.starts_with(':'))
        };
        named(self.name) || self.groups.iter().any(|g| named(g))
    }
}

/// Every test and group of node's TAP report. A test's line
/// (`ok 4 - ch03-threads.html`, `not ok 1 - every theme …`) comes after
/// its `# Subtest: <name>` line and after its own tests' lines, which are
/// indented further.
fn tap_results(tap: &str) -> Vec<TapTest<'_>> {
    let mut open: Vec<(usize, &str)> = Vec::new();
    let mut results = Vec::new();
    let mut last_indent = None;
    for line in tap.lines() {
        let text = line.trim_start();
        let indent = line.len() - text.len();
        open.retain(|(i, _)| *i < indent);
        if let Some(name) = text.strip_prefix("# Subtest: ") {
            open.push((indent, name));
            continue;
        }
        let (rest, ok) = match text.strip_prefix("not ok ") {
            Some(rest) => (rest, false),
            None => match text.strip_prefix("ok ") {
                Some(rest) => (rest, true),
                None => continue,
            },
        };
        let Some((_, described)) = rest.split_once(" - ") else {
            continue;
        };
        let (name, directive) =
            described.split_once(" # ").unwrap_or((described, ""));
        results.push(TapTest {
            name,
            passed: ok && directive.is_empty(),
            groups: open.iter().map(|(_, name)| *name).collect(),
            leaf: last_indent.is_none_or(|last| last <= indent),
        });
        last_indent = Some(indent);
    }
    results
}

/// The pages whose checks all passed: each page's group passed and no
/// test about it failed. None at all if a test that is about no page
/// failed (a site-wide check): it may have failed on a page it checks
/// only when that page is listed in BOOK_CHECK_PAGES.
fn passed_pages<'a>(
    results: &[TapTest<'_>],
    pages: &[&'a str],
    all_pages: &[&str],
) -> Vec<&'a str> {
    let site_wide_failure = results
        .iter()
        .filter(|t| t.leaf && !t.passed)
        .any(|t| !all_pages.iter().any(|page| t.about(page)));
    if site_wide_failure {
        return Vec::new();
    }
    pages
        .iter()
        .copied()
        .filter(|page| {
            results.iter().any(|t| t.passed && t.name == *page)
                && !results.iter().any(|t| !t.passed && t.about(page))
        })
        .collect()
}

/// What every browser check depends on besides the built book: the tests,
/// the shared verdict cases the score's checks read, the theme, `book.toml`,
/// and the versions of Node.js and of `tools` (Chromium, pdftotext).
fn harness(root: &Path, dir: &Path, tools: &[&Path]) -> Fingerprint {
    let mut harness = cache::common(root);
    harness.tree(root, dir, &["node_modules"]);
    harness.file(root, &root.join("ci/recording/verdicts.json"));
    harness.tree(root, &root.join("theme"), &[]);
    harness.file(root, &root.join("book.toml"));
    harness.add("node", cache::version("node", &["--version"]).as_bytes());
    for tool in tools {
        let name = tool.to_string_lossy();
        let flag = if name.ends_with("pdftotext") {
            "-v"
        } else {
            "--version"
        };
        harness.add(&name, cache::version(&name, &[flag]).as_bytes());
    }
    harness
}

/// Each page of the built book (`ch03-threads.html`, `print.html`) with the
/// key of its inputs.
fn page_keys(
    root: &Path,
    html: &Path,
    book: &Book,
    expected: &Map<String, Value>,
    harness: &Fingerprint,
) -> Result<Vec<(String, Key)>, String> {
    let all = cache::files(html, &[]);
    let is_page = |p: &Path| p.extension().is_some_and(|e| e == "html");
    let mut assets = Fingerprint::new("assets");
    for file in all.iter().filter(|p| !is_page(p)) {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        if !name.starts_with("searchindex.") {
            assets.file(root, file);
        }
    }
    let assets = assets.key().to_string();
    let src = root.join("src");
    let first = first_chapter(&src);
    let pages: Vec<(String, &PathBuf)> = all
        .iter()
        .filter(|p| is_page(p))
        .map(|file| {
            let relative = file.strip_prefix(html).unwrap_or(file);
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            (name, file)
        })
        .collect();
    let shapes = rehearsal_shapes(&pages);
    let mut work = Vec::new();
    for (name, file) in pages {
        let mut key = harness.clone();
        key.add("page", name.as_bytes());
        key.file(root, file);
        if shapes.pages.contains(&name) {
            key.add("rehearsal shapes", shapes.all.as_bytes());
        }
        key.add("assets", assets.as_bytes());
        let blocks = expected.get(&name).map(Value::to_string);
        key.add("blocks", blocks.unwrap_or_default().as_bytes());
        let chapter = if name == "index.html" {
            first.clone().unwrap_or_default()
        } else {
            name.clone()
        };
        let source = src.join(Path::new(&chapter).with_extension("md"));
        if let Some(page) = book.pages.iter().find(|p| p.path == source) {
            for include in &page.includes {
                key.file(root, &include.file);
            }
            for (_, score) in &page.scores {
                key.file(root, score);
            }
        }
        work.push((name, key.key()));
    }
    if work.is_empty() {
        return Err(format!(
            "{}: no pages (was the book rendered?)",
            html.display()
        ));
    }
    Ok(work)
}

/// Where the book's rehearsal questions are (`<form
/// class="rehearsal-question"`), and the shape of each, as
/// `ci/browser/rehearsal.mjs` reads it (its `shapes`: the first
/// `data-kind` and the first radio or checkbox after the form's start).
/// It checks what depends only on the script, the stylesheet and a
/// shape on the pages that first show each shape, chosen among all pages;
/// so each page with questions holds every page's shapes in its key: a
/// change of shapes anywhere reruns them all, and an edit that changes
/// none reruns no other page. print.html repeats the chapters and holds
/// none of its own.
struct RehearsalShapes {
    /// The pages with questions.
    pages: Vec<String>,
    /// Every such page's name and the shapes of its questions, in order.
    all: String,
}

fn rehearsal_shapes(pages: &[(String, &PathBuf)]) -> RehearsalShapes {
    const FORM: &str = "<form class=\"rehearsal-question\"";
    static KIND: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"data-kind="([a-z]+)""#).unwrap());
    static INPUT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"<input type="(radio|checkbox)""#).unwrap()
    });
    let mut shapes = RehearsalShapes {
        pages: Vec::new(),
        all: String::new(),
    };
    let mut pages: Vec<&(String, &PathBuf)> = pages.iter().collect();
    pages.sort();
    for (name, file) in pages {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        if name == "print.html" || !text.contains(FORM) {
            continue;
        }
        shapes.all.push_str(name);
        for form in text.split(FORM).skip(1) {
            let first = |re: &Regex| {
                re.captures(form)
                    .and_then(|c| c.get(1))
                    .map_or("", |m| m.as_str())
            };
            let (kind, input) = (first(&KIND), first(&INPUT));
            shapes.all.push_str(&format!(" {kind} {input};"));
        }
        shapes.all.push('\n');
        shapes.pages.push(name.clone());
    }
    shapes
}

/// The browser the tests drive: `$BOOK_CHROMIUM`, or Debian's
/// chromium-headless-shell, Chromium's headless shell ("old headless"),
/// what Playwright (since 1.49) runs headless Chromium with by default.
/// It is built from the same Chromium 156 as Debian's `chromium` (the
/// same Blink and V8) with the older, lighter headless browser layer
/// around them, which does not match desktop Chrome in every behaviour:
/// opening a page took it 40% of the CPU `chromium --headless` took, and
/// the whole suite 307 CPU-seconds instead of about 460. Lighthouse, which
/// scores what readers get, uses the desktop `chromium`.
pub fn ensure_chromium() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("BOOK_CHROMIUM") {
        let path = PathBuf::from(path);
        return if path.exists() {
            Ok(path)
        } else {
            Err(format!("BOOK_CHROMIUM={} does not exist", path.display()))
        };
    }
    ensure_debian(
        CHROMIUM,
        "chromium-headless-shell",
        "the browser tests",
        true,
    )
    .map_err(|e| format!("{e}   (or set BOOK_CHROMIUM to a Chromium binary)"))
}

/// The desktop Chromium, as readers run it (Lighthouse audits with it).
pub fn ensure_desktop_chromium() -> Result<PathBuf, String> {
    ensure_debian(DESKTOP_CHROMIUM, "chromium", "Lighthouse", true)
}

/// pdftotext, which the PDF test reads the book's PDF with: Debian's
/// poppler-utils (about 2 MB, lighter than a PDF library from npm).
fn ensure_pdftotext() -> Result<PathBuf, String> {
    ensure_debian(PDFTOTEXT, "poppler-utils", "the PDF test", false)
}

/// `path`, a program of Debian's `package`: installed with apt when it is
/// missing and we are root (with the package's recommended packages when
/// `recommended`: Chromium's bring its fonts), saying so; otherwise an
/// error that says what to install.
fn ensure_debian(
    path: &str,
    package: &str,
    needed_by: &str,
    recommended: bool,
) -> Result<PathBuf, String> {
    let found = PathBuf::from(path);
    if found.exists() {
        return Ok(found);
    }
    let mut install = vec!["install", "-y", "-q"];
    if !recommended {
        install.push("--no-install-recommends");
    }
    install.push(package);
    if !is_root() {
        return Err(format!(
            "{path} is missing: Debian's {package}, for {needed_by}.\nfix: \
             sudo apt-get update && sudo apt-get {}",
            install.join(" ")
        ));
    }
    println!(
        "installing Debian's {package} for {needed_by} (apt-get update; \
         apt-get {}), once per machine",
        install.join(" ")
    );
    for args in [&["update", "-q"][..], &install[..]] {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map_err(|e| format!("could not run apt-get: {e}"))?;
        if !status.success() {
            return Err(format!(
                "`apt-get {}` failed ({status}); install {package} by hand",
                args.join(" ")
            ));
        }
    }
    if found.exists() {
        Ok(found)
    } else {
        Err(format!("apt-get installed {package} but {path} is missing"))
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `npm ci` in `ci/browser` unless `node_modules` was installed from the
/// same `package-lock.json`.
pub fn ensure_node_modules(dir: &Path) -> Result<(), String> {
    let lock_file = dir.join("package-lock.json");
    let lock = std::fs::read(&lock_file)
        .map_err(|e| format!("{}: {e}", lock_file.display()))?;
    let stamp = dir.join("node_modules").join(STAMP);
    if std::fs::read(&stamp).is_ok_and(|s| s == lock) {
        return Ok(());
    }
    println!(
        "installing the browser tests' npm packages (playwright-core, \
         axe-core, esbuild), pinned by ci/browser/package-lock.json: \
         npm ci --omit=dev"
    );
    let status = Command::new("npm")
        .args(["ci", "--omit=dev", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status()
        .map_err(|e| {
            format!("could not run npm ({e}): install Node.js 20 and npm")
        })?;
    if !status.success() {
        return Err(format!(
            "`npm ci` in {} failed ({status}); is package-lock.json in step \
             with package.json?",
            dir.display()
        ));
    }
    std::fs::write(&stamp, lock)
        .map_err(|e| format!("{}: {e}", stamp.display()))
}

/// Each page's Rust blocks in order, as the reader must get them:
/// `{ "ch03-threads.html": [{ page, line, source, full, visible,
/// noplayground }] }`. `full` is the listing minus its ANCHOR lines (what
/// Copy and Run get); `visible` is the part the include selects.
fn write_blocks(
    root: &Path,
    book: &Book,
) -> Result<(PathBuf, Map<String, Value>), String> {
    let src = root.join("src");
    let mut pages = Map::new();
    for page in book.pages.iter().filter(|p| p.in_summary) {
        let mut blocks = Vec::new();
        for (index, block) in page.blocks.iter().enumerate() {
            if block.language() != "rust" {
                continue;
            }
            let Some(include) =
                page.includes.iter().find(|i| i.block == Some(index))
            else {
                continue;
            };
            let source = std::fs::read_to_string(&include.file)
                .map_err(|e| format!("{}: {e}", include.file.display()))?;
            blocks.push(json!({
                "page": crate::checks::relative(&page.path),
                "line": block.line,
                "source": crate::checks::relative(&include.file),
                "full": without_anchors(&source),
                "visible": selected(&source, &include.selector),
                "noplayground": block.has("noplayground"),
            }));
        }
        let html = page
            .path
            .strip_prefix(&src)
            .unwrap_or(&page.path)
            .with_extension("html");
        pages.insert(html.to_string_lossy().into_owned(), Value::from(blocks));
    }
    // mdBook copies the first chapter to index.html.
    if let Some(first) = first_chapter(&src) {
        if let Some(blocks) = pages.get(&first).cloned() {
            pages.insert("index.html".into(), blocks);
        }
    }
    let out = root.join("target/browser");
    std::fs::create_dir_all(&out)
        .map_err(|e| format!("{}: {e}", out.display()))?;
    let file = out.join("blocks.json");
    let text =
        serde_json::to_string_pretty(&pages).map_err(|e| e.to_string())?;
    std::fs::write(&file, text)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    Ok((file, pages))
}

/// The first page SUMMARY.md links, as `name.html`.
fn first_chapter(src: &Path) -> Option<String> {
    let summary = std::fs::read_to_string(src.join("SUMMARY.md")).ok()?;
    let link = regex::Regex::new(r"\]\(([^)#]+)\.md\)").expect("valid regex");
    link.captures(&summary).map(|c| format!("{}.html", &c[1]))
}

/// The lines a line range selects, 0-based, as mdBook 0.4.52's
/// `parse_range_or_anchor` reads it: `N` is line N, `N:` from line N on,
/// `:M` up to line M, `N:M` lines N to M, 1-based and inclusive (`0` is
/// line 1); a part that is no number leaves its end open, and a third
/// part is ignored.
fn line_range(range: &str, len: usize) -> std::ops::Range<usize> {
    let mut parts = range.splitn(3, ':');
    let start = parts
        .next()
        .and_then(|s| s.parse::<usize>().ok())
        .map(|n| n.saturating_sub(1));
    match (start, parts.next().map(str::parse::<usize>)) {
        (Some(start), Some(Ok(end))) => start..end,
        (Some(start), Some(Err(_))) => start..len,
        (Some(start), None) => start..start + 1,
        (None, Some(Ok(end))) => 0..end,
        (None, _) => 0..len,
    }
}

fn is_anchor_line(line: &str) -> bool {
    line.contains("ANCHOR:") || line.contains("ANCHOR_END:")
}

fn without_anchors(source: &str) -> String {
    source
        .lines()
        .filter(|l| !is_anchor_line(l))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The lines `{{#rustdoc_include file:selector}}` shows, without ANCHOR
/// lines.
fn selected(source: &str, selector: &Selector) -> String {
    let lines: Vec<&str> = source.lines().collect();
    let picked: Vec<&str> = match selector {
        Selector::Whole => lines,
        Selector::Anchor(name) => {
            let start = format!("ANCHOR: {name}");
            let end = format!("ANCHOR_END: {name}");
            lines
                .iter()
                .skip_while(|l| !l.trim_end().ends_with(&start))
                .skip(1)
                .take_while(|l| !l.trim_end().ends_with(&end))
                .copied()
                .collect()
        }
        Selector::Lines(range) => {
            let picked = line_range(range, lines.len());
            lines
                .iter()
                .enumerate()
                .filter(|(i, _)| picked.contains(i))
                .map(|(_, l)| *l)
                .collect()
        }
    };
    picked
        .into_iter()
        .filter(|l| !is_anchor_line(l))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "use std::thread;\n// ANCHOR: all\nfn main() {\n    \
                          // ANCHOR: inner\n    go();\n    // ANCHOR_END: \
                          inner\n}\n// ANCHOR_END: all\nfn go() {}\n";

    #[test]
    fn full_program_drops_only_anchor_lines() {
        assert_eq!(
            without_anchors(SOURCE),
            "use std::thread;\nfn main() {\n    go();\n}\nfn go() {}\n"
        );
    }

    #[test]
    fn an_anchor_shows_its_lines_without_nested_anchors() {
        let all = selected(SOURCE, &Selector::Anchor("all".into()));
        assert_eq!(all, "fn main() {\n    go();\n}\n");
        let inner = selected(SOURCE, &Selector::Anchor("inner".into()));
        assert_eq!(inner, "    go();\n");
    }

    const TAP: &str = "\
TAP version 13
# Subtest: every page
    # Subtest: ch03-threads.html
        # Subtest: every Rust block is its listing
        ok 1 - every Rust block is its listing
          ---
          duration_ms: 17.2
          ...
    ok 1 - ch03-threads.html
    # Subtest: ch05-mutexes.html
        # Subtest: every theme applies and passes axe-core
        not ok 1 - every theme applies and passes axe-core
    not ok 2 - ch05-mutexes.html
    # Subtest: ch07-deadlocks.html
        # Subtest: every Rust block is its listing
        ok 1 - every Rust block is its listing
    ok 3 - ch07-deadlocks.html
    # Subtest: ch08-async.html
    ok 4 - ch08-async.html # SKIP
not ok 1 - every page
# Subtest: ch03-threads.html: each score draws its recording
ok 2 - ch03-threads.html: each score draws its recording
# Subtest: ch07-deadlocks.html: each score draws its recording
not ok 3 - ch07-deadlocks.html: each score draws its recording
# Subtest: the index and the sidebar without JavaScript work from file://, and the search finds the last chapter
ok 4 - the index and the sidebar without JavaScript work from file://, and the search finds the last chapter
";

    const PAGES: [&str; 5] = [
        "ch03-threads.html",
        "ch05-mutexes.html",
        "ch07-deadlocks.html",
        "ch08-async.html",
        "ch09-await.html",
    ];

    #[test]
    fn tap_gives_each_test_its_groups_and_tells_groups_from_tests() {
        let results = tap_results(TAP);
        let named = |name: &str| {
            results
                .iter()
                .find(|t| t.name == name)
                .expect("in the report")
        };
        let axe = named("every theme applies and passes axe-core");
        assert_eq!(axe.groups, ["every page", "ch05-mutexes.html"]);
        assert!(axe.leaf && !axe.passed);
        let group = named("ch05-mutexes.html");
        assert_eq!(group.groups, ["every page"]);
        assert!(!group.leaf && !group.passed);
        assert!(!named("every page").leaf);
        let skipped = results.iter().find(|t| t.name == "ch08-async.html");
        assert!(skipped.is_some_and(|t| t.leaf && !t.passed), "a skip");
        let file = results.last().expect("tests");
        assert!(file.leaf && file.passed && file.groups.is_empty());
    }

    #[test]
    fn a_page_passed_only_if_all_its_checks_did() {
        let passed = passed_pages(&tap_results(TAP), &PAGES, &PAGES);
        // ch05: axe failed; ch07: its score failed; ch08: skipped; ch09:
        // never checked.
        assert_eq!(passed, ["ch03-threads.html"]);
    }

    #[test]
    fn a_failed_site_wide_check_passes_no_page() {
        let failed = TAP.replace(
            "ok 4 - the index and the sidebar without JavaScript work from file://, and the search finds the last chapter",
            "not ok 4 - the index and the sidebar without JavaScript work from file://, and the search finds the last chapter",
        );
        let results = tap_results(&failed);
        assert_eq!(passed_pages(&results, &PAGES, &PAGES), [""; 0]);
    }

    /// A built book of two chapters, in a folder of `test`'s own (tests
    /// run at once); the first includes and scores a listing.
    fn built_book(test: &str) -> PathBuf {
        let root = std::env::temp_dir()
            .join(format!("xtask-browser-keys-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (file, text) in [
            ("src/SUMMARY.md", "- [One](one.md)\n- [Two](two.md)\n"),
            (
                "src/one.md",
                "```rust\n{{#rustdoc_include ../listings/a/src/main.rs}}\n\
                 ```\n\n{{#score ../listings/a/output.txt}}\n",
            ),
            ("src/two.md", "# Two\n"),
            ("listings/a/src/main.rs", "fn main() {}\n"),
            ("listings/a/output.txt", "@0ms violins: C4\n"),
            ("book/html/one.html", "<p>one</p>"),
            ("book/html/index.html", "<p>one</p>"),
            ("book/html/two.html", "<p>two</p>"),
            ("book/html/print.html", "<p>one</p><p>two</p>"),
            ("book/html/book.js", "play();"),
            ("book/html/searchindex.js", "{}"),
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        root
    }

    #[test]
    fn a_page_key_changes_with_each_of_its_inputs_and_no_other() {
        let root = built_book("inputs");
        let html = root.join("book/html");
        let blocks = |source: &str| {
            let mut map = Map::new();
            map.insert("one.html".into(), json!([{ "full": source }]));
            map
        };
        let keys = |harness: &str, blocks: &Map<String, Value>| {
            let book = Book::load(&root).unwrap();
            let mut fingerprint = Fingerprint::new("harness");
            fingerprint.add("tests", harness.as_bytes());
            page_keys(&root, &html, &book, blocks, &fingerprint)
                .unwrap()
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let first = keys("v1", &blocks("fn main() {}"));
        let changed = |now: &std::collections::BTreeMap<String, Key>| {
            first
                .iter()
                .filter(|(page, key)| now[*page] != **key)
                .map(|(page, _)| page.as_str())
                .collect::<Vec<_>>()
        };
        let all = ["index.html", "one.html", "print.html", "two.html"];
        assert_eq!(changed(&keys("v1", &blocks("fn main() {}"))), [""; 0]);

        std::fs::write(html.join("two.html"), "<p>2</p>").unwrap();
        assert_eq!(changed(&keys("v1", &blocks("fn main() {}"))), ["two.html"]);
        std::fs::write(html.join("two.html"), "<p>two</p>").unwrap();

        std::fs::write(root.join("listings/a/output.txt"), "@1ms v: D4\n")
            .unwrap();
        assert_eq!(
            changed(&keys("v1", &blocks("fn main() {}"))),
            ["index.html", "one.html"],
            "the recording its score draws (index.html is the first chapter)"
        );
        std::fs::write(
            root.join("listings/a/output.txt"),
            "@0ms violins: C4\n",
        )
        .unwrap();

        assert_eq!(
            changed(&keys("v1", &blocks("fn main() { go() }"))),
            ["one.html"],
            "its Rust blocks"
        );

        std::fs::write(html.join("book.js"), "play(); stop();").unwrap();
        assert_eq!(
            changed(&keys("v1", &blocks("fn main() {}"))),
            all,
            "an asset"
        );
        std::fs::write(html.join("book.js"), "play();").unwrap();

        std::fs::write(html.join("searchindex.js"), "{\"more\": 1}").unwrap();
        assert_eq!(
            changed(&keys("v1", &blocks("fn main() {}"))),
            [""; 0],
            "no page loads the search index until a reader searches"
        );

        assert_eq!(
            changed(&keys("v2", &blocks("fn main() {}"))),
            all,
            "the harness"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_change_of_rehearsal_shapes_reruns_every_page_with_questions() {
        let root = built_book("shapes");
        let html = root.join("book/html");
        let form = |kind: &str, input: &str| {
            format!(
                "<p>prose</p><form class=\"rehearsal-question\" \
                 data-kind=\"{kind}\"><input type=\"{input}\"></form>"
            )
        };
        std::fs::write(html.join("one.html"), form("predict", "radio"))
            .unwrap();
        std::fs::write(html.join("two.html"), form("concept", "radio"))
            .unwrap();
        let keys = || {
            let book = Book::load(&root).unwrap();
            let harness = Fingerprint::new("harness");
            page_keys(&root, &html, &book, &Map::new(), &harness)
                .unwrap()
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let first = keys();
        let changed = |now: std::collections::BTreeMap<String, Key>| {
            first
                .iter()
                .filter(|(page, key)| now[*page] != **key)
                .map(|(page, _)| page.clone())
                .collect::<Vec<_>>()
        };

        let edited = form("predict", "radio").replace("prose", "more prose");
        std::fs::write(html.join("one.html"), edited).unwrap();
        assert_eq!(changed(keys()), ["one.html"], "prose, no shape");

        std::fs::write(html.join("one.html"), form("predict", "checkbox"))
            .unwrap();
        assert_eq!(
            changed(keys()),
            ["one.html", "two.html"],
            "a shape: two.html may now be the first to show one"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn line_ranges_are_one_based_and_inclusive() {
        let lines = selected(SOURCE, &Selector::Lines("1:1".into()));
        assert_eq!(lines, "use std::thread;\n");
        // The ranges of mdBook 0.4.52's own tests of its line selection,
        // written as `parse_range_or_anchor` reads them, and two it reads
        // unlike a plain split at the colon (`0`, `2:3:4`).
        let text = "Lorem\nipsum\ndolor\nsit\namet\n";
        for (range, picked) in [
            ("2:3", "ipsum\ndolor\n"),
            ("4:", "sit\namet\n"),
            (":3", "Lorem\nipsum\ndolor\n"),
            ("5:4", ""),
            (":100", text),
            ("2", "ipsum\n"),
            ("0", "Lorem\n"),
            ("2:3:4", "ipsum\ndolor\n"),
        ] {
            let lines = selected(text, &Selector::Lines(range.into()));
            assert_eq!(lines, picked, "{range}");
        }
    }
}
