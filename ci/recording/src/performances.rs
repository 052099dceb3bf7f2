//! Every performance loom ran: the distinct performances a loom model of a
//! listing explored, recorded as `performances.txt` beside its `output.txt`.
//!
//! A model's threads [`note`] the events they play, in the listing's own
//! event words (`violins: heard 120 bpm`). A [`Collector`] counts loom's
//! iterations, the times it ran the model's closure, and keeps each distinct
//! performance once: the order of its events and its outcome. [`compare_or_record`] then compares the set with
//! the listing's `performances.txt`, or writes it when `cargo xtask
//! outputs` asks (`RECORD_PERFORMANCES=1`).
//!
//! # The file
//!
//! ```text
//! # comment lines start with `#`
//! model unstaged
//! iterations 6
//! wrong a raise is lost
//!
//! performance wrong: 130 bpm
//!     violins: heard 120 bpm
//!     cellos: heard 120 bpm
//!
//! performance right: 140 bpm
//!     violins: heard 120 bpm
//! ```
//!
//! A `model` block names one `loom::model` run, then the number of
//! iterations loom ran (the closure's calls, what loom's log counts as
//! "Completed in N iterations", the frozen one included; not distinct
//! interleavings, since two iterations may differ only in a value a load
//! read or in steps no event shows), then what goes wrong in its wrong performances
//! (a phrase that reads after "in 2 of them"). Each `performance` block is
//! one distinct performance: its verdict (`right`, `wrong`, or `froze` for a
//! run loom stopped as a deadlock, whose events end where it froze), its
//! outcome, and its events, one `performer: what` a line, indented four
//! spaces. Blank lines separate blocks; performances are sorted, so a
//! rerun that explores the same set writes the same bytes.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};

use regex::Regex;

/// The file's name, beside `output.txt`.
pub const FILE: &str = "performances.txt";

/// The variable that makes [`compare_or_record`] write instead of compare.
pub const RECORD: &str = "RECORD_PERFORMANCES";

thread_local! {
    // Loom runs every thread of a model as a coroutine on the one OS thread
    // that called `loom::model`, so this thread-local is the log of the
    // whole model, in the order loom scheduled the events. Writing to it
    // touches no loom atomic, lock or cell, so it adds no step loom could
    // interleave: the model explores exactly what it would without it.
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Notes one event of the running iteration, `performer: what`. A
/// leading `@<ms>ms ` stamp is dropped: loom explores orders, not times.
pub fn note(line: impl Into<String>) {
    let line = line.into();
    let unstamped = line
        .strip_prefix('@')
        .and_then(|rest| rest.split_once("ms "))
        .filter(|(ms, _)| ms.bytes().all(|b| b.is_ascii_digit()))
        .map(|(_, event)| event.to_string());
    LOG.with(|log| log.borrow_mut().push(unstamped.unwrap_or(line)));
}

/// How a performance ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// What the listing promises.
    Right,
    /// A wrong outcome, such as a lost raise.
    Wrong,
    /// Loom stopped the run: every thread was blocked.
    Froze,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Right => "right",
            Verdict::Wrong => "wrong",
            Verdict::Froze => "froze",
        }
    }

    fn from_word(word: &str) -> Option<Verdict> {
        [Verdict::Right, Verdict::Wrong, Verdict::Froze]
            .into_iter()
            .find(|v| v.word() == word)
    }
}

/// One distinct performance: its verdict, outcome and events in order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Performance {
    pub verdict: Verdict,
    pub outcome: String,
    pub events: Vec<String>,
}

/// Everything one `loom::model` run explored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub name: String,
    /// How many times loom ran the model's closure.
    pub iterations: u64,
    /// What goes wrong, read after "in 2 of them": `a raise is lost`.
    pub wrong: String,
    /// Each distinct performance once, sorted.
    pub performances: Vec<Performance>,
}

impl Model {
    /// How many performances are not right.
    pub fn not_right(&self) -> usize {
        self.performances
            .iter()
            .filter(|p| p.verdict != Verdict::Right)
            .count()
    }
}

/// Collects a model's performances across loom's iterations. Clone it
/// into the `loom::model` closure; it is a std `Mutex`, no loom object.
#[derive(Clone)]
pub struct Collector {
    model: Arc<Mutex<(Model, BTreeSet<Performance>)>>,
}

impl Collector {
    pub fn new(name: &str, wrong: &str) -> Collector {
        Collector {
            model: Arc::new(Mutex::new((
                Model {
                    name: name.into(),
                    iterations: 0,
                    wrong: wrong.into(),
                    performances: Vec::new(),
                },
                BTreeSet::new(),
            ))),
        }
    }

    /// Call first in the model: one more iteration, with an empty log.
    pub fn begin(&self) {
        LOG.with(|log| log.borrow_mut().clear());
        self.model.lock().unwrap().0.iterations += 1;
    }

    /// Call last in the model: keeps this iteration's performance.
    pub fn end(&self, verdict: Verdict, outcome: impl Into<String>) {
        let events = LOG.with(|log| std::mem::take(&mut *log.borrow_mut()));
        self.model.lock().unwrap().1.insert(Performance {
            verdict,
            outcome: outcome.into(),
            events,
        });
    }

    /// After `loom::model` panicked on a deadlock: keeps the frozen
    /// iteration, its events up to where it froze.
    pub fn froze(&self, outcome: impl Into<String>) {
        self.end(Verdict::Froze, outcome);
    }

    /// What the model explored.
    pub fn model(&self) -> Model {
        let (model, performances) = &*self.model.lock().unwrap();
        Model {
            performances: performances.iter().cloned().collect(),
            ..model.clone()
        }
    }
}

/// The text of a `performances.txt`.
pub fn to_text(models: &[Model]) -> String {
    let mut text = String::from(
        "# Every distinct performance loom explored in this listing's \
         models,\n# written by `cargo xtask outputs`; the format is in \
         CONTRIBUTING.md,\n# \"Every performance loom ran\".\n",
    );
    for model in models {
        let _ = write!(
            text,
            "\nmodel {}\niterations {}\nwrong {}\n",
            model.name, model.iterations, model.wrong
        );
        for performance in &model.performances {
            let _ = writeln!(
                text,
                "\nperformance {}: {}",
                performance.verdict.word(),
                performance.outcome
            );
            for event in &performance.events {
                let _ = writeln!(text, "    {event}");
            }
        }
    }
    text
}

/// A problem in a `performances.txt`, naming its line.
#[derive(Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Reads a `performances.txt`.
pub fn parse(text: &str) -> Result<Vec<Model>, ParseError> {
    static EVENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^    [A-Za-z0-9_-]+: \S").expect("valid regex")
    });
    let mut models: Vec<Model> = Vec::new();
    // The line each model's header expects next, then `performance`.
    let mut expect = "model";
    for (index, line) in text.lines().enumerate() {
        let error = |message: String| ParseError {
            line: index + 1,
            message,
        };
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let open = models.last_mut();
        match (expect, word, open) {
            ("model" | "performance", "model", _) => {
                models.push(Model {
                    name: rest.into(),
                    iterations: 0,
                    wrong: String::new(),
                    performances: Vec::new(),
                });
                expect = "iterations";
            }
            ("iterations", "iterations", Some(model)) => {
                model.iterations = rest.parse().map_err(|_| {
                    error(format!("`{rest}` is not a whole number"))
                })?;
                expect = "wrong";
            }
            ("wrong", "wrong", Some(model)) => {
                model.wrong = rest.into();
                expect = "performance";
            }
            ("performance", "performance", Some(model)) => {
                let (verdict, outcome) = rest
                    .split_once(": ")
                    .and_then(|(v, o)| Some((Verdict::from_word(v)?, o)))
                    .ok_or_else(|| {
                        error(format!(
                            "`{line}` is not `performance right|wrong|froze: \
                             <outcome>`"
                        ))
                    })?;
                model.performances.push(Performance {
                    verdict,
                    outcome: outcome.into(),
                    events: Vec::new(),
                });
            }
            ("performance", _, Some(model))
                if EVENT.is_match(line) && !model.performances.is_empty() =>
            {
                let last = model.performances.last_mut().expect("not empty");
                last.events.push(line.trim_start().into());
            }
            _ => {
                return Err(error(format!(
                    "`{line}`: expected a `{expect}` line here"
                )))
            }
        }
    }
    match models.iter().find(|m| m.performances.is_empty()) {
        _ if models.is_empty() => Err(ParseError {
            line: 0,
            message: "no `model` in the file".into(),
        }),
        Some(model) => Err(ParseError {
            line: 0,
            message: format!("model `{}` has no performance", model.name),
        }),
        None => Ok(models),
    }
}

/// Compares what the models explored with `<dir>/performances.txt`, or,
/// with `RECORD_PERFORMANCES` set, writes it. Panics, naming the file,
/// when they differ: call it at the end of the listing's loom test.
pub fn compare_or_record(dir: &str, models: &[Model]) {
    let file = Path::new(dir).join(FILE);
    let explored = to_text(models);
    if std::env::var_os(RECORD).is_some() {
        std::fs::write(&file, &explored)
            .unwrap_or_else(|e| panic!("writing {}: {e}", file.display()));
        return;
    }
    let listing = Path::new(dir)
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let recorded = std::fs::read_to_string(&file).unwrap_or_default();
    if recorded != explored {
        let first = recorded
            .lines()
            .zip(explored.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| {
                recorded.lines().count().min(explored.lines().count())
            });
        panic!(
            "{}:{}: the recorded performances differ from what loom \
             explored (recorded `{}`, explored `{}`)\nfix: if the change is \
             intended, run `cargo xtask outputs {listing}` and review the \
             diff",
            file.display(),
            first + 1,
            recorded.lines().nth(first).unwrap_or("<end of file>"),
            explored.lines().nth(first).unwrap_or("<end of file>"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        let collector = Collector::new("unstaged", "a raise is lost");
        for (verdict, outcome, events) in [
            (
                Verdict::Right,
                "140 bpm",
                ["violins: set 130", "cellos: set 140"],
            ),
            (
                Verdict::Wrong,
                "130 bpm",
                ["violins: set 130", "cellos: set 130"],
            ),
            (
                Verdict::Right,
                "140 bpm",
                ["violins: set 130", "cellos: set 140"],
            ),
        ] {
            collector.begin();
            for event in events {
                note(format!("@12ms {event}"));
            }
            collector.end(verdict, outcome);
        }
        collector.model()
    }

    #[test]
    fn a_collector_counts_iterations_and_keeps_each_performance_once() {
        let model = model();
        assert_eq!(model.iterations, 3);
        assert_eq!(model.performances.len(), 2);
        assert_eq!(model.not_right(), 1);
        let first = model.performances.first().unwrap();
        assert_eq!(first.events, ["violins: set 130", "cellos: set 140"]);
    }

    #[test]
    fn not_right_counts_the_performances_that_are_not_right() {
        let collector = Collector::new("unstaged", "a raise is lost");
        for (verdict, events) in [
            (Verdict::Right, ["violins: set 130", "cellos: set 140"]),
            (Verdict::Wrong, ["violins: set 130", "cellos: set 130"]),
            (Verdict::Wrong, ["cellos: set 140", "violins: set 140"]),
        ] {
            collector.begin();
            for event in events {
                note(format!("@12ms {event}"));
            }
            collector.end(verdict, "some bpm");
        }
        assert_eq!(collector.model().not_right(), 2);
    }

    #[test]
    fn the_text_reads_back_as_the_same_models() {
        let text = to_text(&[model()]);
        assert!(text.contains("\nperformance wrong: 130 bpm\n    violins"));
        assert_eq!(parse(&text).unwrap(), [model()]);
    }

    #[test]
    fn a_frozen_run_keeps_its_events_up_to_the_freeze() {
        let collector = Collector::new("equal-ranks", "the duet freezes");
        collector.begin();
        note("soloist: took the violin");
        collector.froze("nobody can go on");
        let text = to_text(&[collector.model()]);
        assert!(text.contains(
            "performance froze: nobody can go on\n    soloist: took the violin"
        ));
    }

    #[test]
    fn a_malformed_line_is_named() {
        let text = to_text(&[model()]).replace("    cellos: set 130", "cellos");
        let error = parse(&text).unwrap_err();
        assert_eq!(
            text.lines().nth(error.line - 1),
            Some("cellos"),
            "{error:?}"
        );
        let error = parse("model m\niterations many\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(parse("# nothing\n").is_err());
    }

    #[test]
    fn a_hand_edit_fails_the_comparison_naming_file_and_line() {
        let dir = std::env::temp_dir()
            .join(format!("recording-performances-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = to_text(&[model()]);
        std::fs::write(dir.join(FILE), &text).unwrap();
        compare_or_record(dir.to_str().unwrap(), &[model()]);
        let edited = text.replace("wrong: 130 bpm", "wrong: 120 bpm");
        std::fs::write(dir.join(FILE), edited).unwrap();
        let failure = std::panic::catch_unwind(|| {
            compare_or_record(dir.to_str().unwrap(), &[model()]);
        })
        .unwrap_err();
        let message = failure.downcast_ref::<String>().unwrap();
        let line = text.lines().position(|l| l.contains("130 bpm")).unwrap();
        assert!(
            message.contains(&format!("{FILE}:{}:", line + 1)),
            "{message}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
