//! The network as z3 constraints: scenario (failures, `without`, environment) and the
//! BGP control plane per prefix (Minesweeper style, Beckett et al., SIGCOMM 2017).
//! The data plane over these variables is in [`super::dataplane`].
//!
//! # Encoding
//!
//! * **Scenario.** One Boolean `down_c` per component. `without` fixes it true; a
//!   component that cannot fail (`ComponentKind::can_fail`, or outside the property's
//!   `under failures K of ...` scope) and is not removed is fixed false; the others are
//!   free with `Σ down_c ≤ K` (`under failures K`). A node is
//!   alive iff its component is up; an edge is usable iff every `requires` component is
//!   up.
//! * **Routes.** Per prefix `p` (BGP treats prefixes independently) and node `v`, a
//!   symbolic best route: `valid`, `weight`, `local_pref`, `med`, the AS path as a
//!   *multiset* — one unbounded integer count per ASN that can ever enter a path — tags
//!   (one Boolean per tag), `origin`, `next_hop` (an enumeration: Local, Node(m),
//!   Address(a)), `sel` (which candidate was chosen: the local route or an in-edge) and
//!   a `rank`. Attributes nothing can change or read are constants, not variables: the
//!   MED when no policy sets one, the originator when nothing says `originated_by`.
//! * **Transfer.** The candidate over edge `e = u → v` is a term over `u`'s best route:
//!   export rules 1–12 of docs/semantics.md §1, policies compiled rule by rule (first
//!   match decides, actions in order, conditions on the route as modified so far).
//! * **Decision.** `v`'s best is valid iff some candidate is; the chosen candidate is
//!   valid, equal to the best, and strictly preferred to every other valid candidate
//!   (weight, local_pref, AS-path length, MED, then the static tie-breaks eBGP/local over
//!   iBGP, router_id, edge id, which make the order total). Multipath nodes install
//!   every valid candidate equal to the best on the first four steps.
//! * **Origination** is the local candidate (weight 32768, empty path); an `assume N
//!   advertises any within P le M` adds a free Boolean "N originates p" for each prefix
//!   p of the query inside P with length ≤ M; the route still passes N's export policy.
//!   The query's prefixes: `never`'s own; for a destination d, d's prefix of every
//!   length |P|..M ([`Encoder::env_prefixes_containing`]); for counting, one
//!   representative per group of prefixes the design cannot tell apart
//!   ([`super::environment`]).
//!
//! # Soundness
//!
//! Every stable state that the simulator can reach (docs/semantics.md §1) is a model of
//! these constraints, for the same scenario:
//!
//! 1. *The AS-path abstraction is exact for everything that reads it.* Every condition
//!    and action of the language (`as_path contains`, `as_path length`, the receiver
//!    loop check with `allowas_in`, prepend, `remove_as`, `replace_as`,
//!    `remove_private_as`) depends only on how often each ASN occurs, never on order.
//!    All ASNs that can occur come from the design (edge prepends, `prepend` actions,
//!    the node ASNs that `replace_as` writes), so a count per such ASN is a complete
//!    description; the counts are unbounded integers, so no path length is cut off.
//! 2. *Transfer and decision are encoded exactly* (the same rules, same order), so the
//!    stable state's best routes satisfy the per-node constraints.
//! 3. *Rank.* A learned best route requires `rank(v) > rank(u)` for the sender `u`. In a
//!    state reached from the empty state, following `learned_from` from any best route
//!    leads back to an origination without repeating a node (each route was sent by
//!    a neighbour that held it earlier), so ranks = distance along that chain satisfy
//!    the constraint. This excludes only self-justifying routes that no origination
//!    supports (a loop of sessions without loop checks feeding a route to itself).
//! 4. *Slicing.* Routes for `p` only flow along edges from a node that can originate `p`
//!    (design or environment); a node outside that forward closure has no route for
//!    `p`, and a node outside the backward closure of the nodes a property reads cannot
//!    affect them, so both are dropped without changing the nodes that are kept.
//!
//! 5. *Data plane* ([`super::dataplane`]). For one destination class (all addresses in
//!    the same design prefixes are routed identically, so one representative per set of
//!    containing prefixes suffices) the walk states are the simulator's loop keys
//!    (node, arrival context, current destination, tunnel stack). Each edge's guard is
//!    exactly the condition under which §2–§3 forward from that state to that target
//!    (longest prefix over statics and installed routes; effective routes with User >
//!    BGP > Default, VNet/peering exclusion, routing preference, ECMP; gateway contexts
//!    and no-transit; encapsulation). Every path of the simulator in a model is a walk
//!    in the graph with all guards true, and conversely.
//! 6. *Walks without unrolling.* "Some path from the source reaches a bad end" is
//!    encoded by `reached` Booleans, each justified by an active edge from a reached
//!    predecessor (or by being a source) that, when the edge lies inside a strongly
//!    connected component of the graph, has a strictly smaller integer rank: a model
//!    gives a finite walk by following justifications (decreasing ranks inside a
//!    component, the component order between them), and any finite walk gives a model
//!    (rank = position). "Some path loops" is a non-empty set of reached states on
//!    cycles of the graph, each with an active edge into the set: a finite graph with
//!    such a set has a reachable cycle, and a reachable cycle is such a set. No bound
//!    on walk length is involved.
//! 7. *Nested tunnels.* A walk that, just encapsulated, enters the state it entered
//!    right after an encapsulation still on its stack repeats that segment forever, one
//!    tunnel deeper each time (the segment never popped that encapsulation, so nothing
//!    below it can change its course): it is a `Recursion` terminal, the simulator's
//!    `loop` (its hop limit). This bounds the stack by the number of distinct
//!    post-encapsulation states, so the graph is finite and exact.
//!
//! Hence a property that holds in every model holds in every reachable stable state
//! (and every scenario allowed by the modifiers): UNSAT of the negation is a proof.
//! Conversely a model is a stable state that satisfies all constraints; it may be one
//! of several stable states (BGP is not always deterministic), and the counterexample
//! shows the one the solver found; before it is reported it is re-evaluated on the
//! model's concrete forwarding graph (an unconfirmed model is `unknown`, never `fail`).
//!
//! Limits (each makes the verdict `unknown`, never `pass`): route limits (`max_routes`)
//! are not encoded — `unknown` when the design's own prefixes could reach one; an
//! environment that could push a limited session over its limit gets a free "dropped"
//! variable per such session ([`Flood`]), and a counterexample that needs one is
//! `unknown`. A scenario without a stable state makes every property vacuous: before a
//! `pass`, the empty failure set and, under `failures K`, every failure set is checked
//! for one ([`super::stability`]); one without is `unknown`, naming it.

use crate::ir::{
    Action, Condition, EdgeId, Id, Network, NodeId, PolicyId, SessionId, SessionKind, NO_ADVERTISE,
};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use z3::ast::{Bool, Int};

/// Local routes: FRR's weight 32768.
pub const LOCAL_WEIGHT: i64 = 32768;
/// Default local preference.
pub const DEFAULT_LP: i64 = 100;

/// The scenario: which components are down, and the environment.
pub struct Scenario {
    /// Per component: a constant or a free Boolean.
    pub down: Vec<Bool>,
    /// The free failure variables, in component order (for canonical models).
    pub free: Vec<(usize, Bool)>,
    /// Sessions the environment could push over a receive limit: "dropped because
    /// the environment announced too many prefixes" (free, not counted against K).
    pub flood: Vec<Flood>,
}

/// A session with a receive limit that an `assume ... advertises any` environment
/// can exceed: above the limit the session is dropped (AZURE.md: limits), so whether
/// it is up is the environment's choice.
pub struct Flood {
    pub session: SessionId,
    /// The session's limited edges the environment could exceed, with their limits
    /// (edges from an assumption's node first).
    pub edges: Vec<(EdgeId, u32)>,
    pub var: Bool,
}

impl Scenario {
    /// `without` fixed down; `failures` free among the property's failable components
    /// ([`crate::ir::Property::may_fail`]: failable kinds inside its `of` scope); every
    /// other component fixed up.
    pub fn new(net: &Network, prop: &crate::ir::Property) -> (Scenario, Bool) {
        let failures = prop.failures;
        let mut down = Vec::with_capacity(net.components.len());
        let mut free = Vec::new();
        for (id, comp) in net.components.iter() {
            if prop.without.contains(&id) {
                down.push(Bool::from_bool(true));
            } else if failures > 0 && prop.may_fail(id, comp.kind) {
                let v = Bool::new_const(format!("down_{}", id.index()));
                free.push((id.index(), v.clone()));
                down.push(v);
            } else {
                down.push(Bool::from_bool(false));
            }
        }
        let bound = if free.is_empty() {
            Bool::from_bool(true)
        } else {
            let lits: Vec<&Bool> = free.iter().map(|(_, b)| b).collect();
            z3::ast::atmost(lits, failures)
        };
        (
            Scenario {
                down,
                free,
                flood: Vec::new(),
            },
            bound,
        )
    }

    pub fn is_down(&self, c: crate::ir::ComponentId) -> Bool {
        self.down
            .get(c.index())
            .cloned()
            .unwrap_or_else(|| Bool::from_bool(false))
    }

    pub fn alive(&self, net: &Network, n: NodeId) -> Bool {
        match net.nodes.get(n) {
            Some(node) => self.is_down(node.component).not(),
            None => Bool::from_bool(false),
        }
    }

    pub fn usable(&self, net: &Network, e: EdgeId) -> Bool {
        match net.edges.get(e) {
            Some(edge) => {
                let mut ups: Vec<Bool> = edge
                    .requires
                    .iter()
                    .map(|c| self.is_down(*c).not())
                    .collect();
                for f in &self.flood {
                    if f.session == edge.session {
                        ups.push(f.var.not());
                    }
                }
                Bool::and(&ups)
            }
            None => Bool::from_bool(false),
        }
    }
}

/// Design-wide constants of the encoding.
pub struct Universe {
    /// ASNs that can occur in a path, sorted: the index is the count's slot.
    pub asns: Vec<u32>,
    /// Addresses a route's next hop can be set to (`set next_hop A`), sorted.
    pub addrs: Vec<Ipv4Addr>,
    pub node_count: usize,
    /// Some policy sets a MED (otherwise every route's MED is 0: not a variable).
    pub med: bool,
    /// Something reads a route's originator (`originated_by` in a policy or a
    /// property); otherwise it is not a variable.
    pub origin: bool,
}

impl Universe {
    pub fn new(net: &Network) -> Universe {
        let mut asns = BTreeSet::new();
        let mut addrs = BTreeSet::new();
        let mut med = false;
        let mut origin = net.checks.values().any(|c| {
            c.properties.iter().any(|p| {
                matches!(
                    p.kind,
                    crate::ir::PropertyKind::Never {
                        originated_by: Some(_),
                        ..
                    }
                )
            })
        });
        for e in net.edges.values() {
            asns.extend(e.prepend.iter().copied());
            if let Some(a) = e.loop_check {
                asns.insert(a);
            }
        }
        for p in net.policies.values() {
            for r in &p.rules {
                origin |= r
                    .conditions
                    .iter()
                    .any(|c| matches!(c, Condition::OriginatedBy(_)));
                med |= r.actions.iter().any(|a| matches!(a, Action::SetMed(_)));
                for a in &r.actions {
                    match a {
                        Action::Prepend(n, _) => {
                            asns.insert(*n);
                        }
                        Action::ReplaceAs(_) => {
                            // The replacement is a node's ASN: any node may be the sender.
                            asns.extend(net.nodes.values().map(|n| n.asn));
                        }
                        Action::SetNextHop(a) => {
                            addrs.insert(*a);
                        }
                        _ => {}
                    }
                }
            }
        }
        Universe {
            asns: asns.into_iter().collect(),
            addrs: addrs.into_iter().collect(),
            node_count: net.nodes.len(),
            med,
            origin,
        }
    }

    pub fn asn_slot(&self, asn: u32) -> Option<usize> {
        self.asns.binary_search(&asn).ok()
    }

    pub fn nh_local(&self) -> i64 {
        0
    }
    pub fn nh_node(&self, n: NodeId) -> i64 {
        1 + n.index() as i64
    }
    pub fn nh_addr(&self, a: Ipv4Addr) -> Option<i64> {
        self.addrs
            .binary_search(&a)
            .ok()
            .map(|i| 1 + self.node_count as i64 + i as i64)
    }
    /// Decodes a next-hop value.
    pub fn decode_nh(&self, v: i64) -> NextHopValue {
        if v <= 0 {
            return NextHopValue::Local;
        }
        let i = (v - 1) as usize;
        if i < self.node_count {
            NextHopValue::Node(NodeId::from_index(i))
        } else {
            match self.addrs.get(i - self.node_count) {
                Some(a) => NextHopValue::Address(*a),
                None => NextHopValue::Local,
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextHopValue {
    Local,
    Node(NodeId),
    Address(Ipv4Addr),
}

/// A symbolic route.
#[derive(Clone)]
pub struct SymRoute {
    pub valid: Bool,
    pub weight: Int,
    pub lp: Int,
    pub med: Int,
    /// Occurrences per ASN of [`Universe::asns`].
    pub counts: Vec<Int>,
    /// Per `TagId`.
    pub tags: Vec<Bool>,
    /// Originating node index.
    pub origin: Int,
    pub nh: Int,
}

impl SymRoute {
    pub fn len(&self) -> Int {
        if self.counts.is_empty() {
            return Int::from_i64(0);
        }
        Int::add(&self.counts)
    }

    fn fresh(prefix: &str, u: &Universe, ntags: usize) -> SymRoute {
        SymRoute {
            valid: Bool::new_const(format!("{prefix}_valid")),
            weight: Int::new_const(format!("{prefix}_weight")),
            lp: Int::new_const(format!("{prefix}_lp")),
            med: if u.med {
                Int::new_const(format!("{prefix}_med"))
            } else {
                Int::from_i64(0)
            },
            counts: u
                .asns
                .iter()
                .map(|a| Int::new_const(format!("{prefix}_as{a}")))
                .collect(),
            tags: (0..ntags)
                .map(|t| Bool::new_const(format!("{prefix}_tag{t}")))
                .collect(),
            origin: if u.origin {
                Int::new_const(format!("{prefix}_origin"))
            } else {
                Int::from_i64(0)
            },
            nh: Int::new_const(format!("{prefix}_nh")),
        }
    }

    fn invalid(u: &Universe, ntags: usize) -> SymRoute {
        let zero = Int::from_i64(0);
        SymRoute {
            valid: Bool::from_bool(false),
            weight: zero.clone(),
            lp: zero.clone(),
            med: zero.clone(),
            counts: u.asns.iter().map(|_| zero.clone()).collect(),
            tags: (0..ntags).map(|_| Bool::from_bool(false)).collect(),
            origin: zero.clone(),
            nh: zero,
        }
    }

    fn eq_attrs(&self, o: &SymRoute) -> Bool {
        let mut parts = vec![
            self.weight.eq(&o.weight),
            self.lp.eq(&o.lp),
            self.med.eq(&o.med),
            self.origin.eq(&o.origin),
            self.nh.eq(&o.nh),
        ];
        for (a, b) in self.counts.iter().zip(&o.counts) {
            parts.push(a.eq(b));
        }
        for (a, b) in self.tags.iter().zip(&o.tags) {
            parts.push(a.iff(b));
        }
        Bool::and(&parts)
    }

    fn ite(c: &Bool, a: &SymRoute, b: &SymRoute) -> SymRoute {
        SymRoute {
            valid: c.ite(&a.valid, &b.valid),
            weight: c.ite(&a.weight, &b.weight),
            lp: c.ite(&a.lp, &b.lp),
            med: c.ite(&a.med, &b.med),
            counts: a
                .counts
                .iter()
                .zip(&b.counts)
                .map(|(x, y)| c.ite(x, y))
                .collect(),
            tags: a
                .tags
                .iter()
                .zip(&b.tags)
                .map(|(x, y)| c.ite(x, y))
                .collect(),
            origin: c.ite(&a.origin, &b.origin),
            nh: c.ite(&a.nh, &b.nh),
        }
    }

    /// Equal on the first four decision steps (ECMP).
    fn equally_good(&self, o: &SymRoute) -> Bool {
        Bool::and(&[
            self.weight.eq(&o.weight),
            self.lp.eq(&o.lp),
            self.len().eq(o.len()),
            self.med.eq(&o.med),
        ])
    }
}

/// Strictly better by steps 1–4, or equal there and `tie` (the static steps 5–7).
fn prefer(a: &SymRoute, b: &SymRoute, tie: bool) -> Bool {
    let (al, bl) = (a.len(), b.len());
    let step4 = Bool::or(&[
        a.med.lt(&b.med),
        Bool::and(&[a.med.eq(&b.med), Bool::from_bool(tie)]),
    ]);
    let step3 = Bool::or(&[al.lt(&bl), Bool::and(&[al.eq(&bl), step4])]);
    let step2 = Bool::or(&[a.lp.gt(&b.lp), Bool::and(&[a.lp.eq(&b.lp), step3])]);
    Bool::or(&[
        a.weight.gt(&b.weight),
        Bool::and(&[a.weight.eq(&b.weight), step2]),
    ])
}

/// A route while passing through policies: with the flags the later steps read.
#[derive(Clone)]
struct Transit {
    r: SymRoute,
    pass: Bool,
    med_set: Bool,
    nh_set: Bool,
}

impl Transit {
    fn ite(c: &Bool, a: &Transit, b: &Transit) -> Transit {
        Transit {
            r: SymRoute::ite(c, &a.r, &b.r),
            pass: c.ite(&a.pass, &b.pass),
            med_set: c.ite(&a.med_set, &b.med_set),
            nh_set: c.ite(&a.nh_set, &b.nh_set),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Export,
    Import,
}

/// Where a candidate comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CandSource {
    Local,
    Edge(EdgeId),
}

pub struct Cand {
    pub source: CandSource,
    pub route: SymRoute,
    /// Static tie-break key (steps 5–7): (learned over iBGP, sender router_id, edge).
    key: (bool, u32, i64),
}

/// One node's RIB for one prefix.
pub struct NodeRib {
    pub best: SymRoute,
    /// Index into `cands` of the chosen candidate (−1: none).
    pub sel: Int,
    pub rank: Int,
    pub cands: Vec<Cand>,
    /// Per candidate: installed (the best, or equal to it on a multipath node).
    pub installed: Vec<Bool>,
}

impl NodeRib {
    /// The chosen candidate came over this edge.
    pub fn learned_over(&self, e: EdgeId) -> Bool {
        for (i, c) in self.cands.iter().enumerate() {
            if c.source == CandSource::Edge(e) {
                return self.sel.eq(Int::from_i64(i as i64));
            }
        }
        Bool::from_bool(false)
    }
    /// The best candidates among those whose source satisfies `keep` (a Route Server
    /// or gateway programs the best of its externally learned routes): per candidate,
    /// whether it is chosen — the single best, or with `multipath` every one equal to
    /// the best on decision steps 1–4.
    pub fn best_where(&self, multipath: bool, keep: impl Fn(CandSource) -> bool) -> Vec<Bool> {
        let kept: Vec<bool> = self.cands.iter().map(|c| keep(c.source)).collect();
        self.cands
            .iter()
            .zip(&kept)
            .map(|(ci, ki)| {
                if !*ki {
                    return Bool::from_bool(false);
                }
                let mut parts = vec![ci.route.valid.clone()];
                for (cj, kj) in self.cands.iter().zip(&kept) {
                    if !*kj || std::ptr::eq(ci, cj) {
                        continue;
                    }
                    let ok = if multipath {
                        prefer(&cj.route, &ci.route, false).not()
                    } else {
                        prefer(&ci.route, &cj.route, ci.key < cj.key)
                    };
                    parts.push(Bool::or(&[cj.route.valid.not(), ok]));
                }
                Bool::and(&parts)
            })
            .collect()
    }

    /// The chosen candidate came over one of these edges.
    pub fn learned_over_any(&self, pred: impl Fn(EdgeId) -> bool) -> Bool {
        let mut parts = Vec::new();
        for (i, c) in self.cands.iter().enumerate() {
            if let CandSource::Edge(e) = c.source {
                if pred(e) {
                    parts.push(self.sel.eq(Int::from_i64(i as i64)));
                }
            }
        }
        Bool::or(&parts)
    }
}

/// An environment announcement variable: `node` originates `prefix`.
pub struct EnvVar {
    pub node: NodeId,
    pub prefix: Ipv4Net,
    pub var: Bool,
    pub assumption: usize,
}

/// The control plane of one prefix.
pub struct PrefixPlane {
    pub prefix: Ipv4Net,
    pub ribs: BTreeMap<NodeId, NodeRib>,
    /// The plane's constraints hold when this literal does: a question asserts the
    /// literals of the planes it reads, so one solver can hold many planes without
    /// each question having to satisfy them all (the planes are independent; the
    /// non-vacuity check asserts every literal).
    pub act: Bool,
}

impl PrefixPlane {
    pub fn rib(&self, n: NodeId) -> Option<&NodeRib> {
        self.ribs.get(&n)
    }
    /// n has a valid best route for this prefix.
    pub fn has_route(&self, n: NodeId) -> Bool {
        self.ribs
            .get(&n)
            .map(|r| r.best.valid.clone())
            .unwrap_or_else(|| Bool::from_bool(false))
    }
}

/// Builds the encoding of the control plane.
pub struct Encoder<'n> {
    pub net: &'n Network,
    pub uni: Universe,
    pub scen: Scenario,
    /// Constraints (the network's meaning) to assume.
    pub facts: Vec<Bool>,
    pub env: Vec<EnvVar>,
    assumptions: Vec<crate::ir::Assumption>,
    counter: usize,
    /// Per node: the next-hop values its best route can have.
    nh_dom: Vec<BTreeSet<i64>>,
    /// How many of `facts` the session's prover already holds.
    pub synced: usize,
    /// Sessions the last confirmed counterexample drops over their route limit.
    pub drops: Vec<super::DroppedSession>,
    /// Sessions whose drop a counterexample needed but could not be confirmed.
    pub doubted: Vec<SessionId>,
    /// Every plane's activation literal ([`PrefixPlane::act`]).
    pub acts: Vec<Bool>,
    /// Whole-network planes (no slicing) built so far, shared by every data-plane
    /// property of a session (see [`super::dataplane::Builder`]).
    pub planes: BTreeMap<Ipv4Net, PrefixPlane>,
}

impl<'n> Encoder<'n> {
    pub fn new(net: &'n Network, prop: &crate::ir::Property) -> Encoder<'n> {
        let (scen, bound) = Scenario::new(net, prop);
        let mut enc = Encoder {
            net,
            uni: Universe::new(net),
            scen,
            facts: vec![bound],
            env: Vec::new(),
            assumptions: prop.assumptions.clone(),
            counter: 0,
            nh_dom: Vec::new(),
            synced: 0,
            drops: Vec::new(),
            doubted: Vec::new(),
            acts: Vec::new(),
            planes: BTreeMap::new(),
        };
        enc.compute_nh_domains();
        enc.compute_floods();
        enc
    }

    /// Nodes the environment's routes can reach (the assumption nodes, inclusive).
    pub fn env_reach(&self) -> BTreeSet<NodeId> {
        let from: BTreeSet<NodeId> = self.assumptions.iter().map(|a| a.node).collect();
        self.forward_closure(&from)
    }

    /// A free "dropped over its limit" variable per limited session that the
    /// environment's announcements can reach and, together with the design's own
    /// prefixes, exceed. What can cross an edge from an assumption's node is counted
    /// exactly (its export and the peer's import policies, per group of prefixes);
    /// further away, at most what leaves the assumptions' nodes. A sound
    /// over-approximation: a counterexample that needs a drop is confirmed in the
    /// simulator or is `unknown` (`model::route_limit_doubt`).
    fn compute_floods(&mut self) {
        if self.assumptions.is_empty() {
            return;
        }
        let net = self.net;
        let design = self.net.originated_prefixes();
        let ndesign = design.len() as u64;
        let env_nodes: BTreeSet<NodeId> = self.assumptions.iter().map(|a| a.node).collect();
        let mut leaving = 0u64;
        let mut direct: BTreeMap<EdgeId, u64> = BTreeMap::new();
        for (eid, e) in net.edges.iter() {
            if env_nodes.contains(&e.from) {
                let n = super::environment::passing_over(net, &self.assumptions, eid, &design)
                    .unwrap_or(u64::MAX);
                direct.insert(eid, n);
                leaving = leaving.saturating_add(n);
            }
        }
        let reach = self.env_reach();
        // An environment route always carries its node's ASN (prepended on export);
        // a receiver whose loop check rejects that ASN never accepts one, unless some
        // policy can remove the ASN again.
        let env_asns: BTreeSet<u32> = env_nodes
            .iter()
            .filter_map(|n| net.nodes.get(*n).map(|x| x.asn))
            .collect();
        let removable = |asn: u32| {
            net.policies.values().any(|p| {
                p.rules.iter().any(|r| {
                    r.actions.iter().any(|a| match a {
                        Action::RemovePrivateAs => crate::ir::is_private_asn(asn),
                        Action::RemoveAs(l) | Action::ReplaceAs(l) => l.contains(&asn),
                        _ => false,
                    })
                })
            })
        };
        let mut by_session: BTreeMap<SessionId, Vec<(EdgeId, u32, bool)>> = BTreeMap::new();
        for (eid, e) in net.edges.iter() {
            let Some(l) = e.max_routes else { continue };
            if !reach.contains(&e.from) {
                continue;
            }
            let rejects_env = e.allowas_in == 0
                && env_asns.len() == 1
                && e.loop_check
                    .is_some_and(|x| env_asns.contains(&x) && !removable(x))
                && !direct.contains_key(&eid);
            let env = if rejects_env {
                0
            } else {
                direct.get(&eid).copied().unwrap_or(leaving)
            };
            if ndesign.saturating_add(env) <= u64::from(l.max) {
                continue;
            }
            by_session
                .entry(e.session)
                .or_default()
                .push((eid, l.max, direct.contains_key(&eid)));
        }
        for (session, mut edges) in by_session {
            edges.sort_by_key(|(e, _, d)| (!*d, *e));
            self.scen.flood.push(Flood {
                session,
                edges: edges.into_iter().map(|(e, l, _)| (e, l)).collect(),
                var: Bool::new_const(format!("flood_{}", session.index())),
            });
        }
    }

    /// The next-hop values a candidate from `source` at `node` can have (a sound
    /// over-approximation: the values its term can evaluate to).
    pub fn nh_domain(&self, source: CandSource) -> BTreeSet<i64> {
        match source {
            CandSource::Local => [self.uni.nh_local()].into_iter().collect(),
            CandSource::Edge(e) => self.edge_nh_domain(e, &self.nh_dom),
        }
    }

    fn edge_nh_domain(&self, e: EdgeId, dom: &[BTreeSet<i64>]) -> BTreeSet<i64> {
        let mut out = BTreeSet::new();
        let Some(edge) = self.net.edges.get(e) else {
            return out;
        };
        out.insert(self.uni.nh_node(edge.from));
        for pid in edge.export.iter().chain(&edge.import) {
            if let Some(pol) = self.net.policies.get(*pid) {
                for r in &pol.rules {
                    for a in &r.actions {
                        if let Action::SetNextHop(addr) = a {
                            out.extend(self.uni.nh_addr(*addr));
                        }
                    }
                }
            }
        }
        let transparent = self
            .net
            .nodes
            .get(edge.from)
            .is_some_and(|n| n.behaviours.next_hop_transparent);
        if transparent {
            if let Some(d) = dom.get(edge.from.index()) {
                out.extend(d.iter().copied().filter(|v| *v != self.uni.nh_local()));
            }
        }
        out
    }

    fn compute_nh_domains(&mut self) {
        let n = self.net.nodes.len();
        let mut dom: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); n];
        for (id, node) in self.net.nodes.iter() {
            let env = self.assumptions.iter().any(|a| a.node == id);
            if !node.originates.is_empty() || env {
                if let Some(d) = dom.get_mut(id.index()) {
                    d.insert(self.uni.nh_local());
                }
            }
        }
        loop {
            let mut changed = false;
            for (eid, e) in self.net.edges.iter() {
                let add = self.edge_nh_domain(eid, &dom);
                if let Some(d) = dom.get_mut(e.to.index()) {
                    for v in add {
                        changed |= d.insert(v);
                    }
                }
            }
            if !changed {
                break;
            }
        }
        self.nh_dom = dom;
    }

    pub fn assumptions(&self) -> &[crate::ir::Assumption] {
        &self.assumptions
    }

    pub fn assumption(&self, i: usize) -> Option<&crate::ir::Assumption> {
        self.assumptions.get(i)
    }

    /// The prefixes containing `d` that some assumption lets its node announce: for
    /// `within P le M` with `d` in P, `d`'s prefix of every length from |P| to M.
    pub fn env_prefixes_containing(&self, d: Ipv4Addr) -> BTreeSet<Ipv4Net> {
        let mut out = BTreeSet::new();
        for a in &self.assumptions {
            if !a.within.contains(&d) {
                continue;
            }
            for len in a.within.prefix_len()..=a.le.min(32) {
                if let Ok(q) = Ipv4Net::new(d, len) {
                    out.insert(q.trunc());
                }
            }
        }
        out
    }

    /// Whether `n` announces, as the environment, a prefix containing `d` (over the
    /// environment variables created so far).
    pub fn env_announces(&self, n: NodeId, d: Ipv4Addr) -> Bool {
        let vars: Vec<Bool> = self
            .env
            .iter()
            .filter(|e| e.node == n && e.prefix.contains(&d))
            .map(|e| e.var.clone())
            .collect();
        Bool::or(&vars)
    }

    /// The environment variables of `n` for prefixes containing `d` (created so far).
    pub fn env_vars_containing(&self, n: NodeId, d: Ipv4Addr) -> Vec<(Ipv4Net, Bool)> {
        self.env
            .iter()
            .filter(|e| e.node == n && e.prefix.contains(&d))
            .map(|e| (e.prefix, e.var.clone()))
            .collect()
    }

    fn ntags(&self) -> usize {
        self.net.tags.len()
    }

    /// Nodes that may originate `p` (design or environment).
    fn originators(&self, p: Ipv4Net) -> BTreeSet<NodeId> {
        let mut out: BTreeSet<NodeId> = self
            .net
            .nodes
            .iter()
            .filter(|(_, n)| n.originates.iter().any(|o| o.prefix == p))
            .map(|(id, _)| id)
            .collect();
        for a in &self.assumptions {
            if a.within.contains(&p) && p.prefix_len() <= a.le {
                out.insert(a.node);
            }
        }
        out
    }

    /// Nodes from which routes can flow to any of `targets` (inclusive).
    pub fn backward_closure(&self, targets: &BTreeSet<NodeId>) -> BTreeSet<NodeId> {
        let mut seen = targets.clone();
        let mut stack: Vec<NodeId> = targets.iter().copied().collect();
        while let Some(n) = stack.pop() {
            for (_, e) in self.net.in_edges(n) {
                if seen.insert(e.from) {
                    stack.push(e.from);
                }
            }
        }
        seen
    }

    fn forward_closure(&self, from: &BTreeSet<NodeId>) -> BTreeSet<NodeId> {
        let mut seen = from.clone();
        let mut stack: Vec<NodeId> = from.iter().copied().collect();
        while let Some(n) = stack.pop() {
            for (_, e) in self.net.out_edges(n) {
                if seen.insert(e.to) {
                    stack.push(e.to);
                }
            }
        }
        seen
    }

    /// Encodes the control plane for prefix `p`, restricted to nodes that can affect
    /// `interest` (None: every node).
    pub fn prefix_plane(&mut self, p: Ipv4Net, interest: Option<&BTreeSet<NodeId>>) -> PrefixPlane {
        let start = self.facts.len();
        let mut plane = self.prefix_plane_facts(p, interest);
        let act = Bool::new_const(format!("act{}", self.counter));
        for f in self.facts.iter_mut().skip(start) {
            *f = act.implies(&*f);
        }
        self.acts.push(act.clone());
        plane.act = act;
        plane
    }

    fn prefix_plane_facts(
        &mut self,
        p: Ipv4Net,
        interest: Option<&BTreeSet<NodeId>>,
    ) -> PrefixPlane {
        let net = self.net;
        let origs = self.originators(p);
        let fwd = self.forward_closure(&origs);
        let keep: BTreeSet<NodeId> = match interest {
            Some(t) => {
                let bwd = self.backward_closure(t);
                fwd.intersection(&bwd).copied().collect()
            }
            None => fwd,
        };
        self.counter += 1;
        let tagp = format!("p{}", self.counter);
        // Environment variables for this prefix.
        let mut env_local: BTreeMap<NodeId, Bool> = BTreeMap::new();
        for (ai, a) in self.assumptions.clone().iter().enumerate() {
            if a.within.contains(&p) && p.prefix_len() <= a.le && keep.contains(&a.node) {
                let var = Bool::new_const(format!("{tagp}_env{ai}_n{}", a.node.index()));
                self.env.push(EnvVar {
                    node: a.node,
                    prefix: p,
                    var: var.clone(),
                    assumption: ai,
                });
                let slot = env_local
                    .entry(a.node)
                    .or_insert_with(|| Bool::from_bool(false));
                *slot = Bool::or(&[slot.clone(), var.clone()]);
            }
        }
        // Fresh best-route variables for kept nodes.
        let mut bests: BTreeMap<NodeId, (SymRoute, Int, Int)> = BTreeMap::new();
        for &n in &keep {
            let name = format!("{tagp}_n{}", n.index());
            let r = SymRoute::fresh(&name, &self.uni, self.ntags());
            let sel = Int::new_const(format!("{name}_sel"));
            let rank = Int::new_const(format!("{name}_rank"));
            bests.insert(n, (r, sel, rank));
        }
        let mut ribs = BTreeMap::new();
        for &v in &keep {
            let Some((best, sel, rank)) = bests.get(&v).cloned() else {
                continue;
            };
            let Some(vnode) = net.nodes.get(v) else {
                continue;
            };
            let alive_v = self.scen.alive(net, v);
            let mut cands = Vec::new();
            // Local route.
            // A conditional origination (a gateway's spoke space) stands only while
            // the component it requires (the spoke's peering) is up.
            let stands: Vec<Bool> = vnode
                .originates
                .iter()
                .filter(|o| o.prefix == p)
                .map(|o| match o.requires {
                    Some(c) => self.scen.is_down(c).not(),
                    None => Bool::from_bool(true),
                })
                .collect();
            let designed = !stands.is_empty();
            let stands = Bool::or(&stands);
            let env = env_local
                .get(&v)
                .cloned()
                .unwrap_or_else(|| Bool::from_bool(false));
            let local_valid =
                Bool::and(&[alive_v.clone(), Bool::or(&[stands, env])]);
            let zero = Int::from_i64(0);
            let local = SymRoute {
                valid: local_valid,
                weight: Int::from_i64(LOCAL_WEIGHT),
                lp: Int::from_i64(DEFAULT_LP),
                med: zero.clone(),
                counts: self.uni.asns.iter().map(|_| zero.clone()).collect(),
                tags: (0..self.ntags()).map(|_| Bool::from_bool(false)).collect(),
                origin: Int::from_i64(if self.uni.origin { v.index() as i64 } else { 0 }),
                nh: Int::from_i64(self.uni.nh_local()),
            };
            if designed || env_local.contains_key(&v) {
                cands.push(Cand {
                    source: CandSource::Local,
                    route: local,
                    key: (false, vnode.router_id, -1),
                });
            }
            // Learned routes.
            for (eid, e) in net.in_edges(v) {
                if !keep.contains(&e.from) {
                    continue;
                }
                let Some((ubest, usel, _)) = bests.get(&e.from) else {
                    continue;
                };
                let sender_rid = net
                    .nodes
                    .get(e.from)
                    .map(|n| n.router_id)
                    .unwrap_or(u32::MAX);
                let ucands = self.cand_sources_of(e.from, &keep, &origs);
                let route = self.transfer(p, eid, ubest, usel, &ucands, alive_v.clone());
                cands.push(Cand {
                    source: CandSource::Edge(eid),
                    route,
                    key: (e.ibgp, sender_rid, eid.index() as i64),
                });
            }
            // Decision.
            let any_valid: Vec<Bool> = cands.iter().map(|c| c.route.valid.clone()).collect();
            self.facts.push(best.valid.iff(Bool::or(&any_valid)));
            self.facts
                .push(best.valid.not().implies(sel.eq(Int::from_i64(-1))));
            let sel_choices: Vec<Bool> = (0..cands.len())
                .map(|i| sel.eq(Int::from_i64(i as i64)))
                .collect();
            self.facts.push(best.valid.implies(Bool::or(&sel_choices)));
            self.facts.push(rank.ge(Int::from_i64(0)));
            for ((i, ci), sel_i) in cands.iter().enumerate().zip(&sel_choices) {
                let mut parts = vec![ci.route.valid.clone(), best.eq_attrs(&ci.route)];
                for (j, cj) in cands.iter().enumerate() {
                    if i == j {
                        continue;
                    }
                    let tie = ci.key < cj.key;
                    parts.push(Bool::or(&[
                        cj.route.valid.not(),
                        prefer(&ci.route, &cj.route, tie),
                    ]));
                }
                if let CandSource::Edge(e) = ci.source {
                    if let Some(edge) = net.edges.get(e) {
                        if let Some((_, _, urank)) = bests.get(&edge.from) {
                            parts.push(rank.gt(urank));
                        }
                    }
                }
                self.facts.push(sel_i.implies(Bool::and(&parts)));
            }
            let multipath = vnode.behaviours.multipath;
            let installed: Vec<Bool> = cands
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if multipath {
                        Bool::and(&[
                            best.valid.clone(),
                            c.route.valid.clone(),
                            c.route.equally_good(&best),
                        ])
                    } else {
                        sel_choices[i].clone()
                    }
                })
                .collect();
            ribs.insert(
                v,
                NodeRib {
                    best,
                    sel,
                    rank,
                    cands,
                    installed,
                },
            );
        }
        PrefixPlane {
            prefix: p,
            ribs,
            act: Bool::from_bool(true),
        }
    }

    /// The candidate sources of node `u` in the same order `prefix_plane` builds them.
    fn cand_sources_of(
        &self,
        u: NodeId,
        keep: &BTreeSet<NodeId>,
        origs: &BTreeSet<NodeId>,
    ) -> Vec<CandSource> {
        let mut out = Vec::new();
        let designed_or_env = origs.contains(&u);
        if designed_or_env {
            out.push(CandSource::Local);
        }
        for (eid, e) in self.net.in_edges(u) {
            if keep.contains(&e.from) {
                out.push(CandSource::Edge(eid));
            }
        }
        out
    }

    /// The candidate at `e.to` from the sender's best route `r` (semantics.md §1, export
    /// steps 1–12).
    fn transfer(
        &self,
        p: Ipv4Net,
        eid: EdgeId,
        r: &SymRoute,
        usel: &Int,
        ucands: &[CandSource],
        alive_v: Bool,
    ) -> SymRoute {
        let net = self.net;
        let Some(e) = net.edges.get(eid) else {
            return SymRoute::invalid(&self.uni, self.ntags());
        };
        let (u, v) = (e.from, e.to);
        let sender = net.nodes.get(u);
        let receiver = net.nodes.get(v);
        let mut gate = vec![
            r.valid.clone(),
            self.scen.usable(net, eid),
            self.scen.alive(net, u),
            alive_v,
        ];
        // 2. not back to where it came from; 3. iBGP split horizon.
        for (i, src) in ucands.iter().enumerate() {
            if let CandSource::Edge(le) = src {
                if let Some(ledge) = net.edges.get(*le) {
                    if ledge.from == v || (ledge.ibgp && e.ibgp) {
                        gate.push(usel.eq(Int::from_i64(i as i64)).not());
                    }
                }
            }
        }
        // 4. NO_ADVERTISE.
        for (tid, tag) in net.tags.iter() {
            if tag.community == Some(NO_ADVERTISE) {
                if let Some(t) = r.tags.get(tid.index()) {
                    gate.push(t.not());
                }
            }
        }
        let start = Transit {
            r: r.clone(),
            pass: Bool::from_bool(true),
            med_set: Bool::from_bool(false),
            nh_set: Bool::from_bool(false),
        };
        let sender_asn = sender.map(|n| n.asn).unwrap_or(0);
        let receiver_asn = receiver.map(|n| n.asn).unwrap_or(0);
        // 5. export policies.
        let mut t = self.policies(&e.export, start, p, sender_asn, u, Stage::Export);
        // 6. prepend.
        for asn in &e.prepend {
            if let Some(s) = self.uni.asn_slot(*asn) {
                if let Some(c) = t.r.counts.get_mut(s) {
                    *c = Int::add(&[c.clone(), Int::from_i64(1)]);
                }
            }
        }
        // 7. MED not passed across ASes.
        if !e.ibgp {
            t.r.med = t.med_set.ite(&t.r.med, &Int::from_i64(0));
        }
        // 8. next hop.
        let transparent = sender
            .map(|n| n.behaviours.next_hop_transparent)
            .unwrap_or(false);
        let self_nh = Int::from_i64(self.uni.nh_node(u));
        let default_nh = if transparent {
            r.nh.eq(Int::from_i64(self.uni.nh_local()))
                .ite(&self_nh, &r.nh)
        } else {
            self_nh
        };
        t.r.nh = t.nh_set.ite(&t.r.nh, &default_nh);
        // 9. loop check.
        if let Some(a) = e.loop_check {
            if let Some(s) = self.uni.asn_slot(a) {
                if let Some(c) = t.r.counts.get(s) {
                    gate.push(c.le(Int::from_i64(i64::from(e.allowas_in))));
                }
            }
        }
        // 10. reset local_pref.
        if e.reset_local_pref {
            t.r.lp = Int::from_i64(DEFAULT_LP);
        }
        gate.push(t.pass.clone());
        // 11. import policies (their pass flag accumulates).
        t.nh_set = Bool::from_bool(false);
        t.pass = Bool::from_bool(true);
        let t = self.policies(&e.import, t, p, receiver_asn, v, Stage::Import);
        gate.push(t.pass.clone());
        let mut out = t.r;
        let _ = t.med_set;
        // 12. weight.
        out.weight = Int::from_i64(i64::from(e.weight));
        out.valid = Bool::and(&gate);
        out
    }

    fn policies(
        &self,
        ids: &[PolicyId],
        mut t: Transit,
        p: Ipv4Net,
        own_asn: u32,
        own: NodeId,
        stage: Stage,
    ) -> Transit {
        for pid in ids {
            let Some(pol) = self.net.policies.get(*pid) else {
                continue;
            };
            // First match decides: fold from the last rule; no match denies.
            let mut result = Transit {
                pass: Bool::from_bool(false),
                ..t.clone()
            };
            for rule in pol.rules.iter().rev() {
                let cond = self.conditions(&rule.conditions, &t.r, p);
                let fired = if rule.permit {
                    let mut a = t.clone();
                    for act in &rule.actions {
                        self.action(act, &mut a, own_asn, own, stage);
                    }
                    a
                } else {
                    Transit {
                        pass: Bool::from_bool(false),
                        ..t.clone()
                    }
                };
                result = Transit::ite(&cond, &fired, &result);
            }
            let pass = Bool::and(&[t.pass.clone(), result.pass.clone()]);
            t = result;
            t.pass = pass;
        }
        t
    }

    fn conditions(&self, conds: &[Condition], r: &SymRoute, p: Ipv4Net) -> Bool {
        let parts: Vec<Bool> = conds
            .iter()
            .map(|c| match c {
                Condition::Prefix(ranges) => {
                    Bool::from_bool(ranges.iter().any(|rg| rg.matches(&p)))
                }
                Condition::AsPathContains(n) => {
                    match self.uni.asn_slot(*n).and_then(|s| r.counts.get(s)) {
                        Some(c) => c.ge(Int::from_i64(1)),
                        None => Bool::from_bool(false),
                    }
                }
                Condition::AsPathLength(op, n) => {
                    let l = r.len();
                    let k = Int::from_i64(i64::from(*n));
                    match op {
                        crate::ir::CmpOp::Lt => l.lt(&k),
                        crate::ir::CmpOp::Le => l.le(&k),
                        crate::ir::CmpOp::Eq => l.eq(&k),
                        crate::ir::CmpOp::Ge => l.ge(&k),
                        crate::ir::CmpOp::Gt => l.gt(&k),
                    }
                }
                Condition::Tag(t) => r
                    .tags
                    .get(t.index())
                    .cloned()
                    .unwrap_or_else(|| Bool::from_bool(false)),
                Condition::OriginatedBy(n) => r.origin.eq(Int::from_i64(n.index() as i64)),
            })
            .collect();
        Bool::and(&parts)
    }

    fn action(&self, act: &Action, t: &mut Transit, own_asn: u32, own: NodeId, stage: Stage) {
        let zero = Int::from_i64(0);
        match act {
            Action::SetLocalPref(n) => t.r.lp = Int::from_i64(i64::from(*n)),
            Action::SetMed(n) => {
                t.r.med = Int::from_i64(i64::from(*n));
                t.med_set = Bool::from_bool(true);
            }
            Action::Prepend(n, k) => {
                if let Some(c) = self.uni.asn_slot(*n).and_then(|s| t.r.counts.get_mut(s)) {
                    *c = Int::add(&[c.clone(), Int::from_i64(i64::from(*k))]);
                }
            }
            Action::AddTag(tag) => {
                if let Some(b) = t.r.tags.get_mut(tag.index()) {
                    *b = Bool::from_bool(true);
                }
            }
            Action::RemoveTag(tag) => {
                if let Some(b) = t.r.tags.get_mut(tag.index()) {
                    *b = Bool::from_bool(false);
                }
            }
            Action::RemovePrivateAs => {
                for (i, a) in self.uni.asns.iter().enumerate() {
                    if crate::ir::is_private_asn(*a) {
                        if let Some(c) = t.r.counts.get_mut(i) {
                            *c = zero.clone();
                        }
                    }
                }
            }
            Action::RemoveAs(list) => {
                for a in list {
                    if let Some(c) = self.uni.asn_slot(*a).and_then(|s| t.r.counts.get_mut(s)) {
                        *c = zero.clone();
                    }
                }
            }
            Action::ReplaceAs(list) => {
                let Some(target) = self.uni.asn_slot(own_asn) else {
                    return;
                };
                let mut moved = Vec::new();
                for a in list {
                    if *a == own_asn {
                        continue;
                    }
                    if let Some(s) = self.uni.asn_slot(*a) {
                        if let Some(c) = t.r.counts.get_mut(s) {
                            moved.push(c.clone());
                            *c = zero.clone();
                        }
                    }
                }
                if let Some(c) = t.r.counts.get_mut(target) {
                    moved.push(c.clone());
                    *c = Int::add(&moved);
                }
            }
            Action::SetNextHopSelf => {
                if stage == Stage::Export {
                    t.r.nh = Int::from_i64(self.uni.nh_node(own));
                    t.nh_set = Bool::from_bool(true);
                }
            }
            Action::SetNextHop(a) => {
                if let Some(v) = self.uni.nh_addr(*a) {
                    t.r.nh = Int::from_i64(v);
                    t.nh_set = Bool::from_bool(true);
                }
            }
        }
    }
}

/// The session kind of an edge.
pub fn edge_kind(net: &Network, e: EdgeId) -> Option<SessionKind> {
    let edge = net.edges.get(e)?;
    net.sessions.get(edge.session).map(|s| s.kind)
}
