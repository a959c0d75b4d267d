//! The `routes` and `trace` reports (human tables and JSON) on the example designs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::ir::Network;
use avscheck::report::{routes, trace};
use avscheck::sim::{self, Scenario};
use std::net::Ipv4Addr;

fn load(name: &str) -> Network {
    let path = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    avscheck::analyse(name, &text).network.unwrap()
}

fn trace_report(net: &Network, from: &str, to: &str) -> trace::TraceReport {
    let st = sim::stable_state(net, &Scenario::default()).unwrap();
    let src = sim::resolve_source(net, from).unwrap();
    let to: Ipv4Addr = to.parse().unwrap();
    let paths = sim::trace(net, &st, &Scenario::default(), src, to);
    trace::trace_report(net, &st, from, to, &paths)
}

#[test]
fn hairpin_trace_human_and_json() {
    let net = load("hairpin.avs");
    let r = trace_report(&net, "dc1", "10.1.0.5");
    assert_eq!(
        trace::render_human(&r),
        "trace dc1 → 10.1.0.5\ndc1 → er_dc → ergw → fw → ergw → er_avs → avs1  delivered\n"
    );
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["from"], "dc1");
    assert_eq!(v["to"], "10.1.0.5");
    assert_eq!(v["paths"][0]["disposition"], "delivered");
    assert_eq!(
        v["paths"][0]["hops"],
        serde_json::json!(["dc1", "er_dc", "ergw", "fw", "ergw", "er_avs", "avs1"])
    );
    let r = trace_report(&net, "dc1", "10.99.0.1");
    assert_eq!(
        trace::render_human(&r),
        "trace dc1 → 10.99.0.1\ndc1 → er_dc → ergw → fw  dropped (static drop)\n"
    );
    let r = trace_report(&net, "fw_subnet", "10.2.0.9");
    insta::assert_snapshot!("trace_hairpin_vm", trace::render_human(&r));
}

#[test]
fn two_regions_trace_shows_the_tunnel() {
    let net = load("two-regions.avs");
    let r = trace_report(&net, "avs_w", "10.2.0.1");
    insta::assert_snapshot!("trace_two_regions", trace::render_human(&r));
    insta::assert_json_snapshot!("trace_two_regions_json", r);
}

#[test]
fn routes_report_hairpin() {
    let net = load("hairpin.avs");
    let st = sim::stable_state(&net, &Scenario::default()).unwrap();
    let r = routes::routes_report(&net, &st, &Scenario::default(), None).unwrap();
    insta::assert_snapshot!("routes_hairpin", routes::render_human(&r));
    let v = serde_json::to_value(&r).unwrap();
    let dc1 = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "dc1")
        .unwrap();
    assert_eq!(dc1["kind"], "site");
    let sup = dc1["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["prefix"] == "10.0.0.0/8")
        .unwrap();
    assert_eq!(sup["as_path"], serde_json::json!([12076]));
    assert_eq!(sup["from"], "er_dc");
    assert_eq!(sup["next_hop"], "er_dc");
    assert_eq!(sup["best"], true);
    assert_eq!(sup["local_pref"], 100);
    let own = dc1["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["prefix"] == "10.2.0.0/16")
        .unwrap();
    assert!(own["from"].is_null());
    let gs = v["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str().unwrap().ends_with("GatewaySubnet"))
        .unwrap();
    let udr = gs["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["prefix"] == "10.1.0.0/22" && r["source"] == "User")
        .unwrap();
    assert_eq!(udr["next_hop_type"], "VirtualAppliance");
    assert_eq!(udr["next_hop"], "10.100.1.4");
    // --node
    let one = routes::routes_report(&net, &st, &Scenario::default(), Some("fw")).unwrap();
    assert_eq!(one.nodes.len(), 1);
    assert!(one.subnets.is_empty());
    let one = routes::routes_report(&net, &st, &Scenario::default(), Some("fw_subnet")).unwrap();
    assert!(one.nodes.is_empty());
    assert_eq!(one.subnets.len(), 1);
    assert_eq!(
        routes::routes_report(&net, &st, &Scenario::default(), Some("nope")),
        Err("nope".to_string())
    );
}
