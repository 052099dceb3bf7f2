use std::sync::Mutex;
use std::thread;

// ANCHOR: all
/// Each section takes the baton, raises the tempo, and hands it back.
fn rehearse(sections: &[&str]) -> u32 {
    let tempo: Mutex<u32> = Mutex::new(120);
    thread::scope(|s| {
        for &section in sections {
            let tempo = &tempo;
            s.spawn(move || {
                let mut baton = tempo.lock().unwrap();
                *baton += 10;
                println!("{section}: raised the tempo by 10 bpm");
            }); // `baton` is dropped here: the lock is released
        }
    });
    tempo.into_inner().unwrap()
}

fn main() {
    let tempo = rehearse(&["violins", "cellos"]);
    println!("final tempo: {tempo} bpm");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn every_raise_counts() {
        // Watchdog: a lock that is never released fails the test.
        let (report, watch) = mpsc::channel();
        thread::spawn(move || {
            let sections = ["section"; 50];
            report.send(rehearse(&sections)).unwrap();
        });
        let tempo = watch
            .recv_timeout(Duration::from_secs(10))
            .expect("a section never got the baton");
        assert_eq!(tempo, 120 + 50 * 10);
    }
}
