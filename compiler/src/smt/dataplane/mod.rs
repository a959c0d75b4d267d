//! The data plane of one destination class as a guarded graph (semantics.md §2–§3).
//!
//! Vertices are walk states `(node, arrival context, current destination, pending
//! inner packet)` — the simulator's loop key — and terminals (delivered to an owner,
//! dropped, no route, unsupported). Each edge carries a z3 guard over the control-plane
//! variables of [`super::encode`] and the scenario: it is taken exactly when, in that
//! model, the walk at the source state forwards (one ECMP branch) to the target.
//!
//! Properties are then questions about walks in this graph, encoded without unrolling
//! (see [`walk_exists`] and [`loop_exists`]): a walk is witnessed by per-vertex
//! "reached" Booleans justified by a predecessor with a strictly smaller integer rank
//! (so every reached vertex lies on a finite walk from a source), and a loop by a
//! non-empty set of reached states each with an active edge into the set (a finite
//! graph has a cycle through such a set, whatever its length).

mod fabric;
mod walk;

pub use walk::{loop_exists, loop_in, walk_exists, Fresh, Walk};

use super::encode::{edge_kind, CandSource, Encoder, NextHopValue, NodeRib, PrefixPlane};
use crate::ir::{Endpoint, Network, NodeId, SessionKind, StaticTarget, SubnetId, TunnelId};
use crate::sim::{owners, Owner, Why};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use z3::ast::{Bool, Int};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Term {
    Delivered(Owner),
    /// Dropped, and why (the simulator's reason, `sim::Why`, so a counterexample of
    /// either engine says why a packet is not delivered, as `trace` does).
    Dropped(Why),
    NoRoute,
    /// Encapsulated again and again without end (a tunnel routed through itself): the
    /// simulator's `loop` (by its hop limit).
    Recursion,
    /// A walk this encoding does not cover (nested tunnels): never a proof.
    Unsupported,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StateKey {
    pub node: NodeId,
    /// 1: a gateway reached from a node (a circuit); 0 otherwise.
    pub ctx: u8,
    pub dest: Ipv4Addr,
    /// Tunnels the packet is inside, outermost last (the simulator's stack).
    pub stack: Vec<Entry>,
}

/// One encapsulation: the packet inside, the tunnel's far end, and the first state the
/// outer packet entered (what recursion detection compares).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub inner: Ipv4Addr,
    pub far: NodeId,
    pub tunnel: TunnelId,
    pub entered: (NodeId, u8),
}

/// Deeper than this the walk is `Unsupported` (cannot happen: recursion detection
/// bounds the depth by the number of distinct post-encapsulation states).
const MAX_DEPTH: usize = 16;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Vertex {
    State(StateKey),
    Term(Term),
}

/// How a walk arrives at a node.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arrive {
    Origin,
    /// The walk starts at an AVS's management appliances (`Src::Management`).
    Management,
    FromNode,
    FromFabric,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    To(NodeId, Arrive),
    Stop(Term),
}

/// The guarded forwarding graph of one destination (from given sources).
pub struct Graph {
    pub vertices: Vec<Vertex>,
    pub index: BTreeMap<Vertex, usize>,
    /// (from, to) → guard.
    pub edges: BTreeMap<(usize, usize), Bool>,
    /// Source entry points: vertex → guard.
    pub sources: BTreeMap<usize, Bool>,
    pub dest: Ipv4Addr,
    /// The activation literals of the prefix planes the guards read.
    pub acts: Vec<Bool>,
}

impl Graph {
    pub fn successors(&self, v: usize) -> impl Iterator<Item = (usize, &Bool)> {
        self.edges
            .range((v, 0)..(v + 1, 0))
            .map(|((_, t), g)| (*t, g))
    }
    pub fn predecessors(&self, v: usize) -> Vec<(usize, &Bool)> {
        self.edges
            .iter()
            .filter(|((_, t), _)| *t == v)
            .map(|((f, _), g)| (*f, g))
            .collect()
    }
    pub fn node_of(&self, v: usize) -> Option<NodeId> {
        match self.vertices.get(v) {
            Some(Vertex::State(k)) => Some(k.node),
            _ => None,
        }
    }
}

/// Where walks start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Src {
    Node(NodeId),
    Subnet(SubnetId),
    /// An AVS's management appliances (`management P`): no default route.
    Management(NodeId),
}

pub fn endpoint_src(net: &Network, ep: &Endpoint) -> Option<Src> {
    crate::sim::endpoint_source(net, ep).map(|s| match s {
        crate::sim::Source::Node(n) => Src::Node(n),
        crate::sim::Source::Management(n) => Src::Management(n),
        crate::sim::Source::Subnet(s) => Src::Subnet(s),
    })
}

/// Builds graphs; caches the per-prefix control planes it needs. The cache is the
/// encoder's (taken for the builder's lifetime and given back on drop), so every
/// property of a session shares one encoding per prefix.
pub struct Builder<'e, 'n> {
    pub enc: &'e mut Encoder<'n>,
    pub planes: BTreeMap<Ipv4Net, PrefixPlane>,
    /// Every prefix that some node originates (the only prefixes in any RIB).
    bgp_prefixes: Vec<Ipv4Net>,
    /// The planes the graph being built reads.
    touched: BTreeSet<Ipv4Net>,
    /// Per load balancer (index in `Network::load_balancers`), the backend index
    /// that every flow it balances takes in graphs built from now on: `symmetric`
    /// pins both directions of a flow to one backend (Azure's flow symmetry for one
    /// HA-ports internal load balancer). Empty: each backend is a free ECMP branch.
    pub pins: BTreeMap<usize, Int>,
}

impl Drop for Builder<'_, '_> {
    fn drop(&mut self) {
        std::mem::swap(&mut self.enc.planes, &mut self.planes);
    }
}

impl<'e, 'n> Builder<'e, 'n> {
    pub fn new(enc: &'e mut Encoder<'n>) -> Builder<'e, 'n> {
        let set = enc.net.originated_prefixes();
        let planes = std::mem::take(&mut enc.planes);
        Builder {
            enc,
            planes,
            bgp_prefixes: set.into_iter().collect(),
            touched: BTreeSet::new(),
            pins: BTreeMap::new(),
        }
    }

    fn net(&self) -> &'n Network {
        self.enc.net
    }

    /// BGP prefixes containing `d` (the design's and those the environment may
    /// announce), longest first.
    fn bgp_containing(&mut self, d: Ipv4Addr) -> Vec<Ipv4Net> {
        let mut set: BTreeSet<Ipv4Net> = self.enc.env_prefixes_containing(d);
        set.extend(self.bgp_prefixes.iter().filter(|p| p.contains(&d)).copied());
        let mut v: Vec<Ipv4Net> = set.into_iter().collect();
        v.sort_by(|a, b| b.prefix_len().cmp(&a.prefix_len()).then(a.cmp(b)));
        self.touched.extend(v.iter().copied());
        for p in &v {
            if !self.planes.contains_key(p) {
                let plane = self.enc.prefix_plane(*p, None);
                self.planes.insert(*p, plane);
            }
        }
        v
    }

    fn rib(&self, p: &Ipv4Net, n: NodeId) -> Option<&NodeRib> {
        self.planes.get(p).and_then(|pl| pl.rib(n))
    }

    /// Builds the graph of walks towards `dest` from `sources`.
    pub fn graph(&mut self, dest: Ipv4Addr, sources: &[Src]) -> Graph {
        let mut g = Graph {
            vertices: Vec::new(),
            index: BTreeMap::new(),
            edges: BTreeMap::new(),
            sources: BTreeMap::new(),
            dest,
            acts: Vec::new(),
        };
        self.touched.clear();
        let mut work: Vec<usize> = Vec::new();
        for s in sources {
            let entries: Vec<(Step, Bool)> = match *s {
                Src::Node(n) => vec![(Step::To(n, Arrive::Origin), Bool::from_bool(true))],
                Src::Management(n) => {
                    vec![(Step::To(n, Arrive::Management), Bool::from_bool(true))]
                }
                Src::Subnet(sub) => self.fabric_steps(sub, dest, false),
            };
            for (step, guard) in entries {
                let v = self.vertex_for(&mut g, &mut work, &[], None, dest, step);
                let slot = g.sources.entry(v).or_insert_with(|| Bool::from_bool(false));
                *slot = Bool::or(&[slot.clone(), guard.clone()]);
            }
        }
        while let Some(v) = work.pop() {
            // Walk states can multiply (tunnel stacks): out of time or memory, the graph
            // is left unfinished, and the prover sharing the budget answers `unknown`.
            if self.enc.budget.poll().is_err() {
                break;
            }
            let Some(Vertex::State(key)) = g.vertices.get(v).cloned() else {
                continue;
            };
            for (step, guard, push) in self.decide(key.clone()) {
                let (pushed, dst) = match push {
                    Some(p) => (Some(p.0), p.1),
                    None => (None, key.dest),
                };
                let t = self.vertex_for(&mut g, &mut work, &key.stack, pushed, dst, step);
                let slot = g
                    .edges
                    .entry((v, t))
                    .or_insert_with(|| Bool::from_bool(false));
                *slot = Bool::or(&[slot.clone(), guard.clone()]);
            }
        }
        g.acts = self
            .touched
            .iter()
            .filter_map(|p| self.planes.get(p).map(|pl| pl.act.clone()))
            .collect();
        g
    }

    /// The vertex a step leads to: with a new encapsulation `pushed` (inner
    /// destination, far node, tunnel) when the step enters a tunnel; decapsulating at a
    /// tunnel's far end; a `Recursion` terminal when the walk, just encapsulated,
    /// enters the state it entered right after an encapsulation that is still open —
    /// from there it repeats the same segment forever, one tunnel deeper each time (the
    /// segment never left that encapsulation, so it cannot depend on what is below).
    fn vertex_for(
        &self,
        g: &mut Graph,
        work: &mut Vec<usize>,
        stack: &[Entry],
        pushed: Option<(Ipv4Addr, NodeId, TunnelId)>,
        dest: Ipv4Addr,
        step: Step,
    ) -> usize {
        let net = self.net();
        let ctx_of = |m: NodeId, arrive: Arrive| {
            if arrive == Arrive::Management {
                return crate::sim::forward::CTX_MANAGEMENT;
            }
            let gateway = net
                .nodes
                .get(m)
                .is_some_and(|n| n.behaviours.gateway_subnet.is_some());
            u8::from(gateway && arrive == Arrive::FromNode)
        };
        let vx = match step {
            Step::Stop(t) => Vertex::Term(t),
            Step::To(m, arrive) => {
                let mut stack: Vec<Entry> = stack.to_vec();
                let mut dest = dest;
                let mut arrive = arrive;
                let mut recursion = false;
                if let Some((inner, far, tunnel)) = pushed {
                    let entered = (m, ctx_of(m, arrive));
                    recursion = stack.iter().any(|e| {
                        e.entered == entered
                            && net.tunnel_end_address(e.tunnel, e.far) == Some(dest)
                    });
                    stack.push(Entry {
                        inner,
                        far,
                        tunnel,
                        entered,
                    });
                }
                let decap = stack
                    .last()
                    .filter(|e| e.far == m && net.tunnel_end_address(e.tunnel, m) == Some(dest))
                    .map(|e| (e.far, e.inner));
                if let Some((_, inner)) = decap {
                    stack.pop();
                    dest = inner;
                    arrive = Arrive::Origin;
                    recursion = false;
                }
                if recursion {
                    Vertex::Term(Term::Recursion)
                } else if stack.len() > MAX_DEPTH {
                    Vertex::Term(Term::Unsupported)
                } else {
                    Vertex::State(StateKey {
                        node: m,
                        ctx: ctx_of(m, arrive),
                        dest,
                        stack,
                    })
                }
            }
        };
        if let Some(i) = g.index.get(&vx) {
            return *i;
        }
        let i = g.vertices.len();
        if matches!(vx, Vertex::State(_)) {
            work.push(i);
        }
        g.vertices.push(vx.clone());
        g.index.insert(vx, i);
        i
    }

    /// One node's forwarding decision: (step, guard, tunnel push (stack, outer dest)).
    #[allow(clippy::type_complexity)]
    fn decide(
        &mut self,
        key: StateKey,
    ) -> Vec<(Step, Bool, Option<((Ipv4Addr, NodeId, TunnelId), Ipv4Addr)>)> {
        let net = self.net();
        let m = key.node;
        let d = key.dest;
        let t = Bool::from_bool(true);
        let Some(node) = net.nodes.get(m) else {
            return vec![(Step::Stop(Term::Dropped(Why::NodeDown)), t, None)];
        };
        let alive = self.enc.scen.alive(net, m);
        let mut out: Vec<(Step, Bool, Option<((Ipv4Addr, NodeId, TunnelId), Ipv4Addr)>)> =
            vec![(Step::Stop(Term::Dropped(Why::NodeDown)), alive.not(), None)];
        let b = node.behaviours;
        // A site owns what it announces: as for the design's originations (below), a
        // packet inside a prefix the environment makes it announce is delivered.
        let alive = if b.owns_originated && !self.enc.env_prefixes_containing(d).is_empty() {
            // Longest-prefix ownership (LANGUAGE.md §2.4): an announced prefix q owns d
            // only while no static and no valid route for a longer prefix does.
            let containing = self.bgp_containing(d);
            let mut owns_any = Vec::new();
            for (q, var) in self.enc.env_vars_containing(m, d) {
                let longer_statics: Vec<&crate::ir::StaticRoute> = node
                    .statics
                    .iter()
                    .filter(|s| s.prefix.contains(&d) && s.prefix.prefix_len() > q.prefix_len())
                    .collect();
                if longer_statics.iter().any(|s| s.requires.is_empty()) {
                    continue;
                }
                let mut longer: Vec<Bool> = containing
                    .iter()
                    .filter(|p| p.prefix_len() > q.prefix_len())
                    .filter_map(|p| self.rib(p, m).map(|r| r.best.valid.clone()))
                    .collect();
                longer.extend(longer_statics.iter().map(|s| self.static_up(s)));
                owns_any.push(Bool::and(&[var, Bool::or(&longer).not()]));
            }
            let owns = Bool::or(&owns_any);
            out.push((
                Step::Stop(Term::Delivered(Owner::Node(m))),
                Bool::and(&[alive.clone(), owns.clone()]),
                None,
            ));
            Bool::and(&[alive, owns.not()])
        } else {
            alive
        };
        let plain = |steps: Vec<(Step, Bool)>, out: &mut Vec<_>| {
            for (s, g) in steps {
                out.push((s, Bool::and(&[alive.clone(), g]), None));
            }
        };
        if b.internet {
            // The outer packet of a tunnel across the internet reaches its end.
            if let Some(x) = net.node_by_public_ip(d) {
                plain(vec![(Step::To(x, Arrive::FromNode), t)], &mut out);
                return out;
            }
            let term = if owners(net, d).contains(&Owner::Node(m)) {
                Term::Delivered(Owner::Node(m))
            } else {
                Term::Dropped(Why::InternetDrops)
            };
            plain(vec![(Step::Stop(term), t)], &mut out);
            return out;
        }
        if node.holds_address(d) || node.public_ip == Some(d) {
            plain(
                vec![(Step::Stop(Term::Delivered(Owner::Node(m))), t)],
                &mut out,
            );
            return out;
        }
        // Ownership is longest-prefix (LANGUAGE.md §2.4): an owned origination is a
        // local route; only a more specific static or BGP route forwards the packet.
        let own_len = crate::sim::forward::owned_len(node, d).map(i32::from);
        if b.control_plane_only {
            plain(
                vec![(Step::Stop(Term::Dropped(Why::ControlPlaneOnly)), t)],
                &mut out,
            );
            return out;
        }
        // AVS management appliances use only routes more specific than 0.0.0.0/0.
        let usable =
            |p: &Ipv4Net| key.ctx != crate::sim::forward::CTX_MANAGEMENT || p.prefix_len() > 0;
        // RIB lookup: a static wins over BGP routes of the same or a shorter prefix.
        // A static into a static VPN connection's tunnel stands only while the
        // connection is up (`StaticRoute::requires`): one case per static that may be
        // the longest standing one (the simulator filters them by the scenario).
        let mut statics: Vec<&crate::ir::StaticRoute> = node
            .statics
            .iter()
            .filter(|s| s.prefix.contains(&d) && usable(&s.prefix))
            .collect();
        statics.sort_by_key(|s| std::cmp::Reverse(s.prefix.prefix_len()));
        let mut cases: Vec<(Option<crate::ir::StaticRoute>, Bool)> = Vec::new();
        let mut none_longer = Bool::from_bool(true);
        for s in statics {
            let up = self.static_up(s);
            cases.push((
                Some(s.clone()),
                Bool::and(&[none_longer.clone(), up.clone()]),
            ));
            if s.requires.is_empty() {
                none_longer = Bool::from_bool(false);
                break;
            }
            none_longer = Bool::and(&[none_longer, up.not()]);
        }
        if none_longer.as_bool() != Some(false) {
            cases.push((None, none_longer));
        }
        let outer_alive = alive;
        for (st, case) in cases {
            let alive = Bool::and(&[outer_alive.clone(), case]);
            let st_len = st
                .as_ref()
                .map(|s| i32::from(s.prefix.prefix_len()))
                .unwrap_or(-1);
            // The local route of an owned origination wins over a static of the same or a
            // shorter prefix, and over BGP routes of the same or a shorter prefix.
            let owned = own_len.is_some_and(|l| l >= st_len);
            let floor = st_len.max(own_len.unwrap_or(-1));
            let prefixes: Vec<Ipv4Net> = self
                .bgp_containing(d)
                .into_iter()
                .filter(|p| {
                    i32::from(p.prefix_len()) > floor && usable(p) && self.rib(p, m).is_some()
                })
                .collect();
            // choices: (Some(prefix) | None = static-or-nothing, guard)
            let mut pending = Bool::from_bool(true);
            let mut choices: Vec<(Option<Ipv4Net>, Bool)> = Vec::new();
            for p in &prefixes {
                let valid = self
                    .rib(p, m)
                    .map(|r| r.best.valid.clone())
                    .unwrap_or_else(|| Bool::from_bool(false));
                choices.push((Some(*p), Bool::and(&[pending.clone(), valid.clone()])));
                pending = Bool::and(&[pending.clone(), valid.not()]);
            }
            choices.push((None, pending));
            for (choice, guard) in choices {
                let g = Bool::and(&[alive.clone(), guard]);
                match choice {
                    None => {
                        if owned {
                            out.push((Step::Stop(Term::Delivered(Owner::Node(m))), g, None));
                        } else if let Some(s) = &st {
                            match s.target {
                                StaticTarget::Drop => {
                                    out.push((Step::Stop(Term::Dropped(Why::StaticDrop)), g, None))
                                }
                                // An NVA hands the packet to the fabric by the NIC
                                // towards the next hop (the simulator's `decide`).
                                StaticTarget::Node(x) if b.fabric_subnet.is_some() => {
                                    let mut hints = crate::sim::forward::next_hop_addresses(
                                        net,
                                        crate::sim::NextHop::Node(x),
                                    );
                                    hints.push(d);
                                    match net.egress_subnet(m, &hints) {
                                        Some(fs) => {
                                            for (s, sg) in self.fabric_steps(fs, d, false) {
                                                out.push((s, Bool::and(&[g.clone(), sg]), None));
                                            }
                                        }
                                        None => out.push((Step::Stop(Term::NoRoute), g, None)),
                                    }
                                }
                                StaticTarget::Node(x) => {
                                    out.push((Step::To(x, Arrive::FromNode), g, None))
                                }
                                StaticTarget::Fabric(via) => {
                                    match net.egress_subnet(m, &[via, d]) {
                                        Some(fs) => {
                                            for (s, sg) in self.fabric_steps(fs, d, false) {
                                                out.push((s, Bool::and(&[g.clone(), sg]), None));
                                            }
                                        }
                                        None => out.push((Step::Stop(Term::NoRoute), g, None)),
                                    }
                                }
                            }
                        } else if let Some(fs) = net.egress_subnet(m, &[d]) {
                            for (s, sg) in self.fabric_steps(fs, d, false) {
                                out.push((s, Bool::and(&[g.clone(), sg]), None));
                            }
                        } else if let Some(gs) = b.gateway_subnet {
                            let nt = key.ctx == 1 && b.no_transit;
                            for (s, sg) in self.fabric_steps(gs, d, nt) {
                                out.push((s, Bool::and(&[g.clone(), sg]), None));
                            }
                        } else {
                            out.push((Step::Stop(Term::NoRoute), g, None));
                        }
                    }
                    Some(p) => self.decide_bgp(&key, p, g, &mut out),
                }
            }
        }
        out
    }

    /// Whether a static stands: none of the components it requires is down.
    fn static_up(&self, s: &crate::ir::StaticRoute) -> Bool {
        let ups: Vec<Bool> = s
            .requires
            .iter()
            .map(|c| self.enc.scen.is_down(*c).not())
            .collect();
        Bool::and(&ups)
    }

    #[allow(clippy::type_complexity)]
    fn decide_bgp(
        &mut self,
        key: &StateKey,
        p: Ipv4Net,
        g: Bool,
        out: &mut Vec<(Step, Bool, Option<((Ipv4Addr, NodeId, TunnelId), Ipv4Addr)>)>,
    ) {
        let net = self.net();
        let m = key.node;
        let d = key.dest;
        let Some(node) = net.nodes.get(m) else { return };
        let b = node.behaviours;
        // (installed guard, source, next-hop term)
        let routes: Vec<(Bool, CandSource, Int)> = match self.rib(&p, m) {
            Some(r) => r
                .cands
                .iter()
                .zip(&r.installed)
                .map(|(c, i)| (i.clone(), c.source, c.route.nh.clone()))
                .collect(),
            None => Vec::new(),
        };
        if b.fabric_subnet.is_some() {
            // By the NIC whose subnet holds the route's next hop or the destination
            // (the outer destination for a tunnel), else the first NIC: one guard per
            // egress subnet, over the next hop's possible values.
            let mut to_fabric: BTreeMap<SubnetId, Vec<Bool>> = BTreeMap::new();
            let mut by_next_hop = |inst: Bool, src: CandSource, nh: &Int, this: &Self| {
                for v in this.enc.nh_domain(src) {
                    let mut hints = match this.enc.uni.decode_nh(v) {
                        NextHopValue::Local => Vec::new(),
                        NextHopValue::Node(x) => net
                            .nodes
                            .get(x)
                            .map(|n| n.all_nics().into_iter().map(|(a, _)| a).collect())
                            .unwrap_or_default(),
                        NextHopValue::Address(a) => vec![a],
                    };
                    hints.push(d);
                    if let Some(fs) = net.egress_subnet(m, &hints) {
                        to_fabric
                            .entry(fs)
                            .or_default()
                            .push(Bool::and(&[inst.clone(), nh.eq(Int::from_i64(v))]));
                    }
                }
            };
            for (inst, src, nh) in &routes {
                let tunnel = match src {
                    CandSource::Edge(e) => net
                        .edges
                        .get(*e)
                        .and_then(|x| x.tunnel.map(|t| (t, x.from))),
                    CandSource::Local => None,
                };
                match tunnel {
                    Some((t, far)) => {
                        let up = net
                            .tunnels
                            .get(t)
                            .map(|tn| self.enc.scen.is_down(tn.component).not())
                            .unwrap_or_else(|| Bool::from_bool(false));
                        let gt = Bool::and(&[g.clone(), inst.clone(), up.clone()]);
                        match net.tunnel_end_address(t, far) {
                            Some(outer) => {
                                let fs = net.egress_subnet(m, &[outer]);
                                for (s, sg) in fs
                                    .map(|fs| self.fabric_steps(fs, outer, false))
                                    .unwrap_or_default()
                                {
                                    out.push((
                                        s,
                                        Bool::and(&[gt.clone(), sg]),
                                        Some(((d, far, t), outer)),
                                    ));
                                }
                            }
                            None => out.push((
                                Step::Stop(Term::Dropped(Why::TunnelEndpointWithoutAddress)),
                                gt,
                                None,
                            )),
                        }
                        by_next_hop(Bool::and(&[inst.clone(), up.not()]), *src, nh, self);
                    }
                    None => by_next_hop(inst.clone(), *src, nh, self),
                }
            }
            for (fs, guards) in to_fabric {
                let tf = Bool::and(&[g.clone(), Bool::or(&guards)]);
                for (s, sg) in self.fabric_steps(fs, d, false) {
                    out.push((s, Bool::and(&[tf.clone(), sg]), None));
                }
            }
            return;
        }
        if let Some(gs) = b.gateway_subnet {
            if key.ctx == 1 {
                for (s, sg) in self.fabric_steps(gs, d, b.no_transit) {
                    out.push((s, Bool::and(&[g.clone(), sg]), None));
                }
                return;
            }
            let mut circuit = Vec::new();
            if let Some(rib) = self.rib(&p, m) {
                let chosen = rib.best_where(b.multipath, |src| external(net, src));
                for (c, ch) in rib.cands.iter().zip(chosen) {
                    if external(net, c.source) {
                        circuit.push((ch, c.route.nh.clone(), c.source));
                    }
                }
            }
            let any: Vec<Bool> = circuit.iter().map(|(i, _, _)| i.clone()).collect();
            let none = Bool::and(&[g.clone(), Bool::or(&any).not()]);
            for (s, sg) in self.fabric_steps(gs, d, false) {
                out.push((s, Bool::and(&[none.clone(), sg]), None));
            }
            for (inst, nh, src) in circuit {
                for (s, sg) in self.next_hop_steps(&nh, src) {
                    out.push((s, Bool::and(&[g.clone(), inst.clone(), sg]), None));
                }
            }
            return;
        }
        for (inst, src, nh) in routes {
            // A route learned over a tunnel across the internet: encapsulated towards
            // the far end's public address and handed to the internet (the
            // simulator's `decide_uncached`).
            let internet_tunnel = match src {
                CandSource::Edge(e) => net
                    .edges
                    .get(e)
                    .and_then(|x| x.tunnel.map(|t| (t, x.from)))
                    .filter(|(t, _)| net.tunnels.get(*t).is_some_and(|x| x.internet)),
                CandSource::Local => None,
            };
            // ExpressRoute FastPath (the simulator's `fastpath_steps`).
            let fastpath = match src {
                CandSource::Edge(e) => net.edges.get(e).and_then(|x| x.fastpath),
                CandSource::Local => None,
            };
            if let Some(fp) = fastpath {
                if let Some(vnet) = net.vnets.get(fp.vnet) {
                    if vnet.address.iter().any(|p| p.contains(&d)) {
                        let s = if fp.direct {
                            fp.gateway_subnet
                        } else {
                            vnet.default_subnet
                        };
                        let gi = Bool::and(&[g.clone(), inst.clone()]);
                        for (st, sg) in self.fabric_steps(s, d, false) {
                            out.push((st, Bool::and(&[gi.clone(), sg]), None));
                        }
                        continue;
                    }
                }
            }
            let mut plain_guard = Bool::and(&[g.clone(), inst.clone()]);
            if let Some((t, far)) = internet_tunnel {
                let up = net
                    .tunnels
                    .get(t)
                    .map(|tn| self.enc.scen.is_down(tn.component).not())
                    .unwrap_or_else(|| Bool::from_bool(false));
                let gt = Bool::and(&[g.clone(), inst.clone(), up.clone()]);
                match (net.tunnel_end_address(t, far), net.internet) {
                    (Some(outer), Some(i)) => out.push((
                        Step::To(i, Arrive::FromNode),
                        gt,
                        Some(((d, far, t), outer)),
                    )),
                    _ => out.push((
                        Step::Stop(Term::Dropped(Why::TunnelEndpointWithoutAddress)),
                        gt,
                        None,
                    )),
                }
                plain_guard = Bool::and(&[plain_guard, up.not()]);
            }
            for (s, sg) in self.next_hop_steps(&nh, src) {
                out.push((s, Bool::and(&[plain_guard.clone(), sg]), None));
            }
        }
    }
}

/// Learned over a non-internal session (from a circuit, or from an NVA).
fn external(net: &Network, src: CandSource) -> bool {
    match src {
        CandSource::Edge(e) => edge_kind(net, e).is_some_and(|k| k != SessionKind::Internal),
        CandSource::Local => false,
    }
}
