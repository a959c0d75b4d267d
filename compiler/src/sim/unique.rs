//! A certificate that a stable state is the only one, built node by node.
//!
//! BGP may settle in several stable states (docs/semantics.md §1). To decide a
//! property on the simulator's state alone, that state `S` must be the only one. This
//! module proves it for one prefix by induction over a growing set `F` of nodes whose
//! route is *fixed*: equal to `S` in every stable state `T` that agrees with `S` on `F`.
//!
//! A node `v` joins `F` when its route in `S` is forced:
//! - `S(v)` is its own origination or was learned from a node already in `F` — so in `T`
//!   the same route is offered to `v` (a route is a function of the sender's route);
//! - every other offer beats `S(v)` neither in `S` (offers from `F` are the same in `T`,
//!   and `S` is stable) nor in any `T`: what a node outside `F` can offer is
//!   over-approximated by an *abstract route* — lower bounds on how often each ASN occurs
//!   in its AS path, an upper bound on its local preference, the tags it may and must
//!   carry, the nodes it may originate from — computed as a fixpoint over the nodes
//!   outside `F` from the exact routes of `F` (policies are run three-valued; loop
//!   prevention only where the bounds already decide it; a route that can be shown to
//!   be blocked is never offered). `S(v)` must win against the best such offer
//!   whatever the unknown parts are, in the decision order of §1 (weight, local
//!   preference, AS-path length, MED, then the static tie-breaks of the two edges);
//!   on a multipath node it must win on the first four steps alone, so that the set of
//!   installed routes is fixed too;
//! - a node without a route in `S` joins when every offer from outside `F` is blocked.
//!
//! When every node is in `F`, every stable state equals `S` for this prefix (by
//! induction on the order in which nodes joined). When no node can join, nothing is
//! concluded ([`Certificate::NotShown`]): the caller decides symbolically instead.
//!
//! Cost: at most one fixpoint per round and one round per joining node; each fixpoint
//! is a pass over the edges until the bounds stop changing (bounds only move one way
//! in finite domains). Prefixes that the design cannot tell apart (same originators,
//! same `prefix` conditions, same routes in `S`) share one certificate.

use super::bgp::{compare, export, Route, State, DEFAULT_LOCAL_PREF};
use super::{Live, Scenario};
use crate::ir::{Action, Condition, EdgeId, Id, Network, NodeId, TagId, NO_ADVERTISE};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};

/// The answer for one scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Certificate {
    /// Every prefix has exactly the simulator's routes in every stable state.
    Unique,
    /// No certificate was found (the state may still be unique); the text says where.
    NotShown(String),
    /// A route limit may be exceeded in some stable state (or is in this one): the
    /// scenario's sessions are not fixed, which the certificate (and the SMT
    /// encoding) assume.
    RouteLimits(String),
    /// The deadline passed before the certificate was complete.
    Timeout,
}

/// Three-valued truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tri {
    True,
    False,
    Unknown,
}

/// Lower bounds on ASN occurrences: a short sorted list (paths hold a handful of
/// ASNs; cloning a `Vec` is far cheaper than cloning a `BTreeMap` on this hot path).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Counts(Vec<(u32, u32)>);

impl Counts {
    fn get(&self, asn: &u32) -> Option<u32> {
        self.0
            .binary_search_by_key(asn, |(a, _)| *a)
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|(_, c)| *c)
    }
    fn add(&mut self, asn: u32, k: u32) {
        match self.0.binary_search_by_key(&asn, |(a, _)| *a) {
            Ok(i) => {
                if let Some(slot) = self.0.get_mut(i) {
                    slot.1 = slot.1.saturating_add(k);
                }
            }
            Err(i) => self.0.insert(i, (asn, k)),
        }
    }
    fn retain(&mut self, keep: impl Fn(&u32) -> bool) {
        self.0.retain(|(a, _)| keep(a));
    }
    fn remove(&mut self, asn: &u32) -> Option<u32> {
        let i = self.0.binary_search_by_key(asn, |(a, _)| *a).ok()?;
        Some(self.0.remove(i).1)
    }
    fn values(&self) -> impl Iterator<Item = &u32> {
        self.0.iter().map(|(_, c)| c)
    }
    /// Pointwise minimum (an ASN absent from either side has bound 0).
    fn min(&self, o: &Counts) -> Counts {
        let mut out = Vec::new();
        for (a, c) in &self.0 {
            if let Some(d) = o.get(a) {
                out.push((*a, (*c).min(d)));
            }
        }
        Counts(out)
    }
}

/// An over-approximation of the routes a node may hold (or be offered).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Abstract {
    /// Lower bound on the occurrences of each ASN in the AS path (absent = 0).
    counts: Counts,
    lp_max: u32,
    may_tags: BTreeSet<TagId>,
    must_tags: BTreeSet<TagId>,
    origins: BTreeSet<NodeId>,
}

impl Abstract {
    fn of(r: &Route) -> Abstract {
        let mut counts = Counts::default();
        for a in &r.as_path {
            counts.add(*a, 1);
        }
        Abstract {
            counts,
            lp_max: r.local_pref,
            may_tags: r.tags.clone(),
            must_tags: r.tags.clone(),
            origins: [r.origin].into_iter().collect(),
        }
    }
    fn len_lb(&self) -> u64 {
        self.counts.values().map(|c| u64::from(*c)).sum()
    }
    fn join(&self, o: &Abstract) -> Abstract {
        Abstract {
            counts: self.counts.min(&o.counts),
            lp_max: self.lp_max.max(o.lp_max),
            may_tags: self.may_tags.union(&o.may_tags).copied().collect(),
            must_tags: self.must_tags.intersection(&o.must_tags).copied().collect(),
            origins: self.origins.union(&o.origins).copied().collect(),
        }
    }
}

fn join_opt(a: Option<Abstract>, b: Option<Abstract>) -> Option<Abstract> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => Some(a.join(&b)),
    }
}

fn condition(c: &Condition, a: &Abstract, p: Ipv4Net) -> Tri {
    use crate::ir::CmpOp;
    let tri = |b: bool| if b { Tri::True } else { Tri::False };
    match c {
        Condition::Prefix(ranges) => tri(ranges.iter().any(|r| r.matches(&p))),
        Condition::AsPathContains(n) => {
            if a.counts.get(n).unwrap_or(0) >= 1 {
                Tri::True
            } else {
                Tri::Unknown
            }
        }
        Condition::AsPathLength(op, n) => {
            let lb = a.len_lb();
            let n = u64::from(*n);
            match op {
                CmpOp::Lt if lb >= n => Tri::False,
                CmpOp::Le | CmpOp::Eq if lb > n => Tri::False,
                CmpOp::Ge if lb >= n => Tri::True,
                CmpOp::Gt if lb > n => Tri::True,
                _ => Tri::Unknown,
            }
        }
        Condition::Tag(t) => {
            if a.must_tags.contains(t) {
                Tri::True
            } else if !a.may_tags.contains(t) {
                Tri::False
            } else {
                Tri::Unknown
            }
        }
        Condition::OriginatedBy(n) => {
            if !a.origins.contains(n) {
                Tri::False
            } else if a.origins.len() == 1 {
                Tri::True
            } else {
                Tri::Unknown
            }
        }
    }
}

fn apply(act: &Action, a: &mut Abstract, own_asn: u32) {
    match act {
        Action::SetLocalPref(v) => a.lp_max = *v,
        Action::Prepend(n, k) => {
            a.counts.add(*n, *k);
        }
        Action::AddTag(t) => {
            a.may_tags.insert(*t);
            a.must_tags.insert(*t);
        }
        Action::RemoveTag(t) => {
            a.may_tags.remove(t);
            a.must_tags.remove(t);
        }
        Action::RemovePrivateAs => a.counts.retain(|asn| !crate::ir::is_private_asn(*asn)),
        Action::RemoveAs(list) => a.counts.retain(|asn| !list.contains(asn)),
        Action::ReplaceAs(list) => {
            let moved: u32 = list.iter().filter_map(|x| a.counts.remove(x)).sum();
            if moved > 0 {
                a.counts.add(own_asn, moved);
            }
        }
        Action::SetMed(_) | Action::SetNextHopSelf | Action::SetNextHop(_) => {}
    }
}

/// Policies run three-valued: the join of every way through them, `None` when every
/// way denies.
fn policies(
    net: &Network,
    ids: &[crate::ir::PolicyId],
    a: Abstract,
    own_asn: u32,
    p: Ipv4Net,
) -> Option<Abstract> {
    let mut cur = Some(a);
    for pid in ids {
        let input = cur?;
        let pol = net.policies.get(*pid)?;
        let mut out: Option<Abstract> = None;
        for rule in &pol.rules {
            let mut t = Tri::True;
            for c in &rule.conditions {
                match condition(c, &input, p) {
                    Tri::False => {
                        t = Tri::False;
                        break;
                    }
                    Tri::Unknown => t = Tri::Unknown,
                    Tri::True => {}
                }
            }
            if t == Tri::False {
                continue;
            }
            if rule.permit {
                let mut fired = input.clone();
                for act in &rule.actions {
                    apply(act, &mut fired, own_asn);
                }
                out = join_opt(out, Some(fired));
            }
            if t == Tri::True {
                break;
            }
        }
        // Ways on which no rule matched are denied by the end of the policy.
        cur = out;
    }
    cur
}

/// What edge `e` offers when its sender may hold anything `a` describes.
fn transfer(net: &Network, eid: EdgeId, a: &Abstract, p: Ipv4Net) -> Option<Abstract> {
    let e = net.edges.get(eid)?;
    let sender = net.nodes.get(e.from)?;
    let receiver = net.nodes.get(e.to)?;
    let no_adv = |t: &TagId| {
        net.tags
            .get(*t)
            .is_some_and(|tag| tag.community == Some(NO_ADVERTISE))
    };
    if a.must_tags.iter().any(no_adv) {
        return None;
    }
    let mut out = policies(net, &e.export, a.clone(), sender.asn, p)?;
    for asn in &e.prepend {
        out.counts.add(*asn, 1);
    }
    if let Some(asn) = e.loop_check {
        if out.counts.get(&asn).unwrap_or(0) > u32::from(e.allowas_in) {
            return None;
        }
    }
    if e.reset_local_pref {
        out.lp_max = DEFAULT_LOCAL_PREF;
    }
    policies(net, &e.import, out, receiver.asn, p)
}

/// Whether route `r` (held by the receiver of `e0`, or local) beats every route that
/// `a` over edge `e` can be, on steps 1–4 only (`multipath`) or with the static
/// tie-breaks after them.
fn beats(
    net: &Network,
    r: &Route,
    e: EdgeId,
    a: &Abstract,
    multipath: bool,
    med_fixed: bool,
) -> bool {
    use std::cmp::Ordering::*;
    let Some(edge) = net.edges.get(e) else {
        return true;
    };
    match r.weight.cmp(&edge.weight) {
        Greater => return true,
        Less => return false,
        Equal => {}
    }
    match r.local_pref.cmp(&a.lp_max) {
        Greater => return true,
        Less => return false,
        Equal => {}
    }
    let len = r.as_path.len() as u64;
    match len.cmp(&a.len_lb()) {
        Less => return true,
        Greater => return false,
        Equal => {}
    }
    // Equal so far: a route of the offer may tie on steps 1–3.
    if multipath || !med_fixed {
        return false;
    }
    // MED is 0 everywhere (no policy sets one): the static tie-breaks decide, and
    // they depend only on the edges (semantics §1: eBGP over iBGP, router id, edge).
    let probe = Route {
        learned_from: Some(e),
        ..r.clone()
    };
    compare(net, r, &probe) == Less
}

/// Proves that every prefix's routes in `state` are the only stable routes of the
/// scenario `sc`.
pub fn certify(net: &Network, sc: &Scenario, state: &State) -> Certificate {
    certify_until(net, sc, state, None)
}

/// [`certify`], giving up with [`Certificate::Timeout`] once `deadline` has passed
/// (checked per prefix group and per round).
pub fn certify_until(
    net: &Network,
    sc: &Scenario,
    state: &State,
    deadline: Option<std::time::Instant>,
) -> Certificate {
    let late = || deadline.is_some_and(|d| std::time::Instant::now() >= d);
    if !state.dropped.is_empty() {
        return Certificate::RouteLimits("a session is dropped by a route limit".into());
    }
    let live = Live::new(net, sc, &BTreeSet::new());
    let med_fixed = !net.policies.values().any(|p| {
        p.rules
            .iter()
            .any(|r| r.actions.iter().any(|a| matches!(a, Action::SetMed(_))))
    });
    let nodes: Vec<NodeId> = net.nodes.ids().collect();
    let mut in_edges: Vec<Vec<EdgeId>> = vec![Vec::new(); nodes.len()];
    for (id, e) in net.edges.iter() {
        if live.edge(id) {
            if let Some(v) = in_edges.get_mut(e.to.index()) {
                v.push(id);
            }
        }
    }
    if let Err(why) = limits_out_of_reach(net, &live, state, &nodes, &in_edges) {
        return Certificate::RouteLimits(why);
    }
    // Prefixes the design cannot tell apart share a certificate.
    let mut done: BTreeSet<GroupKey> = BTreeSet::new();
    for p in net.originated_prefixes() {
        let key = group_key(net, state, &nodes, p);
        if done.contains(&key) {
            continue;
        }
        if late() {
            return Certificate::Timeout;
        }
        match certify_prefix(net, &live, state, &nodes, &in_edges, p, med_fixed, &late) {
            Ok(true) => {}
            Ok(false) => return Certificate::Timeout,
            Err(why) => return Certificate::NotShown(why),
        }
        done.insert(key);
    }
    Certificate::Unique
}

/// Route limits play no part when no stable state can push a session over its limit:
/// per limited edge, the prefixes that could be offered over it in *any* stable state
/// (the abstract routes with no node fixed) are at most its limit. Then every stable
/// state has the sessions of `state` up, which the certificate assumes.
fn limits_out_of_reach(
    net: &Network,
    live: &Live,
    state: &State,
    nodes: &[NodeId],
    in_edges: &[Vec<EdgeId>],
) -> Result<(), String> {
    let limited: Vec<(EdgeId, u32)> = net
        .edges
        .iter()
        .filter(|(id, _)| live.edge(*id))
        .filter_map(|(id, e)| e.max_routes.map(|l| (id, l.max)))
        .collect();
    if limited.is_empty() {
        return Ok(());
    }
    let dead: Vec<bool> = nodes.iter().map(|n| !live.node(*n)).collect();
    let mut groups: BTreeMap<(Vec<NodeId>, Vec<bool>), (Ipv4Net, u64)> = BTreeMap::new();
    for p in net.originated_prefixes() {
        let (origs, bits, _) = group_key(net, state, &[], p);
        groups.entry((origs, bits)).or_insert((p, 0)).1 += 1;
    }
    let mut counts: BTreeMap<EdgeId, u64> = BTreeMap::new();
    for (rep, size) in groups.values() {
        let bounds = outside_bounds(net, live, state, in_edges, &dead, *rep);
        for (e, _) in &limited {
            let Some(from) = net.edges.get(*e).map(|x| x.from) else {
                continue;
            };
            let offered = bounds
                .get(from.index())
                .is_some_and(|parts| offer(net, *e, parts, *rep).is_some());
            if offered {
                *counts.entry(*e).or_insert(0) += size;
            }
        }
    }
    for (e, limit) in limited {
        let n = counts.get(&e).copied().unwrap_or(0);
        if n > u64::from(limit) {
            let name = |x: NodeId| net.nodes.get(x).map(|n| n.name.clone()).unwrap_or_default();
            let (from, to) = net
                .edges
                .get(e)
                .map(|x| (name(x.from), name(x.to)))
                .unwrap_or_default();
            return Err(format!(
                "up to {n} prefixes could be offered from `{from}` to `{to}`, over its limit of {limit}"
            ));
        }
    }
    Ok(())
}

type GroupKey = (
    Vec<NodeId>,
    Vec<bool>,
    Vec<Option<(Option<EdgeId>, Vec<u32>)>>,
);

/// What the control plane of prefix `p` depends on `p` for: who originates it and which
/// `prefix` conditions match it (in policy, rule and condition order). Two prefixes
/// with the same signature are routed alike (up to the prefix itself), in the
/// simulator and in the SMT encoding ([`crate::smt::unique`]).
pub fn prefix_signature(net: &Network, p: Ipv4Net) -> (Vec<NodeId>, Vec<bool>) {
    let origs: Vec<NodeId> = net
        .nodes
        .iter()
        .filter(|(_, n)| n.originates.iter().any(|o| o.prefix == p))
        .map(|(id, _)| id)
        .collect();
    let mut bits = Vec::new();
    for pol in net.policies.values() {
        for rule in &pol.rules {
            for c in &rule.conditions {
                if let Condition::Prefix(ranges) = c {
                    bits.push(ranges.iter().any(|r| r.matches(&p)));
                }
            }
        }
    }
    // A conditional origination (a gateway's spoke space, standing on the spoke's
    // peering) adds the index of the component it stands on, bit by bit after the
    // condition bits: prefixes standing on different components never share a
    // signature (they are routed differently when one of them fails).
    for n in &origs {
        let requires = net
            .nodes
            .get(*n)
            .and_then(|x| x.originates.iter().find(|o| o.prefix == p))
            .and_then(|o| o.requires);
        bits.push(requires.is_some());
        if let Some(c) = requires {
            bits.extend((0..32).map(|i| (c.index() >> i) & 1 == 1));
        }
    }
    (origs, bits)
}

fn group_key(net: &Network, state: &State, nodes: &[NodeId], p: Ipv4Net) -> GroupKey {
    let (origs, bits) = prefix_signature(net, p);
    let routes = nodes
        .iter()
        .map(|n| {
            state
                .best(*n, p)
                .map(|r| (r.learned_from, r.as_path.clone()))
        })
        .collect();
    (origs, bits, routes)
}

#[allow(clippy::too_many_arguments)]
fn certify_prefix(
    net: &Network,
    live: &Live,
    state: &State,
    nodes: &[NodeId],
    in_edges: &[Vec<EdgeId>],
    p: Ipv4Net,
    med_fixed: bool,
    late: &dyn Fn() -> bool,
) -> Result<bool, String> {
    let n = nodes.len();
    let mut fixed = vec![false; n];
    for v in nodes {
        if !live.node(*v) {
            if let Some(f) = fixed.get_mut(v.index()) {
                *f = true;
            }
        }
    }
    loop {
        if fixed.iter().all(|f| *f) {
            return Ok(true);
        }
        if late() {
            return Ok(false);
        }
        let bounds = outside_bounds(net, live, state, in_edges, &fixed, p);
        let mut progress = false;
        for v in nodes {
            if fixed.get(v.index()).copied().unwrap_or(true) {
                continue;
            }
            if forced(net, state, in_edges, &fixed, &bounds, *v, p, med_fixed) {
                if let Some(f) = fixed.get_mut(v.index()) {
                    *f = true;
                }
                progress = true;
            }
        }
        if !progress {
            let stuck: Vec<&str> = nodes
                .iter()
                .filter(|v| !fixed.get(v.index()).copied().unwrap_or(true))
                .filter_map(|v| net.nodes.get(*v).map(|x| x.name.as_str()))
                .take(4)
                .collect();
            return Err(format!(
                "the routes for {p} at {} are not shown to be the only stable ones",
                stuck.join(", ")
            ));
        }
    }
}

/// The routes a node outside `fixed` may hold, one abstract route per source (its
/// origination, or each in-edge), so that "never back to the sender" and iBGP split
/// horizon stay exact.
type Parts = BTreeMap<Option<EdgeId>, Abstract>;

/// What edge `e` offers when its sender is outside `fixed` and may hold `parts`.
fn offer(net: &Network, e: EdgeId, parts: &Parts, p: Ipv4Net) -> Option<Abstract> {
    let edge = net.edges.get(e)?;
    let mut out = None;
    for (src, a) in parts {
        if let Some(l) = src.and_then(|l| net.edges.get(l)) {
            // 2. never back to the neighbour it was learned from; 3. iBGP split horizon.
            if l.from == edge.to || (l.ibgp && edge.ibgp) {
                continue;
            }
        }
        out = join_opt(out, transfer(net, e, a, p));
    }
    out
}

/// The abstract routes of the nodes outside `fixed`: a fixpoint from the exact routes
/// of the fixed nodes and the originations of the others.
fn outside_bounds(
    net: &Network,
    live: &Live,
    state: &State,
    in_edges: &[Vec<EdgeId>],
    fixed: &[bool],
    p: Ipv4Net,
) -> Vec<Parts> {
    let n = fixed.len();
    let mut bounds: Vec<Parts> = vec![Parts::new(); n];
    // Offers from fixed senders are exact and do not change: computed once.
    let mut exact: BTreeMap<EdgeId, Option<Abstract>> = BTreeMap::new();
    for (i, edges) in in_edges.iter().enumerate() {
        if fixed.get(i).copied().unwrap_or(true) {
            continue;
        }
        for e in edges {
            let Some(edge) = net.edges.get(*e) else {
                continue;
            };
            if fixed.get(edge.from.index()).copied().unwrap_or(false) {
                let offer = state
                    .best(edge.from, p)
                    .and_then(|r| export(net, *e, r))
                    .map(|r| Abstract::of(&r));
                exact.insert(*e, offer);
            }
        }
        let v = NodeId::from_index(i);
        if live.node(v)
            && net.nodes.get(v).is_some_and(|x| {
                x.originates
                    .iter()
                    .any(|o| o.prefix == p && o.stands(|c| live.is_down(c)))
            })
        {
            if let Some(b) = bounds.get_mut(i) {
                b.insert(None, Abstract::of(&Route::local(p, v)));
            }
        }
    }
    let mut changed = true;
    while changed {
        changed = false;
        for (i, edges) in in_edges.iter().enumerate() {
            if fixed.get(i).copied().unwrap_or(true) || !live.node(NodeId::from_index(i)) {
                continue;
            }
            for e in edges {
                let Some(edge) = net.edges.get(*e) else {
                    continue;
                };
                let new = match exact.get(e) {
                    Some(x) => x.clone(),
                    None => bounds
                        .get(edge.from.index())
                        .and_then(|parts| offer(net, *e, parts, p)),
                };
                let Some(new) = new else { continue };
                let Some(parts) = bounds.get_mut(i) else {
                    continue;
                };
                let merged = match parts.get(&Some(*e)) {
                    Some(old) => old.join(&new),
                    None => new,
                };
                if parts.get(&Some(*e)) != Some(&merged) {
                    parts.insert(Some(*e), merged);
                    changed = true;
                }
            }
        }
    }
    bounds
}

/// Whether `v`'s route in `state` is forced once the nodes in `fixed` are.
#[allow(clippy::too_many_arguments)]
fn forced(
    net: &Network,
    state: &State,
    in_edges: &[Vec<EdgeId>],
    fixed: &[bool],
    bounds: &[Parts],
    v: NodeId,
    p: Ipv4Net,
    med_fixed: bool,
) -> bool {
    let multipath = net.nodes.get(v).is_some_and(|x| x.behaviours.multipath);
    let best = state.best(v, p);
    if let Some(r) = best {
        // Its source must be fixed (or itself).
        if let Some(e) = r.learned_from {
            let from_fixed = net
                .edges
                .get(e)
                .is_some_and(|x| fixed.get(x.from.index()).copied().unwrap_or(false));
            if !from_fixed {
                return false;
            }
        }
    }
    let Some(edges) = in_edges.get(v.index()) else {
        return true;
    };
    for e in edges {
        let Some(edge) = net.edges.get(*e) else {
            continue;
        };
        if fixed.get(edge.from.index()).copied().unwrap_or(false) {
            // Offers from fixed nodes are the same as in `state`, which is stable.
            continue;
        }
        let Some(parts) = bounds.get(edge.from.index()) else {
            continue;
        };
        let Some(offer) = offer(net, *e, parts, p) else {
            continue;
        };
        match best {
            None => return false,
            Some(r) => {
                if !beats(net, r, *e, &offer, multipath, med_fixed) {
                    return false;
                }
            }
        }
    }
    true
}
