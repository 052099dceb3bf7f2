use std::sync::{Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: all
fn perform(parts: &[(&str, Vec<&str>)], bar: Duration) -> Vec<String> {
    let start = Instant::now();
    let log = Mutex::new(Vec::new());
    let event = |who: &str, what: &str| {
        let line = format!("@{}ms {who}: {what}", start.elapsed().as_millis());
        println!("{line}");
        log.lock().unwrap().push(line);
    };
    let downbeat = Barrier::new(parts.len());

    thread::scope(|s| {
        for (section, notes) in parts {
            let (event, downbeat) = (&event, &downbeat);
            s.spawn(move || {
                event(section, "takes the stage");
                downbeat.wait(); // nobody plays until everyone is seated
                for note in notes {
                    event(section, note);
                    thread::sleep(bar);
                }
                event(section, "leaves the stage");
            });
        }
    }); // `scope` returns only after every section has left

    event("conductor", "the stage is empty");
    log.into_inner().unwrap()
}

fn main() {
    let parts = vec![
        ("violins", vec!["E5", "D5", "C5", "B4"]),
        ("cellos", vec!["C3", "G2"]),
        ("timpani", vec!["C2"]),
    ];
    perform(&parts, Duration::from_millis(20));
    println!("the parts are still ours: {} sections", parts.len());
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn perform_with_watchdog(
        parts: Vec<(&'static str, Vec<&'static str>)>,
    ) -> Vec<String> {
        let (done, report) = mpsc::channel();
        thread::spawn(move || {
            done.send(perform(&parts, Duration::ZERO)).unwrap();
        });
        report
            .recv_timeout(Duration::from_secs(5))
            .expect("the performance ends")
    }

    fn body(line: &str) -> &str {
        line.split_once(' ').unwrap().1
    }

    #[test]
    fn everyone_enters_before_anyone_plays_and_leaves_before_the_end() {
        let parts = vec![
            ("violins", vec!["E5", "D5", "C5", "B4"]),
            ("cellos", vec!["C3", "G2"]),
            ("timpani", vec!["C2"]),
        ];
        for _ in 0..50 {
            let log = perform_with_watchdog(parts.clone());
            let log: Vec<&str> = log.iter().map(|l| body(l)).collect();
            assert_eq!(log.len(), 3 + 7 + 3 + 1);

            // Enter together: the first three events are the entrances.
            let mut entrances = log[..3].to_vec();
            entrances.sort();
            assert_eq!(
                entrances,
                [
                    "cellos: takes the stage",
                    "timpani: takes the stage",
                    "violins: takes the stage",
                ]
            );
            // Exit together: the conductor's line comes last.
            assert_eq!(log[log.len() - 1], "conductor: the stage is empty");

            // Each section plays its part in order, then leaves.
            for (section, notes) in &parts {
                let lane: Vec<&str> = log
                    .iter()
                    .filter_map(|l| l.strip_prefix(&format!("{section}: ")))
                    .collect();
                let mut expected = vec!["takes the stage"];
                expected.extend(notes.iter().copied());
                expected.push("leaves the stage");
                assert_eq!(lane, expected);
            }
        }
    }
}
