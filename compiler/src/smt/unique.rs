//! Is the simulator's stable state the only one? A proof on the control plane alone.
//!
//! BGP can have several stable states (docs/semantics.md §1). When, for one scenario
//! (a fixed set of failed components, no environment), the control plane has exactly
//! one, every property can be decided by evaluating the data plane of that one state
//! concretely, which is linear, instead of encoding forwarding symbolically. This
//! module proves, per prefix, that the state the simulator reached is the only model of
//! the SMT encoding ([`super::encode`]), whose models include every reachable stable
//! state (its soundness argument):
//!
//! 1. *The simulator's state is a model*: the plane's constraints together with "each
//!    node selects the candidate the simulator selected" are satisfiable.
//! 2. *No other model exists*: the plane's constraints together with "some node
//!    selects another candidate (or has a route where the simulator has none, or none
//!    where it has one)" are unsatisfiable.
//!
//! A node's selection determines its best route: the chosen candidate is a term over
//! the sender's best route, and ranks make every chain of selections end at an
//! origination, so equal selections everywhere mean equal states. (1) also cross-checks
//! the two engines: a simulator state that is not a model is reported as a
//! disagreement, and the caller falls back to the symbolic path, never to a pass.
//!
//! **Prefix groups.** The encoding of prefix `p` depends on `p` only through the nodes
//! that originate it and the truth of every `prefix` condition of every policy
//! ([`super::encode::Encoder::prefix_plane`]). Prefixes that agree on both, and on the
//! simulator's selections, have the same plane up to the renaming of variables, so one
//! proof serves the whole group: 4,000 on-premises /24s announced alike by one site are
//! one question, not 4,000.
//!
//! Route limits are not part of the encoding: a state in which the simulator dropped a
//! session, or a design whose prefixes could exceed a limit, is not proved here.

use super::encode::{CandSource, Encoder};
use super::prover::{Outcome, Prover};
use crate::ir::{ComponentId, EdgeId, Network, NodeId, Property, PropertyKind};
use crate::sim::State;
use ipnet::Ipv4Net;
use std::collections::BTreeMap;
use std::time::Instant;
use z3::ast::{Bool, Int};

/// The answer of [`prove_unique`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Uniqueness {
    /// The simulator's state is the only stable state of the scenario.
    Unique,
    /// Another stable state may exist, or the engines disagree, or the scenario is
    /// outside what this proof covers: decide symbolically instead. The text says why.
    NotShown(String),
    /// Out of time.
    Timeout,
}

/// What the simulator selected at a node for a prefix: no route, its own origination,
/// or the route learned over an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Selection {
    None,
    Local,
    Edge(EdgeId),
}

fn selection(state: &State, n: NodeId, p: Ipv4Net) -> Selection {
    match state.best(n, p) {
        None => Selection::None,
        Some(r) => match r.learned_from {
            None => Selection::Local,
            Some(e) => Selection::Edge(e),
        },
    }
}

/// Originators, `prefix` condition truths, and the simulator's selection per node.
type GroupKey = (Vec<NodeId>, Vec<bool>, Vec<Selection>);

/// Proves that `state`, the simulator's stable state of the scenario in which exactly
/// the components `down` are down, is the only stable state, for every prefix the
/// design originates. `template` is any property of the design (its kind is not
/// read); its failures, `without` and assumptions are replaced by the scenario.
pub fn prove_unique(
    net: &Network,
    template: &Property,
    down: &[ComponentId],
    state: &State,
    deadline: Instant,
) -> Uniqueness {
    // Sessions `state` drops are down in every stable state only when they are over
    // their limit whenever up in this scenario (`sim::limits::certainly_dropped_in`):
    // then the scenario is
    // the one with them down too.
    let certain = crate::sim::limits::certainly_dropped_in(net, &|c| down.contains(&c), false);
    let mut down = down.to_vec();
    for d in &state.dropped {
        if !certain.iter().any(|c| c.session == d.session) {
            return Uniqueness::NotShown(
                "a session is dropped by a route limit in this stable state, and not in every one"
                    .into(),
            );
        }
        if let Some(s) = net.sessions.get(d.session) {
            down.push(s.component);
        }
    }
    if !state.recursive.is_empty() {
        return Uniqueness::NotShown("a tunnel is routed through itself".into());
    }
    if let Some(why) =
        crate::smt::queries::as_set_risk(net).or_else(|| crate::smt::queries::med_risk(net))
    {
        return Uniqueness::NotShown(why);
    }
    down.sort();
    down.dedup();
    let nodes: Vec<NodeId> = net.nodes.ids().collect();
    // Group the prefixes; one representative each.
    let mut groups: BTreeMap<GroupKey, Ipv4Net> = BTreeMap::new();
    for p in net.originated_prefixes() {
        let (origs, bits) = crate::sim::unique::prefix_signature(net, p);
        let sels: Vec<Selection> = nodes.iter().map(|n| selection(state, *n, p)).collect();
        groups.entry((origs, bits, sels)).or_insert(p);
    }
    let scenario_prop = Property {
        kind: PropertyKind::LoopFree,
        span: template.span,
        failures: 0,
        failure_scope: None,
        without: down,
        assumptions: Vec::new(),
    };
    let mut enc = Encoder::new(net, &scenario_prop);
    // The scenario's own facts; each plane then gets a solver of its own (planes are
    // independent, and one solver holding them all slows every later question).
    let base = enc.facts.len();
    for p in groups.values() {
        if Instant::now() >= deadline {
            return Uniqueness::Timeout;
        }
        let plane = enc.prefix_plane(*p, None);
        let mut prover = Prover::new(std::time::Duration::from_secs(0));
        prover.set_deadline(deadline);
        for f in enc.facts.iter().take(base) {
            prover.assume(f);
        }
        for f in enc.facts.iter().skip(enc.synced.max(base)) {
            prover.assume(f);
        }
        enc.synced = enc.facts.len();
        prover.assume(&plane.act);
        let mut same = vec![plane.act.clone()];
        let mut differs = Vec::new();
        for (n, rib) in &plane.ribs {
            let want = match selection(state, *n, *p) {
                Selection::None => Some(-1),
                Selection::Local => rib
                    .cands
                    .iter()
                    .position(|c| c.source == CandSource::Local)
                    .map(|i| i as i64),
                Selection::Edge(e) => rib
                    .cands
                    .iter()
                    .position(|c| c.source == CandSource::Edge(e))
                    .map(|i| i as i64),
            };
            let Some(want) = want else {
                return Uniqueness::NotShown(format!(
                    "the simulator's route for {p} at `{}` is not a candidate of the encoding",
                    node_name(net, *n)
                ));
            };
            let eq = rib.sel.eq(Int::from_i64(want));
            differs.push(eq.not());
            same.push(eq);
        }
        // Nodes outside the plane (not reachable from an originator) have no route.
        if let Some(n) = nodes
            .iter()
            .find(|n| !plane.ribs.contains_key(n) && selection(state, **n, *p) != Selection::None)
        {
            return Uniqueness::NotShown(format!(
                "the simulator has a route for {p} at `{}`, which the encoding cannot reach",
                node_name(net, *n)
            ));
        }
        let other = Bool::and(&[plane.act.clone(), Bool::or(&differs)]);
        match prover.check(&other, &[]) {
            Outcome::Proof => {}
            Outcome::Counterexample(_) => {
                return Uniqueness::NotShown(format!(
                    "the routes for {p} may settle in more than one stable state"
                ))
            }
            Outcome::Unknown(_) => return Uniqueness::Timeout,
        }
        match prover.check(&Bool::and(&same), &[]) {
            Outcome::Counterexample(_) => {}
            Outcome::Proof => {
                return Uniqueness::NotShown(format!(
                "internal: the simulator's routes for {p} are not a stable state of the encoding"
            ))
            }
            Outcome::Unknown(_) => return Uniqueness::Timeout,
        }
    }
    Uniqueness::Unique
}

fn node_name(net: &Network, n: NodeId) -> &str {
    net.nodes.get(n).map(|x| x.name.as_str()).unwrap_or("?")
}
