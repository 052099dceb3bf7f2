use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::thread;

fn main() {
    let (tray, parts) = mpsc::channel::<&str>();
    let parts: Arc<Receiver<&str>> = Arc::new(parts);
    for _ in 0..2 {
        let parts = Arc::clone(&parts);
        thread::spawn(move || {
            for part in parts.iter() {
                println!("copying {part}");
            }
        });
    }
    tray.send("violins").unwrap();
}
