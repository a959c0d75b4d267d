//! `avscheck check` (the library pipeline: parse, resolve, lower, findings, every
//! check) on generated designs that grow along one axis (benches/generators): N
//! regions, K on-premises prefixes, S spokes, and N regions under `under failures 1 of
//! tunnel`. Each design is a correct one, so the numbers measure proofs; each run
//! asserts no check fails (a `pass` or, under the per-check timeout, `unknown`).
//!
//! `cargo bench --bench scale` runs the sizes of docs/performance.md's targets;
//! `cargo bench --bench scale -- regions/8` one of them. `AVSCHECK_SCALE_TIMEOUT=S`
//! sets the per-check timeout (default 10 s). Whole-process numbers come from the files
//! `cargo test --release --test scale_generators -- --ignored write_scale_designs` writes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod generators;

use avscheck::report::CheckStatus;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::time::Duration;

fn options() -> avscheck::VerifyOptions {
    let secs = std::env::var("AVSCHECK_SCALE_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    avscheck::VerifyOptions {
        timeout: Duration::from_secs(secs),
        ..Default::default()
    }
}

/// Analyses and verifies `text`; no check may fail and no error-level finding appear.
fn check(name: &str, text: &str, opts: &avscheck::VerifyOptions) -> avscheck::Verification {
    let a = avscheck::analyse(name, text);
    assert!(!a.has_errors(), "{name}: the generated design has errors");
    let v = avscheck::verify(&a, opts);
    for c in &v.checks {
        assert!(
            matches!(c.status, CheckStatus::Pass | CheckStatus::Unknown),
            "{name}: check `{}` is {:?}: {:?}",
            c.title,
            c.status,
            c.reason
        );
    }
    v
}

fn bench_sizes(c: &mut Criterion, group: &str, sizes: &[usize], generate: fn(usize) -> String) {
    let opts = options();
    let mut g = c.benchmark_group(group);
    g.sample_size(10);
    for &n in sizes {
        let text = generate(n);
        let name = format!("{group}-{n}.avs");
        g.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| check(&name, text, &opts))
        });
    }
    g.finish();
}

/// (a) N regions: 3 (three-regions.avs's size), 8 and 16 (the ×4 growth target).
fn regions(c: &mut Criterion) {
    bench_sizes(c, "regions", &[3, 8, 16], generators::regions);
}

/// (b) K on-premises prefixes: 10 and 4,000 (the ≤ 3× target).
fn prefixes(c: &mut Criterion) {
    bench_sizes(c, "prefixes", &[10, 4000], generators::prefixes);
}

/// (c) S spokes: 100 and 400.
fn spokes(c: &mut Criterion) {
    bench_sizes(c, "spokes", &[100, 400], generators::spokes);
}

/// (d) N regions with `under failures 1 of tunnel`: 3 and 8.
fn tunnel_failures(c: &mut Criterion) {
    bench_sizes(
        c,
        "regions_tunnel_failures",
        &[3, 8],
        generators::regions_with_tunnel_failures,
    );
}

criterion_group!(benches, regions, prefixes, spokes, tunnel_failures);
criterion_main!(benches);
