use std::cell::RefCell;
use std::thread;

fn main() {
    let tempo: RefCell<u32> = RefCell::new(120);

    thread::scope(|s| {
        s.spawn(|| *tempo.borrow_mut() += 10);
        s.spawn(|| *tempo.borrow_mut() -= 5);
    });

    println!("tempo: {}", tempo.borrow());
}
