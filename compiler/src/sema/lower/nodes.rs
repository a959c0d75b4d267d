//! Nodes: every component whose kind is a BGP speaker or forwarding element, with
//! the built-in behaviours its kind switches on.

use super::fabric::table_named;
use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Behaviours, Origination, ProgramAs, Programming, StaticRoute, StaticTarget};
use crate::sema::model::{ComponentDecl, Value};

fn ref_value<'a>(c: &'a ComponentDecl, key: &str) -> Option<&'a str> {
    c.get(key)
        .and_then(|l| l.first())
        .and_then(|v| v.node.as_ref_name())
}

/// The GatewaySubnet of VNet `v` for gateway `c`: a declared `subnet GatewaySubnet` of
/// `v` when there is one (the portal's way: its route table applies to the gateway,
/// AZURE.md v2 corrections), else the implicit `<vnet>/GatewaySubnet`, made once and
/// shared by the VNet's ExpressRoute and VPN gateways
/// (expressroute-howto-coexist-resource-manager.md). A gateway's own `route_table`
/// adds its UDRs to it.
fn gateway_subnet(
    ctx: &mut Ctx,
    c: &ComponentDecl,
    v: ir::VnetId,
    table: Option<super::fabric::Table>,
) -> ir::SubnetId {
    let name = format!("{}/GatewaySubnet", ctx.net.vnets[v].name);
    let declared = ctx
        .net
        .subnets
        .iter()
        .find(|(_, s)| s.vnet == v && s.name == GATEWAY_SUBNET)
        .map(|(id, _)| id);
    if let Some(id) = ctx.subnet_ids.get(&name).copied().or(declared) {
        ctx.subnet_ids.insert(name, id);
        if let Some(t) = table {
            let s = &mut ctx.net.subnets[id];
            s.udrs.extend(t.udrs);
            s.propagate_gateway_routes &= t.propagate;
            s.route_table_span = s.route_table_span.or(Some(t.span));
        }
        return id;
    }
    let id = ctx.net.subnets.push(ir::Subnet {
        name: name.clone(),
        span: c.name.span,
        vnet: v,
        address: None,
        propagate_gateway_routes: table.as_ref().map(|t| t.propagate).unwrap_or(true),
        route_table_span: table.as_ref().map(|t| t.span),
        udrs: table.map(|t| t.udrs).unwrap_or_default(),
    });
    ctx.subnet_ids.insert(name, id);
    id
}

/// The name Azure requires for a VNet's gateway subnet.
pub(crate) const GATEWAY_SUBNET: &str = "GatewaySubnet";

pub(crate) fn lower_nodes(ctx: &mut Ctx) {
    let design = ctx.design;
    let mut order: u32 = 0;
    for c in &design.components {
        let Some(kind) = ctx.kind_of(c) else { continue };
        if !kind.is_node() {
            continue;
        }
        order += 1;
        let asn = c
            .get("asn")
            .and_then(|l| l.first())
            .and_then(|v| v.node.as_int())
            .and_then(|n| u32::try_from(n).ok())
            .or(kind.asn)
            .unwrap_or(0);
        let router_id_addr = c
            .get("router_id")
            .and_then(|l| l.first())
            .and_then(|v| v.node.as_address());
        let vnet = ref_value(c, "vnet").and_then(|n| ctx.vnet_ids.get(n).copied());
        let mut b = Behaviours::default();
        let mut originates: Vec<Origination> = c
            .all("originate")
            .filter_map(|l| {
                l.first()
                    .and_then(|v| v.node.as_prefix())
                    .map(|prefix| Origination {
                        prefix,
                        span: l.span,
                        requires: None,
                        aggregate: false,
                        as_set: false,
                    })
            })
            .collect();
        // AVS management prefixes are originated too (LANGUAGE.md §2.4).
        let management: Vec<ipnet::Ipv4Net> = c
            .all("management")
            .filter_map(|l| {
                let prefix = l.first().and_then(|v| v.node.as_prefix())?;
                if !originates.iter().any(|o| o.prefix == prefix) {
                    originates.push(Origination {
                        prefix,
                        span: l.span,
                        requires: None,
                        aggregate: false,
                        as_set: false,
                    });
                }
                Some(prefix)
            })
            .collect();
        let mut component_kind = ir::ComponentKind::Node;
        for beh in &kind.behaviours {
            match beh.node.as_str() {
                "owns_originated" => b.owns_originated = true,
                "multipath" => b.multipath = true,
                "control_plane_only" => b.control_plane_only = true,
                "next_hop_transparent" => b.next_hop_transparent = true,
                "no_transit" => b.no_transit = true,
                "leading_private_strip" => b.leading_private_strip = true,
                "internet" => b.internet = true,
                "msee" => component_kind = ir::ComponentKind::Circuit,
                "program_appliance" | "program_gateway" | "program_vpn_gateway" => {
                    if let Some(v) = vnet {
                        let how = match beh.node.as_str() {
                            "program_appliance" => ProgramAs::Appliance,
                            "program_vpn_gateway" => ProgramAs::VpnGateway,
                            _ => ProgramAs::Gateway,
                        };
                        b.programs = Some(Programming { vnet: v, how });
                    }
                }
                "advertise_vnet" => {
                    if let Some(v) = vnet {
                        // Its VNet's address space, and that of spokes using it while
                        // their peering with this VNet is up (issue 11, item 9).
                        let mut spaces: Vec<_> = ctx.net.vnets[v]
                            .address
                            .iter()
                            .map(|a| (*a, None))
                            .collect();
                        for (_, spoke) in ctx.net.vnets.iter() {
                            if spoke.remote_gateway == Some(v) {
                                let peering = spoke
                                    .peerings
                                    .iter()
                                    .find(|p| p.vnet == v)
                                    .map(|p| p.component);
                                spaces.extend(spoke.address.iter().map(|a| (*a, peering)));
                            }
                        }
                        let span = c.get("vnet").map(|l| l.span).unwrap_or(c.name.span);
                        for (prefix, requires) in spaces {
                            if !originates.iter().any(|o| o.prefix == prefix) {
                                originates.push(Origination {
                                    prefix,
                                    span,
                                    requires,
                                    aggregate: false,
                                    as_set: false,
                                });
                            }
                        }
                    }
                }
                "gateway_subnet" => {
                    if let Some(v) = vnet {
                        let table = ref_value(c, "route_table").and_then(|n| table_named(ctx, n));
                        b.gateway_subnet = Some(gateway_subnet(ctx, c, v, table));
                    }
                }
                "fabric_forwarding" => {
                    let subnet = ref_value(c, "subnet")
                        .and_then(|n| ctx.subnet_ids.get(n).copied())
                        .or_else(|| vnet.map(|v| ctx.net.vnets[v].default_subnet));
                    b.fabric_subnet = subnet;
                }
                // The resolver rejects unknown behaviour names.
                _ => {}
            }
        }
        // The hub routing preference: on the gateway (v1) or on Route Server (v2,
        // route-server/hub-routing-preference.md); whichever component sets it, in any
        // order (both set in one VNet is AVS0357, `rejected.rs`).
        if let (Some(v), Some(line)) = (vnet, c.get("routing_preference")) {
            let set = !line.defaulted
                || ctx.net.vnets[v].routing_preference == ir::RoutingPreference::default();
            if set {
                ctx.net.vnets[v].routing_preference =
                    match line.first().and_then(|x| x.node.as_word()) {
                        Some("vpn_nva") => ir::RoutingPreference::VpnNva,
                        Some("as_path") => ir::RoutingPreference::AsPath,
                        _ => ir::RoutingPreference::ExpressRoute,
                    };
            }
        }
        // Route Server's limit on the prefixes it holds in all (AZURE.md: limits).
        b.max_prefixes = c.get("max_routes_total").and_then(|l| {
            let max = l
                .first()?
                .node
                .as_int()
                .and_then(|n| u32::try_from(n).ok())?;
            Some(ir::RouteLimit { max, span: l.span })
        });
        let component = ctx.add_component(&c.name.node, &c.kind, component_kind, c.name.span);
        let id = ctx.net.nodes.push(ir::Node {
            name: c.name.node.clone(),
            kind: c.kind.clone(),
            span: c.name.span,
            asn,
            router_id: router_id_addr.map(u32::from).unwrap_or(order),
            router_id_known: router_id_addr.is_some() || kind.key("router_id").is_some(),
            router_id_addr,
            originates,
            statics: Vec::new(),
            address: c
                .get("ip")
                .and_then(|l| l.first())
                .and_then(|v| v.node.as_address()),
            public_ip: c
                .get("public_ip")
                .and_then(|l| l.first())
                .and_then(|v| v.node.as_address()),
            nics: c
                .all("nic")
                .filter_map(|l| {
                    let address = l.first().and_then(|v| v.node.as_address())?;
                    let subnet = l
                        .option("subnet")
                        .and_then(|v| v.node.as_ref_name())
                        .and_then(|n| ctx.subnet_ids.get(n).copied())?;
                    Some(ir::Nic {
                        address,
                        subnet,
                        span: l.span,
                    })
                })
                .collect(),
            management,
            behaviours: b,
            component,
        });
        ctx.node_ids.insert(c.name.node.clone(), id);
    }
    // The implicit internet, when the kind is in scope.
    if let Some(kind) = design.kinds.get("internet") {
        let component =
            ctx.add_component("internet", "internet", ir::ComponentKind::Node, kind.span);
        let id = ctx.net.nodes.push(ir::Node {
            name: "internet".to_string(),
            kind: "internet".to_string(),
            span: kind.span,
            asn: 0,
            router_id: u32::MAX,
            router_id_addr: None,
            router_id_known: false,
            originates: Vec::new(),
            statics: Vec::new(),
            address: None,
            public_ip: None,
            nics: Vec::new(),
            management: Vec::new(),
            behaviours: Behaviours {
                internet: true,
                ..Behaviours::default()
            },
            component,
        });
        ctx.node_ids.insert("internet".to_string(), id);
        ctx.net.internet = Some(id);
    }
    // Statics need every node.
    for c in &design.components {
        let Some(&id) = ctx.node_ids.get(&c.name.node) else {
            continue;
        };
        let statics: Vec<StaticRoute> = c
            .all("static")
            .filter_map(|l| {
                let prefix = l.first()?.node.as_prefix()?;
                let target = match &l.option("next_hop")?.node {
                    Value::Ref { name, .. } => StaticTarget::Node(*ctx.node_ids.get(name)?),
                    // A gateway address of one of an NVA's NIC subnets (checked by
                    // `static_gateway_findings`): the fabric forwards from that NIC.
                    v => match v.as_address() {
                        Some(a) => StaticTarget::Fabric(a),
                        None => StaticTarget::Drop,
                    },
                };
                Some(StaticRoute {
                    prefix,
                    target,
                    span: l.span,
                    requires: Vec::new(),
                })
            })
            .collect();
        ctx.net.nodes[id].statics = statics;
    }
}

/// Route Server's limit of BGP peers (AZURE.md: Route Server, includes/route-server-limits.md).
const ROUTE_SERVER_MAX_PEERS: usize = 8;

/// Built-in findings on nodes: NVA routes that Route Server would ignore (AVS0320), a
/// Route Server with more BGP peers than Azure allows (AVS0321).
pub(crate) fn findings(ctx: &mut Ctx) {
    let mut diags = Vec::new();
    for (id, n) in ctx.net.nodes.iter() {
        let is_route_server = n
            .behaviours
            .programs
            .is_some_and(|p| p.how == ProgramAs::Appliance);
        if !is_route_server {
            continue;
        }
        // Its BGP peers: every session but the internal one with its gateway.
        let peers: Vec<_> = ctx
            .net
            .sessions
            .values()
            .filter(|s| (s.a == id || s.b == id) && s.kind != ir::SessionKind::Internal)
            .collect();
        if peers.len() > ROUTE_SERVER_MAX_PEERS {
            let mut d = Diagnostic::error(
                "AVS0321",
                format!(
                    "Route Server `{}` has {} BGP peers, over its limit of {}",
                    n.name,
                    peers.len(),
                    ROUTE_SERVER_MAX_PEERS
                ),
            )
            .primary(n.span, format!("{} peers", peers.len()));
            for (i, s) in peers.iter().enumerate().skip(ROUTE_SERVER_MAX_PEERS) {
                d = d.secondary(s.span, format!("peer {}", i + 1));
            }
            diags.push(d.note(
                "Azure Route Server accepts at most 8 BGP peers (docs/semantics.md §2.1; https://learn.microsoft.com/azure/route-server/route-server-faq)",
            ));
        }
    }
    for (_, n) in ctx.net.nodes.iter() {
        let Some(subnet) = n.behaviours.fabric_subnet else {
            continue;
        };
        let vnet = ctx.net.subnets[subnet].vnet;
        // Only where a Route Server programs this VNet.
        let rs = ctx.net.nodes.values().find(|r| {
            r.behaviours.programs
                == Some(Programming {
                    vnet,
                    how: ProgramAs::Appliance,
                })
        });
        let Some(rs) = rs else { continue };
        for o in &n.originates {
            if let Some(space) = ctx.net.vnets[vnet]
                .address
                .iter()
                .find(|a| a.contains(&o.prefix))
            {
                diags.push(
                    Diagnostic::warning(
                        "AVS0320",
                        format!("Route Server `{}` ignores `{}` from `{}`", rs.name, o.prefix, n.name),
                    )
                    .primary(o.span, "equal to or inside the VNet's address space")
                    .secondary(ctx.net.vnets[vnet].span, format!("VNet address space {space}"))
                    .note("Route Server does not program NVA routes equal to or more specific than its VNet's address space (docs/semantics.md §2.1; https://learn.microsoft.com/azure/route-server/route-injection-in-spokes)"),
                );
            }
        }
    }
    // `static P next_hop A` on an NVA: A is the gateway of one of its NIC subnets.
    for (_, n) in ctx.net.nodes.iter() {
        let nics = n.all_nics();
        for st in &n.statics {
            let StaticTarget::Fabric(a) = st.target else {
                continue;
            };
            if nics.iter().any(|(_, s)| ctx.net.subnet_holds(*s, a)) {
                continue;
            }
            let subnets: Vec<String> = nics
                .iter()
                .filter_map(|(_, s)| ctx.net.subnets.get(*s))
                .map(|s| format!("`{}`", s.name))
                .collect();
            diags.push(
                Diagnostic::error(
                    "AVS0347",
                    format!(
                        "`{}` has no NIC in a subnet holding the static next hop `{a}`",
                        n.name
                    ),
                )
                .primary(st.span, "an address in none of its NIC subnets")
                .secondary(n.span, format!("NICs in {}", subnets.join(", ")))
                .note("a VM hands a packet to Azure's gateway (x.x.x.1) of the subnet of the NIC it leaves by (docs/semantics.md §2.10)")
                .help("name the gateway address of one of its NIC subnets, or a node"),
            );
        }
    }
    ctx.diags.extend(diags);
    vpn_findings(ctx);
    unreachable_static_next_hops(ctx);
}

/// AVS0358: a static `next_hop X` on a router, site or AVS (not a VM: an NVA's static
/// goes to the fabric, docs/semantics.md §6) where X is no neighbour — no session, no
/// tunnel and no static VPN connection joins them, and X is not the internet. A router
/// cannot resolve such a next hop and does not install the route (FRR shows it
/// inactive), so lowering removes it: it must not carry packets to a node it has no
/// link to (the fresh-eyes tester's 1.2).
fn unreachable_static_next_hops(ctx: &mut Ctx) {
    let net = &ctx.net;
    let adjacent = |m: ir::NodeId, x: ir::NodeId| {
        let joins = |a: ir::NodeId, b: ir::NodeId| (a == m && b == x) || (a == x && b == m);
        net.sessions.values().any(|s| joins(s.a, s.b))
            || net.tunnels.values().any(|t| joins(t.a, t.b))
            || net.nodes.get(x).is_some_and(|n| n.behaviours.internet)
    };
    let mut diags = Vec::new();
    let mut drop: Vec<(ir::NodeId, usize)> = Vec::new();
    for (id, n) in net.nodes.iter() {
        if n.behaviours.fabric_subnet.is_some() {
            continue;
        }
        for (i, st) in n.statics.iter().enumerate() {
            let StaticTarget::Node(x) = st.target else {
                continue;
            };
            if !st.requires.is_empty() || x == id || adjacent(id, x) {
                continue;
            }
            let far = net.nodes.get(x).map(|n| n.name.as_str()).unwrap_or("?");
            diags.push(
                Diagnostic::warning(
                    "AVS0358",
                    format!(
                        "`{}` has no link to `{far}`, the next hop of its static `{}`: the route is not installed",
                        n.name, st.prefix
                    ),
                )
                .primary(st.span, format!("next hop `{far}`"))
                .note("a static route's next hop must be a neighbour: a BGP peer, a tunnel's far end or a static VPN connection's gateway; a router does not install a route whose next hop it cannot reach (docs/semantics.md §6)")
                .help(format!("connect `{}` to `{far}` (a circuit, a VPN connection, a tunnel or a peering), or point the static at a neighbour", n.name)),
            );
            drop.push((id, i));
        }
    }
    for (id, i) in drop.into_iter().rev() {
        if let Some(n) = ctx.net.nodes.get_mut(id) {
            if i < n.statics.len() {
                n.statics.remove(i);
            }
        }
    }
    ctx.diags.extend(diags);
}

/// A VPN gateway in a VNet with a Route Server must be active-active (AVS0346;
/// AZURE.md, v2 additions: route-server/expressroute-vpn-support.md).
fn vpn_findings(ctx: &mut Ctx) {
    let design = ctx.design;
    for c in &design.components {
        let Some(kind) = ctx.kind_of(c) else { continue };
        if !kind.has_behaviour("program_vpn_gateway") {
            continue;
        }
        let active = c
            .get("active_active")
            .and_then(|l| l.first())
            .and_then(|v| v.node.as_bool())
            .unwrap_or(true);
        if active {
            continue;
        }
        let Some(vnet) = ref_value(c, "vnet").and_then(|n| ctx.vnet_ids.get(n).copied()) else {
            continue;
        };
        let rs = ctx.net.nodes.values().find(|r| {
            r.behaviours.programs
                == Some(Programming {
                    vnet,
                    how: ProgramAs::Appliance,
                })
        });
        let Some(rs) = rs else { continue };
        let span = c
            .get("active_active")
            .map(|l| l.span)
            .unwrap_or(c.name.span);
        ctx.diags.push(
            Diagnostic::error(
                "AVS0346",
                format!(
                    "VPN gateway `{}` must be active-active to work with Route Server `{}`",
                    c.name.node, rs.name
                ),
            )
            .primary(span, "active-standby")
            .secondary(rs.span, "in the same VNet")
            .note("Route Server interoperates only with an active-active VPN gateway (docs/semantics.md §2.10; https://learn.microsoft.com/azure/route-server/expressroute-vpn-support)")
            .help("use `active_active true` (the default)"),
        );
    }
}
