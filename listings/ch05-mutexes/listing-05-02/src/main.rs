// ANCHOR: all
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::thread;
use std::time::Duration;

fn practise_the_passage() {
    // Slow work that needs no shared state.
    thread::sleep(Duration::from_millis(20));
}

fn step_forward(tempo: &Mutex<u32>, practise: impl FnOnce()) -> u32 {
    let new_tempo = {
        let mut t: MutexGuard<u32> = tempo.lock().unwrap();
        *t += 10;
        *t
    }; // the guard is dropped here: the baton is free again

    practise();
    new_tempo
}

fn baton_is_free(tempo: &Mutex<u32>) -> bool {
    match tempo.try_lock() {
        Ok(_guard) => true,
        Err(TryLockError::WouldBlock) => false,
        Err(TryLockError::Poisoned(_)) => panic!("a holder panicked"),
    }
}

fn main() {
    let tempo = Mutex::new(120);
    let reached = step_forward(&tempo, || {
        let free = baton_is_free(&tempo);
        println!("while practising, the baton is free: {free}");
        practise_the_passage();
    });
    println!("the tempo is now {reached} bpm");

    let guard = tempo.lock().unwrap();
    let free = baton_is_free(&tempo);
    println!("while the guard lives, the baton is free: {free}");
    drop(guard);
    let free = baton_is_free(&tempo);
    println!("after drop(guard), the baton is free: {free}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baton_is_back_before_the_slow_work() {
        let tempo = Mutex::new(120);
        let mut free_during_practice = None;
        let reached = step_forward(&tempo, || {
            free_during_practice = Some(baton_is_free(&tempo));
        });
        assert_eq!(reached, 130);
        assert_eq!(*tempo.lock().unwrap(), 130, "the tempo itself moved");
        assert_eq!(free_during_practice, Some(true));
    }

    #[test]
    fn a_live_guard_holds_the_baton() {
        let tempo = Mutex::new(120);
        let guard = tempo.lock().unwrap();
        assert!(!baton_is_free(&tempo));
        drop(guard);
        assert!(baton_is_free(&tempo));
    }
}
