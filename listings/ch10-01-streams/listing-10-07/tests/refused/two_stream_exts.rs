//! futures-util's and tokio-stream's `StreamExt` under one name: the
//! second `use` is refused.
use futures_util::StreamExt;
use tokio_stream::StreamExt;

fn main() {
    let mut notes = tokio_stream::iter(["C4", "E4"]);
    let _next = notes.next();
}
