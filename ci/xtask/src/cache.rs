//! What `cargo xtask test` may skip on a developer's machine: work whose
//! inputs are exactly those of a run that passed.
//!
//! Each piece of expensive work (one page's browser checks, one page's
//! skeptic programs, one listing's tests) has a [`Key`], a 128-bit hash of
//! every input it reads, named and in a fixed order: file contents (paths
//! relative to the root, so a checkout moved with its `target/` keeps its
//! cache), tool versions, the environment that steers cargo, and the
//! xtask binary itself (how the work is run). After the work passes, its
//! key is written to `target/xtask-cache/<kind>/<name>`; the next run skips
//! it only if the key it computes is that one. A failure writes nothing,
//! so failed work always runs again.
//!
//! `CI=true` and `cargo xtask test --full` run everything (and record what
//! passed, so the next local run is warm).

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::fmt;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// A 128-bit hash of a piece of work's inputs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Key(u64, u64);

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}{:016x}", self.0, self.1)
    }
}

/// Builds a [`Key`]: every input is added with a label and its length, so
/// no two different sequences of inputs hash alike by running together.
#[derive(Clone)]
pub struct Fingerprint {
    low: DefaultHasher,
    high: DefaultHasher,
}

impl Fingerprint {
    /// A fingerprint for one kind of work (`"browser-page"`): keys of
    /// different kinds never coincide.
    pub fn new(kind: &str) -> Fingerprint {
        let mut fingerprint = Fingerprint {
            low: DefaultHasher::new(),
            high: DefaultHasher::new(),
        };
        fingerprint.high.write(b"the other half");
        fingerprint.add("kind", kind.as_bytes());
        fingerprint
    }

    pub fn add(&mut self, label: &str, bytes: &[u8]) -> &mut Self {
        for part in [label.as_bytes(), bytes] {
            for hasher in [&mut self.low, &mut self.high] {
                hasher.write_usize(part.len());
                hasher.write(part);
            }
        }
        self
    }

    /// A file's name (relative to `root` where it is inside) and contents
    /// (by their [`contents`] key); a missing file counts as missing, not
    /// as empty.
    pub fn file(&mut self, root: &Path, path: &Path) -> &mut Self {
        let name = relative(root, path);
        match contents(path) {
            Some(key) => self.add(&name, key.to_string().as_bytes()),
            None => self.add(&name, b"\0missing"),
        }
    }

    /// Every file under `dir`, in sorted order, except in folders named in
    /// `skip` (`target`, `node_modules`).
    pub fn tree(
        &mut self,
        root: &Path,
        dir: &Path,
        skip: &[&str],
    ) -> &mut Self {
        for file in files(dir, skip) {
            self.file(root, &file);
        }
        self
    }

    /// A build output's name, size and modification time: cargo rewrites
    /// an executable whenever anything it was built from changed, and
    /// hashing every test binary's contents would take seconds.
    pub fn stamp(&mut self, root: &Path, path: &Path) -> &mut Self {
        let name = relative(root, path);
        let stamp = std::fs::metadata(path).ok().and_then(|m| {
            let modified = m.modified().ok()?;
            let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
            Some(format!("{} bytes, modified {}", m.len(), since.as_nanos()))
        });
        self.add(&name, stamp.as_deref().unwrap_or("\0missing").as_bytes())
    }

    pub fn key(&self) -> Key {
        Key(self.low.finish(), self.high.finish())
    }
}

/// The key of a file's contents, or `None` if it cannot be read. Each
/// file is read and hashed once per run and size and modification time:
/// one run computes some 180 keys that each hold `ci/` (53 files, 780 KB),
/// and hashing it each time took 4.8 s of the xtask (a debug build),
/// between the build and the listing tests. A file changed during the run
/// has another size or time (nanoseconds, on Linux's file systems), and is
/// read again.
fn contents(path: &Path) -> Option<Key> {
    type Seen = (u64, std::time::SystemTime, Key);
    static READ: OnceLock<Mutex<HashMap<PathBuf, Seen>>> = OnceLock::new();
    let metadata = std::fs::metadata(path).ok()?;
    let (len, modified) = (metadata.len(), metadata.modified().ok()?);
    let read = READ.get_or_init(Mutex::default);
    if let Some((l, m, key)) = read.lock().ok()?.get(path) {
        if (*l, *m) == (len, modified) {
            return Some(*key);
        }
    }
    let bytes = std::fs::read(path).ok()?;
    let mut fingerprint = Fingerprint::new("file");
    fingerprint.add("contents", &bytes);
    let key = fingerprint.key();
    read.lock()
        .ok()?
        .insert(path.to_path_buf(), (len, modified, key));
    Some(key)
}

/// `path` relative to `root` with `/`, or whole if it lies outside.
fn relative(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every file under `dir`, sorted, skipping folders named in `skip`.
pub fn files(dir: &Path, skip: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten()
        {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if !skip.iter().any(|s| name == *s) {
                    folders.push(path);
                }
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// What every piece of work depends on: the xtask that runs it, the Rust
/// toolchain, the environment variables that steer cargo and rustc, and
/// the files that configure the workspace, cargo and nextest (its
/// timeouts and retries decide whether a test passes). Computed once per
/// run.
pub fn common(root: &Path) -> Fingerprint {
    static COMMON: OnceLock<String> = OnceLock::new();
    let text = COMMON.get_or_init(|| {
        let mut text = String::new();
        // The path read when the xtask started: once the test build has
        // relinked it, the running program's own path reads as deleted.
        if let Ok(xtask) = crate::program() {
            let mut stamp = Fingerprint::new("xtask");
            stamp.stamp(root, &xtask);
            text.push_str(&format!("xtask {}\n", stamp.key()));
        }
        text.push_str(&version("rustc", &["-vV"]));
        text.push_str(&version(&crate::env_cargo(), &["-V"]));
        let mut vars: Vec<(String, String)> = std::env::vars()
            .filter(|(name, _)| steers_the_build(name))
            .collect();
        vars.sort();
        for (name, value) in vars {
            text.push_str(&format!("{name}={value}\n"));
        }
        text
    });
    let mut fingerprint = Fingerprint::new("common");
    fingerprint.add("tools and environment", text.as_bytes());
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        ".cargo/config.toml",
        ".config/nextest.toml",
        "rust-toolchain",
        "rust-toolchain.toml",
    ] {
        fingerprint.file(root, &root.join(file));
    }
    fingerprint
}

/// Environment variables that change what cargo or mdBook builds, or how
/// the tests run (`BOOK_CHROMIUM`…).
fn steers_the_build(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "RUSTFLAGS",
        "RUSTDOCFLAGS",
        "RUSTC",
        "RUSTDOC",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTC_BOOTSTRAP",
        "RUSTUP_TOOLCHAIN",
        "CARGO_INCREMENTAL",
        "CARGO_TARGET_DIR",
    ];
    const PREFIXES: &[&str] = &[
        "CARGO_ENCODED_",
        "CARGO_BUILD_",
        "CARGO_PROFILE_",
        "CARGO_TARGET_",
        "BOOK_",
        "MDBOOK_",
    ];
    EXACT.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

/// What `program args` prints, or that it could not run.
pub fn version(program: &str, args: &[&str]) -> String {
    match Command::new(program).args(args).output() {
        Ok(output) => format!(
            "{program}: {}{}\n",
            String::from_utf8_lossy(&output.stdout).trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        ),
        Err(e) => format!("{program}: cannot run ({e})\n"),
    }
}

/// Why everything runs, if it does: `--full`, or `CI` set (GitHub Actions
/// sets `CI=true`).
pub fn full_run(args: &[String]) -> Option<String> {
    full_reason(args, std::env::var("CI").ok())
}

fn full_reason(args: &[String], ci: Option<String>) -> Option<String> {
    if args.iter().any(|a| a == "--full") {
        return Some("--full".into());
    }
    ci.filter(|v| !v.is_empty() && v != "false" && v != "0")
        .map(|v| format!("CI={v}"))
}

/// The record of passed work under `target/xtask-cache/`.
pub struct Cache {
    dir: PathBuf,
    /// Why every entry counts as stale, in a full run.
    full: Option<String>,
}

impl Cache {
    pub fn open(target_dir: &Path, full: Option<String>) -> Cache {
        Cache {
            dir: target_dir.join("xtask-cache"),
            full,
        }
    }

    /// Why everything runs, in a full run.
    pub fn full(&self) -> Option<&str> {
        self.full.as_deref()
    }

    fn entry(&self, kind: &str, name: &str) -> PathBuf {
        let name: String = name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || "-._".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(kind).join(format!("{name}.key"))
    }

    /// Whether work `name` of `kind` last passed with exactly `key`.
    pub fn fresh(&self, kind: &str, name: &str, key: Key) -> bool {
        self.full.is_none()
            && std::fs::read_to_string(self.entry(kind, name))
                .is_ok_and(|recorded| recorded.trim() == key.to_string())
    }

    /// Records that work `name` of `kind` passed with `key`.
    pub fn record(
        &self,
        kind: &str,
        name: &str,
        key: Key,
    ) -> Result<(), String> {
        let file = self.entry(kind, name);
        let folder = file.parent().expect("an entry has a folder");
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("{}: {e}", folder.display()))?;
        // Written aside and renamed, so a run cut short leaves no half key.
        let partial =
            file.with_extension(format!("{}.partial", std::process::id()));
        std::fs::write(&partial, format!("{key}\n"))
            .and_then(|()| std::fs::rename(&partial, &file))
            .map_err(|e| format!("{}: {e}", file.display()))
    }

    /// Sorts `work` (name and key) into what must run and what passed
    /// before with the same inputs.
    pub fn plan(&self, kind: &'static str, work: Vec<(String, Key)>) -> Plan {
        let (stale, fresh): (Vec<_>, Vec<_>) = work
            .into_iter()
            .partition(|(name, key)| !self.fresh(kind, name, *key));
        Plan {
            kind,
            stale,
            fresh: fresh.into_iter().map(|(name, _)| name).collect(),
            full: self.full.clone(),
        }
    }
}

/// Which work of one kind must run.
pub struct Plan {
    kind: &'static str,
    /// Work to run, with the key to record when it passes.
    pub stale: Vec<(String, Key)>,
    /// Work skipped: it passed before with these very inputs.
    pub fresh: Vec<String>,
    full: Option<String>,
}

impl Plan {
    pub fn is_stale(&self, name: &str) -> bool {
        self.stale.iter().any(|(n, _)| n == name)
    }

    pub fn stale_names(&self) -> Vec<&str> {
        self.stale.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// After the stale work passed: remember it.
    pub fn record(&self, cache: &Cache) -> Result<(), String> {
        self.record_passed(cache, |_| true)
    }

    /// Remembers the stale work that `passed`, when some of it failed.
    pub fn record_passed(
        &self,
        cache: &Cache,
        passed: impl Fn(&str) -> bool,
    ) -> Result<(), String> {
        for (name, key) in self.stale.iter().filter(|(n, _)| passed(n)) {
            cache.record(self.kind, name, *key)?;
        }
        Ok(())
    }

    /// What ran and what was skipped, for the stage summary:
    /// `17 of 19 pages unchanged, skipped`.
    pub fn note(&self, things: &str) -> String {
        let total = self.stale.len() + self.fresh.len();
        match &self.full {
            Some(why) => format!("all {total} {things} run: {why}"),
            None if self.fresh.is_empty() => {
                format!("all {total} {things} changed or not yet passed")
            }
            None => format!(
                "{} of {total} {things} unchanged, skipped",
                self.fresh.len()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder under the system's temporary one.
    pub fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir()
            .join(format!("xtask-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir is writable");
        dir
    }

    fn key_of(root: &Path, files: &[&str]) -> Key {
        let mut fingerprint = Fingerprint::new("test");
        for file in files {
            fingerprint.file(root, &root.join(file));
        }
        fingerprint.key()
    }

    #[test]
    fn a_key_changes_with_any_input_and_only_then() {
        let root = scratch("key");
        std::fs::write(root.join("a"), "one").unwrap();
        std::fs::write(root.join("b"), "two").unwrap();
        let before = key_of(&root, &["a", "b"]);
        assert_eq!(key_of(&root, &["a", "b"]), before, "same inputs");
        std::fs::write(root.join("b"), "tw0").unwrap();
        assert_ne!(key_of(&root, &["a", "b"]), before, "a changed byte");
        std::fs::write(root.join("b"), "two").unwrap();
        assert_eq!(key_of(&root, &["a", "b"]), before, "changed back");
        std::fs::remove_file(root.join("b")).unwrap();
        let missing = key_of(&root, &["a", "b"]);
        std::fs::write(root.join("b"), "").unwrap();
        assert_ne!(key_of(&root, &["a", "b"]), missing, "empty is not missing");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn inputs_do_not_run_together() {
        let mut ab_c = Fingerprint::new("test");
        ab_c.add("x", b"ab").add("y", b"c");
        let mut a_bc = Fingerprint::new("test");
        a_bc.add("x", b"a").add("y", b"bc");
        assert_ne!(ab_c.key(), a_bc.key());
        let mut kind = Fingerprint::new("other");
        kind.add("x", b"ab").add("y", b"c");
        assert_ne!(ab_c.key(), kind.key(), "kinds never share keys");
    }

    #[test]
    fn a_renamed_file_is_another_input() {
        let root = scratch("rename");
        std::fs::create_dir_all(root.join("d")).unwrap();
        std::fs::write(root.join("d/a"), "same").unwrap();
        let mut before = Fingerprint::new("test");
        before.tree(&root, &root.join("d"), &[]);
        std::fs::rename(root.join("d/a"), root.join("d/b")).unwrap();
        let mut after = Fingerprint::new("test");
        after.tree(&root, &root.join("d"), &[]);
        assert_ne!(before.key(), after.key());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_tree_sees_new_files_and_skips_named_folders() {
        let root = scratch("tree");
        std::fs::create_dir_all(root.join("node_modules")).unwrap();
        std::fs::write(root.join("a.mjs"), "test").unwrap();
        let key = |root: &Path| {
            let mut fingerprint = Fingerprint::new("test");
            fingerprint.tree(root, root, &["node_modules"]);
            fingerprint.key()
        };
        let before = key(&root);
        std::fs::write(root.join("node_modules/x.js"), "installed").unwrap();
        assert_eq!(key(&root), before, "a skipped folder is no input");
        std::fs::create_dir_all(root.join("fixtures")).unwrap();
        std::fs::write(root.join("fixtures/new.json"), "{}").unwrap();
        assert_ne!(key(&root), before, "a new file in a subfolder");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_moved_checkout_keeps_its_keys() {
        let root = scratch("moved");
        for dir in ["one", "two"] {
            std::fs::create_dir_all(root.join(dir).join("src")).unwrap();
            std::fs::write(root.join(dir).join("src/a.md"), "# A").unwrap();
        }
        let key = |checkout: &Path| {
            let mut fingerprint = Fingerprint::new("test");
            fingerprint.tree(checkout, &checkout.join("src"), &[]);
            fingerprint.key()
        };
        assert_eq!(key(&root.join("one")), key(&root.join("two")));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_rebuilt_executable_changes_its_stamp() {
        let root = scratch("stamp");
        let binary = root.join("test-binary");
        std::fs::write(&binary, "build 1").unwrap();
        let stamp = || {
            let mut fingerprint = Fingerprint::new("test");
            fingerprint.stamp(&root, &binary);
            fingerprint.key()
        };
        let before = stamp();
        assert_eq!(stamp(), before);
        // Same size, new contents: cargo's relink gives a new time.
        let file = std::fs::File::options().write(true).open(&binary).unwrap();
        let later =
            std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        file.set_modified(later).unwrap();
        assert_ne!(stamp(), before);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn only_work_that_passed_with_the_same_key_is_skipped() {
        let root = scratch("plan");
        let cache = Cache::open(&root, None);
        let (one, two) = (Key(1, 1), Key(2, 2));
        let plan =
            cache.plan("pages", vec![("a".into(), one), ("b".into(), one)]);
        assert_eq!(plan.stale_names(), ["a", "b"], "nothing recorded yet");
        assert_eq!(plan.note("pages"), "all 2 pages changed or not yet passed");
        plan.record(&cache).unwrap();

        let plan =
            cache.plan("pages", vec![("a".into(), one), ("b".into(), two)]);
        assert_eq!(plan.stale_names(), ["b"], "b's inputs changed");
        assert_eq!(plan.fresh, ["a"]);
        assert_eq!(plan.note("pages"), "1 of 2 pages unchanged, skipped");
        assert!(plan.is_stale("b") && !plan.is_stale("a"));

        let plan = cache.plan(
            "pages",
            vec![("a".into(), two), ("b".into(), two), ("c".into(), two)],
        );
        plan.record_passed(&cache, |name| name != "b").unwrap();
        let plan = cache.plan(
            "pages",
            vec![("a".into(), two), ("b".into(), two), ("c".into(), two)],
        );
        assert_eq!(plan.stale_names(), ["b"], "b failed: it runs again");

        let other = cache.plan("skeptic", vec![("a".into(), one)]);
        assert_eq!(other.stale_names(), ["a"], "kinds keep separate records");

        let full = Cache::open(&root, Some("--full".into()));
        let plan = full.plan("pages", vec![("a".into(), one)]);
        assert_eq!(plan.stale_names(), ["a"], "a full run skips nothing");
        assert_eq!(plan.note("pages"), "all 1 pages run: --full");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn entry_names_stay_inside_the_cache() {
        let cache = Cache::open(Path::new("/t"), None);
        assert_eq!(
            cache.entry("pages", "../../etc/x.html"),
            Path::new("/t/xtask-cache/pages/.._.._etc_x.html.key")
        );
        assert_eq!(
            cache.entry("pages", ".."),
            Path::new("/t/xtask-cache/pages/...key")
        );
    }

    #[test]
    fn ci_and_full_run_everything() {
        let full = vec!["--full".to_string()];
        let reason = |args: &[String], ci: Option<&str>| {
            full_reason(args, ci.map(String::from))
        };
        assert_eq!(reason(&full, None).as_deref(), Some("--full"));
        assert_eq!(reason(&[], Some("true")).as_deref(), Some("CI=true"));
        assert_eq!(reason(&[], None), None, "a local run is incremental");
        assert_eq!(reason(&[], Some("false")), None);
        assert_eq!(reason(&[], Some("")), None);
        assert_eq!(full_run(&full).as_deref(), Some("--full"));
    }

    #[test]
    fn what_steers_the_build_is_keyed_and_nothing_else() {
        for name in [
            "RUSTFLAGS",
            "CARGO_PROFILE_DEV_DEBUG",
            "CARGO_TARGET_DIR",
            "BOOK_CHROMIUM",
            "MDBOOK_OUTPUT",
        ] {
            assert!(steers_the_build(name), "{name}");
        }
        for name in ["HOME", "PATH", "CARGO_HOME", "TERM"] {
            assert!(!steers_the_build(name), "{name}");
        }
    }

    #[test]
    fn a_tool_s_version_is_what_it_prints() {
        let cargo = version("cargo", &["--version"]);
        assert!(cargo.starts_with("cargo: cargo 1."), "{cargo}");
        let missing = version("no-such-tool-for-the-book", &[]);
        assert!(missing.contains("cannot run"), "{missing}");
    }
}
