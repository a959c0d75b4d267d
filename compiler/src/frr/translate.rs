//! What a parsed configuration means for the network model: the node's ASN, router
//! id, originations (`network`, `redistribute`), static routes (`ip route`), compiled
//! route-maps and filters (as `ir::Policy`: ordered rules, the first match decides,
//! the end denies) and one session side per neighbor, with FRR's defaults
//! (`frr version X` selects them; docs/frr.md).
//!
//! A route-map entry's `match` lines each name an ordered permit/deny list; the entry
//! matches when every list permits. `ir::Policy` rules hold only positive conditions,
//! so a route-map compiles into a decision list by case splitting: each list entry
//! is tried in order, a `deny` entry (or no entry) sends the route on to the next
//! route-map entry, and every branch ends with a rule that catches all of its routes.
//! The result has exactly the route-map's semantics (tests: frr_config.rs, and the
//! differential tests against bgpd in frr_config_oracle.rs).

use super::ast::{
    AccessEntry, BgpRouter, Config, Direction, Exit, FilterList, Match, Neighbor, Redistribute,
    RemoteAs, RouteMapEntry, Set, StaticNextHop,
};
use super::codes;
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Action, CmpOp, Condition, NodeId, PrefixRange, TagId, TunnelId};
use crate::span::{Span, Spanned};
use ipnet::Ipv4Net;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// The most rules one compiled route-map may have.
pub const MAX_RULES: usize = 4096;

/// FRR's defaults for one release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Defaults {
    /// `bgp ebgp-requires-policy` (on since FRR 7.4).
    pub ebgp_requires_policy: bool,
    /// `bgp network import-check` (on since FRR 7.4).
    pub import_check: bool,
    /// `bgp deterministic-med`: on in the datacenter profile only, whatever the
    /// version (FRR's bgpd/bgp_vty.c, `BGP_DETERMINISTIC_MED`).
    pub deterministic_med: bool,
}

/// The defaults `frr version X.Y` and `frr defaults PROFILE` select (`datacenter`:
/// the datacenter profile); without a version line, current FRR's. From FRR's
/// bgpd/bgp_vty.c (`FRR_CFG_DEFAULT_BOOL`): `BGP_EBGP_REQUIRES_POLICY` is off in the
/// datacenter profile and before 7.4, on otherwise; `BGP_IMPORT_CHECK` is off only in
/// the traditional profile before 7.4; `BGP_DETERMINISTIC_MED` is on in the
/// datacenter profile only. (The profile's other differences — timers,
/// `log-neighbor-changes`, `show-hostname` — change no stable state avscheck
/// models: docs/frr.md.)
pub fn defaults(version: Option<(u32, u32)>, datacenter: bool) -> Defaults {
    let modern = version.is_none_or(|v| v >= (7, 4));
    Defaults {
        ebgp_requires_policy: modern && !datacenter,
        import_check: modern || datacenter,
        deterministic_med: datacenter,
    }
}

/// What the design says about the configured node.
#[derive(Clone, Debug, Default)]
pub struct NodeEnv {
    /// The subnets of its NICs (connected routes).
    pub connected: Vec<Ipv4Net>,
    /// Azure's gateway of each NIC subnet (the subnet's first host, x.x.x.1): an
    /// `ip route P GATEWAY` hands P to the fabric.
    pub gateways: Vec<Ipv4Addr>,
    /// The node's addresses in the `.avs` (`ip`, `nic`) and their lines.
    pub addresses: Vec<(Ipv4Addr, Span)>,
    /// The node's own `inner` address of each tunnel it terminates, and its line.
    pub inner: Vec<(TunnelId, Ipv4Addr, Span)>,
}

/// A design node reached at a neighbor address.
#[derive(Clone, Debug)]
pub struct Peer {
    pub node: NodeId,
    pub name: String,
    pub asn: u32,
    /// The tunnel whose `inner` address this is: the session runs over it.
    pub tunnel: Option<TunnelId>,
    /// Every peer address of that node (Route Server: its instances).
    pub instances: Vec<Ipv4Addr>,
    /// The node is an ExpressRoute circuit: its addresses are the MSEEs of its
    /// links (primary and secondary), not Route Server instances.
    pub circuit: bool,
}

/// Design lookups the translation needs.
pub trait Design {
    /// The node holding a neighbor address.
    fn peer(&self, addr: Ipv4Addr) -> Option<Peer>;
    /// The node owning an address (static next hops).
    fn node_at(&self, addr: Ipv4Addr) -> Option<NodeId>;
    /// The tag standing for a community (interned across the design).
    fn tag(&mut self, community: (u16, u16)) -> TagId;
    /// Every tag a route of the design can carry (what `set community` without
    /// `additive` removes): the tags of the `.avs` policies and of every
    /// configuration's `set community` lines, interned before any translation.
    fn all_tags(&self) -> Vec<TagId>;
    /// The addresses of the configured node that `peer` opens its session to and
    /// accepts it from (a Route Server: the NVA's `ip`; a node with a configuration:
    /// its `neighbor` addresses that name this node), and the line saying so; `None`
    /// when the design does not say.
    fn peered_at(&self, peer: NodeId) -> Option<(Vec<Ipv4Addr>, Span)>;
    /// The community a tag stands for (none: a tag of the `.avs` policies by name).
    fn tag_community(&self, tag: TagId) -> Option<(u16, u16)>;
}

/// The well-known community `internet` (0:0): a community-list entry holding it
/// matches every route (FRR's `community_list_match`).
const INTERNET: (u16, u16) = (0, 0);

/// One end of a session, as the configuration declares it.
#[derive(Clone, Debug)]
pub struct SessionSide {
    pub to: NodeId,
    pub tunnel: Option<TunnelId>,
    /// `remote-as N`: the ASN expected of the peer (`internal`: the own ASN).
    pub expected_asn: Option<(u32, Span)>,
    /// Indices into [`Translation::policies`], applied in order.
    pub import: Vec<usize>,
    pub export: Vec<usize>,
    pub allowas_in: u8,
    /// `neighbor A weight N`.
    pub weight: Option<u32>,
    /// `neighbor A default-originate`: 0.0.0.0/0 is sent to the neighbor whatever the
    /// RIB holds, past the outbound filters and ebgp-requires-policy
    /// ([`ir::Edge::default_originate`]).
    pub default_originate: Option<Span>,
    /// The neighbor's `remote-as` line.
    pub span: Span,
    /// Why FRR never establishes this session (a single-hop eBGP neighbor outside
    /// the connected subnets, a source address the peer does not peer with): the
    /// session is down in both engines.
    pub down: Option<String>,
}

/// The node's BGP and static routes, from its configuration.
#[derive(Clone, Debug, Default)]
pub struct Translation {
    pub asn: u32,
    /// Whether bgpd runs with `bgp deterministic-med` (the statement, else the
    /// profile's default): without it the best path can depend on the order the
    /// paths arrived in ([`ir::Behaviours::arrival_order_med`]).
    pub deterministic_med: bool,
    pub router_id: Option<Ipv4Addr>,
    pub originates: Vec<ir::Origination>,
    pub statics: Vec<StaticRoute>,
    pub policies: Vec<ir::Policy>,
    pub sessions: Vec<SessionSide>,
    pub diags: Vec<Diagnostic>,
    /// `aggregate-address P summary-only`: P and the line.
    pub summary_only: Vec<(Ipv4Net, Span)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaticRoute {
    pub prefix: Ipv4Net,
    pub target: ir::StaticTarget,
    pub span: Span,
}

/// The ASN and router id (`router bgp N`, `bgp router-id A`), or a diagnostic when
/// the file has no `router bgp`.
pub fn identity(cfg: &Config, config_line: Span) -> Result<(u32, Option<Ipv4Addr>), Diagnostic> {
    match &cfg.bgp {
        Some(b) => Ok((b.asn.node, b.router_id.as_ref().map(|r| r.node))),
        None => Err(
            Diagnostic::error(codes::NO_BGP, "the configuration has no `router bgp`")
                .primary(config_line, "this configuration")
                .help("an FRR configuration for a BGP speaker needs `router bgp ASN`"),
        ),
    }
}

/// Translates a configuration. `asn` comes from [`identity`].
pub fn translate(cfg: &Config, env: &NodeEnv, design: &mut dyn Design) -> Translation {
    let mut t = Translation::default();
    let Some(bgp) = &cfg.bgp else { return t };
    t.asn = bgp.asn.node;
    t.router_id = bgp.router_id.as_ref().map(|r| r.node);
    let d = defaults(cfg.version.as_ref().map(|v| v.node), cfg.datacenter);
    t.deterministic_med = bgp
        .deterministic_med
        .as_ref()
        .map(|s| s.node)
        .unwrap_or(d.deterministic_med);
    let mut cx = Cx {
        cfg,
        design,
        t: &mut t,
        compiled: BTreeMap::new(),
        summary_only: None,
        assumed_default: None,
    };
    cx.statics(env);
    cx.drift(env);
    cx.originations(bgp, env, &d);
    cx.summary_only = cx.summary_only_policy();
    // A peer-group member: its own settings over the group's.
    let effective: Vec<Neighbor> = bgp
        .neighbors
        .iter()
        .map(|n| {
            match n
                .peer_group
                .as_ref()
                .and_then(|g| bgp.peer_groups.get(&g.node))
            {
                Some(g) => n.inherit(g),
                None => n.clone(),
            }
        })
        .collect();
    cx.same_node_settings(&effective);
    for n in &effective {
        cx.neighbor(bgp, n, &d, env);
    }
    let assumed_default = cx.assumed_default;
    // Neighbors at several addresses of one node (Route Server's instances) are one
    // session of the model: it is up while one of them is (as a shut-down instance
    // is left out), so a side FRR never opens is dropped beside one it opens
    // (its diagnostic stays), whatever the order of the lines.
    let up: Vec<NodeId> = t
        .sessions
        .iter()
        .filter(|s| s.down.is_none())
        .map(|s| s.to)
        .collect();
    t.sessions
        .retain(|s| s.down.is_none() || !up.contains(&s.to));
    if let Some(at) = assumed_default {
        let d = assumed_defaults(bgp, at);
        t.diags.push(d);
    }
    t
}

/// A file without `frr version` whose routing depended on a default that changed in
/// FRR 7.4 (`bgp ebgp-requires-policy`, `bgp network import-check`: on since 7.4,
/// off before and in Quagga): the assumption is said where it decided (tester
/// finding 13), with the way to get the other defaults.
fn assumed_defaults(bgp: &BgpRouter, at: Span) -> Diagnostic {
    Diagnostic::warning(
        codes::UNMODELED,
        "no `frr version` line: FRR 7.4+ defaults assumed",
    )
    .primary(at, "decided by a default of FRR 7.4 and later")
    .secondary(bgp.span, "this configuration has no `frr version` line")
    .note("since FRR 7.4 `bgp ebgp-requires-policy` and `bgp network import-check` are on by default; before 7.4, and in Quagga, both are off")
    .help("add the release the router runs (`frr version 8.4`, as `show running-config` writes it); for Quagga or FRR before 7.4 add `frr version 7.2`, which selects their defaults, or write `no bgp ebgp-requires-policy` and `no bgp network import-check`")
}

/// One per-neighbor setting that the model merges when several neighbor addresses
/// belong to one design node: its name, its value as printed, and the line that set
/// it (none: the default).
type Setting = (&'static str, String, Option<Span>);

/// Every setting of a neighbor that decides what its session does, in a fixed order
/// (the shutdown state is not one: a shut-down neighbor has no session at all).
/// Values are EFFECTIVE: a setting written at FRR's default compares equal to one
/// left unset (`weight 0` = no weight; `activate` = the neighbor's IPv4 unicast
/// state, `Neighbor::ipv4_active`, so `neighbor A activate` under the default, or `no
/// neighbor A activate` followed by `neighbor A activate`, equals no line at all;
/// `send-community` likewise).
fn settings(n: &Neighbor) -> Vec<Setting> {
    fn dir(
        out: &mut Vec<Setting>,
        names: [&'static str; 2],
        m: &BTreeMap<Direction, Spanned<String>>,
    ) {
        for (d, name) in [Direction::In, Direction::Out].into_iter().zip(names) {
            let v = m.get(&d);
            out.push((
                name,
                v.map(|x| x.node.clone()).unwrap_or_default(),
                v.map(|x| x.span),
            ));
        }
    }
    fn flag(out: &mut Vec<Setting>, name: &'static str, s: Option<Span>) {
        out.push((name, s.is_some().to_string(), s));
    }
    let mut out = Vec::new();
    out.push((
        "remote-as",
        match n.remote_as.map(|r| r.node) {
            Some(RemoteAs::Asn(a)) => a.to_string(),
            Some(RemoteAs::Internal) => "internal".into(),
            Some(RemoteAs::External) => "external".into(),
            None => String::new(),
        },
        n.remote_as.map(|r| r.span),
    ));
    dir(&mut out, ["route-map in", "route-map out"], &n.route_map);
    dir(
        &mut out,
        ["prefix-list in", "prefix-list out"],
        &n.prefix_list,
    );
    dir(
        &mut out,
        ["filter-list in", "filter-list out"],
        &n.filter_list,
    );
    dir(
        &mut out,
        ["distribute-list in", "distribute-list out"],
        &n.distribute_list,
    );
    out.push((
        "allowas-in",
        n.allowas_in.map(|a| a.node.to_string()).unwrap_or_default(),
        n.allowas_in.map(|a| a.span),
    ));
    flag(&mut out, "as-override", n.as_override);
    flag(&mut out, "next-hop-self", n.next_hop_self);
    flag(&mut out, "remove-private-AS", n.remove_private_as);
    out.push((
        "weight",
        n.weight.map_or(0, |w| w.node).to_string(),
        n.weight.map(|w| w.span),
    ));
    let (active, off_line) = n.ipv4_active();
    out.push((
        "activate",
        active.to_string(),
        n.activate.map(|a| a.span).or(off_line),
    ));
    out.push((
        "send-community",
        n.send_community.is_none_or(|s| s.node).to_string(),
        n.send_community.map(|s| s.span),
    ));
    flag(&mut out, "default-originate", n.default_originate);
    out
}

struct Cx<'a, 'b> {
    cfg: &'a Config,
    design: &'b mut dyn Design,
    t: &'b mut Translation,
    /// (kind, name) → policy index, so a map used by several neighbors compiles once.
    compiled: BTreeMap<(&'static str, String), usize>,
    /// The `summary-only` filter every neighbor's outbound list starts with.
    summary_only: Option<usize>,
    /// The first line whose effect came from a default that a file without `frr
    /// version` takes from FRR ≥ 7.4 (import-check, ebgp-requires-policy).
    assumed_default: Option<Span>,
}

/// A conjunction of conditions.
type Atom = Vec<Condition>;

/// An ordered permit/deny list, compiled: (permit, conditions, the entry's line).
#[derive(Clone, Debug, Default)]
struct Filter {
    entries: Vec<(bool, Atom, Span)>,
    /// The list's first line (the label when no entry matches).
    span: Span,
}

impl Cx<'_, '_> {
    fn push(&mut self, p: ir::Policy) -> usize {
        self.t.policies.push(p);
        self.t.policies.len() - 1
    }

    fn deny_all(&mut self, name: String, span: Span) -> usize {
        self.push(ir::Policy {
            name,
            span,
            rules: Vec::new(),
        })
    }

    // ------------------------------------------------------------ statics, networks

    /// An `interface` block's `ip address A/len` whose subnet holds no address the
    /// design gives the node (its `ip`/`nic`): the configuration and the design describe different
    /// machines, so every proof is about one of them only.
    fn drift(&mut self, env: &NodeEnv) {
        let Some((_, design_span)) = env.addresses.first() else {
            return;
        };
        for a in &self.cfg.interface_addresses {
            // FRR's connected route (the host bits are gone here): the design's
            // address must be inside it.
            let p = a.node;
            if env.addresses.iter().any(|(x, _)| p.contains(x)) {
                continue;
            }
            self.t.diags.push(
                Diagnostic::warning(
                    codes::DRIFT,
                    format!("the configuration's interface subnet `{p}` holds no address the design gives this node"),
                )
                .primary(a.span, "the configuration says this")
                .secondary(*design_span, "the design says this")
                .help("make the `interface` block's `ip address` and the node's `ip`/`nic` in the `.avs` agree (the model uses the design's)"),
            );
        }
    }

    fn statics(&mut self, env: &NodeEnv) {
        for r in &self.cfg.statics {
            let target = match r.next_hop {
                StaticNextHop::Drop => Some(ir::StaticTarget::Drop),
                StaticNextHop::Address(a) => {
                    if env.gateways.contains(&a) {
                        // Azure's gateway of the NIC's subnet: the fabric forwards.
                        Some(ir::StaticTarget::Fabric(a))
                    } else {
                        match self.design.node_at(a) {
                            Some(n) => Some(ir::StaticTarget::Node(n)),
                            None if env.connected.iter().any(|c| c.contains(&a)) => {
                                // Inside a connected subnet: FRR resolves the next hop
                                // on the interface and installs (and redistributes) the
                                // route, but no NIC of the design holds the address, so
                                // the fabric delivers the packets to no one.
                                self.t.diags.push(
                                    Diagnostic::warning(
                                        codes::STATIC_NEXT_HOP,
                                        format!("no node of the design holds the next hop `{a}`"),
                                    )
                                    .primary(r.span, "installed and announced, but its traffic is dropped")
                                    .note("the next hop is inside the node's connected subnet, so FRR installs the route; Azure delivers a packet only to an address a NIC holds, so what this route forwards is dropped")
                                    .help("give the next hop's VM a node in the design (an `nva` with that `ip`), or point the route at a node that exists"),
                                );
                                Some(ir::StaticTarget::Drop)
                            }
                            None => {
                                self.t.diags.push(
                                    Diagnostic::warning(
                                        codes::STATIC_NEXT_HOP,
                                        format!("no node of the design holds the next hop `{a}`"),
                                    )
                                    .primary(r.span, "this static route is not installed")
                                    .note("FRR installs a static route only when its next hop is reachable"),
                                );
                                None
                            }
                        }
                    }
                }
            };
            if let Some(target) = target {
                self.t.statics.push(StaticRoute {
                    prefix: r.prefix,
                    target,
                    span: r.span,
                });
            }
        }
    }

    fn originations(&mut self, bgp: &BgpRouter, env: &NodeEnv, d: &Defaults) {
        let import_check = bgp
            .import_check
            .as_ref()
            .map(|s| s.node)
            .unwrap_or(d.import_check);
        let connected: Vec<Ipv4Net> = env
            .connected
            .iter()
            .copied()
            .chain(self.cfg.interface_addresses.iter().map(|a| a.node))
            .collect();
        let add = |t: &mut Translation, prefix: Ipv4Net, span: Span| {
            if !t.originates.iter().any(|o| o.prefix == prefix) {
                t.originates.push(ir::Origination {
                    prefix,
                    span,
                    requires: None,
                    aggregate: false,
                    as_set: false,
                });
            }
        };
        // An Azure VM (a node with a NIC in a subnet) holds a DHCP default route via
        // its subnet's gateway (x.x.x.1) in the kernel, which zebra sees: 0.0.0.0/0 is
        // in its RIB (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview;
        // an Azure VM gets its default gateway from DHCP).
        let default_in_kernel = !env.gateways.is_empty();
        for n in &bgp.networks {
            let in_rib = self.t.statics.iter().any(|s| s.prefix == n.node)
                || connected.contains(&n.node)
                || (default_in_kernel && n.node.prefix_len() == 0);
            if import_check && !in_rib {
                if bgp.import_check.is_none() && self.cfg.version.is_none() && !self.cfg.datacenter
                {
                    self.assumed_default.get_or_insert(n.span);
                }
                let mut diag = Diagnostic::warning(
                    codes::IMPORT_CHECK,
                    format!("`network {}` is not announced: no route for it in the RIB", n.node),
                )
                .primary(n.span, "import-check keeps this prefix back")
                .help(if n.node.prefix_len() == 0 {
                    "add `ip route 0.0.0.0/0 A` with the real next hop A, or `no bgp network import-check`; never a blackhole default on a router that forwards (it drops everything without a more specific route)".to_string()
                } else {
                    format!(
                        "add `ip route {} A` with the real next hop A (`blackhole` only for a prefix this router owns and summarises), or `no bgp network import-check`",
                        n.node
                    )
                });
                diag = match &bgp.import_check {
                    Some(s) => diag.secondary(s.span, "import-check is on here"),
                    None => diag.note("`bgp network import-check` is on by default since FRR 7.4"),
                };
                self.t.diags.push(diag);
                continue;
            }
            add(self.t, n.node, n.span);
        }
        for r in &bgp.redistribute {
            match r.node {
                Redistribute::Static => {
                    // Only the installed ones (a static FRR does not install is not
                    // in the RIB to redistribute).
                    let installed: Vec<Ipv4Net> = self.t.statics.iter().map(|s| s.prefix).collect();
                    for p in installed {
                        add(self.t, p, r.span);
                    }
                }
                Redistribute::Connected => {
                    for p in &connected {
                        add(self.t, *p, r.span);
                    }
                }
            }
        }
        // After the unconditional originations: a prefix they already originate
        // stands whatever the aggregate's contributors do.
        for a in &bgp.aggregates {
            let prefix = a.node.prefix;
            // FRR 8.4's bgpd originates P (empty path; with `as-set` the contributors'
            // aggregated path) while a route for a prefix strictly inside P is in its
            // BGP table (tests/frr_facts/README.md, tests/frr_configs/aggregate-as-set).
            if !self.t.originates.iter().any(|o| o.prefix == prefix) {
                self.t.originates.push(ir::Origination {
                    prefix,
                    span: a.span,
                    requires: None,
                    aggregate: true,
                    as_set: a.node.as_set,
                });
            }
            if a.node.summary_only && prefix.prefix_len() < 32 {
                self.t.summary_only.push((prefix, a.span));
            }
        }
    }

    /// `aggregate-address P summary-only`: the prefixes strictly inside P are sent to
    /// no neighbor. While such a route is held the aggregate stands (and suppresses
    /// it); without one there is nothing to suppress, so the filter is unconditional.
    fn summary_only_policy(&mut self) -> Option<usize> {
        let first = self.t.summary_only.first().map(|(_, s)| *s)?;
        let mut rules: Vec<ir::Rule> = self
            .t
            .summary_only
            .iter()
            .map(|(p, span)| ir::Rule {
                matched: Vec::new(),
                permit: false,
                conditions: vec![Condition::Prefix(vec![PrefixRange {
                    prefix: *p,
                    ge: p.prefix_len().saturating_add(1),
                    le: 32,
                }])],
                actions: Vec::new(),
                span: *span,
            })
            .collect();
        rules.push(ir::Rule {
            matched: Vec::new(),
            permit: true,
            conditions: Vec::new(),
            actions: Vec::new(),
            span: first,
        });
        Some(self.push(ir::Policy {
            name: "aggregate-address summary-only".to_string(),
            span: first,
            rules,
        }))
    }

    // ------------------------------------------------------------ neighbors

    /// Neighbors at two addresses of one design node (Route Server's two instances,
    /// an NVA's two NICs) are one session of the model, so they must say the same
    /// thing: Azure Route Server's instances are two BGP speakers, and the VNet gets
    /// what either learned (AZURE.md §Route Server), which one session with one
    /// policy cannot represent when the two neighbors' policies differ. Differing
    /// settings are an error naming both lines (never a silent pick of one: the
    /// verdict would depend on which line comes first).
    fn same_node_settings(&mut self, neighbors: &[Neighbor]) {
        let live: Vec<(&Neighbor, Peer)> = neighbors
            .iter()
            .filter(|n| n.remote_as.is_some() && n.shutdown.is_none())
            .filter_map(|n| self.design.peer(n.addr.node).map(|p| (n, p)))
            .collect();
        for (i, (a, pa)) in live.iter().enumerate() {
            // Each later neighbor of the node is compared with the node's first one
            // (every pair that differs is reported once).
            if live.iter().take(i).any(|(_, p)| p.node == pa.node) {
                continue;
            }
            // `remote-as external`/`internal` towards this peer is the peer's ASN
            // when it is of that kind (AVS0912 otherwise): `remote-as 65515` on one
            // Route Server instance and `remote-as external` on the other agree.
            let own = self.t.asn;
            let effective = |mut s: Vec<Setting>| {
                for x in s.iter_mut().filter(|x| x.0 == "remote-as") {
                    let kind_holds = match x.1.as_str() {
                        "external" => pa.asn != own,
                        "internal" => pa.asn == own,
                        _ => false,
                    };
                    if kind_holds {
                        x.1 = pa.asn.to_string();
                    }
                }
                s
            };
            let sa = effective(settings(a));
            let ka = self.setting_keys(a, &sa);
            for (b, _) in live.iter().skip(i + 1).filter(|(_, p)| p.node == pa.node) {
                let sb = effective(settings(b));
                let kb = self.setting_keys(b, &sb);
                // Compared by what each setting does: a route-map or list by its
                // compiled rules (two names for identical maps are the same setting).
                let differ: Vec<(&Setting, &Setting)> = sa
                    .iter()
                    .zip(sb.iter())
                    .zip(ka.iter().zip(kb.iter()))
                    .filter(|(_, (x, y))| x != y)
                    .map(|(pair, _)| pair)
                    .collect();
                let Some(((name, va, spa), (_, vb, spb))) = differ.first().copied() else {
                    continue;
                };
                let names: Vec<String> = differ.iter().map(|(x, _)| format!("`{}`", x.0)).collect();
                let shown = |v: &str| {
                    if v.is_empty() {
                        "not set".to_string()
                    } else {
                        format!("`{v}`")
                    }
                };
                let what = if pa.circuit {
                    format!("the two links (MSEEs) of `{}`", pa.name)
                } else if pa.instances.len() > 1 {
                    format!("the two instances of `{}`", pa.name)
                } else {
                    format!("two addresses of `{}`", pa.name)
                };
                let why = if pa.circuit {
                    "an ExpressRoute circuit has two links, primary and secondary, each a BGP session to one MSEE, and Azure uses them as one redundant path: with two different policies the result is neither policy's (docs/frr.md; https://learn.microsoft.com/azure/expressroute/expressroute-routing)"
                } else {
                    "Azure Route Server runs two instances, each a BGP speaker, and the VNet gets the routes either learned: with two different policies the result is neither policy's (docs/frr.md; https://learn.microsoft.com/azure/route-server/route-server-faq)"
                };
                self.t.diags.push(
                    Diagnostic::error(
                        codes::INSTANCES_DIFFER,
                        format!(
                            "neighbors {} and {} ({what}) have different settings: {}",
                            a.addr.node,
                            b.addr.node,
                            names.join(", ")
                        ),
                    )
                    .primary(
                        spb.unwrap_or(b.addr.span),
                        format!("{name} is {} for {}", shown(vb), b.addr.node),
                    )
                    .secondary(
                        spa.unwrap_or(a.addr.span),
                        format!("{name} is {} for {}", shown(va), a.addr.node),
                    )
                    .help(format!(
                        "give both neighbors the same policy and settings (the same route-maps, lists and options in each direction); avscheck models {what} as one session"
                    ))
                    .note(why)
                    .note(if name.contains("-list") || name.starts_with("route-map") {
                        "route-maps and lists are compared by what they do (their entries as avscheck compiles them), not by name"
                    } else {
                        "settings are compared with FRR's defaults filled in"
                    }),
                );
            }
        }
    }

    /// What each of `n`'s settings `s` (from [`settings`]) does, for comparison: a
    /// route-map, prefix-list, filter-list or distribute-list is its compiled rules
    /// (permit, conditions, actions; not the lines they come from), every other
    /// setting its value.
    fn setting_keys(&mut self, n: &Neighbor, s: &[Setting]) -> Vec<String> {
        s.iter()
            .map(|(name, value, _)| {
                let (kind, map) = match name.split_once(' ') {
                    Some(("route-map", d)) => ("route-map", (&n.route_map, d)),
                    Some(("prefix-list", d)) => ("prefix-list", (&n.prefix_list, d)),
                    Some(("filter-list", d)) => ("as-path access-list", (&n.filter_list, d)),
                    Some(("distribute-list", d)) => ("access-list", (&n.distribute_list, d)),
                    _ => return value.clone(),
                };
                let dir = if map.1 == "in" {
                    Direction::In
                } else {
                    Direction::Out
                };
                let Some(list) = map.0.get(&dir) else {
                    return String::new();
                };
                let id = if kind == "route-map" {
                    self.route_map(list)
                } else {
                    self.list_policy(kind, list)
                };
                self.t
                    .policies
                    .get(id)
                    .map(|p| {
                        let rules: Vec<_> = p
                            .rules
                            .iter()
                            .map(|r| (r.permit, &r.conditions, &r.actions))
                            .collect();
                        format!("{rules:?}")
                    })
                    .unwrap_or_default()
            })
            .collect()
    }

    fn neighbor(&mut self, bgp: &BgpRouter, n: &Neighbor, d: &Defaults, env: &NodeEnv) {
        let Some(remote) = &n.remote_as else { return };
        let addr = n.addr.node;
        let Some(peer) = self.design.peer(addr) else {
            self.t.diags.push(
                Diagnostic::warning(
                    codes::UNKNOWN_NEIGHBOR,
                    format!("no node of the design holds the neighbor address `{addr}`"),
                )
                .primary(n.addr.span, "this session stays down")
                .help("neighbors are matched by address: an NVA's `ip`, `nic` or `public_ip`, a Route Server's `ip`, a tunnel's `inner`, an ExpressRoute circuit's MSEE (the second address of its `peering_subnet`)"),
            );
            return;
        };
        if let Some(s) = n.shutdown {
            let _ = s;
            return;
        }
        // An NVA peering some of a Route Server's instances only (Azure requires both).
        let peered: Vec<Ipv4Addr> = peer
            .instances
            .iter()
            .copied()
            .filter(|a| {
                bgp.neighbors.iter().any(|x| {
                    // A shut-down neighbor (its own line or its group's) has no
                    // session: that instance is not peered.
                    let group_shut = x
                        .peer_group
                        .as_ref()
                        .and_then(|g| bgp.peer_groups.get(&g.node))
                        .is_some_and(|g| g.shutdown.is_some());
                    x.addr.node == *a
                        && x.remote_as.is_some()
                        && x.shutdown.is_none()
                        && !group_shut
                })
            })
            .collect();
        if peer.instances.len() > 1
            && peered.len() < peer.instances.len()
            && peered.first() == Some(&addr)
        {
            let missing: Vec<String> = peer
                .instances
                .iter()
                .filter(|a| !peered.contains(a))
                .map(|a| format!("`{a}`"))
                .collect();
            self.t.diags.push(
                Diagnostic::warning(
                    codes::ONE_INSTANCE,
                    format!("`{}` is peered on {} of its {} instances", peer.name, peered.len(), peer.instances.len()),
                )
                .primary(n.addr.span, "only this instance")
                .help(format!("add a neighbor for {} (or remove its `neighbor ... shutdown`)", missing.join(", ")))
                .note("Azure Route Server runs two instances and an NVA must peer with both (docs/semantics.md §2.1; https://learn.microsoft.com/azure/route-server/route-server-faq)"),
            );
        }
        let own = bgp.asn.node;
        let (expected, ebgp) = match remote.node {
            RemoteAs::Asn(a) => (Some((a, remote.span)), a != own),
            RemoteAs::Internal => {
                if peer.asn != own {
                    self.t
                        .diags
                        .push(remote_kind(remote.span, &peer, "internal", own));
                    return;
                }
                (Some((own, remote.span)), false)
            }
            RemoteAs::External => {
                if peer.asn == own {
                    self.t
                        .diags
                        .push(remote_kind(remote.span, &peer, "external", own));
                    return;
                }
                (None, true)
            }
        };
        let (active, off_line) = n.ipv4_active();
        let requires = bgp
            .ebgp_requires_policy
            .as_ref()
            .map(|s| s.node)
            .unwrap_or(d.ebgp_requires_policy);
        let mut side = SessionSide {
            to: peer.node,
            tunnel: peer.tunnel,
            expected_asn: expected,
            import: Vec::new(),
            export: Vec::new(),
            allowas_in: n.allowas_in.as_ref().map(|a| a.node).unwrap_or(0),
            weight: n.weight.as_ref().map(|w| w.node),
            // FRR 8.4's bgpd sends 0.0.0.0/0 (path: the own AS) to the neighbor
            // whatever its RIB holds, past the outbound route-map and past
            // ebgp-requires-policy (tests/frr_facts/README.md).
            default_originate: n.default_originate,
            span: remote.span,
            down: None,
        };
        side.down = self.connected_check(bgp, n, &peer, ebgp, env);
        // A neighbor zebra does not resolve: bgpd does not open the session, but
        // accepts one the peer opens (FRR 8.4, docs/frr.md); what it then learns
        // has the neighbor's address as next hop, "inaccessible": no candidate.
        let unresolved = match side.down {
            None => self.nht_check(n, &peer, env),
            Some(_) => None,
        };
        if let Some(why) = &unresolved {
            side.down = Some(why.clone());
        }
        side.down = side.down.or_else(|| self.source_check(n, &peer, env));
        if !active {
            // Not activated for IPv4 unicast: nothing of it is sent, the default
            // route neither.
            side.default_originate = None;
            // Labelled on the line that deactivated it: its `no neighbor A activate`,
            // or the `no bgp default ipv4-unicast` in force when it was created.
            let span = off_line.unwrap_or(remote.span);
            let why = format!("neighbor {addr} is not activated for IPv4 unicast");
            side.import.push(self.deny_all(why.clone(), span));
            side.export.push(self.deny_all(why, span));
            self.t.sessions.push(side);
            return;
        }
        for dir in [Direction::In, Direction::Out] {
            let mut list = Vec::new();
            if dir == Direction::Out {
                list.extend(self.summary_only);
            }
            if ebgp && requires && !n.has_policy(dir) {
                if bgp.ebgp_requires_policy.is_none()
                    && self.cfg.version.is_none()
                    && !self.cfg.datacenter
                {
                    self.assumed_default.get_or_insert(remote.span);
                }
                let word = if dir == Direction::In {
                    "inbound"
                } else {
                    "outbound"
                };
                list.push(self.deny_all(
                    format!("ebgp-requires-policy: neighbor {addr} has no {word} policy"),
                    remote.span,
                ));
            } else {
                if let Some(x) = n.distribute_list.get(&dir) {
                    list.push(self.list_policy("access-list", x));
                }
                if let Some(x) = n.prefix_list.get(&dir) {
                    list.push(self.list_policy("prefix-list", x));
                }
                if let Some(x) = n.filter_list.get(&dir) {
                    list.push(self.list_policy("as-path access-list", x));
                }
                if let Some(x) = n.route_map.get(&dir) {
                    list.push(self.route_map(x));
                }
            }
            if dir == Direction::Out {
                let mut actions = Vec::new();
                let mut span = None;
                if let Some(s) = n.remove_private_as {
                    if ir::is_private_asn(peer.asn) {
                        // FRR keeps every occurrence of the peer's own ASN (to break
                        // loops); the model's removal takes every private ASN.
                        self.t.diags.push(
                            Diagnostic::error(
                                codes::UNSUPPORTED,
                                format!("`remove-private-AS all` towards a private AS (AS{}) is not supported", peer.asn),
                            )
                            .primary(s, "FRR keeps the peer's own ASN in the path")
                            .help("supported towards peers with a public ASN"),
                        );
                    } else {
                        actions.push(Action::RemovePrivateAs);
                        span = Some(s);
                    }
                }
                if let Some(s) = n.as_override {
                    actions.push(Action::ReplaceAs(vec![peer.asn]));
                    span = span.or(Some(s));
                }
                if let Some(s) = n.next_hop_self {
                    actions.push(Action::SetNextHopSelf);
                    span = span.or(Some(s));
                }
                if let Some(s) = n.send_community.filter(|s| !s.node) {
                    // `no neighbor A send-community`: FRR strips the standard
                    // communities from every update to A, after the outbound policy
                    // (bgp_packet_attribute: COMMUNITIES only with the flag set).
                    actions.extend(self.design.all_tags().into_iter().map(Action::RemoveTag));
                    span = span.or(Some(s.span));
                }
                if let Some(span) = span {
                    let p = self.push(ir::Policy {
                        name: format!("neighbor {addr} outbound settings"),
                        span,
                        rules: vec![ir::Rule {
                            matched: Vec::new(),
                            permit: true,
                            conditions: Vec::new(),
                            actions,
                            span,
                        }],
                    });
                    list.push(p);
                }
                side.export = list;
            } else {
                if let Some(why) = &unresolved {
                    list.insert(0, self.deny_all(why.clone(), remote.span));
                }
                side.import = list;
            }
        }
        self.t.sessions.push(side);
    }

    /// FRR starts a single-hop eBGP session (TTL 1: no `ebgp-multihop` above 1, no
    /// `ttl-security`) only to a neighbor in a connected subnet, unless
    /// `disable-connected-check` (or `bgp disable-ebgp-connected-route-check`) says
    /// otherwise: bgpd/bgp_fsm.c `bgp_start` registers the neighbor with next-hop
    /// tracking as "connected" and waits ("Waiting for NHT, no path to neighbor
    /// present"). Checked with FRR 8.4's bgpd and zebra (docs/frr.md). The node's
    /// connected subnets are its NIC subnets and its `interface` addresses; a
    /// tunnel's inner subnet and an ExpressRoute peering /30 are connected too. Only
    /// for a node whose subnets the design gives (an Azure NIC): a `site` or
    /// `router` has no interfaces in the `.avs`, so nothing is assumed about them.
    fn connected_check(
        &mut self,
        bgp: &BgpRouter,
        n: &Neighbor,
        peer: &Peer,
        ebgp: bool,
        env: &NodeEnv,
    ) -> Option<String> {
        if !ebgp || env.connected.is_empty() {
            return None;
        }
        let multihop = n.ebgp_multihop.is_some_and(|h| h.node > 1);
        if multihop
            || n.ttl_security.is_some()
            || n.disable_connected_check.is_some()
            || bgp.disable_connected_route_check.is_some()
        {
            return None;
        }
        let addr = n.addr.node;
        let connected = peer.tunnel.is_some()
            || peer.circuit
            || env.connected.iter().any(|c| c.contains(&addr))
            || self
                .cfg
                .interface_addresses
                .iter()
                .any(|c| c.node.contains(&addr));
        if connected {
            return None;
        }
        let subnets: Vec<String> = env.connected.iter().map(|c| format!("`{c}`")).collect();
        let span = n.remote_as.map_or(n.addr.span, |r| r.span);
        let mut diag = Diagnostic::error(
            codes::NOT_CONNECTED,
            format!(
                "eBGP neighbor {addr} (`{}`) is not in a connected subnet: FRR does not start this single-hop session",
                peer.name
            ),
        )
        .primary(span, "FRR never opens this session: it stays down")
        .note(format!(
            "an eBGP session is single-hop (TTL 1) unless `ebgp-multihop` says otherwise, and FRR opens it only towards an address in a connected subnet (here {}); {addr} is outside them (bgpd waits: \"Waiting for NHT\"). Only a peer that opens the session itself (another FRR with `ebgp-multihop`) brings it up; Route Server is taken not to",
            subnets.join(", ")
        ))
        .help(format!(
            "add `neighbor {addr} ebgp-multihop 2` (as Microsoft's Route Server documentation configures its peers), or `neighbor {addr} disable-connected-check` if the peer is one hop away"
        ));
        if let Some(h) = n.ebgp_multihop {
            diag = diag.secondary(h.span, "`ebgp-multihop 1` keeps the session single-hop");
        }
        self.t.diags.push(diag);
        Some(format!(
            "FRR does not start the single-hop eBGP session to {addr}: it is outside the node's connected subnets (no `ebgp-multihop`)"
        ))
    }

    /// Next-hop tracking of the neighbor address (super::nht): a session zebra does
    /// not resolve, or resolves into a blackhole, stays down.
    fn nht_check(&mut self, n: &Neighbor, peer: &Peer, env: &NodeEnv) -> Option<String> {
        let Some((diag, why)) = super::nht::check(self.cfg, &self.t.statics, n, peer, env) else {
            let warned = self.t.diags.iter().any(|d| {
                d.code == codes::UNMODELED && d.message.starts_with("next hops of the routes")
            });
            if !warned {
                if let Some(w) =
                    super::nht::learned_next_hops(self.cfg, &self.t.statics, n, peer, env)
                {
                    self.t.diags.push(w);
                }
            }
            return None;
        };
        self.t.diags.push(diag);
        Some(why)
    }

    /// `neighbor A update-source X`: the session's packets leave from X. An address
    /// the node does not hold (neither an `ip`/`nic` of the design nor its `inner`
    /// address of a tunnel) is drift between the configuration and the design, and
    /// bgpd cannot open the session from it; an address the node holds but the peer
    /// does not peer with (Route Server peers with the NVA's `ip`) is refused by the
    /// peer. Either way the session stays down.
    fn source_check(&mut self, n: &Neighbor, peer: &Peer, env: &NodeEnv) -> Option<String> {
        let src = n.update_source.as_ref()?;
        let addr = n.addr.node;
        let super::ast::UpdateSource::Addr(a) = src.node else {
            self.t.diags.push(
                Diagnostic::warning(
                    codes::UNMODELED,
                    "`update-source` names an interface: the design does not say which address it holds",
                )
                .primary(src.span, "not modeled by avscheck")
                .note(format!("the model assumes the session to {addr} leaves from the address `{}` peers with", peer.name))
                .help(format!("write the address (`neighbor {addr} update-source A`), so avscheck can check it against the design")),
            );
            return None;
        };
        let held =
            env.addresses.iter().any(|(x, _)| *x == a) || env.inner.iter().any(|(_, x, _)| *x == a);
        if !held {
            let mut diag = Diagnostic::error(
                codes::UPDATE_SOURCE,
                format!("the session to {addr} is sourced from `{a}`, an address the design does not give this node"),
            )
            .primary(src.span, "the configuration says the node sends from this address")
            .note(format!(
                "bgpd cannot open the session from an address the machine does not hold, and `{}` accepts it only from the address it peers with: the session stays down",
                peer.name
            ))
            .help(format!(
                "make `update-source` an address the node holds (its `ip`/`nic`, or its tunnel `inner` address), or remove the line (bgpd then sends from the interface towards {addr})"
            ));
            if let Some((_, s)) = env.addresses.first() {
                diag = diag.secondary(*s, "the design gives the node this address");
            }
            self.t.diags.push(diag);
            return Some(format!(
                "the session to {addr} is sourced from `{a}`, which the node does not hold"
            ));
        }
        let expected: Option<(Vec<Ipv4Addr>, Span)> = match peer.tunnel {
            // Over a tunnel the peer peers with this node's inner address.
            Some(t) => env
                .inner
                .iter()
                .find(|(x, _, _)| *x == t)
                .map(|(_, x, s)| (vec![*x], *s)),
            None => self.design.peered_at(peer.node),
        };
        let (expected, at) = expected?;
        if expected.is_empty() || expected.contains(&a) {
            return None;
        }
        let shown: Vec<String> = expected.iter().map(|x| format!("`{x}`")).collect();
        self.t.diags.push(
            Diagnostic::error(
                codes::UPDATE_SOURCE,
                format!(
                    "the session to {addr} is sourced from `{a}`, but `{}` peers with {}",
                    peer.name,
                    shown.join(", ")
                ),
            )
            .primary(src.span, "the peer sees the session coming from this address")
            .secondary(at, format!("`{}` peers with this address", peer.name))
            .note("a BGP speaker accepts a session only from the address it is configured to peer with (Route Server peers with the NVA's `ip`): the session stays down")
            .help(format!("use `neighbor {addr} update-source {}`, or remove the line", expected.first().copied().unwrap_or(a))),
        );
        Some(format!(
            "the session to {addr} is sourced from `{a}`; `{}` peers with {}",
            peer.name,
            shown.join(", ")
        ))
    }

    // ------------------------------------------------------------ lists and maps

    fn undefined(&mut self, kind: &str, name: &Spanned<String>, effect: &str) {
        self.t.diags.push(
            Diagnostic::warning(
                codes::UNDEFINED_LIST,
                format!("{kind} `{}` is not defined", name.node),
            )
            .primary(name.span, effect.to_string())
            .note(format!(
                "FRR treats a reference to a missing {kind} this way"
            )),
        );
    }

    /// A neighbor's `prefix-list`/`filter-list`/`distribute-list` as a policy.
    fn list_policy(&mut self, kind: &'static str, name: &Spanned<String>) -> usize {
        if let Some(i) = self.compiled.get(&(kind, name.node.clone())) {
            return *i;
        }
        let filter = match kind {
            // FRR's `prefix_list_apply`: a list without entries (only its
            // `description` line) permits every prefix when a neighbor filters with
            // it (as a route-map match it still matches nothing: tests/frr_config.rs
            // `an_empty_prefix_list_permits_as_a_neighbor_filter_only`).
            "prefix-list" => self.cfg.prefix_lists.get(&name.node).map(|l| {
                let mut f = prefix_filter(l);
                if f.entries.is_empty() {
                    f.entries.push((true, Vec::new(), l.span));
                }
                f
            }),
            "access-list" => self.cfg.access_lists.get(&name.node).map(access_filter),
            _ => self
                .cfg
                .as_path_lists
                .get(&name.node)
                .map(|l| self.as_path_filter(l)),
        };
        let (rules, span) = match filter {
            Some(f) => (
                f.entries
                    .into_iter()
                    .map(|(permit, conditions, span)| ir::Rule {
                        matched: Vec::new(),
                        permit,
                        conditions,
                        actions: Vec::new(),
                        span,
                    })
                    .collect(),
                f.span,
            ),
            None => {
                self.undefined(kind, name, "every route is denied");
                (Vec::new(), name.span)
            }
        };
        let i = self.push(ir::Policy {
            name: format!("{kind} {}", name.node),
            span,
            rules,
        });
        self.compiled.insert((kind, name.node.clone()), i);
        i
    }

    fn as_path_filter(&mut self, l: &FilterList<super::ast::AsPathEntry>) -> Filter {
        let mut f = Filter {
            entries: Vec::new(),
            span: l.span,
        };
        for e in l.entries.values() {
            match regex(&e.item.regex.node) {
                Some(atom) => f.entries.push((e.permit, atom, e.span)),
                None => self.t.diags.push(
                    Diagnostic::error(
                        codes::REGEX,
                        format!("as-path regular expression `{}` is not supported", e.item.regex.node),
                    )
                    .primary(e.item.regex.span, "outside the supported subset")
                    .help("supported: `_N_` (contains N), `^N$`, `^$`, `.*`, `^[0-9]+( [0-9]+)*$` (a length) and the same without `$` (at least that length)")
                    .note("the design is not analysed (exit status 2): a verdict without this entry would be about a different list"),
                ),
            }
        }
        f
    }

    fn community_filter(&mut self, l: &FilterList<Vec<(u16, u16)>>) -> Filter {
        let entries = l
            .entries
            .values()
            .map(|e| {
                // FRR's `community_list_match`: an entry holding `internet` (0:0)
                // matches every route, whatever communities it carries (none too).
                let atom = if e.item.contains(&INTERNET) {
                    Vec::new()
                } else {
                    e.item
                        .iter()
                        .map(|c| Condition::Tag(self.design.tag(*c)))
                        .collect()
                };
                (e.permit, atom, e.span)
            })
            .collect();
        Filter {
            entries,
            span: l.span,
        }
    }

    /// A route-map compiled into a policy (an undefined map denies everything).
    fn route_map(&mut self, name: &Spanned<String>) -> usize {
        if let Some(i) = self.compiled.get(&("route-map", name.node.clone())) {
            return *i;
        }
        let Some(map) = self.cfg.route_maps.get(&name.node) else {
            self.undefined("route-map", name, "every route is denied");
            let i = self.deny_all(format!("route-map {}", name.node), name.span);
            self.compiled.insert(("route-map", name.node.clone()), i);
            return i;
        };
        let mut entries = Vec::new();
        for e in map.entries.values() {
            entries.push(self.entry(e));
        }
        self.check_continue(&entries);
        let mut c = Compiler {
            entries: &entries,
            rules: Vec::new(),
            end_span: map.span,
            overflow: false,
        };
        c.from(0, Vec::new(), Vec::new(), false, None, Vec::new());
        if c.overflow {
            self.t.diags.push(
                Diagnostic::error(
                    codes::TOO_COMPLEX,
                    format!("route-map `{}` is too complex to compile", name.node),
                )
                .primary(map.span, format!("more than {MAX_RULES} cases"))
                .note("deny entries in the lists its entries match on multiply the cases"),
            );
        }
        let rules = if c.overflow { Vec::new() } else { c.rules };
        let i = self.push(ir::Policy {
            name: format!("route-map {}", name.node),
            span: map.span,
            rules,
        });
        self.compiled.insert(("route-map", name.node.clone()), i);
        i
    }

    fn entry(&mut self, e: &RouteMapEntry) -> CEntry {
        let mut filters = Vec::new();
        for m in &e.matches {
            let (kind, name) = match &m.node {
                Match::PrefixList(n) => ("prefix-list", n),
                Match::AccessList(n) => ("access-list", n),
                Match::AsPath(n) => ("as-path access-list", n),
                Match::Community(n) => ("community-list", n),
            };
            let f = match &m.node {
                Match::PrefixList(n) => self.cfg.prefix_lists.get(n).map(prefix_filter),
                Match::AccessList(n) => self.cfg.access_lists.get(n).map(access_filter),
                Match::AsPath(n) => self
                    .cfg
                    .as_path_lists
                    .get(n)
                    .map(|l| self.as_path_filter(l)),
                Match::Community(n) => self
                    .cfg
                    .community_lists
                    .get(n)
                    .map(|l| self.community_filter(l)),
            };
            let f = match f {
                Some(f) => f,
                None => {
                    // FRR: a match on a missing list does not match.
                    self.undefined(
                        kind,
                        &Spanned::new(name.clone(), m.span),
                        "this entry never matches",
                    );
                    Filter {
                        entries: Vec::new(),
                        span: m.span,
                    }
                }
            };
            filters.push(f);
        }
        let mut actions = Vec::new();
        let has = |f: fn(&Set) -> bool| e.sets.iter().any(|s| f(&s.node));
        if has(|s| matches!(s, Set::Prepend(_))) && has(|s| matches!(s, Set::Exclude(_))) {
            self.t.diags.push(
                Diagnostic::error(
                    codes::UNSUPPORTED,
                    "`set as-path prepend` and `set as-path exclude` in one entry are not supported",
                )
                .primary(e.span, "FRR applies them in its own order")
                .help("put them in two entries joined by `on-match next`"),
            );
        }
        for s in &e.sets {
            match &s.node {
                Set::LocalPref(n) => actions.push(Action::SetLocalPref(*n)),
                Set::Metric(n) => actions.push(Action::SetMed(*n)),
                Set::Prepend(l) => {
                    for a in l.iter().rev() {
                        actions.push(Action::Prepend(*a, 1));
                    }
                }
                Set::Exclude(l) => actions.push(Action::RemoveAs(l.clone())),
                Set::Community {
                    communities,
                    additive,
                } => {
                    if !*additive {
                        // Replace: every community the route may carry goes first.
                        for t in self.design.all_tags() {
                            actions.push(Action::RemoveTag(t));
                        }
                    }
                    for c in communities {
                        actions.push(Action::AddTag(self.design.tag(*c)));
                    }
                }
                Set::CommListDelete(n) => match self.cfg.community_lists.get(n) {
                    Some(list) => {
                        for t in self.comm_list_deletes(list) {
                            actions.push(Action::RemoveTag(t));
                        }
                    }
                    None => self.undefined(
                        "community-list",
                        &Spanned::new(n.clone(), s.span),
                        "deletes nothing",
                    ),
                },
                Set::NextHop(a) => actions.push(Action::SetNextHop(*a)),
                // On export the route keeps the next hop it arrived with (FRR's
                // third-party next hop, also over eBGP): tests/frr_configs/next-hop-*.
                Set::NextHopUnchanged => actions.push(Action::SetNextHopUnchanged),
            }
        }
        CEntry {
            permit: e.permit,
            seq: e.seq,
            span: e.span,
            filters,
            actions,
            exit: e.exit.as_ref().map(|x| x.node),
            sets: e.sets.iter().map(|s| s.node.clone()).collect(),
            matches: e.matches.iter().map(|m| m.node.clone()).collect(),
            exit_span: e.exit.as_ref().map(|x| x.span),
        }
    }

    /// The tags `set comm-list NAME delete` removes, as FRR's
    /// `community_list_match_delete` decides: each community the route carries
    /// separately, by the first entry that names it or holds `internet` (which every
    /// community matches); a permit entry deletes it, a deny entry keeps it, none
    /// keeps it. The communities a route can carry are the design's tags with a
    /// community value (`Design::all_tags`).
    fn comm_list_deletes(&mut self, list: &FilterList<Vec<(u16, u16)>>) -> Vec<TagId> {
        let mut out = Vec::new();
        for t in self.design.all_tags() {
            let Some(c) = self.design.tag_community(t) else {
                continue;
            };
            let first = list
                .entries
                .values()
                .find(|e| e.item.contains(&c) || e.item.contains(&INTERNET));
            if first.is_some_and(|e| e.permit) {
                out.push(t);
            }
        }
        out
    }

    /// `on-match next`/`continue` evaluate later entries on the route as modified;
    /// the compiled form evaluates them on the route as received, which is the same
    /// unless a later entry matches on something an earlier one set.
    fn check_continue(&mut self, entries: &[CEntry]) {
        for (i, e) in entries.iter().enumerate() {
            let (Some(_), Some(xspan)) = (e.exit, e.exit_span) else {
                continue;
            };
            let sets_comm = e
                .sets
                .iter()
                .any(|s| matches!(s, Set::Community { .. } | Set::CommListDelete(_)));
            let sets_path = e
                .sets
                .iter()
                .any(|s| matches!(s, Set::Prepend(_) | Set::Exclude(_)));
            let later_reads = entries.iter().skip(i + 1).any(|l| {
                l.matches.iter().any(|m| match m {
                    Match::Community(_) => sets_comm,
                    Match::AsPath(_) => sets_path,
                    _ => false,
                })
            });
            if later_reads {
                self.t.diags.push(
                    Diagnostic::error(
                        codes::CONTINUE_READS_SET,
                        "a later entry matches on an attribute this entry sets before continuing",
                    )
                    .primary(xspan, "continues with the modified route")
                    .secondary(e.span, "sets it here")
                    .note("not supported: avscheck evaluates the later entries' matches on the route as received"),
                );
            }
        }
    }
}

fn remote_kind(span: Span, peer: &Peer, kind: &str, own: u32) -> Diagnostic {
    Diagnostic::error(
        codes::REMOTE_AS_KIND,
        format!("`remote-as {kind}` but `{}` is AS{}", peer.name, peer.asn),
    )
    .primary(span, format!("this router is AS{own}"))
    .note("the session is down: BGP refuses an OPEN from an unexpected AS")
}

/// A prefix-list entry's range, FRR's way: exact unless `ge`/`le`; `ge G` alone is
/// G..=32, `le L` alone is len..=L.
pub fn prefix_range(e: &super::ast::PrefixEntry) -> PrefixRange {
    let len = e.prefix.prefix_len();
    let (ge, le) = match (e.ge, e.le) {
        (None, None) => (len, len),
        (Some(g), None) => (g, 32),
        (None, Some(l)) => (len, l),
        (Some(g), Some(l)) => (g, l),
    };
    PrefixRange {
        prefix: e.prefix,
        ge,
        le,
    }
}

fn prefix_filter(l: &FilterList<super::ast::PrefixEntry>) -> Filter {
    Filter {
        entries: l
            .entries
            .values()
            .map(|e| {
                (
                    e.permit,
                    vec![Condition::Prefix(vec![prefix_range(&e.item)])],
                    e.span,
                )
            })
            .collect(),
        span: l.span,
    }
}

/// A standard access-list entry as prefix ranges. `A W` matches a route whose
/// network address lies in A/len: every prefix inside A/len, and the shorter
/// prefixes A/k whose network address is A.
fn access_ranges(e: &AccessEntry) -> Option<Vec<PrefixRange>> {
    match *e {
        AccessEntry::Any => None,
        AccessEntry::Prefix { prefix, exact } => Some(vec![PrefixRange {
            prefix,
            ge: prefix.prefix_len(),
            le: if exact { prefix.prefix_len() } else { 32 },
        }]),
        AccessEntry::Address(net) => {
            let l = net.prefix_len();
            let mut out = vec![PrefixRange {
                prefix: net,
                ge: l,
                le: 32,
            }];
            for k in 0..l {
                if let Ok(p) = Ipv4Net::new(net.network(), k) {
                    if p.trunc().network() == net.network() {
                        out.push(PrefixRange {
                            prefix: p.trunc(),
                            ge: k,
                            le: k,
                        });
                    }
                }
            }
            Some(out)
        }
    }
}

fn access_filter(l: &FilterList<AccessEntry>) -> Filter {
    Filter {
        entries: l
            .entries
            .values()
            .map(|e| {
                let atom = match access_ranges(&e.item) {
                    None => Vec::new(),
                    Some(r) => vec![Condition::Prefix(r)],
                };
                (e.permit, atom, e.span)
            })
            .collect(),
        span: l.span,
    }
}

/// The as-path regular expressions that say "contains N", "is exactly [N]", or
/// something about the path's length; `None` for anything else.
pub fn regex(re: &str) -> Option<Atom> {
    let re = re.trim();
    if re == ".*" || re == "^.*$" || re == ".*.*" {
        return Some(Vec::new());
    }
    if re == "^$" {
        // The printed path is empty: no ASN, no AS_SET.
        return Some(vec![Condition::AsPathLength(CmpOp::Eq, 0)]);
    }
    let core = re.trim_start_matches(".*").trim_end_matches(".*");
    if let Some(n) = core.strip_prefix('_').and_then(|s| s.strip_suffix('_')) {
        return n
            .parse::<u32>()
            .ok()
            .map(|n| vec![Condition::AsPathContains(n)]);
    }
    if let Some(n) = re.strip_prefix('^').and_then(|s| s.strip_suffix('$')) {
        if let Ok(n) = n.parse::<u32>() {
            // The printed path is exactly `N`: a one-ASN sequence, no AS_SET
            // (`{N}` does not match).
            return Some(vec![
                Condition::NoAsSet,
                Condition::AsSequenceLength(CmpOp::Eq, 1),
                Condition::AsPathContains(n),
            ]);
        }
    }
    // ^[0-9]+( [0-9]+){k-1}[$]: a length.
    let body = re.strip_prefix('^')?;
    let (body, exact) = match body.strip_suffix('$') {
        Some(b) => (b, true),
        None => (body, false),
    };
    let mut k = 0u32;
    let mut rest = body;
    while !rest.is_empty() {
        let next = if k == 0 {
            rest.strip_prefix("[0-9]+")
        } else {
            rest.strip_prefix(" [0-9]+")
        }?;
        rest = next;
        k += 1;
    }
    if k == 0 {
        return None;
    }
    // FRR matches the printed path (`65001 65002 {65003,65004}`: the sequence, then
    // the AS_SET in braces); `[0-9]+` matches no part of the set, so the atoms count
    // sequence ASNs, and with `$` the path must end after them (no AS_SET).
    Some(if exact {
        vec![
            Condition::NoAsSet,
            Condition::AsSequenceLength(CmpOp::Eq, k),
        ]
    } else {
        vec![Condition::AsSequenceLength(CmpOp::Ge, k)]
    })
}

/// A route-map entry, compiled.
struct CEntry {
    permit: bool,
    seq: u32,
    span: Span,
    filters: Vec<Filter>,
    actions: Vec<Action>,
    exit: Option<Exit>,
    exit_span: Option<Span>,
    sets: Vec<Set>,
    matches: Vec<Match>,
}

/// Case splitting of a route-map into first-match rules (module docs).
struct Compiler<'e> {
    entries: &'e [CEntry],
    rules: Vec<ir::Rule>,
    /// The route-map's first line: the label of its implicit deny.
    end_span: Span,
    overflow: bool,
}

impl Compiler<'_> {
    fn emit(
        &mut self,
        permit: bool,
        conditions: Atom,
        actions: Vec<Action>,
        span: Span,
        matched: Vec<Span>,
    ) {
        if self.rules.len() >= MAX_RULES {
            self.overflow = true;
            return;
        }
        self.rules.push(ir::Rule {
            matched,
            permit,
            conditions,
            actions,
            span,
        });
    }

    /// Every route satisfying `cx` (and no earlier rule), from entry `idx` on.
    /// `matched`: the result so far is "permit" (a permit entry with `on-match next`
    /// matched and no entry failed to match since; FRR then permits when the map
    /// ends). `why`: the line that sent the route on. `seen`: the list entries that
    /// matched in the entries that matched so far ([`ir::Rule::matched`]).
    fn from(
        &mut self,
        idx: usize,
        cx: Atom,
        acc: Vec<Action>,
        matched: bool,
        why: Option<Span>,
        seen: Vec<Span>,
    ) {
        if self.overflow {
            return;
        }
        if idx >= self.entries.len() {
            let span = why.unwrap_or(self.end_span);
            let (acc, seen) = if matched {
                (acc, seen)
            } else {
                (Vec::new(), Vec::new())
            };
            self.emit(matched, cx, acc, span, seen);
            return;
        }
        let start = seen.len();
        self.entry(idx, 0, cx, acc, seen, start);
    }

    /// Filter `f` of entry `idx`; `seen[..start]`: what matched before this entry.
    fn entry(
        &mut self,
        idx: usize,
        f: usize,
        cx: Atom,
        acc: Vec<Action>,
        seen: Vec<Span>,
        start: usize,
    ) {
        if self.overflow {
            return;
        }
        let Some(e) = self.entries.get(idx) else {
            return;
        };
        let Some(filter) = e.filters.get(f) else {
            // Every match holds.
            if !e.permit {
                self.emit(false, cx, Vec::new(), e.span, seen);
                return;
            }
            let mut acc = acc;
            acc.extend(e.actions.iter().cloned());
            match e.exit {
                None => self.emit(true, cx, acc, e.span, seen),
                Some(Exit::Next) => self.from(idx + 1, cx, acc, true, Some(e.span), seen),
                Some(Exit::Goto(n)) => {
                    let next = self
                        .entries
                        .iter()
                        .position(|x| x.seq >= n && x.seq > e.seq)
                        .unwrap_or(self.entries.len());
                    self.from(next, cx, acc, true, Some(e.span), seen);
                }
            }
            return;
        };
        let entries = filter.entries.clone();
        let list_span = filter.span;
        let before: Vec<Span> = seen.iter().take(start).copied().collect();
        for (permit, atom, span) in entries {
            let mut c2 = cx.clone();
            c2.extend(atom);
            if permit {
                let mut s2 = seen.clone();
                s2.push(span);
                self.entry(idx, f + 1, c2, acc.clone(), s2, start);
            } else {
                self.from(idx + 1, c2, acc.clone(), false, Some(span), before.clone());
            }
        }
        // No entry of the list matched: the list denies, this entry does not match.
        // An entry that does not match makes the result "deny" even after an
        // `on-match next` (FRR's route_map_apply_ext: RMAP_NOMATCH sets DENYMATCH),
        // until a later permit entry matches.
        self.from(idx + 1, cx, acc, false, Some(list_span), before);
    }
}
