//! The fabric's structural kinds: `vnet` (address space, peering, remote gateway),
//! `subnet`, `route_table` (UDRs), and `tunnel`.

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Udr, UdrNextHop};
use crate::sema::model::{ComponentDecl, Value};
use crate::span::Span;

/// A route table's UDRs, its propagation flag and the span to label it with.
pub(crate) struct Table {
    pub udrs: Vec<Udr>,
    pub propagate: bool,
    pub span: Span,
}

pub(crate) fn route_table(c: &ComponentDecl) -> Table {
    let mut udrs = Vec::new();
    for line in c.all("route") {
        let Some(prefix) = line.first().and_then(|v| v.node.as_prefix()) else {
            continue;
        };
        let next_hop = match line.option("next_hop").map(|v| &v.node) {
            Some(Value::Address(a)) => UdrNextHop::Appliance(*a),
            Some(Value::Word(w)) if w == "internet" => UdrNextHop::Internet,
            Some(Value::Word(w)) if w == "vnet_local" => UdrNextHop::VnetLocal,
            _ => UdrNextHop::None,
        };
        udrs.push(Udr {
            prefix,
            next_hop,
            span: line.span,
        });
    }
    let propagate = c
        .get("propagate_gateway_routes")
        .and_then(|l| l.first())
        .and_then(|v| v.node.as_bool())
        .unwrap_or(true);
    Table {
        udrs,
        propagate,
        span: c.name.span,
    }
}

pub(crate) fn table_named(ctx: &Ctx, name: &str) -> Option<Table> {
    ctx.component(name)
        .filter(|c| c.kind == "route_table")
        .map(route_table)
}

/// VNets (with their implicit default subnets), peerings and declared subnets.
pub(crate) fn lower_vnets(ctx: &mut Ctx) {
    let design = ctx.design;
    for c in design.components.iter().filter(|c| c.kind == "vnet") {
        let address = c
            .all("address")
            .filter_map(|l| l.first().and_then(|v| v.node.as_prefix()))
            .collect();
        let region = c
            .get("region")
            .and_then(|l| l.first())
            .and_then(|v| match &v.node {
                Value::Word(w) | Value::Str(w) => Some(w.clone()),
                Value::Ref { name, .. } => Some(name.clone()),
                _ => None,
            });
        let default_name = format!("{}/default", c.name.node);
        let vnet_id = ir::VnetId(u32::try_from(ctx.net.vnets.len()).unwrap_or(u32::MAX));
        let default_subnet = ctx.net.subnets.push(ir::Subnet {
            name: default_name.clone(),
            span: c.name.span,
            vnet: vnet_id,
            address: None,
            udrs: Vec::new(),
            propagate_gateway_routes: true,
            route_table_span: None,
        });
        ctx.subnet_ids.insert(default_name, default_subnet);
        let id = ctx.net.vnets.push(ir::Vnet {
            name: c.name.node.clone(),
            span: c.name.span,
            address,
            region,
            peerings: Vec::new(),
            remote_gateway: None,
            routing_preference: ir::RoutingPreference::default(),
            default_subnet,
        });
        ctx.vnet_ids.insert(c.name.node.clone(), id);
    }
    // Peerings: established when both VNets declare them.
    let vnets: Vec<&ComponentDecl> = design
        .components
        .iter()
        .filter(|c| c.kind == "vnet")
        .collect();
    for a in &vnets {
        for line in a.all("peer") {
            let Some(b_name) = line.first().and_then(|v| v.node.as_ref_name()) else {
                continue;
            };
            let Some(b) = vnets.iter().find(|c| c.name.node == b_name) else {
                continue;
            };
            let back = b.all("peer").find(|l| {
                l.first().and_then(|v| v.node.as_ref_name()) == Some(a.name.node.as_str())
            });
            let (Some(&ia), Some(&ib)) = (ctx.vnet_ids.get(&a.name.node), ctx.vnet_ids.get(b_name))
            else {
                continue;
            };
            let Some(back) = back else {
                ctx.diags.push(
                    Diagnostic::warning(
                        "AVS0305",
                        format!("peering `{}`–`{}` is not established", a.name.node, b_name),
                    )
                    .primary(
                        line.span,
                        format!("`{b_name}` has no `peer {}`", a.name.node),
                    )
                    .secondary(b.name.span, format!("`{b_name}` declared here"))
                    .note("a VNet peering needs both sides (docs/semantics.md §2.6; https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview)"),
                );
                continue;
            };
            if line.flag("use_remote_gateway") {
                ctx.net.vnets[ia].remote_gateway = Some(ib);
            }
            // One component per pair, made by the side that sorts first.
            if a.name.node.as_str() < b_name {
                let name = format!("{}–{}", a.name.node, b_name);
                let comp = ctx.add_component(
                    &name,
                    "peering",
                    ir::ComponentKind::VnetPeering,
                    line.span.to(back.span),
                );
                ctx.peerings
                    .insert((a.name.node.clone(), b_name.to_string()), comp);
                ctx.net.vnets[ia].peerings.push(ir::Peering {
                    vnet: ib,
                    component: comp,
                });
                ctx.net.vnets[ib].peerings.push(ir::Peering {
                    vnet: ia,
                    component: comp,
                });
            }
        }
    }
    for c in design.components.iter().filter(|c| c.kind == "subnet") {
        let Some(vnet) = c
            .get("vnet")
            .and_then(|l| l.first())
            .and_then(|v| v.node.as_ref_name())
            .and_then(|n| ctx.vnet_ids.get(n).copied())
        else {
            continue;
        };
        let address = c
            .get("address")
            .and_then(|l| l.first())
            .and_then(|v| v.node.as_prefix());
        let table = c
            .get("route_table")
            .and_then(|l| l.first())
            .and_then(|v| v.node.as_ref_name())
            .and_then(|n| table_named(ctx, n));
        let id = ctx.net.subnets.push(ir::Subnet {
            name: c.name.node.clone(),
            span: c.name.span,
            vnet,
            address,
            propagate_gateway_routes: table.as_ref().map(|t| t.propagate).unwrap_or(true),
            route_table_span: table.as_ref().map(|t| t.span),
            udrs: table.map(|t| t.udrs).unwrap_or_default(),
        });
        ctx.subnet_ids.insert(c.name.node.clone(), id);
    }
}

pub(crate) fn lower_tunnels(ctx: &mut Ctx) {
    let design = ctx.design;
    for c in design.components.iter().filter(|c| c.kind == "tunnel") {
        let Some(line) = c.get("between") else {
            continue;
        };
        let ends: Vec<ir::NodeId> = line
            .positional
            .iter()
            .filter_map(|v| v.node.as_ref_name())
            .filter_map(|n| ctx.node_ids.get(n).copied())
            .collect();
        let (Some(&a), Some(&b)) = (ends.first(), ends.get(1)) else {
            continue;
        };
        let kind = c
            .get("type")
            .and_then(|l| l.first())
            .and_then(|v| v.node.as_word().map(str::to_string))
            .unwrap_or_else(|| "vxlan".to_string());
        let component = ctx.add_component(
            &c.name.node,
            "tunnel",
            ir::ComponentKind::Tunnel,
            c.name.span,
        );
        // An end without a private address (a site) puts the tunnel on the internet:
        // both ends then need a `public_ip` (LANGUAGE.md §2.4).
        let (na, nb) = (&ctx.net.nodes[a], &ctx.net.nodes[b]);
        let takes_public = |n: &ir::Node| {
            ctx.component(&n.name)
                .and_then(|d| ctx.kind_of(d))
                .is_some_and(|k| k.key("public_ip").is_some())
        };
        let internet = (na.address.is_none() || nb.address.is_none())
            && (takes_public(na) || takes_public(nb));
        let mut unusable = None;
        if internet {
            if let Some(end) = [na, nb].into_iter().find(|n| n.public_ip.is_none()) {
                let why = format!(
                    "`{}` has no `public_ip`: tunnel `{}` crosses the internet",
                    end.name, c.name.node
                );
                let mut d = Diagnostic::warning(
                    "AVS0344",
                    format!("tunnel `{}` cannot come up: `{}` has no public address", c.name.node, end.name),
                )
                .primary(line.span, "an end without a private address puts this tunnel on the internet")
                .secondary(end.span, format!("`{}` has no `public_ip`", end.name))
                .note("the outer packets go between the ends' public addresses; the sessions over this tunnel are down");
                if takes_public(end) {
                    d = d.help(format!("add `public_ip <address>` to `{}`", end.name));
                }
                ctx.diags.push(d);
                unusable = Some(why);
            }
        }
        // The underlay through the tunnel itself: an end that advertises a prefix
        // holding its own public address would, once the far end installs it, route
        // the tunnel's outer packets into the tunnel (recursive routing: it goes down).
        if internet && unusable.is_none() {
            for (end, far) in [(na, nb), (nb, na)] {
                let Some(public) = end.public_ip else {
                    continue;
                };
                for o in end.originates.iter().filter(|o| o.prefix.contains(&public)) {
                    ctx.diags.push(
                        Diagnostic::warning(
                            "AVS0348",
                            format!(
                                "`{}` advertises `{}`, which holds its own public address `{public}`",
                                end.name, o.prefix
                            ),
                        )
                        .primary(o.span, "the underlay of the tunnel would run through the tunnel")
                        .secondary(line.span, format!("tunnel `{}` crosses the internet to `{public}`", c.name.node))
                        .note(format!("if `{}` installs this route (learned over the tunnel), the tunnel's outer packets for `{public}` follow it into the tunnel itself: recursive routing, and the tunnel goes down", far.name))
                        .help("advertise only the networks behind the tunnel, or filter this prefix on the far end"),
                    );
                }
            }
        }
        let id = ctx.net.tunnels.push(ir::Tunnel {
            name: c.name.node.clone(),
            a,
            b,
            kind,
            span: c.name.span,
            component,
            internet,
            unusable,
        });
        ctx.tunnel_ids.insert(c.name.node.clone(), id);
    }
}
