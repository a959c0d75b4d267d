//! `avscheck graph`: pictures of a design's topology, optionally with a check's
//! counterexample drawn on it.
//!
//! Both renderers draw the same [`Scene`]: regions and VNets as clusters labelled with
//! their address spaces, the subnets that hold something (with their UDRs), every node
//! as a shape for its kind, Global Reach as a node between its two circuits, and the
//! links between them (BGP sessions, circuit connections, tunnels, VNet peerings,
//! UDRs). Placement is left to right like the usual hybrid diagrams: on-premises, its
//! circuits, Azure, the AVS circuits, AVS.
//!
//! - [`to_dot`]: Graphviz DOT (`| dot -Tsvg`).
//! - [`to_svg`]: SVG laid out here, without external programs (see
//!   `docs/architecture.md` for why the layout is our own).
//!
//! Output is deterministic: declaration order throughout, fixed number formatting.

mod dot;
mod svg;

pub use dot::to_dot;
pub use svg::to_svg;

use crate::ir::{
    ComponentId, ComponentKind, Network, NodeId, SessionKind, SessionStatus, SubnetId, UdrNextHop,
    VnetId,
};
use std::collections::{BTreeMap, BTreeSet};

/// What to draw on top of the topology: a check's counterexample.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Highlight {
    /// The check's title, shown as the picture's caption.
    pub title: Option<String>,
    /// Names of the failed or removed components (the counterexample's `failed`).
    pub failed: Vec<String>,
    /// The counterexample's packet paths (`paths[]`).
    pub paths: Vec<PacketPath>,
}

/// One packet path of a counterexample (`paths[]` of LANGUAGE.md §4's counterexample).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PacketPath {
    /// Where the packet starts (a node name).
    pub from: String,
    /// Its destination (a node name or an address).
    pub to: String,
    /// The nodes it visits, in order; a repeated last hop is a loop.
    pub hops: Vec<String>,
    /// How it ends: `delivered`, `dropped`, `no_route`, `loop`, ...
    pub disposition: String,
}

impl Highlight {
    /// A check's counterexample (LANGUAGE.md §4's `counterexample` object: `failed`
    /// and `paths[]` with `from`, `to`, `hops`, `disposition`); missing fields are
    /// empty.
    pub fn from_counterexample(
        title: &str,
        cx: Option<&crate::report::model::Counterexample>,
    ) -> Self {
        let mut h = Highlight {
            title: Some(title.to_string()),
            ..Highlight::default()
        };
        let Some(cx) = cx else { return h };
        h.failed = cx.failed.clone();
        for p in &cx.paths {
            h.paths.push(PacketPath {
                from: p.from.clone(),
                to: p.to.clone(),
                hops: p.hops.clone(),
                disposition: p.disposition.clone(),
            });
        }
        h
    }
}

/// Colours of packet paths 1, 2, ... (path `i` uses `PATH_COLOURS[i % len]`).
pub(crate) const PATH_COLOURS: [&str; 5] = ["#d62728", "#9467bd", "#ff7f0e", "#e377c2", "#8c564b"];

pub(crate) fn path_colour(i: usize) -> &'static str {
    PATH_COLOURS
        .get(i % PATH_COLOURS.len())
        .copied()
        .unwrap_or("#d62728")
}

/// Where a node is placed, left to right.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tier {
    /// Sites and routers outside Azure.
    OnPrem = 0,
    /// Circuits whose customer edge is not AVS.
    OnPremCircuit = 1,
    /// Inside a VNet, the internet, Global Reach.
    Azure = 2,
    /// Circuits whose customer edge is AVS.
    AvsCircuit = 3,
    /// AVS private clouds.
    Avs = 4,
}

/// One end of a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum End {
    Node(NodeId),
    Vnet(VnetId),
    Subnet(SubnetId),
    /// Index into [`Scene::global_reach`].
    GlobalReach(usize),
}

/// How a link is drawn (each has its own style and a legend entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum LinkStyle {
    Ebgp,
    Ibgp,
    /// Route Server ↔ ER gateway inside one VNet.
    Internal,
    /// A session that cannot come up.
    Down,
    /// An ExpressRoute circuit's connection to a gateway.
    Connection,
    /// Circuit ↔ Global Reach.
    GlobalReach,
    /// A tunnel (drawn under the sessions that use it).
    Tunnel,
    VnetPeering,
    /// A subnet's UDRs towards their next hop.
    Udr,
    /// An NVA's further NIC (`nic A subnet S`): node → the NIC's subnet.
    Nic,
    /// An internal load balancer (`load_balancer`): its frontend's subnet → each
    /// backend.
    LoadBalancer,
}

#[derive(Clone, Debug)]
pub(crate) struct Link {
    pub a: End,
    pub b: End,
    pub style: LinkStyle,
    pub label: Option<String>,
    /// Why a session is down (a tooltip).
    pub tooltip: Option<String>,
    pub component: Option<ComponentId>,
}

#[derive(Clone, Debug)]
pub(crate) struct SubnetBox {
    pub id: SubnetId,
    pub nodes: Vec<NodeId>,
    /// `10.1.0.0/22 → 10.100.1.4 (fw)` per UDR.
    pub udr_lines: Vec<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct VnetBox {
    pub id: VnetId,
    /// Subnets holding a gateway (drawn first, towards the circuits).
    pub gateway_subnets: Vec<SubnetBox>,
    /// Nodes placed in the VNet itself (Route Servers).
    pub nodes: Vec<NodeId>,
    pub subnets: Vec<SubnetBox>,
}

#[derive(Clone, Debug)]
pub(crate) struct RegionBox {
    /// `None`: VNets without a `region`.
    pub name: Option<String>,
    pub vnets: Vec<VnetBox>,
}

#[derive(Clone, Debug)]
pub(crate) struct GlobalReachNode {
    pub name: String,
    pub component: ComponentId,
}

/// Everything both renderers draw, classified and ordered.
pub(crate) struct Scene<'a> {
    pub net: &'a Network,
    pub regions: Vec<RegionBox>,
    /// Nodes outside every VNet, by tier (declaration order within).
    pub outside: BTreeMap<Tier, Vec<NodeId>>,
    pub global_reach: Vec<GlobalReachNode>,
    pub links: Vec<Link>,
    pub failed: BTreeSet<ComponentId>,
}

/// The VNet a node sits in: its NIC's or gateway's subnet, or the VNet it programs.
pub(crate) fn vnet_of(net: &Network, id: NodeId) -> Option<VnetId> {
    let n = &net.nodes[id];
    n.behaviours
        .fabric_subnet
        .or(n.behaviours.gateway_subnet)
        .map(|s| net.subnets[s].vnet)
        .or(n.behaviours.programs.map(|p| p.vnet))
}

fn subnet_of(net: &Network, id: NodeId) -> Option<SubnetId> {
    let n = &net.nodes[id];
    n.behaviours.fabric_subnet.or(n.behaviours.gateway_subnet)
}

fn is_circuit(net: &Network, id: NodeId) -> bool {
    net.components[net.nodes[id].component].kind == ComponentKind::Circuit
}

/// `10.1.0.0/22 → 10.100.1.4 (fw)`, `0.0.0.0/0 → internet`, `... → none (drop)`.
fn udr_line(net: &Network, prefix: &ipnet::Ipv4Net, hop: &UdrNextHop) -> String {
    match hop {
        UdrNextHop::Appliance(ip) => match appliance(net, *ip) {
            Some(n) => format!("{prefix} → {ip} ({})", net.nodes[n].name),
            None => format!("{prefix} → {ip}"),
        },
        UdrNextHop::Internet => format!("{prefix} → internet"),
        UdrNextHop::None => format!("{prefix} → none (drop)"),
        UdrNextHop::VnetLocal => format!("{prefix} → vnet_local"),
    }
}

/// Whether the picture needs the internet: a UDR, a check or a highlighted path names it.
fn internet_used(net: &Network, internet: NodeId, highlight: &Highlight) -> bool {
    use crate::ir::{Endpoint, PropertyKind};
    let is_it = |e: &Endpoint| match e {
        Endpoint::Internet => true,
        Endpoint::Node(n) => *n == internet,
        _ => false,
    };
    let name = &net.nodes[internet].name;
    net.subnets
        .iter()
        .any(|(_, s)| s.udrs.iter().any(|u| u.next_hop == UdrNextHop::Internet))
        // Tunnels and VPN connections across the internet.
        || net.tunnels.iter().any(|(_, t)| t.internet)
        || net.sessions.iter().any(|(_, s)| vpn_connection(net, s))
        || net.checks.iter().any(|(_, c)| {
            c.properties.iter().any(|p| match &p.kind {
                PropertyKind::Reachable { from, to }
                | PropertyKind::Traverses { from, to, .. }
                | PropertyKind::Avoids { from, to, .. } => is_it(from) || is_it(to),
                PropertyKind::Symmetric { a, b } => is_it(a) || is_it(b),
                _ => false,
            })
        })
        || highlight
            .paths
            .iter()
            .any(|p| p.hops.contains(name) || &p.to == name)
}

/// The node one of whose NICs has this address.
fn appliance(net: &Network, ip: std::net::Ipv4Addr) -> Option<NodeId> {
    net.node_by_address(ip)
}

/// A VPN gateway's site-to-site connection (IPsec over the internet).
/// The FastPath of a circuit connection (on its gateway → circuit edge), if it has one.
fn fastpath(net: &Network, s: &crate::ir::Session) -> Option<crate::ir::FastPath> {
    net.edges
        .values()
        .filter(|e| (e.from, e.to) == (s.a, s.b) || (e.from, e.to) == (s.b, s.a))
        .find_map(|e| e.fastpath)
}

fn vpn_connection(net: &Network, s: &crate::ir::Session) -> bool {
    let vpn = |n: NodeId| {
        net.nodes[n]
            .behaviours
            .programs
            .is_some_and(|p| p.how == crate::ir::ProgramAs::VpnGateway)
    };
    s.kind != SessionKind::Internal && (vpn(s.a) || vpn(s.b))
}

impl<'a> Scene<'a> {
    pub fn new(net: &'a Network, highlight: &Highlight) -> Self {
        // Nodes per VNet and subnet.
        let mut in_subnet: BTreeMap<SubnetId, Vec<NodeId>> = BTreeMap::new();
        let mut in_vnet: BTreeMap<VnetId, Vec<NodeId>> = BTreeMap::new();
        let mut outside_nodes = Vec::new();
        for (id, n) in net.nodes.iter() {
            if Some(id) == net.internet || n.behaviours.internet {
                continue;
            }
            match (subnet_of(net, id), vnet_of(net, id)) {
                (Some(s), _) => in_subnet.entry(s).or_default().push(id),
                (None, Some(v)) => in_vnet.entry(v).or_default().push(id),
                (None, None) => outside_nodes.push(id),
            }
        }
        let subnet_box = |sid: SubnetId| {
            let s = &net.subnets[sid];
            SubnetBox {
                id: sid,
                nodes: in_subnet.get(&sid).cloned().unwrap_or_default(),
                udr_lines: s
                    .udrs
                    .iter()
                    .map(|u| udr_line(net, &u.prefix, &u.next_hop))
                    .collect(),
            }
        };
        // Regions in the order their first VNet is declared.
        let mut regions: Vec<RegionBox> = Vec::new();
        for (vid, v) in net.vnets.iter() {
            let mut gateway_subnets = Vec::new();
            let mut subnets = Vec::new();
            for (sid, s) in net.subnets.iter().filter(|(_, s)| s.vnet == vid) {
                let b = subnet_box(sid);
                let holds_gateway = b
                    .nodes
                    .iter()
                    .any(|n| net.nodes[*n].behaviours.gateway_subnet == Some(sid));
                if holds_gateway {
                    gateway_subnets.push(b);
                } else if s.address.is_some() || !b.nodes.is_empty() || !b.udr_lines.is_empty() {
                    subnets.push(b);
                }
            }
            let vbox = VnetBox {
                id: vid,
                gateway_subnets,
                nodes: in_vnet.get(&vid).cloned().unwrap_or_default(),
                subnets,
            };
            match regions.iter_mut().find(|r| r.name == v.region) {
                Some(r) => r.vnets.push(vbox),
                None => regions.push(RegionBox {
                    name: v.region.clone(),
                    vnets: vec![vbox],
                }),
            }
        }

        // Tiers of the nodes outside VNets: a circuit is on the AVS side when its
        // customer edge is an AVS private cloud.
        let avs: BTreeSet<NodeId> = outside_nodes
            .iter()
            .copied()
            .filter(|n| net.nodes[*n].kind == "avs")
            .collect();
        let mut outside: BTreeMap<Tier, Vec<NodeId>> = BTreeMap::new();
        for &id in &outside_nodes {
            let tier = if avs.contains(&id) {
                Tier::Avs
            } else if is_circuit(net, id) {
                let serves_avs = net.sessions.iter().any(|(_, s)| {
                    (s.a == id && avs.contains(&s.b)) || (s.b == id && avs.contains(&s.a))
                });
                if serves_avs {
                    Tier::AvsCircuit
                } else {
                    Tier::OnPremCircuit
                }
            } else {
                Tier::OnPrem
            };
            outside.entry(tier).or_default().push(id);
        }
        if let Some(i) = net.internet.filter(|i| internet_used(net, *i, highlight)) {
            outside.entry(Tier::Azure).or_default().push(i);
        }

        // Links: sessions (Global Reach through its own node), tunnels, peerings, UDRs.
        let mut links = Vec::new();
        let mut global_reach: Vec<GlobalReachNode> = Vec::new();
        for (_, s) in net.sessions.iter() {
            let comp = &net.components[s.component];
            let down = match &s.status {
                SessionStatus::Up => None,
                SessionStatus::Down(why) => Some(why.clone()),
            };
            if s.kind == SessionKind::GlobalReach {
                let gi = match global_reach.iter().position(|g| g.component == s.component) {
                    Some(i) => i,
                    None => {
                        global_reach.push(GlobalReachNode {
                            name: comp.name.clone(),
                            component: s.component,
                        });
                        global_reach.len() - 1
                    }
                };
                for end in [s.a, s.b] {
                    links.push(Link {
                        a: End::Node(end),
                        b: End::GlobalReach(gi),
                        style: if down.is_some() {
                            LinkStyle::Down
                        } else {
                            LinkStyle::GlobalReach
                        },
                        label: None,
                        tooltip: down.clone(),
                        component: Some(s.component),
                    });
                }
                continue;
            }
            let style = if down.is_some() {
                LinkStyle::Down
            } else if comp.kind == ComponentKind::Connection {
                LinkStyle::Connection
            } else {
                match s.kind {
                    SessionKind::Internal => LinkStyle::Internal,
                    SessionKind::Ibgp => LinkStyle::Ibgp,
                    _ => LinkStyle::Ebgp,
                }
            };
            let label = match (s.tunnel, style) {
                (Some(t), _) => Some(format!("BGP over {}", net.tunnels[t].name)),
                (None, _) if s.kind == SessionKind::Static => {
                    Some("S2S VPN (static routes) over the internet".to_string())
                }
                (None, _) if vpn_connection(net, s) => {
                    Some("S2S VPN over the internet".to_string())
                }
                // `connect GW fastpath` (the gateway → circuit edge carries it).
                (None, _) if fastpath(net, s).is_some() => Some(
                    match fastpath(net, s) {
                        Some(fp) if fp.direct => "FastPath (Direct: GatewaySubnet UDRs apply)",
                        _ => "FastPath",
                    }
                    .to_string(),
                ),
                (None, LinkStyle::Ibgp) => Some("iBGP".to_string()),
                (None, LinkStyle::Down) => Some("down".to_string()),
                _ => None,
            };
            links.push(Link {
                a: End::Node(s.a),
                b: End::Node(s.b),
                style,
                label,
                tooltip: down,
                component: Some(s.component),
            });
        }
        // Tunnels across the internet: each end ↔ the internet, between public
        // addresses; one segment per end however many tunnels share it.
        let mut segments: BTreeMap<(NodeId, NodeId), Vec<crate::ir::TunnelId>> = BTreeMap::new();
        for (tid, t) in net.tunnels.iter() {
            if let Some(i) = net.internet.filter(|_| t.internet) {
                segments.entry((t.a, i)).or_default().push(tid);
                segments.entry((i, t.b)).or_default().push(tid);
                continue;
            }
            links.push(Link {
                a: End::Node(t.a),
                b: End::Node(t.b),
                style: LinkStyle::Tunnel,
                label: Some(format!("tunnel {} ({})", t.name, t.kind)),
                tooltip: t.unusable.clone(),
                component: Some(t.component),
            });
        }
        for ((from, to), ts) in segments {
            let end = if Some(from) == net.internet { to } else { from };
            let public = net.nodes[end]
                .public_ip
                .map(|a| a.to_string())
                .unwrap_or_else(|| "no public_ip".to_string());
            let names: Vec<&str> = ts.iter().map(|t| net.tunnels[*t].name.as_str()).collect();
            let one = match ts.as_slice() {
                [t] => Some(*t),
                _ => None,
            };
            links.push(Link {
                a: End::Node(from),
                b: End::Node(to),
                style: LinkStyle::Tunnel,
                label: Some(format!("{} · {public}", names.join(", "))),
                tooltip: ts.iter().find_map(|t| net.tunnels[*t].unusable.clone()),
                component: one.map(|t| net.tunnels[t].component),
            });
        }
        // Further NICs: the node → each NIC's subnet.
        for (id, n) in net.nodes.iter() {
            for nic in &n.nics {
                links.push(Link {
                    a: End::Subnet(nic.subnet),
                    b: End::Node(id),
                    style: LinkStyle::Nic,
                    label: Some(format!("nic {}", nic.address)),
                    tooltip: None,
                    component: None,
                });
            }
        }
        // Internal load balancers: the frontend's subnet → each backend.
        for lb in &net.load_balancers {
            for (i, &b) in lb.backends.iter().enumerate() {
                let ha = if lb.ha_ports { "" } else { " · no HA ports" };
                links.push(Link {
                    a: End::Subnet(lb.subnet),
                    b: End::Node(b),
                    style: LinkStyle::LoadBalancer,
                    // One label per load balancer.
                    label: (i == 0)
                        .then(|| format!("load balancer {} · {}{ha}", lb.name, lb.frontend)),
                    tooltip: None,
                    component: Some(net.nodes[b].component),
                });
            }
        }
        for (vid, v) in net.vnets.iter() {
            for p in &v.peerings {
                if vid < p.vnet {
                    links.push(Link {
                        a: End::Vnet(vid),
                        b: End::Vnet(p.vnet),
                        style: LinkStyle::VnetPeering,
                        label: Some("VNet peering".to_string()),
                        tooltip: None,
                        component: Some(p.component),
                    });
                }
            }
        }
        let drawn_subnets: Vec<SubnetId> = regions
            .iter()
            .flat_map(|r| &r.vnets)
            .flat_map(|v| v.gateway_subnets.iter().chain(&v.subnets))
            .map(|s| s.id)
            .collect();
        for sid in drawn_subnets {
            // One arrow per next hop, labelled with its prefixes.
            let mut by_target: BTreeMap<NodeId, Vec<String>> = BTreeMap::new();
            for u in &net.subnets[sid].udrs {
                // A load balancer's frontend: each backend.
                let targets: Vec<NodeId> = match u.next_hop {
                    UdrNextHop::Appliance(ip) => match net.load_balancer_at(ip) {
                        Some(lb) => lb.backends.clone(),
                        None => appliance(net, ip).into_iter().collect(),
                    },
                    UdrNextHop::Internet => net.internet.into_iter().collect(),
                    UdrNextHop::None | UdrNextHop::VnetLocal => Vec::new(),
                };
                for t in targets {
                    by_target.entry(t).or_default().push(u.prefix.to_string());
                }
            }
            for (t, prefixes) in by_target {
                links.push(Link {
                    a: End::Subnet(sid),
                    b: End::Node(t),
                    style: LinkStyle::Udr,
                    label: Some(format!("UDR {}", prefixes.join(", "))),
                    tooltip: None,
                    component: None,
                });
            }
        }

        // Failed names that name no component are still listed in the caption.
        let failed: BTreeSet<ComponentId> = net
            .components
            .iter()
            .filter(|(_, c)| highlight.failed.contains(&c.name))
            .map(|(id, _)| id)
            .collect();

        Scene {
            net,
            regions,
            outside,
            global_reach,
            links,
            failed,
        }
    }

    /// The tier of a link end (for left-to-right ordering).
    pub fn tier(&self, end: End) -> Tier {
        match end {
            End::Node(n) => self
                .outside
                .iter()
                .find(|(_, ns)| ns.contains(&n))
                .map(|(t, _)| *t)
                .unwrap_or(Tier::Azure),
            End::Vnet(_) | End::Subnet(_) | End::GlobalReach(_) => Tier::Azure,
        }
    }

    pub fn outside(&self, tier: Tier) -> &[NodeId] {
        self.outside.get(&tier).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn node_failed(&self, n: NodeId) -> bool {
        self.failed.contains(&self.net.nodes[n].component)
    }

    pub fn link_failed(&self, l: &Link) -> bool {
        l.component.is_some_and(|c| self.failed.contains(&c))
    }

    /// A node by name.
    pub fn node_named(&self, name: &str) -> Option<NodeId> {
        self.net
            .nodes
            .iter()
            .find(|(_, n)| n.name == name)
            .map(|(id, _)| id)
    }

    /// The text lines of a node: name, `kind · AS n`, its NIC address, what it
    /// originates.
    pub fn node_lines(&self, id: NodeId) -> Vec<String> {
        let n = &self.net.nodes[id];
        if Some(id) == self.net.internet || n.behaviours.internet {
            return vec![n.name.clone()];
        }
        let mut lines = vec![n.name.clone(), format!("{} · AS{}", n.kind, n.asn)];
        if let Some(a) = n.address {
            lines.push(format!("ip {a}"));
        }
        for nic in &n.nics {
            let s = &self.net.subnets[nic.subnet];
            lines.push(format!("nic {} ({})", nic.address, s.name));
        }
        if let Some(a) = n.public_ip {
            lines.push(format!("public_ip {a}"));
        }
        for m in &n.management {
            lines.push(format!("management {m}"));
        }
        // `originate` delivers packets only where the kind owns what it originates
        // (sites, AVS, routers); elsewhere (NVAs, gateways) it only advertises.
        let verb = if n.behaviours.owns_originated {
            "originates"
        } else {
            "advertises"
        };
        for o in n
            .originates
            .iter()
            .filter(|o| !n.management.contains(&o.prefix))
        {
            lines.push(format!("{verb} {}", o.prefix));
        }
        lines
    }

    /// `vnet hub · 10.100.0.0/16`.
    pub fn vnet_label(&self, v: VnetId) -> String {
        let v = &self.net.vnets[v];
        let spaces: Vec<String> = v.address.iter().map(|a| a.to_string()).collect();
        format!("vnet {} · {}", v.name, spaces.join(", "))
    }

    /// `subnet fw_subnet · 10.100.1.0/24`.
    pub fn subnet_label(&self, s: SubnetId) -> String {
        let s = &self.net.subnets[s];
        match s.address {
            Some(a) => format!("subnet {} · {a}", s.name),
            None => format!("subnet {}", s.name),
        }
    }

    pub fn region_label(r: &RegionBox) -> String {
        match &r.name {
            Some(n) => format!("region {n}"),
            None => "no region".to_string(),
        }
    }
}

/// The kind of shape a node is drawn as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// On-premises site: a house.
    House,
    /// ExpressRoute circuit (MSEE pair): a hexagon.
    Hexagon,
    /// ExpressRoute gateway: a trapezium.
    Trapezium,
    /// Route Server: a diamond.
    Diamond,
    /// NVA: a 3-D box.
    Box3d,
    /// AVS private cloud: a component box.
    Component,
    /// The internet: a double ellipse.
    Internet,
    /// Global Reach: an octagon.
    Octagon,
    /// Anything else (routers): a rounded box.
    Rounded,
}

pub(crate) fn shape_of(net: &Network, id: NodeId) -> Shape {
    let n = &net.nodes[id];
    if Some(id) == net.internet || n.behaviours.internet {
        return Shape::Internet;
    }
    match n.kind.as_str() {
        "site" => Shape::House,
        "avs" => Shape::Component,
        "er_circuit" => Shape::Hexagon,
        "er_gateway" | "vpn_gateway" => Shape::Trapezium,
        "route_server" => Shape::Diamond,
        "nva" | "azure_firewall" => Shape::Box3d,
        _ => Shape::Rounded,
    }
}
