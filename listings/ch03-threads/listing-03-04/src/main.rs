use std::any::Any;
use std::thread;

// ANCHOR: all
fn play_solo(strings: u32) -> &'static str {
    if strings < 4 {
        panic!("the soloist broke a string");
    }
    "the cadenza"
}

/// What a panic said: `panic!` with a message carries it as a `&str` or
/// as a `String`, and which of the two is not promised.
fn why(payload: &(dyn Any + Send)) -> &str {
    if let Some(message) = payload.downcast_ref::<&str>() {
        message
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message
    } else {
        "unknown"
    }
}

fn main() {
    let soloist = thread::Builder::new()
        .name("soloist".to_string())
        .spawn(|| play_solo(3))
        .unwrap();

    match soloist.join() {
        Ok(piece) => println!("the soloist played {piece}"),
        Err(payload) => println!("the soloist stopped: {}", why(&*payload)),
    }
    println!("the orchestra plays on");
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_reaches_join_as_an_err() {
        let payload = thread::spawn(|| play_solo(3)).join().unwrap_err();
        // Not promised, observed today: a plain literal travels as a `&str`.
        assert!(payload.is::<&str>(), "the literal was not a &str");
        assert_eq!(why(&*payload), "the soloist broke a string");
    }

    #[test]
    fn a_formatted_message_is_read_too() {
        let strings = 3;
        let payload = thread::spawn(move || panic!("{strings} strings left"))
            .join()
            .unwrap_err();
        // Not promised, observed today: a formatted message is a `String`.
        assert!(payload.is::<String>(), "the message was not a String");
        assert_eq!(why(&*payload), "3 strings left");
    }

    #[test]
    fn a_payload_without_a_message_is_unknown() {
        let payload = thread::spawn(|| std::panic::panic_any(4_u32))
            .join()
            .unwrap_err();
        assert_eq!(why(&*payload), "unknown");
    }

    #[test]
    fn a_whole_instrument_plays() {
        assert_eq!(
            thread::spawn(|| play_solo(4)).join().unwrap(),
            "the cadenza"
        );
    }
}
