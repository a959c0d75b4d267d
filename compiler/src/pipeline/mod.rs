//! How a design's property lines are decided, and on which threads.
//!
//! ```text
//! concrete.rs  no environment: per failure set, simulate, prove the stable state
//!              unique (smt::unique), evaluate on it (sim::props)
//! cache.rs     scenario → proved stable state, shared by every line of the run
//! ```
//!
//! Every line first tries the concrete path (in parallel, rayon work stealing: one
//! slow line does not hold the others back). Lines it cannot decide — environments
//! (`assume`), several stable states, route limits in reach, more failure sets than
//! [`concrete::MAX_SCENARIOS`] — go to the symbolic path ([`crate::smt::queries`]),
//! where lines with the same scenario share one encoder and one solver.
//!
//! `--timeout` is per check: a check's deadline starts when its first line starts;
//! whatever is undecided at the deadline is `unknown`.

pub mod cache;
pub mod concrete;
pub mod grouped;

use crate::ir::{Check, Network, Property};
use crate::smt::{PropertyVerdict, Status};
use cache::ScenarioCache;
use concrete::Concrete;
use rayon::prelude::*;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The verdict of every property line of `checks`, per check, in order. `max_memory`:
/// the process's memory budget in bytes, checked by both paths ([`crate::budget`]).
pub fn run(
    net: &Network,
    checks: &[&Check],
    timeout: Duration,
    max_memory: u64,
) -> Vec<Vec<PropertyVerdict>> {
    run_with(net, checks, timeout, max_memory, &ScenarioCache::new())
}

/// [`run`] with the scenarios of `cache` (which may hold stable states simulated
/// already: [`ScenarioCache::simulated`]).
pub fn run_with(
    net: &Network,
    checks: &[&Check],
    timeout: Duration,
    max_memory: u64,
    cache: &ScenarioCache,
) -> Vec<Vec<PropertyVerdict>> {
    let tasks: Vec<(usize, usize)> = checks
        .iter()
        .enumerate()
        .flat_map(|(c, check)| (0..check.properties.len()).map(move |p| (c, p)))
        .collect();
    let deadlines: Vec<OnceLock<Instant>> = checks.iter().map(|_| OnceLock::new()).collect();
    let deadline_of = |c: usize| {
        deadlines
            .get(c)
            .map(|d| {
                *d.get_or_init(|| {
                    let now = Instant::now();
                    now.checked_add(timeout)
                        .unwrap_or(now + Duration::from_secs(86_400 * 365))
                })
            })
            .unwrap_or_else(Instant::now)
    };
    let prop_of = |(c, p): (usize, usize)| -> Option<&Property> {
        checks.get(c).and_then(|check| check.properties.get(p))
    };
    // 1. The concrete path, every line in parallel.
    let first: Vec<Option<PropertyVerdict>> = tasks
        .par_iter()
        .map(|&(c, p)| {
            let prop = prop_of((c, p))?;
            match concrete::decide_within(net, prop, deadline_of(c), max_memory, cache) {
                Concrete::Decided(v) => Some(v),
                Concrete::Symbolic(_) => None,
            }
        })
        .collect();
    // 2. The symbolic path for the rest: lines dealt round-robin to one thread per core
    //    (each thread has its own z3 context); on a thread, lines with the same
    //    scenario share a `smt::queries::Session`.
    let rest: Vec<usize> = first
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_none())
        .map(|(i, _)| i)
        .collect();
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(rest.len())
        .max(1);
    let symbolic: Vec<(usize, PropertyVerdict)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let mine: Vec<usize> = rest.iter().skip(w).step_by(workers).copied().collect();
                let tasks = &tasks;
                let deadline_of = &deadline_of;
                let prop_of = &prop_of;
                scope.spawn(move || {
                    let props: Vec<&Property> = mine
                        .iter()
                        .filter_map(|i| tasks.get(*i).and_then(|t| prop_of(*t)))
                        .collect();
                    if props.len() != mine.len() {
                        return Vec::new();
                    }
                    let deadline = |k: usize| {
                        mine.get(k)
                            .and_then(|i| tasks.get(*i))
                            .map(|t| deadline_of(t.0))
                            .unwrap_or_else(Instant::now)
                    };
                    let verdicts =
                        crate::smt::queries::verify_properties(net, &props, &deadline, max_memory);
                    mine.into_iter().zip(verdicts).collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut by_task = first;
    for (i, v) in symbolic {
        if let Some(slot) = by_task.get_mut(i) {
            *slot = Some(v);
        }
    }
    let mut out: Vec<Vec<PropertyVerdict>> = checks.iter().map(|_| Vec::new()).collect();
    for (&(c, p), v) in tasks.iter().zip(by_task) {
        let Some(slot) = out.get_mut(c) else { continue };
        // A worker that died (a bug in the verifier) leaves its line unknown.
        slot.push(v.unwrap_or_else(|| {
            PropertyVerdict {
                span: prop_of((c, p))
                    .map(|x| x.span)
                    .or_else(|| checks.get(c).map(|x| x.span))
                    .unwrap_or_default(),
                status: Status::Unknown("the verifier stopped unexpectedly".to_string()),
                counterexample: None,
            }
        }));
    }
    out
}
