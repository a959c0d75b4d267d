//! `loop_free`: no walk from any source loops, for every destination class.

use super::reach::{dedupe_by_signature, src_name};
use super::{all_refuted, narrative_prefix, prefer_false, sync, Answer, NESTED};
use crate::ir::Property;
use crate::smt::dataplane::{loop_in, walk_exists, Builder, Fresh, Graph, Src, Term, Vertex};
use crate::smt::encode::Encoder;
use crate::smt::model::{
    cex_path, concrete_paths, property_label, route_limit_doubt, routes_of_paths, scenario,
    tidy_labels, ConcretePath,
};
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
    sync(prover, b.enc);
    if all_refuted(prover, &per) {
        return Answer::Pass;
    }
    for (d, _g, v) in per {
        match prover.check_canonical(&v, &prefer_false(b.enc)) {
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
