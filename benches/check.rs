//! `avscheck check` on each example: the whole library pipeline (parse, resolve,
//! lower, stable-state findings, SMT verification of every check), as the binary runs
//! it. Numbers go into docs/performance.md ("Verification").
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::{criterion_group, criterion_main, Criterion};

fn examples(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for name in ["default-route", "hairpin", "two-regions"] {
        let path = format!("{}/examples/{name}.avs", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                let a = avscheck::analyse(&format!("examples/{name}.avs"), &text);
                let v = avscheck::verify(&a, &avscheck::VerifyOptions::default());
                assert!(v.all_hold());
                v
            })
        });
    }
    group.finish();
}

criterion_group!(benches, examples);
criterion_main!(benches);
