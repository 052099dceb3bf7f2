#[cfg(loom)]
use loom::{
    sync::atomic::{AtomicU32, Ordering},
    sync::Arc,
    thread,
};
#[cfg(not(loom))]
use std::{
    sync::atomic::{AtomicU32, Ordering},
    sync::Arc,
    thread,
};

// ANCHOR: all
const CEILING: u32 = 160;

/// Raise the tempo by 10 bpm unless that would pass the ceiling.
/// `Ok` holds the tempo it raised from, `Err` the tempo it left alone.
fn raise(tempo: &AtomicU32) -> Result<u32, u32> {
    tempo.try_update(Ordering::Relaxed, Ordering::Relaxed, |bpm| {
        let raised = bpm + 10;
        (raised <= CEILING).then_some(raised)
    })
}

fn main() {
    let tempo = Arc::new(AtomicU32::new(120));
    let sections: Vec<thread::JoinHandle<Result<u32, u32>>> = (0..6)
        .map(|_| {
            let tempo = Arc::clone(&tempo);
            thread::spawn(move || raise(&tempo))
        })
        .collect();
    let asked: Vec<Result<u32, u32>> = sections
        .into_iter()
        .map(|section| section.join().unwrap())
        .collect();

    let landed = asked.iter().filter(|a| a.is_ok()).count();
    let refused: Vec<u32> = asked.iter().filter_map(|a| a.err()).collect();
    println!("6 sections ask for 10 bpm more, up to {CEILING}");
    println!("{landed} raises landed, refused at {refused:?}");
    println!("tempo: {} bpm", tempo.load(Ordering::Relaxed));
}
// ANCHOR_END: all

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn raises_land_until_the_ceiling_and_no_further() {
        let tempo = AtomicU32::new(140);
        assert_eq!(raise(&tempo), Ok(140));
        assert_eq!(raise(&tempo), Ok(150));
        assert_eq!(raise(&tempo), Err(160));
        assert_eq!(tempo.load(Ordering::Relaxed), 160);
        let near = AtomicU32::new(155);
        assert_eq!(raise(&near), Err(155));
        assert_eq!(near.load(Ordering::Relaxed), 155);
    }
}

// ANCHOR: loom
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::sync::Mutex;

    /// (raises that landed; tempos refused at, sorted; final tempo; the
    /// tempo one look saw while others may still be asking)
    type Outcome = (usize, Vec<u32>, u32, u32);

    /// Every outcome loom reaches when three sections `ask` at once
    /// for a raise from 140 bpm.
    fn outcomes(ask: fn(&AtomicU32) -> Result<u32, u32>) -> BTreeSet<Outcome> {
        let all = std::sync::Arc::new(Mutex::new(BTreeSet::new()));
        let seen = all.clone();
        loom::model(move || {
            let tempo = Arc::new(AtomicU32::new(140));
            let others: Vec<_> = (0..2)
                .map(|_| {
                    let tempo = Arc::clone(&tempo);
                    thread::spawn(move || ask(&tempo))
                })
                .collect();
            let mut asked = vec![ask(&tempo)];
            let looked = tempo.load(Ordering::Relaxed); // before the joins
            asked.extend(others.into_iter().map(|o| o.join().unwrap()));
            let landed = asked.iter().filter(|a| a.is_ok()).count();
            let mut refused: Vec<u32> =
                asked.iter().filter_map(|a| a.err()).collect();
            refused.sort();
            let end = tempo.load(Ordering::Relaxed);
            seen.lock().unwrap().insert((landed, refused, end, looked));
        });
        let all = std::sync::Arc::try_unwrap(all).unwrap();
        all.into_inner().unwrap()
    }

    /// One ending, and the look finds 150 or 160, never past the ceiling.
    #[test]
    fn each_explored_interleaving_lands_each_raise_that_fits() {
        let expected = BTreeSet::from([
            (2, vec![160], 160, 150),
            (2, vec![160], 160, 160),
        ]);
        assert_eq!(outcomes(raise), expected);
    }

    /// Broken twin: one `compare_exchange`, with no loop around it.
    fn one_try(tempo: &AtomicU32) -> Result<u32, u32> {
        let bpm = tempo.load(Ordering::Relaxed);
        if bpm + 10 > CEILING {
            return Err(bpm);
        }
        tempo.compare_exchange(
            bpm,
            bpm + 10,
            Ordering::Relaxed,
            Ordering::Relaxed,
        )
    }

    #[test]
    fn the_same_check_catches_a_refusal_below_the_ceiling() {
        assert!(outcomes(one_try).contains(&(1, vec![150, 150], 150, 150)));
    }

    /// Broken twin: add 10, and take it back if that passed the ceiling.
    /// Every ending is right; the look catches the tempo at 170.
    fn add_then_take_back(tempo: &AtomicU32) -> Result<u32, u32> {
        let bpm = tempo.fetch_add(10, Ordering::Relaxed);
        if bpm + 10 <= CEILING {
            return Ok(bpm);
        }
        tempo.fetch_sub(10, Ordering::Relaxed);
        Err(bpm)
    }

    #[test]
    fn the_look_catches_a_tempo_past_the_ceiling() {
        let endings = outcomes(add_then_take_back);
        let right = |(raised, refused, end, _): &Outcome| {
            *raised == 2 && *refused == [160] && *end == 160
        };
        assert!(endings.iter().all(right));
        assert!(endings.contains(&(2, vec![160], 160, 170)));
    }
}
// ANCHOR_END: loom
