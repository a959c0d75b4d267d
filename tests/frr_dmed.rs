//! FRR's `bgp deterministic-med` per node (docs/frr.md "MED"): the statement, else the
//! profile's default (datacenter on, traditional off). Without it bgpd compares its
//! paths pairwise in arrival order; where MEDs make that comparison cyclic the best
//! depends on the order, and neither engine may give a verdict that the order could
//! change. The designs are tests/frr_configs/med-neighbouring-as (bgpd checks them in
//! tests/frr_config_oracle.rs), with r7's configuration varied here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::ir::Network;
use avscheck::sim::bgp::arrival_order_matters;
use avscheck::sim::{evaluate_with_failures, PropertyOutcome};
use avscheck::smt::{verify_check, Status, VerifyOptions};
use avscheck::Analysis;
use std::collections::BTreeMap;

const DIR: &str = "tests/frr_configs/med-neighbouring-as";

fn read(name: &str) -> String {
    let p = format!("{}/{DIR}/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// The design with r7's configuration `r7` and a check on r7's route for
/// 10.96.3.0/24 (the pairwise MED cycle: r6 beats r5 by MED, r5 beats r3 and r3
/// beats r6 by router id; grouped, r3's wins).
fn design(r7: &str) -> Analysis {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for n in ["r1", "r2", "r3", "r5", "r6"] {
        let f = format!("{n}.conf");
        files.insert(f.clone(), read(&f));
    }
    files.insert("r7.conf".into(), r7.to_string());
    let avs = format!(
        "{}\ncheck \"r7 does not take 10.96.3.0/24 from r5\" {{ never r7 installs 10.96.3.0/24 via r5 }}\n",
        read("design.avs")
    );
    avscheck::analyse_with("design.avs", &avs, &move |p: &str| {
        files
            .get(p)
            .map(|t| (p.to_string(), t.clone()))
            .ok_or_else(|| format!("cannot read `{p}`: not found"))
    })
}

fn net(a: &Analysis) -> &Network {
    a.network
        .as_ref()
        .unwrap_or_else(|| panic!("does not lower: {:#?}", a.diagnostics))
}

/// r7's configuration as in the oracle design, with `profile` and, if given, the
/// deterministic-med line `dmed` in place of `bgp deterministic-med`.
fn r7(profile: &str, dmed: Option<&str>) -> String {
    let text = read("r7.conf").replace(
        "frr defaults traditional",
        &format!("frr defaults {profile}"),
    );
    assert!(text.contains(" bgp deterministic-med\n"));
    text.replace(
        " bgp deterministic-med\n",
        &dmed.map(|d| format!(" {d}\n")).unwrap_or_default(),
    )
}

fn arrival_order(a: &Analysis, node: &str) -> bool {
    let n = net(a);
    n.nodes
        .values()
        .find(|x| x.name == node)
        .unwrap_or_else(|| panic!("no node {node}"))
        .behaviours
        .arrival_order_med
}

#[test]
fn the_profile_sets_the_default_and_the_statement_overrides_it() {
    let cases = [
        ("traditional", None, true),
        ("traditional", Some("bgp deterministic-med"), false),
        ("traditional", Some("no bgp deterministic-med"), true),
        ("datacenter", None, false),
        ("datacenter", Some("no bgp deterministic-med"), true),
        ("datacenter", Some("bgp deterministic-med"), false),
    ];
    for (profile, line, want) in cases {
        let a = design(&r7(profile, line));
        assert_eq!(
            arrival_order(&a, "r7"),
            want,
            "{profile} with {line:?}: arrival-order MED"
        );
    }
    // Without a `frr defaults` line: the traditional profile.
    let text = r7("traditional", None).replace("frr defaults traditional\n", "");
    assert!(arrival_order(&design(&text), "r7"));
    // `.avs` routers keep the grouping.
    let a = avscheck::analyse(
        "r.avs",
        "router a { asn 65001; peer b }\nrouter b { asn 65002; peer a }\n",
    );
    assert!(net(&a)
        .nodes
        .values()
        .all(|n| !n.behaviours.arrival_order_med));
}

fn sim(a: &Analysis) -> PropertyOutcome {
    let n = net(a);
    let (_, check) = n.checks.iter().next().unwrap();
    evaluate_with_failures(n, &check.properties[0]).outcome
}

fn z3(a: &Analysis) -> Status {
    let n = net(a);
    let (cid, _) = n.checks.iter().next().unwrap();
    verify_check(n, cid, &VerifyOptions::default()).status
}

#[test]
fn with_deterministic_med_the_cycle_is_decided_by_the_group_winners() {
    for text in [
        r7("traditional", Some("bgp deterministic-med")),
        r7("datacenter", None),
    ] {
        let a = design(&text);
        assert_eq!(sim(&a), PropertyOutcome::Holds);
        assert_eq!(z3(&a), Status::Pass);
    }
}

#[test]
fn without_deterministic_med_a_cycle_is_no_verdict_in_either_engine() {
    for text in [
        r7("traditional", None),
        r7("datacenter", Some("no bgp deterministic-med")),
    ] {
        let a = design(&text);
        let PropertyOutcome::Inconclusive(why) = sim(&a) else {
            panic!("simulator: {:?}", sim(&a));
        };
        for part in ["`r7`", "10.96.3.0/24", "bgp deterministic-med"] {
            assert!(why.contains(part), "{why}");
        }
        match z3(&a) {
            Status::Unknown(w) => assert!(w.contains("`r7`"), "{w}"),
            s => panic!("z3: {s:?}"),
        }
    }
}

/// tests/frr_configs/med-traditional-transitive: r5 MED 10, r6 MED 50 — r5 beats
/// r6 by MED and r3 by router id, in every arrival order.
fn transitive_design() -> Analysis {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let dir = format!(
        "{}/tests/frr_configs/med-traditional-transitive",
        env!("CARGO_MANIFEST_DIR")
    );
    for n in ["r1", "r2", "r3", "r5", "r6", "r7"] {
        let f = format!("{n}.conf");
        files.insert(
            f.clone(),
            std::fs::read_to_string(format!("{dir}/{f}")).unwrap(),
        );
    }
    let avs = format!(
        "{}\ncheck \"r7 does not take 10.96.3.0/24 from r5\" {{ never r7 installs 10.96.3.0/24 via r5 }}\n",
        std::fs::read_to_string(format!("{dir}/design.avs")).unwrap()
    );
    avscheck::analyse_with("design.avs", &avs, &move |p: &str| {
        files
            .get(p)
            .map(|t| (p.to_string(), t.clone()))
            .ok_or_else(|| format!("cannot read `{p}`: not found"))
    })
}

#[test]
fn without_deterministic_med_an_order_that_cannot_matter_is_exact() {
    let a = transitive_design();
    assert!(arrival_order(&a, "r7"));
    assert!(
        matches!(sim(&a), PropertyOutcome::Violated(_)),
        "{:?}",
        sim(&a)
    );
    assert_eq!(z3(&a), Status::Fail);
}

#[test]
fn arrival_order_matters_only_without_a_path_beating_every_other() {
    // r7's entries in the cycle design and in the transitive variant.
    for (a, cycle) in [
        (design(&r7("traditional", None)), true),
        (transitive_design(), false),
    ] {
        let n = net(&a);
        let st = avscheck::sim::stable_state(n, &avscheck::sim::Scenario::default()).unwrap();
        let r7 = n.nodes.iter().find(|(_, x)| x.name == "r7").unwrap().0;
        let p3: ipnet::Ipv4Net = "10.96.3.0/24".parse().unwrap();
        let p1: ipnet::Ipv4Net = "10.96.1.0/24".parse().unwrap();
        let p2: ipnet::Ipv4Net = "10.96.2.0/24".parse().unwrap();
        let rib = st.ribs.get(r7).unwrap();
        assert_eq!(rib.get(&p3).unwrap().candidates.len(), 3);
        assert_eq!(
            arrival_order_matters(n, &rib.get(&p3).unwrap().candidates),
            cycle
        );
        // 10.96.1.0/24: r2's lowest router id beats every path; 10.96.2.0/24: two
        // paths of one neighbouring AS.
        assert!(!arrival_order_matters(n, &rib.get(&p1).unwrap().candidates));
        assert!(!arrival_order_matters(n, &rib.get(&p2).unwrap().candidates));
        // Fewer than three paths never depend on the order.
        let two: Vec<_> = rib
            .get(&p3)
            .unwrap()
            .candidates
            .iter()
            .take(2)
            .cloned()
            .collect();
        assert!(!arrival_order_matters(n, &two));
    }
}
