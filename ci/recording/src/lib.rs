//! Recorded outputs: every output block on a page is a real run of its
//! listing, stored as `output.txt` beside it. This crate holds the one
//! definition of how a rerun is compared with that recording. Two callers
//! use it: each listing's own test `tests/recorded_output.rs` (one line,
//! [`recorded_output_test!`]), which `cargo test` and cargo-mutants run, and
//! `cargo xtask outputs`, which rewrites the recordings or, with `--check`,
//! compares them.
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
//! take the same time twice. Nothing is exempt: every listing that is a
//! program has a recorded output, compared by one of these rules.
//!
//! The run merges stdout and stderr in the order the program wrote them (a
//! panic message is part of what a reader sees), with `RUST_BACKTRACE`
//! unset, and must exit successfully within [`TIMEOUT`].

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use regex::Regex;

pub mod performances;
pub mod source;

/// The longest a listing may run before it counts as hung.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A listing's test that its run still matches its `output.txt`. Each
/// listing's `tests/recorded_output.rs` is this one line:
///
/// ```text
/// recording::recorded_output_test!();
/// ```
///
/// It runs the listing's own binary (`CARGO_BIN_EXE_<name>`, which cargo
/// builds for every integration test) and panics with what differs.
#[macro_export]
macro_rules! recorded_output_test {
    () => {
        // Under `--cfg loom` the program runs on loom's types, which work
        // only inside a loom model: the recording is compared without it.
        #[cfg(not(loom))]
        #[test]
        fn recorded_output() {
            if let Err(problem) = $crate::check(
                env!("CARGO_PKG_NAME"),
                env!(concat!("CARGO_BIN_EXE_", env!("CARGO_PKG_NAME"))),
                env!("CARGO_MANIFEST_DIR"),
            ) {
                panic!("{problem}");
            }
        }
    };
}

/// Runs the listing `name` (its `binary`, in its folder `dir`) and compares
/// the run with `dir/output.txt` by the rule its `Cargo.toml` names.
pub fn check(name: &str, binary: &str, dir: &str) -> Result<(), String> {
    let dir = Path::new(dir);
    let rule = rule_of(dir)?;
    let file = dir.join("output.txt");
    let rerecord = format!("cargo xtask outputs {name}");
    let recorded = std::fs::read_to_string(&file).map_err(|e| {
        format!(
            "{name} has no recorded output ({}: {e}); every program \
             listing has one: run `{rerecord}`, review it, and commit it",
            file.display()
        )
    })?;
    let actual = run(Path::new(binary), dir)
        .map_err(|problem| format!("{name}: {problem}"))?;
    match rule.mismatch(&recorded, &actual) {
        None => Ok(()),
        Some(diff) => Err(format!(
            "the run of {name} no longer matches its recorded output \
             ({} rule):\n{diff}\
             if the change is intended, run `{rerecord}` and review the diff",
            rule.name()
        )),
    }
}

/// The string `key` of the `[package.metadata.book]` table of
/// `dir/Cargo.toml`, if the table sets it.
pub fn book_setting(dir: &Path, key: &str) -> Result<Option<String>, String> {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| format!("{}: {e}", manifest.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", manifest.display()))?;
    let setting = table
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("book"))
        .and_then(|b| b.get(key));
    match setting {
        None => Ok(None),
        Some(value) => {
            value.as_str().map(|s| Some(s.to_string())).ok_or_else(|| {
                format!("{}: `{key}` must be a string", manifest.display())
            })
        }
    }
}

/// The rule named by the `[package.metadata.book]` table of `dir/Cargo.toml`.
pub fn rule_of(dir: &Path) -> Result<Rule, String> {
    let name = book_setting(dir, "output")?;
    Rule::from_setting(name.as_deref()).map_err(|problem| {
        format!("{}: {problem}", dir.join("Cargo.toml").display())
    })
}

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

    /// The rule for a listing whose `output` setting is `setting`: `exact`
    /// when it has none.
    pub fn from_setting(setting: Option<&str>) -> Result<Rule, String> {
        match setting {
            None => Ok(Rule::Exact),
            Some(name) => Rule::parse(name).ok_or_else(|| {
                format!(
                    "unknown output rule `{name}` (use one of {})",
                    Self::NAMES
                )
            }),
        }
    }

    /// The name a listing's `Cargo.toml` uses.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Exact => "exact",
            Rule::AnyOrder => "any-order",
            Rule::PerPerformer => "per-performer",
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
                let performers: BTreeSet<&String> =
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
    static ID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(thread '[^']*') \(\d+\)").expect("valid regex")
    });
    ID.replace_all(text, "$1 (<tid>)").into_owned()
}

fn mask_times(line: &str) -> String {
    static TIME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\d+(\.\d+)?(ns|µs|us|ms|s)\b").expect("valid regex")
    });
    TIME.replace_all(line, "<time>").into_owned()
}

fn by_performer(text: &str) -> BTreeMap<String, Vec<String>> {
    static STAMP: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^@\S+ ").expect("valid regex"));
    let mut lanes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        let masked = mask_times(line);
        let body = STAMP.replace(&masked, "");
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

/// Runs `binary` in `dir` with stdout and stderr merged, and returns what
/// it printed; an error if it fails, or if it is still running after
/// [`TIMEOUT`] (it is killed: a hung listing is a failure, not a hung test).
pub fn run(binary: &Path, dir: &Path) -> Result<String, String> {
    run_within(binary, dir, TIMEOUT)
}

fn run_within(
    binary: &Path,
    dir: &Path,
    timeout: Duration,
) -> Result<String, String> {
    let mut command = Command::new(binary);
    command
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE");
    match run_limited(command, timeout)? {
        (Some(status), output) if status.success() => Ok(output),
        (Some(status), output) => {
            Err(format!("exited with {status}; output:\n{output}"))
        }
        (None, _) => Err(format!(
            "still running after {timeout:?}: a listing must finish \
             (detect a hang, do not hang)"
        )),
    }
}

/// Runs `command` with its stdout and stderr merged into one pipe, as a
/// terminal shows them, read while it runs (so a chatty program never
/// blocks on a full pipe). Returns how it exited, `None` if it still ran
/// after `limit` (then it is killed), and what it printed. `command` is
/// taken whole: once spawned, its copies of the pipe close with it, so
/// the reading ends when the program does.
pub fn run_limited(
    mut command: Command,
    limit: Duration,
) -> Result<(Option<ExitStatus>, String), String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let (mut reader, writer) =
        std::io::pipe().map_err(|e| format!("could not make a pipe: {e}"))?;
    let writer_too = writer
        .try_clone()
        .map_err(|e| format!("could not clone a pipe: {e}"))?;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(writer_too)
        .spawn()
        .map_err(|e| format!("could not run {program}: {e}"))?;
    drop(command);
    let reading = std::thread::spawn(move || {
        let mut output = String::new();
        reader.read_to_string(&mut output).map(|_| output)
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for {program}: {e}")),
        }
    };
    let output = reading
        .join()
        .map_err(|_| "the reader of its output panicked".to_string())?
        .map_err(|e| format!("its output is not UTF-8: {e}"))?;
    Ok((status, output))
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
    fn exact_sees_a_missing_last_line() {
        let diff = Rule::Exact.mismatch("a\nb\n", "a\n").unwrap();
        assert!(diff.contains("<end of output>"), "{diff}");
        assert!(Rule::Exact.mismatch("a\n", "").is_some());
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
        let silent = "strings: 1\nstrings: 2\nbrass: 1\nbrass: 2\n";
        let diff = Rule::PerPerformer.mismatch(recorded, silent).unwrap();
        assert!(diff.contains("performer ``"), "{diff}");
    }

    #[test]
    fn a_performer_name_may_hold_a_hyphen_or_an_underscore() {
        let recorded = "first-violins: 1\nsecond-violins: 1\n\
                        first_cellos: 1\nsecond_cellos: 1\n";
        let shuffled: String =
            recorded.lines().rev().map(|l| format!("{l}\n")).collect();
        assert!(Rule::PerPerformer.mismatch(recorded, &shuffled).is_none());
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
        let other_note = "@14ms strings: D4 after 4.1ms\n";
        assert!(Rule::AnyOrder.mismatch(recorded, other_note).is_some());
    }

    #[test]
    fn a_setting_names_a_rule_and_none_is_exact() {
        assert_eq!(Rule::from_setting(None), Ok(Rule::Exact));
        for rule in [Rule::Exact, Rule::AnyOrder, Rule::PerPerformer] {
            assert_eq!(Rule::from_setting(Some(rule.name())), Ok(rule));
        }
        let problem = Rule::from_setting(Some("sorted")).unwrap_err();
        assert!(problem.contains("`sorted`"), "{problem}");
    }

    /// A fresh folder under the system's temporary one.
    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir()
            .join(format!("recording-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir is writable");
        dir
    }

    #[test]
    fn the_rule_is_read_from_the_manifest() {
        let dir = scratch("manifest");
        let manifest = dir.join("Cargo.toml");
        std::fs::write(&manifest, "[package]\nname = \"l\"\n").unwrap();
        assert_eq!(rule_of(&dir), Ok(Rule::Exact));
        std::fs::write(
            &manifest,
            "[package]\nname = \"l\"\n\n[package.metadata.book]\n\
             output = \"any-order\" # threads\n",
        )
        .unwrap();
        assert_eq!(rule_of(&dir), Ok(Rule::AnyOrder));
        std::fs::write(
            &manifest,
            "[package.metadata.book]\noutput = \"sorted\"\n",
        )
        .unwrap();
        assert!(rule_of(&dir).unwrap_err().contains("`sorted`"));
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    /// More than a pipe holds (64 KiB on Linux) is read while the program
    /// runs: read only after it exits, the program would block on a full
    /// pipe until the limit killed it.
    #[cfg(unix)]
    #[test]
    fn a_chatty_run_is_read_while_it_runs() {
        let mut chatty = Command::new("sh");
        chatty.args([
            "-c",
            "i=0; while [ $i -lt 4000 ]; do \
            echo 'a line of about forty bytes, again'; i=$((i+1)); done",
        ]);
        let (status, output) =
            run_limited(chatty, Duration::from_secs(5)).unwrap();
        assert!(status.is_some_and(|s| s.success()), "it was stopped");
        assert_eq!(output.lines().count(), 4000);
    }

    /// A shell script stands in for a listing: what it prints is compared,
    /// a failing exit is a failure, and a hang is cut off.
    #[cfg(unix)]
    #[test]
    fn a_run_merges_both_streams_fails_on_a_bad_exit_and_ends_a_hang() {
        let dir = scratch("run");
        let script = dir.join("play.sh");
        let play = |text: &str| {
            std::fs::write(&script, format!("#!/bin/sh\n{text}")).unwrap();
            make_executable(&script);
            run_within(&script, &dir, Duration::from_millis(500))
        };
        assert_eq!(
            play("echo one\necho two >&2\necho three\n").as_deref(),
            Ok("one\ntwo\nthree\n")
        );
        let failed = play("echo lost\nexit 3\n").unwrap_err();
        assert!(failed.contains("exit status: 3"), "{failed}");
        assert!(failed.contains("lost"), "{failed}");
        let started = Instant::now();
        let hung = play("exec sleep 30\n").unwrap_err();
        assert!(hung.contains("still running after 500ms"), "{hung}");
        assert!(started.elapsed() < Duration::from_secs(10));
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[cfg(unix)]
    #[test]
    fn check_fails_without_a_recording_and_on_a_different_run() {
        let dir = scratch("check");
        std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"l\"\n")
            .unwrap();
        let script = dir.join("play.sh");
        std::fs::write(&script, "#!/bin/sh\necho tune up\n").unwrap();
        make_executable(&script);
        let (binary, folder) =
            (script.to_str().unwrap(), dir.to_str().unwrap());
        let missing = check("l", binary, folder).unwrap_err();
        assert!(missing.contains("no recorded output"), "{missing}");
        assert!(missing.contains("cargo xtask outputs l"), "{missing}");
        std::fs::write(dir.join("output.txt"), "tune up\n").unwrap();
        assert_eq!(check("l", binary, folder), Ok(()));
        std::fs::write(dir.join("output.txt"), "tune down\n").unwrap();
        let differs = check("l", binary, folder).unwrap_err();
        assert!(differs.contains("line 1"), "{differs}");
        assert!(differs.contains("(exact rule)"), "{differs}");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[cfg(unix)]
    fn make_executable(file: &Path) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o755))
            .expect("temp dir is writable");
    }
}
