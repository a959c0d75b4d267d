//! Concrete evaluation of properties (semantics.md §4) on hand-built networks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod sim_common;

use avscheck::ir::*;
use avscheck::sim::{self, PropertyOutcome, Scenario};
use sim_common::*;

/// r1 (owns 10.1/16) — r2 — r3 (owns 10.3/16) and a second path r1 — r4 — r3.
fn square() -> (B, [NodeId; 4]) {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    let r3 = b.router("r3", 65003);
    let r4 = b.router("r4", 65004);
    b.originate(r1, "10.1.0.0/16");
    b.originate(r3, "10.3.0.0/16");
    b.ebgp(r1, r2);
    b.ebgp(r2, r3);
    b.ebgp(r1, r4);
    b.ebgp(r4, r3);
    (b, [r1, r2, r3, r4])
}

fn eval(b: &mut B, kind: PropertyKind) -> PropertyOutcome {
    let prop = b.property(kind);
    let st = sim::stable_state(&b.net, &Scenario::default()).unwrap();
    sim::evaluate(&b.net, &st, &Scenario::default(), &prop)
}

fn eval_failures(
    b: &mut B,
    kind: PropertyKind,
    k: u32,
    without: Vec<ComponentId>,
) -> sim::FailureEvaluation {
    let mut prop = b.property(kind);
    prop.failures = k;
    prop.without = without;
    sim::evaluate_with_failures(&b.net, &prop)
}

#[test]
fn never_installs_with_via_and_originated_by() {
    let (mut b, [r1, r2, r3, r4]) = square();
    let never = |via, by| PropertyKind::Never {
        node: r1,
        prefix: p("10.3.0.0/16"),
        via,
        originated_by: by,
    };
    let out = eval(&mut b, never(None, None));
    let PropertyOutcome::Violated(cx) = out else {
        panic!("{out:?}")
    };
    assert_eq!(cx.routes.len(), 1);
    assert_eq!(cx.routes[0].route.prefix, p("10.3.0.0/16"));
    // r1's best comes from r2 (lower router id).
    assert!(!eval(&mut b, never(Some(r2), None)).holds());
    assert!(eval(&mut b, never(Some(r4), None)).holds());
    assert!(!eval(&mut b, never(None, Some(r3))).holds());
    assert!(eval(&mut b, never(None, Some(r2))).holds());
    // Exactly the prefix: a covering route does not count.
    assert!(eval(
        &mut b,
        PropertyKind::Never {
            node: r1,
            prefix: p("10.3.0.0/24"),
            via: None,
            originated_by: None
        }
    )
    .holds());
}

#[test]
fn reachable_and_route_limit() {
    let (mut b, [r1, r2, r3, _]) = square();
    assert!(eval(
        &mut b,
        PropertyKind::Reachable {
            from: Endpoint::Node(r1),
            to: Endpoint::Node(r3)
        }
    )
    .holds());
    assert!(eval(
        &mut b,
        PropertyKind::Reachable {
            from: Endpoint::Node(r3),
            to: Endpoint::Prefix(p("10.1.128.0/17"))
        }
    )
    .holds());
    assert!(eval(
        &mut b,
        PropertyKind::Reachable {
            from: Endpoint::Node(r3),
            to: Endpoint::Address(a("10.1.2.3"))
        }
    )
    .holds());
    // Nobody owns 10.9/16: not delivered.
    let out = eval(
        &mut b,
        PropertyKind::Reachable {
            from: Endpoint::Node(r1),
            to: Endpoint::Prefix(p("10.9.0.0/16")),
        },
    );
    let PropertyOutcome::Violated(cx) = out else {
        panic!("{out:?}")
    };
    assert_eq!(cx.paths[0].disposition, sim::Disposition::NoRoute);
    assert!(eval(&mut b, PropertyKind::RouteLimit { node: r2, max: 2 }).holds());
    assert!(!eval(&mut b, PropertyKind::RouteLimit { node: r2, max: 1 }).holds());
}

#[test]
fn traverses_and_avoids() {
    let (mut b, [r1, r2, r3, r4]) = square();
    let tr = |w| PropertyKind::Traverses {
        from: Endpoint::Node(r1),
        to: Endpoint::Node(r3),
        waypoint: w,
    };
    let av = |w| PropertyKind::Avoids {
        from: Endpoint::Node(r1),
        to: Endpoint::Node(r3),
        waypoint: w,
    };
    assert!(eval(&mut b, tr(r2)).holds());
    assert!(!eval(&mut b, tr(r4)).holds());
    assert!(eval(&mut b, av(r4)).holds());
    assert!(!eval(&mut b, av(r2)).holds());
}

#[test]
fn under_failures_enumerates_failure_sets_and_reports_the_failed_ones() {
    let (mut b, [r1, r2, r3, _]) = square();
    let reach = PropertyKind::Reachable {
        from: Endpoint::Node(r1),
        to: Endpoint::Node(r3),
    };
    // Any single session may fail: the other path remains.
    let ev = eval_failures(&mut b, reach.clone(), 1, vec![]);
    assert!(ev.outcome.holds(), "{:?}", ev.outcome);
    let failable = b
        .net
        .components
        .values()
        .filter(|c| c.kind.can_fail())
        .count();
    assert_eq!(ev.scenarios, 1 + failable);
    // Two failures can cut both paths; the first such set (lexicographic) is reported.
    let ev = eval_failures(&mut b, reach.clone(), 2, vec![]);
    let PropertyOutcome::Violated(cx) = &ev.outcome else {
        panic!("{:?}", ev.outcome)
    };
    assert_eq!(cx.failed.len(), 2);
    let names: Vec<&str> = cx
        .failed
        .iter()
        .map(|c| b.net.components[*c].name.as_str())
        .collect();
    assert_eq!(names, vec!["r1-r2", "r1-r4"]);
    // `traverses r2` fails under one failure (r1–r2 down → via r4).
    let ev = eval_failures(
        &mut b,
        PropertyKind::Traverses {
            from: Endpoint::Node(r1),
            to: Endpoint::Node(r3),
            waypoint: r2,
        },
        1,
        vec![],
    );
    assert!(!ev.outcome.holds());
    // `without` removes a node (not failable by `under failures`).
    let r2c = b.net.nodes[r2].component;
    let ev = eval_failures(
        &mut b,
        PropertyKind::Avoids {
            from: Endpoint::Node(r1),
            to: Endpoint::Node(r3),
            waypoint: r2,
        },
        0,
        vec![r2c],
    );
    assert!(ev.outcome.holds());
    let ev = eval_failures(&mut b, reach, 1, vec![r2c]);
    let PropertyOutcome::Violated(cx) = &ev.outcome else {
        panic!("{:?}", ev.outcome)
    };
    assert_eq!(cx.failed.len(), 1);
}

#[test]
fn loop_free_finds_static_loops() {
    let (mut b, [r1, r2, ..]) = square();
    assert!(eval(&mut b, PropertyKind::LoopFree).holds());
    b.static_route(r1, "192.168.0.0/16", StaticTarget::Node(r2));
    b.static_route(r2, "192.168.0.0/16", StaticTarget::Node(r1));
    let out = eval(&mut b, PropertyKind::LoopFree);
    let PropertyOutcome::Violated(cx) = out else {
        panic!("{out:?}")
    };
    assert!(cx
        .paths
        .iter()
        .all(|p| p.disposition == sim::Disposition::Loop));
    assert_eq!(cx.paths[0].to, a("192.168.0.0"));
}

#[test]
fn symmetric_compares_nva_sets() {
    // Two VNets' VMs reach each other through NVAs chosen by UDRs.
    let mut b = B::new();
    let v1 = b.vnet("v1", &["10.10.0.0/16"]);
    let v2 = b.vnet("v2", &["10.20.0.0/16"]);
    b.peer_vnets(v1, v2);
    let s1 = b.subnet("s1", v1, "10.10.1.0/24");
    let s2 = b.subnet("s2", v2, "10.20.1.0/24");
    let fws = b.subnet("fws", v1, "10.10.9.0/24");
    let fw = b.nva("fw", 65010, fws, "10.10.9.4");
    let fw2 = b.nva("fw2", 65011, fws, "10.10.9.5");
    let _ = (fw, fw2);
    b.udr(s1, "10.20.0.0/16", UdrNextHop::Appliance(a("10.10.9.4")));
    b.udr(s2, "10.10.0.0/16", UdrNextHop::Appliance(a("10.10.9.4")));
    let sym = PropertyKind::Symmetric {
        a: Endpoint::Subnet(s1),
        b: Endpoint::Subnet(s2),
    };
    assert!(eval(&mut b, sym.clone()).holds());
    // s2 returns through the other NVA: asymmetric.
    b.net.subnets[s2].udrs.clear();
    b.udr(s2, "10.10.0.0/16", UdrNextHop::Appliance(a("10.10.9.5")));
    let out = eval(&mut b, sym.clone());
    let PropertyOutcome::Violated(cx) = out else {
        panic!("{out:?}")
    };
    assert!(cx.explanation.contains("different NVAs"));
    // s2 returns directly: asymmetric too.
    b.net.subnets[s2].udrs.clear();
    assert!(!eval(&mut b, sym).holds());
    // Reachability to a subnet counts delivery to its VMs.
    assert!(eval(
        &mut b,
        PropertyKind::Reachable {
            from: Endpoint::Subnet(s2),
            to: Endpoint::Subnet(s1)
        }
    )
    .holds());
    assert!(eval(
        &mut b,
        PropertyKind::Reachable {
            from: Endpoint::Vnet(v2),
            to: Endpoint::Vnet(v1)
        }
    )
    .holds());
}

#[test]
fn internet_endpoint_is_public_space_nobody_owns() {
    let mut b = B::new();
    let inet = b.internet();
    let v = b.vnet("v", &["10.10.0.0/16"]);
    let s = b.subnet("s", v, "10.10.1.0/24");
    let r = b.router("r", 65001);
    b.originate(r, "203.0.113.0/24");
    let _ = inet;
    assert!(eval(
        &mut b,
        PropertyKind::Reachable {
            from: Endpoint::Subnet(s),
            to: Endpoint::Internet
        }
    )
    .holds());
    // 203.0.113.0/24 belongs to r: not the internet's; the VM sends it to the internet
    // (no route to r), where it is dropped.
    let out = eval(
        &mut b,
        PropertyKind::Reachable {
            from: Endpoint::Subnet(s),
            to: Endpoint::Prefix(p("203.0.113.0/24")),
        },
    );
    let PropertyOutcome::Violated(cx) = out else {
        panic!("{out:?}")
    };
    assert_eq!(cx.paths[0].why, sim::Why::InternetDrops);
    // Private space is never the internet's.
    let out = eval(
        &mut b,
        PropertyKind::Reachable {
            from: Endpoint::Subnet(s),
            to: Endpoint::Address(a("192.168.1.1")),
        },
    );
    assert!(!out.holds());
}

#[test]
fn assumptions_make_a_pass_inconclusive_but_a_violation_stands() {
    let (mut b, [r1, _, r3, _]) = square();
    let mut prop = b.property(PropertyKind::Never {
        node: r1,
        prefix: p("0.0.0.0/0"),
        via: None,
        originated_by: None,
    });
    prop.assumptions.push(Assumption {
        node: r3,
        within: p("0.0.0.0/0"),
        le: 32,
        span: b.span(),
    });
    assert!(matches!(
        sim::evaluate_with_failures(&b.net, &prop).outcome,
        PropertyOutcome::Inconclusive(_)
    ));
    b.originate(r3, "0.0.0.0/0");
    assert!(matches!(
        sim::evaluate_with_failures(&b.net, &prop).outcome,
        PropertyOutcome::Violated(_)
    ));
}

#[test]
fn a_scenario_without_stable_state_is_reported_as_such() {
    let mut b = B::new();
    let n0 = b.router("d", 65000);
    b.originate(n0, "10.0.0.0/24");
    let ring: Vec<NodeId> = (1..=3)
        .map(|i| b.router(&format!("n{i}"), 65000 + i))
        .collect();
    for &n in &ring {
        b.ebgp(n0, n);
    }
    let prefer = b.policy(
        "prefer",
        vec![rule(
            true,
            vec![Condition::AsPathLength(CmpOp::Eq, 2)],
            vec![Action::SetLocalPref(200)],
        )],
    );
    let deny = b.policy("deny", vec![]);
    for i in 0..3 {
        let (me_to_next, next_to_me) = b.ebgp(ring[i], ring[(i + 1) % 3]);
        b.edge_mut(next_to_me).import.push(prefer);
        b.edge_mut(me_to_next).import.push(deny);
    }
    let ev = eval_failures(&mut b, PropertyKind::LoopFree, 0, vec![]);
    assert!(
        matches!(ev.outcome, PropertyOutcome::NoStableState { .. }),
        "{:?}",
        ev.outcome
    );
}
