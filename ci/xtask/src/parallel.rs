//! Work on many items, a few at a time, each result in its item's place.

use std::sync::Mutex;

/// `work` on every one of `items`, `at_once` at a time (at least one), in
/// threads of this process; the results in the order of `items`. `work`
/// also gets the number of the worker that runs it (from 0 to `at_once`),
/// for what each worker needs its own of, such as a folder.
pub fn each<T: Sync, R: Send>(
    items: &[T],
    at_once: usize,
    work: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    let next = Mutex::new(items.iter().enumerate());
    let results = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|s| {
        for worker in 0..at_once.clamp(1, items.len().max(1)) {
            let (next, results, work) = (&next, &results, &work);
            s.spawn(move || loop {
                let Some((i, item)) =
                    next.lock().expect("no worker panics").next()
                else {
                    break;
                };
                let result = work(worker, item);
                results.lock().expect("no worker panics").push((i, result));
            });
        }
    });
    let mut results = results.into_inner().expect("no worker panics");
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_worked_once_and_its_result_keeps_its_place() {
        let items: Vec<u64> = (0..50).collect();
        let workers = Mutex::new(std::collections::BTreeSet::new());
        let squares = each(&items, 3, |worker, n| {
            workers.lock().unwrap().insert(worker);
            std::thread::yield_now();
            n * n
        });
        assert_eq!(squares, items.iter().map(|n| n * n).collect::<Vec<_>>());
        assert!(workers.into_inner().unwrap().iter().all(|w| *w < 3));
        assert!(each(&[] as &[u8], 4, |_, n| *n).is_empty());
        assert_eq!(each(&[7], 0, |worker, n| (worker, *n)), [(0, 7)]);
    }
}
