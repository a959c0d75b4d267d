//! The v2 cases (`tests/cases/v2/`, copied from `shared/cases/v2/`): each file's header
//! states the verdict of every check; the SMT engine (`avscheck::verify`, what
//! `avscheck check` runs) must give exactly those, and the simulator, property by
//! property under every allowed failure set, must agree with it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::report::CheckStatus;
use avscheck::sim::{self, PropertyOutcome};
use avscheck::VerifyOptions;

/// Runs `tests/cases/v2/<stem>.avs` and asserts each check's status (in order).
fn case(stem: &str, expected: &[(&str, CheckStatus)]) {
    let rel = format!("tests/cases/v2/{stem}.avs");
    let text = std::fs::read_to_string(format!("{}/{rel}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
    let analysis = avscheck::analyse(&rel, &text);
    let errors: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{rel}: {errors:#?}");
    let v = avscheck::verify(&analysis, &VerifyOptions::default());
    let got: Vec<(String, CheckStatus)> = v
        .checks
        .iter()
        .map(|c| (c.title.clone(), c.status))
        .collect();
    let want: Vec<(String, CheckStatus)> =
        expected.iter().map(|(t, s)| (t.to_string(), *s)).collect();
    assert_eq!(got, want, "{rel}: verdicts (SMT)");
    assert!(
        !v.findings.iter().any(|d| d.is_error()),
        "{rel}: {:#?}",
        v.findings
    );
    // The simulator agrees, check by check.
    let net = analysis.network.as_ref().unwrap();
    for (_, check) in net.checks.iter() {
        let holds = check.properties.iter().all(|p| {
            matches!(
                sim::evaluate_with_failures(net, p).outcome,
                PropertyOutcome::Holds
            )
        });
        let want = expected
            .iter()
            .find(|(t, _)| *t == check.title)
            .map(|(_, s)| *s == CheckStatus::Pass)
            .unwrap();
        assert_eq!(holds, want, "{rel}: {:?} (simulator)", check.title);
    }
}

#[test]
fn afw_spoke() {
    case(
        "afw-spoke",
        &[
            (
                "the spoke and on-premises reach each other through the firewall",
                CheckStatus::Pass,
            ),
            ("flows are symmetric", CheckStatus::Pass),
        ],
    );
}

#[test]
fn ilb_nva_pair() {
    case(
        "ilb-nva-pair",
        &[
            ("every flow passes fw1", CheckStatus::Fail),
            (
                "on-premises is reachable through the firewall pair",
                CheckStatus::Pass,
            ),
            ("either firewall may fail", CheckStatus::Pass),
        ],
    );
}

#[test]
fn sdwan_branch() {
    case(
        "sdwan-branch",
        &[
            (
                "the spoke and the branch reach each other through the SD-WAN NVA",
                CheckStatus::Pass,
            ),
            ("no forwarding loops", CheckStatus::Pass),
        ],
    );
}

#[test]
fn vpn_coexist() {
    case(
        "vpn-coexist",
        &[
            (
                "the data centre and the branch reach each other",
                CheckStatus::Pass,
            ),
            (
                "without Route Server they still reach each other",
                CheckStatus::Fail,
            ),
        ],
    );
}
