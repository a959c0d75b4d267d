//! The concrete path over a scenario whose undocumented choices fall into independent
//! groups ([`crate::sim::choice_groups`]; docs/semantics.md §9 "Independent choices:
//! one group at a time"): which group states a property line is evaluated on.

use super::concrete::{evaluate, unknown, Concrete};
use crate::ir::{ComponentId, Network, Property};
use crate::sim;
use crate::smt::Status;
use std::net::Ipv4Addr;
use std::time::Instant;

/// At most this many states are composed for one `symmetric` line over the groups
/// of undocumented choices it reads ([`grouped`]).
pub const MAX_COMPOSED: usize = 256;

/// Evaluates `prop` over a scenario whose undocumented choices fall into independent
/// groups (docs/semantics.md §9 "Independent choices"): `None` when it holds in every
/// stable state, else what the check concludes; `Err` (the symbolic path, why) when
/// the groups do not decide it.
///
/// A question that reads one destination address (`reachable`, `loop_free`,
/// `traverses`, `avoids`) or one prefix's routes (`never`) reads the prefixes of one
/// group at most, and sees in any stable state what it sees in one of that group's
/// states: the property is evaluated on each. `symmetric` reads the destinations of
/// both its ends: it is evaluated on the states composed over the product of the
/// groups those destinations read ([`sim::choice_groups::compose`]), at most
/// [`MAX_COMPOSED`]. Route limits count prefixes together: symbolic.
#[allow(clippy::too_many_arguments)]
pub(super) fn grouped(
    net: &Network,
    prop: &Property,
    failed: &[ComponentId],
    base: &sim::State,
    groups: &[super::cache::StateGroup],
    scenario: &sim::Scenario,
    per_class: bool,
    deadline: Instant,
    max_memory: u64,
) -> Result<Option<Concrete>, String> {
    use crate::ir::PropertyKind as K;
    if !per_class {
        return Err(
            "undocumented ties on prefix classes this property may read two prefixes of".into(),
        );
    }
    let dests = |pairs: &[(&crate::ir::Endpoint, &crate::ir::Endpoint)]| -> Vec<Ipv4Addr> {
        pairs
            .iter()
            .flat_map(|(a, b)| sim::props::destinations(net, a, b))
            .collect()
    };
    let reads_any = |g: &super::cache::StateGroup, ds: &[Ipv4Addr]| ds.iter().any(|d| g.reads(*d));
    // The groups the property reads, and whether it reads them jointly (`symmetric`:
    // the product) or one question at a time.
    let (read, joint): (Vec<&super::cache::StateGroup>, bool) = match &prop.kind {
        K::Reachable { from, to } | K::Traverses { from, to, .. } | K::Avoids { from, to, .. } => {
            let ds = dests(&[(from, to)]);
            (groups.iter().filter(|g| reads_any(g, &ds)).collect(), false)
        }
        K::Never { prefix, .. } => (
            groups
                .iter()
                .filter(|g| {
                    g.prefixes
                        .iter()
                        .any(|p| p.contains(prefix) || prefix.contains(p))
                })
                .collect(),
            false,
        ),
        K::LoopFree => (groups.iter().collect(), false),
        K::Symmetric { a, b } => {
            let ds = dests(&[(a, b), (b, a)]);
            (groups.iter().filter(|g| reads_any(g, &ds)).collect(), true)
        }
        K::RouteLimit { .. } => {
            return Err(
                "a route limit counts the prefixes of independently chosen classes together".into(),
            )
        }
    };
    // The states to evaluate, each as (tie-break, group states composed on `base`).
    let mut plans: Vec<Vec<(&super::cache::StateGroup, &super::cache::TieBreak)>> = Vec::new();
    if read.is_empty() {
        // Every stable state agrees with `base` on what the property reads.
        plans.push(Vec::new());
    } else if joint {
        let count = read
            .iter()
            .try_fold(1usize, |n, g| n.checked_mul(g.states.len()))
            .filter(|n| *n <= MAX_COMPOSED);
        if count.is_none() {
            return Err(format!(
                "more than {MAX_COMPOSED} combinations of the undocumented choices this property reads"
            ));
        }
        plans.push(Vec::new());
        for g in &read {
            plans = plans
                .iter()
                .flat_map(|p| {
                    g.states.iter().map(move |t| {
                        let mut q = p.clone();
                        q.push((*g, t));
                        q
                    })
                })
                .collect();
        }
    } else {
        for g in &read {
            for t in &g.states {
                plans.push(vec![(*g, t)]);
            }
        }
    }
    let mut first_other = None;
    for plan in plans {
        if Instant::now() >= deadline {
            return Ok(Some(Concrete::Decided(unknown(
                prop,
                crate::budget::TIME_LIMIT,
            ))));
        }
        let mut state = base.clone();
        let mut choices = sim::choice::Choices::default();
        for (g, t) in plan {
            state = sim::choice_groups::compose(&state, &t.state, &g.keys);
            choices = choices.merged(&t.choices);
        }
        let tables = std::sync::OnceLock::new();
        match evaluate(
            net,
            prop,
            failed,
            &state,
            scenario,
            &tables,
            Some(&choices),
            deadline,
            max_memory,
        ) {
            None => {}
            Some(Concrete::Decided(v)) if v.status == Status::Fail => {
                return Ok(Some(Concrete::Decided(v)))
            }
            Some(other) => {
                first_other.get_or_insert(other);
            }
        }
    }
    Ok(first_other)
}
