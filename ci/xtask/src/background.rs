//! A command that runs beside the stages after it: it writes to a log,
//! which the caller reads when it waits for it. Dropped unfinished (a later
//! stage failed first, so its work would be thrown away), it stops the
//! command and every process the command started.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::cache::Cache;

pub struct Background {
    pid: u32,
    /// From the thread that waits for it: how it ended, and when.
    ended: Receiver<std::io::Result<(ExitStatus, Instant)>>,
    /// Whether [`Background::wait`] saw it end.
    reaped: bool,
    started: Instant,
    /// Where its standard output and error go, if not to the terminal.
    log: Option<PathBuf>,
}

/// How a background command ended.
pub struct Ended {
    pub status: ExitStatus,
    /// What it wrote ("" without a log).
    pub log: String,
    /// From its start to its end, not to the wait.
    pub ran: Duration,
}

impl Ended {
    /// The stage summary's note on `note`: how long the command ran, which
    /// the summary's time (until the stage was waited for) does not say.
    pub fn note(&self, note: &str) -> String {
        format!(
            "{note}; finished {:.1}s after it began",
            self.ran.as_secs_f64()
        )
    }
}

/// A stage that runs beside the ones after it: skipped (its note says
/// why), or running until [`Beside::finish`] waits for it.
pub enum Beside {
    Skipped(String),
    Running(Box<dyn Finish>),
}

/// What a running [`Beside`] stage does when it is waited for: reads its
/// command's end, records what passed in `cache`, and returns its note.
pub trait Finish {
    fn finish(self: Box<Self>, cache: &Cache) -> Result<String, String>;
}

impl Beside {
    pub fn finish(self, cache: &Cache) -> Result<String, String> {
        match self {
            Beside::Skipped(note) => Ok(note),
            Beside::Running(run) => run.finish(cache),
        }
    }
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
        let started = Instant::now();
        let mut child = command
            .spawn()
            .map_err(|e| format!("could not run {program}: {e}"))?;
        let pid = child.id();
        let (report, ended) = mpsc::channel();
        std::thread::spawn(move || {
            let ended = child.wait().map(|status| (status, Instant::now()));
            let _ = report.send(ended);
        });
        Ok(Background {
            pid,
            ended,
            reaped: false,
            started,
            log: log.map(Path::to_path_buf),
        })
    }

    /// Waits for the command to end.
    pub fn wait(mut self) -> Result<Ended, String> {
        let ended = self.ended.recv().map_err(|e| e.to_string());
        self.reaped = true;
        let (status, at) = ended
            .and_then(|ended| ended.map_err(|e| e.to_string()))
            .map_err(|e| format!("waiting for a background stage: {e}"))?;
        let log = self
            .log
            .as_ref()
            .map(|log| std::fs::read_to_string(log).unwrap_or_default())
            .unwrap_or_default();
        Ok(Ended {
            status,
            log,
            ran: at.duration_since(self.started),
        })
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if !self.reaped && self.ended.try_recv().is_err() {
            let mut pids = descendants(self.pid);
            pids.push(self.pid);
            let _ = Command::new("kill")
                .args(pids.iter().map(u32::to_string))
                .status();
            let _ = self.ended.recv();
        }
    }
}

/// Every process below `pid`, from `/proc/<n>/stat`'s parent field.
fn descendants(pid: u32) -> Vec<u32> {
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

    /// When `/proc/<pid>` is gone (the waiting thread reaped it), at most
    /// ten seconds on.
    fn gone(pid: u32) -> Instant {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Path::new(&format!("/proc/{pid}")).exists() {
            assert!(Instant::now() < deadline, "{pid} still runs");
            std::thread::sleep(Duration::from_millis(10));
        }
        Instant::now()
    }

    #[test]
    fn a_command_ran_until_it_ended_not_until_the_wait() {
        let begun = Instant::now();
        let command = Background::start(
            Command::new("sh").args(["-c", "exit 3"]),
            None,
            "sh",
        )
        .unwrap();
        let ran_at_most = gone(command.pid).duration_since(begun);
        std::thread::sleep(Duration::from_millis(200));
        let ended = command.wait().unwrap();
        assert_eq!(ended.status.code(), Some(3));
        assert!(
            ended.ran <= ran_at_most,
            "ran {:?}, but it had ended after {ran_at_most:?}",
            ended.ran
        );
    }

    #[test]
    fn a_command_dropped_unfinished_is_stopped() {
        let command =
            Background::start(Command::new("sleep").arg("30"), None, "sleep")
                .unwrap();
        let pid = command.pid;
        let dropped = Instant::now();
        drop(command);
        gone(pid);
        assert!(
            dropped.elapsed() < Duration::from_secs(10),
            "the drop waited for the command instead of stopping it"
        );
    }

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
