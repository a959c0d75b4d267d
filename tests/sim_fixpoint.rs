//! Random networks: `stable_state` never panics, and when it converges its result is a
//! fixpoint of semantics.md §1 — every node's best route is the best of its local
//! route and what its neighbours' bests export to it — independently of how the
//! simulator got there (export cache, skipped nodes). Walks never panic either and
//! every path ends in one of the four dispositions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod sim_common;

use avscheck::ir::*;
use avscheck::sim::{self, bgp, Scenario, Source};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sim_common::*;

const PREFIXES: [&str; 5] = [
    "10.0.0.0/8",
    "10.1.0.0/16",
    "10.1.2.0/24",
    "0.0.0.0/0",
    "192.168.0.0/16",
];

fn random_network(rng: &mut StdRng) -> B {
    let mut b = B::new();
    let n = rng.gen_range(2..9);
    let nodes: Vec<NodeId> = (0..n)
        .map(|i| {
            let asn = if rng.gen_bool(0.3) {
                65000
            } else {
                65001 + i as u32
            };
            let id = b.router(&format!("r{i}"), asn);
            b.net.nodes[id].behaviours.multipath = rng.gen_bool(0.2);
            b.net.nodes[id].behaviours.next_hop_transparent = rng.gen_bool(0.1);
            id
        })
        .collect();
    for &id in &nodes {
        for pre in PREFIXES {
            if rng.gen_bool(0.15) {
                b.originate(id, pre);
            }
        }
    }
    let tag = b.tag("t", Some((65000, 1)));
    let na = b.tag("no_advertise", Some(NO_ADVERTISE));
    let mut policies = Vec::new();
    for k in 0..4 {
        let mut rules = Vec::new();
        for _ in 0..rng.gen_range(1..4) {
            let mut conditions = Vec::new();
            match rng.gen_range(0..6) {
                0 => conditions.push(exact(PREFIXES[rng.gen_range(0..PREFIXES.len())])),
                1 => conditions.push(Condition::AsPathContains(
                    65001 + rng.gen_range(0..n) as u32,
                )),
                2 => conditions.push(Condition::AsPathLength(CmpOp::Le, rng.gen_range(0..3))),
                3 => conditions.push(Condition::Tag(tag)),
                4 => conditions.push(Condition::OriginatedBy(nodes[rng.gen_range(0..n)])),
                _ => {}
            }
            let mut actions = Vec::new();
            match rng.gen_range(0..8) {
                0 => actions.push(Action::SetLocalPref(rng.gen_range(50..300))),
                1 => actions.push(Action::SetMed(rng.gen_range(0..20))),
                2 => actions.push(Action::Prepend(65099, rng.gen_range(1..3))),
                3 => actions.push(Action::AddTag(tag)),
                4 => actions.push(Action::RemoveTag(tag)),
                5 => actions.push(Action::RemoveAs(vec![65000])),
                6 => actions.push(Action::AddTag(na)),
                _ => {}
            }
            rules.push(rule(rng.gen_bool(0.8), conditions, actions));
        }
        policies.push(b.policy(&format!("p{k}"), rules));
    }
    for i in 0..n {
        for j in (i + 1)..n {
            if !rng.gen_bool(0.45) {
                continue;
            }
            let kind = if b.net.nodes[nodes[i]].asn == b.net.nodes[nodes[j]].asn {
                SessionKind::Ibgp
            } else {
                SessionKind::Ebgp
            };
            let (e1, e2) = b.session(nodes[i], nodes[j], kind);
            for e in [e1, e2] {
                if rng.gen_bool(0.3) {
                    b.edge_mut(e)
                        .import
                        .push(policies[rng.gen_range(0..policies.len())]);
                }
                if rng.gen_bool(0.3) {
                    b.edge_mut(e)
                        .export
                        .push(policies[rng.gen_range(0..policies.len())]);
                }
                if rng.gen_bool(0.1) {
                    b.edge_mut(e).allowas_in = 1;
                }
                if rng.gen_bool(0.1) {
                    b.edge_mut(e).weight = 5;
                }
            }
        }
        if rng.gen_bool(0.2) {
            let t = if rng.gen_bool(0.5) {
                StaticTarget::Drop
            } else {
                StaticTarget::Node(nodes[rng.gen_range(0..n)])
            };
            b.static_route(nodes[i], PREFIXES[rng.gen_range(0..PREFIXES.len())], t);
        }
    }
    b
}

fn check_fixpoint(net: &Network, sc: &Scenario, st: &sim::State) {
    let prefixes: std::collections::BTreeSet<_> = net
        .nodes
        .iter()
        .filter(|(id, _)| sc.node_alive(net, *id))
        .flat_map(|(_, n)| n.originates.iter().map(|o| o.prefix))
        .collect();
    for p in prefixes {
        for (id, node) in net.nodes.iter() {
            let mut cands = Vec::new();
            if sc.node_alive(net, id) {
                if node.originates.iter().any(|o| o.prefix == p) {
                    cands.push(bgp::Route::local(p, id));
                }
                for (eid, e) in net.in_edges(id) {
                    if !sc.edge_usable(net, eid) || !sc.node_alive(net, e.from) {
                        continue;
                    }
                    if let Some(best) = st.best(e.from, p) {
                        if let Some(r) = bgp::export(net, eid, best) {
                            cands.push(r);
                        }
                    }
                }
            }
            cands.sort_by(|a, b| bgp::compare(net, a, b));
            assert_eq!(
                cands.first(),
                st.best(id, p),
                "node {} prefix {p}",
                node.name
            );
            let rib = st.rib(id).and_then(|r| r.get(&p));
            assert_eq!(rib.map(|r| r.candidates.len()).unwrap_or(0), cands.len());
        }
    }
}

#[test]
fn random_networks_reach_a_fixpoint_or_report_oscillation() {
    let (mut converged, mut oscillating) = (0, 0);
    for seed in 0..400u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let b = random_network(&mut rng);
        let net = &b.net;
        // Sometimes fail a random component.
        let sc = if rng.gen_bool(0.3) && !net.components.is_empty() {
            Scenario::new([ComponentId(rng.gen_range(0..net.components.len()) as u32)])
        } else {
            Scenario::default()
        };
        match sim::stable_state(net, &sc) {
            Ok(st) => {
                converged += 1;
                check_fixpoint(net, &sc, &st);
                let classes = sim::destination_classes(net, &[]);
                let mut w = sim::Walker::new(net, &st, &sc);
                for c in &classes {
                    for n in net.nodes.ids() {
                        let paths = w.walk(Source::Node(n), c.representative());
                        assert!(!paths.is_empty());
                        for p in paths {
                            assert!(!p.hops.is_empty());
                            assert_eq!(p.hops[0].node, n);
                        }
                    }
                }
            }
            Err(nc) => {
                oscillating += 1;
                assert!(!nc.oscillations.is_empty());
                assert!(nc.oscillations.iter().all(|o| !o.node_ids.is_empty()));
            }
        }
    }
    eprintln!("converged {converged}, oscillating {oscillating}");
    assert!(
        converged > 300,
        "converged {converged}, oscillating {oscillating}"
    );
}
