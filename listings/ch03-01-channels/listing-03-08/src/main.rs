// ANCHOR: all
use std::sync::mpsc::{self, SendError};
use std::thread;
use std::time::Duration;

/// What each end of a channel learns when the other end has left.
fn when_one_side_leaves() -> Vec<String> {
    let mut heard = Vec::new();
    let (copyist, desk) = mpsc::channel::<&str>();

    // Nothing sent yet: `try_recv` answers at once, `recv_timeout` after
    // waiting for as long as it was told.
    heard.push(format!("player: try_recv: {:?}", desk.try_recv()));
    let patience = Duration::from_millis(50);
    let waited = desk.recv_timeout(patience);
    heard.push(format!("player: recv_timeout: {waited:?}"));

    // The copyist sends one page and goes home: its thread ends, and the
    // only `Sender` is dropped with it.
    thread::spawn(move || copyist.send("page 1").unwrap());
    // A page sent before the hang-up is still delivered...
    heard.push(format!("player: recv: {:?}", desk.recv()));
    // ...and after it, every way to receive reports the hang-up.
    heard.push(format!("player: recv: {:?}", desk.recv()));
    heard.push(format!("player: try_recv: {:?}", desk.try_recv()));
    let waited = desk.recv_timeout(patience);
    heard.push(format!("player: recv_timeout: {waited:?}"));

    // The other way round: the player leaves, and `send` fails, handing
    // the page back.
    let (copyist, desk) = mpsc::channel::<String>();
    drop(desk);
    let page = String::from("page 2");
    match copyist.send(page) {
        Ok(()) => heard.push("copyist: sent".to_string()),
        Err(SendError(page)) => {
            heard.push(format!("copyist: nobody there, still has {page:?}"))
        }
    }
    heard
}

fn main() {
    for line in when_one_side_leaves() {
        println!("{line}");
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_end_hears_that_the_other_has_gone() {
        let (report, watchdog) = mpsc::channel();
        thread::spawn(move || report.send(when_one_side_leaves()).unwrap());
        let heard = watchdog
            .recv_timeout(Duration::from_secs(10))
            .expect("a recv never heard that the copyist had gone");
        assert_eq!(
            heard,
            [
                "player: try_recv: Err(Empty)",
                "player: recv_timeout: Err(Timeout)",
                "player: recv: Ok(\"page 1\")",
                "player: recv: Err(RecvError)",
                "player: try_recv: Err(Disconnected)",
                "player: recv_timeout: Err(Disconnected)",
                "copyist: nobody there, still has \"page 2\"",
            ]
        );
    }
}
