//! FRR configuration semantics that depend on more than one line (docs/frr.md):
//! two neighbors of one design node (Route Server's instances) must agree, whatever
//! the order of their lines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::{Analysis, Diagnostic};

mod frr_common;
use frr_common::{design, line_of, with_code};

// ------------------------------------------------ Route Server's two instances

/// A fresh-eyes tester's design (designs4/rsnh/design4.avs).
const RS_DESIGN: &str = "use azure
vnet hub { address 10.100.0.0/16 }
subnet fw_subnet { vnet hub
 address 10.100.1.0/24 }
subnet app { vnet hub
 address 10.100.5.0/24 }
route_server ars { vnet hub
 ip 10.100.0.4
 ip 10.100.0.5
 peer fw asn 65010 }
nva fw { subnet fw_subnet
 ip 10.100.1.4
 config \"fw.conf\" }
check \"app reaches 20.0.0.0/16 via fw\" { path app -> 20.0.0.1 traverses fw }
check \"app reaches 20.0.0.0/16\" { reachable app -> 20.0.0.1 }
";

/// The tester's fw4.conf with the two neighbors' settings as given.
fn rs_conf(out4: &str, out5: &str, extra4: &str, extra5: &str) -> String {
    format!(
        "frr version 8.4
ip nht resolve-via-default
ip route 20.0.0.0/16 blackhole
ip prefix-list OUT seq 5 permit 20.0.0.0/16
route-map TO-ARS permit 10
 match ip address prefix-list OUT
route-map FROM-ARS deny 10
route-map DENY-ALL deny 10
router bgp 65010
 bgp router-id 10.100.1.4
 neighbor 10.100.0.4 remote-as 65515
 neighbor 10.100.0.5 remote-as 65515
 neighbor 10.100.0.4 ebgp-multihop 2
 neighbor 10.100.0.5 ebgp-multihop 2
 address-family ipv4 unicast
  network 20.0.0.0/16
  neighbor 10.100.0.4 route-map {out4} out
  neighbor 10.100.0.5 route-map {out5} out
  neighbor 10.100.0.4 route-map FROM-ARS in
  neighbor 10.100.0.5 route-map FROM-ARS in{extra4}{extra5}
 exit-address-family
"
    )
}

fn differ(a: &Analysis) -> &Diagnostic {
    let d = with_code(a, "AVS0920");
    assert_eq!(d.len(), 1, "{:#?}", a.diagnostics);
    d[0]
}

#[test]
fn route_server_instances_with_different_route_maps_are_an_error_in_either_order() {
    for (out4, out5) in [("TO-ARS", "DENY-ALL"), ("DENY-ALL", "TO-ARS")] {
        let a = design(RS_DESIGN, &[("fw.conf", &rs_conf(out4, out5, "", ""))]);
        assert!(a.has_errors());
        let d = differ(&a);
        assert!(d.message.contains("`route-map out`"), "{}", d.message);
        // Both neighbor lines are labelled.
        let lines: Vec<String> = d.labels.iter().map(|l| line_of(&a, l.span)).collect();
        assert!(
            lines.contains(&format!("neighbor 10.100.0.4 route-map {out4} out")),
            "{lines:?}"
        );
        assert!(
            lines.contains(&format!("neighbor 10.100.0.5 route-map {out5} out")),
            "{lines:?}"
        );
        assert!(d.notes.iter().any(|h| h.contains("same policy")));
        // Not analysed: no verdict depends on which line came first.
        let report = avscheck::verify(&a, &avscheck::VerifyOptions::default());
        assert!(report.checks.is_empty(), "{:#?}", report.checks);
    }
}

/// Route-maps are compared by what they do: two names for the same entries are one
/// setting (no AVS0920, and the instances give one verdict); the same entries with
/// another action are not, and the error names the setting.
#[test]
fn route_maps_are_compared_by_their_entries_not_their_names() {
    let twin = "route-map TO-ARS-2 permit 10\n match ip address prefix-list OUT\n";
    let conf = format!("{twin}{}", rs_conf("TO-ARS", "TO-ARS-2", "", ""));
    let a = design(RS_DESIGN, &[("fw.conf", &conf)]);
    assert!(with_code(&a, "AVS0920").is_empty(), "{:#?}", a.diagnostics);
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    let other = "route-map TO-ARS-2 permit 10\n match ip address prefix-list OUT\n set local-preference 200\n";
    let conf = format!("{other}{}", rs_conf("TO-ARS", "TO-ARS-2", "", ""));
    let a = design(RS_DESIGN, &[("fw.conf", &conf)]);
    let d = differ(&a);
    assert!(d.message.contains("`route-map out`"), "{}", d.message);
    assert!(d.notes.iter().any(|n| n.contains("what they do")), "{d:#?}");
}

#[test]
fn every_merged_per_neighbor_setting_must_agree() {
    for (setting, shown) in [
        ("next-hop-self", "next-hop-self"),
        ("allowas-in 2", "allowas-in"),
        ("default-originate", "default-originate"),
        ("weight 100", "weight"),
        ("as-override", "as-override"),
        ("prefix-list OUT out", "prefix-list out"),
    ] {
        for (e4, e5) in [
            (format!("\n  neighbor 10.100.0.4 {setting}"), String::new()),
            (String::new(), format!("\n  neighbor 10.100.0.5 {setting}")),
        ] {
            let conf = rs_conf("TO-ARS", "TO-ARS", &e4, &e5);
            let a = design(RS_DESIGN, &[("fw.conf", &conf)]);
            let d = differ(&a);
            assert!(d.message.contains(&format!("`{shown}`")), "{}", d.message);
            let lines: Vec<String> = d.labels.iter().map(|l| line_of(&a, l.span)).collect();
            assert!(
                lines.iter().any(|l| l.ends_with(setting)),
                "{setting}: {lines:?}"
            );
        }
        // Both instances with the setting: one session, no error.
        let conf = rs_conf(
            "TO-ARS",
            "TO-ARS",
            &format!("\n  neighbor 10.100.0.4 {setting}"),
            &format!("\n  neighbor 10.100.0.5 {setting}"),
        );
        let a = design(RS_DESIGN, &[("fw.conf", &conf)]);
        assert!(with_code(&a, "AVS0920").is_empty(), "{:#?}", a.diagnostics);
    }
}

#[test]
fn instances_with_the_same_settings_give_one_verdict_in_either_order() {
    let conf = rs_conf("TO-ARS", "TO-ARS", "", "");
    let swapped = conf.replace(
        "  neighbor 10.100.0.4 route-map TO-ARS out\n  neighbor 10.100.0.5 route-map TO-ARS out\n",
        "  neighbor 10.100.0.5 route-map TO-ARS out\n  neighbor 10.100.0.4 route-map TO-ARS out\n",
    );
    assert_ne!(conf, swapped);
    let mut seen = Vec::new();
    for c in [conf, swapped] {
        let a = design(RS_DESIGN, &[("fw.conf", &c)]);
        assert!(!a.has_errors(), "{:#?}", a.diagnostics);
        let report = avscheck::verify(&a, &avscheck::VerifyOptions::default());
        let v: Vec<_> = report.checks.iter().map(|c| c.status).collect();
        assert_eq!(v.len(), 2);
        seen.push(v);
    }
    assert_eq!(seen[0], seen[1]);
}

#[test]
fn a_peer_group_member_is_compared_with_its_inherited_settings() {
    // Both instances get TO-ARS out: one through the group, one directly.
    let conf = rs_conf("TO-ARS", "TO-ARS", "", "")
        .replace(
            " neighbor 10.100.0.4 remote-as 65515\n",
            " neighbor RS peer-group\n neighbor RS remote-as 65515\n neighbor 10.100.0.4 peer-group RS\n",
        )
        .replace(
            "  neighbor 10.100.0.4 route-map TO-ARS out\n",
            "  neighbor RS route-map TO-ARS out\n",
        );
    let a = design(RS_DESIGN, &[("fw.conf", &conf)]);
    assert!(with_code(&a, "AVS0920").is_empty(), "{:#?}", a.diagnostics);
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
}

/// designs6/act-a, act-b, eq-47e0b: a setting written at FRR's default is the same
/// effective setting as none, so the two instances agree.
#[test]
fn settings_at_frrs_default_equal_no_setting() {
    for (e4, e5) in [
        ("\n  neighbor 10.100.0.4 activate", ""),
        ("", "\n  neighbor 10.100.0.5 activate"),
        ("\n  neighbor 10.100.0.4 weight 0", ""),
        (
            "\n  no neighbor 10.100.0.4 activate\n  neighbor 10.100.0.4 activate",
            "",
        ),
    ] {
        let a = design(
            RS_DESIGN,
            &[("fw.conf", &rs_conf("TO-ARS", "TO-ARS", e4, e5))],
        );
        assert!(
            with_code(&a, "AVS0920").is_empty(),
            "{e4}{e5}: {:#?}",
            a.diagnostics
        );
        assert!(!a.has_errors(), "{e4}{e5}: {:#?}", a.diagnostics);
    }
    // Not at the default: still an error.
    for e4 in [
        "\n  no neighbor 10.100.0.4 activate",
        "\n  neighbor 10.100.0.4 weight 1",
    ] {
        let a = design(
            RS_DESIGN,
            &[("fw.conf", &rs_conf("TO-ARS", "TO-ARS", e4, ""))],
        );
        differ(&a);
    }
    // Under `no bgp default ipv4-unicast`, activating one instance only differs...
    let conf = rs_conf("TO-ARS", "TO-ARS", "\n  neighbor 10.100.0.4 activate", "").replace(
        " bgp router-id 10.100.1.4\n",
        " bgp router-id 10.100.1.4\n no bgp default ipv4-unicast\n",
    );
    let a = design(RS_DESIGN, &[("fw.conf", &conf)]);
    let d = differ(&a);
    assert!(d.message.contains("`activate`"), "{}", d.message);
    // ...and activating both agrees.
    let conf = rs_conf(
        "TO-ARS",
        "TO-ARS",
        "\n  neighbor 10.100.0.4 activate",
        "\n  neighbor 10.100.0.5 activate",
    )
    .replace(
        " bgp router-id 10.100.1.4\n",
        " bgp router-id 10.100.1.4\n no bgp default ipv4-unicast\n",
    );
    let a = design(RS_DESIGN, &[("fw.conf", &conf)]);
    assert!(with_code(&a, "AVS0920").is_empty(), "{:#?}", a.diagnostics);
}

/// designs6/site: a circuit's two MSEE neighbors with different policies are the
/// circuit's two links, not Route Server instances.
#[test]
fn a_circuits_two_links_are_named_as_links() {
    let avs = "use azure
vnet hub { address 10.100.0.0/16; region westeurope }
er_gateway ergw { vnet hub }
site dc1 { config \"corp.conf\" }
er_circuit er_dc { peer dc1; connect ergw; peering_subnet 192.168.100.0/30; peering_subnet 192.168.100.4/30 }
";
    let conf = "frr version 8.4
ip nht resolve-via-default
ip route 10.2.0.0/16 Null0
route-map ALL permit 10
route-map NONE deny 10
router bgp 65200
 neighbor 192.168.100.2 remote-as 12076
 neighbor 192.168.100.6 remote-as 12076
 address-family ipv4 unicast
  network 10.2.0.0/16
  neighbor 192.168.100.2 route-map ALL out
  neighbor 192.168.100.6 route-map ALL out
  neighbor 192.168.100.2 route-map ALL in
  neighbor 192.168.100.6 route-map NONE in
";
    let a = design(avs, &[("corp.conf", conf)]);
    let d = differ(&a);
    assert!(d.message.contains("two links"), "{}", d.message);
    assert!(
        d.notes.iter().all(|n| !n.contains("Route Server")),
        "{:#?}",
        d.notes
    );
    assert!(
        d.notes.iter().any(|n| n.contains("ExpressRoute")),
        "{:#?}",
        d.notes
    );
}

// ------------------------------------------------ as-path regexes and AS_SETs

/// What the translated regex says about a route, in the simulator.
fn regex_matches(re: &str, seq: &[u32], set: &[u32]) -> bool {
    let atom = avscheck::frr::translate::regex(re).unwrap();
    let mut r =
        avscheck::sim::bgp::Route::local("10.0.0.0/16".parse().unwrap(), avscheck::ir::NodeId(0));
    r.as_path = seq.to_vec();
    r.as_set = set.to_vec();
    atom.iter()
        .all(|c| avscheck::sim::bgp::condition_holds(c, &r))
}

/// FRR matches the printed path (`65001 {65002,65003}`, bgpd's `aspath_print`) and
/// its `_` stands for `(^|[,{}() ]|$)` (bgpd/bgp_regex.c): the expected values below
/// are what that regex gives on that text.
#[test]
fn as_path_regexes_see_an_as_set_as_frr_prints_it() {
    let cases: &[(&str, &[u32], &[u32], bool)] = &[
        // `^N$`: `{N}` is not `N`.
        ("^65002$", &[65002], &[], true),
        ("^65002$", &[], &[65002], false),
        ("^65002$", &[], &[65002, 65003], false),
        // ASN atoms: the set is no `[0-9]+`.
        ("^[0-9]+$", &[65001], &[], true),
        ("^[0-9]+$", &[], &[65002], false),
        ("^[0-9]+ [0-9]+$", &[65001], &[65002, 65003], false),
        ("^[0-9]+ [0-9]+$", &[65001, 65002], &[], true),
        ("^[0-9]+ [0-9]+$", &[65001, 65002], &[65003], false),
        ("^[0-9]+ [0-9]+", &[65001], &[65002], false),
        ("^[0-9]+ [0-9]+", &[65001, 65002], &[65003], true),
        ("^[0-9]+", &[], &[65002], false),
        // `_N_` sees inside the braces; `^$` is the empty text.
        ("_65003_", &[65001], &[65002, 65003], true),
        ("_65004_", &[65001], &[65002, 65003], false),
        ("^$", &[], &[], true),
        ("^$", &[], &[65002], false),
        (".*", &[], &[65002], true),
    ];
    for (re, seq, set, want) in cases {
        assert_eq!(
            regex_matches(re, seq, set),
            *want,
            "`{re}` on {seq:?} {{{set:?}}}"
        );
    }
}

// ------------------------------------------------ labels on configuration lines

/// The oracle design tests/frr_configs/route-map-fall-through with a failing
/// `never`: r4 takes 10.20.1.0/24 from r3 because `route-map FROM-R3 permit 10`
/// matches it through `ip prefix-list FAVOURITES seq 10`.
fn fall_through_with_never() -> Analysis {
    let root = format!(
        "{}/tests/frr_configs/route-map-fall-through",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut text = std::fs::read_to_string(format!("{root}/design.avs")).unwrap();
    text.push_str(
        "\ncheck \"r4 never takes 10.20.1.0/24 from r3\" {\n  never r4 installs 10.20.1.0/24 via r3\n}\n",
    );
    avscheck::analyse_with("design.avs", &text, &|p: &str| {
        std::fs::read_to_string(format!("{root}/{p}"))
            .map(|t| (p.to_string(), t))
            .map_err(|e| e.to_string())
    })
}

const PERMIT_LINE: &str = "route-map FROM-R3 permit 10";
const LIST_LINE: &str = "ip prefix-list FAVOURITES seq 10 permit 10.20.0.0/16 le 24";

#[test]
fn a_failing_never_labels_the_permitting_route_map_entry_and_list_line_in_both_engines() {
    let a = fall_through_with_never();
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    let net = a.network.as_ref().unwrap();
    let check = net.checks.values().next().unwrap();
    // The SMT engine's counterexample.
    let smt = avscheck::smt::queries::verify_property(
        net,
        &check.properties[0],
        std::time::Duration::from_secs(60),
    );
    assert_eq!(smt.status, avscheck::smt::Status::Fail);
    let cx = smt.counterexample.unwrap();
    let smt_lines: Vec<String> = cx.labels.iter().map(|l| line_of(&a, l.span)).collect();
    for want in [PERMIT_LINE, LIST_LINE] {
        assert!(smt_lines.iter().any(|l| l == want), "{want}: {smt_lines:?}");
    }
    // The command line's verdict (decided by the simulator: the stable state is
    // certified unique), its labels shown in human output.
    let report = avscheck::verify(&a, &avscheck::VerifyOptions::default());
    let result = &report.checks[0];
    assert_eq!(result.status, avscheck::report::CheckStatus::Fail);
    for want in [PERMIT_LINE, LIST_LINE] {
        let l = result
            .labels
            .iter()
            .find(|l| line_of(&a, l.span) == want)
            .unwrap_or_else(|| panic!("no label on `{want}`: {:#?}", result.labels));
        assert!(l.explains, "{l:?}");
        assert_eq!(a.sources.name(l.span.file), "r4.conf");
    }
    let d = result.to_diagnostic(a.file).unwrap();
    let text = avscheck::report::human::render_diagnostics(&a.sources, &[d], false);
    insta::assert_snapshot!("never_labels_config_lines", text);
}

#[test]
fn a_non_matching_list_entry_is_not_labelled() {
    // 10.20.1.0/24 matches FAVOURITES seq 10 only; seq 5 (a deny for 10.20.2.0/24)
    // is not labelled, nor is a list line of an entry that did not match.
    let a = fall_through_with_never();
    let report = avscheck::verify(&a, &avscheck::VerifyOptions::default());
    let lines: Vec<String> = report.checks[0]
        .labels
        .iter()
        .map(|l| line_of(&a, l.span))
        .collect();
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("seq 5") || l.contains("BLOCKED")),
        "{lines:?}"
    );
}
