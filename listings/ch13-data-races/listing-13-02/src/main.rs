use std::thread;

static mut BEATS: u32 = 0;

fn main() {
    thread::scope(|s| {
        for _section in 0..2 {
            s.spawn(|| {
                for _beat in 0..1000 {
                    BEATS += 1;
                }
            });
        }
    });
}
