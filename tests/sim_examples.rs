//! The simulator on the real example designs (parsed, resolved and lowered): the
//! traces semantics.md describes, and every check's property holds.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::ir::Network;
use avscheck::sim::{self, Disposition, PropertyOutcome, Scenario};
use std::net::Ipv4Addr;

fn load(name: &str) -> Network {
    let path = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let a = avscheck::analyse(name, &text);
    let errors: Vec<_> = a.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}");
    a.network.expect("lowered")
}

fn trace(net: &Network, from: &str, to: &str) -> Vec<(Vec<String>, Disposition)> {
    let st = sim::stable_state(net, &Scenario::default()).unwrap();
    let src = sim::resolve_source(net, from).unwrap();
    sim::trace(
        net,
        &st,
        &Scenario::default(),
        src,
        to.parse::<Ipv4Addr>().unwrap(),
    )
    .iter()
    .map(|p| {
        (
            p.hops
                .iter()
                .map(|h| net.nodes[h.node].name.clone())
                .collect(),
            p.disposition,
        )
    })
    .collect()
}

fn path(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Every property of every check, with failures and `without`, in the simulator.
fn all_checks_hold(net: &Network) {
    let mut failures = Vec::new();
    for (_, check) in net.checks.iter() {
        for prop in &check.properties {
            let ev = sim::evaluate_with_failures(net, prop);
            match &ev.outcome {
                PropertyOutcome::Holds | PropertyOutcome::Inconclusive(_) => {}
                other => failures.push(format!("{:?}: {:?}\n  {other:#?}", check.title, prop.kind)),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn hairpin_traces() {
    let net = load("hairpin.avs");
    assert_eq!(
        trace(&net, "dc1", "10.1.0.5"),
        vec![(
            path(&["dc1", "er_dc", "ergw", "fw", "ergw", "er_avs", "avs1"]),
            Disposition::Delivered
        )]
    );
    assert_eq!(
        trace(&net, "avs1", "10.2.0.5"),
        vec![(
            path(&["avs1", "er_avs", "ergw", "fw", "ergw", "er_dc", "dc1"]),
            Disposition::Delivered
        )]
    );
    // The supernet's blackhole.
    assert_eq!(
        trace(&net, "dc1", "10.99.0.1"),
        vec![(path(&["dc1", "er_dc", "ergw", "fw"]), Disposition::Dropped)]
    );
}

#[test]
fn hairpin_checks_hold() {
    all_checks_hold(&load("hairpin.avs"));
}

#[test]
fn default_route_traces() {
    let net = load("default-route.avs");
    assert_eq!(
        trace(&net, "avs1", "8.8.8.8"),
        vec![(
            path(&["avs1", "er_avs", "ergw", "fw", "internet"]),
            Disposition::Delivered
        )]
    );
    // AVS and on-premises over Global Reach.
    assert_eq!(
        trace(&net, "avs1", "10.2.0.1"),
        vec![(
            path(&["avs1", "er_avs", "er_dc", "dc1"]),
            Disposition::Delivered
        )]
    );
    assert_eq!(
        trace(&net, "dc1", "10.1.0.1"),
        vec![(
            path(&["dc1", "er_dc", "er_avs", "avs1"]),
            Disposition::Delivered
        )]
    );
    let st = sim::stable_state(&net, &Scenario::default()).unwrap();
    let dc1 = net.node_by_name("dc1").unwrap();
    assert!(st.best(dc1, "0.0.0.0/0".parse().unwrap()).is_none());
}

#[test]
fn default_route_checks_hold() {
    all_checks_hold(&load("default-route.avs"));
}

#[test]
fn two_regions_traces() {
    let net = load("two-regions.avs");
    assert_eq!(
        trace(&net, "avs_w", "10.2.0.1"),
        vec![(
            path(&["avs_w", "er_avs", "ergw_w", "fw_w", "fw_n", "ergw_n", "er_dc", "dc1"]),
            Disposition::Delivered
        )]
    );
    assert_eq!(
        trace(&net, "dc1", "10.1.0.1"),
        vec![(
            path(&["dc1", "er_dc", "ergw_n", "fw_n", "fw_w", "ergw_w", "er_avs", "avs_w"]),
            Disposition::Delivered
        )]
    );
}

#[test]
fn two_regions_checks_hold() {
    all_checks_hold(&load("two-regions.avs"));
}

#[test]
fn sdwan_ilb_hub_traces() {
    let net = load("sdwan-ilb-hub.avs");
    // Branch flows from the spoke are spread over both appliances by the load
    // balancer, then cross the internet inside each appliance's tunnel.
    assert_eq!(
        trace(&net, "spoke", "192.168.10.1"),
        vec![
            (
                path(&["sdwan1", "internet", "branch"]),
                Disposition::Delivered
            ),
            (
                path(&["sdwan2", "internet", "branch"]),
                Disposition::Delivered
            ),
        ]
    );
}

#[test]
fn sdwan_ilb_hub_checks_hold() {
    all_checks_hold(&load("sdwan-ilb-hub.avs"));
}

#[test]
fn broken_variants_fail_in_the_simulator() {
    let dir = format!("{}/examples/broken", env!("CARGO_MANIFEST_DIR"));
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut names: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    names.sort();
    for name in names {
        let net = load(&format!("broken/{name}"));
        let mut any_fails = false;
        let mut non_converging = false;
        for (_, check) in net.checks.iter() {
            for prop in &check.properties {
                match sim::evaluate_with_failures(&net, prop).outcome {
                    PropertyOutcome::Violated(_) => any_fails = true,
                    PropertyOutcome::NoStableState { .. } => non_converging = true,
                    _ => {}
                }
            }
        }
        let st = sim::stable_state(&net, &Scenario::default());
        let limit_findings = st
            .as_ref()
            .map(|s| sim::route_limit_findings(&net, s).len())
            .unwrap_or(0);
        assert!(
            any_fails || non_converging || limit_findings > 0,
            "{name}: every check holds in the simulator"
        );
    }
}

/// Appends a check to an example and returns its lowered network.
fn with_check(name: &str, check: &str) -> Network {
    let path = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap() + "\n" + check + "\n";
    let a = avscheck::analyse(name, &text);
    let errors: Vec<_> = a.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}");
    a.network.expect("lowered")
}

fn outcome_of_last_check(net: &Network) -> Vec<PropertyOutcome> {
    let (_, check) = net.checks.iter().last().unwrap();
    check
        .properties
        .iter()
        .map(|p| sim::evaluate_with_failures(net, p).outcome)
        .collect()
}

#[test]
fn default_route_global_reach_is_a_single_point_of_failure() {
    let net = with_check(
        "default-route.avs",
        "check \"gr may fail\" { reachable dc1 -> avs1 under failures 1 }",
    );
    let out = outcome_of_last_check(&net);
    let PropertyOutcome::Violated(cx) = &out[0] else {
        panic!("{out:?}")
    };
    let failed: Vec<&str> = cx
        .failed
        .iter()
        .map(|c| net.components[*c].name.as_str())
        .collect();
    assert_eq!(cx.failed.len(), 1);
    // Whatever failed first in component order, the walk shows it is not delivered.
    assert!(cx.paths.iter().all(|p| !p.is_delivered()), "{failed:?}");
    // Without Global Reach the gateway does not pass circuit routes between circuits.
    let net = with_check(
        "default-route.avs",
        "check \"no gr\" { reachable dc1 -> avs1 without gr }",
    );
    let out = outcome_of_last_check(&net);
    let PropertyOutcome::Violated(cx) = &out[0] else {
        panic!("{out:?}")
    };
    assert!(cx.failed.is_empty());
    assert_eq!(cx.paths[0].disposition, Disposition::NoRoute);
}

#[test]
fn hairpin_survives_no_single_failure_but_holds_without_failures() {
    let net = with_check(
        "hairpin.avs",
        "check \"f\" { reachable dc1 -> avs1 under failures 1\n reachable dc1 -> avs1 }",
    );
    let out = outcome_of_last_check(&net);
    assert!(matches!(out[0], PropertyOutcome::Violated(_)), "{out:?}");
    assert_eq!(out[1], PropertyOutcome::Holds);
}
