//! Independent key derivations on all cores.
//!
//! A PFX's MAC key and the keys of its encrypted contents and key bags are
//! derived from the same password but independently of one another, and
//! each costs up to hundreds of thousands of hash compressions. [`map`] runs
//! such tasks on scoped threads (`std::thread::scope`): nothing outlives the
//! call, results come back in order, and the calling thread works through
//! the same queue, so if no thread can be started everything still runs.

use std::{
    num::NonZero,
    panic,
    sync::atomic::{AtomicUsize, Ordering},
    thread,
};

/// `items.iter().map(f).collect()`, with the calls spread over threads.
///
/// Callers put the most expensive items first. There are up to twice as
/// many workers as cores (never more than items): derivations of unequal
/// length then share the cores fairly instead of one core idling while
/// another finishes a long task.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = thread::available_parallelism().map_or(1, NonZero::get);
    let workers = items.len().min(cores.saturating_mul(2));
    if workers <= 1 || cores == 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else {
                return done;
            };
            done.push((index, f(item)));
        }
    };
    let mut results = thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers)
            .filter_map(|_| thread::Builder::new().spawn_scoped(scope, work).ok())
            .collect();
        let mut results = work();
        for helper in helpers {
            match helper.join() {
                Ok(done) => results.extend(done),
                Err(payload) => panic::resume_unwind(payload),
            }
        }
        results
    });
    results.sort_unstable_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_order() {
        let items: Vec<u64> = (0..100).collect();
        let out = map(&items, |&x| x * x);
        assert_eq!(out, items.iter().map(|x| x * x).collect::<Vec<_>>());
        assert!(map(&[] as &[u8], |&x| x).is_empty());
    }

    #[test]
    fn tasks_may_be_closures() {
        let tasks: [&(dyn Fn() -> String + Sync); 2] = [&|| "a".to_owned(), &|| "b".to_owned()];
        assert_eq!(map(&tasks, |task| task()), ["a", "b"]);
    }
}
