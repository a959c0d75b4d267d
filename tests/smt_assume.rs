#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `assume N advertises any within P [le M]` on every property kind (LANGUAGE.md §3),
//! on small hand-written Azure designs run through the whole pipeline.
//!
//! The environment node N may announce any set of prefixes q ⊆ P with len(q) ≤ M,
//! each as its own local route (through its export policies and everything
//! downstream); a site owns what it announces. For every case:
//!
//! - `fail`: the design holds without the environment (both engines), the
//!   counterexample's environment names N and prefixes inside P (and the ones that can
//!   do the harm), and replaying those announcements as concrete originations makes the
//!   simulator find the violation;
//! - `pass`: the simulator holds with no announcement and with announcements picked
//!   by hand (the hijacks a filter or design choice is meant to stop).

use avscheck::ir::{Network, Property};
use avscheck::sim::{evaluate_in_environment, PropertyOutcome};
use avscheck::smt::queries::verify_property;
use avscheck::smt::{Counterexample, PropertyVerdict, Status};
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;
use std::time::Duration;

// ---- designs ---------------------------------------------------------------------

/// One hub: Route Server (branch-to-branch) and an ER gateway in `hub`, the NVA `fw`
/// (AS 65010) in `fw_subnet`; AVS `avs1` (10.1.0.0/22) and the site `dc1` (AS 65200,
/// 10.2.0.0/16) each on its own circuit to the gateway.
#[derive(Clone, Default)]
struct Hub {
    /// AVS and on-premises talk over Global Reach.
    global_reach: bool,
    /// Extra lines of `fw` (originations, statics).
    fw: &'static str,
    /// Modifiers of `fw`'s `peer ars` line (` export P`).
    fw_to_ars: &'static str,
    /// Modifiers of `dc1`'s `peer er_dc` line (` export P`).
    dc1_to_er: &'static str,
    /// `fw_subnet` uses `fw_rt` (0.0.0.0/0 → internet).
    fw_rt: bool,
    /// The GatewaySubnet's UDRs send AVS and on-premises to `fw` (hairpin).
    gw_rt: bool,
    /// Extra lines of `ergw`.
    ergw: &'static str,
    /// Policies and prefix lists.
    policies: &'static str,
    /// The check's lines.
    check: String,
}

impl Hub {
    fn text(&self) -> String {
        let mut s = String::from("use azure\n\nvnet hub {\n  address 10.100.0.0/16\n}\n\n");
        s.push_str("subnet fw_subnet {\n  vnet hub\n  address 10.100.1.0/24\n");
        if self.fw_rt {
            s.push_str("  route_table fw_rt\n");
        }
        s.push_str("}\n\n");
        if self.fw_rt {
            s.push_str("route_table fw_rt {\n  route 0.0.0.0/0 next_hop internet\n}\n\n");
        }
        if self.gw_rt {
            s.push_str(
                "route_table gw_rt {\n  route 10.1.0.0/22 next_hop 10.100.1.4\n  route 10.2.0.0/16 next_hop 10.100.1.4\n}\n\n",
            );
        }
        s.push_str(
            "route_server ars {\n  vnet hub\n  branch_to_branch true\n  peer fw asn 65010\n}\n\n",
        );
        s.push_str("er_gateway ergw {\n  vnet hub\n");
        if self.gw_rt {
            s.push_str("  route_table gw_rt\n");
        }
        s.push_str(self.ergw);
        s.push_str("}\n\n");
        s.push_str("nva fw {\n  subnet fw_subnet\n  ip 10.100.1.4\n  asn 65010\n");
        s.push_str(self.fw);
        s.push_str(&format!("  peer ars{}\n}}\n\n", self.fw_to_ars));
        s.push_str("avs avs1 {\n  originate 10.1.0.0/22\n}\n\n");
        s.push_str(&format!(
            "site dc1 {{\n  asn 65200\n  originate 10.2.0.0/16\n  peer er_dc{}\n}}\n\n",
            self.dc1_to_er
        ));
        s.push_str("er_circuit er_avs {\n  peer avs1\n  connect ergw\n}\n\n");
        s.push_str("er_circuit er_dc {\n  peer dc1\n  connect ergw\n}\n\n");
        if self.global_reach {
            s.push_str("global_reach gr {\n  between er_avs er_dc\n}\n\n");
        }
        s.push_str(self.policies);
        s.push_str(&format!("\ncheck \"under test\" {{\n{}\n}}\n", self.check));
        s
    }
}

// ---- harness ---------------------------------------------------------------------

fn network(text: &str) -> Network {
    let analysis = avscheck::analyse("assume.avs", text);
    if analysis.has_errors() {
        let errs: Vec<String> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        panic!("invalid design: {errs:?}\n{text}");
    }
    analysis.network.expect("a network")
}

/// The only property of the only check.
fn property(net: &Network) -> Property {
    let (_, check) = net.checks.iter().next().expect("a check");
    assert_eq!(check.properties.len(), 1, "one property line");
    check.properties[0].clone()
}

fn verify(net: &Network, prop: &Property) -> PropertyVerdict {
    verify_property(net, prop, Duration::from_secs(60))
}

fn pfx(s: &str) -> Ipv4Net {
    s.parse().unwrap()
}

/// The simulator on the design where the environment's announcements are concrete
/// originations and the assumption is gone, under every failure set the property
/// allows (`sim::evaluate_in_environment`: routing on the replayed design, destinations
/// of the design as written), with no stable state as `Inconclusive`.
fn replay_at(net: &Network, prop: &Property, ann: &[(&str, Ipv4Net)]) -> PropertyOutcome {
    let ann = ann.iter().map(|(node, prefix)| {
        let n = net
            .node_by_name(node)
            .unwrap_or_else(|| panic!("no node {node}"));
        (n, *prefix)
    });
    match evaluate_in_environment(net, prop, ann).outcome {
        PropertyOutcome::NoStableState {
            failed,
            non_convergence,
        } => PropertyOutcome::Inconclusive(format!(
            "no stable state with {failed:?} down: {non_convergence:?}"
        )),
        o => o,
    }
}

fn without_assumption(prop: &Property) -> Property {
    let mut p = prop.clone();
    p.assumptions.clear();
    p
}

/// The property holds without any announcement, in both engines.
fn holds_without_environment(net: &Network, prop: &Property, text: &str) {
    let sim = replay_at(net, prop, &[]);
    assert!(
        matches!(sim, PropertyOutcome::Holds),
        "the simulator should hold with no announcement: {sim:?}\n{text}"
    );
    let v = verify(net, &without_assumption(prop));
    assert_eq!(
        v.status,
        Status::Pass,
        "z3 without the assumption\n{:?}\n{text}",
        v.counterexample
    );
}

/// Expects `fail` with an environment of `node` announcing only prefixes inside the
/// assumption's range (and length), one of them satisfying `harmful`; replays it.
fn expect_fail(text: &str, node: &str, harmful: impl Fn(Ipv4Net) -> bool) -> Counterexample {
    let net = network(text);
    let prop = property(&net);
    holds_without_environment(&net, &prop, text);
    let v = verify(&net, &prop);
    assert_eq!(
        v.status,
        Status::Fail,
        "z3 with the assumption\n{:?}\n{text}",
        v.counterexample
    );
    let cx = v.counterexample.expect("a counterexample");
    assert!(!cx.environment.is_empty(), "no environment: {cx:?}\n{text}");
    let a = prop.assumptions[0];
    let mut ann = Vec::new();
    for e in &cx.environment {
        assert_eq!(e.node, node, "{cx:?}");
        let q = net_of(&e.prefix);
        assert!(
            a.within.contains(&q) && q.prefix_len() <= a.le,
            "announcement {q} outside {} le {}: {cx:?}",
            a.within,
            a.le
        );
        ann.push((e.node.as_str(), q));
    }
    assert!(
        ann.iter().any(|(_, q)| harmful(*q)),
        "no announcement that can do the harm: {:?}\n{}",
        cx.environment,
        cx.narrative
    );
    let sim = replay_at(&net, &prop, &ann);
    assert!(
        matches!(sim, PropertyOutcome::Violated(_)),
        "the environment {:?} does not replay in the simulator: {sim:?}\nnarrative: {}\n{text}",
        cx.environment,
        cx.narrative
    );
    assert!(
        cx.narrative.contains(&format!("`{node}` announcing")),
        "the narrative names the announcement: {}",
        cx.narrative
    );
    cx
}

/// Expects `pass`; the simulator holds with no announcement and with each of
/// `replays` (announcements of `node`), one at a time and all together.
fn expect_pass(text: &str, node: &str, replays: &[&str]) {
    let net = network(text);
    let prop = property(&net);
    let a = prop.assumptions[0];
    let sim = replay_at(&net, &prop, &[]);
    assert!(
        matches!(sim, PropertyOutcome::Holds),
        "the simulator should hold with no announcement: {sim:?}\n{text}"
    );
    let mut all = Vec::new();
    for r in replays {
        let q = pfx(r);
        assert!(
            a.within.contains(&q) && q.prefix_len() <= a.le,
            "test bug: {q} is not a possible announcement"
        );
        let sim = replay_at(&net, &prop, &[(node, q)]);
        assert!(
            matches!(sim, PropertyOutcome::Holds),
            "`{node}` announcing {q}: the simulator finds a violation: {sim:?}\n{text}"
        );
        all.push((node, q));
    }
    let sim = replay_at(&net, &prop, &all);
    assert!(
        matches!(sim, PropertyOutcome::Holds),
        "`{node}` announcing {all:?}: the simulator finds a violation: {sim:?}\n{text}"
    );
    let v = verify(&net, &prop);
    if let (Status::Fail, Some(cx)) = (&v.status, &v.counterexample) {
        let ann: Vec<(&str, Ipv4Net)> = cx
            .environment
            .iter()
            .map(|e| (e.node.as_str(), net_of(&e.prefix)))
            .collect();
        let sim = replay_at(&net, &prop, &ann);
        panic!(
            "z3 fails where a pass is expected; its environment {:?} replays in the simulator as {}\nnarrative: {}\n{text}",
            cx.environment,
            if matches!(sim, PropertyOutcome::Violated(_)) {
                "a violation (the test is wrong)".to_string()
            } else {
                format!("{sim:?} (the counterexample is not confirmed)")
            },
            cx.narrative
        );
    }
    assert_eq!(
        v.status,
        Status::Pass,
        "z3 with the assumption\n{:?}\n{text}",
        v.counterexample
    );
}

fn net_of(s: &str) -> Ipv4Net {
    s.parse()
        .unwrap_or_else(|_| panic!("announcement `{s}` is not a prefix"))
}

fn covers(addr: &str) -> impl Fn(Ipv4Net) -> bool {
    let a: Ipv4Addr = addr.parse().unwrap();
    move |q| q.contains(&a)
}

// ---- reachable -------------------------------------------------------------------

fn hub_to_avs(assume: &str, dc1_to_er: &'static str, policies: &'static str) -> String {
    Hub {
        dc1_to_er,
        policies,
        check: format!("  assume dc1 advertises any within {assume}\n  reachable hub -> avs1"),
        ..Hub::default()
    }
    .text()
}

const NO_AVS_SPACE: &str = "policy to_azure {\n  deny prefix 10.1.0.0/22 le 32\n  permit\n}\n";

/// On-premises announces a more specific prefix of AVS's space: the ER gateway
/// programs it into the hub, and the hub's VMs send AVS traffic to on-premises.
#[test]
fn reachable_fails_when_on_premises_hijacks_avs_space() {
    // An equal /22 is harmful too: the gateway spreads flows over both circuits (ECMP).
    let cx = expect_fail(&hub_to_avs("10.0.0.0/8", "", ""), "dc1", |q| {
        pfx("10.1.0.0/22").contains(&q)
    });
    assert!(!cx.paths.is_empty(), "{cx:?}");
    assert!(cx.paths.iter().any(|p| p.hops.iter().any(|h| h == "dc1")));
    // Delivered, but to the hijacker: the narrative says to whom, and to whom not.
    assert!(
        cx.narrative
            .contains("ends `delivered` to `dc1`, not to `avs1`"),
        "{}",
        cx.narrative
    );
}

/// Every announcement inside AVS's space (at most 511 prefixes: no route limit can
/// be reached) stops at on-premises' export filter.
#[test]
fn reachable_holds_when_on_premises_exports_no_avs_space() {
    expect_pass(
        &hub_to_avs("10.1.0.0/22 le 30", " export to_azure", NO_AVS_SPACE),
        "dc1",
        &["10.1.0.0/24", "10.1.0.0/22", "10.1.3.252/30", "10.1.2.0/23"],
    );
}

/// The same with the whole of 10/8: the environment could announce more than the
/// 1,000 prefixes of AVS's circuit (`er_avs` → `avs1`) only if its routes reached that
/// circuit, and none do (the gateway keeps circuit-learned routes off other circuits,
/// Route Server never hands a route back to the gateway it came from). A flood of
/// that session must be ruled out, not answered `unknown`.
#[test]
#[ignore = "reaches the 60 s time limit since the 1,000 limit moved to the gateway -> circuit direction (issue 11, item 4): a known performance regression, see the fidelity report"]
fn reachable_holds_when_on_premises_exports_no_avs_space_from_all_of_10_8() {
    expect_pass(
        &hub_to_avs("10.0.0.0/8", " export to_azure", NO_AVS_SPACE),
        "dc1",
        &["10.1.0.0/24", "10.1.0.0/22", "10.1.3.255/32", "10.0.0.0/8"],
    );
}

/// `le M`: a hijack is possible when M = 24 and not when M = 16; the boundary is AVS's
/// own /22 (an equal /22 with an equal AS-path length takes part in the gateway's ECMP).
#[test]
fn le_limits_the_hijack_to_short_prefixes() {
    let cx = expect_fail(&hub_to_avs("10.0.0.0/8 le 24", "", ""), "dc1", |q| {
        pfx("10.1.0.0/22").contains(&q)
    });
    assert!(cx
        .environment
        .iter()
        .all(|e| net_of(&e.prefix).prefix_len() <= 24));
    expect_pass(
        &hub_to_avs("10.0.0.0/8 le 16", "", ""),
        "dc1",
        &["10.1.0.0/16", "10.0.0.0/8", "10.0.0.0/12"],
    );
    expect_pass(
        &hub_to_avs("10.0.0.0/14 le 21", "", ""),
        "dc1",
        &["10.1.0.0/21", "10.0.0.0/16"],
    );
    let cx = expect_fail(&hub_to_avs("10.0.0.0/14 le 22", "", ""), "dc1", |q| {
        q == pfx("10.1.0.0/22")
    });
    assert!(cx
        .environment
        .iter()
        .all(|e| net_of(&e.prefix).prefix_len() <= 22));
}

/// An announcement range that does not cover the destination changes nothing.
#[test]
fn within_a_range_that_misses_the_destination_has_no_effect() {
    expect_pass(
        &hub_to_avs("192.168.0.0/16 le 24", "", ""),
        "dc1",
        &["192.168.0.0/16", "192.168.1.0/24"],
    );
    // Its own space: more specifics of 10.2.0.0/16 never touch AVS's addresses.
    expect_pass(
        &hub_to_avs("10.2.0.0/16 le 24", "", ""),
        "dc1",
        &["10.2.1.0/24", "10.2.0.0/17"],
    );
}

// ---- path ... traverses ------------------------------------------------------------

/// The default-route design: `fw` originates 0.0.0.0/0 and its own internet traffic
/// leaves by a UDR; AVS's internet traffic goes through it.
fn default_route(assume: &str, to: &str) -> String {
    Hub {
        fw: "  originate 0.0.0.0/0\n",
        fw_rt: true,
        check: format!(
            "  assume dc1 advertises any within {assume}\n  path avs1 -> {to} traverses fw"
        ),
        ..Hub::default()
    }
    .text()
}

/// On-premises announces a prefix holding 8.8.8.8: it owns that address now, and
/// AVS's packets for it never reach on-premises through `fw` (the internet does not
/// deliver them; an exported announcement is dropped at the gateway, no transit).
#[test]
fn traverses_fails_when_on_premises_announces_the_destination() {
    expect_fail(
        &default_route("0.0.0.0/0", "8.8.8.8"),
        "dc1",
        covers("8.8.8.8"),
    );
}

/// Announcements inside the hub's own space cannot pull traffic away from `fw`:
/// the VNet's system route beats a more specific BGP route (Azure).
#[test]
fn traverses_holds_when_announcements_hit_the_vnet_space() {
    expect_pass(
        &default_route("10.100.1.0/24", "8.8.8.8"),
        "dc1",
        &["10.100.1.4/32", "10.100.1.0/24", "10.100.1.0/25"],
    );
}

/// `internet` is the public addresses no design prefix covers (the design's
/// destinations): on-premises announcing 0.0.0.0/0 wins at the gateway (ExpressRoute
/// over the NVA), the gateway keeps that circuit-learned route off AVS's circuit, and
/// AVS has no route for the internet any more; a more specific public prefix is
/// dropped at the gateway (no transit).
#[test]
fn traverses_to_the_internet_fails_when_on_premises_announces_public_prefixes() {
    expect_fail(&default_route("0.0.0.0/0 le 8", "internet"), "dc1", |q| {
        q.prefix_len() <= 8
    });
}

fn hairpin_check(
    prop: &str,
    within: &str,
    dc1_to_er: &'static str,
    policies: &'static str,
) -> String {
    Hub {
        fw: "  originate 10.0.0.0/8\n  static 10.0.0.0/8 next_hop drop\n",
        gw_rt: true,
        dc1_to_er,
        policies,
        check: format!("  assume dc1 advertises any within {within}\n  {prop}"),
        ..Hub::default()
    }
    .text()
}

const ONLY_SUMMARY: &str = "policy to_azure {\n  permit prefix 10.2.0.0/16\n}\n";

/// The hairpin design (no Global Reach): GatewaySubnet UDRs send each side's /16 and
/// /22 to the NVA. A more specific prefix of on-premises' space learned from its
/// circuit beats the UDR at the gateway, which then drops AVS's packets (no transit).
#[test]
fn traverses_fails_when_on_premises_announces_a_more_specific_prefix() {
    expect_fail(
        &hairpin_check("path avs1 -> dc1 traverses fw", "10.2.0.0/16 le 24", "", ""),
        "dc1",
        |q| pfx("10.2.0.0/16").contains(&q) && q.prefix_len() > 16,
    );
}

#[test]
fn traverses_holds_when_on_premises_exports_only_its_summary() {
    expect_pass(
        &hairpin_check(
            "path avs1 -> dc1 traverses fw",
            "10.2.0.0/16 le 24",
            " export to_azure",
            ONLY_SUMMARY,
        ),
        "dc1",
        &["10.2.1.0/24", "10.2.0.0/17", "10.2.255.0/24"],
    );
}

// ---- path ... avoids ---------------------------------------------------------------

fn avoid(within: &str, fw_to_ars: &'static str, policies: &'static str) -> String {
    Hub {
        global_reach: true,
        fw_to_ars,
        policies,
        check: format!("  assume fw advertises any within {within}\n  path avs1 -> dc1 avoids fw"),
        ..Hub::default()
    }
    .text()
}

/// AVS reaches on-premises over Global Reach. The NVA announcing a more specific
/// prefix of on-premises' space (Route Server → gateway → AVS) pulls that traffic
/// into the hub, where the gateway sends it to the NVA.
#[test]
fn avoids_fails_when_the_nva_announces_a_more_specific_prefix() {
    let cx = expect_fail(&avoid("10.0.0.0/8", "", ""), "fw", |q| {
        pfx("10.2.0.0/16").contains(&q) && q.prefix_len() > 16
    });
    assert!(cx.paths.iter().any(|p| p.hops.iter().any(|h| h == "fw")));
}

/// At most 511 announcements (no route limit can be reached), none of which passes
/// the NVA's export filter.
#[test]
fn avoids_holds_when_the_nva_exports_no_on_premises_space() {
    expect_pass(
        &avoid(
            "10.2.0.0/16 le 24",
            " export to_ars",
            "policy to_ars {\n  deny prefix 10.2.0.0/16 le 32\n  permit\n}\n",
        ),
        "fw",
        &["10.2.1.0/24", "10.2.0.0/16", "10.2.128.0/17"],
    );
}

// ---- loop_free ---------------------------------------------------------------------

fn loops(fw_to_ars: &'static str, policies: &'static str) -> String {
    Hub {
        fw_to_ars,
        policies,
        // `le 9`: three prefixes at most, so no route limit (Route Server per peer, the
        // gateway's 1,000 towards its circuits) can be reached and the loop is the only
        // way to fail.
        check: "  assume fw advertises any within 10.0.0.0/8 le 9\n  loop_free".into(),
        ..Hub::default()
    }
    .text()
}

/// Route Server programs what the NVA announces into the NVA's own subnet: packets
/// for an announced prefix that nothing more specific routes elsewhere come straight
/// back to the NVA, whose RIB sends them to the fabric again.
#[test]
fn loop_free_fails_when_the_nva_announces_what_it_cannot_deliver() {
    let cx = expect_fail(&loops("", ""), "fw", |_| true);
    assert!(cx.paths.iter().any(|p| p.disposition == "loop"), "{cx:?}");
}

#[test]
fn loop_free_holds_when_the_nva_exports_only_the_default_route() {
    expect_pass(
        &loops(
            " export only_default",
            "policy only_default {\n  permit prefix 0.0.0.0/0\n}\n",
        ),
        "fw",
        &["10.0.0.0/8", "10.0.0.0/9", "10.128.0.0/9"],
    );
}

// ---- symmetric ---------------------------------------------------------------------

fn hairpin(within: &str, dc1_to_er: &'static str, policies: &'static str) -> String {
    hairpin_check("symmetric avs1 <-> dc1", within, dc1_to_er, policies)
}

/// The hairpin design (no Global Reach): GatewaySubnet UDRs send each side's /16 and
/// /22 to the NVA. A more specific prefix of on-premises' space learned from its
/// circuit beats the UDR at the gateway, which then drops AVS's packets (no transit).
#[test]
fn symmetric_fails_when_on_premises_announces_a_more_specific_prefix() {
    expect_fail(&hairpin("10.2.0.0/16", "", ""), "dc1", |q| {
        pfx("10.2.0.0/16").contains(&q) && q.prefix_len() > 16
    });
    // The same with lengths that can never exceed the circuit's prefix limit.
    expect_fail(&hairpin("10.2.0.0/16 le 24", "", ""), "dc1", |q| {
        pfx("10.2.0.0/16").contains(&q) && q.prefix_len() > 16
    });
}

#[test]
fn symmetric_holds_when_on_premises_exports_only_its_summary() {
    expect_pass(
        &hairpin("10.2.0.0/16 le 24", " export to_azure", ONLY_SUMMARY),
        "dc1",
        &["10.2.1.0/24", "10.2.0.0/17", "10.2.255.0/24"],
    );
}

// ---- never -------------------------------------------------------------------------

fn default_to_avs(global_reach: bool, dc1_to_er: &'static str, policies: &'static str) -> String {
    Hub {
        global_reach,
        dc1_to_er,
        policies,
        check: "  assume dc1 advertises any within 0.0.0.0/0\n  never avs1 installs 0.0.0.0/0"
            .into(),
        ..Hub::default()
    }
    .text()
}

/// Over Global Reach, on-premises' default route reaches AVS.
#[test]
fn never_fails_when_on_premises_default_reaches_avs_over_global_reach() {
    let cx = expect_fail(&default_to_avs(true, "", ""), "dc1", |q| {
        q == pfx("0.0.0.0/0")
    });
    assert_eq!(cx.routes[0].node, "avs1");
    assert_eq!(cx.routes[0].from.as_deref(), Some("er_avs"));
}

#[test]
fn never_holds_without_global_reach_or_behind_a_filter() {
    // The gateway never passes one circuit's routes to another.
    expect_pass(
        &default_to_avs(false, "", ""),
        "dc1",
        &["0.0.0.0/0", "10.1.0.0/24"],
    );
    expect_pass(
        &default_to_avs(
            true,
            " export to_azure",
            "policy to_azure {\n  deny prefix 0.0.0.0/0\n  permit\n}\n",
        ),
        "dc1",
        &["0.0.0.0/0", "0.0.0.0/1"],
    );
}

// ---- routes N <= K -----------------------------------------------------------------

fn avs_table(global_reach: bool, max: u32) -> String {
    let check = format!("  assume dc1 advertises any within 10.0.0.0/8\n  routes avs1 <= {max}");
    Hub {
        global_reach,
        check,
        ..Hub::default()
    }
    .text()
}

/// AVS's table holds its own /22, the hub and (over Global Reach) on-premises: one
/// more announcement from on-premises goes beyond three.
#[test]
#[ignore = "times out (60 s) since Global Reach also carries gateway-learned routes (issue 11, item 1): a known performance regression, see the fidelity report"]
fn routes_fails_when_on_premises_announces_more_over_global_reach() {
    expect_fail(&avs_table(true, 3), "dc1", |_| true);
}

/// The counterexample's one announcement stands for every prefix of its group (the
/// ones the design cannot tell apart): the narrative says how many (the fresh-eyes
/// tester's finding 10(d): "announcing `10.100.0.0/24`, `gw` installs 260 prefixes").
#[test]
fn routes_counterexample_says_how_many_prefixes_an_announcement_stands_for() {
    let net = network(
        "use azure\nvnet hub { address 10.100.0.0/16 }\ner_gateway gw { vnet hub }\n\
         site corp { asn 64700; originate 10.9.0.0/16; peer er1 }\n\
         er_circuit er1 { peer corp; connect gw }\n\
         check \"t\" {\n  assume corp advertises any within 10.100.0.0/16 le 24\n  routes gw <= 4\n}\n",
    );
    let v = verify(&net, &property(&net));
    assert_eq!(v.status, Status::Fail, "{v:?}");
    let cx = v.counterexample.expect("a counterexample");
    assert!(
        cx.narrative
            .contains("` and 255 more like it, `gw` installs"),
        "{}",
        cx.narrative
    );
}

/// Without Global Reach nothing from on-premises reaches AVS's table.
#[test]
fn routes_holds_without_global_reach() {
    expect_pass(
        &avs_table(false, 2),
        "dc1",
        &["10.1.0.0/24", "10.5.0.0/16", "10.0.0.0/8"],
    );
}
