//! A command that runs beside the stages after it: it writes to a log,
//! which the caller reads when it waits for it. Dropped unfinished (a later
//! stage failed first, so its work would be thrown away), it stops the
//! command and every process the command started.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};

pub struct Background {
    child: Child,
    /// Where its standard output and error go, if not to the terminal.
    log: Option<PathBuf>,
}

impl Background {
    /// Starts `command` with its output in `log` (the terminal when
    /// `None`); `program` names it in an error.
    pub fn start(
        command: &mut Command,
        log: Option<&Path>,
        program: &str,
    ) -> Result<Background, String> {
        if let Some(log) = log {
            let file = std::fs::File::create(log)
                .map_err(|e| format!("{}: {e}", log.display()))?;
            let copy = file
                .try_clone()
                .map_err(|e| format!("{}: {e}", log.display()))?;
            command.stdout(file).stderr(copy);
        }
        let child = command
            .spawn()
            .map_err(|e| format!("could not run {program}: {e}"))?;
        Ok(Background {
            child,
            log: log.map(Path::to_path_buf),
        })
    }

    /// Waits for the command: its exit status and its log ("" without one).
    pub fn wait(mut self) -> Result<(ExitStatus, String), String> {
        let status = self
            .child
            .wait()
            .map_err(|e| format!("waiting for a background stage: {e}"))?;
        let log = self
            .log
            .as_ref()
            .map(|log| std::fs::read_to_string(log).unwrap_or_default())
            .unwrap_or_default();
        Ok((status, log))
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let mut pids = descendants(self.child.id());
            pids.push(self.child.id());
            let _ = Command::new("kill")
                .args(pids.iter().map(u32::to_string))
                .status();
            let _ = self.child.wait();
        }
    }
}

/// Every process below `pid`, from `/proc/<n>/stat`'s parent field.
pub fn descendants(pid: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let child = entry.file_name().to_str()?.parse().ok()?;
            let stat =
                std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (name) state ppid …`: the name may hold spaces.
            let after = &stat[stat.rfind(')')? + 1..];
            let parent = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((child, parent))
        })
        .collect();
    let mut found = Vec::new();
    let mut next = vec![pid];
    while let Some(parent) = next.pop() {
        for &(child, of) in &parents {
            if of == parent {
                found.push(child);
                next.push(child);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_tree_is_found_to_its_leaves() {
        // sh starts sh, which starts sleep: a grandchild, like the Chromium
        // a node test file starts.
        let mut child = Command::new("sh")
            .args(["-c", "sh -c 'sleep 30; true' & wait"])
            .spawn()
            .unwrap();
        let deadline =
            std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut found = descendants(child.id());
        while found.len() < 2 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
            found = descendants(child.id());
        }
        let _ = Command::new("kill")
            .args(found.iter().map(u32::to_string))
            .status();
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(
            found.len(),
            2,
            "sh and sleep below the first sh: {found:?}"
        );
    }
}
