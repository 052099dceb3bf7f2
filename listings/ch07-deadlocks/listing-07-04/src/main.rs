use std::sync::{Mutex, TryLockError};

// ANCHOR: all
/// Asks for the baton without waiting. `lock` here would not return if
/// this thread already holds it; `try_lock` answers at once.
fn reach_for(baton: &Mutex<u32>) -> String {
    match baton.try_lock() {
        Ok(tempo) => format!("got the baton, tempo {tempo}"),
        Err(TryLockError::WouldBlock) => "WouldBlock: it is taken".into(),
        Err(TryLockError::Poisoned(_)) => "the baton is poisoned".into(),
    }
}

fn main() {
    let baton = Mutex::new(120);
    {
        let mut tempo = baton.lock().unwrap();
        *tempo = 132;
        println!("conductor: holds the baton, sets tempo {tempo}");
        println!("conductor: reaches again: {}", reach_for(&baton));
    } // `tempo`, the guard, is dropped here: the baton is free
    println!("conductor: after the block: {}", reach_for(&baton));
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_holder_cannot_take_it_again_until_the_guard_drops() {
        let baton = Mutex::new(120);
        let tempo = baton.lock().unwrap();
        assert!(matches!(baton.try_lock(), Err(TryLockError::WouldBlock)));
        drop(tempo);
        assert_eq!(*baton.try_lock().unwrap(), 120);
    }

    #[test]
    fn reach_for_reports_both_answers() {
        let baton = Mutex::new(60);
        let guard = baton.lock().unwrap();
        assert_eq!(reach_for(&baton), "WouldBlock: it is taken");
        drop(guard);
        assert_eq!(reach_for(&baton), "got the baton, tempo 60");
    }
}
