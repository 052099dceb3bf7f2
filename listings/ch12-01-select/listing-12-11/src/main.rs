use std::time::Duration;

use tokio::io::{
    duplex, AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream,
};
use tokio::time::{interval_at, sleep_until, Instant};

// ANCHOR: all
const BEAT: Duration = Duration::from_millis(800);

/// The part as it travels down the wire: (ms, bytes). The first line
/// arrives in two pieces, with a rest between them.
const PART: [(u64, &str); 3] =
    [(0, "C4 E4 "), (1200, "G4\n"), (2000, "C5 G5\n")];

fn say(start: Instant, who: &str, what: &str) {
    println!("@{}ms {who}: {what}", start.elapsed().as_millis());
}

/// Writes each piece of the part to every wire, on time, then hangs up.
async fn copyist(mut wires: Vec<DuplexStream>, start: Instant) {
    for (ms, piece) in PART {
        sleep_until(start + Duration::from_millis(ms)).await;
        for wire in &mut wires {
            wire.write_all(piece.as_bytes()).await.unwrap();
        }
        say(start, "copyist", &format!("sends {piece:?}"));
    }
}

/// Not cancel safe: the beat's turn drops a half-read line.
async fn with_read_line(wire: DuplexStream, start: Instant) -> Vec<String> {
    let mut part = BufReader::new(wire);
    let mut metronome = interval_at(start + BEAT, BEAT);
    let mut heard = Vec::new();
    loop {
        let mut line = String::new();
        tokio::select! {
            read = part.read_line(&mut line) => {
                if read.unwrap() == 0 {
                    return heard; // the copyist hung up
                }
                let line = line.trim_end().to_string();
                say(start, "read_line", &format!("hears {line:?}"));
                heard.push(line);
            }
            _ = metronome.tick() => {
                say(start, "read_line", "beat");
                heard.push("beat".to_string());
            }
        }
    }
}

/// Cancel safe: `Lines` keeps a half-read line in its own buffer.
async fn with_next_line(wire: DuplexStream, start: Instant) -> Vec<String> {
    let mut part = BufReader::new(wire).lines();
    let mut metronome = interval_at(start + BEAT, BEAT);
    let mut heard = Vec::new();
    loop {
        tokio::select! {
            line = part.next_line() => {
                let Some(line) = line.unwrap() else {
                    return heard; // the copyist hung up
                };
                say(start, "next_line", &format!("hears {line:?}"));
                heard.push(line);
            }
            _ = metronome.tick() => {
                say(start, "next_line", "beat");
                heard.push("beat".to_string());
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let start = Instant::now();
    let (wire_a, end_a) = duplex(64);
    let (wire_b, end_b) = duplex(64);
    tokio::join!(
        copyist(vec![wire_a, wire_b], start),
        with_read_line(end_a, start),
        with_next_line(end_b, start),
    );
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::sync::mpsc::{self as std_mpsc, RecvTimeoutError};
    use std::{panic, thread};
    use tokio::time::timeout;

    /// Runs `test` on a paused clock in a thread of its own. A loop with a
    /// branch ready on every turn keeps the runtime busy, so the paused
    /// clock never moves and no `timeout` can fire: a real-time watchdog
    /// turns that hang into a failure.
    fn on_paused_clock<T: Send + 'static>(
        test: impl Future<Output = T> + Send + 'static,
    ) -> T {
        let (report, outcome) = std_mpsc::channel();
        let rehearsal = thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .start_paused(true)
                .build()
                .unwrap();
            let _ = report.send(runtime.block_on(test));
        });
        match outcome.recv_timeout(Duration::from_secs(10)) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                panic!("10 real seconds and the clock has not moved: it spins")
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic::resume_unwind(rehearsal.join().unwrap_err())
            }
        }
    }

    /// Runs one listener against the copyist on a fresh wire.
    fn rehearse<F>(listener: fn(DuplexStream, Instant) -> F) -> Vec<String>
    where
        F: Future<Output = Vec<String>> + Send + 'static,
    {
        on_paused_clock(async move {
            let start = Instant::now();
            let (wire, end) = duplex(64);
            let both = async {
                tokio::join!(copyist(vec![wire], start), listener(end, start))
            };
            timeout(Duration::from_secs(60), both)
                .await
                .expect("the listener stops when the copyist hangs up")
                .1
        })
    }

    /// The claim: the lines heard hold every byte the copyist sent.
    fn every_byte_heard(heard: &[String]) -> Result<(), String> {
        let sent: String = PART.iter().map(|(_, piece)| *piece).collect();
        let lines = heard.iter().filter(|line| *line != "beat");
        let received: String = lines.map(|line| line.clone() + "\n").collect();
        if received == sent {
            Ok(())
        } else {
            Err(format!("sent {sent:?}, heard {received:?}"))
        }
    }

    #[test]
    fn next_line_keeps_the_half_line_across_the_beat() {
        let heard = rehearse(with_next_line);
        // The beat at 800 ms won a turn while "C4 E4 " was half a line.
        assert_eq!(heard, ["beat", "C4 E4 G4", "beat", "C5 G5"]);
        assert_eq!(every_byte_heard(&heard), Ok(()));
    }

    #[test]
    fn read_line_loses_the_half_line_when_the_beat_wins() {
        let heard = rehearse(with_read_line);
        // The beat's turn dropped the `read_line` future holding "C4 E4 ",
        // which it had already taken out of the `BufReader`.
        assert_eq!(heard, ["beat", "G4", "beat", "C5 G5"]);
        assert_eq!(
            every_byte_heard(&heard),
            Err(r#"sent "C4 E4 G4\nC5 G5\n", heard "G4\nC5 G5\n""#.to_string())
        );
    }
}
