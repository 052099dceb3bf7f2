//! The page says that where nothing demands `Send`, inside `block_on` or
//! `spawn_local`, Listing 12-2's section compiles with a `std` guard held
//! across its rest: each is a test below, which would not build if it were
//! refused, and runs (one task, so nothing else asks for the lock).

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::{self, LocalSet};

/// Listing 12-2's section: the guard is held across the rest.
#[allow(clippy::await_holding_lock)] // the mistake the page shows
async fn section(baton: Arc<Mutex<u32>>) {
    let mut bpm = baton.lock().unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
    *bpm += 4;
}

#[test]
fn driven_by_block_on_it_compiles() {
    let tempo = Arc::new(Mutex::new(120_u32));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(section(Arc::clone(&tempo)));
    assert_eq!(*tempo.lock().unwrap(), 124);
}

#[tokio::test]
async fn spawned_locally_it_compiles() {
    let tempo = Arc::new(Mutex::new(120_u32));
    let stage = LocalSet::new();
    let baton = Arc::clone(&tempo);
    stage
        .run_until(
            async move { task::spawn_local(section(baton)).await.unwrap() },
        )
        .await;
    assert_eq!(*tempo.lock().unwrap(), 124);
}
