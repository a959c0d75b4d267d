//! Path properties (`reachable`, `path ... traverses|avoids`) as walks in the
//! data-plane graph of each destination class, and the endpoint helpers the other
//! data-plane properties share.

use super::Answer;
use crate::ir::{Endpoint, Network, NodeId, Property};
use crate::sim::{owners, Owner};
use crate::smt::dataplane::{
    endpoint_src, loop_in, walk_exists, Builder, Fresh, Graph, Src, Term, Vertex,
};
use crate::smt::encode::Encoder;
use crate::smt::model::{
    cex_path, concrete_paths, node_name, property_label, route_limit_doubt, routes_of_paths,
    scenario, tidy_labels, ConcretePath,
};
use crate::smt::model::{narrative_prefix, NESTED};
use crate::smt::prover::{Outcome, Prover};
use crate::smt::Counterexample;
use ipnet::Ipv4Net;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use z3::ast::Bool;

#[derive(Clone, Copy)]
pub(super) enum PathGoal {
    Reach,
    Traverse(NodeId),
    Avoid(NodeId),
}

/// Whether a delivery to `o` (of destination `d`) is a delivery to endpoint `to`.
pub(super) fn delivered_to(net: &Network, o: Owner, d: Ipv4Addr, to: &Endpoint) -> bool {
    let nic_subnet = |o: Owner| match o {
        Owner::Subnet(s) => Some(s),
        Owner::Node(n) => net.nodes.get(n).and_then(|x| x.behaviours.fabric_subnet),
    };
    match *to {
        Endpoint::Node(n) => o == Owner::Node(n),
        Endpoint::Subnet(s) => nic_subnet(o) == Some(s),
        Endpoint::Vnet(v) => nic_subnet(o)
            .and_then(|s| net.subnets.get(s))
            .is_some_and(|s| s.vnet == v),
        Endpoint::Prefix(_) | Endpoint::Address(_) => owners(net, d).contains(&o),
        Endpoint::Internet => net.internet.is_some_and(|i| o == Owner::Node(i)),
    }
}

pub(super) fn good_end(net: &Network, vx: &Vertex, d: Ipv4Addr, to: &Endpoint) -> bool {
    matches!(vx, Vertex::Term(Term::Delivered(o)) if delivered_to(net, *o, d, to))
}

/// The name of a delivery's owner, as `trace` prints it.
fn owner_label(net: &Network, o: Owner) -> String {
    crate::report::trace::owner_name(net, o)
}

/// Where the property wants a packet for `d` delivered, for a narrative.
fn wanted_label(net: &Network, d: Ipv4Addr, to: &Endpoint) -> String {
    match *to {
        Endpoint::Node(n) => format!("`{}`", node_name(net, n)),
        Endpoint::Subnet(s) => format!("`{}`", owner_label(net, Owner::Subnet(s))),
        Endpoint::Vnet(v) => format!(
            "`{}`",
            net.vnets.get(v).map(|x| x.name.clone()).unwrap_or_default()
        ),
        Endpoint::Internet => "the internet".into(),
        Endpoint::Prefix(_) | Endpoint::Address(_) => {
            let names: Vec<String> = owners(net, d)
                .into_iter()
                .map(|o| format!("`{}`", owner_label(net, o)))
                .collect();
            if names.is_empty() {
                "its owner in the design".into()
            } else {
                format!("{} (its owner in the design)", names.join(" or "))
            }
        }
    }
}

/// Destination representatives, one per distinct set of containing design prefixes
/// (addresses in the same prefixes are routed identically).
pub(super) fn dedupe_by_signature(net: &Network, dests: Vec<Ipv4Addr>) -> Vec<Ipv4Addr> {
    let mentioned = crate::sim::classes::mentioned_prefixes(net);
    let mut seen: BTreeSet<Vec<Ipv4Net>> = BTreeSet::new();
    let mut out = Vec::new();
    for d in dests {
        let sig: Vec<Ipv4Net> = mentioned
            .iter()
            .filter(|p| p.contains(&d))
            .copied()
            .collect();
        if seen.insert(sig) {
            out.push(d);
        }
    }
    out
}

pub(super) fn src_name(net: &Network, s: Src) -> String {
    match s {
        Src::Node(n) | Src::Management(n) => node_name(net, n),
        Src::Subnet(s) => net
            .subnets
            .get(s)
            .map(|x| x.name.clone())
            .unwrap_or_default(),
    }
}

/// Not delivered to `to` (or a loop), or — for a waypoint goal — the goal's offence.
pub(super) fn offends(
    net: &Network,
    g: &Graph,
    p: &ConcretePath,
    d: Ipv4Addr,
    to: &Endpoint,
    goal: PathGoal,
) -> bool {
    let delivered = p
        .delivered_to()
        .is_some_and(|o| delivered_to(net, o, d, to));
    match goal {
        PathGoal::Reach => !delivered,
        PathGoal::Traverse(w) => !delivered || !p.visits(g, w),
        PathGoal::Avoid(w) => p.visits(g, w),
    }
}

pub(super) fn paths(
    enc: &mut Encoder<'_>,
    prover: &Prover,
    prop: &Property,
    from: &Endpoint,
    to: &Endpoint,
    goal: PathGoal,
) -> Answer {
    let net = enc.net;
    let Some(src) = endpoint_src(net, from) else {
        return Answer::Fail(Box::new(Counterexample {
            dropped: Vec::new(),
            narrative: "the source has no place in the design".into(),
            labels: vec![property_label(prop.span, "this property fails")],
            ..Counterexample::default()
        }));
    };
    let dests = dedupe_by_signature(net, crate::sim::props::destinations(net, from, to));
    let mut b = Builder::new(enc);
    let mut fresh = Fresh(0);
    let mut unknown: Option<String> = None;
    let mut per = Vec::new();
    for d in dests {
        let g = b.graph(d, &[src]);
        let (violation, cons) = match goal {
            PathGoal::Reach | PathGoal::Traverse(_) => {
                let none = BTreeSet::new();
                let (bad_end, w) = walk_exists(
                    &g,
                    &none,
                    |vx, _| matches!(vx, Vertex::Term(_)) && !good_end(net, vx, d, to),
                    &mut fresh,
                );
                let (lp, lc) = loop_in(&g, &w, &mut fresh);
                let mut claims = vec![bad_end, lp];
                let mut cons = vec![w.constraint, lc];
                if let PathGoal::Traverse(wp) = goal {
                    let watch: BTreeSet<NodeId> = [wp].into_iter().collect();
                    let (skip, w2) = walk_exists(
                        &g,
                        &watch,
                        |vx, flag| !flag && good_end(net, vx, d, to),
                        &mut fresh,
                    );
                    claims.push(skip);
                    cons.push(w2.constraint);
                }
                (Bool::or(&claims), Bool::and(&cons))
            }
            PathGoal::Avoid(wp) => {
                let watch: BTreeSet<NodeId> = [wp].into_iter().collect();
                let (hit, w) = walk_exists(
                    &g,
                    &watch,
                    |vx, flag| flag || *vx == Vertex::Term(Term::Unsupported),
                    &mut fresh,
                );
                (hit, w.constraint)
            }
        };
        let mut parts = vec![violation, cons];
        parts.extend(g.acts.iter().cloned());
        per.push((d, g, Bool::and(&parts)));
    }
    prover.sync(b.enc);
    if prover.refutes_all(per.iter().map(|(_, _, v)| v)) {
        return Answer::Pass;
    }
    for (d, g, v) in per {
        match prover.check_canonical(&v, &b.enc.prefer_false()) {
            Outcome::Proof => {}
            Outcome::Unknown(why) => {
                unknown.get_or_insert(why);
            }
            Outcome::Counterexample(m) => {
                let all = concrete_paths(&g, &m);
                if all.iter().any(ConcretePath::unsupported) {
                    unknown.get_or_insert(NESTED.into());
                    continue;
                }
                let bad: Vec<ConcretePath> = all
                    .into_iter()
                    .filter(|p| p.loops() || offends(net, &g, p, d, to, goal))
                    .collect();
                if bad.is_empty() {
                    unknown.get_or_insert(
                        "internal: the solver's counterexample could not be confirmed".into(),
                    );
                    continue;
                }
                if bad.iter().any(ConcretePath::unsupported) {
                    unknown.get_or_insert(NESTED.into());
                    continue;
                }
                if let Some(why) = route_limit_doubt(b.enc, &m, prop) {
                    unknown.get_or_insert(why);
                    continue;
                }
                let (failed, environment, mut labels) = scenario(b.enc, &m);
                let (routes, rl) = routes_of_paths(b.enc, &b.planes, &m, &g, &bad);
                labels.extend(rl);
                labels.push(property_label(prop.span, "this property fails"));
                let from_name = src_name(net, src);
                let cpaths: Vec<_> = bad
                    .iter()
                    .map(|p| cex_path(net, &g, p, &from_name, d))
                    .collect();
                let first = cpaths.first().cloned();
                let what = match goal {
                    PathGoal::Reach => "",
                    PathGoal::Traverse(w) => match first.as_ref() {
                        Some(p) if p.disposition == "delivered" => {
                            return Answer::Fail(Box::new(Counterexample {
 dropped: Vec::new(),
                                narrative: format!(
                                    "{}a packet from `{from_name}` to `{d}` is delivered without passing `{}`: {}",
                                    narrative_prefix(&failed, &environment),
                                    node_name(net, w),
                                    p.hops.join(" → ")
                                ),
                                failed,
                                environment,
                                paths: cpaths,
                                routes,
                                labels: tidy_labels(labels),
                            }));
                        }
                        _ => "",
                    },
                    PathGoal::Avoid(w) => {
                        return Answer::Fail(Box::new(Counterexample {
                            dropped: Vec::new(),
                            narrative: format!(
                                "{}a packet from `{from_name}` to `{d}` passes `{}`: {}",
                                narrative_prefix(&failed, &environment),
                                node_name(net, w),
                                first.map(|p| p.hops.join(" → ")).unwrap_or_default()
                            ),
                            failed,
                            environment,
                            paths: cpaths,
                            routes,
                            labels: tidy_labels(labels),
                        }));
                    }
                };
                // Why the packet is not delivered, as `trace` gives it.
                let reason = bad
                    .first()
                    .and_then(|p| crate::smt::model::end_reason(p.end))
                    .map(|w| format!(" ({w})"))
                    .unwrap_or_default();
                // Delivered, but to someone else than the destination the property
                // names (a hijack): say to whom.
                let reason = match bad.first().and_then(ConcretePath::delivered_to) {
                    Some(o) if !delivered_to(net, o, d, to) => format!(
                        " to `{}`, not to {}",
                        owner_label(net, o),
                        wanted_label(net, d, to)
                    ),
                    _ => reason,
                };
                let narrative = match first {
                    Some(p) => format!(
                        "{}a packet from `{from_name}` to `{d}` ends `{}`{reason}{}: {}",
                        narrative_prefix(&failed, &environment),
                        p.disposition,
                        what,
                        if p.hops.is_empty() {
                            format!("at `{from_name}`")
                        } else {
                            p.hops.join(" → ")
                        }
                    ),
                    None => String::new(),
                };
                return Answer::Fail(Box::new(Counterexample {
                    dropped: Vec::new(),
                    failed,
                    environment,
                    paths: cpaths,
                    routes,
                    labels: tidy_labels(labels),
                    narrative,
                }));
            }
        }
    }
    match unknown {
        Some(u) => Answer::Unknown(u),
        None => Answer::Pass,
    }
}
