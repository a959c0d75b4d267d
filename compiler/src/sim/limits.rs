//! Sessions over their route limit in every stable state in which they are up
//! (docs/semantics.md §1, "Route limits"): a must-analysis of what a limited edge's
//! sender offers, passed-on routes included.
//!
//! A session `s` with a limited edge `u → v` (limit `L`) is *certainly dropped* when
//! more than `L` of the design's prefixes cross that edge in every stable state in
//! which `s` is up: then no stable state has `s` up (the receiver tears it down), and
//! both engines take it as down (`without`: `smt::queries`, `sim::unique::certify`).
//!
//! A prefix `p` certainly crosses `u → v` when
//! - `u` holds a route for `p` in every such stable state ([`must_hold`]), and
//! - every route `u` may hold for `p` passes the edge: `u`'s export policies, the
//!   prepend, `v`'s loop check and import policies all surely let it through
//!   ([`surely_passes`]).
//!
//! The routes `u` may hold are the certificate's abstract routes with no node fixed
//! (`sim::unique::outside_bounds`: per source, lower bounds on each ASN's
//! occurrences, the tags it may and must carry, its possible originators), on the
//! network with every component up and the sessions already shown dropped removed
//! (a scenario only removes edges, and that fixpoint is monotone in them). Loop
//! prevention needs the other side too — which ASNs a route may carry at all — so each
//! abstract route gets an upper set of ASNs ([`may_asns`]): those of its origination
//! and those the edges it may have crossed add (prepends, policy prepends,
//! `replace_as`); removals are ignored (a superset stays sound).
//!
//! `u` holds a route in every stable state where: it originates `p` itself (a plain
//! origination that requires no component that may be down), or some *reliable* edge
//! `x → u` comes from a node that holds one and every route `x` may hold either came
//! from `u` (then `u` held a route) or surely passes the edge (then `u` has a
//! candidate, so a best route). A reliable edge is up in every scenario the caller
//! asks about (`unreliable` says which components may be down there), is not over a
//! tunnel (a tunnel can go down by recursive routing, `super::underlay`), and does
//! not belong to another limited session: every other limited session is treated as
//! possibly down. Sessions found dropped are removed and the analysis runs again, to
//! a fixpoint (removing a session only shrinks what the others may be offered).
//!
//! When unsure, a session is not certainly dropped: each step above only ever
//! under-approximates what is certain.

use super::bgp::{transfer as route_transfer, DroppedSession, Route, LOCAL_WEIGHT};
use super::unique::{
    apply, condition, live_in_edges, offer, outside_bounds, transfer, Abstract, Bounds, Tri,
};
use super::{Live, Scenario};
use crate::ir::{
    Action, ComponentId, Condition, EdgeId, Id, Network, NodeId, PolicyId, SessionId, NO_ADVERTISE,
};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};

/// Sessions over their route limit in every stable state in which they are up, in
/// every scenario in which the components `unreliable` names may be down (and the
/// others are up). One entry per session (its first such edge, in edge order), in
/// session id order; `accepted` is the number of prefixes certainly accepted over
/// that edge (a lower bound of what the receiver gets whenever the session is up).
pub fn certainly_dropped_in(
    net: &Network,
    unreliable: &dyn Fn(ComponentId) -> bool,
    environment: bool,
) -> Vec<DroppedSession> {
    let limited_sessions: BTreeSet<SessionId> = net
        .edges
        .values()
        .filter(|e| e.max_routes.is_some())
        .map(|e| e.session)
        .collect();
    if limited_sessions.is_empty() {
        return Vec::new();
    }
    let classes = super::slices::prefix_classes(net, &net.originated_prefixes());
    let mut out: Vec<DroppedSession> = Vec::new();
    loop {
        let gone: BTreeSet<SessionId> = out.iter().map(|d| d.session).collect();
        let live = Live::new(net, &Scenario::new([]), &gone);
        let (in_edges, dead) = live_in_edges(net, &live);
        let candidates: Vec<(EdgeId, crate::ir::RouteLimit, SessionId)> = net
            .edges
            .iter()
            .filter(|(id, e)| live.edge(*id) && !gone.contains(&e.session))
            .filter_map(|(id, e)| e.max_routes.map(|l| (id, l, e.session)))
            .collect();
        if candidates.is_empty() {
            break;
        }
        let sessions: BTreeSet<SessionId> = candidates.iter().map(|c| c.2).collect();
        // Pass 1: per class, the abstract routes (no node fixed), and per limited edge
        // the may-bound of what crosses it (the certificate's count).
        let mut per_class: Vec<(&Vec<Ipv4Net>, Ipv4Net, Bounds)> = Vec::new();
        let mut may: BTreeMap<EdgeId, usize> = BTreeMap::new();
        for class in &classes {
            let Some(rep) = class.first().copied() else {
                continue;
            };
            let Some(bounds) = outside_bounds(net, &live, None, &in_edges, &dead, rep, &|| false)
            else {
                continue;
            };
            for (e, _, _) in &candidates {
                let Some(from) = net.edges.get(*e).map(|x| x.from) else {
                    continue;
                };
                if bounds
                    .parts
                    .get(from.index())
                    .is_some_and(|parts| offer(net, *e, parts, rep).is_some())
                {
                    *may.entry(*e).or_insert(0) += class.len();
                }
            }
            per_class.push((class, rep, bounds));
        }
        // A limited session whose may-bound is within its limit on every edge is never
        // dropped by it: as reliable as an unlimited one. Not with an environment,
        // whose announcements the may-bound does not count.
        let safe: BTreeSet<SessionId> = if environment {
            BTreeSet::new()
        } else {
            limited_sessions
                .iter()
                .copied()
                .filter(|s| {
                    candidates
                        .iter()
                        .filter(|c| c.2 == *s)
                        .all(|(e, l, _)| may.get(e).copied().unwrap_or(0) <= l.max as usize)
                })
                .collect()
        };
        // Pass 2: per class and limited session that may exceed its limit (what
        // surely crosses is at most what may), what its sender surely offers.
        let unsafe_sessions: Vec<SessionId> = sessions
            .iter()
            .copied()
            .filter(|s| {
                candidates
                    .iter()
                    .any(|(e, l, x)| x == s && may.get(e).copied().unwrap_or(0) > l.max as usize)
            })
            .collect();
        if unsafe_sessions.is_empty() {
            break;
        }
        let mut counts: BTreeMap<EdgeId, usize> = BTreeMap::new();
        for (class, rep, bounds) in &per_class {
            let asns = may_asns(net, bounds, *rep);
            let sure = Sure {
                net,
                bounds,
                asns: &asns,
                p: *rep,
                unreliable,
                environment,
            };
            for s in &unsafe_sessions {
                let reliable = |e: EdgeId| {
                    net.edges.get(e).is_some_and(|x| {
                        live.edge(e)
                            && x.tunnel.is_none()
                            && (x.session == *s
                                || !limited_sessions.contains(&x.session)
                                || safe.contains(&x.session))
                            && !x.requires.iter().any(|c| unreliable(*c))
                    })
                };
                let hold = must_hold(net, &sure, &reliable);
                for (e, _, _) in candidates.iter().filter(|c| c.2 == *s) {
                    let Some(from) = net.edges.get(*e).map(|x| x.from) else {
                        continue;
                    };
                    if hold.get(from.index()).copied().unwrap_or(false) && sure.offered(*e) {
                        *counts.entry(*e).or_insert(0) += class.len();
                    }
                }
            }
        }
        let before = out.len();
        for (e, limit, s) in &candidates {
            let n = counts.get(e).copied().unwrap_or(0);
            if n > limit.max as usize && !out.iter().any(|d| d.session == *s) {
                out.push(DroppedSession {
                    session: *s,
                    edge: *e,
                    accepted: n,
                    limit: *limit,
                });
            }
        }
        if out.len() == before {
            break;
        }
    }
    out.sort_by_key(|d| d.session);
    out
}

/// Per node, per source of its abstract routes (as `Bounds::parts`), the ASNs a
/// route from that source may carry: the least fixpoint of "what the sender's
/// routes that may cross the edge carry, plus what the edge adds".
type Asns = Vec<BTreeMap<Option<EdgeId>, BTreeSet<u32>>>;

fn may_asns(net: &Network, bounds: &Bounds, p: Ipv4Net) -> Asns {
    let route_asns = |r: &Route| -> BTreeSet<u32> {
        r.as_path
            .iter()
            .chain(&r.as_set)
            .copied()
            .collect::<BTreeSet<u32>>()
    };
    let mut out: Asns = vec![BTreeMap::new(); bounds.parts.len()];
    for (i, parts) in bounds.parts.iter().enumerate() {
        let Some(slot) = out.get_mut(i) else { continue };
        for key in parts.keys() {
            let init = match key {
                None => route_asns(&Route::originated(net, p, NodeId::from_index(i))),
                Some(e) => match net.edges.get(*e) {
                    // Generated by the edge (default-originate): exact.
                    Some(x) if x.originates_default(p) => {
                        match route_transfer(net, *e, &Route::local(p, x.from)) {
                            Ok(r) => route_asns(&r),
                            Err(_) => BTreeSet::new(),
                        }
                    }
                    _ => BTreeSet::new(),
                },
            };
            slot.insert(*key, init);
        }
    }
    loop {
        let mut changed = false;
        for (i, parts) in bounds.parts.iter().enumerate() {
            for key in parts.keys() {
                let Some(e) = *key else { continue };
                let Some(edge) = net.edges.get(e) else {
                    continue;
                };
                if edge.originates_default(p) {
                    continue;
                }
                let from = edge.from.index();
                let Some(sender) = bounds.parts.get(from) else {
                    continue;
                };
                let mut add: BTreeSet<u32> = added_asns(net, e);
                for (src, a) in sender {
                    if excluded(net, *src, e) || transfer(net, e, a, p).is_none() {
                        continue;
                    }
                    if let Some(s) = out.get(from).and_then(|m| m.get(src)) {
                        add.extend(s.iter().copied());
                    }
                }
                if let Some(set) = out.get_mut(i).and_then(|m| m.get_mut(key)) {
                    let n = set.len();
                    set.extend(add);
                    changed |= set.len() != n;
                }
            }
        }
        if !changed {
            return out;
        }
    }
}

/// The ASNs edge `e` may add to a route: its prepend, and what its export and import
/// policies may prepend (`replace_as` puts the node's own ASN in).
fn added_asns(net: &Network, e: EdgeId) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    let Some(edge) = net.edges.get(e) else {
        return out;
    };
    out.extend(edge.prepend.iter().copied());
    let own = |n: NodeId| net.nodes.get(n).map(|x| x.asn);
    for (ids, asn) in [(&edge.export, own(edge.from)), (&edge.import, own(edge.to))] {
        for pid in ids {
            let Some(pol) = net.policies.get(*pid) else {
                continue;
            };
            for act in pol.rules.iter().flat_map(|r| r.actions.iter()) {
                match act {
                    Action::Prepend(n, _) => {
                        out.insert(*n);
                    }
                    Action::ReplaceAs(_) => out.extend(asn),
                    _ => {}
                }
            }
        }
    }
    out
}

/// Whether a route learned over `src` is never sent over `e`: not back to the
/// neighbour it came from, not from iBGP to iBGP (split horizon).
fn excluded(net: &Network, src: Option<EdgeId>, e: EdgeId) -> bool {
    let (Some(l), Some(edge)) = (src.and_then(|l| net.edges.get(l)), net.edges.get(e)) else {
        return false;
    };
    l.from == edge.to || (l.ibgp && edge.ibgp)
}

/// The abstract routes of one prefix (no node fixed) with their ASN sets.
struct Sure<'a> {
    net: &'a Network,
    bounds: &'a Bounds,
    asns: &'a Asns,
    p: Ipv4Net,
    unreliable: &'a dyn Fn(ComponentId) -> bool,
    /// An environment may announce routes the abstract routes do not describe: only
    /// a node's own route, when it is surely its best, is counted.
    environment: bool,
}

impl Sure<'_> {
    /// Whether the route `u` holds, whatever it is, crosses `u → v` (`e`). When `u`
    /// originates `p` (a plain origination that stands in every scenario asked) and
    /// every edge into `u` has a smaller weight than a local route's, its own route is
    /// its best (weight is step 1; policies do not set it).
    fn offered(&self, e: EdgeId) -> bool {
        let net = self.net;
        let Some(edge) = net.edges.get(e) else {
            return false;
        };
        if edge.originates_default(self.p) {
            return route_transfer(net, e, &Route::local(self.p, edge.from)).is_ok();
        }
        let Some(parts) = self.bounds.parts.get(edge.from.index()) else {
            return false;
        };
        if parts.is_empty() {
            return false;
        }
        let stands = net.nodes.get(edge.from).is_some_and(|n| {
            n.originates.iter().any(|o| {
                o.prefix == self.p
                    && !o.aggregate
                    && o.requires.is_none_or(|c| !(self.unreliable)(c))
            })
        });
        let local_best = stands
            && net
                .edges
                .values()
                .filter(|x| x.to == edge.from)
                .all(|x| x.weight < LOCAL_WEIGHT);
        if self.environment && !local_best {
            return false;
        }
        parts
            .keys()
            .filter(|src| !local_best || src.is_none())
            .all(|src| self.passes(*src, e))
    }

    /// Whether every route from source `src` of the sender's abstract routes surely
    /// crosses `e`.
    fn passes(&self, src: Option<EdgeId>, e: EdgeId) -> bool {
        let net = self.net;
        let Some(edge) = net.edges.get(e) else {
            return false;
        };
        if src.is_none() {
            // Its own origination: one concrete route, exact.
            let r = Route::originated(net, self.p, edge.from);
            return route_transfer(net, e, &r).is_ok();
        }
        if excluded(net, src, e) {
            return false;
        }
        let from = edge.from.index();
        let (Some(a), Some(asns)) = (
            self.bounds.parts.get(from).and_then(|m| m.get(&src)),
            self.asns.get(from).and_then(|m| m.get(&src)),
        ) else {
            return false;
        };
        surely_passes(net, e, a, asns, self.p)
    }
}

/// Whether every route `a` describes (carrying only ASNs of `asns`) crosses edge
/// `e`: not NO_ADVERTISE, permitted by every export policy, accepted by the loop
/// check, permitted by every import policy. A rule whose match is not decided makes
/// the answer `false`.
fn surely_passes(net: &Network, e: EdgeId, a: &Abstract, asns: &BTreeSet<u32>, p: Ipv4Net) -> bool {
    let Some(edge) = net.edges.get(e) else {
        return false;
    };
    let (Some(sender), Some(receiver)) = (net.nodes.get(edge.from), net.nodes.get(edge.to)) else {
        return false;
    };
    let no_adv = |t: &crate::ir::TagId| {
        net.tags
            .get(*t)
            .is_some_and(|tag| tag.community == Some(NO_ADVERTISE))
    };
    if a.may_tags.iter().any(no_adv) {
        return false;
    }
    let mut a = a.clone();
    let mut asns = asns.clone();
    if !surely_permitted(net, &edge.export, &mut a, &mut asns, sender.asn, p) {
        return false;
    }
    for asn in &edge.prepend {
        a.counts.add(*asn, 1);
        asns.insert(*asn);
    }
    if edge.loop_check.is_some_and(|asn| asns.contains(&asn)) {
        return false;
    }
    surely_permitted(net, &edge.import, &mut a, &mut asns, receiver.asn, p)
}

/// Whether policies `ids` permit every route `a` describes, applying the actions of
/// the rule that surely matches.
fn surely_permitted(
    net: &Network,
    ids: &[PolicyId],
    a: &mut Abstract,
    asns: &mut BTreeSet<u32>,
    own_asn: u32,
    p: Ipv4Net,
) -> bool {
    for pid in ids {
        let Some(pol) = net.policies.get(*pid) else {
            return false;
        };
        let mut permitted = false;
        for rule in &pol.rules {
            let mut t = Tri::True;
            for c in &rule.conditions {
                let v = match c {
                    Condition::AsPathContains(n) if !asns.contains(n) => Tri::False,
                    _ => condition(c, a, p),
                };
                match v {
                    Tri::False => {
                        t = Tri::False;
                        break;
                    }
                    Tri::Unknown => t = Tri::Unknown,
                    Tri::True => {}
                }
            }
            match t {
                Tri::False => continue,
                Tri::Unknown => return false,
                Tri::True => {
                    if !rule.permit {
                        return false;
                    }
                    for act in &rule.actions {
                        apply(act, a, own_asn);
                        match act {
                            Action::Prepend(n, _) => {
                                asns.insert(*n);
                            }
                            Action::ReplaceAs(_) => {
                                asns.insert(own_asn);
                            }
                            _ => {}
                        }
                    }
                    permitted = true;
                    break;
                }
            }
        }
        if !permitted {
            return false;
        }
    }
    true
}

/// Per node, whether it holds a route for the prefix in every stable state of every
/// scenario the caller asks about in which the edges `reliable` accepts are up (see
/// the module documentation).
fn must_hold(net: &Network, sure: &Sure<'_>, reliable: &dyn Fn(EdgeId) -> bool) -> Vec<bool> {
    let p = sure.p;
    let unreliable = sure.unreliable;
    let mut hold: Vec<bool> = net
        .nodes
        .iter()
        .map(|(_, n)| {
            !unreliable(n.component)
                && n.originates.iter().any(|o| {
                    o.prefix == p && !o.aggregate && o.requires.is_none_or(|c| !unreliable(c))
                })
        })
        .collect();
    if sure.environment {
        // Routes passed on may be displaced by the environment's.
        return hold;
    }
    loop {
        let mut changed = false;
        for (eid, e) in net.edges.iter() {
            if hold.get(e.to.index()).copied().unwrap_or(true) || !reliable(eid) {
                continue;
            }
            let gets = if e.originates_default(p) {
                route_transfer(net, eid, &Route::local(p, e.from)).is_ok()
            } else {
                hold.get(e.from.index()).copied().unwrap_or(false)
                    && sure.bounds.parts.get(e.from.index()).is_some_and(|parts| {
                        parts.keys().all(|src| {
                            src.and_then(|l| net.edges.get(l))
                                .is_some_and(|l| l.from == e.to)
                                || sure.passes(*src, eid)
                        })
                    })
            };
            if gets {
                if let Some(h) = hold.get_mut(e.to.index()) {
                    *h = true;
                    changed = true;
                }
            }
        }
        if !changed {
            return hold;
        }
    }
}
