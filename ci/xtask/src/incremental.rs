//! The listing stages of `cargo xtask test` (tests, negative examples,
//! loom models, the mutants sample), skipping the work whose inputs are
//! those of a run that passed (see [`crate::cache`]).
//!
//! A listing's key holds everything its tests can read:
//! - every file in its folder (sources, `output.txt`, `Cargo.toml`), which
//!   its tests read at run time;
//! - the name, size and time of every executable cargo built for it (its
//!   tests and its program): cargo rebuilds them when anything they were
//!   compiled from changed, an `include_str!` of a chapter included;
//! - every file under `ci/` but the browser tests (the crates listings test
//!   with, such as `ci/recording`);
//! - what every key holds ([`cache::common`]): the xtask, the toolchain,
//!   `Cargo.lock`, the environment that steers cargo.
//!
//! A key for a listing's programs that must not compile holds the
//! libraries rustc checks them against instead of executables
//! ([`crate::negatives`]). A loom listing's key uses the
//! executables of the normal build, which `--cfg loom` compiles from the
//! same files.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::background::{Background, Beside, Finish};
use crate::cache::{self, Cache, Key};
use crate::listings::{Kind, Listing, Workspace};
use crate::negatives::{self, Refusal};

/// Each package folder's executables, from one cargo build.
pub struct Built {
    /// Each package folder's tests (test harnesses).
    executables: HashMap<PathBuf, Vec<PathBuf>>,
    /// Each package folder's program: its `src/main.rs` built as a
    /// program, not as tests.
    programs: HashMap<PathBuf, PathBuf>,
    /// The listings whose tests ran, not skipped.
    tested: Vec<String>,
    /// Each package id's library files (an rlib, or a proc macro's shared
    /// library), as the build made or found them: one per set of
    /// features, most packages have one.
    pub libraries: HashMap<String, Vec<PathBuf>>,
}

/// The build: every crate of the workspace, the page tests included (their
/// build script reads the pages staged for them, [`PAGES`]).
///
/// Every cargo command of the run selects the whole workspace and picks
/// what it runs with a filter, never with `--package` or `--exclude`: cargo
/// unifies a dependency's features over the packages a command selects, so
/// a command that selected fewer rebuilt dependencies the others had
/// built (seen: `--package page-tests` alone rebuilt 28 crates, syn, serde
/// and tracing among them, 20 CPU-seconds; the negative examples alone, 28).
/// The exceptions: the loom models, which under `--cfg loom` have a
/// dependency, loom, that no other command builds ([`crate::loom`]); and
/// the check that the test build reuses what the tools' own builds
/// compiled ([`tool_dependencies_reused`]), which builds each tool alone
/// as `cargo xtask` and the render did (cargo finds them fresh).
const BUILD: [&str; 2] = ["test", "--workspace"];

/// The pages staged for skeptic, which the page tests' build script reads
/// (`BOOK_PAGES`; [`crate::pages::stage`] writes them).
pub const PAGES: &str = "target/page-tests";

/// nextest in `root` on the whole workspace, as built and listed in
/// `reuse` ([`list_for_nextest`]), running every test whatever fails,
/// three tests per core (see [`tests_at_once`]); `filter` (a nextest
/// filterset) picks the tests that run. It runs no cargo.
fn nextest(
    root: &Path,
    reuse: &Reuse,
    filter: &str,
) -> Result<Command, String> {
    let mut command = in_workspace(crate::tools::nextest()?, root);
    command
        .args(["nextest", "run", "--no-fail-fast"])
        .arg("--binaries-metadata")
        .arg(&reuse.binaries)
        .arg("--cargo-metadata")
        .arg(&reuse.metadata)
        .arg(format!("--test-threads={}", tests_at_once()))
        .args(["--filterset", filter]);
    Ok(command)
}

/// Where nextest finds what the build made, so that it runs the tests
/// without building: its list of the test programs and `cargo metadata`.
pub struct Reuse {
    binaries: PathBuf,
    metadata: PathBuf,
}

/// Writes the files of [`Reuse`] in the target folder: nextest's list of the
/// test programs of the whole workspace (`cargo nextest list --list-type
/// binaries-only`, which finds the linted build fresh) and `cargo
/// metadata`. Made right after the build, before the loom models' build
/// takes cargo's lock: nextest then runs the listing tests beside it
/// instead of waiting for it.
pub fn list_for_nextest(
    root: &Path,
    workspace: &Workspace,
    built: &Built,
) -> Result<Reuse, String> {
    let dir = workspace.target_dir.join("nextest-reuse");
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut list = in_workspace(crate::tools::nextest()?, root);
    list.args(["nextest", "list", "--cargo-quiet"])
        .args(&BUILD[1..])
        .args(crate::lint::config()?)
        .args(["--list-type", "binaries-only", "--message-format", "json"]);
    let mut metadata = Command::new(crate::env_cargo());
    metadata
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(root);
    let reuse = Reuse {
        binaries: dir.join("binaries-metadata.json"),
        metadata: dir.join("cargo-metadata.json"),
    };
    let listed = write_output(list, &reuse.binaries)?;
    write_output(metadata, &reuse.metadata)?;
    let listed: Value = serde_json::from_slice(&listed).unwrap_or_default();
    unkeyed_test_programs(&listed, built)?;
    Ok(reuse)
}

/// Runs `command`, its errors shown as it writes them, and writes what it
/// prints to `file`; returns that too.
fn write_output(mut command: Command, file: &Path) -> Result<Vec<u8>, String> {
    let shown = crate::lint::shown(&command);
    let output = command
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run `{shown}`: {e}"))?;
    if !output.status.success() {
        return Err(format!("`{shown}` failed (see above)"));
    }
    std::fs::write(file, &output.stdout)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(output.stdout)
}

/// Fails when nextest's list (`listed`, its binaries-metadata JSON) holds
/// a test program the build (`built`) did not make: the cache keys a
/// listing's tests by the programs the build made, so nextest must run
/// those and no others.
fn unkeyed_test_programs(listed: &Value, built: &Built) -> Result<(), String> {
    let made: HashSet<&Path> = built
        .executables
        .values()
        .flatten()
        .map(PathBuf::as_path)
        .collect();
    let binaries = listed["rust-binaries"]
        .as_object()
        .ok_or("nextest listed no test programs")?;
    let mut strays: Vec<&str> = binaries
        .values()
        .filter_map(|b| b["binary-path"].as_str())
        .filter(|path| !made.contains(Path::new(path)))
        .collect();
    if strays.is_empty() {
        return Ok(());
    }
    strays.sort_unstable();
    Err(format!(
        "nextest lists test programs the test build did not make, so the \
         run would test what no cache key holds:\n  {}\nfix: build them \
         in `incremental::build` too (its cargo command and nextest's must \
         select the same targets)",
        strays.join("\n  ")
    ))
}

/// `program` (cargo, or a cargo subcommand) in `root`, with the folder of
/// staged pages the page tests' build script reads: the same in every
/// command of the run, or cargo reruns the script and rebuilds the tests.
fn in_workspace(program: impl AsRef<std::ffi::OsStr>, root: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .env("BOOK_PAGES", root.join(PAGES))
        .current_dir(root);
    command
}

/// A nextest filterset matching the tests of the packages `names`, or of
/// none.
fn packages<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let any: Vec<String> = names
        .into_iter()
        .map(|name| format!("package(={name})"))
        .collect();
    if any.is_empty() {
        "none()".to_string()
    } else {
        any.join(" | ")
    }
}

/// How many tests run at once: three per core. Most tests wait (a
/// recorded run sleeps for real), so three per core overlap their waits:
/// the listing tests' stage took 15 s with six at once, against 21 s with
/// four, on two quiet cores (607 tests). Every recording keeps margins of
/// 300 ms or more between the events its rule orders, and the recorded
/// runs go last (`.config/nextest.toml`), when the page programs beside
/// this stage are done (the loom models may still run).
fn tests_at_once() -> usize {
    3 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Builds, in one cargo command, what `cargo` [`BUILD`] would test and
/// every program (`--bins --tests`), linted by clippy as it compiles
/// ([`crate::lint`]), and collects each package's tests and program;
/// `cargo nextest list` then finds it all fresh ([`list_for_nextest`]),
/// and fails if it lists a test program this build did not make. The
/// exercise stage run
/// alone (`cargo xtask exercise --check`) builds the same, so cargo finds
/// it fresh.
pub fn build(root: &Path) -> Result<Built, String> {
    // The page tests' build script reads the folder, staged or not yet
    // (`cargo xtask exercise --check` builds before any staging).
    let pages = root.join(PAGES);
    std::fs::create_dir_all(&pages)
        .map_err(|e| format!("{}: {e}", pages.display()))?;
    // One command for the tests and the programs: cargo unifies features
    // over what a command builds, so the programs built alone (`cargo
    // build --bins`, without the tests' dev-dependencies) compiled many
    // crates again with other features: 141 CPU-seconds for the tests and
    // then 35 for the programs, against 146 for both at once (two cores,
    // from a clean target).
    let mut executables: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    let mut programs = HashMap::new();
    let mut libraries: HashMap<String, Vec<PathBuf>> = HashMap::new();
    let mut features: HashMap<PathBuf, String> = HashMap::new();
    let mut cargo = in_workspace(crate::env_cargo(), root);
    cargo.args(["build", "--workspace", "--bins", "--tests"]);
    crate::lint::build(cargo, |message| {
        if let Some((id, library)) = library(message) {
            features.insert(library.clone(), features_of(message));
            let files = libraries.entry(id).or_default();
            if !files.contains(&library) {
                files.push(library);
            }
        } else if let Some((dir, program)) = program(message) {
            programs.insert(dir, program);
        } else if let Some((dir, executable)) =
            executable(message).filter(|_| message["profile"]["test"] == true)
        {
            executables.entry(dir).or_default().push(executable);
        }
    })?;
    compiled_once(&libraries, &features)?;
    tool_dependencies_reused(root, &libraries)?;
    Ok(Built {
        executables,
        programs,
        tested: Vec::new(),
        libraries,
    })
}

/// The features cargo compiled a unit with, as one JSON message names
/// them: `a,b,c`.
fn features_of(message: &Value) -> String {
    message["features"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

/// Fails when the build compiled a library twice (`libraries`: each
/// package id's library files; `features`: each file's features), as
/// cargo does when its build scripts and its programs ask for other
/// features of one crate: the page tests' build script (skeptic) and the
/// pages' programs shared 13 crates this way, about 8 CPU-seconds of a
/// clean run, until `ci/page-tests/Cargo.toml` asked for the programs'
/// features in its build too.
fn compiled_once(
    libraries: &HashMap<String, Vec<PathBuf>>,
    features: &HashMap<PathBuf, String>,
) -> Result<(), String> {
    let mut twice: Vec<String> = libraries
        .iter()
        .filter(|(_, files)| files.len() > 1)
        .map(|(id, files)| {
            let sets: Vec<String> = files
                .iter()
                .map(|f| {
                    format!("[{}]", features.get(f).map_or("", String::as_str))
                })
                .collect();
            if sets.iter().all(|set| *set == sets[0]) {
                format!(
                    "  {id}: {} times with features {}, over dependencies \
                     compiled with other features (or by another profile)",
                    sets.len(),
                    sets[0]
                )
            } else {
                format!("  {id}: with features {}", sets.join(" and "))
            }
        })
        .collect();
    if twice.is_empty() {
        return Ok(());
    }
    twice.sort();
    Err(format!(
        "the test build compiled {} librar{} more than once:\n{}\nfix: \
         give the build script's copy the features the programs' copy has \
         (in `[build-dependencies]` of the package whose build script uses \
         it, ci/page-tests/Cargo.toml as a rule), so cargo compiles it once",
        twice.len(),
        if twice.len() == 1 { "y" } else { "ies" },
        twice.join("\n")
    ))
}

/// Fails when the test build compiled again a dependency of the xtask or
/// of mdbook-score (`libraries`: what the test build made or found), which
/// `cargo xtask` and the render's `cargo run -p mdbook-score` compile
/// first, each alone: the workspace's Cargo.toml gives the tools' crates
/// the features the test build unifies, so that a clean run compiles
/// regex, serde and toml once (about 9 CPU-seconds, and 6 s of the
/// render). Each tool is built as it was (cargo finds it fresh) to read
/// which library files it used.
fn tool_dependencies_reused(
    root: &Path,
    libraries: &HashMap<String, Vec<PathBuf>>,
) -> Result<(), String> {
    let built: HashSet<&PathBuf> = libraries.values().flatten().collect();
    let mut again = BTreeSet::new();
    for tool in ["xtask", "mdbook-score"] {
        let mut cargo = Command::new(crate::env_cargo());
        cargo
            .args(["build", "--locked", "--quiet", "--package", tool])
            .current_dir(root);
        let shown = crate::lint::shown(&cargo);
        crate::lint::messages(cargo, &shown, |message| {
            if let Some((id, file)) = library(message) {
                if !id.starts_with("path+") && !built.contains(&file) {
                    again.insert(format!("  {id} (a dependency of {tool})"));
                }
            }
        })?;
    }
    if again.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the test build compiled again {} dependenc{} of the tools, with \
         other features than their own builds did:\n{}\nfix: give the \
         crate the features the workspace unifies in the workspace's \
         Cargo.toml, and the tool a dependency on it (`cargo tree -e \
         features -i <crate>` names who asks for which)",
        again.len(),
        if again.len() == 1 { "y" } else { "ies" },
        again.into_iter().collect::<Vec<_>>().join("\n")
    ))
}

/// From one of cargo's JSON messages: the package id and the library file
/// it built (or found fresh), if it is a library: its rlib, or a proc
/// macro's shared library (not the metadata-only `.rmeta` beside them),
/// as rustc's `--extern` takes it.
fn library(message: &Value) -> Option<(String, PathBuf)> {
    if message["reason"] != "compiler-artifact"
        || message["profile"]["test"] != false
    {
        return None;
    }
    let is_library = message["target"]["kind"]
        .as_array()?
        .iter()
        .any(|kind| kind == "lib" || kind == "rlib" || kind == "proc-macro");
    if !is_library {
        return None;
    }
    // An rlib where there is one (a library may also be a `cdylib`), or
    // else a proc macro's shared library.
    let files: Vec<&str> = message["filenames"]
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let file = files
        .iter()
        .find(|f| f.ends_with(".rlib"))
        .or_else(|| files.iter().find(|f| !f.ends_with(".rmeta")))?;
    let id = message["package_id"].as_str()?;
    Some((id.to_string(), PathBuf::from(file)))
}

/// From one of cargo's JSON messages: the package folder and the path of
/// the program it built (or found fresh), if it is one: a `bin` target
/// built as itself, not as tests.
fn program(message: &Value) -> Option<(PathBuf, PathBuf)> {
    let is_bin = message["target"]["kind"]
        .as_array()?
        .iter()
        .any(|kind| kind == "bin");
    let is_test = message["profile"]["test"].as_bool()?;
    executable(message).filter(|_| is_bin && !is_test)
}

/// From one of cargo's JSON messages: the package folder and the path of
/// an executable it built (or found fresh).
pub fn executable(message: &Value) -> Option<(PathBuf, PathBuf)> {
    if message["reason"] != "compiler-artifact" {
        return None;
    }
    let executable = message["executable"].as_str()?;
    let manifest = Path::new(message["manifest_path"].as_str()?);
    Some((manifest.parent()?.to_path_buf(), PathBuf::from(executable)))
}

/// A listing's key for one kind of work: see the module's documentation.
fn listing_key(
    root: &Path,
    work: &str,
    dir: &Path,
    executables: &[PathBuf],
) -> Key {
    let mut fingerprint = cache::common(root);
    fingerprint.add("work", work.as_bytes());
    fingerprint.tree(
        root,
        &root.join("ci"),
        &["browser", "target", "node_modules"],
    );
    add_listing(&mut fingerprint, root, dir, executables);
    fingerprint.key()
}

/// Adds to `fingerprint` what a listing's tests read of it: every file in
/// its folder `dir`, and the name, size and time of each executable cargo
/// built for it.
pub fn add_listing(
    fingerprint: &mut cache::Fingerprint,
    root: &Path,
    dir: &Path,
    executables: &[PathBuf],
) {
    fingerprint.tree(root, dir, &["target"]);
    let mut executables = executables.to_vec();
    executables.sort();
    for executable in &executables {
        fingerprint.stamp(root, executable);
    }
}

impl Built {
    /// The tests (test harnesses) cargo built for `listing`.
    pub fn of(&self, listing: &Listing) -> &[PathBuf] {
        self.in_dir(&listing.dir)
    }

    /// Everything cargo built for `listing`: its tests and its program.
    pub fn all_of(&self, listing: &Listing) -> Vec<PathBuf> {
        let mut all = self.of(listing).to_vec();
        all.extend(self.program_of(listing).map(Path::to_path_buf));
        all
    }

    /// The program cargo built from `listing`'s `src/main.rs`.
    pub fn program_of(&self, listing: &Listing) -> Option<&Path> {
        self.programs.get(&listing.dir).map(PathBuf::as_path)
    }

    /// The tests of the package in the folder `dir`.
    pub fn in_dir(&self, dir: &Path) -> &[PathBuf] {
        self.executables.get(dir).map_or(&[], Vec::as_slice)
    }
}

/// The listing tests to run, on what [`build`] made: those of the
/// listings whose key changed and those of every crate that is no listing
/// (the xtask's own, the score's, the recording's). Notes in `built` the
/// listings whose tests will run, which the mutants sample draws from.
/// nextest runs them on the build as `reuse` lists it.
pub fn plan_listing_tests(
    cache: &Cache,
    root: &Path,
    workspace: &Workspace,
    built: &mut Built,
    reuse: Reuse,
) -> ListingTests {
    let work = workspace
        .listings
        .iter()
        .filter(|l| l.kind != Kind::ExerciseStarter)
        .map(|l| {
            (
                l.name.clone(),
                listing_key(root, "tests", &l.dir, &built.all_of(l)),
            )
        })
        .collect();
    let plan = cache.plan("tests", work);
    let skip = crate::exercises::starters(workspace) // their own stage
        .map(|l| l.name.as_str())
        .chain(plan.fresh.iter().map(String::as_str))
        .chain(["page-tests"]); // a later stage
    let filter = format!("not ({})", packages(skip));
    built.tested = plan.stale_names().into_iter().map(String::from).collect();
    ListingTests {
        plan,
        filter,
        reuse,
    }
}

/// The listing tests [`plan_listing_tests`] chose.
pub struct ListingTests {
    plan: cache::Plan,
    /// The nextest filterset that picks them.
    filter: String,
    reuse: Reuse,
}

impl ListingTests {
    /// Runs them, and records them when they pass. Returns a note for the
    /// summary.
    pub fn run(self, cache: &Cache, root: &Path) -> Result<String, String> {
        let mut command = nextest(root, &self.reuse, &self.filter)?;
        crate::run(&mut command, "a test failed (nextest names it above)")?;
        self.plan.record(cache)?;
        Ok(self.plan.note("listings' tests"))
    }
}

/// Starts the check of every program that must not compile
/// ([`crate::negatives`]) in the packages whose key changed, to run beside
/// the listing tests, which mostly wait on the clock. It runs in threads of
/// this process, one rustc per core: each compile only checks a program
/// against the libraries `built` holds.
pub fn start_negatives(
    cache: &Cache,
    root: &Path,
    workspace: &Workspace,
    built: &Built,
) -> Result<Beside, String> {
    let refusals = negatives::find(workspace);
    let externs = negatives::Externs::new(
        root,
        &workspace.target_dir,
        &built.libraries,
        &refusals,
    )?;
    let work = workspace
        .listings
        .iter()
        .filter(|l| refusals.iter().any(|r| r.package == l.name))
        .map(|l| {
            let libraries = externs.files_of(&l.name);
            (
                l.name.clone(),
                listing_key(root, "negative", &l.dir, &libraries),
            )
        })
        .collect();
    let plan = cache.plan("negative", work);
    let note = plan.note("packages with programs that must not compile");
    let stale: Vec<Refusal> = refusals
        .into_iter()
        .filter(|r| plan.is_stale(&r.package))
        .collect();
    if stale.is_empty() {
        plan.record(cache)?;
        return Ok(Beside::Skipped(note));
    }
    let started = Instant::now();
    let checking = std::thread::spawn(move || {
        let checked = negatives::check(&externs, &stale);
        (checked, started.elapsed())
    });
    Ok(Beside::Running(Box::new(Checking {
        checking,
        plan,
        note,
    })))
}

/// The check of the programs that must not compile, running in a thread;
/// [`Checking::finish`] waits for it.
struct Checking {
    /// How many programs it checked, and how long it took.
    checking: JoinHandle<(Result<usize, String>, Duration)>,
    plan: cache::Plan,
    /// The stage's note when it passes.
    note: String,
}

impl Finish for Checking {
    /// Waits for the check, and records the plan when it passed. Returns
    /// the stage's note.
    fn finish(self: Box<Self>, cache: &Cache) -> Result<String, String> {
        let (checked, took) = self
            .checking
            .join()
            .map_err(|_| "the check of the negative examples panicked")?;
        let checked = checked?;
        self.plan.record(cache)?;
        Ok(format!(
            "{}; {checked} programs refused as recorded, finished {:.1}s \
             after it began",
            self.note,
            took.as_secs_f64()
        ))
    }
}

/// A command run beside the next stages whose work `plan` records when
/// it passes (the mutants sample; the loom models through [`LoomRun`]);
/// [`PlannedRun::finish`] waits for it.
pub struct PlannedRun {
    child: Background,
    plan: cache::Plan,
    /// The stage's note when it passes.
    note: String,
    /// What a failed command means: the stage's error.
    failed: String,
}

impl PlannedRun {
    /// Waits for the command, prints its log, and when it passed runs
    /// `then` (a check of what it did) and records the plan. Returns the
    /// stage's note.
    fn finish_then(
        self,
        cache: &Cache,
        then: impl FnOnce() -> Result<(), String>,
    ) -> Result<String, String> {
        let ended = self.child.wait()?;
        print!("{}", ended.log);
        if !ended.status.success() {
            return Err(self.failed);
        }
        then()?;
        self.plan.record(cache)?;
        Ok(ended.note(&self.note))
    }
}

impl Finish for PlannedRun {
    fn finish(self: Box<Self>, cache: &Cache) -> Result<String, String> {
        self.finish_then(cache, || Ok(()))
    }
}

/// Starts the tests of each loom listing whose key changed, under `--cfg
/// loom` ([`crate::loom::models`], which builds them first), writing to
/// `log`. Begun once the normal build is done, and beside the listing
/// tests: nextest runs those without cargo ([`plan_listing_tests`]), so
/// this build holds cargo's lock while they run, where before they waited
/// for it (about 10 s).
pub fn start_loom(
    cache: &Cache,
    root: &Path,
    workspace: &Workspace,
    built: &Built,
    log: &Path,
) -> Result<Beside, String> {
    let loom: Vec<&Listing> =
        workspace.listings.iter().filter(|l| l.loom).collect();
    let work = loom
        .iter()
        .map(|l| {
            (
                l.name.clone(),
                listing_key(root, "loom", &l.dir, &built.all_of(l)),
            )
        })
        .collect();
    let plan = cache.plan("loom", work);
    if plan.stale.is_empty() {
        plan.record(cache)?;
        return Ok(Beside::Skipped(plan.note("loom listings")));
    }
    let normal = loom
        .into_iter()
        .filter(|l| plan.is_stale(&l.name))
        .map(|l| ((*l).clone(), built.of(l).to_vec()))
        .collect();
    let mut command = crate::loom::models(root, &plan.stale_names())?;
    let child = Background::start(&mut command, Some(log), "cargo-nextest")?;
    let failed = format!(
        "a loom listing failed to compile under `--cfg loom`, or a model \
         failed or explored other performances than its listing's \
         performances.txt (see above), in one of: {}",
        plan.stale_names().join(", ")
    );
    let note = plan.note("loom listings");
    Ok(Beside::Running(Box::new(LoomRun {
        run: PlannedRun {
            child,
            plan,
            note,
            failed,
        },
        root: root.to_path_buf(),
        normal,
    })))
}

/// The loom models running, and what [`crate::loom::check_flag_reached`]
/// compares their build with once they pass.
struct LoomRun {
    run: PlannedRun,
    root: PathBuf,
    /// Each listing whose models run, with its normal build's tests.
    normal: Vec<(Listing, Vec<PathBuf>)>,
}

impl Finish for LoomRun {
    /// Waits for the models, then checks that `--cfg loom` reached each
    /// listing: a model that never compiled passes vacuously.
    fn finish(self: Box<Self>, cache: &Cache) -> Result<String, String> {
        let LoomRun { run, root, normal } = *self;
        run.finish_then(cache, || {
            crate::loom::check_flag_reached(&root, &normal)
        })
    }
}

/// Starts the mutants sample (`start` runs [`crate::mutants::sample`] on
/// the listings it is given, or on all, writing to `log`), unless it
/// passed with the same inputs: the commit and the day that seed it,
/// everything under `listings/` (the ledger included), every executable
/// the test build made for a listing, `ci/`, `.cargo/`, and what every key
/// holds (the xtask, which pins cargo-mutants).
///
/// Its mutants' tests mostly wait on the clock (a recorded run sleeps for
/// real), so it runs beside the stages that keep the cores busy.
pub fn start_mutants_sample(
    cache: &Cache,
    root: &Path,
    built: &Built,
    log: &Path,
    start: impl FnOnce(Option<&[String]>, &Path) -> Result<Background, String>,
) -> Result<Beside, String> {
    let mut inputs = cache::common(root);
    inputs.add("work", b"mutants sample");
    inputs.add(
        "commit",
        cache::version("git", &["rev-parse", "HEAD"]).as_bytes(),
    );
    let day = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    inputs.add("day", day.to_string().as_bytes());
    inputs.tree(root, &root.join("listings"), &["target"]);
    inputs.tree(root, &root.join(".cargo"), &[]);
    inputs.tree(
        root,
        &root.join("ci"),
        &["browser", "target", "node_modules"],
    );
    // The listings' executables: the page tests', which every edit of a
    // page rebuilds, are no input of a mutant's tests.
    let listings = root.join("listings");
    let mut executables: Vec<&PathBuf> = built
        .executables
        .iter()
        .filter(|(dir, _)| dir.starts_with(&listings))
        .flat_map(|(_, executables)| executables)
        .collect();
    executables.sort();
    for executable in executables {
        inputs.stamp(root, executable);
    }
    let plan = cache.plan("mutants", vec![("sample".into(), inputs.key())]);
    if plan.stale.is_empty() {
        return Ok(Beside::Skipped(
            "no input changed since this sample passed, skipped".into(),
        ));
    }
    // Locally, after an edit to a few listings, the sample tries theirs:
    // their mutants are the ones the edit can have changed.
    let only = match cache.full() {
        None if !built.tested.is_empty() => Some(built.tested.as_slice()),
        _ => None,
    };
    let note = match (cache.full(), only) {
        (Some(why), _) => format!("run: {why}"),
        (None, Some(only)) => format!(
            "run on the {} listing(s) whose tests ran, in a shorter budget",
            only.len()
        ),
        (None, None) => "run: an input changed since it last passed".into(),
    };
    let child = start(only, log)?;
    let failed = "the mutants sample failed: its report is above".to_string();
    Ok(Beside::Running(Box::new(PlannedRun {
        child,
        plan,
        note,
        failed,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filterset_names_each_package_exactly_or_none() {
        assert_eq!(
            packages(["listing-01-03", "page-tests"]),
            "package(=listing-01-03) | package(=page-tests)"
        );
        assert_eq!(packages([]), "none()");
    }

    #[test]
    fn a_library_is_its_rlib_or_its_proc_macro_not_its_metadata() {
        let artifact = |kinds: &[&str], files: &[&str], test: bool| {
            serde_json::json!({
                "reason": "compiler-artifact",
                "package_id": "registry+https://x#tokio@1.54.1",
                "target": { "kind": kinds },
                "profile": { "test": test },
                "filenames": files,
            })
        };
        let rlib = "/t/deps/libtokio-1.rlib";
        let id = "registry+https://x#tokio@1.54.1".to_string();
        let found = library(&artifact(
            &["lib"],
            &[rlib, "/t/deps/libtokio-1.rmeta"],
            false,
        ));
        assert_eq!(found, Some((id.clone(), PathBuf::from(rlib))));
        let both = artifact(
            &["cdylib", "rlib"],
            &["/t/deps/libtokio-1.so", rlib],
            false,
        );
        assert_eq!(library(&both), Some((id.clone(), PathBuf::from(rlib))));
        let proc_macro =
            artifact(&["proc-macro"], &["/t/deps/libtokio_macros-2.so"], false);
        assert_eq!(
            library(&proc_macro),
            Some((id, PathBuf::from("/t/deps/libtokio_macros-2.so")))
        );
        assert_eq!(
            library(&artifact(&["lib"], &[rlib], true)),
            None,
            "its tests"
        );
        assert_eq!(library(&artifact(&["bin"], &["/t/deps/x"], false)), None);
    }

    fn listing(name: &str, kind: Kind) -> Listing {
        let dir = PathBuf::from("/w/listings/ch05").join(name);
        Listing::sample(name, &dir, "ch05", kind)
    }

    #[test]
    fn a_library_compiled_twice_fails_the_build_naming_its_features() {
        let file = |name: &str| PathBuf::from(format!("/t/deps/{name}.rlib"));
        let mut libraries = HashMap::new();
        let mut features = HashMap::new();
        libraries.insert("regex@1".to_string(), vec![file("regex-a")]);
        features.insert(file("regex-a"), "std".to_string());
        assert_eq!(compiled_once(&libraries, &features), Ok(()));

        libraries.insert(
            "libc@0.2".to_string(),
            vec![file("libc-a"), file("libc-b")],
        );
        features.insert(file("libc-a"), "default,std".to_string());
        features.insert(file("libc-b"), String::new());
        libraries.insert(
            "skeptic@0.14".to_string(),
            vec![file("skeptic-a"), file("skeptic-b")],
        );
        features.insert(file("skeptic-a"), String::new());
        features.insert(file("skeptic-b"), String::new());
        let error = compiled_once(&libraries, &features).unwrap_err();
        assert!(
            error.contains("compiled 2 libraries more than once"),
            "{error}"
        );
        assert!(
            error.contains("libc@0.2: with features [default,std] and []"),
            "{error}"
        );
        assert!(
            error.contains(
                "skeptic@0.14: 2 times with features [], over dependencies"
            ),
            "{error}"
        );
        assert!(!error.contains("regex"), "{error}");
    }

    #[test]
    fn nextest_may_list_only_the_test_programs_the_build_made() {
        let built = Built {
            executables: HashMap::from([(
                PathBuf::from("/w/listing-01-01"),
                vec![PathBuf::from("/t/deps/listing_01_01-a")],
            )]),
            programs: HashMap::new(),
            tested: Vec::new(),
            libraries: HashMap::new(),
        };
        let listed = |paths: &[&str]| {
            let binaries: serde_json::Map<String, Value> = paths
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    (i.to_string(), serde_json::json!({ "binary-path": p }))
                })
                .collect();
            serde_json::json!({ "rust-binaries": binaries })
        };
        assert_eq!(
            unkeyed_test_programs(
                &listed(&["/t/deps/listing_01_01-a"]),
                &built
            ),
            Ok(())
        );
        let error = unkeyed_test_programs(
            &listed(&["/t/deps/listing_01_01-a", "/t/deps/stray-b"]),
            &built,
        )
        .unwrap_err();
        assert!(error.contains("\n  /t/deps/stray-b\n"), "{error}");
        assert!(!error.contains("listing_01_01-a"), "{error}");
        assert!(unkeyed_test_programs(&serde_json::json!({}), &built).is_err());
    }

    #[test]
    fn features_are_read_from_cargos_message() {
        let message = serde_json::json!({ "features": ["default", "std"] });
        assert_eq!(features_of(&message), "default,std");
        assert_eq!(features_of(&serde_json::json!({})), "");
    }

    #[test]
    fn a_listing_s_executables_are_those_built_in_its_folder() {
        let program = listing("listing-05-01", Kind::Program);
        let exe = PathBuf::from("/w/target/debug/deps/listing_05_01-abc");
        let built = Built {
            executables: HashMap::from([(
                program.dir.clone(),
                vec![exe.clone()],
            )]),
            programs: HashMap::new(),
            tested: Vec::new(),
            libraries: HashMap::new(),
        };
        assert_eq!(built.of(&program), std::slice::from_ref(&exe));
        let other = listing("listing-05-02", Kind::Program);
        assert!(built.of(&other).is_empty());
    }

    #[test]
    fn an_executable_is_read_from_cargos_message() {
        let json =
            |text: &str| -> Value { serde_json::from_str(text).unwrap() };
        let message = &json(
            r#"{"reason":"compiler-artifact","manifest_path":"/w/listings/ch05/listing-05-01/Cargo.toml","executable":"/w/target/debug/deps/listing_05_01-abc","fresh":true}"#,
        );
        assert_eq!(
            executable(message),
            Some((
                PathBuf::from("/w/listings/ch05/listing-05-01"),
                PathBuf::from("/w/target/debug/deps/listing_05_01-abc")
            ))
        );
        let library = json(
            r#"{"reason":"compiler-artifact","manifest_path":"/w/x/Cargo.toml","executable":null}"#,
        );
        assert_eq!(executable(&library), None);
        let finished = json(r#"{"reason":"build-finished","success":true}"#);
        assert_eq!(executable(&finished), None);
    }

    #[test]
    fn a_program_is_a_bin_built_as_itself() {
        let message = |kind: &str, test: bool| -> Value {
            serde_json::from_str(&format!(
                r#"{{"reason":"compiler-artifact","manifest_path":"/w/l/Cargo.toml","target":{{"kind":["{kind}"]}},"profile":{{"test":{test}}},"executable":"/w/target/debug/l"}}"#
            ))
            .unwrap()
        };
        let program =
            Some((PathBuf::from("/w/l"), PathBuf::from("/w/target/debug/l")));
        assert_eq!(super::program(&message("bin", false)), program);
        assert_eq!(super::program(&message("bin", true)), None, "its tests");
        assert_eq!(super::program(&message("test", false)), None);
    }

    /// A checkout with one listing, its executable, and the crates of `ci/`.
    fn checkout(name: &str) -> PathBuf {
        let root = std::env::temp_dir()
            .join(format!("xtask-incremental-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (file, text) in [
            ("Cargo.lock", "version = 4\n"),
            ("listings/ch05/listing-05-01/Cargo.toml", "[package]\n"),
            ("listings/ch05/listing-05-01/src/main.rs", "fn main() {}\n"),
            ("listings/ch05/listing-05-01/output.txt", "baton\n"),
            ("ci/recording/src/lib.rs", "pub fn check() {}\n"),
            ("ci/browser/pages.test.mjs", "test()\n"),
            (".config/nextest.toml", "[profile.default]\n"),
            ("target/debug/deps/listing_05_01-abc", "binary"),
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        root
    }

    /// The sample stage with `program` standing for the sample (`true`
    /// passes, `false` fails), counting in `runs` the times it started.
    fn sample_with(
        cache: &Cache,
        root: &Path,
        built: &Built,
        program: &str,
        runs: &std::cell::Cell<u32>,
    ) -> Result<String, String> {
        let log = root.join("target/sample.log");
        start_mutants_sample(cache, root, built, &log, |_, log| {
            runs.set(runs.get() + 1);
            Background::start(&mut Command::new(program), Some(log), program)
        })?
        .finish(cache)
    }

    #[test]
    fn the_mutants_sample_reruns_only_when_an_input_changed() {
        let root = checkout("mutants");
        let binary = root.join("target/debug/deps/listing_05_01-abc");
        let pages = root.join("target/debug/deps/pages-abc");
        std::fs::write(&pages, "the page tests").unwrap();
        let built = Built {
            executables: HashMap::from([
                (
                    root.join("listings/ch05/listing-05-01"),
                    vec![binary.clone()],
                ),
                (root.join("ci/page-tests"), vec![pages.clone()]),
            ]),
            programs: HashMap::new(),
            tested: Vec::new(),
            libraries: HashMap::new(),
        };
        let cache = Cache::open(&root.join("target"), None);
        let runs = std::cell::Cell::new(0);
        let sample = || sample_with(&cache, &root, &built, "true", &runs);
        sample().unwrap();
        sample().unwrap();
        assert_eq!(runs.get(), 1, "the second run skips the same sample");

        let ledger = root.join("listings/mutants.toml");
        std::fs::write(&ledger, "[listing-05-01]\n").unwrap();
        sample().unwrap();
        assert_eq!(runs.get(), 2, "the ledger changed");

        let later =
            std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        let rebuild = |executable: &Path| {
            std::fs::File::options()
                .write(true)
                .open(executable)
                .unwrap()
                .set_modified(later)
                .unwrap();
        };
        rebuild(&binary);
        sample().unwrap();
        assert_eq!(runs.get(), 3, "a listing was rebuilt");
        rebuild(&pages);
        sample().unwrap();
        assert_eq!(runs.get(), 3, "only the page tests were rebuilt");

        let failing = sample_with(&cache, &root, &built, "false", &runs);
        assert!(failing.is_ok(), "nothing changed: skipped");
        assert_eq!(runs.get(), 3);
        std::fs::write(root.join("ci/recording/src/lib.rs"), "// new").unwrap();
        let failing = sample_with(&cache, &root, &built, "false", &runs);
        assert!(failing.is_err());
        sample().unwrap();
        assert_eq!(runs.get(), 5, "a failed sample is not remembered");

        let full = Cache::open(&root.join("target"), Some("--full".into()));
        sample_with(&full, &root, &built, "true", &runs).unwrap();
        assert_eq!(runs.get(), 6, "a full run runs it");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_local_sample_draws_from_the_listings_just_tested() {
        let root = checkout("sample-only");
        let mut built = Built {
            executables: HashMap::new(),
            programs: HashMap::new(),
            tested: vec!["listing-05-01".into()],
            libraries: HashMap::new(),
        };
        let asked = std::cell::RefCell::new(Vec::new());
        let log = root.join("target/sample.log");
        let sample = |cache: &Cache, built: &Built| {
            start_mutants_sample(cache, &root, built, &log, |only, log| {
                asked.borrow_mut().push(only.map(<[String]>::to_vec));
                Background::start(&mut Command::new("true"), Some(log), "true")
            })
            .and_then(|started| started.finish(cache))
            .unwrap();
        };
        let local = Cache::open(&root.join("target"), None);
        sample(&local, &built);
        std::fs::write(root.join("ci/recording/src/lib.rs"), "// 2").unwrap();
        let full = Cache::open(&root.join("target"), Some("--full".into()));
        sample(&full, &built);
        built.tested.clear();
        std::fs::write(root.join("ci/recording/src/lib.rs"), "// 3").unwrap();
        sample(&local, &built);
        assert_eq!(
            *asked.borrow(),
            [Some(vec!["listing-05-01".to_string()]), None, None],
            "local after an edit: that listing; full, or nothing tested: all"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_listing_key_changes_with_each_kind_of_input() {
        let root = checkout("keys");
        let dir = root.join("listings/ch05/listing-05-01");
        let binary = root.join("target/debug/deps/listing_05_01-abc");
        let key =
            || listing_key(&root, "tests", &dir, std::slice::from_ref(&binary));
        let first = key();
        assert_eq!(key(), first, "nothing changed");
        assert_ne!(
            listing_key(&root, "loom", &dir, std::slice::from_ref(&binary)),
            first,
            "another kind of work"
        );

        let edits: [(&str, &str); 5] = [
            (
                "listings/ch05/listing-05-01/src/main.rs",
                "the listing's source",
            ),
            (
                "listings/ch05/listing-05-01/output.txt",
                "its recorded output",
            ),
            ("ci/recording/src/lib.rs", "a crate its tests use"),
            ("Cargo.lock", "a dependency's version"),
            (".config/nextest.toml", "nextest's timeouts and retries"),
        ];
        for (file, what) in edits {
            let path = root.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, format!("{text}// edited\n")).unwrap();
            assert_ne!(key(), first, "{what} changed");
            std::fs::write(&path, text).unwrap();
            assert_eq!(key(), first, "{what} changed back");
        }

        std::fs::write(dir.join("tests.rs"), "#[test] fn new() {}").unwrap();
        assert_ne!(key(), first, "a new file in the listing");
        std::fs::remove_file(dir.join("tests.rs")).unwrap();

        let later =
            std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&binary)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_ne!(key(), first, "cargo rebuilt its executable");
        let rebuilt = key();

        std::fs::write(root.join("ci/browser/pages.test.mjs"), "other()")
            .unwrap();
        assert_eq!(key(), rebuilt, "the browser tests are no input");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
