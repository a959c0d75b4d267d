//! Next-hop tracking (NHT) of a BGP neighbor address, as FRR 8.4's bgpd and zebra do
//! it: bgpd/bgp_fsm.c `bgp_start` registers every neighbor with zebra's next-hop
//! tracking and does not open (nor accept) the session until zebra resolves the
//! address ("Waiting for NHT, no path to neighbor present"; `show ip nht`:
//! "unresolved"). A single-hop eBGP neighbor must be in a connected subnet (the
//! connected check, AVS0924); any other neighbor (eBGP with `ebgp-multihop`, iBGP,
//! `disable-connected-check`) resolves through any route zebra holds except a default
//! route, which counts only with `ip nht resolve-via-default` (at the top level or in
//! `vrf default`). Measured with zebra+staticd+bgpd 8.4 in network namespaces
//! (docs/frr.md): an Azure VM's DHCP default route in the kernel does not resolve the
//! Route Server's address; a static `ip route 0.0.0.0/0 GW` does not either; `ip nht
//! resolve-via-default` makes the kernel default resolve it; a static to the Route
//! Server's subnet resolves it; a blackhole static resolves it but the session's
//! packets are dropped, so it stays down.

use super::ast::{Config, Neighbor};
use super::codes;
use super::translate::{NodeEnv, Peer, StaticRoute};
use crate::diagnostic::Diagnostic;
use crate::ir::StaticTarget;

/// How zebra resolves the neighbor address `n` of a node whose BGP session is not
/// already down for another reason: `None` when the session can start, else the
/// diagnostic (error AVS0928 on the neighbor's `remote-as` line, the fix in the help)
/// and the reason the session is down. Only for a node whose subnets the design gives
/// (an Azure NIC, which holds the DHCP default route): a `site` or `router` has no
/// interfaces in the `.avs`, so nothing is assumed about its routes.
pub(super) fn check(
    cfg: &Config,
    statics: &[StaticRoute],
    n: &Neighbor,
    peer: &Peer,
    env: &NodeEnv,
) -> Option<(Diagnostic, String)> {
    if env.connected.is_empty() {
        return None;
    }
    let addr = n.addr.node;
    let connected = peer.tunnel.is_some()
        || peer.circuit
        || env.connected.iter().any(|c| c.contains(&addr))
        || cfg
            .interface_addresses
            .iter()
            .any(|c| c.node.contains(&addr));
    if connected {
        return None;
    }
    let via_default = cfg.nht_resolve_via_default.is_some();
    // The most specific static route covering the address decides (zebra's longest
    // match). The kernel default (DHCP) is on every Azure NIC and wins over a static
    // default (distance 0 against 1), so only a more specific static can decide.
    let best = statics
        .iter()
        .filter(|s| s.prefix.contains(&addr))
        .max_by_key(|s| s.prefix.prefix_len());
    let specific = best.filter(|s| s.prefix.prefix_len() > 0);
    let span = n.remote_as.map_or(n.addr.span, |r| r.span);
    let gateway = env.gateways.first().copied();
    let static_hint = match gateway {
        Some(g) => format!(
            "`ip route {addr}/32 {g}` (the subnet's Azure gateway; or the peer's whole subnet)"
        ),
        None => format!("a static route to {addr}"),
    };
    match specific {
        Some(s) => {
            if s.target != StaticTarget::Drop {
                return None;
            }
            let diag = Diagnostic::error(
                codes::NHT_UNRESOLVED,
                format!("the route to neighbor {addr} (`{}`) is a blackhole: the session stays down", peer.name),
            )
            .primary(span, "bgpd opens this session into a blackhole")
            .secondary(s.span, "the most specific route to the neighbor drops its packets")
            .note("zebra resolves the neighbor through the blackhole route, so bgpd tries to connect, but every packet towards the neighbor is dropped (measured with FRR 8.4: the session stays Active)")
            .help(format!("route the neighbor's address to the fabric: {static_hint}"));
            Some((
                diag,
                format!("the route to neighbor {addr} is a blackhole ({})", s.prefix),
            ))
        }
        _ if via_default => None,
        _ => {
            let mut diag = Diagnostic::error(
                codes::NHT_UNRESOLVED,
                format!(
                    "neighbor {addr} (`{}`) is reachable only through the default route: FRR does not start the session",
                    peer.name
                ),
            )
            .primary(span, "bgpd waits for next-hop tracking: this session stays down")
            .note(format!(
                "{addr} is outside the node's connected subnets and no static route covers it; the Azure NIC's default route (from DHCP, in the kernel) or an `ip route 0.0.0.0/0` resolves a neighbor only with `ip nht resolve-via-default` (FRR 8.4: `show ip nht` says \"unresolved\", the neighbor stays Active)"
            ))
            .help(format!(
                "add `ip nht resolve-via-default`, or {static_hint}"
            ));
            if let Some(s) = best {
                diag = diag.secondary(s.span, "a default route: it resolves a neighbor only with `ip nht resolve-via-default`");
            }
            Some((
                diag,
                format!("neighbor {addr} resolves only through the default route (no `ip nht resolve-via-default`)"),
            ))
        }
    }
}

/// A neighbor resolved through a static route only (no `ip nht
/// resolve-via-default`): the next hops of the routes it hands on resolve the same
/// way, so one that only the default route covers — Route Server hands on the
/// ExpressRoute or VPN gateway's addresses in GatewaySubnet and other NVAs' — is
/// "inaccessible, no best path" in FRR 8.4 (measured, docs/frr.md). avscheck does not
/// model the next hops of learned routes yet: a warning AVS0903 on the static route
/// and the neighbor line, so the gap is never silent.
pub(super) fn learned_next_hops(
    cfg: &Config,
    statics: &[StaticRoute],
    n: &Neighbor,
    peer: &Peer,
    env: &NodeEnv,
) -> Option<Diagnostic> {
    if env.connected.is_empty() || cfg.nht_resolve_via_default.is_some() {
        return None;
    }
    let addr = n.addr.node;
    if peer.tunnel.is_some()
        || peer.circuit
        || env.connected.iter().any(|c| c.contains(&addr))
        || cfg
            .interface_addresses
            .iter()
            .any(|c| c.node.contains(&addr))
    {
        return None;
    }
    let s = statics
        .iter()
        .filter(|s| s.prefix.contains(&addr) && s.prefix.prefix_len() > 0)
        .max_by_key(|s| s.prefix.prefix_len())?;
    let span = n.remote_as.map_or(n.addr.span, |r| r.span);
    Some(
        Diagnostic::warning(
            codes::UNMODELED,
            format!(
                "next hops of the routes learned from {addr} (`{}`) resolve only through connected subnets and static routes: not modeled",
                peer.name
            ),
        )
        .primary(span, "this session comes up through the static route")
        .secondary(s.span, "the neighbor resolves through this route")
        .note("without `ip nht resolve-via-default`, FRR treats a learned route whose next hop only the default route covers (Route Server hands on the gateways' addresses in GatewaySubnet and other NVAs' addresses) as inaccessible: no best path, not installed, not passed on; avscheck takes such routes as valid")
        .help("add `ip nht resolve-via-default` (the Azure NIC's default route then resolves every next hop), or static routes covering every next hop"),
    )
}
