use std::future::Future;
use std::io;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{self, sleep_until, Duration, Instant};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// What the tuner says to a note.
fn tune(note: &str) -> String {
    let hz = match note {
        "A4" => 440.0,
        "E5" => 659.26,
        "C3" => 130.81,
        _ => return format!("{note} = unknown\n"),
    };
    format!("{note} = {hz:.2} Hz\n")
}

/// What a session says when the tuner cuts it off.
const GOODBYE: &str = "tuner closing, goodbye";

/// One event line: `@<ms>ms <who>: <what>`.
fn say(start: Instant, who: &str, what: &str) {
    println!("@{}ms {who}: {what}", start.elapsed().as_millis());
}

/// A client's turn: send a note, read one line back ("" if the tuner
/// has hung up).
async fn ask<S>(line: &mut BufReader<S>, note: &str) -> io::Result<String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    line.write_all(format!("{note}\n").as_bytes()).await?;
    let mut reply = String::new();
    line.read_line(&mut reply).await?;
    Ok(reply.trim_end().to_string())
}

// ANCHOR: all
/// Where connections come in: a `TcpListener` here, an in-memory queue
/// in the tests.
trait Entrance {
    type Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    async fn accept(&mut self) -> io::Result<Self::Stream>;
}

impl Entrance for TcpListener {
    type Stream = TcpStream;
    async fn accept(&mut self) -> io::Result<TcpStream> {
        let (stream, _peer) = TcpListener::accept(self).await?;
        Ok(stream)
    }
}

/// One client, a note at a time, until it leaves, is silent for
/// `patience`, or the tuner cuts it off.
async fn session<S>(
    stream: S,
    patience: Duration,
    cut_off: CancellationToken,
) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut stream = BufReader::new(stream);
    loop {
        let mut note = String::new();
        let asked = time::timeout(patience, stream.read_line(&mut note));
        let heard = tokio::select! {
            () = cut_off.cancelled() => {
                let goodbye = format!("{GOODBYE}\n");
                return stream.write_all(goodbye.as_bytes()).await;
            }
            heard = asked => heard,
        };
        let Ok(read) = heard else {
            return Ok(()); // silent for too long
        };
        if read? == 0 {
            return Ok(()); // the client left
        }
        stream.write_all(tune(note.trim()).as_bytes()).await?;
    }
}

/// How the tuner's run went.
#[derive(Debug, PartialEq)]
struct Report {
    served: usize,
    cut_off: usize,
}

/// Serves until `curtain` completes; then stops accepting, gives the open
/// sessions `drain` to finish, cuts off the rest, gives them `drain` more
/// to say goodbye, and returns.
async fn serve<E: Entrance>(
    mut entrance: E,
    patience: Duration,
    drain: Duration,
    curtain: impl Future<Output = ()>,
    start: Instant,
) -> io::Result<Report> {
    let cut_off = CancellationToken::new();
    let _guard = cut_off.drop_guard_ref(); // however `serve` ends
    let sessions = TaskTracker::new();
    let mut served = 0;
    let mut curtain = std::pin::pin!(curtain);
    loop {
        tokio::select! {
            biased; // once the curtain is down, nobody else comes in
            () = &mut curtain => break,
            stream = entrance.accept() => {
                let session = session(stream?, patience, cut_off.clone());
                sessions.spawn(async move {
                    if let Err(error) = session.await {
                        eprintln!("tuner: a session failed: {error}");
                    }
                });
                served += 1;
            }
        }
    }
    drop(entrance); // stop accepting: the door is gone
    sessions.close();
    let open = sessions.len();
    let shut = format!("door shut with {open} sessions open");
    say(start, "tuner", &shut);

    let mut stragglers = 0;
    if time::timeout(drain, sessions.wait()).await.is_err() {
        stragglers = sessions.len();
        let late = format!("deadline, {stragglers} still open: cutting off");
        say(start, "tuner", &late);
        cut_off.cancel();
        // A session stuck in a write hears no token: bound this wait too,
        // and leave whoever is still there to the runtime.
        let _ = time::timeout(drain, sessions.wait()).await;
    }
    Ok(Report {
        served,
        cut_off: stragglers,
    })
}

/// The shutdown signal: ctrl-c, or the end of the show, whichever is first
/// (an error listening for ctrl-c brings the curtain down too).
async fn curtain(show: Duration, start: Instant) {
    tokio::select! {
        signal = tokio::signal::ctrl_c() => match signal {
            Ok(()) => say(start, "signal", "ctrl-c"),
            Err(error) => say(start, "signal", &format!("no ctrl-c: {error}")),
        },
        () = sleep_until(start + show) => {
            say(start, "signal", "end of the show");
        }
    }
}

#[tokio::main]
async fn main() -> io::Result<()> {
    let start = Instant::now();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let tuner = listener.local_addr()?;
    let ms = Duration::from_millis;
    let curtain = curtain(ms(400), start);
    let server = serve(listener, ms(2000), ms(800), curtain, start);
    let server = tokio::spawn(server);

    let after_the_curtain = start + ms(800);
    let oboe = tokio::spawn(async move {
        let mut line = BufReader::new(TcpStream::connect(tuner).await?);
        for (note, at) in [("A4", start), ("E5", after_the_curtain)] {
            sleep_until(at).await;
            let reply = ask(&mut line, note).await?;
            say(start, "oboe", &format!("asked for {note}, heard {reply}"));
        }
        say(start, "oboe", "leaves");
        io::Result::Ok(())
    });
    let tuba = tokio::spawn(async move {
        let mut line = BufReader::new(TcpStream::connect(tuner).await?);
        let reply = ask(&mut line, "C3").await?;
        say(start, "tuba", &format!("asked for C3, heard {reply}"));
        let mut last = String::new();
        line.read_line(&mut last).await?; // lingers, silent
        say(start, "tuba", &format!("heard {:?}", last.trim_end()));
        io::Result::Ok(())
    });
    let horn = tokio::spawn(async move {
        sleep_until(after_the_curtain).await;
        let came = match TcpStream::connect(tuner).await {
            Ok(_) => "let in after the curtain".to_string(),
            Err(error) => format!("refused: {:?}", error.kind()),
        };
        say(start, "horn", &came);
    });

    oboe.await??;
    tuba.await??;
    horn.await?;
    let Report { served, cut_off } = server.await??;
    let closed = format!("closed; served {served}, cut off {cut_off}");
    say(start, "tuner", &closed);
    Ok(())
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::DuplexStream;
    use tokio::sync::mpsc;
    use tokio::time::timeout;
    use tokio_util::sync::WaitForCancellationFutureOwned as Curtain;

    /// In memory: each "connection" is the tuner's end of a `duplex` pipe,
    /// handed over a channel. Once the tuner drops the receiver, sending a
    /// new one fails, as connecting to a closed port does.
    impl Entrance for mpsc::Receiver<DuplexStream> {
        type Stream = DuplexStream;
        async fn accept(&mut self) -> io::Result<DuplexStream> {
            let door = self.recv().await;
            door.ok_or_else(|| io::Error::other("the entrance was removed"))
        }
    }

    type Door = mpsc::Sender<DuplexStream>;

    /// A client connects: `None` if the tuner no longer accepts.
    async fn connect(door: &Door) -> Option<BufReader<DuplexStream>> {
        let (client, tuner) = tokio::io::duplex(256);
        door.send(tuner).await.ok()?;
        Some(BufReader::new(client))
    }

    const PATIENCE: Duration = Duration::from_secs(3600);
    const DRAIN: Duration = Duration::from_secs(1);
    const LIMIT: Duration = Duration::from_secs(60);

    /// A step that should not take long: if it hangs, the test fails.
    async fn watched<T>(step: impl Future<Output = T>) -> T {
        timeout(LIMIT, step).await.expect("hung")
    }

    /// What became of a client who came after the curtain.
    #[derive(Debug, PartialEq)]
    enum Horn {
        Refused,
        LetIn,
        LeftWaiting,
    }

    /// What the clients and the test saw, with times in ms.
    #[derive(Debug)]
    struct Seen {
        horn: Horn,
        oboe_after_the_curtain: String,
        tuba_last: Option<(String, u128)>,
        tuner: Option<(Report, u128)>,
    }

    /// The oboe and the tuba connect and are answered at 0 s; the curtain
    /// falls at 2 s; at 2.5 s the horn tries to come in and the oboe asks
    /// its second note and leaves; the tuba lingers, silent.
    async fn scenario<F>(
        server: impl FnOnce(mpsc::Receiver<DuplexStream>, Curtain) -> F,
    ) -> Seen
    where
        F: Future<Output = io::Result<Report>> + Send + 'static,
    {
        let start = Instant::now();
        let (door, entrance) = mpsc::channel(1);
        let bell = CancellationToken::new();
        let tuner =
            tokio::spawn(server(entrance, bell.clone().cancelled_owned()));

        let mut oboe = watched(connect(&door))
            .await
            .expect("open before the curtain");
        let mut tuba = watched(connect(&door))
            .await
            .expect("open before the curtain");
        assert_eq!(
            watched(ask(&mut oboe, "A4")).await.unwrap(),
            "A4 = 440.00 Hz"
        );
        assert_eq!(
            watched(ask(&mut tuba, "C3")).await.unwrap(),
            "C3 = 130.81 Hz"
        );
        let tuba = tokio::spawn(async move {
            let mut last = String::new();
            tuba.read_line(&mut last).await.unwrap();
            (last.trim_end().to_string(), start.elapsed().as_millis())
        });

        sleep_until(start + Duration::from_secs(2)).await;
        bell.cancel(); // the curtain: no real signal needed
        sleep_until(start + Duration::from_millis(2500)).await;
        let horn = match watched(connect(&door)).await {
            None => Horn::Refused,
            Some(mut horn) => {
                match timeout(LIMIT, ask(&mut horn, "B4")).await {
                    Ok(Ok(reply)) if !reply.is_empty() => Horn::LetIn,
                    _ => Horn::LeftWaiting,
                }
            }
        };
        let oboe_after_the_curtain =
            watched(ask(&mut oboe, "E5")).await.unwrap_or_default();
        drop(oboe); // the oboe leaves

        let tuba_last = timeout(LIMIT, tuba).await.ok().map(Result::unwrap);
        let tuner = timeout(LIMIT, tuner).await.ok().map(|served| {
            (served.unwrap().unwrap(), start.elapsed().as_millis())
        });
        Seen {
            horn,
            oboe_after_the_curtain,
            tuba_last,
            tuner,
        }
    }

    /// The claims: after the curtain nobody new comes in; an open session
    /// finishes; one still open at the deadline (2 s + 1 s) is cut off,
    /// told so; and the server returns then.
    fn check(seen: &Seen) -> Result<(), String> {
        if seen.horn != Horn::Refused {
            return Err(format!(
                "after the curtain, the horn: {:?}",
                seen.horn
            ));
        }
        if seen.oboe_after_the_curtain != "E5 = 659.26 Hz" {
            return Err(format!(
                "the oboe's open session was not allowed to finish: it \
                 heard {:?}",
                seen.oboe_after_the_curtain
            ));
        }
        let cut = Some((GOODBYE.to_string(), 3000));
        if seen.tuba_last != cut {
            return Err(format!(
                "the tuba was not cut off at the deadline: it heard {:?}",
                seen.tuba_last
            ));
        }
        match &seen.tuner {
            None => Err("the tuner never returned".into()),
            Some((report, 3000)) if report.cut_off == 1 => Ok(()),
            Some(other) => Err(format!("the tuner returned {other:?}")),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn stops_accepting_drains_cuts_off_and_returns() {
        let seen = scenario(|entrance, curtain| {
            serve(entrance, PATIENCE, DRAIN, curtain, Instant::now())
        })
        .await;
        assert_eq!(check(&seen), Ok(()));
        let report = Report {
            served: 2,
            cut_off: 1,
        };
        assert_eq!(seen.tuner, Some((report, 3000)));
    }

    #[tokio::test(start_paused = true)]
    async fn returns_as_soon_as_the_last_session_ends() {
        let start = Instant::now();
        let (door, entrance) = mpsc::channel(1);
        let curtain = time::sleep(Duration::from_secs(2));
        let tuner =
            tokio::spawn(serve(entrance, PATIENCE, DRAIN, curtain, start));
        let mut oboe = watched(connect(&door)).await.unwrap();
        sleep_until(start + Duration::from_millis(2500)).await;
        assert_eq!(
            watched(ask(&mut oboe, "E5")).await.unwrap(),
            "E5 = 659.26 Hz"
        );
        drop(oboe);
        let report = timeout(LIMIT, tuner).await.expect("hung").unwrap();
        assert_eq!(
            report.unwrap(),
            Report {
                served: 1,
                cut_off: 0
            }
        );
        assert_eq!(
            start.elapsed(),
            Duration::from_millis(2500),
            "not a moment later"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn when_serve_fails_its_guard_cuts_off_every_session() {
        let start = Instant::now();
        let (door, entrance) = mpsc::channel(1);
        let never = std::future::pending();
        let tuner =
            tokio::spawn(serve(entrance, PATIENCE, DRAIN, never, start));
        let mut tuba = watched(connect(&door)).await.unwrap();
        assert_eq!(
            watched(ask(&mut tuba, "C3")).await.unwrap(),
            "C3 = 130.81 Hz"
        );
        drop(door); // `accept` fails, and `serve` returns early with `?`
        let failed = timeout(LIMIT, tuner).await.expect("hung").unwrap();
        assert!(failed.is_err());
        // Nobody waits for the sessions now, but the guard has cancelled
        // their token: the lingering tuba is told, at once.
        let mut last = String::new();
        timeout(LIMIT, tuba.read_line(&mut last))
            .await
            .expect("the session was left running")
            .unwrap();
        assert_eq!(last.trim_end(), GOODBYE);
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_client_is_let_go_when_patience_runs_out() {
        let start = Instant::now();
        let (door, entrance) = mpsc::channel(1);
        let curtain = time::sleep(Duration::from_secs(5));
        let patience = Duration::from_secs(1);
        let tuner =
            tokio::spawn(serve(entrance, patience, DRAIN, curtain, start));
        let mut tuba = watched(connect(&door)).await.unwrap();
        let mut last = String::new();
        watched(tuba.read_line(&mut last)).await.unwrap();
        // Hung up on, with nothing said, when its patience ran out.
        assert_eq!((last.as_str(), start.elapsed()), ("", patience));
        let report = watched(tuner).await.unwrap().unwrap();
        let report_wanted = Report {
            served: 1,
            cut_off: 0,
        };
        assert_eq!(report, report_wanted);
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_arriving_with_the_curtain_is_not_let_in() {
        // Both branches are ready at the first poll. Without `biased;`,
        // `select!` starts at a random branch (an even draw in tokio
        // 1.54.1's source), and lets the client in about one time in two:
        // 32 curtains in a row would all have to be lucky.
        for _ in 0..32 {
            let (door, entrance) = mpsc::channel(1);
            let bell = CancellationToken::new();
            let curtain = bell.clone().cancelled_owned();
            let tuner =
                serve(entrance, PATIENCE, DRAIN, curtain, Instant::now());
            let (_client, at_the_door) = tokio::io::duplex(256);
            door.try_send(at_the_door).expect("room at the door");
            bell.cancel();
            let report = watched(tuner).await.unwrap();
            assert_eq!(
                report,
                Report {
                    served: 0,
                    cut_off: 0
                },
                "let in with the curtain"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_session_stuck_writing_cannot_keep_the_tuner_open() {
        let start = Instant::now();
        let (door, entrance) = mpsc::channel(1);
        let curtain = time::sleep(Duration::from_secs(2));
        let tuner =
            tokio::spawn(serve(entrance, PATIENCE, DRAIN, curtain, start));
        // The trumpet plays forty notes and never listens: its replies fill
        // the pipe, and its session blocks in `write_all`, deaf to the token.
        let mut trumpet = watched(connect(&door)).await.unwrap();
        let notes = "A4\n".repeat(40);
        watched(trumpet.write_all(notes.as_bytes())).await.unwrap();
        let report = timeout(LIMIT, tuner).await.expect("never returned");
        assert_eq!(
            report.unwrap().unwrap(),
            Report {
                served: 1,
                cut_off: 1
            }
        );
        // The curtain at 2 s, the drain until 3 s, the goodbyes until 4 s.
        assert_eq!(start.elapsed(), Duration::from_secs(4));
        drop(trumpet); // only now: its going would unblock the session
    }

    /// Broken twin: a server that aborts every session at the curtain.
    async fn serve_abruptly(
        mut entrance: impl Entrance,
        curtain: Curtain,
    ) -> io::Result<Report> {
        let mut sessions = tokio::task::JoinSet::new();
        let mut curtain = std::pin::pin!(curtain);
        loop {
            tokio::select! {
                biased;
                () = &mut curtain => break,
                stream = entrance.accept() => {
                    let token = CancellationToken::new();
                    sessions.spawn(session(stream?, PATIENCE, token));
                }
            }
        }
        let served = sessions.len();
        sessions.shutdown().await; // aborts them all
        Ok(Report {
            served,
            cut_off: served,
        })
    }

    /// Broken twin: a server that keeps its door open until the deadline.
    async fn serve_keeping_the_door_open(
        mut entrance: impl Entrance,
        curtain: Curtain,
    ) -> io::Result<Report> {
        let cut_off = CancellationToken::new();
        let sessions = TaskTracker::new();
        let mut served = 0;
        let deadline = async {
            curtain.await;
            time::sleep(DRAIN).await
        };
        let mut deadline = std::pin::pin!(deadline);
        loop {
            tokio::select! {
                biased;
                () = &mut deadline => break,
                stream = entrance.accept() => {
                    sessions.spawn(session(stream?, PATIENCE, cut_off.clone()));
                    served += 1;
                }
            }
        }
        let stragglers = sessions.len();
        cut_off.cancel();
        sessions.close();
        sessions.wait().await;
        Ok(Report {
            served,
            cut_off: stragglers,
        })
    }

    /// Broken twin: a server that waits for its sessions with no deadline.
    async fn serve_without_a_deadline(
        mut entrance: impl Entrance,
        curtain: Curtain,
    ) -> io::Result<Report> {
        let sessions = TaskTracker::new();
        let mut served = 0;
        let mut curtain = std::pin::pin!(curtain);
        loop {
            tokio::select! {
                biased;
                () = &mut curtain => break,
                stream = entrance.accept() => {
                    let token = CancellationToken::new();
                    sessions.spawn(session(stream?, PATIENCE, token));
                    served += 1;
                }
            }
        }
        drop(entrance);
        sessions.close();
        sessions.wait().await;
        Ok(Report { served, cut_off: 0 })
    }

    #[tokio::test(start_paused = true)]
    async fn the_check_rejects_a_server_that_aborts_at_the_curtain() {
        let seen = scenario(serve_abruptly).await;
        let verdict = check(&seen).unwrap_err();
        assert!(verdict.contains("oboe's open session"), "{verdict}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_check_rejects_a_server_that_keeps_accepting() {
        let seen = scenario(serve_keeping_the_door_open).await;
        let verdict = check(&seen).unwrap_err();
        assert!(verdict.ends_with("the horn: LetIn"), "{verdict}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_check_rejects_a_server_that_never_stops_waiting() {
        let seen = scenario(serve_without_a_deadline).await;
        assert_eq!(seen.tuner.as_ref().map(|t| t.1), None, "never returned");
        let verdict = check(&seen).unwrap_err();
        assert!(verdict.contains("tuba was not cut off"), "{verdict}");
    }
}
