use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::{sleep, Instant};

// ANCHOR: all
/// The hall has this many practice rooms.
const ROOMS: usize = 3;

/// One section's turn in a room, in milliseconds since the downbeat.
#[derive(Debug, PartialEq)]
struct Stint {
    section: &'static str,
    entered: u128,
    left: u128,
}

async fn in_a_room(
    section: &'static str,
    room: OwnedSemaphorePermit,
    bar: Duration,
    start: Instant,
) -> Stint {
    let entered = start.elapsed().as_millis();
    println!("@{entered}ms {section}: into a room");
    sleep(bar).await;
    let left = start.elapsed().as_millis();
    println!("@{left}ms {section}: out, the room is free");
    drop(room); // dropping the permit gives it back to the semaphore
    Stint {
        section,
        entered,
        left,
    }
}

async fn rehearse(
    sections: &[&'static str],
    rooms: Arc<Semaphore>,
    bar: Duration,
) -> Vec<Stint> {
    let start = Instant::now();
    let mut stage = JoinSet::new();
    for &section in sections {
        // Wait for a free room before sending the next section in.
        let Ok(room) = Arc::clone(&rooms).acquire_owned().await else {
            let ms = start.elapsed().as_millis();
            println!("@{ms}ms conductor: rooms closed, the rest go home");
            break;
        };
        stage.spawn(in_a_room(section, room, bar, start));
    }
    let mut stints = Vec::new();
    while let Some(done) = stage.join_next().await {
        stints.push(done.expect("no section panicked"));
    }
    let ms = start.elapsed().as_millis();
    println!("@{ms}ms conductor: {} sections rehearsed", stints.len());
    stints
}

#[tokio::main]
async fn main() {
    let sections: Vec<&str> =
        "violins violas cellos basses flutes oboes clarinets horns"
            .split_whitespace()
            .collect();
    let rooms = Arc::new(Semaphore::new(ROOMS));
    rehearse(&sections, rooms, Duration::from_millis(100)).await;
}
// ANCHOR_END: all

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use tokio::runtime::Handle;
    use tokio::time::timeout;

    const SECTIONS: [&str; 8] = [
        "violins",
        "violas",
        "cellos",
        "basses",
        "flutes",
        "oboes",
        "clarinets",
        "horns",
    ];
    const BAR: Duration = Duration::from_secs(1);
    /// On the paused clock: a rehearsal that waits forever ends here.
    const LIMIT: Duration = Duration::from_secs(60);
    /// On the real clock: three 20 ms bars take about 60 ms; ten seconds
    /// means never.
    const REAL_LIMIT: Duration = Duration::from_secs(10);

    /// The most stints that overlap at any instant. A stint holds its room
    /// from `entered` up to, not including, `left`: a section that walks
    /// out at 1000 ms has freed its room for one walking in at 1000 ms.
    fn most_at_once(stints: &[Stint]) -> usize {
        let mut changes: Vec<(u128, i64)> = Vec::new();
        for stint in stints {
            changes.push((stint.entered, 1));
            changes.push((stint.left, -1));
        }
        // At the same instant, departures (-1) sort before arrivals (+1).
        changes.sort();
        let (mut now, mut most) = (0i64, 0i64);
        for (_, change) in changes {
            now += change;
            most = most.max(now);
        }
        most as usize
    }

    /// What the rooms promise: every section had its turn, never more
    /// than `rooms` at once, and all of them (no fewer) were busy at some
    /// point; and the rehearsal took `ceil(sections / rooms)` bars.
    fn kept_to_the_rooms(
        stints: &[Stint],
        sections: &[&str],
        rooms: usize,
        bar: Duration,
    ) -> Result<(), String> {
        let mut played: Vec<&str> = stints.iter().map(|s| s.section).collect();
        let mut expected = sections.to_vec();
        played.sort_unstable();
        expected.sort_unstable();
        if played != expected {
            return Err(format!("sections {played:?}, not {expected:?}"));
        }
        let most = most_at_once(stints);
        if most != rooms {
            return Err(format!("{most} sections at once in {rooms} rooms"));
        }
        let end = stints.iter().map(|s| s.left).max().unwrap_or(0);
        let rounds = sections.len().div_ceil(rooms) as u128;
        if end != rounds * bar.as_millis() {
            return Err(format!("the last section left at {end} ms"));
        }
        Ok(())
    }

    /// Runs a rehearsal on the paused clock and counts, half a bar in, the
    /// tasks alive besides the one counting (the test itself is no task).
    async fn with_census(
        rehearsal: impl Future<Output = Vec<Stint>>,
    ) -> (Vec<Stint>, usize) {
        let census = tokio::spawn(async {
            sleep(BAR / 2).await;
            Handle::current().metrics().num_alive_tasks() - 1
        });
        let stints = timeout(LIMIT, rehearsal).await.expect("it ends");
        (stints, census.await.expect("the census counted"))
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_sections_than_rooms() {
        let rooms = Arc::new(Semaphore::new(ROOMS));
        let (stints, alive) =
            with_census(rehearse(&SECTIONS, rooms, BAR)).await;
        assert_eq!(kept_to_the_rooms(&stints, &SECTIONS, ROOMS, BAR), Ok(()));
        // The conductor spawns a section only once it holds a key, so the
        // other five are not tasks yet: they wait in its loop.
        assert_eq!(alive, ROOMS);
    }

    /// The bound holds with tasks running in parallel on worker threads
    /// too (real clock: only the invariant is asserted, not the timing).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_more_than_rooms_on_worker_threads() {
        let rooms = Arc::new(Semaphore::new(ROOMS));
        let bar = Duration::from_millis(20);
        let stints = timeout(REAL_LIMIT, rehearse(&SECTIONS, rooms, bar))
            .await
            .expect("the rehearsal ends");
        assert_eq!(stints.len(), SECTIONS.len());
        assert!(most_at_once(&stints) <= ROOMS, "{stints:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn closing_the_rooms_sends_the_waiting_home() {
        let rooms = Arc::new(Semaphore::new(ROOMS));
        let manager = Arc::clone(&rooms);
        let start = Instant::now();
        tokio::spawn(async move {
            sleep(BAR + BAR / 2).await;
            manager.close();
        });
        let stints = timeout(LIMIT, rehearse(&SECTIONS, rooms, BAR))
            .await
            .expect("the rehearsal ends");
        // Six had rooms before the close; the conductor, waiting for a
        // seventh, sent no one else; the three inside finished their bar.
        assert_eq!(stints.len(), 6, "{stints:?}");
        assert_eq!(most_at_once(&stints), ROOMS);
        assert!(stints.iter().all(|s| s.left - s.entered == 1000));
        assert_eq!(start.elapsed(), BAR * 2);
    }

    /// Broken twin: each section is spawned at once and asks for a room
    /// itself, but `let _ =` drops the permit as soon as it is granted.
    async fn rehearse_let_underscore(
        sections: &[&'static str],
        rooms: Arc<Semaphore>,
        bar: Duration,
    ) -> Vec<Stint> {
        let start = Instant::now();
        let mut stage = JoinSet::new();
        for &section in sections {
            let rooms = Arc::clone(&rooms);
            stage.spawn(async move {
                let _ = rooms.acquire().await.expect("open");
                let entered = start.elapsed().as_millis();
                sleep(bar).await;
                let left = start.elapsed().as_millis();
                Stint {
                    section,
                    entered,
                    left,
                }
            });
        }
        stage.join_all().await
    }

    #[tokio::test(start_paused = true)]
    async fn a_permit_dropped_at_once_limits_nothing() {
        let rooms = Arc::new(Semaphore::new(ROOMS));
        let stints =
            timeout(LIMIT, rehearse_let_underscore(&SECTIONS, rooms, BAR))
                .await
                .expect("the twin ends");
        assert_eq!(
            kept_to_the_rooms(&stints, &SECTIONS, ROOMS, BAR),
            Err("8 sections at once in 3 rooms".to_string())
        );
    }

    /// Twin: each section is spawned at once and waits for a room inside
    /// its own task, holding the permit for its whole bar.
    async fn rehearse_acquire_inside(
        sections: &[&'static str],
        rooms: Arc<Semaphore>,
        bar: Duration,
    ) -> Vec<Stint> {
        let start = Instant::now();
        let mut stage = JoinSet::new();
        for &section in sections {
            let rooms = Arc::clone(&rooms);
            stage.spawn(async move {
                let room = rooms.acquire_owned().await.expect("open");
                in_a_room(section, room, bar, start).await
            });
        }
        stage.join_all().await
    }

    #[tokio::test(start_paused = true)]
    async fn acquiring_inside_the_tasks_spawns_them_all_at_once() {
        let rooms = Arc::new(Semaphore::new(ROOMS));
        let (stints, alive) =
            with_census(rehearse_acquire_inside(&SECTIONS, rooms, BAR)).await;
        // The rooms are kept just as well, but all eight are tasks from
        // the start, five of them waiting at the semaphore.
        assert_eq!(kept_to_the_rooms(&stints, &SECTIONS, ROOMS, BAR), Ok(()));
        assert_eq!(alive, SECTIONS.len());
    }
}
