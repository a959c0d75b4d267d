#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The verification pipeline (`avscheck::pipeline`): the concrete path decides where
//! the stable state is provably unique, and agrees with the symbolic path wherever it
//! decides; where BGP has several stable states it must not decide.

use avscheck::pipeline::cache::ScenarioCache;
use avscheck::pipeline::concrete::{decide, Concrete};
use avscheck::sim::unique::{certify, Certificate};
use avscheck::sim::{stable_state, Scenario};
use avscheck::smt::{queries::verify_property, Status};
use std::time::{Duration, Instant};

fn network(name: &str, text: &str) -> avscheck::ir::Network {
    let a = avscheck::analyse(name, text);
    assert!(
        !a.has_errors(),
        "{name}: {:?}",
        a.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    a.network.unwrap()
}

fn designs() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["examples", "examples/broken"] {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "avs"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            out.push((f.display().to_string(), text));
        }
    }
    out
}

/// Every property of every example and broken example: where the concrete path
/// decides, its verdict is the symbolic path's.
#[test]
fn concrete_and_symbolic_paths_agree_on_the_examples() {
    let mut decided = 0;
    for (name, text) in designs() {
        let net = network(&name, &text);
        let cache = ScenarioCache::new();
        for check in net.checks.values() {
            for prop in &check.properties {
                let deadline = Instant::now() + Duration::from_secs(60);
                let Concrete::Decided(c) = decide(&net, prop, deadline, &cache) else {
                    continue;
                };
                decided += 1;
                let s = verify_property(&net, prop, Duration::from_secs(60));
                assert_eq!(
                    c.status.as_str(),
                    s.status.as_str(),
                    "{name}, `{}`: concrete {:?}, symbolic {:?}",
                    check.title,
                    c.status,
                    s.status
                );
                if c.status == Status::Fail {
                    let cx = c.counterexample.as_ref().unwrap();
                    assert!(!cx.narrative.is_empty(), "{name}: a narrative");
                    assert!(!cx.labels.is_empty(), "{name}: labels");
                }
            }
        }
    }
    // The seed's designs have unique stable states: everything is decided concretely.
    assert!(
        decided >= 40,
        "only {decided} properties were decided concretely"
    );
}

/// DISAGREE (Griffin, Shepherd, Wilfong): each of `a` and `b` prefers the route
/// through the other. Two stable states; which one BGP reaches depends on timing.
const DISAGREE: &str = r#"
router o { asn 65000; originate 10.9.0.0/16; peer a; peer b }
router a { asn 65001; peer o; peer b import prefer }
router b { asn 65002; peer o; peer a import prefer }
policy prefer { permit { set local_pref 200 } }
check "a never goes through b" { never a installs 10.9.0.0/16 via b }
check "b never goes through a" { never b installs 10.9.0.0/16 via a }
"#;

#[test]
fn several_stable_states_are_not_certified() {
    let net = network("disagree.avs", DISAGREE);
    let sc = Scenario::default();
    let state = stable_state(&net, &sc).unwrap();
    assert!(
        matches!(certify(&net, &sc, &state), Certificate::NotShown(_)),
        "DISAGREE has two stable states"
    );
    let cache = ScenarioCache::new();
    for check in net.checks.values() {
        for prop in &check.properties {
            let deadline = Instant::now() + Duration::from_secs(60);
            assert!(
                matches!(decide(&net, prop, deadline, &cache), Concrete::Symbolic(_)),
                "`{}` must be left to the symbolic path",
                check.title
            );
        }
    }
    // Both checks fail: in one of the two stable states each node goes through the
    // other. The simulator reaches only one of them; the verdicts must not depend on it.
    let a = avscheck::analyse("disagree.avs", DISAGREE);
    let v = avscheck::verify(&a, &avscheck::VerifyOptions::default());
    for c in &v.checks {
        assert_eq!(
            c.status,
            avscheck::report::CheckStatus::Fail,
            "`{}`",
            c.title
        );
    }
}

/// Prefer-the-customer without a cycle of preferences: unique, and certified.
const CHAIN: &str = r#"
router o { asn 65000; originate 10.9.0.0/16; peer a; peer b }
router a { asn 65001; peer o import prefer; peer b }
router b { asn 65002; peer o; peer a import prefer }
policy prefer { permit { set local_pref 200 } }
check "b goes through a" { never b installs 10.9.0.0/16 via o }
"#;

#[test]
fn a_unique_state_with_local_preference_is_certified() {
    let net = network("chain.avs", CHAIN);
    let sc = Scenario::default();
    let state = stable_state(&net, &sc).unwrap();
    assert_eq!(certify(&net, &sc, &state), Certificate::Unique);
    let a = avscheck::analyse("chain.avs", CHAIN);
    let v = avscheck::verify(&a, &avscheck::VerifyOptions::default());
    assert!(v.all_hold(), "{:?}", v.checks);
}
