// The listing itself, so that `Tape` is exactly the type on the page.
include!("../../src/main.rs");

/// Reading the beats here while another thread owns, and may free, the
/// tape: this must not compile.
#[allow(dead_code)]
fn read_after_sending(tape: Tape) {
    let beats = tape.beats();
    let editor = thread::spawn(move || drop(tape));
    println!("{beats:?}");
    editor.join().unwrap();
}
