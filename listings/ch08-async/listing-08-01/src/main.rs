use std::thread::{self, ThreadId};

use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task;

// ANCHOR: all
/// One note as the audience heard it: who played it, and on which thread.
type Note = (&'static str, u32, ThreadId);

async fn melody(name: &'static str, notes: u32, ear: UnboundedSender<Note>) {
    for note in 1..=notes {
        let player = thread::current().id();
        println!("{name}: note {note} on {player:?}");
        ear.send((name, note, player)).unwrap();
        // A rest: give the thread back; the runtime picks who plays next.
        task::yield_now().await;
    }
}

async fn three_melodies() -> Vec<Note> {
    let (ear, mut heard) = mpsc::unbounded_channel();
    let melodies = [
        task::spawn(melody("violins", 3, ear.clone())),
        task::spawn(melody("flutes", 3, ear.clone())),
        task::spawn(melody("horns", 3, ear)),
    ];
    for handle in melodies {
        handle.await.unwrap();
    }
    let mut notes = Vec::new();
    while let Some(note) = heard.recv().await {
        notes.push(note);
    }
    notes
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let conductor = thread::current().id();
    let notes = three_melodies().await;
    let on_one_thread = notes.iter().all(|&(_, _, t)| t == conductor);
    println!(
        "{} notes, all on {conductor:?}: {on_one_thread}",
        notes.len()
    );
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::{poll_fn, Future};
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};
    use std::time::Duration;
    use tokio::runtime::Handle;

    #[tokio::test]
    async fn three_melodies_are_three_tasks_on_stage_at_once() {
        let alive = || Handle::current().metrics().num_alive_tasks();
        assert_eq!(alive(), 0);
        let mut concert = pin!(three_melodies());
        // One poll spawns all three melodies before it awaits any of them.
        // None has run yet: the test's runtime has one thread, busy here.
        let first = poll_fn(|cx| Poll::Ready(concert.as_mut().poll(cx))).await;
        assert!(first.is_pending());
        assert_eq!(alive(), 3, "three tasks alive at once");
        let notes = tokio::time::timeout(Duration::from_secs(5), concert)
            .await
            .expect("the melodies finished");
        assert_eq!(notes.len(), 9);
    }

    #[test]
    fn a_melody_gives_the_thread_back_after_every_note() {
        // Poll one melody by hand, as the runtime would: each poll plays
        // exactly one note and answers `Pending`, the rest after it.
        let (ear, mut heard) = mpsc::unbounded_channel();
        let mut violins = pin!(melody("violins", 3, ear));
        let mut cx = Context::from_waker(Waker::noop());
        let mut polls = Vec::new();
        loop {
            let done = violins.as_mut().poll(&mut cx).is_ready();
            let mut notes = Vec::new();
            while let Ok((_, note, _)) = heard.try_recv() {
                notes.push(note);
            }
            polls.push((notes, done));
            if done || polls.len() == 10 {
                break;
            }
        }
        let one_by_one = [
            (vec![1], false),
            (vec![2], false),
            (vec![3], false),
            (vec![], true),
        ];
        assert_eq!(polls, one_by_one);
    }

    #[tokio::test]
    async fn three_tasks_share_one_thread() {
        let here = thread::current().id();
        let notes =
            tokio::time::timeout(Duration::from_secs(5), three_melodies())
                .await
                .expect("the melodies finished");

        // Every note was played on the test's own thread...
        assert_eq!(notes.len(), 9);
        assert!(notes.iter().all(|&(_, _, t)| t == here), "{notes:?}");

        // ...and each melody kept its own order. How the three interleave
        // is the runtime's choice, so it is not asserted.
        for name in ["violins", "flutes", "horns"] {
            let mine: Vec<u32> =
                notes.iter().filter(|n| n.0 == name).map(|n| n.1).collect();
            assert_eq!(mine, [1, 2, 3], "{notes:?}");
        }
    }
}
