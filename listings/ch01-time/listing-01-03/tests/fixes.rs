//! The page says what the compiler answers to Listing 1-3's mistake and
//! its fixes. The clone the `help` suggests compiles, and so does the
//! `drop` moved after the scope: each is a test below, which would not
//! build if the fix did not compile, and runs. The same mistake on one
//! thread is refused with the same error: `cargo xtask test` checks that
//! `tests/refused/one_thread.rs` fails with the error recorded beside it
//! (rerecord with `cargo xtask outputs listing-01-03`).

use std::sync::Mutex;
use std::thread;

/// The violins' part of the piece, as a test hears it.
fn violins(part: &[&'static str], heard: &Mutex<Vec<&'static str>>) {
    for note in part {
        heard.lock().unwrap().push(note);
    }
}

#[test]
fn the_clone_the_compiler_suggests_compiles() {
    let heard = Mutex::new(Vec::new());
    let score = vec!["C4", "E4", "G4"];
    let part = &score.clone();
    thread::scope(|s| {
        s.spawn(|| violins(part, &heard));
        drop(score); // the original goes; the violins read the copy
    });
    assert_eq!(heard.into_inner().unwrap(), ["C4", "E4", "G4"]);
}

#[test]
fn dropping_the_score_after_the_scope_compiles() {
    let heard = Mutex::new(Vec::new());
    let score = vec!["C4", "E4", "G4"];
    let part = &score;
    thread::scope(|s| {
        s.spawn(|| violins(part, &heard));
    });
    drop(score); // every thread the scope started has finished
    assert_eq!(heard.into_inner().unwrap(), ["C4", "E4", "G4"]);
}
