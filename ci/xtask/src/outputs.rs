//! Recorded outputs: every output block on a page is a real run of its
//! listing, stored as `output.txt` beside it. `cargo xtask outputs` rewrites
//! them; `cargo xtask test` reruns every listing and compares by its rule.
//!
//! # The comparison rules
//!
//! A listing names its rule in `[package.metadata.book] output = "…"`:
//!
//! - `exact` (the default): the run prints exactly the recorded bytes. Use it
//!   for single-threaded programs and for async programs on tokio's paused
//!   clock, whose order and times are deterministic.
//! - `any-order`: the same lines, each as many times, in any order. Use it
//!   when threads print one line each and the order is up to the scheduler.
//! - `per-performer`: each performer's lines come in the recorded order, but
//!   performers may interleave differently. A line's performer is the one
//!   word (`[A-Za-z0-9_-]+`) before its first `": "`, after an optional
//!   `@<time> ` stamp; all other lines count as one more performer, so they
//!   keep their order too.
//!
//! Under every rule, the operating system's thread id in a panic message
//! (`thread 'soloist' (10489) panicked`) is compared as `<tid>`: it is new
//! on every run and says nothing about the program.
//!
//! Under `any-order` and `per-performer`, durations (a number followed by
//! `ns`, `µs`, `us`, `ms` or `s`) are compared as `<time>`: real threads never
//! take the same time twice. Nothing is exempt: every recorded output is
//! compared by one of these rules.
//!
//! The run merges stdout and stderr in the order the program wrote them (a
//! panic message is part of what a reader sees), with `RUST_BACKTRACE`
//! unset, and must exit successfully within [`TIMEOUT`].

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use regex::Regex;

use crate::listings::{workspace_root, Kind, Listing, Workspace};
use crate::problem::Report;

/// The longest a listing may run before it counts as hung.
pub const TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Rule {
    Exact,
    AnyOrder,
    PerPerformer,
}

impl Rule {
    pub const NAMES: &'static str = "exact, any-order, per-performer";

    pub fn parse(name: &str) -> Option<Rule> {
        match name {
            "exact" => Some(Rule::Exact),
            "any-order" => Some(Rule::AnyOrder),
            "per-performer" => Some(Rule::PerPerformer),
            _ => None,
        }
    }

    /// `None` if `actual` matches `recorded` under this rule, else what
    /// differs.
    pub fn mismatch(self, recorded: &str, actual: &str) -> Option<String> {
        let (recorded, actual) =
            (&mask_thread_ids(recorded), &mask_thread_ids(actual));
        match self {
            Rule::Exact => first_difference(recorded, actual),
            Rule::AnyOrder => {
                let count = |text: &str| {
                    let mut lines: BTreeMap<String, i64> = BTreeMap::new();
                    for line in text.lines() {
                        *lines.entry(mask_times(line)).or_default() += 1;
                    }
                    lines
                };
                let (want, got) = (count(recorded), count(actual));
                let mut diff = String::new();
                for (line, n) in &want {
                    let extra = n - got.get(line).copied().unwrap_or(0);
                    if extra > 0 {
                        diff.push_str(&format!("  missing {extra}x: {line}\n"));
                    }
                }
                for (line, n) in &got {
                    let extra = n - want.get(line).copied().unwrap_or(0);
                    if extra > 0 {
                        diff.push_str(&format!(
                            "  unexpected {extra}x: {line}\n"
                        ));
                    }
                }
                (!diff.is_empty()).then_some(diff)
            }
            Rule::PerPerformer => {
                let (want, got) =
                    (by_performer(recorded), by_performer(actual));
                let performers: std::collections::BTreeSet<&String> =
                    want.keys().chain(got.keys()).collect();
                let mut diff = String::new();
                for performer in performers {
                    let empty = Vec::new();
                    let w = want.get(performer).unwrap_or(&empty);
                    let g = got.get(performer).unwrap_or(&empty);
                    if w != g {
                        diff.push_str(&format!(
                            "  performer `{performer}` recorded:\n      {}\n    \
                             but played:\n      {}\n",
                            w.join("\n      "),
                            g.join("\n      ")
                        ));
                    }
                }
                (!diff.is_empty()).then_some(diff)
            }
        }
    }
}

fn first_difference(recorded: &str, actual: &str) -> Option<String> {
    if recorded == actual {
        return None;
    }
    let (want, got): (Vec<&str>, Vec<&str>) =
        (recorded.lines().collect(), actual.lines().collect());
    let line = want
        .iter()
        .zip(&got)
        .position(|(w, g)| w != g)
        .unwrap_or(want.len().min(got.len()));
    Some(format!(
        "  first difference at line {}:\n    recorded: {:?}\n    actual:   {:?}\n",
        line + 1,
        want.get(line).copied().unwrap_or("<end of output>"),
        got.get(line).copied().unwrap_or("<end of output>")
    ))
}

fn mask_thread_ids(text: &str) -> String {
    let id = Regex::new(r"(thread '[^']*') \(\d+\)").expect("valid regex");
    id.replace_all(text, "$1 (<tid>)").into_owned()
}

fn time_pattern() -> Regex {
    Regex::new(r"\d+(\.\d+)?(ns|µs|us|ms|s)\b").expect("valid regex")
}

fn mask_times(line: &str) -> String {
    time_pattern().replace_all(line, "<time>").into_owned()
}

fn by_performer(text: &str) -> BTreeMap<String, Vec<String>> {
    let stamp = Regex::new(r"^@\S+ ").expect("valid regex");
    let mut lanes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        let masked = mask_times(line);
        let body = stamp.replace(&masked, "");
        let performer = body
            .split_once(": ")
            .map(|(p, _)| p)
            .filter(|p| {
                !p.is_empty()
                    && p.chars().all(|c| {
                        c.is_ascii_alphanumeric() || c == '_' || c == '-'
                    })
            })
            .unwrap_or_default()
            .to_string();
        lanes.entry(performer).or_default().push(masked.clone());
    }
    lanes
}

/// Listings whose run a page shows: they have an `output.txt`, or a page
/// includes one that is not recorded yet.
fn recorded_listings(
    workspace: &Workspace,
    only_existing: bool,
) -> Vec<&Listing> {
    let wanted: Vec<std::path::PathBuf> = if only_existing {
        Vec::new()
    } else {
        crate::book::Book::load(&workspace_root())
            .map(|book| {
                book.pages
                    .iter()
                    .flat_map(|p| &p.includes)
                    .map(|i| crate::checks::normalize(&i.file))
                    .collect()
            })
            .unwrap_or_default()
    };
    workspace
        .listings
        .iter()
        .filter(|l| l.kind == Kind::Program)
        .filter(|l| {
            l.output_file().exists() || wanted.contains(&l.output_file())
        })
        .collect()
}

pub fn compare(workspace: &Workspace) -> Result<(), String> {
    let root = workspace_root();
    let listings = recorded_listings(workspace, true);
    let runs = run_all(&root, workspace, &listings)?;
    let mut report = Report::default();
    for (listing, run) in listings.iter().zip(runs) {
        let file = listing.output_file();
        match run {
            Err(problem) => report.add(&file, None, problem, "fix the listing"),
            Ok(actual) => {
                let recorded =
                    std::fs::read_to_string(&file).unwrap_or_default();
                if let Some(diff) =
                    listing.output_rule.mismatch(&recorded, &actual)
                {
                    report.add(
                        &file,
                        None,
                        format!(
                            "the run of {} no longer matches its recorded \
                             output ({:?} rule):\n{diff}",
                            listing.name, listing.output_rule
                        ),
                        "if the change is intended, run `cargo xtask outputs` \
                         and review the diff",
                    );
                }
            }
        }
    }
    println!("compared {} recorded outputs", listings.len());
    report.finish("output comparison")
}

/// Rewrites the recorded outputs of every listing, or only of those whose
/// folder path contains one of `filters` (`ch05`, `listing-05-02`).
pub fn regenerate(filters: &[String]) -> Result<(), String> {
    let root = workspace_root();
    let workspace = Workspace::load(&root)?;
    let chosen = |l: &Listing| {
        let dir = l.dir.to_string_lossy();
        filters.is_empty() || filters.iter().any(|f| dir.contains(f.as_str()))
    };
    // Named listings are recorded even before a page shows them; without
    // filters, only those a page shows (or that were recorded before).
    let listings: Vec<&Listing> = if filters.is_empty() {
        recorded_listings(&workspace, false)
    } else {
        workspace
            .listings
            .iter()
            .filter(|l| l.kind == Kind::Program && chosen(l))
            .collect()
    };
    let runs = run_all(&root, &workspace, &listings)?;
    let mut failures = Vec::new();
    let mut recorded = 0;
    for (listing, run) in listings.iter().zip(runs) {
        match run {
            Ok(output) => {
                let file = listing.output_file();
                // A recording that still matches by the listing's rule is
                // kept, so rerunning threads does not churn the diff.
                let old = std::fs::read_to_string(&file).ok();
                let still_valid = old.as_ref().is_some_and(|old| {
                    listing.output_rule.mismatch(old, &output).is_none()
                });
                if !still_valid {
                    std::fs::write(&file, output)
                        .map_err(|e| format!("{}: {e}", file.display()))?;
                    println!("recorded {}", file.display());
                    recorded += 1;
                }
            }
            Err(problem) => {
                failures.push(format!("{}: {problem}", listing.name))
            }
        }
    }
    println!(
        "ran {} listings: {recorded} recordings written, {} still match \
         their rule and were kept",
        listings.len(),
        listings.len() - recorded - failures.len()
    );
    let negatives: Vec<&str> = workspace
        .listings
        .iter()
        .filter(|l| l.kind == Kind::CompileFail && chosen(l))
        .map(|l| l.name.as_str())
        .collect();
    if !negatives.is_empty() {
        println!(
            "recording the compiler errors of {} negative examples",
            negatives.len()
        );
        let mut command = Command::new(crate::env_cargo());
        command
            .args(["test", "--quiet"])
            .env("TRYBUILD", "overwrite");
        for name in &negatives {
            command.args(["--package", name]);
        }
        if let Err(failure) = crate::run(
            command.current_dir(&root),
            "recording negative examples failed (see above)",
        ) {
            failures.push(failure);
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// Builds the given listings, then runs them two at a time (the machine
/// has two cores) and returns each one's merged output.
fn run_all(
    root: &Path,
    workspace: &Workspace,
    listings: &[&Listing],
) -> Result<Vec<Result<String, String>>, String> {
    if listings.is_empty() {
        return Ok(Vec::new());
    }
    let mut build = vec!["build", "--bins", "--quiet"];
    for listing in listings {
        build.extend(["--package", listing.name.as_str()]);
    }
    crate::cargo(root, &build)?;
    let target = &workspace.target_dir;
    let results: Mutex<Vec<Option<Result<String, String>>>> =
        Mutex::new(vec![None; listings.len()]);
    let next = Mutex::new(0);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let index = {
                    let mut next = next.lock().expect("no panics while held");
                    let index = *next;
                    *next += 1;
                    index
                };
                let Some(listing) = listings.get(index) else {
                    break;
                };
                let binary = target.join("debug").join(&listing.name);
                let result = run_one(&binary, &listing.dir);
                results.lock().expect("no panics while held")[index] =
                    Some(result);
            });
        }
    });
    Ok(results
        .into_inner()
        .expect("no panics while held")
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("was not run".into())))
        .collect())
}

/// Runs one listing with stdout and stderr merged, killing it after
/// [`TIMEOUT`].
fn run_one(binary: &Path, dir: &Path) -> Result<String, String> {
    let (mut reader, writer) =
        std::io::pipe().map_err(|e| format!("could not make a pipe: {e}"))?;
    let writer_too = writer
        .try_clone()
        .map_err(|e| format!("could not clone a pipe: {e}"))?;
    let mut child = Command::new(binary)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(writer_too)
        .spawn()
        .map_err(|e| format!("could not run {}: {e}", binary.display()))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "still running after {TIMEOUT:?}: a listing must finish \
                     (detect a hang, do not hang)"
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting failed: {e}")),
        }
    };
    let mut output = String::new();
    reader
        .read_to_string(&mut output)
        .map_err(|e| format!("its output is not UTF-8: {e}"))?;
    if status.success() {
        Ok(output)
    } else {
        Err(format!("exited with {status}; output:\n{output}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_names_the_first_different_line() {
        let diff = Rule::Exact.mismatch("a\nb\n", "a\nc\n").unwrap();
        assert!(diff.contains("line 2"), "{diff}");
        assert!(Rule::Exact.mismatch("a\n", "a\n").is_none());
    }

    #[test]
    fn any_order_is_a_multiset() {
        assert!(Rule::AnyOrder.mismatch("a\nb\na\n", "a\na\nb\n").is_none());
        let diff = Rule::AnyOrder.mismatch("a\na\n", "a\nb\n").unwrap();
        assert!(diff.contains("missing 1x: a"), "{diff}");
        assert!(diff.contains("unexpected 1x: b"), "{diff}");
    }

    #[test]
    fn per_performer_keeps_each_lane_in_order() {
        let recorded = "strings: 1\nbrass: 1\nstrings: 2\nbrass: 2\ndone\n";
        let shuffled = "brass: 1\nbrass: 2\nstrings: 1\nstrings: 2\ndone\n";
        assert!(Rule::PerPerformer.mismatch(recorded, shuffled).is_none());
        let swapped = "strings: 2\nstrings: 1\nbrass: 1\nbrass: 2\ndone\n";
        let diff = Rule::PerPerformer.mismatch(recorded, swapped).unwrap();
        assert!(diff.contains("`strings`"), "{diff}");
    }

    #[test]
    fn thread_ids_are_masked_everywhere() {
        let recorded =
            "thread 'soloist' (10489) panicked at src/main.rs:6:9:\n";
        let actual = "thread 'soloist' (77) panicked at src/main.rs:6:9:\n";
        assert!(Rule::Exact.mismatch(recorded, actual).is_none());
        let moved = "thread 'soloist' (77) panicked at src/main.rs:7:9:\n";
        assert!(Rule::Exact.mismatch(recorded, moved).is_some());
    }

    #[test]
    fn times_are_masked_outside_exact() {
        let recorded = "@12ms strings: C4 after 3.5ms\n";
        let actual = "@14ms strings: C4 after 4.1ms\n";
        assert!(Rule::PerPerformer.mismatch(recorded, actual).is_none());
        assert!(Rule::AnyOrder.mismatch(recorded, actual).is_none());
        assert!(Rule::Exact.mismatch(recorded, actual).is_some());
    }
}
