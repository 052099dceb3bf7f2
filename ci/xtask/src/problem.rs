//! Every check reports through a [`Report`]: what is wrong, where, and what
//! to do about it.

use std::fmt;
use std::path::{Path, PathBuf};

/// One thing that is wrong, at a file and (where there is one) a line.
pub struct Problem {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
    pub fix: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: ", self.file.display())?,
            None => write!(f, "{}: ", self.file.display())?,
        }
        write!(f, "{}", self.message)?;
        if !self.fix.is_empty() {
            write!(f, "\n    fix: {}", self.fix)?;
        }
        Ok(())
    }
}

#[derive(Default)]
pub struct Report {
    problems: Vec<Problem>,
}

impl Report {
    /// Records a problem at `file` (relative to the workspace root where
    /// possible) and `line`.
    pub fn add(
        &mut self,
        file: &Path,
        line: Option<usize>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        let root = crate::listings::workspace_root();
        let file = file.strip_prefix(&root).unwrap_or(file).to_path_buf();
        self.problems.push(Problem {
            file,
            line,
            message: message.into(),
            fix: fix.into(),
        });
    }

    /// Prints every problem and turns them into the stage's result.
    pub fn finish(self, what: &str) -> Result<(), String> {
        if self.problems.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        for problem in &self.problems {
            text.push_str(&format!("{problem}\n"));
        }
        text.push_str(&format!(
            "{} problem(s) found by the {what}",
            self.problems.len()
        ));
        Err(text)
    }
}
