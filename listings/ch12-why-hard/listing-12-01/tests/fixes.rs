//! The page names three ways to make Listing 12-1 compile, and says a
//! future driven by `Runtime::block_on` compiles with the same body: each
//! is a test below, which would not build if the fix did not compile, and
//! runs. It also says that an `Rc` captured from outside belongs to the
//! future from the start, and that a `drop` after a borrow is not enough:
//! `cargo xtask test` checks that each program in `tests/refused/` fails
//! with the error recorded beside it (rerecord with `cargo xtask outputs
//! listing-12-01`).

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio::task::{self, LocalSet};

const REST: Duration = Duration::from_millis(10);

#[tokio::test]
async fn with_arc_whose_count_is_atomic() {
    let violins = tokio::spawn(async {
        let score = Arc::new(vec!["C4", "E4", "G4"]);
        tokio::time::sleep(REST).await;
        score.len()
    });
    assert_eq!(violins.await.unwrap(), 3);
}

#[tokio::test]
async fn with_the_rc_ended_before_the_rest() {
    let violins = tokio::spawn(async {
        let notes = {
            let score = Rc::new(vec!["C4", "E4", "G4"]);
            score.len()
        }; // `score` is dropped here, before the rest
        tokio::time::sleep(REST).await;
        notes
    });
    assert_eq!(violins.await.unwrap(), 3);
}

#[tokio::test]
async fn with_spawn_local_inside_a_local_set() {
    let stage = LocalSet::new();
    let notes = stage
        .run_until(async {
            let violins = task::spawn_local(async {
                let score = Rc::new(vec!["C4", "E4", "G4"]);
                tokio::time::sleep(REST).await;
                score.len()
            });
            violins.await.unwrap()
        })
        .await;
    assert_eq!(notes, 3);
}

#[test]
fn the_same_body_driven_by_block_on() {
    let runtime = Runtime::new().unwrap();
    let notes = runtime.block_on(async {
        let score = Rc::new(vec!["C4", "E4", "G4"]);
        tokio::time::sleep(REST).await;
        score.len()
    });
    assert_eq!(notes, 3);
}
