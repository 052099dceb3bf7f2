//! The loom models: the tests of the listings marked `loom = true`,
//! compiled under `--cfg loom` and run with loom's search unbounded.
//!
//! Loom's README passes the flag as `RUSTFLAGS="--cfg loom"`, which
//! reaches every crate: each dependency is compiled again, so such a build
//! needs a target folder of its own (this book's did, 24 CPU-seconds from
//! a clean target on two cores). Here cargo runs this program as its rustc
//! wrapper for the workspace's own crates (`RUSTC_WORKSPACE_WRAPPER`), and
//! the wrapper adds the flag ([`wrap_rustc`]): the dependencies are those
//! the normal build compiled, in its target folder, but for loom and the
//! few whose features differ when cargo unifies them over the loom
//! listings alone (regex among them). Cargo 1.95 also asks the wrapper
//! which cfgs the target has, so the listings'
//! `[target.'cfg(loom)'.dependencies]` take effect, and files what a
//! wrapper compiled apart from the normal build's files: both seen, not
//! documented (cargo promises no file names), so [`check_flag_reached`]
//! checks that the flag reached each listing.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::listings::Listing;

/// Set for the cargo that builds the models: a run of this program with
/// it set is the compiler wrapper, not a verb.
const WRAPPING: &str = "XTASK_RUSTC_CFG_LOOM";

/// When cargo runs this program as the wrapper (`xtask <rustc> <args…>`
/// with [`WRAPPING`] set): runs rustc with `--cfg loom` added, and returns
/// how it ended. `None` when this run is not the wrapper.
pub fn wrap_rustc() -> Option<ExitCode> {
    std::env::var_os(WRAPPING)?;
    let Some(mut rustc) = rustc_with_cfg(std::env::args_os().skip(1)) else {
        eprintln!("xtask as rustc's wrapper: cargo named no compiler");
        return Some(ExitCode::FAILURE);
    };
    Some(match rustc.status() {
        Ok(status) => status
            .code()
            .and_then(|code| u8::try_from(code).ok())
            .map_or(ExitCode::FAILURE, ExitCode::from),
        Err(e) => {
            eprintln!("xtask as rustc's wrapper: {e}");
            ExitCode::FAILURE
        }
    })
}

/// The compiler command cargo gave the wrapper (`args`: the compiler, then
/// its arguments), with `--cfg loom` added; `None` when `args` is empty.
fn rustc_with_cfg(mut args: impl Iterator<Item = OsString>) -> Option<Command> {
    let mut rustc = Command::new(args.next()?);
    rustc.args(args).args(["--cfg", "loom"]);
    Some(rustc)
}

/// `cargo test` of `names` (listings marked `loom = true`) under `--cfg
/// loom`, added by this program as cargo's compiler wrapper (see
/// [`under_loom`]).
pub fn command(root: &Path, names: &[&str]) -> Result<Command, String> {
    let mut command = Command::new(crate::env_cargo());
    // The models are the program's own tests (`src/main.rs`, under
    // `#[cfg(all(test, loom))]`): no other test target is built.
    command.args(["test", "--quiet", "--bins"]);
    under_loom(&mut command, root, names)?;
    Ok(command)
}

/// cargo-nextest running the models of `names`, built as [`command`]
/// builds them: each model in a process of its own, as many at once as
/// there are cores, where `cargo test` runs one program after another.
/// The test run uses it; `cargo xtask outputs` records with [`command`].
pub fn models(root: &Path, names: &[&str]) -> Result<Command, String> {
    let mut command = Command::new(crate::tools::nextest()?);
    command.args(["nextest", "run", "--cargo-quiet", "--no-fail-fast"]);
    command.arg("--bins");
    under_loom(&mut command, root, names)?;
    Ok(command)
}

/// Steers `command` (cargo or nextest, in `root`) to the models of
/// `names` under `--cfg loom`. Unoptimized, unlike loom's README suggests:
/// the book's models are small, so they explore every interleaving in
/// about 5 s without optimization, while optimizing loom and its
/// dependencies took about 90 s of a 2-core machine for models that then
/// ran in 1 s. The variables that bound loom's search are removed, so
/// every model is explored completely and its `performances.txt` (written
/// and compared by the model itself, `recording::performances`) is the
/// whole set.
fn under_loom(
    command: &mut Command,
    root: &Path,
    names: &[&str],
) -> Result<(), String> {
    command
        .env("RUSTC_WORKSPACE_WRAPPER", crate::program()?)
        .env(WRAPPING, "1")
        .env_remove(recording::performances::RECORD)
        .current_dir(root);
    for bound in [
        "LOOM_MAX_PREEMPTIONS",
        "LOOM_MAX_BRANCHES",
        "LOOM_MAX_DURATION",
        "LOOM_MAX_PERMUTATIONS",
    ] {
        command.env_remove(bound);
    }
    for name in names {
        command.args(["--package", name]);
    }
    Ok(())
}

/// Fails for a listing of `normal` (each loom listing whose models ran,
/// with the tests its normal build made) whose build under `--cfg loom`
/// lists no test the normal build lacks: there the flag did not reach it,
/// and its models did not run. Run once [`models`] passed: cargo finds
/// that build fresh and only lists it.
pub fn check_flag_reached(
    root: &Path,
    normal: &[(Listing, Vec<PathBuf>)],
) -> Result<(), String> {
    if normal.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> =
        normal.iter().map(|(l, _)| l.name.as_str()).collect();
    let mut cargo = command(root, &names)?;
    cargo.arg("--no-run");
    let mut executables: Vec<(PathBuf, PathBuf)> = Vec::new();
    // Not linted, as before: clippy's wrapper would take the place of
    // this program's. Its warnings are printed, and fail nothing.
    let shown = crate::lint::shown(&cargo);
    crate::lint::messages(cargo, &shown, |message| {
        executables.extend(crate::incremental::executable(message));
    })?;
    let mut report = crate::problem::Report::default();
    for (listing, tests) in normal {
        let normal: BTreeSet<String> =
            tests.iter().flat_map(|exe| test_names(exe)).collect();
        let under_loom = executables
            .iter()
            .filter(|(dir, _)| *dir == listing.dir)
            .flat_map(|(_, exe)| test_names(exe))
            .any(|test| !normal.contains(&test));
        if !under_loom {
            report.add(
                &listing.source(),
                None,
                format!(
                    "{} lists no test under `--cfg loom` that it lacks \
                     without: the flag did not reach it, or it has no model",
                    listing.name
                ),
                "give it a model under `#[cfg(all(test, loom))]`; if it has \
                 one, cargo no longer passes the flag through this program \
                 as its compiler wrapper (see ci/xtask/src/loom.rs)",
            );
        }
    }
    report.finish("loom build")
}

/// The tests a test program lists (`--list`), by name; none if it fails.
fn test_names(executable: &Path) -> Vec<String> {
    Command::new(executable)
        .args(["--list", "--format", "terse"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter_map(|line| line.strip_suffix(": test"))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wrapper_runs_the_compiler_cargo_names_with_the_flag_added() {
        let args = ["/bin/rustc", "--crate-name", "listing_13_04", "-vV"]
            .map(OsString::from);
        let rustc = rustc_with_cfg(args.into_iter()).unwrap();
        assert_eq!(rustc.get_program(), "/bin/rustc");
        let args: Vec<_> = rustc.get_args().collect();
        assert_eq!(
            args,
            ["--crate-name", "listing_13_04", "-vV", "--cfg", "loom"]
        );
        assert!(rustc_with_cfg(std::iter::empty()).is_none());
    }
}
