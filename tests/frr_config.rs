//! FRR configurations as a node's BGP (`config "PATH"`, docs/frr.md): the parser
//! (statements, located errors and warnings), the translation (FRR's defaults,
//! route-map semantics, neighbor matching by address), the two-region example and its
//! broken variants, and hostile input (never a panic, every span inside its file).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::frr::ast::{Direction, Match, RemoteAs, Set, StaticNextHop};
use avscheck::report::CheckStatus;
use avscheck::{Analysis, Diagnostic, FileId, VerifyOptions};
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

mod frr_common;
use frr_common::*;

fn verdicts(a: &Analysis) -> Vec<(String, CheckStatus)> {
    avscheck::verify(a, &VerifyOptions::default())
        .checks
        .into_iter()
        .map(|c| (c.title, c.status))
        .collect()
}

// ---------------------------------------------------------------- the example

#[test]
fn two_region_frr_example_verifies_as_the_avs_example_does() {
    let frr = example("two-regions-frr/two-regions-frr.avs");
    assert!(!frr.has_errors(), "{:#?}", frr.diagnostics);
    assert!(
        frr.diagnostics.is_empty(),
        "the example is clean: {:#?}",
        frr.diagnostics
    );
    let text = std::fs::read_to_string(format!("{}/examples/two-regions.avs", root())).unwrap();
    let avs = avscheck::analyse("examples/two-regions.avs", &text);
    let (a, b) = (verdicts(&frr), verdicts(&avs));
    assert_eq!(a, b);
    assert!(a.iter().all(|(_, s)| *s == CheckStatus::Pass), "{a:?}");
    // The configured NVAs have the ASNs, sessions and originations of the .avs ones.
    let (nf, na) = (frr.network.as_ref().unwrap(), avs.network.as_ref().unwrap());
    for name in ["fw_w", "fw_n"] {
        let x = &nf.nodes[nf.node_by_name(name).unwrap()];
        let y = &na.nodes[na.node_by_name(name).unwrap()];
        assert_eq!(x.asn, y.asn);
        assert_eq!(x.originates.len(), y.originates.len());
    }
    let sessions = |n: &avscheck::ir::Network| {
        let mut v: Vec<(String, String, bool)> = n
            .sessions
            .values()
            .map(|s| {
                let (a, b) = (n.nodes[s.a].name.clone(), n.nodes[s.b].name.clone());
                let (a, b) = if a < b { (a, b) } else { (b, a) };
                (a, b, s.tunnel.is_some())
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(sessions(nf), sessions(na));
}

/// Each broken variant fails its check with a label on the responsible config line.
#[test]
fn broken_variants_fail_with_a_label_on_the_config_line() {
    let title = "AVS and on-premises reach each other without Global Reach";
    for (file, conf, line) in [
        (
            "broken-no-as-path-exclude.avs",
            "fw_w-no-as-path-exclude.conf",
            "route-map TO-ARS permit 10",
        ),
        (
            "broken-no-route-map-to-ars.avs",
            "fw_n-no-route-map-to-ars.conf",
            "neighbor 10.200.0.4 remote-as 65515",
        ),
        (
            "broken-prefix-list-le-typo.avs",
            "fw_w-prefix-list-le-typo.conf",
            "ip prefix-list WEST-ROUTES seq 10 permit 10.1.0.0/16 le 20",
        ),
    ] {
        let a = example(&format!("two-regions-frr/{file}"));
        assert!(!a.has_errors(), "{file}: {:#?}", a.diagnostics);
        let v = avscheck::verify(
            &a,
            &VerifyOptions {
                only: Some(title.to_string()),
                ..VerifyOptions::default()
            },
        );
        let c = &v.checks[0];
        assert_eq!(c.status, CheckStatus::Fail, "{file}");
        let labelled: Vec<(String, String)> = c
            .labels
            .iter()
            .filter(|l| a.sources.name(l.span.file).ends_with(conf))
            .map(|l| (line_of(&a, l.span), l.message.clone()))
            .collect();
        assert!(
            labelled.iter().any(|(l, _)| l.trim() == line),
            "{file}: no label on `{line}` in {conf}: {labelled:#?}"
        );
    }
}

// ---------------------------------------------------------------- design integration

#[test]
fn keys_the_configuration_defines_are_errors_with_both_spans() {
    let a = hub_design(
        "  subnet nva_subnet\n  ip 10.100.1.4\n  asn 65010\n  config \"fw.conf\"",
        "router bgp 65010\n",
    );
    let d = with_code(&a, "AVS0905");
    assert_eq!(d.len(), 1, "{:#?}", a.diagnostics);
    assert_eq!(d[0].labels.len(), 2);
    assert_eq!(line_of(&a, d[0].labels[0].span).trim(), "asn 65010");
    assert_eq!(
        line_of(&a, d[0].labels[1].span).trim(),
        "config \"fw.conf\""
    );
    assert!(a.is_unusable());
}

#[test]
fn a_missing_configuration_file_is_a_located_error() {
    let a = design(
        &format!(
            "{HUB}\nnva fw {{\n  subnet nva_subnet\n  ip 10.100.1.4\n  config \"nope.conf\"\n}}\n"
        ),
        &[],
    );
    let d = with_code(&a, "AVS0904");
    assert_eq!(d.len(), 1, "{:#?}", a.diagnostics);
    assert_eq!(
        line_of(&a, d[0].labels[0].span).trim(),
        "config \"nope.conf\""
    );
    assert!(a.is_unusable());
}

const FW_OK: &str = "frr version 8.4
ip nht resolve-via-default
router bgp 65010
 neighbor 10.100.0.4 remote-as 65515
 neighbor 10.100.0.5 remote-as 65515
 neighbor 10.100.0.4 ebgp-multihop 2
 neighbor 10.100.0.5 ebgp-multihop 2
 address-family ipv4 unicast
  network 10.50.0.0/16
  neighbor 10.100.0.4 route-map ALL in
  neighbor 10.100.0.4 route-map ALL out
  neighbor 10.100.0.5 route-map ALL in
  neighbor 10.100.0.5 route-map ALL out
 exit-address-family
!
ip route 10.50.0.0/16 blackhole
route-map ALL permit 10
";

#[test]
fn a_configured_nva_peers_its_route_server_by_address() {
    let a = fw(FW_OK);
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    assert!(a.diagnostics.is_empty(), "{:#?}", a.diagnostics);
    let net = a.network.as_ref().unwrap();
    let n = &net.nodes[net.node_by_name("fw").unwrap()];
    assert_eq!(n.asn, 65010);
    assert_eq!(n.statics.len(), 1);
    assert!(installs(&a, "ars", "10.50.0.0/16"));
    assert!(installs(&a, "fw", "10.100.0.0/16"));
}

#[test]
fn unknown_neighbors_and_single_instances_are_warnings() {
    let a = fw(&FW_OK
        .replace(
            " neighbor 10.100.0.5 remote-as 65515\n",
            " neighbor 10.9.9.9 remote-as 65001\n",
        )
        .replace("neighbor 10.100.0.5", "neighbor 10.9.9.9"));
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    let unknown = with_code(&a, "AVS0906");
    assert_eq!(unknown.len(), 1, "{:#?}", a.diagnostics);
    assert_eq!(
        line_of(&a, unknown[0].labels[0].span).trim(),
        "neighbor 10.9.9.9 remote-as 65001"
    );
    let one = with_code(&a, "AVS0907");
    assert_eq!(one.len(), 1, "{:#?}", a.diagnostics);
    assert!(one[0].notes.iter().any(|n| n.contains("10.100.0.5")));
    // The session with the instance it peers is up.
    assert!(installs(&a, "ars", "10.50.0.0/16"));
}

/// designs6/shut: `neighbor X shutdown` on one instance leaves Route Server peered on
/// one instance only.
#[test]
fn a_shut_down_instance_is_not_peered() {
    let a = fw(&FW_OK.replace(
        " neighbor 10.100.0.5 remote-as 65515\n",
        " neighbor 10.100.0.5 remote-as 65515\n neighbor 10.100.0.5 shutdown\n",
    ));
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    let one = with_code(&a, "AVS0907");
    assert_eq!(one.len(), 1, "{:#?}", a.diagnostics);
    assert!(one[0].notes.iter().any(|n| n.contains("10.100.0.5")));
    assert!(line_of(&a, one[0].labels[0].span).contains("10.100.0.4"));
    assert!(installs(&a, "ars", "10.50.0.0/16"));
    // Without the shutdown both instances are peered.
    let a = fw(FW_OK);
    assert!(with_code(&a, "AVS0907").is_empty(), "{:#?}", a.diagnostics);
}

#[test]
fn ebgp_requires_policy_follows_the_frr_version() {
    let no_maps = FW_OK
        .lines()
        .filter(|l| !l.contains("route-map ALL"))
        .collect::<Vec<_>>()
        .join("\n");
    // Current FRR (and 8.4): an eBGP session without policies exchanges nothing.
    for conf in [no_maps.clone(), no_maps.replace("frr version 8.4", "")] {
        let a = fw(&conf);
        assert!(!a.has_errors(), "{:#?}", a.diagnostics);
        assert!(!installs(&a, "ars", "10.50.0.0/16"));
        assert!(!installs(&a, "fw", "10.100.0.0/16"));
    }
    // Before 7.4, and with `no bgp ebgp-requires-policy`, everything flows.
    for conf in [
        no_maps.replace("frr version 8.4", "frr version 7.3"),
        no_maps.replace(
            "router bgp 65010",
            "router bgp 65010\n no bgp ebgp-requires-policy",
        ),
    ] {
        let a = fw(&conf);
        assert!(!a.has_errors(), "{:#?}", a.diagnostics);
        assert!(installs(&a, "ars", "10.50.0.0/16"), "{conf}");
        assert!(installs(&a, "fw", "10.100.0.0/16"), "{conf}");
    }
}

/// `frr defaults datacenter` turns ebgp-requires-policy off (FRR's bgp_vty.c:
/// `BGP_EBGP_REQUIRES_POLICY` is false in the datacenter profile); `traditional`
/// (FRR's packaged default) keeps it on.
#[test]
fn the_datacenter_profile_turns_ebgp_requires_policy_off() {
    let no_maps = FW_OK
        .lines()
        .filter(|l| !l.contains("route-map ALL"))
        .collect::<Vec<_>>()
        .join("\n");
    for (profile, flows) in [("datacenter", true), ("traditional", false)] {
        let conf = no_maps.replace(
            "frr version 8.4",
            &format!("frr version 8.4\nip nht resolve-via-default\nfrr defaults {profile}"),
        );
        let a = fw(&conf);
        assert!(!a.has_errors(), "{:#?}", a.diagnostics);
        assert_eq!(installs(&a, "ars", "10.50.0.0/16"), flows, "{profile}");
        assert_eq!(installs(&a, "fw", "10.100.0.0/16"), flows, "{profile}");
    }
}

/// `bgp always-compare-med` is a decision process avscheck does not model: an error
/// on its line; deterministic-med (what avscheck models) is accepted either way.
#[test]
fn always_compare_med_is_not_supported() {
    let a = fw(&FW_OK.replace(
        "router bgp 65010",
        "router bgp 65010\n bgp always-compare-med",
    ));
    assert!(a.has_errors(), "{:#?}", a.diagnostics);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.message.contains("always-compare-med"))
        .unwrap_or_else(|| panic!("{:#?}", a.diagnostics));
    assert_eq!(
        line_of(&a, d.labels[0].span).trim(),
        "bgp always-compare-med"
    );
    for line in [
        " bgp deterministic-med",
        " no bgp deterministic-med",
        " no bgp always-compare-med",
    ] {
        let a = fw(&FW_OK.replace("router bgp 65010", &format!("router bgp 65010\n{line}")));
        assert!(!a.has_errors(), "{line}: {:#?}", a.diagnostics);
    }
}

/// A site configured by FRR peers its ExpressRoute circuit at the MSEE's address:
/// the second usable address of the circuit's `peering_subnet` (tester's finding 7).
/// Without the subnet the help says how; the neighbour address alone is AVS0906.
#[test]
fn a_configured_site_peers_its_circuit_at_the_msee_address() {
    let conf = "frr version 8.4
ip nht resolve-via-default
ip route 10.9.0.0/16 blackhole
route-map ANY permit 10
router bgp 64700
 bgp router-id 192.168.255.1
 neighbor 192.168.255.2 remote-as 12076
 address-family ipv4 unicast
  network 10.9.0.0/16
  neighbor 192.168.255.2 route-map ANY in
  neighbor 192.168.255.2 route-map ANY out
 exit-address-family
";
    let avs = |circuit: &str| {
        format!(
            "use azure\nvnet hub {{ address 10.100.0.0/16 }}\ner_gateway gw {{ vnet hub }}\nsite corp {{ config \"corp.conf\" }}\n{circuit}\ncheck \"hub reaches corp\" {{ reachable hub -> corp }}\n"
        )
    };
    let a = design(
        &avs("er_circuit er1 { peer corp; connect gw; peering_subnet 192.168.255.0/30 }"),
        &[("corp.conf", conf)],
    );
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    assert!(a.diagnostics.is_empty(), "{:#?}", a.diagnostics);
    assert!(installs(&a, "corp", "10.100.0.0/16"));
    assert!(installs(&a, "gw", "10.9.0.0/16"));
    assert_eq!(
        verdicts(&a),
        vec![("hub reaches corp".to_string(), CheckStatus::Pass)]
    );
    // The customer edge's address (the first) is not the MSEE.
    let a = design(
        &avs("er_circuit er1 { peer corp; connect gw; peering_subnet 192.168.255.0/30 }"),
        &[("corp.conf", &conf.replace("192.168.255.2", "192.168.255.1"))],
    );
    assert_eq!(with_code(&a, "AVS0906").len(), 1, "{:#?}", a.diagnostics);
    // Without the subnet: the session is down, and the help names the key.
    let a = design(
        &avs("er_circuit er1 { peer corp; connect gw }"),
        &[("corp.conf", conf)],
    );
    let down = with_code(&a, "AVS0300");
    assert_eq!(down.len(), 1, "{:#?}", a.diagnostics);
    assert!(
        down[0].notes.iter().any(|n| n.contains("peering_subnet")),
        "{:#?}",
        down[0].notes
    );
    assert!(!installs(&a, "corp", "10.100.0.0/16"));
}

#[test]
fn import_check_keeps_networks_without_a_route_back() {
    let conf = FW_OK.replace("ip route 10.50.0.0/16 blackhole\n", "");
    let a = fw(&conf);
    let d = with_code(&a, "AVS0909");
    assert_eq!(d.len(), 1, "{:#?}", a.diagnostics);
    assert_eq!(
        line_of(&a, d[0].labels[0].span).trim(),
        "network 10.50.0.0/16"
    );
    assert!(!installs(&a, "ars", "10.50.0.0/16"));
    // Off: announced. A connected prefix (the NIC's subnet) passes the check.
    let a = fw(&conf.replace(
        "frr version 8.4",
        "frr version 8.4\nip nht resolve-via-default\nrouter bgp 65010\n no bgp network import-check",
    ));
    assert!(installs(&a, "ars", "10.50.0.0/16"), "{:#?}", a.diagnostics);
    let a = fw(&conf.replace("network 10.50.0.0/16", "network 10.100.1.0/24"));
    assert!(with_code(&a, "AVS0909").is_empty(), "{:#?}", a.diagnostics);
    // The help names the real next hop, not a blackhole.
    let a = fw(&conf);
    let d = with_code(&a, "AVS0909");
    assert!(
        d[0].notes.iter().any(|n| n.contains("real next hop")),
        "{:#?}",
        d[0]
    );
}

/// designs6/netdef: an Azure VM's kernel holds the DHCP default route via its
/// subnet's gateway, so `network 0.0.0.0/0` passes import-check.
#[test]
fn an_azure_nvas_kernel_default_route_passes_import_check() {
    let conf = FW_OK.replace("network 10.50.0.0/16", "network 0.0.0.0/0");
    assert_ne!(conf, FW_OK);
    let a = fw(&conf);
    assert!(with_code(&a, "AVS0909").is_empty(), "{:#?}", a.diagnostics);
    assert!(installs(&a, "ars", "0.0.0.0/0"), "{:#?}", a.diagnostics);
}

#[test]
fn not_activated_neighbors_exchange_nothing() {
    let conf = FW_OK.replace(
        "router bgp 65010",
        "router bgp 65010\n no bgp default ipv4-unicast",
    );
    assert!(!installs(&fw(&conf), "ars", "10.50.0.0/16"));
    let activated = conf.replace(
        " exit-address-family",
        "  neighbor 10.100.0.4 activate\n  neighbor 10.100.0.5 activate\n exit-address-family",
    );
    assert!(installs(&fw(&activated), "ars", "10.50.0.0/16"));
    let off = FW_OK.replace(
        " exit-address-family",
        "  no neighbor 10.100.0.4 activate\n  no neighbor 10.100.0.5 activate\n exit-address-family",
    );
    assert!(!installs(&fw(&off), "ars", "10.50.0.0/16"));
}

// ---------------------------------------------------------------- the parser

fn parse(text: &str) -> (avscheck::frr::ast::Config, Vec<Diagnostic>) {
    avscheck::frr::parse(FileId(0), text)
}

fn line_at(text: &str, d: &Diagnostic) -> String {
    let s = d.labels[0].span.start as usize;
    let start = text[..s].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let end = text[s..].find('\n').map(|i| i + s).unwrap_or(text.len());
    text[start..end].trim().to_string()
}

const FULL: &str = "! a lab NVA
frr version 8.4
frr defaults traditional
ip nht resolve-via-default
hostname nva1
log syslog informational
service integrated-vtysh-config
!
interface eth0
 ip address 10.100.1.4/24
 description to the hub
!
ip route 10.0.0.0/8 10.100.1.1
ip route 192.168.0.0/16 blackhole
ip route 172.16.0.0/12 Null0
ip prefix-list ONPREM seq 5 permit 10.2.0.0/16 le 24
ip prefix-list ONPREM deny 0.0.0.0/0 le 32
ip prefix-list ANY permit any
bgp as-path access-list NORTH seq 5 permit _65020_
bgp community-list standard KEEP seq 5 permit 65010:100
access-list 10 permit 10.1.0.0 0.0.255.255
route-map TO-ARS permit 10
 match ip address prefix-list ONPREM
 match as-path NORTH
 set as-path exclude 65515 12076
 set local-preference 200
 on-match next
route-map TO-ARS permit 20
 match community KEEP
 set metric 50
 set community 65010:1 additive
 set ip next-hop 10.100.1.4
route-map TO-ARS deny 30
 match ip address 10
router bgp 65010
 bgp router-id 10.100.1.4
 no bgp ebgp-requires-policy
 neighbor 10.100.0.4 remote-as 65515
 neighbor 10.100.0.4 ebgp-multihop 2
 neighbor 10.0.0.9 remote-as internal
 neighbor 10.0.0.9 route-map TO-ARS out
 network 10.60.0.0/16
 address-family ipv4 unicast
  neighbor 10.100.0.4 route-map TO-ARS out
  neighbor 10.100.0.4 prefix-list ONPREM in
  neighbor 10.100.0.4 allowas-in 2
  neighbor 10.100.0.4 as-override
  redistribute static
 exit-address-family
!
line vty
 exec-timeout 0 0
!
";

#[test]
fn the_supported_statements_parse_into_the_model() {
    let (c, diags) = parse(FULL);
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(c.version.unwrap().node, (8, 4));
    assert_eq!(c.hostname.unwrap().node, "nva1");
    assert_eq!(
        c.interface_addresses[0].node,
        "10.100.1.0/24".parse().unwrap()
    );
    assert_eq!(c.statics.len(), 3);
    assert_eq!(c.statics[1].next_hop, StaticNextHop::Drop);
    let pl = &c.prefix_lists["ONPREM"];
    assert_eq!(pl.entries.keys().copied().collect::<Vec<_>>(), vec![5, 10]);
    assert!(!pl.entries[&10].permit);
    assert_eq!(c.prefix_lists["ANY"].entries[&5].item.le, Some(32));
    let rm = &c.route_maps["TO-ARS"];
    assert_eq!(rm.entries.len(), 3);
    let e10 = &rm.entries[&10];
    assert_eq!(e10.matches.len(), 2);
    assert!(e10
        .sets
        .iter()
        .any(|s| s.node == Set::Exclude(vec![65515, 12076])));
    assert!(e10.exit.is_some());
    assert_eq!(
        rm.entries[&30].matches[0].node,
        Match::AccessList("10".into())
    );
    let b = c.bgp.unwrap();
    assert_eq!(b.asn.node, 65010);
    assert!(!b.ebgp_requires_policy.unwrap().node);
    assert_eq!(b.networks.len(), 1);
    assert_eq!(b.redistribute.len(), 1);
    let n = &b.neighbors[0];
    assert_eq!(n.remote_as.unwrap().node, RemoteAs::Asn(65515));
    assert_eq!(n.route_map[&Direction::Out].node, "TO-ARS");
    assert_eq!(n.prefix_list[&Direction::In].node, "ONPREM");
    assert_eq!(n.allowas_in.unwrap().node, 2);
    assert!(n.as_override.is_some());
    assert_eq!(b.neighbors[1].remote_as.unwrap().node, RemoteAs::Internal);
}

#[test]
fn unknown_statements_are_located_warnings() {
    let text = "router bgp 65010\n bgp frobnicate 3\n neighbor 10.0.0.1 remote-as 1\n neighbor 10.0.0.1 wibble\nfoo bar\n";
    let (_, diags) = parse(text);
    let w: Vec<String> = diags
        .iter()
        .filter(|d| d.code == "AVS0901")
        .map(|d| line_at(text, d))
        .collect();
    assert_eq!(
        w,
        vec!["bgp frobnicate 3", "neighbor 10.0.0.1 wibble", "foo bar"],
        "{diags:#?}"
    );
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:#?}");
}

#[test]
fn unsupported_statements_that_change_routing_are_errors() {
    for line in [
        " neighbor 10.0.0.1 default-originate route-map DEF",
        " aggregate-address 10.0.0.0/8 route-map AGG",
        " redistribute ospf",
        " bgp bestpath as-path ignore",
        " neighbor 10.0.0.1 remove-private-AS",
    ] {
        let text = format!("router bgp 65010\n neighbor 10.0.0.1 remote-as 1\n{line}\n");
        let (_, diags) = parse(&text);
        let e: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == "AVS0902").collect();
        assert_eq!(e.len(), 1, "{line}: {diags:#?}");
        assert_eq!(line_at(&text, e[0]), line.trim());
    }
    for text in [
        "router ospf\n network 10.0.0.0/8 area 0\n",
        "route-map X permit 10\n set weight 100\n",
        "route-map X permit 10\n match ip next-hop 1\n",
        "bgp community-list expanded X permit 1:.*\n",
    ] {
        let (_, diags) = parse(text);
        assert_eq!(
            diags.iter().filter(|d| d.code == "AVS0902").count(),
            1,
            "{text}: {diags:#?}"
        );
    }
}

/// `neighbor A default-originate` and `aggregate-address` parse (FRR 8.4's bgpd:
/// 0/0 goes to A past the outbound route-map and ebgp-requires-policy; the aggregate
/// exists while a more specific route does, `summary-only` hides those); both are
/// modeled — the Route Server gets 0.0.0.0/0 from the firewall past its outbound
/// route-map, and 10.50.0.0/15 (over the firewall's 10.50.0.0/16) alone with
/// `summary-only` — and with `as-set` (the aggregate's path is its one contributor's,
/// the firewall's own empty path, so the Route Server gets 65010 and no AS_SET).
#[test]
fn default_originate_and_aggregates_are_modeled() {
    let (c, d) = parse("router bgp 65010\n neighbor 10.0.0.1 remote-as 1\n address-family ipv4 unicast\n  neighbor 10.0.0.1 default-originate\n  aggregate-address 10.0.0.0/8 as-set summary-only\n  aggregate-address 10.1.0.0/16\n");
    assert!(d.is_empty(), "{d:#?}");
    let b = c.bgp.unwrap();
    assert!(b.neighbors[0].default_originate.is_some());
    assert_eq!(b.aggregates.len(), 2);
    assert!(b.aggregates[0].node.as_set && b.aggregates[0].node.summary_only);
    assert!(!b.aggregates[1].node.as_set && !b.aggregates[1].node.summary_only);
    let (_, d) = parse("router bgp 65010\n aggregate-address 10.0.0.0/8 summary-onyl\n");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "AVS0900");
    let with = |extra: &str| {
        fw(&FW_OK.replace(
            " exit-address-family",
            &format!("  {extra}\n exit-address-family"),
        ))
    };
    // On both Route Server instances (one alone is AVS0920: tests/frr_semantics.rs).
    let a = with("neighbor 10.100.0.4 default-originate\n  neighbor 10.100.0.5 default-originate");
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    assert!(installs(&a, "ars", "0.0.0.0/0"));
    assert!(!installs(&fw(FW_OK), "ars", "0.0.0.0/0"));
    // summary-only: the aggregate alone; without it, both.
    let a = with("aggregate-address 10.50.0.0/15 summary-only");
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    assert!(installs(&a, "ars", "10.50.0.0/15"));
    assert!(!installs(&a, "ars", "10.50.0.0/16"));
    assert!(installs(&a, "fw", "10.50.0.0/16"));
    let a = with("aggregate-address 10.50.0.0/15");
    assert!(installs(&a, "ars", "10.50.0.0/15"));
    assert!(installs(&a, "ars", "10.50.0.0/16"));
    // No contributor: no aggregate.
    let a = with("aggregate-address 10.60.0.0/15");
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    assert!(!installs(&a, "ars", "10.60.0.0/15"));
    assert!(!installs(&a, "fw", "10.60.0.0/15"));
    let a = with("aggregate-address 10.50.0.0/15 as-set summary-only");
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    assert!(with_code(&a, "AVS0902").is_empty(), "{:#?}", a.diagnostics);
    let net = a.network.as_ref().unwrap();
    let state = avscheck::sim::stable_state(net, &avscheck::sim::Scenario::default()).unwrap();
    let ars = net.node_by_name("ars").unwrap();
    let r = state.best(ars, "10.50.0.0/15".parse().unwrap()).unwrap();
    assert_eq!(
        (r.as_path.as_slice(), r.as_set.as_slice()),
        (&[65010][..], &[][..])
    );
    assert!(!installs(&a, "ars", "10.50.0.0/16"));
}

/// `set community C` without `additive` replaces every community; `set community
/// none` removes them all.
#[test]
fn set_community_replaces_or_removes_every_community() {
    let (c, d) = parse("route-map X permit 10\n set community 1:1 2:2\nroute-map X permit 20\n set community none\nroute-map X permit 30\n set community 3:3 additive\n set community 4:4\n");
    assert!(d.is_empty(), "{d:#?}");
    let m = &c.route_maps["X"];
    assert_eq!(
        m.entries[&10].sets[0].node,
        Set::Community {
            communities: vec![(1, 1), (2, 2)],
            additive: false
        }
    );
    assert_eq!(
        m.entries[&20].sets[0].node,
        Set::Community {
            communities: vec![],
            additive: false
        }
    );
    // A second `set community` replaces the first (FRR).
    assert_eq!(m.entries[&30].sets.len(), 1);
    for bad in ["none 1:1", "none additive", ""] {
        let (_, d) = parse(&format!("route-map X permit 10\n set community {bad}\n"));
        assert_eq!(d.len(), 1, "{bad}: {d:#?}");
        assert_eq!(d[0].code, "AVS0900");
    }
    // Through the model: the fw tags 10.50.0.0/16 with 65010:1, then replaces that
    // with 65010:2 (or removes all); the Route Server side cannot see it, so the
    // fw's own import from ars is used: a route tagged on the way in is denied by a
    // later map entry only when the tag is still there.
    let tagged = |set: &str| {
        FW_OK.replace(
            "route-map ALL permit 10\n",
            &format!("route-map ALL permit 10\n set community 65010:1 additive\n on-match next\nroute-map ALL permit 20\n {set}\n on-match next\nroute-map ALL permit 30\n"),
        )
    };
    for (set, has_old, has_new) in [
        ("set community 65010:2", false, true),
        ("set community none", false, false),
        ("set community 65010:2 additive", true, true),
    ] {
        let a = fw(&tagged(set));
        assert!(!a.has_errors(), "{set}: {:#?}", a.diagnostics);
        let net = a.network.as_ref().unwrap();
        let state = avscheck::sim::stable_state(net, &avscheck::sim::Scenario::default()).unwrap();
        let r = state
            .best(
                net.node_by_name("ars").unwrap(),
                "10.50.0.0/16".parse().unwrap(),
            )
            .unwrap();
        let comms: Vec<(u16, u16)> = r
            .tags
            .iter()
            .filter_map(|t| net.tags[*t].community)
            .collect();
        assert_eq!(comms.contains(&(65010, 1)), has_old, "{set}: {comms:?}");
        assert_eq!(comms.contains(&(65010, 2)), has_new, "{set}: {comms:?}");
    }
}

/// Peer-groups: settings on the group are inherited by its members, a member's own
/// setting wins, a member may take its remote-as from the group, and a reference to
/// a group never defined is a located warning (FRR rejects the line).
#[test]
fn peer_group_members_inherit_the_groups_settings() {
    let text = "router bgp 65010\n neighbor ARS peer-group\n neighbor ARS remote-as 65515\n neighbor 10.100.0.4 peer-group ARS\n neighbor 10.100.0.5 remote-as 65515\n neighbor 10.100.0.5 peer-group ARS\n address-family ipv4 unicast\n  neighbor ARS route-map ALL in\n  neighbor ARS route-map ALL out\n  neighbor 10.100.0.5 route-map OTHER out\n exit-address-family\n";
    let (c, d) = parse(text);
    assert!(d.is_empty(), "{d:#?}");
    let b = c.bgp.as_ref().unwrap();
    let g = &b.peer_groups["ARS"];
    assert_eq!(g.remote_as.as_ref().unwrap().node, RemoteAs::Asn(65515));
    assert_eq!(b.neighbors.len(), 2);
    let m4 = b.neighbors[0].inherit(g);
    assert_eq!(m4.remote_as.unwrap().node, RemoteAs::Asn(65515));
    assert_eq!(m4.route_map[&Direction::Out].node, "ALL");
    assert_eq!(m4.route_map[&Direction::In].node, "ALL");
    let m5 = b.neighbors[1].inherit(g);
    assert_eq!(m5.route_map[&Direction::Out].node, "OTHER");
    assert_eq!(m5.route_map[&Direction::In].node, "ALL");
    // Undefined group: the line is rejected, with a warning on it.
    for line in [
        " neighbor 10.0.0.1 peer-group NOPE",
        " neighbor NOPE route-map X in",
    ] {
        let text = format!("router bgp 65010\n{line}\n");
        let (_, d) = parse(&text);
        assert_eq!(d.len(), 1, "{line}: {d:#?}");
        assert_eq!(d[0].code, "AVS0908");
        assert_eq!(line_at(&text, &d[0]), line.trim());
    }
    // Through the model: the group's policies let the fw and the Route Server
    // exchange routes under ebgp-requires-policy.
    let grouped = "frr version 8.4
ip nht resolve-via-default
router bgp 65010
 neighbor ARS peer-group
 neighbor ARS remote-as 65515
 neighbor ARS ebgp-multihop 2
 neighbor 10.100.0.4 peer-group ARS
 neighbor 10.100.0.5 peer-group ARS
 address-family ipv4 unicast
  network 10.50.0.0/16
  neighbor ARS route-map ALL in
  neighbor ARS route-map ALL out
 exit-address-family
!
ip route 10.50.0.0/16 blackhole
route-map ALL permit 10
";
    let a = fw(grouped);
    assert!(a.diagnostics.is_empty(), "{:#?}", a.diagnostics);
    assert!(installs(&a, "ars", "10.50.0.0/16"));
    assert!(installs(&a, "fw", "10.100.0.0/16"));
    // Without the group's outbound map, nothing is sent.
    let a = fw(&grouped.replace("  neighbor ARS route-map ALL out\n", ""));
    assert!(!installs(&a, "ars", "10.50.0.0/16"));
    assert!(installs(&a, "fw", "10.100.0.0/16"));
}

#[test]
fn malformed_statements_point_at_the_word() {
    for (text, word) in [
        (
            "router bgp 65010\n neighbor 10.0.0.300 remote-as 1\n",
            "10.0.0.300",
        ),
        ("router bgp 65010\n neighbor 10.0.0.1 remote-as x\n", "x"),
        ("ip route 10.1.2.3/16 blackhole\n", "10.1.2.3/16"),
        ("ip prefix-list A seq 5 permit 10.0.0.0/8 le 40\n", "40"),
        ("ip prefix-list A seq 5 allow 10.0.0.0/8\n", "allow"),
        ("route-map X permit\n", ""),
        (
            "route-map X permit 10\n set local-preference high\n",
            "high",
        ),
        ("router bgp 0\n", "0"),
    ] {
        let (_, diags) = parse(text);
        let e: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == "AVS0900").collect();
        assert_eq!(e.len(), 1, "{text}: {diags:#?}");
        let s = e[0].labels[0].span;
        assert_eq!(&text[s.start as usize..s.end as usize], word, "{text}");
    }
    let (_, d) = parse("ip route 10.1.2.3/16 blackhole\n");
    assert!(d[0].message.contains("10.1.0.0/16"), "{d:#?}");
}

#[test]
fn sequence_numbers_follow_frr() {
    let (c, d) = parse("ip prefix-list A permit 10.0.0.0/8\nip prefix-list A seq 12 permit 10.1.0.0/16\nip prefix-list A permit 10.2.0.0/16\nip prefix-list A seq 12 deny 10.3.0.0/16\n");
    assert_eq!(
        c.prefix_lists["A"]
            .entries
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        vec![5, 12, 15]
    );
    let dup: Vec<&Diagnostic> = d.iter().filter(|x| x.code == "AVS0917").collect();
    assert_eq!(dup.len(), 1);
    assert!(!dup[0].is_error(), "FRR accepts the second entry");
    // FRR 8.4's bgpd keeps the later entry (show running-config), for every list kind.
    let e = &c.prefix_lists["A"].entries[&12];
    assert!(!e.permit);
    assert_eq!(e.item.prefix, "10.3.0.0/16".parse().unwrap());
    let (c, d) = parse(
        "bgp community-list standard C seq 5 permit 1:1
bgp community-list standard C seq 5 deny 2:2
access-list L seq 5 permit 10.0.0.0/8
access-list L seq 5 deny 11.0.0.0/8
",
    );
    assert!(
        d.iter().all(|x| x.code == "AVS0917" && !x.is_error()),
        "{d:#?}"
    );
    assert!(!c.community_lists["C"].entries[&5].permit);
    assert!(!c.access_lists["L"].entries[&5].permit);
}

/// Host bits in a prefix-list, access-list, `network` or `aggregate-address` prefix
/// are cleared, as FRR 8.4's bgpd does (`show running-config` shows the masked
/// prefix); `ip route` still refuses them.
#[test]
fn host_bits_are_masked_where_frr_masks_them() {
    let (c, d) = parse(
        "ip prefix-list B seq 5 permit 10.1.0.1/16 le 24
access-list L permit 10.1.0.1/16
router bgp 65010
 network 10.9.0.1/16
 aggregate-address 10.8.0.1/16
",
    );
    assert!(d.is_empty(), "{d:#?}");
    let want: ipnet::Ipv4Net = "10.1.0.0/16".parse().unwrap();
    assert_eq!(c.prefix_lists["B"].entries[&5].item.prefix, want);
    let b = c.bgp.unwrap();
    assert_eq!(b.networks[0].node, "10.9.0.0/16".parse().unwrap());
    assert_eq!(b.aggregates[0].node.prefix, "10.8.0.0/16".parse().unwrap());
    let (_, d) = parse(
        "ip route 10.7.0.1/16 blackhole
",
    );
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "AVS0900");
}

// ---------------------------------------------------------------- hostile input

fn spans_inside(text: &str, diags: &[Diagnostic]) {
    for d in diags {
        for l in &d.labels {
            assert!(
                l.span.start <= l.span.end && (l.span.end as usize) <= text.len(),
                "{d:#?}"
            );
            assert!(text.is_char_boundary(l.span.start as usize), "{d:#?}");
            assert!(text.is_char_boundary(l.span.end as usize), "{d:#?}");
        }
    }
}

#[test]
fn hostile_configurations_give_located_diagnostics_never_a_panic() {
    // A 1 MB line.
    let long = format!(
        "router bgp 1\n neighbor 10.0.0.1 description {}\n",
        "x".repeat(1 << 20)
    );
    let (_, d) = parse(&long);
    assert_eq!(d.iter().filter(|x| x.code == "AVS0910").count(), 1);
    spans_inside(&long, &d);
    // Deep "nesting": blocks opened and never closed, indented ever deeper.
    let mut deep = String::new();
    for i in 0..20_000 {
        let pad = " ".repeat(i % 200);
        deep.push_str(&format!("{pad}router bgp 1\n{pad}address-family ipv4 unicast\n{pad}route-map M{i} permit {}\n{pad}interface e{i}\n", i % 65535 + 1));
    }
    let (_, d) = parse(&deep);
    spans_inside(&deep, &d);
    // Garbage: random bytes (as text), random words, unknown statements, CRs, tabs.
    let words = [
        "router",
        "bgp",
        "neighbor",
        "route-map",
        "permit",
        "deny",
        "10.0.0.1",
        "10.0.0.0/8",
        "ip",
        "prefix-list",
        "seq",
        "le",
        "ge",
        "set",
        "match",
        "as-path",
        "exclude",
        "!",
        "#",
        "\t",
        "\r",
        "é",
        "65535",
        "4294967296",
        "-1",
        "address-family",
        "exit",
        "continue",
        "on-match",
        "community-list",
        "access-list",
        "1:1",
        "ü…",
        "",
        "remote-as",
        "peer-group",
        "PG",
        "default-originate",
        "aggregate-address",
        "summary-only",
        "as-set",
        "community",
        "none",
        "additive",
        "activate",
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(14);
    for _ in 0..300 {
        let mut text = String::new();
        for _ in 0..rng.gen_range(1..60) {
            for _ in 0..rng.gen_range(0..9) {
                text.push_str(words[rng.gen_range(0..words.len())]);
                text.push(if rng.gen_bool(0.9) { ' ' } else { '\t' });
            }
            text.push('\n');
        }
        let (_, d) = parse(&text);
        spans_inside(&text, &d);
        let bytes: Vec<u8> = (0..rng.gen_range(0..400)).map(|_| rng.gen()).collect();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (_, d) = parse(&text);
        spans_inside(&text, &d);
    }
    // Aggregates of every length over each other (0.0.0.0/0 and /32 included), with
    // summary-only, and default-originate towards every neighbor, known or not.
    let mut aggregates = String::from("frr version 8.4\nip nht resolve-via-default\nrouter bgp 65010\n no bgp ebgp-requires-policy\n neighbor 10.100.0.4 remote-as 65515\n neighbor 10.100.0.5 remote-as 65515\n neighbor 10.100.0.4 ebgp-multihop 2\n neighbor 10.100.0.5 ebgp-multihop 2\n neighbor 10.9.9.9 remote-as 1\n address-family ipv4 unicast\n  network 10.50.1.1/32\n");
    for len in 0..=32 {
        let so = if len % 2 == 0 { " summary-only" } else { "" };
        aggregates.push_str(&format!(
            "  aggregate-address {}{so}\n",
            ipnet::Ipv4Net::new("10.50.1.1".parse().unwrap(), len)
                .unwrap()
                .trunc()
        ));
    }
    for n in ["10.100.0.4", "10.100.0.5", "10.9.9.9"] {
        aggregates.push_str(&format!("  neighbor {n} default-originate\n"));
    }
    aggregates.push_str(" exit-address-family\n!\nip route 10.50.1.1/32 blackhole\n");
    // Hostile configurations through the whole pipeline: diagnostics, no panic.
    for conf in [long.as_str(), deep.as_str(), "\u{0}\u{1}garbage\n", "router bgp 65010\n neighbor 10.100.0.4 remote-as 65515\n neighbor 10.100.0.4 route-map NOPE out\n", aggregates.as_str()] {
        let a = fw(conf);
        for d in &a.diagnostics {
            for l in &d.labels {
                let t = a.sources.text(l.span.file);
                assert!((l.span.end as usize) <= t.len());
            }
        }
        if let (false, Some(net)) = (a.has_errors(), a.network.as_ref()) {
            let _ = avscheck::sim::stable_state(net, &avscheck::sim::Scenario::default());
        }
    }
    // The aggregates stand (each holds the /32 or a longer aggregate) and summary-only
    // hides all but 0.0.0.0/0's... which default-originate replaces towards the
    // Route Server: it holds the fw's generated default route.
    let a = fw(&aggregates);
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    assert!(installs(&a, "fw", "10.50.0.0/16"));
    assert!(installs(&a, "ars", "0.0.0.0/0"));
    assert!(!installs(&a, "ars", "10.50.1.1/32"));
}

/// Every code of `frr::codes` is documented in docs/diagnostics.md.
#[test]
fn every_frr_code_is_documented() {
    let src = std::fs::read_to_string(format!("{}/compiler/src/frr/mod.rs", root())).unwrap();
    let docs = std::fs::read_to_string(format!("{}/docs/diagnostics.md", root())).unwrap();
    let codes: Vec<&str> = src
        .split('"')
        .filter(|s| s.len() == 7 && s.starts_with("AVS09"))
        .collect();
    assert!(codes.len() >= 20, "{codes:?}");
    for c in codes {
        assert!(
            docs.contains(&format!("| {c} |")),
            "{c} is not in docs/diagnostics.md"
        );
    }
}

/// `ip route P GATEWAY` (Azure's x.x.x.1 of the NVA's subnet) hands P to the fabric,
/// and a static wins over BGP: in the two-region example, fw_w then sends packets for
/// on-premises back into the fabric — whose Route Server routes point at fw_w itself —
/// instead of into the tunnel: a loop. The simulator and the SMT engine agree.
#[test]
fn a_static_route_to_azures_gateway_hands_the_prefix_to_the_fabric() {
    let dir = format!("{}/examples/two-regions-frr", root());
    let text = std::fs::read_to_string(format!("{dir}/two-regions-frr.avs")).unwrap();
    let fw_w = std::fs::read_to_string(format!("{dir}/fw_w.conf"))
        .unwrap()
        .replace(
            "ip prefix-list WEST-ROUTES seq 10",
            "ip route 10.2.0.0/16 10.100.1.1\nip prefix-list WEST-ROUTES seq 10",
        );
    let fw_n = std::fs::read_to_string(format!("{dir}/fw_n.conf")).unwrap();
    let a = design(&text, &[("fw_w.conf", &fw_w), ("fw_n.conf", &fw_n)]);
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    let net = a.network.as_ref().unwrap();
    let fw = &net.nodes[net.node_by_name("fw_w").unwrap()];
    assert_eq!(fw.statics.len(), 1);
    assert_eq!(
        fw.statics[0].target,
        avscheck::ir::StaticTarget::Fabric("10.100.1.1".parse().unwrap())
    );
    let title = "no loop between the regional NVAs";
    let v = avscheck::verify(
        &a,
        &VerifyOptions {
            only: Some(title.to_string()),
            ..VerifyOptions::default()
        },
    );
    assert_eq!(v.checks[0].status, CheckStatus::Fail);
    assert!(
        v.checks[0].labels.iter().any(|l| line_of(&a, l.span)
            .contains("ip route 10.2.0.0/16 10.100.1.1")
            || a.sources.name(l.span.file).ends_with("fw_w.conf")
            || l.message.contains("fw_w")),
        "{:#?}",
        v.checks[0].labels
    );
    let check = net.checks.values().find(|c| c.title == title).unwrap();
    let sc = avscheck::sim::Scenario::default();
    let state = avscheck::sim::stable_state(net, &sc).unwrap();
    let outcome = avscheck::sim::props::evaluate(net, &state, &sc, &check.properties[0]);
    assert!(
        matches!(outcome, avscheck::sim::props::PropertyOutcome::Violated(_)),
        "{outcome:?}"
    );
    // Without the static route, both engines say the check holds (the example test).
}

/// designs6/nhvm: a static whose next hop is inside the NIC's connected subnet is
/// installed by FRR (and redistributed), though no node holds the address: Azure drops
/// its traffic. One outside every connected subnet is not installed, and neither
/// announced.
#[test]
fn a_static_next_hop_in_the_connected_subnet_is_installed() {
    let conf = FW_OK
        .replace(
            "ip route 10.50.0.0/16 blackhole\n",
            "ip route 10.50.0.0/16 blackhole\nip route 10.70.0.0/16 10.100.1.50\n",
        )
        .replace(
            " address-family ipv4 unicast\n",
            " address-family ipv4 unicast\n  redistribute static\n",
        );
    let a = fw(&conf);
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    let d = with_code(&a, "AVS0918");
    assert_eq!(d.len(), 1, "{:#?}", a.diagnostics);
    assert!(d[0].labels[0].message.contains("installed"), "{:#?}", d[0]);
    assert!(
        !d[0].labels[0].message.contains("not installed"),
        "{:#?}",
        d[0]
    );
    let net = a.network.as_ref().unwrap();
    let node = &net.nodes[net.node_by_name("fw").unwrap()];
    assert!(node
        .statics
        .iter()
        .any(|s| s.prefix == "10.70.0.0/16".parse().unwrap()
            && s.target == avscheck::ir::StaticTarget::Drop));
    assert!(installs(&a, "ars", "10.70.0.0/16"), "{:#?}", a.diagnostics);
    // Outside every connected subnet: not installed, so not redistributed either.
    let a = fw(&conf.replace("10.100.1.50", "10.9.9.9"));
    let d = with_code(&a, "AVS0918");
    assert_eq!(d.len(), 1, "{:#?}", a.diagnostics);
    assert!(d[0].labels[0].message.contains("not installed"));
    assert!(!installs(&a, "ars", "10.70.0.0/16"), "{:#?}", a.diagnostics);
}

/// designs6/drift: an interface address the design does not give the node is a
/// warning labelling the config line and the `.avs` line.
#[test]
fn an_interface_address_outside_the_design_is_drift() {
    let conf = format!("interface eth0\n ip address 10.200.1.4/24\n!\n{FW_OK}");
    let a = fw(&conf);
    let d = with_code(&a, "AVS0923");
    assert_eq!(d.len(), 1, "{:#?}", a.diagnostics);
    let lines: Vec<String> = d[0].labels.iter().map(|l| line_of(&a, l.span)).collect();
    assert!(
        lines.iter().any(|l| l.contains("ip address 10.200.1.4/24")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("ip 10.100.1.4")),
        "{lines:?}"
    );
    // The design's own address: no warning.
    let a = fw(&conf.replace("10.200.1.4/24", "10.100.1.4/24"));
    assert!(with_code(&a, "AVS0923").is_empty(), "{:#?}", a.diagnostics);
}

/// A Route Server's `peer` towards a configured NVA whose configuration has no neighbor
/// for it: AVS0300 says so in the configuration's terms.
#[test]
fn a_missing_neighbor_is_reported_in_the_configurations_terms() {
    let conf = "frr version 8.4\nip nht resolve-via-default\nrouter bgp 65010\n";
    let a = fw(conf);
    let d = with_code(&a, "AVS0300");
    assert_eq!(d.len(), 1, "{:#?}", a.diagnostics);
    assert!(
        d[0].labels[0]
            .message
            .contains("configuration has no neighbor"),
        "{:#?}",
        d[0]
    );
    assert!(
        d[0].notes[0].contains("neighbor ADDRESS remote-as 65515"),
        "{:#?}",
        d[0]
    );
}

/// `config` on a `site` and on an NVA with a second NIC and a public address: the
/// NVA's configuration reaches the site by its `public_ip`, the site's reaches the
/// NVA by its `public_ip`, and a `router` with a configuration peers the NVA's second
/// NIC (`nic`) — each session comes up and carries the other side's `network`.
#[test]
fn configurations_on_sites_and_routers_match_nic_and_public_addresses() {
    let avs = format!(
        "{HUB}
subnet nva_subnet2 {{ vnet hub; address 10.100.2.0/24 }}
nva fw {{
  subnet nva_subnet
  ip 10.100.1.4
  nic 10.100.2.4 subnet nva_subnet2
  public_ip 198.51.100.4
  config \"fw.conf\"
}}
site dc {{
  public_ip 203.0.113.10
  config \"dc.conf\"
}}
router core {{
  config \"core.conf\"
}}
"
    );
    let fw = "frr version 8.4\nip nht resolve-via-default\nrouter bgp 65010\n no bgp ebgp-requires-policy\n neighbor 10.100.0.4 remote-as 65515\n neighbor 10.100.0.5 remote-as 65515\n neighbor 10.100.0.4 ebgp-multihop 2\n neighbor 10.100.0.5 ebgp-multihop 2\n neighbor 203.0.113.10 remote-as 65020\n neighbor 203.0.113.10 ebgp-multihop\n neighbor 10.100.2.9 remote-as 65030\n address-family ipv4 unicast\n  network 10.50.0.0/16\n exit-address-family\n!\nip route 10.50.0.0/16 blackhole\n";
    let dc = "frr version 8.4\nip nht resolve-via-default\nrouter bgp 65020\n no bgp ebgp-requires-policy\n neighbor 198.51.100.4 remote-as 65010\n address-family ipv4 unicast\n  network 192.168.0.0/16\n exit-address-family\n!\nip route 192.168.0.0/16 blackhole\n";
    // The router has no address of its own: the NVA cannot name it, so its session
    // to the NVA's second NIC is one-sided and stays down (with a warning).
    let core = "frr version 8.4\nip nht resolve-via-default\nrouter bgp 65030\n no bgp ebgp-requires-policy\n neighbor 10.100.2.4 remote-as 65010\n address-family ipv4 unicast\n  network 172.16.0.0/12\n exit-address-family\n!\nip route 172.16.0.0/12 blackhole\n";
    let a = design(
        &avs,
        &[("fw.conf", fw), ("dc.conf", dc), ("core.conf", core)],
    );
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    assert!(installs(&a, "dc", "10.50.0.0/16"));
    assert!(installs(&a, "fw", "192.168.0.0/16"));
    assert!(installs(&a, "ars", "192.168.0.0/16"));
    let net = a.network.as_ref().unwrap();
    assert_eq!(net.nodes[net.node_by_name("core").unwrap()].asn, 65030);
    assert!(!installs(&a, "fw", "172.16.0.0/12"));
    // core's neighbor is matched (to fw's `nic`); fw's 10.100.2.9 is no one's.
    let unknown: Vec<String> = a
        .diagnostics
        .iter()
        .filter(|d| {
            d.message
                .contains("no node of the design holds the neighbor")
        })
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(unknown.len(), 1, "{unknown:#?}");
    assert!(unknown[0].contains("10.100.2.9"), "{unknown:#?}");
}

/// Two statements of the issue no other test reaches: `redistribute connected`
/// originates the subnets of the node's NICs (and `interface` addresses), and `set ip
/// next-hop unchanged` on the node's own routes is read without a diagnostic and
/// changes no route (a local route's next hop stays the advertising NIC; for learned
/// routes see `next_hop_unchanged_makes_route_server_program_the_other_nva`).
#[test]
fn redistribute_connected_and_next_hop_unchanged() {
    let conf = FW_OK
        .replace(
            "  network 10.50.0.0/16\n",
            "  network 10.50.0.0/16\n  redistribute connected\n",
        )
        .replace(
            "route-map ALL permit 10\n",
            "route-map ALL permit 10\n set ip next-hop unchanged\n!\ninterface lo\n ip address 10.77.0.1/32\n",
        );
    let (c, d) = parse(&conf);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(
        c.route_maps["ALL"].entries[&10].sets[0].node,
        Set::NextHopUnchanged
    );
    let a = fw(&conf);
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    let net = a.network.as_ref().unwrap();
    let fw_node = &net.nodes[net.node_by_name("fw").unwrap()];
    let originated: Vec<String> = fw_node
        .originates
        .iter()
        .map(|o| o.prefix.to_string())
        .collect();
    assert_eq!(
        originated,
        vec!["10.50.0.0/16", "10.100.1.0/24", "10.77.0.1/32"],
        "{originated:?}"
    );
    // The route-map's `unchanged` changes nothing the Route Server holds.
    assert!(installs(&a, "ars", "10.50.0.0/16"));
    assert!(installs(&a, "ars", "10.77.0.1/32"));
}

/// An as-path regular expression outside the subset that maps to `as_path contains`
/// and `length` is an explicit, located error (AVS0911) on the expression; the
/// supported forms of the same list are accepted.
#[test]
fn as_path_regexes_outside_the_subset_are_located_errors() {
    let with_list = |re: &str| {
        FW_OK.replace(
            "route-map ALL permit 10\n",
            &format!(
                "bgp as-path access-list AP seq 5 permit {re}\nbgp as-path access-list AP seq 10 permit _65020_\nroute-map ALL permit 10\n match as-path AP\n"
            ),
        )
    };
    for re in ["^65001_", "(65001|65002)", "_6500[0-9]_"] {
        let a = fw(&with_list(re));
        let e = with_code(&a, "AVS0911");
        assert_eq!(e.len(), 1, "{re}: {:#?}", a.diagnostics);
        assert_eq!(
            line_of(&a, e[0].labels[0].span).trim(),
            format!("bgp as-path access-list AP seq 5 permit {re}")
        );
        assert!(a.has_errors(), "{re}");
    }
    for re in ["^$", "^65001$", ".*", "^[0-9]+ [0-9]+$", "_65010_"] {
        let a = fw(&with_list(re));
        assert!(
            with_code(&a, "AVS0911").is_empty(),
            "{re}: {:#?}",
            a.diagnostics
        );
    }
}

// ------------------------------------------------------------ hardening (tester)

/// `router bgp N` with a reserved ASN is AVS0200, as an `asn` line is (AZURE.md
/// "Reserved ASNs"): an error-level finding on N in the configuration file; the
/// design is still analysed (exit status 1, not 2).
#[test]
fn a_reserved_asn_from_a_configuration_is_a_finding() {
    for (asn, why) in [
        ("65515", "Route Server"),
        ("12076", "ExpressRoute"),
        ("64500", "documentation"),
    ] {
        let conf = FW_OK.replace("router bgp 65010", &format!("router bgp {asn}"));
        let a = fw(&conf);
        let e = with_code(&a, "AVS0200");
        assert_eq!(e.len(), 1, "{asn}: {:#?}", a.diagnostics);
        assert!(e[0].is_error());
        assert!(e[0].labels[0].message.contains(why), "{:#?}", e[0]);
        let span = e[0].labels[0].span;
        assert_eq!(
            &a.sources.text(span.file)[span.start as usize..span.end as usize],
            asn
        );
        assert!(!a.is_unusable(), "a finding, not unusable input");
    }
    // Not reserved: no finding.
    assert!(with_code(&fw(FW_OK), "AVS0200").is_empty());
}

/// A statement that changes routing and is not modelled makes the design unusable:
/// no network, so no check gets a verdict (docs/frr.md; exit status 2).
#[test]
fn an_unmodelled_statement_stops_the_analysis() {
    let regex = FW_OK.replace(
        "route-map ALL permit 10\n",
        "bgp as-path access-list W permit ^65515_(12076|398656)$\nroute-map ALL permit 10\n match as-path W\n",
    );
    let both = FW_OK.replace(
        "route-map ALL permit 10\n",
        "route-map ALL permit 10\n set as-path prepend 65010\n set as-path exclude 65515\n",
    );
    for (conf, code) in [(regex, "AVS0911"), (both, "AVS0902")] {
        let a = fw(&conf);
        assert!(!with_code(&a, code).is_empty(), "{:#?}", a.diagnostics);
        assert!(a.is_unusable(), "{code}: {:#?}", a.diagnostics);
        let v = avscheck::verify(&a, &VerifyOptions::default());
        assert!(v.checks.is_empty());
    }
    // AVS0912 (remote-as kind) is a finding about a modelled design.
    assert!(!avscheck::frr::codes::prevents_analysis("AVS0912"));
    assert!(!fw(FW_OK).is_unusable());
}

/// A `config` path must be relative to the design file (LANGUAGE.md §2): an absolute
/// one is AVS0904 on the `config` line, and nothing is read.
#[test]
fn an_absolute_configuration_path_is_refused() {
    let a = hub_design(
        "  subnet nva_subnet\n  ip 10.100.1.4\n  config \"/etc/hostname\"",
        FW_OK,
    );
    let e = with_code(&a, "AVS0904");
    assert_eq!(e.len(), 1, "{:#?}", a.diagnostics);
    assert!(e[0].message.contains("absolute"), "{}", e[0].message);
    assert!(
        a.sources.files().all(|(_, f)| !f.name.contains("hostname")),
        "nothing is read"
    );
    assert!(a.is_unusable());
}

/// A `config` path that names a FIFO, a device or a directory, or resolves into
/// `/proc`, `/sys` or `/dev`, is refused before it is opened (a FIFO would block
/// until a writer comes, `/dev/zero` never ends, `/proc/kmsg` waits for messages):
/// AVS0904 on the `config` line, the design is not analysed, and nothing blocks. A
/// regular file beside them, also reached through `..`, is read.
#[test]
fn a_configuration_path_that_is_not_a_regular_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("design");
    std::fs::create_dir(&dir).unwrap();
    std::fs::create_dir(dir.join("confdir")).unwrap();
    let fifo = dir.join("fifo.conf");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.conf")).unwrap();
    std::os::unix::fs::symlink("/proc/self/pagemap", dir.join("pagemap.conf")).unwrap();
    // `/proc/kmsg` is "regular", of size 0, and its read waits for kernel messages.
    let kmsg = "../".repeat(dir.components().count() + 2) + "proc/kmsg";
    std::fs::create_dir(tmp.path().join("configs")).unwrap();
    std::fs::write(tmp.path().join("configs/fw.conf"), FW_OK).unwrap();
    let design_path = dir.join("design.avs");
    let run = move |conf: &str| -> Analysis {
        let text = format!(
            "{HUB}\nnva fw {{\n  subnet nva_subnet\n  ip 10.100.1.4\n  config \"{conf}\"\n}}\n"
        );
        let name = design_path.to_string_lossy().into_owned();
        // A blocked open would hang the test: analyse on a thread, with a deadline.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(avscheck::analyse(&name, &text));
        });
        rx.recv_timeout(std::time::Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("reading `{conf}` blocked"))
    };
    let mut refused = vec![
        ("confdir", "directory"),
        ("zero.conf", "resolves into `/dev`"),
        ("pagemap.conf", "resolves into `/proc`"),
        (kmsg.as_str(), "resolves into `/proc`"),
        (
            "../../../../../../../../../../sys/kernel/notes",
            "resolves into `/sys`",
        ),
    ];
    if made {
        refused.push(("fifo.conf", "not a regular file"));
    } else {
        eprintln!("note: mkfifo not available: the FIFO case is skipped");
    }
    for (conf, why) in refused {
        let a = run(conf);
        let e = with_code(&a, "AVS0904");
        assert_eq!(e.len(), 1, "{conf}: {:#?}", a.diagnostics);
        assert!(e[0].message.contains(why), "{conf}: {}", e[0].message);
        assert_eq!(
            line_of(&a, e[0].labels[0].span).trim(),
            format!("config \"{conf}\""),
        );
        assert!(a.is_unusable(), "{conf}");
    }
    // `..` may leave the design's directory (configs kept in a sibling directory).
    let a = run("../configs/fw.conf");
    assert!(with_code(&a, "AVS0904").is_empty(), "{:#?}", a.diagnostics);
    assert!(!a.is_unusable(), "{:#?}", a.diagnostics);
}

/// `set ip next-hop unchanged` on the outbound route-map towards Route Server: fw
/// re-advertises fw2's 10.60.0.0/16 with fw2's next hop (10.100.1.5), so Route Server
/// programs the VNet with VirtualAppliance 10.100.1.5 — packets for it skip fw.
/// Without the line, fw's own address (10.100.1.4) is programmed. fw's own
/// 10.50.0.0/16 gets fw's address either way (FRR: a local route's next hop is the
/// sender's). FRR 8.4's bgpd does the same with these statements:
/// tests/frr_configs/next-hop-unchanged.
#[test]
fn next_hop_unchanged_makes_route_server_program_the_other_nva() {
    let fw_conf = |out_map: &str| {
        format!(
            "frr version 8.4
ip nht resolve-via-default
router bgp 65010
 neighbor 10.100.0.4 remote-as 65515
 neighbor 10.100.0.4 ebgp-multihop 2
 neighbor 10.100.0.5 remote-as 65515
 neighbor 10.100.0.5 ebgp-multihop 2
 neighbor 10.100.1.5 remote-as 65020
 address-family ipv4 unicast
  network 10.50.0.0/16
  neighbor 10.100.0.4 route-map ALL in
  neighbor 10.100.0.4 route-map {out_map} out
  neighbor 10.100.0.5 route-map ALL in
  neighbor 10.100.0.5 route-map {out_map} out
  neighbor 10.100.1.5 route-map ALL in
  neighbor 10.100.1.5 route-map ALL out
 exit-address-family
!
ip route 10.50.0.0/16 blackhole
route-map ALL permit 10
route-map TO-ARS permit 10
 set ip next-hop unchanged
"
        )
    };
    let fw2_conf = "frr version 8.4
ip nht resolve-via-default
router bgp 65020
 neighbor 10.100.1.4 remote-as 65010
 address-family ipv4 unicast
  network 10.60.0.0/16
  neighbor 10.100.1.4 route-map ALL in
  neighbor 10.100.1.4 route-map ALL out
 exit-address-family
!
ip route 10.60.0.0/16 blackhole
route-map ALL permit 10
";
    let programmed = |out_map: &str| -> BTreeMap<String, String> {
        let a = design(
            &format!(
                "{HUB}\nnva fw {{\n  subnet nva_subnet\n  ip 10.100.1.4\n  config \"fw.conf\"\n}}\nnva fw2 {{\n  subnet nva_subnet\n  ip 10.100.1.5\n  config \"fw2.conf\"\n}}\n"
            ),
            &[("fw.conf", &fw_conf(out_map)), ("fw2.conf", fw2_conf)],
        );
        assert!(!a.has_errors(), "{:#?}", a.diagnostics);
        let net = a.network.as_ref().unwrap();
        let sc = avscheck::sim::Scenario::default();
        let state = avscheck::sim::stable_state(net, &sc).unwrap();
        let s = net.subnet_by_name("hub/default").unwrap();
        avscheck::sim::effective_routes(net, &state, &sc, s)
            .into_iter()
            .filter(|r| r.next_hop_type == avscheck::sim::NextHopType::VirtualAppliance)
            .map(|r| {
                let hop = match r.next_hop {
                    avscheck::sim::FabricTarget::Address(a) => a.to_string(),
                    other => format!("{other:?}"),
                };
                (r.prefix.to_string(), hop)
            })
            .collect()
    };
    let want = |a: &str, b: &str| -> BTreeMap<String, String> {
        [("10.50.0.0/16", a), ("10.60.0.0/16", b)]
            .into_iter()
            .map(|(p, h)| (p.to_string(), h.to_string()))
            .collect()
    };
    assert_eq!(
        programmed("TO-ARS"),
        want("10.100.1.4", "10.100.1.5"),
        "with `set ip next-hop unchanged`"
    );
    assert_eq!(
        programmed("ALL"),
        want("10.100.1.4", "10.100.1.4"),
        "without it"
    );
}

/// Microsoft's documentation says nothing of AS_SETs; the model's default
/// (docs/semantics.md §2.9) is RFC 4271's. fw aggregates with `as-set`:
/// - 10.70.0.0/16 over fw2's 10.70.1.0/24 (65020 65021) and 10.70.2.0/24 (65020
///   65022): 65020 {65021,65022}, so Route Server gets 65010 65020 {65021,65022},
///   length 3 — shorter than fw3's 65030 65031 65032 65033, so Route Server (which
///   installs every route of the shortest length) programs fw alone. Were the set
///   counted by its members, the two would tie and both be programmed.
/// - 10.0.0.0/8 over everything fw holds, Route Server's routes (65515) among them:
///   the AS_SET holds 65515 and Route Server's loop prevention rejects it; without
///   `as-set` it installs it.
#[test]
fn route_server_takes_an_as_set_as_rfc_4271_says() {
    let fw_conf = |agg: &str| {
        format!(
            "frr version 8.4
ip nht resolve-via-default
router bgp 65010
 neighbor 10.100.0.4 remote-as 65515
 neighbor 10.100.0.4 ebgp-multihop 2
 neighbor 10.100.0.5 remote-as 65515
 neighbor 10.100.0.5 ebgp-multihop 2
 neighbor 10.100.1.5 remote-as 65020
 address-family ipv4 unicast
  aggregate-address 10.70.0.0/16 as-set
  aggregate-address 10.0.0.0/8{agg}
  neighbor 10.100.0.4 route-map ALL in
  neighbor 10.100.0.4 route-map ALL out
  neighbor 10.100.0.5 route-map ALL in
  neighbor 10.100.0.5 route-map ALL out
  neighbor 10.100.1.5 route-map ALL in
  neighbor 10.100.1.5 route-map ALL out
 exit-address-family
!
route-map ALL permit 10
"
        )
    };
    let fw2 = "frr version 8.4
ip nht resolve-via-default
router bgp 65020
 neighbor 10.100.1.4 remote-as 65010
 address-family ipv4 unicast
  network 10.70.1.0/24
  network 10.70.2.0/24
  neighbor 10.100.1.4 route-map ALL in
  neighbor 10.100.1.4 route-map OUT out
 exit-address-family
!
ip route 10.70.1.0/24 blackhole
ip route 10.70.2.0/24 blackhole
ip prefix-list ONE seq 5 permit 10.70.1.0/24
route-map ALL permit 10
route-map OUT permit 10
 match ip address prefix-list ONE
 set as-path prepend 65021
route-map OUT permit 20
 set as-path prepend 65022
";
    let fw3 = "frr version 8.4
ip nht resolve-via-default
router bgp 65030
 neighbor 10.100.0.4 remote-as 65515
 neighbor 10.100.0.4 ebgp-multihop 2
 neighbor 10.100.0.5 remote-as 65515
 neighbor 10.100.0.5 ebgp-multihop 2
 address-family ipv4 unicast
  network 10.70.0.0/16
  neighbor 10.100.0.4 route-map ALL in
  neighbor 10.100.0.4 route-map OUT out
  neighbor 10.100.0.5 route-map ALL in
  neighbor 10.100.0.5 route-map OUT out
 exit-address-family
!
ip route 10.70.0.0/16 blackhole
route-map ALL permit 10
route-map OUT permit 10
 set as-path prepend 65031 65032 65033
";
    let hub = HUB.replace(
        "  peer fw asn 65010\n",
        "  peer fw asn 65010\n  peer fw3 asn 65030\n",
    );
    let run = |agg: &str| {
        let a = design(
            &format!(
                "{hub}\nnva fw {{\n  subnet nva_subnet\n  ip 10.100.1.4\n  config \"fw.conf\"\n}}\nnva fw2 {{\n  subnet nva_subnet\n  ip 10.100.1.5\n  config \"fw2.conf\"\n}}\nnva fw3 {{\n  subnet nva_subnet\n  ip 10.100.1.6\n  config \"fw3.conf\"\n}}\n"
            ),
            &[("fw.conf", &fw_conf(agg)), ("fw2.conf", fw2), ("fw3.conf", fw3)],
        );
        assert!(!a.has_errors(), "{:#?}", a.diagnostics);
        let net = a.network.clone().unwrap();
        let state = avscheck::sim::stable_state(&net, &avscheck::sim::Scenario::default()).unwrap();
        (net, state)
    };
    let (net, state) = run(" as-set");
    let ars = net.node_by_name("ars").unwrap();
    let fw = net.node_by_name("fw").unwrap();
    let installed = state.installed(ars, "10.70.0.0/16".parse().unwrap());
    let paths: Vec<String> = installed.iter().map(|r| r.path_text()).collect();
    assert_eq!(paths, ["65010 65020 {65021,65022}"], "{installed:#?}");
    assert_eq!(installed[0].path_len(), 3);
    assert_eq!(installed[0].from_node(&net), Some(fw));
    assert!(state.best(ars, "10.0.0.0/8".parse().unwrap()).is_none());
    // fw's aggregate holds 65515 (from Route Server's routes).
    let agg = state.best(fw, "10.0.0.0/8".parse().unwrap()).unwrap();
    assert!(agg.as_set.contains(&65515), "{}", agg.path_text());
    let (net, state) = run("");
    let ars = net.node_by_name("ars").unwrap();
    assert!(state.best(ars, "10.0.0.0/8".parse().unwrap()).is_some());
}

/// Statements that change routing in ways avscheck does not model are refused with a
/// located AVS0902, never silently ignored (fresh-eyes tester, fourth session); their
/// `no` forms, FRR's defaults, are fine.
#[test]
fn routing_statements_avscheck_does_not_model_are_refused() {
    let bgp = |line: &str| FW_OK.replace("router bgp 65010", &format!("router bgp 65010\n{line}"));
    let af = |line: &str| {
        FW_OK.replace(
            " address-family ipv4 unicast",
            &format!(" address-family ipv4 unicast\n{line}"),
        )
    };
    let refused = [
        bgp(" bgp graceful-shutdown"),
        bgp(" bgp reject-as-sets"),
        bgp(" bgp listen range 10.100.0.0/24 peer-group PG"),
        bgp(" bgp default local-preference 200"),
        af("  table-map KEEP"),
        FW_OK.replace(
            "route-map ALL permit 10",
            "route-map ALL permit 10\n set community no-export",
        ),
    ];
    for conf in &refused {
        let a = fw(conf);
        assert!(
            a.diagnostics.iter().any(|d| d.code == "AVS0902"),
            "{conf}\n{:#?}",
            a.diagnostics
        );
    }
    for conf in [
        bgp(" no bgp graceful-shutdown"),
        bgp(" no bgp reject-as-sets"),
        FW_OK.replace(
            "route-map ALL permit 10",
            "route-map ALL permit 10\n set community internet graceful-shutdown no-peer accept-own 65000:1 additive",
        ),
    ] {
        let a = fw(&conf);
        assert!(!a.has_errors(), "{conf}\n{:#?}", a.diagnostics);
    }
}

/// `ge 0` is FRR's "not set": `permit 0.0.0.0/0 ge 0` matches the default route only
/// (bgpd 8.4 shows it as `permit 0.0.0.0/0`), so the NVA's 10.50.0.0/16 is not sent.
#[test]
fn prefix_list_ge_0_is_not_set() {
    let with = |entry: &str| {
        fw(&FW_OK.replace(
            "route-map ALL permit 10",
            &format!(
                "ip prefix-list DEF seq 5 permit {entry}\nroute-map OUT permit 10\n match ip address prefix-list DEF\nroute-map ALL permit 10"
            ),
        )
        .replace("neighbor 10.100.0.4 route-map ALL out", "neighbor 10.100.0.4 route-map OUT out")
        .replace("neighbor 10.100.0.5 route-map ALL out", "neighbor 10.100.0.5 route-map OUT out"))
    };
    let a = with("0.0.0.0/0 ge 0");
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    assert!(!installs(&a, "ars", "10.50.0.0/16"));
    let a = with("0.0.0.0/0 le 32");
    assert!(installs(&a, "ars", "10.50.0.0/16"));
}

/// A `continue N` / `on-match goto N` that does not go forward is refused by FRR and
/// ignored (the entry exits as a plain permit): a located AVS0922 warning.
#[test]
fn a_backward_jump_is_ignored_as_frr_does() {
    let conf = FW_OK.replace(
        "route-map ALL permit 10",
        "route-map ALL permit 10\n continue 5",
    );
    let a = fw(&conf);
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == "AVS0922")
        .unwrap_or_else(|| panic!("{:#?}", a.diagnostics));
    assert_eq!(line_of(&a, d.labels[0].span).trim(), "continue 5");
    assert!(installs(&a, "ars", "10.50.0.0/16"));
}
