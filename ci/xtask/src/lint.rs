//! Clippy while the test build compiles, not in a build of its own.
//!
//! `cargo clippy` is `cargo check` with clippy-driver standing in for rustc
//! on the workspace's crates: beside the test build, a second compile of
//! every crate and a check build of every dependency (on two cores, more
//! than a minute of a clean run). Here the builds of `cargo xtask test`
//! give cargo clippy-driver as the workspace's rustc wrapper instead
//! (`build.rustc-workspace-wrapper`, on their command line only: a build by
//! hand and cargo-mutants' are not linted).
//! clippy-driver is rustc with clippy's lints registered: it compiles and
//! links what rustc would, and reports what `cargo clippy` reports.
//!
//! Cargo 1.95 hashes the wrapper into the file names of a crate's outputs
//! (seen, not documented: cargo promises no file names), so a linted build
//! and a plain one (`cargo run -p listing-01-01`) keep their own outputs
//! and never rebuild each other's. Cargo replays the
//! warnings of a crate it finds fresh, so a warning fails every run until
//! it is fixed, as `cargo clippy -- -D warnings` did.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

/// `--config` and its value: clippy-driver as the workspace's rustc
/// wrapper, by its absolute path (a path cargo names outputs by, so the
/// same on every run).
pub fn config() -> Result<[String; 2], String> {
    static DRIVER: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let driver = DRIVER.get_or_init(find_driver).clone()?;
    Ok([
        "--config".to_string(),
        format!("build.rustc-workspace-wrapper={}", toml_string(&driver)),
    ])
}

/// The toolchain's own clippy-driver, beside the rustc that `rustc --print
/// sysroot` names, or else the one on the PATH, if it runs as the same
/// rustc (`--rustc -vV`). rustup's proxy on the PATH would run for every
/// workspace crate the test build compiles, about 10 ms each (about 420).
/// Under rustup, `rustc` is the toolchain cargo runs (rustup passes it on
/// in `RUSTUP_TOOLCHAIN`, for `cargo +toolchain` and `rust-toolchain.toml`
/// alike).
fn find_driver() -> Result<PathBuf, String> {
    let missing = "clippy-driver does not run: install clippy \
                   (`rustup component add clippy`); the test build lints \
                   the workspace with it";
    let name = format!("clippy-driver{}", std::env::consts::EXE_SUFFIX);
    let on_path = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(&name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let version = output(Command::new(&rustc).arg("-vV")).ok_or(missing)?;
    let sysroot = output(Command::new(&rustc).args(["--print", "sysroot"]))
        .map(|text| PathBuf::from(text.trim_end()));
    sysroot
        .map(|root| root.join("bin").join(&name))
        .into_iter()
        .chain(on_path)
        .find(|candidate| {
            candidate.is_file()
                && output(Command::new(candidate).args(["--rustc", "-vV"]))
                    .is_some_and(|v| v == version)
        })
        .ok_or_else(|| missing.to_string())
}

/// What `command` prints, when it succeeds.
fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok().filter(|o| o.status.success())?;
    String::from_utf8(out.stdout).ok()
}

/// A TOML basic string holding `path`.
fn toml_string(path: &Path) -> String {
    let text = path.to_string_lossy();
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Runs `cargo` (a command holding its arguments) quietly, with
/// clippy-driver as the workspace's rustc wrapper ([`messages`]), and
/// fails when the build fails or any crate of the workspace warned.
pub fn build(
    mut cargo: Command,
    each: impl FnMut(&Value),
) -> Result<(), String> {
    let command = shown(&cargo);
    cargo.args(config()?).arg("--quiet");
    let warnings = messages(cargo, &command, each)?;
    if warnings > 0 {
        return Err(format!(
            "`{command}` warned {warnings} time(s), above: rustc's and \
             clippy's warnings fail the test; fix each (or allow it in the \
             workspace's [lints] with a reason)"
        ));
    }
    Ok(())
}

/// `cargo` (a command holding its arguments) as text, for messages.
pub fn shown(cargo: &Command) -> String {
    std::iter::once("cargo".into())
        .chain(cargo.get_args().map(|a| a.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `cargo` (a command holding its arguments, shown as `command`)
/// with `--message-format=json`: prints every diagnostic as rustc renders
/// it, hands every other message to `each`, and fails when the build
/// fails. Returns how many warnings it printed.
pub fn messages(
    mut cargo: Command,
    command: &str,
    mut each: impl FnMut(&Value),
) -> Result<usize, String> {
    let mut child = cargo
        .arg("--message-format=json")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut warnings = 0;
    for line in BufReader::new(stdout).lines() {
        let line =
            line.map_err(|e| format!("reading cargo's messages: {e}"))?;
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        match diagnostic(&message) {
            Some((rendered, warned)) => {
                eprint!("{rendered}");
                warnings += usize::from(warned);
            }
            None => each(&message),
        }
    }
    let status = child.wait().map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "`{command}` failed ({status}): the errors are above"
        ));
    }
    Ok(warnings)
}

/// A compiler diagnostic of one of cargo's JSON messages: as rustc renders
/// it, and whether it is a warning. (Dependencies are built with their
/// lints capped, so every warning is the workspace's.)
fn diagnostic(message: &Value) -> Option<(String, bool)> {
    if message["reason"] != "compiler-message" {
        return None;
    }
    let diagnostic = &message["message"];
    let rendered = diagnostic["rendered"].as_str().unwrap_or_default();
    Some((rendered.to_string(), diagnostic["level"] == "warning"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warning_counts_and_other_messages_pass_through() {
        let warning = serde_json::json!({
            "reason": "compiler-message",
            "message": {
                "level": "warning",
                "rendered": "warning: length comparison to zero\n",
            },
        });
        let error = serde_json::json!({
            "reason": "compiler-message",
            "message": { "level": "error", "rendered": "error[E0382]\n" },
        });
        let artifact = serde_json::json!({ "reason": "compiler-artifact" });
        assert_eq!(
            diagnostic(&warning),
            Some(("warning: length comparison to zero\n".into(), true))
        );
        assert_eq!(diagnostic(&error), Some(("error[E0382]\n".into(), false)));
        assert_eq!(diagnostic(&artifact), None);
    }

    #[test]
    fn the_wrapper_path_is_a_toml_string() {
        assert_eq!(
            toml_string(Path::new(r#"C:\tools\"clippy"\clippy-driver.exe"#)),
            r#""C:\\tools\\\"clippy\"\\clippy-driver.exe""#
        );
    }
}
