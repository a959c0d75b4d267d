//! Tunnels routed through themselves (AZURE.md, v2 corrections: "a tunnel carries
//! packets only while its outer packets reach the far end without using the tunnel
//! itself"; FRR/Linux call it recursive routing, and the tunnel goes down).
//!
//! An end outside a VNet (a `site`, a `router`) routes the tunnel's outer packets —
//! towards the far end's outer address ([`Network::tunnel_end_address`]: its
//! `public_ip` across the internet) — by its own table: a standing static route, else
//! its installed BGP routes, longest prefix first, a static winning an equal prefix
//! (the walker's rule, `forward::Walker::decide_uncached`). When the route chosen was
//! learned over a session running over that same tunnel (an SD-WAN NVA advertising
//! `0.0.0.0/0` to a branch), the outer packets enter the tunnel itself: the tunnel is
//! down, and with it every session over it. [`super::bgp::stable_state_choosing`]
//! drops those sessions and computes the stable state again (as for route limits):
//! once down, a tunnel stays down in the scenario. In a real network the tunnel
//! flaps (down, its routes withdrawn, up, the route learned again); the model's
//! answer, "down", is the one a property may rely on.
//!
//! Ends inside a VNet route their outer packets by their subnet's effective routes,
//! which the walk of every packet follows already (a route programmed back into the
//! NVA loops, `docs/semantics.md` §2.6); the VNet-only underlay (peerings) is checked
//! in lowering (`sema::lower::sessions`, AVS0308).

use super::bgp::NodeRib;
use super::Live;
use crate::ir::{IdVec, Network, NodeId, SessionId, TunnelId};
use serde::Serialize;
use std::net::Ipv4Addr;

/// A tunnel taken down because an end routes its outer packets into it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecursiveTunnel {
    pub tunnel: TunnelId,
    /// The end whose route sends the outer packets into the tunnel.
    pub end: NodeId,
    /// The far end's outer address.
    pub outer: Ipv4Addr,
    /// The prefix of the route that captures it.
    pub prefix: ipnet::Ipv4Net,
    /// The sessions over the tunnel, now down.
    pub sessions: Vec<SessionId>,
}

/// The tunnels with a live session over them whose outer packets, at an end outside
/// a VNet, follow a route learned over that tunnel, in tunnel id order.
pub(crate) fn recursive_tunnels(
    net: &Network,
    live: &Live,
    ribs: &IdVec<NodeId, NodeRib>,
) -> Vec<RecursiveTunnel> {
    let mut out = Vec::new();
    for (t, tun) in net.tunnels.iter() {
        let sessions: Vec<SessionId> = {
            let mut s: Vec<SessionId> = net
                .edges
                .iter()
                .filter(|(eid, e)| e.tunnel == Some(t) && live.edge(*eid))
                .map(|(_, e)| e.session)
                .collect();
            s.sort();
            s.dedup();
            s
        };
        if sessions.is_empty() {
            continue;
        }
        for (end, far) in [(tun.a, tun.b), (tun.b, tun.a)] {
            let Some(node) = net.nodes.get(end) else {
                continue;
            };
            if node.behaviours.fabric_subnet.is_some() || !live.node(end) {
                continue;
            }
            let Some(outer) = net.tunnel_end_address(t, far) else {
                continue;
            };
            let Some((prefix, routes)) = ribs.get(end).and_then(|r| r.lookup(outer)) else {
                continue;
            };
            let static_len = node
                .statics
                .iter()
                .filter(|s| s.prefix.contains(&outer))
                .filter(|s| s.stands(|c| live.is_down(c)))
                .map(|s| s.prefix.prefix_len())
                .max();
            if static_len.is_some_and(|l| l >= prefix.prefix_len()) {
                continue;
            }
            let into_itself = routes.iter().any(|r| {
                r.learned_from
                    .and_then(|e| net.edges.get(e))
                    .is_some_and(|e| e.tunnel == Some(t))
            });
            if into_itself {
                out.push(RecursiveTunnel {
                    tunnel: t,
                    end,
                    outer,
                    prefix,
                    sessions: sessions.clone(),
                });
                break;
            }
        }
    }
    out
}

/// AVS0349 (warning): a tunnel the stable state takes down because an end routes its
/// outer packets into it, one per [`RecursiveTunnel`] of `state`.
pub fn recursive_tunnel_findings(
    net: &Network,
    state: &super::State,
) -> Vec<crate::diagnostic::Diagnostic> {
    use crate::diagnostic::Diagnostic;
    let mut out = Vec::new();
    for r in &state.recursive {
        let (Some(t), Some(end)) = (net.tunnels.get(r.tunnel), net.nodes.get(r.end)) else {
            continue;
        };
        let mut d = Diagnostic::warning(
            "AVS0349",
            format!(
                "tunnel `{}` is down: `{}` routes its outer packets into the tunnel itself",
                t.name, end.name
            ),
        )
        .primary(
            t.span,
            format!(
                "the outer packets for `{}` follow `{}`, learned over this tunnel",
                r.outer, r.prefix
            ),
        );
        for s in &r.sessions {
            if let Some(x) = net.sessions.get(*s) {
                d = d.secondary(x.span, "this session runs over it: down");
            }
        }
        out.push(
            d.note("a tunnel carries packets only while its outer packets reach the far end without using the tunnel itself (recursive routing: the tunnel goes down, its routes are withdrawn, and it flaps)")
                .help(format!(
                    "give `{}` a route for `{}` that does not use the tunnel (e.g. `static {}/32 next_hop internet`), or filter `{}` on its sessions over the tunnel",
                    end.name, r.outer, r.outer, r.prefix
                )),
        );
    }
    out
}
