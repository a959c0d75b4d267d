//! FRR configurations, the round-4 tester's findings (issue #14): where a statement
//! applies (address families, `vrf` blocks, `end`, the `bgp default ipv4-unicast`
//! state at each neighbor's creation, Quagga's `ip` list syntax), what bgpd rejects
//! (`ge 0` on a longer prefix, a named community-list without its kind) and accepts
//! (classful `network`, `aggregate-address A M`), statements that change routing and
//! are refused (AVS0902), and the communities and prefix-lists semantics of FRR 8.4.
//! Each rule's bgpd evidence is in docs/frr.md; the routing ones are also compared
//! with bgpd by tests/frr_config_oracle.rs (`default-ipv4-unicast-order`,
//! `community-list-first-match`, `send-community-empty-prefix-list`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::{Analysis, Diagnostic};

mod frr_common;
use frr_common::{design, installs, line_at, parse};

fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code).collect()
}

fn networks(c: &avscheck::frr::ast::Config) -> Vec<String> {
    c.bgp
        .as_ref()
        .unwrap()
        .networks
        .iter()
        .map(|n| n.node.to_string())
        .collect()
}

const HUB: &str = r#"use azure
vnet hub { address 10.100.0.0/16 }
subnet nva_subnet { vnet hub; address 10.100.1.0/24 }
route_server ars {
  vnet hub
  ip 10.100.0.4
  ip 10.100.0.5
  peer fw asn 65010
}
site dc1 { asn 65200; originate 10.2.0.0/16; peer er1 }
er_gateway ergw { vnet hub }
er_circuit er1 { peer dc1; connect ergw }
nva fw {
  subnet nva_subnet
  ip 10.100.1.4
  config "fw.conf"
}
"#;

/// The NVA `fw` of [`HUB`] with `conf` as its configuration.
fn fw(conf: &str) -> Analysis {
    design(HUB, &[("fw.conf", conf)])
}

/// Both Route Server instances, with `{IN}`/`{OUT}` as their neighbor lines' tails.
fn fw_conf(head: &str, policy: &str) -> String {
    format!(
        "frr version 8.4
{head}
ip nht resolve-via-default
ip route 10.50.0.0/16 blackhole
route-map ALL permit 10
router bgp 65010
 neighbor 10.100.0.4 remote-as 65515
 neighbor 10.100.0.4 ebgp-multihop 2
 neighbor 10.100.0.5 remote-as 65515
 neighbor 10.100.0.5 ebgp-multihop 2
 address-family ipv4 unicast
  network 10.50.0.0/16
  neighbor 10.100.0.4 {policy} in
  neighbor 10.100.0.5 {policy} in
  neighbor 10.100.0.4 route-map ALL out
  neighbor 10.100.0.5 route-map ALL out
 exit-address-family
"
    )
}

// ------------------------------------------------------------ wrong verdicts

#[test]
fn no_bgp_default_ipv4_unicast_applies_to_later_neighbors_only() {
    // Tester finding 3 (bgpd 8.4's running-config writes `neighbor A activate` for
    // the neighbors and groups created before the line).
    let text = "router bgp 65010
 neighbor 10.0.0.2 remote-as 65002
 neighbor G peer-group
 neighbor G remote-as 65004
 no bgp default ipv4-unicast
 neighbor 10.0.0.3 remote-as 65003
 neighbor 10.0.0.4 peer-group G
 neighbor 10.0.0.5 remote-as 65005
 neighbor 10.0.0.5 activate
 bgp default ipv4-unicast
 neighbor 10.0.0.6 remote-as 65006
";
    let (c, diags) = parse(text);
    assert!(diags.is_empty(), "{diags:#?}");
    let b = c.bgp.as_ref().unwrap();
    let active: Vec<(String, bool)> = b
        .neighbors
        .iter()
        .map(|n| {
            let n = match &n.peer_group {
                Some(g) => n.inherit(&b.peer_groups[&g.node]),
                None => n.clone(),
            };
            (n.addr.node.to_string(), n.ipv4_active().0)
        })
        .collect();
    assert_eq!(
        active,
        [
            ("10.0.0.2".to_string(), true),
            ("10.0.0.3".to_string(), false),
            ("10.0.0.4".to_string(), true),
            ("10.0.0.5".to_string(), true),
            ("10.0.0.6".to_string(), true),
        ]
    );
    // In a design: the neighbors created before the line still exchange routes
    // (tests/frr_configs/default-ipv4-unicast-order against bgpd), and a neighbor
    // created after it is denied, labelled on the `no bgp default` line.
    let before = fw_conf("", "route-map ALL").replace(
        " address-family ipv4 unicast",
        " no bgp default ipv4-unicast\n address-family ipv4 unicast",
    );
    let a = fw(&before);
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    assert!(installs(&a, "ars", "10.50.0.0/16"));
    let after = fw_conf("", "route-map ALL").replace(
        "router bgp 65010\n",
        "router bgp 65010\n no bgp default ipv4-unicast\n",
    );
    let a = fw(&after);
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    assert!(!installs(&a, "ars", "10.50.0.0/16"));
}

#[test]
fn ge_0_is_not_set_only_on_the_default_route() {
    // Tester finding 1: bgpd 8.4 "Invalid prefix range for 10.2.0.0/16: Make sure
    // that mask length <= ge <= le".
    let text = "ip prefix-list P permit 10.2.0.0/16 ge 0 le 24
ip prefix-list D permit 0.0.0.0/0 ge 0
";
    let (c, diags) = parse(text);
    assert_eq!(codes(&diags), ["AVS0900"], "{diags:#?}");
    assert!(line_at(text, &diags[0]).starts_with("ip prefix-list P"));
    assert!(!c.prefix_lists.contains_key("P"));
    let d = &c.prefix_lists["D"].entries[&5].item;
    assert_eq!((d.ge, d.le), (None, None));
}

#[test]
fn a_named_community_list_needs_its_kind() {
    // Tester finding 9: bgpd 8.4 "No such command" for `bgp community-list NAME
    // permit C`; numbered lists 1-99 are standard without the word.
    let text = "bgp community-list FOO permit 65000:1
bgp community-list 5 permit 65000:2
bgp community-list standard S permit 65000:3
";
    let (c, diags) = parse(text);
    assert_eq!(codes(&diags), ["AVS0900"], "{diags:#?}");
    assert_eq!(
        line_at(text, &diags[0]),
        "bgp community-list FOO permit 65000:1"
    );
    assert!(!c.community_lists.contains_key("FOO"));
    assert!(c.community_lists.contains_key("5") && c.community_lists.contains_key("S"));
}

#[test]
fn networks_in_other_address_families_follow_bgpd() {
    // Tester findings 7 and 16, each form checked with bgpd 8.4's running-config.
    let text = "router bgp 65010
 address-family ipv4 multicast
  network 10.60.0.0/16
  network 10.61.0.0 mask 255.255.0.0
  aggregate-address 10.60.0.0/15
  network 10.62.0.0
 exit-address-family
 address-family ipv4 labeled-unicast
  network 10.63.0.0/16
 exit-address-family
 address-family l2vpn evpn
  network 10.70.0.0/16
 exit-address-family
 address-family ipv4 vpn
  network 10.71.0.0/16
  network 10.72.0.0 mask 255.255.0.0
 exit-address-family
 address-family ipv6 unicast
  network 2001:db8:50::/48
  aggregate-address 2001:db8::/32
  network 10.80.0.0/16
 exit-address-family
";
    let (c, diags) = parse(text);
    // Classful `network 10.62.0.0` falls back as 10.0.0.0/8; the vpn mask form and
    // the IPv4 line in ipv6 unicast fall back too.
    assert_eq!(
        networks(&c),
        ["10.0.0.0/8", "10.72.0.0/16", "10.80.0.0/16"],
        "{diags:#?}"
    );
    assert!(c.bgp.as_ref().unwrap().aggregates.is_empty());
    let warned: Vec<(String, &str)> = diags.iter().map(|d| (line_at(text, d), d.code)).collect();
    assert_eq!(
        warned,
        [
            ("network 10.60.0.0/16".to_string(), "AVS0921"),
            ("network 10.61.0.0 mask 255.255.0.0".to_string(), "AVS0921"),
            ("aggregate-address 10.60.0.0/15".to_string(), "AVS0921"),
            ("network 10.63.0.0/16".to_string(), "AVS0921"),
            ("network 10.70.0.0/16".to_string(), "AVS0921"),
            ("network 10.71.0.0/16".to_string(), "AVS0921"),
            ("network 2001:db8:50::/48".to_string(), "AVS0921"),
            ("aggregate-address 2001:db8::/32".to_string(), "AVS0921"),
        ],
        "{diags:#?}"
    );
    assert!(diags.iter().all(|d| !d.is_error()));
    // A dual-stack NVA is analysed (no exit 2), the IPv4 network announced.
    let a = fw(&fw_conf("", "route-map ALL").replace(
        " exit-address-family\n",
        " exit-address-family\n address-family ipv6 unicast\n  network 2001:db8:50::/48\n exit-address-family\n",
    ));
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    assert!(installs(&a, "ars", "10.50.0.0/16"));
}

#[test]
fn vrf_blocks_are_not_the_default_vrf() {
    // Tester finding 4: statics of `vrf mgmt` are not default-VRF statics, and
    // `redistribute static` does not announce them.
    let conf = fw_conf(
        "vrf mgmt\n ip route 10.9.0.0/16 10.100.1.1\nexit-vrf\n!",
        "route-map ALL",
    )
    .replace("  network 10.50.0.0/16\n", "  redistribute static\n");
    let (c, diags) = parse(&conf);
    assert_eq!(c.statics.len(), 1, "{:?}", c.statics);
    assert_eq!(codes(&diags), ["AVS0921"]);
    assert_eq!(line_at(&conf, &diags[0]), "ip route 10.9.0.0/16 10.100.1.1");
    let a = fw(&conf);
    assert!(installs(&a, "ars", "10.50.0.0/16"));
    assert!(!installs(&a, "ars", "10.9.0.0/16"));
    // A global statement leaves the block (bgpd tries the enclosing node).
    let (c, diags) = parse("vrf red\n ip route 10.1.0.0/16 blackhole\nip prefix-list P permit 10.0.0.0/8\nip route 10.2.0.0/16 blackhole\n");
    assert_eq!(codes(&diags), ["AVS0921"]);
    assert!(c.prefix_lists.contains_key("P"));
    assert_eq!(c.statics.len(), 1);
}

#[test]
fn no_send_community_strips_the_communities_on_that_session() {
    // Tester finding 5 (bgpd 8.4: tests/frr_configs/send-community-empty-prefix-list).
    let (c, _) = parse(
        "router bgp 1
 neighbor 10.0.0.2 remote-as 2
 neighbor 10.0.0.3 remote-as 3
 neighbor 10.0.0.4 remote-as 4
 no neighbor 10.0.0.2 send-community
 no neighbor 10.0.0.3 send-community extended
 no neighbor 10.0.0.4 send-community
 neighbor 10.0.0.4 send-community both
",
    );
    let s: Vec<Option<bool>> = c
        .bgp
        .as_ref()
        .unwrap()
        .neighbors
        .iter()
        .map(|n| n.send_community.map(|s| s.node))
        .collect();
    assert_eq!(s, [Some(false), None, Some(true)]);
}

#[test]
fn an_empty_prefix_list_permits_as_a_neighbor_filter_only() {
    // Tester finding 15: a list with only its description exists; as a neighbor's
    // prefix-list it permits every route (FRR's prefix_list_apply), as a route-map
    // match it matches none (both checked with bgpd 8.4 pairs).
    let a = fw(&fw_conf(
        "ip prefix-list EMPTY description later",
        "prefix-list EMPTY",
    ));
    assert!(
        a.diagnostics.iter().all(|d| d.code != "AVS0908"),
        "{:#?}",
        a.diagnostics
    );
    assert!(installs(&a, "fw", "10.100.0.0/16"));
    let a = fw(&fw_conf(
        "ip prefix-list EMPTY description later\nroute-map IN permit 10\n match ip address prefix-list EMPTY",
        "route-map IN",
    ));
    assert!(!installs(&a, "fw", "10.100.0.0/16"));
}

#[test]
fn quagga_list_syntax_is_read_below_frr_7_3_only() {
    // Tester finding 2: FRR 7.3 renamed `ip as-path access-list` / `ip
    // community-list` (bgpd 8.4: "No such command"); Quagga and FRR 7.2 read them.
    let text =
        "ip as-path access-list A permit _65020_\nip community-list standard C permit 65020:1\n";
    let (c, diags) = parse(text);
    assert_eq!(codes(&diags), ["AVS0900", "AVS0900"], "{diags:#?}");
    assert!(diags[0].notes.iter().any(|n| n.contains("frr version 7.2")));
    assert!(c.as_path_lists.is_empty() && c.community_lists.is_empty());
    let (c, diags) = parse(&format!("frr version 7.2\n{text}"));
    assert!(diags.is_empty(), "{diags:#?}");
    assert!(c.as_path_lists.contains_key("A") && c.community_lists.contains_key("C"));
}

#[test]
fn a_file_without_a_version_says_which_defaults_decided() {
    // Tester finding 13: no `frr version` and no policy: FRR 7.4+'s
    // ebgp-requires-policy decides, which is said where it does.
    let quagga = "router bgp 65010
 neighbor 10.100.0.4 remote-as 65515
 neighbor 10.100.0.4 ebgp-multihop 2
 neighbor 10.100.0.5 remote-as 65515
 neighbor 10.100.0.5 ebgp-multihop 2
";
    let a = fw(quagga);
    let d: Vec<&Diagnostic> = a
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("no `frr version` line"))
        .collect();
    assert_eq!(d.len(), 1, "{:#?}", a.diagnostics);
    assert_eq!(d[0].code, "AVS0903");
    assert!(d[0].notes.iter().any(|n| n.contains("Quagga")));
    // With a version line, or where no such default decides, nothing is said.
    let a = fw(&format!("frr version 8.4\n{quagga}"));
    assert!(a
        .diagnostics
        .iter()
        .all(|d| !d.message.contains("frr version")));
    let a = fw(&fw_conf("", "route-map ALL").replace("frr version 8.4\n", ""));
    assert!(
        a.diagnostics
            .iter()
            .all(|d| !d.message.contains("frr version")),
        "{:#?}",
        a.diagnostics
    );
}

#[test]
fn routing_changes_avscheck_does_not_model_are_errors() {
    // Tester findings 10, 18, 19 and 8: each refused with AVS0902 on its line.
    for line in [
        " bgp confederation identifier 65000",
        " bgp max-med administrative",
        " neighbor 10.0.0.2 advertise-map A non-exist-map B",
        " no neighbor 10.0.0.2",
        "pbr-map P seq 10",
        "ip import-table 10",
        "router bgp 65011 view V",
        "route-map R permit 10\n set as-path replace 65515",
    ] {
        let text = format!("router bgp 65010\n neighbor 10.0.0.2 remote-as 65002\n{line}\n");
        let (_, diags) = parse(&text);
        assert_eq!(codes(&diags), ["AVS0902"], "{line}: {diags:#?}");
        assert_eq!(
            line_at(&text, &diags[0]),
            line.trim().lines().last().unwrap().trim(),
            "{line}"
        );
    }
    // Harmless forms: the default decision process, a session-reset knob.
    let (_, diags) = parse(
        "router bgp 65010\n no bgp bestpath as-path ignore\n no bgp bestpath compare-routerid\n bgp hard-administrative-reset\n no bgp hard-administrative-reset\n no bgp max-med administrative\n no bgp confederation identifier\n",
    );
    assert!(diags.is_empty(), "{diags:#?}");
}

#[test]
fn bgpd_accepts_classful_networks_and_netmask_aggregates() {
    // Tester finding 8 (bgpd 8.4's running-config: `network 10.60.0.0` is
    // 10.0.0.0/8, `network 172.16.5.0` 172.16.0.0/16, `network 192.168.1.7`
    // 192.168.1.0/24; a class D address: "No such command").
    let text = "router bgp 65010
 network 10.60.0.0
 network 172.16.5.0
 network 192.168.1.7
 network 0.0.0.0
 aggregate-address 10.0.0.0 255.0.0.0 summary-only
 network 224.1.0.0
route-map R permit 10
 set as-path exclude all
";
    let (c, diags) = parse(text);
    assert_eq!(
        networks(&c),
        ["10.0.0.0/8", "172.16.0.0/16", "192.168.1.0/24", "0.0.0.0/0"]
    );
    let agg = &c.bgp.as_ref().unwrap().aggregates[0].node;
    assert_eq!(agg.prefix.to_string(), "10.0.0.0/8");
    assert!(agg.summary_only);
    let lines: Vec<String> = diags.iter().map(|d| line_at(text, d)).collect();
    assert_eq!(codes(&diags), ["AVS0900", "AVS0900"], "{diags:#?}");
    assert_eq!(lines, ["network 224.1.0.0", "set as-path exclude all"]);
}

#[test]
fn lines_after_end_are_read_and_said() {
    // Tester finding 20: vtysh (an integrated frr.conf) reads on after `end`;
    // bgpd -f and Quagga do not. avscheck reads them, once warned.
    let text = "router bgp 65010\n neighbor 10.0.0.2 remote-as 65002\nend\nip route 10.1.0.0/16 blackhole\nip route 10.2.0.0/16 blackhole\n";
    let (c, diags) = parse(text);
    assert_eq!(c.statics.len(), 2);
    assert_eq!(codes(&diags), ["AVS0903"], "{diags:#?}");
    assert_eq!(line_at(text, &diags[0]), "ip route 10.1.0.0/16 blackhole");
    assert_eq!(diags[0].labels.len(), 2);
    // `end` as the last line is what running-config writes: nothing to say.
    let (_, diags) = parse("router bgp 65010\nend\n");
    assert!(diags.is_empty(), "{diags:#?}");
}

#[test]
fn a_default_originate_counterexample_labels_the_default_originate_line() {
    // Tester finding 12: the simulator's route chain stopped at the sender (which
    // holds no 0.0.0.0/0) and labelled nothing in the configuration; it labels the
    // `neighbor A default-originate` line as the SMT engine does, also when the
    // sender has a `network 0.0.0.0/0` of its own (the generated route is sent).
    let conf = "frr version 8.4
ip nht resolve-via-default
ip route 0.0.0.0/0 10.100.1.1
route-map FROM-ARS permit 10
route-map TO-ARS deny 10
router bgp 65010
 neighbor 10.100.0.4 remote-as 65515
 neighbor 10.100.0.4 ebgp-multihop 2
 neighbor 10.100.0.5 remote-as 65515
 neighbor 10.100.0.5 ebgp-multihop 2
 address-family ipv4 unicast
  network 0.0.0.0/0
  neighbor 10.100.0.4 default-originate
  neighbor 10.100.0.5 default-originate
  neighbor 10.100.0.4 route-map FROM-ARS in
  neighbor 10.100.0.5 route-map FROM-ARS in
  neighbor 10.100.0.4 route-map TO-ARS out
  neighbor 10.100.0.5 route-map TO-ARS out
 exit-address-family
";
    let avs = HUB.replace(
        "peer fw asn 65010",
        "branch_to_branch true\n  peer fw asn 65010",
    ) + "check \"on-prem never gets a default\" { never dc1 installs 0.0.0.0/0 }\n";
    let a = design(&avs, &[("fw.conf", conf)]);
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    let report = avscheck::verify(&a, &avscheck::VerifyOptions::default());
    let result = &report.checks[0];
    assert_eq!(result.status, avscheck::report::CheckStatus::Fail);
    let lines: Vec<(String, String)> = result
        .labels
        .iter()
        .filter(|l| a.sources.name(l.span.file) == "fw.conf")
        .map(|l| {
            let text = a.sources.text(l.span.file);
            let s = l.span.start as usize;
            let start = text[..s].rfind('\n').map(|i| i + 1).unwrap_or(0);
            let end = text[s..].find('\n').map(|i| i + s).unwrap_or(text.len());
            (text[start..end].trim().to_string(), l.message.clone())
        })
        .collect();
    assert!(
        lines
            .iter()
            .any(|(l, m)| l.ends_with("default-originate") && m.contains("whatever its RIB holds")),
        "{lines:#?}"
    );
    assert!(
        !lines.iter().any(|(l, _)| l == "network 0.0.0.0/0"),
        "{lines:#?}"
    );
    // The SMT engine says the same.
    let net = a.network.as_ref().unwrap();
    let check = net.checks.values().next().unwrap();
    let smt = avscheck::smt::queries::verify_property(
        net,
        &check.properties[0],
        std::time::Duration::from_secs(60),
    );
    assert_eq!(smt.status, avscheck::smt::Status::Fail);
    let cx = smt.counterexample.unwrap();
    assert!(cx
        .labels
        .iter()
        .any(|l| l.message.contains("whatever its RIB holds")));
}

#[test]
fn minor_findings() {
    // BGP unnumbered is refused as such, not as an undefined peer-group.
    let text = "router bgp 65010\n neighbor eth0 interface remote-as external\n";
    let (_, diags) = parse(text);
    assert_eq!(codes(&diags), ["AVS0902"], "{diags:#?}");
    assert!(diags[0].message.contains("BGP-unnumbered"));
    // `remote-as 65515` and `remote-as external` towards Route Server's two
    // instances say the same thing: no AVS0920.
    let conf = fw_conf("", "route-map ALL").replace(
        " neighbor 10.100.0.5 remote-as 65515",
        " neighbor 10.100.0.5 remote-as external",
    );
    let a = fw(&conf);
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    assert!(installs(&a, "ars", "10.50.0.0/16"));
    // A deny from `no bgp default ipv4-unicast` is labelled on that line.
    let conf = fw_conf("", "route-map ALL").replace(
        "router bgp 65010\n",
        "router bgp 65010\n no bgp default ipv4-unicast\n",
    );
    let a = fw(&conf);
    let net = a.network.as_ref().unwrap();
    let fw = net.node_by_name("fw").unwrap();
    let spans: Vec<String> = net
        .edges
        .values()
        .filter(|e| e.from == fw)
        .flat_map(|e| e.export.iter())
        .filter_map(|p| net.policies.get(*p))
        .map(|p| p.span)
        .map(|s| {
            let t = a.sources.text(s.file);
            t[s.start as usize..s.end as usize].to_string()
        })
        .collect();
    assert!(
        spans.iter().any(|s| s == "no bgp default ipv4-unicast"),
        "{spans:?}"
    );
}
