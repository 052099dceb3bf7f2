//! The pinned mdBook tools. They are installed by `cargo install --locked
//! --debug` into a cache folder of their own (one per name and version), so
//! a fresh clone reuses them and another mdbook on the PATH is never
//! disturbed.
//!
//! mdbook-admonish 1.20.0 works only with mdbook 0.4.x; mdbook stays on
//! 0.4.52 until mdbook-admonish supports 0.5.
//!
//! They are built with `--debug`: on a 2-core machine that installs both in
//! about 2.5 minutes instead of about 6, and a debug mdbook still renders
//! this book in about a second.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const PINNED: &[(&str, &str)] =
    &[("mdbook", "0.4.52"), ("mdbook-admonish", "1.20.0")];

pub struct Tools {
    bin_dirs: Vec<PathBuf>,
}

/// Where the tools live: `$BOOK_TOOLS_DIR`, or the user's cache folder.
fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("BOOK_TOOLS_DIR") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache"))
        })
        .unwrap_or_else(|| crate::listings::workspace_root().join("target"));
    cache.join("rust-as-music/tools")
}

fn version_of(binary: &Path) -> Option<String> {
    let mut command = Command::new(binary);
    // A cargo subcommand (`cargo-mutants`) expects its name first, as cargo
    // passes it.
    let name = binary.file_name()?.to_str()?;
    if let Some(subcommand) = name.strip_prefix("cargo-") {
        command.arg(subcommand);
    }
    let output = command.arg("--version").output().ok()?;
    Some(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The `bin` folder holding `binary` from crate `name` at `version`,
/// installed first (`cargo install --locked --debug`, saying so) if it is
/// missing or is another version. Also used for tools outside [`PINNED`]
/// (the spelling check's `typos`).
pub fn install(
    name: &str,
    binary: &str,
    version: &str,
) -> Result<PathBuf, String> {
    let root = cache_root().join(format!("{name}-{version}"));
    let binary = root.join("bin").join(binary);
    let found = version_of(&binary);
    let wanted = |v: &String| {
        v.split_whitespace()
            .any(|w| w.trim_start_matches('v') == version)
    };
    if !found.as_ref().is_some_and(wanted) {
        println!(
            "installing {name} {version} (pinned, --locked --debug) into {}\n  \
             this happens once per machine and takes 1-3 minutes",
            root.display()
        );
        crate::run(
            Command::new(crate::env_cargo())
                .args(["install", name, "--version", &format!("={version}")])
                .args(["--locked", "--debug", "--force", "--quiet", "--root"])
                .arg(&root),
            format!(
                "installing {name} {version} failed; try by hand: \
                 cargo install {name} --version ={version} --locked \
                 --debug --root {}",
                root.display()
            ),
        )?;
        let now = version_of(&binary).unwrap_or_default();
        if !wanted(&now) {
            return Err(format!(
                "{} reports `{now}`, not {version}",
                binary.display()
            ));
        }
    }
    Ok(root.join("bin"))
}

impl Tools {
    /// Finds each pinned tool, installing it first if it is missing or is
    /// another version.
    pub fn ensure() -> Result<Tools, String> {
        let mut bin_dirs = Vec::new();
        for (name, version) in PINNED {
            bin_dirs.push(install(name, name, version)?);
        }
        Ok(Tools { bin_dirs })
    }

    /// A command for `mdbook`, with the pinned tools first on the PATH (so
    /// mdbook finds the pinned `mdbook-admonish` preprocessor).
    pub fn mdbook_command(&self, root: &Path) -> Command {
        let mut path = self.bin_dirs.clone();
        path.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let mut command = Command::new(self.bin_dirs[0].join("mdbook"));
        command
            .env("PATH", std::env::join_paths(path).expect("paths join"))
            .current_dir(root);
        command
    }

    pub fn mdbook(&self, root: &Path, args: &[&str]) -> Result<(), String> {
        crate::run(
            self.mdbook_command(root).args(args),
            format!("`mdbook {}` failed", args.join(" ")),
        )
    }
}
