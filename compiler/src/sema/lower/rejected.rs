//! Configurations Azure rejects or that cannot work (AZURE.md, v2 corrections:
//! virtual-networks-udr-overview.md, route-server-faq.md, virtual-network-peering-overview.md).
//!
//! Each is an error-level finding (exit status 1, LANGUAGE.md §4) with the span of the
//! line responsible and the documented reason. The design is still lowered and its
//! checks still run: these are findings, not input that cannot be analysed.
//!
//! | code | finding |
//! |---|---|
//! | AVS0350 | route propagation off on a GatewaySubnet ("the gateway will not function") |
//! | AVS0351 | two gateways of one type, or two Route Servers, in one VNet |
//! | AVS0352 | a VNet using two remote gateways |
//! | AVS0353 | a remote gateway on a VNet that has no gateway and no Route Server, or used by a VNet that has its own gateway |
//! | AVS0354 | a UDR next hop that no VM NIC, load balancer frontend or firewall holds |
//! | AVS0355 | overlapping AVS, on-premises and VNet address ranges |
//! | AVS0357 | `routing_preference` set on both the Route Server and a gateway of one VNet |

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::ir::{self, ProgramAs, VnetId};
use crate::sema::model::ComponentDecl;
use crate::span::Span;
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

/// Every finding of this module, in a deterministic order.
pub(crate) fn findings(ctx: &mut Ctx) {
    propagation_off_on_gateway_subnet(ctx);
    two_of_a_kind_in_one_vnet(ctx);
    remote_gateways(ctx);
    udr_next_hops_held(ctx);
    overlapping_estates(ctx);
    routing_preference_twice(ctx);
    avs_same_asn_over_global_reach(ctx);
}

/// The VNet a node belongs to, when it is a gateway or a Route Server.
fn gateway_vnet(net: &ir::Network, n: &ir::Node) -> Option<VnetId> {
    n.behaviours
        .programs
        .map(|p| p.vnet)
        .or_else(|| n.behaviours.gateway_subnet.map(|s| net.subnets[s].vnet))
}

/// What kind of VNet-level appliance a node is: Azure allows one of each per VNet.
fn appliance_type(n: &ir::Node) -> Option<&'static str> {
    match n.behaviours.programs.map(|p| p.how) {
        Some(ProgramAs::Appliance) => Some("Route Servers"),
        Some(ProgramAs::Gateway) => Some("ExpressRoute gateways"),
        Some(ProgramAs::VpnGateway) => Some("VPN gateways"),
        None => None,
    }
}

/// AVS0350: a route table with `propagate_gateway_routes false` on a GatewaySubnet.
fn propagation_off_on_gateway_subnet(ctx: &mut Ctx) {
    let mut seen = BTreeSet::new();
    for (_, n) in ctx.net.nodes.iter() {
        let Some(gs) = n.behaviours.gateway_subnet else {
            continue;
        };
        let subnet = &ctx.net.subnets[gs];
        if subnet.propagate_gateway_routes || !seen.insert(gs) {
            continue;
        }
        let span = subnet.route_table_span.unwrap_or(subnet.span);
        ctx.diags.push(
            Diagnostic::error(
                "AVS0350",
                format!(
                    "route propagation is off on `{}`, the GatewaySubnet of `{}`",
                    subnet.name, n.name
                ),
            )
            .primary(span, "`propagate_gateway_routes false` on a GatewaySubnet")
            .secondary(n.span, "the gateway in this subnet")
            .note("Azure: with BGP route propagation disabled on the GatewaySubnet the gateway will not function (docs/semantics.md §2.11; https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview)")
            .help("leave `propagate_gateway_routes` at its default (true) on the GatewaySubnet's route table"),
        );
    }
}

/// AVS0351: two ExpressRoute gateways, two VPN gateways or two Route Servers in one VNet.
fn two_of_a_kind_in_one_vnet(ctx: &mut Ctx) {
    let mut by: BTreeMap<(VnetId, &'static str), Vec<&ir::Node>> = BTreeMap::new();
    for (_, n) in ctx.net.nodes.iter() {
        if let (Some(v), Some(t)) = (gateway_vnet(&ctx.net, n), appliance_type(n)) {
            by.entry((v, t)).or_default().push(n);
        }
    }
    let mut out = Vec::new();
    for ((v, what), nodes) in by {
        let (Some(first), Some(second)) = (nodes.first(), nodes.get(1)) else {
            continue;
        };
        let mut d = Diagnostic::error(
            "AVS0351",
            format!(
                "VNet `{}` has {} {what}; Azure allows one",
                ctx.net.vnets[v].name,
                nodes.len()
            ),
        )
        .primary(second.span, format!("a second one beside `{}`", first.name))
        .secondary(first.span, "the first");
        for n in nodes.iter().skip(2) {
            d = d.secondary(n.span, "another");
        }
        out.push(
            d.note("Azure: a virtual network has at most one ExpressRoute gateway, one VPN gateway and one Route Server (docs/semantics.md §2.11; https://learn.microsoft.com/azure/route-server/route-server-faq)")
                .help("connect every circuit to the one gateway, or put the second one in its own VNet"),
        );
    }
    ctx.diags.extend(out);
}

/// AVS0352 (two `use_remote_gateway` lines on one VNet) and AVS0353 (a remote gateway
/// on a VNet with neither gateway nor Route Server, or on a VNet that has its own).
fn remote_gateways(ctx: &mut Ctx) {
    let has_gateway = |net: &ir::Network, v: VnetId| {
        net.nodes
            .values()
            .any(|n| gateway_vnet(net, n) == Some(v) && appliance_type(n).is_some())
    };
    let mut out = Vec::new();
    for c in ctx.of_kind("vnet") {
        let uses: Vec<_> = c
            .all("peer")
            .filter(|l| l.flag("use_remote_gateway"))
            .collect();
        if let (Some(first), Some(second)) = (uses.first(), uses.get(1)) {
            out.push(
                Diagnostic::error(
                    "AVS0352",
                    format!("VNet `{}` uses {} remote gateways", c.name.node, uses.len()),
                )
                .primary(second.span, "a second `use_remote_gateway`")
                .secondary(first.span, "the first")
                .note("Azure: a virtual network can use the gateway of only one peered virtual network (docs/semantics.md §2.11; https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview)")
                .help("keep `use_remote_gateway` on one peering"),
            );
        }
        let Some(&own) = ctx.vnet_ids.get(&c.name.node) else {
            continue;
        };
        for line in uses {
            let Some(hub) = line
                .first()
                .and_then(|v| v.node.as_ref_name())
                .and_then(|n| ctx.vnet_ids.get(n).copied())
            else {
                continue;
            };
            let hub_name = &ctx.net.vnets[hub].name;
            if !has_gateway(&ctx.net, hub) {
                out.push(
                    Diagnostic::error(
                        "AVS0353",
                        format!("VNet `{}` uses the remote gateway of `{hub_name}`, which has none", c.name.node),
                    )
                    .primary(line.span, "`use_remote_gateway`")
                    .secondary(ctx.net.vnets[hub].span, "no gateway and no Route Server in this VNet")
                    .note("Azure rejects a peering that uses remote gateways when the remote virtual network has no gateway or Route Server (docs/semantics.md §2.11; https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview)")
                    .help(format!("add a gateway or Route Server to `{hub_name}`, or drop `use_remote_gateway`")),
                );
            } else if has_gateway(&ctx.net, own) {
                out.push(
                    Diagnostic::error(
                        "AVS0353",
                        format!(
                            "VNet `{}` has its own gateway and cannot use the remote gateway of `{hub_name}`",
                            c.name.node
                        ),
                    )
                    .primary(line.span, "`use_remote_gateway`")
                    .secondary(c.name.span, "this VNet has a gateway or Route Server")
                    .note("Azure rejects `use remote gateways` on a peering of a virtual network that has its own gateway (docs/semantics.md §2.11; https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview)")
                    .help("drop `use_remote_gateway`, or remove this VNet's own gateway"),
                );
            }
        }
    }
    ctx.diags.extend(out);
}

/// The addresses that can take a packet as a UDR's VirtualAppliance next hop: a VM's
/// NIC (`ip`, `nic`), a load balancer's frontend, a firewall's `ip`.
fn held_addresses(ctx: &Ctx) -> BTreeSet<Ipv4Addr> {
    let mut held: BTreeSet<Ipv4Addr> = ctx
        .net
        .nodes
        .values()
        .filter(|n| n.behaviours.fabric_subnet.is_some())
        .filter_map(|n| n.address)
        .collect();
    held.extend(ctx.net.load_balancers.iter().map(|lb| lb.frontend));
    for c in &ctx.design.components {
        for line in c.all("nic") {
            if let Some(a) = line.first().and_then(|v| v.node.as_address()) {
                held.insert(a);
            }
        }
    }
    held
}

/// AVS0354: a route table's `next_hop A` where no NIC, load balancer or firewall holds A.
fn udr_next_hops_held(ctx: &mut Ctx) {
    let held = held_addresses(ctx);
    let mut out = Vec::new();
    for c in ctx.of_kind("route_table") {
        for udr in super::fabric::route_table(c).udrs {
            let ir::UdrNextHop::Appliance(a) = udr.next_hop else {
                continue;
            };
            if held.contains(&a) {
                continue;
            }
            out.push(
                Diagnostic::error(
                    "AVS0354",
                    format!("no VM, load balancer or firewall holds {a}, the next hop of `{}` in `{}`", udr.prefix, c.name.node),
                )
                .primary(udr.span, format!("next hop {a}"))
                .note("Azure drops packets a user-defined route sends to a virtual appliance address that no network interface, load balancer or firewall holds (docs/semantics.md §2.11; https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview)")
                .help("point the route at an NVA's `ip`, a load balancer's `frontend` or a firewall's `ip`"),
            );
        }
    }
    ctx.diags.extend(out);
}

/// Which estate a range belongs to, for AVS0355.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Estate {
    /// A VNet's address space: allocated.
    Vnet,
    /// An AVS private cloud's segments (`originate`, `management`): allocated.
    Avs,
    /// What an on-premises site announces: may be a summary.
    Site,
}

impl Estate {
    fn what(self) -> &'static str {
        match self {
            Estate::Vnet => "VNet address space",
            Estate::Avs => "AVS segment",
            Estate::Site => "on-premises prefix",
        }
    }
    /// A range of this estate is allocated address space: nothing of another estate
    /// may lie inside it. A site's announcement may be a summary (or a default route)
    /// covering other estates; it is then the less specific route, which is routable.
    fn allocates(self) -> bool {
        !matches!(self, Estate::Site)
    }
}

/// AVS0355: the same addresses in two estates (AVS, on-premises, a VNet). Reported when
/// two ranges of different estates are equal, or one lies inside an allocated range
/// (a VNet's space or an AVS segment) of another estate. A site's summary or default
/// route covering other estates is not a conflict (longest prefix wins).
fn overlapping_estates(ctx: &mut Ctx) {
    let mut ranges: Vec<(Ipv4Net, Estate, String, Span)> = Vec::new();
    for c in ctx.of_kind("vnet") {
        for l in c.all("address") {
            if let Some(p) = l.first().and_then(|v| v.node.as_prefix()) {
                ranges.push((p, Estate::Vnet, c.name.node.clone(), l.span));
            }
        }
    }
    for (_, n) in ctx.net.nodes.iter() {
        // AVS and sites own what they originate (`owns_originated`); AVS load-balances
        // over its circuits (`multipath`), a site does not.
        if !n.behaviours.owns_originated {
            continue;
        }
        let estate = if n.behaviours.multipath {
            Estate::Avs
        } else {
            Estate::Site
        };
        for o in &n.originates {
            ranges.push((o.prefix, estate, n.name.clone(), o.span));
        }
    }
    let mut out = Vec::new();
    for (i, j) in nested_pairs(ranges.iter().map(|r| r.0)) {
        let (Some((p, ep, np, sp)), Some((q, eq, nq, sq))) = (ranges.get(i), ranges.get(j)) else {
            continue;
        };
        if ep == eq {
            continue;
        }
        let conflict =
            p == q || (ep.allocates() && p.contains(q)) || (eq.allocates() && q.contains(p));
        if !conflict {
            continue;
        }
        out.push(
            Diagnostic::error(
                "AVS0355",
                format!("{} {p} of `{np}` overlaps {} {q} of `{nq}`", ep.what(), eq.what()),
            )
            .primary(*sq, format!("{q}"))
            .secondary(*sp, format!("{p}"))
            .note("AVS, on-premises and Azure virtual networks must use distinct address ranges: Azure's system route for a VNet's space wins over any learned route inside it, and AVS rejects a /22 that overlaps on-premises or Azure (docs/semantics.md §2.11; https://learn.microsoft.com/azure/azure-vmware/tutorial-network-checklist)")
            .help("give each estate its own range"),
        );
    }
    ctx.diags.extend(out);
}

/// The index pairs `(i, j)`, `i < j`, of `prefixes` where one lies inside the other
/// (equal ones included), ascending. Prefixes are nested or disjoint, so a sweep in
/// address order with a stack of the prefixes still open finds every pair in time
/// linear in the input plus the pairs (4,000 announced /24s are 4,000 steps, not
/// 8 million comparisons).
fn nested_pairs(prefixes: impl Iterator<Item = Ipv4Net>) -> Vec<(usize, usize)> {
    let span = |p: &Ipv4Net| (u32::from(p.network()), u32::from(p.broadcast()));
    let mut order: Vec<(u32, std::cmp::Reverse<u32>, usize)> = prefixes
        .enumerate()
        .map(|(i, p)| {
            let (lo, hi) = span(&p);
            (lo, std::cmp::Reverse(hi), i)
        })
        .collect();
    order.sort_unstable();
    let mut open: Vec<(u32, usize)> = Vec::new();
    let mut pairs = Vec::new();
    for (lo, std::cmp::Reverse(hi), i) in order {
        while open.last().is_some_and(|(end, _)| *end < lo) {
            open.pop();
        }
        // Every prefix still open starts at or before `lo` and ends at or after it:
        // it contains this one.
        pairs.extend(open.iter().map(|(_, j)| (i.min(*j), i.max(*j))));
        open.push((hi, i));
    }
    pairs.sort_unstable();
    pairs
}

/// AVS0357: `routing_preference` on both the Route Server and a gateway of one VNet.
fn routing_preference_twice(ctx: &mut Ctx) {
    let mut by_vnet: BTreeMap<String, Vec<&ComponentDecl>> = BTreeMap::new();
    for c in &ctx.design.components {
        let Some(line) = c.get("routing_preference") else {
            continue;
        };
        if line.defaulted {
            continue;
        }
        if let Some(v) = c
            .get("vnet")
            .and_then(|l| l.first())
            .and_then(|v| v.node.as_ref_name())
        {
            by_vnet.entry(v.to_string()).or_default().push(c);
        }
    }
    let mut out = Vec::new();
    for (vnet, cs) in by_vnet {
        let (Some(a), Some(b)) = (cs.first(), cs.get(1)) else {
            continue;
        };
        let (Some(la), Some(lb)) = (a.get("routing_preference"), b.get("routing_preference"))
        else {
            continue;
        };
        out.push(
            Diagnostic::error(
                "AVS0357",
                format!("the hub routing preference of `{vnet}` is set twice"),
            )
            .primary(lb.span, format!("on `{}`", b.name.node))
            .secondary(la.span, format!("on `{}`", a.name.node))
            .note("a VNet has one hub routing preference; it lives on Route Server, the gateway's key is kept for v1 designs (docs/language.md §2.7; https://learn.microsoft.com/azure/route-server/hub-routing-preference)")
            .help("keep the `routing_preference` line on the Route Server only"),
        );
    }
    ctx.diags.extend(out);
}

/// AVS0359 (warning): two AVS private clouds with the same ASN whose circuits are joined
/// by Global Reach. Each drops the other's routes by loop prevention (its own ASN is in
/// the path), so they do not reach each other over that link. Every private cloud gets
/// the same default ASN, 398656 — what is observed, unconfirmed (AZURE.md "Azure VMware
/// Solution"; docs/semantics.md) — so the verdict may rest on that default.
fn avs_same_asn_over_global_reach(ctx: &mut Ctx) {
    let net = &ctx.net;
    let is_avs = |id: ir::NodeId| net.nodes.get(id).is_some_and(|n| n.kind == "avs");
    let mut circuits: BTreeMap<ir::NodeId, BTreeSet<ir::NodeId>> = BTreeMap::new();
    for s in net.sessions.values() {
        if is_avs(s.a) {
            circuits.entry(s.a).or_default().insert(s.b);
        }
        if is_avs(s.b) {
            circuits.entry(s.b).or_default().insert(s.a);
        }
    }
    let mut pairs: BTreeMap<(ir::NodeId, ir::NodeId), Span> = BTreeMap::new();
    for s in net
        .sessions
        .values()
        .filter(|s| s.kind == ir::SessionKind::GlobalReach)
    {
        for (x, cx) in &circuits {
            for (y, cy) in &circuits {
                let same_asn = net.nodes.get(*x).map(|n| n.asn) == net.nodes.get(*y).map(|n| n.asn);
                let joined = (cx.contains(&s.a) && cy.contains(&s.b))
                    || (cx.contains(&s.b) && cy.contains(&s.a));
                if x < y && same_asn && joined {
                    pairs.entry((*x, *y)).or_insert(s.span);
                }
            }
        }
    }
    let mut out = Vec::new();
    for ((x, y), gr) in pairs {
        let (Some(a), Some(b)) = (net.nodes.get(x), net.nodes.get(y)) else {
            continue;
        };
        let default = if a.asn == 398_656 {
            " (the default: what is observed for every private cloud, unconfirmed)"
        } else {
            ""
        };
        out.push(
            Diagnostic::warning(
                "AVS0359",
                format!(
                    "`{}` and `{}` have the same ASN {}{default} and are joined by Global Reach: each drops the other's routes by loop prevention",
                    a.name, b.name, a.asn
                ),
            )
            .primary(gr, "Global Reach between their circuits")
            .secondary(a.span, format!("AS{}", a.asn))
            .secondary(b.span, format!("AS{}", b.asn))
            .note("a BGP speaker drops a route whose AS path holds its own ASN; AVS private clouds connected by Global Reach exchange routes only if their ASNs differ (docs/semantics.md, AVS)")
            .help(format!("if your private clouds' ASNs differ, give each its real one (`asn N` in `avs {}`)", b.name)),
        );
    }
    ctx.diags.extend(out);
}

#[cfg(test)]
mod tests {
    use super::nested_pairs;
    use ipnet::Ipv4Net;

    /// The sweep finds exactly the pairs that comparing every two prefixes finds.
    #[test]
    fn nested_pairs_are_the_pairs_of_the_quadratic_scan() {
        // Prefixes from a small linear congruential generator inside 10.0.0.0/12, so
        // that many nest, repeat or touch.
        let mut x: u32 = 12345;
        let mut prefixes = Vec::new();
        for _ in 0..400 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let len = 12 + (x >> 8) % 13;
            let addr = 0x0a00_0000 | ((x >> 4) & 0x000f_ffff);
            if let Ok(p) = Ipv4Net::new(addr.into(), len as u8) {
                prefixes.push(p.trunc());
            }
        }
        let mut expected = Vec::new();
        for (i, p) in prefixes.iter().enumerate() {
            for (j, q) in prefixes.iter().enumerate().skip(i + 1) {
                if p.contains(q) || q.contains(p) {
                    expected.push((i, j));
                }
            }
        }
        assert!(
            expected.len() > 100,
            "too few nested pairs to test: {}",
            expected.len()
        );
        assert_eq!(nested_pairs(prefixes.into_iter()), expected);
    }
}
