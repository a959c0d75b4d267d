#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The verification pipeline (`avscheck::pipeline`): the concrete path decides where
//! the stable state is provably unique, and agrees with the symbolic path wherever it
//! decides; where BGP has several stable states it must not decide.

use avscheck::pipeline::cache::ScenarioCache;
use avscheck::pipeline::concrete::{decide, Concrete};
use avscheck::sim::unique::{certify, Certificate};
use avscheck::sim::{stable_state, Scenario};
use avscheck::smt::{queries::verify_property, Status};
use std::time::{Duration, Instant};

fn network(name: &str, text: &str) -> avscheck::ir::Network {
    let a = avscheck::analyse(name, text);
    assert!(
        !a.has_errors(),
        "{name}: {:?}",
        a.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    a.network.unwrap()
}

fn designs() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["examples", "examples/broken"] {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "avs"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            out.push((f.display().to_string(), text));
        }
    }
    out
}

/// Every property of every example and broken example: where the concrete path
/// decides, its verdict is the symbolic path's.
#[test]
fn concrete_and_symbolic_paths_agree_on_the_examples() {
    let mut decided = 0;
    for (name, text) in designs() {
        let net = network(&name, &text);
        let cache = ScenarioCache::new();
        for check in net.checks.values() {
            for prop in &check.properties {
                let deadline = Instant::now() + Duration::from_secs(60);
                let Concrete::Decided(c) = decide(&net, prop, deadline, &cache) else {
                    continue;
                };
                decided += 1;
                let s = verify_property(&net, prop, Duration::from_secs(60));
                assert_eq!(
                    c.status.as_str(),
                    s.status.as_str(),
                    "{name}, `{}`: concrete {:?}, symbolic {:?}",
                    check.title,
                    c.status,
                    s.status
                );
                if c.status == Status::Fail {
                    let cx = c.counterexample.as_ref().unwrap();
                    assert!(!cx.narrative.is_empty(), "{name}: a narrative");
                    assert!(!cx.labels.is_empty(), "{name}: labels");
                }
            }
        }
    }
    // The seed's designs have unique stable states: everything is decided concretely.
    assert!(
        decided >= 40,
        "only {decided} properties were decided concretely"
    );
}

/// DISAGREE (Griffin, Shepherd, Wilfong): each of `a` and `b` prefers the route
/// through the other. Two stable states; which one BGP reaches depends on timing.
const DISAGREE: &str = r#"
router o { asn 65000; originate 10.9.0.0/16; peer a; peer b }
router a { asn 65001; peer o; peer b import prefer }
router b { asn 65002; peer o; peer a import prefer }
policy prefer { permit { set local_pref 200 } }
check "a never goes through b" { never a installs 10.9.0.0/16 via b }
check "b never goes through a" { never b installs 10.9.0.0/16 via a }
"#;

#[test]
fn several_stable_states_are_not_certified() {
    let net = network("disagree.avs", DISAGREE);
    let sc = Scenario::default();
    let state = stable_state(&net, &sc).unwrap();
    assert!(
        matches!(certify(&net, &sc, &state), Certificate::NotShown(_)),
        "DISAGREE has two stable states"
    );
    let cache = ScenarioCache::new();
    for check in net.checks.values() {
        for prop in &check.properties {
            let deadline = Instant::now() + Duration::from_secs(60);
            assert!(
                matches!(decide(&net, prop, deadline, &cache), Concrete::Symbolic(_)),
                "`{}` must be left to the symbolic path",
                check.title
            );
        }
    }
    // Both checks fail: in one of the two stable states each node goes through the
    // other. The simulator reaches only one of them; the verdicts must not depend on it.
    let a = avscheck::analyse("disagree.avs", DISAGREE);
    let v = avscheck::verify(&a, &avscheck::VerifyOptions::default());
    for c in &v.checks {
        assert_eq!(
            c.status,
            avscheck::report::CheckStatus::Fail,
            "`{}`",
            c.title
        );
    }
}

/// Prefer-the-customer without a cycle of preferences: unique, and certified.
const CHAIN: &str = r#"
router o { asn 65000; originate 10.9.0.0/16; peer a; peer b }
router a { asn 65001; peer o import prefer; peer b }
router b { asn 65002; peer o; peer a import prefer }
policy prefer { permit { set local_pref 200 } }
check "b goes through a" { never b installs 10.9.0.0/16 via o }
"#;

#[test]
fn a_unique_state_with_local_preference_is_certified() {
    let net = network("chain.avs", CHAIN);
    let sc = Scenario::default();
    let state = stable_state(&net, &sc).unwrap();
    assert_eq!(certify(&net, &sc, &state), Certificate::Unique);
    let a = avscheck::analyse("chain.avs", CHAIN);
    let v = avscheck::verify(&a, &avscheck::VerifyOptions::default());
    assert!(v.all_hold(), "{:?}", v.checks);
}

/// `n` on-premises sites, each dual-homed over two circuits on one ER gateway, each
/// announcing `k` prefixes; `swap` declares each site's circuits in the other order.
fn dual_homed_sites(n: usize, k: usize, swap: bool) -> String {
    let mut s =
        String::from("use azure\nvnet hub { address 10.150.0.0/16 }\ner_gateway gw { vnet hub }\n");
    for i in 0..n {
        s.push_str(&format!("site corp{i} {{\n  asn {}\n", 64700 + i));
        for j in 0..k {
            s.push_str(&format!("  originate 172.{}.{j}.0/24\n", 20 + i));
        }
        s.push_str(&format!("  peer a{i}\n  peer b{i}\n}}\n"));
        let (x, y) = if swap { ("b", "a") } else { ("a", "b") };
        s.push_str(&format!(
            "er_circuit {x}{i} {{ peer corp{i}; connect gw }}\n"
        ));
        s.push_str(&format!(
            "er_circuit {y}{i} {{ peer corp{i}; connect gw }}\n"
        ));
    }
    s.push_str("check \"loops\" { loop_free }\n");
    s.push_str("check \"hub to corp0 over a0\" { path hub -> corp0 traverses a0 }\n");
    s.push_str("check \"corp0 to hub over a0\" { path corp0 -> hub traverses a0 }\n");
    s.push_str("check \"corp0 reaches hub\" { reachable corp0 -> hub }\n");
    s
}

/// Where undocumented ties can arise (sim::unique::tie_sites): at the site, for the
/// hub's prefix, between its two circuits' MSEEs (a class of one prefix), and at the
/// gateway, for the site's class of prefixes (ECMP: which route is first is still a
/// choice of what it exports); every tie-break's state is certified and the pipeline
/// decides each property over all of them — the same verdicts whichever circuit is
/// declared first.
#[test]
fn dual_homed_ties_are_decided_over_every_tie_break() {
    use avscheck::sim::choice::{every_choice, tie_breaks, TieBreaks, MAX_TIE_BREAKS};
    let mut verdicts = Vec::new();
    for swap in [false, true] {
        let net = network("dual.avs", &dual_homed_sites(1, 3, swap));
        let sc = Scenario::default();
        let state = stable_state(&net, &sc).unwrap();
        assert!(matches!(
            certify(&net, &sc, &state),
            Certificate::NotShown(_)
        ));
        let sites = avscheck::sim::unique::tie_sites(&net, &sc, &state, &|| false).unwrap();
        let name = |n: avscheck::ir::NodeId| net.nodes[n].name.clone();
        let mut shown: Vec<String> = sites
            .iter()
            .map(|s| {
                let mut opts: Vec<String> = s
                    .options
                    .iter()
                    .map(|o| o.map(name).unwrap_or_else(|| "own".into()))
                    .collect();
                opts.sort();
                format!(
                    "{} {} x{} [{}]",
                    name(s.node),
                    s.key,
                    s.members,
                    opts.join(" ")
                )
            })
            .collect();
        shown.sort();
        assert_eq!(
            shown,
            [
                "corp0 10.150.0.0/16 x1 [a0 b0]",
                "gw 172.20.0.0/24 x3 [a0 b0]",
            ],
            "{shown:?}"
        );
        assert_eq!(every_choice(&sites, MAX_TIE_BREAKS).unwrap().len(), 4);
        let TieBreaks::All(states, _) = tie_breaks(&net, &sc, &state, false, &|| false, &|| None)
        else {
            panic!("every tie-break is certified");
        };
        // Each combination is possible and gives its own RIBs (the gateway's first
        // route differs even where its installed routes do not).
        assert_eq!(states.len(), 4);
        let cache = ScenarioCache::new();
        let mut v = Vec::new();
        for check in net.checks.values() {
            let deadline = Instant::now() + Duration::from_secs(60);
            let Concrete::Decided(c) = decide(&net, &check.properties[0], deadline, &cache) else {
                panic!("{} is decided concretely", check.title);
            };
            v.push((check.title.clone(), c.status));
        }
        v.sort_by(|a, b| a.0.cmp(&b.0));
        verdicts.push(v);
    }
    assert_eq!(verdicts[0], verdicts[1]);
    let want = [
        ("corp0 reaches hub", Status::Pass),
        ("corp0 to hub over a0", Status::Fail),
        ("hub to corp0 over a0", Status::Fail),
        ("loops", Status::Pass),
    ];
    for ((t, s), (wt, ws)) in verdicts[0].iter().zip(want) {
        assert_eq!((t.as_str(), s), (wt, &ws));
    }
}

/// Beyond [`avscheck::sim::choice::MAX_TIE_BREAKS`] combinations (four dual-homed
/// sites: two ties each, 2^8) the concrete path decides group by group
/// (`sim::choice_groups`: the hub's prefix with the four sites' choices, each site's
/// class with the gateway's): the verdicts of the one-site design, whichever circuit
/// is declared first.
#[test]
fn many_tie_breaks_are_decided_group_by_group() {
    use avscheck::sim::choice::{every_choice, MAX_TIE_BREAKS};
    let want = [
        ("corp0 reaches hub", Status::Pass),
        ("corp0 to hub over a0", Status::Fail),
        ("hub to corp0 over a0", Status::Fail),
        ("loops", Status::Pass),
    ];
    for swap in [false, true] {
        let net = network("dual4.avs", &dual_homed_sites(4, 1, swap));
        let sc = Scenario::default();
        let state = stable_state(&net, &sc).unwrap();
        let sites = avscheck::sim::unique::tie_sites(&net, &sc, &state, &|| false).unwrap();
        assert_eq!(sites.len(), 8);
        assert!(every_choice(&sites, MAX_TIE_BREAKS).is_none());
        let groups = avscheck::sim::choice_groups::tie_groups(&net, &state, &sites);
        assert_eq!(groups.len(), 5);
        let cache = ScenarioCache::new();
        let mut v = Vec::new();
        for check in net.checks.values() {
            let deadline = Instant::now() + Duration::from_secs(60);
            let Concrete::Decided(c) = decide(&net, &check.properties[0], deadline, &cache) else {
                panic!("{} is decided concretely", check.title);
            };
            v.push((check.title.clone(), c.status));
        }
        v.sort_by(|a, b| a.0.cmp(&b.0));
        for ((t, s), (wt, ws)) in v.iter().zip(want.clone()) {
            assert_eq!((t.as_str(), s), (wt, &ws), "swap {swap}");
        }
    }
}

/// A circuit connected twice to one gateway (tester, issue 11): Azure has one
/// connection per circuit and gateway, and taking either line's weight made a
/// `traverses` verdict depend on line order. Error AVS0306 on the later line, in
/// either order.
#[test]
fn a_session_declared_twice_is_an_error_in_either_order() {
    let design = |connects: &str| {
        format!(
            "use azure
vnet hub {{ address 10.150.0.0/16 }}
er_gateway gw {{ vnet hub }}
site corp {{ asn 64740; originate 172.20.0.0/24; peer er1; peer er2 }}
er_circuit er1 {{ peer corp; {connects} }}
er_circuit er2 {{ peer corp; connect gw weight 5 }}
check \"hub to corp over er1\" {{ path hub -> corp traverses er1 }}
"
        )
    };
    for connects in [
        "connect gw; connect gw weight 10",
        "connect gw weight 10; connect gw",
    ] {
        let text = design(connects);
        let a = avscheck::analyse("twice.avs", &text);
        let errs: Vec<_> = a
            .diagnostics
            .iter()
            .filter(|d| d.code == "AVS0306")
            .collect();
        assert_eq!(errs.len(), 1, "{connects}: {:#?}", a.diagnostics);
        let line = text.find("er_circuit er1").unwrap();
        let first = line + text[line..].find("connect gw").unwrap();
        let second = (first + 1 + text[first + 1..].find("connect gw").unwrap()) as u32;
        assert_eq!(errs[0].labels[0].span.start, second, "{connects}");
        assert!(a.has_errors());
    }
}
