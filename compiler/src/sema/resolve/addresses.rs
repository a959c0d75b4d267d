//! The address plan of the Azure fabric, checked as Azure checks it when the
//! resources are created (each is a deployment error in Azure, so an error here):
//!
//! - a subnet's range lies inside its VNet's address space (AVS0160);
//! - the subnets of one VNet do not overlap (AVS0161), and none is smaller than a
//!   /29 (AVS0166);
//! - a VM's `ip` lies in its subnet — for `vnet V`, in V's space outside V's declared
//!   subnets (AVS0162) — and is not one of the five addresses Azure reserves in every
//!   subnet: the network address, the next three, and the last (AVS0163);
//! - no two VMs of one VNet share an address (AVS0164);
//! - two peered VNets' address spaces do not overlap (AVS0165);
//! - a VM's further NICs (`nic A subnet S`) obey the same rules, and are all in the
//!   VNet of its first NIC (AVS0167).
//!
//! The structural kinds are read by their key names, as lowering reads them: a
//! `subnet` has `vnet` and `address`; a `vnet` has `address` lines and `peer` lines;
//! a VM is a component of a kind with the `fabric_forwarding` behaviour, with `ip`
//! and `subnet` or `vnet`; an internal load balancer (`load_balancing`) is checked the
//! same way for its `frontend`.

use super::codes;
use crate::diagnostic::Diagnostic;
use crate::sema::model::{ComponentDecl, Design};
use crate::span::Span;
use ipnet::Ipv4Net;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

const VNET: &str = "vnet";
const SUBNET: &str = "subnet";
/// The longest prefix of an Azure subnet.
const SMALLEST_SUBNET: u8 = 29;

/// The prefixes of a component's `address` lines, with their spans.
fn addresses(c: &ComponentDecl) -> Vec<(Ipv4Net, Span)> {
    c.all("address")
        .filter_map(|l| {
            l.first()
                .and_then(|v| v.node.as_prefix().map(|p| (p, v.span)))
        })
        .collect()
}

fn ref_of<'d>(
    design: &'d Design,
    c: &ComponentDecl,
    key: &str,
    kind: &str,
) -> Option<&'d ComponentDecl> {
    let name = c.get(key)?.first()?.node.as_ref_name()?;
    design.component(name).filter(|t| t.kind == kind)
}

fn overlap(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b) || b.contains(&a)
}

fn show(space: &[(Ipv4Net, Span)]) -> String {
    let v: Vec<String> = space.iter().map(|(p, _)| format!("`{p}`")).collect();
    v.join(", ")
}

pub(crate) fn check(design: &Design) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Subnets per VNet, in declaration order.
    let mut subnets: BTreeMap<&str, Vec<(&ComponentDecl, Ipv4Net, Span)>> = BTreeMap::new();
    for s in design.components.iter().filter(|c| c.kind == SUBNET) {
        let Some(vnet) = ref_of(design, s, VNET, VNET) else {
            continue;
        };
        let space = addresses(vnet);
        for (p, span) in addresses(s) {
            if p.prefix_len() > SMALLEST_SUBNET {
                out.push(
                    Diagnostic::error(codes::SUBNET_TOO_SMALL, format!("subnet `{}` is too small", s.name.node))
                        .primary(span, format!("a /{}", p.prefix_len()))
                        .note(format!("the smallest Azure subnet is a /{SMALLEST_SUBNET}: Azure reserves five addresses in each")),
                );
            }
            if !space.is_empty() && !space.iter().any(|(v, _)| v.contains(&p)) {
                out.push(
                    Diagnostic::error(
                        codes::SUBNET_OUTSIDE_VNET,
                        format!(
                            "subnet `{}` is outside the address space of vnet `{}`",
                            s.name.node, vnet.name.node
                        ),
                    )
                    .primary(span, format!("`{p}` is not inside {}", show(&space)))
                    .secondary(
                        vnet.name.span,
                        format!("`{}` is declared here", vnet.name.node),
                    )
                    .note("Azure creates a subnet only inside its VNet's address space"),
                );
            }
            let list = subnets.entry(vnet.name.node.as_str()).or_default();
            if let Some((other, q, qspan)) = list.iter().find(|(_, q, _)| overlap(*q, p)) {
                out.push(
                    Diagnostic::error(
                        codes::SUBNETS_OVERLAP,
                        format!(
                            "subnets `{}` and `{}` overlap",
                            other.name.node, s.name.node
                        ),
                    )
                    .primary(span, format!("`{p}` overlaps `{q}`"))
                    .secondary(*qspan, format!("`{}` is `{q}`", other.name.node))
                    .note("the subnets of one VNet must not overlap"),
                );
            }
            list.push((s, p, span));
        }
    }
    let mut taken: BTreeMap<(String, Ipv4Addr), (String, Span)> = BTreeMap::new();
    for vm in &design.components {
        // A VM's `ip`, or an internal load balancer's `frontend`: both take an
        // address of their subnet.
        let key = match design.kind(&vm.kind) {
            Some(k) if k.has_behaviour("fabric_forwarding") => "ip",
            Some(k) if k.has_behaviour("load_balancing") => "frontend",
            _ => continue,
        };
        let Some(ip) = vm.get(key).and_then(|l| l.first()) else {
            continue;
        };
        let Some(addr) = ip.node.as_address() else {
            continue;
        };
        let vnet_name = if let Some(s) = ref_of(design, vm, SUBNET, SUBNET) {
            vm_in_subnet(vm, s, addr, ip.span, &mut out);
            ref_of(design, s, VNET, VNET).map(|v| v.name.node.clone())
        } else if let Some(v) = ref_of(design, vm, VNET, VNET) {
            vm_in_default_subnet(
                vm,
                v,
                addr,
                ip.span,
                subnets.get(v.name.node.as_str()),
                &mut out,
            );
            Some(v.name.node.clone())
        } else {
            None
        };
        // Further NICs (`nic A subnet S`): each in its subnet, and all of one VM's
        // NICs in one VNet.
        let mut addrs = vec![(addr, ip.span)];
        for l in vm.all("nic") {
            let (Some(a), Some(s)) = (
                l.first()
                    .and_then(|v| v.node.as_address().map(|a| (a, v.span))),
                l.option("subnet").and_then(|v| {
                    v.node
                        .as_ref_name()
                        .and_then(|n| design.component(n))
                        .filter(|t| t.kind == SUBNET)
                        .map(|t| (t, v.span))
                }),
            ) else {
                continue;
            };
            vm_in_subnet(vm, s.0, a.0, a.1, &mut out);
            let nic_vnet = ref_of(design, s.0, VNET, VNET).map(|v| v.name.node.clone());
            if let (Some(v), Some(w)) = (&vnet_name, &nic_vnet) {
                if v != w {
                    out.push(
                        Diagnostic::error(
                            codes::NIC_OTHER_VNET,
                            format!(
                                "`{}` has a NIC in VNet `{w}`, but its first NIC is in `{v}`",
                                vm.name.node
                            ),
                        )
                        .primary(s.1, format!("a subnet of `{w}`"))
                        .secondary(ip.span, format!("the first NIC, in `{v}`"))
                        .note("all the NICs of a VM are in one virtual network (https://learn.microsoft.com/azure/virtual-network/virtual-network-network-interface-vm)")
                        .help(format!("put the NIC in a subnet of `{v}`, or peer the VNets and use one NIC per VM")),
                    );
                    continue;
                }
            }
            addrs.push(a);
        }
        if let Some(v) = vnet_name {
            for (addr, span) in addrs {
                claim(&mut taken, &mut out, &v, addr, span, &vm.name.node);
            }
        }
    }
    out.extend(peerings(design));
    out
}

/// Takes `addr` in VNet `v` for `name`, or reports that another VM has it (AVS0164).
fn claim(
    taken: &mut BTreeMap<(String, Ipv4Addr), (String, Span)>,
    out: &mut Vec<Diagnostic>,
    v: &str,
    addr: Ipv4Addr,
    at: Span,
    name: &str,
) {
    if let Some((other, span)) = taken.get(&(v.to_string(), addr)) {
        let msg = if other == name {
            format!("`{name}` has the address `{addr}` twice")
        } else {
            format!("`{name}` and `{other}` have the same address `{addr}`")
        };
        out.push(
            Diagnostic::error(codes::ADDRESS_IN_USE, msg)
                .primary(at, "already in use")
                .secondary(*span, format!("`{other}` has it")),
        );
    } else {
        taken.insert((v.to_string(), addr), (name.to_string(), at));
    }
}

fn vm_in_subnet(
    vm: &ComponentDecl,
    s: &ComponentDecl,
    addr: Ipv4Addr,
    span: Span,
    out: &mut Vec<Diagnostic>,
) {
    let ranges = addresses(s);
    let Some((net, _)) = ranges.iter().find(|(p, _)| p.contains(&addr)) else {
        if !ranges.is_empty() {
            out.push(
                Diagnostic::error(
                    codes::VM_OUTSIDE_SUBNET,
                    format!(
                        "`{}` has an address outside its subnet `{}`",
                        vm.name.node, s.name.node
                    ),
                )
                .primary(span, format!("`{addr}` is not inside {}", show(&ranges)))
                .secondary(s.name.span, format!("`{}` is declared here", s.name.node))
                .note("a VM's NIC takes its address from its subnet"),
            );
        }
        return;
    };
    reserved_in_subnet(vm, *net, addr, span, out);
}

fn vm_in_default_subnet(
    vm: &ComponentDecl,
    v: &ComponentDecl,
    addr: Ipv4Addr,
    span: Span,
    declared: Option<&Vec<(&ComponentDecl, Ipv4Net, Span)>>,
    out: &mut Vec<Diagnostic>,
) {
    let space = addresses(v);
    if !space.is_empty() && !space.iter().any(|(p, _)| p.contains(&addr)) {
        out.push(
            Diagnostic::error(
                codes::VM_OUTSIDE_SUBNET,
                format!(
                    "`{}` has an address outside vnet `{}`",
                    vm.name.node, v.name.node
                ),
            )
            .primary(span, format!("`{addr}` is not inside {}", show(&space)))
            .secondary(v.name.span, format!("`{}` is declared here", v.name.node))
            .note("a VM's NIC takes its address from its subnet"),
        );
        return;
    }
    if let Some((s, p, _)) = declared
        .into_iter()
        .flatten()
        .find(|(_, p, _)| p.contains(&addr))
    {
        out.push(
            Diagnostic::error(
                codes::VM_OUTSIDE_SUBNET,
                format!(
                    "`{}` is placed in `{}/default` but its address is in subnet `{}`",
                    vm.name.node, v.name.node, s.name.node
                ),
            )
            .primary(span, format!("`{addr}` is inside `{p}`"))
            .secondary(s.name.span, format!("`{}` is declared here", s.name.node))
            .help(format!(
                "place it with `subnet {}` instead of `vnet {}`",
                s.name.node, v.name.node
            )),
        );
    }
}

/// Azure reserves the network address, the next three (gateway, two for DNS) and the
/// last address of every subnet.
fn reserved_in_subnet(
    vm: &ComponentDecl,
    net: Ipv4Net,
    addr: Ipv4Addr,
    span: Span,
    out: &mut Vec<Diagnostic>,
) {
    let first = u32::from(net.network());
    let last = u32::from(net.broadcast());
    let a = u32::from(addr);
    let reserved = a <= first.saturating_add(3) || a == last;
    if reserved {
        let usable_first = Ipv4Addr::from(first.saturating_add(4));
        let usable_last = Ipv4Addr::from(last.saturating_sub(1));
        let d = Diagnostic::error(
                codes::AZURE_RESERVED_ADDRESS,
                format!("`{}` uses `{addr}`, an address Azure reserves in `{net}`", vm.name.node),
            )
            .primary(span, "reserved by Azure")
            .note("Azure reserves five addresses in every subnet: the network address, the next three, and the last");
        let d = if usable_first <= usable_last {
            d.help(format!(
                "use an address from `{usable_first}` to `{usable_last}`"
            ))
        } else {
            d
        };
        out.push(d);
    }
}

fn peerings(design: &Design) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    for a in design.components.iter().filter(|c| c.kind == VNET) {
        for line in a.all("peer") {
            let Some(b) = line
                .first()
                .and_then(|v| v.node.as_ref_name())
                .and_then(|n| design.component(n))
                .filter(|c| c.kind == VNET)
            else {
                continue;
            };
            if a.name.node == b.name.node {
                // Not an overlap of two address spaces: the same VNet twice.
                out.push(
                    Diagnostic::error(
                        "AVS0302",
                        format!("vnet `{}` cannot peer with itself", a.name.node),
                    )
                    .primary(line.span, "names its own VNet")
                    .help("name another VNet, or remove this line"),
                );
                continue;
            }
            let mut pair = [a.name.node.clone(), b.name.node.clone()];
            pair.sort();
            let [x, y] = pair;
            if seen.contains(&(x.clone(), y.clone())) {
                continue;
            }
            seen.push((x, y));
            let (sa, sb) = (addresses(a), addresses(b));
            let clash = sa.iter().find_map(|(p, _)| {
                sb.iter()
                    .find(|(q, _)| overlap(*p, *q))
                    .map(|(q, qs)| (*p, *q, *qs))
            });
            if let Some((p, q, qspan)) = clash {
                out.push(
                    Diagnostic::error(
                        codes::PEERED_VNETS_OVERLAP,
                        format!(
                            "vnets `{}` and `{}` cannot be peered: their address spaces overlap",
                            a.name.node, b.name.node
                        ),
                    )
                    .primary(line.span, "this peering")
                    .secondary(qspan, format!("`{q}` overlaps `{p}` of `{}`", a.name.node))
                    .note("Azure peers only VNets whose address spaces do not overlap"),
                );
            }
        }
    }
    out
}
