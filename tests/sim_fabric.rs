//! Effective routes of a subnet (semantics.md §2), on hand-built networks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod sim_common;

use avscheck::ir::*;
use avscheck::sim::{self, EffectiveRoute, FabricTarget, NextHopType, RouteSource, Scenario};
use sim_common::*;

/// A hub (10.100.0.0/16) with Route Server `ars`, NVAs `n1` (10.100.1.4, AS 65010)
/// and `n2` (10.100.1.5, AS 65020) peering with it, an ER gateway `ergw` with circuit
/// `c` to site `dc` (AS 65200, originates 10.2.0.0/16), branch-to-branch on.
struct Hub {
    b: B,
    hub: VnetId,
    nva_subnet: SubnetId,
    gs: SubnetId,
    ars: NodeId,
    ergw: NodeId,
    n1: NodeId,
    n2: NodeId,
    dc: NodeId,
}

fn hub() -> Hub {
    let mut b = B::new();
    let hub = b.vnet("hub", &["10.100.0.0/16"]);
    let nva_subnet = b.subnet("nva_subnet", hub, "10.100.1.0/24");
    let ars = b.route_server("ars", hub);
    let (ergw, gs) = b.er_gateway("ergw", hub, "10.100.0.0/27");
    b.originate(ars, "10.100.0.0/16");
    b.originate(ergw, "10.100.0.0/16");
    let n1 = b.nva("n1", 65010, nva_subnet, "10.100.1.4");
    let n2 = b.nva("n2", 65020, nva_subnet, "10.100.1.5");
    b.ebgp(n1, ars);
    b.ebgp(n2, ars);
    let learned = b.tag("er_circuit_learned", None);
    b.rs_gateway(ars, ergw, learned);
    let c = b.circuit("c");
    b.connect(c, ergw, learned);
    let dc = b.node(
        "dc",
        "site",
        65200,
        Behaviours {
            owns_originated: true,
            ..Behaviours::default()
        },
    );
    b.originate(dc, "10.2.0.0/16");
    b.ebgp(dc, c);
    Hub {
        b,
        hub,
        nva_subnet,
        gs,
        ars,
        ergw,
        n1,
        n2,
        dc,
    }
}

fn routes(b: &B, s: SubnetId) -> Vec<EffectiveRoute> {
    let st = sim::stable_state(&b.net, &Scenario::default()).unwrap();
    sim::effective_routes(&b.net, &st, &Scenario::default(), s)
}

fn find<'a>(rs: &'a [EffectiveRoute], prefix: &str) -> Vec<&'a EffectiveRoute> {
    rs.iter().filter(|r| r.prefix == p(prefix)).collect()
}

#[test]
fn system_routes_and_private_none_removal() {
    let h = hub();
    let rs = routes(&h.b, h.nva_subnet);
    let local = find(&rs, "10.100.0.0/16");
    assert_eq!(local.len(), 1);
    assert_eq!(local[0].next_hop_type, NextHopType::VnetLocal);
    assert_eq!(local[0].source, RouteSource::Default);
    assert!(local[0].active);
    let def = find(&rs, "0.0.0.0/0");
    assert_eq!(def[0].next_hop_type, NextHopType::Internet);
    // The VNet lies inside 10/8, which keeps its None route (AZURE.md, v2
    // corrections: removed only when the VNet's space includes the block).
    for block in [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
    ] {
        let r = find(&rs, block);
        assert_eq!(r.len(), 1, "{block}");
        assert_eq!(r[0].next_hop_type, NextHopType::None);
    }
}

#[test]
fn peered_vnets_and_their_usability() {
    let mut h = hub();
    let spoke = h.b.vnet("spoke", &["172.20.0.0/16"]);
    let pc = h.b.peer_vnets(h.hub, spoke);
    let rs = routes(&h.b, h.nva_subnet);
    let r = find(&rs, "172.20.0.0/16");
    assert_eq!(r[0].next_hop_type, NextHopType::VNetPeering);
    assert_eq!(r[0].next_hop, FabricTarget::Vnet(spoke));
    // The spoke's own default subnet: 172.16/12 None kept (the spoke lies inside it),
    // 10/8 None present (the hub is peered, not its own).
    let sd = h.b.net.vnets[spoke].default_subnet;
    let srs = routes(&h.b, sd);
    assert_eq!(
        find(&srs, "172.16.0.0/12")[0].next_hop_type,
        NextHopType::None
    );
    assert_eq!(find(&srs, "10.0.0.0/8")[0].next_hop_type, NextHopType::None);
    assert_eq!(
        find(&srs, "10.100.0.0/16")[0].next_hop_type,
        NextHopType::VNetPeering
    );
    // A failed peering disappears.
    let st = sim::stable_state(&h.b.net, &Scenario::new([pc])).unwrap();
    let rs = sim::effective_routes(&h.b.net, &st, &Scenario::new([pc]), h.nva_subnet);
    assert!(find(&rs, "172.20.0.0/16").is_empty());
}

#[test]
fn gateway_and_route_server_routes_are_programmed() {
    let mut h = hub();
    h.b.originate(h.n1, "10.50.0.0/16");
    let rs = routes(&h.b, h.nva_subnet);
    let onprem = find(&rs, "10.2.0.0/16");
    assert_eq!(onprem.len(), 1);
    assert_eq!(onprem[0].next_hop_type, NextHopType::VirtualNetworkGateway);
    assert_eq!(onprem[0].next_hop, FabricTarget::Node(h.ergw));
    assert_eq!(onprem[0].source, RouteSource::Bgp);
    assert_eq!(onprem[0].as_path, vec![12076, 65200]);
    let nva = find(&rs, "10.50.0.0/16");
    assert_eq!(nva.len(), 1);
    assert_eq!(nva[0].next_hop_type, NextHopType::VirtualAppliance);
    assert_eq!(nva[0].next_hop, FabricTarget::Address(a("10.100.1.4")));
    assert_eq!(nva[0].as_path, vec![65010]);
    // The gateway does not program what it learned from Route Server, nor Route
    // Server what it learned from the gateway (internal session).
    assert!(rs.iter().all(|r| !(r.prefix == p("10.50.0.0/16")
        && r.next_hop_type == NextHopType::VirtualNetworkGateway)));
    let _ = (h.ars, h.dc, h.n2, h.gs);
}

#[test]
fn route_server_ecmp_over_equal_as_path_lengths() {
    let mut h = hub();
    h.b.originate(h.n1, "10.50.0.0/16");
    h.b.originate(h.n2, "10.50.0.0/16");
    let rs = routes(&h.b, h.nva_subnet);
    let r = find(&rs, "10.50.0.0/16");
    assert_eq!(r.len(), 2);
    assert!(r.iter().all(|x| x.active));
    let lookup = avscheck::sim::fabric::lookup(&rs, a("10.50.1.1"));
    assert_eq!(lookup.len(), 2);
    // A longer AS path loses.
    let e = h.b.net.out_edges(h.n2).next().unwrap().0;
    let pp = h.b.policy(
        "pp",
        vec![rule(true, vec![], vec![Action::Prepend(65020, 1)])],
    );
    h.b.edge_mut(e).export.push(pp);
    let rs = routes(&h.b, h.nva_subnet);
    let r = find(&rs, "10.50.0.0/16");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].next_hop, FabricTarget::Address(a("10.100.1.4")));
}

#[test]
fn vnet_space_beats_more_specific_bgp() {
    let mut h = hub();
    h.b.originate(h.n1, "10.100.5.0/24");
    h.b.originate(h.n1, "10.100.0.0/16");
    h.b.originate(h.n1, "10.0.0.0/8");
    let rs = routes(&h.b, h.nva_subnet);
    assert!(find(&rs, "10.100.5.0/24").is_empty());
    assert_eq!(find(&rs, "10.100.0.0/16").len(), 1);
    assert_eq!(find(&rs, "10.100.0.0/16")[0].source, RouteSource::Default);
    // A supernet is accepted.
    assert_eq!(find(&rs, "10.0.0.0/8")[0].source, RouteSource::Bgp);
    let l = avscheck::sim::fabric::lookup(&rs, a("10.100.5.1"));
    assert_eq!(l[0].next_hop_type, NextHopType::VnetLocal);
}

#[test]
fn user_beats_bgp_beats_default_for_one_prefix() {
    let mut h = hub();
    h.b.originate(h.n1, "0.0.0.0/0");
    let rs = routes(&h.b, h.nva_subnet);
    let d = find(&rs, "0.0.0.0/0");
    assert_eq!(d.len(), 2);
    let bgp = d.iter().find(|r| r.source == RouteSource::Bgp).unwrap();
    let sys = d.iter().find(|r| r.source == RouteSource::Default).unwrap();
    assert!(bgp.active && !sys.active);
    h.b.udr(h.nva_subnet, "0.0.0.0/0", UdrNextHop::Internet);
    let rs = routes(&h.b, h.nva_subnet);
    let d = find(&rs, "0.0.0.0/0");
    assert_eq!(d.len(), 3);
    for r in &d {
        assert_eq!(r.active, r.source == RouteSource::User, "{r:?}");
    }
    let l = avscheck::sim::fabric::lookup(&rs, a("8.8.8.8"));
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].source, RouteSource::User);
    // Longest prefix first, whatever the source.
    h.b.udr(h.nva_subnet, "10.2.0.0/15", UdrNextHop::None);
    let rs = routes(&h.b, h.nva_subnet);
    let l = avscheck::sim::fabric::lookup(&rs, a("10.2.0.1"));
    assert_eq!(l[0].source, RouteSource::Bgp);
    let l = avscheck::sim::fabric::lookup(&rs, a("10.3.0.1"));
    assert_eq!(l[0].next_hop_type, NextHopType::None);
}

#[test]
fn propagate_gateway_routes_false_removes_gateway_and_route_server_routes() {
    let mut h = hub();
    h.b.originate(h.n1, "10.50.0.0/16");
    h.b.net.subnets[h.nva_subnet].propagate_gateway_routes = false;
    let rs = routes(&h.b, h.nva_subnet);
    assert!(rs.iter().all(|r| r.source != RouteSource::Bgp));
    // Other subnets still get them.
    let rs = routes(&h.b, h.gs);
    assert!(rs.iter().any(|r| r.source == RouteSource::Bgp));
}

#[test]
fn routing_preference_between_er_and_nva_routes() {
    let pick = |pref: RoutingPreference, nva_prepends: u32| {
        let mut h = hub();
        h.b.originate(h.n1, "10.2.0.0/16");
        if nva_prepends > 0 {
            let e = h.b.net.out_edges(h.n1).next().unwrap().0;
            let pp = h.b.policy(
                "pp",
                vec![rule(
                    true,
                    vec![],
                    vec![Action::Prepend(65010, nva_prepends)],
                )],
            );
            h.b.edge_mut(e).export.push(pp);
        }
        h.b.net.vnets[h.hub].routing_preference = pref;
        let rs = routes(&h.b, h.nva_subnet);
        let r = find(&rs, "10.2.0.0/16");
        assert_eq!(r.len(), 1, "{r:?}");
        r[0].next_hop_type
    };
    assert_eq!(
        pick(RoutingPreference::ExpressRoute, 0),
        NextHopType::VirtualNetworkGateway
    );
    assert_eq!(
        pick(RoutingPreference::VpnNva, 0),
        NextHopType::VirtualAppliance
    );
    // AS path: ER [12076, 65200] (2) vs NVA [65010] (1) → NVA; with 2 prepends (3) → ER;
    // a tie (1 prepend: 2) → ER.
    assert_eq!(
        pick(RoutingPreference::AsPath, 0),
        NextHopType::VirtualAppliance
    );
    assert_eq!(
        pick(RoutingPreference::AsPath, 1),
        NextHopType::VirtualNetworkGateway
    );
    assert_eq!(
        pick(RoutingPreference::AsPath, 2),
        NextHopType::VirtualNetworkGateway
    );
}

#[test]
fn spokes_using_the_remote_gateway_get_the_hubs_bgp_routes() {
    let mut h = hub();
    let spoke = h.b.vnet("spoke", &["10.110.0.0/16"]);
    let other = h.b.vnet("other", &["10.120.0.0/16"]);
    h.b.peer_vnets(h.hub, spoke);
    h.b.peer_vnets(h.hub, other);
    h.b.net.vnets[spoke].remote_gateway = Some(h.hub);
    h.b.originate(h.n1, "10.50.0.0/16");
    let sd = h.b.net.vnets[spoke].default_subnet;
    let rs = routes(&h.b, sd);
    assert_eq!(
        find(&rs, "10.2.0.0/16")[0].next_hop_type,
        NextHopType::VirtualNetworkGateway
    );
    assert_eq!(
        find(&rs, "10.50.0.0/16")[0].next_hop_type,
        NextHopType::VirtualAppliance
    );
    let od = h.b.net.vnets[other].default_subnet;
    assert!(routes(&h.b, od)
        .iter()
        .all(|r| r.source != RouteSource::Bgp));
}

#[test]
fn a_dead_programmer_programs_nothing() {
    let h = hub();
    let sc = Scenario::new([h.b.net.nodes[h.ergw].component]);
    let st = sim::stable_state(&h.b.net, &sc).unwrap();
    let rs = sim::effective_routes(&h.b.net, &st, &sc, h.nva_subnet);
    assert!(find(&rs, "10.2.0.0/16").is_empty());
}
