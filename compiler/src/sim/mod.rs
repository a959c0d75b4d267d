//! Concrete simulation of a network (`docs/semantics.md`, the spec shared with `smt`):
//! the BGP stable state, Azure effective routes, forwarding traces, and the concrete
//! evaluation of properties.
//!
//! ```text
//! classes.rs   destination classes (maximal address intervals the design cannot tell apart)
//! bgp.rs       routes, policies, decision process, per-prefix fixpoint, route limits
//! choice.rs    undocumented choices: every stable state over the ties Azure leaves open
//! fabric.rs    effective routes of a subnet (Azure's listing) and fabric lookups
//! forward.rs   packet walks (traces) with ECMP forks, tunnels and loop detection
//! props.rs     property evaluation, one scenario or every failure set
//! ```
//!
//! Every computation is per prefix (control plane) or per destination class (data
//! plane) and independent of the others, so both can be parallelised later.
//!
//! Choices where the spec is silent (also in each file's header):
//! - *Ownership* (`owners`): the most specific owner wins: an NVA's own address (/32),
//!   then the longest of owned originations (router, site, AVS) and VNet/subnet
//!   address space (tie: the node); the internet owns a public address nobody else
//!   owns. "Design prefix" in §3 therefore means an *owned* prefix: advertised-only
//!   supernets (an NVA's `0.0.0.0/0`) and statics do not take addresses from the
//!   internet.

pub mod bgp;
pub mod choice;
pub mod choice_groups;
pub mod classes;
pub mod explain;
pub mod fabric;
pub mod failure_sets;
pub mod forward;
pub mod limits;
pub mod props;
pub mod rib;
pub mod router_id;
pub mod slices;
pub mod underlay;
pub mod unique;

pub use bgp::{
    route_limit_findings, stable_state, stable_state_until, DroppedSession, NextHop, NodeRib,
    NonConvergence, Oscillation, PrefixRib, Route, State, Unsettled,
};
pub use classes::{destination_classes, Class};
pub use explain::{why_no_route, Reason};
pub use fabric::{effective_routes, EffectiveRoute, FabricTarget, NextHopType, RouteSource};
pub use forward::{trace, Arrival, Disposition, Hop, Path, Source, WalkTables, Walker, Why};
pub use props::{
    evaluate, evaluate_at, evaluate_in_environment, evaluate_until, evaluate_with_failures,
    evaluate_with_failures_at, evaluate_with_tables_until, Counterexample, FailureEvaluation,
    PropertyOutcome, Witness, WitnessRoute,
};

use crate::ir::{ComponentId, EdgeId, Endpoint, Network, NodeId, SessionId, SubnetId, VnetId};
use ipnet::Ipv4Net;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// Which components are down (`without`, `under failures K`, or nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Scenario {
    pub down: BTreeSet<ComponentId>,
}

impl Scenario {
    pub fn new(down: impl IntoIterator<Item = ComponentId>) -> Scenario {
        Scenario {
            down: down.into_iter().collect(),
        }
    }
    pub fn is_down(&self, c: ComponentId) -> bool {
        self.down.contains(&c)
    }
    /// A node is alive iff its component is not down.
    pub fn node_alive(&self, net: &Network, n: NodeId) -> bool {
        net.nodes
            .get(n)
            .is_some_and(|node| !self.is_down(node.component))
    }
    /// An edge is usable iff none of `edge.requires` is down and its session is up in
    /// the model (edges only exist for established sessions).
    pub fn edge_usable(&self, net: &Network, e: EdgeId) -> bool {
        net.edges.get(e).is_some_and(|edge| {
            edge.requires.iter().all(|c| !self.is_down(*c))
                && net
                    .sessions
                    .get(edge.session)
                    .is_none_or(|s| !self.is_down(s.component))
        })
    }
    pub fn tunnel_usable(&self, net: &Network, t: crate::ir::TunnelId) -> bool {
        net.tunnels
            .get(t)
            .is_some_and(|tun| !self.is_down(tun.component))
    }
}

/// Liveness of everything in one scenario, with sessions dropped by route limits.
#[derive(Clone, Debug)]
pub(crate) struct Live {
    pub node: Vec<bool>,
    pub edge: Vec<bool>,
    /// The scenario's failed components (conditional originations read them).
    pub down: BTreeSet<ComponentId>,
}

impl Live {
    pub fn new(net: &Network, sc: &Scenario, dropped: &BTreeSet<SessionId>) -> Live {
        let node = net.nodes.ids().map(|n| sc.node_alive(net, n)).collect();
        let edge = net
            .edges
            .iter()
            .map(|(id, e)| {
                sc.edge_usable(net, id)
                    && !dropped.contains(&e.session)
                    && sc.node_alive(net, e.from)
                    && sc.node_alive(net, e.to)
            })
            .collect();
        Live {
            node,
            edge,
            down: sc.down.clone(),
        }
    }
    pub fn is_down(&self, c: ComponentId) -> bool {
        self.down.contains(&c)
    }
    pub fn node(&self, n: NodeId) -> bool {
        self.node.get(n.0 as usize).copied().unwrap_or(false)
    }
    pub fn edge(&self, e: EdgeId) -> bool {
        self.edge.get(e.0 as usize).copied().unwrap_or(false)
    }
}

/// 10/8, 172.16/12, 192.168/16 (RFC 1918) and 100.64/10 (RFC 6598).
pub fn private_blocks() -> [Ipv4Net; 4] {
    [
        net4(10, 0, 0, 0, 8),
        net4(172, 16, 0, 0, 12),
        net4(192, 168, 0, 0, 16),
        net4(100, 64, 0, 0, 10),
    ]
}

pub(crate) fn net4(a: u8, b: u8, c: u8, d: u8, len: u8) -> Ipv4Net {
    Ipv4Net::new(Ipv4Addr::new(a, b, c, d), len).unwrap_or_default()
}

/// True for an address outside the private blocks of [`private_blocks`].
pub fn is_public(a: Ipv4Addr) -> bool {
    !private_blocks().iter().any(|p| p.contains(&a))
}

/// Who a destination address belongs to (the end of a delivered walk).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Owner {
    Node(NodeId),
    Subnet(SubnetId),
}

/// The owners of `d` (the most specific ownership wins; several nodes when they
/// originate the same owned prefix). Empty when nobody owns `d` (a private address
/// outside the design, or a public one in a design without `internet`).
pub fn owners(net: &Network, d: Ipv4Addr) -> Vec<Owner> {
    // One address: a pass over the originations, no index (what
    // `OwnerIndex::new(net).owners(net, d)` answers, without hashing every origination).
    let mut longest: Option<(u8, Originators)> = None;
    for (id, n) in net.nodes.iter() {
        if !n.behaviours.owns_originated {
            continue;
        }
        for o in n.originates.iter().filter(|o| !o.aggregate) {
            if !o.prefix.contains(&d) {
                continue;
            }
            let len = o.prefix.prefix_len();
            match longest.as_mut() {
                Some((l, v)) if *l == len => {
                    if v.last() != Some(&id) {
                        v.push(id);
                    }
                }
                Some((l, _)) if *l > len => {}
                _ => longest = Some((len, smallvec::smallvec![id])),
            }
        }
    }
    owners_with(net, d, longest.as_ref().map(|(l, v)| (*l, v.as_slice())))
}

/// A hash map with a fast, fixed hasher (foldhash): the keys are the design's own
/// network addresses, and iteration order is never used.
type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// The nodes originating one prefix (ascending ids; one, mostly: no allocation).
type Originators = smallvec::SmallVec<[NodeId; 2]>;

/// The owned originations of a network indexed by prefix, so that [`owners`] of many
/// addresses costs one hash lookup per prefix length each, not a scan of every
/// origination (a site announcing thousands of prefixes).
pub struct OwnerIndex {
    /// Longest first: (prefix length, network → nodes originating it, ascending ids).
    by_len: Vec<(u8, FastMap<u32, Originators>)>,
}

impl OwnerIndex {
    pub fn new(net: &Network) -> OwnerIndex {
        let mut by_len: std::collections::BTreeMap<u8, FastMap<u32, Originators>> =
            std::collections::BTreeMap::new();
        for (id, n) in net.nodes.iter() {
            if !n.behaviours.owns_originated {
                continue;
            }
            for o in n.originates.iter().filter(|o| !o.aggregate) {
                let v = by_len
                    .entry(o.prefix.prefix_len())
                    .or_default()
                    .entry(u32::from(o.prefix.network()))
                    .or_default();
                if v.last() != Some(&id) {
                    v.push(id);
                }
            }
        }
        OwnerIndex {
            by_len: by_len.into_iter().rev().collect(),
        }
    }

    /// Every owned origination containing `d`, longest first: (length, its nodes).
    fn containing(&self, d: Ipv4Addr) -> impl Iterator<Item = (u8, &[NodeId])> + '_ {
        self.by_len.iter().filter_map(move |(len, nets)| {
            let p = Ipv4Net::new(d, *len).ok()?.trunc();
            nets.get(&u32::from(p.network()))
                .map(|v| (*len, v.as_slice()))
        })
    }

    /// The nodes originating (and owning) the longest prefix containing `d`, with its
    /// length.
    fn longest(&self, d: Ipv4Addr) -> Option<(u8, &[NodeId])> {
        self.containing(d).next()
    }

    /// [`forward::owned_len`] of `node`, using the index.
    pub fn owned_len(&self, node: NodeId, d: Ipv4Addr) -> Option<u8> {
        self.containing(d)
            .find(|(_, nodes)| nodes.contains(&node))
            .map(|(len, _)| len)
    }

    /// [`owners`] of `d`, using the index.
    pub fn owners(&self, net: &Network, d: Ipv4Addr) -> Vec<Owner> {
        owners_with(net, d, self.longest(d))
    }
}

fn owners_with(net: &Network, d: Ipv4Addr, longest: Option<(u8, &[NodeId])>) -> Vec<Owner> {
    // An NVA's own address is the most specific ownership.
    let nvas: Vec<Owner> = net
        .nodes
        .iter()
        .filter(|(_, n)| n.holds_address(d))
        .map(|(id, _)| Owner::Node(id))
        .collect();
    if !nvas.is_empty() {
        return nvas;
    }
    let node_len = longest.map(|(len, _)| len);
    let best: Vec<Owner> = longest
        .map(|(_, nodes)| nodes.iter().map(|n| Owner::Node(*n)).collect())
        .unwrap_or_default();
    // Subnets and VNet default subnets: only when strictly more specific than a node
    // origination (a tie goes to the node).
    let mut space: Option<(u8, Owner)> = None;
    for (vid, v) in net.vnets.iter() {
        if let Some(s) = vnet_owner(net, vid, d) {
            let vlen = v
                .address
                .iter()
                .filter(|p| p.contains(&d))
                .map(|p| p.prefix_len())
                .max()
                .unwrap_or(0);
            let len = match net.subnets.get(s).and_then(|x| x.address) {
                Some(a) => a.prefix_len(),
                None => vlen,
            };
            if space.is_none_or(|(l, _)| len > l) {
                space = Some((len, Owner::Subnet(s)));
            }
        }
    }
    if let Some((len, o)) = space {
        if node_len.is_none_or(|l| len > l) {
            return vec![o];
        }
    }
    if !best.is_empty() {
        return best;
    }
    if is_public(d) {
        if let Some(i) = net.internet {
            return vec![Owner::Node(i)];
        }
    }
    Vec::new()
}

/// The subnet of VNet `v` whose VMs hold `d`: the (longest) declared subnet containing
/// it, else the VNet's default subnet when `d` is in the VNet's address space.
pub fn vnet_owner(net: &Network, v: VnetId, d: Ipv4Addr) -> Option<SubnetId> {
    let vnet = net.vnets.get(v)?;
    if !vnet.address.iter().any(|p| p.contains(&d)) {
        return None;
    }
    net.subnets
        .iter()
        .filter(|(_, s)| s.vnet == v && s.address.is_some_and(|a| a.contains(&d)))
        .max_by_key(|(id, s)| (s.address.map(|a| a.prefix_len()), std::cmp::Reverse(*id)))
        .map(|(id, _)| id)
        .or(Some(vnet.default_subnet))
}

/// Where a walk from an endpoint starts (semantics §3 "Sources").
pub fn endpoint_source(net: &Network, ep: &Endpoint) -> Option<Source> {
    match *ep {
        Endpoint::Node(n) => Some(Source::Node(n)),
        Endpoint::Subnet(s) => Some(Source::Subnet(s)),
        Endpoint::Vnet(v) => net.vnets.get(v).map(|x| Source::Subnet(x.default_subnet)),
        Endpoint::Prefix(p) => address_source(net, p.network()),
        Endpoint::Address(a) => address_source(net, a),
        Endpoint::Internet => net.internet.map(Source::Node),
    }
}

/// The owner of an address as a source: a node originating it with
/// `owns_originated`, else the subnet containing it, else the internet.
pub fn address_source(net: &Network, a: Ipv4Addr) -> Option<Source> {
    owners(net, a).first().map(|o| match *o {
        Owner::Node(n) if net.nodes.get(n).is_some_and(|x| x.is_management(a)) => {
            Source::Management(n)
        }
        Owner::Node(n) => Source::Node(n),
        Owner::Subnet(s) => Source::Subnet(s),
    })
}

/// Resolves a `trace --from` argument: a node, subnet or VNet name, or an address.
pub fn resolve_source(net: &Network, text: &str) -> Option<Source> {
    if let Some(n) = net.node_by_name(text) {
        return Some(Source::Node(n));
    }
    if let Some(s) = net.subnet_by_name(text) {
        return Some(Source::Subnet(s));
    }
    if let Some((_, v)) = net.vnets.iter().find(|(_, v)| v.name == text) {
        return Some(Source::Subnet(v.default_subnet));
    }
    if text == "internet" {
        return net.internet.map(Source::Node);
    }
    if let Ok(a) = text.parse::<Ipv4Addr>() {
        return address_source(net, a);
    }
    if let Ok(p) = text.parse::<Ipv4Net>() {
        return address_source(net, p.network());
    }
    None
}

/// The display name of a source.
pub fn source_name(net: &Network, s: Source) -> String {
    match s {
        Source::Node(n) => net.nodes.get(n).map(|x| x.name.clone()).unwrap_or_default(),
        Source::Management(n) => net
            .nodes
            .get(n)
            .map(|x| format!("{} (management)", x.name))
            .unwrap_or_default(),
        Source::Subnet(s) => net
            .subnets
            .get(s)
            .map(|x| x.name.clone())
            .unwrap_or_default(),
    }
}

/// Display name of a node (empty for an id from another network).
pub(crate) fn node_name(net: &Network, n: NodeId) -> &str {
    net.nodes.get(n).map(|x| x.name.as_str()).unwrap_or("")
}
