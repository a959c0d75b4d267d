//! Prefix classes (sim::slices): prefixes the control plane cannot tell apart are
//! converged once; a prefix condition or a different originator splits a class, and
//! the routes of every member are those of its own, separate computation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod sim_common;

use avscheck::ir::*;
use avscheck::sim::{self, slices, Scenario};
use sim_common::*;
use std::collections::BTreeSet;

/// r1 (originates 10.1.0-3.0/24, and 10.2.0.0/24 from r3 too) — r2 — r3; r2's import
/// from r1 denies 10.1.1.0/24 and prepends 65099 to 10.1.2.0/24.
fn design() -> (B, NodeId, NodeId, NodeId) {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    let r3 = b.router("r3", 65003);
    for x in ["10.1.0.0/24", "10.1.1.0/24", "10.1.2.0/24", "10.1.3.0/24"] {
        b.originate(r1, x);
    }
    b.originate(r1, "10.2.0.0/24");
    b.originate(r3, "10.2.0.0/24");
    let (e12, _) = b.ebgp(r1, r2);
    b.ebgp(r2, r3);
    let pol = b.policy(
        "in",
        vec![
            rule(false, vec![exact("10.1.1.0/24")], vec![]),
            rule(
                true,
                vec![exact("10.1.2.0/24")],
                vec![Action::Prepend(65099, 1)],
            ),
            rule(true, vec![], vec![]),
        ],
    );
    b.edge_mut(e12).import.push(pol);
    (b, r1, r2, r3)
}

#[test]
fn a_prefix_condition_or_another_originator_splits_a_class() {
    let (b, ..) = design();
    let all: BTreeSet<_> = b.net.originated_prefixes();
    let classes = slices::prefix_classes(&b.net, &all);
    let names: Vec<Vec<String>> = classes
        .iter()
        .map(|c| c.iter().map(|x| x.to_string()).collect())
        .collect();
    assert_eq!(
        names,
        vec![
            vec!["10.1.0.0/24".to_string(), "10.1.3.0/24".to_string()],
            vec!["10.1.1.0/24".to_string()],
            vec!["10.1.2.0/24".to_string()],
            vec!["10.2.0.0/24".to_string()],
        ]
    );
    // The batch computation agrees with the one-prefix signature.
    for c in &classes {
        for x in c {
            assert_eq!(
                slices::signature(&b.net, *x),
                slices::signature(&b.net, c[0])
            );
        }
    }
}

#[test]
fn every_member_of_a_class_gets_its_own_prefix_and_the_class_routes() {
    let (b, r1, r2, r3) = design();
    let st = sim::stable_state(&b.net, &Scenario::default()).expect("converges");
    let path = |n: NodeId, x: &str| st.best(n, p(x)).map(|r| (r.prefix, r.as_path.clone()));
    assert_eq!(
        path(r2, "10.1.0.0/24"),
        Some((p("10.1.0.0/24"), vec![65001]))
    );
    assert_eq!(
        path(r2, "10.1.3.0/24"),
        Some((p("10.1.3.0/24"), vec![65001]))
    );
    assert_eq!(
        path(r3, "10.1.3.0/24"),
        Some((p("10.1.3.0/24"), vec![65002, 65001]))
    );
    assert_eq!(path(r2, "10.1.1.0/24"), None);
    assert_eq!(
        path(r2, "10.1.2.0/24"),
        Some((p("10.1.2.0/24"), vec![65099, 65001]))
    );
    assert_eq!(path(r1, "10.2.0.0/24").map(|x| x.1), Some(vec![]));
    assert_eq!(path(r3, "10.2.0.0/24").map(|x| x.1), Some(vec![]));
    // Every candidate of every node names the prefix it is filed under.
    for n in [r1, r2, r3] {
        for x in b.net.originated_prefixes() {
            let entry = st.rib(n).and_then(|rib| rib.get(&x));
            for r in entry.map(|e| e.candidates.as_slice()).unwrap_or(&[]) {
                assert_eq!(r.prefix, x);
            }
        }
    }
}

/// A route with the prefix left out (what a class's members share).
fn unnamed(r: &sim::Route) -> sim::Route {
    sim::Route {
        prefix: p("0.0.0.0/0"),
        ..r.clone()
    }
}

#[test]
fn a_class_is_stored_once_and_read_under_every_members_name() {
    let (b, r1, r2, r3) = design();
    let st = sim::stable_state(&b.net, &Scenario::default()).expect("converges");
    let (rep, member) = (p("10.1.0.0/24"), p("10.1.3.0/24"));
    assert_eq!(st.class_of.get(&member), Some(&rep));
    let mut members_read = 0;
    for n in [r1, r2, r3] {
        let rib = st.rib(n).unwrap();
        // Stored once, under the representative.
        assert!(rib.own().contains_key(&rep));
        assert!(!rib.own().contains_key(&member));
        // Every prefix held is listed once, in order, its routes under its own name,
        // and the shared listing has the same prefixes and the same routes but for
        // their prefix.
        let all: Vec<(ipnet::Ipv4Net, sim::PrefixRib)> =
            rib.iter().map(|(q, e)| (q, e.clone())).collect();
        let shared: Vec<(ipnet::Ipv4Net, sim::PrefixRib)> =
            rib.iter_shared().map(|(q, e)| (q, e.clone())).collect();
        assert_eq!(
            all.iter().map(|x| x.0).collect::<Vec<_>>(),
            shared.iter().map(|x| x.0).collect::<Vec<_>>()
        );
        assert!(all.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(rib.len(), all.len());
        assert!(all.iter().any(|(q, _)| *q == member));
        for ((q, e), (_, s)) in all.iter().zip(&shared) {
            assert_eq!(e.installed, s.installed);
            assert!(e.candidates.iter().all(|r| r.prefix == *q));
            assert_eq!(
                e.candidates.iter().map(unnamed).collect::<Vec<_>>(),
                s.candidates.iter().map(unnamed).collect::<Vec<_>>()
            );
            assert_eq!(rib.get(q), Some(e));
            assert_eq!(rib.get_shared(q), Some(s));
        }
        // Longest-prefix matches name the member, and the shared one reads the same
        // routes but for their prefix.
        let d = "10.1.3.7".parse().unwrap();
        let (q, routes) = rib.lookup(d).unwrap();
        let (qs, shared_routes) = rib.lookup_shared(d).unwrap();
        assert_eq!((q, qs), (member, member));
        assert!(routes.iter().all(|r| r.prefix == member));
        assert_eq!(
            routes.iter().map(unnamed).collect::<Vec<_>>(),
            shared_routes.iter().map(unnamed).collect::<Vec<_>>()
        );
        assert_eq!(rib.lookup_entry(d).map(|x| x.0), Some(member));
        assert_eq!(rib.lookup_entry_shared(d).map(|x| x.0), Some(member));
        members_read += 1;
        // The prefixes inside a range, members included.
        let inside: Vec<ipnet::Ipv4Net> = rib.range_shared(p("10.1.0.0/16")).map(|x| x.0).collect();
        let expected: Vec<ipnet::Ipv4Net> = all
            .iter()
            .map(|x| x.0)
            .filter(|q| p("10.1.0.0/16").contains(q))
            .collect();
        assert_eq!(inside, expected);
    }
    assert_eq!(members_read, 3);
}
