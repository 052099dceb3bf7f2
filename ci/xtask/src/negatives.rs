//! The programs that must not compile, each checked against the compiler
//! error recorded beside it.
//!
//! The programs that must not compile are each negative listing's
//! `src/main.rs` (`kind = "compile-fail"`: the error its page shows) and
//! every program in a listing's `tests/refused/`: the near misses a page
//! names. Each one's record is the `.stderr` file of the same name beside
//! it. Each is compiled by rustc alone, from its package's folder, with
//! the flags cargo would give it (edition, crate name, the package's
//! lints and `cfg`s: see [`Externs`]), against the libraries the test
//! build made for the package's dependencies, passed by `--extern`: a
//! negative listing's `src/main.rs` gets its dependencies, as the
//! package's program; a near miss also its dev-dependencies, as the
//! package's tests. Nothing is compiled twice: rustc only checks the
//! program (`--emit=metadata`), and the libraries are the build's own.
//!
//! What rustc prints is compared with the record after [`normalize`]:
//! - the summary rustc ends with ("aborting due to", "For more
//!   information") is dropped, and so are trailing spaces and rustc's
//!   note on the file where it wrote a long type's full name;
//! - a place in the toolchain's sources is written `$RUST/…`, and one in a
//!   crate from the registry `$CARGO/<crate>-$VERSION/…`. Such a place
//!   loses its line and column, which change with the toolchain and the
//!   dependency, not with the listing; the lines a crate's place quotes
//!   lose their numbers, and the toolchain's are dropped: rustc quotes
//!   them only where the `rust-src` component is installed;
//! - the gutter then narrows to the widest line number left, as rustc
//!   would print it had the hidden numbers not widened it.
//!
//! The libraries are the workspace's, built with the union of the
//! features its packages ask of each (tokio's `test-util`, say). A
//! program that a reader's build refuses only for want of such a feature
//! would compile here, and the check would say so.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use crate::cache::files;
use crate::listings::{Kind, Listing, Workspace};
use crate::problem::Report;

/// A program that must not compile.
#[derive(Debug)]
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
        let mut programs = files(&listing.dir.join(REFUSED), &["target"]);
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
        .flat_map(|l| files(&l.dir, &["target"]))
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
fn at_once() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// What rustc needs to compile a package's programs as cargo would.
pub struct Externs {
    packages: HashMap<String, Package>,
    /// Where the libraries' own dependencies are (`target/debug/deps`).
    deps: PathBuf,
    /// Where rustc writes what it checked (`target/negatives`), a folder
    /// per worker.
    out: PathBuf,
}

/// One package, as rustc sees it under cargo.
struct Package {
    edition: String,
    /// Its lints, as cargo passes them (`--warn=…`, `--check-cfg …`).
    lints: Vec<String>,
    /// Its features' names, for `--check-cfg`.
    features: Vec<String>,
    /// The library the test build made for each dependency, by the name
    /// its code uses.
    normal: Vec<(String, PathBuf)>,
    /// The same for each dev-dependency: a near miss in `tests/refused/`
    /// may use them, as the package's tests do; its `src/main.rs` may not.
    dev: Vec<(String, PathBuf)>,
}

impl Externs {
    /// For no package.
    fn none() -> Externs {
        Externs {
            packages: HashMap::new(),
            deps: PathBuf::new(),
            out: PathBuf::new(),
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
        let workspace_lints = read_toml(&root.join("Cargo.toml"))?
            .get("workspace")
            .and_then(|w| w.get("lints"))
            .cloned();
        let mut packages = HashMap::new();
        for refusal in refusals {
            if packages.contains_key(&refusal.package) {
                continue;
            }
            let manifest = read_toml(&refusal.dir.join("Cargo.toml"))?;
            let lints = lints(&manifest, workspace_lints.as_ref());
            let found =
                of_package(&metadata, &refusal.package, libraries, lints)?;
            packages.insert(refusal.package.clone(), found);
        }
        Ok(Externs {
            packages,
            deps: target_dir.join("debug/deps"),
            out: target_dir.join("negatives"),
        })
    }

    /// Every library file `package`'s programs are compiled against: a
    /// check's input.
    pub fn files_of(&self, package: &str) -> Vec<PathBuf> {
        self.packages
            .get(package)
            .map(|p| p.normal.iter().chain(&p.dev).map(|(_, f)| f.clone()))
            .into_iter()
            .flatten()
            .collect()
    }

    /// rustc, checking `refusal` as cargo would compile it, printing its
    /// errors as the records hold them (no colour, 140 columns). A
    /// negative listing's `src/main.rs` is its package's program, built
    /// with its feature `refused` and its dependencies; a near miss is a
    /// program of its own that may also use the dev-dependencies.
    fn rustc(&self, refusal: &Refusal, out: &Path) -> Command {
        let package = &self.packages[&refusal.package];
        let program = refusal.program == Path::new(MAIN);
        let name = if program {
            refusal.package.replace('-', "_")
        } else {
            let stem = refusal.program.file_stem().unwrap_or_default();
            stem.to_string_lossy().replace('-', "_")
        };
        let mut command = Command::new(rustc());
        command
            .current_dir(&refusal.dir)
            .args(["--crate-type", "bin", "--emit=metadata"])
            .args(["--color=never", "--diagnostic-width=140"])
            .arg(format!("--edition={}", package.edition))
            .args(["--crate-name", &name])
            .args(&package.lints)
            .args(["--check-cfg", "cfg(docsrs,test)"]);
        let features: Vec<String> = package
            .features
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect();
        command
            .arg("--check-cfg")
            .arg(format!("cfg(feature, values({}))", features.join(", ")));
        if program {
            command.args(["--cfg", "feature=\"refused\""]);
        }
        command
            .arg("--out-dir")
            .arg(out)
            .arg("-L")
            .arg(format!("dependency={}", self.deps.display()));
        let dev = if program { &[][..] } else { &package.dev[..] };
        for (name, file) in package.normal.iter().chain(dev) {
            command
                .arg("--extern")
                .arg(format!("{name}={}", file.display()));
        }
        command.arg(&refusal.program);
        command
    }
}

/// A negative listing's program.
const MAIN: &str = "src/main.rs";

/// The TOML file at `path`.
fn read_toml(path: &Path) -> Result<toml::Table, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    text.parse().map_err(|e| format!("{}: {e}", path.display()))
}

/// The rustc lint flags cargo passes for a package whose manifest is
/// `manifest`: its `[lints.rust]`, or the workspace's (`workspace_lints`,
/// the root's `[workspace.lints]`) under `[lints] workspace = true`, each
/// as `--<level>=<lint>` in the order of their priority, then of their
/// names, and `unexpected_cfgs`' `check-cfg` as `--check-cfg`.
fn lints(
    manifest: &toml::Table,
    workspace_lints: Option<&toml::Value>,
) -> Vec<String> {
    let own = manifest.get("lints");
    let inherits = own
        .and_then(|l| l.get("workspace"))
        .and_then(toml::Value::as_bool)
        == Some(true);
    let table = if inherits { workspace_lints } else { own };
    let Some(rust) =
        table.and_then(|t| t.get("rust")).and_then(|r| r.as_table())
    else {
        return Vec::new();
    };
    let mut levels: Vec<(i64, &str, &str)> = Vec::new();
    let mut check_cfg = Vec::new();
    for (lint, setting) in rust {
        let (level, priority) = match setting {
            toml::Value::String(level) => (level.as_str(), 0),
            toml::Value::Table(table) => {
                let level = table.get("level").and_then(|l| l.as_str());
                let priority =
                    table.get("priority").and_then(|p| p.as_integer());
                for cfg in table
                    .get("check-cfg")
                    .and_then(|c| c.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.as_str())
                {
                    check_cfg.push(cfg.to_string());
                }
                (level.unwrap_or("warn"), priority.unwrap_or(0))
            }
            _ => continue,
        };
        levels.push((priority, lint.as_str(), level));
    }
    levels.sort();
    let mut flags: Vec<String> = levels
        .into_iter()
        .map(|(_, lint, level)| format!("--{level}={lint}"))
        .collect();
    for cfg in check_cfg {
        flags.extend(["--check-cfg".to_string(), cfg]);
    }
    flags
}

/// The rustc cargo would run: `RUSTC`, as cargo reads it, or `rustc`.
fn rustc() -> String {
    std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string())
}

/// `package`'s edition, features and `--extern`s, from `metadata` (the
/// JSON of `cargo metadata` with its resolve) and the build's `libraries`,
/// with its `lints`.
fn of_package(
    metadata: &Value,
    package: &str,
    libraries: &HashMap<String, Vec<PathBuf>>,
    lints: Vec<String>,
) -> Result<Package, String> {
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
    let mut features: Vec<String> = found["features"]
        .as_object()
        .map(|f| f.keys().cloned().collect())
        .unwrap_or_default();
    features.sort();
    let node = metadata["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|n| n["id"] == *id)
        .ok_or_else(|| format!("cargo metadata resolved no {package}"))?;
    let (mut normal, mut dev) = (Vec::new(), Vec::new());
    for dep in node["deps"].as_array().into_iter().flatten() {
        // For every target, not only some `cfg` (loom's, say), which the
        // test build does not build; build dependencies are the build
        // script's.
        let kinds: Vec<&Value> = dep["dep_kinds"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|k| k["target"].is_null())
            .map(|k| &k["kind"])
            .collect();
        let is_normal = kinds.iter().any(|k| k.is_null());
        let is_dev = kinds.iter().any(|k| **k == "dev");
        if !is_normal && !is_dev {
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
        let list = if is_normal { &mut normal } else { &mut dev };
        list.push((name.to_string(), file));
    }
    normal.sort();
    dev.sort();
    Ok(Package {
        edition,
        lints,
        features,
        normal,
        dev,
    })
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

/// Compiles every one of `refusals`, one per core, and returns each
/// one's result in their order.
fn compile_all(
    externs: &Externs,
    refusals: &[Refusal],
) -> Vec<Result<Option<String>, String>> {
    crate::parallel::each(refusals, at_once(), |worker, refusal| {
        refused(externs, refusal, &externs.out.join(worker.to_string()))
    })
}

/// Checks that rustc refuses each of `refusals` with its recorded error.
/// Returns how many were checked.
pub fn check(externs: &Externs, refusals: &[Refusal]) -> Result<usize, String> {
    let mut report = Report::default();
    let results = compile_all(externs, refusals);
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
                let Ok(recorded) = std::fs::read_to_string(&record)
                    .map(|r| r.replace("\r\n", "\n"))
                else {
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
pub fn record(externs: &Externs, refusals: &[Refusal]) -> Result<(), String> {
    let results = compile_all(externs, refusals);
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
    // Below a place outside the listing: its quoted lines lose their
    // numbers (a crate's), or are dropped (the toolchain's, which rustc
    // quotes only when the `rust-src` component is installed).
    let mut below = Below::Listing;
    for line in raw.lines() {
        let line = line.trim_end();
        if is_summary(line) || is_long_type_note(line) {
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
                    below = if place.starts_with("$RUST/") {
                        Below::Toolchain
                    } else {
                        Below::Crate
                    };
                    lines.push(format!("{}{arrow}{place}", &line[..indent]));
                }
                None => {
                    below = Below::Listing;
                    lines.push(line.to_string());
                }
            }
            continue;
        }
        let quoted = trimmed
            .starts_with(|c: char| c.is_ascii_digit() || c == '|' || c == '.');
        match below {
            Below::Toolchain if quoted => continue,
            Below::Crate if quoted => {
                let numbers = line.len()
                    - line
                        .trim_start_matches(|c: char| {
                            c == ' ' || c.is_ascii_digit()
                        })
                        .len();
                lines.push(format!(
                    "{}{}",
                    " ".repeat(numbers),
                    &line[numbers..]
                ));
                continue;
            }
            _ => below = Below::Listing,
        }
        lines.push(line.to_string());
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let mut text = narrow(&lines).join("\n");
    text.push('\n');
    text
}

/// What the lines below a place rustc names quote.
#[derive(Clone, Copy)]
enum Below {
    Listing,
    Crate,
    Toolchain,
}

/// rustc's note on where it wrote a type's full name (a file in the
/// output folder, different on every machine), and its advice to ask
/// for it.
fn is_long_type_note(line: &str) -> bool {
    let note = line.trim_start();
    let note = note.strip_prefix("= note: ").unwrap_or(note);
    [
        "the full name for the type has been written to",
        "the full type name has been written to",
        "consider using `--verbose` to print the full type name",
    ]
    .iter()
    .any(|start| note.starts_with(start))
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
    static LINE: OnceLock<Regex> = OnceLock::new();
    static VERSION: OnceLock<Regex> = OnceLock::new();
    let line = LINE.get_or_init(|| Regex::new(r":\d+(:\d+)?$").expect("valid"));
    let version = VERSION.get_or_init(|| {
        Regex::new(r"^(.+?)-\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?$")
            .expect("valid")
    });
    let path = line.replace(place, "");
    if let Some(rest) = path.strip_prefix("/rustc/").and_then(|p| {
        let (hash, rest) = p.split_once('/')?;
        (hash.len() == 40).then_some(rest)?.strip_prefix("library/")
    }) {
        return Some(format!("$RUST/{rest}"));
    }
    let rust_src = "/rustlib/src/rust/library/";
    if let Some(at) = path.find(rust_src) {
        return Some(format!("$RUST/{}", &path[at + rust_src.len()..]));
    }
    if let Some(at) = path.find("/registry/src/") {
        let after = &path[at + "/registry/src/".len()..];
        let (_index, rest) = after.split_once('/')?;
        let (krate, rest) = rest.split_once('/')?;
        let name = version
            .captures(krate)
            .and_then(|c| c.get(1))
            .map_or(krate, |m| m.as_str());
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
    let spaces = |text: Option<&str>| {
        text.is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b == b' '))
    };
    diagnostic
        .iter()
        .map(|l| {
            // An elided stretch, `...`, keeps its dots in the gutter.
            if let Some(rest) = l.strip_prefix("...") {
                if spaces(rest.get(..cut)) {
                    return format!("...{}", &rest[cut..]);
                }
            } else if spaces(l.get(..cut)) {
                return l[cut..].to_string();
            }
            l.clone()
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
    fn the_toolchains_quoted_lines_are_dropped_with_or_without_rust_src() {
        let head = "\
error[E0277]: `Rc<u8>` cannot be sent between threads safely
  --> src/main.rs:10:5
   |
10 |     thread::spawn(move || rc);
   |     ^^^^^^^^^^^^^ `Rc<u8>` cannot be sent between threads safely
   |
note: required by a bound in `spawn`
";
        let without = format!(
            "{head}  --> /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/\
             library/std/src/thread/functions.rs:125:0\n"
        );
        // With `rust-src`, rustc quotes the lines, and their numbers widen
        // the gutter.
        let with = format!(
            "{}{}",
            head.replace("\n  -->", "\n   -->")
                .replace("\n   |", "\n    |")
                .replace("\n10 |", "\n 10 |"),
            "   --> /root/.rustup/toolchains/stable/lib/rustlib/src/rust/\
             library/std/src/thread/functions.rs:125:8
    |
122 | pub fn spawn<F, T>(f: F) -> JoinHandle<T>
    |        ----- required by a bound in this function
...
125 |     F: Send + 'static,
    |        ^^^^ required by this bound in `spawn`
"
        );
        let expected =
            format!("{head}  --> $RUST/std/src/thread/functions.rs\n");
        assert_eq!(normalize(&without), expected);
        assert_eq!(normalize(&with), expected);
    }

    #[test]
    fn an_elided_stretch_keeps_its_dots_as_the_gutter_narrows() {
        let raw = "\
error: future cannot be sent between threads safely
   --> src/main.rs:8:19
    |
  8 |       let section = tokio::spawn(async move {
    |  ___________________^
  9 | |         let a = 1;
...   |
 20 | |     });
    | |______^ future created by async block is not `Send`
note: required by a bound in `tokio::spawn`
   --> /c/registry/src/index.crates.io-x/tokio-1.54.1/src/task/spawn.rs:176:21
    |
176 |         F: Future + Send + 'static,
    |                     ^^^^ required by this bound in `spawn`
";
        let text = normalize(raw);
        assert!(
            text.contains("\n 9 | |         let a = 1;\n...  |\n20 | |"),
            "{text}"
        );
    }

    #[test]
    fn a_crates_version_is_hidden_whatever_its_name_and_version() {
        for (krate, name) in [
            ("tokio-stream-0.1.19", "tokio-stream"),
            ("futures-util-0.3.34", "futures-util"),
            ("base64-0.22.1", "base64"),
            ("foo-1.0.0-beta.1", "foo"),
            ("foo-2d-1.0.0+build.5", "foo-2d"),
        ] {
            let place = format!(
                "/c/registry/src/index.crates.io-x/{krate}/src/lib.rs:3:1"
            );
            assert_eq!(
                outside(&place),
                Some(format!("$CARGO/{name}-$VERSION/src/lib.rs"))
            );
        }
    }

    #[test]
    fn the_note_on_a_long_types_file_is_dropped() {
        let raw = "\
error[E0308]: mismatched types
 --> src/main.rs:3:18
  |
3 |     let n: u32 = phrase;
  |                  ^^^^^^ expected `u32`
  |
  = note: the full name for the type has been written to '/w/target/negatives/1/main.long-type-11029499219743812037.txt'
  = note: consider using `--verbose` to print the full type name to the console
";
        assert!(!normalize(raw).contains("long-type"));
        assert!(!normalize(raw).contains("--verbose"));
    }

    #[test]
    fn a_package_gets_its_own_or_the_workspaces_lints_as_cargo_passes_them() {
        let workspace: toml::Table = r#"
[workspace.lints.rust]
unsafe_op_in_unsafe_fn = "warn"
unexpected_cfgs = { level = "warn", check-cfg = ["cfg(loom)"] }
missing_docs = { level = "allow", priority = -1 }
"#
        .parse()
        .unwrap();
        let lints_of = |manifest: &str| {
            let manifest: toml::Table = manifest.parse().unwrap();
            lints(&manifest, workspace.get("workspace").unwrap().get("lints"))
        };
        assert_eq!(
            lints_of("[lints]\nworkspace = true\n"),
            [
                "--allow=missing_docs",
                "--warn=unexpected_cfgs",
                "--warn=unsafe_op_in_unsafe_fn",
                "--check-cfg",
                "cfg(loom)"
            ]
        );
        assert_eq!(
            lints_of("[lints.rust]\nunused = \"deny\"\n"),
            ["--deny=unused"]
        );
        assert!(lints_of("[package]\nname = \"x\"\n").is_empty());
    }

    #[test]
    fn the_check_fails_on_a_program_that_compiles_a_changed_error_and_no_record(
    ) {
        let dir = std::env::temp_dir()
            .join(format!("xtask-refused-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let refused = dir.join(REFUSED);
        std::fs::create_dir_all(&refused).unwrap();
        let moved = "fn main() {\n    let a = String::new();\n    \
                     let b = a;\n    println!(\"{a}{b}\");\n}\n";
        for (name, program) in [
            ("fine", "fn main() {}\n"),
            ("moved", moved),
            ("changed", moved),
            ("unrecorded", moved),
        ] {
            std::fs::write(refused.join(format!("{name}.rs")), program)
                .unwrap();
        }
        let refusal = |name: &str| Refusal {
            package: "listing-01-99".into(),
            dir: dir.clone(),
            program: PathBuf::from(format!("{REFUSED}/{name}.rs")),
        };
        let externs = Externs {
            packages: HashMap::from([(
                "listing-01-99".to_string(),
                Package {
                    edition: "2021".into(),
                    lints: Vec::new(),
                    features: Vec::new(),
                    normal: Vec::new(),
                    dev: Vec::new(),
                },
            )]),
            deps: dir.join("deps"),
            out: dir.join("out"),
        };
        let all = ["fine", "moved", "changed", "unrecorded"].map(refusal);
        record(&externs, &all[1..3]).unwrap();
        let recorded =
            std::fs::read_to_string(refused.join("moved.stderr")).unwrap();
        assert!(
            recorded.starts_with("error[E0382]: borrow of moved value: `a`\n"),
            "{recorded}"
        );
        assert!(
            recorded.contains(" --> tests/refused/moved.rs:4:16\n"),
            "{recorded}"
        );
        std::fs::write(refused.join("fine.stderr"), &recorded).unwrap();
        std::fs::write(
            refused.join("changed.stderr"),
            recorded.replace("E0382", "E0505"),
        )
        .unwrap();
        assert!(record(&externs, &all[..1])
            .unwrap_err()
            .contains("fine.rs: compiles"));
        assert_eq!(check(&externs, &all[1..2]), Ok(1));
        let report = check(&externs, &all).unwrap_err();
        assert!(
            report.contains("tests/refused/fine.rs compiles"),
            "{report}"
        );
        assert!(report.contains("fine.stderr"), "{report}");
        assert!(
            report.contains("changed.stderr:1: rustc's error"),
            "{report}"
        );
        assert!(
            report.contains(
                "not recorded: rustc's error for tests/refused/unrecorded.rs"
            ),
            "{report}"
        );
        assert!(!report.contains("refused/moved."), "{report}");
        std::fs::remove_dir_all(&dir).unwrap();
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
