//! Packet walks (semantics.md §3): hops are nodes, never the fabric; ECMP forks the
//! walk; a (node, context, destination, encapsulation) that repeats is a loop.
//!
//! Choices where the spec is silent:
//! - The loop key is (node, arrival context, current destination, tunnel stack); the
//!   arrival context only matters at a node with `gateway_subnet` (from a circuit vs
//!   from the fabric), since every other node decides the same way whatever the
//!   arrival.
//! - A walk that is still going after 512 hops (only possible through ever deeper
//!   encapsulation) ends as a `loop`.
//! - Fabric delivery to `VnetLocal`/`VNetPeering` for an address outside that VNet's
//!   space (a UDR `vnet_local` for a foreign prefix) is `dropped`.
//! - A tunnel's far node without an address cannot be reached through the fabric: the
//!   packet is `dropped`.
//! - An ER gateway reached from the fabric looks up the longest prefix in its RIB; if
//!   it holds candidates for it learned from a circuit, the best of those decides
//!   (see `fabric.rs`: the gateway programs exactly those routes); else the
//!   GatewaySubnet's effective routes.
//! - When an outer (encapsulated) walk ends anywhere but at the far node, the path
//!   ends with the outer walk's disposition (spec), `why` saying so for a delivery.

use super::bgp::{NextHop, State};
use super::fabric::{
    effective_routes_classed, fabric_reaches, learned_externally, EffectiveRoute, FabricIndex,
    FabricTarget, NextHopType, RouteSource,
};
use super::{vnet_owner, Live, Owner, Scenario};
use crate::ir::{Network, NodeId, StaticTarget, SubnetId, TunnelId};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// A hash map with a fast, fixed hasher (foldhash) for the walker's memos: looked up
/// and cleared, never iterated.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;
use std::fmt;
use std::net::Ipv4Addr;
use std::rc::Rc;

const MAX_HOPS: usize = 512;

/// Where a walk starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Source {
    /// A node forwarding a packet it originates.
    Node(NodeId),
    /// A VM in this subnet.
    Subnet(SubnetId),
    /// The management appliances of an AVS private cloud (`management P`): the
    /// node's packets, looked up without its default route.
    Management(NodeId),
}

/// How a packet arrived at a hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Arrival {
    /// The walk starts here.
    Origin,
    /// Forwarded by this node (BGP next hop or static).
    FromNode(NodeId),
    /// Delivered by the fabric, looked up in this subnet's effective routes.
    FromFabric(SubnetId),
    /// Decapsulated here, at the end of this tunnel.
    Tunnel(TunnelId),
    /// Sent to a load balancer's frontend (its index in `Network::load_balancers`),
    /// which gave the flow to this backend.
    LoadBalancer(u32),
}

/// One node a packet visits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hop {
    pub node: NodeId,
    pub arrival: Arrival,
    /// The destination of the packet as it arrived (the outer one inside a tunnel).
    pub destination: Ipv4Addr,
    /// The packet left this hop encapsulated into this tunnel.
    pub encapsulated: Option<TunnelId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    Delivered,
    Dropped,
    NoRoute,
    Loop,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Delivered => "delivered",
            Disposition::Dropped => "dropped",
            Disposition::NoRoute => "no_route",
            Disposition::Loop => "loop",
        }
    }
}

/// Why a walk ended as it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// Reached a node or VM that holds the destination.
    Delivered,
    /// The outer packet of a tunnel was delivered somewhere other than the tunnel's end.
    TunnelDeliveredElsewhere,
    NodeDown,
    /// The internet drops private addresses and addresses the design owns.
    InternetDrops,
    ControlPlaneOnly,
    StaticDrop,
    /// The node advertises the prefix but does not own it, and has nothing better.
    AdvertisedNotOwned,
    NoRoute,
    NoFabricRoute,
    /// An ER gateway does not pass packets from one circuit to another.
    NoTransit,
    /// A UDR with next hop None.
    UdrNone,
    /// A system route with next hop None (private block not used by the VNet).
    SystemNone,
    /// No node has the next hop's address.
    NoNodeAtAddress,
    /// A VirtualAppliance next hop outside the subnet's VNet and the VNets it is
    /// peered with over a live peering: the fabric cannot reach it (AZURE.md, "The VNet
    /// fabric"; LANGUAGE.md §2.2).
    NextHopOutsideVnet,
    NoInternet,
    NotInVnet,
    TunnelEndpointWithoutAddress,
    /// Sent to a load balancer's frontend with every backend down.
    NoHealthyBackend,
    /// Sent to a load balancer without HA ports (ports are not modelled).
    NoHaPorts,
    /// A (node, context) repeated.
    Loop,
    HopLimit,
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Why::Delivered => "delivered",
            Why::TunnelDeliveredElsewhere => "tunnel packet delivered short of the tunnel's end",
            Why::NodeDown => "node down",
            Why::InternetDrops => "the internet drops private or design-owned addresses",
            Why::ControlPlaneOnly => "control-plane-only node",
            Why::StaticDrop => "static drop",
            Why::AdvertisedNotOwned => "advertised here but not owned",
            Why::NoRoute => "no route",
            Why::NoFabricRoute => "no effective route",
            Why::NoTransit => "no transit between circuits",
            Why::UdrNone => "UDR None",
            Why::SystemNone => "system route None",
            Why::NoNodeAtAddress => "no node has the next hop address",
            Why::NextHopOutsideVnet => "next hop outside the VNet and its peered VNets",
            Why::NoInternet => "no internet in this design",
            Why::NotInVnet => "destination outside the VNet",
            Why::TunnelEndpointWithoutAddress => "tunnel end has no address",
            Why::NoHealthyBackend => "no load-balancer backend is up",
            Why::NoHaPorts => "load balancer without HA ports",
            Why::Loop => "forwarding loop",
            Why::HopLimit => "too many hops",
        };
        f.write_str(s)
    }
}

/// One branch of a walk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Path {
    pub from: Source,
    pub to: Ipv4Addr,
    pub hops: Vec<Hop>,
    pub disposition: Disposition,
    pub why: Why,
    /// Where it was delivered (a node, or the VMs of a subnet).
    pub delivered_to: Option<Owner>,
}

impl Path {
    pub fn visits(&self, n: NodeId) -> bool {
        self.hops.iter().any(|h| h.node == n)
    }
    pub fn is_delivered(&self) -> bool {
        self.disposition == Disposition::Delivered
    }
}

/// A decision's next step.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    To(NodeId, Arrival),
    Stop(Disposition, Why, Option<Owner>),
}

/// The decision context of a walk's first hop from AVS management appliances
/// (`Source::Management`): no default route (0 = ordinary, 1 = a gateway's packet from a
/// circuit).
pub(crate) const CTX_MANAGEMENT: u8 = 2;

/// A decision branch, possibly entering a tunnel first.
#[derive(Clone, Debug, PartialEq)]
struct Branch {
    /// (tunnel, far node, outer destination).
    encap: Option<(TunnelId, NodeId, Ipv4Addr)>,
    step: Step,
}

/// Pending inner packets: (inner destination, far node, tunnel).
type TunnelStack = Vec<(Ipv4Addr, NodeId, TunnelId)>;

/// A packet in flight: one ECMP branch.
#[derive(Clone, Debug)]
struct Frame {
    hops: Vec<Hop>,
    /// (node, context, destination, tunnel stack) seen on this branch; a short list,
    /// so a linear scan beats hashing.
    visited: Vec<(NodeId, u8, Ipv4Addr, TunnelStack)>,
    dest: Ipv4Addr,
    stack: TunnelStack,
    step: Step,
}

/// A subnet's (class member, representative) pairs whose routes the walk tables share
/// ([`super::fabric::ClassedRoutes::aliases`]).
type Aliases = Vec<(ipnet::Ipv4Net, ipnet::Ipv4Net)>;

/// What a [`Walker`] computes once per stable state and scenario, before any walk:
/// liveness, every subnet's effective routes and their index, the owned originations,
/// the failed tunnels and (on first use) the forwarding roles. Shared through an
/// `Arc` by every property evaluated on that state ([`WalkTables::new`]).
pub struct WalkTables {
    live: Live,
    /// Per subnet, its effective routes with class members aliased to their
    /// representative ([`super::fabric::effective_routes_classed`]): the walks read a
    /// route's next hop, type and source, never its prefix, and find a member's
    /// routes through `fabric_index`.
    fabric: Vec<Vec<EffectiveRoute>>,
    /// Per subnet, the (member, representative) pairs left out of `fabric`.
    aliases: Vec<Aliases>,
    fabric_index: Vec<FabricIndex>,
    /// The owned originations, indexed ([`super::OwnerIndex`]).
    owner_index: super::OwnerIndex,
    tunnels_down: HashSet<TunnelId>,
    /// The forwarding roles of this state's table prefixes, built on first use.
    roles: std::sync::OnceLock<super::classes::ForwardingRoles>,
    /// The design's destination classes ([`super::destination_classes`] with no
    /// extra prefix), built on first use and shared by every property.
    classes: std::sync::OnceLock<Vec<super::Class>>,
}

impl WalkTables {
    /// The tables of `state` in scenario `sc` of `net`.
    pub fn new(net: &Network, state: &State, sc: &Scenario) -> WalkTables {
        let live = Live::new(net, sc, &state.down_sessions());
        let (fabric, aliases): (Vec<Vec<EffectiveRoute>>, Vec<Aliases>) = net
            .subnets
            .ids()
            .map(|s| {
                let c = effective_routes_classed(net, state, sc, &live, s, true);
                (c.routes, c.aliases)
            })
            .unzip();
        let fabric_index = fabric
            .iter()
            .zip(&aliases)
            .map(|(r, a)| FabricIndex::with_aliases(r, a))
            .collect();
        let tunnels_down = net
            .tunnels
            .ids()
            .filter(|t| !sc.tunnel_usable(net, *t))
            .collect();
        WalkTables {
            owner_index: super::OwnerIndex::new(net),
            live,
            fabric,
            aliases,
            fabric_index,
            tunnels_down,
            roles: std::sync::OnceLock::new(),
            classes: std::sync::OnceLock::new(),
        }
    }
}

/// Walks packets through one stable state. Effective routes are computed once
/// ([`WalkTables`]); decisions are cached per (node, context, destination), so
/// sweeping many sources to one destination class is cheap.
pub struct Walker<'a> {
    net: &'a Network,
    state: &'a State,
    tables: std::sync::Arc<WalkTables>,
    /// `owners(net, d)` per destination seen (pure in `net` and `d`).
    owner_memo: std::cell::RefCell<FastMap<Ipv4Addr, Rc<[Owner]>>>,
    cache: FastMap<(NodeId, u8, Ipv4Addr), Rc<[Branch]>>,
}

impl<'a> Walker<'a> {
    pub fn new(net: &'a Network, state: &'a State, sc: &Scenario) -> Walker<'a> {
        Walker::with_tables(
            net,
            state,
            std::sync::Arc::new(WalkTables::new(net, state, sc)),
        )
    }

    /// A walker over tables already computed for `state` (by [`WalkTables::new`] with
    /// the same network, state and scenario).
    pub fn with_tables(
        net: &'a Network,
        state: &'a State,
        tables: std::sync::Arc<WalkTables>,
    ) -> Walker<'a> {
        Walker {
            net,
            state,
            tables,
            owner_memo: std::cell::RefCell::new(FastMap::default()),
            cache: FastMap::default(),
        }
    }

    /// Effective routes of a subnet in this state, with the routes of prefix class
    /// members that are exactly their representative's renamed left out (looked up
    /// through the representative; [`super::effective_routes`] lists them all).
    pub fn effective_routes(&self, s: SubnetId) -> &[EffectiveRoute] {
        self.tables
            .fabric
            .get(s.0 as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every path (one per ECMP branch) of a packet from `from` to `to`, in a
    /// deterministic order.
    pub fn walk(&mut self, from: Source, to: Ipv4Addr) -> Vec<Path> {
        let mut out = Vec::new();
        let first: Vec<Step> = match from {
            Source::Node(n) | Source::Management(n) => vec![Step::To(n, Arrival::Origin)],
            Source::Subnet(s) => self.fabric_steps(s, to, false),
        };
        let mut work: Vec<Frame> = first
            .into_iter()
            .rev()
            .map(|step| Frame {
                hops: Vec::new(),
                visited: Vec::new(),
                dest: to,
                stack: Vec::new(),
                step,
            })
            .collect();
        while let Some(mut f) = work.pop() {
            match f.step.clone() {
                Step::Stop(disp, why, owner) => {
                    let why = if disp == Disposition::Delivered && !f.stack.is_empty() {
                        Why::TunnelDeliveredElsewhere
                    } else {
                        why
                    };
                    out.push(Path {
                        from,
                        to,
                        hops: f.hops,
                        disposition: disp,
                        why,
                        delivered_to: owner.filter(|_| disp == Disposition::Delivered),
                    });
                }
                Step::To(m, mut arrival) => {
                    // The outer packet reached the tunnel's far end: decapsulate.
                    if let Some(&(inner, far, t)) = f.stack.last() {
                        if far == m && self.net.tunnel_end_address(t, m) == Some(f.dest) {
                            f.stack.pop();
                            f.dest = inner;
                            arrival = Arrival::Tunnel(t);
                        }
                    }
                    let ctx = match from {
                        Source::Management(x) if x == m && arrival == Arrival::Origin => {
                            CTX_MANAGEMENT
                        }
                        _ => self.context(m, arrival),
                    };
                    let key = (m, ctx, f.dest, f.stack.clone());
                    let hop = Hop {
                        node: m,
                        arrival,
                        destination: f.dest,
                        encapsulated: None,
                    };
                    f.hops.push(hop);
                    if f.visited.contains(&key) {
                        out.push(Path {
                            from,
                            to,
                            hops: f.hops,
                            disposition: Disposition::Loop,
                            why: Why::Loop,
                            delivered_to: None,
                        });
                        continue;
                    }
                    f.visited.push(key);
                    if f.hops.len() > MAX_HOPS {
                        out.push(Path {
                            from,
                            to,
                            hops: f.hops,
                            disposition: Disposition::Loop,
                            why: Why::HopLimit,
                            delivered_to: None,
                        });
                        continue;
                    }
                    let branches = self.decide(m, ctx, f.dest);
                    // The last branch takes the frame; the others get copies.
                    let mut frames: Vec<Frame> = Vec::with_capacity(branches.len());
                    for _ in 1..branches.len() {
                        frames.push(f.clone());
                    }
                    frames.push(f);
                    for (b, mut g) in branches.iter().rev().zip(frames) {
                        if let Some((t, far, outer)) = b.encap {
                            g.stack.push((g.dest, far, t));
                            g.dest = outer;
                            if let Some(h) = g.hops.last_mut() {
                                h.encapsulated = Some(t);
                            }
                        }
                        g.step = b.step.clone();
                        work.push(g);
                    }
                }
            }
        }
        out
    }

    /// The arrival context that changes a node's decision.
    fn context(&self, m: NodeId, arrival: Arrival) -> u8 {
        let gateway = self
            .net
            .nodes
            .get(m)
            .is_some_and(|n| n.behaviours.gateway_subnet.is_some());
        match arrival {
            Arrival::FromNode(_) if gateway => 1,
            _ => 0,
        }
    }

    fn decide(&mut self, m: NodeId, ctx: u8, d: Ipv4Addr) -> Rc<[Branch]> {
        if let Some(b) = self.cache.get(&(m, ctx, d)) {
            return Rc::clone(b);
        }
        let b: Rc<[Branch]> = self.decide_uncached(m, ctx, d).into();
        self.cache.insert((m, ctx, d), Rc::clone(&b));
        b
    }

    /// The forwarding signature of destination `d` in this state
    /// ([`super::classes::ForwardingRoles::signature`]): destinations with equal
    /// signatures have walks with the same hops and ends from every source, so one of
    /// them stands for all.
    pub fn forwarding_signature(&self, d: Ipv4Addr) -> Vec<u32> {
        let (net, state, t) = (self.net, self.state, &*self.tables);
        t.roles
            .get_or_init(|| super::classes::ForwardingRoles::new(net, state, &t.fabric, &t.aliases))
            .signature(d)
    }

    /// The active effective routes the fabric of subnet `s` chooses for `d` (several:
    /// ECMP, one per next hop), as the walks look them up: what
    /// [`super::fabric::lookup`] finds in [`super::effective_routes`] of `s`, except
    /// that a prefix class member's routes carry its representative's prefix
    /// ([`WalkTables`]).
    pub fn fabric_choice(&self, s: SubnetId, d: Ipv4Addr) -> Vec<&EffectiveRoute> {
        let routes = self.effective_routes(s);
        match self.tables.fabric_index.get(s.0 as usize) {
            Some(ix) => ix.lookup(routes, d),
            None => Vec::new(),
        }
    }

    /// The destination classes of the walker's design
    /// ([`super::destination_classes`]`(net, &[])`), computed once per walk tables.
    pub fn destination_classes(&self) -> &[super::Class] {
        self.tables
            .classes
            .get_or_init(|| super::destination_classes(self.net, &[]))
    }

    /// The owned originations of the walker's design, indexed ([`super::OwnerIndex`]).
    pub fn owner_index(&self) -> &super::OwnerIndex {
        &self.tables.owner_index
    }

    /// Forgets cached decisions (e.g. between destination classes of a long sweep).
    pub fn clear_cache(&mut self) {
        self.cache.clear();
    }

    fn decide_uncached(&self, m: NodeId, ctx: u8, d: Ipv4Addr) -> Vec<Branch> {
        let stop = |disp, why, owner| {
            vec![Branch {
                encap: None,
                step: Step::Stop(disp, why, owner),
            }]
        };
        let plain = |steps: Vec<Step>| {
            steps
                .into_iter()
                .map(|step| Branch { encap: None, step })
                .collect::<Vec<_>>()
        };
        let net = self.net;
        let Some(node) = net.nodes.get(m) else {
            return stop(Disposition::Dropped, Why::NodeDown, None);
        };
        if !self.tables.live.node(m) {
            return stop(Disposition::Dropped, Why::NodeDown, None);
        }
        let b = &node.behaviours;
        if b.internet {
            // The outer packet of a tunnel across the internet reaches its end.
            if let Some(x) = net.node_by_public_ip(d) {
                return plain(vec![Step::To(x, Arrival::FromNode(m))]);
            }
            return if self.owners(d).contains(&Owner::Node(m)) {
                stop(Disposition::Delivered, Why::Delivered, Some(Owner::Node(m)))
            } else {
                stop(Disposition::Dropped, Why::InternetDrops, None)
            };
        }
        if node.holds_address(d) || node.public_ip == Some(d) {
            return stop(Disposition::Delivered, Why::Delivered, Some(Owner::Node(m)));
        }
        // Ownership is longest-prefix (LANGUAGE.md §2.4): an owned origination is a
        // local route, delivered here unless a static or BGP route is more specific.
        // AVS management appliances use only routes more specific than 0.0.0.0/0.
        let usable = |p: &ipnet::Ipv4Net| ctx != CTX_MANAGEMENT || p.prefix_len() > 0;
        // A static into a static VPN connection's tunnel stands only while the
        // connection is up (`StaticRoute::requires`).
        let st = node
            .statics
            .iter()
            .filter(|s| s.prefix.contains(&d) && usable(&s.prefix))
            .filter(|s| s.stands(|c| self.tables.live.is_down(c)))
            .max_by_key(|s| s.prefix.prefix_len());
        let bgp = self
            .state
            .rib(m)
            // The walk reads the routes' next hops and sessions, never their prefix.
            .and_then(|r| r.lookup_shared(d))
            .filter(|(p, _)| usable(p));
        if let Some(own) = self.tables.owner_index.owned_len(m, d) {
            let st_len = st.map(|s| s.prefix.prefix_len());
            let bgp_len = bgp.as_ref().map(|(p, _)| p.prefix_len());
            if st_len.is_none_or(|l| l <= own) && bgp_len.is_none_or(|l| l <= own) {
                return stop(Disposition::Delivered, Why::Delivered, Some(Owner::Node(m)));
            }
        }
        if b.control_plane_only {
            return stop(Disposition::Dropped, Why::ControlPlaneOnly, None);
        }
        // RIB lookup: statics and installed BGP routes, longest prefix; a static wins
        // over BGP for the same prefix.
        let static_wins = match (st, &bgp) {
            (Some(s), Some((p, _))) => s.prefix.prefix_len() >= p.prefix_len(),
            (Some(_), None) => true,
            _ => false,
        };
        if static_wins {
            if let Some(s) = st {
                return match s.target {
                    StaticTarget::Drop => stop(Disposition::Dropped, Why::StaticDrop, None),
                    // A VM (an NVA) hands every packet to the fabric: its static
                    // decides only that it forwards, and by which NIC (the one whose
                    // subnet holds the next hop's address), not where the packet goes
                    // (LANGUAGE.md §2.2; AZURE.md, "The VNet fabric").
                    StaticTarget::Node(x) if b.fabric_subnet.is_some() => {
                        let mut hints = next_hop_addresses(net, NextHop::Node(x));
                        hints.push(d);
                        match net.egress_subnet(m, &hints) {
                            Some(s) => plain(self.fabric_steps(s, d, false)),
                            None => stop(Disposition::NoRoute, Why::NoRoute, None),
                        }
                    }
                    StaticTarget::Node(x) => plain(vec![Step::To(x, Arrival::FromNode(m))]),
                    StaticTarget::Fabric(via) => match net.egress_subnet(m, &[via, d]) {
                        Some(s) => plain(self.fabric_steps(s, d, false)),
                        None => stop(Disposition::NoRoute, Why::NoRoute, None),
                    },
                };
            }
        }
        let routes = bgp.map(|(_, r)| r).unwrap_or(&[]);
        if b.fabric_subnet.is_some() {
            // An NVA: a tunnel route encapsulates; anything else goes to the fabric,
            // by the NIC whose subnet holds the route's next hop or the destination
            // (the outer destination for a tunnel), else the first NIC.
            let mut out = Vec::new();
            let fabric_by = |s: Option<SubnetId>, out: &mut Vec<Branch>| {
                if let Some(s) = s {
                    for b in plain(self.fabric_steps(s, d, false)) {
                        if !out.contains(&b) {
                            out.push(b);
                        }
                    }
                }
            };
            if routes.is_empty() {
                fabric_by(net.egress_subnet(m, &[d]), &mut out);
            }
            for r in routes {
                let tunnel = r
                    .learned_from
                    .and_then(|e| net.edges.get(e))
                    .and_then(|e| e.tunnel.map(|t| (t, e.from)))
                    .filter(|(t, _)| !self.tunnel_down(*t));
                match tunnel {
                    Some((t, far)) => match net.tunnel_end_address(t, far) {
                        Some(outer) => {
                            if let Some(s) = net.egress_subnet(m, &[outer]) {
                                for step in self.fabric_steps(s, outer, false) {
                                    out.push(Branch {
                                        encap: Some((t, far, outer)),
                                        step,
                                    });
                                }
                            }
                        }
                        None => out.push(Branch {
                            encap: None,
                            step: Step::Stop(
                                Disposition::Dropped,
                                Why::TunnelEndpointWithoutAddress,
                                None,
                            ),
                        }),
                    },
                    None => {
                        let mut hints = next_hop_addresses(net, r.next_hop);
                        hints.push(d);
                        fabric_by(net.egress_subnet(m, &hints), &mut out);
                    }
                }
            }
            return out;
        }
        if let Some(gs) = b.gateway_subnet {
            if ctx == 1 {
                // From a circuit: the GatewaySubnet's effective routes, no transit.
                return plain(self.fabric_steps(gs, d, b.no_transit));
            }
            // From the fabric: the longest prefix in the RIB; if the gateway has a
            // route for it from a circuit, the best of those; else the fabric.
            let entry = self.state.rib(m).and_then(|r| r.lookup_entry_shared(d));
            let from_circuit = entry
                .map(|(_, e)| e.best_where(net, b.multipath, |r| learned_externally(net, r)))
                .unwrap_or_default();
            if from_circuit.is_empty() {
                return plain(self.fabric_steps(gs, d, false));
            }
            return from_circuit
                .into_iter()
                .flat_map(|r| self.next_hop_steps(m, r.next_hop))
                .collect();
        }
        if routes.is_empty() {
            return stop(Disposition::NoRoute, Why::NoRoute, None);
        }
        let mut out: Vec<Branch> = Vec::new();
        for r in routes {
            // A route learned over a tunnel across the internet (a site's IPsec tunnel
            // to an NVA): the packet is encapsulated towards the far end's public
            // address and handed to the internet.
            let internet_tunnel = r
                .learned_from
                .and_then(|e| net.edges.get(e))
                .and_then(|e| e.tunnel.map(|t| (t, e.from)))
                .filter(|(t, _)| net.tunnels.get(*t).is_some_and(|x| x.internet))
                .filter(|(t, _)| !self.tunnel_down(*t));
            // ExpressRoute FastPath: from the circuit straight to the VMs of the
            // gateway's VNet, the gateway not a hop (expressroute/about-fastpath.md).
            if let Some(steps) = self.fastpath_steps(r.learned_from, d) {
                out.extend(plain(steps));
                continue;
            }
            if let Some((t, far)) = internet_tunnel {
                let br = match (net.tunnel_end_address(t, far), net.internet) {
                    (Some(outer), Some(i)) => Branch {
                        encap: Some((t, far, outer)),
                        step: Step::To(i, Arrival::FromNode(m)),
                    },
                    (None, _) => Branch {
                        encap: None,
                        step: Step::Stop(
                            Disposition::Dropped,
                            Why::TunnelEndpointWithoutAddress,
                            None,
                        ),
                    },
                    (Some(_), None) => Branch {
                        encap: None,
                        step: Step::Stop(Disposition::Dropped, Why::NoInternet, None),
                    },
                };
                out.push(br);
                continue;
            }
            for br in self.next_hop_steps(m, r.next_hop) {
                if !out.iter().any(|x| x.step == br.step) {
                    out.push(br);
                }
            }
        }
        out
    }

    fn next_hop_steps(&self, m: NodeId, nh: NextHop) -> Vec<Branch> {
        let steps = match nh {
            NextHop::Node(x) => vec![Step::To(x, Arrival::FromNode(m))],
            NextHop::Address(a) => self.address_steps(a, Arrival::FromNode(m)),
            NextHop::Local => vec![Step::Stop(
                Disposition::Dropped,
                Why::AdvertisedNotOwned,
                None,
            )],
        };
        steps
            .into_iter()
            .map(|step| Branch { encap: None, step })
            .collect()
    }

    /// A packet sent to address `a` (a VirtualAppliance or BGP next hop): the node
    /// with that address, or, for a load balancer's frontend, each backend that is up
    /// (one ECMP branch each; dropped when none is up).
    fn address_steps(&self, a: Ipv4Addr, arrival: Arrival) -> Vec<Step> {
        let lbs = &self.net.load_balancers;
        if let Some((i, lb)) = lbs.iter().enumerate().find(|(_, l)| l.frontend == a) {
            if !lb.ha_ports {
                return vec![Step::Stop(Disposition::Dropped, Why::NoHaPorts, None)];
            }
            let via = Arrival::LoadBalancer(u32::try_from(i).unwrap_or(u32::MAX));
            let live: Vec<Step> = lb
                .backends
                .iter()
                .filter(|b| self.tables.live.node(**b))
                .map(|b| Step::To(*b, via))
                .collect();
            if live.is_empty() {
                return vec![Step::Stop(
                    Disposition::Dropped,
                    Why::NoHealthyBackend,
                    None,
                )];
            }
            return live;
        }
        match self.net.node_by_address(a) {
            Some(x) => vec![Step::To(x, arrival)],
            None => vec![Step::Stop(Disposition::Dropped, Why::NoNodeAtAddress, None)],
        }
    }

    /// FastPath: a route learned over a FastPath connection, for an address of the
    /// gateway's own VNet, is delivered by that VNet's routes (provider circuits: its
    /// default subnet's, no GatewaySubnet UDRs; Direct: the GatewaySubnet's).
    fn fastpath_steps(&self, learned: Option<crate::ir::EdgeId>, d: Ipv4Addr) -> Option<Vec<Step>> {
        let net = self.net;
        let fp = learned
            .and_then(|e| net.edges.get(e))
            .and_then(|e| e.fastpath)?;
        let vnet = net.vnets.get(fp.vnet)?;
        if !vnet.address.iter().any(|p| p.contains(&d)) {
            return None;
        }
        let s = if fp.direct {
            fp.gateway_subnet
        } else {
            vnet.default_subnet
        };
        Some(self.fabric_steps(s, d, false))
    }

    /// [`owners`], memoised per destination.
    fn owners(&self, d: Ipv4Addr) -> Rc<[Owner]> {
        if let Some(o) = self.owner_memo.borrow().get(&d) {
            return Rc::clone(o);
        }
        let o: Rc<[Owner]> = self.tables.owner_index.owners(self.net, d).into();
        self.owner_memo.borrow_mut().insert(d, Rc::clone(&o));
        o
    }

    fn tunnel_down(&self, t: TunnelId) -> bool {
        self.tables.tunnels_down.contains(&t)
    }

    /// Fabric lookup of `d` in subnet `s`. With `no_transit`, a route leading to a
    /// gateway (towards a circuit) drops the packet.
    fn fabric_steps(&self, s: SubnetId, d: Ipv4Addr, no_transit: bool) -> Vec<Step> {
        let net = self.net;
        let routes = self.effective_routes(s);
        let chosen = self.fabric_choice(s, d);
        if chosen.is_empty() {
            return vec![Step::Stop(Disposition::NoRoute, Why::NoFabricRoute, None)];
        }
        let from = Arrival::FromFabric(s);
        let mut out: Vec<Step> = Vec::new();
        for r in chosen {
            if let (NextHopType::VirtualAppliance, FabricTarget::Address(a)) =
                (r.next_hop_type, r.next_hop)
            {
                if !fabric_reaches(routes, a) {
                    let step = Step::Stop(Disposition::Dropped, Why::NextHopOutsideVnet, None);
                    if !out.contains(&step) {
                        out.push(step);
                    }
                    continue;
                }
                for step in self.address_steps(a, from) {
                    if !out.contains(&step) {
                        out.push(step);
                    }
                }
                continue;
            }
            let step = match (r.next_hop_type, r.next_hop) {
                (NextHopType::VnetLocal | NextHopType::VNetPeering, FabricTarget::Vnet(w)) => {
                    match net.nic_in_vnet(d, w) {
                        Some(x) => Step::To(x, from),
                        None => match vnet_owner(net, w, d) {
                            Some(sub) => Step::Stop(
                                Disposition::Delivered,
                                Why::Delivered,
                                Some(Owner::Subnet(sub)),
                            ),
                            None => Step::Stop(Disposition::Dropped, Why::NotInVnet, None),
                        },
                    }
                }
                (NextHopType::VirtualAppliance, FabricTarget::Node(x)) => Step::To(x, from),
                (NextHopType::VirtualNetworkGateway, FabricTarget::Node(g)) => {
                    // No transit from a circuit to a circuit: only a route to another
                    // ExpressRoute gateway (not a VPN gateway) drops the packet.
                    let er = net.nodes.get(g).is_some_and(|n| n.behaviours.no_transit);
                    if no_transit && er {
                        Step::Stop(Disposition::Dropped, Why::NoTransit, None)
                    } else {
                        Step::To(g, from)
                    }
                }
                (NextHopType::Internet, _) => match net.internet {
                    Some(i) => Step::To(i, from),
                    None => Step::Stop(Disposition::Dropped, Why::NoInternet, None),
                },
                (NextHopType::None, _) => {
                    let why = if r.source == RouteSource::User {
                        Why::UdrNone
                    } else {
                        Why::SystemNone
                    };
                    Step::Stop(Disposition::Dropped, why, None)
                }
                _ => Step::Stop(Disposition::Dropped, Why::NoFabricRoute, None),
            };
            if !out.contains(&step) {
                out.push(step);
            }
        }
        out
    }
}

/// Every path of a packet from `from` to `to` in `state` (one per ECMP branch).
pub fn trace(net: &Network, state: &State, sc: &Scenario, from: Source, to: Ipv4Addr) -> Vec<Path> {
    Walker::new(net, state, sc).walk(from, to)
}

/// The length of the longest prefix containing `d` that `node` originates and owns
/// (`owns_originated`: router, site, AVS), if any: its local route in the node's own
/// longest-prefix match (LANGUAGE.md §2.4, "Ownership is longest-prefix"). An
/// aggregate (`aggregate-address`) is advertised only, never owned: its packets
/// follow the node's routes for the longer prefixes.
pub fn owned_len(node: &crate::ir::Node, d: Ipv4Addr) -> Option<u8> {
    if !node.behaviours.owns_originated {
        return None;
    }
    node.originates
        .iter()
        .filter(|o| !o.aggregate && o.prefix.contains(&d))
        .map(|o| o.prefix.prefix_len())
        .max()
}

/// The addresses a BGP next hop stands for, to pick the NIC a packet leaves by: an
/// address itself, or every NIC address of a node.
pub(crate) fn next_hop_addresses(net: &Network, nh: NextHop) -> Vec<Ipv4Addr> {
    match nh {
        NextHop::Address(a) => vec![a],
        NextHop::Node(x) => net
            .nodes
            .get(x)
            .map(|n| n.all_nics().into_iter().map(|(a, _)| a).collect())
            .unwrap_or_default(),
        NextHop::Local => Vec::new(),
    }
}
