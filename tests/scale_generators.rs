#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The scale benchmarks' generated designs (benches/generators) are correct designs:
//! on small instances every check holds by the reference semantics (the simulator, with
//! every failure set `under failures 1 of tunnel` allows), and the designs have no
//! finding at all. `-- --ignored write_scale_designs` writes the sizes of
//! docs/performance.md to files for whole-process timing.

#[path = "../benches/generators/mod.rs"]
mod generators;

use avscheck::report::human::render_diagnostics;
use avscheck::sim::{evaluate_with_failures, PropertyOutcome};

/// Analyses `text` and asserts: no diagnostic, and every property holds in the
/// simulator. Returns how many properties were evaluated.
fn holds_in_the_simulator(name: &str, text: &str) -> usize {
    let a = avscheck::analyse(name, text);
    assert!(
        a.diagnostics.is_empty(),
        "{name}:\n{}",
        render_diagnostics(&a.sources, &a.diagnostics, false)
    );
    let net = a.network.unwrap();
    let mut n = 0;
    for (_, check) in net.checks.iter() {
        for prop in &check.properties {
            let ev = evaluate_with_failures(&net, prop);
            assert!(
                matches!(ev.outcome, PropertyOutcome::Holds),
                "{name}: `{}` {:?}: {:?}",
                check.title,
                prop.kind,
                ev.outcome
            );
            n += 1;
        }
    }
    n
}

#[test]
fn generated_designs_hold_in_the_simulator() {
    // Three regions (one AVS), four (two AVS clouds with AVS's one ASN).
    assert_eq!(
        holds_in_the_simulator("regions-3.avs", &generators::regions(3)),
        4 + 2 + 4 + 1
    );
    assert!(holds_in_the_simulator("regions-4.avs", &generators::regions(4)) > 0);
    assert!(holds_in_the_simulator("regions-1.avs", &generators::regions(1)) == 1);
    // A failed tunnel's traffic goes through the third region's NVA.
    let d = generators::regions_with_tunnel_failures(3);
    assert!(d.contains("under failures 1 of tunnel"));
    assert!(holds_in_the_simulator("regions-failures-3.avs", &d) > 0);
    let k20 = generators::prefixes(20);
    assert_eq!(k20.matches("  originate 10.").count(), 2 + 1 + 19);
    assert!(holds_in_the_simulator("prefixes-20.avs", &k20) > 0);
    assert!(holds_in_the_simulator("prefixes-1.avs", &generators::prefixes(1)) > 0);
    let s5 = generators::spokes(5);
    assert_eq!(s5.matches("use_remote_gateway").count(), 5);
    assert!(holds_in_the_simulator("spokes-5.avs", &s5) > 0);
    assert!(holds_in_the_simulator("spokes-1.avs", &generators::spokes(1)) > 0);
}

/// The generators grow along their axis only: a tunnel per pair of regions, one
/// prefix per K, one spoke per S.
#[test]
fn generators_grow_along_their_axis() {
    for n in [2, 5, 8] {
        let d = generators::regions(n);
        assert_eq!(d.matches("\ntunnel ").count(), n * (n - 1) / 2, "n = {n}");
        assert_eq!(d.matches("\nroute_server ").count(), n);
        assert!(generators::regions_with_tunnel_failures(n).contains("of tunnel"));
    }
    assert_eq!(
        generators::prefixes(4000)
            .matches("  originate 10.")
            .count(),
        2 + 1 + 3999
    );
    assert_eq!(generators::spokes(400).matches("\nsubnet app").count(), 400);
    assert_eq!(
        generators::regions(generators::MAX_REGIONS + 5)
            .matches("\nvnet ")
            .count(),
        generators::MAX_REGIONS
    );
    assert!(generators::prefixes(generators::MAX_PREFIXES).contains("10.79.255.0/24"));
    assert!(generators::spokes(generators::MAX_SPOKES).contains("10.255.255.0/24"));
}

/// Writes the designs of docs/performance.md's scale table to `$AVSCHECK_SCALE_DIR`
/// (default `/tmp/avscheck-scale`):
/// `cargo test --release --test scale_generators -- --ignored write_scale_designs`.
#[test]
#[ignore]
fn write_scale_designs() {
    let dir = std::env::var("AVSCHECK_SCALE_DIR").unwrap_or_else(|_| "/tmp/avscheck-scale".into());
    std::fs::create_dir_all(&dir).unwrap();
    let mut designs: Vec<(String, String)> = Vec::new();
    for n in [2, 3, 4, 8, 16, 32] {
        designs.push((format!("regions-{n}"), generators::regions(n)));
    }
    for n in [3, 8] {
        designs.push((
            format!("regions-failures-{n}"),
            generators::regions_with_tunnel_failures(n),
        ));
    }
    for k in [10, 100, 1000, 4000] {
        designs.push((format!("prefixes-{k}"), generators::prefixes(k)));
    }
    for s in [10, 100, 200, 400] {
        designs.push((format!("spokes-{s}"), generators::spokes(s)));
    }
    for n in [3, 4, 7] {
        designs.push((
            format!("dual-homed-{n}x3000"),
            generators::dual_homed_sites(n, 3000),
        ));
    }
    for k in [100, 1500] {
        designs.push((
            format!("global-reach-dual-{k}"),
            generators::global_reach_dual(k),
        ));
    }
    for (name, text) in designs {
        let path = format!("{dir}/{name}.avs");
        std::fs::write(&path, text).unwrap();
        eprintln!("wrote {path}");
    }
}

/// Every line of `text` by the command line's concrete path (the pipeline), which
/// must decide it without z3: the verdicts, in check order.
fn pipeline_verdicts(name: &str, text: &str) -> Vec<(String, avscheck::smt::Status)> {
    use avscheck::pipeline::cache::ScenarioCache;
    use avscheck::pipeline::concrete::{decide, Concrete};
    let a = avscheck::analyse(name, text);
    assert!(
        a.diagnostics.is_empty(),
        "{name}:\n{}",
        render_diagnostics(&a.sources, &a.diagnostics, false)
    );
    let net = a.network.unwrap();
    let cache = ScenarioCache::new();
    let mut out = Vec::new();
    for (_, check) in net.checks.iter() {
        for prop in &check.properties {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
            match decide(&net, prop, deadline, &cache) {
                Concrete::Decided(v) => out.push((check.title.clone(), v.status)),
                Concrete::Symbolic(why) => panic!("{name}: `{}` left to z3: {why}", check.title),
            }
        }
    }
    out
}

/// An estate of dual-homed sites (benches/generators `dual_homed_sites`): with five
/// sites, 2^10 deterministic tie-breaks, far over what is enumerated together; the
/// choices fall into independent groups (the hub's prefix: the five sites' choices;
/// each site's prefixes: the gateway's) and every line — `reachable` both ways, with
/// a circuit down too, `traverses`, `symmetric`, `loop_free` — is decided, and holds.
#[test]
fn dual_homed_estates_are_decided() {
    let text = generators::dual_homed_sites(5, 40);
    assert_eq!(text.matches("\ner_circuit ").count(), 10);
    let verdicts = pipeline_verdicts("dual-homed-5.avs", &text);
    assert_eq!(verdicts.len(), 5 * 6 + 1);
    for (title, status) in verdicts {
        assert_eq!(status, avscheck::smt::Status::Pass, "{title}");
    }
}

/// AVS and a site dual-homed over two circuits with a Global Reach link from AVS's
/// circuit to each (benches/generators `global_reach_dual`; issue 11): the pipeline
/// decides every line, with either Global Reach link down too, and each holds.
#[test]
fn global_reach_to_a_dual_homed_site_is_decided() {
    for k in [1, 30] {
        let text = generators::global_reach_dual(k);
        let verdicts = pipeline_verdicts(&format!("global-reach-dual-{k}.avs"), &text);
        assert_eq!(verdicts.len(), 5, "K={k}");
        for (title, status) in verdicts {
            assert_eq!(status, avscheck::smt::Status::Pass, "K={k}: {title}");
        }
    }
}
