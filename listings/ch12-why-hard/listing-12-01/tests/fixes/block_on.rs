// Listing 12-1's task body driven by `Runtime::block_on` instead.
use std::rc::Rc;
use std::time::Duration;
use tokio::runtime::Runtime;

fn main() {
    let runtime = Runtime::new().unwrap();
    runtime.block_on(async {
        let score = Rc::new(vec!["C4", "E4", "G4"]);
        tokio::time::sleep(Duration::from_millis(10)).await;
        println!("violins: {} notes", score.len());
    });
}
