#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The BGP control plane in z3, on hand-built networks: `never` with policies,
//! prepends, local preference, loop checks and `allowas_in`, AS-path rewriting,
//! NO_ADVERTISE, `under failures`, `assume ... advertises any`, `routes <= K`.
//! Where the simulator can decide (no environment), both must agree.

#[path = "sim_common/mod.rs"]
mod sim_common;

use avscheck::ir::*;
use avscheck::sim::{evaluate_with_failures, PropertyOutcome};
use avscheck::smt::queries::verify_property;
use avscheck::smt::{PropertyVerdict, Status};
use sim_common::*;
use std::time::Duration;

fn verify(net: &Network, prop: &Property) -> PropertyVerdict {
    verify_property(net, prop, Duration::from_secs(30))
}

/// The z3 verdict, asserted equal to the simulator's (when it can decide).
fn checked(net: &Network, prop: &Property) -> PropertyVerdict {
    let v = verify(net, prop);
    let sim = evaluate_with_failures(net, prop).outcome;
    match (&v.status, &sim) {
        (Status::Pass, PropertyOutcome::Holds) | (Status::Fail, PropertyOutcome::Violated(_)) => {}
        (_, PropertyOutcome::Inconclusive(_)) => {}
        _ => panic!("smt {:?} vs sim {:?}", v.status, sim),
    }
    v
}

fn never(b: &mut B, node: NodeId, prefix: &str) -> Property {
    b.property(PropertyKind::Never {
        node,
        prefix: p(prefix),
        via: None,
        originated_by: None,
    })
}

/// r1 (65001) — r2 (65002) — r3 (65003), r1 originates 10.1.0.0/16.
fn line() -> (B, NodeId, NodeId, NodeId) {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    let r3 = b.router("r3", 65003);
    b.originate(r1, "10.1.0.0/16");
    b.ebgp(r1, r2);
    b.ebgp(r2, r3);
    (b, r1, r2, r3)
}

#[test]
fn never_fails_with_the_route_and_its_as_path() {
    let (mut b, _, _, r3) = line();
    let prop = never(&mut b, r3, "10.1.0.0/16");
    let v = checked(&b.net, &prop);
    assert_eq!(v.status, Status::Fail);
    let cx = v.counterexample.unwrap();
    assert_eq!(cx.routes.len(), 1);
    assert_eq!(cx.routes[0].node, "r3");
    assert_eq!(cx.routes[0].as_path, vec![65002, 65001]);
    assert_eq!(cx.routes[0].from.as_deref(), Some("r2"));
    assert!(cx.failed.is_empty());
    // The origination and the unfiltered sessions are labelled.
    assert!(cx.labels.iter().any(|l| l.message.contains("originates")));
    assert!(cx
        .labels
        .iter()
        .any(|l| l.message.contains("nothing filters")));
}

#[test]
fn never_holds_behind_an_export_filter() {
    let (mut b, _, r2, r3) = line();
    let deny = b.policy(
        "no_10_1",
        vec![
            rule(false, vec![exact("10.1.0.0/16")], vec![]),
            rule(true, vec![], vec![]),
        ],
    );
    let e = b.net.out_edges(r2).find(|(_, e)| e.to == r3).unwrap().0;
    b.edge_mut(e).export.push(deny);
    let prop = never(&mut b, r3, "10.1.0.0/16");
    assert_eq!(checked(&b.net, &prop).status, Status::Pass);
}

#[test]
fn a_filter_for_another_prefix_does_not_protect() {
    let (mut b, _, r2, r3) = line();
    let deny = b.policy(
        "no_10_9",
        vec![
            rule(false, vec![exact("10.9.0.0/16")], vec![]),
            rule(true, vec![], vec![]),
        ],
    );
    let e = b.net.out_edges(r2).find(|(_, e)| e.to == r3).unwrap().0;
    b.edge_mut(e).export.push(deny);
    let prop = never(&mut b, r3, "10.1.0.0/16");
    assert_eq!(checked(&b.net, &prop).status, Status::Fail);
}

/// r1 and r2 both originate P; r3 hears both. Which one r3 installs depends on the
/// AS-path length (prepend) and local preference (import).
fn two_origins() -> (B, NodeId, NodeId, NodeId, EdgeId, EdgeId) {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    let r3 = b.router("r3", 65003);
    b.originate(r1, "10.1.0.0/16");
    b.originate(r2, "10.1.0.0/16");
    let (e13, _) = b.ebgp(r1, r3);
    let (e23, _) = b.ebgp(r2, r3);
    (b, r1, r2, r3, e13, e23)
}

fn never_via(b: &mut B, node: NodeId, via: NodeId) -> Property {
    b.property(PropertyKind::Never {
        node,
        prefix: p("10.1.0.0/16"),
        via: Some(via),
        originated_by: None,
    })
}

#[test]
fn router_id_breaks_the_tie_then_prepend_decides() {
    let (mut b, r1, r2, r3, _, e23) = two_origins();
    // Equal paths: the lower router_id (r1) wins, so r3 never installs via r2.
    let prop = never_via(&mut b, r3, r2);
    assert_eq!(checked(&b.net, &prop).status, Status::Pass);
    let prop = never_via(&mut b, r3, r1);
    assert_eq!(checked(&b.net, &prop).status, Status::Fail);
    // r1's path made longer: r2's route wins.
    let (mut b2, r1b, r2b, r3b, e13b, _) = two_origins();
    let pad = b2.policy(
        "pad",
        vec![rule(true, vec![], vec![Action::Prepend(65001, 2)])],
    );
    b2.edge_mut(e13b).export.push(pad);
    let prop = never_via(&mut b2, r3b, r2b);
    assert_eq!(checked(&b2.net, &prop).status, Status::Fail);
    let prop = never_via(&mut b2, r3b, r1b);
    assert_eq!(checked(&b2.net, &prop).status, Status::Pass);
    let _ = e23;
}

#[test]
fn import_local_pref_beats_a_shorter_path() {
    let (mut b, r1, r2, r3, e13, e23) = two_origins();
    let pad = b.policy(
        "pad",
        vec![rule(true, vec![], vec![Action::Prepend(65002, 3)])],
    );
    b.edge_mut(e23).export.push(pad);
    let prefer = b.policy(
        "prefer",
        vec![rule(true, vec![], vec![Action::SetLocalPref(200)])],
    );
    b.edge_mut(e23).import.push(prefer);
    let _ = e13;
    let prop = never_via(&mut b, r3, r1);
    assert_eq!(checked(&b.net, &prop).status, Status::Pass);
    let prop = never_via(&mut b, r3, r2);
    let v = checked(&b.net, &prop);
    assert_eq!(v.status, Status::Fail);
    assert_eq!(
        v.counterexample.unwrap().routes[0].as_path,
        vec![65002, 65002, 65002, 65002]
    );
}

/// r1 (65001) — r2 (65002) — r3 (65001): r3 drops its own ASN unless `allowas_in`.
#[test]
fn loop_check_and_allowas_in() {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    let r3 = b.router("r3", 65001);
    b.originate(r1, "10.1.0.0/16");
    b.ebgp(r1, r2);
    let (e23, _) = b.ebgp(r2, r3);
    let prop = never(&mut b, r3, "10.1.0.0/16");
    assert_eq!(checked(&b.net, &prop).status, Status::Pass);
    b.edge_mut(e23).allowas_in = 1;
    let v = checked(&b.net, &prop);
    assert_eq!(v.status, Status::Fail);
    assert_eq!(
        v.counterexample.unwrap().routes[0].as_path,
        vec![65002, 65001]
    );
}

#[test]
fn remove_as_and_replace_as_defeat_the_loop_check() {
    for action in [
        Action::RemoveAs(vec![65001]),
        Action::ReplaceAs(vec![65001]),
    ] {
        let mut b = B::new();
        let r1 = b.router("r1", 65001);
        let r2 = b.router("r2", 65002);
        let r3 = b.router("r3", 65001);
        b.originate(r1, "10.1.0.0/16");
        b.ebgp(r1, r2);
        let (e23, _) = b.ebgp(r2, r3);
        let pol = b.policy("clean", vec![rule(true, vec![], vec![action.clone()])]);
        b.edge_mut(e23).export.push(pol);
        let prop = never(&mut b, r3, "10.1.0.0/16");
        let v = checked(&b.net, &prop);
        assert_eq!(v.status, Status::Fail, "{action:?}");
        let expect = match action {
            Action::RemoveAs(_) => vec![65002],
            _ => vec![65002, 65002],
        };
        assert_eq!(v.counterexample.unwrap().routes[0].as_path, expect);
    }
}

#[test]
fn as_path_conditions_and_remove_private_as() {
    // r2 denies paths that contain 64512 (private) unless r1 stripped it.
    for strip in [false, true] {
        let mut b = B::new();
        let r1 = b.router("r1", 64512);
        let r2 = b.router("r2", 65002);
        let r3 = b.router("r3", 65003);
        b.originate(r1, "10.1.0.0/16");
        let (e12, _) = b.ebgp(r1, r2);
        let (e23, _) = b.ebgp(r2, r3);
        if strip {
            let pol = b.policy(
                "strip",
                vec![rule(true, vec![], vec![Action::RemovePrivateAs])],
            );
            b.edge_mut(e12).import.push(pol);
        }
        let pol = b.policy(
            "no_private",
            vec![
                rule(false, vec![Condition::AsPathContains(64512)], vec![]),
                rule(true, vec![Condition::AsPathLength(CmpOp::Le, 1)], vec![]),
            ],
        );
        b.edge_mut(e23).export.push(pol);
        let prop = never(&mut b, r3, "10.1.0.0/16");
        let v = checked(&b.net, &prop);
        // Stripped on import at r2, the path r2 sends is [] (then 65002 prepended).
        assert_eq!(
            v.status,
            if strip { Status::Fail } else { Status::Pass },
            "strip={strip}"
        );
    }
}

#[test]
fn no_advertise_stops_at_the_first_hop() {
    let (mut b, r1, r2, r3) = line();
    let na = b.tag("no_advertise", Some(NO_ADVERTISE));
    let pol = b.policy("mark", vec![rule(true, vec![], vec![Action::AddTag(na)])]);
    let e = b.net.out_edges(r1).find(|(_, e)| e.to == r2).unwrap().0;
    b.edge_mut(e).export.push(pol);
    let prop = never(&mut b, r2, "10.1.0.0/16");
    assert_eq!(checked(&b.net, &prop).status, Status::Fail);
    let prop = never(&mut b, r3, "10.1.0.0/16");
    assert_eq!(checked(&b.net, &prop).status, Status::Pass);
}

/// s originates P; s–a–d and s–b–d; d prefers a (local_pref 200 on import).
fn diamond() -> (B, NodeId, NodeId, NodeId, NodeId) {
    let mut b = B::new();
    let s = b.router("s", 65000);
    let a_ = b.router("a", 65001);
    let b_ = b.router("b", 65002);
    let d = b.router("d", 65003);
    b.originate(s, "10.1.0.0/16");
    b.ebgp(s, a_);
    b.ebgp(s, b_);
    let (ad, _) = b.ebgp(a_, d);
    b.ebgp(b_, d);
    let pref = b.policy(
        "prefer_a",
        vec![rule(true, vec![], vec![Action::SetLocalPref(200)])],
    );
    b.edge_mut(ad).import.push(pref);
    (b, s, a_, b_, d)
}

#[test]
fn under_failures_one_the_backup_path_is_found() {
    let (mut b, _, _, bb, d) = diamond();
    let mut prop = never_via(&mut b, d, bb);
    assert_eq!(checked(&b.net, &prop).status, Status::Pass);
    prop.failures = 1;
    let v = checked(&b.net, &prop);
    assert_eq!(v.status, Status::Fail);
    let cx = v.counterexample.unwrap();
    assert_eq!(cx.failed.len(), 1, "a minimal failure set: {:?}", cx.failed);
    assert!(
        cx.failed[0] == "s-a" || cx.failed[0] == "a-d",
        "{:?}",
        cx.failed
    );
    assert!(cx
        .labels
        .iter()
        .any(|l| l.message.contains("fails in this counterexample")));
    // Deterministic: the same counterexample every time.
    for _ in 0..3 {
        assert_eq!(verify(&b.net, &prop).counterexample, Some(cx.clone()));
    }
}

#[test]
fn without_removes_a_component() {
    let (mut b, _, _, bb, d) = diamond();
    let mut prop = never_via(&mut b, d, bb);
    let sa = b
        .net
        .components
        .iter()
        .find(|(_, c)| c.name == "s-a")
        .unwrap()
        .0;
    prop.without = vec![sa];
    let v = checked(&b.net, &prop);
    assert_eq!(v.status, Status::Fail);
    assert!(
        v.counterexample.unwrap().failed.is_empty(),
        "`without` is not a failure"
    );
}

/// dc (65200) — msee (12076) — avs (398656); the environment: dc announces anything.
fn environment(filter: bool) -> (B, Property) {
    let mut b = B::new();
    let dc = b.router("dc1", 65200);
    let msee = b.router("msee", 12076);
    let avs = b.router("avs", 398656);
    b.originate(dc, "10.2.0.0/16");
    let (dm, _) = b.ebgp(dc, msee);
    b.ebgp(msee, avs);
    if filter {
        let pol = b.policy(
            "no_default",
            vec![
                rule(false, vec![exact("0.0.0.0/0")], vec![]),
                rule(true, vec![], vec![]),
            ],
        );
        b.edge_mut(dm).import.push(pol);
    }
    let mut prop = b.property(PropertyKind::Never {
        node: avs,
        prefix: p("0.0.0.0/0"),
        via: None,
        originated_by: Some(dc),
    });
    let span = b.span();
    prop.assumptions.push(Assumption {
        node: dc,
        within: p("0.0.0.0/0"),
        le: 32,
        span,
    });
    (b, prop)
}

#[test]
fn assume_advertises_any_finds_the_default_route() {
    let (b, prop) = environment(false);
    let v = verify(&b.net, &prop);
    assert_eq!(v.status, Status::Fail);
    let cx = v.counterexample.unwrap();
    assert_eq!(cx.environment.len(), 1);
    assert_eq!(cx.environment[0].node, "dc1");
    assert_eq!(cx.environment[0].prefix, "0.0.0.0/0");
    assert_eq!(cx.routes[0].as_path, vec![12076, 65200]);
    assert!(cx.labels.iter().any(|l| l.message.contains("environment")));
}

#[test]
fn assume_advertises_any_is_stopped_by_an_import_filter() {
    let (b, prop) = environment(true);
    assert_eq!(verify(&b.net, &prop).status, Status::Pass);
}

#[test]
fn assume_outside_the_range_changes_nothing() {
    let (b, mut prop) = environment(false);
    prop.assumptions[0].within = p("10.0.0.0/8");
    assert_eq!(verify(&b.net, &prop).status, Status::Pass);
    prop.assumptions[0].within = p("0.0.0.0/0");
    prop.assumptions[0].le = 8;
    assert_eq!(verify(&b.net, &prop).status, Status::Fail);
}

#[test]
fn routes_limit() {
    let (mut b, r1, _, r3) = line();
    b.originate(r1, "10.9.0.0/16");
    let ok = b.property(PropertyKind::RouteLimit { node: r3, max: 2 });
    assert_eq!(checked(&b.net, &ok).status, Status::Pass);
    let bad = b.property(PropertyKind::RouteLimit { node: r3, max: 1 });
    let v = checked(&b.net, &bad);
    assert_eq!(v.status, Status::Fail);
    assert_eq!(v.counterexample.unwrap().routes.len(), 2);
}

#[test]
fn no_stable_state_is_never_a_pass() {
    // The classic BAD GADGET: three routers around a destination, each preferring
    // the route through its clockwise neighbour (local_pref 200) over the direct one.
    let mut b = B::new();
    let d = b.router("d", 65000);
    b.originate(d, "10.1.0.0/16");
    let r: Vec<NodeId> = (1..=3)
        .map(|i| b.router(&format!("r{i}"), 65000 + i))
        .collect();
    for x in &r {
        b.ebgp(d, *x);
    }
    for i in 0..3 {
        let (e, _) = b.ebgp(r[(i + 1) % 3], r[i]);
        let pol = b.policy(
            "prefer_neighbour",
            vec![
                rule(
                    true,
                    vec![Condition::AsPathLength(CmpOp::Eq, 2)],
                    vec![Action::SetLocalPref(200)],
                ),
                rule(false, vec![], vec![]),
            ],
        );
        b.edge_mut(e).import.push(pol);
    }
    let prop = never(&mut b, r[0], "10.9.0.0/16");
    // Another prefix oscillates: this one is decided (per-prefix independence).
    assert_eq!(verify(&b.net, &prop).status, Status::Pass);
    let prop = never(&mut b, r[0], "10.1.0.0/16");
    let v = verify(&b.net, &prop);
    assert!(matches!(v.status, Status::Unknown(_)), "{:?}", v.status);
}
