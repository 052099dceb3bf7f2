// ANCHOR: all
use std::sync::{mpsc, Arc, Weak};
use std::thread;

struct Score {
    title: &'static str,
}

impl Drop for Score {
    fn drop(&mut self) {
        println!("score: {} is put away", self.title);
    }
}

fn main() {
    let score: Arc<Score> = Arc::new(Score { title: "Serenade" });
    let watcher: Weak<Score> = Arc::downgrade(&score);
    println!("main: holders {}", Arc::strong_count(&score));

    let violins = Arc::clone(&score);
    println!("main: holders {}", Arc::strong_count(&score));

    let (play_on, cue) = mpsc::channel::<()>();
    let cellos_part = Arc::clone(&score);
    let cellos = thread::spawn(move || {
        cue.recv().unwrap();
        let holders = Arc::strong_count(&cellos_part);
        let title = cellos_part.title;
        println!("cellos: still reading {title}, holders {holders}");
        // cellos_part is dropped here, at the end of the closure
    });
    println!("main: holders {}", Arc::strong_count(&score));

    drop(violins);
    drop(score);
    let holders = watcher.strong_count();
    println!("main: dropped both of its Arcs, holders {holders}");

    play_on.send(()).unwrap();
    cellos.join().unwrap();
    println!("main: holders {}", watcher.strong_count());
    let reachable = watcher.upgrade().is_some();
    println!("main: can the score be reached? {reachable}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::TryRecvError;
    use std::thread::ThreadId;

    #[test]
    fn the_count_follows_the_handles() {
        let score = Arc::new(Score { title: "Étude" });
        assert_eq!(Arc::strong_count(&score), 1);
        let performers: Vec<Arc<Score>> =
            (0..5).map(|_| Arc::clone(&score)).collect();
        assert_eq!(Arc::strong_count(&score), 6);
        drop(performers);
        assert_eq!(Arc::strong_count(&score), 1);
    }

    /// A score that also reports which thread put it away.
    struct Watched {
        _score: Score,
        put_away: mpsc::Sender<ThreadId>,
    }

    impl Drop for Watched {
        fn drop(&mut self) {
            self.put_away.send(thread::current().id()).unwrap();
        }
    }

    #[test]
    fn the_score_lives_exactly_as_long_as_the_last_arc() {
        let (put_away, heard) = mpsc::channel();
        let _score = Score { title: "Étude" };
        let score = Arc::new(Watched { _score, put_away });
        let watcher = Arc::downgrade(&score);
        let (play_on, cue) = mpsc::channel::<()>();
        let last_holder = {
            let score = Arc::clone(&score);
            thread::spawn(move || {
                cue.recv().unwrap();
                drop(score);
            })
        };
        let last_thread = last_holder.thread().id();
        drop(score);
        // The first owner is gone; the score is not.
        assert_eq!(watcher.strong_count(), 1);
        assert!(watcher.upgrade().is_some());
        assert_eq!(heard.try_recv(), Err(TryRecvError::Empty));
        play_on.send(()).unwrap();
        last_holder.join().unwrap();
        // Put away by the last holder, on its thread, before it ended.
        assert_eq!(heard.try_recv(), Ok(last_thread));
        assert_eq!(watcher.strong_count(), 0);
        assert!(watcher.upgrade().is_none());
    }
}
