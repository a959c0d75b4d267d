#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The resource governor (`avscheck::budget`, issue 10): `--timeout` bounds the symbolic
//! encoding as well as the solver, and `--max-memory` turns into `unknown` with a
//! reason — never a pass, never an OOM kill or a hang. No wall-clock assertion: the
//! verdicts and their reasons say which bound stopped the work.

#[allow(dead_code)]
#[path = "../benches/generators/mod.rs"]
mod generators;

use avscheck::budget::{memory_reason, ENCODING_TIMEOUT};
use avscheck::ir::{Network, Property, PropertyKind};
use avscheck::report::CheckStatus;
use avscheck::smt::queries::verify_properties;
use avscheck::smt::Status;
use avscheck::{check_source, Options};
use std::process::Command;
use std::time::{Duration, Instant};

const MIB: u64 = 1024 * 1024;

fn network(name: &str, text: &str) -> Network {
    let a = avscheck::analyse(name, text);
    assert!(
        !a.diagnostics.iter().any(|d| d.is_error()),
        "{:?}",
        a.diagnostics
    );
    a.network.unwrap()
}

fn loop_free(net: &Network) -> Property {
    net.checks
        .values()
        .flat_map(|c| c.properties.iter())
        .find(|p| matches!(p.kind, PropertyKind::LoopFree))
        .expect("a loop_free line")
        .clone()
}

/// Eight regions in a full mesh of tunnels: building the symbolic forwarding graph
/// alone takes far longer than 50 ms (issue 10 measured three regions at over 100 s
/// per check before the walk states were bounded). The symbolic path, given 50 ms, stops
/// in the encoding and says so.
#[test]
fn a_large_encoding_past_the_deadline_is_unknown_with_the_reason() {
    let net = network("regions-8.avs", &generators::regions(8));
    let prop = loop_free(&net);
    let deadline = Instant::now() + Duration::from_millis(50);
    let v = verify_properties(&net, &[&prop], &|_| deadline, u64::MAX);
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0].status,
        Status::Unknown(ENCODING_TIMEOUT.into()),
        "{v:?}"
    );
    assert!(v[0].counterexample.is_none());
}

/// A deadline already past: the first plane the encoding would build stops it, for
/// every property kind of a small design, and lines sharing a session all get it.
#[test]
fn every_line_of_a_session_past_its_deadline_is_unknown() {
    let text = std::fs::read_to_string("examples/two-regions.avs").unwrap();
    let net = network("examples/two-regions.avs", &text);
    let props: Vec<&Property> = net
        .checks
        .values()
        .flat_map(|c| c.properties.iter())
        .collect();
    assert!(props.len() >= 4);
    let past = Instant::now();
    let v = verify_properties(&net, &props, &|_| past, u64::MAX);
    for (p, r) in props.iter().zip(&v) {
        match &r.status {
            Status::Unknown(why) => assert!(
                why == ENCODING_TIMEOUT || why == "the verification time limit was reached",
                "{:?}: {why}",
                p.kind
            ),
            other => panic!("{:?}: {other:?}", p.kind),
        }
    }
}

/// A memory budget below what the process already holds: the encoding's first poll
/// stops it, and the line is `unknown` naming the budget.
#[test]
fn a_tiny_memory_budget_is_unknown_with_the_reason() {
    let text = std::fs::read_to_string("examples/two-regions.avs").unwrap();
    let net = network("examples/two-regions.avs", &text);
    let prop = loop_free(&net);
    let later = Instant::now() + Duration::from_secs(600);
    let v = verify_properties(&net, &[&prop], &|_| later, MIB);
    assert_eq!(v[0].status, Status::Unknown(memory_reason(MIB)), "{v:?}");
    assert_eq!(memory_reason(MIB), "memory budget of 1 MiB exceeded");
}

/// The library API takes the same budget: every check is `unknown` with the reason,
/// on the concrete path (checked before each scenario) as on the symbolic one.
#[test]
fn the_library_api_reports_the_memory_budget() {
    let f = "examples/default-route.avs";
    let text = std::fs::read_to_string(f).unwrap();
    let opts = Options {
        max_memory: MIB,
        ..Options::default()
    };
    let report = check_source(f, &text, &opts);
    let file = &report.files[0];
    assert!(!file.checks.is_empty());
    for c in &file.checks {
        assert_eq!(
            c.status,
            CheckStatus::Unknown,
            "{}: {:?}",
            c.title,
            c.reason
        );
        assert_eq!(
            c.reason.as_deref(),
            Some("memory budget of 1 MiB exceeded"),
            "{}",
            c.title
        );
    }
    assert_eq!(report.exit_status(), 1);
    // With the default budget (half the machine) the same design passes.
    assert!(check_source(f, &text, &Options::default()).all_hold());
}

/// `--max-memory` on the command line: a size with a unit, validated by clap.
#[test]
fn the_cli_takes_a_memory_budget() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_avscheck"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, out, _) = run(&[
        "check",
        "examples/default-route.avs",
        "--max-memory",
        "1M",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("memory budget of 1 MiB exceeded"), "{out}");
    let (code, _, _) = run(&["check", "examples/default-route.avs", "--max-memory", "2G"]);
    assert_eq!(code, 0);
    let (code, _, err) = run(&["check", "examples/default-route.avs", "--max-memory", "2X"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a memory size"), "{err}");
}

/// The simulation behind the stable-state findings gets the run's bounds too: over the
/// memory budget it stops and says so (AVS0504), instead of growing without bound.
#[test]
fn the_findings_simulation_stops_at_the_memory_budget() {
    let f = "examples/default-route.avs";
    let text = std::fs::read_to_string(f).unwrap();
    let a = avscheck::analyse(f, &text);
    let v = avscheck::verify(
        &a,
        &avscheck::VerifyOptions {
            max_memory: MIB,
            ..avscheck::VerifyOptions::default()
        },
    );
    let codes: Vec<&str> = v.findings.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec!["AVS0504"], "{:?}", v.findings);
    assert!(
        v.findings[0].message.contains(&memory_reason(MIB)),
        "{}",
        v.findings[0].message
    );
    // Within the default budget there is nothing to report.
    let v = avscheck::verify(&a, &avscheck::VerifyOptions::default());
    assert!(v.findings.is_empty(), "{:?}", v.findings);
}

/// A stable state computed under a deadline already past stops before its first
/// prefix class; without a bound the same design settles.
#[test]
fn the_simulation_stops_at_its_deadline() {
    let net = network("regions-3.avs", &generators::regions(3));
    let sc = avscheck::sim::Scenario::default();
    let stop = avscheck::budget::stop_check(Instant::now(), u64::MAX);
    match avscheck::sim::stable_state_until(&net, &sc, &stop) {
        Err(avscheck::sim::Unsettled::Stopped(why)) => {
            assert_eq!(why, avscheck::budget::TIME_LIMIT)
        }
        other => panic!("expected a stop, got {other:?}"),
    }
    assert!(avscheck::sim::stable_state(&net, &sc).is_ok());
}

/// The concrete evaluation's walks are bounded as well: `loop_free` over a state
/// computed in time, with the deadline passed, is inconclusive with the reason (the
/// pipeline turns that into `unknown`), and holds without a bound.
#[test]
fn the_walks_stop_at_their_deadline() {
    let net = network("regions-3.avs", &generators::regions(3));
    let sc = avscheck::sim::Scenario::default();
    let state = avscheck::sim::stable_state(&net, &sc).unwrap();
    let prop = loop_free(&net);
    let stop = avscheck::budget::stop_check(Instant::now(), u64::MAX);
    assert_eq!(
        avscheck::sim::evaluate_until(&net, &state, &sc, &prop, &stop),
        avscheck::sim::PropertyOutcome::Inconclusive(avscheck::budget::TIME_LIMIT.to_string())
    );
    assert_eq!(
        avscheck::sim::evaluate(&net, &state, &sc, &prop),
        avscheck::sim::PropertyOutcome::Holds
    );
}

/// The certificate polls its deadline inside each bounds fixpoint, not only between
/// prefix groups and rounds, and stops at the first poll that says "late": counted
/// polls, no clock. A full certificate of eight regions polls many times per prefix
/// group; a deadline passing after any number of polls ends it at the next one.
#[test]
fn the_certificate_stops_at_the_first_late_poll() {
    use avscheck::sim::unique::{certify_polling, Certificate};
    use std::cell::Cell;
    let net = network("regions-8.avs", &generators::regions(8));
    let sc = avscheck::sim::Scenario::default();
    let state = avscheck::sim::stable_state(&net, &sc).unwrap();
    let polls = Cell::new(0usize);
    let never = || {
        polls.set(polls.get() + 1);
        false
    };
    assert_eq!(
        certify_polling(&net, &sc, &state, &never),
        Certificate::Unique
    );
    let total = polls.get();
    let groups = avscheck::sim::slices::prefix_classes(&net, &net.originated_prefixes()).len();
    // More than one poll per group and round: the fixpoints and the nodes they try.
    assert!(
        total > 4 * groups,
        "{total} polls for {groups} prefix groups"
    );
    for k in [0, 1, total / 3, total / 2, total - 1] {
        let polls = Cell::new(0usize);
        let late = || {
            polls.set(polls.get() + 1);
            polls.get() > k
        };
        assert_eq!(
            certify_polling(&net, &sc, &state, &late),
            Certificate::Timeout,
            "late after {k} polls"
        );
        assert_eq!(polls.get(), k + 1, "it stops at the first late poll");
    }
}

/// An already-expired deadline on a big design (sixteen regions, thousands of
/// transfers per certificate): every check is `unknown` with the time limit as its
/// reason, never `pass`, whatever the machine's speed.
#[test]
fn an_expired_deadline_on_a_big_design_is_unknown() {
    let text = generators::regions(16);
    let opts = Options {
        timeout: Duration::ZERO,
        ..Options::default()
    };
    let report = check_source("regions-16.avs", &text, &opts);
    let file = &report.files[0];
    assert!(file.checks.len() >= 4);
    for c in &file.checks {
        assert_eq!(
            c.status,
            CheckStatus::Unknown,
            "{}: {:?}",
            c.title,
            c.reason
        );
        assert_eq!(
            c.reason.as_deref(),
            Some(avscheck::budget::TIME_LIMIT),
            "{}",
            c.title
        );
    }
}
