//! The programs that must not compile, each checked against the compiler
//! error recorded beside it.
//!
//! The programs that must not compile are each negative listing's
//! `src/main.rs` (`kind = "compile-fail"`: the error its page shows) and
//! every program in a listing's `tests/refused/`: the near misses a page
//! names. Each one's record is the `.stderr` file of the same name beside
//! it. Each is compiled by rustc alone, from its package's
//! folder, against the libraries the test build made for the package's
//! dependencies and dev-dependencies, passed by `--extern` as cargo passes
//! them. Nothing is compiled twice: rustc only checks the program
//! (`--emit=metadata`), and the libraries are the build's own.
//!
//! What rustc prints is compared with the record after [`normalize`]:
//! - the summary rustc ends with ("aborting due to", "For more
//!   information") is dropped, and so are trailing spaces;
//! - a place in the toolchain's sources is written `$RUST/…`, and one in a
//!   crate from the registry `$CARGO/<crate>-$VERSION/…`. Such a place
//!   loses its line and column and the lines it quotes lose their numbers:
//!   they change with the toolchain and the dependency, not with the
//!   listing;
//! - the gutter then narrows to the widest line number left, as rustc
//!   would print it had the hidden numbers not widened it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use serde_json::Value;

use crate::listings::{Kind, Listing, Workspace};
use crate::problem::Report;

/// A program that must not compile.
#[derive(Clone, Debug)]
pub struct Refusal {
    /// The package whose dependencies it may use.
    pub package: String,
    /// The package's folder, where rustc runs.
    pub dir: PathBuf,
    /// The program, relative to `dir`, as rustc names it.
    pub program: PathBuf,
}

impl Refusal {
    /// The error rustc must give: the program's `.stderr` beside it.
    pub fn record(&self) -> PathBuf {
        self.dir.join(&self.program).with_extension("stderr")
    }
}

/// Every program that must not compile, in the order of their paths.
pub fn find(workspace: &Workspace) -> Vec<Refusal> {
    let mut found = Vec::new();
    for listing in &workspace.listings {
        let mut programs = files(&listing.dir.join(REFUSED));
        programs.retain(|f| f.extension().is_some_and(|e| e == "rs"));
        if listing.kind == Kind::CompileFail {
            programs.push(listing.source());
        }
        for file in programs {
            let program = file
                .strip_prefix(&listing.dir)
                .expect("found under the listing")
                .to_path_buf();
            found.push(Refusal {
                package: listing.name.clone(),
                dir: listing.dir.clone(),
                program,
            });
        }
    }
    found.sort_by_key(Refusal::record);
    found
}

/// `cargo fmt` sees only a package's targets, not the near misses in
/// [`REFUSED`]: rustfmt checks every program that must not compile.
pub fn rustfmt(root: &Path, workspace: &Workspace) -> Result<(), String> {
    let files: Vec<PathBuf> = find(workspace)
        .iter()
        .map(|r| r.dir.join(&r.program))
        .collect();
    if files.is_empty() {
        return Ok(());
    }
    crate::run(
        Command::new("rustfmt")
            .args(["--check", "--edition", "2021"])
            .args(&files)
            .current_dir(root),
        "a program that must not compile is not rustfmt-clean: run \
         `rustfmt --edition 2021 <file>` on the file shown above",
    )
}

/// Where a listing keeps the near misses its page names.
pub const REFUSED: &str = "tests/refused";

/// Every `.stderr` file in a listing's folder that is no program's record.
pub fn orphan_records(workspace: &Workspace) -> Vec<PathBuf> {
    let records: Vec<PathBuf> =
        find(workspace).iter().map(Refusal::record).collect();
    workspace
        .listings
        .iter()
        .flat_map(|l| files(&l.dir))
        .filter(|f| f.extension().is_some_and(|e| e == "stderr"))
        .filter(|f| !records.contains(f))
        .collect()
}

/// The programs that must not compile in the listings `chosen` picks, and
/// what rustc needs to compile them, from the test build (fresh after a
/// test run; it builds what is not).
pub fn prepare(
    root: &Path,
    workspace: &Workspace,
    chosen: impl Fn(&Listing) -> bool,
) -> Result<(Externs, Vec<Refusal>), String> {
    let refusals: Vec<Refusal> = find(workspace)
        .into_iter()
        .filter(|r| {
            workspace
                .listings
                .iter()
                .any(|l| l.name == r.package && chosen(l))
        })
        .collect();
    if refusals.is_empty() {
        return Ok((Externs::none(), refusals));
    }
    let built = crate::incremental::build(root)?;
    let externs =
        Externs::new(root, &workspace.target_dir, &built.libraries, &refusals)?;
    Ok((externs, refusals))
}

/// One rustc per core.
pub fn at_once() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Every file under `dir`, sorted, but in a `target` folder.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                if entry.file_name() != "target" {
                    folders.push(path);
                }
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// What rustc needs to compile a package's programs as cargo would: its
/// edition, and the library the test build made for each of its
/// dependencies and dev-dependencies, by the name its code uses.
pub struct Externs {
    packages: HashMap<String, (String, Vec<(String, PathBuf)>)>,
    /// Where the libraries' own dependencies are (`target/debug/deps`).
    deps: PathBuf,
}

impl Externs {
    /// For no package.
    fn none() -> Externs {
        Externs {
            packages: HashMap::new(),
            deps: PathBuf::new(),
        }
    }

    /// From `cargo metadata` of the workspace at `root` and `libraries`,
    /// each package id's library files as the test build reported them,
    /// for the packages of `refusals`.
    pub fn new(
        root: &Path,
        target_dir: &Path,
        libraries: &HashMap<String, Vec<PathBuf>>,
        refusals: &[Refusal],
    ) -> Result<Externs, String> {
        let metadata =
            crate::metadata::json(&root.join("Cargo.toml"), &["--locked"])?;
        let mut packages = HashMap::new();
        for refusal in refusals {
            if packages.contains_key(&refusal.package) {
                continue;
            }
            let found = of_package(&metadata, &refusal.package, libraries)?;
            packages.insert(refusal.package.clone(), found);
        }
        Ok(Externs {
            packages,
            deps: target_dir.join("debug/deps"),
        })
    }

    /// Every library file `refusal` is compiled against: a check's input.
    pub fn files_of(&self, package: &str) -> Vec<PathBuf> {
        self.packages
            .get(package)
            .map(|(_, libs)| libs.iter().map(|(_, f)| f.clone()).collect())
            .unwrap_or_default()
    }

    /// rustc, checking `refusal` as cargo would compile it, printing its
    /// errors as the records hold them (no colour, 140 columns).
    fn rustc(&self, refusal: &Refusal, out: &Path) -> Command {
        let (edition, libs) = &self.packages[&refusal.package];
        let stem = refusal.program.file_stem().unwrap_or_default();
        let mut command = Command::new(rustc());
        command
            .current_dir(&refusal.dir)
            .args(["--crate-type", "bin", "--emit=metadata"])
            .args(["--color=never", "--diagnostic-width=140"])
            .arg(format!("--edition={edition}"))
            .arg("--crate-name")
            .arg(stem.to_string_lossy().replace('-', "_"))
            .arg("--out-dir")
            .arg(out)
            .arg("-L")
            .arg(format!("dependency={}", self.deps.display()));
        for (name, file) in libs {
            command
                .arg("--extern")
                .arg(format!("{name}={}", file.display()));
        }
        command.arg(&refusal.program);
        command
    }
}

/// The rustc cargo would run: `RUSTC`, as cargo reads it, or `rustc`.
fn rustc() -> String {
    std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string())
}

/// `package`'s edition and `--extern`s, from `metadata` (the JSON of
/// `cargo metadata` with its resolve) and the build's `libraries`.
fn of_package(
    metadata: &Value,
    package: &str,
    libraries: &HashMap<String, Vec<PathBuf>>,
) -> Result<(String, Vec<(String, PathBuf)>), String> {
    let members = metadata["workspace_members"].as_array();
    let found = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| {
            p["name"] == package
                && members.is_some_and(|m| m.contains(&p["id"]))
        })
        .ok_or_else(|| format!("cargo metadata has no package {package}"))?;
    let id = &found["id"];
    let edition = found["edition"].as_str().unwrap_or("2015").to_string();
    let node = metadata["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|n| n["id"] == *id)
        .ok_or_else(|| format!("cargo metadata resolved no {package}"))?;
    let mut externs = Vec::new();
    for dep in node["deps"].as_array().into_iter().flatten() {
        // Dependencies and dev-dependencies for every target: not build
        // dependencies, nor those of a `cfg` (loom's, say).
        let used = dep["dep_kinds"].as_array().into_iter().flatten().any(|k| {
            (k["kind"].is_null() || k["kind"] == "dev") && k["target"].is_null()
        });
        if !used {
            continue;
        }
        let (Some(name), Some(pkg)) =
            (dep["name"].as_str(), dep["pkg"].as_str())
        else {
            continue;
        };
        let file = match libraries.get(pkg).map(Vec::as_slice) {
            Some([file]) => file.clone(),
            Some([]) | None => {
                return Err(format!(
                    "{package}: the test build made no library of {pkg}, \
                     which its programs that must not compile use"
                ))
            }
            Some(files) => {
                return Err(format!(
                    "{package}: the test build made {} libraries of {pkg} \
                     (its features differ between its uses), and a \
                     program that must not compile can use only one",
                    files.len()
                ))
            }
        };
        externs.push((name.to_string(), file));
    }
    externs.sort();
    Ok((edition, externs))
}

/// What rustc printed for a program, normalized, or `None` if it
/// compiled.
fn refused(
    externs: &Externs,
    refusal: &Refusal,
    out: &Path,
) -> Result<Option<String>, String> {
    let output = externs
        .rustc(refusal, out)
        .output()
        .map_err(|e| format!("could not run {}: {e}", rustc()))?;
    if output.status.success() {
        return Ok(None);
    }
    Ok(Some(normalize(&String::from_utf8_lossy(&output.stderr))))
}

/// Compiles every one of `refusals`, `at_once` at a time, and returns
/// each one's result in their order.
fn compile_all(
    externs: &Externs,
    refusals: &[Refusal],
    out: &Path,
    at_once: usize,
) -> Vec<Result<Option<String>, String>> {
    let next = Mutex::new(0..refusals.len());
    let results = Mutex::new(vec![None; refusals.len()]);
    std::thread::scope(|s| {
        for worker in 0..at_once.max(1) {
            let (next, results) = (&next, &results);
            let out = out.join(worker.to_string());
            s.spawn(move || loop {
                let Some(i) = next.lock().expect("no worker panics").next()
                else {
                    break;
                };
                let result = refused(externs, &refusals[i], &out);
                results.lock().expect("no worker panics")[i] = Some(result);
            });
        }
    });
    results
        .into_inner()
        .expect("no worker panics")
        .into_iter()
        .map(|r| r.expect("every program was compiled"))
        .collect()
}

/// Checks that rustc refuses each of `refusals` with its recorded error,
/// `at_once` at a time; `out` takes rustc's metadata files. Returns how
/// many were checked.
pub fn check(
    externs: &Externs,
    refusals: &[Refusal],
    out: &Path,
    at_once: usize,
) -> Result<usize, String> {
    let mut report = Report::default();
    let results = compile_all(externs, refusals, out, at_once);
    for (refusal, result) in refusals.iter().zip(results) {
        let record = refusal.record();
        let fix = format!(
            "if the new error is intended, run `cargo xtask outputs {}` \
             and review the diff; a program that compiles is no negative \
             example",
            refusal.package
        );
        match result? {
            None => report.add(
                &record,
                None,
                format!("{} compiles", refusal.program.display()),
                fix,
            ),
            Some(error) => {
                let Ok(recorded) = std::fs::read_to_string(&record) else {
                    report.add(
                        &record,
                        None,
                        format!(
                            "not recorded: rustc's error for {}",
                            refusal.program.display()
                        ),
                        format!(
                            "run `cargo xtask outputs {}`, review the \
                             record, and commit it",
                            refusal.package
                        ),
                    );
                    continue;
                };
                if let Some((line, was, now)) =
                    first_difference(&recorded, &error)
                {
                    report.add(
                        &record,
                        Some(line),
                        format!(
                            "rustc's error for {} differs from the record \
                             here:\n    recorded:  {was}\n    rustc now: {now}",
                            refusal.program.display()
                        ),
                        fix,
                    );
                }
            }
        }
    }
    report.finish("negative examples")?;
    Ok(refusals.len())
}

/// Records rustc's error for each of `refusals`, normalized.
pub fn record(
    externs: &Externs,
    refusals: &[Refusal],
    out: &Path,
    at_once: usize,
) -> Result<(), String> {
    let results = compile_all(externs, refusals, out, at_once);
    let mut failures = Vec::new();
    for (refusal, result) in refusals.iter().zip(results) {
        let record = refusal.record();
        match result? {
            None => failures.push(format!(
                "{}: compiles, so it has no error to record",
                refusal.dir.join(&refusal.program).display()
            )),
            Some(error) => std::fs::write(&record, error)
                .map_err(|e| format!("{}: {e}", record.display()))?,
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// The first line (from 1) where `recorded` and `now` differ, and each
/// one's text there (`(end)` past its last line).
fn first_difference(
    recorded: &str,
    now: &str,
) -> Option<(usize, String, String)> {
    if recorded == now {
        return None;
    }
    let (mut was, mut is) = (recorded.lines(), now.lines());
    let mut line = 1;
    loop {
        match (was.next(), is.next()) {
            (Some(a), Some(b)) if a == b => line += 1,
            (a, b) => {
                let end = |l: Option<&str>| l.unwrap_or("(end)").to_string();
                return Some((line, end(a), end(b)));
            }
        }
    }
}

/// rustc's errors as the records hold them: see the module's
/// documentation.
pub fn normalize(raw: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut hiding = false;
    for line in raw.lines() {
        let line = line.trim_end();
        if is_summary(line) {
            continue;
        }
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(place) = trimmed
            .strip_prefix("--> ")
            .or_else(|| trimmed.strip_prefix("::: "))
        {
            let arrow = &trimmed[..4];
            match outside(place) {
                Some(place) => {
                    lines.push(format!("{}{arrow}{place}", &line[..indent]));
                    hiding = true;
                }
                None => {
                    lines.push(line.to_string());
                    hiding = false;
                }
            }
            continue;
        }
        if hiding
            && trimmed.starts_with(|c: char| {
                c.is_ascii_digit() || c == '|' || c == '.'
            })
        {
            let numbers = line.len()
                - line
                    .trim_start_matches([
                        ' ', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
                    ])
                    .len();
            lines.push(format!("{}{}", " ".repeat(numbers), &line[numbers..]));
            continue;
        }
        hiding = false;
        lines.push(line.to_string());
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let mut text = narrow(&lines).join("\n");
    text.push('\n');
    text
}

/// A line of the summary rustc ends with.
fn is_summary(line: &str) -> bool {
    [
        "error: aborting due to ",
        "For more information about this error, try `rustc --explain",
        "Some errors have detailed explanations:",
        "For more information about an error, try `rustc --explain",
    ]
    .iter()
    .any(|summary| line.starts_with(summary))
}

/// A place (`path:line:column`) outside the listing, as the record writes
/// it: `$RUST/…` or `$CARGO/<crate>-$VERSION/…`, without its line and
/// column; `None` for a place in the listing's folder.
fn outside(place: &str) -> Option<String> {
    let path = place.split(':').next().unwrap_or(place);
    let rust = ["/rustlib/src/rust/library/", "/library/"];
    if let Some(rest) = path.strip_prefix("/rustc/").and_then(|p| {
        let (hash, rest) = p.split_once('/')?;
        (hash.len() == 40).then_some(rest)?.strip_prefix("library/")
    }) {
        return Some(format!("$RUST/{rest}"));
    }
    if let Some(at) = path.find(rust[0]) {
        return Some(format!("$RUST/{}", &path[at + rust[0].len()..]));
    }
    if let Some(at) = path.find("/registry/src/") {
        let after = &path[at + "/registry/src/".len()..];
        let (_index, rest) = after.split_once('/')?;
        let (krate, rest) = rest.split_once('/')?;
        let name = krate
            .rsplit_once('-')
            .filter(|(_, v)| v.starts_with(|c: char| c.is_ascii_digit()))
            .map_or(krate, |(name, _)| name);
        return Some(format!("$CARGO/{name}-$VERSION/{rest}"));
    }
    None
}

/// Each diagnostic's gutter narrowed to its widest line number left.
fn narrow(lines: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    let mut start = 0;
    for end in 1..=lines.len() {
        let heading = lines.get(end).is_some_and(|l| {
            l.starts_with("error") || l.starts_with("warning")
        });
        if end == lines.len() || heading {
            out.extend(narrow_one(&lines[start..end]));
            start = end;
        }
    }
    out
}

/// One diagnostic's lines with its gutter narrowed: rustc makes it as wide
/// as the widest line number it quotes, hidden ones included.
fn narrow_one(diagnostic: &[String]) -> Vec<String> {
    let Some(width) = diagnostic.iter().find_map(|l| {
        let trimmed = l.trim_start();
        (trimmed.starts_with("--> ") || trimmed.starts_with("::: "))
            .then(|| l.len() - trimmed.len())
    }) else {
        return diagnostic.to_vec();
    };
    let shown = diagnostic
        .iter()
        .filter_map(|l| {
            let gutter = l.get(..width)?;
            let number = gutter.trim_start();
            let digits = !number.is_empty()
                && number.bytes().all(|b| b.is_ascii_digit());
            (digits && l[width..].starts_with(' ')).then_some(number.len())
        })
        .max()
        .unwrap_or(1);
    let cut = width.saturating_sub(shown);
    diagnostic
        .iter()
        .map(|l| match l.get(..cut) {
            Some(prefix)
                if !prefix.is_empty() && prefix.bytes().all(|b| b == b' ') =>
            {
                l[cut..].to_string()
            }
            _ => l.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rustc 1.95's error for Listing 12-2, as it printed it.
    const SPAWN: &str = "\
error: future cannot be sent between threads safely
   --> src/main.rs:8:19
    |
  8 |       let section = tokio::spawn(async move {
    |  ___________________^
  9 | |         let mut bpm = baton.lock().unwrap();
 10 | |         tokio::time::sleep(Duration::from_millis(10)).await;
 11 | |         *bpm += 4;
 12 | |     });
    | |______^ future created by async block is not `Send`
    |
note: required by a bound in `tokio::spawn`
   --> /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/tokio-1.54.1/src/task/spawn.rs:176:21
    |
174 |     pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
    |            ----- required by a bound in this function
175 |     where
176 |         F: Future + Send + 'static,
    |                     ^^^^ required by this bound in `spawn`

error: aborting due to 1 previous error

";

    #[test]
    fn a_registry_place_loses_its_numbers_and_the_gutter_narrows() {
        let expected = "\
error: future cannot be sent between threads safely
  --> src/main.rs:8:19
   |
 8 |       let section = tokio::spawn(async move {
   |  ___________________^
 9 | |         let mut bpm = baton.lock().unwrap();
10 | |         tokio::time::sleep(Duration::from_millis(10)).await;
11 | |         *bpm += 4;
12 | |     });
   | |______^ future created by async block is not `Send`
   |
note: required by a bound in `tokio::spawn`
  --> $CARGO/tokio-$VERSION/src/task/spawn.rs
   |
   |     pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
   |            ----- required by a bound in this function
   |     where
   |         F: Future + Send + 'static,
   |                     ^^^^ required by this bound in `spawn`
";
        assert_eq!(normalize(SPAWN), expected);
    }

    #[test]
    fn the_toolchains_places_are_rust_in_either_form() {
        for place in [
            "/rustc/0123456789abcdef0123456789abcdef01234567/library/std/src/thread/scoped.rs:180:12",
            "/home/r/.rustup/toolchains/stable/lib/rustlib/src/rust/library/std/src/thread/scoped.rs:180:12",
        ] {
            assert_eq!(
                outside(place).as_deref(),
                Some("$RUST/std/src/thread/scoped.rs")
            );
        }
        assert_eq!(outside("src/main.rs:3:4"), None);
        assert_eq!(outside("tests/refused/../../src/main.rs:3:4"), None);
    }

    #[test]
    fn each_diagnostic_narrows_alone() {
        let moved = "\
error[E0382]: borrow of moved value: `part`
 --> src/main.rs:3:5
  |
3 |     part
  |     ^^^^ value borrowed here after move
";
        let (spawn, _summary) = SPAWN.split_once("\nerror: aborting").unwrap();
        let raw = format!(
            "{spawn}\n{moved}\nerror: aborting due to 2 previous errors\n"
        );
        let spawn = normalize(SPAWN);
        assert!(spawn.contains("\n 8 |"), "narrowed to two columns");
        assert_eq!(normalize(&raw), format!("{spawn}\n{moved}"));
    }

    #[test]
    fn the_refused_programs_are_the_negatives_and_the_near_misses() {
        let root = std::env::temp_dir()
            .join(format!("xtask-refusals-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let write = |path: &str| {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        };
        for file in [
            "ch01/listing-01-03/src/main.rs",
            "ch01/listing-01-03/tests/refused/one_thread.rs",
            "ch01/listing-01-03/tests/refused/one_thread.stderr",
            "ch01/listing-01-03/tests/refused/gone.stderr",
            "ch01/listing-01-04/src/main.rs",
            "ch01/listing-01-04/tests/plays.rs",
        ] {
            write(file);
        }
        let listing = |name: &str, kind| {
            Listing::sample(name, &root.join("ch01").join(name), "ch01", kind)
        };
        let workspace = Workspace {
            listings: vec![
                listing("listing-01-03", Kind::CompileFail),
                listing("listing-01-04", Kind::Program),
            ],
            strays: Vec::new(),
            target_dir: root.join("target"),
        };
        let programs: Vec<String> = find(&workspace)
            .iter()
            .map(|r| format!("{} {}", r.package, r.program.display()))
            .collect();
        assert_eq!(
            programs,
            [
                "listing-01-03 src/main.rs",
                "listing-01-03 tests/refused/one_thread.rs"
            ]
        );
        assert_eq!(
            orphan_records(&workspace),
            [root.join("ch01/listing-01-03/tests/refused/gone.stderr")]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn the_first_difference_names_its_line() {
        assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
        assert_eq!(
            first_difference("a\nb\n", "a\nc\n"),
            Some((2, "b".into(), "c".into()))
        );
        assert_eq!(
            first_difference("a\n", "a\nc\n"),
            Some((2, "(end)".into(), "c".into()))
        );
    }
}
