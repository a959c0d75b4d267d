//! The BGP control plane: routes, policy application, the decision process, the
//! per-prefix fixpoint, route limits and non-convergence (semantics.md §1).
//!
//! Choices where the spec is silent or ambiguous:
//! - Import actions: `set next_hop A` sets the next hop to the address A (FRR's inbound
//!   `set ip next-hop`); `set next_hop self` is meaningless on import and ignored.
//!   `replace_as` on import rewrites to the receiver's ASN (spec).
//! - Several `set next_hop` actions on one export: the last one wins, except FRR's
//!   `set ip next-hop unchanged`, which keeps the route's next hop only while no other
//!   next-hop action of the export has set one (the SMT encoding does the same).
//! - The fixpoint sweeps nodes in id order (Gauss–Seidel). When a node's best changes,
//!   its exports are recomputed at once and cached per edge; a node none of whose
//!   offers changed since its last evaluation is skipped (it would compute the same
//!   candidates), so this is exactly the spec's full sweep, only faster.
//! - The global state is fingerprinted by a wrapping sum of 64-bit hashes of each
//!   node's best route; a false "repeat" needs a hash collision (≈ rounds²/2⁶⁴).
//! - Non-convergence: detected when the vector of best routes at the end of a sweep
//!   repeats an earlier one (the evolution is deterministic in it), or after
//!   4·(edges+nodes)+64 sweeps. The nodes reported are those whose best route changed
//!   during the repeating cycle (or in the last sweep, on the bound).
//! - Route limits: after convergence, the sessions with an edge over its limit
//!   (counting, per edge, the prefixes for which the receiver holds a candidate
//!   learned over it, i.e. accepted after import) are dropped — of several, only those
//!   still over their limit with the others down (a dropped session's routes are
//!   withdrawn: a cascade is recounted, `drops_of_round`) — then everything is
//!   recomputed, until no limit is exceeded. A dropped session stays dropped.

use super::choice::Choices;
pub use super::rib::{ClassMembers, NodeRib};
use super::{node_name, Live, Scenario};
use crate::diagnostic::{Diagnostic, IntoDiagnostics};
use crate::ir::{
    Action, Condition, EdgeId, Id, IdVec, Network, NodeId, PolicyId, RouteLimit, SessionId, TagId,
    NO_ADVERTISE,
};
use crate::span::Span;
use ipnet::Ipv4Net;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::net::Ipv4Addr;
use std::sync::Arc;

/// FRR's weight of locally originated routes.
pub const LOCAL_WEIGHT: u32 = 32768;
/// Default local preference.
pub const DEFAULT_LOCAL_PREF: u32 = 100;

/// A route's next hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum NextHop {
    /// Originated here.
    Local,
    Node(NodeId),
    Address(Ipv4Addr),
}

/// One BGP route for one prefix, as held by one node.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Route {
    pub prefix: Ipv4Net,
    /// The AS_SEQUENCE, leftmost = most recent.
    pub as_path: Vec<u32>,
    /// An AS_SET after the sequence (FRR `aggregate-address P as-set`): sorted, no
    /// duplicates; empty = none. It counts one in the path length, and each of its
    /// ASNs occurs once for loop prevention and `as_path contains`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub as_set: Vec<u32>,
    pub local_pref: u32,
    pub med: u32,
    pub tags: BTreeSet<TagId>,
    pub next_hop: NextHop,
    pub origin: NodeId,
    /// The edge it arrived over (`None`: originated here).
    pub learned_from: Option<EdgeId>,
    pub weight: u32,
}

impl Route {
    /// The locally originated route of `node` for `prefix`.
    pub fn local(prefix: Ipv4Net, node: NodeId) -> Route {
        Route {
            prefix,
            as_path: Vec::new(),
            as_set: Vec::new(),
            local_pref: DEFAULT_LOCAL_PREF,
            med: 0,
            tags: BTreeSet::new(),
            next_hop: NextHop::Local,
            origin: node,
            learned_from: None,
            weight: LOCAL_WEIGHT,
        }
    }
    /// The route `node` originates for `prefix`: [`Route::local`], with the
    /// aggregated path and communities of an `aggregate-address P as-set`
    /// ([`crate::ir::Network::aggregate_paths`]).
    pub fn originated(net: &Network, prefix: Ipv4Net, node: NodeId) -> Route {
        let mut r = Route::local(prefix, node);
        if let Some(a) = net.aggregate_paths.get(&(node, prefix)) {
            r.as_path.clone_from(&a.sequence);
            r.as_set.clone_from(&a.set);
            r.tags.clone_from(&a.tags);
        }
        r
    }
    /// The AS-path length of the decision process: the sequence, plus one for an
    /// AS_SET (RFC 4271 §9.1.2.2 a; FRR's `aspath_count_hops`).
    pub fn path_len(&self) -> usize {
        self.as_path.len() + usize::from(!self.as_set.is_empty())
    }
    /// How often `asn` occurs in the path (loop prevention): in the sequence, plus
    /// one if the AS_SET holds it (FRR's `aspath_loop_check`).
    pub fn occurrences(&self, asn: u32) -> usize {
        self.as_path.iter().filter(|a| **a == asn).count() + usize::from(self.in_set(asn))
    }
    fn in_set(&self, asn: u32) -> bool {
        self.as_set.binary_search(&asn).is_ok()
    }
    /// The path as FRR prints it: `65001 65002 {65003,65004}`.
    pub fn path_text(&self) -> String {
        let mut parts: Vec<String> = self.as_path.iter().map(u32::to_string).collect();
        if !self.as_set.is_empty() {
            let set: Vec<String> = self.as_set.iter().map(u32::to_string).collect();
            parts.push(format!("{{{}}}", set.join(",")));
        }
        parts.join(" ")
    }
    /// The neighbour it was learned from (`None` when local).
    pub fn from_node(&self, net: &Network) -> Option<NodeId> {
        self.learned_from
            .and_then(|e| net.edges.get(e))
            .map(|e| e.from)
    }
    fn learned_over_ibgp(&self, net: &Network) -> bool {
        self.learned_from
            .and_then(|e| net.edges.get(e))
            .is_some_and(|e| e.ibgp)
    }
    fn sender_router_id(&self, net: &Network) -> u32 {
        self.from_node(net)
            .and_then(|n| net.nodes.get(n))
            .map(|n| n.router_id)
            .unwrap_or(0)
    }
}

/// The decision process (semantics §1 "Decision"): `Less` means `a` is better.
///
/// A total order: where step 6 meets a sender whose router id is not known
/// ([`undocumented_tie`]) it still uses the declaration-order default, which is one of
/// the possible choices; [`super::choice`] enumerates the others.
pub fn compare(net: &Network, a: &Route, b: &Route) -> Ordering {
    compare_choosing(net, None, a, b)
}

/// [`compare`] with `chosen` the sender that wins the undocumented ties it is in: the
/// step-6 key becomes (not `chosen`, router id), still a total order. A choice that is
/// not legal in the resulting state (its route strictly beaten by a documented step)
/// is discarded by [`super::choice`].
pub fn compare_choosing(net: &Network, chosen: Option<NodeId>, a: &Route, b: &Route) -> Ordering {
    compare_1_to_4(a, b)
        .then_with(|| a.learned_over_ibgp(net).cmp(&b.learned_over_ibgp(net)))
        .then_with(|| match chosen {
            Some(c) => (a.from_node(net) != Some(c)).cmp(&(b.from_node(net) != Some(c))),
            None => Ordering::Equal,
        })
        .then_with(|| a.sender_router_id(net).cmp(&b.sender_router_id(net)))
        .then_with(|| a.learned_from.cmp(&b.learned_from))
}

/// Whether the router id of `r`'s sender is known (a local route: its own node,
/// which never meets step 6 against itself).
fn sender_known(net: &Network, r: &Route) -> bool {
    r.from_node(net)
        .and_then(|n| net.nodes.get(n))
        .is_none_or(|n| n.router_id_known)
}

/// Whether `a` and `b` are equal up to the decision's router-id step (steps 1–5)
/// and that step cannot tell them apart as documented: they come from different
/// senders, and one of the senders is a node whose router id Azure does not document
/// (an MSEE, a gateway, Route Server, AVS: [`crate::ir::Node::router_id_known`]).
/// Which one such a receiver installs is an undocumented choice (LANGUAGE.md §2.4):
/// every choice must satisfy a property.
pub fn undocumented_tie(net: &Network, a: &Route, b: &Route) -> bool {
    compare_1_to_4(a, b) == Ordering::Equal
        && a.learned_over_ibgp(net) == b.learned_over_ibgp(net)
        && a.from_node(net) != b.from_node(net)
        && !(sender_known(net, a) && sender_known(net, b) && receiver_known(net, a, b))
}

/// Whether the node choosing between `a` and `b` breaks ties as documented: a BGP
/// speaker of the design (FRR's router-id step) does; an Azure node (a gateway, Route
/// Server, an MSEE, AVS: [`crate::ir::Node::router_id_known`] false) does not say how
/// it picks among equal routes from two senders.
fn receiver_known(net: &Network, a: &Route, b: &Route) -> bool {
    a.learned_from
        .or(b.learned_from)
        .and_then(|e| net.edges.get(e))
        .and_then(|e| net.nodes.get(e.to))
        .is_none_or(|n| n.router_id_known)
}

/// Whether `a` beats `b` by a documented step of the decision (steps 1–5, or step 6
/// between two known router ids, or step 7 between two sessions of one sender) —
/// the partial order every possible choice respects.
pub fn strictly_better(net: &Network, a: &Route, b: &Route) -> bool {
    !undocumented_tie(net, a, b) && compare(net, a, b) == Ordering::Less
}

/// Steps 1–4: weight, local_pref, AS-path length, MED (what multipath ties on). The
/// MED step applies only when [`med_comparable`]: between routes from two
/// neighbouring ASes it is skipped, so this is not transitive when MEDs differ; the
/// order of a candidate list is [`rank`]'s.
pub fn compare_1_to_4(a: &Route, b: &Route) -> Ordering {
    b.weight
        .cmp(&a.weight)
        .then_with(|| b.local_pref.cmp(&a.local_pref))
        .then_with(|| a.path_len().cmp(&b.path_len()))
        .then_with(|| {
            if med_comparable(a, b) {
                a.med.cmp(&b.med)
            } else {
                Ordering::Equal
            }
        })
}

/// Whether the decision compares the MEDs of `a` and `b` (RFC 4271 §9.1.2.2 c, FRR
/// without `bgp always-compare-med`, its default): only when both come from the
/// same neighbouring AS — both paths start with an AS_SEQUENCE whose first ASN is
/// the same — or both paths are empty (routes of the receiver's own AS). FRR's
/// `aspath_cmp_left` (bgpd/bgp_aspath.c): a path whose first segment is an AS_SET
/// (`aggregate-address P as-set` with no sequence) compares with no other.
pub fn med_comparable(a: &Route, b: &Route) -> bool {
    match (a.as_path.first(), b.as_path.first()) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a.as_set.is_empty() && b.as_set.is_empty(),
        _ => false,
    }
}

/// The group of FRR's `bgp deterministic-med` (the model's decision for every node:
/// FRR's datacenter profile default, off in the traditional one, where
/// [`arrival_order_matters`] tells when that differs): routes whose MEDs compare ([`med_comparable`]) share one; a route
/// whose path starts with an AS_SET is alone (`Err(index)`).
fn med_group(r: &Route, i: usize) -> Result<Option<u32>, usize> {
    match r.as_path.first() {
        Some(a) => Ok(Some(*a)),
        None if r.as_set.is_empty() => Ok(None),
        None => Err(i),
    }
}

/// The index of the best of `routes` as FRR's `bgp deterministic-med` picks it
/// (bgpd/bgp_route.c `bgp_best_selection`): per neighbouring AS the best by the
/// whole decision (MED included), then the best of those group winners (MED never
/// compared between two of them). Not a pairwise rule: with MEDs from two
/// neighbouring ASes, "no candidate beats it" can hold for none or several routes.
pub fn dmed_best(net: &Network, chosen: Option<NodeId>, routes: &[&Route]) -> Option<usize> {
    let mut winners: BTreeMap<Result<Option<u32>, usize>, usize> = BTreeMap::new();
    for (i, r) in routes.iter().enumerate() {
        let g = med_group(r, i);
        match winners
            .get(&g)
            .and_then(|w| routes.get(*w).map(|b| (*w, *b)))
        {
            Some((_, b)) if compare_choosing(net, chosen, r, b) != Ordering::Less => {}
            _ => {
                winners.insert(g, i);
            }
        }
    }
    let mut best: Option<(usize, &Route)> = None;
    for &w in winners.values() {
        let Some(r) = routes.get(w) else { continue };
        if best.is_none_or(|(_, b)| compare_choosing(net, chosen, r, b) == Ordering::Less) {
            best = Some((w, r));
        }
    }
    best.map(|(i, _)| i)
}

/// Whether FRR without `bgp deterministic-med`
/// ([`crate::ir::Behaviours::arrival_order_med`]) can pick another best among
/// `candidates` than [`dmed_best`] does, depending on the order the paths arrived in.
///
/// bgpd (bgpd/bgp_route.c `bgp_best_selection`, no deterministic-med grouping) walks
/// its path list keeping a running best and replaces it by each path that beats it
/// pairwise ([`compare`], MED only where [`med_comparable`]). A path that no other
/// beats pairwise wins in every order (when it arrives it beats the running best, and
/// nothing after it beats it), and it is also [`dmed_best`]'s choice: the best of its
/// neighbouring AS, beating every other AS's best. Without such a path every path is
/// beaten by some other, so a path taken first loses and at least two paths win under
/// some order: the outcome depends on arrival order, which the design does not fix.
/// Only possible where two routes from one neighbouring AS differ in MED and a route
/// from another neighbouring AS is there too (otherwise the pairwise comparison is a
/// total order). An undocumented tie between two such candidates (either may win,
/// [`undocumented_tie`]) counts as each beating the other: sound, not exact.
pub fn arrival_order_matters(net: &Network, candidates: &[Route]) -> bool {
    if candidates.len() < 3 {
        // Two paths: the better one wins in both orders.
        return false;
    }
    let med_cycle_possible = candidates.iter().any(|a| {
        candidates
            .iter()
            .any(|b| med_comparable(a, b) && a.med != b.med)
            && candidates.iter().any(|c| !med_comparable(a, c))
    });
    if !med_cycle_possible {
        return false;
    }
    let beats =
        |c: &Route, x: &Route| compare(net, c, x) == Ordering::Less || undocumented_tie(net, c, x);
    !candidates.iter().enumerate().any(|(i, x)| {
        candidates
            .iter()
            .enumerate()
            .all(|(j, c)| i == j || !beats(c, x))
    })
}

/// The first node without `bgp deterministic-med` and prefix of `state` whose best
/// route depends on arrival order ([`arrival_order_matters`]), as a reason naming
/// both and the fix; `None` when every such node's best is the one [`dmed_best`]
/// chose, so that `state` is a stable state whatever the order.
pub fn arrival_order_dependence(net: &Network, state: &State) -> Option<String> {
    for (v, rib) in state.ribs.iter() {
        let Some(node) = net.nodes.get(v) else {
            continue;
        };
        if !node.behaviours.arrival_order_med {
            continue;
        }
        for (p, entry) in rib.iter_shared() {
            if arrival_order_matters(net, &entry.candidates) {
                return Some(format!(
                    "`{}` runs FRR without `bgp deterministic-med` (the traditional profile's default), and its best route for {p} depends on the order its {} paths arrived in: MEDs are compared only between paths from one neighbouring AS, and no path beats every other pairwise; add `bgp deterministic-med` to its configuration (docs/frr.md \"MED\")",
                    node.name,
                    entry.candidates.len()
                ));
            }
        }
    }
    None
}

/// Orders a node's candidates best first, with the routes installed beside the best
/// on a `multipath` node (equal to it on steps 1–4: FRR's `paths_eq` against the
/// best, MED only where [`med_comparable`]) right after it; returns how many are
/// installed. The rest are ordered by repeating the selection on what is left.
/// Where every candidate has the same MED the MED step never decides and this is a
/// plain sort by [`compare_choosing`].
pub fn rank(
    net: &Network,
    chosen: Option<NodeId>,
    mut candidates: Vec<Route>,
    multipath: bool,
) -> (Vec<Route>, usize) {
    let same_med = candidates.windows(2).all(|w| match w {
        [a, b] => a.med == b.med,
        _ => true,
    });
    if same_med {
        candidates.sort_by(|a, b| compare_choosing(net, chosen, a, b));
    } else {
        let mut left = candidates;
        let mut out = Vec::with_capacity(left.len());
        while !left.is_empty() {
            let refs: Vec<&Route> = left.iter().collect();
            let i = dmed_best(net, chosen, &refs).unwrap_or(0);
            if i < left.len() {
                out.push(left.remove(i));
            } else {
                out.append(&mut left);
            }
        }
        candidates = out;
    }
    let Some(best) = candidates.first().cloned() else {
        return (candidates, 0);
    };
    if !multipath {
        return (candidates, 1);
    }
    let rest = candidates.split_off(1);
    let (mut eq, mut other): (Vec<Route>, Vec<Route>) = rest
        .into_iter()
        .partition(|c| compare_1_to_4(&best, c) == Ordering::Equal);
    let installed = 1 + eq.len();
    candidates.append(&mut eq);
    candidates.append(&mut other);
    (candidates, installed)
}

/// What one node holds for one prefix.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PrefixRib {
    /// Its local route and every route received (after import), best first.
    pub candidates: Vec<Route>,
    /// How many of the first candidates are installed (1, or more with multipath).
    pub installed: usize,
}

impl PrefixRib {
    /// The same entry for prefix `p` (an entry of `p`'s class, super::slices).
    pub fn renamed(&self, p: Ipv4Net) -> PrefixRib {
        PrefixRib {
            candidates: self
                .candidates
                .iter()
                .map(|r| Route {
                    prefix: p,
                    ..r.clone()
                })
                .collect(),
            installed: self.installed,
        }
    }
    pub fn best(&self) -> Option<&Route> {
        self.candidates.first()
    }
    /// The best candidates among those satisfying `keep`: the single best, or with
    /// `multipath` every one equal to it on decision steps 1–4.
    ///
    /// Where the kept routes carry different MEDs the best of a subset is not the
    /// subset's first in the list (`bgp deterministic-med`, [`dmed_best`]): it is
    /// selected again, with the default choice of undocumented ties.
    pub fn best_where(
        &self,
        net: &Network,
        multipath: bool,
        keep: impl Fn(&Route) -> bool,
    ) -> Vec<&Route> {
        let kept: Vec<&Route> = self.candidates.iter().filter(|r| keep(r)).collect();
        let same_med = kept.windows(2).all(|w| match w {
            [a, b] => a.med == b.med,
            _ => true,
        });
        let first = if same_med {
            kept.first().copied()
        } else {
            dmed_best(net, None, &kept).and_then(|i| kept.get(i).copied())
        };
        let Some(first) = first else {
            return Vec::new();
        };
        let mut out = vec![first];
        if multipath {
            out.extend(kept.iter().copied().filter(|r| {
                !std::ptr::eq(*r, first) && compare_1_to_4(first, r) == Ordering::Equal
            }));
        }
        out
    }
    pub fn installed(&self) -> &[Route] {
        self.candidates
            .get(..self.installed.min(self.candidates.len()))
            .unwrap_or(&[])
    }
}

/// A session dropped because one of its edges received more prefixes than its limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DroppedSession {
    pub session: SessionId,
    /// The edge over its limit.
    pub edge: EdgeId,
    /// Prefixes accepted over that edge (after import) when it was dropped.
    pub accepted: usize,
    pub limit: RouteLimit,
}

/// The sessions over their route limit in *every* stable state in which they are up,
/// in every scenario and whatever an environment announces: dropped whenever they are
/// up, so no stable state has them up
/// (semantics.md §1, "Route limits"). Both engines take them as down, then bound what
/// the other sessions can receive without them (`sim::unique::certify`,
/// `smt::queries`). Every component that can fail is taken as possibly down, so this
/// rests on what holds whatever fails (the sender's own prefixes, typically);
/// [`super::limits::certainly_dropped_in`] is the same must-analysis for the
/// scenarios of one check line or one scenario, passed-on routes included.
///
/// In session id order, one entry per session (its first such edge).
pub fn certainly_dropped(net: &Network) -> Vec<DroppedSession> {
    super::limits::certainly_dropped_in(
        net,
        &|c| net.components.get(c).is_none_or(|x| x.kind.can_fail()),
        true,
    )
}

/// The stable state of one scenario.
#[derive(Clone, Debug, Serialize)]
pub struct State {
    /// Per node, in node id order.
    pub ribs: IdVec<crate::ir::NodeId, NodeRib>,
    /// Sessions dropped by route limits, in the order they were dropped.
    pub dropped: Vec<DroppedSession>,
    /// Tunnels down because an end routes their outer packets into them
    /// ([`super::underlay`]), in the order they went down.
    pub recursive: Vec<super::underlay::RecursiveTunnel>,
    /// Sweeps needed by the slowest prefix (last recomputation).
    pub rounds: usize,
    /// The prefix each class was converged as (super::slices): every other prefix of
    /// a class holds the same routes under its own name. Undocumented choices are
    /// made per class representative ([`super::choice::Choices`]).
    #[serde(skip)]
    pub reps: BTreeSet<Ipv4Net>,
    /// Every other prefix of a class, with the prefix its class was converged as (a
    /// member of `reps`): every node's entry for it is the representative's entry
    /// renamed ([`PrefixRib::renamed`]), so what depends only on the entries can be
    /// computed per class ([`super::classes::ForwardingRoles`]).
    #[serde(skip)]
    pub class_of: BTreeMap<Ipv4Net, Ipv4Net>,
}

impl State {
    pub fn rib(&self, n: NodeId) -> Option<&NodeRib> {
        self.ribs.get(n)
    }
    /// Installed routes of `n` for exactly `p`.
    pub fn installed(&self, n: NodeId, p: Ipv4Net) -> &[Route] {
        self.ribs
            .get(n)
            .and_then(|r| r.get(&p))
            .map(PrefixRib::installed)
            .unwrap_or(&[])
    }
    /// The single best route of `n` for exactly `p`.
    pub fn best(&self, n: NodeId, p: Ipv4Net) -> Option<&Route> {
        self.ribs
            .get(n)
            .and_then(|r| r.get(&p))
            .and_then(PrefixRib::best)
    }
    /// Whether a session was dropped by a route limit.
    pub fn session_dropped(&self, s: SessionId) -> bool {
        self.dropped.iter().any(|d| d.session == s)
    }
    /// Every session this state takes down: by a route limit, or over a tunnel routed
    /// through itself ([`super::underlay`]).
    pub fn down_sessions(&self) -> BTreeSet<SessionId> {
        self.dropped
            .iter()
            .map(|d| d.session)
            .chain(
                self.recursive
                    .iter()
                    .flat_map(|r| r.sessions.iter().copied()),
            )
            .collect()
    }
}

/// One prefix whose routes never settle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Oscillation {
    pub prefix: Ipv4Net,
    /// The nodes whose best route keeps changing: name and declaration span.
    pub nodes: Vec<(String, Span)>,
    pub node_ids: Vec<NodeId>,
    /// Sweeps done before giving up.
    pub rounds: usize,
    /// True when a global state repeated (a proven cycle), false when the bound hit.
    pub cycle: bool,
}

/// The BGP computation has no stable state reachable by the deterministic sweep.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NonConvergence {
    pub oscillations: Vec<Oscillation>,
}

impl IntoDiagnostics for NonConvergence {
    fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.oscillations
            .into_iter()
            .map(|o| {
                let names: Vec<String> = o.nodes.iter().map(|(n, _)| format!("`{n}`")).collect();
                let mut d = Diagnostic::error(
                    "AVS0500",
                    format!("routes for `{}` never converge", o.prefix),
                );
                for (i, (name, span)) in o.nodes.iter().enumerate() {
                    let msg = format!("the best route of `{name}` for `{}` keeps changing", o.prefix);
                    d = if i == 0 { d.primary(*span, msg) } else { d.secondary(*span, msg) };
                }
                let how = if o.cycle {
                    format!("the same routing state came back after {} rounds", o.rounds)
                } else {
                    format!("still changing after {} rounds", o.rounds)
                };
                d.note(format!("{how}; nodes involved: {}", names.join(", ")))
                    .help("break the preference cycle: policies that prefer a neighbour's route over the direct one (local_pref) can oscillate forever")
            })
            .collect()
    }
}

/// Findings for sessions dropped by route limits (AVS0501), nodes holding more
/// prefixes than their limit in all (AVS0502, Route Server's 10,000), and tunnels
/// routed through themselves (AVS0349, [`super::underlay`]).
pub fn route_limit_findings(net: &Network, state: &State) -> Vec<Diagnostic> {
    let mut out = session_limit_findings(net, state);
    out.extend(refresh_margin_findings(net, state));
    out.extend(super::underlay::recursive_tunnel_findings(net, state));
    for (id, node) in net.nodes.iter() {
        let Some(limit) = node.behaviours.max_prefixes else {
            continue;
        };
        let held = state.rib(id).map(NodeRib::installed_count).unwrap_or(0);
        if held > limit.max as usize {
            out.push(
                Diagnostic::error(
                    "AVS0502",
                    format!(
                        "`{}` holds {held} prefixes, over its limit of {} in all",
                        node.name, limit.max
                    ),
                )
                .primary(node.span, format!("`{}` holds {held} prefixes", node.name))
                .secondary(limit.span, format!("limit of {} prefixes", limit.max))
                .note("Azure does not document what happens above this limit; avscheck routes as if it were not there")
                .help("summarise what the NVAs advertise to it"),
            );
        }
    }
    out
}

/// AVS0503 (warning): a Route Server peer sends more than half of its per-peer limit.
/// Route Server counts a peer's current routes *plus* the routes of an update, so a
/// peer above half the limit can drop its session on a route refresh (AZURE.md, v2
/// corrections: route-server-faq.md). Route Server is the control-plane-only speaker.
fn refresh_margin_findings(net: &Network, state: &State) -> Vec<Diagnostic> {
    let dropped: BTreeSet<SessionId> = state.dropped.iter().map(|d| d.session).collect();
    let live = Live::new(net, &Scenario::default(), &dropped);
    let mut out = Vec::new();
    for (eid, e) in net.edges.iter() {
        let Some(limit) = e.max_routes else { continue };
        let to_route_server = net
            .nodes
            .get(e.to)
            .is_some_and(|n| n.behaviours.control_plane_only);
        if !to_route_server || !live.edge(eid) {
            continue;
        }
        let accepted = accepted_over(state, e.to, eid);
        if accepted * 2 <= limit.max as usize || accepted > limit.max as usize {
            continue;
        }
        let from = node_name(net, e.from);
        let to = node_name(net, e.to);
        out.push(
            Diagnostic::warning(
                "AVS0503",
                format!("`{to}` receives {accepted} prefixes from `{from}`, above half of its limit of {}", limit.max),
            )
            .primary(e.span, format!("`{to}` accepts {accepted} prefixes over this session"))
            .secondary(limit.span, format!("limit of {} prefixes per peer", limit.max))
            .note("Route Server counts a peer's current routes plus the routes of an update: a refresh of more than half the limit drops the session (docs/semantics.md §2.1; https://learn.microsoft.com/azure/route-server/route-server-faq)")
            .help("summarise what this peer advertises to Route Server"),
        );
    }
    out
}

/// Prefixes `to` accepted (after import) over edge `e` in `state`.
fn accepted_over(state: &State, to: NodeId, e: EdgeId) -> usize {
    state
        .ribs
        .get(to)
        .map(|rib| {
            rib.iter_shared()
                .filter(|(_, r)| r.candidates.iter().any(|c| c.learned_from == Some(e)))
                .count()
        })
        .unwrap_or(0)
}

fn session_limit_findings(net: &Network, state: &State) -> Vec<Diagnostic> {
    state
        .dropped
        .iter()
        .filter_map(|d| {
            let e = net.edges.get(d.edge)?;
            let from = node_name(net, e.from);
            let to = node_name(net, e.to);
            Some(
                Diagnostic::error(
                    "AVS0501",
                    format!("session `{from}`–`{to}` is dropped: `{to}` receives {} prefixes from `{from}`, over its limit of {}", d.accepted, d.limit.max),
                )
                .primary(e.span, format!("`{to}` accepts {} prefixes over this session", d.accepted))
                .secondary(d.limit.span, format!("limit of {} prefixes", d.limit.max))
                .note("above its limit the receiver tears the session down, and every route learned over it is lost")
                .help("filter or summarise what is sent over this session"),
            )
        })
        .collect()
}

/// Adjacency of one scenario, shared by every prefix.
pub(crate) struct Topology {
    /// Usable edges arriving at each node, in edge id order.
    in_edges: Vec<Vec<EdgeId>>,
    /// Each node's usable out-edges, in edge id order.
    out_edges: Vec<Vec<EdgeId>>,
}

impl Topology {
    fn new(net: &Network, live: &Live) -> Topology {
        let n = net.nodes.len();
        let mut in_edges = vec![Vec::new(); n];
        let mut out_edges = vec![Vec::new(); n];
        for (id, e) in net.edges.iter() {
            if !live.edge(id) {
                continue;
            }
            if let Some(v) = in_edges.get_mut(e.to.0 as usize) {
                v.push(id);
            }
            if let Some(v) = out_edges.get_mut(e.from.0 as usize) {
                v.push(id);
            }
        }
        Topology {
            in_edges,
            out_edges,
        }
    }
}

/// Why a bounded simulation ([`stable_state_until`]) ended without a stable state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unsettled {
    /// Some prefix's routes never settle.
    NoStableState(NonConvergence),
    /// The caller's bound (its deadline or memory budget) stopped the computation; the
    /// text says which.
    Stopped(String),
}

/// Computes the stable state of `net` in scenario `sc` (semantics §1), including
/// sessions dropped by route limits.
pub fn stable_state(net: &Network, sc: &Scenario) -> Result<State, NonConvergence> {
    match stable_state_until(net, sc, &|| None) {
        Ok(state) => Ok(state),
        Err(Unsettled::NoStableState(nc)) => Err(nc),
        // `|| None` never stops the computation.
        Err(Unsettled::Stopped(_)) => Err(NonConvergence {
            oscillations: Vec::new(),
        }),
    }
}

/// [`stable_state`], asking `stop` before each prefix class and every 64 sweeps of
/// one: when it answers a reason (a deadline passed, a memory budget exceeded; see
/// [`crate::budget::stop_check`]), the computation ends with [`Unsettled::Stopped`].
pub fn stable_state_until(
    net: &Network,
    sc: &Scenario,
    stop: &dyn Fn() -> Option<String>,
) -> Result<State, Unsettled> {
    stable_state_choosing(net, sc, &Choices::default(), stop)
}

/// [`stable_state_until`] with the undocumented ties of `choices` decided as they say
/// (the others by the declaration-order default of [`compare`]).
pub fn stable_state_choosing(
    net: &Network,
    sc: &Scenario,
    choices: &Choices,
    stop: &dyn Fn() -> Option<String>,
) -> Result<State, Unsettled> {
    let mut dropped_sessions: BTreeSet<SessionId> = BTreeSet::new();
    let mut dropped: Vec<DroppedSession> = Vec::new();
    let mut recursive: Vec<super::underlay::RecursiveTunnel> = Vec::new();
    loop {
        let live = Live::new(net, sc, &dropped_sessions);
        let (ribs, rounds, reps, class_of) = converge_all(net, &live, choices, stop)?;
        let over = over_limit(net, &live, &ribs, &reps, &class_of);
        // Tunnels whose outer packets an end routes into the tunnel itself: their
        // sessions go down too (`super::underlay`).
        let looped = super::underlay::recursive_tunnels(net, &live, &ribs);
        if over.is_empty() && looped.is_empty() {
            return Ok(State {
                ribs,
                dropped,
                recursive,
                rounds,
                reps,
                class_of,
            });
        }
        for r in looped {
            dropped_sessions.extend(r.sessions.iter().copied());
            recursive.push(r);
        }
        let over = drops_of_round(net, sc, choices, stop, &dropped_sessions, over)?;
        for d in over {
            dropped_sessions.insert(d.session);
            dropped.push(d);
        }
    }
}

/// Per session with a live edge over its route limit in the converged `ribs` (its
/// first such edge, in edge order), the prefixes accepted over that edge: counted
/// once per class, a member's entry being its representative's renamed (the same
/// candidates).
fn over_limit(
    net: &Network,
    live: &Live,
    ribs: &IdVec<NodeId, NodeRib>,
    reps: &BTreeSet<Ipv4Net>,
    class_of: &BTreeMap<Ipv4Net, Ipv4Net>,
) -> Vec<DroppedSession> {
    let mut over: Vec<DroppedSession> = Vec::new();
    if !net.edges.values().any(|e| e.max_routes.is_some()) {
        return over;
    }
    let mut class_size: BTreeMap<Ipv4Net, usize> = BTreeMap::new();
    for rep in class_of.values() {
        *class_size.entry(*rep).or_insert(1) += 1;
    }
    for (eid, e) in net.edges.iter() {
        let Some(limit) = e.max_routes else { continue };
        if !live.edge(eid) || over.iter().any(|d| d.session == e.session) {
            continue;
        }
        let accepted = ribs
            .get(e.to)
            .map(|rib| {
                reps.iter()
                    .filter_map(|p| rib.own().get(p).map(|r| (p, r)))
                    .filter(|(_, r)| r.candidates.iter().any(|c| c.learned_from == Some(eid)))
                    .map(|(p, _)| class_size.get(p).copied().unwrap_or(1))
                    .sum::<usize>()
            })
            .unwrap_or(0);
        if accepted > limit.max as usize {
            over.push(DroppedSession {
                session: e.session,
                edge: eid,
                accepted,
                limit,
            });
        }
    }
    over
}

/// Which of the sessions `over` — over their limits in the state where `down` (the
/// sessions dropped so far, and tunnels just found looped) is down — this round drops
/// (docs/semantics.md §1, "Route limits"). A dropped session's routes are withdrawn,
/// which can bring another session back within its limit: a session over its limit
/// only on routes that cross another over-limit session (a cascade) is not dropped
/// with it. So a session is dropped now only when it stays over its limit with every
/// other session of `over` down too; the state is then recomputed and counted again.
/// One session over its limit is dropped at once (nothing else is pending). A session
/// dropped with others is reported with its count in the state where they are down.
///
/// When none of several is over its limit without the others (each only while
/// another is up), the order in which Azure's sessions cross their limits decides
/// which goes: several stable states. One is taken — the session furthest over its
/// limit, then by the names of its ends (never by declaration order) — which is a
/// stable state Azure may reach; it is not certainly dropped
/// (`super::limits::certainly_dropped_in`), so the certificate does not prove that
/// state the only one and no check passes on it.
fn drops_of_round(
    net: &Network,
    sc: &Scenario,
    choices: &Choices,
    stop: &dyn Fn() -> Option<String>,
    down: &BTreeSet<SessionId>,
    over: Vec<DroppedSession>,
) -> Result<Vec<DroppedSession>, Unsettled> {
    if over.len() <= 1 {
        return Ok(over);
    }
    let mut certain: Vec<DroppedSession> = Vec::new();
    for d in &over {
        let mut without: BTreeSet<SessionId> = down.clone();
        without.extend(over.iter().map(|o| o.session).filter(|s| *s != d.session));
        let live = Live::new(net, sc, &without);
        let (ribs, _, reps, class_of) = converge_all(net, &live, choices, stop)?;
        // Counted there: what it receives with the others down (each dropped now).
        if let Some(o) = over_limit(net, &live, &ribs, &reps, &class_of)
            .into_iter()
            .find(|o| o.session == d.session)
        {
            certain.push(o);
        }
    }
    if !certain.is_empty() {
        return Ok(certain);
    }
    let key = |d: &DroppedSession| {
        let ends = net.edges.get(d.edge).map(|e| {
            (
                node_name(net, e.from).to_string(),
                node_name(net, e.to).to_string(),
            )
        });
        (
            std::cmp::Reverse(d.accepted.saturating_sub(d.limit.max as usize)),
            ends,
        )
    };
    Ok(over.into_iter().min_by_key(key).into_iter().collect())
}

/// Every prefix any alive node originates, each converged independently.
/// (RIBs, sweeps, class representatives, every other class member → its representative).
type Converged = (
    IdVec<NodeId, NodeRib>,
    usize,
    BTreeSet<Ipv4Net>,
    BTreeMap<Ipv4Net, Ipv4Net>,
);

fn converge_all(
    net: &Network,
    live: &Live,
    choices: &Choices,
    stop: &dyn Fn() -> Option<String>,
) -> Result<Converged, Unsettled> {
    let topo = Topology::new(net, live);
    let prefixes: BTreeSet<Ipv4Net> = net
        .nodes
        .iter()
        .filter(|(id, _)| live.node(*id))
        .flat_map(|(_, n)| n.originates.iter().map(|o| o.prefix))
        .chain(
            net.edges
                .iter()
                .filter(|(id, e)| e.default_originate.is_some() && live.edge(*id))
                .map(|_| Ipv4Net::default()),
        )
        .collect();
    let mut ribs: IdVec<NodeId, NodeRib> = IdVec::new();
    for _ in net.nodes.ids() {
        ribs.push(NodeRib::default());
    }
    // Aggregates (`aggregate-address`) stand on the routes for longer prefixes: they
    // are converged last, longest first, each on the routes already computed.
    let aggregates = aggregate_prefixes(net, live);
    let prefixes: BTreeSet<Ipv4Net> = prefixes.difference(&aggregates).copied().collect();
    // One computation per prefix class (super::slices): its first prefix is converged,
    // and every other prefix of the class gets the same routes under its own name.
    let classes = super::slices::prefix_classes(net, &prefixes);
    let reps: Vec<Ipv4Net> = classes.iter().filter_map(|c| c.first().copied()).collect();
    let results = converge_prefixes(net, live, &topo, &reps, choices, stop)?;
    let mut oscillations = Vec::new();
    let mut rounds = 0;
    let mut class_of: BTreeMap<Ipv4Net, Ipv4Net> = BTreeMap::new();
    for class in &classes {
        if let Some((rep, others)) = class.split_first() {
            class_of.extend(others.iter().map(|p| (*p, *rep)));
        }
    }
    // Per node, the entry of every class's representative, sorted into its table at
    // once; the other members read it through `NodeRib` (renamed when read).
    let mut sizes: Vec<usize> = vec![0; ribs.len()];
    for result in results.iter().flatten() {
        for (n, _) in &result.0 {
            if let Some(x) = sizes.get_mut(n.index()) {
                *x += 1;
            }
        }
    }
    let mut entries: Vec<Vec<(Ipv4Net, PrefixRib)>> =
        sizes.into_iter().map(Vec::with_capacity).collect();
    for (class, result) in classes.iter().zip(results) {
        match result {
            Ok((per_node, r)) => {
                rounds = rounds.max(r);
                let Some(rep) = class.first() else { continue };
                for (n, rib) in per_node {
                    if let Some(x) = entries.get_mut(n.index()) {
                        x.push((*rep, rib));
                    }
                }
            }
            Err(o) => oscillations.extend(class.iter().map(|p| Oscillation {
                prefix: *p,
                ..o.clone()
            })),
        }
    }
    let members = Arc::new(ClassMembers::new(&class_of));
    for (rib, mut x) in ribs.values_mut().zip(entries) {
        x.sort_unstable_by_key(|(p, _)| *p);
        *rib = NodeRib::new(x.into_iter().collect(), members.clone());
    }
    let mut reps: BTreeSet<Ipv4Net> = reps.into_iter().collect();
    let mut aggregates: Vec<Ipv4Net> = aggregates.into_iter().collect();
    aggregates.sort_by_key(|p| (std::cmp::Reverse(p.prefix_len()), *p));
    for p in aggregates {
        if let Some(why) = stop() {
            return Err(Unsettled::Stopped(why));
        }
        // Each aggregated prefix is a class of its own.
        reps.insert(p);
        let resolved = with_aggregates_resolved(net, live, &ribs, p);
        match converge_prefix_until(&resolved, live, &topo, p, choices, stop) {
            Ok(Ok((per_node, r))) => {
                rounds = rounds.max(r);
                for (n, rib) in per_node {
                    if let Some(x) = ribs.get_mut(n) {
                        x.insert(p, rib);
                    }
                }
            }
            Ok(Err(o)) => oscillations.push(o),
            Err(why) => return Err(Unsettled::Stopped(why)),
        }
    }
    if oscillations.is_empty() {
        Ok((ribs, rounds, reps, class_of))
    } else {
        Err(Unsettled::NoStableState(NonConvergence { oscillations }))
    }
}

/// The prefixes some alive node aggregates (`ir::Origination::aggregate`).
fn aggregate_prefixes(net: &Network, live: &Live) -> BTreeSet<Ipv4Net> {
    net.nodes
        .iter()
        .filter(|(id, _)| live.node(*id))
        .flat_map(|(_, n)| n.originates.iter().filter(|o| o.aggregate))
        .map(|o| o.prefix)
        .collect()
}

/// Whether `rib` holds a route for a prefix strictly inside `p` (an aggregate's
/// contributor).
pub fn holds_more_specific(rib: &NodeRib, p: Ipv4Net) -> bool {
    rib.range_shared(p)
        .any(|(q, r)| q.prefix_len() > p.prefix_len() && !r.candidates.is_empty())
}

/// `net` with each aggregate origination of `p` made plain where its node holds a
/// contributor in `ribs` (the routes for the longer prefixes, already converged) and
/// removed elsewhere. Prefixes are independent given their contributors: an aggregate
/// reads only longer prefixes, so converging longest first is exact.
pub(crate) fn with_aggregates_resolved(
    net: &Network,
    live: &Live,
    ribs: &IdVec<NodeId, NodeRib>,
    p: Ipv4Net,
) -> Network {
    let mut out = net.clone();
    for (i, node) in out.nodes.values_mut().enumerate() {
        let id = NodeId::from_index(i);
        let holds = live.node(id) && ribs.get(id).is_some_and(|r| holds_more_specific(r, p));
        node.originates
            .retain(|o| !(o.aggregate && o.prefix == p) || holds);
        let as_set = node
            .originates
            .iter()
            .any(|o| o.aggregate && o.as_set && o.prefix == p);
        for o in node.originates.iter_mut().filter(|o| o.prefix == p) {
            o.aggregate = false;
            o.as_set = false;
        }
        if as_set {
            if let Some(rib) = ribs.get(id) {
                let path = aggregate_path(net, id, rib, p);
                out.aggregate_paths.insert((id, p), path);
            }
        }
    }
    out
}

/// The path and communities of node `n`'s `aggregate-address p as-set`, as FRR's
/// `bgp_aggregate_route` computes them: every path (not only the best) of every prefix
/// strictly inside `p` that `n` holds, except `n`'s own aggregates, folded with
/// `aspath_aggregate` — the longest common leading AS_SEQUENCE, then an AS_SET of
/// every other ASN (their AS_SETs' too) — and the union of their communities.
fn aggregate_path(net: &Network, n: NodeId, rib: &NodeRib, p: Ipv4Net) -> crate::ir::AggregatePath {
    let own_aggregate = |q: &Ipv4Net| {
        net.nodes
            .get(n)
            .is_some_and(|x| x.originates.iter().any(|o| o.aggregate && o.prefix == *q))
    };
    let mut seq: Option<Vec<u32>> = None;
    let mut rest: BTreeSet<u32> = BTreeSet::new();
    let mut tags: BTreeSet<TagId> = BTreeSet::new();
    let inside = rib
        .range_shared(p)
        .filter(|(q, _)| q.prefix_len() > p.prefix_len());
    for (q, entry) in inside {
        for r in &entry.candidates {
            if r.learned_from.is_none() && own_aggregate(&q) {
                continue;
            }
            tags.extend(r.tags.iter().copied());
            rest.extend(r.as_set.iter().copied());
            match seq.as_mut() {
                None => seq = Some(r.as_path.clone()),
                Some(s) => {
                    let common = s.iter().zip(&r.as_path).take_while(|(a, b)| a == b).count();
                    rest.extend(s.iter().skip(common).copied());
                    rest.extend(r.as_path.iter().skip(common).copied());
                    s.truncate(common);
                }
            }
        }
    }
    crate::ir::AggregatePath {
        sequence: seq.unwrap_or_default(),
        set: rest.into_iter().collect(),
        tags,
    }
}

type PrefixOutcome = Result<(Vec<(NodeId, PrefixRib)>, usize), Oscillation>;

/// Converges every prefix, in order. Each prefix is independent (`converge_prefix` is
/// a pure function of the network, the scenario and the prefix): this is the seam for
/// running them on several threads. It is sequential for now: the measured machine
/// is shared, and threads inside the library would compete with the caller's own.
fn converge_prefixes(
    net: &Network,
    live: &Live,
    topo: &Topology,
    prefixes: &[Ipv4Net],
    choices: &Choices,
    stop: &dyn Fn() -> Option<String>,
) -> Result<Vec<PrefixOutcome>, Unsettled> {
    let mut out = Vec::with_capacity(prefixes.len());
    for p in prefixes {
        if let Some(why) = stop() {
            return Err(Unsettled::Stopped(why));
        }
        match converge_prefix_until(net, live, topo, *p, choices, stop) {
            Ok(outcome) => out.push(outcome),
            Err(why) => return Err(Unsettled::Stopped(why)),
        }
    }
    Ok(out)
}

/// The fixpoint for one prefix: per node (that holds anything) its RIB entry; `stop`
/// is asked every 64 sweeps (`Err(reason)` when it answers).
fn converge_prefix_until(
    net: &Network,
    live: &Live,
    topo: &Topology,
    p: Ipv4Net,
    choices: &Choices,
    stop: &dyn Fn() -> Option<String>,
) -> Result<PrefixOutcome, String> {
    let n = net.nodes.len();
    // Only the best routes matter while iterating (exports use them); the full
    // candidate lists are built once, at the fixpoint.
    let mut bests: Vec<Option<Route>> = vec![None; n];
    let mut dirty: Vec<bool> = vec![true; n];
    // What each edge currently offers its receiver: the export of the sender's best.
    let mut exported: Vec<Option<Route>> = vec![None; net.edges.len()];
    // Edges that originate `p` offer it whatever their sender holds.
    for (eid, e) in net.edges.iter() {
        if e.originates_default(p) && live.edge(eid) {
            if let Some(slot) = exported.get_mut(eid.0 as usize) {
                *slot = offer(net, eid, p, None);
            }
        }
    }
    let bound = 4 * (net.edges.len() + n) + 64;
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut changes: Vec<BTreeSet<NodeId>> = Vec::new();
    // The global state's fingerprint: a wrapping sum of per-node hashes of
    // (node, best route), kept up to date as bests change.
    let mut node_hash: Vec<u64> = (0..n).map(|i| best_hash(i, None)).collect();
    let mut state_hash: u64 = node_hash.iter().fold(0u64, |a, h| a.wrapping_add(*h));
    let mut round = 0;
    loop {
        round += 1;
        if round % 64 == 0 {
            if let Some(why) = stop() {
                return Err(why);
            }
        }
        let mut changed: BTreeSet<NodeId> = BTreeSet::new();
        for node in net.nodes.ids() {
            let i = node.0 as usize;
            if !dirty.get(i).copied().unwrap_or(false) {
                continue;
            }
            if let Some(d) = dirty.get_mut(i) {
                *d = false;
            }
            let new = best_of(net, live, topo, &exported, node, p, choices.get(p, node));
            let Some(slot) = bests.get_mut(i) else {
                continue;
            };
            if slot.as_ref() != new.as_ref() {
                *slot = new.cloned();
                let h = best_hash(i, slot.as_ref());
                if let Some(old) = node_hash.get_mut(i) {
                    state_hash = state_hash.wrapping_sub(*old).wrapping_add(h);
                    *old = h;
                }
                changed.insert(node);
                // Re-export the new best; receivers whose offer changed re-evaluate.
                for &e in topo.out_edges.get(i).into_iter().flatten() {
                    let new = offer(net, e, p, slot.as_ref());
                    let Some(cached) = exported.get_mut(e.0 as usize) else {
                        continue;
                    };
                    if *cached != new {
                        *cached = new;
                        let to = net.edges.get(e).map(|x| x.to.0 as usize);
                        if let Some(d) = to.and_then(|t| dirty.get_mut(t)) {
                            *d = true;
                        }
                    }
                }
            }
        }
        if changed.is_empty() {
            let out = net
                .nodes
                .ids()
                .map(|node| {
                    let chosen = choices.get(p, node);
                    (
                        node,
                        evaluate_node(net, live, topo, &exported, node, p, chosen),
                    )
                })
                .filter(|(_, r)| !r.candidates.is_empty())
                .collect();
            return Ok(Ok((out, round)));
        }
        changes.push(changed);
        let key = state_hash;
        let cycle_start = seen.get(&key).copied();
        if cycle_start.is_some() || round >= bound {
            let from = cycle_start.unwrap_or(round.saturating_sub(1));
            let nodes: BTreeSet<NodeId> = changes
                .iter()
                .skip(from)
                .flat_map(|s| s.iter().copied())
                .collect();
            return Ok(Err(Oscillation {
                prefix: p,
                nodes: nodes
                    .iter()
                    .filter_map(|n| net.nodes.get(*n).map(|x| (x.name.clone(), x.span)))
                    .collect(),
                node_ids: nodes.into_iter().collect(),
                rounds: round,
                cycle: cycle_start.is_some(),
            }));
        }
        seen.insert(key, round);
    }
}

/// A deterministic hash of one node's best route.
fn best_hash(i: usize, best: Option<&Route>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    i.hash(&mut h);
    best.hash(&mut h);
    h.finish()
}

/// A node's candidates for `p` from its neighbours' current bests.
/// A node's best route for `p` from its neighbours' current offers (without building
/// the candidate list: the first of `evaluate_node`'s candidates).
fn best_of<'a>(
    net: &Network,
    live: &Live,
    topo: &Topology,
    exported: &'a [Option<Route>],
    node: NodeId,
    p: Ipv4Net,
    chosen: Option<NodeId>,
) -> BestOf<'a> {
    if !live.node(node) {
        return BestOf::None;
    }
    let originates = net.nodes.get(node).is_some_and(|n| {
        n.originates
            .iter()
            .any(|o| o.prefix == p && o.stands(|c| live.is_down(c)))
    });
    let learned: Vec<&'a Route> = topo
        .in_edges
        .get(node.0 as usize)
        .into_iter()
        .flatten()
        .filter_map(|eid| exported.get(eid.0 as usize).and_then(Option::as_ref))
        .collect();
    let local = originates.then(|| Route::originated(net, p, node));
    let mut all: Vec<&Route> = Vec::with_capacity(learned.len() + 1);
    all.extend(local.as_ref());
    all.extend(learned.iter().copied());
    // The local route is first: it wins every full tie (as evaluate_node's sort).
    match (dmed_best(net, chosen, &all), local.is_some()) {
        (Some(0), true) => local.map_or(BestOf::None, BestOf::Local),
        (Some(i), true) => learned
            .get(i.wrapping_sub(1))
            .map_or(BestOf::None, |r| BestOf::Learned(r)),
        (Some(i), false) => learned.get(i).map_or(BestOf::None, |r| BestOf::Learned(r)),
        (None, _) => BestOf::None,
    }
}

/// The result of [`best_of`]: borrowed when learned, owned when local.
enum BestOf<'a> {
    None,
    Local(Route),
    Learned(&'a Route),
}

impl BestOf<'_> {
    fn as_ref(&self) -> Option<&Route> {
        match self {
            BestOf::None => None,
            BestOf::Local(r) => Some(r),
            BestOf::Learned(r) => Some(r),
        }
    }
    fn cloned(self) -> Option<Route> {
        match self {
            BestOf::None => None,
            BestOf::Local(r) => Some(r),
            BestOf::Learned(r) => Some(r.clone()),
        }
    }
}

fn evaluate_node(
    net: &Network,
    live: &Live,
    topo: &Topology,
    exported: &[Option<Route>],
    node: NodeId,
    p: Ipv4Net,
    chosen: Option<NodeId>,
) -> PrefixRib {
    let mut candidates = Vec::new();
    if !live.node(node) {
        return PrefixRib::default();
    }
    if let Some(n) = net.nodes.get(node) {
        if n.originates
            .iter()
            .any(|o| o.prefix == p && o.stands(|c| live.is_down(c)))
        {
            candidates.push(Route::originated(net, p, node));
        }
    }
    for &eid in topo.in_edges.get(node.0 as usize).into_iter().flatten() {
        if let Some(Some(r)) = exported.get(eid.0 as usize) {
            candidates.push(r.clone());
        }
    }
    let multipath = net.nodes.get(node).is_some_and(|n| n.behaviours.multipath);
    let (candidates, installed) = rank(net, chosen, candidates, multipath);
    PrefixRib {
        candidates,
        installed,
    }
}

/// What a policy run decided about the next hop (export side).
#[derive(Clone, Copy, Debug, Default)]
struct PolicyEffects {
    med_set: bool,
    next_hop: Option<NextHopAction>,
}

/// A `set next_hop` action: `self` or an address.
#[derive(Clone, Copy, Debug)]
enum NextHopAction {
    SelfNode,
    Address(Ipv4Addr),
    /// `set ip next-hop unchanged`: the next hop the route was learned with.
    Unchanged,
}

/// Where a policy stopped a route: the policy, and the deny rule that matched (`None`:
/// no rule matched, so the end of the policy denied).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyStop {
    pub policy: PolicyId,
    pub rule: Option<Span>,
}

/// Why a route is not passed over an edge (semantics §1, export steps 2–11).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blocked {
    NoEdge,
    /// Step 2: Never back to the neighbour it was learned from.
    BackToSender,
    /// Step 3: iBGP-learned routes are not sent to iBGP peers.
    SplitHorizon,
    /// Step 4: NO_ADVERTISE.
    NoAdvertise,
    /// Step 5: The sender's export policy.
    Export(PolicyStop),
    /// Step 9: The receiver's loop prevention: the path (after export and prepend) holds
    /// its ASN more often than `allowas_in` allows.
    LoopCheck {
        asn: u32,
        /// The path as FRR prints it ([`Route::path_text`]).
        as_path: String,
    },
    /// Step 11: The receiver's import policy.
    Import(PolicyStop),
}

/// The route `r` as the receiver of `eid` gets it, or `None` when it is not passed
/// (export steps 2–12 of semantics §1). See [`transfer`] for why not.
pub fn export(net: &Network, eid: EdgeId, r: &Route) -> Option<Route> {
    transfer(net, eid, r).ok()
}

/// What edge `eid` offers its receiver for `p` when the sender's best route is
/// `best`: on an edge that originates 0.0.0.0/0 ([`crate::ir::Edge::default_originate`])
/// the generated route, whatever `best` is; otherwise the export of `best`.
pub fn offer(net: &Network, eid: EdgeId, p: Ipv4Net, best: Option<&Route>) -> Option<Route> {
    match net.edges.get(eid) {
        Some(e) if e.originates_default(p) => export(net, eid, &Route::local(p, e.from)),
        _ => best.and_then(|b| export(net, eid, b)),
    }
}

/// [`export`], saying why a route is not passed. On an edge that originates
/// 0.0.0.0/0 (FRR `neighbor A default-originate`), a route for 0.0.0.0/0 is replaced
/// by the sender's generated one, which skips the sender's export policies (FRR
/// 8.4's bgpd sends it past the outbound route-map and ebgp-requires-policy).
pub fn transfer(net: &Network, eid: EdgeId, r: &Route) -> Result<Route, Blocked> {
    let (Some(e), Some(sender), Some(receiver)) = (
        net.edges.get(eid),
        net.edges.get(eid).and_then(|e| net.nodes.get(e.from)),
        net.edges.get(eid).and_then(|e| net.nodes.get(e.to)),
    ) else {
        return Err(Blocked::NoEdge);
    };
    let generated = e.originates_default(r.prefix);
    let generated_route;
    let r = if generated {
        generated_route = Route::local(r.prefix, e.from);
        &generated_route
    } else {
        r
    };
    // 2. Never back to where it came from.
    if let Some(src) = r.learned_from.and_then(|l| net.edges.get(l)) {
        if src.from == e.to {
            return Err(Blocked::BackToSender);
        }
        // 3. iBGP split horizon.
        if src.ibgp && e.ibgp {
            return Err(Blocked::SplitHorizon);
        }
    }
    // 4. NO_ADVERTISE.
    if r.tags.iter().any(|t| {
        net.tags
            .get(*t)
            .is_some_and(|tag| tag.community == Some(NO_ADVERTISE))
    }) {
        return Err(Blocked::NoAdvertise);
    }
    let mut out = r.clone();
    // 5. Export policies.
    let mut fx = PolicyEffects::default();
    if !generated {
        if let Err(at) = run_policies(net, &e.export, &mut out, sender.asn, &mut fx) {
            return Err(Blocked::Export(at));
        }
    }
    // 6. Prepend.
    if !e.prepend.is_empty() {
        let mut path = e.prepend.clone();
        path.extend_from_slice(&out.as_path);
        out.as_path = path;
    }
    // 7. MED is not passed to another AS.
    if !e.ibgp && !fx.med_set {
        out.med = 0;
    }
    // 8. Next hop.
    out.next_hop = match fx.next_hop {
        Some(NextHopAction::SelfNode) => NextHop::Node(e.from),
        Some(NextHopAction::Address(a)) => NextHop::Address(a),
        Some(NextHopAction::Unchanged) if r.next_hop != NextHop::Local => r.next_hop,
        Some(NextHopAction::Unchanged) => NextHop::Node(e.from),
        None if sender.behaviours.next_hop_transparent && r.next_hop != NextHop::Local => {
            r.next_hop
        }
        None => NextHop::Node(e.from),
    };
    // 9. Receiver's loop check.
    if let Some(asn) = e.loop_check {
        let count = out.occurrences(asn);
        if count > usize::from(e.allowas_in) {
            return Err(Blocked::LoopCheck {
                asn,
                as_path: out.path_text(),
            });
        }
    }
    // 10. eBGP resets local_pref.
    if e.reset_local_pref {
        out.local_pref = DEFAULT_LOCAL_PREF;
    }
    // 11. Import policies.
    let mut ifx = PolicyEffects::default();
    if let Err(at) = run_policies(net, &e.import, &mut out, receiver.asn, &mut ifx) {
        return Err(Blocked::Import(at));
    }
    if let Some(NextHopAction::Address(a)) = ifx.next_hop {
        out.next_hop = NextHop::Address(a);
    }
    // 12.
    out.weight = e.weight;
    out.learned_from = Some(eid);
    Ok(out)
}

/// Runs policies in order; false when one denies. `own_asn` is what `replace_as`
/// writes (the sender's on export, the receiver's on import).
fn run_policies(
    net: &Network,
    policies: &[PolicyId],
    r: &mut Route,
    own_asn: u32,
    fx: &mut PolicyEffects,
) -> Result<(), PolicyStop> {
    for pid in policies {
        let stop = |rule: Option<Span>| PolicyStop { policy: *pid, rule };
        let Some(policy) = net.policies.get(*pid) else {
            return Err(stop(None));
        };
        let Some(rule) = policy
            .rules
            .iter()
            .find(|rule| rule.conditions.iter().all(|c| condition_holds(c, r)))
        else {
            return Err(stop(None));
        };
        if !rule.permit {
            return Err(stop(Some(rule.span)));
        }
        for a in &rule.actions {
            apply_action(a, r, own_asn, fx);
        }
    }
    Ok(())
}

/// The rule of each export policy of edge `eid` that permits `r`, in order, each on
/// the route as that policy sees it (after the earlier ones' actions): the lines
/// that let `r` out (`explain`: a route the receiver then drops by loop
/// prevention is labelled on them). Empty for a generated default route, or where
/// a policy denies.
pub fn export_rules<'n>(
    net: &'n Network,
    eid: EdgeId,
    r: &Route,
) -> Vec<(PolicyId, &'n crate::ir::Rule)> {
    let (Some(e), Some(sender)) = (
        net.edges.get(eid),
        net.edges.get(eid).and_then(|e| net.nodes.get(e.from)),
    ) else {
        return Vec::new();
    };
    if e.originates_default(r.prefix) {
        return Vec::new();
    }
    let mut out = r.clone();
    let mut fx = PolicyEffects::default();
    let mut rules = Vec::new();
    for pid in &e.export {
        let Some(rule) = net.policies.get(*pid).and_then(|policy| {
            policy
                .rules
                .iter()
                .find(|rule| rule.conditions.iter().all(|c| condition_holds(c, &out)))
        }) else {
            return Vec::new();
        };
        if !rule.permit {
            return Vec::new();
        }
        for a in &rule.actions {
            apply_action(a, &mut out, sender.asn, &mut fx);
        }
        rules.push((*pid, rule));
    }
    rules
}

/// A policy condition on the route as it is now.
pub fn condition_holds(c: &Condition, r: &Route) -> bool {
    match c {
        Condition::Prefix(ranges) => ranges.iter().any(|x| x.matches(&r.prefix)),
        Condition::AsPathContains(n) => r.as_path.contains(n) || r.in_set(*n),
        Condition::AsPathLength(op, n) => {
            op.eval(u32::try_from(r.path_len()).unwrap_or(u32::MAX), *n)
        }
        Condition::AsSequenceLength(op, n) => {
            op.eval(u32::try_from(r.as_path.len()).unwrap_or(u32::MAX), *n)
        }
        Condition::NoAsSet => r.as_set.is_empty(),
        Condition::Tag(t) => r.tags.contains(t),
        Condition::OriginatedBy(n) => r.origin == *n,
    }
}

fn apply_action(a: &Action, r: &mut Route, own_asn: u32, fx: &mut PolicyEffects) {
    match a {
        Action::SetLocalPref(v) => r.local_pref = *v,
        Action::SetMed(v) => {
            r.med = *v;
            fx.med_set = true;
        }
        Action::Prepend(n, k) => {
            let mut path: Vec<u32> = std::iter::repeat_n(*n, *k as usize).collect();
            path.extend_from_slice(&r.as_path);
            r.as_path = path;
        }
        Action::AddTag(t) => {
            r.tags.insert(*t);
        }
        Action::RemoveTag(t) => {
            r.tags.remove(t);
        }
        // FRR removes them from every segment, the AS_SET too.
        Action::RemovePrivateAs => {
            r.as_path.retain(|a| !crate::ir::is_private_asn(*a));
            r.as_set.retain(|a| !crate::ir::is_private_asn(*a));
        }
        Action::RemoveLeadingPrivateAs => {
            let k = r
                .as_path
                .iter()
                .take_while(|a| crate::ir::is_private_asn(**a))
                .count();
            r.as_path.drain(..k);
        }
        // `set as-path exclude` (FRR's `aspath_filter_exclude`): from the AS_SET too;
        // an AS_SET left empty is gone (FRR 8.4: tests/frr_configs/aggregate-as-set).
        Action::RemoveAs(list) => {
            r.as_path.retain(|a| !list.contains(a));
            r.as_set.retain(|a| !list.contains(a));
        }
        Action::ReplaceAs(list) => {
            for a in r.as_path.iter_mut().chain(r.as_set.iter_mut()) {
                if list.contains(a) {
                    *a = own_asn;
                }
            }
            r.as_set.sort_unstable();
            r.as_set.dedup();
        }
        Action::SetNextHopSelf => fx.next_hop = Some(NextHopAction::SelfNode),
        Action::SetNextHop(addr) => fx.next_hop = Some(NextHopAction::Address(*addr)),
        // After another next-hop action of the same export, that one stands.
        Action::SetNextHopUnchanged => {
            fx.next_hop.get_or_insert(NextHopAction::Unchanged);
        }
    }
}
