//! Recorded outputs: every output block on a page is a real run of its
//! listing, stored as `output.txt` beside it. `cargo xtask outputs` rewrites
//! them; `outputs --check` reruns them and compares. How a rerun is compared
//! (the listing's rule) is defined once, with its documentation and tests, in
//! `ci/recording`, which each listing's own test `tests/recorded_output.rs`
//! also uses: so `cargo test` (and cargo-mutants) compares every listing's
//! run with its recording, and `cargo xtask test` needs no stage of its own
//! to rerun them, only [`every_listing_tests_its_recording`].

use std::path::Path;

use crate::listings::{workspace_root, Kind, Listing, Workspace};
use crate::problem::Report;

pub use recording::Rule;

/// The one line of each program listing's `tests/recorded_output.rs`.
pub const RECORDED_OUTPUT_TEST: &str = "recording::recorded_output_test!();";

/// Every program listing has a recording and the test that compares its
/// run with it (the listing tests stage runs that test).
pub fn every_listing_tests_its_recording(
    workspace: &Workspace,
) -> Result<(), String> {
    let mut report = Report::default();
    let programs = workspace
        .listings
        .iter()
        .filter(|l| l.kind == Kind::Program);
    let mut checked = 0;
    for listing in programs {
        checked += 1;
        if !listing.output_file().exists() {
            report.add(
                &listing.output_file(),
                None,
                format!("{} has no recorded output", listing.name),
                format!(
                    "run `cargo xtask outputs {}`, review it, and commit it",
                    listing.name
                ),
            );
        }
        let test = listing.recorded_output_test();
        let text = std::fs::read_to_string(&test).unwrap_or_default();
        if !text.lines().any(|line| line.trim() == RECORDED_OUTPUT_TEST) {
            report.add(
                &test,
                None,
                format!(
                    "{} has no test comparing its run with output.txt",
                    listing.name
                ),
                format!(
                    "write `{RECORDED_OUTPUT_TEST}` into this file and add \
                     `recording.workspace = true` under [dev-dependencies] \
                     in its Cargo.toml (`cargo xtask new-listing` does both)"
                ),
            );
        }
    }
    println!("{checked} listings test their recorded output");
    report.finish("recorded-output tests")?;
    every_performance_set_is_checked(workspace)
}

/// Every listing that is a program: each one has a recorded run.
fn programs(workspace: &Workspace) -> Vec<&Listing> {
    workspace
        .listings
        .iter()
        .filter(|l| l.kind == Kind::Program)
        .collect()
}

pub fn compare(
    workspace: &Workspace,
    filters: &[String],
) -> Result<(), String> {
    let root = workspace_root();
    let listings = chosen(workspace, filters);
    let runs = run_all(&root, workspace, &listings)?;
    let mut report = Report::default();
    for (listing, run) in listings.iter().zip(runs) {
        let file = listing.output_file();
        let rerecord = format!("cargo xtask outputs {}", listing.name);
        let Ok(recorded) = std::fs::read_to_string(&file) else {
            report.add(
                &file,
                None,
                format!("{} has no recorded output", listing.name),
                format!("run `{rerecord}`, review it, and commit it"),
            );
            continue;
        };
        match run {
            Err(problem) => report.add(&file, None, problem, "fix the listing"),
            Ok(actual) => {
                if let Some(diff) =
                    listing.output_rule.mismatch(&recorded, &actual)
                {
                    report.add(
                        &file,
                        None,
                        format!(
                            "the run of {} no longer matches its recorded \
                             output ({} rule):\n{diff}",
                            listing.name,
                            listing.output_rule.name()
                        ),
                        format!(
                            "if the change is intended, run `{rerecord}` \
                             and review the diff"
                        ),
                    );
                }
            }
        }
    }
    println!("compared {} recorded outputs", listings.len());
    report.finish("output comparison")?;
    let (externs, refusals) =
        crate::negatives::prepare(&root, workspace, |l| is_chosen(l, filters))?;
    let checked = crate::negatives::check(&externs, &refusals)?;
    println!("compared {checked} recorded compiler errors");
    loom_performances(&root, workspace, filters, false)
}

/// The program listings whose folder contains one of `filters`; all of
/// them without filters.
fn chosen<'a>(
    workspace: &'a Workspace,
    filters: &[String],
) -> Vec<&'a Listing> {
    programs(workspace)
        .into_iter()
        .filter(|l| is_chosen(l, filters))
        .collect()
}

/// Whether `listing`'s folder contains one of `filters` (any, without).
fn is_chosen(listing: &Listing, filters: &[String]) -> bool {
    let dir = listing.dir.to_string_lossy();
    filters.is_empty() || filters.iter().any(|f| dir.contains(f.as_str()))
}

/// Rewrites the recorded outputs of every listing, or only of those whose
/// folder path contains one of `filters` (`ch05`, `listing-05-02`).
pub fn regenerate(filters: &[String]) -> Result<(), String> {
    let root = workspace_root();
    let workspace = Workspace::load(&root)?;
    let listings = chosen(&workspace, filters);
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
    match crate::negatives::prepare(&root, &workspace, |l| {
        is_chosen(l, filters)
    }) {
        Ok((_, refusals)) if refusals.is_empty() => {}
        Ok((externs, refusals)) => {
            println!(
                "recording rustc's errors for {} programs that must not \
                 compile",
                refusals.len()
            );
            if let Err(failure) = crate::negatives::record(&externs, &refusals)
            {
                failures.push(failure);
            }
        }
        Err(failure) => failures.push(failure),
    }
    if let Err(failure) = loom_performances(&root, &workspace, filters, true) {
        failures.push(failure);
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// Runs the loom models of the chosen `loom = true` listings, which write
/// (`record`) or compare their `performances.txt` themselves
/// (`recording::performances`).
fn loom_performances(
    root: &Path,
    workspace: &Workspace,
    filters: &[String],
    record: bool,
) -> Result<(), String> {
    let names: Vec<&str> = workspace
        .listings
        .iter()
        .filter(|l| l.loom && l.kind == Kind::Program && is_chosen(l, filters))
        .map(|l| l.name.as_str())
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    let (doing, failed) = if record {
        (
            "recording",
            "recording the performances loom explored failed",
        )
    } else {
        (
            "comparing",
            "a loom model explored other performances (see above)",
        )
    };
    println!(
        "{doing} the performances loom explores in {} loom listings",
        names.len()
    );
    let mut command = crate::loom::command(root, &names)?;
    if record {
        command.env(recording::performances::RECORD, "1");
    }
    crate::run(&mut command, failed)
}

/// A `performances.txt` is written and compared by its listing's loom
/// model (`recording::performances::compare_or_record`), so one in any
/// other listing would be shown and never checked.
fn every_performance_set_is_checked(
    workspace: &Workspace,
) -> Result<(), String> {
    let mut report = Report::default();
    let mut sets = 0;
    for listing in &workspace.listings {
        let file = listing.dir.join(recording::performances::FILE);
        if !file.exists() {
            continue;
        }
        sets += 1;
        let source =
            std::fs::read_to_string(listing.source()).unwrap_or_default();
        if !listing.loom || !source.contains("compare_or_record(") {
            report.add(
                &file,
                None,
                format!(
                    "{} has a performance set that no loom model of it \
                     compares",
                    listing.name
                ),
                "set `loom = true` and end its model test with \
                 `recording::performances::compare_or_record` (CONTRIBUTING.md, \
                 \"Every performance loom ran\"), or delete the file",
            );
        }
    }
    println!("{sets} performance sets are compared by their loom models");
    report.finish("performance sets")
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
    Ok(crate::parallel::each(listings, 2, |_, listing| {
        let binary = target.join("debug").join(&listing.name);
        recording::run(&binary, &listing.dir)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_performance_set_no_loom_model_compares_is_named() {
        let dir = std::env::temp_dir()
            .join(format!("xtask-performances-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("performances.txt"), "model m\n").unwrap();
        let model = "fn main() {}\n#[cfg(all(test, loom))]\nmod model {\n    \
                     // compare_or_record(dir, &models);\n}\n";
        std::fs::write(dir.join("src/main.rs"), model).unwrap();
        let mut workspace = Workspace {
            listings: vec![Listing {
                loom: true,
                ..Listing::sample(
                    "listing-01-04",
                    &dir,
                    "ch01-time",
                    Kind::Program,
                )
            }],
            strays: Vec::new(),
            target_dir: dir.join("target"),
        };
        assert_eq!(every_performance_set_is_checked(&workspace), Ok(()));

        workspace.listings[0].loom = false;
        let error = every_performance_set_is_checked(&workspace).unwrap_err();
        assert!(error.contains("performances.txt"), "{error}");
        assert!(error.contains("no loom model of it compares"), "{error}");

        workspace.listings[0].loom = true;
        std::fs::write(dir.join("src/main.rs"), "fn main() {}\n").unwrap();
        assert!(every_performance_set_is_checked(&workspace).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
