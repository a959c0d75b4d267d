#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Failure scopes (LANGUAGE.md §2.4): `under failures K of NAME_OR_KIND...` lets only
//! the named components fail and `without peering A B` removes one VNet peering, in the
//! lowering, the simulator's failure-set enumeration and the SMT scenario alike.
//!
//! `tests/cases/failure-scopes.avs` titles each check with the verdict both engines
//! must give ("holds: ..." / "fails: ...").

use avscheck::ir::{ComponentKind, Network, Property};
use avscheck::report::CheckStatus;
use avscheck::sim::{evaluate_with_failures, PropertyOutcome};
use avscheck::smt::queries::verify_property;
use avscheck::smt::Status;
use std::collections::BTreeSet;
use std::time::Duration;

const CASE: &str = "tests/cases/failure-scopes.avs";

fn load(path: &str) -> Network {
    let text = std::fs::read_to_string(path).unwrap();
    let analysis = avscheck::analyse(path, &text);
    assert!(!analysis.has_errors(), "{path} has errors");
    analysis.network.unwrap()
}

fn check_props<'n>(net: &'n Network, title_start: &str) -> Vec<(&'n str, &'n Property)> {
    net.checks
        .iter()
        .filter(|(_, c)| c.title.starts_with(title_start))
        .flat_map(|(_, c)| c.properties.iter().map(|p| (c.title.as_str(), p)))
        .collect()
}

fn component_names(net: &Network, ids: &[avscheck::ir::ComponentId]) -> Vec<String> {
    ids.iter()
        .map(|id| net.components[*id].name.clone())
        .collect()
}

/// The names the property may fail, for the failed sets the engines report.
fn scope_names(net: &Network, prop: &Property) -> BTreeSet<String> {
    component_names(net, &prop.failable(net))
        .into_iter()
        .collect()
}

#[test]
fn lowering_resolves_kinds_names_and_peerings() {
    let net = load(CASE);
    let names = |title: &str| {
        let (_, p) = check_props(&net, title)[0];
        (
            p.failure_scope
                .as_ref()
                .map(|s| component_names(&net, s))
                .unwrap_or_default(),
            component_names(&net, &p.without),
        )
    };
    // A kind: every circuit, nothing else (their sessions and connections stay up).
    assert_eq!(
        names("holds: survives one circuit failure"),
        (vec!["er1".into(), "er2".into()], vec![])
    );
    // A name: that circuit only.
    assert_eq!(
        names("holds: survives the failure of er1"),
        (vec!["er1".into()], vec![])
    );
    // The circuit ↔ gateway connections.
    let (conns, _) = names("holds: survives one circuit connection failure");
    assert_eq!(conns.len(), 2, "{conns:?}");
    let (_, p) = check_props(&net, "holds: survives one circuit connection failure")[0];
    for id in p.failure_scope.as_ref().unwrap() {
        assert_eq!(net.components[*id].kind, ComponentKind::Connection);
    }
    // `peering`: the one VNet peering; `without peering spoke hub` removes it (order-insensitive).
    assert_eq!(
        names("fails: does not survive the peering's failure").0,
        vec!["hub–spoke".to_string()]
    );
    assert_eq!(
        names("fails: not without the peering"),
        (vec![], vec!["hub–spoke".to_string()])
    );
    // Several words, and a removed component is not among those that may fail.
    let (_, p) = check_props(&net, "holds: the hub is reached without the peering")[0];
    let scope = p.failure_scope.as_ref().unwrap();
    assert!(scope.len() > 2, "circuits and sessions: {scope:?}");
    assert_eq!(component_names(&net, &p.without), vec!["hub–spoke"]);
    // Unscoped: every failable component.
    let (_, p) = check_props(&net, "fails: does not survive any one failure")[0];
    assert!(p.failure_scope.is_none());
    let all = net
        .components
        .iter()
        .filter(|(_, c)| c.kind.can_fail())
        .count();
    assert_eq!(p.failable(&net).len(), all);
}

#[test]
fn the_simulator_enumerates_only_the_scope() {
    let net = load(CASE);
    for (title, prop) in check_props(&net, "") {
        let ev = evaluate_with_failures(&net, prop);
        let scope = scope_names(&net, prop);
        // Every failure set of at most K of the scope, the empty one included.
        let n = scope.len();
        let k = (prop.failures as usize).min(n);
        let binomial = |n: usize, r: usize| (0..r).fold(1usize, |acc, i| acc * (n - i) / (i + 1));
        let all_sets: usize = (0..=k).map(|r| binomial(n, r)).sum();
        match &ev.outcome {
            PropertyOutcome::Holds => {
                assert!(
                    title.starts_with("holds"),
                    "{title}: holds in the simulator"
                );
                assert_eq!(ev.scenarios, all_sets, "{title}: scenarios of {scope:?}");
            }
            PropertyOutcome::Violated(cx) => {
                assert!(
                    title.starts_with("fails"),
                    "{title}: fails in the simulator"
                );
                let failed: BTreeSet<String> =
                    component_names(&net, &cx.failed).into_iter().collect();
                assert!(
                    failed.is_subset(&scope),
                    "{title}: failed {failed:?} outside {scope:?}"
                );
            }
            other => panic!("{title}: {other:?}"),
        }
    }
}

#[test]
fn the_smt_engine_frees_only_the_scope() {
    let net = load(CASE);
    for (title, prop) in check_props(&net, "") {
        let v = verify_property(&net, prop, Duration::from_secs(60));
        let scope = scope_names(&net, prop);
        match &v.status {
            Status::Pass => assert!(title.starts_with("holds"), "{title}: passes in SMT"),
            Status::Fail => {
                assert!(title.starts_with("fails"), "{title}: fails in SMT");
                let cx = v.counterexample.as_ref().unwrap();
                let failed: BTreeSet<String> = cx.failed.iter().cloned().collect();
                assert!(
                    failed.is_subset(&scope),
                    "{title}: failed {failed:?} outside {scope:?}"
                );
            }
            Status::Unknown(why) => panic!("{title}: unknown: {why}"),
        }
    }
}

/// The whole pipeline (`avscheck::verify`): the scoped checks keep their verdicts.
#[test]
fn verify_gives_each_title_its_verdict() {
    let text = std::fs::read_to_string(CASE).unwrap();
    let analysis = avscheck::analyse(CASE, &text);
    let opts = avscheck::VerifyOptions {
        timeout: Duration::from_secs(60),
        ..Default::default()
    };
    let v = avscheck::verify(&analysis, &opts);
    assert_eq!(v.checks.len(), 8);
    for c in &v.checks {
        let want = if c.title.starts_with("holds") {
            CheckStatus::Pass
        } else {
            CheckStatus::Fail
        };
        assert_eq!(c.status, want, "{}", c.title);
    }
}
