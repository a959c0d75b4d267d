//! The Azure model against AZURE.md: one small design per behaviour in `tests/azure/`.
//!
//! Each design's header names the AZURE.md bullet it pins, its documentation source, how
//! avscheck models it and what to expect, and lists what to show:
//!
//! ```text
//! # show: routes ergw              BGP table of a node, or effective routes of a subnet
//! # show: trace dc1 10.1.0.5       every path of a packet walk
//! # show: findings                 diagnostics of the analysis and the stable state
//! ```
//!
//! The test of the same name renders those through the library (the same code as
//! `avscheck routes` / `trace` / `check`) into one snapshot, and asserts the key fact
//! explicitly, so that a regression fails for the right reason and not only as
//! snapshot drift. The behaviour ↔ test table is in `docs/semantics.md`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::ir::{Network, NodeId, SessionKind};
use avscheck::report::human::render_diagnostics;
use avscheck::report::CheckStatus;
use avscheck::report::{routes as routes_report, trace as trace_report};
use avscheck::sim::{
    self, Disposition, EffectiveRoute, FabricTarget, NextHopType, RouteSource, Scenario, State, Why,
};
use avscheck::{Analysis, Diagnostic};
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// Every design in `tests/azure/`, each pinned by the test function of the same name
/// (dashes become underscores). `every_design_is_pinned` keeps the list complete.
const DESIGNS: &[&str] = &[
    "avs-advertises-only-originated",
    "avs-default-asn",
    "avs-ecmp-across-circuits",
    "avs-leading-run-unknown",
    "avs-management-no-default-route",
    "avs-rejects-bogons",
    "avs-strips-leading-private-asns",
    "azure-firewall-udr-only",
    "default-microsoft-loop-prevention",
    "default-route-server-gateway-internal",
    "er-connection-weight",
    "er-default-route-accepted",
    "er-gateway-advertises",
    "er-gateway-allow-remote-vnet-traffic",
    "er-gateway-ecmp-five-circuits",
    "er-gateway-no-transit-packets",
    "er-gateway-no-transit-routes",
    "er-msee-ignores-communities",
    "er-msee-path-inside-azure",
    "er-msee-strips-private-asns",
    "er-prefix-limit",
    "er-prefix-limit-to-on-prem",
    "er-routing-preference-as-path",
    "er-routing-preference-expressroute",
    "er-routing-preference-vpn-nva",
    "fabric-nva-forwards-by-subnet-routes",
    "fabric-propagation-off",
    "fabric-rfc1918-none-removed",
    "fabric-spoke-peering-down",
    "fabric-spoke-remote-gateway",
    "fabric-system-routes",
    "fabric-udr-beats-bgp",
    "fabric-udr-next-hop-types",
    "fabric-udr-next-hop-unpeered",
    "fabric-vnet-beats-more-specific-bgp",
    "fastpath-bypasses-gateway",
    "gateway-subnet-declared",
    "global-reach-as-path",
    "hairpin-default-route-reaches-on-prem",
    "hairpin-supernet-through-nva",
    "load-balancer-asymmetric-return",
    "load-balancer-spreads-flows",
    "nva-nics-auxiliary-transit",
    "ownership-longest-prefix",
    "ownership-node-destination",
    "reserved-asn",
    "route-limit-dropped-session-decided",
    "route-server-16-bit-asn",
    "route-server-asn-65515",
    "route-server-asn-fixed",
    "route-server-branch-to-branch-off",
    "route-server-branch-to-branch-on",
    "route-server-control-plane-only",
    "route-server-ecmp-equal-as-path",
    "route-server-ignores-vnet-prefixes",
    "route-server-keeps-next-hop",
    "route-server-no-advertise",
    "route-server-own-nic-udr",
    "route-server-peer-limit",
    "route-server-programs-own-nic",
    "route-server-programs-spokes",
    "route-server-refresh-margin",
    "route-server-route-limit",
    "route-server-routing-preference",
    "route-server-shorter-as-path-wins",
    "route-server-total-limit",
    "route-server-vpn-vs-nva-shortest-as-path",
    "sdwan-default-route-filtered",
    "sdwan-default-route-recursive",
    "sdwan-default-route-static-underlay",
    "sdwan-tunnel-over-internet",
    "sdwan-tunnel-underlay-through-itself",
    "static-next-hop-no-teleport",
    "tie-avs-global-reach-two-circuits",
    "tie-gateway-readvertises-one",
    "tie-site-two-circuits",
    "tie-vpn-gateway-two-sites",
    "two-regions-no-nva-routes-through-msee",
    "two-regions-plain-bgp-loops",
    "two-regions-route-server-loop-prevention",
    "vpn-gateway-er-preferred",
    "vpn-gateway-static-connection-fails",
    "vpn-gateway-static-prefixes",
    "vpn-gateway-static-route-server",
    "vpn-gateway-static-transit",
    "vpn-gateway-transit-bgp",
    "vpn-gateway-vpn-nva-keeps-own-route",
];

// ---- the harness ---------------------------------------------------------------

fn p(s: &str) -> Ipv4Net {
    s.parse().unwrap()
}

struct Design {
    stem: String,
    analysis: Analysis,
    shows: Vec<String>,
    /// Network and stable state with nothing failed (None when the design is rejected).
    model: Option<(Network, State)>,
}

/// One path of a trace: hop names, disposition, why.
type Walk = (Vec<String>, Disposition, Why);

fn load(stem: &str) -> Design {
    let rel = format!("tests/azure/{stem}.avs");
    let text = std::fs::read_to_string(format!("{}/{rel}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
    let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
    for field in ["# AZURE.md", "# Source:", "# Model", "# Expect"] {
        assert!(
            header.iter().any(|l| l.starts_with(field)),
            "{rel}: the header must have a `{field}` line"
        );
    }
    let shows: Vec<String> = header
        .iter()
        .filter_map(|l| l.strip_prefix("# show: "))
        .map(|s| s.trim().to_string())
        .collect();
    assert!(!shows.is_empty(), "{rel}: no `# show:` line");
    let analysis = avscheck::analyse(&rel, &text);
    let model = analysis.network.clone().map(|net| {
        let state = sim::stable_state(&net, &Scenario::default())
            .unwrap_or_else(|nc| panic!("{rel}: no stable state: {nc:?}"));
        (net, state)
    });
    Design {
        stem: stem.to_string(),
        analysis,
        shows,
        model,
    }
}

impl Design {
    fn net(&self) -> &Network {
        &self.model.as_ref().expect("the design analyses").0
    }
    fn state(&self) -> &State {
        &self.model.as_ref().expect("the design analyses").1
    }
    fn node(&self, name: &str) -> NodeId {
        self.net()
            .node_by_name(name)
            .unwrap_or_else(|| panic!("{}: no node `{name}`", self.stem))
    }
    fn name(&self, n: NodeId) -> String {
        self.net().nodes[n].name.clone()
    }

    /// Analysis diagnostics, then the stable state's findings (route limits).
    fn findings(&self) -> Vec<Diagnostic> {
        let mut d = self.analysis.diagnostics.clone();
        if let Some((net, _)) = &self.model {
            d.extend(avscheck::stable_state_findings(net));
        }
        d
    }
    /// Each check's verdict from the SMT engine (what `avscheck check` prints), after
    /// asserting that the simulator agrees with it check by check.
    fn verdicts(&self) -> Vec<(String, CheckStatus)> {
        let v = avscheck::verify(&self.analysis, &avscheck::VerifyOptions::default());
        let net = self.net();
        for (c, (_, check)) in v.checks.iter().zip(net.checks.iter()) {
            let holds = check.properties.iter().all(|p| {
                matches!(
                    sim::evaluate_with_failures(net, p).outcome,
                    sim::PropertyOutcome::Holds
                )
            });
            assert_eq!(
                holds,
                c.status == CheckStatus::Pass,
                "{}: {:?}: the simulator and the SMT engine disagree",
                self.stem,
                c.title
            );
        }
        v.checks.into_iter().map(|c| (c.title, c.status)).collect()
    }
    /// Each check's status from z3 itself (`smt::verify_check`, not the concrete
    /// path that `verify` may take when the stable state is unique).
    fn z3(&self) -> Vec<avscheck::smt::Status> {
        let net = self.net();
        net.checks
            .ids()
            .map(|c| {
                avscheck::smt::verify_check(net, c, &avscheck::smt::VerifyOptions::default()).status
            })
            .collect()
    }
    fn codes(&self) -> Vec<&'static str> {
        self.findings().iter().map(|d| d.code).collect()
    }

    fn render(&self) -> String {
        let mut out = String::new();
        for show in &self.shows {
            out.push_str(&format!("$ {show}\n"));
            let words: Vec<&str> = show.split_whitespace().collect();
            match words.as_slice() {
                ["routes", name] => {
                    let r = routes_report::routes_report(
                        self.net(),
                        self.state(),
                        &Scenario::default(),
                        Some(name),
                    )
                    .unwrap_or_else(|n| panic!("{}: unknown `{n}`", self.stem));
                    out.push_str(&routes_report::render_human(&r));
                }
                ["trace", from, to] => {
                    let to: Ipv4Addr = to.parse().unwrap();
                    let paths = self.paths(from, to);
                    let r = trace_report::trace_report(self.net(), self.state(), from, to, &paths);
                    out.push_str(&trace_report::render_human(&r));
                }
                ["findings"] => {
                    out.push_str(&render_diagnostics(
                        &self.analysis.sources,
                        &self.findings(),
                        false,
                    ));
                }
                _ => panic!("{}: cannot show `{show}`", self.stem),
            }
            // One blank line between blocks, whatever each renderer ends with.
            while out.ends_with('\n') {
                out.pop();
            }
            out.push_str("\n\n");
        }
        out
    }

    fn snapshot(&self) {
        insta::assert_snapshot!(self.stem.as_str(), self.render());
    }

    // ---- control plane

    /// The AS path of `node`'s best route for exactly `prefix`.
    fn best_path(&self, node: &str, prefix: &str) -> Option<Vec<u32>> {
        self.state()
            .best(self.node(node), p(prefix))
            .map(|r| r.as_path.clone())
    }
    /// The neighbour `node`'s best route for `prefix` was learned from.
    fn best_from(&self, node: &str, prefix: &str) -> Option<String> {
        self.state()
            .best(self.node(node), p(prefix))
            .and_then(|r| r.from_node(self.net()))
            .map(|n| self.name(n))
    }
    /// The neighbours of `node`'s installed routes for `prefix` (several: ECMP).
    fn installed_from(&self, node: &str, prefix: &str) -> Vec<String> {
        self.state()
            .installed(self.node(node), p(prefix))
            .iter()
            .filter_map(|r| r.from_node(self.net()))
            .map(|n| self.name(n))
            .collect()
    }
    fn has(&self, node: &str, prefix: &str) -> bool {
        self.best_path(node, prefix).is_some()
    }

    // ---- effective routes

    fn effective(&self, subnet: &str) -> Vec<EffectiveRoute> {
        let net = self.net();
        let s = net
            .subnet_by_name(subnet)
            .unwrap_or_else(|| panic!("{}: no subnet `{subnet}`", self.stem));
        sim::effective_routes(net, self.state(), &Scenario::default(), s)
    }
    fn target(&self, t: FabricTarget) -> String {
        match t {
            FabricTarget::Nothing => "-".to_string(),
            FabricTarget::Address(a) => a.to_string(),
            FabricTarget::Node(n) => self.name(n),
            FabricTarget::Vnet(v) => self.net().vnets[v].name.clone(),
        }
    }
    /// The active effective routes of `subnet` for exactly `prefix`:
    /// (source, next hop type, next hop).
    fn active(&self, subnet: &str, prefix: &str) -> Vec<(RouteSource, NextHopType, String)> {
        self.effective(subnet)
            .into_iter()
            .filter(|r| r.prefix == p(prefix) && r.active)
            .map(|r| (r.source, r.next_hop_type, self.target(r.next_hop)))
            .collect()
    }
    /// Every effective route of `subnet` for exactly `prefix`, active or not.
    fn listed(&self, subnet: &str, prefix: &str) -> Vec<(RouteSource, NextHopType, bool)> {
        self.effective(subnet)
            .into_iter()
            .filter(|r| r.prefix == p(prefix))
            .map(|r| (r.source, r.next_hop_type, r.active))
            .collect()
    }

    // ---- data plane

    fn paths(&self, from: &str, to: Ipv4Addr) -> Vec<sim::Path> {
        let net = self.net();
        let src = sim::resolve_source(net, from)
            .unwrap_or_else(|| panic!("{}: unknown source `{from}`", self.stem));
        sim::trace(net, self.state(), &Scenario::default(), src, to)
    }
    fn trace(&self, from: &str, to: &str) -> Vec<Walk> {
        self.paths(from, to.parse().unwrap())
            .iter()
            .map(|p| {
                (
                    p.hops.iter().map(|h| self.name(h.node)).collect(),
                    p.disposition,
                    p.why,
                )
            })
            .collect()
    }
}

fn hops(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn bgp(nh: NextHopType, to: &str) -> (RouteSource, NextHopType, String) {
    (RouteSource::Bgp, nh, to.to_string())
}

fn appliance(ip: &str) -> (RouteSource, NextHopType, String) {
    bgp(NextHopType::VirtualAppliance, ip)
}

fn gateway(g: &str) -> (RouteSource, NextHopType, String) {
    bgp(NextHopType::VirtualNetworkGateway, g)
}

/// Loads a design and checks its snapshot.
fn design(stem: &str) -> Design {
    let d = load(stem);
    d.snapshot();
    d
}

#[test]
fn every_design_is_pinned() {
    let dir = format!("{}/tests/azure", env!("CARGO_MANIFEST_DIR"));
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "avs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let listed: Vec<String> = DESIGNS.iter().map(|s| s.to_string()).collect();
    assert_eq!(found, listed, "tests/azure/*.avs and DESIGNS differ");
    // Each listed design has its test function in this file.
    let me = include_str!("azure_behaviours.rs");
    for d in DESIGNS {
        let f = format!("fn {}()", d.replace('-', "_"));
        assert!(me.contains(&f), "no test `{f}` for tests/azure/{d}.avs");
    }
}

// ---- Route Server ----------------------------------------------------------------

#[test]
fn route_server_asn_65515() {
    let d = design("route-server-asn-65515");
    assert_eq!(d.net().nodes[d.node("ars")].asn, 65515);
    assert_eq!(d.best_path("fw", "10.100.0.0/16"), Some(vec![65515]));
    assert_eq!(d.best_path("ars", "10.50.0.0/16"), Some(vec![65010]));
}

#[test]
fn route_server_asn_fixed() {
    let d = design("route-server-asn-fixed");
    assert!(
        d.analysis.is_unusable(),
        "setting Route Server's ASN must be rejected"
    );
    assert_eq!(d.codes(), vec!["AVS0121"]);
    assert!(d.findings()[0].message.contains("unknown key `asn`"));
}

#[test]
fn route_server_16_bit_asn() {
    let d = design("route-server-16-bit-asn");
    assert_eq!(d.codes(), vec!["AVS0304"]);
    let (ars, big) = (d.node("ars"), d.node("fw_big"));
    let session = d
        .net()
        .sessions
        .values()
        .find(|s| (s.a == ars && s.b == big) || (s.a == big && s.b == ars))
        .unwrap();
    assert!(matches!(
        session.status,
        avscheck::ir::SessionStatus::Down(_)
    ));
    assert!(!d.has("ars", "10.60.0.0/16"));
    assert_eq!(d.best_path("ars", "10.50.0.0/16"), Some(vec![65010]));
}

#[test]
fn route_server_peer_limit() {
    let d = design("route-server-peer-limit");
    assert_eq!(d.codes(), vec!["AVS0321"]);
    let f = &d.findings()[0];
    assert!(f.is_error());
    assert!(f.message.contains("9 BGP peers, over its limit of 8"));
}

#[test]
fn route_server_control_plane_only() {
    let d = design("route-server-control-plane-only");
    let ars = d.node("ars");
    assert!(d.net().nodes[ars].behaviours.control_plane_only);
    assert_eq!(
        d.active("hub/default", "10.50.0.0/16"),
        vec![appliance("10.100.1.4")]
    );
    let walks = d.trace("hub/default", "10.50.0.5");
    assert_eq!(
        walks,
        vec![(hops(&["fw"]), Disposition::Dropped, Why::StaticDrop)]
    );
    assert!(walks
        .iter()
        .all(|(h, _, _)| !h.contains(&"ars".to_string())));
}

#[test]
fn route_server_keeps_next_hop() {
    let d = design("route-server-keeps-next-hop");
    let r = d
        .state()
        .best(d.node("ergw"), p("10.50.0.0/16"))
        .cloned()
        .unwrap();
    assert_eq!(
        r.next_hop,
        sim::NextHop::Address("10.100.1.10".parse().unwrap())
    );
    assert_eq!(
        r.as_path,
        vec![65010],
        "Route Server passes the AS path on unchanged"
    );
    let tags: Vec<_> = r.tags.iter().map(|t| d.net().tags[*t].community).collect();
    assert_eq!(tags, vec![Some((65010, 100))], "and the communities");
    assert_eq!(
        d.active("hub/default", "10.50.0.0/16"),
        vec![appliance("10.100.1.10")]
    );
    assert_eq!(
        d.trace("hub/default", "10.50.0.5"),
        vec![(hops(&["lb"]), Disposition::Dropped, Why::StaticDrop)]
    );
}

#[test]
fn route_server_programs_own_nic() {
    let d = design("route-server-programs-own-nic");
    assert_eq!(
        d.active("fw_subnet", "0.0.0.0/0"),
        vec![appliance("10.100.1.4")],
        "the NVA's own subnet holds 0.0.0.0/0 -> VirtualAppliance its own IP"
    );
    let walks = d.trace("fw", "8.8.8.8");
    assert_eq!(walks.len(), 1);
    assert_eq!(walks[0].1, Disposition::Loop);
    assert_eq!(walks[0].0.last().map(String::as_str), Some("fw"));
    // The loop's counterexample points at fw's subnet, where the UDR belongs — from
    // z3 (the symbolic path) as from the simulator's (the concrete path).
    let text = format!(
        "{}\ncheck \"loops\" {{ loop_free }}\n",
        std::fs::read_to_string(format!(
            "{}/tests/azure/route-server-programs-own-nic.avs",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    );
    let a = avscheck::analyse("own-nic.avs", &text);
    let net = a.network.clone().unwrap();
    let c = net.checks.ids().next().unwrap();
    let z = avscheck::smt::verify_check(&net, c, &avscheck::smt::VerifyOptions::default());
    assert_eq!(z.status, avscheck::smt::Status::Fail);
    let want =
        "back into `fw`'s own NIC here (next hop `fw`), and no UDR on `fw_subnet` overrides it";
    let zcx = z.counterexample.unwrap();
    assert!(
        zcx.labels.iter().any(|l| l.message.contains(want)),
        "{:?}",
        zcx.labels
    );
    let v = avscheck::verify(&a, &avscheck::VerifyOptions::default());
    let cx = v.checks[0].counterexample.as_ref().unwrap();
    assert_eq!(cx.paths[0].disposition, "loop");
}

#[test]
fn route_server_own_nic_udr() {
    let d = design("route-server-own-nic-udr");
    assert_eq!(
        d.listed("fw_subnet", "0.0.0.0/0"),
        vec![
            (RouteSource::User, NextHopType::Internet, true),
            (RouteSource::Bgp, NextHopType::VirtualAppliance, false),
            (RouteSource::Default, NextHopType::Internet, false),
        ]
    );
    assert_eq!(
        d.trace("fw", "8.8.8.8"),
        vec![(
            hops(&["fw", "internet"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.trace("hub/default", "8.8.8.8"),
        vec![(
            hops(&["fw", "internet"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
}

#[test]
fn route_server_programs_spokes() {
    let d = design("route-server-programs-spokes");
    assert_eq!(
        d.active("spoke1/default", "10.50.0.0/16"),
        vec![appliance("10.100.1.4")]
    );
    assert!(d.listed("spoke2/default", "10.50.0.0/16").is_empty());
    assert_eq!(
        d.trace("spoke1/default", "10.50.0.5"),
        vec![(hops(&["fw"]), Disposition::Dropped, Why::StaticDrop)]
    );
    let spoke2 = d.trace("spoke2/default", "10.50.0.5");
    assert!(spoke2
        .iter()
        .all(|(h, _, _)| !h.contains(&"fw".to_string())));
}

#[test]
fn route_server_ecmp_equal_as_path() {
    let d = design("route-server-ecmp-equal-as-path");
    assert_eq!(d.installed_from("ars", "10.50.0.0/16"), vec!["fw1", "fw2"]);
    assert_eq!(
        d.active("hub/default", "10.50.0.0/16"),
        vec![appliance("10.100.1.4"), appliance("10.100.1.5")]
    );
    assert_eq!(
        d.trace("hub/default", "10.50.0.5"),
        vec![
            (hops(&["fw1"]), Disposition::Dropped, Why::StaticDrop),
            (hops(&["fw2"]), Disposition::Dropped, Why::StaticDrop),
        ]
    );
}

#[test]
fn route_server_shorter_as_path_wins() {
    let d = design("route-server-shorter-as-path-wins");
    assert_eq!(d.installed_from("ars", "10.50.0.0/16"), vec!["fw1"]);
    assert_eq!(
        d.active("hub/default", "10.50.0.0/16"),
        vec![appliance("10.100.1.4")]
    );
}

#[test]
fn route_server_ignores_vnet_prefixes() {
    let d = design("route-server-ignores-vnet-prefixes");
    assert_eq!(d.codes(), vec!["AVS0320", "AVS0320"]);
    // Route Server learns them, but programs none of them.
    assert!(d.has("ars", "10.100.5.0/24"));
    assert!(d.listed("hub/default", "10.100.5.0/24").is_empty());
    assert_eq!(
        d.listed("hub/default", "10.100.0.0/16"),
        vec![(RouteSource::Default, NextHopType::VnetLocal, true)]
    );
    // The supernet is programmed.
    assert_eq!(
        d.active("hub/default", "10.0.0.0/8"),
        vec![appliance("10.100.1.4")]
    );
    let walks = d.trace("hub/default", "10.100.5.4");
    assert_eq!(walks.len(), 1);
    assert_eq!(walks[0].1, Disposition::Delivered);
    assert!(
        walks[0].0.is_empty(),
        "delivered by the fabric, through no node"
    );
}

#[test]
fn route_server_no_advertise() {
    let d = design("route-server-no-advertise");
    assert_eq!(
        d.active("hub/default", "10.50.0.0/16"),
        vec![appliance("10.100.1.4")]
    );
    for n in ["ergw", "fw2", "dc1"] {
        assert!(
            !d.has(n, "10.50.0.0/16"),
            "{n} must not learn the NO_ADVERTISE route"
        );
        assert!(d.has(n, "10.60.0.0/16"), "{n} learns the untagged route");
    }
}

#[test]
fn route_server_total_limit() {
    let d = design("route-server-total-limit");
    assert_eq!(d.codes(), vec!["AVS0502"]);
    // Routing is unchanged: ars still holds and programs fw's prefixes.
    assert!(d.has("ars", "172.16.3.0/24"));
    assert!(d.has("ars_ok", "172.16.3.0/24"));
}

#[test]
fn route_server_route_limit() {
    let d = design("route-server-route-limit");
    let dropped: Vec<(String, String, usize, u32)> = d
        .state()
        .dropped
        .iter()
        .map(|x| {
            let e = &d.net().edges[x.edge];
            (d.name(e.from), d.name(e.to), x.accepted, x.limit.max)
        })
        .collect();
    assert_eq!(
        dropped,
        vec![("fw_a".to_string(), "ars_a".to_string(), 1001, 1000)]
    );
    assert_eq!(d.codes(), vec!["AVS0501"]);
    // Over a limit is `fail`, not `unknown`, with the dropped session named.
    assert_eq!(
        d.verdicts(),
        vec![(
            "hub_a reaches what fw_a announces".to_string(),
            CheckStatus::Fail
        )]
    );
    let v = avscheck::verify(&d.analysis, &avscheck::VerifyOptions::default());
    let reason = v.checks[0].reason.clone().unwrap_or_default();
    assert!(
        reason.contains(
            "the session `fw_a`–`ars_a` is dropped: `ars_a` receives 1001 prefixes from `fw_a`, over its limit of 1000"
        ),
        "{reason}"
    );
    assert!(!d.has("ars_a", "172.16.0.0/24"));
    assert!(d.listed("hub_a/default", "172.16.0.0/24").is_empty());
    assert!(d.has("ars_b", "172.16.0.0/24"));
    assert_eq!(
        d.active("hub_b/default", "172.19.232.0/24"),
        vec![appliance("10.200.0.4")]
    );
}

#[test]
fn route_server_branch_to_branch_off() {
    let d = design("route-server-branch-to-branch-off");
    let internal = d
        .net()
        .sessions
        .values()
        .filter(|s| s.kind == SessionKind::Internal)
        .count();
    assert_eq!(internal, 0, "no Route Server <-> gateway session while off");
    assert!(!d.has("ergw", "10.50.0.0/16"));
    assert!(!d.has("dc1", "10.50.0.0/16"));
    assert!(!d.has("fw", "10.2.0.0/16"));
    // The VNet still gets both.
    assert_eq!(
        d.active("hub/default", "10.50.0.0/16"),
        vec![appliance("10.100.1.4")]
    );
    assert_eq!(
        d.active("hub/default", "10.2.0.0/16"),
        vec![gateway("ergw")]
    );
}

#[test]
fn route_server_branch_to_branch_on() {
    let d = design("route-server-branch-to-branch-on");
    assert_eq!(d.best_path("ergw", "10.50.0.0/16"), Some(vec![65010]));
    assert_eq!(d.best_path("dc1", "10.50.0.0/16"), Some(vec![12076]));
    assert_eq!(
        d.best_path("fw", "10.2.0.0/16"),
        Some(vec![65515, 12076, 65200])
    );
    assert_eq!(
        d.trace("dc1", "10.50.0.5"),
        vec![(
            hops(&["dc1", "er_dc", "ergw", "fw"]),
            Disposition::Dropped,
            Why::StaticDrop
        )]
    );
}

#[test]
fn route_server_vpn_vs_nva_shortest_as_path() {
    let d = design("route-server-vpn-vs-nva-shortest-as-path");
    // Both sides of the choice exist ...
    assert_eq!(d.best_path("vpngw", "10.60.0.0/16"), Some(vec![65200]));
    let ars = d.state().rib(d.node("ars")).unwrap();
    assert!(ars
        .get(&p("10.60.0.0/16"))
        .unwrap()
        .candidates
        .iter()
        .any(|r| r.as_path == vec![65010, 65010, 65010]));
    // ... and the hub programs only the shorter (VPN) one.
    assert_eq!(
        d.active("hub/default", "10.60.0.0/16"),
        vec![gateway("vpngw")]
    );
    assert_eq!(
        d.trace("hub/default", "10.60.0.5"),
        vec![(
            hops(&["vpngw", "dc1"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.verdicts(),
        vec![
            verdict("the hub reaches 10.60.0.0/16 over VPN", CheckStatus::Pass),
            verdict(
                "the hub's packets for 10.60.0.0/16 avoid the NVA",
                CheckStatus::Pass
            ),
        ]
    );
    use avscheck::smt::Status;
    assert_eq!(d.z3(), vec![Status::Pass, Status::Pass]);
}

// ---- Reserved ASNs ---------------------------------------------------------------

#[test]
fn reserved_asn() {
    let d = design("reserved-asn");
    assert!(d.analysis.has_errors());
    // A finding, not unusable input (LANGUAGE.md §3–4): the design is still lowered
    // and checked, and the run exits with status 1, not 2.
    assert!(!d.analysis.is_unusable());
    let reserved: Vec<String> = d
        .findings()
        .iter()
        .filter(|x| x.code == "AVS0200")
        .map(|x| x.message.clone())
        .collect();
    for asn in [
        "65515", "12076", "8075", "65518", "23456", "64500", "65535", "65540", "8074",
    ] {
        assert!(
            reserved.iter().any(|m| m.contains(&format!("`{asn}`"))),
            "AS{asn} must be reported: {reserved:#?}"
        );
    }
    assert!(!reserved
        .iter()
        .any(|m| m.contains("65010") || m.contains("398656")));
}

// ---- ExpressRoute ----------------------------------------------------------------

#[test]
fn er_gateway_no_transit_routes() {
    let d = design("er-gateway-no-transit-routes");
    assert!(d.has("ergw", "10.1.0.0/22") && d.has("ergw", "10.2.0.0/16"));
    assert!(!d.has("dc1", "10.1.0.0/22") && !d.has("dc1", "10.1.16.0/20"));
    assert!(!d.has("avs1", "10.2.0.0/16"));
    assert!(!d.has("er_dc", "10.1.0.0/22") && !d.has("er_avs", "10.2.0.0/16"));
    assert_eq!(
        d.trace("dc1", "10.1.0.5"),
        vec![(hops(&["dc1"]), Disposition::NoRoute, Why::NoRoute)]
    );
}

#[test]
fn er_gateway_no_transit_packets() {
    let d = design("er-gateway-no-transit-packets");
    assert_eq!(d.best_path("dc1", "10.0.0.0/8"), Some(vec![12076]));
    assert_eq!(
        d.active("hub/GatewaySubnet", "10.1.0.0/22"),
        vec![gateway("ergw")]
    );
    assert_eq!(
        d.trace("dc1", "10.1.0.5"),
        vec![(
            hops(&["dc1", "er_dc", "ergw"]),
            Disposition::Dropped,
            Why::NoTransit
        )]
    );
}

#[test]
fn er_gateway_advertises() {
    let d = design("er-gateway-advertises");
    for prefix in ["10.100.0.0/16", "10.101.0.0/16", "10.50.0.0/16"] {
        assert_eq!(d.best_path("dc1", prefix), Some(vec![12076]), "{prefix}");
    }
    assert!(!d.has("dc1", "10.102.0.0/16"));
}

#[test]
fn er_msee_strips_private_asns() {
    let d = design("er-msee-strips-private-asns");
    assert_eq!(
        d.best_path("er_dc", "10.50.0.0/16"),
        Some(vec![65515, 65010, 65010, 65010, 65010])
    );
    assert_eq!(d.net().nodes[d.node("er_dc")].asn, 12076);
    assert_eq!(d.net().nodes[d.node("ergw")].asn, 65515);
    assert_eq!(
        d.best_path("er_dc", "10.100.0.0/16"),
        Some(vec![65515]),
        "the gateway is AS 65515"
    );
    assert_eq!(
        d.best_path("dc1", "10.50.0.0/16"),
        Some(vec![12076]),
        "on-prem sees AS path [12076]"
    );
    assert_eq!(d.best_path("dc1", "10.100.0.0/16"), Some(vec![12076]));
}

#[test]
fn er_msee_path_inside_azure() {
    let d = design("er-msee-path-inside-azure");
    assert_eq!(d.best_path("ergw", "10.2.0.0/16"), Some(vec![12076, 65200]));
    assert_eq!(d.best_path("ars", "10.2.0.0/16"), Some(vec![12076, 65200]));
    assert_eq!(
        d.best_path("fw", "10.2.0.0/16"),
        Some(vec![65515, 12076, 65200])
    );
}

#[test]
fn er_default_route_accepted() {
    let d = design("er-default-route-accepted");
    assert_eq!(d.best_path("dc1", "0.0.0.0/0"), Some(vec![12076]));
    assert_eq!(d.best_path("avs1", "0.0.0.0/0"), Some(vec![12076]));
    assert_eq!(
        d.trace("avs1", "8.8.8.8"),
        vec![(
            hops(&["avs1", "er_avs", "ergw", "fw", "internet"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
}

#[test]
fn er_prefix_limit() {
    let d = design("er-prefix-limit");
    let dropped: Vec<(String, String, usize, u32)> = d
        .state()
        .dropped
        .iter()
        .map(|x| {
            let e = &d.net().edges[x.edge];
            (d.name(e.from), d.name(e.to), x.accepted, x.limit.max)
        })
        .collect();
    assert_eq!(
        dropped,
        vec![("dc1".to_string(), "er_std".to_string(), 4001, 4000)]
    );
    assert_eq!(d.codes(), vec!["AVS0501"]);
    // The premium circuit's limit is 10,000, so its session stays.
    let prem = d.node("er_prem");
    let dc1 = d.node("dc1");
    let limit = d
        .net()
        .edges
        .values()
        .find(|e| e.from == dc1 && e.to == prem)
        .and_then(|e| e.max_routes)
        .map(|l| l.max);
    assert_eq!(limit, Some(10_000));
    assert_eq!(d.installed_from("ergw", "172.31.160.0/24"), vec!["er_prem"]);
    assert!(!d.has("er_std", "172.16.0.0/24"));
}

#[test]
fn er_prefix_limit_to_on_prem() {
    let d = design("er-prefix-limit-to-on-prem");
    let dropped: Vec<(String, String, usize, u32)> = d
        .state()
        .dropped
        .iter()
        .map(|x| {
            let e = &d.net().edges[x.edge];
            (d.name(e.from), d.name(e.to), x.accepted, x.limit.max)
        })
        .collect();
    assert_eq!(
        dropped,
        vec![("ergw".to_string(), "er_dc".to_string(), 1002, 1000)]
    );
    assert!(
        !d.has("dc1", "10.100.0.0/16"),
        "the session is down: nothing learned"
    );
    assert!(
        d.has("ergw", "172.19.232.0/24"),
        "Route Server's session stays"
    );
}

#[test]
fn er_routing_preference_expressroute() {
    let d = design("er-routing-preference-expressroute");
    for prefix in ["10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16"] {
        assert_eq!(
            d.active("hub/default", prefix),
            vec![gateway("ergw")],
            "{prefix}"
        );
        assert_eq!(
            d.best_from("ergw", prefix).as_deref(),
            Some("er_dc"),
            "{prefix}"
        );
    }
    assert_eq!(
        d.trace("hub/default", "10.2.0.5"),
        vec![(
            hops(&["ergw", "er_dc", "dc1"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
}

#[test]
fn er_routing_preference_vpn_nva() {
    let d = design("er-routing-preference-vpn-nva");
    for prefix in ["10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16"] {
        assert_eq!(
            d.active("hub/default", prefix),
            vec![appliance("10.100.1.4")],
            "{prefix}"
        );
        assert_eq!(
            d.best_from("ergw", prefix).as_deref(),
            Some("ars"),
            "{prefix}"
        );
    }
    assert_eq!(
        d.trace("hub/default", "10.2.0.5"),
        vec![(hops(&["fw"]), Disposition::Dropped, Why::StaticDrop)]
    );
}

#[test]
fn er_routing_preference_as_path() {
    let d = design("er-routing-preference-as-path");
    assert_eq!(
        d.active("hub/default", "10.2.0.0/16"),
        vec![appliance("10.100.1.4")],
        "the NVA's shorter path wins"
    );
    assert_eq!(
        d.active("hub/default", "10.3.0.0/16"),
        vec![gateway("ergw")],
        "ExpressRoute's shorter path wins"
    );
    assert_eq!(
        d.active("hub/default", "10.4.0.0/16"),
        vec![gateway("ergw")],
        "a tie goes to ExpressRoute"
    );
    assert_eq!(
        d.trace("hub/default", "10.2.0.5"),
        vec![(hops(&["fw"]), Disposition::Dropped, Why::StaticDrop)]
    );
}

#[test]
fn er_connection_weight() {
    let d = design("er-connection-weight");
    assert_eq!(d.best_from("ergw", "10.2.0.0/16").as_deref(), Some("er2"));
    assert_eq!(
        d.best_path("ergw", "10.2.0.0/16"),
        Some(vec![12076, 65200, 65200, 65200])
    );
    assert_eq!(
        d.trace("hub/default", "10.2.0.5"),
        vec![(
            hops(&["ergw", "er2", "dc1"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    // `avscheck routes` shows the weights as configured: 100 on er2's route, 0 on
    // er1's (the decision weight, 1 + the connection's, is internal).
    let r = routes_report::routes_report(d.net(), d.state(), &Scenario::default(), Some("ergw"))
        .unwrap();
    let weights: Vec<(String, Option<String>, u32)> = r
        .nodes
        .iter()
        .flat_map(|n| n.routes.iter())
        .map(|l| (l.prefix.clone(), l.from.clone(), l.weight))
        .collect();
    assert_eq!(
        weights,
        vec![
            ("10.2.0.0/16".to_string(), Some("er2".to_string()), 100),
            ("10.2.0.0/16".to_string(), Some("er1".to_string()), 0),
            ("10.100.0.0/16".to_string(), None, 32768),
        ]
    );
}

// ---- Global Reach ----------------------------------------------------------------

#[test]
fn global_reach_as_path() {
    let d = design("global-reach-as-path");
    assert_eq!(
        d.best_path("ergw_w", "10.1.0.0/22"),
        Some(vec![12076, 398656]),
        "directly"
    );
    assert_eq!(
        d.best_path("ergw_n", "10.1.0.0/22"),
        Some(vec![12076, 12076, 12076, 398656]),
        "through Global Reach"
    );
    assert_eq!(
        d.best_path("dc1", "10.100.0.0/16"),
        Some(vec![12076, 12076, 12076]),
        "a gateway-learned route crosses Global Reach (private ASNs stripped)"
    );
    assert!(
        !d.has("ergw_n", "10.100.0.0/16"),
        "not back into a gateway: 65515 loop prevention"
    );
    assert_eq!(
        d.trace("dc1", "10.1.0.5"),
        vec![(
            hops(&["dc1", "er_dc", "er_avs", "avs1"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.trace("avs1", "10.2.0.5"),
        vec![(
            hops(&["avs1", "er_avs", "er_dc", "dc1"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
}

// ---- AVS -------------------------------------------------------------------------

#[test]
fn avs_default_asn() {
    let d = design("avs-default-asn");
    assert_eq!(d.net().nodes[d.node("avs1")].asn, 398656);
    assert_eq!(
        d.best_path("ergw", "10.1.0.0/22"),
        Some(vec![12076, 398656])
    );
    assert_eq!(
        d.best_path("ergw", "10.3.0.0/22"),
        Some(vec![12076, 4_200_000_001])
    );
}

#[test]
fn avs_rejects_bogons() {
    let d = design("avs-rejects-bogons");
    for accepted in [
        "0.0.0.0/0",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "172.20.1.0/24",
        "192.168.0.0/16",
        "203.0.113.0/24",
    ] {
        assert!(d.has("avs1", accepted), "AVS accepts {accepted}");
    }
    for bogon in [
        "0.0.0.0/1",
        "128.0.0.0/1",
        "0.0.0.0/5",
        "192.0.0.0/3",
        "100.64.0.0/10",
        "100.64.1.0/24",
    ] {
        assert!(d.has("er_avs", bogon), "the circuit offers {bogon}");
        assert!(!d.has("avs1", bogon), "AVS refuses {bogon}");
    }
}

#[test]
fn avs_ecmp_across_circuits() {
    let d = design("avs-ecmp-across-circuits");
    assert_eq!(d.installed_from("avs1", "10.0.0.0/8"), vec!["er_w", "er_n"]);
    assert_eq!(
        d.best_path("er_w", "10.0.0.0/8"),
        Some(vec![65515, 65010, 65010, 65010, 65010]),
        "the prepends reach the MSEE"
    );
    let walks = d.trace("avs1", "10.2.0.5");
    assert_eq!(walks.len(), 2, "one branch per circuit");
    assert_eq!(walks[0].0, hops(&["avs1", "er_w", "ergw_w", "fw_w"]));
    assert_eq!(walks[1].0, hops(&["avs1", "er_n", "ergw_n", "fw_n"]));
}

#[test]
fn avs_advertises_only_originated() {
    let d = design("avs-advertises-only-originated");
    assert!(
        d.has("avs1", "10.2.0.0/16"),
        "AVS learns on-premises over Global Reach"
    );
    assert!(!d.has("er_hub", "10.2.0.0/16"));
    assert!(!d.has("ergw", "10.2.0.0/16"));
    assert_eq!(
        d.best_path("ergw", "10.1.0.0/22"),
        Some(vec![12076, 398656])
    );
}

// ---- The VNet fabric ---------------------------------------------------------------

#[test]
fn fabric_nva_forwards_by_subnet_routes() {
    let d = design("fabric-nva-forwards-by-subnet-routes");
    assert_eq!(d.best_from("fw", "10.2.0.0/16").as_deref(), Some("ars"));
    assert_eq!(
        d.active("fw_subnet", "10.2.0.0/16"),
        vec![(
            RouteSource::User,
            NextHopType::VirtualAppliance,
            "10.100.2.4".to_string()
        )]
    );
    assert_eq!(
        d.trace("fw", "10.2.0.5"),
        vec![(
            hops(&["fw", "inspect", "ergw", "er_dc", "dc1"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
}

#[test]
fn fabric_system_routes() {
    let d = design("fabric-system-routes");
    let sys = |prefix: &str, t: NextHopType| {
        assert_eq!(
            d.listed("app", prefix),
            vec![(RouteSource::Default, t, true)],
            "{prefix}"
        );
    };
    sys("10.100.0.0/16", NextHopType::VnetLocal);
    sys("10.110.0.0/16", NextHopType::VNetPeering);
    sys("0.0.0.0/0", NextHopType::Internet);
    sys("172.16.0.0/12", NextHopType::None);
    sys("192.168.0.0/16", NextHopType::None);
    sys("100.64.0.0/10", NextHopType::None);
    sys("10.0.0.0/8", NextHopType::None);
    assert_eq!(d.active("app", "10.2.0.0/16"), vec![gateway("ergw")]);
    assert_eq!(
        d.active("app", "10.50.0.0/16"),
        vec![appliance("10.100.1.4")]
    );
    assert_eq!(
        d.trace("app", "10.50.1.5"),
        vec![(vec![], Disposition::Dropped, Why::UdrNone)],
        "the longer UDR wins over the BGP /16"
    );
    assert_eq!(
        d.trace("app", "10.50.2.5"),
        vec![(hops(&["fw"]), Disposition::Dropped, Why::StaticDrop)]
    );
    assert_eq!(
        d.trace("app", "10.110.0.5"),
        vec![(vec![], Disposition::Delivered, Why::Delivered)]
    );
}

#[test]
fn fabric_udr_beats_bgp() {
    let d = design("fabric-udr-beats-bgp");
    assert_eq!(
        d.listed("app", "10.2.0.0/16"),
        vec![
            (RouteSource::User, NextHopType::VirtualAppliance, true),
            (RouteSource::Bgp, NextHopType::VirtualNetworkGateway, false),
        ]
    );
    assert_eq!(
        d.listed("app", "0.0.0.0/0"),
        vec![
            (RouteSource::Bgp, NextHopType::VirtualAppliance, true),
            (RouteSource::Default, NextHopType::Internet, false),
        ]
    );
    assert_eq!(
        d.trace("app", "10.2.0.5"),
        vec![(
            hops(&["fw", "ergw", "er_dc", "dc1"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.trace("app", "8.8.8.8"),
        vec![(
            hops(&["fw", "internet"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
}

#[test]
fn fabric_vnet_beats_more_specific_bgp() {
    let d = design("fabric-vnet-beats-more-specific-bgp");
    assert!(d.has("ergw", "10.100.5.0/24") && d.has("ergw", "10.110.5.0/24"));
    assert!(d.listed("hub/default", "10.100.5.0/24").is_empty());
    assert!(d.listed("hub/default", "10.110.5.0/24").is_empty());
    assert_eq!(
        d.active("hub/default", "10.2.0.0/16"),
        vec![gateway("ergw")]
    );
    let hub = d.paths("hub/default", "10.100.5.4".parse().unwrap());
    let spoke = d.paths("hub/default", "10.110.5.4".parse().unwrap());
    for (walks, subnet) in [(hub, "hub/default"), (spoke, "spoke/default")] {
        assert_eq!(walks.len(), 1);
        assert!(walks[0].hops.is_empty(), "no gateway on the path");
        let s = d.net().subnet_by_name(subnet).unwrap();
        assert_eq!(walks[0].delivered_to, Some(sim::Owner::Subnet(s)));
    }
}

#[test]
fn fabric_rfc1918_none_removed() {
    let d = design("fabric-rfc1918-none-removed");
    let none = vec![(RouteSource::Default, NextHopType::None, true)];
    for block in [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
    ] {
        assert_eq!(
            d.listed("corp/default", block),
            none,
            "{block}: a VNet inside the block keeps its None route"
        );
        assert!(
            d.listed("egress", block).is_empty(),
            "{block}: a UDR 0/0 removes the None routes"
        );
    }
    assert_eq!(
        d.listed("lab/default", "192.168.0.0/16"),
        vec![(RouteSource::Default, NextHopType::VnetLocal, true)],
        "a VNet equal to the block: VnetLocal, no None"
    );
    assert_eq!(d.listed("lab/default", "10.0.0.0/8"), none);
    assert!(
        d.listed("wide/default", "172.16.0.0/12").is_empty(),
        "a VNet including the block removes it"
    );
    assert_eq!(
        d.trace("corp/default", "10.7.0.5"),
        vec![(vec![], Disposition::Dropped, Why::SystemNone)]
    );
    assert_eq!(
        d.trace("egress", "10.7.0.5"),
        vec![(
            hops(&["internet"]),
            Disposition::Dropped,
            Why::InternetDrops
        )]
    );
}

#[test]
fn fabric_propagation_off() {
    let d = design("fabric-propagation-off");
    assert_eq!(d.active("app", "10.2.0.0/16"), vec![gateway("ergw")]);
    assert_eq!(
        d.active("app", "10.50.0.0/16"),
        vec![appliance("10.100.1.4")]
    );
    let bgp_routes = d
        .effective("isolated")
        .iter()
        .filter(|r| r.source == RouteSource::Bgp)
        .count();
    assert_eq!(bgp_routes, 0, "neither gateway nor Route Server routes");
    assert_eq!(
        d.active("isolated", "10.60.0.0/16"),
        vec![(
            RouteSource::User,
            NextHopType::VirtualAppliance,
            "10.100.1.4".to_string()
        )]
    );
    assert_eq!(
        d.trace("isolated", "10.2.0.5"),
        vec![(vec![], Disposition::Dropped, Why::SystemNone)]
    );
}

#[test]
fn fabric_udr_next_hop_types() {
    let d = design("fabric-udr-next-hop-types");
    let user: Vec<NextHopType> = d
        .effective("app")
        .iter()
        .filter(|r| r.source == RouteSource::User)
        .map(|r| r.next_hop_type)
        .collect();
    assert_eq!(
        user,
        vec![
            NextHopType::Internet,
            NextHopType::VirtualAppliance,
            NextHopType::None,
            NextHopType::VnetLocal
        ]
    );
    assert_eq!(
        d.trace("app", "10.60.0.5"),
        vec![(hops(&["fw"]), Disposition::Dropped, Why::StaticDrop)]
    );
    assert_eq!(
        d.trace("app", "8.8.8.8"),
        vec![(hops(&["internet"]), Disposition::Delivered, Why::Delivered)]
    );
    assert_eq!(
        d.trace("app", "10.70.0.5"),
        vec![(vec![], Disposition::Dropped, Why::UdrNone)]
    );
    assert_eq!(
        d.trace("app", "10.100.9.5"),
        vec![(vec![], Disposition::Delivered, Why::Delivered)]
    );
}

#[test]
fn fabric_spoke_remote_gateway() {
    let d = design("fabric-spoke-remote-gateway");
    assert_eq!(
        d.active("spoke1/default", "10.2.0.0/16"),
        vec![gateway("ergw")]
    );
    assert_eq!(
        d.active("spoke1/default", "10.50.0.0/16"),
        vec![appliance("10.100.1.4")]
    );
    let bgp_routes = d
        .effective("spoke2/default")
        .iter()
        .filter(|r| r.source == RouteSource::Bgp)
        .count();
    assert_eq!(bgp_routes, 0);
    assert_eq!(
        d.trace("dc1", "10.101.0.5"),
        vec![(
            hops(&["dc1", "er_dc", "ergw"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.trace("dc1", "10.102.0.5"),
        vec![(hops(&["dc1"]), Disposition::NoRoute, Why::NoRoute)]
    );
}

// ---- Two regions -------------------------------------------------------------------

#[test]
fn two_regions_plain_bgp_loops() {
    let d = design("two-regions-plain-bgp-loops");
    assert_eq!(d.best_from("fw_n", "10.1.0.0/22").as_deref(), Some("fw_w"));
    assert_eq!(
        d.active("fw_n_subnet", "10.1.0.0/22"),
        vec![appliance("10.200.1.4")],
        "the NVA's own subnet points at itself"
    );
    let walks = d.trace("dc1", "10.1.0.5");
    assert_eq!(walks.len(), 1);
    assert_eq!(walks[0].1, Disposition::Loop);
    assert_eq!(walks[0].0.last().map(String::as_str), Some("fw_n"));
}

#[test]
fn two_regions_route_server_loop_prevention() {
    let d = design("two-regions-route-server-loop-prevention");
    let path = d.best_path("fw_n", "10.1.0.0/22").unwrap();
    assert!(path.contains(&65515));
    assert!(
        !d.has("ars_n", "10.1.0.0/22"),
        "ars_n drops a path holding 65515"
    );
    assert!(!d.has("ergw_n", "10.1.0.0/22") && !d.has("dc1", "10.1.0.0/22"));
    assert_eq!(
        d.best_path("ars_w", "10.2.0.0/16"),
        Some(vec![65010, 65020, 65200]),
        "the cleaned direction passes"
    );
}

#[test]
fn two_regions_no_nva_routes_through_msee() {
    let d = design("two-regions-no-nva-routes-through-msee");
    assert_eq!(d.best_path("dc1", "10.50.0.0/16"), Some(vec![12076]));
    assert_eq!(
        d.best_from("er_dc", "10.50.0.0/16").as_deref(),
        Some("ergw_w")
    );
    for n in ["ergw_n", "ars_n", "fw_n"] {
        assert!(!d.has(n, "10.50.0.0/16"), "{n}");
    }
    assert!(d.listed("hub_n/default", "10.50.0.0/16").is_empty());
}

// ---- The hairpin -------------------------------------------------------------------

#[test]
fn hairpin_supernet_through_nva() {
    let d = design("hairpin-supernet-through-nva");
    assert_eq!(d.best_path("dc1", "10.0.0.0/8"), Some(vec![12076]));
    assert_eq!(d.best_path("avs1", "10.0.0.0/8"), Some(vec![12076]));
    assert_eq!(
        d.trace("dc1", "10.1.0.5"),
        vec![(
            hops(&["dc1", "er_dc", "ergw", "fw", "ergw", "er_avs", "avs1"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.trace("avs1", "10.2.0.5"),
        vec![(
            hops(&["avs1", "er_avs", "ergw", "fw", "ergw", "er_dc", "dc1"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.trace("dc1", "10.99.0.1"),
        vec![(
            hops(&["dc1", "er_dc", "ergw", "fw"]),
            Disposition::Dropped,
            Why::StaticDrop
        )],
        "the supernet attracts traffic for every address it covers"
    );
}

#[test]
fn hairpin_default_route_reaches_on_prem() {
    let d = design("hairpin-default-route-reaches-on-prem");
    assert_eq!(d.best_path("dc1", "0.0.0.0/0"), Some(vec![12076]));
    assert!(!d.has("dc2", "0.0.0.0/0"));
    assert_eq!(
        d.trace("dc1", "8.8.8.8"),
        vec![(
            hops(&["dc1", "er_dc1", "ergw", "fw", "internet"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.trace("dc2", "8.8.8.8"),
        vec![(hops(&["dc2"]), Disposition::NoRoute, Why::NoRoute)]
    );
}

// ---- Model defaults ----------------------------------------------------------------

#[test]
fn default_microsoft_loop_prevention() {
    let d = design("default-microsoft-loop-prevention");
    // MSEE 12076.
    assert!(!d.has("er_dc", "10.5.0.0/16"));
    // Gateway 65515.
    assert!(d.has("er_dc", "10.6.0.0/16") && !d.has("ergw", "10.6.0.0/16"));
    // AVS 398656, behind Global Reach (which itself has no loop check).
    assert!(d.has("er_avs", "10.7.0.0/16") && !d.has("avs1", "10.7.0.0/16"));
    assert!(d.has("ergw", "10.2.0.0/16") && d.has("avs1", "10.2.0.0/16"));
}

#[test]
fn default_route_server_gateway_internal() {
    let d = design("default-route-server-gateway-internal");
    let internal: Vec<(String, String)> = d
        .net()
        .sessions
        .values()
        .filter(|s| s.kind == SessionKind::Internal)
        .map(|s| (d.name(s.a), d.name(s.b)))
        .collect();
    assert_eq!(internal, vec![("ars".to_string(), "ergw".to_string())]);
    assert_eq!(d.best_path("ergw", "10.50.0.0/16"), Some(vec![65010]));
    assert_eq!(d.best_path("ars", "10.2.0.0/16"), Some(vec![12076, 65200]));
    assert_eq!(d.best_path("dc1", "10.50.0.0/16"), Some(vec![12076]));
}

// ---- Azure Firewall (v2) ------------------------------------------------------------

#[test]
fn azure_firewall_udr_only() {
    let d = design("azure-firewall-udr-only");
    let afw = d.node("afw");
    let net = d.net();
    assert!(net.nodes[afw].behaviours.fabric_subnet.is_some());
    assert!(
        !net.sessions.values().any(|s| s.a == afw || s.b == afw),
        "Azure Firewall speaks no BGP"
    );
    assert!(d.state().rib(afw).is_none_or(|r| r.is_empty()));
    assert_eq!(
        d.active("AzureFirewallSubnet", "10.91.0.0/16"),
        vec![gateway("gw")]
    );
    assert_eq!(
        d.trace("app", "10.91.0.5"),
        vec![(
            hops(&["afw", "gw", "er_corp", "corp"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.trace("corp", "10.191.1.5"),
        vec![(
            hops(&["corp", "er_corp", "gw"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    let check = net.checks.values().next().unwrap();
    let ev = sim::evaluate_with_failures(net, &check.properties[0]);
    assert!(
        matches!(ev.outcome, sim::PropertyOutcome::Violated(_)),
        "the firewall counts as an NVA for `symmetric`: {:?}",
        ev.outcome
    );
}

// ---- Internal load balancer (v2) ------------------------------------------------------

fn verdict(title: &str, status: CheckStatus) -> (String, CheckStatus) {
    (title.to_string(), status)
}

#[test]
fn load_balancer_spreads_flows() {
    let d = design("load-balancer-spreads-flows");
    assert_eq!(
        d.active("app", "0.0.0.0/0"),
        vec![(
            RouteSource::User,
            NextHopType::VirtualAppliance,
            "10.170.1.100".to_string()
        )]
    );
    let delivered = |fw: &str| {
        (
            hops(&[fw, "gw", "er_corp", "corp"]),
            Disposition::Delivered,
            Why::Delivered,
        )
    };
    assert_eq!(
        d.trace("app", "10.71.0.5"),
        vec![delivered("fw1"), delivered("fw2")]
    );
    let paths = d.paths("app", "10.71.0.5".parse().unwrap());
    assert!(paths
        .iter()
        .all(|p| matches!(p.hops[0].arrival, sim::Arrival::LoadBalancer(0))));
    let net = d.net();
    let fw1 = net.nodes[d.node("fw1")].component;
    assert_eq!(
        net.components[fw1].kind,
        avscheck::ir::ComponentKind::Backend
    );
    assert!(net.components[fw1].kind.can_fail());
    assert_eq!(
        d.verdicts(),
        vec![
            verdict(
                "one load balancer both ways keeps flows symmetric",
                CheckStatus::Pass
            ),
            verdict("with fw1 down every flow takes fw2", CheckStatus::Pass),
            verdict(
                "with both backends down app still reaches corp",
                CheckStatus::Fail
            ),
        ]
    );
    // Both down: dropped at the frontend.
    let both = Scenario::new([fw1, net.nodes[d.node("fw2")].component]);
    let st = sim::stable_state(net, &both).unwrap();
    let src = sim::resolve_source(net, "app").unwrap();
    let p = sim::trace(net, &st, &both, src, "10.71.0.5".parse().unwrap());
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].why, Why::NoHealthyBackend);
}

#[test]
fn load_balancer_asymmetric_return() {
    let d = design("load-balancer-asymmetric-return");
    assert_eq!(
        d.active("hub/GatewaySubnet", "10.171.0.0/16"),
        vec![(
            RouteSource::User,
            NextHopType::VirtualAppliance,
            "10.170.1.4".to_string()
        )]
    );
    assert_eq!(
        d.trace("corp", "10.171.1.5"),
        vec![(
            hops(&["corp", "er_corp", "gw", "fw1"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.verdicts(),
        vec![verdict(
            "the return skips the load balancer",
            CheckStatus::Fail
        )]
    );
}

// ---- Ownership -------------------------------------------------------------------

#[test]
fn ownership_longest_prefix() {
    let d = design("ownership-longest-prefix");
    let hub = d.net().subnet_by_name("hub/default").unwrap();
    let walks = d.paths("corp", "10.120.0.5".parse().unwrap());
    assert_eq!(walks.len(), 1);
    assert_eq!(walks[0].disposition, Disposition::Delivered);
    assert_eq!(walks[0].delivered_to, Some(sim::Owner::Subnet(hub)));
    assert_eq!(
        d.trace("corp", "8.8.8.8"),
        vec![(hops(&["corp"]), Disposition::Delivered, Why::Delivered)]
    );
    // Both engines: the check holds.
    let net = d.net();
    for (cid, _) in net.checks.iter() {
        let v = avscheck::smt::verify_check(net, cid, &avscheck::smt::VerifyOptions::default());
        assert_eq!(v.status, avscheck::smt::Status::Pass);
    }
    for c in net.checks.values() {
        for prop in &c.properties {
            assert_eq!(
                sim::evaluate_with_failures(net, prop).outcome,
                sim::PropertyOutcome::Holds
            );
        }
    }
}

#[test]
fn ownership_node_destination() {
    let d = design("ownership-node-destination");
    // dc1's 10.0.0.0/8 does not make the hub's 10.100.0.0/16 a destination `dc1`.
    let net = d.net();
    let from = avscheck::ir::Endpoint::Subnet(net.subnet_by_name("hub/default").unwrap());
    let to = avscheck::ir::Endpoint::Node(d.node("dc1"));
    let dests = sim::props::destinations(net, &from, &to);
    assert!(!dests.is_empty());
    assert!(
        dests.iter().all(|a| !p("10.100.0.0/16").contains(a)),
        "{dests:?}"
    );
    assert!(
        dests.iter().any(|a| p("10.0.0.0/16").contains(a)),
        "{dests:?}"
    );
    assert_eq!(
        d.verdicts(),
        vec![
            verdict("the hub reaches on-premises", CheckStatus::Pass),
            verdict(
                "the hub and on-premises reach each other",
                CheckStatus::Pass
            ),
        ]
    );
    use avscheck::smt::Status;
    assert_eq!(d.z3(), vec![Status::Pass, Status::Pass]);
}

// ---- SD-WAN tunnels to sites over the internet (v2) ----------------------------------

#[test]
fn sdwan_tunnel_over_internet() {
    let d = design("sdwan-tunnel-over-internet");
    assert!(d.net().tunnels.values().all(|t| t.internet));
    assert_eq!(
        d.active("spoke/default", "192.168.61.0/24"),
        vec![appliance("10.160.1.4")]
    );
    assert_eq!(
        d.trace("spoke", "192.168.61.5"),
        vec![(
            hops(&["sdwan", "internet", "branch"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.trace("branch", "10.161.0.5"),
        vec![(
            hops(&["branch", "internet", "sdwan"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    let p = d.paths("branch", "10.161.0.5".parse().unwrap());
    assert!(p[0].hops[0].encapsulated.is_some(), "the site encapsulates");
    assert_eq!(
        p[0].hops[1].destination,
        "203.0.113.10".parse::<Ipv4Addr>().unwrap(),
        "the outer packet goes to the NVA's public address"
    );
    assert_eq!(
        d.verdicts().iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        vec![CheckStatus::Pass, CheckStatus::Pass]
    );
}

#[test]
fn static_next_hop_no_teleport() {
    let d = design("static-next-hop-no-teleport");
    // The island's static to fw (no link between them) is not installed.
    assert_eq!(d.codes(), vec!["AVS0358"]);
    assert!(d.net().nodes[d.node("island")].statics.is_empty());
    // fw's static to the island does not carry the packet there: fw hands it to its
    // subnet's fabric, which drops it.
    assert_eq!(
        d.trace("app", "10.9.0.5"),
        vec![(hops(&["fw"]), Disposition::Dropped, Why::SystemNone)]
    );
    assert_eq!(
        d.trace("island", "10.100.2.5"),
        vec![(hops(&["island"]), Disposition::NoRoute, Why::NoRoute)]
    );
    assert_eq!(
        d.verdicts(),
        vec![
            verdict("app reaches the island", CheckStatus::Fail),
            verdict("the island reaches app", CheckStatus::Fail),
        ]
    );
    use avscheck::smt::Status;
    assert_eq!(d.z3(), vec![Status::Fail, Status::Fail]);
}

// ---- VPN gateway (v2) -----------------------------------------------------------------

#[test]
fn vpn_gateway_er_preferred() {
    let d = design("vpn-gateway-er-preferred");
    assert_eq!(d.net().nodes[d.node("vpngw")].asn, 65515);
    assert_eq!(
        d.active("hub/default", "10.50.0.0/16"),
        vec![gateway("ergw")]
    );
    assert_eq!(
        d.active("hub/default", "192.168.81.0/24"),
        vec![gateway("vpngw")]
    );
    // The VPN gateway learns the data centre's routes through Route Server only.
    assert_eq!(d.best_from("vpngw", "10.82.0.0/16").as_deref(), Some("rs"));
    assert_eq!(
        d.trace("corp", "192.168.81.5"),
        vec![(
            hops(&["corp", "er_corp", "ergw", "vpngw", "branch"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.verdicts(),
        vec![
            verdict("the data centre reaches the branch", CheckStatus::Pass),
            verdict(
                "the hub reaches the shared range over ExpressRoute",
                CheckStatus::Pass
            ),
            verdict("the only VPN connection may fail", CheckStatus::Fail),
        ]
    );
}

/// The VPN connection `gw`–`site` (its failure component).
fn vpn_connection(d: &Design, gw: &str, site: &str) -> avscheck::ir::ComponentId {
    let name = format!("{gw}–{site}");
    d.net()
        .components
        .iter()
        .find(|(_, c)| c.name == name)
        .map(|(id, _)| id)
        .unwrap_or_else(|| panic!("{}: no component `{name}`", d.stem))
}

#[test]
fn vpn_gateway_static_prefixes() {
    let d = design("vpn-gateway-static-prefixes");
    // A static connection: no BGP session with the site, no AVS0300.
    assert!(d.codes().is_empty(), "{:?}", d.codes());
    let net = d.net();
    let (gw, branch) = (d.node("vpngw"), d.node("branch"));
    let session = net
        .sessions
        .values()
        .find(|s| (s.a, s.b) == (gw, branch))
        .expect("the connection");
    assert_eq!(session.kind, SessionKind::Static);
    // Programmed in the hub and in the spoke that uses the gateway, with no AS path.
    for subnet in ["hub/default", "spoke/default"] {
        assert_eq!(d.active(subnet, "192.168.91.0/24"), vec![gateway("vpngw")]);
        let r = d
            .effective(subnet)
            .into_iter()
            .find(|r| r.prefix == p("192.168.91.0/24"))
            .unwrap();
        assert!(r.as_path.is_empty(), "{subnet}: {:?}", r.as_path);
    }
    assert_eq!(d.best_path("vpngw", "192.168.91.0/24"), Some(vec![]));
    assert_eq!(
        d.best_from("vpngw", "192.168.91.0/24").as_deref(),
        Some("branch")
    );
    // Nothing flows to the site over BGP: it routes the Azure side by static routes.
    assert!(!d.has("branch", "10.190.0.0/16"));
    let statics: Vec<String> = net.nodes[branch]
        .statics
        .iter()
        .map(|s| s.prefix.to_string())
        .collect();
    assert_eq!(statics, vec!["10.190.0.0/16", "10.191.0.0/16"]);
    assert_eq!(
        d.trace("spoke", "192.168.91.5"),
        vec![(
            hops(&["vpngw", "branch"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.trace("branch", "10.191.0.5"),
        vec![(
            hops(&["branch", "vpngw"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.verdicts(),
        vec![
            verdict(
                "the spoke reaches the branch over the static connection",
                CheckStatus::Pass
            ),
            verdict(
                "the branch reaches the hub and the spoke",
                CheckStatus::Pass
            ),
        ]
    );
    // z3 itself, not only the concrete path: the conditional statics are encoded.
    use avscheck::smt::Status;
    assert_eq!(d.z3(), vec![Status::Pass, Status::Pass]);
}

#[test]
fn vpn_gateway_static_route_server() {
    let d = design("vpn-gateway-static-route-server");
    assert!(d.codes().is_empty(), "{:?}", d.codes());
    assert_eq!(d.best_path("ergw", "192.168.41.0/24"), Some(vec![]));
    assert_eq!(
        d.best_from("ergw", "192.168.41.0/24").as_deref(),
        Some("rs")
    );
    assert_eq!(d.best_path("corp", "192.168.41.0/24"), Some(vec![12076]));
    assert_eq!(
        d.trace("corp", "192.168.41.5"),
        vec![(
            hops(&["corp", "er_corp", "ergw", "vpngw", "branch"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.verdicts(),
        vec![verdict(
            "the data centre reaches the static branch through Route Server",
            CheckStatus::Pass
        )]
    );
    // The override: the static prefixes stay off Route Server, so off ExpressRoute.
    let rel = "tests/azure/vpn-gateway-static-route-server.avs";
    let text = std::fs::read_to_string(format!("{}/{rel}", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .replace(
            "  connect branch\n",
            "  connect branch\n  static_to_route_server false\n",
        );
    let off = avscheck::analyse(rel, &text);
    let net = off.network.clone().unwrap();
    let st = sim::stable_state(&net, &Scenario::default()).unwrap();
    let prefix = p("192.168.41.0/24");
    for n in ["rs", "ergw", "corp"] {
        assert!(
            st.best(net.node_by_name(n).unwrap(), prefix).is_none(),
            "{n}"
        );
    }
    assert!(st
        .best(net.node_by_name("vpngw").unwrap(), prefix)
        .is_some());
    let v = avscheck::verify(&off, &avscheck::VerifyOptions::default());
    assert_eq!(v.checks[0].status, CheckStatus::Fail);
}

#[test]
fn vpn_gateway_static_transit() {
    let d = design("vpn-gateway-static-transit");
    assert!(d.codes().is_empty(), "{:?}", d.codes());
    // The local network gateways' prefixes reach the BGP connection as [65515].
    for prefix in ["192.168.11.0/24", "192.168.12.0/24"] {
        assert_eq!(d.best_path("bgp_site", prefix), Some(vec![65515]));
        assert_eq!(d.best_from("bgp_site", prefix).as_deref(), Some("vpngw"));
    }
    // Static sites learn nothing over BGP.
    assert!(!d.has("static1", "192.168.10.0/24"));
    assert_eq!(
        d.trace("bgp_site", "192.168.11.5"),
        vec![(
            hops(&["bgp_site", "vpngw", "vpngw", "static1"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.trace("static1", "192.168.12.5"),
        vec![(
            hops(&["static1", "vpngw", "vpngw", "static2"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    // static2's device routes only the Azure side and static1 into its tunnel.
    assert_eq!(
        d.trace("static2", "192.168.10.5"),
        vec![(hops(&["static2"]), Disposition::NoRoute, Why::NoRoute)]
    );
    assert_eq!(
        d.verdicts(),
        vec![
            verdict("BGP to static through the gateway", CheckStatus::Pass),
            verdict("static to static through the gateway", CheckStatus::Pass),
            verdict(
                "static2 reaches the BGP site (it does not route it into its tunnel)",
                CheckStatus::Fail
            ),
        ]
    );
    use avscheck::smt::Status;
    assert_eq!(d.z3(), vec![Status::Pass, Status::Pass, Status::Fail]);
}

#[test]
fn vpn_gateway_transit_bgp() {
    let d = design("vpn-gateway-transit-bgp");
    assert!(d.codes().is_empty(), "{:?}", d.codes());
    assert_eq!(
        d.best_path("site_a", "192.168.21.0/24"),
        Some(vec![65515, 64721])
    );
    assert_eq!(
        d.best_path("site_b", "192.168.20.0/24"),
        Some(vec![65515, 64720])
    );
    assert_eq!(
        d.trace("site_a", "192.168.21.5"),
        vec![(
            hops(&["site_a", "vpngw", "vpngw", "site_b"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.verdicts(),
        vec![
            verdict("branch to branch through the gateway", CheckStatus::Pass),
            verdict(
                "branch to branch when a connection fails",
                CheckStatus::Fail
            ),
        ]
    );
    use avscheck::smt::Status;
    assert_eq!(d.z3(), vec![Status::Pass, Status::Fail]);
}

#[test]
fn vpn_gateway_static_connection_fails() {
    let d = design("vpn-gateway-static-connection-fails");
    assert!(d.codes().is_empty(), "{:?}", d.codes());
    assert_eq!(
        d.active("hub/default", "192.168.31.0/24"),
        vec![gateway("vpngw")]
    );
    assert_eq!(
        d.trace("branch", "10.130.0.5"),
        vec![(
            hops(&["branch", "vpngw"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    // The connection failed: nothing programmed, and the site's static routes into the
    // tunnel are withdrawn (the packet stops at the branch, not in a dead tunnel).
    let net = d.net();
    let down = Scenario::new([vpn_connection(&d, "vpngw", "branch")]);
    let st = sim::stable_state(net, &down).unwrap();
    let hub = net.subnet_by_name("hub/default").unwrap();
    assert!(sim::effective_routes(net, &st, &down, hub)
        .iter()
        .all(|r| r.prefix != p("192.168.31.0/24")));
    let src = sim::resolve_source(net, "branch").unwrap();
    let paths = sim::trace(net, &st, &down, src, "10.130.0.5".parse().unwrap());
    assert_eq!(paths.len(), 1);
    assert_eq!(paths[0].hops.len(), 1);
    assert_eq!(paths[0].why, Why::NoRoute);
    assert_eq!(
        d.verdicts(),
        vec![
            verdict("the hub and the branch reach each other", CheckStatus::Pass),
            verdict("the only VPN connection may fail", CheckStatus::Fail),
            verdict(
                "the branch keeps the hub when the connection fails",
                CheckStatus::Fail
            ),
        ]
    );
    use avscheck::smt::Status;
    assert_eq!(d.z3(), vec![Status::Pass, Status::Fail, Status::Fail]);
}

#[test]
fn vpn_gateway_vpn_nva_keeps_own_route() {
    let d = design("vpn-gateway-vpn-nva-keeps-own-route");
    // The VPN gateway keeps its own connection's route; Route Server's bonus under
    // `vpn_nva` is the ExpressRoute gateway's alone.
    assert_eq!(d.best_from("vpn0", "10.2.0.0/16").as_deref(), Some("dc1"));
    assert_eq!(d.best_from("ergw0", "10.2.0.0/16").as_deref(), Some("ars0"));
    assert_eq!(
        d.trace("avs1", "10.2.0.5"),
        vec![(
            hops(&["avs1", "er_avs", "ergw0", "vpn0", "dc1"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.verdicts(),
        vec![verdict(
            "AVS reaches the data centre through the VPN connection",
            CheckStatus::Pass
        )]
    );
}

// ---- ExpressRoute FastPath (v2) ------------------------------------------------------

#[test]
fn fastpath_bypasses_gateway() {
    let d = design("fastpath-bypasses-gateway");
    let delivered = |h: &[&str]| vec![(hops(h), Disposition::Delivered, Why::Delivered)];
    assert_eq!(
        d.trace("corp_p", "10.150.1.5"),
        delivered(&["corp_p", "er_p"])
    );
    assert_eq!(
        d.trace("corp_d", "10.150.1.5"),
        delivered(&["corp_d", "er_d", "afw"])
    );
    assert_eq!(
        d.trace("corp_p", "10.151.0.5"),
        delivered(&["corp_p", "er_p", "gw", "afw"])
    );
    assert_eq!(
        d.verdicts(),
        vec![
            verdict(
                "provider FastPath skips the gateway's UDR",
                CheckStatus::Pass
            ),
            verdict("Direct FastPath keeps the gateway's UDR", CheckStatus::Pass),
            verdict("spokes still go through the gateway", CheckStatus::Pass),
        ]
    );
}

// ---- v2: issue 11, items 4, 6, 7, 9 ------------------------------------------------

#[test]
fn er_gateway_allow_remote_vnet_traffic() {
    let d = design("er-gateway-allow-remote-vnet-traffic");
    // Both allowing gateways learn the other's VNet through the shared circuit.
    assert_eq!(d.best_path("gwa", "10.2.0.0/16"), Some(vec![12076, 65515]));
    assert_eq!(d.best_path("gwb", "10.1.0.0/16"), Some(vec![12076, 65515]));
    // gwa allows it, so it also learns c's; gwc does not allow it: it learns neither.
    assert!(d.has("gwa", "10.3.0.0/16"));
    assert!(!d.has("gwc", "10.1.0.0/16") && !d.has("gwc", "10.2.0.0/16"));
    // On-premises never sees the internal tag.
    assert!(d.has("dc1", "10.1.0.0/16"));
    assert_eq!(
        d.trace("a/default", "10.2.0.5"),
        vec![(
            hops(&["gwa", "er1", "gwb"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.verdicts(),
        vec![
            (
                "a and b reach each other through the shared circuit".to_string(),
                CheckStatus::Pass
            ),
            (
                "c and a do not reach each other".to_string(),
                CheckStatus::Fail
            ),
            (
                "on-premises reaches every VNet".to_string(),
                CheckStatus::Pass
            ),
        ]
    );
}

#[test]
fn gateway_subnet_declared() {
    let d = design("gateway-subnet-declared");
    let gs = d.net().nodes[d.node("ergw")]
        .behaviours
        .gateway_subnet
        .unwrap();
    assert_eq!(d.net().subnets[gs].name, "GatewaySubnet");
    assert!(d.net().subnet_by_name("hub/GatewaySubnet").is_none());
    assert_eq!(
        d.trace("dc1", "10.100.2.5"),
        vec![(
            hops(&["dc1", "er1", "ergw", "fw"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.verdicts(),
        vec![(
            "on-premises reaches the app subnet through fw".to_string(),
            CheckStatus::Pass
        )]
    );
}

#[test]
fn er_msee_ignores_communities() {
    let d = design("er-msee-ignores-communities");
    assert_eq!(d.best_from("ergw", "10.2.0.0/16").as_deref(), Some("er1"));
    assert_eq!(
        d.verdicts(),
        vec![("the hub reaches on-premises".to_string(), CheckStatus::Pass)]
    );
}

#[test]
fn route_limit_dropped_session_decided() {
    use avscheck::smt::Status;
    let d = design("route-limit-dropped-session-decided");
    // The session is over its limit from fw_a's own originations alone: dropped in
    // every stable state, which both engines now take as given.
    let certain: Vec<(String, String, usize, u32)> = sim::bgp::certainly_dropped(d.net())
        .iter()
        .map(|x| {
            let e = &d.net().edges[x.edge];
            (d.name(e.from), d.name(e.to), x.accepted, x.limit.max)
        })
        .collect();
    assert_eq!(certain, vec![("fw_a".to_string(), "ars".to_string(), 4, 3)]);
    assert_eq!(d.state().dropped.len(), 1);
    assert_eq!(d.codes(), vec!["AVS0501"]);
    assert_eq!(
        d.verdicts(),
        vec![
            ("loops".to_string(), CheckStatus::Pass),
            ("hub reaches fw_a's prefixes".to_string(), CheckStatus::Fail),
            ("hub reaches the internet".to_string(), CheckStatus::Pass),
        ]
    );
    assert_eq!(d.z3(), vec![Status::Pass, Status::Fail, Status::Pass]);
    // Both paths name the dropped session (the pipeline's concrete path, and z3's).
    let v = avscheck::verify(&d.analysis, &avscheck::VerifyOptions::default());
    let want = "the session `fw_a`–`ars` is dropped: `ars` receives 4 prefixes from `fw_a`, over its limit of 3";
    let reason = v.checks[1].reason.clone().unwrap_or_default();
    assert!(reason.contains(want), "{reason}");
    let cx = v.checks[1].counterexample.as_ref().unwrap();
    assert_eq!(cx.dropped.len(), 1);
    assert_eq!(
        cx.dropped[0].session,
        ["fw_a".to_string(), "ars".to_string()]
    );
    let net = d.net();
    let c = net.checks.ids().nth(1).unwrap();
    let z = avscheck::smt::verify_check(net, c, &avscheck::smt::VerifyOptions::default());
    let zcx = z.counterexample.unwrap();
    assert!(zcx.narrative.contains(want), "{}", zcx.narrative);
    assert_eq!(zcx.dropped.len(), 1);
}

#[test]
fn route_server_refresh_margin() {
    let d = design("route-server-refresh-margin");
    assert!(d.state().dropped.is_empty());
    assert_eq!(d.codes(), vec!["AVS0503"]);
    let f = &d.findings()[0];
    assert!(!f.is_error());
    assert!(
        f.message
            .contains("`ars` receives 2001 prefixes from `fw`, above half of its limit of 4000"),
        "{}",
        f.message
    );
    assert!(d.has("ars", "172.23.208.0/24"));
}

#[test]
fn route_server_routing_preference() {
    let d = design("route-server-routing-preference");
    assert_eq!(
        d.net().vnets.values().next().unwrap().routing_preference,
        avscheck::ir::RoutingPreference::VpnNva
    );
    assert_eq!(d.best_from("ergw", "10.60.0.0/16").as_deref(), Some("ars"));
    assert_eq!(
        d.verdicts(),
        vec![(
            "the gateway prefers the NVA's route".to_string(),
            CheckStatus::Pass
        )]
    );
}

#[test]
fn fabric_spoke_peering_down() {
    let d = design("fabric-spoke-peering-down");
    assert!(d.has("dc1", "10.1.0.0/16"));
    let v = avscheck::verify(&d.analysis, &avscheck::VerifyOptions::default());
    let got: Vec<(String, CheckStatus)> = v
        .checks
        .iter()
        .map(|c| (c.title.clone(), c.status))
        .collect();
    assert_eq!(got, d.verdicts());
    assert_eq!(
        got,
        vec![
            (
                "on-premises and the spoke reach each other".to_string(),
                CheckStatus::Pass
            ),
            (
                "without the peering on-premises never learns the spoke".to_string(),
                CheckStatus::Pass
            ),
            (
                "without the peering the spoke reaches on-premises".to_string(),
                CheckStatus::Fail
            ),
        ]
    );
    // The counterexample says why the packet is dropped, as `trace` does.
    let reason = v.checks[2].reason.clone().unwrap_or_default();
    assert!(
        reason.contains("ends `dropped` (system route None)"),
        "{reason}"
    );
    // The SMT engine's own counterexample says it too.
    let net = d.net();
    let cid = net.checks.ids().nth(2).unwrap();
    let smt = avscheck::smt::verify_check(net, cid, &avscheck::smt::VerifyOptions::default());
    assert_eq!(smt.status, avscheck::smt::Status::Fail);
    let narrative = smt.counterexample.unwrap().narrative;
    assert!(
        narrative.contains("ends `dropped` (system route None): at `spoke/default`"),
        "{narrative}"
    );
}

#[test]
fn fabric_udr_next_hop_unpeered() {
    let d = design("fabric-udr-next-hop-unpeered");
    // fw2 sits in `other`, which the spoke is not peered with: dropped at app, not
    // carried to fw2 and on through `other`'s gateway.
    assert_eq!(
        d.trace("app", "10.2.0.5"),
        vec![(hops(&[]), Disposition::Dropped, Why::NextHopOutsideVnet)]
    );
    // fw sits in the peered hub: reached.
    assert_eq!(
        d.trace("app", "8.8.8.8"),
        vec![(
            hops(&["fw", "internet"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    let got = d.verdicts();
    assert_eq!(
        got,
        vec![
            (
                "app reaches on-premises through fw2".to_string(),
                CheckStatus::Fail
            ),
            (
                "app reaches the internet through fw".to_string(),
                CheckStatus::Pass
            ),
            (
                "app reaches the internet through fw, peering down".to_string(),
                CheckStatus::Fail
            ),
            (
                "app reaches the internet through fw, 1 failure".to_string(),
                CheckStatus::Fail
            ),
            (
                "app reaches the hub's VMs, peering down".to_string(),
                CheckStatus::Fail
            ),
        ]
    );
    // z3 itself (not only the concrete path) finds the same.
    use avscheck::smt::Status;
    assert_eq!(
        d.z3(),
        vec![
            Status::Fail,
            Status::Pass,
            Status::Fail,
            Status::Fail,
            Status::Fail
        ]
    );
    let net = d.net();
    let cid = net.checks.ids().nth(4).unwrap();
    let smt = avscheck::smt::verify_check(net, cid, &avscheck::smt::VerifyOptions::default());
    let narrative = smt.counterexample.unwrap().narrative;
    assert!(
        narrative.contains("next hop outside the VNet and its peered VNets"),
        "{narrative}"
    );
}

// ---- NVAs with several NICs (v2) ----------------------------------------------------

#[test]
fn nva_nics_auxiliary_transit() {
    let d = design("nva-nics-auxiliary-transit");
    let net = d.net();
    let fw = d.node("fw");
    let trusted = net.subnet_by_name("trusted").unwrap();
    let untrusted = net.subnet_by_name("untrusted").unwrap();
    assert_eq!(
        net.nodes[fw].all_nics(),
        vec![
            ("10.100.1.4".parse().unwrap(), trusted),
            ("10.100.2.4".parse().unwrap(), untrusted)
        ]
    );
    // Route Server programs the NVA's default route into the transit side only.
    assert_eq!(
        d.active("trusted", "0.0.0.0/0"),
        vec![appliance("10.100.1.4")]
    );
    assert_eq!(
        d.active("untrusted", "0.0.0.0/0"),
        vec![(RouteSource::Default, NextHopType::Internet, "-".to_string())]
    );
    // The static's gateway picks the internet-side NIC; a packet for AVS leaves by
    // the first NIC (no NIC subnet holds its next hop or destination).
    assert_eq!(
        net.egress_subnet(fw, &["10.100.2.1".parse().unwrap()]),
        Some(untrusted)
    );
    assert_eq!(
        net.egress_subnet(fw, &["10.1.0.5".parse().unwrap()]),
        Some(trusted)
    );
    assert_eq!(
        d.trace("avs1", "8.8.8.8"),
        vec![(
            hops(&["avs1", "er_avs", "ergw", "fw", "internet"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    assert_eq!(
        d.trace("fw", "10.1.0.5"),
        vec![(
            hops(&["fw", "ergw", "er_avs", "avs1"]),
            Disposition::Delivered,
            Why::Delivered
        )]
    );
    // Both NIC addresses are the NVA's.
    assert_eq!(
        sim::owners(net, "10.100.2.4".parse().unwrap()),
        vec![sim::Owner::Node(fw)]
    );
    assert_eq!(
        d.verdicts(),
        vec![
            verdict(
                "AVS reaches the internet through the NVA",
                CheckStatus::Pass
            ),
            verdict("the second NIC is fw's", CheckStatus::Pass),
        ]
    );
    use avscheck::smt::Status;
    assert_eq!(d.z3(), vec![Status::Pass, Status::Pass]);
    // With one NIC (the internet side's static through the transit side's gateway),
    // the NVA's own default route brings the packet back: a loop.
    let one = net.clone();
    let mut one = one;
    one.nodes[fw].nics.clear();
    for st in &mut one.nodes[fw].statics {
        st.target = avscheck::ir::StaticTarget::Fabric("10.100.1.1".parse().unwrap());
    }
    let st = sim::stable_state(&one, &Scenario::default()).unwrap();
    let src = sim::resolve_source(&one, "avs1").unwrap();
    let p = sim::trace(
        &one,
        &st,
        &Scenario::default(),
        src,
        "8.8.8.8".parse().unwrap(),
    );
    assert!(
        p.iter().all(|p| p.disposition != Disposition::Delivered),
        "{p:?}"
    );
}

// ---- AVS management prefixes (v2) ----------------------------------------------------

#[test]
fn avs_management_no_default_route() {
    let d = design("avs-management-no-default-route");
    let net = d.net();
    let avs = d.node("avs1");
    assert_eq!(net.nodes[avs].management, vec![p("10.1.0.0/22")]);
    assert!(net.nodes[avs]
        .originates
        .iter()
        .any(|o| o.prefix == p("10.1.0.0/22")));
    assert!(d.has("avs1", "0.0.0.0/0"), "AVS accepts the default route");
    assert_eq!(
        sim::resolve_source(net, "10.1.0.5"),
        Some(sim::Source::Management(avs))
    );
    let delivered = |h: &[&str]| vec![(hops(h), Disposition::Delivered, Why::Delivered)];
    assert_eq!(
        d.trace("10.1.16.5", "10.2.0.5"),
        delivered(&["avs1", "er_avs", "er_dc", "dc1"])
    );
    assert_eq!(
        d.trace("10.1.0.5", "10.2.0.5"),
        vec![(hops(&["avs1"]), Disposition::NoRoute, Why::NoRoute)]
    );
    assert_eq!(
        d.trace("10.1.0.5", "10.3.0.5"),
        delivered(&["avs1", "er_avs", "er_dc", "dc1"])
    );
    assert_eq!(
        d.trace("dc1", "10.1.0.5"),
        delivered(&["dc1", "er_dc", "er_avs", "avs1"])
    );
    assert_eq!(
        d.verdicts(),
        vec![
            verdict(
                "workloads reach the data centre by its default route",
                CheckStatus::Pass
            ),
            verdict("vCenter does not use the default route", CheckStatus::Fail),
            verdict(
                "vCenter and the specific range reach each other",
                CheckStatus::Pass
            ),
        ]
    );
    use avscheck::smt::Status;
    assert_eq!(d.z3(), vec![Status::Pass, Status::Fail, Status::Pass]);
}

#[test]
fn sdwan_tunnel_underlay_through_itself() {
    let d = design("sdwan-tunnel-underlay-through-itself");
    assert_eq!(d.codes(), vec!["AVS0348"]);
    let w = d
        .findings()
        .into_iter()
        .find(|x| x.code == "AVS0348")
        .unwrap();
    assert!(!w.is_error());
    assert_eq!(
        d.active("sdwan_subnet", "198.51.100.0/24"),
        vec![appliance("10.160.1.4")]
    );
    let paths = d.paths("spoke", "192.168.61.5".parse().unwrap());
    assert!(!paths.is_empty());
    assert!(
        paths
            .iter()
            .all(|p| p.disposition != Disposition::Delivered),
        "the outer packets follow the tunnel itself"
    );
    assert_eq!(
        d.verdicts(),
        vec![verdict("the spoke reaches the branch", CheckStatus::Fail)]
    );
    assert_eq!(d.z3(), vec![avscheck::smt::Status::Fail]);
}

/// The tunnels the stable state takes down as routed through themselves: (tunnel, end,
/// capturing prefix).
fn recursive(d: &Design) -> Vec<(String, String, String)> {
    let net = d.net();
    d.state()
        .recursive
        .iter()
        .map(|r| {
            (
                net.tunnels[r.tunnel].name.clone(),
                d.name(r.end),
                r.prefix.to_string(),
            )
        })
        .collect()
}

#[test]
fn sdwan_default_route_recursive() {
    let d = design("sdwan-default-route-recursive");
    assert_eq!(d.codes(), vec!["AVS0348", "AVS0349"]);
    assert_eq!(
        recursive(&d),
        vec![("ipsec1".into(), "branch".into(), "0.0.0.0/0".into())]
    );
    let net = d.net();
    let tunnel_sessions: Vec<_> = net
        .sessions
        .iter()
        .filter(|(_, s)| s.tunnel.is_some())
        .map(|(id, _)| id)
        .collect();
    assert!(!tunnel_sessions.is_empty());
    assert!(tunnel_sessions
        .iter()
        .all(|s| d.state().down_sessions().contains(s)));
    assert!(d.state().best(d.node("rs"), p("192.168.61.0/24")).is_none());
    assert_eq!(
        d.verdicts(),
        vec![verdict("the hub reaches the branch", CheckStatus::Fail)]
    );
    assert_eq!(d.z3(), vec![avscheck::smt::Status::Fail]);
}

#[test]
fn sdwan_default_route_filtered() {
    let d = design("sdwan-default-route-filtered");
    assert_eq!(d.codes(), vec!["AVS0348"]);
    assert!(recursive(&d).is_empty());
    assert!(d.state().best(d.node("branch"), p("0.0.0.0/0")).is_none());
    assert_eq!(
        d.verdicts(),
        vec![verdict("the hub reaches the branch", CheckStatus::Pass)]
    );
    assert_eq!(d.z3(), vec![avscheck::smt::Status::Pass]);
}

#[test]
fn sdwan_default_route_static_underlay() {
    let d = design("sdwan-default-route-static-underlay");
    assert_eq!(d.codes(), vec!["AVS0348"]);
    assert!(recursive(&d).is_empty());
    assert!(d.state().best(d.node("branch"), p("0.0.0.0/0")).is_some());
    assert_eq!(
        d.verdicts(),
        vec![verdict("the hub reaches the branch", CheckStatus::Pass)]
    );
    assert_eq!(d.z3(), vec![avscheck::smt::Status::Pass]);
}

// ---- Undocumented choices (LANGUAGE.md §2.4; issue 11, items 2 and 11) -----------

/// The stable states the simulator enumerates over the undocumented choices of the
/// scenario with nothing failed, and in each the neighbour `node`'s best route for
/// `prefix` came from, sorted.
fn chosen_from(d: &Design, node: &str, prefix: &str) -> Vec<String> {
    let net = d.net();
    let all = sim::choice::stable_states(net, &Scenario::default(), &|| None).unwrap();
    assert!(all.complete);
    let mut out: Vec<String> = all
        .states
        .iter()
        .filter_map(|st| st.best(d.node(node), p(prefix)))
        .filter_map(|r| r.from_node(net))
        .map(|n| d.name(n))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn tie_site_two_circuits() {
    use avscheck::smt::Status;
    let d = design("tie-site-two-circuits");
    // Both routes are there, equal: either may be the site's best.
    assert_eq!(
        d.state().installed(d.node("dc1"), p("10.100.0.0/16")).len(),
        1
    );
    assert_eq!(
        chosen_from(&d, "dc1", "10.100.0.0/16"),
        hops(&["er1", "er2"])
    );
    assert_eq!(
        d.verdicts(),
        vec![
            verdict("dc1 avoids er2", CheckStatus::Fail),
            verdict("dc1 avoids er1", CheckStatus::Fail),
            verdict("dc1 reaches the hub", CheckStatus::Pass),
        ]
    );
    assert_eq!(d.z3(), vec![Status::Fail, Status::Fail, Status::Pass]);
    // The certificate does not rest on the one choice the simulator made first.
    let cert = sim::unique::certify(d.net(), &Scenario::default(), d.state());
    assert!(
        matches!(&cert, sim::unique::Certificate::NotShown(why) if why.contains("`dc1`")),
        "{cert:?}"
    );
}

#[test]
fn tie_avs_global_reach_two_circuits() {
    use avscheck::smt::Status;
    let d = design("tie-avs-global-reach-two-circuits");
    assert_eq!(
        chosen_from(&d, "er_avs", "10.2.0.0/16"),
        hops(&["er1", "er2"])
    );
    assert_eq!(
        d.verdicts(),
        vec![
            verdict("AVS avoids er2", CheckStatus::Fail),
            verdict("AVS avoids er1", CheckStatus::Fail),
            verdict("AVS reaches dc1", CheckStatus::Pass),
        ]
    );
    assert_eq!(d.z3(), vec![Status::Fail, Status::Fail, Status::Pass]);
}

#[test]
fn tie_gateway_readvertises_one() {
    use avscheck::smt::Status;
    let d = design("tie-gateway-readvertises-one");
    // The gateway installs both (its forwarding covers every choice)...
    assert_eq!(
        d.installed_from("ergw", "10.2.0.0/16"),
        hops(&["er1", "er2"])
    );
    // ... and passes one on to Route Server, either.
    assert_eq!(
        chosen_from(&d, "ergw", "10.2.0.0/16"),
        hops(&["er1", "er2"])
    );
    assert_eq!(
        d.verdicts(),
        vec![
            verdict("fw never takes dc1's route", CheckStatus::Fail),
            verdict("fw never takes dc2's route", CheckStatus::Fail),
            verdict("fw never installs 10.9.0.0/16", CheckStatus::Pass),
        ]
    );
    assert_eq!(d.z3(), vec![Status::Fail, Status::Fail, Status::Pass]);
}

#[test]
fn tie_vpn_gateway_two_sites() {
    use avscheck::smt::Status;
    let d = design("tie-vpn-gateway-two-sites");
    // Two ordinary BGP senders, but the receiver is Microsoft's: either may win.
    assert_eq!(
        chosen_from(&d, "vpngw", "192.168.0.0/16"),
        hops(&["br1", "br2"])
    );
    assert_eq!(
        d.verdicts(),
        vec![
            verdict("the hub goes to br1", CheckStatus::Fail),
            verdict("the hub goes to br2", CheckStatus::Fail),
            verdict("the hub reaches the branches' range", CheckStatus::Pass),
        ]
    );
    assert_eq!(d.z3(), vec![Status::Fail, Status::Fail, Status::Pass]);
}

#[test]
fn er_gateway_ecmp_five_circuits() {
    use avscheck::smt::Status;
    let d = design("er-gateway-ecmp-five-circuits");
    let circuits = hops(&["er1", "er2", "er3", "er4", "er5"]);
    let mut from = d.installed_from("ergw", "10.2.0.0/16");
    from.sort();
    assert_eq!(from, circuits);
    // One branch over each circuit: every choice of at most 4 is some set of these.
    let mut over: Vec<String> = d
        .trace("hub", "10.2.0.5")
        .into_iter()
        .map(|(h, disp, _)| {
            assert_eq!(disp, Disposition::Delivered);
            h[1].clone()
        })
        .collect();
    over.sort();
    assert_eq!(over, circuits);
    assert_eq!(chosen_from(&d, "dc1", "10.100.0.0/16"), circuits);
    assert_eq!(
        d.verdicts(),
        vec![
            verdict("the hub reaches dc1", CheckStatus::Pass),
            verdict("the hub avoids er5", CheckStatus::Fail),
            verdict("the hub always uses er1", CheckStatus::Fail),
            verdict("dc1 reaches the hub", CheckStatus::Pass),
            verdict("dc1 avoids er3", CheckStatus::Fail),
        ]
    );
    assert_eq!(
        d.z3(),
        vec![
            Status::Pass,
            Status::Fail,
            Status::Fail,
            Status::Pass,
            Status::Fail
        ]
    );
}

#[test]
fn avs_strips_leading_private_asns() {
    let d = design("avs-strips-leading-private-asns");
    assert_eq!(
        d.best_path("er_avs1", "10.9.0.0/16"),
        Some(vec![12076, 12076, 3356, 65300, 65300])
    );
    // Towards AVS the private ASNs after the public 3356 stay ...
    let mut paths: Vec<Vec<u32>> = d
        .state()
        .rib(d.node("avs1"))
        .unwrap()
        .get(&p("10.9.0.0/16"))
        .unwrap()
        .candidates
        .iter()
        .map(|r| r.as_path.clone())
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            vec![12076, 3000, 3000, 3000],
            vec![12076, 12076, 12076, 3356, 65300, 65300],
        ]
    );
    // ... so AVS installs only the shorter route, through the hub.
    assert_eq!(d.installed_from("avs1", "10.9.0.0/16"), hops(&["er_avs2"]));
    assert_eq!(
        d.verdicts(),
        vec![verdict(
            "AVS avoids the Global Reach path",
            CheckStatus::Pass
        )]
    );
    // z3 alone too: the leading private run is part of the symbolic route.
    assert_eq!(d.z3(), vec![avscheck::smt::Status::Pass]);
}

#[test]
fn avs_leading_run_unknown() {
    let d = design("avs-leading-run-unknown");
    assert_eq!(d.best_path("fw_w", "10.9.0.0/16"), Some(vec![174, 65300]));
    let mut paths: Vec<Vec<u32>> = d
        .state()
        .rib(d.node("avs1"))
        .unwrap()
        .get(&p("10.9.0.0/16"))
        .unwrap()
        .candidates
        .iter()
        .map(|r| r.as_path.clone())
        .collect();
    paths.sort();
    assert_eq!(paths, vec![vec![12076, 174, 65300], vec![12076, 3000]]);
    assert_eq!(d.installed_from("avs1", "10.9.0.0/16"), hops(&["er_n"]));
    assert_eq!(
        d.verdicts(),
        vec![verdict("AVS avoids the west circuit", CheckStatus::Pass)]
    );
    // z3 alone: the over-approximated leading run would let the routes tie; it says
    // `unknown` rather than report that counterexample.
    let z3 = d.z3();
    assert!(
        matches!(z3.as_slice(), [avscheck::smt::Status::Unknown(why)] if why.contains("leading")),
        "{z3:?}"
    );
}
