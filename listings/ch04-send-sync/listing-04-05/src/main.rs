use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{Arc, Mutex, MutexGuard};

// ANCHOR: all
/// Does the compiler say `$t: $auto`? Answered at compile time: path
/// lookup prefers the inherent `ANSWER`, which exists only when the
/// bound holds, and otherwise falls back to the trait's `false`.
macro_rules! implements {
    ($t:ty: $auto:ident) => {{
        #[allow(dead_code)]
        trait Otherwise {
            const ANSWER: bool = false;
        }
        struct Probe<T: ?Sized>(std::marker::PhantomData<T>);
        impl<T: ?Sized> Otherwise for Probe<T> {}
        #[allow(dead_code)] // one of the two answers goes unused
        impl<T: ?Sized + $auto> Probe<T> {
            const ANSWER: bool = true;
        }
        <Probe<$t>>::ANSWER
    }};
}

/// One row of the table: the type's name, `Send`, `Sync`.
macro_rules! row {
    ($t:ty) => {
        (stringify!($t), implements!($t: Send), implements!($t: Sync))
    };
}

type Row = (&'static str, bool, bool);

const TABLE: [Row; 13] = [
    row!(i32),
    row!(String),
    row!(Vec<i32>),
    row!(Rc<i32>),
    row!(Arc<i32>),
    row!(Cell<i32>),
    row!(RefCell<i32>),
    row!(Mutex<i32>),
    row!(MutexGuard<'_, i32>),
    row!(*const i32),
    row!(*mut i32),
    row!(&i32),
    row!(&mut i32),
];

fn yes_no(answer: bool) -> &'static str {
    if answer {
        "yes"
    } else {
        "no"
    }
}

fn main() {
    println!("{:<20} {:<5} Sync", "type", "Send");
    for (name, send, sync) in TABLE {
        println!("{name:<20} {:<5} {}", yes_no(send), yes_no(sync));
    }
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails to compile unless the compiler gives these answers.
    macro_rules! expect {
        ($t:ty, send: $send:expr, sync: $sync:expr) => {
const _: () = assert!(implements!($t: Send) == $send);
const _: () = assert!(implements!($t: Sync) == $sync);
        };
    }

    expect!(i32, send: true, sync: true);
    expect!(String, send: true, sync: true);
    expect!(Vec<i32>, send: true, sync: true);
    expect!(Rc<i32>, send: false, sync: false);
    expect!(Arc<i32>, send: true, sync: true);
    expect!(Cell<i32>, send: true, sync: false);
    expect!(RefCell<i32>, send: true, sync: false);
    expect!(Mutex<i32>, send: true, sync: true);
    expect!(MutexGuard<i32>, send: false, sync: true);
    expect!(*const i32, send: false, sync: false);
    expect!(*mut i32, send: false, sync: false);
    expect!(&i32, send: true, sync: true);
    expect!(&mut i32, send: true, sync: true);
    // Auto traits compose: a wrapper is no more than its contents.
    expect!(Arc<Cell<i32>>, send: false, sync: false);
    expect!(Arc<Mutex<Cell<i32>>>, send: true, sync: true);
    expect!(Mutex<Rc<i32>>, send: false, sync: false);

    /// The table on the chapter's page, row by row: type, Send, Sync.
    fn page_table() -> Vec<(String, bool, bool)> {
        let page = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../src/ch04-send-sync.md"
        ));
        let cell = |text: &str| match text.trim() {
            "yes" => true,
            "no" => false,
            other => panic!("a Send/Sync cell says {other:?}"),
        };
        page.lines()
            .filter(|line| line.starts_with("| `"))
            .map(|line| {
                let cells: Vec<&str> = line.split('|').collect();
                let name = cells[1].trim().trim_matches('`').to_string();
                (name, cell(cells[2]), cell(cells[3]))
            })
            .collect()
    }

    #[test]
    fn the_page_table_says_what_the_compiler_says() {
        let checked: Vec<(String, bool, bool)> = TABLE
            .iter()
            .map(|&(name, send, sync)| (name.to_string(), send, sync))
            .collect();
        assert_eq!(page_table(), checked);
    }
}
