//! For the rayon listings' tests (chapter 14.2): whether the desks of
//! rayon's global pool, and not the caller alone, did a listing's work.
//!
//! [`while_the_desks_wait`] runs the work on the calling thread, outside
//! every pool, as a listing's `main` does, while each desk of the global
//! pool sits in a loop that runs only work handed to the pool
//! (`rayon::yield_now`, which "looks for a single unit of pending work in
//! the pool, then executes it"). Work done in sequence hands the pool
//! nothing, so no desk reports running any of it.
//!
//! The check relies on no other work reaching the pool meanwhile. Under
//! `cargo test` a binary's tests run at the same time in one process, and
//! so share one global pool: every test of a binary that uses the global
//! pool takes it first with [`the_global_pool`].

use rayon::Yield;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// How long the desks wait for their seats, and then for the work.
const PATIENCE: Duration = Duration::from_secs(10);

static GLOBAL_POOL: Mutex<()> = Mutex::new(());

/// The global pool for this test alone, until the guard is dropped.
pub fn the_global_pool() -> MutexGuard<'static, ()> {
    GLOBAL_POOL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `work` on this thread while every desk of the global pool waits
/// for work handed to the pool, until `work` returns or `PATIENCE` has
/// passed. Returns what `work` returned, and whether a desk ran any of it.
pub fn while_the_desks_wait<T>(work: impl FnOnce() -> T) -> (T, bool) {
    let desks = rayon::current_num_threads();
    let seated = (Mutex::new(0), Condvar::new());
    let done = AtomicBool::new(false);
    thread::scope(|s| {
        let waiting = s.spawn(|| {
            rayon::broadcast(|_| {
                let (seats, cue) = &seated;
                *seats.lock().unwrap() += 1;
                cue.notify_all();
                let give_up = Instant::now() + PATIENCE;
                let mut played = false;
                while !done.load(Ordering::SeqCst) && Instant::now() < give_up {
                    match rayon::yield_now() {
                        Some(Yield::Executed) => played = true,
                        _ => thread::yield_now(),
                    }
                }
                played
            })
        });
        let (seats, cue) = &seated;
        let (seats, wait) = cue
            .wait_timeout_while(seats.lock().unwrap(), PATIENCE, |n| *n < desks)
            .unwrap();
        assert!(!wait.timed_out(), "only {} of {desks} desks sat", *seats);
        drop(seats);
        let result = work();
        done.store(true, Ordering::SeqCst);
        let played = waiting.join().expect("the desks waited in peace");
        (result, played.contains(&true))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn work_handed_to_the_pool_is_played_by_a_desk() {
        let _turn = the_global_pool();
        let (sum, played) =
            while_the_desks_wait(|| (0..1_000u32).into_par_iter().sum::<u32>());
        assert_eq!(sum, 499_500);
        assert!(played, "no desk played the parallel sum");
    }

    #[test]
    fn work_done_by_the_caller_alone_is_told_apart() {
        let _turn = the_global_pool();
        let began = Instant::now();
        let (sum, played) = while_the_desks_wait(|| (0..1_000u32).sum::<u32>());
        assert_eq!(sum, 499_500);
        assert!(!played, "a desk played a sum done in sequence");
        // Once the work is done the desks leave, not after their patience.
        assert!(began.elapsed() < PATIENCE, "the desks waited on");
    }
}
