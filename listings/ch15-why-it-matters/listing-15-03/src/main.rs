use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::{self, Duration, Instant};

/// The frequencies this tuner knows, in hertz.
fn pitch(note: &str) -> Option<f64> {
    match note {
        "A4" => Some(440.0),
        "E5" => Some(659.26),
        "C3" => Some(130.81),
        _ => None,
    }
}

/// A client: sends one note, reads one line back.
async fn ask(tuner: SocketAddr, note: &str) -> io::Result<String> {
    let mut stream = TcpStream::connect(tuner).await?;
    stream.write_all(format!("{note}\n").as_bytes()).await?;
    let mut reply = String::new();
    BufReader::new(stream).read_line(&mut reply).await?;
    Ok(reply.trim_end().to_string())
}

// ANCHOR: all
/// What the tuner did for one connection.
#[derive(Debug, PartialEq)]
enum Session {
    Tuned,
    HungUp,
}

/// One client on any byte stream: read a note, but wait no longer than
/// `patience` for it.
async fn session<S>(stream: S, patience: Duration) -> io::Result<Session>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut stream = BufReader::new(stream);
    let mut note = String::new();
    let asked = stream.read_line(&mut note);
    let bytes = match time::timeout(patience, asked).await {
        Err(_silence) => return Ok(Session::HungUp), // drops the stream
        Ok(read) => read?,
    };
    if bytes == 0 {
        return Ok(Session::HungUp); // the client left without a note
    }
    let note = note.trim();
    let reply = match pitch(note) {
        Some(hz) => format!("{note} = {hz:.2} Hz\n"),
        None => format!("{note} = unknown\n"),
    };
    stream.write_all(reply.as_bytes()).await?;
    Ok(Session::Tuned)
}

/// Serves exactly `clients` connections, each on its own task, then stops.
async fn tuner(
    listener: TcpListener,
    clients: usize,
    patience: Duration,
) -> io::Result<Vec<Session>> {
    let mut sessions = JoinSet::new();
    for _ in 0..clients {
        let (stream, _peer) = listener.accept().await?;
        sessions.spawn(session(stream, patience));
    }
    let mut done = Vec::new();
    while let Some(finished) = sessions.join_next().await {
        done.push(finished??);
    }
    Ok(done)
}

#[tokio::main]
async fn main() -> io::Result<()> {
    let clock = Instant::now();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let patience = Duration::from_millis(600);
    let server = tokio::spawn(tuner(listener, 4, patience));

    let mut clients = JoinSet::new();
    for (section, note) in [("oboe", "A4"), ("violins", "E5"), ("cellos", "C3")]
    {
        clients.spawn(async move {
            let reply = ask(address, note).await?;
            let ms = clock.elapsed().as_millis();
            println!("@{ms}ms {section}: asked for {note}, heard {reply}");
            io::Result::Ok(())
        });
    }
    clients.spawn(async move {
        let mut stream = TcpStream::connect(address).await?;
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).await?; // says nothing, waits
        let ms = clock.elapsed().as_millis();
        println!("@{ms}ms tuba: said nothing, the tuner hung up");
        io::Result::Ok(())
    });
    while let Some(client) = clients.join_next().await {
        client??;
    }
    let sessions = server.await??;
    let tuned = sessions.iter().filter(|s| **s == Session::Tuned).count();
    println!("tuner: tuned {tuned} of {} clients, closed", sessions.len());
    Ok(())
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;

    // Real sockets go with the real clock: tokio's paused clock jumps
    // ahead whenever the runtime is idle, and that includes waiting on the
    // operating system for socket data. So these tests keep the real clock
    // and bound every wait with a generous timeout.
    const LIMIT: Duration = Duration::from_secs(10);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_clients_are_each_answered() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(tuner(listener, 24, LIMIT));
        let mut clients = JoinSet::new();
        for note in ["A4", "E5", "C3", "B9"].repeat(6) {
            clients.spawn(async move { (note, ask(address, note).await) });
        }
        let all = async {
            while let Some(client) = clients.join_next().await {
                let (note, reply) = client.unwrap();
                let want = match note {
                    "A4" => "A4 = 440.00 Hz",
                    "E5" => "E5 = 659.26 Hz",
                    "C3" => "C3 = 130.81 Hz",
                    _ => "B9 = unknown",
                };
                assert_eq!(reply.unwrap(), want);
            }
            server.await.unwrap().unwrap()
        };
        let sessions = time::timeout(LIMIT, all).await.expect("hung");
        assert_eq!(sessions.len(), 24);
        assert!(sessions.iter().all(|s| *s == Session::Tuned));
    }

    #[tokio::test]
    async fn a_silent_client_holds_up_no_one() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        // The tuba connects first, so it is first in the listener's queue
        // and the tuner accepts it first; it says nothing until it leaves.
        let tuba = TcpStream::connect(address).await.unwrap();
        let server = tokio::spawn(tuner(listener, 2, LIMIT * 6));
        // A tuner that served one client at a time would still be waiting
        // on the tuba here, for a minute, and this timeout would fail.
        let reply = time::timeout(LIMIT, ask(address, "A4"))
            .await
            .expect("the oboe was kept waiting behind the tuba");
        assert_eq!(reply.unwrap(), "A4 = 440.00 Hz");
        drop(tuba); // the tuba leaves without a note
        let mut sessions = time::timeout(LIMIT, server)
            .await
            .expect("the tuner stops after two clients")
            .unwrap()
            .unwrap();
        sessions.sort_by_key(|s| *s == Session::HungUp);
        assert_eq!(sessions, [Session::Tuned, Session::HungUp]);
    }

    // In memory, `tokio::io::duplex` gives a byte stream with no operating
    // system behind it, so the paused clock can time `session` exactly.
    #[tokio::test(start_paused = true)]
    async fn a_silent_client_is_hung_up_on_when_patience_runs_out() {
        let patience = Duration::from_millis(100);
        let start = Instant::now();
        let (mut oboe, oboe_line) = tokio::io::duplex(64);
        let (mut tuba, tuba_line) = tokio::io::duplex(64);
        let oboe_session = tokio::spawn(session(oboe_line, patience));
        let tuba_session = tokio::spawn(session(tuba_line, patience));
        let all = async {
            oboe.write_all(b"A4\n").await.unwrap();
            let mut reply = String::new();
            BufReader::new(&mut oboe)
                .read_line(&mut reply)
                .await
                .unwrap();
            assert_eq!(reply, "A4 = 440.00 Hz\n");
            assert_eq!(start.elapsed(), Duration::ZERO, "answered at once");
            let mut rest = Vec::new();
            let heard = tuba.read_to_end(&mut rest).await.unwrap();
            assert_eq!(heard, 0, "the tuba was hung up on, with no reply");
            assert_eq!(
                start.elapsed(),
                patience,
                "hung up when patience ran out"
            );
            (oboe_session.await.unwrap(), tuba_session.await.unwrap())
        };
        let (oboe, tuba) = time::timeout(LIMIT, all).await.expect("hung");
        assert_eq!(oboe.unwrap(), Session::Tuned);
        assert_eq!(tuba.unwrap(), Session::HungUp);
    }

    // Patience bounds the whole line: a horn that dribbles a byte every
    // 60 ms, within a patience of 100 ms per byte, is still hung up on.
    #[tokio::test(start_paused = true)]
    async fn dribbling_a_note_does_not_stretch_patience() {
        let patience = Duration::from_millis(100);
        let start = Instant::now();
        let (mut horn, line) = tokio::io::duplex(64);
        let ended = tokio::spawn(async move {
            (session(line, patience).await.unwrap(), start.elapsed())
        });
        for byte in ["A", "4", "\n"] {
            // Fails with a broken pipe once the tuner has hung up.
            let _ = horn.write_all(byte.as_bytes()).await;
            time::sleep(Duration::from_millis(60)).await;
        }
        let ended = time::timeout(LIMIT, ended).await.expect("hung");
        assert_eq!(ended.unwrap(), (Session::HungUp, patience));
    }
}
