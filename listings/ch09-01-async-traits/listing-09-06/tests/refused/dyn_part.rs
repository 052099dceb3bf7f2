//! Listing 9-5's trait cannot be a trait object: its `play` is `async`.
trait Part {
    async fn play(&self);
}

struct Violins;

impl Part for Violins {
    async fn play(&self) {}
}

fn main() {
    let programme: Vec<Box<dyn Part>> = vec![Box::new(Violins)];
    println!("{} parts", programme.len());
}
