// ANCHOR: all
use std::hint::black_box;
use std::io;
use std::thread::{self, JoinHandle};

/// How deep the soloist's cadenza goes: one call per note.
const CADENZA_NOTES: u32 = 4_000;
/// The soloist's stand: 16 MiB of stack instead of the default.
const TALL_STAND: usize = 16 * 1024 * 1024;

/// A cadenza of `notes` nested calls. Each call asks to keep a bar of
/// 1 KiB on the stack until the calls inside it return: in the book's
/// builds, 4,000 KiB at least for 4,000 notes.
fn cadenza(notes: u32) -> u32 {
    let bar = [0u8; 1024];
    if notes == 0 {
        return 0;
    }
    let played = cadenza(notes - 1);
    black_box(&bar); // a best-effort hint: keep the bar for the whole call
    played + 1
}

/// What a section reads on its own name card: `None` if it has none.
fn name_card() -> Option<String> {
    thread::current().name().map(str::to_string)
}

/// Starts the soloist on a thread with a name and a tall stand. The
/// operating system may refuse to start a thread: that is the `io::Error`.
fn engage_soloist() -> io::Result<JoinHandle<(Option<String>, u32)>> {
    thread::Builder::new()
        .name("soloist".to_string())
        .stack_size(TALL_STAND)
        .spawn(|| (name_card(), cadenza(CADENZA_NOTES)))
}

fn main() {
    let soloist = match engage_soloist() {
        Ok(soloist) => soloist,
        Err(refused) => {
            println!("no soloist tonight: {refused}");
            return;
        }
    };
    let (card, notes) = soloist.join().unwrap();
    println!("soloist: my name card reads {card:?}");
    println!("soloist: played a cadenza {notes} calls deep");

    let stagehand = thread::spawn(name_card).join().unwrap();
    println!("stagehand: my name card reads {stagehand:?}");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn the_soloist_reads_its_own_name_and_plays_the_whole_cadenza() {
        let soloist = engage_soloist().expect("the thread was started");
        let (card, notes) = soloist.join().expect("the soloist finished");
        assert_eq!(card.as_deref(), Some("soloist"));
        assert_eq!(notes, CADENZA_NOTES);
    }

    #[test]
    fn a_thread_started_without_a_builder_has_no_name() {
        assert_eq!(thread::spawn(name_card).join().unwrap(), None);
    }

    /// Set in the child process that plays the broken twin.
    const TWIN: &str = "LISTING_03_11_DEFAULT_STAND";

    /// Broken twin: the same cadenza on a thread with the default stack,
    /// 2 MiB on every Tier-1 platform today. It overflows, and the stack
    /// overflow handler aborts the whole process, so the twin plays in a
    /// child process: this test's own executable, running this test alone.
    #[test]
    fn on_the_default_stand_the_cadenza_overflows() {
        if std::env::var_os(TWIN).is_some() {
            let soloist = thread::Builder::new()
                .name("soloist".to_string())
                .spawn(|| cadenza(CADENZA_NOTES))
                .unwrap();
            let _ = soloist.join();
            return; // not reached: the overflow aborts the process
        }
        let child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "tests::on_the_default_stand_the_cadenza_overflows",
            ])
            .env(TWIN, "1")
            .env_remove("RUST_MIN_STACK") // the default, not a set size
            .output()
            .expect("the test executable runs again");
        let stderr = String::from_utf8_lossy(&child.stderr);
        assert!(!child.status.success(), "the twin played to the end");
        assert!(
            stderr.contains("thread 'soloist'")
                && stderr.contains("has overflowed its stack"),
            "not the soloist's stack overflow:\n{stderr}"
        );
    }
}
