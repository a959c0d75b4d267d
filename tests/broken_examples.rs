//! Every `examples/broken/*.avs` fails the check its header names, for the reason it
//! documents, and the design it breaks passes that same check.
//!
//! A broken example's header reads
//!
//! ```text
//! # BROKEN: hairpin.avs without ...
//! # Fails: "AVS and on-premises reach each other without Global Reach" (dropped at ergw).
//! ```
//!
//! For each check named after `Fails:`, every property is evaluated with
//! `avscheck::sim::evaluate` in the stable state of its scenario (`without` applied):
//! at least one property must be violated, and the counterexample must show the
//! documented reason (a loop at the NVA, a drop at the gateway for no transit, a route
//! missing on-premises, ...). In the unbroken example, every property of the same check
//! holds. The table of broken examples is in `docs/semantics.md`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::ir::{Network, Property};
use avscheck::sim::{
    self, Counterexample, Disposition, NextHopType, PropertyOutcome, Scenario, State, Why,
};
use ipnet::Ipv4Net;

struct Example {
    name: String,
    net: Network,
    header: String,
}

fn load(rel: &str) -> Example {
    let text = std::fs::read_to_string(format!("{}/examples/{rel}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("examples/{rel}: {e}"));
    let a = avscheck::analyse(rel, &text);
    let errors: Vec<_> = a.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{rel}: {errors:#?}");
    let header = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect::<Vec<_>>()
        .join("\n");
    Example {
        name: rel.to_string(),
        net: a.network.expect("lowered"),
        header,
    }
}

impl Example {
    /// The design this one breaks: `# BROKEN: hairpin.avs ...`.
    fn unbroken(&self) -> String {
        let rest = self
            .header
            .strip_prefix("BROKEN:")
            .unwrap_or_else(|| panic!("{}: header must start with `# BROKEN:`", self.name));
        rest.split_whitespace()
            .next()
            .filter(|w| w.ends_with(".avs"))
            .unwrap_or_else(|| panic!("{}: `# BROKEN:` must name the unbroken design", self.name))
            .to_string()
    }

    /// The check titles quoted after `Fails:` (the paragraph may span lines).
    fn fails(&self) -> Vec<String> {
        let at = self
            .header
            .find("Fails:")
            .unwrap_or_else(|| panic!("{}: no `# Fails:` line", self.name));
        let para = self.header[at..]
            .split("\n\n")
            .next()
            .unwrap()
            .replace('\n', " ");
        let titles: Vec<String> = para
            .split('"')
            .skip(1)
            .step_by(2)
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        assert!(!titles.is_empty(), "{}: `Fails:` names no check", self.name);
        titles
    }

    fn properties(&self, title: &str) -> Vec<Property> {
        let check = self
            .net
            .checks
            .values()
            .find(|c| c.title == title)
            .unwrap_or_else(|| panic!("{}: no check {title:?}", self.name));
        check.properties.clone()
    }

    /// Each property of the check, evaluated with `sim::evaluate` in its scenario.
    fn evaluate(&self, title: &str) -> Vec<(PropertyOutcome, State)> {
        self.properties(title)
            .iter()
            .map(|prop| {
                let sc = Scenario::new(prop.without.iter().copied());
                let state = sim::stable_state(&self.net, &sc).unwrap();
                (sim::evaluate(&self.net, &state, &sc, prop), state)
            })
            .collect()
    }

    fn state(&self) -> State {
        sim::stable_state(&self.net, &Scenario::default()).unwrap()
    }

    fn name_of(&self, n: avscheck::ir::NodeId) -> &str {
        &self.net.nodes[n].name
    }

    fn has_route(&self, state: &State, node: &str, prefix: &str) -> bool {
        let n = self.net.node_by_name(node).unwrap();
        state.best(n, prefix.parse::<Ipv4Net>().unwrap()).is_some()
    }
}

/// The counterexamples of the check's violated properties (at least one).
fn violations(ex: &Example, title: &str) -> Vec<Counterexample> {
    let out: Vec<Counterexample> = ex
        .evaluate(title)
        .into_iter()
        .filter_map(|(o, _)| match o {
            PropertyOutcome::Violated(c) => Some(c),
            _ => None,
        })
        .collect();
    assert!(!out.is_empty(), "{}: {title:?} must fail", ex.name);
    out
}

/// Some witness path ends with `disposition` at node `at`.
fn ends_at(ex: &Example, cs: &[Counterexample], disposition: Disposition, at: &[&str]) -> bool {
    cs.iter().flat_map(|c| &c.paths).any(|p| {
        p.disposition == disposition
            && p.hops
                .last()
                .is_some_and(|h| at.contains(&ex.name_of(h.node)))
    })
}

/// Why the check fails, per broken example (AZURE.md's reason, as the counterexample
/// and the stable state show it).
fn documented_reason(ex: &Example, title: &str) {
    let cs = violations(ex, title);
    let state = ex.state();
    match ex.name.trim_start_matches("broken/") {
        // Route Server programs the NVA's own 0.0.0.0/0 into its own subnet.
        "default-route-no-nva-udr.avs" => {
            assert!(
                ends_at(ex, &cs, Disposition::Loop, &["fw"]),
                "{title:?}: the path must loop at fw: {cs:#?}"
            );
            let s = ex.net.subnet_by_name("fw_subnet").unwrap();
            let own = sim::effective_routes(&ex.net, &state, &Scenario::default(), s)
                .into_iter()
                .filter(|r| r.active && r.prefix == "0.0.0.0/0".parse::<Ipv4Net>().unwrap())
                .map(|r| (r.next_hop_type, r.next_hop))
                .collect::<Vec<_>>();
            assert_eq!(
                own,
                vec![(
                    NextHopType::VirtualAppliance,
                    sim::FabricTarget::Address("10.100.1.4".parse().unwrap())
                )]
            );
        }
        // The gateway gives the NVA's default route to every circuit.
        "default-route-no-onprem-filter.avs" => {
            let fw = ex.net.node_by_name("fw").unwrap();
            let witness = cs
                .iter()
                .flat_map(|c| &c.routes)
                .find(|w| ex.name_of(w.node) == "dc1")
                .expect("a route at dc1");
            assert_eq!(
                witness.route.prefix,
                "0.0.0.0/0".parse::<Ipv4Net>().unwrap()
            );
            assert_eq!(witness.route.origin, fw);
            assert_eq!(witness.route.as_path, vec![12076]);
        }
        // The gateway prefers the circuit's exact route and never passes it on.
        "hairpin-exact-prefixes.avs" => {
            assert!(
                ends_at(ex, &cs, Disposition::NoRoute, &["dc1", "avs1"]),
                "{cs:#?}"
            );
            assert!(!ex.has_route(&state, "dc1", "10.1.0.0/22"));
            assert!(!ex.has_route(&state, "avs1", "10.2.0.0/16"));
            let ergw = ex.net.node_by_name("ergw").unwrap();
            let best = state.best(ergw, "10.1.0.0/22".parse().unwrap()).unwrap();
            assert_eq!(
                best.from_node(&ex.net).map(|n| ex.name_of(n)),
                Some("er_avs"),
                "the ExpressRoute route wins at the gateway"
            );
        }
        // The supernet attracts traffic nobody owns; without the blackhole it loops.
        "hairpin-no-blackhole.avs" => {
            assert!(ends_at(ex, &cs, Disposition::Loop, &["fw"]), "{cs:#?}");
        }
        // Branch-to-branch off: the supernet never reaches the gateway.
        "hairpin-no-branch-to-branch.avs" => {
            assert!(
                ends_at(ex, &cs, Disposition::NoRoute, &["dc1", "avs1"]),
                "{cs:#?}"
            );
            assert!(!ex.has_route(&state, "ergw", "10.0.0.0/8"));
            assert!(!ex.has_route(&state, "dc1", "10.0.0.0/8"));
        }
        // The gateway drops a packet from one circuit to another.
        "hairpin-no-gateway-udrs.avs" => {
            let dropped = cs.iter().flat_map(|c| &c.paths).any(|p| {
                p.disposition == Disposition::Dropped
                    && p.why == Why::NoTransit
                    && p.hops.last().is_some_and(|h| ex.name_of(h.node) == "ergw")
            });
            assert!(dropped, "dropped at ergw for no transit: {cs:#?}");
            assert!(ex.has_route(&state, "dc1", "10.0.0.0/8"));
        }
        // Route Server drops a path holding its own ASN 65515.
        "two-regions-no-as-path-cleanup.avs" => {
            assert!(
                ends_at(ex, &cs, Disposition::NoRoute, &["dc1", "avs_w"]),
                "{cs:#?}"
            );
            let fw_n = ex.net.node_by_name("fw_n").unwrap();
            let at_nva = state.best(fw_n, "10.1.0.0/22".parse().unwrap()).unwrap();
            assert!(at_nva.as_path.contains(&65515));
            assert!(!ex.has_route(&state, "ars_n", "10.1.0.0/22"));
            assert!(!ex.has_route(&state, "dc1", "10.1.0.0/22"));
        }
        // Each NVA's subnet points the other region's routes back at the NVA.
        "two-regions-no-tunnel.avs" => {
            assert!(
                ends_at(ex, &cs, Disposition::Loop, &["fw_w", "fw_n"]),
                "{title:?}: {cs:#?}"
            );
        }
        other => panic!("examples/broken/{other}: no documented reason in this test"),
    }
}

#[test]
fn broken_examples_fail_for_the_documented_reason() {
    let dir = format!("{}/examples/broken", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".avs"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 8, "a new broken example needs its reason here");
    for name in names {
        let ex = load(&format!("broken/{name}"));
        let titles = ex.fails();
        for title in &titles {
            documented_reason(&ex, title);
        }
        // The unbroken design passes the same checks.
        let good = load(&ex.unbroken());
        for title in &titles {
            for (outcome, _) in good.evaluate(title) {
                assert!(
                    outcome.holds(),
                    "{}: {title:?} must hold: {outcome:#?}",
                    good.name
                );
            }
        }
    }
}
