// The listing itself, so that `Tape` is exactly the type on the page.
include!("../../src/main.rs");

/// Two tapes owning one buffer would free it twice: this must not compile.
#[allow(dead_code)]
fn copy_a_tape(tape: Tape) -> (Tape, Tape) {
    (tape.clone(), tape)
}
