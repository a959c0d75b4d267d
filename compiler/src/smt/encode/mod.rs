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

mod route;
mod selection;
mod transfer;

pub use route::{Cand, CandSource, EnvVar, NodeRib, PrefixPlane, SymRoute};

use crate::budget::Budget;
use crate::ir::{Action, Condition, EdgeId, Id, Network, NodeId, SessionId, SessionKind};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::rc::Rc;
use z3::ast::Bool;

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
    /// Some policy strips only leading private ASNs
    /// ([`crate::ir::Action::RemoveLeadingPrivateAs`]): routes carry
    /// [`super::encode::SymRoute::lead`].
    pub lead: bool,
    /// With `lead`: some policy may leave the leading run over-approximated
    /// (`remove_as` of a public ASN, `replace_as`), so routes carry a
    /// [`super::encode::SymRoute::lead_exact`] variable.
    pub lead_loose: bool,
}

impl Universe {
    pub fn new(net: &Network) -> Universe {
        let mut asns = BTreeSet::new();
        let mut addrs = BTreeSet::new();
        let mut med = false;
        let mut lead = false;
        let mut loose = false;
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
                lead |= r
                    .actions
                    .iter()
                    .any(|a| matches!(a, Action::RemoveLeadingPrivateAs));
                loose |= r.actions.iter().any(|a| match a {
                    Action::ReplaceAs(_) => true,
                    Action::RemoveAs(l) => l.iter().any(|x| !crate::ir::is_private_asn(*x)),
                    _ => false,
                });
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
            lead,
            lead_loose: lead && loose,
        }
    }

    /// A route's [`super::encode::SymRoute::lead`]: `f(asn)` per private ASN's slot, 0
    /// for a public one; empty unless [`Universe::lead`].
    pub fn lead_slots(&self, f: impl Fn(u32) -> z3::ast::Int) -> Vec<z3::ast::Int> {
        if !self.lead {
            return Vec::new();
        }
        self.asns
            .iter()
            .map(|a| {
                if crate::ir::is_private_asn(*a) {
                    f(*a)
                } else {
                    z3::ast::Int::from_i64(0)
                }
            })
            .collect()
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
    /// Where the encoding over-approximates: the leading private run of a path
    /// ([`SymRoute::lead`], read by leading-only stripping towards AVS) after
    /// `remove_as` of a public ASN or `replace_as`, which the per-ASN counts cannot
    /// follow (the run's share of each private ASN is then free between none and
    /// all). A counterexample is reported only when one exists with all of these
    /// false (`queries::Session::exact_fail`); a proof stands as it is (every real
    /// behaviour is a model).
    pub imprecise: Rc<std::cell::RefCell<Vec<Bool>>>,
    /// Counter for the fresh variables of [`Encoder::imprecise`].
    fresh: std::cell::Cell<usize>,
    /// Whole-network planes (no slicing) built so far, shared by every data-plane
    /// property of a session (see [`super::dataplane::Builder`]).
    pub planes: BTreeMap<Ipv4Net, PrefixPlane>,
    /// The time and memory this encoding may take (shared with its prover): polled per
    /// prefix plane and per data-plane walk state. Once spent, the planes built after
    /// are empty and the prover answers nothing but `unknown`.
    pub budget: Rc<Budget>,
}

impl<'n> Encoder<'n> {
    /// An encoder without a budget of its own (its caller bounds it: a deadline per
    /// question, as [`super::unique`] does).
    pub fn new(net: &'n Network, prop: &crate::ir::Property) -> Encoder<'n> {
        Encoder::with_budget(net, prop, Rc::new(Budget::unlimited()))
    }

    /// An encoder polling `budget` (see [`crate::budget`]).
    pub fn with_budget(
        net: &'n Network,
        prop: &crate::ir::Property,
        budget: Rc<Budget>,
    ) -> Encoder<'n> {
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
            imprecise: Rc::new(std::cell::RefCell::new(Vec::new())),
            fresh: std::cell::Cell::new(0),
            planes: BTreeMap::new(),
            budget,
        };
        enc.compute_nh_domains();
        enc.compute_floods();
        enc
    }

    /// Literals a counterexample should keep false when it can: failures first, then
    /// sessions dropped over a route limit, then the environment (for minimal,
    /// deterministic counterexamples: [`super::prover::Prover::check_canonical`]).
    pub fn prefer_false(&self) -> Vec<Bool> {
        let mut v: Vec<Bool> = self.scen.free.iter().map(|(_, b)| b.clone()).collect();
        v.extend(self.scen.flood.iter().map(|f| f.var.clone()));
        v.extend(self.env.iter().map(|e| e.var.clone()));
        v
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
                        Action::RemovePrivateAs | Action::RemoveLeadingPrivateAs => {
                            crate::ir::is_private_asn(asn)
                        }
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
        // `set ip next-hop unchanged` on export passes the sender's next hops on.
        let unchanged = edge.export.iter().any(|pid| {
            self.net.policies.get(*pid).is_some_and(|pol| {
                pol.rules
                    .iter()
                    .any(|r| r.actions.contains(&Action::SetNextHopUnchanged))
            })
        });
        if transparent || unchanged {
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
        let mut plane = match self.budget.poll() {
            Ok(()) => self.prefix_plane_facts(p, interest),
            // Out of time or memory: an empty plane (no routes anywhere). It is never
            // read as the network's meaning: the prover sharing this budget answers
            // every question `unknown` from now on.
            Err(_) => {
                self.counter += 1;
                PrefixPlane {
                    prefix: p,
                    ribs: BTreeMap::new(),
                    act: Bool::from_bool(true),
                }
            }
        };
        let act = Bool::new_const(format!("act{}", self.counter));
        for f in self.facts.iter_mut().skip(start) {
            *f = act.implies(&*f);
        }
        self.acts.push(act.clone());
        plane.act = act;
        plane
    }
}

/// The session kind of an edge.
pub fn edge_kind(net: &Network, e: EdgeId) -> Option<SessionKind> {
    let edge = net.edges.get(e)?;
    net.sessions.get(edge.session).map(|s| s.kind)
}
