//! `cargo xtask mutants`: can every listing's tests fail?
//!
//! cargo-mutants (pinned, installed on first need) makes small wrong
//! versions of a listing's code, *mutants* (a function's body replaced by a
//! default value, `<` by `<=`, a `!` deleted), and runs the listing's tests
//! against each one. Those tests include `tests/recorded_output.rs`, so a
//! mutant that changes what the program prints is caught too. Each mutant
//! ends in one of four outcomes:
//!
//! - *caught*: a test failed. Only this counts as caught.
//! - *missed*: every test passed. A test is missing, or the mutant does what
//!   the original does (then say so in the ledger).
//! - *unviable*: it does not compile, so no test ran. It is not counted as
//!   caught: it says nothing about the tests.
//! - *timeout*: the tests still ran after [`TEST_TIMEOUT`] seconds. It is not
//!   counted as caught either: every test that could hang has a watchdog
//!   (at most 20 seconds, the recorded run's limit), so a mutant that makes
//!   a listing hang is caught by a failing test well before then. A timeout
//!   means a test hung with no watchdog, which is a problem to fix or to
//!   accept with a reason, like a missed mutant.
//!
//! The ledger, `listings/mutants.toml`, records for each program listing
//! the hash of its sources (`Cargo.toml`, `output.txt`, `build.rs`, `src/`,
//! `tests/`), its counts, the names of its unviable mutants, and each
//! missed or timed-out mutant with the one-line reason a person accepted
//! it for. [`check`] fails when a listing's sources no longer have the
//! recorded hash, when a listing has no entry, when a survivor has no
//! reason, or when the counts are not those of the mutants cargo-mutants
//! lists; [`sample`] reruns a few mutants, chosen by the commit, and fails
//! if one ends otherwise than the ledger says.
//!
//! cargo-mutants runs in a copy of the checkout, `target/mutants/record/tree`
//! (for `--check` and `--sample`, `target/mutants/check/tree`), synced file
//! by file (unchanged files keep their times, so cargo rebuilds only what
//! changed), and mutates it in place. Its builds share the workspace's build
//! folder (`CARGO_BUILD_BUILD_DIR`), so tokio and every other dependency is
//! compiled once for all; the copy's own crates build under other hashes
//! ([`OWN_BUILDS`]), so a mutant never replaces the checkout's build.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::background::{Background, Beside, Finish};
use crate::cache::Cache;
use crate::listings::{Kind, Listing, Workspace};
use crate::problem::Report;

/// The pinned cargo-mutants.
pub const CARGO_MUTANTS: &str = "27.1.0";

/// The ledger, relative to the root.
const LEDGER: &str = "listings/mutants.toml";

/// Seconds a mutant's tests may run: above every watchdog in the listings
/// (the recorded run's 20 seconds, a unit test's 10), so a hang they
/// detect ends as a failing test, not a timeout.
pub const TEST_TIMEOUT: u64 = 60;

/// About how long the sample in `cargo xtask test` may take: it runs one
/// mutant after another while the next one, taking the average time so far,
/// would end within this budget. Each run of CI samples from another place
/// (the commit chooses it), so over many runs the sample covers the
/// ledger. A budget of 20 s used about 30 CPU-seconds of a clean run's 550.
const SAMPLE_BUDGET: Duration = Duration::from_secs(10);

/// The budget of a local run's sample of the few listings just edited (at
/// least one mutant runs whatever the budget).
const EDIT_SAMPLE_BUDGET: Duration = Duration::from_secs(5);

const HELP: &str = "\
cargo xtask mutants [FILTER…]   test the mutants of the listings whose path
                                contains a filter (all without one) and
                                update their entries in listings/mutants.toml
cargo xtask mutants --check     check the ledger against the sources
cargo xtask mutants --sample [LISTING…]
                                rerun a few mutants, as `cargo xtask test`
                                does: of the listings named, in a shorter
                                budget, or of all";

/// The verb.
pub fn command(args: &[String]) -> Result<(), String> {
    let root = crate::listings::workspace_root();
    let workspace = Workspace::load(&root)?;
    match args {
        [flag] if flag == "--check" => check(&root, &workspace),
        [flag, names @ ..] if flag == "--sample" => {
            if let Some(unknown) = names
                .iter()
                .find(|n| !workspace.listings.iter().any(|l| &l.name == *n))
            {
                return Err(format!("no listing is named {unknown}\n{HELP}"));
            }
            let only = (!names.is_empty()).then_some(names);
            sample(&root, &workspace, only)
        }
        _ if args.iter().any(|a| a.starts_with('-')) => {
            Err(format!("unknown arguments {args:?}\n{HELP}"))
        }
        filters => record(&root, &workspace, filters),
    }
}

/// One mutant's outcome, as cargo-mutants names it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Outcome {
    Caught,
    Missed,
    Unviable,
    Timeout,
}

impl Outcome {
    fn name(self) -> &'static str {
        match self {
            Outcome::Caught => "caught",
            Outcome::Missed => "missed",
            Outcome::Unviable => "unviable",
            Outcome::Timeout => "timeout",
        }
    }
}

/// One mutant run: its name (relative to its listing), how it ended, and
/// the seconds its builds and tests took.
#[derive(Clone, Debug)]
struct Ran {
    mutant: String,
    outcome: Outcome,
    seconds: f64,
}

/// One listing's entry in the ledger. Mutants are named as cargo-mutants
/// names them, without the listing's folder: `src/main.rs:12:5: replace
/// main with ()`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Entry {
    /// [`sources_hash`] of the sources that were tested.
    pub sources: String,
    pub caught: usize,
    pub unviable: BTreeSet<String>,
    /// Each missed mutant, and the reason it is accepted ("" if none yet).
    pub missed: BTreeMap<String, String>,
    /// Each mutant that timed out, and the reason it is accepted.
    pub timeout: BTreeMap<String, String>,
}

impl Entry {
    /// What the ledger says became of `mutant`.
    pub fn outcome(&self, mutant: &str) -> Outcome {
        if self.missed.contains_key(mutant) {
            Outcome::Missed
        } else if self.timeout.contains_key(mutant) {
            Outcome::Timeout
        } else if self.unviable.contains(mutant) {
            Outcome::Unviable
        } else {
            Outcome::Caught
        }
    }

    pub fn total(&self) -> usize {
        self.caught
            + self.unviable.len()
            + self.missed.len()
            + self.timeout.len()
    }

    /// The survivors nobody has given a reason for yet.
    pub fn unaccepted(&self) -> Vec<(&'static str, &str)> {
        let missed = self.missed.iter().map(|m| (Outcome::Missed, m));
        let timeout = self.timeout.iter().map(|m| (Outcome::Timeout, m));
        missed
            .chain(timeout)
            .filter(|(_, (_, reason))| reason.trim().is_empty())
            .map(|(outcome, (mutant, _))| (outcome.name(), mutant.as_str()))
            .collect()
    }

    /// The entry for a new run of the listing: `outcomes` of its mutants,
    /// keeping the reasons of `old` for survivors of the same description.
    fn from_run(
        sources: String,
        outcomes: &[(String, Outcome)],
        old: Option<&Entry>,
    ) -> Entry {
        let mut entry = Entry {
            sources,
            ..Entry::default()
        };
        let reason = |mutant: &str| {
            let old = old.map(|o| o.missed.iter().chain(&o.timeout));
            old.into_iter()
                .flatten()
                .find(|(name, _)| {
                    without_position(name) == without_position(mutant)
                })
                .map(|(_, reason)| reason.clone())
                .unwrap_or_default()
        };
        for (mutant, outcome) in outcomes {
            match outcome {
                Outcome::Caught => entry.caught += 1,
                Outcome::Unviable => {
                    entry.unviable.insert(mutant.clone());
                }
                Outcome::Missed => {
                    entry.missed.insert(mutant.clone(), reason(mutant));
                }
                Outcome::Timeout => {
                    entry.timeout.insert(mutant.clone(), reason(mutant));
                }
            }
        }
        entry
    }
}

/// `src/main.rs:12:5: replace main with ()` without its line and column:
/// a reason stays with its mutant when an edit moves it.
fn without_position(mutant: &str) -> String {
    let mut parts = mutant.splitn(4, ':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(file), Some(line), Some(column), Some(rest))
            if line.chars().all(|c| c.is_ascii_digit())
                && column.chars().all(|c| c.is_ascii_digit()) =>
        {
            format!("{file}:{rest}")
        }
        _ => mutant.to_string(),
    }
}

/// The ledger: the cargo-mutants version that wrote it, and each listing's
/// entry by name.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Ledger {
    pub cargo_mutants: String,
    pub entries: BTreeMap<String, Entry>,
}

const LEDGER_HEADER: &str = "\
# The mutants ledger: what cargo-mutants found in each listing's tests.
# `cargo xtask mutants [FILTER]` writes it; `cargo xtask test` checks it.
# How to read it, and how to accept a surviving mutant: CONTRIBUTING.md,
# section \"Mutants: every test can fail\".
";

impl Ledger {
    pub fn parse(text: &str) -> Result<Ledger, String> {
        let table: toml::Table = text.parse().map_err(|e| format!("{e}"))?;
        let mut ledger = Ledger::default();
        for (key, value) in &table {
            if key == "cargo-mutants" {
                ledger.cargo_mutants = value
                    .as_str()
                    .ok_or("`cargo-mutants` must be a version string")?
                    .to_string();
                continue;
            }
            let listing = value
                .as_table()
                .ok_or_else(|| format!("`{key}` must be a listing's table"))?;
            let entry = parse_entry(listing)
                .map_err(|problem| format!("[{key}]: {problem}"))?;
            ledger.entries.insert(key.clone(), entry);
        }
        if ledger.cargo_mutants.is_empty() {
            return Err("no `cargo-mutants = \"<version>\"` line".into());
        }
        Ok(ledger)
    }

    pub fn render(&self) -> String {
        let mut text = format!(
            "{LEDGER_HEADER}\ncargo-mutants = {}\n",
            quoted(&self.cargo_mutants)
        );
        for (name, entry) in &self.entries {
            let _ = write!(
                text,
                "\n[{name}]\nsources = {}\ncaught = {}\nmissed = {}\n\
                 unviable = {}\ntimeout = {}\n",
                quoted(&entry.sources),
                entry.caught,
                entry.missed.len(),
                entry.unviable.len(),
                entry.timeout.len()
            );
            if !entry.unviable.is_empty() {
                text.push_str("unviable-mutants = [\n");
                for mutant in &entry.unviable {
                    let _ = writeln!(text, "    {},", quoted(mutant));
                }
                text.push_str("]\n");
            }
            for (table, survivors) in [
                ("missed-mutants", &entry.missed),
                ("timeout-mutants", &entry.timeout),
            ] {
                if survivors.is_empty() {
                    continue;
                }
                let _ = writeln!(text, "\n[{name}.{table}]");
                for (mutant, reason) in survivors {
                    let _ = writeln!(
                        text,
                        "{} = {}",
                        quoted(mutant),
                        quoted(reason)
                    );
                }
            }
        }
        text
    }

    fn load(root: &Path) -> Result<Ledger, String> {
        let file = root.join(LEDGER);
        let text = std::fs::read_to_string(&file).map_err(|e| {
            format!(
                "{}: {e}; run `cargo xtask mutants` to write it",
                file.display()
            )
        })?;
        Ledger::parse(&text).map_err(|e| format!("{}: {e}", file.display()))
    }
}

fn parse_entry(table: &toml::Table) -> Result<Entry, String> {
    let mut entry = Entry::default();
    let mut counts = BTreeMap::new();
    for (key, value) in table {
        match key.as_str() {
            "sources" => {
                entry.sources = value
                    .as_str()
                    .ok_or("`sources` must be a string")?
                    .to_string()
            }
            "caught" | "missed" | "unviable" | "timeout" => {
                let count = value
                    .as_integer()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| format!("`{key}` must be a count"))?;
                counts.insert(key.as_str(), count);
            }
            "unviable-mutants" => {
                for mutant in value
                    .as_array()
                    .ok_or("`unviable-mutants` must be a list")?
                {
                    entry.unviable.insert(
                        mutant
                            .as_str()
                            .ok_or("a mutant's name must be a string")?
                            .to_string(),
                    );
                }
            }
            "missed-mutants" | "timeout-mutants" => {
                let survivors = value
                    .as_table()
                    .ok_or_else(|| format!("`{key}` must be a table"))?;
                let into = if key == "missed-mutants" {
                    &mut entry.missed
                } else {
                    &mut entry.timeout
                };
                for (mutant, reason) in survivors {
                    let reason = reason.as_str().ok_or_else(|| {
                        format!("the reason for `{mutant}` must be a string")
                    })?;
                    into.insert(mutant.clone(), reason.to_string());
                }
            }
            other => return Err(format!("unknown key `{other}`")),
        }
    }
    if entry.sources.is_empty() {
        return Err("no `sources` hash".into());
    }
    entry.caught = counts.get("caught").copied().unwrap_or(0);
    for (count, names) in [
        ("missed", entry.missed.len()),
        ("unviable", entry.unviable.len()),
        ("timeout", entry.timeout.len()),
    ] {
        let written = counts.get(count).copied().unwrap_or(0);
        if written != names {
            return Err(format!(
                "`{count} = {written}` but {names} {count} mutants are named"
            ));
        }
    }
    Ok(entry)
}

/// `text` as a TOML basic string, escaped (usable as a key too).
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The files of a listing its tests depend on, relative to its folder,
/// sorted: `Cargo.toml`, `output.txt`, `build.rs`, and all of `src/` and
/// `tests/`.
fn listing_files(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, relative: &str, into: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = format!("{relative}/{name}");
            if entry.path().is_dir() {
                walk(&entry.path(), &path, into);
            } else {
                into.push(path);
            }
        }
    }
    let mut files: Vec<String> = ["Cargo.toml", "output.txt", "build.rs"]
        .into_iter()
        .filter(|f| dir.join(f).is_file())
        .map(String::from)
        .collect();
    for folder in ["src", "tests"] {
        walk(&dir.join(folder), folder, &mut files);
    }
    files.sort();
    files
}

/// A stable hash of a listing's sources ([`listing_files`]): 64-bit
/// FNV-1a over each file's path, length and bytes. It detects edits; it is
/// no defence against someone forging it, which review is.
pub fn sources_hash(dir: &Path) -> Result<String, String> {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let fnv = |hash: u64, bytes: &[u8]| {
        bytes
            .iter()
            .fold(hash, |h, b| (h ^ u64::from(*b)).wrapping_mul(PRIME))
    };
    let mut hash = OFFSET;
    for file in listing_files(dir) {
        let bytes = std::fs::read(dir.join(&file))
            .map_err(|e| format!("{}: {e}", dir.join(&file).display()))?;
        hash = fnv(hash, file.as_bytes());
        hash = fnv(hash, &[0]);
        hash = fnv(hash, &(bytes.len() as u64).to_le_bytes());
        hash = fnv(hash, &bytes);
    }
    Ok(format!("fnv1a64:{hash:016x}"))
}

/// The program listings, sorted by folder.
fn programs(workspace: &Workspace) -> Vec<&Listing> {
    workspace
        .listings
        .iter()
        .filter(|l| matches!(l.kind, Kind::Program | Kind::ExerciseSolution))
        .collect()
}

/// What a copy of the checkout is for. Each has its own copy, so a long
/// `cargo xtask mutants` run and the checks of `cargo xtask test` never
/// mutate each other's files, and its own profile, so they never share a
/// build (see [`OWN_BUILDS`]).
#[derive(Clone, Copy)]
enum Purpose {
    /// `cargo xtask mutants [FILTER…]`.
    Record,
    /// `--check` and `--sample`.
    Check,
}

impl Purpose {
    fn name(self) -> &'static str {
        match self {
            Purpose::Record => "record",
            Purpose::Check => "check",
        }
    }

    /// The workspace crates' `codegen-units` in this copy: neither cargo's
    /// default (256), which the checkout uses, nor the other copy's.
    fn codegen_units(self) -> u32 {
        match self {
            Purpose::Record => 255,
            Purpose::Check => 254,
        }
    }
}

/// Where cargo-mutants works, and how to run it: one copy of the checkout,
/// locked while in use (a second command for the same copy waits).
struct Mutants {
    binary: PathBuf,
    /// The copy of the checkout it mutates.
    tree: PathBuf,
    /// Where it writes `mutants.out`.
    out: PathBuf,
    /// The workspace's build folder, shared.
    build_dir: PathBuf,
    /// Where the copy's programs go.
    target_dir: PathBuf,
    /// Held while this value lives.
    _lock: std::fs::File,
}

impl Mutants {
    /// Installs cargo-mutants if needed, takes the copy for `purpose`, and
    /// brings it up to date with the checkout at `root`.
    fn new(
        root: &Path,
        workspace: &Workspace,
        purpose: Purpose,
    ) -> Result<Mutants, String> {
        let bin = crate::tools::install(
            "cargo-mutants",
            "cargo-mutants",
            CARGO_MUTANTS,
        )?;
        let base = workspace.target_dir.join("mutants").join(purpose.name());
        std::fs::create_dir_all(&base)
            .map_err(|e| format!("{}: {e}", base.display()))?;
        let lock_file = base.join("lock");
        let lock = std::fs::File::create(&lock_file)
            .map_err(|e| format!("{}: {e}", lock_file.display()))?;
        if lock.try_lock().is_err() {
            println!(
                "waiting for another `cargo xtask mutants` using {}",
                base.display()
            );
            lock.lock()
                .map_err(|e| format!("{}: {e}", lock_file.display()))?;
        }
        let mutants = Mutants {
            binary: bin.join("cargo-mutants"),
            tree: base.join("tree"),
            out: base.clone(),
            build_dir: workspace.target_dir.clone(),
            target_dir: base.join("target"),
            _lock: lock,
        };
        sync_tree(root, &mutants.tree, purpose)?;
        Ok(mutants)
    }

    /// `cargo mutants` on the copy, with the settings every run shares.
    fn command(&self) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .arg("mutants")
            .arg("--dir")
            .arg(&self.tree)
            .arg("--output")
            .arg(&self.out)
            .args(["--in-place", "--cargo-arg=--locked"])
            .args(["--timeout", &TEST_TIMEOUT.to_string()])
            .env("CARGO_BUILD_BUILD_DIR", &self.build_dir)
            .env("CARGO_TARGET_DIR", &self.target_dir)
            .current_dir(&self.tree);
        command
    }

    /// Every mutant cargo-mutants makes of `listings`, by package, in its
    /// order, named relative to the listing's folder.
    fn list(
        &self,
        listings: &[&Listing],
    ) -> Result<BTreeMap<String, Vec<String>>, String> {
        let mut command = Command::new(&self.binary);
        command
            .args(["mutants", "--list", "--json", "--dir"])
            .arg(&self.tree)
            .current_dir(&self.tree);
        for listing in listings {
            command.args(["--package", &listing.name]);
        }
        let output = command
            .output()
            .map_err(|e| format!("could not run cargo-mutants: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "`cargo mutants --list` failed ({}):\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let list: Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("cargo-mutants' list is not JSON: {e}"))?;
        let mut mutants: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for listing in listings {
            mutants.entry(listing.name.clone()).or_default();
        }
        for mutant in list.as_array().into_iter().flatten() {
            let (Some(package), Some(name)) =
                (mutant["package"].as_str(), mutant["name"].as_str())
            else {
                return Err(format!("a mutant without a name: {mutant}"));
            };
            let listing =
                listings.iter().find(|l| l.name == package).ok_or_else(
                    || format!("a mutant of `{package}`, no listing"),
                )?;
            mutants
                .entry(package.to_string())
                .or_default()
                .push(relative_name(listing, name));
        }
        Ok(mutants)
    }

    /// Runs `command` (showing its progress, or only its output on a
    /// failure if `quiet`) and reads each mutant's outcome from
    /// `outcomes.json`, by package.
    fn run(
        &self,
        mut command: Command,
        listings: &[&Listing],
        quiet: bool,
    ) -> Result<BTreeMap<String, Vec<Ran>>, String> {
        let (status, printed) = if quiet {
            let output = command
                .output()
                .map_err(|e| format!("could not run cargo-mutants: {e}"))?;
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            (output.status, printed)
        } else {
            let status = command
                .status()
                .map_err(|e| format!("could not run cargo-mutants: {e}"))?;
            (status, String::new())
        };
        let log = self.out.join("mutants.out");
        // 0: all caught; 2: some missed; 3: some timed out; 4: the tests
        // fail with no mutant at all.
        match status.code() {
            Some(0 | 2 | 3) => {}
            Some(4) => {
                let names: Vec<&str> =
                    listings.iter().map(|l| l.name.as_str()).collect();
                return Err(format!(
                    "{printed}the tests of {} fail before any mutation: run \
                     `cargo test -p {}` and fix them first (cargo-mutants' \
                     log: {})",
                    names.join(", "),
                    names.join(" -p "),
                    log.join("log/baseline.log").display()
                ));
            }
            _ => {
                return Err(format!(
                    "{printed}cargo-mutants failed ({status}); its logs are \
                     in {}",
                    log.display()
                ))
            }
        }
        let text = std::fs::read_to_string(log.join("outcomes.json"))
            .map_err(|e| format!("{}: {e}", log.display()))?;
        let json: Value = serde_json::from_str(&text)
            .map_err(|e| format!("outcomes.json is not JSON: {e}"))?;
        let mut outcomes: BTreeMap<String, Vec<Ran>> = BTreeMap::new();
        for outcome in json["outcomes"].as_array().into_iter().flatten() {
            let mutant = &outcome["scenario"]["Mutant"];
            let (Some(package), Some(name)) =
                (mutant["package"].as_str(), mutant["name"].as_str())
            else {
                continue; // the baseline
            };
            let kind = match outcome["summary"].as_str() {
                Some("CaughtMutant") => Outcome::Caught,
                Some("MissedMutant") => Outcome::Missed,
                Some("Unviable") => Outcome::Unviable,
                Some("Timeout") => Outcome::Timeout,
                other => {
                    return Err(format!(
                        "`{name}` ended as {other:?}; see {}",
                        log.display()
                    ))
                }
            };
            let seconds = outcome["phase_results"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["duration"].as_f64())
                .sum();
            let listing =
                listings.iter().find(|l| l.name == package).ok_or_else(
                    || format!("a mutant of `{package}`, no listing"),
                )?;
            outcomes.entry(package.to_string()).or_default().push(Ran {
                mutant: relative_name(listing, name),
                outcome: kind,
                seconds,
            });
        }
        Ok(outcomes)
    }
}

/// A mutant's name without the listing's folder.
fn relative_name(listing: &Listing, name: &str) -> String {
    let root = crate::listings::workspace_root();
    let folder = listing.dir.strip_prefix(&root).unwrap_or(&listing.dir);
    let prefix = format!("{}/", folder.display());
    name.strip_prefix(&prefix).unwrap_or(name).to_string()
}

/// Makes `tree` a copy of the checkout's files (those git tracks or would
/// track): writes only the files whose bytes differ, and deletes the files
/// the checkout no longer has. The copy's `Cargo.toml` is the checkout's
/// with [`OWN_BUILDS`] added, and its Rust files go through
/// [`mark_test_code`].
fn sync_tree(root: &Path, tree: &Path, purpose: Purpose) -> Result<(), String> {
    let output = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| {
            format!("could not run git (it lists the files to copy): {e}")
        })?;
    if !output.status.success() {
        return Err(format!(
            "`git ls-files` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let files: BTreeSet<PathBuf> = output
        .stdout
        .split(|b| *b == 0)
        .filter(|f| !f.is_empty())
        .map(|f| PathBuf::from(String::from_utf8_lossy(f).into_owned()))
        .filter(|f| root.join(f).is_file())
        .collect();
    let manifest = Path::new("Cargo.toml");
    for file in &files {
        let mut bytes = std::fs::read(root.join(file))
            .map_err(|e| format!("{}: {e}", root.join(file).display()))?;
        if file == manifest {
            bytes.extend(own_builds(root, purpose)?.into_bytes());
        } else if file.extension().is_some_and(|e| e == "rs") {
            bytes = mark_test_code(bytes);
        }
        let copy = tree.join(file);
        if std::fs::read(&copy).ok().as_ref() != Some(&bytes) {
            if let Some(folder) = copy.parent() {
                std::fs::create_dir_all(folder)
                    .map_err(|e| format!("{}: {e}", folder.display()))?;
            }
            std::fs::write(&copy, &bytes)
                .map_err(|e| format!("{}: {e}", copy.display()))?;
        }
    }
    remove_stale(tree, &files)
}

/// Removes from the copy at `tree` every file that is not in `files`, and
/// the folders that leaves empty: a listing removed from the checkout
/// leaves no empty folder that `listings/*/*` would take for a crate.
fn remove_stale(tree: &Path, files: &BTreeSet<PathBuf>) -> Result<(), String> {
    let mut stale = Vec::new();
    collect_files(tree, tree, &mut stale);
    for file in stale.iter().filter(|f| !files.contains(*f)) {
        std::fs::remove_file(tree.join(file))
            .map_err(|e| format!("{}: {e}", tree.join(file).display()))?;
        let mut folder = tree.join(file);
        while folder.pop() && folder != tree {
            if std::fs::remove_dir(&folder).is_err() {
                break;
            }
        }
    }
    Ok(())
}

/// Why the copy's `Cargo.toml` gives each workspace crate a profile of its
/// own. Cargo names what it builds by a hash of the crate's path relative to
/// the workspace root and of its profile, so without this a crate of the
/// copy would have the checkout's hash, and a mutant's build would replace
/// the checkout's in the shared build folder (and be taken for fresh by the
/// next `cargo test`). Another `codegen-units`, which changes nothing a
/// program does, gives them another hash, and without debug info they build
/// quicker; every dependency keeps its hash and is shared.
const OWN_BUILDS: &str = "
# Added by `cargo xtask mutants` to its copy (see ci/xtask/src/mutants.rs):
# the workspace's crates build without debug info, under their own hash.
";

/// [`OWN_BUILDS`] and a profile override for each workspace member.
fn own_builds(root: &Path, purpose: Purpose) -> Result<String, String> {
    let metadata = crate::metadata::workspace(root)?;
    let mut text = OWN_BUILDS.to_string();
    let mut names: Vec<&str> =
        metadata.packages.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    for name in names {
        let _ = write!(
            text,
            "\n[profile.dev.package.{name}]\ndebug = false\n\
             codegen-units = {}\n",
            purpose.codegen_units()
        );
    }
    Ok(text)
}

/// cargo-mutants skips items under `#[cfg(test)]`, but not under
/// `#[cfg(all(test, loom))]` or `#[cfg(all(test, not(loom)))]` (how a loom
/// listing gates its tests): it would mutate test code, or a loom model that
/// an ordinary build does not even compile. In the copy each such attribute
/// gets a `#[cfg(test)]` in front, on the same line: the compiler sees the
/// same condition (`all(test, …)` implies `test`), and every line keeps its
/// number, so mutants keep their names.
fn mark_test_code(source: Vec<u8>) -> Vec<u8> {
    match String::from_utf8(source) {
        Ok(text) => text
            .replace("#[cfg(all(test,", "#[cfg(test)] #[cfg(all(test,")
            .into_bytes(),
        Err(not_text) => not_text.into_bytes(),
    }
}

/// Every file under `dir`, relative to `base`.
fn collect_files(base: &Path, dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(base, &path, into);
        } else if let Ok(relative) = path.strip_prefix(base) {
            into.push(relative.to_path_buf());
        }
    }
}

/// `cargo xtask mutants [FILTER…]`: tests the chosen listings' mutants and
/// rewrites their entries.
fn record(
    root: &Path,
    workspace: &Workspace,
    filters: &[String],
) -> Result<(), String> {
    let chosen: Vec<&Listing> = programs(workspace)
        .into_iter()
        .filter(|l| {
            let dir = l.dir.to_string_lossy();
            filters.is_empty()
                || filters.iter().any(|f| dir.contains(f.as_str()))
        })
        .collect();
    if chosen.is_empty() {
        return Err(format!("no program listing's path contains {filters:?}"));
    }
    // The sources as they are copied: checked again after the run.
    let tested: Vec<(&Listing, String)> = chosen
        .iter()
        .map(|l| sources_hash(&l.dir).map(|hash| (*l, hash)))
        .collect::<Result<_, _>>()?;
    let mutants = Mutants::new(root, workspace, Purpose::Record)?;
    println!(
        "testing the mutants of {} listings with cargo-mutants {CARGO_MUTANTS} \
         (about 3 seconds a mutant; a full run takes about half an hour)",
        chosen.len()
    );
    let started = Instant::now();
    let mut command = mutants.command();
    for listing in &chosen {
        command.args(["--package", &listing.name]);
    }
    let outcomes = mutants.run(command, &chosen, false)?;
    // Read the ledger only now: another run may have written it meanwhile,
    // and its entries (and the reasons people gave) must survive this one.
    let mut ledger = match Ledger::load(root) {
        Ok(ledger) => ledger,
        Err(_) if !root.join(LEDGER).exists() => Ledger::default(),
        Err(problem) => return Err(problem),
    };

    println!(
        "\n{:<16} {:>6} {:>6} {:>8} {:>7} {:>8}",
        "listing", "caught", "missed", "unviable", "timeout", "seconds"
    );
    let mut unaccepted = Vec::new();
    for (listing, hash) in &tested {
        let ran = outcomes.get(&listing.name).cloned().unwrap_or_default();
        let seconds: f64 = ran.iter().map(|r| r.seconds).sum();
        let ran: Vec<(String, Outcome)> =
            ran.into_iter().map(|r| (r.mutant, r.outcome)).collect();
        let entry = Entry::from_run(
            hash.clone(),
            &ran,
            ledger.entries.get(&listing.name),
        );
        println!(
            "{:<16} {:>6} {:>6} {:>8} {:>7} {:>8.0}",
            listing.name,
            entry.caught,
            entry.missed.len(),
            entry.unviable.len(),
            entry.timeout.len(),
            seconds
        );
        for (outcome, mutant) in entry.unaccepted() {
            unaccepted
                .push(format!("  {} ({outcome}): {mutant}", listing.name));
        }
        ledger.entries.insert(listing.name.clone(), entry);
    }
    let known: BTreeSet<&str> = programs(workspace)
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    ledger
        .entries
        .retain(|name, _| known.contains(name.as_str()));
    ledger.cargo_mutants = CARGO_MUTANTS.to_string();
    let file = root.join(LEDGER);
    std::fs::write(&file, ledger.render())
        .map_err(|e| format!("{}: {e}", file.display()))?;
    println!(
        "\nwrote {LEDGER} ({} listings in {:.0?})",
        chosen.len(),
        started.elapsed()
    );
    for (listing, hash) in &tested {
        if sources_hash(&listing.dir)? != *hash {
            println!(
                "note: {} changed while its mutants ran; run `cargo xtask \
                 mutants {}` again",
                listing.name, listing.name
            );
        }
    }
    if unaccepted.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} surviving mutants have no reason in {LEDGER}:\n{}\n\
             for each one, write a test that fails on it (then rerun this \
             command), or, if it cannot be caught or does not matter, give \
             a one-line reason in its `missed-mutants` or `timeout-mutants` \
             table (see CONTRIBUTING.md)",
            unaccepted.len(),
            unaccepted.join("\n")
        ))
    }
}

/// The ledger matches the sources: each program listing has an entry with
/// the hash of its sources, every survivor a reason, and the counts add up
/// to the mutants cargo-mutants lists.
pub fn check(root: &Path, workspace: &Workspace) -> Result<(), String> {
    let ledger = Ledger::load(root)?;
    let file = root.join(LEDGER);
    let mut report = Report::default();
    let listings = programs(workspace);
    let rerun = |name: &str| {
        format!(
            "run `cargo xtask mutants {name}` and review the diff of {LEDGER}"
        )
    };
    if ledger.cargo_mutants != CARGO_MUTANTS {
        report.add(
            &file,
            None,
            format!(
                "the ledger was written by cargo-mutants {}, but {CARGO_MUTANTS} is pinned",
                ledger.cargo_mutants
            ),
            "run `cargo xtask mutants` (every listing, about half an hour)",
        );
    }
    let mut current = Vec::new();
    for listing in &listings {
        let Some(entry) = ledger.entries.get(&listing.name) else {
            report.add(
                &listing.dir,
                None,
                format!("{} has no entry in {LEDGER}", listing.name),
                rerun(&listing.name),
            );
            continue;
        };
        if sources_hash(&listing.dir)? != entry.sources {
            report.add(
                &listing.dir,
                None,
                format!(
                    "{}'s sources changed since its mutants were tested",
                    listing.name
                ),
                rerun(&listing.name),
            );
            continue;
        }
        for (outcome, mutant) in entry.unaccepted() {
            report.add(
                &file,
                None,
                format!(
                    "{} ({outcome}): `{mutant}` has no reason",
                    listing.name
                ),
                "write a test that fails on it and rerun `cargo xtask \
                 mutants`, or give a one-line reason why it may survive",
            );
        }
        current.push((*listing, entry));
    }
    for name in ledger.entries.keys() {
        if !listings.iter().any(|l| &l.name == name) {
            report.add(
                &file,
                None,
                format!("[{name}] is no program listing"),
                "delete its entry",
            );
        }
    }
    if !current.is_empty() {
        let mutants = Mutants::new(root, workspace, Purpose::Check)?;
        let chosen: Vec<&Listing> = current.iter().map(|(l, _)| *l).collect();
        let listed = mutants.list(&chosen)?;
        for (listing, entry) in &current {
            let names = &listed[&listing.name];
            let named = entry
                .unviable
                .iter()
                .chain(entry.missed.keys())
                .chain(entry.timeout.keys())
                .find(|m| !names.contains(m));
            if names.len() != entry.total() || named.is_some() {
                report.add(
                    &file,
                    None,
                    format!(
                        "[{}] counts {} mutants, cargo-mutants lists {}{}",
                        listing.name,
                        entry.total(),
                        names.len(),
                        named.map_or(String::new(), |m| format!(
                            ", and none named `{m}`"
                        ))
                    ),
                    rerun(&listing.name),
                );
            }
        }
    }
    println!("{} listings match their entries in {LEDGER}", current.len());
    report.finish("mutants ledger")
}

/// Where the sample starts: from the commit being tested, or the day.
fn sample_seed(root: &Path) -> u64 {
    let commit = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| {
            let hex = String::from_utf8_lossy(&o.stdout);
            u64::from_str_radix(hex.get(..16)?, 16).ok()
        });
    commit.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() / 86_400)
    })
}

/// Starts `cargo xtask mutants --check` (this program, in `root`),
/// writing to `log`: the ledger stage of `cargo xtask test`, which needs no
/// build and so runs beside the build. It must end before
/// [`start_sample`] begins, which reads the same tree.
pub fn start_check(root: &Path, log: &Path) -> Result<Beside, String> {
    let mut command = Command::new(crate::program()?);
    command.args(["mutants", "--check"]).current_dir(root);
    let child = Background::start(&mut command, Some(log), "the xtask")?;
    Ok(Beside::Running(Box::new(LedgerCheck(child))))
}

/// [`start_check`]'s command, until the run waits for it.
struct LedgerCheck(Background);

impl Finish for LedgerCheck {
    /// Waits for the check and prints what it said; fails if it failed.
    fn finish(self: Box<Self>, _cache: &Cache) -> Result<String, String> {
        let ended = self.0.wait()?;
        print!("{}", ended.log);
        if !ended.status.success() {
            return Err(format!(
                "{LEDGER} does not match the listings: each problem above \
                 names its listing and what to run"
            ));
        }
        Ok(ended.note("checked beside the build"))
    }
}

/// Starts `cargo xtask mutants --sample` (this program, in `root`) on
/// the listings `only` names, or on all, writing to `log`: the sample of
/// `cargo xtask test`, run beside its other stages.
pub fn start_sample(
    root: &Path,
    only: Option<&[String]>,
    log: &Path,
) -> Result<Background, String> {
    let mut command = Command::new(crate::program()?);
    command
        .args(["mutants", "--sample"])
        .args(only.unwrap_or_default())
        .current_dir(root);
    Background::start(&mut command, Some(log), "the xtask")
}

/// Reruns mutants one by one, from a place chosen by the commit, for
/// about [`SAMPLE_BUDGET`], and fails if one ends otherwise than the ledger
/// says.
///
/// With `only`, the sample draws from those listings' mutants, in
/// [`EDIT_SAMPLE_BUDGET`].
pub fn sample(
    root: &Path,
    workspace: &Workspace,
    only: Option<&[String]>,
) -> Result<(), String> {
    let ledger = Ledger::load(root)?;
    let mutants = Mutants::new(root, workspace, Purpose::Check)?;
    let listings: Vec<&Listing> = programs(workspace)
        .into_iter()
        .filter(|l| only.is_none_or(|only| only.contains(&l.name)))
        .collect();
    let budget = match only {
        Some(_) => EDIT_SAMPLE_BUDGET,
        None => SAMPLE_BUDGET,
    };
    let listed = mutants.list(&listings)?;
    let all: Vec<(&Listing, &String)> = listings
        .iter()
        .flat_map(|l| listed[&l.name].iter().map(move |m| (*l, m)))
        .collect();
    if all.is_empty() {
        println!("no mutants to sample");
        return Ok(());
    }
    let start = (sample_seed(root) % all.len() as u64) as usize;
    let started = Instant::now();
    let mut report = Report::default();
    let mut sampled = Vec::new();
    let mut count: u32 = 0;
    for (listing, mutant) in all.iter().cycle().skip(start).take(all.len()) {
        // Stop before a mutant that, taking as long as the average so far,
        // would end past the budget.
        let spent = started.elapsed();
        if count > 0 && spent + spent / count > budget {
            break;
        }
        let Some(entry) = ledger.entries.get(&listing.name) else {
            continue;
        };
        let folder = listing.dir.strip_prefix(root).unwrap_or(&listing.dir);
        let full = format!("{}/{mutant}", folder.display());
        let mut command = mutants.command();
        command
            .args(["--package", &listing.name, "--baseline", "skip"])
            .arg("--re")
            .arg(format!("^{}$", regex::escape(&full)));
        let ran = mutants.run(command, &[*listing], true)?;
        let outcome = ran
            .get(&listing.name)
            .and_then(|r| r.first())
            .map(|r| r.outcome)
            .ok_or_else(|| format!("cargo-mutants did not run `{full}`"))?;
        let expected = entry.outcome(mutant);
        println!("{}: {mutant}: {}", listing.name, outcome.name());
        count += 1;
        sampled.push(listing.name.as_str());
        if outcome != expected {
            report.add(
                &root.join(LEDGER),
                None,
                format!(
                    "{}: `{mutant}` was {} in this run, but the ledger says {}",
                    listing.name,
                    outcome.name(),
                    expected.name()
                ),
                format!(
                    "run `cargo xtask mutants {}` and review the diff; if the \
                     outcome changes from run to run, a test depends on luck \
                     (timing or scheduling): make it assert an invariant",
                    listing.name
                ),
            );
        }
    }
    sampled.dedup();
    println!(
        "sampled {count} of {} mutants ({}) in {:.1?}",
        all.len(),
        sampled.join(", "),
        started.elapsed()
    );
    report.finish("mutants sample")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEDGER_TEXT: &str = r#"
cargo-mutants = "27.1.0"

[listing-05-06]
sources = "fnv1a64:00000000000000ff"
caught = 4
missed = 1
unviable = 1
timeout = 1
unviable-mutants = [
    "src/main.rs:20:5: replace wait -> bool with Default::default()",
]

[listing-05-06.missed-mutants]
"src/main.rs:38:5: replace main with ()" = "main only prints"

[listing-05-06.timeout-mutants]
"src/main.rs:9:9: replace += with -= in count" = ""
"#;

    #[test]
    fn a_removed_listing_leaves_no_folder_in_the_copy() {
        let tree = std::env::temp_dir()
            .join(format!("xtask-stale-{}", std::process::id()));
        for file in [
            "listings/ch02/listing-02-03/src/main.rs",
            "listings/ch02/listing-02-01/src/main.rs",
        ] {
            let path = tree.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "fn main() {}").unwrap();
        }
        let kept = BTreeSet::from([PathBuf::from(
            "listings/ch02/listing-02-01/src/main.rs",
        )]);
        remove_stale(&tree, &kept).unwrap();
        assert!(!tree.join("listings/ch02/listing-02-03").exists());
        assert!(tree
            .join("listings/ch02/listing-02-01/src/main.rs")
            .exists());
        std::fs::remove_dir_all(&tree).unwrap();
    }

    #[test]
    fn a_ledger_reads_back_what_it_writes() {
        let ledger = Ledger::parse(LEDGER_TEXT).unwrap();
        let entry = &ledger.entries["listing-05-06"];
        assert_eq!(entry.caught, 4);
        assert_eq!(entry.total(), 7);
        assert_eq!(
            entry.outcome("src/main.rs:38:5: replace main with ()"),
            Outcome::Missed
        );
        assert_eq!(
            entry.outcome("src/main.rs:20:5: replace wait -> bool with Default::default()"),
            Outcome::Unviable
        );
        assert_eq!(
            entry.outcome("src/main.rs:1:1: anything else"),
            Outcome::Caught
        );
        assert_eq!(
            entry.unaccepted(),
            [("timeout", "src/main.rs:9:9: replace += with -= in count")]
        );
        assert_eq!(Ledger::parse(&ledger.render()).unwrap(), ledger);
    }

    #[test]
    fn names_with_quotes_survive_a_round_trip() {
        let mut ledger = Ledger {
            cargo_mutants: CARGO_MUTANTS.into(),
            ..Ledger::default()
        };
        let mut entry = Entry {
            sources: "fnv1a64:1".into(),
            ..Entry::default()
        };
        entry.missed.insert(
            r#"src/main.rs:29:5: replace play -> Vec<&'static str> with vec!["xyzzy"]"#.into(),
            "a \"quoted\" reason \\ with a backslash,\ta tab".into(),
        );
        ledger.entries.insert("listing-02-02".into(), entry);
        assert_eq!(Ledger::parse(&ledger.render()).unwrap(), ledger);
    }

    #[test]
    fn counts_that_disagree_with_the_names_are_rejected() {
        let wrong = LEDGER_TEXT.replace("missed = 1", "missed = 0");
        let problem = Ledger::parse(&wrong).unwrap_err();
        assert!(problem.contains("`missed = 0` but 1 missed"), "{problem}");
        let typo = LEDGER_TEXT.replace("caught = 4", "cought = 4");
        let problem = Ledger::parse(&typo).unwrap_err();
        assert!(problem.contains("unknown key `cought`"), "{problem}");
        let unpinned = LEDGER_TEXT.replace("cargo-mutants = \"27.1.0\"", "");
        assert!(Ledger::parse(&unpinned).is_err());
    }

    #[test]
    fn a_rerun_keeps_reasons_by_description_not_position() {
        let old = Ledger::parse(LEDGER_TEXT).unwrap().entries["listing-05-06"]
            .clone();
        let run = [
            ("src/main.rs:40:5: replace main with ()", Outcome::Missed),
            ("src/main.rs:12:1: replace give with ()", Outcome::Missed),
            ("src/main.rs:3:1: replace f -> u8 with 0", Outcome::Caught),
        ]
        .map(|(m, o)| (m.to_string(), o));
        let entry = Entry::from_run("fnv1a64:2".into(), &run, Some(&old));
        assert_eq!(entry.caught, 1);
        assert_eq!(
            entry.missed["src/main.rs:40:5: replace main with ()"],
            "main only prints",
            "the moved survivor keeps its reason"
        );
        assert_eq!(
            entry.unaccepted(),
            [("missed", "src/main.rs:12:1: replace give with ()")],
            "a new survivor has none"
        );
        assert!(entry.timeout.is_empty(), "the timeout is gone: fixed");
    }

    #[test]
    fn the_hash_sees_every_source_and_nothing_else() {
        let dir = std::env::temp_dir()
            .join(format!("xtask-mutants-hash-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (file, text) in [
            ("Cargo.toml", "[package]\n"),
            ("output.txt", "tune up\n"),
            ("src/main.rs", "fn main() {}\n"),
            (
                "tests/recorded_output.rs",
                "recording::recorded_output_test!();\n",
            ),
        ] {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let first = sources_hash(&dir).unwrap();
        assert!(first.starts_with("fnv1a64:"), "{first}");
        assert_eq!(sources_hash(&dir).unwrap(), first);
        for file in [
            "Cargo.toml",
            "output.txt",
            "src/main.rs",
            "tests/recorded_output.rs",
        ] {
            let path = dir.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.replace('\n', " \n")).unwrap();
            assert_ne!(sources_hash(&dir).unwrap(), first, "{file} changed");
            std::fs::write(&path, text).unwrap();
        }
        std::fs::remove_file(dir.join("tests/recorded_output.rs")).unwrap();
        assert_ne!(sources_hash(&dir).unwrap(), first, "a test deleted");
        std::fs::write(
            dir.join("tests/recorded_output.rs"),
            "recording::recorded_output_test!();\n",
        )
        .unwrap();
        std::fs::write(dir.join("src/part.rs"), "").unwrap();
        assert_ne!(sources_hash(&dir).unwrap(), first, "a module added");
        std::fs::remove_file(dir.join("src/part.rs")).unwrap();
        std::fs::write(dir.join("notes.md"), "no source").unwrap();
        assert_eq!(sources_hash(&dir).unwrap(), first, "not a source");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn test_code_under_a_compound_cfg_is_marked_on_its_own_line() {
        let source = "fn main() {}\n\n#[cfg(all(test, loom))]\nmod model {}\n\
                      #[cfg(all(test, not(loom)))]\nmod tests {}\n\
                      #[cfg(any(test, loom))]\nfn f() {}\n";
        let marked =
            String::from_utf8(mark_test_code(source.as_bytes().to_vec()))
                .unwrap();
        assert_eq!(marked.lines().count(), source.lines().count());
        assert!(marked.contains("#[cfg(test)] #[cfg(all(test, loom))]\n"));
        assert!(marked.contains("#[cfg(test)] #[cfg(all(test, not(loom)))]"));
        assert!(
            marked.contains("\n#[cfg(any(test, loom))]"),
            "any(test, …) does not imply test: left alone"
        );
    }

    #[test]
    fn a_position_is_dropped_only_where_there_is_one() {
        assert_eq!(
            without_position("src/main.rs:12:5: replace a::b with ()"),
            "src/main.rs: replace a::b with ()"
        );
        assert_eq!(without_position("no position"), "no position");
    }
}
