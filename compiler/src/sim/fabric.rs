//! Effective routes of a subnet — what Azure's effective-route listing shows — and
//! the fabric's lookup in them (semantics.md §2).
//!
//! Choices where the spec is silent:
//! - A route is *active* when it belongs to the best source present for its prefix
//!   (User > BGP > Default); the others are listed inactive, as Azure lists them
//!   "Invalid". BGP routes equal to or inside a VNet/peering prefix are not programmed
//!   at all (not listed).
//! - Route Server routes whose next hop is a node without an address (a router that
//!   peers with Route Server) are programmed with that node as next hop.
//! - `routing_preference as_path` compares the shortest AS path of each side.
//! - "Gateway: g's best routes learned over non-Internal edges" is read as *the best
//!   among g's candidates learned over non-Internal edges* (and for Route Server, with
//!   multipath, all of those equal to that best on decision steps 1–4). Reading it as
//!   "g's installed route, if learned from a circuit" would let an NVA route with a
//!   shorter AS path (via Route Server, branch-to-branch) hide the ExpressRoute route
//!   from the gateway, and `routing_preference expressroute` (AZURE.md: "Azure
//!   programs the ER route") could never apply.
//! - The None routes for private blocks are removed when one of the subnet's *own*
//!   VNet prefixes (not a peered VNet's) includes the block, or the subnet has a UDR
//!   for 0.0.0.0/0 ([`none_route_kept`]).

use super::bgp::{NextHop, Route, State};
use super::{private_blocks, Live, Scenario};
use crate::ir::{
    ComponentId, Network, NodeId, ProgramAs, RoutingPreference, SessionKind, Subnet, SubnetId,
    UdrNextHop, Vnet, VnetId,
};
use crate::span::Span;
use ipnet::Ipv4Net;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum NextHopType {
    VirtualAppliance,
    VirtualNetworkGateway,
    Internet,
    None,
    VnetLocal,
    VNetPeering,
}

impl NextHopType {
    pub fn as_str(self) -> &'static str {
        match self {
            NextHopType::VirtualAppliance => "VirtualAppliance",
            NextHopType::VirtualNetworkGateway => "VirtualNetworkGateway",
            NextHopType::Internet => "Internet",
            NextHopType::None => "None",
            NextHopType::VnetLocal => "VnetLocal",
            NextHopType::VNetPeering => "VNetPeering",
        }
    }
}

/// Where a route was programmed from; ordered by precedence for one prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RouteSource {
    User,
    #[serde(rename = "BGP")]
    Bgp,
    Default,
}

impl RouteSource {
    pub fn as_str(self) -> &'static str {
        match self {
            RouteSource::User => "User",
            RouteSource::Bgp => "BGP",
            RouteSource::Default => "Default",
        }
    }
}

/// The next hop of an effective route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum FabricTarget {
    /// None / Internet routes.
    Nothing,
    /// VirtualAppliance IP.
    Address(Ipv4Addr),
    /// A gateway (VirtualNetworkGateway), or an appliance node without an address.
    Node(NodeId),
    /// VnetLocal / VNetPeering: the VNet that holds the destination.
    Vnet(VnetId),
}

/// One line of a subnet's effective routes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EffectiveRoute {
    pub prefix: Ipv4Net,
    pub next_hop_type: NextHopType,
    pub next_hop: FabricTarget,
    pub source: RouteSource,
    pub active: bool,
    /// For BGP routes: the AS path as programmed.
    pub as_path: Vec<u32>,
    /// For BGP routes: its AS_SET (`sim::bgp::Route::as_set`), empty = none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub as_set: Vec<u32>,
    /// For BGP routes: the node that programmed it (gateway or Route Server).
    pub programmed_by: Option<NodeId>,
    /// For BGP routes: the route's origin.
    pub origin: Option<NodeId>,
    /// For UDRs: the `route` line.
    pub span: Option<Span>,
}

impl EffectiveRoute {
    /// The AS-path length Azure compares (hub routing preference): an AS_SET counts
    /// one, as in BGP's decision (docs/semantics.md "AS_SET").
    pub fn path_len(&self) -> usize {
        self.as_path.len() + usize::from(!self.as_set.is_empty())
    }
    fn system(prefix: Ipv4Net, t: NextHopType, target: FabricTarget) -> EffectiveRoute {
        EffectiveRoute {
            prefix,
            next_hop_type: t,
            next_hop: target,
            source: RouteSource::Default,
            active: false,
            as_path: Vec::new(),
            as_set: Vec::new(),
            programmed_by: None,
            origin: None,
            span: None,
        }
    }
}

/// The effective routes of subnet `s` in `state`/`sc`, sorted by prefix, then source
/// precedence, then next hop.
pub fn effective_routes(
    net: &Network,
    state: &State,
    sc: &Scenario,
    s: SubnetId,
) -> Vec<EffectiveRoute> {
    let live = Live::new(net, sc, &state.down_sessions());
    effective_routes_live(net, state, sc, &live, s)
}

pub(crate) fn effective_routes_live(
    net: &Network,
    state: &State,
    sc: &Scenario,
    live: &Live,
    s: SubnetId,
) -> Vec<EffectiveRoute> {
    effective_routes_classed(net, state, sc, live, s, false).routes
}

/// A subnet's effective routes with the routes of class members
/// ([`State::class_of`]) left out where they are their representative's renamed
/// (see [`effective_routes_classed`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct ClassedRoutes {
    /// The effective routes of every prefix but the members in `aliases`, as
    /// [`effective_routes`] lists them.
    pub routes: Vec<EffectiveRoute>,
    /// (member, representative), ascending by member: the member's effective routes
    /// are exactly the representative's with the member's prefix.
    pub aliases: Vec<(Ipv4Net, Ipv4Net)>,
}

/// [`effective_routes_live`]; with `classed`, a member `p` of a prefix class with
/// representative `r` ([`State::class_of`]: every node's RIB entry for `p` is `r`'s
/// renamed) is listed once, as an alias of `r`, when neither `p` nor `r` lies in the
/// subnet's VNet or peered space (the BGP routes of such a prefix are not programmed)
/// and neither has a system or user route of its own (so every route of either is a
/// BGP route, all active). Then the gateways program for `p` exactly what they program
/// for `r` (the same entries, the same `best_where`, the same hub routing preference),
/// so `p`'s effective routes are `r`'s with `p` as prefix: the walk tables keep one
/// copy per class, not one per prefix (a site announcing 4,000 /24s alike).
pub(crate) fn effective_routes_classed(
    net: &Network,
    state: &State,
    sc: &Scenario,
    live: &Live,
    s: SubnetId,
    classed: bool,
) -> ClassedRoutes {
    let Some(subnet) = net.subnets.get(s) else {
        return ClassedRoutes::default();
    };
    let Some(vnet) = net.vnets.get(subnet.vnet) else {
        return ClassedRoutes::default();
    };
    let mut routes: Vec<EffectiveRoute> = Vec::new();
    // Default (system) routes.
    let mut local_space: Vec<Ipv4Net> = Vec::new();
    for p in &vnet.address {
        routes.push(EffectiveRoute::system(
            *p,
            NextHopType::VnetLocal,
            FabricTarget::Vnet(subnet.vnet),
        ));
        local_space.push(*p);
    }
    for peering in &vnet.peerings {
        if sc.is_down(peering.component) {
            continue;
        }
        if let Some(w) = net.vnets.get(peering.vnet) {
            for p in &w.address {
                routes.push(EffectiveRoute::system(
                    *p,
                    NextHopType::VNetPeering,
                    FabricTarget::Vnet(peering.vnet),
                ));
                local_space.push(*p);
            }
        }
    }
    routes.push(EffectiveRoute::system(
        Ipv4Net::default(),
        NextHopType::Internet,
        FabricTarget::Nothing,
    ));
    for block in private_blocks() {
        if none_route_kept(subnet, vnet, block) {
            routes.push(EffectiveRoute::system(
                block,
                NextHopType::None,
                FabricTarget::Nothing,
            ));
        }
    }
    // BGP routes (none from a remote hub whose peering is down).
    let hub_reachable = remote_gateway_peering(net, subnet.vnet).is_none_or(|c| !sc.is_down(c));
    let mut aliases: Vec<(Ipv4Net, Ipv4Net)> = Vec::new();
    if subnet.propagate_gateway_routes && hub_reachable {
        let hub = vnet.remote_gateway.unwrap_or(subnet.vnet);
        let pref = net
            .vnets
            .get(hub)
            .map(|h| h.routing_preference)
            .unwrap_or_default();
        if classed && !state.class_of.is_empty() {
            let own: BTreeSet<Ipv4Net> = routes
                .iter()
                .map(|r| r.prefix)
                .chain(subnet.udrs.iter().map(|u| u.prefix))
                .collect();
            let plain =
                |p: &Ipv4Net| !own.contains(p) && !local_space.iter().any(|l| l.contains(p));
            aliases = state
                .class_of
                .iter()
                .filter(|(p, r)| plain(p) && plain(r))
                .map(|(p, r)| (*p, *r))
                .collect();
        }
        let skip = |p: &Ipv4Net| aliases.binary_search_by(|(m, _)| m.cmp(p)).is_ok();
        routes.extend(bgp_routes(net, state, live, hub, pref, &local_space, &skip));
    }
    // User routes.
    for u in &subnet.udrs {
        let (t, target) = match u.next_hop {
            UdrNextHop::Appliance(a) => (NextHopType::VirtualAppliance, FabricTarget::Address(a)),
            UdrNextHop::Internet => (NextHopType::Internet, FabricTarget::Nothing),
            UdrNextHop::None => (NextHopType::None, FabricTarget::Nothing),
            UdrNextHop::VnetLocal => (NextHopType::VnetLocal, FabricTarget::Vnet(subnet.vnet)),
        };
        routes.push(EffectiveRoute {
            prefix: u.prefix,
            next_hop_type: t,
            next_hop: target,
            source: RouteSource::User,
            active: false,
            as_path: Vec::new(),
            as_set: Vec::new(),
            programmed_by: None,
            origin: None,
            span: Some(u.span),
        });
    }
    routes.sort_by(|a, b| {
        (a.prefix, a.source, a.next_hop_type, a.next_hop, &a.as_path).cmp(&(
            b.prefix,
            b.source,
            b.next_hop_type,
            b.next_hop,
            &b.as_path,
        ))
    });
    // Activity: the best source per prefix, the first of its prefix once sorted.
    let mut best: Option<(Ipv4Net, RouteSource)> = None;
    for r in routes.iter_mut() {
        let source = match best {
            Some((p, src)) if p == r.prefix => src,
            _ => r.source,
        };
        best = Some((r.prefix, source));
        r.active = r.source == source;
    }
    routes.dedup();
    ClassedRoutes { routes, aliases }
}

/// Whether the fabric of a subnet whose effective routes are `routes` reaches address
/// `a` as a VirtualAppliance next hop: `a` lies in the subnet's own VNet or in a VNet
/// peered with it over a live peering, i.e. under one of its VnetLocal/VNetPeering
/// *system* routes (active or not: the fabric hands the packet straight to the NIC,
/// it does not look `a` up again). A next hop elsewhere — an unpeered VNet, across a
/// failed peering, on-premises — is unreachable and the packet is dropped
/// (AZURE.md, "The VNet fabric": VNet and peered-VNet space are the only fabric
/// destinations; virtual-network/virtual-network-peering-overview.md: peering "enables
/// the next hop in a user-defined route to be the IP address of a virtual machine in
/// the peered virtual network", and peering is not transitive). The SMT data plane
/// builds the same condition from its guarded local space (`smt::dataplane::fabric`).
pub fn fabric_reaches(routes: &[EffectiveRoute], a: Ipv4Addr) -> bool {
    routes.iter().any(|r| {
        r.source == RouteSource::Default
            && matches!(
                r.next_hop_type,
                NextHopType::VnetLocal | NextHopType::VNetPeering
            )
            && r.prefix.contains(&a)
    })
}

/// Whether a subnet keeps the system route `block → None` for a private block
/// (AZURE.md, v2 corrections: "System None routes"; virtual-networks-udr-overview.md,
/// "Routing example"): Azure removes it when the subnet's own VNet address space
/// includes the block (a VNet equal to it gets the VnetLocal route instead), and when
/// the subnet has a user-defined route for 0.0.0.0/0. A VNet merely *inside* the block
/// keeps it (a 10.0.0.0/16 VNet keeps `10.0.0.0/8 → None`).
pub fn none_route_kept(subnet: &Subnet, vnet: &Vnet, block: Ipv4Net) -> bool {
    !vnet.address.iter().any(|p| p.contains(&block))
        && !subnet.udrs.iter().any(|u| u.prefix.prefix_len() == 0)
}

/// The component of the VNet peering through which VNet `v` uses a remote hub's
/// gateway and Route Server (`use_remote_gateway`), if it does. While it is down the
/// spoke has none of the hub's gateway and Route Server routes (LANGUAGE.md §2.4,
/// "Failures").
pub fn remote_gateway_peering(net: &Network, v: VnetId) -> Option<ComponentId> {
    let vnet = net.vnets.get(v)?;
    let hub = vnet.remote_gateway?;
    vnet.peerings
        .iter()
        .find(|p| p.vnet == hub)
        .map(|p| p.component)
}

/// The routes that gateways and Route Servers serving `hub` program.
fn bgp_routes(
    net: &Network,
    state: &State,
    live: &Live,
    hub: VnetId,
    pref: RoutingPreference,
    local_space: &[Ipv4Net],
    skip: &dyn Fn(&Ipv4Net) -> bool,
) -> Vec<EffectiveRoute> {
    // prefix → (ER routes, NVA routes)
    let mut by_prefix: BTreeMap<Ipv4Net, (Vec<EffectiveRoute>, Vec<EffectiveRoute>)> =
        BTreeMap::new();
    for (gid, g) in net.nodes.iter() {
        let Some(prog) = g.behaviours.programs else {
            continue;
        };
        if prog.vnet != hub || !live.node(gid) {
            continue;
        }
        let Some(rib) = state.rib(gid) else { continue };
        // The key is the prefix: a class member's routes carry its representative's.
        for (prefix, entry) in rib.iter_shared() {
            if skip(&prefix) || local_space.iter().any(|l| l.contains(&prefix)) {
                continue;
            }
            let multipath = g.behaviours.multipath;
            for r in entry.best_where(net, multipath, |r| learned_externally(net, r)) {
                let (t, target) = match prog.how {
                    ProgramAs::Gateway | ProgramAs::VpnGateway => {
                        (NextHopType::VirtualNetworkGateway, FabricTarget::Node(gid))
                    }
                    ProgramAs::Appliance => match r.next_hop {
                        NextHop::Address(a) => {
                            (NextHopType::VirtualAppliance, FabricTarget::Address(a))
                        }
                        NextHop::Node(m) => match net.address_towards(m, gid) {
                            Some(a) => (NextHopType::VirtualAppliance, FabricTarget::Address(a)),
                            None => (NextHopType::VirtualAppliance, FabricTarget::Node(m)),
                        },
                        NextHop::Local => continue,
                    },
                };
                let er = EffectiveRoute {
                    prefix,
                    next_hop_type: t,
                    next_hop: target,
                    source: RouteSource::Bgp,
                    active: false,
                    as_path: r.as_path.clone(),
                    as_set: r.as_set.clone(),
                    programmed_by: Some(gid),
                    origin: Some(r.origin),
                    span: None,
                };
                let slot = by_prefix.entry(prefix).or_default();
                match prog.how {
                    ProgramAs::Gateway => slot.0.push(er),
                    // VPN and NVA routes are one side of the hub routing preference.
                    ProgramAs::Appliance | ProgramAs::VpnGateway => slot.1.push(er),
                }
            }
        }
    }
    let mut out = Vec::new();
    for (_, (er, nva)) in by_prefix {
        // One side: "If the same routes are learned over VPN and NVA connections,
        // Route Server will prefer the route with the shortest BGP AS path"
        // (route-server/hub-routing-preference.md). Equal lengths keep both: which one
        // Azure programs is undocumented, so every choice must do (LANGUAGE.md §2.4).
        let nva = shortest_only(nva);
        let chosen = if nva.is_empty() {
            er
        } else if er.is_empty() {
            nva
        } else {
            match pref {
                RoutingPreference::ExpressRoute => er,
                RoutingPreference::VpnNva => nva,
                RoutingPreference::AsPath => {
                    let shortest = |v: &[EffectiveRoute]| {
                        v.iter()
                            .map(EffectiveRoute::path_len)
                            .min()
                            .unwrap_or(usize::MAX)
                    };
                    if shortest(&nva) < shortest(&er) {
                        nva
                    } else {
                        er
                    }
                }
            }
        };
        out.extend(chosen);
    }
    out
}

/// The routes of `v` with the shortest AS path among them.
fn shortest_only(v: Vec<EffectiveRoute>) -> Vec<EffectiveRoute> {
    let Some(min) = v.iter().map(EffectiveRoute::path_len).min() else {
        return v;
    };
    v.into_iter().filter(|r| r.path_len() == min).collect()
}

/// Learned over a non-internal session (from a circuit, or from an NVA).
pub(crate) fn learned_externally(net: &Network, r: &Route) -> bool {
    r.learned_from
        .and_then(|e| net.edges.get(e))
        .and_then(|e| net.sessions.get(e.session))
        .is_some_and(|s| s.kind != SessionKind::Internal)
}

/// A hash map with a fast, fixed hasher (foldhash): the keys are network addresses
/// of the design's prefixes, and iteration order is never used.
type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// The indices of one prefix's active routes (one or two, mostly: no allocation).
type RouteIndices = smallvec::SmallVec<[usize; 2]>;

/// The active routes of a subnet indexed by prefix length and network address, so a
/// longest-prefix match costs at most 33 hash probes instead of a pass over every
/// route (a subnet of a hub whose on-premises site announces 4,000 prefixes has
/// 4,000 effective routes). [`FabricIndex::lookup`] returns what [`lookup`] returns.
#[derive(Clone, Debug, Default)]
pub struct FabricIndex {
    /// Longest first: (prefix length, network → indices of active routes, ascending).
    by_len: Vec<(u8, FastMap<u32, RouteIndices>)>,
}

impl FabricIndex {
    pub fn new(routes: &[EffectiveRoute]) -> FabricIndex {
        FabricIndex::with_aliases(routes, &[])
    }

    /// The index of `routes` in which each (member, representative) of `aliases`
    /// ([`ClassedRoutes::aliases`]; the member has no route of its own in `routes`)
    /// finds the representative's active routes under the member's prefix.
    pub(crate) fn with_aliases(
        routes: &[EffectiveRoute],
        aliases: &[(Ipv4Net, Ipv4Net)],
    ) -> FabricIndex {
        let mut by_len: std::collections::BTreeMap<u8, FastMap<u32, RouteIndices>> =
            std::collections::BTreeMap::new();
        for (i, r) in routes.iter().enumerate() {
            if r.active {
                by_len
                    .entry(r.prefix.prefix_len())
                    .or_default()
                    .entry(u32::from(r.prefix.network()))
                    .or_default()
                    .push(i);
            }
        }
        let mut per_len: BTreeMap<u8, usize> = BTreeMap::new();
        for (p, _) in aliases {
            *per_len.entry(p.prefix_len()).or_default() += 1;
        }
        for (len, n) in per_len {
            by_len.entry(len).or_default().reserve(n);
        }
        for (p, r) in aliases {
            let Some(idx) = by_len
                .get(&r.prefix_len())
                .and_then(|m| m.get(&u32::from(r.network())))
                .cloned()
            else {
                continue;
            };
            by_len
                .entry(p.prefix_len())
                .or_default()
                .insert(u32::from(p.network()), idx);
        }
        FabricIndex {
            by_len: by_len.into_iter().rev().collect(),
        }
    }

    /// The active routes of the longest prefix containing `d` (several: ECMP), one per
    /// next hop, in route order.
    pub fn lookup<'r>(&self, routes: &'r [EffectiveRoute], d: Ipv4Addr) -> Vec<&'r EffectiveRoute> {
        for (len, nets) in &self.by_len {
            let Ok(p) = Ipv4Net::new(d, *len) else {
                continue;
            };
            let Some(idx) = nets.get(&u32::from(p.trunc().network())) else {
                continue;
            };
            let mut seen = BTreeSet::new();
            return idx
                .iter()
                .filter_map(|i| routes.get(*i))
                .filter(|r| seen.insert((r.next_hop_type, r.next_hop)))
                .collect();
        }
        Vec::new()
    }
}

/// The active routes of the longest prefix containing `d` (several: ECMP).
pub fn lookup(routes: &[EffectiveRoute], d: Ipv4Addr) -> Vec<&EffectiveRoute> {
    let best_len = routes
        .iter()
        .filter(|r| r.active && r.prefix.contains(&d))
        .map(|r| r.prefix.prefix_len())
        .max();
    let Some(len) = best_len else {
        return Vec::new();
    };
    let mut seen = BTreeSet::new();
    routes
        .iter()
        .filter(|r| r.active && r.prefix.contains(&d) && r.prefix.prefix_len() == len)
        .filter(|r| seen.insert((r.next_hop_type, r.next_hop)))
        .collect()
}
