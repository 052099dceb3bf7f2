use futures_util::StreamExt;
use tokio_stream::StreamExt as OtherStreamExt;

#[tokio::main]
async fn main() {
    let mut phrase = tokio_stream::iter(["C4", "E4", "G4"]);
    while let Some(note) = phrase.next().await {
        println!("violins: {note}");
    }
}
