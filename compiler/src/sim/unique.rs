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
//! Undocumented ties (super::choice): [`certify`] refuses a state that shows one that
//! matters, and counts a tie with an offer as lost. [`certify_choosing`] certifies the
//! state of one deterministic tie-break instead (ties decided by its order), and
//! [`tie_sites`] bounds where ties can arise at all; together they enumerate every
//! stable state of a scenario with ties (super::choice::tie_breaks).
//!
//! Cost: at most one fixpoint per round and one round per joining node; nodes are tried
//! in the order routes spread in `S`, so one round usually fixes them all. Each
//! fixpoint is a worklist over the edges: a node's out-edges are recomputed only when
//! its bounds grew (bounds only move one way, in finite domains). Prefixes that the
//! design cannot tell apart (one class of [`super::slices`], same routes in `S`) share
//! one certificate.

use super::bgp::{compare_choosing, strictly_better, Route, State, DEFAULT_LOCAL_PREF};
use super::choice::{Choices, TieSite};
use super::{Live, Scenario};
use crate::ir::{Action, Condition, EdgeId, Id, Network, NodeId, SessionId, TagId, NO_ADVERTISE};
use ipnet::Ipv4Net;
use smallvec::SmallVec;
use std::collections::{BTreeMap, BTreeSet, HashSet};

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
pub(super) enum Tri {
    True,
    False,
    Unknown,
}

/// Lower bounds on ASN occurrences: a short sorted list (paths hold a handful of
/// ASNs; cloning a `Vec` is far cheaper than cloning a `BTreeMap` on this hot path).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Counts(SmallVec<[(u32, u32); 8]>);

impl Counts {
    pub(super) fn get(&self, asn: &u32) -> Option<u32> {
        self.0
            .binary_search_by_key(asn, |(a, _)| *a)
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|(_, c)| *c)
    }
    pub(super) fn add(&mut self, asn: u32, k: u32) {
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
        let mut out = SmallVec::new();
        for (a, c) in &self.0 {
            if let Some(d) = o.get(a) {
                out.push((*a, (*c).min(d)));
            }
        }
        Counts(out)
    }
}

/// A small set kept as a sorted `Vec` (a route carries a handful of tags and origins;
/// on this hot path a `Vec` clones and joins far cheaper than a `BTreeSet`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct SmallSet<T>(SmallVec<[T; 4]>);

impl<T: Ord + Copy> SmallSet<T> {
    fn one(x: T) -> SmallSet<T> {
        SmallSet(smallvec::smallvec![x])
    }
    fn of(items: impl Iterator<Item = T>) -> SmallSet<T> {
        let mut v: SmallVec<[T; 4]> = items.collect();
        v.sort_unstable();
        v.dedup();
        SmallSet(v)
    }
    pub(super) fn contains(&self, x: &T) -> bool {
        self.0.binary_search(x).is_ok()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    pub(super) fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }
    fn insert(&mut self, x: T) {
        if let Err(i) = self.0.binary_search(&x) {
            self.0.insert(i, x);
        }
    }
    fn remove(&mut self, x: &T) {
        if let Ok(i) = self.0.binary_search(x) {
            self.0.remove(i);
        }
    }
    fn union(&self, o: &SmallSet<T>) -> SmallSet<T> {
        if self.0 == o.0 {
            return self.clone();
        }
        let mut v = SmallVec::with_capacity(self.0.len() + o.0.len());
        let (mut a, mut b) = (
            self.0.iter().copied().peekable(),
            o.0.iter().copied().peekable(),
        );
        loop {
            match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => match x.cmp(y) {
                    std::cmp::Ordering::Less => v.extend(a.next()),
                    std::cmp::Ordering::Greater => v.extend(b.next()),
                    std::cmp::Ordering::Equal => {
                        v.extend(a.next());
                        b.next();
                    }
                },
                (Some(_), None) => v.extend(a.next()),
                (None, Some(_)) => v.extend(b.next()),
                (None, None) => break,
            }
        }
        SmallSet(v)
    }
    fn intersection(&self, o: &SmallSet<T>) -> SmallSet<T> {
        SmallSet(self.0.iter().filter(|x| o.contains(x)).copied().collect())
    }
}

/// An over-approximation of the routes a node may hold (or be offered).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Abstract {
    /// Lower bound on the occurrences of each ASN in the AS path (absent = 0); an
    /// ASN of an AS_SET occurs once.
    pub(super) counts: Counts,
    /// Upper bound on how much the counts' sum exceeds the path length: an AS_SET of
    /// k ASNs adds k to the sum and 1 to the length (`aggregate-address as-set`).
    pub(super) slack: u64,
    pub(super) lp_max: u32,
    pub(super) may_tags: SmallSet<TagId>,
    pub(super) must_tags: SmallSet<TagId>,
    pub(super) origins: SmallSet<NodeId>,
}

impl Abstract {
    pub(super) fn of(r: &Route) -> Abstract {
        let mut counts = Counts::default();
        for a in r.as_path.iter().chain(&r.as_set) {
            counts.add(*a, 1);
        }
        Abstract {
            counts,
            slack: r.as_set.len().saturating_sub(1) as u64,
            lp_max: r.local_pref,
            may_tags: SmallSet::of(r.tags.iter().copied()),
            must_tags: SmallSet::of(r.tags.iter().copied()),
            origins: SmallSet::one(r.origin),
        }
    }
    fn len_lb(&self) -> u64 {
        self.counts
            .values()
            .map(|c| u64::from(*c))
            .sum::<u64>()
            .saturating_sub(self.slack)
    }
    /// `*self = self.join(o)`, in place.
    fn join_into(&mut self, o: &Abstract) {
        if self == o {
            return;
        }
        if self.counts != o.counts {
            self.counts = self.counts.min(&o.counts);
        }
        self.lp_max = self.lp_max.max(o.lp_max);
        self.slack = self.slack.max(o.slack);
        if self.may_tags != o.may_tags {
            self.may_tags = self.may_tags.union(&o.may_tags);
        }
        if self.must_tags != o.must_tags {
            self.must_tags = self.must_tags.intersection(&o.must_tags);
        }
        if self.origins != o.origins {
            self.origins = self.origins.union(&o.origins);
        }
    }
    fn join(&self, o: &Abstract) -> Abstract {
        let mut out = self.clone();
        out.join_into(o);
        out
    }
}

/// The join of two optional abstract routes, reusing `a`'s storage (no allocation
/// when `b` adds nothing, the common case on this hot path).
fn join_opt(a: Option<Abstract>, b: Option<Abstract>) -> Option<Abstract> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(mut a), Some(b)) => {
            a.join_into(&b);
            Some(a)
        }
    }
}

pub(super) fn condition(c: &Condition, a: &Abstract, p: Ipv4Net) -> Tri {
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
        Condition::AsSequenceLength(op, n) => {
            // The sequence is the path less at most one (an AS_SET counts one).
            let lb = a.len_lb().saturating_sub(1);
            let n = u64::from(*n);
            match op {
                CmpOp::Lt if lb >= n => Tri::False,
                CmpOp::Le | CmpOp::Eq if lb > n => Tri::False,
                _ => Tri::Unknown,
            }
        }
        Condition::NoAsSet => Tri::Unknown,
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

pub(super) fn apply(act: &Action, a: &mut Abstract, own_asn: u32) {
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
        // Leading only: any private ASN may go, so the same lower bounds.
        Action::RemovePrivateAs | Action::RemoveLeadingPrivateAs => {
            a.counts.retain(|asn| !crate::ir::is_private_asn(*asn))
        }
        Action::RemoveAs(list) => a.counts.retain(|asn| !list.contains(asn)),
        Action::ReplaceAs(list) if a.slack > 0 => {
            // With an AS_SET the replaced ASNs may merge with the own ASN in the
            // set: only the largest of the bounds is sure to remain.
            let moved: u32 = list
                .iter()
                .filter_map(|x| a.counts.remove(x))
                .max()
                .unwrap_or(0);
            let own = a.counts.remove(&own_asn).unwrap_or(0).max(moved);
            if own > 0 {
                a.counts.add(own_asn, own);
            }
        }
        Action::ReplaceAs(list) => {
            let moved: u32 = list.iter().filter_map(|x| a.counts.remove(x)).sum();
            if moved > 0 {
                a.counts.add(own_asn, moved);
            }
        }
        Action::SetMed(_)
        | Action::SetNextHopSelf
        | Action::SetNextHop(_)
        | Action::SetNextHopUnchanged => {}
    }
}

/// Policies run three-valued on `a`, in place: the join of every way through them;
/// `false` when every way denies (`a` is then unspecified).
///
/// In place because this runs for every part over every edge of every bounds
/// fixpoint (regions-16: ~170,000 transfers): moving abstract routes in and out of
/// `Option`s made `memcpy` about a third of regions-16's samples.
fn policies(
    net: &Network,
    ids: &[crate::ir::PolicyId],
    a: &mut Abstract,
    own_asn: u32,
    p: Ipv4Net,
) -> bool {
    for pid in ids {
        let Some(pol) = net.policies.get(*pid) else {
            return false;
        };
        if !policy(pol, a, own_asn, p) {
            return false;
        }
    }
    true
}

/// One policy of [`policies`]: the join of the ways through it into `a`.
fn policy(pol: &crate::ir::Policy, a: &mut Abstract, own_asn: u32, p: Ipv4Net) -> bool {
    // The ways through rules that may or may not match, joined.
    let mut out: Option<Abstract> = None;
    for rule in &pol.rules {
        let mut t = Tri::True;
        for c in &rule.conditions {
            match condition(c, a, p) {
                Tri::False => {
                    t = Tri::False;
                    break;
                }
                Tri::Unknown => t = Tri::Unknown,
                Tri::True => {}
            }
        }
        match (t, rule.permit) {
            (Tri::False, _) | (Tri::Unknown, false) => {}
            // The last way through (a rule that surely matches) takes the input.
            (Tri::True, true) => {
                for act in &rule.actions {
                    apply(act, a, own_asn);
                }
                if let Some(mut o) = out {
                    o.join_into(a);
                    *a = o;
                }
                return true;
            }
            (Tri::Unknown, true) => {
                let mut fired = a.clone();
                for act in &rule.actions {
                    apply(act, &mut fired, own_asn);
                }
                out = join_opt(out, Some(fired));
            }
            // Surely denied from here on: only the earlier ways remain.
            (Tri::True, false) => break,
        }
    }
    // Ways on which no rule matched are denied by the end of the policy.
    match out {
        Some(o) => {
            *a = o;
            true
        }
        None => false,
    }
}

/// What edge `e` offers when its sender may hold anything `a` describes (on an edge
/// that originates `p`, the generated route whatever `a` is: [`super::bgp::transfer`]).
pub(super) fn transfer(net: &Network, eid: EdgeId, a: &Abstract, p: Ipv4Net) -> Option<Abstract> {
    let e = net.edges.get(eid)?;
    let sender = net.nodes.get(e.from)?;
    let receiver = net.nodes.get(e.to)?;
    let mut out = if e.originates_default(p) {
        Abstract::of(&Route::local(p, e.from))
    } else {
        let no_adv = |t: &TagId| {
            net.tags
                .get(*t)
                .is_some_and(|tag| tag.community == Some(NO_ADVERTISE))
        };
        if a.must_tags.iter().any(no_adv) {
            return None;
        }
        let mut x = a.clone();
        if !policies(net, &e.export, &mut x, sender.asn, p) {
            return None;
        }
        x
    };
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
    policies(net, &e.import, &mut out, receiver.asn, p).then_some(out)
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
    chosen: Choosing,
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
    let len = r.path_len() as u64;
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
    // they depend only on the edges (semantics §1: eBGP over iBGP, router id, edge) —
    // where they are documented; an undocumented tie may go either way (super::choice)
    // unless a tie-break `chosen` decides it.
    let probe = Route {
        learned_from: Some(e),
        ..r.clone()
    };
    match chosen {
        Choosing::Any => strictly_better(net, r, &probe),
        Choosing::Sender(c) => compare_choosing(net, c, r, &probe) == Less,
    }
}

/// How the certificate treats an undocumented tie at one node (super::choice).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Choosing {
    /// Either route may win: the tie is never won for sure.
    Any,
    /// The deterministic tie-break of [`compare_choosing`] with this chosen sender
    /// (`None`: the declaration-order default).
    Sender(Option<NodeId>),
}

/// Proves that every prefix's routes in `state` are the only stable routes of the
/// scenario `sc`.
pub fn certify(net: &Network, sc: &Scenario, state: &State) -> Certificate {
    certify_until(net, sc, state, None)
}

/// [`certify`], giving up with [`Certificate::Timeout`] once `deadline` has passed
/// (checked per prefix group, per round, per node tried and every
/// [`POLL_EVERY`] nodes of a bounds fixpoint: [`certify_polling`]).
pub fn certify_until(
    net: &Network,
    sc: &Scenario,
    state: &State,
    deadline: Option<std::time::Instant>,
) -> Certificate {
    let late = || deadline.is_some_and(|d| std::time::Instant::now() >= d);
    certify_polling(net, sc, state, &late)
}

/// The bounds fixpoint asks `late` once every this many nodes it visits (each visit
/// is one transfer per out-edge and part).
pub const POLL_EVERY: usize = 16;

/// [`certify`], asking `late` before each prefix group, each round of a group, each
/// node a round tries, and every [`POLL_EVERY`] nodes the bounds fixpoint visits;
/// the first `true` ends it with [`Certificate::Timeout`] (no further poll).
pub fn certify_polling(
    net: &Network,
    sc: &Scenario,
    state: &State,
    late: &dyn Fn() -> bool,
) -> Certificate {
    certify_inner(net, sc, state, None, late)
}

/// [`certify_polling`] for the deterministic tie-break `choices` (super::choice):
/// proves `state` — the simulator's state under `choices`
/// ([`super::bgp::stable_state_choosing`]) — the only stable state of `sc` when every
/// node breaks its undocumented ties as `choices` says ([`compare_choosing`]; at a
/// node `choices` leaves out, the declaration-order default). The certificate is the
/// same as [`certify_polling`]'s, with each undocumented tie between a node's route
/// and an offer decided by that order instead of counted as lost, and without the
/// refusal of a state that shows a material tie (under `choices` it has none).
pub fn certify_choosing(
    net: &Network,
    sc: &Scenario,
    state: &State,
    choices: &Choices,
    late: &dyn Fn() -> bool,
) -> Certificate {
    certify_inner(net, sc, state, Some(choices), late)
}

fn certify_inner(
    net: &Network,
    sc: &Scenario,
    state: &State,
    choices: Option<&Choices>,
    late: &dyn Fn() -> bool,
) -> Certificate {
    // A session dropped in `state` is dropped in every stable state only when it is
    // over its limit whenever it is up in this scenario
    // (`limits::certainly_dropped_in`); the rest of the certificate then reasons
    // about the network without it.
    let dropped: BTreeSet<SessionId> = state.dropped.iter().map(|d| d.session).collect();
    if !dropped.is_empty() {
        let certain = super::limits::certainly_dropped_in(net, &|c| sc.is_down(c), false);
        if !dropped
            .iter()
            .all(|s| certain.iter().any(|c| c.session == *s))
        {
            return Certificate::RouteLimits(
                "a session is dropped by a route limit in this stable state, and not in every one"
                    .into(),
            );
        }
    }
    if let Some(r) = state.recursive.first() {
        return Certificate::RouteLimits(format!(
            "tunnel `{}` is down: its outer packets are routed into it",
            net.tunnels.get(r.tunnel).map_or("?", |t| t.name.as_str())
        ));
    }
    // An undocumented tie that matters (super::choice): another choice gives another
    // stable state, so this one is not the only one (under a fixed tie-break there is
    // no other choice).
    let material = match choices {
        Some(_) => Vec::new(),
        None => super::choice::material_ties(net, sc, state),
    };
    if let Some(t) = material.first() {
        let name = |n: NodeId| super::node_name(net, n).to_string();
        let others: Vec<String> = t.others.iter().map(|n| format!("`{}`", name(*n))).collect();
        return Certificate::NotShown(format!(
            "`{}` chooses among equal routes for {} without a documented tie-break (from {}{})",
            name(t.node),
            t.prefix,
            t.chosen
                .map(|n| format!("`{}`, ", name(n)))
                .unwrap_or_default(),
            others.join(", ")
        ));
    }
    let live = Live::new(net, sc, &dropped);
    let med_fixed = !net.policies.values().any(|p| {
        p.rules
            .iter()
            .any(|r| r.actions.iter().any(|a| matches!(a, Action::SetMed(_))))
    });
    let nodes: Vec<NodeId> = net.nodes.ids().collect();
    let (in_edges, dead) = live_in_edges(net, &live);
    // Route limits play no part when no stable state can push a session over its
    // limit: per limited edge, the prefixes that could be offered over it in *any*
    // stable state (the abstract routes with no node fixed) are at most its limit.
    // Then every stable state has the sessions of `state` up, which the certificate
    // assumes. Those bounds (no node fixed) are also the first round of the class's
    // certificate, so each class computes them once, for both.
    let mut limits = RouteLimitCount::new(net, &live);
    // An aggregate stands on the routes for longer prefixes; each of those is
    // certified here too, so in every stable state the aggregate stands where it does
    // in `state`: its prefix is certified on the network with that decided.
    let aggregated = super::slices::aggregated(net);
    // The first class the certificate fails for (it then only counts route limits,
    // which take precedence).
    let mut failed: Option<String> = None;
    // Prefixes the design cannot tell apart (one class, super::slices, with the same
    // routes in `state`) share a certificate.
    for class in super::slices::prefix_classes(net, &net.originated_prefixes()) {
        let Some(rep) = class.first().copied() else {
            continue;
        };
        let mut unfixed = None;
        if limits.any() {
            let Some(bounds) = outside_bounds(net, &live, Some(state), &in_edges, &dead, rep, late)
            else {
                return Certificate::Timeout;
            };
            limits.count(net, &bounds, rep, class.len());
            unfixed = Some(bounds);
        }
        if failed.is_some() {
            continue;
        }
        // Keyed by the routes and, under a tie-break, the choice key: two prefixes
        // with different choices are certified apart.
        let mut done: BTreeSet<(Option<Ipv4Net>, RoutesKey)> = BTreeSet::new();
        // The prefixes whose key is in `done`, by the prefix `state` converged them as
        // (`State::class_of`): a prefix renamed from one of them has its key.
        let mut done_as: HashSet<Ipv4Net> = HashSet::new();
        for p in class {
            // Choices are made per class representative (bgp::State::class_of).
            let converged_as = state.class_of.get(&p).copied().unwrap_or(p);
            let choice_key = converged_as;
            if done_as.contains(&converged_as) {
                continue;
            }
            let key = (
                choices.map(|_| choice_key),
                routes_key(state, &nodes, converged_as),
            );
            if done.contains(&key) {
                done_as.insert(converged_as);
                continue;
            }
            if late() {
                return Certificate::Timeout;
            }
            let resolved = aggregated
                .contains(&p)
                .then(|| super::bgp::with_aggregates_resolved(net, &live, &state.ribs, p));
            // The bounds counted above are this prefix's first round when it is the
            // class's representative on the design itself.
            let first = if p == rep && resolved.is_none() {
                unfixed.take()
            } else {
                None
            };
            let netp = resolved.as_ref().unwrap_or(net);
            let choosing = |v: NodeId| match choices {
                None => Choosing::Any,
                Some(c) => Choosing::Sender(c.get(choice_key, v)),
            };
            match certify_prefix(
                netp, &live, state, &nodes, &in_edges, p, med_fixed, first, &choosing, late,
            ) {
                Ok(true) => {}
                Ok(false) => return Certificate::Timeout,
                Err(why) => {
                    failed = Some(why);
                    break;
                }
            }
            done.insert(key);
            done_as.insert(converged_as);
        }
    }
    if let Some(why) = limits.exceeded(net) {
        return Certificate::RouteLimits(why);
    }
    match failed {
        Some(why) => Certificate::NotShown(why),
        None => Certificate::Unique,
    }
}

/// Every place where an undocumented tie (super::choice) can arise in some stable
/// state of `sc`: per choice key (a prefix class representative of `state`, or an
/// aggregate) and node, the senders that can win such a tie there. `state` is any
/// stable state of `sc` whose dropped sessions are dropped in every one (the caller
/// certifies that); only its dropped sessions, its classes, and the routes of dead
/// nodes (none) are read.
///
/// A node `v` is a site for key `p` when two routes that may tie up to the router-id
/// step can reach it from different sources: two live in-edges from different
/// senders, each of which may offer `p` in some stable state (the abstract offers of
/// the certificate with no node fixed: [`outside_bounds`]; an aggregate: every live
/// in-edge), with equal connection weight and the same iBGP-ness, where `v` or one of
/// the senders has an undocumented router id ([`crate::ir::Node::router_id_known`]);
/// or `v`'s own origination of `p` and one such in-edge with its weight. The options
/// are those senders, and `None` (the default order, under which a local route wins
/// its router-id ties) when `v` originates `p`. An over-approximation: a site may
/// never see a tie, which costs only time.
///
/// `None` when `late` answered `true`.
pub fn tie_sites(
    net: &Network,
    sc: &Scenario,
    state: &State,
    late: &dyn Fn() -> bool,
) -> Option<Vec<TieSite>> {
    let dropped: BTreeSet<SessionId> = state.dropped.iter().map(|d| d.session).collect();
    let live = Live::new(net, sc, &dropped);
    let (in_edges, dead) = live_in_edges(net, &live);
    let aggregated = super::slices::aggregated(net);
    let mut keys: BTreeMap<Ipv4Net, usize> = BTreeMap::new();
    for (_, rib) in state.ribs.iter() {
        // A member of a class is held where its representative is: the stored
        // entries give every key.
        for p in rib.own().keys() {
            let key = state.class_of.get(p).copied().unwrap_or(*p);
            keys.entry(key).or_insert(0);
        }
    }
    // Prefixes no node holds in `state` may be held in another stable state: every
    // origination (an aggregate, a conditional one) and a generated default is a key.
    let originated = net
        .nodes
        .values()
        .flat_map(|n| n.originates.iter().map(|o| o.prefix))
        .chain(
            net.edges
                .values()
                .filter(|e| e.default_originate.is_some())
                .map(|_| Ipv4Net::default()),
        );
    for p in originated {
        let key = state.class_of.get(&p).copied().unwrap_or(p);
        keys.entry(key).or_insert(0);
    }
    for key in state.class_of.values() {
        if let Some(n) = keys.get_mut(key) {
            *n += 1;
        }
    }
    let mut out = Vec::new();
    for (key, others) in keys {
        if late() {
            return None;
        }
        let bounds = if aggregated.contains(&key) {
            None
        } else {
            Some(outside_bounds(
                net,
                &live,
                Some(state),
                &in_edges,
                &dead,
                key,
                late,
            )?)
        };
        for (v, node) in net.nodes.iter() {
            if !live.node(v) {
                continue;
            }
            // (sender, weight, iBGP, router id known) of each source that may offer.
            let mut sources: Vec<(Option<NodeId>, u32, bool, bool)> = Vec::new();
            let originates = node.originates.iter().any(|o| o.prefix == key);
            if originates {
                let r = Route::originated(net, key, v);
                sources.push((None, r.weight, false, true));
            }
            for e in in_edges.get(v.index()).into_iter().flatten() {
                let Some(edge) = net.edges.get(*e) else {
                    continue;
                };
                let offered = match &bounds {
                    None => true,
                    Some(b) => {
                        b.offers.contains_key(e)
                            || (edge.originates_default(key)
                                && super::bgp::offer(net, *e, key, None).is_some())
                    }
                };
                if offered {
                    let known = net.nodes.get(edge.from).is_some_and(|n| n.router_id_known);
                    sources.push((Some(edge.from), edge.weight, edge.ibgp, known));
                }
            }
            let mut options: BTreeSet<Option<NodeId>> = BTreeSet::new();
            for (i, a) in sources.iter().enumerate() {
                for b in sources.iter().skip(i + 1) {
                    if a.0 != b.0
                        && a.1 == b.1
                        && a.2 == b.2
                        && !(node.router_id_known && a.3 && b.3)
                    {
                        options.insert(a.0);
                        options.insert(b.0);
                    }
                }
            }
            if options.is_empty() {
                continue;
            }
            if originates {
                options.insert(None);
            }
            out.push(TieSite {
                key,
                members: others + 1,
                node: v,
                options: options.into_iter().collect(),
            });
        }
    }
    Some(out)
}

/// Whether the design's own prefixes could push a session over its route limit in
/// some stable state of some scenario ([`route_limit_bound`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LimitBound {
    /// Every limited edge's bound is within its limit: no stable state of any
    /// scenario drops a session (other than those taken as down).
    Within,
    /// A limited edge's bound is over its limit; the text names the edge (sender →
    /// receiver), the bound and the limit.
    Exceeded(String),
    /// `late` answered `true` before the bound was complete.
    Timeout,
}

/// The route-limit may-bound of the whole design, for every scenario at once: per
/// limited edge `u → v` (route limits: docs/semantics.md §1, "Route limits"), the
/// number of the design's prefixes whose routes `u` could offer over it in *some*
/// stable state of *some* scenario, compared with its limit. The same count as the
/// certificate's ([`certify_polling`], `RouteLimitCount`): per class of prefixes
/// ([`super::slices::prefix_classes`]), the abstract routes with no node fixed
/// (`outside_bounds`), here on the network with every component up and only the
/// sessions `down` removed (each over its limit whenever up:
/// `bgp::certainly_dropped`, down in every stable state).
///
/// Why one computation covers every scenario a check asks (`under failures`,
/// `without`, sessions dropped by limits): the abstract routes are the least fixpoint
/// of transfers that are monotone in their input, started from the originations.
/// Every route of a stable state is derived from an origination along live edges, so
/// it is described by that fixpoint; a scenario only removes edges and nodes (a
/// failure, `without`, a dropped session) and originations (one that `requires` a
/// component stands only while it is up; an aggregate is counted as if it always
/// stood), so its fixpoint is below this one, and derivability, hence the bound, is
/// monotone in the live edges. Policies are run three-valued (a route is left out only
/// where every way through them denies it), so the count ignores no route a policy
/// might let through.
///
/// An environment (`assume N advertises any ...`) is not counted here: its
/// announcements reach only what `N` reaches, and the SMT encoding gives every
/// limited session the environment could push over (counting every design prefix
/// as crossing) a free "dropped" choice (`smt::encode`, `Flood`) — which also covers
/// an environment announcing one of the design's own prefixes.
///
/// `late` is asked as in [`certify_polling`].
pub fn route_limit_bound(
    net: &Network,
    down: &BTreeSet<SessionId>,
    late: &dyn Fn() -> bool,
) -> LimitBound {
    let live = Live::new(net, &Scenario::new([]), down);
    let mut limits = RouteLimitCount::new(net, &live);
    if !limits.any() {
        return LimitBound::Within;
    }
    let (in_edges, dead) = live_in_edges(net, &live);
    for class in super::slices::prefix_classes(net, &net.originated_prefixes()) {
        let Some(rep) = class.first().copied() else {
            continue;
        };
        let Some(bounds) = outside_bounds(net, &live, None, &in_edges, &dead, rep, late) else {
            return LimitBound::Timeout;
        };
        limits.count(net, &bounds, rep, class.len());
    }
    match limits.exceeded(net) {
        Some(why) => LimitBound::Exceeded(why),
        None => LimitBound::Within,
    }
}

/// The prefixes that could be offered over each edge with a route limit in some
/// stable state, summed over the prefix classes (see [`certify_polling`]). `live`
/// leaves out the sessions the state drops, each dropped in every stable state
/// (`bgp::certainly_dropped`, checked by the caller): then every stable state has the
/// other sessions up, which the certificate assumes.
struct RouteLimitCount {
    limited: Vec<(EdgeId, u32)>,
    counts: BTreeMap<EdgeId, u64>,
}

impl RouteLimitCount {
    fn new(net: &Network, live: &Live) -> RouteLimitCount {
        RouteLimitCount {
            limited: net
                .edges
                .iter()
                .filter(|(id, _)| live.edge(*id))
                .filter_map(|(id, e)| e.max_routes.map(|l| (id, l.max)))
                .collect(),
            counts: BTreeMap::new(),
        }
    }
    fn any(&self) -> bool {
        !self.limited.is_empty()
    }
    /// Counts the `size` prefixes of the class of `rep` on every limited edge whose
    /// sender may offer them, by `bounds` (no node fixed).
    fn count(&mut self, net: &Network, bounds: &Bounds, rep: Ipv4Net, size: usize) {
        for (e, _) in &self.limited {
            let Some(from) = net.edges.get(*e).map(|x| x.from) else {
                continue;
            };
            let offered = bounds
                .parts
                .get(from.index())
                .is_some_and(|parts| offer(net, *e, parts, rep).is_some());
            if offered {
                *self.counts.entry(*e).or_insert(0) += size as u64;
            }
        }
    }
    /// The first limited edge (in edge order) over its limit, described.
    fn exceeded(&self, net: &Network) -> Option<String> {
        for (e, limit) in &self.limited {
            let n = self.counts.get(e).copied().unwrap_or(0);
            if n > u64::from(*limit) {
                let name = |x: NodeId| net.nodes.get(x).map(|n| n.name.clone()).unwrap_or_default();
                let (from, to) = net
                    .edges
                    .get(*e)
                    .map(|x| (name(x.from), name(x.to)))
                    .unwrap_or_default();
                return Some(format!(
                    "up to {n} prefixes could be offered from `{from}` to `{to}`, over its limit of {limit}"
                ));
            }
        }
        None
    }
}

/// Each node's best route for a prefix in `state`: where it came from and its AS path.
type RoutesKey = Vec<Option<(Option<EdgeId>, Vec<u32>)>>;

fn routes_key(state: &State, nodes: &[NodeId], p: Ipv4Net) -> RoutesKey {
    nodes
        .iter()
        .map(|n| {
            state
                .best(*n, p)
                .map(|r| (r.learned_from, r.as_path.clone()))
        })
        .collect()
}

/// What the control plane of prefix `p` depends on `p` for ([`super::slices`]): two
/// prefixes with the same signature are routed alike (up to the prefix itself), in the
/// simulator and in the SMT encoding ([`crate::smt::unique`]).
pub fn prefix_signature(net: &Network, p: Ipv4Net) -> (Vec<NodeId>, Vec<bool>) {
    super::slices::signature(net, p)
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
    mut first: Option<Bounds>,
    choosing: &dyn Fn(NodeId) -> Choosing,
    late: &dyn Fn() -> bool,
) -> Result<bool, String> {
    let n = nodes.len();
    let mut fixed = vec![false; n];
    // Nodes are tried in the order routes spread in `state` (a node after the node it
    // learned its route from): a round then fixes a whole chain, not one hop of it.
    let order = propagation_order(net, state, nodes, p);
    let nodes = order.as_slice();
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
        // `first`, when given, is the first round's bounds (no node fixed but the
        // dead), already computed.
        let bounds = match first.take() {
            Some(b) => b,
            None => match outside_bounds(net, live, Some(state), in_edges, &fixed, p, late) {
                Some(b) => b,
                None => return Ok(false),
            },
        };
        let mut progress = false;
        for v in nodes {
            if fixed.get(v.index()).copied().unwrap_or(true) {
                continue;
            }
            if late() {
                return Ok(false);
            }
            if forced(
                net, state, in_edges, &fixed, &bounds, *v, p, med_fixed, choosing,
            ) {
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

/// `nodes` ordered by how many hops their route for `p` in `state` travelled from its
/// origin (no route: last), ties by id.
fn propagation_order(net: &Network, state: &State, nodes: &[NodeId], p: Ipv4Net) -> Vec<NodeId> {
    let hops = |v: NodeId| -> usize {
        let mut cur = v;
        for k in 0..=nodes.len() {
            let Some(r) = state.best(cur, p) else {
                return usize::MAX;
            };
            match r.learned_from.and_then(|e| net.edges.get(e)) {
                None => return k,
                Some(e) => cur = e.from,
            }
        }
        usize::MAX
    };
    let mut keyed: Vec<(usize, NodeId)> = nodes.iter().map(|v| (hops(*v), *v)).collect();
    keyed.sort();
    keyed.into_iter().map(|(_, v)| v).collect()
}

/// The routes a node outside `fixed` may hold, one abstract route per source (its
/// origination, or each in-edge), so that "never back to the sender" and iBGP split
/// horizon stay exact.
pub(super) type Parts = BTreeMap<Option<EdgeId>, Abstract>;

/// What edge `e` offers when its sender is outside `fixed` and may hold `parts`.
pub(super) fn offer(net: &Network, e: EdgeId, parts: &Parts, p: Ipv4Net) -> Option<Abstract> {
    let edge = net.edges.get(e)?;
    if edge.originates_default(p) {
        return transfer(net, e, &Abstract::of(&Route::local(p, edge.from)), p);
    }
    offer_of(net, e, parts.iter().map(|(s, a)| (*s, a)), p)
}

/// The join of what edge `e` offers for each of `parts` (source, abstract route) its
/// sender may hold, leaving out those it may not send back or over iBGP again.
fn offer_of<'a>(
    net: &Network,
    e: EdgeId,
    parts: impl Iterator<Item = (Option<EdgeId>, &'a Abstract)>,
    p: Ipv4Net,
) -> Option<Abstract> {
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

/// The abstract routes of the nodes outside `fixed` (`parts`, per node) and what each
/// edge from an outside sender to an outside receiver offers at the fixpoint
/// (`offers`; an edge absent offers nothing).
pub(super) struct Bounds {
    pub(super) parts: Vec<Parts>,
    offers: BTreeMap<EdgeId, Abstract>,
}

/// Per node (by index), the live edges arriving at it in edge id order, and whether
/// it is dead: the adjacency `outside_bounds` walks, for the network `live` leaves.
pub(super) fn live_in_edges(net: &Network, live: &Live) -> (Vec<Vec<EdgeId>>, Vec<bool>) {
    let mut in_edges: Vec<Vec<EdgeId>> = vec![Vec::new(); net.nodes.len()];
    for (id, e) in net.edges.iter() {
        if live.edge(id) {
            if let Some(v) = in_edges.get_mut(e.to.index()) {
                v.push(id);
            }
        }
    }
    let dead: Vec<bool> = net.nodes.ids().map(|n| !live.node(n)).collect();
    (in_edges, dead)
}

/// The abstract routes of the nodes outside `fixed`: the least fixpoint from the exact
/// routes of the fixed nodes and the originations of the others.
///
/// A worklist (chaotic iteration): a node is revisited only when its parts grew, and
/// then only its out-edges are recomputed. Every transfer is monotone in its input
/// (joins only lose precision; loop prevention blocks less as the lower bounds fall),
/// so any order reaches the same least fixpoint; each part only grows, in finite
/// domains, so the iteration ends. `late` is asked every [`POLL_EVERY`] nodes
/// visited: `None` once it answers `true`. `state` gives the fixed nodes' routes
/// (`None`: no node is fixed but the dead, whose routes are never read).
pub(super) fn outside_bounds(
    net: &Network,
    live: &Live,
    state: Option<&State>,
    in_edges: &[Vec<EdgeId>],
    fixed: &[bool],
    p: Ipv4Net,
    late: &dyn Fn() -> bool,
) -> Option<Bounds> {
    let n = fixed.len();
    let is_fixed = |i: usize| fixed.get(i).copied().unwrap_or(true);
    let mut parts: Vec<Parts> = vec![Parts::new(); n];
    // Edges between outside nodes, by sender.
    let mut out_edges: Vec<Vec<(EdgeId, usize)>> = vec![Vec::new(); n];
    let mut queued = vec![false; n];
    let mut queue: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
    for (i, edges) in in_edges.iter().enumerate() {
        if is_fixed(i) || !live.node(NodeId::from_index(i)) {
            continue;
        }
        let v = NodeId::from_index(i);
        let Some(slot) = parts.get_mut(i) else {
            continue;
        };
        if net.nodes.get(v).is_some_and(|x| {
            x.originates
                .iter()
                .any(|o| o.prefix == p && o.stands(|c| live.is_down(c)))
        }) {
            slot.insert(None, Abstract::of(&Route::originated(net, p, v)));
        }
        for e in edges {
            let Some(edge) = net.edges.get(*e) else {
                continue;
            };
            let from = edge.from.index();
            if fixed.get(from).copied().unwrap_or(false) || edge.originates_default(p) {
                // Offers from fixed senders are exact and do not change; nor do those
                // of edges that originate `p`, whatever their sender holds.
                let best = state.and_then(|s| s.best(edge.from, p));
                let offer = super::bgp::offer(net, *e, p, best).map(|r| Abstract::of(&r));
                if let Some(offer) = offer {
                    slot.insert(Some(*e), offer);
                }
            } else if let Some(out) = out_edges.get_mut(from) {
                out.push((*e, i));
            }
        }
        if !slot.is_empty() {
            queued[i] = true;
            queue.push_back(i);
        }
    }
    // The parts of each node not yet sent over its out-edges (all of them at first).
    // An out-edge's offer is the join of its transfers of every part; a visit only
    // transfers the parts that changed since the last one and joins them into what the
    // edge offered already. The other parts' transfers are in that join already, so
    // this is the same fixpoint as transferring every part on every visit, with a
    // node's N parts × N out-edges transfers per visit down to (changed parts) × N.
    let mut changed: Vec<Vec<Option<EdgeId>>> =
        parts.iter().map(|p| p.keys().copied().collect()).collect();
    let mut offers: BTreeMap<EdgeId, Abstract> = BTreeMap::new();
    let mut visits = 0usize;
    while let Some(u) = queue.pop_front() {
        visits += 1;
        if visits.is_multiple_of(POLL_EVERY) && late() {
            return None;
        }
        if let Some(q) = queued.get_mut(u) {
            *q = false;
        }
        let sources = changed.get_mut(u).map(std::mem::take).unwrap_or_default();
        let Some(sender) = parts.get(u) else {
            continue;
        };
        let Some(out) = out_edges.get(u) else {
            continue;
        };
        let fresh: Vec<(EdgeId, usize, Abstract)> = out
            .iter()
            .filter_map(|(e, i)| {
                let changed_parts = sources
                    .iter()
                    .filter_map(|s| sender.get(s).map(|a| (*s, a)));
                offer_of(net, *e, changed_parts, p).map(|a| (*e, *i, a))
            })
            .collect();
        for (e, i, new) in fresh {
            let merged = match offers.get(&e) {
                Some(old) => old.join(&new),
                None => new,
            };
            if offers.get(&e) == Some(&merged) {
                continue;
            }
            offers.insert(e, merged.clone());
            let Some(slot) = parts.get_mut(i) else {
                continue;
            };
            slot.insert(Some(e), merged);
            if let Some(c) = changed.get_mut(i) {
                if !c.contains(&Some(e)) {
                    c.push(Some(e));
                }
            }
            if let Some(q) = queued.get_mut(i) {
                if !*q {
                    *q = true;
                    queue.push_back(i);
                }
            }
        }
    }
    Some(Bounds { parts, offers })
}

/// Whether `v`'s route in `state` is forced once the nodes in `fixed` are.
#[allow(clippy::too_many_arguments)]
fn forced(
    net: &Network,
    state: &State,
    in_edges: &[Vec<EdgeId>],
    fixed: &[bool],
    bounds: &Bounds,
    v: NodeId,
    p: Ipv4Net,
    med_fixed: bool,
    choosing: &dyn Fn(NodeId) -> Choosing,
) -> bool {
    let multipath = net.nodes.get(v).is_some_and(|x| x.behaviours.multipath);
    let best = state.best(v, p);
    if let Some(r) = best {
        // Its source must be fixed (or itself).
        if let Some(e) = r.learned_from {
            let from_fixed = net.edges.get(e).is_some_and(|x| {
                fixed.get(x.from.index()).copied().unwrap_or(false) || x.originates_default(p)
            });
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
        if fixed.get(edge.from.index()).copied().unwrap_or(false) || edge.originates_default(p) {
            // Offers from fixed nodes (and from edges that originate `p`) are the same
            // as in `state`, which is stable.
            continue;
        }
        let Some(offer) = bounds.offers.get(e) else {
            continue;
        };
        match best {
            None => return false,
            Some(r) => {
                if !beats(net, r, *e, offer, multipath, med_fixed, choosing(v)) {
                    return false;
                }
            }
        }
    }
    true
}
