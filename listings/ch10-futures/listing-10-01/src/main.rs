use std::cell::RefCell;

// ANCHOR: all
async fn play(part: &'static str, journal: &RefCell<Vec<String>>) {
    journal.borrow_mut().push(format!("{part}: playing"));
}

async fn concert() -> Vec<String> {
    let journal = RefCell::new(Vec::new());

    // Two promises of sound: calling an async fn runs none of its body.
    let overture = play("overture", &journal);
    let encore = play("encore", &journal);
    journal
        .borrow_mut()
        .push("conductor: baton raised".to_string());

    overture.await; // the overture plays now, and only now
    drop(encore); // a promise never awaited never plays
    journal.borrow_mut().push("conductor: bows".to_string());

    journal.into_inner()
}

#[tokio::main]
async fn main() {
    for line in concert().await {
        println!("{line}");
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    #[tokio::test]
    async fn nothing_plays_until_awaited_and_dropped_never_plays() {
        assert_eq!(
            concert().await,
            [
                "conductor: baton raised",
                "overture: playing",
                "conductor: bows"
            ]
        );
    }

    #[test]
    fn the_body_runs_on_the_first_poll() {
        let journal = RefCell::new(Vec::new());
        let mut overture = pin!(play("overture", &journal));
        assert!(journal.borrow().is_empty(), "created, not yet polled");

        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(overture.as_mut().poll(&mut cx), Poll::Ready(()));
        assert_eq!(*journal.borrow(), ["overture: playing"]);
    }
}
