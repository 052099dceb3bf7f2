// ANCHOR: all
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

fn rehearse(sections: u32, step: u32) -> Arc<Mutex<u32>> {
    let tempo: Arc<Mutex<u32>> = Arc::new(Mutex::new(120));

    let handles: Vec<JoinHandle<()>> = (0..sections)
        .map(|_| {
            let tempo = Arc::clone(&tempo);
            thread::spawn(move || {
                *tempo.lock().unwrap() += step;
            })
        })
        .collect();

    for handle in handles {
        handle.join().unwrap();
    }
    tempo
}

fn main() {
    let tempo = rehearse(10, 10);
    println!("holders left: {}", Arc::strong_count(&tempo));
    println!("final tempo: {} bpm", *tempo.lock().unwrap());
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_sections_reach_220_and_let_go() {
        let tempo = rehearse(10, 10);
        // Every thread was joined, so every clone is gone.
        let tempo = Arc::try_unwrap(tempo).expect("a section still holds it");
        assert_eq!(tempo.into_inner().unwrap(), 220);
    }

    #[test]
    fn fifty_spawned_sections_reach_170() {
        // Real threads show only the interleavings they happen to get; the
        // claim that no interleaving loses an update is Listing 5-1's loom
        // model's.
        for _ in 0..20 {
            assert_eq!(*rehearse(50, 1).lock().unwrap(), 170);
        }
    }
}
