use std::thread;

fn main() {
    let mut tempo = 120;

    thread::scope(|s| {
        s.spawn(|| tempo += 10); // the violins speed up
        s.spawn(|| tempo += 10); // the cellos speed up too
    });

    println!("tempo: {tempo} bpm");
}
