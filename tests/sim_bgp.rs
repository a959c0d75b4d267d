//! The BGP control plane of the simulator, one semantics point (docs: semantics.md §1)
//! per test, on small hand-built networks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod sim_common;

use avscheck::ir::*;
use avscheck::sim::{self, NextHop, Scenario};
use avscheck::IntoDiagnostics;
use sim_common::*;

fn state(b: &B) -> sim::State {
    sim::stable_state(&b.net, &Scenario::default()).expect("converges")
}

fn best_path(st: &sim::State, n: NodeId, prefix: &str) -> Option<Vec<u32>> {
    st.best(n, p(prefix)).map(|r| r.as_path.clone())
}

/// r1 — r2 — r3, eBGP, r1 originates.
fn chain() -> (B, NodeId, NodeId, NodeId, [EdgeId; 4]) {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    let r3 = b.router("r3", 65003);
    b.originate(r1, "10.1.0.0/16");
    let (e12, e21) = b.ebgp(r1, r2);
    let (e23, e32) = b.ebgp(r2, r3);
    (b, r1, r2, r3, [e12, e21, e23, e32])
}

#[test]
fn ebgp_prepends_the_senders_asn() {
    let (b, r1, r2, r3, _) = chain();
    let st = state(&b);
    assert_eq!(best_path(&st, r1, "10.1.0.0/16"), Some(vec![]));
    assert_eq!(best_path(&st, r2, "10.1.0.0/16"), Some(vec![65001]));
    assert_eq!(best_path(&st, r3, "10.1.0.0/16"), Some(vec![65002, 65001]));
    let r = st.best(r3, p("10.1.0.0/16")).unwrap();
    assert_eq!(r.next_hop, NextHop::Node(r2));
    assert_eq!(r.origin, r1);
    assert_eq!(r.from_node(&b.net), Some(r2));
}

#[test]
fn local_route_has_frr_weight_and_beats_learned() {
    let (mut b, r1, r2, _, _) = chain();
    b.originate(r2, "10.1.0.0/16");
    let st = state(&b);
    let r = st.best(r2, p("10.1.0.0/16")).unwrap();
    assert_eq!(r.next_hop, NextHop::Local);
    assert_eq!(r.weight, 32768);
    // r2 also holds r1's route as a candidate, not installed.
    let rib = &st.rib(r2).unwrap().get(&p("10.1.0.0/16")).unwrap();
    assert_eq!(rib.candidates.len(), 2);
    assert_eq!(rib.installed, 1);
    let _ = r1;
}

#[test]
fn receiver_drops_paths_with_its_own_asn_unless_allowas_in() {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    let r3 = b.router("r3", 65001);
    b.originate(r1, "10.1.0.0/16");
    b.ebgp(r1, r2);
    let (e23, _) = b.ebgp(r2, r3);
    let st = state(&b);
    assert_eq!(best_path(&st, r3, "10.1.0.0/16"), None);
    b.edge_mut(e23).allowas_in = 1;
    let st = state(&b);
    assert_eq!(best_path(&st, r3, "10.1.0.0/16"), Some(vec![65002, 65001]));
}

#[test]
fn allowas_in_counts_occurrences() {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    b.originate(r1, "10.1.0.0/16");
    let (e12, _) = b.ebgp(r1, r2);
    // r1 prepends 65002 twice: r2 sees 65002 two times.
    let pol = b.policy(
        "pp",
        vec![rule(true, vec![], vec![Action::Prepend(65002, 2)])],
    );
    b.edge_mut(e12).export.push(pol);
    b.edge_mut(e12).allowas_in = 1;
    assert_eq!(best_path(&state(&b), r2, "10.1.0.0/16"), None);
    b.edge_mut(e12).allowas_in = 2;
    assert_eq!(
        best_path(&state(&b), r2, "10.1.0.0/16"),
        Some(vec![65001, 65002, 65002])
    );
}

#[test]
fn ibgp_learned_routes_are_not_passed_to_other_ibgp_peers() {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65001);
    let r3 = b.router("r3", 65001);
    let r4 = b.router("r4", 65004);
    b.originate(r1, "10.1.0.0/16");
    b.session(r1, r2, SessionKind::Ibgp);
    b.session(r2, r3, SessionKind::Ibgp);
    b.ebgp(r2, r4);
    let st = state(&b);
    assert_eq!(best_path(&st, r2, "10.1.0.0/16"), Some(vec![]));
    assert_eq!(best_path(&st, r3, "10.1.0.0/16"), None);
    // ...but they are passed to eBGP peers.
    assert_eq!(best_path(&st, r4, "10.1.0.0/16"), Some(vec![65001]));
}

#[test]
fn a_route_is_never_sent_back_to_the_neighbour_it_came_from() {
    let (mut b, r1, r2, _, [_, e21, _, _]) = chain();
    // Without the loop check only the never-back-to-sender rule keeps it from r1.
    b.edge_mut(e21).loop_check = None;
    b.net.nodes[r1].originates.clear();
    let r0 = b.router("r0", 65000);
    b.originate(r0, "10.1.0.0/16");
    b.ebgp(r0, r1);
    let st = state(&b);
    let rib = &st.rib(r1).unwrap().get(&p("10.1.0.0/16")).unwrap();
    assert_eq!(rib.candidates.len(), 1, "r1 only has r0's route: {rib:?}");
    assert!(st.best(r2, p("10.1.0.0/16")).is_some());
}

#[test]
fn local_pref_is_reset_on_ebgp_and_kept_on_ibgp() {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    let r3 = b.router("r3", 65001);
    b.originate(r1, "10.1.0.0/16");
    let lp = b.policy(
        "lp",
        vec![rule(true, vec![], vec![Action::SetLocalPref(200)])],
    );
    let (e12, _) = b.ebgp(r1, r2);
    let (e13, _) = b.session(r1, r3, SessionKind::Ibgp);
    b.edge_mut(e12).export.push(lp);
    b.edge_mut(e13).export.push(lp);
    let st = state(&b);
    assert_eq!(st.best(r2, p("10.1.0.0/16")).unwrap().local_pref, 100);
    assert_eq!(st.best(r3, p("10.1.0.0/16")).unwrap().local_pref, 200);
}

#[test]
fn med_is_not_passed_to_another_as() {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    let r3 = b.router("r3", 65003);
    let r4 = b.router("r4", 65002);
    b.originate(r1, "10.1.0.0/16");
    let med = b.policy("med", vec![rule(true, vec![], vec![Action::SetMed(50)])]);
    let (e12, _) = b.ebgp(r1, r2);
    b.edge_mut(e12).export.push(med);
    b.ebgp(r2, r3);
    b.session(r2, r4, SessionKind::Ibgp);
    let st = state(&b);
    assert_eq!(st.best(r2, p("10.1.0.0/16")).unwrap().med, 50);
    assert_eq!(st.best(r3, p("10.1.0.0/16")).unwrap().med, 0);
    assert_eq!(st.best(r4, p("10.1.0.0/16")).unwrap().med, 50);
}

/// x and y both originate P and peer with t; returns (b, x, y, t, x→t, y→t).
fn two_offers() -> (B, NodeId, NodeId, NodeId, EdgeId, EdgeId) {
    let mut b = B::new();
    let x = b.router("x", 65001);
    let y = b.router("y", 65002);
    let t = b.router("t", 65003);
    b.originate(x, "10.9.0.0/16");
    b.originate(y, "10.9.0.0/16");
    let (xt, _) = b.ebgp(x, t);
    let (yt, _) = b.ebgp(y, t);
    (b, x, y, t, xt, yt)
}

fn winner(b: &B, t: NodeId) -> NodeId {
    let st = state(b);
    st.best(t, p("10.9.0.0/16")).unwrap().origin
}

#[test]
fn decision_1_weight_beats_local_pref() {
    let (mut b, _, y, t, xt, yt) = two_offers();
    let lp = b.policy(
        "lp",
        vec![rule(true, vec![], vec![Action::SetLocalPref(300)])],
    );
    b.edge_mut(xt).import.push(lp);
    b.edge_mut(yt).weight = 10;
    assert_eq!(winner(&b, t), y);
}

#[test]
fn decision_2_local_pref_beats_as_path() {
    let (mut b, _, y, t, _, yt) = two_offers();
    let lp = b.policy(
        "lp",
        vec![rule(
            true,
            vec![],
            vec![Action::SetLocalPref(200), Action::Prepend(65002, 3)],
        )],
    );
    b.edge_mut(yt).import.push(lp);
    assert_eq!(winner(&b, t), y);
}

#[test]
fn decision_3_shorter_as_path() {
    let (mut b, x, _, t, _, yt) = two_offers();
    let pp = b.policy(
        "pp",
        vec![rule(true, vec![], vec![Action::Prepend(65002, 1)])],
    );
    b.edge_mut(yt).export.push(pp);
    // Make y preferred on every later step, to be sure the path decides.
    b.net.nodes[x].router_id = 99;
    assert_eq!(winner(&b, t), x);
}

/// [`two_offers`] with both senders in AS 65001: one neighbouring AS.
fn two_offers_same_as() -> (B, NodeId, NodeId, NodeId, EdgeId, EdgeId) {
    let mut b = B::new();
    let x = b.router("x", 65001);
    let y = b.router("y", 65001);
    let t = b.router("t", 65003);
    b.originate(x, "10.9.0.0/16");
    b.originate(y, "10.9.0.0/16");
    let (xt, _) = b.ebgp(x, t);
    let (yt, _) = b.ebgp(y, t);
    (b, x, y, t, xt, yt)
}

#[test]
fn decision_4_lowest_med_within_one_neighbouring_as() {
    let (mut b, _, y, t, xt, _) = two_offers_same_as();
    let med = b.policy("med", vec![rule(true, vec![], vec![Action::SetMed(50)])]);
    b.edge_mut(xt).import.push(med);
    assert_eq!(winner(&b, t), y);
}

/// RFC 4271 §9.1.2.2 (c), FRR without `bgp always-compare-med`: the MEDs of routes
/// from two neighbouring ASes are not compared; the router id decides (x: lower).
#[test]
fn decision_4_med_skipped_between_neighbouring_ases() {
    let (mut b, x, _, t, xt, _) = two_offers();
    let med = b.policy("med", vec![rule(true, vec![], vec![Action::SetMed(50)])]);
    b.edge_mut(xt).import.push(med);
    assert_eq!(winner(&b, t), x);
}

#[test]
fn decision_5_ebgp_over_ibgp() {
    let mut b = B::new();
    let x = b.router("x", 65003);
    let y = b.router("y", 65002);
    let t = b.router("t", 65003);
    b.originate(x, "10.9.0.0/16");
    b.originate(y, "10.9.0.0/16");
    let (xt, _) = b.session(x, t, SessionKind::Ibgp);
    // x's route gets one ASN so both paths have length 1.
    let pp = b.policy(
        "pp",
        vec![rule(true, vec![], vec![Action::Prepend(65099, 1)])],
    );
    b.edge_mut(xt).export.push(pp);
    b.ebgp(y, t);
    b.net.nodes[y].router_id = 99;
    assert_eq!(winner(&b, t), y);
}

#[test]
fn decision_6_lowest_router_id() {
    let (mut b, x, y, t, _, _) = two_offers();
    b.net.nodes[x].router_id = 7;
    b.net.nodes[y].router_id = 3;
    assert_eq!(winner(&b, t), y);
    b.net.nodes[y].router_id = 8;
    assert_eq!(winner(&b, t), x);
}

#[test]
fn decision_7_lowest_edge_id() {
    let (mut b, x, y, t, _, _) = two_offers();
    b.net.nodes[x].router_id = 5;
    b.net.nodes[y].router_id = 5;
    assert_eq!(winner(&b, t), x);
}

#[test]
fn multipath_installs_ties_on_steps_1_to_4_and_advertises_one() {
    let (mut b, x, _, t, _, _) = two_offers();
    b.net.nodes[t].behaviours.multipath = true;
    let u = b.router("u", 65004);
    b.ebgp(t, u);
    let st = state(&b);
    assert_eq!(st.installed(t, p("10.9.0.0/16")).len(), 2);
    // t advertises a single route, its best (x: lower router id).
    let ru = st.rib(u).unwrap().get(&p("10.9.0.0/16")).unwrap().clone();
    assert_eq!(ru.candidates.len(), 1);
    assert_eq!(ru.candidates[0].origin, x);
    // A MED difference breaks the tie within one neighbouring AS ...
    let (mut b, _, _, t, xt, _) = two_offers_same_as();
    b.net.nodes[t].behaviours.multipath = true;
    let med = b.policy("med", vec![rule(true, vec![], vec![Action::SetMed(5)])]);
    b.edge_mut(xt).import.push(med);
    assert_eq!(state(&b).installed(t, p("10.9.0.0/16")).len(), 1);
    // ... but not between two (FRR's `paths_eq`: MED compared as in the decision).
    let (mut b, _, _, t, xt, _) = two_offers();
    b.net.nodes[t].behaviours.multipath = true;
    let med = b.policy("med", vec![rule(true, vec![], vec![Action::SetMed(5)])]);
    b.edge_mut(xt).import.push(med);
    assert_eq!(state(&b).installed(t, p("10.9.0.0/16")).len(), 2);
    // Without multipath, one.
    let (b, _, _, t, _, _) = two_offers();
    assert_eq!(state(&b).installed(t, p("10.9.0.0/16")).len(), 1);
}

#[test]
fn no_advertise_is_installed_but_not_passed_on() {
    let (mut b, _, r2, r3, [e12, ..]) = chain();
    let na = b.tag("no_advertise", Some(NO_ADVERTISE));
    let pol = b.policy("na", vec![rule(true, vec![], vec![Action::AddTag(na)])]);
    b.edge_mut(e12).export.push(pol);
    let st = state(&b);
    assert!(st.best(r2, p("10.1.0.0/16")).is_some());
    assert!(st.best(r3, p("10.1.0.0/16")).is_none());
    // A named tag without the community is passed on.
    let (mut b, _, _, r3, [e12, ..]) = chain();
    let t = b.tag("mark", None);
    let pol = b.policy("t", vec![rule(true, vec![], vec![Action::AddTag(t)])]);
    b.edge_mut(e12).export.push(pol);
    let st = state(&b);
    assert!(st.best(r3, p("10.1.0.0/16")).unwrap().tags.contains(&t));
}

/// Sends r1's route to r2 through an export policy made of `rules`, returns r2's route.
fn through(rules: Vec<Rule>, import: bool) -> Option<sim::Route> {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    b.originate(r1, "10.1.0.0/16");
    let (e12, _) = b.ebgp(r1, r2);
    let pol = b.policy("pol", rules);
    if import {
        b.edge_mut(e12).import.push(pol);
    } else {
        b.edge_mut(e12).export.push(pol);
    }
    let st = state(&b);
    st.best(r2, p("10.1.0.0/16")).cloned()
}

#[test]
fn policy_first_matching_rule_decides_and_end_denies() {
    assert!(through(
        vec![rule(false, vec![], vec![]), rule(true, vec![], vec![])],
        false
    )
    .is_none());
    assert!(through(
        vec![rule(true, vec![], vec![]), rule(false, vec![], vec![])],
        false
    )
    .is_some());
    assert!(through(vec![rule(true, vec![exact("10.2.0.0/16")], vec![])], false).is_none());
    assert!(through(vec![], true).is_none());
}

#[test]
fn condition_prefix_ranges() {
    let range = |pre: &str, ge: u8, le: u8| {
        Condition::Prefix(vec![PrefixRange {
            prefix: p(pre),
            ge,
            le,
        }])
    };
    let ok = |c: Condition| through(vec![rule(true, vec![c], vec![])], false).is_some();
    assert!(ok(exact("10.1.0.0/16")));
    assert!(!ok(exact("10.0.0.0/8")));
    assert!(ok(range("10.0.0.0/8", 8, 32)));
    assert!(!ok(range("10.0.0.0/8", 17, 32)));
    assert!(!ok(range("10.0.0.0/8", 8, 15)));
    // A prefix list: any range matches.
    assert!(ok(Condition::Prefix(vec![
        PrefixRange {
            prefix: p("192.168.0.0/16"),
            ge: 16,
            le: 32
        },
        PrefixRange {
            prefix: p("10.0.0.0/8"),
            ge: 8,
            le: 32
        },
    ])));
}

#[test]
fn condition_as_path_contains_and_length_see_the_route_before_prepend() {
    let ok =
        |c: Condition, import: bool| through(vec![rule(true, vec![c], vec![])], import).is_some();
    // Export policies run before the sender prepends (path is empty at r1).
    assert!(ok(Condition::AsPathLength(CmpOp::Eq, 0), false));
    assert!(!ok(Condition::AsPathContains(65001), false));
    // Import policies see the prepended path.
    assert!(ok(Condition::AsPathContains(65001), true));
    assert!(ok(Condition::AsPathLength(CmpOp::Eq, 1), true));
    assert!(ok(Condition::AsPathLength(CmpOp::Lt, 2), true));
    assert!(ok(Condition::AsPathLength(CmpOp::Le, 1), true));
    assert!(ok(Condition::AsPathLength(CmpOp::Ge, 1), true));
    assert!(!ok(Condition::AsPathLength(CmpOp::Gt, 1), true));
}

#[test]
fn condition_tag_and_originated_by_and_later_policies_see_earlier_actions() {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    b.originate(r1, "10.1.0.0/16");
    b.originate(r1, "10.2.0.0/16");
    let t = b.tag("t", Some((65001, 7)));
    let (e12, _) = b.ebgp(r1, r2);
    let add = b.policy(
        "add",
        vec![
            rule(true, vec![exact("10.1.0.0/16")], vec![Action::AddTag(t)]),
            rule(true, vec![], vec![]),
        ],
    );
    let need = b.policy("need", vec![rule(true, vec![Condition::Tag(t)], vec![])]);
    b.edge_mut(e12).export = vec![add, need];
    let by = b.policy(
        "by",
        vec![rule(true, vec![Condition::OriginatedBy(r1)], vec![])],
    );
    b.edge_mut(e12).import = vec![by];
    let st = state(&b);
    assert!(st.best(r2, p("10.1.0.0/16")).is_some());
    assert!(st.best(r2, p("10.2.0.0/16")).is_none());
    let by_r2 = b.policy(
        "by2",
        vec![rule(true, vec![Condition::OriginatedBy(r2)], vec![])],
    );
    b.edge_mut(e12).import = vec![by_r2];
    assert!(state(&b).best(r2, p("10.1.0.0/16")).is_none());
}

#[test]
fn actions_local_pref_med_prepend_tags() {
    let t = TagId(0);
    let mut b = B::new();
    b.tag("t", Some((1, 1)));
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    b.originate(r1, "10.1.0.0/16");
    let (e12, _) = b.ebgp(r1, r2);
    let imp = b.policy(
        "imp",
        vec![rule(
            true,
            vec![],
            vec![
                Action::SetLocalPref(250),
                Action::SetMed(9),
                Action::Prepend(65077, 2),
                Action::AddTag(t),
            ],
        )],
    );
    b.edge_mut(e12).import.push(imp);
    let r = state(&b).best(r2, p("10.1.0.0/16")).cloned().unwrap();
    assert_eq!(r.local_pref, 250);
    assert_eq!(r.med, 9);
    assert_eq!(r.as_path, vec![65077, 65077, 65001]);
    assert!(r.tags.contains(&t));
    let rm = b.policy("rm", vec![rule(true, vec![], vec![Action::RemoveTag(t)])]);
    b.edge_mut(e12).import.push(rm);
    assert!(state(&b)
        .best(r2, p("10.1.0.0/16"))
        .unwrap()
        .tags
        .is_empty());
}

#[test]
fn actions_remove_private_remove_as_replace_as() {
    // Path at r2's import: [65001, 64512, 65515, 12076, 398656] after r1 prepends.
    let path_in = vec![
        Action::Prepend(398656, 1),
        Action::Prepend(12076, 1),
        Action::Prepend(65515, 1),
        Action::Prepend(64512, 1),
    ];
    let r = through(vec![rule(true, vec![], path_in.clone())], false).unwrap();
    assert_eq!(r.as_path, vec![65001, 64512, 65515, 12076, 398656]);
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    b.originate(r1, "10.1.0.0/16");
    let (e12, _) = b.ebgp(r1, r2);
    let build = b.policy("build", vec![rule(true, vec![], path_in)]);
    b.edge_mut(e12).export.push(build);
    let rp = b.policy(
        "rp",
        vec![rule(true, vec![], vec![Action::RemovePrivateAs])],
    );
    b.edge_mut(e12).import = vec![rp];
    assert_eq!(
        best_path(&state(&b), r2, "10.1.0.0/16"),
        Some(vec![12076, 398656])
    );
    let rx = b.policy(
        "rx",
        vec![rule(
            true,
            vec![],
            vec![Action::RemoveAs(vec![65515, 12076])],
        )],
    );
    b.edge_mut(e12).import = vec![rx];
    assert_eq!(
        best_path(&state(&b), r2, "10.1.0.0/16"),
        Some(vec![65001, 64512, 398656])
    );
    // replace_as on import: the receiver's ASN (65002).
    let ri = b.policy(
        "ri",
        vec![rule(
            true,
            vec![],
            vec![Action::ReplaceAs(vec![65515, 398656])],
        )],
    );
    b.edge_mut(e12).import = vec![ri];
    assert_eq!(
        best_path(&state(&b), r2, "10.1.0.0/16"),
        Some(vec![65001, 64512, 65002, 12076, 65002])
    );
    // replace_as on export: the sender's ASN (65001); r2's loop check does not see 65002.
    b.edge_mut(e12).import.clear();
    let re = b.policy(
        "re",
        vec![rule(true, vec![], vec![Action::ReplaceAs(vec![12076])])],
    );
    b.edge_mut(e12).export.push(re);
    assert_eq!(
        best_path(&state(&b), r2, "10.1.0.0/16"),
        Some(vec![65001, 64512, 65515, 65001, 398656])
    );
}

#[test]
fn next_hop_self_address_and_transparency() {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let rs = b.router("rs", 65515);
    let r3 = b.router("r3", 65003);
    b.originate(r1, "10.1.0.0/16");
    b.ebgp(r1, rs);
    let (e_rs3, _) = b.ebgp(rs, r3);
    let st = state(&b);
    assert_eq!(
        st.best(r3, p("10.1.0.0/16")).unwrap().next_hop,
        NextHop::Node(rs)
    );
    // A transparent speaker keeps the learned next hop...
    b.net.nodes[rs].behaviours.next_hop_transparent = true;
    let st = state(&b);
    assert_eq!(
        st.best(r3, p("10.1.0.0/16")).unwrap().next_hop,
        NextHop::Node(r1)
    );
    // ...unless its export sets it: `self`, or an address.
    let s = b.policy("s", vec![rule(true, vec![], vec![Action::SetNextHopSelf])]);
    b.edge_mut(e_rs3).export = vec![s];
    assert_eq!(
        state(&b).best(r3, p("10.1.0.0/16")).unwrap().next_hop,
        NextHop::Node(rs)
    );
    let addr = b.policy(
        "a",
        vec![rule(true, vec![], vec![Action::SetNextHop(a("10.0.0.9"))])],
    );
    b.edge_mut(e_rs3).export = vec![addr];
    assert_eq!(
        state(&b).best(r3, p("10.1.0.0/16")).unwrap().next_hop,
        NextHop::Address(a("10.0.0.9"))
    );
    // A transparent speaker's own routes have itself as next hop.
    b.edge_mut(e_rs3).export.clear();
    b.originate(rs, "10.5.0.0/16");
    assert_eq!(
        state(&b).best(r3, p("10.5.0.0/16")).unwrap().next_hop,
        NextHop::Node(rs)
    );
}

#[test]
fn route_limit_drops_the_session_and_reports_it() {
    let (mut b, r1, r2, r3, [e12, ..]) = chain();
    b.originate(r1, "10.2.0.0/16");
    b.originate(r1, "10.3.0.0/16");
    b.originate(r3, "10.30.0.0/16");
    let span = b.span();
    b.edge_mut(e12).max_routes = Some(RouteLimit { max: 3, span });
    let st = state(&b);
    assert!(st.dropped.is_empty());
    b.edge_mut(e12).max_routes = Some(RouteLimit { max: 2, span });
    let st = state(&b);
    assert_eq!(st.dropped.len(), 1);
    assert_eq!(st.dropped[0].accepted, 3);
    assert_eq!(st.dropped[0].edge, e12);
    // Both directions are gone: r2 has nothing from r1, r1 nothing from r3.
    assert!(st.best(r2, p("10.1.0.0/16")).is_none());
    assert!(st.best(r1, p("10.30.0.0/16")).is_none());
    assert!(st.best(r2, p("10.30.0.0/16")).is_some());
    let d = sim::route_limit_findings(&b.net, &st);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "AVS0501");
    assert!(d[0].is_error());
    assert_eq!(d[0].primary_span(), Some(b.net.edges[e12].span));
    assert!(d[0].labels.iter().any(|l| l.span == span && !l.primary));
    assert!(
        d[0].message.contains("`r1`") && d[0].message.contains("limit of 2"),
        "{}",
        d[0].message
    );
}

/// The ends of each dropped session's limited edge, by name.
fn dropped_names(b: &B, st: &sim::State) -> Vec<(String, String, usize)> {
    let name = |n: NodeId| b.net.nodes[n].name.clone();
    st.dropped
        .iter()
        .map(|d| {
            let e = &b.net.edges[d.edge];
            (name(e.from), name(e.to), d.accepted)
        })
        .collect()
}

#[test]
fn a_session_over_its_limit_only_on_a_dropped_sessions_routes_stays_up() {
    // r1 sends its 3 prefixes to r2 (limit 2); r2 passes them on to r3 with its own
    // (4 > limit 3). Once r1–r2 is down its routes are withdrawn and r3 receives only
    // r2's: r2–r3 stays up (docs/semantics.md §1, "Route limits": a cascade is
    // recounted, not dropped with the session that caused it).
    let (mut b, r1, r2, r3, [e12, _, e23, _]) = chain();
    b.originate(r1, "10.2.0.0/16");
    b.originate(r1, "10.3.0.0/16");
    b.originate(r2, "10.20.0.0/16");
    let span = b.span();
    b.edge_mut(e12).max_routes = Some(RouteLimit { max: 2, span });
    b.edge_mut(e23).max_routes = Some(RouteLimit { max: 3, span });
    let st = state(&b);
    assert_eq!(dropped_names(&b, &st), vec![("r1".into(), "r2".into(), 3)]);
    assert!(st.best(r3, p("10.20.0.0/16")).is_some());
    assert!(st.best(r3, p("10.1.0.0/16")).is_none());
    assert!(st.best(r2, p("10.1.0.0/16")).is_none());
    // The state is the only one: its dropped session is over its limit whenever up.
    let sc = Scenario::default();
    assert_eq!(
        sim::unique::certify(&b.net, &sc, &st),
        sim::unique::Certificate::Unique
    );
    let d = sim::route_limit_findings(&b.net, &st);
    assert_eq!(d.len(), 1, "{d:?}");
    // A session over its limit on its own prefixes too is dropped with the first,
    // counted without the routes of the other (4 of r2's own, not 7).
    b.originate(r2, "10.21.0.0/16");
    b.originate(r2, "10.22.0.0/16");
    b.originate(r2, "10.23.0.0/16");
    let st = state(&b);
    assert_eq!(
        dropped_names(&b, &st),
        vec![("r1".into(), "r2".into(), 3), ("r2".into(), "r3".into(), 4)]
    );
    let _ = r1;
}

/// r1 — r2 — r3, each originating one prefix; `r2 → r1` and `r2 → r3` limited to 1:
/// each is over its limit only while the other session is up (r2 passes on what it
/// learned over it). `flip` declares the sessions the other way round.
fn mutual(flip: bool) -> (B, sim::State) {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    let r3 = b.router("r3", 65003);
    b.originate(r1, "10.1.0.0/16");
    b.originate(r2, "10.2.0.0/16");
    b.originate(r3, "10.3.0.0/16");
    let (e21, e23) = if flip {
        let (_, e23) = b.ebgp(r3, r2);
        let (_, e21) = b.ebgp(r1, r2);
        (e21, e23)
    } else {
        let (_, e21) = b.ebgp(r1, r2);
        let (_, e23) = b.ebgp(r3, r2);
        (e21, e23)
    };
    let span = b.span();
    b.edge_mut(e21).max_routes = Some(RouteLimit { max: 1, span });
    b.edge_mut(e23).max_routes = Some(RouteLimit { max: 1, span });
    let st = state(&b);
    (b, st)
}

#[test]
fn sessions_over_their_limits_only_while_the_other_is_up_drop_one_by_names() {
    // Either session going first leaves the other within its limit: two stable
    // states. The simulator takes one (the furthest over, then by the names of the
    // ends, never by declaration order) and it is not proved the only one.
    for flip in [false, true] {
        let (b, st) = mutual(flip);
        assert_eq!(
            dropped_names(&b, &st),
            vec![("r2".into(), "r1".into(), 2)],
            "flip {flip}"
        );
        let r3 = b.net.node_by_name("r3").unwrap();
        assert!(st.best(r3, p("10.2.0.0/16")).is_some());
        assert!(sim::limits::certainly_dropped_in(&b.net, &|_| false, false).is_empty());
        assert!(matches!(
            sim::unique::certify(&b.net, &Scenario::default(), &st),
            sim::unique::Certificate::RouteLimits(_)
        ));
    }
}

/// BAD GADGET (Griffin, Shepherd, Wilfong): each of 1, 2, 3 prefers the path through
/// its clockwise neighbour over its direct path to 0. No stable state exists.
fn bad_gadget() -> (B, Vec<NodeId>) {
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
        "prefer_neighbour",
        vec![rule(
            true,
            vec![Condition::AsPathLength(CmpOp::Eq, 2)],
            vec![Action::SetLocalPref(200)],
        )],
    );
    let deny = b.policy("deny", vec![]);
    for i in 0..3 {
        let (me, next) = (ring[i], ring[(i + 1) % 3]);
        let (me_to_next, next_to_me) = b.ebgp(me, next);
        // `me` takes its clockwise neighbour's direct route, with preference.
        b.edge_mut(next_to_me).import.push(prefer);
        // `next` takes nothing from `me` (its counter-clockwise neighbour).
        b.edge_mut(me_to_next).import.push(deny);
    }
    (b, ring)
}

#[test]
fn bad_gadget_does_not_converge_and_names_nodes_and_prefix() {
    let (b, ring) = bad_gadget();
    let err = sim::stable_state(&b.net, &Scenario::default()).unwrap_err();
    assert_eq!(err.oscillations.len(), 1);
    let o = &err.oscillations[0];
    assert_eq!(o.prefix, p("10.0.0.0/24"));
    assert!(o.cycle);
    assert_eq!(o.node_ids, ring);
    let diags = err.into_diagnostics();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, "AVS0500");
    assert!(diags[0].message.contains("`10.0.0.0/24`"));
    assert_eq!(diags[0].labels.len(), 3);
}

#[test]
fn good_gadget_converges() {
    // The same ring, but each node prefers its direct route: a unique stable state.
    let (mut b, ring) = bad_gadget();
    for pol in b.net.policies.values_mut() {
        if pol.name == "prefer_neighbour" {
            pol.rules = vec![rule(
                true,
                vec![Condition::AsPathLength(CmpOp::Eq, 2)],
                vec![Action::SetLocalPref(50)],
            )];
        }
    }
    let st = state(&b);
    for n in ring {
        assert_eq!(st.best(n, p("10.0.0.0/24")).unwrap().as_path, vec![65000]);
    }
}

#[test]
fn failures_take_edges_and_nodes_down() {
    let (b, _r1, r2, r3, [e12, ..]) = chain();
    let sess_comp = b.net.sessions[b.net.edges[e12].session].component;
    let st = sim::stable_state(&b.net, &Scenario::new([sess_comp])).unwrap();
    assert!(st.best(r2, p("10.1.0.0/16")).is_none());
    let st = sim::stable_state(&b.net, &Scenario::new([b.net.nodes[r2].component])).unwrap();
    assert!(st.best(r3, p("10.1.0.0/16")).is_none());
    assert!(st.rib(r2).unwrap().is_empty());
}

#[test]
fn simulation_is_deterministic() {
    let (b, _) = {
        let (b, r1, r2, r3, _) = chain();
        (b, [r1, r2, r3])
    };
    let s1 = serde_json::to_string(&state(&b)).unwrap();
    let s2 = serde_json::to_string(&state(&b)).unwrap();
    assert_eq!(s1, s2);
}
