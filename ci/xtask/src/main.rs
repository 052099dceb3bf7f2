//! `cargo xtask <verb>`: the book's one entry point for every chore.
//!
//! Each check reports problems as `file:line: what is wrong` followed by what
//! to do about it, and the command exits non-zero if any check failed.

mod background;
mod book;
mod browser;
mod cache;
mod checks;
mod exercises;
mod incremental;
mod lighthouse;
mod links;
mod lint;
mod listings;
mod loom;
mod metadata;
mod mutants;
mod negatives;
mod outputs;
mod pages;
mod parallel;
mod problem;
mod root;
mod scaffold;
mod slim;
mod tools;
mod words;
mod workflows;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Instant;

use background::Beside;
use problem::Report;

const HELP: &str = "\
cargo xtask <verb>

  serve         build the book and serve it at http://127.0.0.1:3000,
                rebuilding when a chapter or a listing changes
  test [--full] run every check and every test (what CI runs); locally,
                work whose inputs are those of a run that passed is
                skipped (pages, skeptic programs, listings' tests,
                negative examples, loom); --full or CI=true skip nothing
  check         only the fast drift guard (includes, anchors, listings,
                captions, code-block rules); no compiling
  outputs [FILTER…]
                rerun listings and rewrite their recorded output, the
                recorded compiler error of every program that must not
                compile (negative examples and near misses), and the
                performances a loom listing's models explore; with
                filters, only listings whose path contains one (ch05);
                `outputs --check [FILTER…]` only compares, as the test
                does, the same listings
  new-listing   scaffold a listing crate:
                  new-listing <chapter-dir> [--negative] [--no-listing NAME]
                e.g. new-listing ch03-threads
  mutants [FILTER…]
                run cargo-mutants on the listings whose path contains a
                filter (all without one) and update their entries in the
                ledger listings/mutants.toml; `mutants --check` checks the
                ledger, `mutants --sample` reruns a few mutants as `test`
  exercise NAME [DIR]
                copy an exercise's starter out of the book as a crate of
                its own (DIR defaults to NAME beside this checkout);
                `exercise --check` runs the exercise stage of `test` alone
  tools         install the pinned mdbook tools (done on first need)
  words         only the spelling (typos, word list _typos.toml) and
                Markdown style checks of src/
  actionlint    only the static check of .github/workflows
  browser [--full]
                render the book and check only the hosted site: its
                links, then ci/browser (every page in Chromium, axe,
                page weight, search, 404, file://); unchanged pages are
                skipped as in `test`
  lighthouse    Lighthouse's mobile audit (installed on first need) of
                the heaviest pages, served gzipped as GitHub Pages does:
                performance at least 0.98, accessibility 1; run it on a
                quiet machine (not a stage of `test`: load lowers scores)
";

fn main() -> ExitCode {
    if let Some(ended) = loom::wrap_rustc() {
        return ended;
    }
    ask_for_huge_pages();
    // Read now, before a test build relinks it.
    let _ = program();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(verb) = args.first() else {
        eprint!("{HELP}");
        return ExitCode::FAILURE;
    };
    let rest = &args[1..];
    let result = match verb.as_str() {
        "serve" => serve(),
        "test" => test(rest),
        "check" => check(),
        "outputs" if rest.iter().any(|a| a == "--check") => {
            let filters: Vec<String> =
                rest.iter().filter(|a| *a != "--check").cloned().collect();
            listings::Workspace::load(&listings::workspace_root())
                .and_then(|workspace| outputs::compare(&workspace, &filters))
        }
        "outputs" => outputs::regenerate(rest),
        "new-listing" => scaffold::new_listing(rest),
        "mutants" => mutants::command(rest),
        "exercise" => exercises::command(rest),
        "tools" => tools::Tools::ensure().map(|_| ()),
        "browser" => browser_only(rest),
        "lighthouse" => open_cache(&[]).and_then(|cache| {
            lighthouse::run(&listings::workspace_root(), &cache)
        }),
        "words" => words::check(&listings::workspace_root()),
        "actionlint" => workflows::check(&listings::workspace_root()),
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => Err(format!("unknown verb `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask {verb}: FAILED\n{message}");
            ExitCode::FAILURE
        }
    }
}

fn serve() -> Result<(), String> {
    let tools = tools::Tools::ensure()?;
    let root = listings::workspace_root();
    println!("serving the book at http://127.0.0.1:3000 (Ctrl-C stops)");
    tools.mdbook(
        &root,
        &["serve", "--hostname", "127.0.0.1", "--port", "3000"],
    )
}

fn browser_only(args: &[String]) -> Result<(), String> {
    let cache = open_cache(args)?;
    let tools = tools::Tools::ensure()?;
    let root = listings::workspace_root();
    println!("render: {}", pages::render_cached(&tools, &root, &cache)?);
    links::check(&root)?;
    let note = browser::test(&root, &cache)?;
    println!("rendered pages in Chromium: {note}");
    Ok(())
}

/// The record of passed work, in the target folder; `--full` (or `CI`)
/// makes every piece of work run. Any other argument is a mistake.
fn open_cache(args: &[String]) -> Result<cache::Cache, String> {
    if let Some(other) = args.iter().find(|a| *a != "--full") {
        return Err(format!("unknown argument `{other}` (only --full)"));
    }
    let root = listings::workspace_root();
    let target = listings::Workspace::load(&root)?.target_dir;
    let full = cache::full_run(args);
    match &full {
        Some(why) => println!("full run ({why}): nothing is skipped"),
        None => println!(
            "incremental run: work whose inputs are those of a run that \
             passed is skipped (`cargo xtask test --full` runs everything)"
        ),
    }
    Ok(cache::Cache::open(&target, full))
}

fn check() -> Result<(), String> {
    let root = listings::workspace_root();
    drift_guard(&root, &listings::Workspace::load(&root)?)
}

fn drift_guard(
    root: &std::path::Path,
    workspace: &listings::Workspace,
) -> Result<(), String> {
    let book = book::Book::load(root)?;
    let mut report = Report::default();
    checks::ci_runs_the_readme_command(root, &mut report);
    checks::playground_crates_are_everywhere(root, &mut report);
    let checked = checks::run(workspace, &book, &mut report);
    report.finish("drift guard")?;
    println!("drift guard: {checked}");
    Ok(())
}

/// The full run. Stages run in order and stop at the first failing stage,
/// cheapest first, so an author hears about a broken anchor in a second
/// rather than after a full build.
fn test(args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let cache = open_cache(args)?;
    let root = listings::workspace_root();
    let mut stage = Stages::default();

    // The workspace's crates cannot change during a run: read them once.
    let workspace = stage.run("drift guard", || {
        let workspace = listings::Workspace::load(&root)?;
        drift_guard(&root, &workspace)?;
        Ok(workspace)
    })?;
    stage.run("words: spelling and Markdown style", || words::check(&root))?;
    stage.run("GitHub workflow: actionlint", || workflows::check(&root))?;
    stage.run("rustfmt", || cargo(&root, &["fmt", "--all", "--check"]))?;
    stage.run("rustfmt (refused programs)", || {
        negatives::rustfmt(&root, &workspace)
    })?;
    // The book renders first (seconds), so its browser tests, which need
    // no cargo build, run in Chromium beside the cargo stages: together
    // they keep both cores busy, where one after the other left one idle.
    let tools = stage.run("pinned tools", tools::Tools::ensure_for_test)?;
    // The ledger needs no build, only cargo-mutants, which the stage above
    // installs: begun any earlier, its check would, on a new machine,
    // install cargo-mutants a second time, at once and into the same
    // place. It is checked beside the stages until the mutants sample,
    // which reads the same tree.
    let ledger = stage.beside(
        "mutants ledger",
        "the ledger's check",
        &root.join("target/mutants-ledger.log"),
        |log| mutants::start_check(&root, log),
    )?;
    let note = stage.run("render the book", || {
        pages::render_cached(&tools, &root, &cache)
    })?;
    stage.note(note);
    stage.run("rendered pages: links", || links::check(&root))?;
    let browser = stage.beside(
        "rendered pages: in Chromium",
        "node and Chromium",
        &root.join("target/browser/chromium.log"),
        |log| browser::start(&root, &cache, Some(log)),
    )?;
    let staged = stage.run("rendered pages: staged for skeptic", || {
        pages::stage(&root, &workspace, &cache)
    })?;
    let (mut built, reuse) = stage.run("build (linted by clippy)", || {
        let built = incremental::build(&root)?;
        // Listed for nextest before the loom models' build takes cargo's
        // lock: nextest then runs the listing tests without cargo.
        let reuse = incremental::list_for_nextest(&root, &workspace, &built)?;
        Ok((built, reuse))
    })?;
    // skeptic's compiles, the loom models' build and run, and rustc's
    // checks of the negative examples keep the cores busy while the
    // listing tests wait on the clock (many sleep for real).
    let skeptic = stage.beside(
        "rendered pages: code blocks",
        "the page tests",
        &root.join("target/page-tests.log"),
        |log| pages::start(&root, staged, &built, &cache, log),
    )?;
    let loom = stage.beside(
        "loom model checks",
        "the loom models",
        &root.join("target/loom.log"),
        |log| incremental::start_loom(&cache, &root, &workspace, &built, log),
    )?;
    let negatives = stage.begin("negative examples", || {
        incremental::start_negatives(&cache, &root, &workspace, &built)
    })?;
    let tests = incremental::plan_listing_tests(
        &cache, &root, &workspace, &mut built, reuse,
    );
    let note = stage.end("mutants ledger", || ledger.finish(&cache))?;
    stage.note(note);
    // The sample's mutants' tests mostly wait on the clock, as the listing
    // tests do: it runs beside them, once the build is done. (Beside the
    // listing tests while the browser checks still ran, it stretched every
    // stage of the run's end: 284 s, the sample 29.5 s, not 12; they now
    // end long before the build does.)
    let sample = stage.beside(
        "mutants sample",
        "cargo-mutants",
        &root.join("target/mutants-sample.log"),
        |log| {
            incremental::start_mutants_sample(
                &cache,
                &root,
                &built,
                log,
                |only, log| mutants::start_sample(&root, only, log),
            )
        },
    )?;
    let note = stage.run("listing tests", || tests.run(&cache, &root))?;
    stage.note(note);
    let note = stage.run("exercises: starters fail, solutions pass", || {
        exercises::test(&cache, &root, &workspace, &built)
    })?;
    stage.note(note);
    stage.run("recorded outputs", || {
        outputs::every_listing_tests_its_recording(&workspace)
    })?;
    for (name, beside) in [
        ("negative examples", negatives),
        ("mutants sample", sample),
        ("loom model checks", loom),
        ("rendered pages: code blocks", skeptic),
        ("rendered pages: in Chromium", browser),
    ] {
        let note = stage.end(name, || beside.finish(&cache))?;
        stage.note(note);
    }

    println!("\nall stages passed in {:.1?}", started.elapsed());
    stage.summary();
    Ok(())
}

#[derive(Default)]
struct Stages {
    /// Each stage run: its name, seconds, and what it skipped.
    timings: Vec<(&'static str, f64, Option<String>)>,
    /// Stages begun and not yet ended: they run beside the others.
    begun: Vec<(&'static str, Instant)>,
}

impl Stages {
    fn run<T>(
        &mut self,
        name: &'static str,
        stage: impl FnOnce() -> Result<T, String>,
    ) -> Result<T, String> {
        println!("==> {name}");
        let started = Instant::now();
        let result = stage();
        self.timings
            .push((name, started.elapsed().as_secs_f64(), None));
        result.map_err(|message| self.failed(name, message))
    }

    /// Starts a stage that runs beside the next ones, until [`Self::end`].
    fn begin<T>(
        &mut self,
        name: &'static str,
        start: impl FnOnce() -> Result<T, String>,
    ) -> Result<T, String> {
        println!("==> {name} (begins)");
        self.begun.push((name, Instant::now()));
        start().map_err(|message| self.failed(name, message))
    }

    /// [`Self::begin`]s a stage whose `start` runs `what` beside the next
    /// stages, writing to `log`, and says so.
    fn beside(
        &mut self,
        name: &'static str,
        what: &str,
        log: &std::path::Path,
        start: impl FnOnce(&std::path::Path) -> Result<Beside, String>,
    ) -> Result<Beside, String> {
        let started = self.begin(name, || start(log))?;
        if let Beside::Running(_) = started {
            println!(
                "({what} run beside the next stages; their report follows \
                 the last one, from {})",
                log.display()
            );
        }
        Ok(started)
    }

    /// Waits for a stage [`Self::begin`] started; its time counts from
    /// its beginning.
    fn end<T>(
        &mut self,
        name: &'static str,
        finish: impl FnOnce() -> Result<T, String>,
    ) -> Result<T, String> {
        println!("==> {name} (ends)");
        let started = self
            .begun
            .iter()
            .find(|(begun, _)| *begun == name)
            .map_or_else(Instant::now, |(_, started)| *started);
        let result = finish();
        self.timings
            .push((name, started.elapsed().as_secs_f64(), None));
        result.map_err(|message| self.failed(name, message))
    }

    fn failed(&self, name: &str, message: String) -> String {
        let passed = self.timings.len().saturating_sub(1);
        format!(
            "stage `{name}` failed:\n{message}\n{}\
             stages: {passed} passed, 1 failed",
            self.lines()
        )
    }

    /// What the last stage skipped and why, for the summary.
    fn note(&mut self, note: String) {
        println!("{note}");
        if let Some(last) = self.timings.last_mut() {
            last.2 = Some(note);
        }
    }

    /// Each stage run so far, with its time and what it skipped.
    fn lines(&self) -> String {
        self.timings
            .iter()
            .map(|(name, seconds, note)| match note {
                Some(note) => format!("  {seconds:>6.1}s  {name}  ({note})\n"),
                None => format!("  {seconds:>6.1}s  {name}\n"),
            })
            .collect()
    }

    fn summary(&self) {
        print!("{}", self.lines());
        println!("stages: {} passed, 0 failed", self.timings.len());
    }
}

/// Runs `command`, streaming its output. A command that cannot start
/// names its program; one that fails gives `failure` and its exit status.
pub fn run(
    command: &mut std::process::Command,
    failure: impl Into<String>,
) -> Result<(), String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let status = command
        .status()
        .map_err(|e| format!("could not run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} ({status})", failure.into()))
    }
}

/// Runs `cargo` with `args` in `root`, streaming its output.
pub fn cargo(root: &std::path::Path, args: &[&str]) -> Result<(), String> {
    run(
        std::process::Command::new(env_cargo())
            .args(args)
            .current_dir(root),
        format!("`cargo {}` failed", args.join(" ")),
    )
}

/// This program's path, as it was when it started. The test build links
/// `target/debug/xtask` anew from the same sources (with clippy-driver as
/// the compiler), and from then on Linux reads the running program's path
/// as deleted; the path read at the start runs the new link, and is the
/// one every cache key stamps and the workspace is found from.
pub fn program() -> Result<PathBuf, String> {
    static PROGRAM: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PROGRAM
        .get_or_init(|| {
            std::env::current_exe()
                .map_err(|e| format!("could not find the xtask's program: {e}"))
        })
        .clone()
}

/// Asks rustc's allocator for transparent huge pages, on Linux and unless
/// already set, for every command this program runs (cargo, and through it
/// rustc). rustc in rustup's builds for Linux allocates with jemalloc
/// (1.95's prints jemalloc 5.3.0's statistics when asked), which reads
/// `MALLOC_CONF` (seen, not promised: rustc documents no allocator): the
/// clean test build took 146 and 151 CPU-seconds against 152 and 157
/// without it (two cores, alternating).
/// The browsers and the listings' programs allocate otherwise and ignore
/// it. Not glibc's `glibc.malloc.hugetlb` (`GLIBC_TUNABLES`), which made
/// the linker's part of the build cheaper but the browser checks dearer
/// (174 and 180 CPU-seconds against 159 and 163). Not elsewhere than Linux:
/// jemalloc would print an error at every start for a mode the system
/// lacks. Called in `main` before any thread starts (after the check for
/// the loom wrapper, whose rustc inherits it from cargo).
fn ask_for_huge_pages() {
    if cfg!(target_os = "linux") && std::env::var_os("MALLOC_CONF").is_none() {
        std::env::set_var("MALLOC_CONF", "thp:always,metadata_thp:always");
    }
}

/// The cargo that runs us, so a toolchain override is respected.
pub fn env_cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}
