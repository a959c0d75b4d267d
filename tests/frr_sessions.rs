//! Whether FRR brings a configured session up (docs/frr.md "Sessions FRR does not
//! open"): a single-hop eBGP neighbor outside the node's connected subnets (FRR 8.4's
//! bgpd with zebra: "Waiting for NHT", AVS0924) and `update-source` with an address
//! the node does not hold or the peer does not peer with (AVS0925). Each session that
//! stays down is down in both engines, whatever the order of the lines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::ir::SessionStatus;
use avscheck::Analysis;

mod frr_common;
use frr_common::{design, line_of, verdicts, with_code};

/// The NVA `fw` (10.100.1.4, fw_subnet) peers the Route Server (10.100.0.4/.5, in
/// its own subnet) and announces 20.0.0.0/16, which Route Server holds only if the
/// session is up.
const RS_DESIGN: &str = "use azure
vnet hub { address 10.100.0.0/16 }
subnet fw_subnet { vnet hub
 address 10.100.1.0/24 }
subnet fw_subnet2 { vnet hub
 address 10.100.2.0/24 }
subnet app { vnet hub
 address 10.100.5.0/24 }
route_server ars { vnet hub
 ip 10.100.0.4
 ip 10.100.0.5
 peer fw asn 65010 }
nva fw { subnet fw_subnet
 ip 10.100.1.4
 nic 10.100.2.4 subnet fw_subnet2
 config \"fw.conf\" }
check \"ars never learns 20.0.0.0/16\" { never ars installs 20.0.0.0/16 }
";

/// fw's configuration with `extra` lines in `router bgp` (after the neighbors); the
/// Route Server's addresses resolve through the NIC's default route
/// (`ip nht resolve-via-default`).
fn conf(extra: &str) -> String {
    format!(
        "frr version 8.4
ip nht resolve-via-default
ip route 20.0.0.0/16 blackhole
route-map ALL permit 10
router bgp 65010
 bgp router-id 10.100.1.4
 neighbor 10.100.0.4 remote-as 65515
 neighbor 10.100.0.5 remote-as 65515
{extra} address-family ipv4 unicast
  network 20.0.0.0/16
  neighbor 10.100.0.4 route-map ALL in
  neighbor 10.100.0.4 route-map ALL out
  neighbor 10.100.0.5 route-map ALL in
  neighbor 10.100.0.5 route-map ALL out
 exit-address-family
"
    )
}

fn fw(extra: &str) -> Analysis {
    design(RS_DESIGN, &[("fw.conf", &conf(extra))])
}

/// The status of the session between two nodes.
fn status(a: &Analysis, x: &str, y: &str) -> SessionStatus {
    let net = a.network.as_ref().expect("lowers");
    let (x, y) = (net.node_by_name(x).unwrap(), net.node_by_name(y).unwrap());
    net.sessions
        .values()
        .find(|s| (s.a == x && s.b == y) || (s.a == y && s.b == x))
        .map(|s| s.status.clone())
        .expect("a session")
}

/// Both engines say Route Server learns fw's prefix (`up`: the session is up) or
/// not: the one check (`never ars installs ...`) fails exactly when it does.
fn both(a: &Analysis, up: bool) {
    let holds = !up;
    let net = a.network.as_ref().expect("lowers");
    let got = verdicts(net);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0].1, got[0].2), (Some(holds), Some(holds)), "{got:?}");
}

#[test]
fn single_hop_ebgp_to_route_server_is_down_in_both_engines() {
    let a = fw("");
    let d = with_code(&a, "AVS0924");
    assert_eq!(d.len(), 2, "{:#?}", a.diagnostics);
    for (d, ip) in d.iter().zip(["10.100.0.4", "10.100.0.5"]) {
        assert_eq!(
            line_of(&a, d.labels[0].span),
            format!("neighbor {ip} remote-as 65515")
        );
        assert!(
            d.notes
                .iter()
                .any(|h| h.starts_with("help:")
                    && h.contains(&format!("neighbor {ip} ebgp-multihop 2"))),
            "{d:#?}"
        );
        assert!(
            d.notes.iter().any(|n| n.contains("10.100.1.0/24")),
            "{d:#?}"
        );
    }
    assert!(matches!(status(&a, "fw", "ars"), SessionStatus::Down(_)));
    both(&a, false);
}

/// What lifts the check, each checked with FRR 8.4's bgpd and zebra (docs/frr.md):
/// a TTL above 1, GTSM, or the check turned off per neighbor or for the instance.
#[test]
fn multihop_ttl_security_and_disabled_checks_bring_the_session_up() {
    for extra in [
        " neighbor 10.100.0.4 ebgp-multihop 2\n neighbor 10.100.0.5 ebgp-multihop 2\n",
        " neighbor 10.100.0.4 ebgp-multihop\n neighbor 10.100.0.5 ebgp-multihop\n",
        " neighbor 10.100.0.4 disable-connected-check\n neighbor 10.100.0.5 disable-connected-check\n",
        " neighbor 10.100.0.4 enforce-multihop\n neighbor 10.100.0.5 enforce-multihop\n",
        " neighbor 10.100.0.4 ttl-security hops 2\n neighbor 10.100.0.5 ttl-security hops 2\n",
        " bgp disable-ebgp-connected-route-check\n",
    ] {
        let a = fw(extra);
        assert!(with_code(&a, "AVS0924").is_empty(), "{extra}: {:#?}", a.diagnostics);
        assert_eq!(status(&a, "fw", "ars"), SessionStatus::Up, "{extra}");
        both(&a, true);
    }
    // Inherited from a peer-group.
    let grouped = conf("")
        .replace(
            " neighbor 10.100.0.4 remote-as 65515\n neighbor 10.100.0.5 remote-as 65515\n",
            " neighbor RS peer-group\n neighbor RS remote-as 65515\n neighbor RS ebgp-multihop 2\n neighbor 10.100.0.4 peer-group RS\n neighbor 10.100.0.5 peer-group RS\n",
        );
    let a = design(RS_DESIGN, &[("fw.conf", &grouped)]);
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    both(&a, true);
}

/// `ebgp-multihop 1` is a TTL of 1: bgpd still waits ("Waiting for NHT").
#[test]
fn ebgp_multihop_1_is_still_single_hop() {
    let a = fw(" neighbor 10.100.0.4 ebgp-multihop 1\n neighbor 10.100.0.5 ebgp-multihop 1\n");
    let d = with_code(&a, "AVS0924");
    assert_eq!(d.len(), 2, "{:#?}", a.diagnostics);
    assert_eq!(
        line_of(&a, d[0].labels[1].span),
        "neighbor 10.100.0.4 ebgp-multihop 1"
    );
    both(&a, false);
}

/// One instance peered with multihop is enough for the merged session, in either
/// order of the lines; the other instance's line keeps its error.
#[test]
fn one_instance_that_comes_up_carries_the_session_in_either_order() {
    for ip in ["10.100.0.4", "10.100.0.5"] {
        let a = fw(&format!(" neighbor {ip} ebgp-multihop 2\n"));
        let d = with_code(&a, "AVS0924");
        assert_eq!(d.len(), 1, "{:#?}", a.diagnostics);
        assert!(!line_of(&a, d[0].labels[0].span).contains(ip));
        assert_eq!(status(&a, "fw", "ars"), SessionStatus::Up);
        both(&a, true);
    }
}

/// Two NVAs in different subnets: bgpd accepts a session its peer opens (FRR 8.4:
/// with the peer opening, the session came up without `ebgp-multihop` on the
/// acceptor), so it is down only when neither side opens it.
#[test]
fn between_two_configurations_either_side_may_open_the_session() {
    let avs = "use azure
vnet hub { address 10.100.0.0/16 }
subnet s1 { vnet hub; address 10.100.1.0/24 }
subnet s2 { vnet hub; address 10.100.2.0/24 }
nva fw1 { subnet s1; ip 10.100.1.4; config \"fw1.conf\" }
nva fw2 { subnet s2; ip 10.100.2.4; config \"fw2.conf\" }
";
    let one = |me: u32, peer: &str, peer_asn: u32, net: &str, multihop: bool| {
        format!(
            "frr version 8.4\nip nht resolve-via-default\nip route {net} blackhole\nrouter bgp {me}\n no bgp ebgp-requires-policy\n neighbor {peer} remote-as {peer_asn}\n{} network {net}\n",
            if multihop {
                format!(" neighbor {peer} ebgp-multihop 2\n")
            } else {
                String::new()
            }
        )
    };
    for (m1, m2, up) in [
        (false, false, false),
        (true, false, true),
        (false, true, true),
        (true, true, true),
    ] {
        let f1 = one(65001, "10.100.2.4", 65002, "20.1.0.0/16", m1);
        let f2 = one(65002, "10.100.1.4", 65001, "20.2.0.0/16", m2);
        let a = design(avs, &[("fw1.conf", &f1), ("fw2.conf", &f2)]);
        let errors = usize::from(!m1) + usize::from(!m2);
        assert_eq!(
            with_code(&a, "AVS0924").len(),
            errors,
            "{:#?}",
            a.diagnostics
        );
        assert_eq!(
            status(&a, "fw1", "fw2") == SessionStatus::Up,
            up,
            "{m1} {m2}"
        );
    }
    // In one subnet the neighbor is connected: no multihop needed.
    let avs_one = avs.replace("subnet s2; ip 10.100.2.4", "subnet s1; ip 10.100.1.5");
    let f1 = one(65001, "10.100.1.5", 65002, "20.1.0.0/16", false);
    let f2 = one(65002, "10.100.1.4", 65001, "20.2.0.0/16", false);
    let a = design(&avs_one, &[("fw1.conf", &f1), ("fw2.conf", &f2)]);
    assert!(a.diagnostics.is_empty(), "{:#?}", a.diagnostics);
    assert_eq!(status(&a, "fw1", "fw2"), SessionStatus::Up);
}

const MULTIHOP: &str =
    " neighbor 10.100.0.4 ebgp-multihop 2\n neighbor 10.100.0.5 ebgp-multihop 2\n";

/// `update-source` with an address the node does not hold: drift (both lines
/// labelled) and the session stays down.
#[test]
fn update_source_the_node_does_not_hold_is_drift_and_down() {
    let a = fw(&format!(
        "{MULTIHOP} neighbor 10.100.0.4 update-source 10.9.9.9\n neighbor 10.100.0.5 update-source 10.9.9.9\n"
    ));
    let d = with_code(&a, "AVS0925");
    assert_eq!(d.len(), 2, "{:#?}", a.diagnostics);
    let text = a.sources.text(d[0].labels[0].span.file);
    let l = &d[0].labels[0];
    assert_eq!(
        &text[l.span.start as usize..l.span.end as usize],
        "10.9.9.9"
    );
    assert_eq!(line_of(&a, d[0].labels[1].span), "ip 10.100.1.4");
    assert!(matches!(status(&a, "fw", "ars"), SessionStatus::Down(_)));
    both(&a, false);
}

/// The NVA's second NIC as the source: the node holds it, but Route Server peers
/// with the NVA's `ip`, so it refuses the session.
#[test]
fn update_source_route_server_does_not_peer_with_is_down() {
    let a = fw(&format!(
        "{MULTIHOP} neighbor 10.100.0.4 update-source 10.100.2.4\n neighbor 10.100.0.5 update-source 10.100.2.4\n"
    ));
    let d = with_code(&a, "AVS0925");
    assert_eq!(d.len(), 2, "{:#?}", a.diagnostics);
    assert!(d[0].message.contains("10.100.1.4"), "{}", d[0].message);
    assert_eq!(line_of(&a, d[0].labels[1].span), "ip 10.100.1.4");
    both(&a, false);
    // The address Route Server peers with: up, no diagnostic.
    let a = fw(&format!(
        "{MULTIHOP} neighbor 10.100.0.4 update-source 10.100.1.4\n neighbor 10.100.0.5 update-source 10.100.1.4\n"
    ));
    assert!(a.diagnostics.is_empty(), "{:#?}", a.diagnostics);
    both(&a, true);
    // An interface name: the design has none, so the model assumes the right
    // address, with a warning.
    let a = fw(&format!(
        "{MULTIHOP} neighbor 10.100.0.4 update-source eth0\n neighbor 10.100.0.5 update-source eth0\n"
    ));
    assert_eq!(with_code(&a, "AVS0903").len(), 2, "{:#?}", a.diagnostics);
    assert!(!a.has_errors());
    both(&a, true);
}

/// The two-region example's tunnel neighbor sources from its own `inner` address:
/// held, and what the other NVA peers with; the wrong end's address is refused.
#[test]
fn update_source_over_a_tunnel_is_the_own_inner_address() {
    let a = frr_common::example("two-regions-frr/two-regions-frr.avs");
    assert!(a.diagnostics.is_empty(), "{:#?}", a.diagnostics);
    let root = frr_common::root();
    let dir = format!("{root}/examples/two-regions-frr");
    let avs = std::fs::read_to_string(format!("{dir}/two-regions-frr.avs")).unwrap();
    let w = std::fs::read_to_string(format!("{dir}/fw_w.conf")).unwrap();
    let n = std::fs::read_to_string(format!("{dir}/fw_n.conf")).unwrap();
    // fw_w claims the other end's inner address: not its own.
    let bad = w.replace(
        "neighbor 169.254.0.2 update-source 169.254.0.1",
        "neighbor 169.254.0.2 update-source 169.254.0.2",
    );
    assert_ne!(bad, w);
    let a = design(&avs, &[("fw_w.conf", &bad), ("fw_n.conf", &n)]);
    let d = with_code(&a, "AVS0925");
    assert_eq!(d.len(), 1, "{:#?}", a.diagnostics);
    // fw_n still opens the session from its own inner address: it comes up.
    assert_eq!(status(&a, "fw_w", "fw_n"), SessionStatus::Up);
}

// ------------------------------------------------------------ next-hop tracking

/// fw's multihop configuration without `ip nht resolve-via-default`, with `top`
/// lines at the top level.
fn fw_nht(top: &str) -> Analysis {
    let c = conf(MULTIHOP).replace("ip nht resolve-via-default\n", top);
    design(RS_DESIGN, &[("fw.conf", &c)])
}

/// FRR 8.4 (zebra+staticd+bgpd, docs/frr.md): a neighbor outside the connected
/// subnets that only the NIC's DHCP default route reaches stays "unresolved" in
/// `show ip nht` and the session never comes up. AVS0928 on each `remote-as` line,
/// the fix in the help; down in both engines.
#[test]
fn a_multihop_neighbor_reached_only_by_the_default_route_is_down_in_both_engines() {
    let a = fw_nht("");
    let d = with_code(&a, "AVS0928");
    assert_eq!(d.len(), 2, "{:#?}", a.diagnostics);
    for (d, ip) in d.iter().zip(["10.100.0.4", "10.100.0.5"]) {
        assert_eq!(
            line_of(&a, d.labels[0].span),
            format!("neighbor {ip} remote-as 65515")
        );
        let help = d
            .notes
            .iter()
            .find(|h| h.starts_with("help:"))
            .expect("a help");
        assert!(help.contains("ip nht resolve-via-default"), "{help}");
        assert!(
            help.contains(&format!("ip route {ip}/32 10.100.1.1")),
            "{help}"
        );
    }
    assert!(matches!(status(&a, "fw", "ars"), SessionStatus::Down(_)));
    both(&a, false);
    // A static default route counts no more than the kernel's (FRR 8.4: unresolved).
    let a = fw_nht("ip route 0.0.0.0/0 10.100.1.1\n");
    let d = with_code(&a, "AVS0928");
    assert_eq!(d.len(), 2, "{:#?}", a.diagnostics);
    assert_eq!(
        line_of(&a, d[0].labels[1].span),
        "ip route 0.0.0.0/0 10.100.1.1"
    );
    both(&a, false);
}

/// What resolves the neighbor, each measured with FRR 8.4: `ip nht
/// resolve-via-default` at the top level or in `vrf default`, or a static route
/// covering the neighbor (the Route Server's subnet, or each address), in any order
/// of the lines.
#[test]
fn resolve_via_default_or_a_static_to_the_peer_brings_the_session_up() {
    for top in [
        "ip nht resolve-via-default\n",
        "vrf default\n ip nht resolve-via-default\nexit-vrf\n",
        "ip route 10.100.0.0/27 10.100.1.1\n",
        "ip route 10.100.0.4/32 10.100.1.1\nip route 10.100.0.5/32 10.100.1.1\n",
    ] {
        let a = fw_nht(top);
        assert!(
            with_code(&a, "AVS0928").is_empty(),
            "{top}: {:#?}",
            a.diagnostics
        );
        assert_eq!(status(&a, "fw", "ars"), SessionStatus::Up, "{top}");
        // Through a static only, the next hops of learned routes resolve only through
        // statics too (FRR 8.4: GatewaySubnet next hops inaccessible), which the model
        // does not capture: one warning per node, never silent.
        let warned: Vec<_> = with_code(&a, "AVS0903")
            .into_iter()
            .filter(|d| d.message.starts_with("next hops of the routes"))
            .collect();
        assert_eq!(
            warned.len(),
            usize::from(top.starts_with("ip route")),
            "{top}: {:#?}",
            a.diagnostics
        );
        if let Some(w) = warned.first() {
            assert!(
                line_of(&a, w.labels[1].span).starts_with("ip route 10.100.0."),
                "{w:#?}"
            );
        }
        both(&a, true);
        let moved = conf(MULTIHOP).replace("ip nht resolve-via-default\n", "") + top;
        let b = design(RS_DESIGN, &[("fw.conf", &moved)]);
        assert!(
            with_code(&b, "AVS0928").is_empty(),
            "{top} last: {:#?}",
            b.diagnostics
        );
        both(&b, true);
    }
    // One instance resolved carries the merged session; the other keeps its error.
    let a = fw_nht("ip route 10.100.0.5/32 10.100.1.1\n");
    let d = with_code(&a, "AVS0928");
    assert_eq!(d.len(), 1, "{:#?}", a.diagnostics);
    assert_eq!(
        line_of(&a, d[0].labels[0].span),
        "neighbor 10.100.0.4 remote-as 65515"
    );
    both(&a, true);
}

/// A blackhole route to the neighbor resolves it (FRR 8.4: "resolved via static"),
/// but the session's packets are dropped: it stays down (measured: Active). The most
/// specific route decides, so a more specific static to the fabric brings it up.
#[test]
fn a_blackhole_route_to_the_neighbor_keeps_the_session_down() {
    let a = fw_nht("ip nht resolve-via-default\nip route 10.100.0.0/27 blackhole\n");
    let d = with_code(&a, "AVS0928");
    assert_eq!(d.len(), 2, "{:#?}", a.diagnostics);
    assert_eq!(
        line_of(&a, d[0].labels[1].span),
        "ip route 10.100.0.0/27 blackhole"
    );
    both(&a, false);
    let a = fw_nht("ip route 10.100.0.0/27 blackhole\nip route 10.100.0.0/29 10.100.1.1\n");
    assert!(with_code(&a, "AVS0928").is_empty(), "{:#?}", a.diagnostics);
    both(&a, true);
}

/// iBGP needs the neighbor resolved as well (bgpd's `bgp_start` waits for NHT for
/// every neighbor; FRR 8.4, measured: "unresolved", Active).
#[test]
fn an_ibgp_neighbor_must_resolve_too() {
    let avs = "use azure
vnet hub { address 10.100.0.0/16 }
subnet s1 { vnet hub; address 10.100.1.0/24 }
subnet s2 { vnet hub; address 10.100.2.0/24 }
nva fw1 { subnet s1; ip 10.100.1.4; config \"fw1.conf\" }
nva fw2 { subnet s2; ip 10.100.2.4; config \"fw2.conf\" }
";
    let one = |peer: &str, net: &str, top: &str| {
        format!("frr version 8.4\n{top}ip route {net} blackhole\nrouter bgp 65001\n neighbor {peer} remote-as internal\n network {net}\n")
    };
    for (top, up) in [("", false), ("ip nht resolve-via-default\n", true)] {
        let f1 = one("10.100.2.4", "20.1.0.0/16", top);
        let f2 = one("10.100.1.4", "20.2.0.0/16", top);
        let a = design(avs, &[("fw1.conf", &f1), ("fw2.conf", &f2)]);
        assert_eq!(
            with_code(&a, "AVS0928").len(),
            if up { 0 } else { 2 },
            "{:#?}",
            a.diagnostics
        );
        let st = status(&a, "fw1", "fw2");
        assert_eq!(st == SessionStatus::Up, up, "{top}: {st:?}");
    }
}

/// FRR 8.4 accepts a session its peer opens although the neighbor is unresolved
/// (measured: Established), but each route it learns has the neighbor's address as
/// next hop and is "inaccessible, no best path"; it still sends its own routes. So
/// between two configurations where only one resolves the other: the session is up,
/// the resolving side learns the other's prefix, the unresolved side learns nothing
/// (both engines agree, in either role).
#[test]
fn an_unresolved_side_accepts_the_session_but_its_learned_routes_are_inaccessible() {
    let avs = "use azure
vnet hub { address 10.100.0.0/16 }
subnet s1 { vnet hub; address 10.100.1.0/24 }
subnet s2 { vnet hub; address 10.100.2.0/24 }
nva fw1 { subnet s1; ip 10.100.1.4; config \"fw1.conf\" }
nva fw2 { subnet s2; ip 10.100.2.4; config \"fw2.conf\" }
check \"fw1 never learns fw2's prefix\" { never fw1 installs 20.2.0.0/16 }
check \"fw2 never learns fw1's prefix\" { never fw2 installs 20.1.0.0/16 }
";
    let one = |me: u32, peer: &str, peer_asn: u32, net: &str, resolves: bool| {
        format!(
            "frr version 8.4\n{}ip route {net} blackhole\nrouter bgp {me}\n no bgp ebgp-requires-policy\n neighbor {peer} remote-as {peer_asn}\n neighbor {peer} ebgp-multihop 2\n network {net}\n",
            if resolves { "ip nht resolve-via-default\n" } else { "" }
        )
    };
    for (r1, r2) in [(true, false), (false, true), (true, true)] {
        let f1 = one(65001, "10.100.2.4", 65002, "20.1.0.0/16", r1);
        let f2 = one(65002, "10.100.1.4", 65001, "20.2.0.0/16", r2);
        let a = design(avs, &[("fw1.conf", &f1), ("fw2.conf", &f2)]);
        assert_eq!(
            with_code(&a, "AVS0928").len(),
            usize::from(!r1) + usize::from(!r2),
            "{:#?}",
            a.diagnostics
        );
        assert_eq!(status(&a, "fw1", "fw2"), SessionStatus::Up);
        let net = a.network.as_ref().expect("lowers");
        let got = verdicts(net);
        // A check holds ("never learns") exactly when that side is unresolved.
        let want = [!r1, !r2];
        assert_eq!(got.len(), 2, "{got:?}");
        for (g, w) in got.iter().zip(want) {
            assert_eq!((g.1, g.2), (Some(w), Some(w)), "{r1} {r2}: {got:?}");
        }
    }
}
