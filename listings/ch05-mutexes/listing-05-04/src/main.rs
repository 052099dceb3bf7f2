// ANCHOR: all
use std::sync::{Mutex, PoisonError};
use std::thread;

fn careless_adjustment(tempo: &Mutex<u32>) {
    let mut t = tempo.lock().unwrap();
    *t += 100;
    if *t > 200 {
        panic!("the tempo ran away");
    }
}

fn main() {
    let tempo = Mutex::new(120);

    thread::scope(|s| {
        let soloist = thread::Builder::new()
            .name("soloist".to_string())
            .spawn_scoped(s, || careless_adjustment(&tempo))
            .unwrap();
        assert!(soloist.join().is_err());
    });

    println!("poisoned: {}", tempo.is_poisoned());
    match tempo.lock() {
        Ok(t) => println!("tempo {}", *t),
        Err(poisoned) => {
            let mut t = poisoned.into_inner();
            println!("lock() returned Err; the tempo inside is {}", *t);
            *t = 120;
            println!("the conductor resets it to {}", *t);
        }
    }
    tempo.clear_poison();
    println!("poisoned: {}", tempo.is_poisoned());
    let next = tempo.lock();
    println!("the next lock() is Ok: {}", next.is_ok());
    let t = next.unwrap_or_else(PoisonError::into_inner);
    println!("tempo {}", *t);
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_under_the_guard_poisons_the_mutex() {
        let tempo = Mutex::new(150);
        let result =
            thread::scope(|s| s.spawn(|| careless_adjustment(&tempo)).join());
        assert!(result.is_err());
        assert!(tempo.is_poisoned());
        let err = tempo.lock().unwrap_err();
        // The data is still there, in the state the holder left it.
        assert_eq!(*err.into_inner(), 250);
        tempo.clear_poison();
        assert_eq!(*tempo.lock().unwrap(), 250);
    }

    #[test]
    fn a_panic_without_the_guard_does_not() {
        let tempo = Mutex::new(20);
        let result = thread::scope(|s| {
            s.spawn(|| {
                careless_adjustment(&tempo);
                panic!("later, with the baton back");
            })
            .join()
        });
        assert!(result.is_err());
        assert!(!tempo.is_poisoned());
        assert_eq!(*tempo.lock().unwrap(), 120);
    }

    #[test]
    fn up_to_200_the_adjustment_stands() {
        let tempo = Mutex::new(100);
        careless_adjustment(&tempo);
        assert!(!tempo.is_poisoned());
        assert_eq!(*tempo.lock().unwrap(), 200);
    }
}
