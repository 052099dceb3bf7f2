//! `AsyncFnMut` lends the closure to each call's future for as long as it
//! lives, so a second cue cannot start while the first is playing.
async fn conduct(mut cue: impl AsyncFnMut()) {
    let first = cue();
    let second = cue();
    first.await;
    second.await;
}

fn main() {
    let mut bars = 0;
    let _ = conduct(async || bars += 1);
}
