//! Nodes whose BGP comes from an FRR configuration (`config "PATH"`): their ASN,
//! router id, originations, static routes, compiled route-maps and session sides,
//! from `crate::frr::translate`. Neighbors are matched to design nodes by address
//! (LANGUAGE.md §2.4): an NVA's `ip` and `nic` addresses and `public_ip`, a Route
//! Server's `ip` (one per instance), a tunnel's `inner` addresses (the session then
//! runs over the tunnel).

use super::policies::tag_id;
use super::Ctx;
use crate::frr::translate::{self, NodeEnv, Peer};
use crate::ir::{NodeId, PolicyId, StaticRoute, TagId, TunnelId};
use crate::sema::model::Value;
use crate::span::Span;
use crate::syntax::ast;
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

/// A session side declared by a configuration's `neighbor`.
#[derive(Clone, Debug)]
pub(crate) struct ConfigSide {
    pub from: NodeId,
    pub to: NodeId,
    pub tunnel: Option<TunnelId>,
    pub expected_asn: Option<(u32, Span)>,
    pub import: Vec<PolicyId>,
    pub export: Vec<PolicyId>,
    pub allowas_in: u8,
    pub weight: Option<u32>,
    /// `neighbor A default-originate`.
    pub default_originate: Option<Span>,
    pub span: Span,
    /// Why FRR never establishes the session ([`translate::SessionSide::down`]).
    pub down: Option<String>,
}

/// Addresses of the design's nodes.
struct Book {
    /// address → node.
    nodes: BTreeMap<Ipv4Addr, NodeId>,
    /// node → every address it peers from (Route Server: its instances).
    instances: BTreeMap<NodeId, Vec<Ipv4Addr>>,
    /// (tunnel, the end holding the address, the other end, the address, the
    /// `inner` line).
    inner: Vec<(TunnelId, NodeId, NodeId, Ipv4Addr, Span)>,
    /// ExpressRoute circuits (their addresses are their links' MSEEs).
    circuits: BTreeSet<NodeId>,
}

fn addresses(ctx: &Ctx) -> Book {
    let mut book = Book {
        nodes: BTreeMap::new(),
        instances: BTreeMap::new(),
        inner: Vec::new(),
        circuits: BTreeSet::new(),
    };
    for c in &ctx.design.components {
        let Some(&id) = ctx.node_ids.get(&c.name.node) else {
            continue;
        };
        for key in ["ip", "nic", "public_ip"] {
            for line in c.all(key) {
                if let Some(a) = line.first().and_then(|v| v.node.as_address()) {
                    book.nodes.entry(a).or_insert(id);
                    if key == "ip" {
                        book.instances.entry(id).or_default().push(a);
                    }
                }
            }
        }
    }
    // An ExpressRoute circuit answers on its MSEE's address of each private peering
    // /30: the subnet's second usable address (the first is the customer edge's).
    for c in ctx
        .design
        .components
        .iter()
        .filter(|c| c.kind == "er_circuit")
    {
        let Some(&id) = ctx.node_ids.get(&c.name.node) else {
            continue;
        };
        for line in c.all("peering_subnet") {
            if let Some(p) = line.first().and_then(|v| v.node.as_prefix()) {
                if let Some(msee) = msee_address(p) {
                    book.nodes.entry(msee).or_insert(id);
                    book.circuits.insert(id);
                }
            }
        }
    }
    for c in ctx.design.components.iter().filter(|c| c.kind == "tunnel") {
        let (Some(&t), Some(line)) = (ctx.tunnel_ids.get(&c.name.node), c.get("inner")) else {
            continue;
        };
        let tun = &ctx.net.tunnels[t];
        let addrs: Vec<Ipv4Addr> = line
            .positional
            .iter()
            .filter_map(|v| v.node.as_address())
            .collect();
        if let (Some(&a), Some(&b)) = (addrs.first(), addrs.get(1)) {
            // (tunnel, the end holding the address, the other end, address)
            book.inner.push((t, tun.a, tun.b, a, line.span));
            book.inner.push((t, tun.b, tun.a, b, line.span));
        }
    }
    book
}

/// The MSEE's address in an ExpressRoute private peering subnet `p` (a /30: "the
/// first usable IP address for your router, the second for Microsoft's",
/// expressroute/expressroute-howto-routing-portal-resource-manager.md): the network
/// address + 2. `None` for a subnet with fewer than two usable addresses (/31, /32).
pub(crate) fn msee_address(p: Ipv4Net) -> Option<Ipv4Addr> {
    if p.prefix_len() > 30 {
        return None;
    }
    let n = u32::from(p.trunc().network()).checked_add(2)?;
    Some(Ipv4Addr::from(n))
}

struct Lookup<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    book: &'c Book,
    me: NodeId,
}

impl translate::Design for Lookup<'_, '_> {
    fn peer(&self, addr: Ipv4Addr) -> Option<Peer> {
        let net = &self.ctx.net;
        // A tunnel's inner address of the far end, on a tunnel this node terminates.
        if let Some((t, holder, _, _, _)) =
            self.book.inner.iter().find(|(_, holder, other, a, _)| {
                *a == addr && *other == self.me && *holder != self.me
            })
        {
            let n = net.nodes.get(*holder)?;
            return Some(Peer {
                node: *holder,
                name: n.name.clone(),
                asn: n.asn,
                tunnel: Some(*t),
                instances: vec![addr],
                circuit: false,
            });
        }
        let id = *self.book.nodes.get(&addr)?;
        let n = net.nodes.get(id)?;
        Some(Peer {
            node: id,
            name: n.name.clone(),
            asn: n.asn,
            tunnel: None,
            instances: self.book.instances.get(&id).cloned().unwrap_or_default(),
            circuit: self.book.circuits.contains(&id),
        })
    }
    fn node_at(&self, addr: Ipv4Addr) -> Option<NodeId> {
        self.book.nodes.get(&addr).copied()
    }
    fn tag(&mut self, c: (u16, u16)) -> TagId {
        tag_id(self.ctx, &ast::TagValue::Community(c.0, c.1))
    }
    fn all_tags(&self) -> Vec<TagId> {
        self.ctx.net.tags.ids().collect()
    }
    fn peered_at(&self, peer: NodeId) -> Option<(Vec<Ipv4Addr>, Span)> {
        let net = &self.ctx.net;
        let p = net.nodes.get(peer)?;
        // A peer with a configuration: its `neighbor` addresses naming this node.
        if let Some(loaded) = self.ctx.design.configs.get(&p.name) {
            let bgp = loaded.config.bgp.as_ref()?;
            let mine: Vec<_> = bgp
                .neighbors
                .iter()
                .filter(|n| self.book.nodes.get(&n.addr.node) == Some(&self.me))
                .collect();
            let span = mine.first()?.addr.span;
            return Some((mine.iter().map(|n| n.addr.node).collect(), span));
        }
        // Route Server peers with the NVA's `ip` (its peering is set up with the
        // NVA's IP address: route-server/quickstart-configure-route-server-portal.md).
        let route_server = p
            .behaviours
            .programs
            .is_some_and(|x| x.how == crate::ir::ProgramAs::Appliance);
        if !route_server {
            return None;
        }
        let me = self.ctx.component(&net.nodes.get(self.me)?.name)?;
        let line = me.get("ip")?;
        let addrs = self
            .book
            .instances
            .get(&self.me)
            .cloned()
            .unwrap_or_default();
        Some((addrs, line.span))
    }

    fn tag_community(&self, tag: TagId) -> Option<(u16, u16)> {
        self.ctx.net.tags.get(tag).and_then(|t| t.community)
    }
}

/// The NIC subnets of a node: connected routes, and Azure's gateway in each.
fn env(ctx: &Ctx, name: &str) -> NodeEnv {
    let mut e = NodeEnv::default();
    let Some(c) = ctx.component(name) else {
        return e;
    };
    for key in ["ip", "nic"] {
        for line in c.all(key) {
            if let Some(v) = line.first() {
                if let Some(a) = v.node.as_address() {
                    e.addresses.push((a, v.span));
                }
            }
        }
    }
    let mut subnets: Vec<&str> = Vec::new();
    if let Some(s) = c
        .get("subnet")
        .and_then(|l| l.first())
        .and_then(|v| v.node.as_ref_name())
    {
        subnets.push(s);
    }
    for l in c.all("nic") {
        if let Some(s) = l.option("subnet").and_then(|v| v.node.as_ref_name()) {
            subnets.push(s);
        }
    }
    for s in subnets {
        let prefix = ctx
            .subnet_ids
            .get(s)
            .and_then(|id| ctx.net.subnets.get(*id))
            .and_then(|s| s.address);
        if let Some(p) = prefix {
            e.connected.push(p);
            e.gateways.push(first_host(p));
        }
    }
    e
}

/// Azure's default gateway in a subnet: its first host address (x.x.x.1).
fn first_host(p: Ipv4Net) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(p.network()).saturating_add(1))
}

/// Applies every configuration to its node, and records its session sides.
pub(crate) fn apply(ctx: &mut Ctx) {
    let design = ctx.design;
    // First every configured node's ASN and router id: sessions read the peer's.
    for (name, loaded) in &design.configs {
        let Some(&id) = ctx.node_ids.get(name) else {
            continue;
        };
        match translate::identity(&loaded.config, loaded.line) {
            Ok((asn, rid)) => {
                let node = &mut ctx.net.nodes[id];
                node.asn = asn;
                if let Some(r) = rid {
                    node.router_id = u32::from(r);
                    node.router_id_addr = Some(r);
                    node.router_id_known = true;
                }
            }
            Err(d) => ctx.diags.push(d),
        }
    }
    // Every community a configuration sets is a tag before any translation, so a
    // `set community` without `additive` removes all a route can carry (the `.avs`
    // policies' tags are interned already).
    for loaded in design.configs.values() {
        for c in loaded.config.set_communities() {
            tag_id(ctx, &ast::TagValue::Community(c.0, c.1));
        }
    }
    let book = addresses(ctx);
    for (name, loaded) in &design.configs {
        let Some(&id) = ctx.node_ids.get(name) else {
            continue;
        };
        if loaded.config.bgp.is_none() {
            continue;
        }
        let mut e = env(ctx, name);
        e.inner = book
            .inner
            .iter()
            .filter(|(_, holder, _, _, _)| *holder == id)
            .map(|(t, _, _, a, s)| (*t, *a, *s))
            .collect();
        let t = {
            let mut look = Lookup {
                ctx,
                book: &book,
                me: id,
            };
            translate::translate(&loaded.config, &e, &mut look)
        };
        ctx.diags.extend(t.diags);
        let ids: Vec<PolicyId> = t
            .policies
            .into_iter()
            .map(|p| ctx.net.policies.push(p))
            .collect();
        let map = |v: &[usize]| -> Vec<PolicyId> {
            v.iter().filter_map(|i| ids.get(*i).copied()).collect()
        };
        let node = &mut ctx.net.nodes[id];
        node.behaviours.arrival_order_med = !t.deterministic_med;
        node.originates = t.originates;
        node.statics = t
            .statics
            .iter()
            .map(|s| StaticRoute {
                prefix: s.prefix,
                target: s.target,
                span: s.span,
                requires: Vec::new(),
            })
            .collect();
        for s in &t.sessions {
            ctx.config_sides.push(ConfigSide {
                from: id,
                to: s.to,
                tunnel: s.tunnel,
                expected_asn: s.expected_asn,
                import: map(&s.import),
                export: map(&s.export),
                allowas_in: s.allowas_in,
                weight: s.weight,
                default_originate: s.default_originate,
                span: s.span,
                down: s.down.clone(),
            });
        }
    }
    let _ = Value::Bool(false);
}
