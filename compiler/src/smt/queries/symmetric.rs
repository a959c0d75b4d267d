//! `symmetric A B`: both directions delivered and through the same NVAs.

use super::reach::{dedupe_by_signature, delivered_to, good_end, src_name};
use super::{narrative_prefix, prefer_false, sync, Answer, NESTED};
use crate::ir::{Endpoint, NodeId, Property};
use crate::smt::dataplane::{endpoint_src, loop_in, walk_exists, Builder, Fresh, Graph, Vertex};
use crate::smt::encode::Encoder;
use crate::smt::model::{
    cex_path, concrete_paths, property_label, route_limit_doubt, routes_of_paths, scenario,
    tidy_labels, ConcretePath,
};
use crate::smt::prover::{Outcome, Prover};
use crate::smt::Counterexample;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use z3::ast::Bool;

pub(super) fn symmetric(
    enc: &mut Encoder<'_>,
    prover: &Prover,
    prop: &Property,
    a: &Endpoint,
    bep: &Endpoint,
) -> Answer {
    let net = enc.net;
    let (Some(sa), Some(sb)) = (endpoint_src(net, a), endpoint_src(net, bep)) else {
        return Answer::Fail(Box::new(Counterexample {
            dropped: Vec::new(),
            narrative: "an endpoint has no place in the design".into(),
            labels: vec![property_label(prop.span, "this property fails")],
            ..Counterexample::default()
        }));
    };
    let to_b = dedupe_by_signature(net, crate::sim::props::destinations(net, a, bep));
    let to_a = dedupe_by_signature(net, crate::sim::props::destinations(net, bep, a));
    let nvas: Vec<NodeId> = net
        .nodes
        .iter()
        .filter(|(_, n)| n.behaviours.fabric_subnet.is_some())
        .map(|(id, _)| id)
        .collect();
    let mut b = Builder::new(enc);
    // One HA-ports internal load balancer gives both directions of a flow to the same
    // backend (load-balancer/load-balancer-ha-ports-overview.md, "Flow symmetry"):
    // one backend choice per load balancer, shared by both directions' graphs.
    b.pins = (0..net.load_balancers.len())
        .map(|i| (i, z3::ast::Int::new_const(format!("lb_pin_{i}"))))
        .collect();
    let mut fresh = Fresh(0);
    let mut unknown: Option<String> = None;
    let mut graphs_b: BTreeMap<Ipv4Addr, Graph> = BTreeMap::new();
    for d in &to_b {
        graphs_b.insert(*d, b.graph(*d, &[sa]));
    }
    let mut graphs_a: BTreeMap<Ipv4Addr, Graph> = BTreeMap::new();
    for d in &to_a {
        graphs_a.insert(*d, b.graph(*d, &[sb]));
    }
    sync(prover, b.enc);
    // Per graph, once: a bad walk or loop; and per NVA it can visit, a delivered walk
    // through it and one around it.
    struct Walks {
        cons: Bool,
        bad: Bool,
        with: BTreeMap<NodeId, Bool>,
        without: BTreeMap<NodeId, Bool>,
    }
    let walks = |g: &Graph, d: Ipv4Addr, to: &Endpoint, fresh: &mut Fresh| -> Walks {
        let none = BTreeSet::new();
        let (bad, w) = walk_exists(
            g,
            &none,
            |vx, _| matches!(vx, Vertex::Term(_)) && !good_end(net, vx, d, to),
            fresh,
        );
        let (lp, lc) = loop_in(g, &w, fresh);
        let mut cons = vec![w.constraint];
        cons.push(lc);
        let mut with = BTreeMap::new();
        let mut without = BTreeMap::new();
        let visited: BTreeSet<NodeId> =
            (0..g.vertices.len()).filter_map(|v| g.node_of(v)).collect();
        // An NVA this graph never visits is avoided by every delivered walk: "a
        // delivered walk around it" is then "a delivered walk". (Leaving it out of
        // `without` made an NVA on one direction only invisible to `differ`.)
        let (delivered, wd) = walk_exists(g, &none, |vx, _| good_end(net, vx, d, to), fresh);
        cons.push(wd.constraint);
        for x in nvas.iter().filter(|x| !visited.contains(x)) {
            without.insert(*x, delivered.clone());
        }
        for x in nvas.iter().filter(|x| visited.contains(x)) {
            let watch: BTreeSet<NodeId> = [*x].into_iter().collect();
            let (yes, w1) = walk_exists(g, &watch, |vx, f| f && good_end(net, vx, d, to), fresh);
            let (no, w2) = walk_exists(g, &watch, |vx, f| !f && good_end(net, vx, d, to), fresh);
            cons.push(w1.constraint);
            cons.push(w2.constraint);
            with.insert(*x, yes);
            without.insert(*x, no);
        }
        Walks {
            cons: Bool::and(&cons),
            bad: Bool::or(&[bad, lp]),
            with,
            without,
        }
    };
    let wb: BTreeMap<Ipv4Addr, Walks> = graphs_b
        .iter()
        .map(|(d, g)| (*d, walks(g, *d, bep, &mut fresh)))
        .collect();
    let wa: BTreeMap<Ipv4Addr, Walks> = graphs_a
        .iter()
        .map(|(d, g)| (*d, walks(g, *d, a, &mut fresh)))
        .collect();
    let differ = |w1: &Walks, w2: &Walks| -> Bool {
        let mut claims = Vec::new();
        for x in &nvas {
            let f = Bool::from_bool(false);
            let get = |m: &BTreeMap<NodeId, Bool>| m.get(x).cloned().unwrap_or_else(|| f.clone());
            claims.push(Bool::and(&[get(&w1.with), get(&w2.without)]));
            claims.push(Bool::and(&[get(&w1.without), get(&w2.with)]));
        }
        Bool::or(&claims)
    };
    let mut per = Vec::new();
    for (d1, w1) in &wb {
        for (d2, w2) in &wa {
            let mut parts = vec![
                Bool::or(&[w1.bad.clone(), w2.bad.clone(), differ(w1, w2)]),
                w1.cons.clone(),
                w2.cons.clone(),
            ];
            for g in [graphs_b.get(d1), graphs_a.get(d2)].into_iter().flatten() {
                parts.extend(g.acts.iter().cloned());
            }
            per.push((*d1, *d2, Bool::and(&parts)));
        }
    }
    for (d1, d2, v) in per {
        let (Some(g1), Some(g2)) = (graphs_b.get(&d1), graphs_a.get(&d2)) else {
            continue;
        };
        let (d1, d2) = (&d1, &d2);
        {
            match prover.check_canonical(&v, &prefer_false(b.enc)) {
                Outcome::Proof => {}
                Outcome::Unknown(why) => {
                    unknown.get_or_insert(why);
                }
                Outcome::Counterexample(m) => {
                    let p1 = concrete_paths(g1, &m);
                    let p2 = concrete_paths(g2, &m);
                    let nva_set = |g: &Graph, p: &ConcretePath| -> BTreeSet<NodeId> {
                        p.nodes(g).filter(|n| nvas.contains(n)).collect()
                    };
                    let undelivered = |_g: &Graph, p: &ConcretePath, d: Ipv4Addr, to: &Endpoint| {
                        !p.delivered_to()
                            .is_some_and(|o| delivered_to(net, o, d, to))
                    };
                    let any_bad = p1.iter().any(|p| undelivered(g1, p, *d1, bep))
                        || p2.iter().any(|p| undelivered(g2, p, *d2, a));
                    let sets: BTreeSet<BTreeSet<NodeId>> = p1
                        .iter()
                        .map(|p| nva_set(g1, p))
                        .chain(p2.iter().map(|p| nva_set(g2, p)))
                        .collect();
                    if !any_bad && sets.len() <= 1 {
                        unknown.get_or_insert(
                            "internal: the solver's counterexample could not be confirmed".into(),
                        );
                        continue;
                    }
                    if p1.iter().chain(&p2).any(ConcretePath::unsupported) {
                        unknown.get_or_insert(NESTED.into());
                        continue;
                    }
                    if let Some(why) = route_limit_doubt(b.enc, &m, prop) {
                        unknown.get_or_insert(why);
                        continue;
                    }
                    let (failed, environment, mut labels) = scenario(b.enc, &m);
                    let (mut routes, rl) = routes_of_paths(b.enc, &b.planes, &m, g1, &p1);
                    labels.extend(rl);
                    let (r2, rl2) = routes_of_paths(b.enc, &b.planes, &m, g2, &p2);
                    routes.extend(r2);
                    labels.extend(rl2);
                    labels.push(property_label(prop.span, "this property fails"));
                    let (na, nb) = (src_name(net, sa), src_name(net, sb));
                    let mut cpaths: Vec<_> =
                        p1.iter().map(|p| cex_path(net, g1, p, &na, *d1)).collect();
                    cpaths.extend(p2.iter().map(|p| cex_path(net, g2, p, &nb, *d2)));
                    let narrative = if any_bad {
                        format!(
                            "{}a packet between `{na}` and `{nb}` is not delivered",
                            narrative_prefix(&failed, &environment)
                        )
                    } else {
                        format!(
                            "{}packets from `{na}` to `{d1}` and from `{nb}` to `{d2}` pass different NVAs",
                            narrative_prefix(&failed, &environment)
                        )
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
    }
    match unknown {
        Some(u) => Answer::Unknown(u),
        None => Answer::Pass,
    }
}
