//! Listing 9-8's boxed `play`, with `'_` where it writes `'a`: the
//! elision rules tie the future to `&self` alone, and a future that uses
//! the stage is refused.
use std::future::Future;
use std::pin::Pin;

struct Stage;

impl Stage {
    fn sound(&self, _note: &str) {}
}

trait Part {
    fn play(
        &self,
        stage: &Stage,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

struct Violins;

impl Part for Violins {
    fn play(
        &self,
        stage: &Stage,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            stage.sound("C4");
        })
    }
}

fn main() {
    Violins.play(&Stage);
}
