//! Packet walks (semantics.md §3) on hand-built networks: two-layer NVA forwarding,
//! tunnels, ER gateway no-transit, loops, ECMP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod sim_common;

use avscheck::ir::*;
use avscheck::sim::{self, Disposition, Owner, Scenario, Source, Why};
use sim_common::*;

fn walk(b: &B, from: Source, to: &str) -> Vec<sim::Path> {
    let st = sim::stable_state(&b.net, &Scenario::default()).unwrap();
    sim::trace(&b.net, &st, &Scenario::default(), from, a(to))
}

fn one(b: &B, from: Source, to: &str) -> (Vec<String>, Disposition, Why) {
    let paths = walk(b, from, to);
    assert_eq!(paths.len(), 1, "{paths:#?}");
    (hops(&b.net, &paths[0]), paths[0].disposition, paths[0].why)
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The hairpin design (examples/hairpin.avs), as the lowering should build it.
pub struct Hairpin {
    pub b: B,
    pub dc1: NodeId,
    pub avs1: NodeId,
    pub fw: NodeId,
    pub ergw: NodeId,
    pub fw_subnet: SubnetId,
    pub gs: SubnetId,
}

pub fn hairpin() -> Hairpin {
    let mut b = B::new();
    let hub = b.vnet("hub", &["10.100.0.0/16"]);
    let fw_subnet = b.subnet("fw_subnet", hub, "10.100.1.0/24");
    let ars = b.route_server("ars", hub);
    let (ergw, gs) = b.er_gateway("ergw", hub, "10.100.0.0/27");
    for u in ["10.1.0.0/22", "10.1.16.0/20", "10.2.0.0/16"] {
        b.udr(gs, u, UdrNextHop::Appliance(a("10.100.1.4")));
    }
    b.originate(ars, "10.100.0.0/16");
    b.originate(ergw, "10.100.0.0/16");
    let fw = b.nva("fw", 65010, fw_subnet, "10.100.1.4");
    b.originate(fw, "10.0.0.0/8");
    b.static_route(fw, "10.0.0.0/8", StaticTarget::Drop);
    b.ebgp(fw, ars);
    let learned = b.tag("er_circuit_learned", None);
    b.rs_gateway(ars, ergw, learned);
    let avs1 = b.avs("avs1");
    b.originate(avs1, "10.1.0.0/22");
    b.originate(avs1, "10.1.16.0/20");
    let dc1 = b.node(
        "dc1",
        "site",
        65200,
        Behaviours {
            owns_originated: true,
            ..Behaviours::default()
        },
    );
    b.originate(dc1, "10.2.0.0/16");
    let er_avs = b.circuit("er_avs");
    let er_dc = b.circuit("er_dc");
    let strip = b.policy(
        "msee_to_customer",
        vec![rule(true, vec![], vec![Action::RemovePrivateAs])],
    );
    let only_own = b.policy(
        "avs_export",
        vec![rule(
            true,
            vec![Condition::AsPathLength(CmpOp::Eq, 0)],
            vec![],
        )],
    );
    let (a2c, c2a) = b.ebgp(avs1, er_avs);
    b.edge_mut(a2c).export.push(only_own);
    b.edge_mut(c2a).export.push(strip);
    let (d2c, c2d) = b.ebgp(dc1, er_dc);
    b.edge_mut(c2d).export.push(strip);
    let _ = d2c;
    b.connect(er_avs, ergw, learned);
    b.connect(er_dc, ergw, learned);
    Hairpin {
        b,
        dc1,
        avs1,
        fw,
        ergw,
        fw_subnet,
        gs,
    }
}

#[test]
fn hairpin_builder_is_sane() {
    let h = hairpin();
    // Every edge points at a session whose endpoints it joins.
    for (_, e) in h.b.net.edges.iter() {
        let s = &h.b.net.sessions[e.session];
        assert!(
            (s.a == e.from && s.b == e.to) || (s.a == e.to && s.b == e.from),
            "{e:?} {s:?}"
        );
    }
}

#[test]
fn hairpin_on_premises_to_avs_goes_through_the_nva_and_back_through_the_gateway() {
    let h = hairpin();
    let (hops, disp, _) = one(&h.b, Source::Node(h.dc1), "10.1.0.5");
    assert_eq!(
        hops,
        names(&["dc1", "er_dc", "ergw", "fw", "ergw", "er_avs", "avs1"])
    );
    assert_eq!(disp, Disposition::Delivered);
    let (hops, disp, _) = one(&h.b, Source::Node(h.avs1), "10.2.0.5");
    assert_eq!(
        hops,
        names(&["avs1", "er_avs", "ergw", "fw", "ergw", "er_dc", "dc1"])
    );
    assert_eq!(disp, Disposition::Delivered);
}

#[test]
fn hairpin_supernet_traffic_for_nobody_is_blackholed_by_the_static() {
    let h = hairpin();
    let (hops, disp, why) = one(&h.b, Source::Node(h.dc1), "10.99.0.1");
    assert_eq!(hops, names(&["dc1", "er_dc", "ergw", "fw"]));
    assert_eq!((disp, why), (Disposition::Dropped, Why::StaticDrop));
}

#[test]
fn gateway_does_not_pass_packets_between_circuits() {
    let mut h = hairpin();
    // Without the UDRs the GatewaySubnet sends AVS-bound packets back to the gateway
    // (a route learned from a circuit): no transit.
    h.b.net.subnets[h.gs].udrs.clear();
    let (hops, disp, why) = one(&h.b, Source::Node(h.dc1), "10.1.0.5");
    assert_eq!(hops, names(&["dc1", "er_dc", "ergw"]));
    assert_eq!((disp, why), (Disposition::Dropped, Why::NoTransit));
}

#[test]
fn vms_in_the_hub_reach_both_sides_directly() {
    let h = hairpin();
    let (hops, disp, _) = one(&h.b, Source::Subnet(h.fw_subnet), "10.2.3.4");
    assert_eq!(hops, names(&["ergw", "er_dc", "dc1"]));
    assert_eq!(disp, Disposition::Delivered);
    // A VM in the same VNet: delivered by the fabric, no hop.
    let paths = walk(&h.b, Source::Subnet(h.fw_subnet), "10.100.7.7");
    assert_eq!(paths.len(), 1);
    assert!(paths[0].hops.is_empty());
    let hub = h.b.net.subnets[h.fw_subnet].vnet;
    assert_eq!(
        paths[0].delivered_to,
        Some(Owner::Subnet(h.b.net.vnets[hub].default_subnet))
    );
    // The NVA's own address.
    let (hops, disp, _) = one(&h.b, Source::Node(h.dc1), "10.100.1.4");
    assert_eq!(hops, names(&["dc1", "er_dc", "ergw", "fw"]));
    assert_eq!(disp, Disposition::Delivered);
}

#[test]
fn route_server_never_forwards() {
    let h = hairpin();
    let ars = h.b.net.node_by_name("ars").unwrap();
    let (hops, disp, why) = one(&h.b, Source::Node(ars), "10.2.0.1");
    assert_eq!(hops, names(&["ars"]));
    assert_eq!((disp, why), (Disposition::Dropped, Why::ControlPlaneOnly));
}

#[test]
fn nva_advertising_default_without_udr_loops_back_to_itself() {
    // AZURE.md: Route Server programs the NVA's own 0/0 into its own subnet.
    let mut h = hairpin();
    let inet = h.b.internet();
    let _ = inet;
    h.b.originate(h.fw, "0.0.0.0/0");
    let (hops, disp, _) = one(&h.b, Source::Node(h.fw), "8.8.8.8");
    assert_eq!(hops, names(&["fw", "fw"]));
    assert_eq!(disp, Disposition::Loop);
    // The fix: a UDR 0/0 → Internet on the NVA's subnet.
    h.b.udr(h.fw_subnet, "0.0.0.0/0", UdrNextHop::Internet);
    let (hops, disp, _) = one(&h.b, Source::Node(h.fw), "8.8.8.8");
    assert_eq!(hops, names(&["fw", "internet"]));
    assert_eq!(disp, Disposition::Delivered);
    // AVS now takes its default route through the NVA.
    let (hops, disp, _) = one(&h.b, Source::Node(h.avs1), "8.8.8.8");
    assert_eq!(hops, names(&["avs1", "er_avs", "ergw", "fw", "internet"]));
    assert_eq!(disp, Disposition::Delivered);
    // The UDR 0/0 removed the subnet's None routes (AZURE.md, v2 corrections): a
    // private address follows it to the internet, which drops it.
    let (hops, disp, why) = one(&h.b, Source::Node(h.fw), "192.168.1.1");
    assert_eq!(hops, names(&["fw", "internet"]));
    assert_eq!((disp, why), (Disposition::Dropped, Why::InternetDrops));
}

#[test]
fn udr_none_drops() {
    let mut h = hairpin();
    h.b.udr(h.fw_subnet, "10.2.0.0/16", UdrNextHop::None);
    let (hops, disp, why) = one(&h.b, Source::Subnet(h.fw_subnet), "10.2.0.1");
    assert!(hops.is_empty());
    assert_eq!((disp, why), (Disposition::Dropped, Why::UdrNone));
}

#[test]
fn router_forwarding_static_beats_bgp_and_no_route() {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    let r3 = b.router("r3", 65003);
    b.originate(r2, "10.2.0.0/16");
    b.originate(r3, "10.2.0.0/24");
    b.ebgp(r1, r2);
    let (hops, disp, _) = one(&b, Source::Node(r1), "10.2.0.1");
    assert_eq!(hops, names(&["r1", "r2"]));
    assert_eq!(disp, Disposition::Delivered);
    // A static for the same prefix wins over BGP.
    b.static_route(r1, "10.2.0.0/16", StaticTarget::Node(r3));
    let (hops, _, _) = one(&b, Source::Node(r1), "10.2.0.1");
    assert_eq!(hops, names(&["r1", "r3"]));
    // A longer BGP route wins over a shorter static.
    b.static_route(r1, "10.0.0.0/8", StaticTarget::Drop);
    let (hops, _, _) = one(&b, Source::Node(r1), "10.2.9.1");
    assert_eq!(hops, names(&["r1", "r3"]));
    let (_, disp, why) = one(&b, Source::Node(r1), "10.9.0.1");
    assert_eq!((disp, why), (Disposition::Dropped, Why::StaticDrop));
    let (_, disp, _) = one(&b, Source::Node(r1), "192.168.0.1");
    assert_eq!(disp, Disposition::NoRoute);
}

#[test]
fn static_loop_is_detected() {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.router("r2", 65002);
    b.static_route(r1, "10.0.0.0/8", StaticTarget::Node(r2));
    b.static_route(r2, "10.0.0.0/8", StaticTarget::Node(r1));
    let (hops, disp, why) = one(&b, Source::Node(r1), "10.0.0.1");
    assert_eq!(hops, names(&["r1", "r2", "r1"]));
    assert_eq!((disp, why), (Disposition::Loop, Why::Loop));
}

#[test]
fn multipath_forks_the_walk() {
    let mut b = B::new();
    let m = b.avs("m");
    let x = b.router("x", 65001);
    let y = b.router("y", 65002);
    b.originate(x, "10.9.0.0/16");
    b.originate(y, "10.9.0.0/16");
    b.ebgp(x, m);
    b.ebgp(y, m);
    let paths = walk(&b, Source::Node(m), "10.9.1.1");
    let got: Vec<Vec<String>> = paths.iter().map(|p| hops(&b.net, p)).collect();
    assert_eq!(got, vec![names(&["m", "x"]), names(&["m", "y"])]);
    assert!(paths.iter().all(|p| p.is_delivered()));
}

#[test]
fn advertised_but_not_owned_is_dropped_at_a_router() {
    let mut b = B::new();
    let r1 = b.router("r1", 65001);
    let r2 = b.node("r2", "router", 65002, Behaviours::default());
    b.originate(r2, "10.2.0.0/16");
    b.ebgp(r1, r2);
    let (hops, disp, why) = one(&b, Source::Node(r1), "10.2.0.1");
    assert_eq!(hops, names(&["r1", "r2"]));
    assert_eq!((disp, why), (Disposition::Dropped, Why::AdvertisedNotOwned));
}

/// Two hubs, each with an NVA and Route Server; the NVAs exchange routes over BGP,
/// optionally inside a tunnel. A site behind a router `dc` hangs off `n_n`'s side.
fn two_regions(tunnel: bool) -> (B, NodeId, NodeId, SubnetId) {
    let mut b = B::new();
    let hw = b.vnet("hub_w", &["10.100.0.0/16"]);
    let hn = b.vnet("hub_n", &["10.200.0.0/16"]);
    b.peer_vnets(hw, hn);
    let sw = b.subnet("w_subnet", hw, "10.100.1.0/24");
    let sn = b.subnet("n_subnet", hn, "10.200.1.0/24");
    let vm_w = b.subnet("vm_w", hw, "10.100.9.0/24");
    let ars_w = b.route_server("ars_w", hw);
    let ars_n = b.route_server("ars_n", hn);
    let fw_w = b.nva("fw_w", 65010, sw, "10.100.1.4");
    let fw_n = b.nva("fw_n", 65020, sn, "10.200.1.4");
    b.ebgp(fw_w, ars_w);
    b.ebgp(fw_n, ars_n);
    // A router `dc` that fw_n advertises and names in a static. fw_n is a VM: its
    // static does not carry packets to `dc` (no circuit or tunnel joins them), it
    // hands them to its subnet's fabric (LANGUAGE.md §2.2; tester 1.2).
    let dc = b.router("dc", 65200);
    b.originate(dc, "10.2.0.0/16");
    b.originate(fw_n, "10.2.0.0/16");
    b.static_route(fw_n, "10.2.0.0/16", StaticTarget::Node(dc));
    if tunnel {
        let t = b.tunnel("vx", fw_w, fw_n);
        b.ebgp_over(fw_w, fw_n, t);
    } else {
        b.ebgp(fw_w, fw_n);
    }
    let _ = (ars_w, ars_n);
    (b, fw_w, dc, vm_w)
}

#[test]
fn nva_to_nva_without_tunnel_loops_through_its_own_subnet() {
    // AZURE.md "Two regions": the NVA's subnet holds a Route Server route pointing
    // at the NVA itself for the other region's prefix.
    let (b, fw_w, _, _) = two_regions(false);
    let (hops, disp, _) = one(&b, Source::Node(fw_w), "10.2.0.1");
    assert_eq!(hops, names(&["fw_w", "fw_w"]));
    assert_eq!(disp, Disposition::Loop);
}

#[test]
fn nva_to_nva_over_a_tunnel_reaches_the_far_side() {
    let (b, fw_w, _, vm_w) = two_regions(true);
    let paths = walk(&b, Source::Node(fw_w), "10.2.0.1");
    assert_eq!(paths.len(), 1, "{paths:#?}");
    let p = &paths[0];
    // The packet crosses the tunnel to fw_n; there fw_n's static hands it to its
    // subnet's fabric, whose Route Server route for 10.2.0.0/16 (fw_n's own
    // advertisement) points back at fw_n: a loop, as in Azure, not a teleport to dc.
    assert_eq!(hops(&b.net, p), names(&["fw_w", "fw_n", "fw_n"]));
    assert_eq!(p.disposition, Disposition::Loop);
    assert!(p.hops[0].encapsulated.is_some());
    assert!(matches!(p.hops[1].arrival, sim::Arrival::Tunnel(_)));
    assert_eq!(p.hops[0].destination, a("10.2.0.1"));
    // A VM in the west hub goes to fw_w (Route Server route), into the tunnel.
    let paths = walk(&b, Source::Subnet(vm_w), "10.2.0.1");
    assert_eq!(hops(&b.net, &paths[0]), names(&["fw_w", "fw_n", "fw_n"]));
    // With the tunnel down, the session over it is gone too.
    let t = b.net.tunnels[TunnelId(0)].component;
    let sc = Scenario::new([t]);
    let st = sim::stable_state(&b.net, &sc).unwrap();
    let paths = sim::trace(&b.net, &st, &sc, Source::Node(fw_w), a("10.2.0.1"));
    assert_ne!(paths[0].disposition, Disposition::Delivered);
}

#[test]
fn dead_nodes_drop() {
    let h = hairpin();
    let sc = Scenario::new([h.b.net.nodes[h.fw].component]);
    let st = sim::stable_state(&h.b.net, &sc).unwrap();
    let paths = sim::trace(&h.b.net, &st, &sc, Source::Node(h.dc1), a("10.1.0.5"));
    assert!(paths.iter().all(|p| !p.is_delivered()));
    let _ = h.ergw;
}

#[test]
fn destination_classes_split_at_every_mentioned_prefix() {
    let h = hairpin();
    let classes = sim::destination_classes(&h.b.net, &[p("10.1.0.5/32")]);
    // Sorted, contiguous, covering everything.
    assert_eq!(classes.first().unwrap().lo, a("0.0.0.0"));
    assert_eq!(classes.last().unwrap().hi, a("255.255.255.255"));
    for w in classes.windows(2) {
        assert_eq!(u32::from(w[0].hi) + 1, u32::from(w[1].lo));
    }
    for x in [
        "10.1.0.0",
        "10.1.0.5",
        "10.1.0.6",
        "10.1.4.0",
        "10.1.16.0",
        "10.100.1.4",
        "10.100.1.5",
        "10.0.0.0",
        "11.0.0.0",
    ] {
        assert!(
            classes.iter().any(|c| c.lo == a(x)),
            "no class starts at {x}"
        );
    }
    assert!(!classes.iter().any(|c| c.lo == a("10.1.0.1")));
}
