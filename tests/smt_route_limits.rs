#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! An `assume ... advertises any` environment and receive limits: ExpressRoute's
//! customer-side limit (4,000 prefixes, premium 10,000) drops the session when the
//! environment announces more. The verifier confirms such a counterexample by
//! replaying it in the simulator (`counterexample.dropped`); where filters keep the
//! environment under the limit, it cannot happen. `routes N <= K` counts the
//! environment's prefixes in groups the design cannot tell apart.

use avscheck::ir::{Network, Origination, Property};
use avscheck::sim::{self, PropertyOutcome};
use avscheck::smt::queries::verify_property;
use avscheck::smt::{PropertyVerdict, Status};
use std::time::Duration;

/// One hub: NVA default route through Route Server, AVS and on-premises over
/// ExpressRoute with Global Reach; `{dc_peer}` is dc1's `peer` line, `{extra}` more
/// design text (policies, checks).
fn design(dc_peer: &str, sku: &str, extra: &str) -> String {
    format!(
        "use azure\n\
vnet hub {{\n  address 10.100.0.0/16\n}}\n\
subnet fw_subnet {{\n  vnet hub\n  address 10.100.1.0/24\n  route_table fw_rt\n}}\n\
route_table fw_rt {{\n  route 0.0.0.0/0 next_hop internet\n}}\n\
route_server ars {{\n  vnet hub\n  branch_to_branch true\n  peer fw asn 65010\n}}\n\
er_gateway ergw {{\n  vnet hub\n}}\n\
nva fw {{\n  subnet fw_subnet\n  ip 10.100.1.4\n  asn 65010\n  originate 0.0.0.0/0\n  peer ars\n}}\n\
avs avs1 {{\n  originate 10.1.0.0/22\n  originate 10.1.16.0/20\n}}\n\
site dc1 {{\n  asn 65200\n  originate 10.2.0.0/16\n  {dc_peer}\n}}\n\
er_circuit er_avs {{\n  peer avs1\n  connect ergw\n}}\n\
er_circuit er_dc {{\n  peer dc1\n  connect ergw\n{sku}}}\n\
global_reach gr {{\n  between er_avs er_dc\n}}\n\
policy no_default {{\n  deny prefix 0.0.0.0/0\n  permit\n}}\n\
{extra}"
    )
}

fn network(text: &str) -> Network {
    let a = avscheck::analyse("limits.avs", text);
    let errs: Vec<String> = a
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    assert!(errs.is_empty(), "{errs:?}\n{text}");
    a.network.unwrap()
}

fn only_property(net: &Network) -> Property {
    net.checks.values().next().unwrap().properties[0].clone()
}

fn verify(net: &Network) -> PropertyVerdict {
    verify_property(net, &only_property(net), Duration::from_secs(60))
}

/// The simulator's verdict with `dc1` announcing `extra` too and no assumption (the
/// property's destinations stay those of the design as written).
fn replay(net: &Network, prop: &Property, extra: &[String]) -> PropertyOutcome {
    let mut concrete = net.clone();
    let dc1 = concrete.node_by_name("dc1").unwrap();
    for p in extra {
        concrete.nodes[dc1].originates.push(Origination {
            prefix: p.parse().unwrap(),
            span: prop.span,
            requires: None,
            aggregate: false,
            as_set: false,
        });
    }
    let mut p = prop.clone();
    p.assumptions.clear();
    let sc = sim::Scenario::default();
    let state = sim::bgp::stable_state(&concrete, &sc).unwrap();
    sim::evaluate_at(&concrete, net, &state, &sc, &p)
}

#[test]
fn on_premises_can_drop_its_own_circuit_by_announcing_too_much() {
    let text = design(
        "peer er_dc import no_default",
        "",
        "check \"t\" {\n  assume dc1 advertises any within 10.0.0.0/8 le 24\n  reachable avs1 -> dc1\n}\n",
    );
    let net = network(&text);
    let prop = only_property(&net);
    // Without the environment the property holds.
    assert!(matches!(replay(&net, &prop, &[]), PropertyOutcome::Holds));
    let v = verify(&net);
    assert_eq!(v.status, Status::Fail, "{v:?}");
    let cx = v.counterexample.unwrap();
    assert_eq!(cx.dropped.len(), 1, "{cx:?}");
    let d = &cx.dropped[0];
    assert_eq!(d.node, "dc1");
    assert_eq!(d.session, ["dc1".to_string(), "er_dc".to_string()]);
    assert_eq!((d.limit, d.announced), (4000, 4001));
    assert_eq!(d.prefixes.len(), 4001);
    let within: ipnet::Ipv4Net = "10.0.0.0/8".parse().unwrap();
    assert!(d
        .prefixes
        .iter()
        .all(|p| within.contains(&p.parse::<ipnet::Ipv4Net>().unwrap())));
    assert!(cx.narrative.contains("4001 prefixes"), "{}", cx.narrative);
    // The announcements replay: the simulator drops the session and the property fails.
    let mut all = d.prefixes.clone();
    all.extend(cx.environment.iter().map(|a| a.prefix.clone()));
    assert!(matches!(
        replay(&net, &prop, &all),
        PropertyOutcome::Violated(_)
    ));
    // 500 of them are not enough (1,000 would drop AVS's session over Global Reach).
    let fewer: Vec<String> = d.prefixes.iter().take(500).cloned().collect();
    assert!(matches!(
        replay(&net, &prop, &fewer),
        PropertyOutcome::Holds
    ));
}

#[test]
fn an_export_filter_that_keeps_on_premises_under_the_limit_proves_it() {
    // dc1 announces only inside its own /16, at most /24: 511 prefixes < 4,000.
    let text = design(
        "peer er_dc import no_default export own",
        "",
        "policy own {\n  permit prefix 10.2.0.0/16 le 24\n}\n\
         check \"t\" {\n  assume dc1 advertises any within 10.0.0.0/8 le 24\n  reachable avs1 -> dc1\n}\n",
    );
    let net = network(&text);
    let v = verify(&net);
    assert_eq!(v.status, Status::Pass, "{v:?}");
}

#[test]
fn premium_circuits_accept_ten_thousand() {
    // dc1 may announce anything inside 10.2.0.0/16 up to /29: 16,383 prefixes, more
    // than the premium limit of 10,000 on dc1 → er_dc.
    let text = design(
        "peer er_dc import no_default",
        "  sku premium\n",
        "check \"t\" {\n  assume dc1 advertises any within 10.2.0.0/16 le 29\n  reachable avs1 -> dc1\n}\n",
    );
    let net = network(&text);
    let v = verify(&net);
    assert_eq!(v.status, Status::Fail, "{v:?}");
    let cx = v.counterexample.unwrap();
    let d = cx.dropped.iter().find(|d| d.session[1] == "er_dc").unwrap();
    assert_eq!((d.limit, d.announced), (10_000, 10_001));
    // Up to /28 (8,191 prefixes) the premium circuit holds, and nothing else limits
    // them: Global Reach carries them to AVS without a limit (AZURE.md, v2 corrections:
    // the 1,000 limit is only on what a gateway advertises towards a circuit, not on
    // routes that crossed Global Reach).
    let text = text.replace("le 29", "le 28");
    let net = network(&text);
    let v = verify(&net);
    assert_eq!(v.status, Status::Pass, "{v:?}");
}

#[test]
fn routes_count_every_prefix_the_environment_can_add() {
    // dc1 may announce inside 10.2.0.0/16 up to /18: 10.2.0.0/16 itself (the design's)
    // plus 2 + 4 = 6 more. avs1 holds 0/0, its two prefixes, 10.2.0.0/16 and the hub's
    // 10.100.0.0/16 = 5, so 11 in all.
    for (k, expect) in [(11, Status::Pass), (10, Status::Fail)] {
        let text = design(
            "peer er_dc import no_default",
            "",
            &format!(
                "check \"t\" {{\n  assume dc1 advertises any within 10.2.0.0/16 le 18\n  routes avs1 <= {k}\n}}\n"
            ),
        );
        let net = network(&text);
        let prop = only_property(&net);
        let v = verify(&net);
        assert_eq!(v.status, expect, "k {k}: {v:?}");
        // The simulator agrees with every prefix announced.
        let all: Vec<String> = [
            "10.2.0.0/17",
            "10.2.128.0/17",
            "10.2.0.0/18",
            "10.2.64.0/18",
            "10.2.128.0/18",
            "10.2.192.0/18",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let sim = replay(&net, &prop, &all);
        let sim_holds = matches!(sim, PropertyOutcome::Holds);
        assert_eq!(sim_holds, expect == Status::Pass, "k {k}: {sim:?}");
    }
}

/// `peer er_dc` followed by `n` originations of /24s inside 172.16.0.0/12.
fn dc_announcing(peer: &str, n: usize) -> String {
    let mut s = format!("{peer}\n");
    for i in 0..n {
        s.push_str(&format!(
            "  originate 172.{}.{}.0/24\n",
            16 + i / 256,
            i % 256
        ));
    }
    s
}

#[test]
fn a_session_over_its_limit_from_its_own_prefixes_is_decided_not_unknown() {
    // dc1 originates 4,001 prefixes of its own: er_dc drops the session in every stable
    // state (`certainly_dropped`); without it, no other limited session can reach its
    // limit, so z3 decides exactly (before: "a route limit of 4000 could be exceeded").
    let checks = "check \"l\" { loop_free }\ncheck \"r\" { reachable avs1 -> 10.2.0.5 }\n";
    let net = network(&design(&dc_announcing("peer er_dc", 4001), "", checks));
    let certain = sim::bgp::certainly_dropped(&net);
    assert_eq!(certain.len(), 1);
    assert_eq!((certain[0].accepted, certain[0].limit.max), (4002, 4000));
    let props: Vec<Property> = net
        .checks
        .values()
        .map(|c| c.properties[0].clone())
        .collect();
    // `loop_free` through the pipeline (the concrete path: the stable state, with the
    // session dropped, is certified the only one); z3 on 4,000 prefixes' planes is
    // slow in a debug build (tests/azure/route-limit-dropped-session-decided.avs has
    // the same kind small enough for z3).
    let a = avscheck::analyse(
        "limits.avs",
        &design(&dc_announcing("peer er_dc", 4001), "", checks),
    );
    let v = avscheck::verify(&a, &avscheck::VerifyOptions::default());
    assert_eq!(
        v.checks[0].status,
        avscheck::report::CheckStatus::Pass,
        "{:?}",
        v.checks[0]
    );
    let r = verify_property(&net, &props[1], Duration::from_secs(60));
    assert_eq!(r.status, Status::Fail, "{r:?}");
    let cx = r.counterexample.unwrap();
    assert_eq!(cx.dropped.len(), 1, "{cx:?}");
    assert_eq!(
        cx.dropped[0].session,
        ["dc1".to_string(), "er_dc".to_string()]
    );
    assert_eq!((cx.dropped[0].announced, cx.dropped[0].limit), (4002, 4000));
    assert!(
        cx.narrative
            .contains("`er_dc` receives 4002 prefixes from `dc1`, over its limit of 4000"),
        "{}",
        cx.narrative
    );
    // The simulator agrees on both.
    for (p, holds) in props.iter().zip([true, false]) {
        let o = sim::evaluate_with_failures(&net, p).outcome;
        assert_eq!(matches!(o, PropertyOutcome::Holds), holds, "{o:?}");
    }
}

#[test]
fn a_filter_that_keeps_the_session_within_its_limit_is_not_a_certain_drop() {
    // The same 4,001 prefixes, but dc1's export policy passes only its /16: the
    // session stays up, nothing is dropped, and the property holds.
    let checks = "policy own {\n  permit prefix 10.2.0.0/16 le 24\n}\n\
                  check \"r\" { reachable avs1 -> 10.2.0.5 }\n";
    let net = network(&design(
        &dc_announcing("peer er_dc export own", 4001),
        "",
        checks,
    ));
    assert!(sim::bgp::certainly_dropped(&net).is_empty());
    let v = verify(&net);
    assert_eq!(v.status, Status::Pass, "{v:?}");
}

/// A hub whose Route Server takes at most `limit` prefixes per peer; `fw` (two /24s
/// of 172.16/16) peers it (`fw_peers`: its `peer` lines), `extra` adds nodes and checks. `corp` brings six /24s over
/// ExpressRoute, which reach `fw` with branch-to-branch (and carry 65515, so `rs`
/// never takes them back from `fw`).
fn rs_design(limit: u32, fw_peers: &str, extra: &str) -> String {
    let mut corp = String::new();
    for i in 0..6 {
        corp.push_str(&format!("  originate 10.9.{i}.0/24\n"));
    }
    format!(
        "use azure\n\
vnet hub {{ address 10.100.0.0/16 }}\n\
subnet ns {{ vnet hub; address 10.100.1.0/24 }}\n\
route_server rs {{ vnet hub; branch_to_branch true; max_routes_per_peer {limit}; peer fw asn 65010 }}\n\
er_gateway gw {{ vnet hub }}\n\
nva fw {{\n  subnet ns\n  ip 10.100.1.4\n  asn 65010\n{fw_peers}  originate 172.16.0.0/24\n  originate 172.16.1.0/24\n}}\n\
site corp {{\n  asn 64700\n  peer er1\n{corp}}}\n\
er_circuit er1 {{ peer corp; connect gw }}\n\
{extra}"
    )
}

/// Every property line of the design, with the simulator's and z3's verdicts
/// (`verify_property`: the symbolic engine, deciding concretely only at a route-limit
/// risk) — they must agree, and neither may be `unknown`.
fn both_engines(net: &Network) -> Vec<(Property, PropertyVerdict)> {
    let mut out = Vec::new();
    for c in net.checks.values() {
        for p in &c.properties {
            let v = verify_property(net, p, Duration::from_secs(120));
            let o = sim::evaluate_with_failures(net, p).outcome;
            let sim_status = match &o {
                PropertyOutcome::Holds => Status::Pass,
                PropertyOutcome::Violated(_) => Status::Fail,
                other => panic!("{}: the simulator says {other:?}", c.title),
            };
            assert_eq!(v.status, sim_status, "{}: {v:?}", c.title);
            out.push((p.clone(), v));
        }
    }
    out
}

#[test]
fn the_route_limit_bound_follows_policies_and_loop_prevention() {
    // The routes `fw` learns from `rs` (corp's six, the hub's space) carry 65515:
    // `rs`'s loop check never takes them back, so at most fw's own two prefixes can
    // cross `fw` → `rs` (limit 4). A count by reachability alone says 9 could, and
    // made every line `unknown` ("a route limit of 4 could be exceeded"). (`fw`
    // advertises its prefixes without owning them: packets for them loop.)
    let checks = "check \"hub reaches corp\" { reachable hub -> corp }\n\
                  check \"fw learns corp\" { never fw installs 10.9.0.0/24 }\n\
                  check \"loop free\" { loop_free }\n\
                  check \"corp learns fw under a failure\" { never corp installs 172.16.0.0/24 under failures 1 of er_circuit }\n";
    let net = network(&rs_design(4, "  peer rs\n", checks));
    let none = std::collections::BTreeSet::new();
    assert_eq!(
        sim::unique::route_limit_bound(&net, &none, &|| false),
        sim::unique::LimitBound::Within
    );
    assert!(sim::bgp::certainly_dropped(&net).is_empty());
    let got: Vec<Status> = both_engines(&net)
        .into_iter()
        .map(|(_, v)| v.status)
        .collect();
    assert_eq!(
        got,
        [Status::Pass, Status::Fail, Status::Fail, Status::Fail],
        "{got:?}"
    );
}

#[test]
fn a_session_over_its_limit_from_passed_on_routes_is_decided_by_both_engines() {
    // `fw2`'s six prefixes reach `fw` over an unlimited session and are passed on to
    // `rs` with fw's own two: 8 > 4 whenever `fw`–`rs` is up and `fw2`–`fw` too. Lines
    // without failures take `fw`–`rs` as down (a must-analysis of passed-on routes,
    // `sim::limits`); lines that may fail `fw2`–`fw` cannot (then `fw` sends only
    // two), and are decided concretely, scenario by scenario.
    let fw2: String = (0..6)
        .map(|i| format!("  originate 172.17.{i}.0/24\n"))
        .collect();
    let extra = format!(
        "nva fw2 {{\n  subnet ns\n  ip 10.100.1.5\n  asn 65020\n  peer fw\n{fw2}}}\n\
         check \"rs never learns fw2\" {{ never rs installs 172.17.0.0/24 }}\n\
         check \"hub reaches fw\" {{ reachable hub -> 172.16.0.1 }}\n\
         check \"hub reaches fw under a failure\" {{ reachable hub -> 172.16.0.1 under failures 1 of session }}\n\
         check \"rs never learns fw2 under a failure\" {{ never rs installs 172.17.0.0/24 under failures 1 of session }}\n"
    );
    let net = network(&rs_design(4, "  peer rs\n  peer fw2\n", &extra));
    let none = std::collections::BTreeSet::new();
    // The may-bound sees the passed-on routes.
    assert!(matches!(
        sim::unique::route_limit_bound(&net, &none, &|| false),
        sim::unique::LimitBound::Exceeded(_)
    ));
    // Certain when nothing may fail; not when `fw2`–`fw` may (nor in every scenario).
    let certain = sim::limits::certainly_dropped_in(&net, &|_| false, false);
    assert_eq!(certain.len(), 1, "{certain:?}");
    let rs = net.node_by_name("rs").unwrap();
    let fw = net.node_by_name("fw").unwrap();
    let e = &net.edges[certain[0].edge];
    assert_eq!((e.from, e.to), (fw, rs));
    assert_eq!((certain[0].accepted, certain[0].limit.max), (8, 4));
    let sessions: Vec<_> = net.sessions.values().map(|s| s.component).collect();
    assert!(sim::limits::certainly_dropped_in(&net, &|c| sessions.contains(&c), false).is_empty());
    assert!(sim::bgp::certainly_dropped(&net).is_empty());
    // With an environment, passed-on routes may be displaced: only own routes count.
    assert!(sim::limits::certainly_dropped_in(&net, &|_| false, true).is_empty());
    let got = both_engines(&net);
    let statuses: Vec<Status> = got.iter().map(|(_, v)| v.status.clone()).collect();
    assert_eq!(
        statuses,
        [Status::Pass, Status::Fail, Status::Fail, Status::Pass],
        "{statuses:?}"
    );
    // The failing line names the dropped session, its direction, the count and the
    // limit — as the simulator does.
    let cx = got[1].1.counterexample.as_ref().unwrap();
    assert_eq!(cx.dropped.len(), 1, "{cx:?}");
    assert_eq!(cx.dropped[0].session, ["fw".to_string(), "rs".to_string()]);
    assert_eq!((cx.dropped[0].announced, cx.dropped[0].limit), (8, 4));
    let text = "`rs` receives 8 prefixes from `fw`, over its limit of 4";
    assert!(cx.narrative.contains(text), "{}", cx.narrative);
    let state = sim::stable_state(&net, &sim::Scenario::default()).unwrap();
    assert_eq!(state.dropped, certain);
    // The pipeline (the concrete path first) agrees.
    let a = avscheck::analyse(
        "limits.avs",
        &rs_design(4, "  peer rs\n  peer fw2\n", &extra),
    );
    let v = avscheck::verify(&a, &avscheck::VerifyOptions::default());
    let pipeline: Vec<_> = v.checks.iter().map(|c| c.status).collect();
    use avscheck::report::CheckStatus;
    assert_eq!(
        pipeline,
        [
            CheckStatus::Pass,
            CheckStatus::Fail,
            CheckStatus::Fail,
            CheckStatus::Pass
        ]
    );
}
