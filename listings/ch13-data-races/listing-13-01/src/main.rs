use std::thread;

fn main() {
    let mut played: Vec<&str> = Vec::new();

    thread::scope(|s| {
        s.spawn(|| played.push("violins: C4"));
        s.spawn(|| played.push("cellos: C3"));
    });

    println!("{played:?}");
}
