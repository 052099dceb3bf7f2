//! An `AsyncFn` bound cannot promise that the future each call returns is
//! `Send`, so `tokio::spawn` refuses it.
fn spawn_cue(cue: impl AsyncFn() + Send + Sync + 'static) {
    tokio::spawn(async move { cue().await });
}

fn main() {}
