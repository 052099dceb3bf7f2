use std::sync::Arc;
use std::thread;

fn main() {
    let tempo: Arc<u32> = Arc::new(120);

    let violins = thread::spawn({
        let tempo = Arc::clone(&tempo);
        move || {
            *tempo += 10;
        }
    });

    violins.join().unwrap();
    println!("tempo {tempo}");
}
