//! A trait that promises `Send` futures, as Listing 9-7's does, refuses
//! Listing 9-5's organ, whose `play` holds an `Rc` across its rest.
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

trait Part {
    fn play(&self) -> impl Future<Output = ()> + Send;
}

struct Organ;

impl Part for Organ {
    async fn play(&self) {
        let pipes = Rc::new(["C2", "G2"]);
        tokio::time::sleep(Duration::from_millis(100)).await;
        println!("organ: {}", pipes[0]);
    }
}

fn main() {}
