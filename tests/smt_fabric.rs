#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Data-plane properties in z3 on the example fabrics with extra checks: the shape of
//! counterexamples (paths, failures, routes, labels), determinism, and agreement with
//! the simulator.

use avscheck::ir::{Network, Property};
use avscheck::sim::{evaluate_with_failures, PropertyOutcome};
use avscheck::smt::queries::verify_property;
use avscheck::smt::{verify_check, PropertyVerdict, Status, VerifyOptions};
use std::time::Duration;

/// `examples/default-route.avs` with one more check; returns the network and the
/// added check's first property.
fn with_check(example: &str, property: &str) -> (Network, Property) {
    let base = std::fs::read_to_string(format!("examples/{example}")).unwrap();
    let text = format!("{base}\ncheck \"extra\" {{\n  {property}\n}}\n");
    let analysis = avscheck::analyse("extra.avs", &text);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    let net = analysis.network.unwrap();
    let prop = net.checks.values().last().unwrap().properties[0].clone();
    (net, prop)
}

fn checked(net: &Network, prop: &Property) -> PropertyVerdict {
    let v = verify_property(net, prop, Duration::from_secs(30));
    let sim = evaluate_with_failures(net, prop).outcome;
    match (&v.status, &sim) {
        (Status::Pass, PropertyOutcome::Holds) | (Status::Fail, PropertyOutcome::Violated(_)) => {}
        _ => panic!("smt {:?} vs sim {:?}", v.status, sim),
    }
    v
}

#[test]
fn traverses_fails_on_a_delivered_path_that_skips_the_waypoint() {
    // AVS reaches on-premises over Global Reach, never through the NVA.
    let (net, prop) = with_check("default-route.avs", "path avs1 -> dc1 traverses fw");
    let v = checked(&net, &prop);
    assert_eq!(v.status, Status::Fail);
    let cx = v.counterexample.unwrap();
    let p = &cx.paths[0];
    assert_eq!(p.disposition, "delivered");
    assert_eq!(p.hops, vec!["avs1", "er_avs", "er_dc", "dc1"]);
    assert!(
        cx.narrative.contains("without passing `fw`"),
        "{}",
        cx.narrative
    );
    assert!(cx
        .routes
        .iter()
        .any(|r| r.node == "avs1" && r.prefix == "10.2.0.0/16"));
}

#[test]
fn avoids_fails_when_a_path_passes_the_node() {
    let (net, prop) = with_check("default-route.avs", "path avs1 -> internet avoids fw");
    let v = checked(&net, &prop);
    assert_eq!(v.status, Status::Fail);
    let cx = v.counterexample.unwrap();
    assert!(cx.paths[0].hops.iter().any(|h| h == "fw"));
    assert_eq!(
        cx.paths[0].hops.last().map(String::as_str),
        Some("internet")
    );
}

#[test]
fn avoids_holds_when_no_path_passes_the_node() {
    let (net, prop) = with_check("default-route.avs", "path dc1 -> avs1 avoids fw");
    assert_eq!(checked(&net, &prop).status, Status::Pass);
}

#[test]
fn one_failure_breaks_the_single_path_deterministically() {
    let (net, prop) = with_check(
        "default-route.avs",
        "reachable avs1 -> dc1 under failures 1",
    );
    let v = checked(&net, &prop);
    assert_eq!(v.status, Status::Fail);
    let cx = v.counterexample.clone().unwrap();
    assert_eq!(cx.failed.len(), 1, "{:?}", cx.failed);
    assert_ne!(cx.paths[0].disposition, "delivered");
    for _ in 0..3 {
        assert_eq!(
            verify_property(&net, &prop, Duration::from_secs(30)).counterexample,
            Some(cx.clone())
        );
    }
}

#[test]
fn without_global_reach_there_is_no_transit_through_the_gateway() {
    let (net, prop) = with_check("default-route.avs", "reachable avs1 -> dc1 without gr");
    let v = checked(&net, &prop);
    assert_eq!(v.status, Status::Fail);
    assert!(
        v.counterexample.unwrap().failed.is_empty(),
        "`without` is not a failure"
    );
}

#[test]
fn the_hairpin_survives_no_failure_but_not_one() {
    let (net, prop) = with_check("hairpin.avs", "reachable dc1 -> avs1");
    assert_eq!(checked(&net, &prop).status, Status::Pass);
    let (net, prop) = with_check("hairpin.avs", "reachable dc1 -> avs1 under failures 1");
    assert_eq!(checked(&net, &prop).status, Status::Fail);
}

#[test]
fn routes_limit_on_a_fabric() {
    let (net, prop) = with_check("default-route.avs", "routes dc1 <= 1");
    let v = checked(&net, &prop);
    assert_eq!(v.status, Status::Fail);
    let (net, prop) = with_check("default-route.avs", "routes dc1 <= 100");
    assert_eq!(checked(&net, &prop).status, Status::Pass);
    let _ = v;
}

#[test]
fn subnet_and_address_endpoints() {
    let (net, prop) = with_check("default-route.avs", "reachable fw_subnet -> dc1");
    assert_eq!(checked(&net, &prop).status, Status::Pass);
    let (net, prop) = with_check("default-route.avs", "reachable dc1 -> 10.100.1.4");
    assert_eq!(checked(&net, &prop).status, Status::Pass);
    let (net, prop) = with_check("default-route.avs", "reachable dc1 -> 10.99.0.1");
    assert_eq!(checked(&net, &prop).status, Status::Fail);
}

#[test]
fn counterexample_json_has_the_contract_fields() {
    let (net, _) = with_check("default-route.avs", "path avs1 -> dc1 traverses fw");
    let id = net.checks.ids().last().unwrap();
    let v = verify_check(&net, id, &VerifyOptions::default());
    assert_eq!(v.status, Status::Fail);
    let json = serde_json::to_value(v.counterexample.unwrap()).unwrap();
    for key in ["failed", "environment", "paths", "routes"] {
        assert!(json.get(key).is_some(), "missing {key}: {json}");
    }
    let path = &json["paths"][0];
    for key in ["from", "to", "disposition", "hops"] {
        assert!(path.get(key).is_some(), "missing paths[].{key}");
    }
    let route = &json["routes"][0];
    for key in ["node", "prefix", "as_path", "from"] {
        assert!(route.get(key).is_some(), "missing routes[].{key}");
    }
}
