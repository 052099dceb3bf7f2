// The listing itself, so that `Tape` is exactly the type on the page.
include!("../../src/main.rs");

/// Two threads reading one tape at once would need `Tape: Sync`, which
/// nobody promised: this must not compile.
#[allow(dead_code)]
fn share_a_tape(tape: &Tape) {
    thread::scope(|s| {
        s.spawn(|| tape.beats().len());
        s.spawn(|| tape.beats().len());
    });
}
