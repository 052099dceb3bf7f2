use std::thread;

// ANCHOR: all
fn play_solo(strings: u32) -> &'static str {
    if strings < 4 {
        panic!("the soloist broke a string");
    }
    "the cadenza"
}

fn main() {
    let soloist = thread::Builder::new()
        .name("soloist".to_string())
        .spawn(|| play_solo(3))
        .unwrap();

    match soloist.join() {
        Ok(piece) => println!("the soloist played {piece}"),
        Err(payload) => {
            let why = payload.downcast_ref::<&str>().unwrap_or(&"unknown");
            println!("the soloist stopped: {why}");
        }
    }
    println!("the orchestra plays on");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_reaches_join_as_an_err() {
        let handle = thread::spawn(|| play_solo(3));
        let payload = handle.join().unwrap_err();
        assert_eq!(
            payload.downcast_ref::<&str>(),
            Some(&"the soloist broke a string")
        );
    }

    #[test]
    fn a_whole_instrument_plays() {
        assert_eq!(
            thread::spawn(|| play_solo(4)).join().unwrap(),
            "the cadenza"
        );
    }
}
