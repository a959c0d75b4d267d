//! Internal load balancers (`load_balancer`, a kind with the `load_balancing`
//! behaviour): a frontend address in a subnet and a backend pool of VMs.
//!
//! Findings (documented in docs/diagnostics.md): a backend that is not a VM
//! (AVS0342), a backend in another VNet than the frontend (AVS0343), a load
//! balancer without HA ports (AVS0341, a warning: the model drops what it is sent).

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::ir::{self, ComponentKind};

pub(crate) fn lower_load_balancers(ctx: &mut Ctx) {
    let design = ctx.design;
    for c in &design.components {
        let Some(kind) = ctx.kind_of(c) else { continue };
        if !kind.has_behaviour("load_balancing") {
            continue;
        }
        let Some(frontend) = c
            .get("frontend")
            .and_then(|l| l.first())
            .and_then(|v| v.node.as_address())
        else {
            continue;
        };
        let subnet = c
            .get("subnet")
            .and_then(|l| l.first())
            .and_then(|v| v.node.as_ref_name())
            .and_then(|n| ctx.subnet_ids.get(n).copied())
            .or_else(|| {
                c.get("vnet")
                    .and_then(|l| l.first())
                    .and_then(|v| v.node.as_ref_name())
                    .and_then(|n| ctx.vnet_ids.get(n).copied())
                    .map(|v| ctx.net.vnets[v].default_subnet)
            });
        let Some(subnet) = subnet else { continue };
        let vnet = ctx.net.subnets[subnet].vnet;
        let mut backends = Vec::new();
        for line in c.all("backend") {
            let Some(name) = line.first().and_then(|v| v.node.as_ref_name()) else {
                continue;
            };
            let Some(&n) = ctx.node_ids.get(name) else {
                continue;
            };
            let node = &ctx.net.nodes[n];
            let Some(nic) = node.behaviours.fabric_subnet else {
                ctx.diags.push(
                    Diagnostic::error(
                        "AVS0342",
                        format!("backend `{}` of `{}` is not a VM", node.name, c.name.node),
                    )
                    .primary(line.span, format!("`{}` is {} {}", node.name, crate::sema::resolve::article(&node.kind), node.kind))
                    .secondary(node.span, format!("`{}` declared here", node.name))
                    .note("an internal load balancer's backend pool holds VMs of its VNet (an `nva`, an `azure_firewall`)"),
                );
                continue;
            };
            let nic_vnet = ctx.net.subnets[nic].vnet;
            if nic_vnet != vnet {
                ctx.diags.push(
                    Diagnostic::error(
                        "AVS0343",
                        format!(
                            "backend `{}` of `{}` is in VNet `{}`, not `{}`",
                            node.name,
                            c.name.node,
                            ctx.net.vnets[nic_vnet].name,
                            ctx.net.vnets[vnet].name
                        ),
                    )
                    .primary(line.span, "in another VNet")
                    .secondary(c.name.span, format!("the frontend is in `{}`", ctx.net.vnets[vnet].name))
                    .note("an internal load balancer's backend pool holds VMs of its own VNet (load-balancer/backend-pool-management.md)"),
                );
                continue;
            }
            if !backends.contains(&n) {
                backends.push(n);
            }
            // The backend's node can now fail: its health probe fails.
            let comp = node.component;
            ctx.net.components[comp].kind = ComponentKind::Backend;
        }
        let ha_ports = c
            .get("ha_ports")
            .and_then(|l| l.first())
            .and_then(|v| v.node.as_bool())
            .unwrap_or(true);
        if !ha_ports {
            let span = c.get("ha_ports").map(|l| l.span).unwrap_or(c.name.span);
            ctx.diags.push(
                Diagnostic::warning(
                    "AVS0341",
                    format!("load balancer `{}` has no HA ports", c.name.node),
                )
                .primary(span, "only the flows its rules name are balanced")
                .note("ports are not modelled: packets sent to its frontend are dropped; a load balancer used as a next hop needs HA ports (load-balancer/load-balancer-ha-ports-overview.md)")
                .help("use `ha_ports true` (the default)"),
            );
        }
        ctx.net.load_balancers.push(ir::LoadBalancer {
            name: c.name.node.clone(),
            span: c.name.span,
            frontend,
            subnet,
            backends,
            ha_ports,
        });
    }
}
