//! The page gives tokio-stream's way out of two `StreamExt` traits under
//! one name: import one, and call the other's methods by their full path.
//! The test below does so, which would not build if it were refused, and
//! plays the merged streams.

use futures_util::StreamExt;

#[tokio::test]
async fn one_trait_imported_and_the_other_called_by_its_path() {
    let violins = tokio_stream::iter(["C4", "E4"]);
    let cellos = tokio_stream::iter(["C3", "G2"]);
    let merged = tokio_stream::StreamExt::merge(violins, cellos);
    let mut heard: Vec<&str> = merged.collect().await; // futures-util's
    heard.sort_unstable();
    assert_eq!(heard, ["C3", "C4", "E4", "G2"]);
}
