use tokio::sync::mpsc::error::{SendError, TrySendError};
use tokio::sync::mpsc::{self, Receiver, Sender};

// ANCHOR: all
/// What each end of the stand learns when the other end has left.
async fn when_one_side_leaves() -> Vec<String> {
    let mut heard = Vec::new();
    let (stand, mut reach): (Sender<&str>, Receiver<&str>) = mpsc::channel(1);

    // The stand holds one page: a second `try_send` does not wait, it
    // hands the page back as `Full`.
    heard.push(format!("copyist: {:?}", stand.try_send("page 1")));
    match stand.try_send("page 2") {
        Err(TrySendError::Full(page)) => {
            heard.push(format!("copyist: stand full, still holding {page}"))
        }
        other => heard.push(format!("copyist: unexpected {other:?}")),
    }

    // The last sender leaves: pages already on the stand are still read,
    // and only then does `recv` answer `None`.
    drop(stand);
    heard.push(format!("player: {:?}", reach.recv().await));
    heard.push(format!("player: {:?}", reach.recv().await));

    // The other way round: once the receiver is gone, every send fails,
    // and the error gives the page back.
    let (stand, reach) = mpsc::channel::<&str>(1);
    drop(reach);
    match stand.try_send("page 3") {
        Err(TrySendError::Closed(page)) => {
            heard.push(format!("copyist: nobody there, kept {page}"))
        }
        other => heard.push(format!("copyist: unexpected {other:?}")),
    }
    let SendError(page) = stand.send("page 4").await.unwrap_err();
    heard.push(format!("copyist: send failed, kept {page}"));
    heard
}

#[tokio::main]
async fn main() {
    for line in when_one_side_leaves().await {
        println!("{line}");
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::time::timeout;

    #[tokio::test]
    async fn each_end_hears_that_the_other_has_gone() {
        let heard = timeout(Duration::from_secs(10), when_one_side_leaves())
            .await
            .expect("a recv or a send never heard that the other end left");
        assert_eq!(
            heard,
            [
                "copyist: Ok(())",
                "copyist: stand full, still holding page 2",
                "player: Some(\"page 1\")",
                "player: None",
                "copyist: nobody there, kept page 3",
                "copyist: send failed, kept page 4",
            ]
        );
    }
}
