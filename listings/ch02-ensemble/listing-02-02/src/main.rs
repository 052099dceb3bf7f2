use std::thread;
use std::time::{Duration, Instant};

/// One section's part: who plays it, and its notes in order.
struct Part {
    section: &'static str,
    notes: [&'static str; 4],
}

const PIECE: [Part; 2] = [
    Part {
        section: "violins",
        notes: ["E5", "D5", "C5", "D5"],
    },
    Part {
        section: "cellos",
        notes: ["C3", "G2", "A2", "F2"],
    },
];

/// `performer` plays `part`, one note per beat, printing each note as an
/// event timed from `start`. Returns the notes in the order played.
fn play(
    performer: &str,
    part: &Part,
    beat: Duration,
    start: Instant,
) -> Vec<&'static str> {
    let mut played = Vec::new();
    for note in part.notes {
        let at = start.elapsed().as_millis();
        println!("@{at}ms {performer}: {note}");
        played.push(note);
        thread::sleep(beat); // the note sounds for one beat
    }
    played
}

// ANCHOR: all
/// Every section plays its own part on its own thread, all at once:
/// `section` is what one section does with its part. Returns what each
/// section played, in the order of the piece.
fn ensemble<F>(section: F) -> Vec<Vec<&'static str>>
where
    F: Fn(&Part) -> Vec<&'static str> + Sync,
{
    let section = &section;
    thread::scope(|s| {
        let sections: Vec<thread::ScopedJoinHandle<Vec<&str>>> = PIECE
            .iter()
            .map(|part| s.spawn(move || section(part)))
            .collect();
        sections.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn main() {
    let beat = Duration::from_millis(20);
    let start = Instant::now();
    let played = ensemble(|part| play(part.section, part, beat, start));
    let took = start.elapsed().as_millis();
    let notes: usize = played.iter().map(Vec::len).sum();
    println!("the ensemble played {notes} notes in {took}ms");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{mpsc, Condvar, Mutex};

    /// How long a section waits for the others to be playing too.
    const PATIENCE: Duration = Duration::from_secs(2);

    /// A rendezvous: every section says it has started, then waits, up to
    /// `PATIENCE`, until all of them have. Only sections that are playing
    /// at the same time can all get through without waiting it out.
    #[derive(Default)]
    struct Rendezvous {
        started: Mutex<usize>,
        all_started: Condvar,
        met_everyone: AtomicUsize,
    }

    impl Rendezvous {
        fn arrive(&self) {
            let mut started = self.started.lock().unwrap();
            *started += 1;
            self.all_started.notify_all();
            let (_started, wait) = self
                .all_started
                .wait_timeout_while(started, PATIENCE, |n| *n < PIECE.len())
                .unwrap();
            if !wait.timed_out() {
                self.met_everyone.fetch_add(1, Ordering::SeqCst);
            }
        }
    }

    /// Runs a performance whose sections each meet at a rendezvous before
    /// playing, under a watchdog. Returns what was played, and whether
    /// every section found all the others playing at the same time.
    fn perform_with_rendezvous(
        performance: fn(&Rendezvous) -> Vec<Vec<&'static str>>,
    ) -> (Vec<Vec<&'static str>>, bool) {
        let (report, watch) = mpsc::channel();
        thread::spawn(move || {
            let rendezvous = Rendezvous::default();
            let played = performance(&rendezvous);
            let met = rendezvous.met_everyone.load(Ordering::SeqCst);
            report.send((played, met == PIECE.len())).unwrap();
        });
        watch
            .recv_timeout(PATIENCE * 5)
            .expect("the performance never finished")
    }

    /// The listing's `ensemble`, each section meeting the others first.
    fn the_ensemble(rendezvous: &Rendezvous) -> Vec<Vec<&'static str>> {
        ensemble(|part| {
            rendezvous.arrive();
            play(part.section, part, Duration::ZERO, Instant::now())
        })
    }

    /// A broken twin: the soloist's way, one part after the other.
    fn in_sequence(rendezvous: &Rendezvous) -> Vec<Vec<&'static str>> {
        PIECE
            .iter()
            .map(|part| {
                rendezvous.arrive();
                play(part.section, part, Duration::ZERO, Instant::now())
            })
            .collect()
    }

    #[test]
    fn the_sections_play_at_the_same_time() {
        let (played, together) = perform_with_rendezvous(the_ensemble);
        assert!(together, "a section played alone");
        assert_eq!(played.len(), PIECE.len());
        for (part, notes) in PIECE.iter().zip(&played) {
            assert_eq!(notes[..], part.notes, "{}", part.section);
        }
    }

    #[test]
    fn parts_played_in_sequence_fail_the_same_check() {
        let (_, together) = perform_with_rendezvous(in_sequence);
        assert!(!together, "the check cannot tell a solo from an ensemble");
    }

    /// Says so as its thread exits: a thread's locals are dropped after
    /// its closure has returned.
    struct Exit(mpsc::Sender<()>);

    impl Drop for Exit {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }

    thread_local! {
        static ON_EXIT: Cell<Option<Exit>> = const { Cell::new(None) };
    }

    #[test]
    fn what_each_section_played_comes_back_in_the_order_of_the_piece() {
        let (report, watch) = mpsc::channel();
        thread::spawn(move || {
            let (exit, exits) = mpsc::channel();
            let exits = Mutex::new(exits);
            let gone_first = AtomicUsize::new(0);
            // The first part's section finishes last: before it plays, it
            // waits until every other section has returned and its thread
            // is exiting (its thread-local destructor signals).
            let played = ensemble(|part| {
                if part.section == PIECE[0].section {
                    let exits = exits.lock().unwrap();
                    let gone = (1..PIECE.len())
                        .take_while(|_| {
                            exits.recv_timeout(PATIENCE * 4).is_ok()
                        })
                        .count();
                    gone_first.store(gone, Ordering::SeqCst);
                } else {
                    ON_EXIT.set(Some(Exit(exit.clone())));
                }
                play(part.section, part, Duration::ZERO, Instant::now())
            });
            report.send((played, gone_first.into_inner())).unwrap();
        });
        let (played, gone_first) = watch
            .recv_timeout(PATIENCE * 5)
            .expect("the performance never finished");
        assert_eq!(gone_first, PIECE.len() - 1, "the others had not finished");
        assert_eq!(played.len(), PIECE.len());
        for (part, notes) in PIECE.iter().zip(&played) {
            assert_eq!(notes[..], part.notes, "{}", part.section);
        }
    }
}
