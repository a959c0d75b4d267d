#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! SMT verdicts against the simulator's concrete evaluation (docs/semantics.md is the
//! one spec both implement): on every example and every broken variant, each property's
//! z3 verdict must equal what the simulator finds by enumerating the failure sets.

use avscheck::ir::{Network, Property};
use avscheck::sim::{evaluate_with_failures, PropertyOutcome};
use avscheck::smt::queries::verify_property;
use avscheck::smt::Status;
use std::time::Duration;

fn load(path: &str) -> Network {
    let text = std::fs::read_to_string(path).unwrap();
    let analysis = avscheck::analyse(path, &text);
    analysis.network.unwrap_or_else(|| panic!("{path} lowers"))
}

/// (smt, sim) verdicts: Some(true) holds, Some(false) fails, None undecided.
fn verdicts(net: &Network, prop: &Property) -> (Option<bool>, Option<bool>, String) {
    let smt = verify_property(net, prop, Duration::from_secs(30));
    let sim = evaluate_with_failures(net, prop);
    let s = match &smt.status {
        Status::Pass => Some(true),
        Status::Fail => Some(false),
        Status::Unknown(_) => None,
    };
    let c = match &sim.outcome {
        PropertyOutcome::Holds => Some(true),
        PropertyOutcome::Violated(_) => Some(false),
        _ => None,
    };
    let detail = format!(
        "smt: {:?} {}\nsim: {:?}",
        smt.status,
        smt.counterexample
            .as_ref()
            .map(|c| serde_json::to_string_pretty(c).unwrap())
            .unwrap_or_default(),
        sim.outcome
    );
    (s, c, detail)
}

fn compare_file(path: &str) -> Vec<String> {
    let net = load(path);
    let mut disagreements = Vec::new();
    for (_, check) in net.checks.iter() {
        for prop in &check.properties {
            let (s, c, detail) = verdicts(&net, prop);
            if s.is_some() && c.is_some() && s != c {
                disagreements.push(format!("{path}: {} {:?}\n{detail}", check.title, prop.kind));
            }
            if s.is_none() && c.is_some() {
                disagreements.push(format!("{path}: {}: smt undecided\n{detail}", check.title));
            }
        }
    }
    disagreements
}

fn avs_files(dir: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "avs"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn examples_agree_with_the_simulator() {
    let mut all = Vec::new();
    for f in avs_files("examples")
        .into_iter()
        .chain(avs_files("examples/broken"))
    {
        all.extend(compare_file(&f));
    }
    assert!(all.is_empty(), "{}", all.join("\n\n"));
}

#[test]
#[ignore]
fn print_broken_counterexamples() {
    for f in avs_files("examples/broken") {
        let net = load(&f);
        for (_, check) in net.checks.iter() {
            for prop in &check.properties {
                let smt = verify_property(&net, prop, Duration::from_secs(30));
                if let Some(c) = smt.counterexample {
                    eprintln!(
                        "{f}: {}\n{}",
                        check.title,
                        serde_json::to_string_pretty(&c).unwrap()
                    );
                }
            }
        }
    }
}

#[test]
fn examples_under_one_failure_agree_with_the_simulator() {
    let mut all = Vec::new();
    for f in avs_files("examples")
        .into_iter()
        .chain(avs_files("examples/broken"))
    {
        let net = load(&f);
        for (_, check) in net.checks.iter() {
            for prop in &check.properties {
                let mut p = prop.clone();
                p.failures = 1;
                let (s, c, detail) = verdicts(&net, &p);
                if s.is_some() && c.is_some() && s != c || s.is_none() && c.is_some() {
                    all.push(format!("{f}: {} under failures 1\n{detail}", check.title));
                }
            }
        }
    }
    assert!(all.is_empty(), "{}", all.join("\n\n"));
}

#[test]
#[ignore]
fn print_two_regions_one_failure() {
    let net = load("examples/two-regions.avs");
    for (_, check) in net.checks.iter() {
        for prop in &check.properties {
            let mut p = prop.clone();
            p.failures = 1;
            let smt = verify_property(&net, &p, Duration::from_secs(30));
            eprintln!(
                "{}: {:?}\n{}",
                check.title,
                smt.status,
                smt.counterexample
                    .map(|c| serde_json::to_string(&c).unwrap())
                    .unwrap_or_default()
            );
        }
    }
}

/// Random design seed 11,029 (tests/regressions/random-11029.avs): a stable state
/// that violates the property is a counterexample even when another undocumented
/// choice never settles; the simulator replaying z3's (empty) environment agrees
/// with z3's `fail`.
#[test]
fn a_violation_stands_when_another_choice_never_settles() {
    let path = "tests/regressions/random-11029.avs";
    let net = load(path);
    let prop = &net.checks.iter().next().unwrap().1.properties[0];
    let all =
        avscheck::sim::choice::stable_states(&net, &avscheck::sim::Scenario::default(), &|| None)
            .unwrap();
    assert!(
        all.unsettled.is_some(),
        "the design has a choice that never settles"
    );
    let replay = avscheck::sim::evaluate_in_environment(&net, prop, []);
    assert!(
        matches!(replay.outcome, PropertyOutcome::Violated(_)),
        "{:?}",
        replay.outcome
    );
    let smt = verify_property(&net, prop, Duration::from_secs(60));
    assert!(matches!(smt.status, Status::Fail), "{:?}", smt.status);
}

/// A dual-homed site (two circuits on one ER gateway) with `k` prefixes, the checks
/// of /work/wt/designs3/dual-homed-*.avs plus reachability back and loops.
fn dual_homed(k: usize) -> String {
    let mut s = String::from(
        "use azure\nvnet hub { address 10.150.0.0/16 }\ner_gateway gw { vnet hub }\nsite corp {\n  asn 64740\n",
    );
    for i in 0..k {
        s.push_str(&format!(
            "  originate 172.{}.{}.0/24\n",
            20 + i / 256,
            i % 256
        ));
    }
    s.push_str(
        "  peer er1\n  peer er2\n}\ner_circuit er1 { peer corp; connect gw }\ner_circuit er2 { peer corp; connect gw }\n\
         check \"hub reaches corp\" { reachable hub -> corp }\n\
         check \"corp reaches hub\" { reachable corp -> hub }\n\
         check \"no loops\" { loop_free }\n",
    );
    s
}

/// The verdict of the pipeline's concrete path (None: it leaves the property to the
/// symbolic path), with the counterexample's narrative.
fn concrete_verdict(net: &Network, prop: &Property) -> (Option<Status>, String) {
    use avscheck::pipeline::cache::ScenarioCache;
    use avscheck::pipeline::concrete::{decide, Concrete};
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    match decide(net, prop, deadline, &ScenarioCache::new()) {
        Concrete::Decided(v) => (
            Some(v.status),
            v.counterexample.map(|c| c.narrative).unwrap_or_default(),
        ),
        Concrete::Symbolic(why) => (None, why),
    }
}

/// Undocumented ties (LANGUAGE.md §2.4): `corp` takes the hub's prefix from either
/// circuit's MSEE. A property that one choice violates fails in z3, in the
/// simulator's enumeration and in the pipeline (which decides over every tie-break's
/// certified state, naming the choice); one every choice satisfies passes in all
/// three, with and without a circuit failure.
#[test]
fn undocumented_ties_fail_or_pass_alike_in_every_engine() {
    let path = "tests/regressions/tie-dual-homed.avs";
    let net = load(path);
    let expected = [
        ("corp to hub over er1", false),
        ("corp to hub over er2", false),
        ("hub reaches corp", true),
        ("no loops", true),
        ("hub reaches corp, one circuit down", true),
        ("corp reaches hub, one circuit down", true),
        ("corp to hub avoids nothing else", false),
    ];
    for (_, check) in net.checks.iter() {
        let want = expected
            .iter()
            .find(|(t, _)| *t == check.title)
            .map(|(_, w)| *w)
            .unwrap_or_else(|| panic!("unexpected check {}", check.title));
        for prop in &check.properties {
            let (s, c, detail) = verdicts(&net, prop);
            assert_eq!(s, Some(want), "{}: smt\n{detail}", check.title);
            assert_eq!(c, Some(want), "{}: sim\n{detail}", check.title);
            let (p, narrative) = concrete_verdict(&net, prop);
            let want_status = if want { Status::Pass } else { Status::Fail };
            assert_eq!(
                p,
                Some(want_status),
                "{}: pipeline {narrative}",
                check.title
            );
            if check.title.contains("over er") {
                assert!(
                    narrative.contains("an undocumented choice among `er1`, `er2`"),
                    "{}: {narrative}",
                    check.title
                );
            }
        }
    }
}

/// The dual-homed site with many prefixes: every choice holds, so z3 (small K) and
/// the pipeline pass alike, and the pipeline decides concretely (over the
/// tie-breaks' certified states) rather than leaving it to z3, at any K.
#[test]
fn dual_homed_site_is_decided_over_every_tie_break() {
    for k in [20, 600] {
        let text = dual_homed(k);
        let name = format!("dual-homed-{k}.avs");
        let analysis = avscheck::analyse(&name, &text);
        let net = analysis.network.unwrap();
        for (_, check) in net.checks.iter() {
            for prop in &check.properties {
                let (p, why) = concrete_verdict(&net, prop);
                assert_eq!(p, Some(Status::Pass), "K={k} {}: {why}", check.title);
                if k <= 20 {
                    let (s, c, detail) = verdicts(&net, prop);
                    assert_eq!((s, c), (Some(true), Some(true)), "{detail}");
                }
            }
        }
    }
}

/// Four sites, each dual-homed over two circuits to one ER gateway: two undocumented
/// choices per site (the gateway's for the site's prefix, the site's for the hub's),
/// 2^8 combinations — more than the tie-breaks enumerated together
/// (`sim::choice::MAX_TIE_BREAKS`), so the pipeline decides group by group
/// (`sim::choice_groups`): the hub's prefix is one group (the four sites' choices),
/// each site's prefix another. `site0 -> hub traverses er0a` fails (site0 may take
/// er0b's route) with the choice named; every other check holds in every choice. z3
/// (which lets every prefix choose freely) and the pipeline agree on each; the
/// simulator (a cross-check, whose search is bounded) agrees wherever it decides.
#[test]
fn independent_undocumented_ties_are_decided_group_by_group() {
    let mut s =
        String::from("use azure\nvnet hub { address 10.150.0.0/16 }\ner_gateway gw { vnet hub }\n");
    for i in 0..4 {
        s.push_str(&format!(
            "site site{i} {{ asn {}; originate 192.168.{i}.0/24; peer er{i}a; peer er{i}b }}\n\
             er_circuit er{i}a {{ peer site{i}; connect gw }}\ner_circuit er{i}b {{ peer site{i}; connect gw }}\n",
            64700 + i
        ));
    }
    s.push_str(
        "check \"site0 to hub over er0a\" { path site0 -> hub traverses er0a }\n\
         check \"hub and site1\" { reachable hub <-> site1 }\n\
         check \"site2 through the gateway\" { path site2 -> hub traverses gw }\n\
         check \"hub and site3 symmetric\" { symmetric hub <-> site3 }\n\
         check \"no loops\" { loop_free }\n\
         check \"hub and site0, one circuit down\" { reachable hub <-> site0 under failures 1 of er_circuit }\n",
    );
    let analysis = avscheck::analyse("four-dual-homed.avs", &s);
    assert!(
        analysis.diagnostics.is_empty(),
        "{:?}",
        analysis.diagnostics
    );
    let net = analysis.network.unwrap();
    let mut seen = 0;
    for (_, check) in net.checks.iter() {
        let want = !check.title.contains("over er0a");
        for prop in &check.properties {
            let (p, narrative) = concrete_verdict(&net, prop);
            let want_status = if want { Status::Pass } else { Status::Fail };
            assert_eq!(
                p,
                Some(want_status),
                "{}: pipeline {narrative}",
                check.title
            );
            if !want {
                assert!(
                    narrative.contains("an undocumented choice among `er0a`, `er0b`"),
                    "{}: {narrative}",
                    check.title
                );
            }
            let (z, c, detail) = verdicts(&net, prop);
            assert_eq!(z, Some(want), "{}: smt\n{detail}", check.title);
            if c.is_some() {
                assert_eq!(c, Some(want), "{}: sim\n{detail}", check.title);
            }
            seen += 1;
        }
    }
    assert_eq!(seen, 8);
}
