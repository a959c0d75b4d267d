#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! AVS0505: a best route chosen by a router id the design does not give (the
//! declaration-order default, LANGUAGE.md §2.1) is a warning naming both senders
//! (fresh-eyes tester, round 1: "no warning when a verdict rests on the default router
//! id"). `sim::router_id`.

use avscheck::diagnostic::Diagnostic;

const TRIANGLE: &str = "\
router r0 { asn 65000; originate 10.1.0.0/16; peer r1; peer r2 }
router r2 { asn 65002; ROUTER_ID_2 peer r0; peer r3 }
router r1 { asn 65001; ROUTER_ID_1 peer r0; peer r3 }
router r3 { asn 65003; peer r1; peer r2 }
check \"r3 reaches r0\" { reachable r3 -> r0 }
";

fn findings(r1: &str, r2: &str) -> Vec<Diagnostic> {
    let text = TRIANGLE
        .replace("ROUTER_ID_1", r1)
        .replace("ROUTER_ID_2", r2);
    let analysis = avscheck::analyse("triangle.avs", &text);
    let net = analysis
        .network
        .unwrap_or_else(|| panic!("does not lower: {:?}", analysis.diagnostics));
    avscheck::stable_state_findings(&net)
        .into_iter()
        .filter(|d| d.code == "AVS0505")
        .collect()
}

#[test]
fn a_tie_broken_by_declaration_order_is_reported() {
    let found = findings("", "");
    assert_eq!(found.len(), 1, "{found:?}");
    let d = &found[0];
    // r2 is declared before r1, so its default router id is lower and it wins.
    assert_eq!(
        d.message,
        "`r3` prefers `r2`'s route for 10.1.0.0/16 over `r1`'s by router id, which the design does not give"
    );
    assert!(d.notes.iter().any(|n| n.contains("`r2` and `r1`")), "{d:?}");
}

#[test]
fn one_defaulted_router_id_is_enough_to_report() {
    let found = findings("router_id 10.0.0.1;", "");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0]
        .notes
        .iter()
        .any(|n| n.contains("give `r2` the router id")));
}

#[test]
fn given_router_ids_are_not_reported() {
    assert!(findings("router_id 10.0.0.1;", "router_id 10.0.0.2;").is_empty());
}

#[test]
fn a_tie_decided_before_the_router_id_step_is_not_reported() {
    // r1 prepends once towards r3, so r3 chooses r2 by AS-path length.
    let text = TRIANGLE
        .replace(
            "ROUTER_ID_1 peer r0; peer r3",
            "peer r0; peer r3 export longer",
        )
        .replace("ROUTER_ID_2", "")
        + "policy longer { permit { prepend 65001 } }\n";
    let analysis = avscheck::analyse("triangle.avs", &text);
    let net = analysis
        .network
        .unwrap_or_else(|| panic!("does not lower: {:?}", analysis.diagnostics));
    let found: Vec<_> = avscheck::stable_state_findings(&net)
        .into_iter()
        .filter(|d| d.code == "AVS0505")
        .collect();
    assert!(found.is_empty(), "{found:?}");
}
