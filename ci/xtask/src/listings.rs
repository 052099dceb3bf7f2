//! The listing crates: found through `cargo metadata`, described by their
//! folder name and their `[package.metadata.book]` table.
//!
//! ```toml
//! [package.metadata.book]
//! kind = "compile-fail"   # a checked negative example (default: "program")
//!                         # or "exercise-starter"/"exercise-solution"
//! output = "any-order"    # how output.txt is compared (see ci/recording)
//! playground = false      # needs a crate the Rust Playground lacks
//! loom = true             # also run its tests under `--cfg loom`
//! ```

use std::path::{Path, PathBuf};

use crate::outputs::Rule;

/// The repository root, found at run time (see [`crate::root`]), never
/// the folder the xtask was compiled in.
pub fn workspace_root() -> PathBuf {
    crate::root::workspace_root()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// A program that compiles, runs, and is tested.
    Program,
    /// A program that must fail to compile with the recorded error.
    CompileFail,
    /// An exercise as the reader gets it: its tests fail (exercises.rs).
    ExerciseStarter,
    /// An exercise solved: the starter's tests, passing.
    ExerciseSolution,
}

#[derive(Clone, Debug)]
pub struct Listing {
    /// Package name, equal to the folder name: `listing-03-02`.
    pub name: String,
    /// Absolute folder of the crate.
    pub dir: PathBuf,
    /// The chapter folder it sits in: `ch03-threads`.
    pub chapter_dir: String,
    pub kind: Kind,
    pub output_rule: Rule,
    pub playground: bool,
    pub loom: bool,
    /// Names of its normal (non-dev) dependencies.
    pub dependencies: Vec<String>,
}

#[cfg(test)]
impl Listing {
    /// A listing for the tests: `kind`, in `dir`, with a program's
    /// defaults (exact output, runs on the Playground, no loom, no
    /// dependencies).
    pub fn sample(
        name: &str,
        dir: &Path,
        chapter_dir: &str,
        kind: Kind,
    ) -> Self {
        Listing {
            name: name.into(),
            dir: dir.to_path_buf(),
            chapter_dir: chapter_dir.into(),
            kind,
            output_rule: Rule::Exact,
            playground: true,
            loom: false,
            dependencies: Vec::new(),
        }
    }
}

impl Listing {
    /// The program a reader sees: `src/main.rs`.
    pub fn source(&self) -> PathBuf {
        self.dir.join("src/main.rs")
    }

    /// The recorded run shown on the page, if the page shows one.
    pub fn output_file(&self) -> PathBuf {
        self.dir.join("output.txt")
    }

    /// The test that compares a program's run with its `output.txt`.
    pub fn recorded_output_test(&self) -> PathBuf {
        self.dir.join("tests/recorded_output.rs")
    }

    /// The recorded compiler error of a negative example.
    pub fn stderr_file(&self) -> PathBuf {
        self.dir.join("src/main.stderr")
    }

    /// `(chapter, number)` for a numbered listing (`listing-03-02`).
    pub fn number(&self) -> Option<(u32, u32)> {
        let rest = self.name.strip_prefix("listing-")?;
        let (chapter, number) = rest.split_once('-')?;
        Some((chapter.parse().ok()?, number.parse().ok()?))
    }
}

pub struct Workspace {
    pub listings: Vec<Listing>,
    /// Folders under `listings/*/*` that are not workspace members.
    pub strays: Vec<PathBuf>,
    /// Where cargo puts what it builds (`target/`, or `CARGO_TARGET_DIR`).
    pub target_dir: PathBuf,
}

impl Workspace {
    pub fn load(root: &Path) -> Result<Self, String> {
        let metadata = crate::metadata::workspace(root)?;
        let listings_root = root.join("listings");
        let mut listings = Vec::new();
        for package in &metadata.packages {
            let manifest = package.manifest_path.as_path();
            let dir = manifest.parent().expect("a manifest has a folder");
            let Ok(relative) = dir.strip_prefix(&listings_root) else {
                continue;
            };
            let chapter_dir = relative
                .components()
                .next()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .unwrap_or_default();
            let book = &package.metadata["book"];
            let kind = match book["kind"].as_str() {
                None | Some("program") => Kind::Program,
                Some("compile-fail") => Kind::CompileFail,
                Some("exercise-starter") => Kind::ExerciseStarter,
                Some("exercise-solution") => Kind::ExerciseSolution,
                Some(other) => {
                    return Err(format!(
                        "{}: unknown [package.metadata.book] kind `{other}` \
                         (use \"program\", \"compile-fail\", \
                         \"exercise-starter\" or \"exercise-solution\")",
                        manifest.display()
                    ))
                }
            };
            let output_rule = Rule::from_setting(book["output"].as_str())
                .map_err(|problem| {
                    format!("{}: {problem}", manifest.display())
                })?;
            let dependencies = package.dependencies.clone();
            listings.push(Listing {
                name: package.name.clone(),
                dir: dir.to_path_buf(),
                chapter_dir,
                kind,
                output_rule,
                playground: book["playground"].as_bool().unwrap_or(true),
                loom: book["loom"].as_bool().unwrap_or(false),
                dependencies,
            });
        }
        listings.sort_by(|a, b| a.dir.cmp(&b.dir));

        let mut strays = Vec::new();
        for chapter in read_dirs(&listings_root) {
            for dir in read_dirs(&chapter) {
                if !listings.iter().any(|l| l.dir == dir) {
                    strays.push(dir);
                }
            }
        }
        Ok(Workspace {
            listings,
            strays,
            target_dir: metadata.target_directory,
        })
    }
}

/// The sub-folders of `dir`, sorted; nothing if it does not exist.
pub fn read_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}
