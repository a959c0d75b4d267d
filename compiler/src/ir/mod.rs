//! The network model: what a resolved design means, independent of syntax.
//!
//! Built by `sema::lower` from the resolved AST; read by the simulator (`sim`) and the
//! SMT encoding (`smt`). Everything keeps the span of the source that caused it, so
//! findings and counterexamples can point at the lines responsible.
//!
//! Azure behaviour is not hidden behind kind names here: a node carries a set of named
//! [`Behaviours`] that its kind (core, or `stdlib/azure.avs`) switched on, and edges
//! carry the BGP rules that apply on them (prepend, loop check, policies).

pub mod idvec;

pub use idvec::{
    CheckId, ComponentId, EdgeId, Id, IdVec, NodeId, PolicyId, SessionId, SubnetId, TagId,
    TunnelId, VnetId,
};

use crate::span::Span;
use ipnet::Ipv4Net;
use serde::Serialize;
use std::net::Ipv4Addr;

/// Well-known community NO_ADVERTISE (65535:65282): a route carrying it is installed
/// but advertised to no peer.
pub const NO_ADVERTISE: (u16, u16) = (65535, 65282);

/// The whole network of one design.
#[derive(Clone, Debug, Default)]
pub struct Network {
    pub nodes: IdVec<NodeId, Node>,
    pub sessions: IdVec<SessionId, Session>,
    /// Directed adjacencies of the sessions that are up: two per session.
    pub edges: IdVec<EdgeId, Edge>,
    pub policies: IdVec<PolicyId, Policy>,
    pub tags: IdVec<TagId, Tag>,
    pub tunnels: IdVec<TunnelId, Tunnel>,
    pub vnets: IdVec<VnetId, Vnet>,
    pub subnets: IdVec<SubnetId, Subnet>,
    pub components: IdVec<ComponentId, Component>,
    pub checks: IdVec<CheckId, Check>,
    /// Internal load balancers (`load_balancer`), in declaration order.
    pub load_balancers: Vec<LoadBalancer>,
    /// The implicit `internet` node, if the design uses the Azure module.
    pub internet: Option<NodeId>,
    /// The path of each `aggregate-address P as-set` that stands, by (node, P):
    /// empty in the lowered design, filled by the simulator for one scenario when it
    /// converges P (`sim::bgp::with_aggregates_resolved`), from the routes it holds
    /// for the prefixes inside P.
    pub aggregate_paths: std::collections::BTreeMap<(NodeId, Ipv4Net), AggregatePath>,
}

/// A BGP speaker and/or forwarding element.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    pub name: String,
    /// The declared kind (`router`, `site`, `nva`, `route_server`, ...): for display only.
    pub kind: String,
    /// The span of the node's name in its declaration.
    pub span: Span,
    pub asn: u32,
    /// Decision-process tie-break: lower wins. `router_id` if declared, else the
    /// declaration order (LANGUAGE.md §2.1).
    pub router_id: u32,
    /// `router_id` as written, if any.
    pub router_id_addr: Option<Ipv4Addr>,
    /// Whether `router_id` is one the design determines: declared (`router_id`, a
    /// configuration's `bgp router-id`), or the declaration-order default of a kind
    /// that has a `router_id` key (`router`, `nva`, `site`: LANGUAGE.md §2.1). The
    /// router ids of Microsoft's speakers (MSEEs, gateways, Route Server, AVS) are not
    /// documented, so the decision's router-id step between two senders one of which
    /// has no known router id is an undocumented choice (LANGUAGE.md §2.4): both
    /// engines let either route win ([`crate::sim::bgp::undocumented_tie`]).
    pub router_id_known: bool,
    pub originates: Vec<Origination>,
    pub statics: Vec<StaticRoute>,
    /// The NIC address (`ip` of an `nva`).
    pub address: Option<Ipv4Addr>,
    /// `public_ip` (an `nva` or a `site`): where tunnels across the internet reach it.
    pub public_ip: Option<Ipv4Addr>,
    /// Extra NICs of an `nva` (`nic A subnet S`), in declaration order, after the
    /// primary one (`ip` in `behaviours.fabric_subnet`). Each NIC's packets are
    /// forwarded by its own subnet's effective routes (AZURE.md, v2 additions:
    /// azure-vmware/architecture-network-design-considerations.md).
    pub nics: Vec<Nic>,
    /// AVS management prefixes (`avs { management P }`, also originated): vCenter,
    /// NSX Manager and HCX, whose packets never use a default route, only a more
    /// specific one (AZURE.md, v2 additions: azure-vmware/architecture-networking.md).
    pub management: Vec<Ipv4Net>,
    pub behaviours: Behaviours,
    /// The component standing for this node (`without NAME`, circuit failures).
    pub component: ComponentId,
}

/// A further NIC of an NVA: its private address and the subnet it sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Nic {
    pub address: Ipv4Addr,
    pub subnet: SubnetId,
    /// The `nic` line.
    pub span: Span,
}

impl Node {
    /// Whether `d` lies in one of its management prefixes (`avs { management P }`).
    pub fn is_management(&self, d: Ipv4Addr) -> bool {
        self.management.iter().any(|p| p.contains(&d))
    }

    /// Whether `d` is the address of one of its NICs (the primary `ip` or a `nic`).
    pub fn holds_address(&self, d: Ipv4Addr) -> bool {
        self.address == Some(d) || self.nics.iter().any(|n| n.address == d)
    }

    /// Its NICs as (address, subnet), the primary one first; empty for a node that
    /// the fabric does not forward for.
    pub fn all_nics(&self) -> Vec<(Ipv4Addr, SubnetId)> {
        let mut out = Vec::new();
        if let (Some(a), Some(s)) = (self.address, self.behaviours.fabric_subnet) {
            out.push((a, s));
        }
        out.extend(self.nics.iter().map(|n| (n.address, n.subnet)));
        out
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Origination {
    pub prefix: Ipv4Net,
    /// The `originate` line (or the kind/VNet declaration for implicit ones).
    pub span: Span,
    /// The origination stands only while this component is up: a gateway advertises
    /// a spoke's address space only while the spoke's VNet peering is up (issue 11,
    /// item 9; LANGUAGE.md §2.4 "Failures").
    pub requires: Option<ComponentId>,
    /// FRR `aggregate-address P` (without `as-set`): the origination stands only while
    /// the node holds a route (after import) for a prefix strictly inside `prefix` —
    /// a contributor (FRR 8.4's `bgpd`: tests/frr_facts/README.md). The route is the
    /// node's own, as any origination's (empty path). The simulator converges such a
    /// prefix after every longer one (`sim::bgp`); the SMT encoding reads the node's
    /// routes for the design's longer prefixes inside it (`smt::encode::selection`).
    pub aggregate: bool,
    /// FRR `aggregate-address P as-set` (with `aggregate`): the aggregate's AS path is
    /// the contributors' common leading AS_SEQUENCE followed by an AS_SET of every
    /// other ASN of their paths, and its communities are the union of theirs (FRR's
    /// `aspath_aggregate`; every path of every contributing prefix counts, not only
    /// the best: FRR 8.4's bgpd, tests/frr_configs/aggregate-as-set). The simulator
    /// computes it per scenario into [`Network::aggregate_paths`].
    pub as_set: bool,
}

/// The attributes of an `aggregate-address P as-set` route once its contributors are
/// known: the AS path (an AS_SEQUENCE and an AS_SET, sorted without duplicates,
/// empty = none) and the communities (tags) of the contributors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AggregatePath {
    pub sequence: Vec<u32>,
    pub set: Vec<u32>,
    pub tags: std::collections::BTreeSet<TagId>,
}

impl Origination {
    /// Whether this origination stands when `is_down` says which components are down.
    pub fn stands(&self, is_down: impl Fn(ComponentId) -> bool) -> bool {
        self.requires.is_none_or(|c| !is_down(c))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StaticRoute {
    pub prefix: Ipv4Net,
    pub target: StaticTarget,
    pub span: Span,
    /// The route stands only while none of these components is down: a site's routes
    /// into a static VPN connection's tunnel (its device withdraws a route whose
    /// tunnel interface is down; LANGUAGE.md §2.4 `vpn_gateway`, docs/semantics.md).
    /// Empty for a configured static.
    pub requires: Vec<ComponentId>,
}

impl StaticRoute {
    /// Whether this static stands when `is_down` says which components are down.
    pub fn stands(&self, is_down: impl Fn(ComponentId) -> bool) -> bool {
        self.requires.iter().all(|c| !is_down(*c))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum StaticTarget {
    Node(NodeId),
    Drop,
    /// Handed to the fabric through this gateway address: forwarded by the effective
    /// routes of the subnet of the NIC whose subnet holds the address (an NVA's `ip
    /// route P GATEWAY` to Azure's gateway x.x.x.1 of a NIC's subnet, or `static P
    /// next_hop A`). On a node without a fabric subnet, there is no route.
    Fabric(Ipv4Addr),
}

/// Built-in behaviours a node's kind switches on (LANGUAGE.md §2.2: "a few named
/// behaviours that stdlib kinds switch on"). Core `router`/`site` use the defaults.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Behaviours {
    /// Packets for an originated prefix are delivered here (router, site, avs).
    /// Without it, `originate` only advertises (nva, gateways).
    pub owns_originated: bool,
    /// Installs every equally good best route (ECMP): Route Server (equal AS-path
    /// length), AVS (load-balances across circuits).
    pub multipath: bool,
    /// Exchanges routes but never forwards a packet and is never a next hop.
    pub control_plane_only: bool,
    /// Routes it passes on keep their next hop (Route Server keeps the NVA's).
    pub next_hop_transparent: bool,
    /// Routes it learns are programmed into the NICs of a VNet and its spokes.
    pub programs: Option<Programming>,
    /// Its packets are forwarded by this subnet's effective routes (an NVA's NIC);
    /// its own RIB only decides whether it forwards at all, and into which tunnel.
    pub fabric_subnet: Option<SubnetId>,
    /// ExpressRoute gateway: packets from a circuit are forwarded by this
    /// (GatewaySubnet) subnet's effective routes.
    pub gateway_subnet: Option<SubnetId>,
    /// Never forwards a packet from one circuit to another (ER gateway).
    pub no_transit: bool,
    /// The implicit internet: delivers public addresses, drops private ones.
    pub internet: bool,
    /// A limit on the prefixes it holds in all (Route Server: 10,000). Azure does not
    /// document what happens above it, so routing is unchanged and the stable state
    /// reports an error-level finding.
    pub max_prefixes: Option<RouteLimit>,
    /// Routes sent to it have only their *leading* private ASNs removed where the
    /// sender's export policy says `remove_private_as` (AVS behind its circuit's MSEE:
    /// AZURE.md v2 corrections, azure-vmware/architecture-network-design-considerations.md).
    pub leading_private_strip: bool,
    /// FRR without `bgp deterministic-med` (a configured node: the traditional
    /// profile's default, or `no bgp deterministic-med`): bgpd compares its paths
    /// pairwise in the order they arrived (bgpd/bgp_route.c `bgp_best_selection`), so
    /// where MEDs make that comparison intransitive the best depends on arrival
    /// order, which the design does not fix ([`crate::sim::bgp::arrival_order_matters`]).
    /// Off: the best of each neighbouring AS first, then the best of those (`.avs`
    /// routers, `frr defaults datacenter`, `bgp deterministic-med`).
    pub arrival_order_med: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Programming {
    pub vnet: VnetId,
    pub how: ProgramAs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ProgramAs {
    /// Route Server: the route's own next hop, as VirtualAppliance. Only routes
    /// learned from NVAs (not over internal sessions) are programmed; routes equal to
    /// or inside the VNet's (or a peered VNet's) address space are not.
    Appliance,
    /// ExpressRoute gateway: next hop VirtualNetworkGateway (this gateway). Only
    /// routes learned from circuits are programmed.
    Gateway,
    /// VPN gateway: next hop VirtualNetworkGateway (this gateway); only routes learned
    /// from its connections. For one prefix it competes with ExpressRoute on the
    /// VPN/NVA side of the hub routing preference (route-server/hub-routing-preference.md:
    /// ExpressRoute routes are preferred by default).
    VpnGateway,
}

/// An undirected BGP session, declared or implicit.
#[derive(Clone, Debug, Serialize)]
pub struct Session {
    pub a: NodeId,
    pub b: NodeId,
    pub kind: SessionKind,
    pub status: SessionStatus,
    pub tunnel: Option<TunnelId>,
    /// The `peer` line (or the line that made the implicit session).
    pub span: Span,
    /// The other side's `peer` line, when both were declared.
    pub other_span: Option<Span>,
    pub component: ComponentId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SessionKind {
    Ebgp,
    Ibgp,
    /// Inside one system (Route Server ↔ ER gateway in one VNet): no prepend, no loop check.
    Internal,
    /// MSEE ↔ MSEE over Global Reach: each MSEE hop prepends 12076, no loop check.
    GlobalReach,
    /// A VPN gateway's static (non-BGP) connection to a site: no BGP. The gateway
    /// takes the site's configured prefixes (Azure: the local network gateway's
    /// address prefixes) as routes learned over it, with an empty AS path; nothing
    /// flows the other way (the site holds static routes into the tunnel instead).
    Static,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum SessionStatus {
    Up,
    /// Why it cannot come up (one-sided `peer`, ASN mismatch, ...).
    Down(String),
}

/// One direction of an established session: routes flow `from` → `to`.
#[derive(Clone, Debug, Serialize)]
pub struct Edge {
    pub from: NodeId,
    pub to: NodeId,
    pub session: SessionId,
    /// Sender's export policies, applied in order (all must permit).
    pub export: Vec<PolicyId>,
    /// Receiver's import policies, applied in order after export and prepend.
    pub import: Vec<PolicyId>,
    /// ASNs the sender prepends after its export policy (leftmost first):
    /// eBGP `[from.asn]`, iBGP and internal `[]`, Global Reach `[12076, 12076]`.
    pub prepend: Vec<u32>,
    /// The receiver drops a path that holds this ASN more than `allowas_in` times.
    pub loop_check: Option<u32>,
    /// FRR `allowas-in`: occurrences of the own ASN tolerated (0 = off; FRR's default when on: 3).
    pub allowas_in: u8,
    /// iBGP: local_pref kept; routes learned over iBGP are not sent to other iBGP peers.
    pub ibgp: bool,
    /// eBGP resets local_pref to 100 on receipt (LANGUAGE.md §2.1).
    pub reset_local_pref: bool,
    /// The tunnel the session runs over (`peer X over T`): packets routed by a route
    /// learned here are encapsulated towards `from`.
    pub tunnel: Option<TunnelId>,
    /// ExpressRoute connection weight, applied at the receiving gateway: higher wins
    /// before local_pref (as Azure's connection weight does). This is the decision
    /// weight, which also encodes the hub routing preference (lowering's
    /// `receive_weight`: `1 + connection weight` for a circuit's routes, 32001 for
    /// Route Server's); [`Edge::shown_weight`] is what the user wrote.
    pub weight: u32,
    /// The weight as configured — the connection's `weight N` (FRR: `neighbor A weight
    /// N`), else 0 — which reports (`avscheck routes`) show for routes learned over
    /// this edge, as Azure's learned-routes tables do.
    pub shown_weight: u32,
    /// Receive limit: above it the session is dropped (Route Server per peer,
    /// ExpressRoute per direction).
    pub max_routes: Option<RouteLimit>,
    /// ExpressRoute FastPath on the connection this edge runs over (`connect GW
    /// fastpath`), set on the gateway → circuit edge: packets the circuit sends by
    /// a route learned here skip the gateway for VMs of its VNet.
    pub fastpath: Option<FastPath>,
    /// Every component whose failure takes this edge down.
    pub requires: Vec<ComponentId>,
    /// FRR `neighbor A default-originate` on the sender (the line): the sender sends
    /// 0.0.0.0/0 on this edge whatever its RIB holds, in place of any 0.0.0.0/0 it
    /// would send otherwise, past its export policies (FRR 8.4's bgpd, also under
    /// `ebgp-requires-policy`; tests/frr_facts/README.md). The route is the sender's
    /// own (empty path before the edge's prepend, local_pref 100, MED 0, no tags,
    /// next hop the sender); the receiver's loop check and import policies apply.
    /// See [`Edge::originates_default`].
    pub default_originate: Option<Span>,
    pub span: Span,
}

impl Edge {
    /// Whether the sender originates `p` on this edge alone (`default_originate` and
    /// `p` is 0.0.0.0/0): its offer for `p` is then the generated route, whatever
    /// the sender's best route for `p` is.
    pub fn originates_default(&self, p: Ipv4Net) -> bool {
        self.default_originate.is_some() && p == Ipv4Net::default()
    }
}

/// ExpressRoute FastPath (expressroute/about-fastpath.md): packets from the circuit to
/// VMs of the gateway's own VNet bypass the gateway (it is not a hop). On a provider
/// circuit the GatewaySubnet's UDRs are not honoured either (the VNet's own routes
/// deliver); on ExpressRoute Direct they still apply. Spokes still go through the
/// gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FastPath {
    /// The gateway's VNet.
    pub vnet: VnetId,
    /// The GatewaySubnet (its UDRs apply on `direct` circuits).
    pub gateway_subnet: SubnetId,
    /// `type direct` on the circuit.
    pub direct: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RouteLimit {
    pub max: u32,
    /// The line that set (or implied) the limit.
    pub span: Span,
}

/// A compiled route filter: rules tried in order; the first whose conditions all
/// hold decides; the end denies.
#[derive(Clone, Debug, Serialize)]
pub struct Policy {
    pub name: String,
    pub span: Span,
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Rule {
    pub permit: bool,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
    /// The line the rule comes from (a route-map entry: its `route-map M permit N`).
    pub span: Span,
    /// For a rule compiled from an FRR route-map entry: the list entries
    /// (prefix-list, access-list, as-path or community-list lines) whose match the
    /// rule stands for, labelled with the entry in counterexamples. Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matched: Vec<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Condition {
    /// Any of these ranges (a `prefix` condition has one; a `prefix_list` many).
    Prefix(Vec<PrefixRange>),
    AsPathContains(u32),
    /// The AS path's length, an AS_SET counted as one (RFC 4271 §9.1.2.2 a).
    AsPathLength(CmpOp, u32),
    /// The number of ASNs in the path's AS_SEQUENCE, an AS_SET not counted: what an
    /// FRR as-path regex of ASN-and-space atoms (`^[0-9]+ [0-9]+`) sees, since the
    /// printed AS_SET (`{65001,65002}`) is no `[0-9]+` (docs/frr.md).
    AsSequenceLength(CmpOp, u32),
    /// The path carries no AS_SET (an FRR regex anchored at `$` after ASN atoms only
    /// matches such a path).
    NoAsSet,
    Tag(TagId),
    OriginatedBy(NodeId),
}

/// Matches a prefix `p` when `p` lies inside `prefix` and `ge <= p.len <= le`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PrefixRange {
    pub prefix: Ipv4Net,
    pub ge: u8,
    pub le: u8,
}

impl PrefixRange {
    pub fn matches(&self, p: &Ipv4Net) -> bool {
        self.prefix.contains(p) && self.ge <= p.prefix_len() && p.prefix_len() <= self.le
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CmpOp {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
}

impl CmpOp {
    pub fn eval(self, a: u32, b: u32) -> bool {
        match self {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Eq => a == b,
            CmpOp::Ge => a >= b,
            CmpOp::Gt => a > b,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Action {
    SetLocalPref(u32),
    SetMed(u32),
    /// Prepend ASN n, k times.
    Prepend(u32, u32),
    AddTag(TagId),
    RemoveTag(TagId),
    /// Remove private ASNs (64512–65534, 4200000000–4294967294) from the path.
    RemovePrivateAs,
    /// Remove the private ASNs at the front of the path, up to the first public one
    /// (those after it are kept). Not written in designs: lowering puts it in place of
    /// [`Action::RemovePrivateAs`] on the edges into a node with
    /// [`Behaviours::leading_private_strip`] (AVS: "doesn't strip any private ASNs that
    /// exist in the path after the public ASN", AZURE.md v2 corrections,
    /// azure-vmware/architecture-network-design-considerations.md).
    RemoveLeadingPrivateAs,
    /// FRR `set as-path exclude`.
    RemoveAs(Vec<u32>),
    /// Each listed ASN becomes the sender's ASN (as-override).
    ReplaceAs(Vec<u32>),
    SetNextHopSelf,
    SetNextHop(Ipv4Addr),
    /// FRR `set ip next-hop unchanged` on export: the route keeps the next hop it was
    /// learned with (a third-party next hop, also over eBGP) instead of the sender's
    /// address; a route the sender originated gets the sender's address. Without
    /// effect on import.
    SetNextHopUnchanged,
}

/// A tag: a community, or a name (an internal marker with no wire value).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub name: String,
    pub community: Option<(u16, u16)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Tunnel {
    pub name: String,
    pub a: NodeId,
    pub b: NodeId,
    pub kind: String,
    pub span: Span,
    pub component: ComponentId,
    /// The underlay is the internet (an end has no private address, e.g. a `site`):
    /// outer packets go between the ends' `public_ip`s. Otherwise the fabric, between
    /// their private addresses.
    pub internet: bool,
    /// Why the tunnel cannot carry packets (an end lacks the address its underlay
    /// needs): its sessions are down.
    pub unusable: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Vnet {
    pub name: String,
    pub span: Span,
    pub address: Vec<Ipv4Net>,
    pub region: Option<String>,
    /// Established peerings (declared on both sides).
    pub peerings: Vec<Peering>,
    /// The hub whose gateway and Route Server this VNet uses (`use_remote_gateway`).
    pub remote_gateway: Option<VnetId>,
    pub routing_preference: RoutingPreference,
    /// Its implicit `<vnet>/default` subnet.
    pub default_subnet: SubnetId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Peering {
    pub vnet: VnetId,
    pub component: ComponentId,
}

/// Which route Azure programs when an ExpressRoute route and an NVA route (via Route
/// Server) have the same prefix (hub routing preference).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum RoutingPreference {
    #[default]
    ExpressRoute,
    VpnNva,
    AsPath,
}

#[derive(Clone, Debug, Serialize)]
pub struct Subnet {
    /// `fw_subnet`, `hub/default`, or `hub/GatewaySubnet`.
    pub name: String,
    pub span: Span,
    pub vnet: VnetId,
    /// None for the implicit default subnet (VMs outside declared subnets).
    pub address: Option<Ipv4Net>,
    pub udrs: Vec<Udr>,
    /// `propagate_gateway_routes` (false = disableBgpRoutePropagation).
    pub propagate_gateway_routes: bool,
    /// The `route_table` line / table, for labels.
    pub route_table_span: Option<Span>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Udr {
    pub prefix: Ipv4Net,
    pub next_hop: UdrNextHop,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum UdrNextHop {
    /// VirtualAppliance
    Appliance(Ipv4Addr),
    Internet,
    None,
    VnetLocal,
}

/// An internal Standard Load Balancer with HA ports (`load_balancer`, LANGUAGE.md §2.4).
///
/// Not a hop: a packet whose fabric next hop (a UDR `next_hop`, or a Route Server
/// route's next hop) or BGP next hop is `frontend` goes straight to one of the live
/// `backends`, each an ECMP branch (every branch must satisfy a property). With none
/// alive the packet is dropped. Azure: "The load-balancing decision is made per flow"
/// over the 5-tuple; a backend failing its probe gets no new flows
/// (load-balancer/load-balancer-ha-ports-overview.md).
#[derive(Clone, Debug, Serialize)]
pub struct LoadBalancer {
    pub name: String,
    /// The span of its name.
    pub span: Span,
    pub frontend: Ipv4Addr,
    /// The subnet of its frontend.
    pub subnet: SubnetId,
    /// Backend pool members, in declaration order (each `fabric_forwarding`).
    pub backends: Vec<NodeId>,
    /// `ha_ports` (default true). Without HA ports only the flows its rules name are
    /// balanced; the model does not know ports, so packets sent to it are dropped.
    pub ha_ports: bool,
}

/// Something that can fail or be removed.
#[derive(Clone, Debug, Serialize)]
pub struct Component {
    pub name: String,
    pub kind: ComponentKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ComponentKind {
    /// Any node; only `er_circuit` nodes count for `under failures`.
    Node,
    Circuit,
    /// Circuit ↔ gateway connection.
    Connection,
    GlobalReach,
    VnetPeering,
    Tunnel,
    Session,
    /// A node in a load balancer's backend pool: failing it is its health probe
    /// failing (the node is down).
    Backend,
}

impl ComponentKind {
    /// Whether `under failures K` may fail it (LANGUAGE.md §3).
    pub fn can_fail(self) -> bool {
        !matches!(self, ComponentKind::Node)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub title: String,
    pub span: Span,
    pub properties: Vec<Property>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Property {
    pub kind: PropertyKind,
    pub span: Span,
    /// `under failures K` (0 = none).
    pub failures: u32,
    /// `under failures K of ...`: the only components that may fail (sorted, no
    /// duplicates); `None` = every component whose kind can fail
    /// ([`ComponentKind::can_fail`]). LANGUAGE.md §2.4, "Failures".
    pub failure_scope: Option<Vec<ComponentId>>,
    /// Components removed by `without` (sorted, no duplicates).
    pub without: Vec<ComponentId>,
    /// The check's `assume` lines.
    pub assumptions: Vec<Assumption>,
}

impl Property {
    /// Whether `under failures K` may take component `id` (of kind `kind`) down: a
    /// failable kind, not already removed by `without`, and inside the `of` scope when
    /// there is one. Both engines enumerate (simulator) or free (SMT) exactly these.
    pub fn may_fail(&self, id: ComponentId, kind: ComponentKind) -> bool {
        kind.can_fail()
            && !self.without.contains(&id)
            && self
                .failure_scope
                .as_ref()
                .is_none_or(|scope| scope.binary_search(&id).is_ok())
    }

    /// The components `under failures K` may take down, in id order (empty without
    /// `under failures`).
    pub fn failable(&self, net: &Network) -> Vec<ComponentId> {
        if self.failures == 0 {
            return Vec::new();
        }
        net.components
            .iter()
            .filter(|(id, c)| self.may_fail(*id, c.kind))
            .map(|(id, _)| id)
            .collect()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Assumption {
    pub node: NodeId,
    pub within: Ipv4Net,
    pub le: u8,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Endpoint {
    Node(NodeId),
    Subnet(SubnetId),
    Vnet(VnetId),
    Prefix(Ipv4Net),
    Address(Ipv4Addr),
    Internet,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum PropertyKind {
    Never {
        node: NodeId,
        prefix: Ipv4Net,
        via: Option<NodeId>,
        originated_by: Option<NodeId>,
    },
    Reachable {
        from: Endpoint,
        to: Endpoint,
    },
    LoopFree,
    Traverses {
        from: Endpoint,
        to: Endpoint,
        waypoint: NodeId,
    },
    Avoids {
        from: Endpoint,
        to: Endpoint,
        waypoint: NodeId,
    },
    Symmetric {
        a: Endpoint,
        b: Endpoint,
    },
    RouteLimit {
        node: NodeId,
        max: u64,
    },
}

impl Network {
    /// This network with each `(node, prefix)` also originated by that node: an
    /// environment's announcements (`assume N advertises any`) replayed as concrete
    /// originations. A prefix the node already originates is not added twice.
    pub fn with_originations(
        &self,
        extra: impl IntoIterator<Item = (NodeId, Ipv4Net, Span)>,
    ) -> Network {
        let mut net = self.clone();
        for (n, prefix, span) in extra {
            if let Some(node) = net.nodes.get_mut(n) {
                match node.originates.iter_mut().find(|o| o.prefix == prefix) {
                    // An announcement of an aggregate's prefix stands on its own.
                    Some(o) => {
                        o.aggregate = false;
                        o.as_set = false;
                    }
                    None => node.originates.push(Origination {
                        prefix,
                        span,
                        requires: None,
                        aggregate: false,
                        as_set: false,
                    }),
                }
            }
        }
        net
    }

    /// Every prefix some node of the design originates (0.0.0.0/0 too when an edge
    /// originates it: [`Edge::default_originate`]).
    pub fn originated_prefixes(&self) -> std::collections::BTreeSet<Ipv4Net> {
        let mut out: std::collections::BTreeSet<Ipv4Net> = self
            .nodes
            .values()
            .flat_map(|n| n.originates.iter().map(|o| o.prefix))
            .collect();
        if self.edges.values().any(|e| e.default_originate.is_some()) {
            out.insert(Ipv4Net::default());
        }
        out
    }

    /// The senders of edges that originate 0.0.0.0/0 ([`Edge::default_originate`]).
    pub fn default_originators(&self) -> std::collections::BTreeSet<NodeId> {
        self.edges
            .values()
            .filter(|e| e.default_originate.is_some())
            .map(|e| e.from)
            .collect()
    }

    /// The load balancer whose frontend is this address.
    pub fn load_balancer_at(&self, addr: Ipv4Addr) -> Option<&LoadBalancer> {
        self.load_balancers.iter().find(|l| l.frontend == addr)
    }

    pub fn node_by_name(&self, name: &str) -> Option<NodeId> {
        self.nodes
            .iter()
            .find(|(_, n)| n.name == name)
            .map(|(id, _)| id)
    }
    pub fn subnet_by_name(&self, name: &str) -> Option<SubnetId> {
        self.subnets
            .iter()
            .find(|(_, s)| s.name == name)
            .map(|(id, _)| id)
    }
    /// The outer (underlay) address of tunnel `t`'s end `n`: its `public_ip` when
    /// the underlay is the internet, else its private address.
    pub fn tunnel_end_address(&self, t: TunnelId, n: NodeId) -> Option<Ipv4Addr> {
        let node = self.nodes.get(n)?;
        match self.tunnels.get(t) {
            Some(tun) if tun.internet => node.public_ip,
            _ => node.address,
        }
    }

    /// The node whose public address is this (reached across the internet).
    pub fn node_by_public_ip(&self, addr: Ipv4Addr) -> Option<NodeId> {
        self.nodes
            .iter()
            .find(|(_, n)| n.public_ip == Some(addr))
            .map(|(id, _)| id)
    }

    /// The node one of whose NICs has this address.
    pub fn node_by_address(&self, addr: Ipv4Addr) -> Option<NodeId> {
        self.nodes
            .iter()
            .find(|(_, n)| n.holds_address(addr))
            .map(|(id, _)| id)
    }

    /// The NVA with a NIC of address `addr` in VNet `v` (what the VNet's system route
    /// delivers a packet for `addr` to).
    pub fn nic_in_vnet(&self, addr: Ipv4Addr, v: VnetId) -> Option<NodeId> {
        self.nodes
            .iter()
            .find(|(_, n)| {
                n.all_nics()
                    .iter()
                    .any(|(a, s)| *a == addr && self.subnets.get(*s).is_some_and(|x| x.vnet == v))
            })
            .map(|(id, _)| id)
    }

    /// Whether subnet `s` holds address `a`: inside its prefix, or, for a VNet's
    /// implicit default subnet, inside the VNet's space and no declared subnet.
    pub fn subnet_holds(&self, s: SubnetId, a: Ipv4Addr) -> bool {
        let Some(sub) = self.subnets.get(s) else {
            return false;
        };
        match sub.address {
            Some(p) => p.contains(&a),
            None => {
                self.vnets
                    .get(sub.vnet)
                    .is_some_and(|v| v.address.iter().any(|p| p.contains(&a)))
                    && !self.subnets.iter().any(|(_, x)| {
                        x.vnet == sub.vnet && x.address.is_some_and(|p| p.contains(&a))
                    })
            }
        }
    }

    /// The NIC (address, subnet) a packet of node `n` leaves by (LANGUAGE.md §2.4, nva
    /// NICs): the first NIC whose subnet holds one of `hints` (tried in order: the next
    /// hop, then the destination), else the primary NIC (the OS's default route).
    /// None for a node without NICs.
    pub fn egress_nic(&self, n: NodeId, hints: &[Ipv4Addr]) -> Option<(Ipv4Addr, SubnetId)> {
        let nics = self.nodes.get(n)?.all_nics();
        for h in hints {
            if let Some(nic) = nics.iter().find(|(_, s)| self.subnet_holds(*s, *h)) {
                return Some(*nic);
            }
        }
        nics.first().copied()
    }

    /// The subnet whose effective routes forward a packet of node `n` (an NVA) for
    /// `hints` (see [`Network::egress_nic`]); the primary subnet for a node with one NIC.
    pub fn egress_subnet(&self, n: NodeId, hints: &[Ipv4Addr]) -> Option<SubnetId> {
        let node = self.nodes.get(n)?;
        if node.nics.is_empty() {
            return node.behaviours.fabric_subnet;
        }
        self.egress_nic(n, hints).map(|(_, s)| s)
    }

    /// The BGP next hop `n` advertises to `peer`: the address of the NIC its session
    /// leaves by (as FRR does): the NIC whose subnet holds the peer's address, else
    /// the primary one.
    pub fn address_towards(&self, n: NodeId, peer: NodeId) -> Option<Ipv4Addr> {
        let node = self.nodes.get(n)?;
        if node.nics.is_empty() {
            return node.address;
        }
        let hints: Vec<Ipv4Addr> = self
            .nodes
            .get(peer)
            .map(|p| {
                p.address
                    .into_iter()
                    .chain(p.nics.iter().map(|x| x.address))
                    .collect()
            })
            .unwrap_or_default();
        self.egress_nic(n, &hints).map(|(a, _)| a)
    }
    /// Edges leaving `node`.
    pub fn out_edges(&self, node: NodeId) -> impl Iterator<Item = (EdgeId, &Edge)> {
        self.edges.iter().filter(move |(_, e)| e.from == node)
    }
    /// Edges arriving at `node`.
    pub fn in_edges(&self, node: NodeId) -> impl Iterator<Item = (EdgeId, &Edge)> {
        self.edges.iter().filter(move |(_, e)| e.to == node)
    }
}

/// True for private ASNs (64512–65534 and 4200000000–4294967294), as FRR's
/// `remove-private-AS` understands them.
pub fn is_private_asn(asn: u32) -> bool {
    (64512..=65534).contains(&asn) || (4_200_000_000..=4_294_967_294).contains(&asn)
}
