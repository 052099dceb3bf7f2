//! `cargo xtask <verb>`: the book's one entry point for every chore.
//!
//! Each check reports problems as `file:line: what is wrong` followed by what
//! to do about it, and the command exits non-zero if any check failed.

mod book;
mod browser;
mod checks;
mod links;
mod listings;
mod mutants;
mod outputs;
mod pages;
mod problem;
mod root;
mod scaffold;
mod tools;
mod words;

use std::process::ExitCode;
use std::time::Instant;

use problem::Report;

const HELP: &str = "\
cargo xtask <verb>

  serve         build the book and serve it at http://127.0.0.1:3000,
                rebuilding when a chapter or a listing changes
  test          run every check and every test (what CI runs)
  check         only the fast drift guard (includes, anchors, listings,
                captions, code-block rules); no compiling
  outputs [FILTER…]
                rerun listings and rewrite their recorded output, and
                every negative example's recorded compiler error; with
                filters, only listings whose path contains one (ch05);
                `outputs --check` only compares, as the test does
  new-listing   scaffold a listing crate:
                  new-listing <chapter-dir> [--negative] [--no-listing NAME]
                e.g. new-listing ch03-threads
  mutants [FILTER…]
                run cargo-mutants on the listings whose path contains a
                filter (all without one) and update their entries in the
                ledger listings/mutants.toml; `mutants --check` checks the
                ledger, `mutants --sample` reruns a few mutants as `test`
  tools         install the pinned mdbook tools (done on first need)
  words         only the spelling (typos, word list _typos.toml) and
                Markdown style checks of src/
  browser       render the book and check only the hosted site: its
                links, then ci/browser (every page in Chromium, axe,
                page weight, search, 404, file://)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(verb) = args.first() else {
        eprint!("{HELP}");
        return ExitCode::FAILURE;
    };
    let rest = &args[1..];
    let result = match verb.as_str() {
        "serve" => serve(),
        "test" => test(),
        "check" => check(),
        "outputs" if rest.iter().any(|a| a == "--check") => {
            listings::Workspace::load(&listings::workspace_root())
                .and_then(|workspace| outputs::compare(&workspace))
        }
        "outputs" => outputs::regenerate(rest),
        "new-listing" => scaffold::new_listing(rest),
        "mutants" => mutants::command(rest),
        "tools" => tools::Tools::ensure().map(|_| ()),
        "browser" => browser_only(),
        "words" => words::check(&listings::workspace_root()),
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

fn browser_only() -> Result<(), String> {
    let tools = tools::Tools::ensure()?;
    let root = listings::workspace_root();
    pages::render(&tools, &root)?;
    links::check(&root)?;
    browser::test(&root)
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
    let checked = checks::run(workspace, &book, &mut report);
    report.finish("drift guard")?;
    println!("drift guard: {checked}");
    Ok(())
}

/// The full run. Stages run in order and stop at the first failing stage,
/// cheapest first, so an author hears about a broken anchor in a second
/// rather than after a full build.
fn test() -> Result<(), String> {
    let started = Instant::now();
    let root = listings::workspace_root();
    let mut stage = Stages::default();

    // The workspace's crates cannot change during a run: read them once.
    let workspace = stage.run("drift guard", || {
        let workspace = listings::Workspace::load(&root)?;
        drift_guard(&root, &workspace)?;
        Ok(workspace)
    })?;
    stage.run("words: spelling and Markdown style", || words::check(&root))?;
    stage.run("rustfmt", || cargo(&root, &["fmt", "--all", "--check"]))?;
    stage.run("rustfmt (negative examples)", || {
        workspace.rustfmt_negatives(&root)
    })?;
    stage.run("clippy", || {
        cargo(
            &root,
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--quiet",
                "--",
                "-D",
                "warnings",
            ],
        )
    })?;
    stage.run("listing tests", || workspace.run_tests(&root))?;
    stage.run("negative examples", || workspace.check_negatives(&root))?;
    stage.run("loom model checks", || workspace.run_loom_tests(&root))?;
    stage.run("recorded outputs", || {
        outputs::every_listing_tests_its_recording(&workspace)
    })?;
    let tools = stage.run("pinned tools", tools::Tools::ensure)?;
    stage.run("render the book", || pages::render(&tools, &root))?;
    stage.run("rendered pages: code blocks", || {
        pages::test(&root, &workspace)
    })?;
    stage.run("rendered pages: links", || links::check(&root))?;
    stage.run("rendered pages: in Chromium", || browser::test(&root))?;

    println!("\nall stages passed in {:.1?}", started.elapsed());
    stage.summary();
    Ok(())
}

#[derive(Default)]
struct Stages {
    timings: Vec<(&'static str, f64)>,
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
        let seconds = started.elapsed().as_secs_f64();
        self.timings.push((name, seconds));
        let passed = self.timings.len() - 1;
        result.map_err(|message| {
            format!(
                "stage `{name}` failed:\n{message}\n\
                 stages: {passed} passed, 1 failed"
            )
        })
    }

    fn summary(&self) {
        for (name, seconds) in &self.timings {
            println!("  {seconds:>6.1}s  {name}");
        }
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

/// The cargo that runs us, so a toolchain override is respected.
pub fn env_cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}
