//! Why a node has no route: the explanation a `no_route` counterexample needs to point
//! at the line responsible (a policy rule, loop prevention, a session that is not there).

use super::bgp::{export_rules, transfer, Blocked, Route, State};
use super::Scenario;
use crate::ir::{Network, NodeId};
use crate::span::Span;
use ipnet::Ipv4Net;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// One reason, with the span to label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub span: Span,
    pub message: String,
}

fn name(net: &Network, n: NodeId) -> &str {
    net.nodes.get(n).map(|x| x.name.as_str()).unwrap_or("")
}

/// Why `n` has no route for `d` in `state`: for each prefix covering `d` that some
/// node originates (most specific first), the route is followed from the nodes that
/// hold it over the usable edges towards `n`, and every edge where it stops is
/// explained (a policy's deny rule or its end, loop prevention, NO_ADVERTISE); when no
/// usable session leads from the holders towards `n`, the holders closest to it are
/// named. At most `limit` reasons, in a deterministic order.
pub fn why_no_route(
    net: &Network,
    state: &State,
    sc: &Scenario,
    n: NodeId,
    d: Ipv4Addr,
    limit: usize,
) -> Vec<Reason> {
    let mut prefixes: Vec<Ipv4Net> = net
        .originated_prefixes()
        .into_iter()
        .filter(|p| p.contains(&d))
        .collect();
    prefixes.sort_by_key(|p| std::cmp::Reverse(p.prefix_len()));
    // Nodes from which `n` can be reached over usable edges.
    let down = state.down_sessions();
    let usable = |e: crate::ir::EdgeId| {
        sc.edge_usable(net, e) && net.edges.get(e).is_some_and(|x| !down.contains(&x.session))
    };
    let mut towards: BTreeSet<NodeId> = BTreeSet::from([n]);
    loop {
        let before = towards.len();
        for (id, e) in net.edges.iter() {
            if usable(id) && towards.contains(&e.to) {
                towards.insert(e.from);
            }
        }
        if towards.len() == before {
            break;
        }
    }
    let mut out: Vec<Reason> = Vec::new();
    let push = |r: Reason, out: &mut Vec<Reason>| {
        if !out.iter().any(|x| x.span == r.span) {
            out.push(r);
        }
    };
    for p in prefixes {
        if state.best(n, p).is_some() {
            continue;
        }
        let holders: Vec<NodeId> = net
            .nodes
            .ids()
            .filter(|u| state.best(*u, p).is_some())
            .collect();
        let mut stopped = false;
        for (id, e) in net.edges.iter() {
            if !usable(id) || !towards.contains(&e.to) || state.best(e.to, p).is_some() {
                continue;
            }
            // An edge that originates `p` (`default-originate`) sends it whatever its
            // sender holds.
            let generated = e.originates_default(p).then(|| Route::local(p, e.from));
            let Some(r) = generated.as_ref().or_else(|| state.best(e.from, p)) else {
                continue;
            };
            let (u, v) = (name(net, e.from), name(net, e.to));
            let reason = match transfer(net, id, r) {
                Ok(_) | Err(Blocked::NoEdge | Blocked::BackToSender | Blocked::SplitHorizon) => {
                    continue
                }
                Err(Blocked::NoAdvertise) => Reason {
                    span: e.span,
                    message: format!("`{p}` carries NO_ADVERTISE: `{u}` passes it to no peer"),
                },
                Err(Blocked::LoopCheck { asn, as_path }) => {
                    let dropped = format!(
                        "`{v}` drops `{p}` from `{u}`: its AS path [{as_path}] holds AS{asn} (loop prevention)"
                    );
                    // The export rules that let the route out with AS{asn} still in
                    // its path are what to fix (a route-map entry without `set
                    // as-path exclude`), so they carry the label, with the list
                    // lines their `match`es matched; without any, the session line.
                    let rules = export_rules(net, id, r);
                    if rules.is_empty() {
                        Reason {
                            span: e.span,
                            message: dropped,
                        }
                    } else {
                        for (pid, rule) in &rules {
                            let pname = net
                                .policies
                                .get(*pid)
                                .map(|x| x.name.as_str())
                                .unwrap_or("");
                            push(
                                Reason {
                                    span: rule.span,
                                    message: format!("this rule of `{pname}` lets `{p}` from `{u}` to `{v}` with AS{asn} in its path; {dropped}"),
                                },
                                &mut out,
                            );
                            for m in &rule.matched {
                                push(
                                    Reason {
                                        span: *m,
                                        message: format!(
                                            "`{p}` matches here, for `{pname}` from `{u}` to `{v}`"
                                        ),
                                    },
                                    &mut out,
                                );
                            }
                        }
                        stopped = true;
                        continue;
                    }
                }
                Err(Blocked::Export(stop)) | Err(Blocked::Import(stop)) => {
                    let policy = net.policies.get(stop.policy);
                    let pname = policy.map(|x| x.name.as_str()).unwrap_or("");
                    match stop.rule {
                        Some(span) => Reason {
                            span,
                            message: format!("this rule of `{pname}` stops `{p}` from `{u}` to `{v}`"),
                        },
                        None => Reason {
                            span: policy.map(|x| x.span).unwrap_or(e.span),
                            message: format!("no rule of `{pname}` matches `{p}` from `{u}` to `{v}`: the end of a policy denies"),
                        },
                    }
                }
            };
            stopped = true;
            push(reason, &mut out);
        }
        if !stopped {
            if holders.is_empty() {
                continue;
            }
            // No usable session leads on from the holders towards `n`.
            for h in holders.iter().filter(|h| !towards.contains(h)) {
                let hn = name(net, *h);
                if let Some(node) = net.nodes.get(*h) {
                    push(
                        Reason {
                            span: node.span,
                            message: format!("`{hn}` holds `{p}`, but no established session leads from it towards `{}`", name(net, n)),
                        },
                        &mut out,
                    );
                }
            }
        }
        if out.len() >= limit {
            break;
        }
    }
    out.truncate(limit);
    out
}
