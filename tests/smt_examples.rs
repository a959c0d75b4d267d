#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Every example's checks, verified with z3: the examples are designed to hold.

use avscheck::smt::{verify_check, Status, VerifyOptions};
use std::time::Instant;

fn verify_example(name: &str) -> Vec<(String, Status, u128)> {
    let text = std::fs::read_to_string(format!("examples/{name}")).unwrap();
    let analysis = avscheck::analyse(name, &text);
    let net = analysis.network.expect("the example lowers");
    let mut out = Vec::new();
    for (id, c) in net.checks.iter() {
        let t = Instant::now();
        let v = verify_check(&net, id, &VerifyOptions::default());
        let ms = t.elapsed().as_millis();
        if let Some(cx) = &v.counterexample {
            eprintln!(
                "{name}: {}: {}",
                c.title,
                serde_json::to_string_pretty(cx).unwrap()
            );
        }
        eprintln!("{name}: {:?} {} ({ms} ms)", v.status, c.title);
        out.push((c.title.clone(), v.status, ms));
    }
    out
}

#[test]
fn examples_hold() {
    for name in [
        "default-route.avs",
        "hairpin.avs",
        "two-regions.avs",
        "sdwan-ilb-hub.avs",
    ] {
        for (title, status, _) in verify_example(name) {
            assert_eq!(status, Status::Pass, "{name}: {title}");
        }
    }
}
