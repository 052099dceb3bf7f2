use rayon::prelude::*;
use std::time::{Duration, Instant};
use tokio::runtime::Handle;
use tokio::sync::oneshot;
use tokio::time::sleep;

// ANCHOR: all
/// Hands `job` to rayon's desks and waits for its answer at a rest, so
/// the tokio thread is free for other tasks until the answer comes.
async fn from_the_desks<T, F>(job: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let (answer, reply) = oneshot::channel();
    rayon::spawn(move || {
        // If the conductor stopped waiting, nobody needs the answer.
        let _ = answer.send(job());
    });
    // If `job` panics, rayon aborts the process (the global pool has no
    // panic handler), but `answer` is dropped unsent as the panic unwinds,
    // so this `expect` may report the lost answer just before the abort.
    reply.await.expect("the desks answer")
}

/// The notes of a phrase of `bars` bars with one, two or three notes
/// each, counted by many desks.
fn count_notes(bars: u64) -> u64 {
    (0..bars).into_par_iter().map(|bar| bar % 3 + 1).sum()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let start = Instant::now();
    let ms = move || start.elapsed().as_millis();
    let metronome = tokio::spawn(async move {
        for beat in 1..=3 {
            sleep(Duration::from_millis(100)).await;
            println!("@{}ms metronome: beat {beat}", ms());
        }
    });
    println!("@{}ms conductor: hands the long phrase to the desks", ms());
    let notes = from_the_desks(move || {
        let notes = count_notes(21_000_000);
        println!("@{}ms desks: {notes} notes counted", ms());
        notes
    })
    .await;
    let flavor = Handle::current().runtime_flavor();
    println!(
        "@{}ms conductor: hears {notes} notes, on a {flavor:?} runtime",
        ms()
    );
    metronome.await.expect("the metronome kept time");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use desk_watch::{the_global_pool, while_the_desks_wait};
    use std::future::Future;
    use std::sync::mpsc;
    use tokio::time::timeout;

    #[test]
    fn many_desks_count_what_one_desk_counts() {
        let _turn = the_global_pool();
        for bars in [0, 1, 2, 3, 10, 1_000, 100_001] {
            let one: u64 = (0..bars).map(|bar| bar % 3 + 1).sum();
            assert_eq!(count_notes(bars), one, "{bars}");
        }
    }

    #[test]
    fn the_desks_count_while_the_caller_waits() {
        let _turn = the_global_pool();
        // Only a desk can play work handed to the pool, and every desk is
        // waiting for some: a count done in sequence never hands it any.
        let (notes, played) = while_the_desks_wait(|| count_notes(1_000));
        assert_eq!(notes, 1_999);
        assert!(played, "the caller counted alone: no desk played a bar");
    }

    /// A job for the desks: it finishes when it hears the cue, or gives
    /// up after `patience`, and says whether the cue came.
    type Job = Box<dyn FnOnce() -> bool + Send>;

    /// Runs `conduct` on a runtime with a single thread. The cue comes
    /// from another task, which only that thread can run.
    fn cue_reaches_the_desks<Fut>(
        conduct: impl FnOnce(Job) -> Fut,
        patience: Duration,
    ) -> bool
    where
        Fut: Future<Output = bool>,
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (cue, wait) = mpsc::channel();
            tokio::spawn(async move {
                let _ = cue.send(());
            });
            let job: Job =
                Box::new(move || wait.recv_timeout(patience).is_ok());
            timeout(Duration::from_secs(20), conduct(job))
                .await
                .expect("the conductor hears back")
        })
    }

    /// Broken twin: the conductor calls into rayon and waits for the
    /// answer, as a parallel iterator called inside an `async fn` does.
    /// `join`, called from outside the pool, blocks the calling thread, so
    /// nothing else runs on the tokio thread until the desks are done.
    async fn waiting_on_the_desks<T: Send>(
        job: impl FnOnce() -> T + Send,
    ) -> T {
        rayon::join(job, || ()).0
    }

    #[test]
    fn the_tokio_thread_is_free_while_the_desks_work() {
        let _turn = the_global_pool();
        let heard =
            cue_reaches_the_desks(from_the_desks, Duration::from_secs(10));
        assert!(heard, "the other task never gave the cue");
    }

    #[test]
    fn the_job_runs_on_one_of_rayons_desks() {
        let _turn = the_global_pool();
        let conductor = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let on_a_desk = || rayon::current_thread_index().is_some();
        assert!(conductor.block_on(from_the_desks(on_a_desk)));
    }

    #[test]
    fn blocking_on_the_desks_starves_every_other_task() {
        let _turn = the_global_pool();
        let heard = cue_reaches_the_desks(
            waiting_on_the_desks,
            Duration::from_millis(300),
        );
        assert!(!heard, "the cue came although the thread was busy");
    }
}
