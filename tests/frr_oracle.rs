//! The FRR oracle: what avscheck says each router installs is what FRR's bgpd installs.
//!
//! Every design (hand-written ones from `oracle::designs`, saved as
//! `tests/oracle_designs/*.avs`, and random ones from a fixed seed) is emitted both as
//! `.avs` text and as one `bgpd.conf` per router; one `bgpd` per router runs on loopback
//! until every RIB is stable; each router's best route per prefix (its AS path, or its
//! absence) must equal what `avscheck routes FILE --format json` reports.
//!
//! Without FRR (`/usr/lib/frr/bgpd`, `vtysh`) the FRR tests are skipped with a note,
//! unless `AVSCHECK_REQUIRE_FRR=1` (CI), which makes a missing FRR a failure.
//! `AVSCHECK_ORACLE_BIN=path` compares another avscheck binary (e.g. a build with a
//! planted bug, to see the oracle catch it). `UPDATE_ORACLE_DESIGNS=1` rewrites the saved
//! `.avs` files. See tests/oracle/README.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod oracle;

use oracle::model::{to_avs, Design};
use oracle::{designs, frr, random};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Random designs compared (seeds 0..RANDOM_DESIGNS).
const RANDOM_DESIGNS: u64 = 14;
/// Slots (loopback /24s) of the random designs start here; hand designs use 1..
const RANDOM_SLOT: usize = 100;

fn designs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle_designs")
}

fn avscheck_bin() -> PathBuf {
    std::env::var_os("AVSCHECK_ORACLE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_avscheck")))
}

/// False (with a note) when FRR is missing and not required.
fn frr_or_skip() -> bool {
    if frr::frr_available() {
        return true;
    }
    if std::env::var("AVSCHECK_REQUIRE_FRR").as_deref() == Ok("1") {
        panic!(
            "AVSCHECK_REQUIRE_FRR=1 but {} or vtysh is missing (apt-get install -y frr)",
            frr::BGPD
        );
    }
    eprintln!("note: bgpd not found: FRR oracle skipped (install the `frr` package to run it)");
    false
}

/// The saved `.avs` files are exactly the hand designs' renderings, and every design
/// (hand-written and random) stays within what FRR route-maps express.
#[test]
fn oracle_designs_are_saved_and_expressible() {
    let update = std::env::var("UPDATE_ORACLE_DESIGNS").as_deref() == Ok("1");
    let dir = designs_dir();
    let hand = designs::all();
    let mut names = BTreeSet::new();
    for d in &hand {
        frr::expressible(d).unwrap();
        assert!(
            names.insert(d.name.clone()),
            "duplicate design name {}",
            d.name
        );
        let path = dir.join(format!("{}.avs", d.name));
        let text = to_avs(d);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else {
            let saved = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!("{}: {e} (run with UPDATE_ORACLE_DESIGNS=1)", path.display())
            });
            assert_eq!(
                saved,
                text,
                "{} is stale (run with UPDATE_ORACLE_DESIGNS=1)",
                path.display()
            );
        }
    }
    // No stray files.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let stem = name.trim_end_matches(".avs");
        assert!(
            names.contains(stem),
            "tests/oracle_designs/{name} is no hand design"
        );
    }
    for seed in 0..RANDOM_DESIGNS {
        frr::expressible(&random::design(seed)).unwrap();
    }
}

/// The comparison code itself notices a wrong RIB: FRR's tables for `loop_prevention`
/// against the tables a simulator without the receiver's loop check would compute.
#[test]
fn oracle_comparison_reports_differences() {
    let d = designs::all()
        .into_iter()
        .find(|d| d.name == "loop_prevention")
        .unwrap();
    let mut expected = oracle::Bests::new();
    for e in &d.expect {
        if let Some(p) = &e.as_path {
            expected
                .entry(e.router.clone())
                .or_default()
                .insert(e.prefix, p.clone());
        }
    }
    let mut wrong = expected.clone();
    wrong
        .get_mut("c")
        .unwrap()
        .insert(oracle::model::net("10.1.0.0/16"), vec![65002, 65001]);
    let (diffs, _) = oracle::compare(&d, &expected, &wrong, &BTreeSet::new());
    assert_eq!(
        diffs,
        vec!["loop_prevention: c 10.1.0.0/16: FRR no route, avscheck [65002, 65001]".to_string()]
    );
}

struct Verdict {
    name: String,
    routers: usize,
    /// Sessions, of which iBGP, and `allowas_in` peer lines.
    sessions: (usize, usize, usize),
    compared: usize,
    installed: usize,
    excluded: Vec<String>,
    problems: Vec<String>,
    seconds: f64,
}

/// Runs one design on FRR and avscheck; `hand`: FRR must also meet its hand-computed
/// expectations and may have no tie.
fn run_design(d: &Design, slot: usize, hand: bool, scratch: &Path) -> Verdict {
    let t0 = Instant::now();
    let mut sessions = (0, 0, 0);
    for r in &d.routers {
        for p in &r.peers {
            sessions.2 += usize::from(p.allowas_in);
            let other = d.router_by_name(&p.name).unwrap();
            if r.name < p.name {
                sessions.0 += 1;
                sessions.1 += usize::from(other.asn == r.asn);
            }
        }
    }
    let mut v = Verdict {
        name: d.name.clone(),
        routers: d.routers.len(),
        sessions,
        compared: 0,
        installed: 0,
        excluded: Vec::new(),
        problems: Vec::new(),
        seconds: 0.0,
    };
    let file = scratch.join(format!("{}.avs", d.name));
    std::fs::write(&file, to_avs(d)).unwrap();
    let outcome = match frr::run(d, slot, Duration::from_secs(30)) {
        Ok(o) => o,
        Err(e) => {
            v.problems.push(format!("FRR: {e}"));
            return v;
        }
    };
    let frr_bests = frr::bests(&outcome.ribs);
    let tied = frr::tied_prefixes(&outcome.ribs);
    let excluded: BTreeSet<_> = tied.keys().copied().collect();
    for (p, routers) in &tied {
        v.excluded
            .push(format!("{p} (tie at {})", routers.join(", ")));
    }
    if hand {
        v.problems.extend(oracle::check_expectations(d, &frr_bests));
        if !tied.is_empty() {
            v.problems.push(format!(
                "hand design with a router-id/age tie: {:?}",
                v.excluded
            ));
        }
    }
    v.installed = frr_bests
        .values()
        .flat_map(|m| m.keys())
        .filter(|p| !excluded.contains(p))
        .count();
    match oracle::avscheck_bests(&avscheck_bin(), &file, d) {
        Ok(ours) => {
            let (diffs, compared) = oracle::compare(d, &frr_bests, &ours, &excluded);
            v.compared = compared;
            v.problems.extend(diffs);
        }
        Err(e) => v.problems.push(e),
    }
    v.seconds = t0.elapsed().as_secs_f64();
    v
}

fn report(kind: &str, verdicts: &[Verdict]) {
    let mut failed = Vec::new();
    eprintln!("FRR oracle, {kind} designs:");
    for v in verdicts {
        eprintln!(
            "  {:<28} {:>2} routers {:>2} sessions ({} iBGP, {} allowas_in) {:>3} (router, prefix) compared, {:>3} routes installed, {:.1}s{}{}",
            v.name,
            v.routers,
            v.sessions.0,
            v.sessions.1,
            v.sessions.2,
            v.compared,
            v.installed,
            v.seconds,
            if v.excluded.is_empty() { String::new() } else { format!(", excluded {}", v.excluded.join("; ")) },
            if v.problems.is_empty() { "  ok".to_string() } else { "  DISAGREE".to_string() },
        );
        for p in &v.problems {
            failed.push(p.clone());
        }
    }
    let total: usize = verdicts.iter().map(|v| v.compared).sum();
    eprintln!(
        "  {} designs, {total} (router, prefix) pairs compared",
        verdicts.len()
    );
    assert!(
        failed.is_empty(),
        "FRR oracle: {} problem(s):\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// Runs the designs two at a time (each run mostly waits for FRR to settle), in order.
fn run_all(designs: &[Design], first_slot: usize, hand: bool) -> Vec<Verdict> {
    let scratch = tempfile::tempdir().unwrap();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(d) = designs.get(i) else { break };
                let v = run_design(d, first_slot + i, hand, scratch.path());
                results.lock().unwrap().push((i, v));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, v)| v).collect()
}

#[test]
fn frr_oracle_hand_designs() {
    if !frr_or_skip() {
        return;
    }
    let verdicts = run_all(&designs::all(), 1, true);
    report("hand-written", &verdicts);
}

#[test]
fn frr_oracle_random_designs() {
    if !frr_or_skip() {
        return;
    }
    let designs: Vec<Design> = (0..RANDOM_DESIGNS).map(random::design).collect();
    let mut verdicts = run_all(&designs, RANDOM_SLOT, false);
    for v in &mut verdicts {
        if v.compared == 0 && v.problems.is_empty() {
            v.problems
                .push(format!("{}: every prefix tied; pick another seed", v.name));
        }
    }
    report("random", &verdicts);
}
