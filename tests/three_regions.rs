#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `tests/cases/three-regions.avs` (a copy of `../shared/cases/three-regions.avs`, issue
//! 10): the seed's two-region design grown to three regions with a VXLAN full mesh.
//! Every check holds by the reference semantics; `avscheck` must say so, quickly.

use avscheck::report::CheckStatus;
use avscheck::sim::{evaluate_with_failures, PropertyOutcome};
use std::time::Duration;

const CASE: &str = "tests/cases/three-regions.avs";

fn analysis() -> avscheck::Analysis {
    let text = std::fs::read_to_string(CASE).unwrap();
    avscheck::analyse(CASE, &text)
}

/// The reference semantics: every property holds in the simulator (no failures).
#[test]
fn three_regions_holds_in_the_simulator() {
    let a = analysis();
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    let net = a.network.unwrap();
    let mut n = 0;
    for (_, check) in net.checks.iter() {
        for prop in &check.properties {
            let ev = evaluate_with_failures(&net, prop);
            assert!(
                matches!(ev.outcome, PropertyOutcome::Holds),
                "`{}`: {:?}",
                check.title,
                ev.outcome
            );
            n += 1;
        }
    }
    assert_eq!(n, 4 + 2 + 1 + 2);
}

/// The whole pipeline passes every check (issue 10: the concrete path decides every
/// line; docs/performance.md has the time).
#[test]
fn three_regions_passes_every_check() {
    let a = analysis();
    let opts = avscheck::VerifyOptions {
        timeout: Duration::from_secs(60),
        ..Default::default()
    };
    let v = avscheck::verify(&a, &opts);
    assert_eq!(v.checks.len(), 4);
    for c in &v.checks {
        assert_eq!(c.status, CheckStatus::Pass, "`{}`: {:?}", c.title, c.reason);
    }
    assert!(v.all_hold());
}
