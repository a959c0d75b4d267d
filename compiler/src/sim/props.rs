//! Concrete evaluation of properties (semantics.md §4) in one stable state, or in
//! every allowed failure scenario.
//!
//! Choices where the spec is silent:
//! - "Delivered to B": a node B — the walk ends at B; a subnet — at its VMs or at an
//!   NVA whose NIC is in it; a VNet — at any of its subnets or NVAs; a prefix or an
//!   address — at an owner of the destination (`sim::owners`); `internet` — at the
//!   internet node.
//! - Destinations of B: a node's owned originations and its NIC address (an NVA's),
//!   a subnet's address (a default subnet: the VNet space no declared subnet holds),
//!   a VNet's address space, the prefix/address itself, and for `internet` the classes
//!   the internet owns. A B without any address makes `reachable`/`path` hold
//!   vacuously.
//! - A scenario without a stable state is reported as [`PropertyOutcome::NoStableState`]
//!   (neither pass nor fail); the caller decides (the CLI: `unknown`).
//! - `assume N advertises any within P`: symbolic, SMT only. The simulator evaluates
//!   the environment where N advertises nothing more (one of the allowed ones): a
//!   violation there is real; a pass is [`PropertyOutcome::Inconclusive`].
//! - Undocumented choices (super::choice): each scenario is evaluated in every stable
//!   state over them; more than `choice::MAX_STATES` makes a pass inconclusive.
//! - Failure sets are enumerated by size (0, 1, …, K), each size in lexicographic
//!   order of component ids; the first violating set is reported.

use super::bgp::{arrival_order_dependence, NonConvergence, Route, State, Unsettled};
use super::choice::{stable_states, MAX_CHOICES, MAX_STATES};
use super::classes::{destination_classes, host, Class};
use super::failure_sets::next_combination;
use super::forward::{Disposition, Path, WalkTables, Walker};
use super::{endpoint_source, owners, vnet_owner, Owner, Scenario};
use crate::ir::{ComponentId, Endpoint, Network, NodeId, Property, PropertyKind};
use ipnet::Ipv4Net;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::net::Ipv4Addr;
use std::sync::Arc;

/// At most this many witness paths are kept per counterexample.
const MAX_WITNESSES: usize = 8;

/// A path that shows a violation.
pub type Witness = Path;

/// A route that shows a violation (`never`, `routes`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WitnessRoute {
    pub node: NodeId,
    pub route: Route,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Counterexample {
    /// The failed components (`under failures`), beyond `without`.
    pub failed: Vec<ComponentId>,
    /// What went wrong, in a few words.
    pub explanation: String,
    pub paths: Vec<Witness>,
    pub routes: Vec<WitnessRoute>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum PropertyOutcome {
    Holds,
    Violated(Counterexample),
    /// The simulator cannot decide (symbolic assumptions).
    Inconclusive(String),
    /// This failure scenario has no stable state.
    NoStableState {
        failed: Vec<ComponentId>,
        non_convergence: NonConvergence,
    },
}

impl PropertyOutcome {
    pub fn holds(&self) -> bool {
        matches!(self, PropertyOutcome::Holds)
    }
}

/// The result of checking a property in every allowed scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FailureEvaluation {
    pub outcome: PropertyOutcome,
    /// How many scenarios were simulated.
    pub scenarios: usize,
}

fn violated(
    explanation: impl Into<String>,
    paths: Vec<Path>,
    routes: Vec<WitnessRoute>,
) -> PropertyOutcome {
    PropertyOutcome::Violated(Counterexample {
        failed: Vec::new(),
        explanation: explanation.into(),
        paths,
        routes,
    })
}

/// Walks every path from `from` to `to`: holds when none is `bad`, otherwise
/// violated with `what` and up to `MAX_WITNESSES` bad paths.
#[allow(clippy::too_many_arguments)]
fn bad_paths(
    net: &Network,
    dest_net: &Network,
    state: &State,
    sc: &Scenario,
    from: &Endpoint,
    to: &Endpoint,
    what: &str,
    bad: impl Fn(&Path) -> bool,
    stop: &dyn Fn() -> Option<String>,
    tables: Option<&Arc<WalkTables>>,
) -> PropertyOutcome {
    let mut walker = walker_for(net, state, sc, tables);
    let paths = match paths_between(net, dest_net, &mut walker, from, to, stop) {
        Ok(p) => p,
        Err(NoPaths::NoSource(e)) => return violated(e, Vec::new(), Vec::new()),
        Err(NoPaths::Stopped(why)) => return PropertyOutcome::Inconclusive(why),
    };
    let bad: Vec<Path> = paths
        .into_iter()
        .filter(|p| bad(p))
        .take(MAX_WITNESSES)
        .collect();
    if bad.is_empty() {
        PropertyOutcome::Holds
    } else {
        violated(what, bad, Vec::new())
    }
}

/// Evaluates `prop` in one stable state (`state` of scenario `sc`; the caller has
/// already put `prop.without` into `sc`). Assumptions are not applied here.
pub fn evaluate(net: &Network, state: &State, sc: &Scenario, prop: &Property) -> PropertyOutcome {
    evaluate_at(net, net, state, sc, prop)
}

/// [`evaluate`], asking `stop` before each destination class it walks (one per
/// forwarding role) and, for `loop_free`, each source: when `stop`
/// answers a reason (a deadline, a memory budget: [`crate::budget::stop_check`]), the
/// outcome is [`PropertyOutcome::Inconclusive`] with that reason.
pub fn evaluate_until(
    net: &Network,
    state: &State,
    sc: &Scenario,
    prop: &Property,
    stop: &dyn Fn() -> Option<String>,
) -> PropertyOutcome {
    evaluate_at_until(net, net, state, sc, prop, stop, None)
}

/// [`evaluate_until`] with the walk tables of `state` already computed
/// ([`WalkTables::new`] of the same `net`, `state` and `sc`): properties evaluated on
/// one state share its effective routes and forwarding roles.
pub fn evaluate_with_tables_until(
    net: &Network,
    state: &State,
    sc: &Scenario,
    prop: &Property,
    tables: &Arc<WalkTables>,
    stop: &dyn Fn() -> Option<String>,
) -> PropertyOutcome {
    evaluate_at_until(net, net, state, sc, prop, stop, Some(tables))
}

/// A walker over `tables` when given, else over freshly computed ones.
fn walker_for<'a>(
    net: &'a Network,
    state: &'a State,
    sc: &Scenario,
    tables: Option<&Arc<WalkTables>>,
) -> Walker<'a> {
    match tables {
        Some(t) => Walker::with_tables(net, state, Arc::clone(t)),
        None => Walker::new(net, state, sc),
    }
}

/// [`evaluate`], with the destinations of `reachable`, `path` and `symmetric` taken
/// from `dest_net` — the design as written — while `net` (the design with an
/// environment's announcements added as originations) routes: announcing a prefix
/// makes a site own it, but does not change which addresses the property is about.
pub fn evaluate_at(
    net: &Network,
    dest_net: &Network,
    state: &State,
    sc: &Scenario,
    prop: &Property,
) -> PropertyOutcome {
    evaluate_at_until(net, dest_net, state, sc, prop, &|| None, None)
}

fn evaluate_at_until(
    net: &Network,
    dest_net: &Network,
    state: &State,
    sc: &Scenario,
    prop: &Property,
    stop: &dyn Fn() -> Option<String>,
    tables: Option<&Arc<WalkTables>>,
) -> PropertyOutcome {
    let name = |n: NodeId| super::node_name(net, n).to_string();
    match &prop.kind {
        PropertyKind::Never {
            node,
            prefix,
            via,
            originated_by,
        } => {
            let bad: Vec<WitnessRoute> = state
                .installed(*node, *prefix)
                .iter()
                .filter(|r| via.is_none_or(|m| r.from_node(net) == Some(m)))
                .filter(|r| originated_by.is_none_or(|o| r.origin == o))
                .map(|r| WitnessRoute {
                    node: *node,
                    route: r.clone(),
                })
                .collect();
            if bad.is_empty() {
                PropertyOutcome::Holds
            } else {
                violated(
                    format!("`{}` installs `{}`", name(*node), prefix),
                    Vec::new(),
                    bad,
                )
            }
        }
        PropertyKind::RouteLimit { node, max } => {
            let count = state.rib(*node).map(|r| r.installed_count()).unwrap_or(0);
            if count as u64 <= *max {
                PropertyOutcome::Holds
            } else {
                let routes = state
                    .rib(*node)
                    .map(|r| {
                        r.iter()
                            .filter_map(|(_, p)| p.best())
                            .map(|r| WitnessRoute {
                                node: *node,
                                route: r.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                violated(
                    format!(
                        "`{}` installs {count} prefixes, more than {max}",
                        name(*node)
                    ),
                    Vec::new(),
                    routes,
                )
            }
        }
        PropertyKind::Reachable { from, to } => bad_paths(
            net,
            dest_net,
            state,
            sc,
            from,
            to,
            "a packet is not delivered",
            |p| !delivered_to(dest_net, p, to),
            stop,
            tables,
        ),
        PropertyKind::Traverses { from, to, waypoint } => bad_paths(
            net,
            dest_net,
            state,
            sc,
            from,
            to,
            &format!("a path is not delivered through `{}`", name(*waypoint)),
            |p| !delivered_to(dest_net, p, to) || !p.visits(*waypoint),
            stop,
            tables,
        ),
        PropertyKind::Avoids { from, to, waypoint } => bad_paths(
            net,
            dest_net,
            state,
            sc,
            from,
            to,
            &format!("a path passes `{}`", name(*waypoint)),
            |p| p.visits(*waypoint),
            stop,
            tables,
        ),
        PropertyKind::Symmetric { a, b } => {
            let mut walker = walker_for(net, state, sc, tables);
            let mut all = Vec::new();
            // How many of `all` go from `a` to `b` (the rest come back).
            let mut n_there: Option<usize> = None;
            for (x, y) in [(a, b), (b, a)] {
                match paths_between(net, dest_net, &mut walker, x, y, stop) {
                    Ok(p) => all.extend(p.into_iter().map(|p| (p, y))),
                    Err(NoPaths::NoSource(e)) => return violated(e, Vec::new(), Vec::new()),
                    Err(NoPaths::Stopped(why)) => return PropertyOutcome::Inconclusive(why),
                }
                n_there.get_or_insert(all.len());
            }
            let undelivered: Vec<Path> = all
                .iter()
                .filter(|(p, y)| !delivered_to(dest_net, p, y))
                .map(|(p, _)| p.clone())
                .take(MAX_WITNESSES)
                .collect();
            if !undelivered.is_empty() {
                return violated("a packet is not delivered", undelivered, Vec::new());
            }
            let nvas = |p: &Path| -> BTreeSet<NodeId> {
                p.hops
                    .iter()
                    .map(|h| h.node)
                    .filter(|n| {
                        net.nodes
                            .get(*n)
                            .is_some_and(|x| x.behaviours.fabric_subnet.is_some())
                    })
                    .collect()
            };
            // A flow's two directions: any path each way, except that one HA-ports
            // internal load balancer gives both directions of a flow to the same
            // backend (load-balancer/load-balancer-ha-ports-overview.md, "Flow
            // symmetry"), so paths that took different backends of a load balancer
            // both use are not one flow.
            let balanced = |p: &Path| -> BTreeMap<u32, NodeId> {
                p.hops
                    .iter()
                    .filter_map(|h| match h.arrival {
                        super::Arrival::LoadBalancer(i) => Some((i, h.node)),
                        _ => None,
                    })
                    .collect()
            };
            let one_flow = |p: &Path, q: &Path| {
                let (x, y) = (balanced(p), balanced(q));
                x.iter().all(|(i, n)| y.get(i).is_none_or(|m| m == n))
            };
            let (there, back) = all.split_at(n_there.unwrap_or(0).min(all.len()));
            for (p, _) in there {
                for (q, _) in back {
                    if one_flow(p, q) && nvas(p) != nvas(q) {
                        return violated(
                            "the two directions pass different NVAs",
                            vec![p.clone(), q.clone()],
                            Vec::new(),
                        );
                    }
                }
            }
            PropertyOutcome::Holds
        }
        PropertyKind::LoopFree => {
            let mut walker = walker_for(net, state, sc, tables);
            let mut sources: Vec<super::Source> = net
                .nodes
                .ids()
                .filter(|n| sc.node_alive(net, *n))
                .map(super::Source::Node)
                .collect();
            sources.extend(net.subnets.ids().map(super::Source::Subnet));
            let mut bad = Vec::new();
            // One class per forwarding role: the others loop exactly when it does.
            let mut seen: HashSet<Vec<u32>> = HashSet::new();
            let classes = walker.destination_classes().to_vec();
            for class in classes {
                if !seen.insert(walker.forwarding_signature(class.representative())) {
                    continue;
                }
                if let Some(why) = stop() {
                    return PropertyOutcome::Inconclusive(why);
                }
                walker.clear_cache();
                for s in &sources {
                    if let Some(why) = stop() {
                        return PropertyOutcome::Inconclusive(why);
                    }
                    for p in walker.walk(*s, class.representative()) {
                        if p.disposition == Disposition::Loop && bad.len() < MAX_WITNESSES {
                            bad.push(p);
                        }
                    }
                }
                if bad.len() >= MAX_WITNESSES {
                    break;
                }
            }
            if bad.is_empty() {
                PropertyOutcome::Holds
            } else {
                violated("a packet loops", bad, Vec::new())
            }
        }
    }
}

/// Why [`paths_between`] has no paths to give.
enum NoPaths {
    /// The source endpoint has no place in the design (the property is violated).
    NoSource(&'static str),
    /// The caller's bound stopped the walks.
    Stopped(String),
}

/// Every path from `from` to every destination class of `to`; `stop` is asked before
/// each destination class.
fn paths_between(
    net: &Network,
    dest_net: &Network,
    walker: &mut Walker<'_>,
    from: &Endpoint,
    to: &Endpoint,
    stop: &dyn Fn() -> Option<String>,
) -> Result<Vec<Path>, NoPaths> {
    let src = endpoint_source(net, from)
        .ok_or(NoPaths::NoSource("the source has no place in the design"))?;
    let mut out = Vec::new();
    // Destinations with the same forwarding role have paths with the same hops and
    // ends (and owners): one stands for all. Only when the destinations are the
    // routing design's own (an environment's announcements make owners that
    // `dest_net` does not have).
    let group = std::ptr::eq(net, dest_net);
    let mut seen: HashSet<Vec<u32>> = HashSet::new();
    let dests = if group {
        destinations_in(
            dest_net,
            walker.destination_classes(),
            walker.owner_index(),
            from,
            to,
        )
    } else {
        destinations(dest_net, from, to)
    };
    for d in dests {
        if group && !seen.insert(walker.forwarding_signature(d)) {
            continue;
        }
        if let Some(why) = stop() {
            return Err(NoPaths::Stopped(why));
        }
        out.extend(walker.walk(src, d));
    }
    Ok(out)
}

/// The representative addresses of the destination classes of endpoint `to`.
pub fn destinations(net: &Network, from: &Endpoint, to: &Endpoint) -> Vec<Ipv4Addr> {
    destinations_in(
        net,
        &destination_classes(net, &[]),
        &super::OwnerIndex::new(net),
        from,
        to,
    )
}

/// [`destinations`] from the design's destination classes `base`
/// (`destination_classes(net, &[])`) and its owner index, both computed once.
fn destinations_in(
    net: &Network,
    base: &[Class],
    index: &super::OwnerIndex,
    from: &Endpoint,
    to: &Endpoint,
) -> Vec<Ipv4Addr> {
    let mut extra: Vec<Ipv4Net> = Vec::new();
    for ep in [from, to] {
        match *ep {
            Endpoint::Prefix(p) => extra.push(p),
            Endpoint::Address(a) => extra.push(host(a)),
            _ => {}
        }
    }
    let classes = super::classes::split_classes(base, &extra);
    let classes: &[Class] = &classes;
    // The classes inside any of `ranges`, in order: the classes are sorted and
    // disjoint, so each range is a binary search and a scan of what it covers.
    let in_ranges = |ranges: &[Ipv4Net]| -> Vec<Class> {
        let mut out: std::collections::BTreeSet<Class> = std::collections::BTreeSet::new();
        for r in ranges {
            let first = classes.partition_point(|c| c.hi < r.network());
            out.extend(
                classes
                    .iter()
                    .skip(first)
                    .take_while(|c| c.lo <= r.broadcast())
                    .filter(|c| c.inside(r))
                    .copied(),
            );
        }
        out.into_iter().collect()
    };
    let picked: Vec<Class> = match *to {
        Endpoint::Node(n) => {
            let Some(node) = net.nodes.get(n) else {
                return Vec::new();
            };
            if node.behaviours.internet {
                internet_classes(net, classes, index)
            } else {
                let mut ranges: Vec<Ipv4Net> = Vec::new();
                if node.behaviours.owns_originated {
                    ranges.extend(
                        node.originates
                            .iter()
                            .filter(|o| !o.aggregate)
                            .map(|o| o.prefix),
                    );
                }
                ranges.extend(node.all_nics().into_iter().map(|(a, _)| host(a)));
                ranges.extend(node.address.map(host));
                // A node as destination is what it owns (docs/language.md), and
                // ownership is longest-prefix (LANGUAGE.md §2.4): the classes a more
                // specific owner holds — a VNet inside a site's 10.0.0.0/8, another
                // node's /16 — are not this node's.
                in_ranges(&ranges)
                    .into_iter()
                    .filter(|c| index.owners(net, c.lo).contains(&Owner::Node(n)))
                    .collect()
            }
        }
        Endpoint::Subnet(s) => match net.subnets.get(s) {
            Some(sub) => match sub.address {
                Some(a) => in_ranges(&[a]),
                None => net
                    .vnets
                    .get(sub.vnet)
                    .map(|v| {
                        in_ranges(&v.address)
                            .into_iter()
                            .filter(|c| vnet_owner(net, sub.vnet, c.lo) == Some(s))
                            .collect()
                    })
                    .unwrap_or_default(),
            },
            None => Vec::new(),
        },
        Endpoint::Vnet(v) => net
            .vnets
            .get(v)
            .map(|x| in_ranges(&x.address))
            .unwrap_or_default(),
        Endpoint::Prefix(p) => in_ranges(&[p]),
        Endpoint::Address(a) => in_ranges(&[host(a)]),
        Endpoint::Internet => internet_classes(net, classes, index),
    };
    picked.iter().map(Class::representative).collect()
}

fn internet_classes(net: &Network, classes: &[Class], index: &super::OwnerIndex) -> Vec<Class> {
    let Some(i) = net.internet else {
        return Vec::new();
    };
    classes
        .iter()
        .filter(|c| index.owners(net, c.lo) == vec![Owner::Node(i)])
        .copied()
        .collect()
}

/// Whether a path was delivered to endpoint `to` (see the header for the meaning).
pub fn delivered_to(net: &Network, p: &Path, to: &Endpoint) -> bool {
    if p.disposition != Disposition::Delivered {
        return false;
    }
    let Some(end) = p.delivered_to else {
        return false;
    };
    let nic_subnet = |o: Owner| match o {
        Owner::Subnet(s) => Some(s),
        Owner::Node(n) => net.nodes.get(n).and_then(|x| x.behaviours.fabric_subnet),
    };
    match *to {
        Endpoint::Node(n) => end == Owner::Node(n),
        Endpoint::Subnet(s) => nic_subnet(end) == Some(s),
        Endpoint::Vnet(v) => nic_subnet(end)
            .and_then(|s| net.subnets.get(s))
            .is_some_and(|s| s.vnet == v),
        Endpoint::Prefix(_) | Endpoint::Address(_) => owners(net, p.to).contains(&end),
        Endpoint::Internet => net.internet.is_some_and(|i| end == Owner::Node(i)),
    }
}

/// Evaluates `prop` with its `without` components down and, for `under failures K`,
/// in every scenario with at most K more failable components down (only those of
/// its `of` scope: [`Property::failable`]), in every stable state over the
/// undocumented choices. A violation in any stable state is the outcome; else a
/// scenario or choice without a stable state makes it [`PropertyOutcome::NoStableState`]
/// (the first such); else it holds (or is inconclusive).
pub fn evaluate_with_failures(net: &Network, prop: &Property) -> FailureEvaluation {
    evaluate_with_failures_at(net, net, prop)
}

/// `prop` in one concrete environment: each `(node, prefix)` is announced as an
/// origination of that node (`assume` lines are dropped), under every failure set the
/// property allows, asking about the destinations of `net` as written. This is how an
/// SMT counterexample's environment is replayed, and how one concrete environment of
/// an `assume` is tried.
pub fn evaluate_in_environment(
    net: &Network,
    prop: &Property,
    announcements: impl IntoIterator<Item = (NodeId, Ipv4Net)>,
) -> FailureEvaluation {
    let concrete = net.with_originations(announcements.into_iter().map(|(n, q)| (n, q, prop.span)));
    let mut plain = prop.clone();
    plain.assumptions.clear();
    evaluate_with_failures_at(&concrete, net, &plain)
}

/// [`evaluate_with_failures`] with the destinations of `dest_net` (see
/// [`evaluate_at`]): replaying an environment's announcements as originations.
pub fn evaluate_with_failures_at(
    net: &Network,
    dest_net: &Network,
    prop: &Property,
) -> FailureEvaluation {
    let base: BTreeSet<ComponentId> = prop.without.iter().copied().collect();
    // `under failures K [of ...]`: only the property's failable components.
    let failable = prop.failable(net);
    let k = (prop.failures as usize).min(failable.len());
    let mut scenarios = 0;
    let mut incomplete = false;
    let mut unsettled = None;
    let mut arrival: Option<String> = None;
    for size in 0..=k {
        let mut combo: Vec<usize> = (0..size).collect();
        loop {
            let failed: Vec<ComponentId> = combo
                .iter()
                .filter_map(|i| failable.get(*i).copied())
                .collect();
            let sc = Scenario::new(base.iter().copied().chain(failed.iter().copied()));
            scenarios += 1;
            // Every stable state over the undocumented choices (super::choice).
            // A scenario (or one of its choices) without a stable state does not end
            // the search: a stable state of another that violates the property is a
            // counterexample all the same; without one, no stable state is the outcome.
            let all = match stable_states(net, &sc, &|| None) {
                Ok(all) => all,
                Err(Unsettled::NoStableState(nc)) => {
                    unsettled.get_or_insert((failed, nc));
                    if !next_combination(&mut combo, failable.len()) {
                        break;
                    }
                    continue;
                }
                // `|| None` never stops the computation.
                Err(Unsettled::Stopped(why)) => {
                    return FailureEvaluation {
                        outcome: PropertyOutcome::Inconclusive(why),
                        scenarios,
                    }
                }
            };
            if !all.complete {
                incomplete = true;
            }
            if let Some(nc) = all.unsettled.clone() {
                unsettled.get_or_insert((failed.clone(), nc));
            }
            for state in &all.states {
                // FRR without deterministic-med whose best depends on arrival order:
                // this state is one the order may not give, and others it may give
                // are not computed; neither a pass nor a violation here is sound.
                if let Some(why) = arrival_order_dependence(net, state) {
                    arrival.get_or_insert(why);
                    continue;
                }
                if let PropertyOutcome::Violated(mut cx) =
                    evaluate_at(net, dest_net, state, &sc, prop)
                {
                    cx.failed = failed;
                    return FailureEvaluation {
                        outcome: PropertyOutcome::Violated(cx),
                        scenarios,
                    };
                }
            }
            if !next_combination(&mut combo, failable.len()) {
                break;
            }
        }
    }
    let outcome = if let Some((failed, non_convergence)) = unsettled {
        PropertyOutcome::NoStableState {
            failed,
            non_convergence,
        }
    } else if let Some(why) = arrival {
        PropertyOutcome::Inconclusive(why)
    } else if incomplete {
        PropertyOutcome::Inconclusive(format!(
            "more than {MAX_STATES} stable states (or {MAX_CHOICES} choices) over the undocumented choices (ties Azure leaves open); only those found were checked"
        ))
    } else if prop.assumptions.is_empty() {
        PropertyOutcome::Holds
    } else {
        PropertyOutcome::Inconclusive(
            "`assume ... advertises any` is symbolic: the simulator only checked the environment where nothing more is advertised".to_string(),
        )
    };
    FailureEvaluation { outcome, scenarios }
}
