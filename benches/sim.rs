//! Simulator speed: `sim::stable_state` and a full trace sweep (every router to every
//! destination class) on generated router-only designs of 10, 100 and 1,000 routers.
//!
//! Topology: a ring (each router peers with its two neighbours) plus one chord per
//! router to the router ⌊√n⌋ further on, all eBGP, each router originating one /24
//! and passing everything through an import and an export policy. The design goes
//! through `avscheck::analyse`, so the network is what the lowering builds.
//!
//! `cargo bench --bench sim`; numbers go into docs/performance.md ("Simulator").
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::sim::{self, Scenario, Source, Walker};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::fmt::Write;
use std::hint::black_box;

/// A design of `n` routers.
fn design(n: usize) -> String {
    let mut s = String::new();
    let chord = ((n as f64).sqrt() as usize).max(2);
    let mut peers: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut link = |a: usize, b: usize| {
        if a != b && !peers[a].contains(&b) {
            peers[a].push(b);
            peers[b].push(a);
        }
    };
    for i in 0..n {
        link(i, (i + 1) % n);
        if n > 4 {
            link(i, (i + chord) % n);
        }
    }
    for (i, ps) in peers.iter().enumerate() {
        writeln!(
            s,
            "router r{i} {{\n  asn {}\n  originate 10.{}.{}.0/24",
            4_200_000_000u64 + i as u64,
            i / 256,
            i % 256
        )
        .unwrap();
        for p in ps {
            writeln!(s, "  peer r{p} import keep export send").unwrap();
        }
        s.push_str("}\n");
    }
    s.push_str(
        "policy keep {\n  deny prefix 0.0.0.0/0\n  permit as_path length <= 64 { set med 10 }\n}\n\
         policy send {\n  permit prefix 10.0.0.0/8 le 32\n}\n",
    );
    s
}

fn network(n: usize) -> avscheck::ir::Network {
    let text = design(n);
    let a = avscheck::analyse("bench.avs", &text);
    let errors: Vec<_> = a.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    a.network.unwrap()
}

/// Every router to every destination class: the work of `loop_free`.
fn sweep(net: &avscheck::ir::Network, st: &sim::State) -> usize {
    let sc = Scenario::default();
    let classes = sim::destination_classes(net, &[]);
    let mut delivered = 0;
    let mut walker = Walker::new(net, st, &sc);
    for c in &classes {
        walker.clear_cache();
        for n in net.nodes.ids() {
            for p in walker.walk(Source::Node(n), c.representative()) {
                if p.is_delivered() {
                    delivered += 1;
                }
            }
        }
    }
    delivered
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("sim");
    g.sample_size(10);
    for n in [10usize, 100, 1000] {
        let net = network(n);
        g.bench_with_input(BenchmarkId::new("stable_state", n), &net, |b, net| {
            b.iter(|| sim::stable_state(black_box(net), &Scenario::default()).unwrap())
        });
        let st = sim::stable_state(&net, &Scenario::default()).unwrap();
        g.bench_with_input(BenchmarkId::new("trace_sweep", n), &net, |b, net| {
            b.iter(|| sweep(black_box(net), &st))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
