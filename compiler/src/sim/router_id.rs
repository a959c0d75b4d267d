//! AVS0505 (warning): a best route chosen by a router id the design does not give.
//!
//! The decision process ends, between two routes from different senders that are equal
//! on every earlier step, with the lowest router id (semantics §1 "Decision"; RFC 4271
//! §9.1.2.2; FRR's `bgp_path_info_cmp`). A `router`, `nva` or `site` without
//! `router_id` gets its declaration order as router id (LANGUAGE.md §2.1), so such a
//! choice rests on the order of the blocks in the file — which the deployed routers
//! know nothing of (LANGUAGE.md §2.4: "a verdict never rests on declaration order or
//! names"). The stable state with nothing failed is searched for such choices; each
//! (receiver, pair of senders) is reported once, with one prefix as an example and how
//! many prefix classes share it. Ties that involve a Microsoft speaker (whose router id
//! is undocumented) are not reported here: they are undocumented choices, and both
//! engines consider every outcome ([`super::choice`]).

use super::bgp::{compare_1_to_4, State};
use crate::diagnostic::Diagnostic;
use crate::ir::{Network, NodeId};
use ipnet::Ipv4Net;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// One receiver's choice between two senders, by a defaulted router id.
struct DefaultedChoice {
    /// The first prefix (in address order) decided this way.
    example: Ipv4Net,
    /// Prefix classes decided this way.
    classes: usize,
}

/// The AVS0505 warnings of `state`, in (receiver, winner, loser) node order.
pub fn default_router_id_findings(net: &Network, state: &State) -> Vec<Diagnostic> {
    let mut found: BTreeMap<(NodeId, NodeId, NodeId), DefaultedChoice> = BTreeMap::new();
    for (receiver, rib) in state.ribs.iter() {
        if !net.nodes.get(receiver).is_some_and(|n| n.router_id_known) {
            continue;
        }
        for (prefix, entry) in rib.own() {
            // One report per prefix class: its other members hold the same routes.
            if entry.installed != 1 || state.class_of.contains_key(prefix) {
                continue;
            }
            let (Some(best), Some(next)) = (entry.candidates.first(), entry.candidates.get(1))
            else {
                continue;
            };
            if compare_1_to_4(best, next) != Ordering::Equal {
                continue;
            }
            let ibgp = |r: &super::bgp::Route| {
                r.learned_from
                    .and_then(|e| net.edges.get(e))
                    .is_some_and(|e| e.ibgp)
            };
            if ibgp(best) != ibgp(next) {
                continue;
            }
            let (Some(winner), Some(loser)) = (best.from_node(net), next.from_node(net)) else {
                continue;
            };
            if winner == loser {
                continue;
            }
            let defaulted = |n: NodeId| {
                net.nodes
                    .get(n)
                    .is_some_and(|x| x.router_id_known && x.router_id_addr.is_none())
            };
            let documented = |n: NodeId| net.nodes.get(n).is_some_and(|x| x.router_id_known);
            if !(documented(winner) && documented(loser)) {
                continue;
            }
            if !(defaulted(winner) || defaulted(loser)) {
                continue;
            }
            found
                .entry((receiver, winner, loser))
                .and_modify(|c| c.classes += 1)
                .or_insert(DefaultedChoice {
                    example: *prefix,
                    classes: 1,
                });
        }
    }
    found
        .into_iter()
        .filter_map(|((receiver, winner, loser), c)| {
            let r = net.nodes.get(receiver)?;
            let w = net.nodes.get(winner)?;
            let l = net.nodes.get(loser)?;
            let unset: Vec<String> = [w, l]
                .iter()
                .filter(|n| n.router_id_addr.is_none())
                .map(|n| format!("`{}`", n.name))
                .collect();
            let more = match c.classes {
                1 => String::new(),
                n => format!(" (and {} more prefix classes like it)", n - 1),
            };
            let mut d = Diagnostic::warning(
                "AVS0505",
                format!(
                    "`{}` prefers `{}`'s route for {} over `{}`'s by router id, which the design does not give",
                    r.name, w.name, c.example, l.name
                ),
            )
            .primary(
                r.span,
                format!("`{}` chooses between two equal routes{more}", r.name),
            );
            for n in [w, l] {
                let what = match n.router_id_addr {
                    Some(a) => format!("router id {a}"),
                    None => format!(
                        "no `router_id`: its router id is its place in the file ({})",
                        n.router_id
                    ),
                };
                d = d.secondary(n.span, what);
            }
            Some(
                d.note("the routes are equal up to the router-id step of the decision process (local_pref, AS path, MED, eBGP over iBGP), so the lower router id wins; without `router_id` that is the order of the blocks in this file, which the deployed routers know nothing of")
                    .help(match unset.as_slice() {
                    [one] => format!("give {one} the router id it has in the deployment (`router_id A.B.C.D`)"),
                    _ => format!("give {} the router ids they have in the deployment (`router_id A.B.C.D`)", unset.join(" and ")),
                }),
            )
        })
        .collect()
}
