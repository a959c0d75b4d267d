#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `under failures K` and BGP without a stable state (`smt::stability`): a failure set
//! under which the prefixes a property reads have no stable state makes the property
//! `unknown` naming the set, never `pass`. Designs are `.avs` text run through the
//! whole pipeline; the simulator confirms which failure makes BGP oscillate.

use avscheck::ir::{ComponentId, Network, Property};
use avscheck::sim::{self, evaluate_with_failures, PropertyOutcome};
use avscheck::smt::queries::verify_property;
use avscheck::smt::Status;
use std::time::{Duration, Instant};

fn network(text: &str) -> Network {
    let analysis = avscheck::analyse("stability.avs", text);
    let errs: Vec<String> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    assert!(errs.is_empty(), "{errs:?}");
    analysis.network.expect("a network")
}

/// The properties of the check titled `title`.
fn props(net: &Network, title: &str) -> Vec<Property> {
    net.checks
        .values()
        .find(|c| c.title == title)
        .unwrap_or_else(|| panic!("no check `{title}`"))
        .properties
        .clone()
}

fn component(net: &Network, name: &str) -> ComponentId {
    net.components
        .iter()
        .find(|(_, c)| c.name == name)
        .unwrap_or_else(|| {
            let all: Vec<&str> = net.components.values().map(|c| c.name.as_str()).collect();
            panic!("no component `{name}` among {all:?}")
        })
        .0
}

fn verify(net: &Network, prop: &Property) -> Status {
    verify_property(net, prop, Duration::from_secs(60)).status
}

/// BAD GADGET (Griffin, Shepherd, Wilfong) around `d`: each of n1, n2, n3 prefers the
/// route of its clockwise neighbour (n1 → n2 → n3 → n1) over its own direct route to
/// `d`, and takes nothing else from a ring neighbour. On its own it has no stable
/// state. `x` also originates the prefix and n1 prefers x's route to everything:
/// with the x–n1 session up n1 never changes its mind, which breaks the dispute wheel
/// (n1: via x, n3: via n1 then x, n2: direct). Only losing that one session brings the
/// wheel back.
const RESCUED_GADGET: &str = r#"
router d {
  asn 65000
  originate 10.0.0.0/24
  peer n1
  peer n2
  peer n3
}

router x {
  asn 65100
  originate 10.0.0.0/24
  peer n1
}

router n1 {
  asn 65001
  peer d
  peer x import rescue
  peer n2 import prefer_neighbour
  peer n3 import deny_all
}

router n2 {
  asn 65002
  peer d
  peer n3 import prefer_neighbour
  peer n1 import deny_all
}

router n3 {
  asn 65003
  peer d
  peer n1 import prefer_neighbour
  peer n2 import deny_all
}

policy rescue {
  permit { set local_pref 300 }
}

policy prefer_neighbour {
  permit as_path length = 2 { set local_pref 200 }
}

policy deny_all {
  deny
}

check "plain" {
  loop_free
  never n2 installs 10.0.0.0/24 via n1
}
check "one failure" {
  loop_free under failures 1
  never n2 installs 10.0.0.0/24 via n1 under failures 1
}
"#;

/// The gadget made safe: every ring node prefers its direct route to `d` (local_pref
/// 50 on the neighbour's), so every failure set has a stable state.
fn good_gadget() -> String {
    RESCUED_GADGET.replace("set local_pref 200", "set local_pref 50")
}

#[test]
fn the_simulator_oscillates_only_without_the_rescue_session() {
    let net = network(RESCUED_GADGET);
    let rescue = component(&net, "x–n1");
    assert!(sim::stable_state(&net, &sim::Scenario::default()).is_ok());
    let err = sim::stable_state(&net, &sim::Scenario::new([rescue])).unwrap_err();
    assert!(
        err.oscillations
            .iter()
            .any(|o| o.prefix.to_string() == "10.0.0.0/24"),
        "{:?}",
        err.oscillations
    );
    // Every other single failure converges.
    for (id, c) in net.components.iter() {
        if c.kind.can_fail() && id != rescue {
            assert!(
                sim::stable_state(&net, &sim::Scenario::new([id])).is_ok(),
                "`{}` down does not converge",
                c.name
            );
        }
    }
    for prop in props(&net, "one failure") {
        match evaluate_with_failures(&net, &prop).outcome {
            PropertyOutcome::NoStableState { failed, .. } => assert_eq!(failed, vec![rescue]),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_failure_without_a_stable_state_is_unknown_naming_it() {
    let net = network(RESCUED_GADGET);
    for prop in props(&net, "plain") {
        assert_eq!(verify(&net, &prop), Status::Pass);
    }
    for prop in props(&net, "one failure") {
        match verify(&net, &prop) {
            Status::Unknown(why) => {
                assert!(why.contains("`x–n1`"), "{why}");
                assert!(why.contains("no stable state"), "{why}");
                // Only the failing session is named.
                assert!(!why.contains("`d–"), "{why}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn every_single_failure_with_a_stable_state_passes() {
    let net = network(&good_gadget());
    // The simulator agrees that every failure set converges and the properties hold.
    for prop in props(&net, "one failure") {
        assert_eq!(
            evaluate_with_failures(&net, &prop).outcome,
            PropertyOutcome::Holds
        );
        assert_eq!(verify(&net, &prop), Status::Pass);
    }
}

#[test]
fn two_failures_are_checked_too() {
    // Under two failures the rescue session can fail together with any other
    // component; the answer still names a set that really has no stable state.
    let text = RESCUED_GADGET.replace("under failures 1", "under failures 2");
    let net = network(&text);
    for prop in props(&net, "one failure") {
        assert_eq!(prop.failures, 2);
        match verify(&net, &prop) {
            Status::Unknown(why) => assert!(why.contains("`x–n1`"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}

/// A full mesh of six routers (15 sessions): every session matters to the prefix.
fn mesh(failures: u32) -> String {
    let mut s = String::new();
    for i in 0..6 {
        s += &format!("router r{i} {{\n  asn {}\n", 65001 + i);
        if i == 0 {
            s += "  originate 10.1.0.0/16\n";
        }
        for j in (0..6).filter(|&j| j != i) {
            s += &format!("  peer r{j}\n");
        }
        s += "}\n";
    }
    s + &format!(
        "check \"mesh\" {{\n  never r0 installs 10.1.0.0/16 via r1 under failures {failures}\n}}\n"
    )
}

#[test]
fn too_many_failure_sets_is_unknown_never_pass() {
    // Σ_{i ≤ 5} C(15, i) = 4,944 sets of at most five of the 15 sessions: above the
    // cap of 4,096.
    let net = network(&mesh(5));
    let prop = props(&net, "mesh").remove(0);
    match verify(&net, &prop) {
        Status::Unknown(why) => assert!(why.contains("too many failure sets"), "{why}"),
        other => panic!("{other:?}"),
    }
    // 1 + 15 + 105 sets of at most two: each is checked, and each converges.
    let net = network(&mesh(2));
    let prop = props(&net, "mesh").remove(0);
    assert_eq!(
        evaluate_with_failures(&net, &prop).outcome,
        PropertyOutcome::Holds
    );
    assert_eq!(verify(&net, &prop), Status::Pass);
}

/// The shared examples: appending `under failures 1` to each property is never made
/// `unknown` by this check (their failure sets all have stable states).
#[test]
fn examples_under_one_failure_are_not_made_unknown() {
    let mut dir: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "avs"))
        .collect();
    dir.sort();
    assert!(!dir.is_empty());
    for path in dir {
        let text = std::fs::read_to_string(&path).unwrap();
        let net = network(&text);
        let start = Instant::now();
        let mut checked = 0;
        for check in net.checks.values() {
            for prop in &check.properties {
                if prop.failures > 0 {
                    continue;
                }
                let mut under = prop.clone();
                under.failures = 1;
                let status = verify(&net, &under);
                if let Status::Unknown(why) = &status {
                    assert!(
                        !why.contains("no stable state") && !why.contains("failure sets"),
                        "{}: `{}`: {why}",
                        path.display(),
                        check.title
                    );
                }
                // Where the simulator finds a stable state for every set, so must z3.
                if let PropertyOutcome::NoStableState { .. } =
                    evaluate_with_failures(&net, &under).outcome
                {
                    panic!("{}: the simulator oscillates", path.display());
                }
                checked += 1;
            }
        }
        eprintln!(
            "{}: {checked} properties under failures 1 in {:?}",
            path.file_name().unwrap().to_string_lossy(),
            start.elapsed()
        );
    }
}

/// Timing on the two-region example (`cargo test --release --test smt_stability --
/// -- --ignored --nocapture`): each property and `loop_free` with 0, 1 and 2 failures.
#[test]
#[ignore]
fn timing_two_regions() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/two-regions.avs"
    ))
    .unwrap()
        + "\ncheck \"timing\" {\n  loop_free\n  routes fw_w <= 1000\n  routes dc1 <= 1000\n  \
           never dc1 installs 10.1.0.0/22 via er_avs\n  path dc1 -> avs_w avoids ars_w\n  \
           path fw_w -> 10.200.1.0/24 avoids ars_n\n}\n";
    let net = network(&text);
    let failable = net
        .components
        .values()
        .filter(|c| c.kind.can_fail())
        .count();
    eprintln!("{failable} components can fail");
    for check in net.checks.values() {
        for prop in &check.properties {
            for k in 0..=2 {
                let mut prop = prop.clone();
                prop.failures = k;
                let start = Instant::now();
                let v = verify_property(&net, &prop, Duration::from_secs(600));
                eprintln!(
                    "`{}` under failures {k}: {:?} in {:?}",
                    check.title,
                    v.status,
                    start.elapsed()
                );
            }
        }
    }
}
