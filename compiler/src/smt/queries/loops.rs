//! `loop_free`: no walk from any source loops, for every destination class.

use super::reach::{dedupe_by_signature, src_name};
use super::Answer;
use crate::ir::Property;
use crate::smt::dataplane::{loop_in, walk_exists, Builder, Fresh, Graph, Src, Term, Vertex};
use crate::smt::encode::Encoder;
use crate::smt::model::{
    cex_path, concrete_paths, property_label, route_limit_doubt, routes_of_paths, scenario,
    tidy_labels, ConcretePath,
};
use crate::smt::model::{narrative_prefix, NESTED};
use crate::smt::prover::{Outcome, Prover};
use crate::smt::Counterexample;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use z3::ast::Bool;

pub(super) fn loop_free(enc: &mut Encoder<'_>, prover: &Prover, prop: &Property) -> Answer {
    let net = enc.net;
    let mut sources: Vec<Src> = net.nodes.ids().map(Src::Node).collect();
    sources.extend(net.subnets.ids().map(Src::Subnet));
    let classes: Vec<Ipv4Addr> = crate::sim::destination_classes(net, &[])
        .iter()
        .map(|c| c.representative())
        .collect();
    let dests = dedupe_by_signature(net, classes);
    let mut b = Builder::new(enc);
    let mut fresh = Fresh(0);
    let mut unknown: Option<String> = None;
    let mut per = Vec::new();
    for d in dests {
        let g = b.graph(d, &sources);
        let none = BTreeSet::new();
        let (uns, w) = walk_exists(
            &g,
            &none,
            |vx, _| matches!(vx, Vertex::Term(Term::Unsupported | Term::Recursion)),
            &mut fresh,
        );
        let (claim, cons) = loop_in(&g, &w, &mut fresh);
        let mut parts = vec![Bool::or(&[claim, uns]), cons, w.constraint];
        parts.extend(g.acts.iter().cloned());
        per.push((d, g, Bool::and(&parts)));
    }
    prover.sync(b.enc);
    if prover.refutes_all(per.iter().map(|(_, _, v)| v)) {
        return Answer::Pass;
    }
    for (d, _g, v) in per {
        match prover.check_canonical(&v, &b.enc.prefer_false()) {
            Outcome::Proof => {}
            Outcome::Unknown(why) => {
                unknown.get_or_insert(why);
            }
            Outcome::Counterexample(m) => {
                // Show the looping walks from the first source that has one.
                let mut shown: Vec<(Src, Vec<ConcretePath>, Graph)> = Vec::new();
                for s in &sources {
                    let gs = b.graph(d, &[*s]);
                    let loops: Vec<ConcretePath> = concrete_paths(&gs, &m)
                        .into_iter()
                        .filter(ConcretePath::loops)
                        .collect();
                    if !loops.is_empty() {
                        shown.push((*s, loops, gs));
                        break;
                    }
                }
                if shown.is_empty()
                    && sources.iter().any(|s| {
                        concrete_paths(&b.graph(d, &[*s]), &m)
                            .iter()
                            .any(ConcretePath::unsupported)
                    })
                {
                    unknown.get_or_insert(NESTED.into());
                    continue;
                }
                let Some((s, loops, gs)) = shown.pop() else {
                    unknown.get_or_insert(
                        "internal: the solver's counterexample could not be confirmed".into(),
                    );
                    continue;
                };
                if let Some(why) = route_limit_doubt(b.enc, &m, prop) {
                    unknown.get_or_insert(why);
                    continue;
                }
                let (failed, environment, mut labels) = scenario(b.enc, &m);
                let (routes, rl) = routes_of_paths(b.enc, &b.planes, &m, &gs, &loops);
                labels.extend(rl);
                labels.extend(own_nic_labels(net, &gs, &loops, d));
                labels.push(property_label(prop.span, "this property fails"));
                let from_name = src_name(net, s);
                let cpaths: Vec<_> = loops
                    .iter()
                    .map(|p| cex_path(net, &gs, p, &from_name, d))
                    .collect();
                let narrative = format!(
                    "{}a packet from `{from_name}` to `{d}` loops: {}",
                    narrative_prefix(&failed, &environment),
                    cpaths
                        .first()
                        .map(|p| p.hops.join(" → "))
                        .unwrap_or_default()
                );
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

/// On a looping path, each NVA that hands the packet to the fabric and gets it back
/// at once (a hop `n → n`) with no UDR on its NIC's subnet covering the destination:
/// the subnet's route for it is a BGP route into the NVA's own NIC (Route Server
/// programs an NVA's own route there too, AZURE.md "Route Server"). The label points
/// at the subnet, where the UDR that would override it belongs — as the concrete
/// path's counterexample does (`pipeline::concrete`).
fn own_nic_labels(
    net: &crate::ir::Network,
    g: &crate::smt::dataplane::Graph,
    loops: &[ConcretePath],
    d: std::net::Ipv4Addr,
) -> Vec<crate::smt::CexLabel> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for p in loops {
        let nodes: Vec<crate::ir::NodeId> = p.nodes(g).collect();
        for w in nodes.windows(2) {
            let [a, b] = w else { continue };
            if a != b || !seen.insert(*a) {
                continue;
            }
            let Some(node) = net.nodes.get(*a) else {
                continue;
            };
            let Some(sub) = node
                .behaviours
                .fabric_subnet
                .and_then(|s| net.subnets.get(s))
            else {
                continue;
            };
            if sub.udrs.iter().any(|u| u.prefix.contains(&d)) {
                continue;
            }
            out.push(crate::smt::CexLabel {
                span: sub.span,
                message: format!(
                    "a BGP route for `{d}` sends `{}`'s packets back into `{}`'s own NIC here (next hop `{}`), and no UDR on `{}` overrides it",
                    node.name, node.name, node.name, sub.name
                ),
            });
        }
    }
    out
}
