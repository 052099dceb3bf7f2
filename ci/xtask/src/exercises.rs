//! Exercises: a task on a page, as two crates beside its chapter's
//! listings.
//!
//! `listings/chNN-…/exercise-NN-what-starter` is what the reader gets: it
//! compiles, its `main` runs, and its tests fail, because the parts marked
//! `Write:` are stubs. `exercise-NN-what-solution` is one way to write
//! them. Both are a single `src/main.rs` whose test modules (everything
//! from the first `#[cfg(…test…)]` line to the end) are the same text,
//! the task's requirements stated as tests.
//!
//! ```toml
//! [package.metadata.book]
//! kind = "exercise-starter"
//! solution = "exercise-07-ranked-locks-solution"
//! ```
//!
//! The drift guard ([`check`]) holds the pairs together and to their
//! page; the stage of `cargo xtask test` ([`test`]) proves that each
//! starter's tests fail and each solution's tests pass; the verb
//! ([`command`]) copies a starter out of the book as a crate of its own.

use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::book::Book;
use crate::cache::{self, Cache, Key};
use crate::incremental::{add_listing, Built};
use crate::listings::{Kind, Listing, Workspace};
use crate::problem::Report;

const USAGE: &str = "\
cargo xtask exercise NAME [DIR]
  copies the exercise's starter into DIR (default: NAME beside this
  checkout), as a crate of its own; NAME is exercise-NN-what
cargo xtask exercise --check
  the exercise stage of `cargo xtask test` alone: every starter's tests
  fail, every solution's tests pass";

/// How long a test executable may run. Every test that could hang has a
/// watchdog of 10 seconds or less, so a longer run is a hang nothing
/// watched.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// The fix for a starter or solution the build made nothing of.
const NOT_BUILT: &str = "check that it is a workspace crate with a src/main.rs";

/// The starters, in folder order.
pub fn starters(workspace: &Workspace) -> impl Iterator<Item = &Listing> {
    workspace
        .listings
        .iter()
        .filter(|l| l.kind == Kind::ExerciseStarter)
}

/// `exercise-07-ranked-locks-starter` → `exercise-07-ranked-locks`.
fn exercise_name(crate_name: &str) -> Option<&str> {
    crate_name
        .strip_suffix("-starter")
        .or_else(|| crate_name.strip_suffix("-solution"))
        .filter(|name| name.starts_with("exercise-"))
}

/// The `solution` a starter's manifest names, if any.
fn named_solution(starter: &Listing) -> Option<String> {
    let manifest = starter.dir.join("Cargo.toml");
    let text = std::fs::read_to_string(manifest).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let solution = &table.get("package")?.get("metadata")?.get("book")?;
    Some(solution.get("solution")?.as_str()?.to_string())
}

/// A starter and its solution.
struct Exercise<'a> {
    name: String,
    starter: &'a Listing,
    solution: &'a Listing,
}

/// Every starter whose solution exists (the drift guard reports the rest).
fn exercises(workspace: &Workspace) -> Vec<Exercise<'_>> {
    starters(workspace)
        .filter_map(|starter| {
            let wanted = named_solution(starter)?;
            let solution = workspace.listings.iter().find(|l| {
                l.name == wanted && l.kind == Kind::ExerciseSolution
            })?;
            Some(Exercise {
                name: exercise_name(&starter.name)?.to_string(),
                starter,
                solution,
            })
        })
        .collect()
}

/// The test modules of a program: from the first line that starts a
/// `#[cfg(…)]` mentioning `test` to the end of the file.
fn test_modules(source: &str) -> Option<&str> {
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(")
            && trimmed
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|word| word == "test")
        {
            return Some(&source[offset..]);
        }
        offset += line.len();
    }
    None
}

/// The drift guard's part: names, pairs, the same tests, and the page.
pub fn check(workspace: &Workspace, book: &Book, report: &mut Report) {
    let exercises: Vec<&Listing> = workspace
        .listings
        .iter()
        .filter(|l| {
            matches!(l.kind, Kind::ExerciseStarter | Kind::ExerciseSolution)
                || l.name.starts_with("exercise-")
        })
        .collect();
    for listing in &exercises {
        let manifest = listing.dir.join("Cargo.toml");
        let suffix = match listing.kind {
            Kind::ExerciseStarter => "-starter",
            Kind::ExerciseSolution => "-solution",
            _ => "",
        };
        if suffix.is_empty() || !listing.name.ends_with(suffix) {
            report.add(
                &manifest,
                None,
                format!(
                    "`{}` and its [package.metadata.book] kind disagree",
                    listing.name
                ),
                "name a starter exercise-NN-what-starter with kind = \
                 \"exercise-starter\", its solution exercise-NN-what-solution \
                 with kind = \"exercise-solution\"",
            );
            continue;
        }
        if listing.kind == Kind::ExerciseSolution {
            let named = starters(workspace).any(|s| {
                named_solution(s).as_deref() == Some(listing.name.as_str())
            });
            if !named {
                report.add(
                    &manifest,
                    None,
                    format!(
                        "no starter names {} as its solution",
                        listing.name
                    ),
                    "add its starter, or delete the solution",
                );
            }
            continue;
        }
        check_pair(listing, workspace, book, report);
    }
}

/// One starter: its solution, their tests, and how the page shows them.
fn check_pair(
    starter: &Listing,
    workspace: &Workspace,
    book: &Book,
    report: &mut Report,
) {
    let manifest = starter.dir.join("Cargo.toml");
    let name = exercise_name(&starter.name).unwrap_or_default();
    let wanted = format!("{name}-solution");
    if named_solution(starter).as_deref() != Some(wanted.as_str()) {
        report.add(
            &manifest,
            None,
            format!("{} does not name {wanted} as its solution", starter.name),
            format!(
                "under [package.metadata.book] write solution = \"{wanted}\""
            ),
        );
        return;
    }
    let Some(solution) = workspace.listings.iter().find(|l| l.name == wanted)
    else {
        report.add(
            &manifest,
            None,
            format!("{}'s solution {wanted} does not exist", starter.name),
            format!(
                "write it in listings/{}/{wanted}, kind = \"exercise-solution\"",
                starter.chapter_dir
            ),
        );
        return;
    };
    if solution.chapter_dir != starter.chapter_dir {
        report.add(
            &solution.dir.join("Cargo.toml"),
            None,
            format!(
                "{wanted} is not in {}, beside its starter",
                starter.chapter_dir
            ),
            "move it beside its starter",
        );
    }
    let tests = |listing: &Listing| {
        let text =
            std::fs::read_to_string(listing.source()).unwrap_or_default();
        test_modules(&text).map(str::to_string)
    };
    match (tests(starter), tests(solution)) {
        (None, _) => report.add(
            &starter.source(),
            None,
            format!("{} has no tests", starter.name),
            "state the task's requirements as tests in a #[cfg(test)] \
             module at the end of the file",
        ),
        (Some(a), b) if Some(&a) != b.as_ref() => report.add(
            &solution.source(),
            None,
            format!(
                "its tests are not those of {}: the test modules (from the \
                 first #[cfg(…test…)] line to the end) must be the same text",
                starter.name
            ),
            "copy the starter's test modules into the solution, or the \
             other way round",
        ),
        _ => {}
    }
    let page_path =
        Path::new("src").join(format!("{}.md", starter.chapter_dir));
    if let Some(page) = book.pages.iter().find(|p| p.path.ends_with(&page_path))
    {
        check_page(&page.path, starter, solution, name, report);
    }
}

/// The page shows the starter in the open, the solution inside a
/// `<details>`, and the command that copies the starter. (That each is
/// included at all is the orphan check.)
fn check_page(
    page: &Path,
    starter: &Listing,
    solution: &Listing,
    name: &str,
    report: &mut Report,
) {
    let text = std::fs::read_to_string(page).unwrap_or_default();
    let mut depth = 0usize;
    for (index, line) in text.lines().enumerate() {
        depth += line.matches("<details").count();
        let included = |l: &Listing| {
            let folder = format!("/{}/src/main.rs", l.name);
            line.contains("{{#rustdoc_include") && line.contains(&folder)
        };
        let at = Some(index + 1);
        if included(starter) && depth > 0 {
            report.add(
                page,
                at,
                format!("{} is hidden in a <details>", starter.name),
                "show the starter in the open; only the solution is hidden",
            );
        }
        if included(solution) && depth == 0 {
            report.add(
                page,
                at,
                format!("{} is shown in the open", solution.name),
                "put it inside <details><summary>Show a solution</summary> \
                 … </details>, with a blank line before and after the block",
            );
        }
        depth = depth.saturating_sub(line.matches("</details>").count());
    }
    let command = format!("cargo xtask exercise {name}");
    if !text.contains(&command) {
        report.add(
            page,
            None,
            format!("the page does not say `{command}`"),
            "tell the reader how to copy the starter: a line with \
             `cargo xtask exercise …`",
        );
    }
}

/// What an exercise's tests read: both crates' files, the workspace's
/// manifest (its dependency versions and features), and what every key
/// holds (the xtask, the toolchain, `Cargo.lock`).
fn key(root: &Path, exercise: &Exercise, built: &Built) -> Key {
    let mut fingerprint = cache::common(root);
    fingerprint.add("work", b"exercise");
    fingerprint.file(root, &root.join("Cargo.toml"));
    for listing in [exercise.starter, exercise.solution] {
        add_listing(
            &mut fingerprint,
            root,
            &listing.dir,
            &built.all_of(listing),
        );
    }
    fingerprint.key()
}

/// How one test executable ended.
struct Ran {
    /// Whether it exited successfully; `None` if it was stopped at the
    /// time limit.
    success: Option<bool>,
    output: String,
}

impl Ran {
    /// libtest's last `test result:` line.
    fn summary(&self) -> Option<&str> {
        self.output
            .lines()
            .rev()
            .find_map(|line| line.trim().strip_prefix("test result: "))
    }
}

/// Runs an executable (a crate's tests, or its program) in its package's
/// folder, as cargo would.
fn run_in_package(executable: &Path, package: &Path) -> Result<Ran, String> {
    let mut command = Command::new(executable);
    command
        .current_dir(package)
        .env("CARGO_MANIFEST_DIR", package);
    run_limited(command, TIME_LIMIT)
}

/// Runs `command` for at most `limit`, keeping what it printed.
fn run_limited(command: Command, limit: Duration) -> Result<Ran, String> {
    let (status, output) = recording::run_limited(command, limit)?;
    Ok(Ran {
        success: status.map(|s| s.success()),
        output,
    })
}

/// What is wrong with a run of an exercise's program, starter or
/// solution, if anything: its `main` runs to its end, within the time
/// limit. The page's block is only compiled there (skeptic), so this is
/// the run of what a reader copies or sends to the Playground.
fn program_problem(ran: &Ran) -> Option<(String, String)> {
    match ran.success {
        None => Some((
            format!("its `main` still ran after {TIME_LIMIT:?}"),
            "`main` must finish with the stubs in place; bound what it \
             waits for (CONTRIBUTING.md, \"Exercises\")"
                .into(),
        )),
        Some(false) => Some((
            "its `main` failed (its output is above)".into(),
            "`main` must run to its end without panicking, with the stubs \
             in place (CONTRIBUTING.md, \"Exercises\")"
                .into(),
        )),
        Some(true) => None,
    }
}

/// What is wrong with a starter's run, if anything: its tests must fail,
/// as tests (libtest reports `FAILED`), and within the time limit.
fn starter_problem(ran: &Ran) -> Option<(String, String)> {
    let summary = ran.summary().unwrap_or("no test result");
    match ran.success {
        None => Some((
            format!("its tests still ran after {TIME_LIMIT:?}"),
            "a failing test must fail, not hang: give what waits a \
             watchdog or a timeout (CONTRIBUTING.md, \"Exercises\")"
                .into(),
        )),
        Some(true) => Some((
            format!(
                "its tests pass ({summary}): the exercise is already solved"
            ),
            "put the stubs back: each part marked `Write:` returns a value \
             its tests reject (see the solution for what to write)"
                .into(),
        )),
        Some(_) if !summary.starts_with("FAILED") => Some((
            format!("its tests did not fail as tests ({summary})"),
            "make the stubs return wrong values, so each test fails on an \
             assertion; the output above shows what happened"
                .into(),
        )),
        Some(_) => None,
    }
}

/// What is wrong with a solution's run, if anything: its tests must pass.
fn solution_problem(ran: &Ran) -> Option<(String, String)> {
    match ran.success {
        Some(true) => None,
        Some(false) => Some((
            format!(
                "its tests fail ({})",
                ran.summary().unwrap_or("no test result")
            ),
            "fix the solution (the failures are above)".into(),
        )),
        None => Some((
            format!("its tests still ran after {TIME_LIMIT:?}"),
            "fix the solution: something in it hangs".into(),
        )),
    }
}

/// The stage: for each exercise whose key changed, runs the starter's
/// tests, which must fail, and the solution's, which must pass, and each
/// one's program, whose `main` must run to its end. The executables are
/// those of the listing-test build (`built`), which
/// compiles every starter and solution; a starter that does not compile
/// fails that build.
pub fn test(
    cache: &Cache,
    root: &Path,
    workspace: &Workspace,
    built: &Built,
) -> Result<String, String> {
    run_stage(cache, root, workspace, built)
}

/// The stage alone, `cargo xtask exercise --check`: the listing-test
/// build (all of it, so that cargo finds what `cargo xtask test` built,
/// with the same features), then every exercise, none skipped.
fn check_alone() -> Result<(), String> {
    let root = crate::listings::workspace_root();
    let workspace = Workspace::load(&root)?;
    let built = crate::incremental::build(&root)?;
    let cache = Cache::open(
        &workspace.target_dir,
        Some("`cargo xtask exercise --check` runs every exercise".into()),
    );
    println!("{}", run_stage(&cache, &root, &workspace, &built)?);
    Ok(())
}

fn run_stage(
    cache: &Cache,
    root: &Path,
    workspace: &Workspace,
    built: &Built,
) -> Result<String, String> {
    let exercises = exercises(workspace);
    let work = exercises
        .iter()
        .map(|e| (e.name.clone(), key(root, e, built)))
        .collect();
    let plan = cache.plan("exercises", work);
    let stale: Vec<&Exercise> = exercises
        .iter()
        .filter(|e| plan.is_stale(&e.name))
        .collect();
    // Most of a run is waiting (threads that sleep, a time limit): two
    // exercises per core at once, each reported in the order above.
    let at_once =
        2 * std::thread::available_parallelism().map_or(1, |n| n.get());
    let results = crate::parallel::each(&stale, at_once, |_, exercise| {
        check_exercise(exercise, built)
    });
    let mut report = Report::default();
    let mut passed = Vec::new();
    for (exercise, checked) in stale.iter().zip(results) {
        let (output, problems) = checked?;
        print!("{output}");
        if problems.is_empty() {
            passed.push(exercise.name.as_str());
        }
        for (listing, message, fix) in problems {
            report.add(
                &listing.source(),
                None,
                format!("{}: {message}", listing.name),
                fix,
            );
        }
    }
    plan.record_passed(cache, |name| passed.contains(&name))?;
    report.finish("exercise check")?;
    Ok(plan.note("exercises"))
}

/// A problem with one of an exercise's crates: the crate, what is wrong,
/// and what to do.
type Problem<'a> = (&'a Listing, String, String);

/// Runs an exercise's starter and solution, their tests and programs:
/// what they printed for the report, and each problem.
fn check_exercise<'a>(
    exercise: &Exercise<'a>,
    built: &Built,
) -> Result<(String, Vec<Problem<'a>>), String> {
    let mut output = String::new();
    let mut found = Vec::new();
    for (listing, judge) in [
        (exercise.starter, starter_problem as fn(&Ran) -> _),
        (exercise.solution, solution_problem),
    ] {
        let mut problems = Vec::new();
        let executables = built.of(listing);
        if executables.is_empty() {
            problems.push((
                "the build made no test executable".to_string(),
                NOT_BUILT.to_string(),
            ));
        }
        for executable in executables {
            let ran = run_in_package(executable, &listing.dir)?;
            match judge(&ran) {
                None => output.push_str(&format!(
                    "{}: {}\n",
                    listing.name,
                    ran.summary().unwrap_or("ran")
                )),
                Some(problem) => {
                    output.push_str(&ran.output);
                    problems.push(problem);
                }
            }
        }
        match built.program_of(listing) {
            None => problems.push((
                "the build made no program".to_string(),
                NOT_BUILT.to_string(),
            )),
            Some(program) => {
                let ran = run_in_package(program, &listing.dir)?;
                if let Some(problem) = program_problem(&ran) {
                    output.push_str(&ran.output);
                    problems.push(problem);
                }
            }
        }
        found.extend(
            problems
                .into_iter()
                .map(|(message, fix)| (listing, message, fix)),
        );
    }
    Ok((output, found))
}

/// The verb: `cargo xtask exercise NAME [DIR]`.
pub fn command(args: &[String]) -> Result<(), String> {
    let (name, dir) = match args {
        [check] if check == "--check" => return check_alone(),
        [name] => (name, None),
        [name, dir] => (name, Some(PathBuf::from(dir))),
        _ => return Err(USAGE.into()),
    };
    let root = crate::listings::workspace_root();
    let workspace = Workspace::load(&root)?;
    let name = name.strip_suffix("-starter").unwrap_or(name);
    let Some(starter) =
        starters(&workspace).find(|s| exercise_name(&s.name) == Some(name))
    else {
        let known: Vec<&str> = starters(&workspace)
            .filter_map(|s| exercise_name(&s.name))
            .collect();
        return Err(format!(
            "no exercise `{name}`; the exercises are:\n  {}\n\n{USAGE}",
            known.join("\n  ")
        ));
    };
    let here = std::env::current_dir().map_err(|e| format!("{e}"))?;
    let dir = match dir {
        Some(dir) => here.join(dir),
        None => root.parent().unwrap_or(&root).join(name),
    };
    let dir = copy(&root, &starter.dir, name, &dir)?;
    let solution = named_solution(starter).unwrap_or_default();
    println!("copied {} to {}", starter.name, dir.display());
    println!("\n  cd {}", dir.display());
    println!(
        "  cargo test    # fails until you write each part marked `Write:`"
    );
    println!("  cargo run");
    if std::fs::read_to_string(dir.join("Cargo.toml"))
        .is_ok_and(|m| m.contains("cfg(loom)"))
    {
        println!("  RUSTFLAGS=\"--cfg loom\" cargo test --release   # the loom models");
    }
    println!(
        "\nA solution: listings/{}/{solution}/src/main.rs",
        starter.chapter_dir
    );
    Ok(())
}

/// Copies the starter in `starter_dir` to a new folder `dir`, outside the
/// checkout at `root`, as the crate `name`: its `src/main.rs` without
/// the book's `ANCHOR` lines, a manifest of its own
/// ([`standalone_manifest`]) and the workspace's `Cargo.lock`, so it builds
/// with the versions the book was tested with. Returns the folder.
fn copy(
    root: &Path,
    starter_dir: &Path,
    name: &str,
    dir: &Path,
) -> Result<PathBuf, String> {
    let dir = lexical(dir);
    if dir.starts_with(lexical(root)) {
        return Err(format!(
            "{} is inside the book's checkout: choose a folder outside it \
             (cargo xtask exercise {name} ../{name})",
            dir.display()
        ));
    }
    if dir.exists() {
        return Err(format!(
            "{} already exists, and nothing is overwritten: choose another \
             folder, or delete that one",
            dir.display()
        ));
    }
    let read = |path: &Path| {
        std::fs::read_to_string(path)
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    let manifest = standalone_manifest(
        &read(&root.join("Cargo.toml"))?,
        &read(&starter_dir.join("Cargo.toml"))?,
        name,
    )?;
    let program: String = read(&starter_dir.join("src/main.rs"))?
        .lines()
        .filter(|l| !l.contains("ANCHOR:") && !l.contains("ANCHOR_END:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let lock = read(&root.join("Cargo.lock"))?;
    let write = |file: &str, text: &str| {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().expect("a file has a folder"))
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    write("Cargo.toml", &manifest)?;
    write("Cargo.lock", &lock)?;
    write("src/main.rs", &program)?;
    Ok(dir)
}

/// `a/./b/../c` → `a/c`, without the file system (the folder need not
/// exist yet).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The sections a starter's manifest may have dependencies in.
const DEPENDENCY_SECTIONS: [&str; 2] = ["dependencies", "dev-dependencies"];

/// A manifest for the starter as a crate of its own: its name is the
/// exercise's, each `workspace = true` becomes the workspace's entry
/// (its pinned version, with the features of both), the workspace's
/// edition and lints are written out, and an empty `[workspace]` makes
/// it the root of its own workspace, wherever it is.
fn standalone_manifest(
    workspace_manifest: &str,
    starter_manifest: &str,
    name: &str,
) -> Result<String, String> {
    let parse = |text: &str, what: &str| {
        toml::from_str::<toml::Table>(text).map_err(|e| format!("{what}: {e}"))
    };
    let workspace = parse(workspace_manifest, "the workspace's Cargo.toml")?;
    let starter = parse(starter_manifest, "the starter's Cargo.toml")?;
    let shared = &workspace["workspace"];
    let pinned = shared.get("dependencies").and_then(|d| d.as_table());
    let edition = shared
        .get("package")
        .and_then(|p| p.get("edition"))
        .and_then(|e| e.as_str())
        .unwrap_or("2021");
    let resolve = |dependency: &str, entry: &toml::Value| {
        let Some(local) = entry.as_table() else {
            return Ok(entry.clone()); // a version of its own
        };
        if local.get("workspace").and_then(toml::Value::as_bool) != Some(true) {
            return Ok(entry.clone());
        }
        let mut resolved = match pinned.and_then(|p| p.get(dependency)) {
            Some(toml::Value::String(version)) => {
                let mut t = toml::Table::new();
                t.insert("version".into(), version.clone().into());
                t
            }
            Some(toml::Value::Table(t)) => t.clone(),
            _ => {
                return Err(format!(
                    "`{dependency}` is not in the workspace's \
                     [workspace.dependencies]"
                ))
            }
        };
        if let Some(path) = resolved.get("path") {
            return Err(format!(
                "`{dependency}` is the workspace's crate at {path}: an \
                 exercise uses only published crates"
            ));
        }
        let mut features: Vec<toml::Value> = resolved
            .get("features")
            .and_then(|f| f.as_array())
            .cloned()
            .unwrap_or_default();
        for feature in local
            .get("features")
            .and_then(|f| f.as_array())
            .into_iter()
            .flatten()
        {
            if !features.contains(feature) {
                features.push(feature.clone());
            }
        }
        if !features.is_empty() {
            resolved.insert("features".into(), features.into());
        }
        for (key, value) in local {
            if key != "workspace" && key != "features" {
                resolved.insert(key.clone(), value.clone());
            }
        }
        Ok(toml::Value::Table(resolved))
    };
    let section = |table: &toml::Table, header: &str| {
        let mut text = format!("\n[{header}]\n");
        for (dependency, entry) in table {
            text.push_str(&format!(
                "{dependency} = {}\n",
                resolve(dependency, entry)?
            ));
        }
        Ok::<_, String>(text)
    };
    let mut out = format!(
        "# The exercise {name}, copied by `cargo xtask exercise` from the\n\
         # book \"Rust as Music, Part III: Time\".\n\
         [package]\n\
         name = \"{name}\"\n\
         version = \"0.1.0\"\n\
         edition = \"{edition}\"\n\
         publish = false\n"
    );
    for header in DEPENDENCY_SECTIONS {
        if let Some(table) = starter.get(header).and_then(|t| t.as_table()) {
            out.push_str(&section(table, header)?);
        }
    }
    let targets = starter.get("target").and_then(|t| t.as_table());
    for (target, sections) in targets.into_iter().flatten() {
        for header in DEPENDENCY_SECTIONS {
            if let Some(table) = sections.get(header).and_then(|t| t.as_table())
            {
                let header = format!("target.{}.{header}", toml_key(target));
                out.push_str(&section(table, &header)?);
            }
        }
    }
    let lints = shared.get("lints").and_then(|l| l.as_table());
    for (tool, table) in lints.into_iter().flatten() {
        out.push_str(&format!("\n[lints.{tool}]\n"));
        for (lint, level) in table.as_table().into_iter().flatten() {
            out.push_str(&format!("{lint} = {level}\n"));
        }
    }
    out.push_str("\n# A workspace of its own, so it builds wherever it is.\n");
    out.push_str("[workspace]\n");
    Ok(out)
}

/// A key as TOML writes it: quoted unless it is bare.
fn toml_key(key: &str) -> String {
    let bare = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        key.to_string()
    } else {
        toml::Value::String(key.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKSPACE: &str = r#"
[workspace]
members = ["listings/*/*"]

[workspace.package]
edition = "2021"

[workspace.dependencies]
tokio = { version = "=1.54.1", features = ["full"] }
loom = "=0.7.3"
recording = { path = "ci/recording" }

[workspace.lints.rust]
unexpected_cfgs = { level = "warn", check-cfg = ["cfg(loom)"] }

[workspace.lints.clippy]
todo = "warn"
"#;

    const STARTER: &str = r#"
[package]
name = "exercise-13-last-out-starter"
version = "0.1.0"
edition.workspace = true
publish.workspace = true

[package.metadata.book]
kind = "exercise-starter"
solution = "exercise-13-last-out-solution"

[dependencies]
tokio.workspace = true

[target.'cfg(loom)'.dependencies]
loom.workspace = true

[dev-dependencies]
tokio = { workspace = true, features = ["test-util"] }

[lints]
workspace = true
"#;

    #[test]
    fn a_copied_starter_pins_what_the_workspace_pins() {
        let text =
            standalone_manifest(WORKSPACE, STARTER, "exercise-13-last-out")
                .unwrap();
        let manifest: toml::Table = toml::from_str(&text).unwrap();
        let package = &manifest["package"];
        assert_eq!(package["name"].as_str(), Some("exercise-13-last-out"));
        assert_eq!(package["edition"].as_str(), Some("2021"));
        assert!(package.get("metadata").is_none(), "no book metadata");
        let tokio = &manifest["dependencies"]["tokio"];
        assert_eq!(tokio["version"].as_str(), Some("=1.54.1"));
        let test_tokio = &manifest["dev-dependencies"]["tokio"];
        let features: Vec<&str> = test_tokio["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(toml::Value::as_str)
            .collect();
        assert_eq!(features, ["full", "test-util"], "both sets of features");
        assert!(test_tokio.get("workspace").is_none());
        let loom = &manifest["target"]["cfg(loom)"]["dependencies"]["loom"];
        assert_eq!(loom["version"].as_str(), Some("=0.7.3"));
        assert_eq!(manifest["lints"]["clippy"]["todo"].as_str(), Some("warn"));
        let cfgs = &manifest["lints"]["rust"]["unexpected_cfgs"]["check-cfg"];
        assert_eq!(cfgs[0].as_str(), Some("cfg(loom)"));
        assert_eq!(
            manifest["workspace"].as_table().map(toml::Table::len),
            Some(0),
            "an empty [workspace]: its own root"
        );

        let local = STARTER
            .replace("tokio.workspace = true", "recording.workspace = true");
        let refused = standalone_manifest(WORKSPACE, &local, "x").unwrap_err();
        assert!(refused.contains("only published crates"), "{refused}");
        let missing = STARTER.replace("loom.workspace", "rayon.workspace");
        let refused =
            standalone_manifest(WORKSPACE, &missing, "x").unwrap_err();
        assert!(refused.contains("`rayon` is not in"), "{refused}");
    }

    #[test]
    fn a_starter_is_copied_outside_the_checkout_and_never_over_anything() {
        let scratch = std::env::temp_dir()
            .join(format!("xtask-exercise-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&scratch);
        let root = scratch.join("book");
        let starter = root.join("listings/ch13/exercise-13-last-out-starter");
        for (file, text) in [
            ("Cargo.toml", WORKSPACE),
            ("Cargo.lock", "version = 4\n"),
            (
                "listings/ch13/exercise-13-last-out-starter/Cargo.toml",
                STARTER,
            ),
            (
                "listings/ch13/exercise-13-last-out-starter/src/main.rs",
                "// ANCHOR: all\nfn main() {}\n// ANCHOR_END: all\n",
            ),
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let copy_to =
            |dir: &Path| copy(&root, &starter, "exercise-13-last-out", dir);

        let out = copy_to(&root.join("../mine/./last-out")).unwrap();
        assert_eq!(out, scratch.join("mine/last-out"));
        let read = |file: &str| std::fs::read_to_string(out.join(file));
        assert_eq!(read("src/main.rs").unwrap(), "fn main() {}\n");
        assert_eq!(read("Cargo.lock").unwrap(), "version = 4\n");
        assert!(read("Cargo.toml").unwrap().contains("[workspace]\n"));

        std::fs::write(out.join("src/main.rs"), "// my work\n").unwrap();
        let again = copy_to(&out).unwrap_err();
        assert!(again.contains("already exists"), "{again}");
        assert_eq!(read("src/main.rs").unwrap(), "// my work\n", "kept");

        let inside = copy_to(&root.join("listings/mine")).unwrap_err();
        assert!(inside.contains("inside the book's checkout"), "{inside}");
        assert!(!root.join("listings/mine").exists());
        std::fs::remove_dir_all(&scratch).unwrap();
    }

    #[test]
    fn the_tests_are_the_text_from_the_first_test_cfg_on() {
        let source = "#[cfg(loom)]\nuse loom::sync;\nfn main() {}\n\n\
                      #[cfg(all(test, not(loom)))]\nmod tests {}\n\
                      #[cfg(all(test, loom))]\nmod models {}\n";
        assert_eq!(
            test_modules(source),
            Some(
                "#[cfg(all(test, not(loom)))]\nmod tests {}\n\
                 #[cfg(all(test, loom))]\nmod models {}\n"
            )
        );
        assert_eq!(test_modules("#[cfg(testing)]\nfn main() {}\n"), None);
        assert_eq!(
            exercise_name("exercise-07-locks-starter"),
            Some("exercise-07-locks")
        );
        assert_eq!(
            exercise_name("exercise-07-locks-solution"),
            Some("exercise-07-locks")
        );
        assert_eq!(exercise_name("listing-07-01"), None);
    }

    /// A checkout in `scratch` with one exercise, whose solution's tests
    /// are `solution_tests` (the starter's are `mod tests {}`), and its
    /// page, whose exercise section is `section`.
    fn exercise_on_a_page(
        scratch: &Path,
        solution_tests: &str,
        section: &str,
    ) -> (Workspace, Book) {
        let _ = std::fs::remove_dir_all(scratch);
        let listing = |kind, suffix: &str, manifest: &str, tests: &str| {
            let name = format!("exercise-07-locks-{suffix}");
            let dir = scratch.join("listings/ch07-deadlocks").join(&name);
            std::fs::create_dir_all(dir.join("src")).unwrap();
            std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
            let source = format!("fn main() {{}}\n\n#[cfg(test)]\n{tests}");
            std::fs::write(dir.join("src/main.rs"), source).unwrap();
            Listing::sample(&name, &dir, "ch07-deadlocks", kind)
        };
        let starter = listing(
            Kind::ExerciseStarter,
            "starter",
            "[package.metadata.book]\nkind = \"exercise-starter\"\n\
             solution = \"exercise-07-locks-solution\"\n",
            "mod tests {}\n",
        );
        let solution =
            listing(Kind::ExerciseSolution, "solution", "", solution_tests);
        let page = scratch.join("src/ch07-deadlocks.md");
        std::fs::create_dir_all(page.parent().unwrap()).unwrap();
        std::fs::write(&page, section).unwrap();
        let workspace = Workspace {
            listings: vec![starter, solution],
            strays: Vec::new(),
            target_dir: scratch.join("target"),
        };
        let pages = vec![crate::book::Page::parse(&page, section)];
        (workspace, Book { pages })
    }

    const STARTER_BLOCK: &str = "```rust\n{{#rustdoc_include \
        ../listings/ch07-deadlocks/exercise-07-locks-starter/src/main.rs:all}}\n\
        ```\n";

    const SOLUTION_BLOCK: &str = "```rust\n{{#rustdoc_include \
        ../listings/ch07-deadlocks/exercise-07-locks-solution/src/main.rs:all}}\n\
        ```\n";

    const COPY: &str = "`cargo xtask exercise exercise-07-locks` copies it.\n";

    fn hidden(block: &str) -> String {
        format!("<details>\n<summary>Show a solution</summary>\n\n{block}\n</details>\n")
    }

    #[test]
    fn the_drift_guard_holds_a_pair_together_and_to_its_page() {
        let scratch = std::env::temp_dir()
            .join(format!("xtask-exercise-check-{}", std::process::id()));
        let problems = |tests: &str, section: &str| {
            let (workspace, book) =
                exercise_on_a_page(&scratch, tests, section);
            let mut report = Report::default();
            check(&workspace, &book, &mut report);
            report.finish("test").err().unwrap_or_default()
        };
        let page =
            format!("{COPY}\n{STARTER_BLOCK}\n{}", hidden(SOLUTION_BLOCK));
        assert_eq!(problems("mod tests {}\n", &page), "");

        let other = problems("mod tests { fn more() {} }\n", &page);
        assert!(other.contains("its tests are not those of"), "{other}");

        let open = format!("{COPY}\n{STARTER_BLOCK}\n{SOLUTION_BLOCK}");
        let open = problems("mod tests {}\n", &open);
        assert!(open.contains("solution is shown in the open"), "{open}");

        let both = format!(
            "{COPY}\n{}",
            hidden(&format!("{STARTER_BLOCK}\n{SOLUTION_BLOCK}"))
        );
        let both = problems("mod tests {}\n", &both);
        assert!(both.contains("starter is hidden in a <details>"), "{both}");

        let silent = format!("{STARTER_BLOCK}\n{}", hidden(SOLUTION_BLOCK));
        let silent = problems("mod tests {}\n", &silent);
        assert!(
            silent.contains(
                "does not say `cargo xtask exercise exercise-07-locks`"
            ),
            "{silent}"
        );
        std::fs::remove_dir_all(&scratch).unwrap();
    }

    fn ran(success: Option<bool>, output: &str) -> Ran {
        Ran {
            success,
            output: output.into(),
        }
    }

    #[test]
    fn a_starter_must_fail_as_tests_fail_and_a_solution_must_pass() {
        let failed = "test result: FAILED. 1 passed; 2 failed; 0 ignored";
        let passed = "test result: ok. 3 passed; 0 failed; 0 ignored";
        assert!(starter_problem(&ran(Some(false), failed)).is_none());
        let solved = starter_problem(&ran(Some(true), passed)).unwrap();
        assert!(solved.0.contains("already solved"), "{}", solved.0);
        let crashed = starter_problem(&ran(Some(false), "running 3 tests"));
        assert!(crashed.unwrap().0.contains("did not fail as tests"));
        let hung = starter_problem(&ran(None, "running 3 tests")).unwrap();
        assert!(hung.0.contains("still ran after"), "{}", hung.0);

        assert!(solution_problem(&ran(Some(true), passed)).is_none());
        let broken = solution_problem(&ran(Some(false), failed)).unwrap();
        assert!(broken.0.contains("1 passed; 2 failed"), "{}", broken.0);
        assert!(solution_problem(&ran(None, "")).is_some());
    }

    #[test]
    fn an_exercise_program_must_run_to_its_end() {
        assert!(
            program_problem(&ran(Some(true), "the turner: 3 pages")).is_none()
        );
        let panicked = program_problem(&ran(Some(false), "panicked")).unwrap();
        assert!(panicked.0.contains("failed"), "{}", panicked.0);
        let hung = program_problem(&ran(None, "")).unwrap();
        assert!(hung.0.contains("still ran after"), "{}", hung.0);
    }

    #[test]
    fn a_run_keeps_what_it_printed_and_a_hang_is_stopped() {
        let mut talks = Command::new("sh");
        talks.args([
            "-c",
            "echo 'test result: FAILED. 0 passed; 1 failed'; \
                           echo panicked >&2; exit 101",
        ]);
        let ran = run_limited(talks, Duration::from_secs(20)).unwrap();
        assert_eq!(ran.success, Some(false));
        assert!(ran.output.contains("panicked"), "{}", ran.output);
        assert_eq!(ran.summary(), Some("FAILED. 0 passed; 1 failed"));

        let started = std::time::Instant::now();
        let mut hangs = Command::new("sleep");
        hangs.arg("30");
        let ran = run_limited(hangs, Duration::from_millis(200)).unwrap();
        assert_eq!(ran.success, None, "stopped, not finished");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not waited out"
        );
    }
}
