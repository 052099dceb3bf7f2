// ANCHOR: all
use std::sync::{Barrier, BarrierWaitResult, Mutex};
use std::thread;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq)]
enum Beat {
    Plays,
    Waits,
    TurnsThePage,
}

struct Note {
    bar: u32,
    beat: Beat,
}

/// What was played, kept in the order it happened.
struct Log {
    start: Instant,
    notes: Mutex<Vec<Note>>,
}

impl Log {
    fn note(&self, who: &str, bar: u32, beat: Beat) {
        let mut notes = self.notes.lock().unwrap();
        let ms = self.start.elapsed().as_millis();
        let what = match beat {
            Beat::Plays => format!("plays bar {bar}"),
            Beat::Waits => "waits at the bar line".to_string(),
            Beat::TurnsThePage => {
                format!("all here after bar {bar}: turns the page")
            }
        };
        println!("@{ms}ms {who}: {what}");
        notes.push(Note { bar, beat });
    }
}

fn play_bar(log: &Log, section: &str, bar: u32, length: Duration) {
    log.note(section, bar, Beat::Plays);
    thread::sleep(length);
    log.note(section, bar, Beat::Waits);
}

fn rehearse(parts: &[(&str, Duration)], bars: u32) -> Vec<Note> {
    let bar_line = Barrier::new(parts.len());
    let log = Log {
        start: Instant::now(),
        notes: Mutex::new(Vec::new()),
    };
    thread::scope(|s| {
        for &(section, length) in parts {
            let (bar_line, log) = (&bar_line, &log);
            s.spawn(move || {
                for bar in 1..=bars {
                    play_bar(log, section, bar, length);
                    let arrival: BarrierWaitResult = bar_line.wait();
                    if arrival.is_leader() {
                        log.note("leader", bar, Beat::TurnsThePage);
                    }
                }
            });
        }
    });
    log.notes.into_inner().unwrap()
}

fn main() {
    let ms = Duration::from_millis;
    let parts = [("violins", ms(20)), ("violas", ms(50)), ("cellos", ms(100))];
    let log = rehearse(&parts, 3);
    let turns = log.iter().filter(|n| n.beat == Beat::TurnsThePage);
    let bars: Vec<u32> = turns.map(|n| n.bar).collect();
    println!("pages turned after bars {bars:?}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// No section plays bar k + 1 before every section has finished bar k.
    fn no_bar_starts_early(log: &[Note], bars: u32) -> Result<(), String> {
        for bar in 1..bars {
            let last_wait = log
                .iter()
                .rposition(|n| n.bar == bar && n.beat == Beat::Waits);
            let first_play = log
                .iter()
                .position(|n| n.bar == bar + 1 && n.beat == Beat::Plays);
            if first_play < last_wait {
                return Err(format!(
                    "bar {} began before bar {bar} ended",
                    bar + 1
                ));
            }
        }
        Ok(())
    }

    fn leaders_per_bar(log: &[Note], bars: u32) -> Vec<usize> {
        let turns = |bar| {
            log.iter()
                .filter(move |n| n.bar == bar && n.beat == Beat::TurnsThePage)
        };
        (1..=bars).map(|bar| turns(bar).count()).collect()
    }

    /// Runs `rehearse` for 8 sections and 25 bars on a thread of its own,
    /// so a barrier that never opens fails the test instead of hanging it.
    fn rehearse_under_a_watchdog() -> Vec<Note> {
        let (done, report) = mpsc::channel();
        thread::spawn(move || {
            let parts: Vec<_> =
                (0..8).map(|_| ("section", Duration::ZERO)).collect();
            done.send(rehearse(&parts, 25)).unwrap();
        });
        report
            .recv_timeout(Duration::from_secs(10))
            .expect("the bar line never opened")
    }

    #[test]
    fn every_round_ends_for_all_before_the_next_begins() {
        let log = rehearse_under_a_watchdog();
        assert_eq!(log.len(), 8 * 25 * 2 + 25);
        assert_eq!(no_bar_starts_early(&log, 25), Ok(()));
    }

    #[test]
    fn each_round_has_exactly_one_leader() {
        let log = rehearse_under_a_watchdog();
        assert_eq!(leaders_per_bar(&log, 25), [1; 25]);
        // The page is turned after the bar, once every section waits.
        for bar in 1..=25 {
            let at =
                |beat| log.iter().rposition(|n| n.bar == bar && n.beat == beat);
            let turn = at(Beat::TurnsThePage);
            assert!(
                turn > at(Beat::Waits),
                "page turned before bar {bar} ended"
            );
        }
    }

    /// The broken twin: the same bars, one section after another, with no
    /// bar line between them. The check must reject it.
    #[test]
    fn the_check_rejects_sections_that_do_not_wait() {
        let log = Log {
            start: Instant::now(),
            notes: Mutex::new(Vec::new()),
        };
        for section in ["violins", "cellos"] {
            for bar in 1..=2 {
                play_bar(&log, section, bar, Duration::ZERO);
            }
        }
        let log = log.notes.into_inner().unwrap();
        assert_eq!(
            no_bar_starts_early(&log, 2),
            Err("bar 2 began before bar 1 ended".to_string())
        );
    }
}
