//! Forwarding steps of one walk state: a route's next hop, an address (load balancer
//! frontends included), and the fabric's lookup in a subnet (docs/semantics.md §2–§3).

use super::{external, Arrive, Builder, Step, Term};
use crate::ir::{NodeId, ProgramAs, RoutingPreference, SubnetId, UdrNextHop, VnetId};
use crate::sim::{vnet_owner, Owner, Why};
use crate::smt::encode::{CandSource, NextHopValue};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use z3::ast::{Bool, Int};

impl<'e, 'n> Builder<'e, 'n> {
    /// The steps to a route's next hop, over the values it can take.
    pub(super) fn next_hop_steps(&self, nh: &Int, src: CandSource) -> Vec<(Step, Bool)> {
        let uni = &self.enc.uni;
        let mut out = Vec::new();
        for v in self.enc.nh_domain(src) {
            let step = match uni.decode_nh(v) {
                NextHopValue::Local => Step::Stop(Term::Dropped(Why::AdvertisedNotOwned)),
                NextHopValue::Node(n) => Step::To(n, Arrive::FromNode),
                NextHopValue::Address(a) => {
                    let is = nh.eq(Int::from_i64(v));
                    for (s, g) in self.address_steps(a, Arrive::FromNode) {
                        out.push((s, Bool::and(&[is.clone(), g])));
                    }
                    continue;
                }
            };
            out.push((step, nh.eq(Int::from_i64(v))));
        }
        out
    }

    /// A packet sent to address `a`: the node with that address, or, for a load
    /// balancer's frontend, each backend that is up (an ECMP branch each), dropped
    /// when none is (the simulator's `Walker::address_steps`).
    pub(super) fn address_steps(&self, a: Ipv4Addr, arrive: Arrive) -> Vec<(Step, Bool)> {
        let net = self.net();
        let t = Bool::from_bool(true);
        let lbs = &net.load_balancers;
        if let Some((i, lb)) = lbs.iter().enumerate().find(|(_, l)| l.frontend == a) {
            if !lb.ha_ports {
                return vec![(Step::Stop(Term::Dropped(Why::NoHaPorts)), t)];
            }
            let mut out = Vec::new();
            let mut ups = Vec::new();
            for (j, b) in lb.backends.iter().enumerate() {
                let up = self.enc.scen.alive(net, *b);
                ups.push(up.clone());
                let guard = match self.pins.get(&i) {
                    Some(pin) => Bool::and(&[
                        up,
                        pin.eq(Int::from_i64(i64::try_from(j).unwrap_or(i64::MAX))),
                    ]),
                    None => up,
                };
                out.push((Step::To(*b, Arrive::FromFabric), guard));
            }
            out.push((
                Step::Stop(Term::Dropped(Why::NoHealthyBackend)),
                Bool::or(&ups).not(),
            ));
            return out;
        }
        match net.node_by_address(a) {
            Some(x) => vec![(Step::To(x, arrive), t)],
            None => vec![(Step::Stop(Term::Dropped(Why::NoNodeAtAddress)), t)],
        }
    }

    /// The fabric's lookup of `d` in subnet `s` (semantics §2), as guarded steps.
    pub(super) fn fabric_steps(
        &mut self,
        s: SubnetId,
        d: Ipv4Addr,
        no_transit: bool,
    ) -> Vec<(Step, Bool)> {
        let net = self.net();
        let Some(subnet) = net.subnets.get(s) else {
            return vec![(Step::Stop(Term::NoRoute), Bool::from_bool(true))];
        };
        let Some(vnet) = net.vnets.get(subnet.vnet) else {
            return vec![(Step::Stop(Term::NoRoute), Bool::from_bool(true))];
        };
        #[derive(Clone, Copy)]
        enum Hop {
            Vnet(VnetId),
            Appliance(Ipv4Addr),
            ApplianceNode(NodeId),
            Gateway(NodeId),
            Internet,
            Nothing,
        }
        // prefix → [(hop, guard)] per source.
        let mut user: BTreeMap<Ipv4Net, Vec<(Hop, Bool)>> = BTreeMap::new();
        let mut bgp: BTreeMap<Ipv4Net, Vec<(Hop, Bool)>> = BTreeMap::new();
        let mut default: BTreeMap<Ipv4Net, Vec<(Hop, Bool)>> = BTreeMap::new();
        let tt = Bool::from_bool(true);
        // Default routes, and the local space (guarded by peering liveness).
        let mut local_space: Vec<(Ipv4Net, Bool)> = Vec::new();
        for p in &vnet.address {
            local_space.push((*p, tt.clone()));
            if p.contains(&d) {
                default
                    .entry(*p)
                    .or_default()
                    .push((Hop::Vnet(subnet.vnet), tt.clone()));
            }
        }
        for peering in &vnet.peerings {
            let up = self.enc.scen.is_down(peering.component).not();
            if let Some(w) = net.vnets.get(peering.vnet) {
                for p in &w.address {
                    local_space.push((*p, up.clone()));
                    if p.contains(&d) {
                        default
                            .entry(*p)
                            .or_default()
                            .push((Hop::Vnet(peering.vnet), up.clone()));
                    }
                }
            }
        }
        default
            .entry(Ipv4Net::default())
            .or_default()
            .push((Hop::Internet, tt.clone()));
        for block in crate::sim::private_blocks() {
            if block.contains(&d) && crate::sim::fabric::none_route_kept(subnet, vnet, block) {
                default
                    .entry(block)
                    .or_default()
                    .push((Hop::Nothing, tt.clone()));
            }
        }
        // BGP routes programmed by the hub's gateways and Route Servers (a spoke has
        // none while its peering to the hub is down).
        let hub_up = match crate::sim::fabric::remote_gateway_peering(net, subnet.vnet) {
            Some(c) => self.enc.scen.is_down(c).not(),
            None => tt.clone(),
        };
        if subnet.propagate_gateway_routes {
            let hub = vnet.remote_gateway.unwrap_or(subnet.vnet);
            let pref = net
                .vnets
                .get(hub)
                .map(|h| h.routing_preference)
                .unwrap_or_default();
            for q in self.bgp_containing(d) {
                let excluded: Vec<Bool> = local_space
                    .iter()
                    .filter(|(l, _)| l.contains(&q))
                    .map(|(_, g)| g.clone())
                    .collect();
                let allowed = Bool::and(&[Bool::or(&excluded).not(), hub_up.clone()]);
                // (hop, guard, as-path length)
                let mut er: Vec<(Hop, Bool, Int)> = Vec::new();
                let mut nva: Vec<(Hop, Bool, Int)> = Vec::new();
                for (gid, gnode) in net.nodes.iter() {
                    let Some(prog) = gnode.behaviours.programs else {
                        continue;
                    };
                    if prog.vnet != hub {
                        continue;
                    }
                    let Some(rib) = self.rib(&q, gid) else {
                        continue;
                    };
                    let alive = self.enc.scen.alive(net, gid);
                    let chosen =
                        rib.best_where(gnode.behaviours.multipath, |src| external(net, src));
                    for (c, inst) in rib.cands.iter().zip(&chosen) {
                        if !external(net, c.source) {
                            continue;
                        }
                        let base = Bool::and(&[alive.clone(), inst.clone()]);
                        match prog.how {
                            ProgramAs::Gateway => er.push((Hop::Gateway(gid), base, c.route.len())),
                            // VPN and NVA routes are one side of the hub routing preference.
                            ProgramAs::VpnGateway => {
                                nva.push((Hop::Gateway(gid), base, c.route.len()))
                            }
                            ProgramAs::Appliance => {
                                let uni = &self.enc.uni;
                                for v in self.enc.nh_domain(c.source) {
                                    let hop = match uni.decode_nh(v) {
                                        NextHopValue::Local => continue,
                                        NextHopValue::Node(n) => {
                                            match net.address_towards(n, gid) {
                                                Some(a) => Hop::Appliance(a),
                                                None => Hop::ApplianceNode(n),
                                            }
                                        }
                                        NextHopValue::Address(a) => Hop::Appliance(a),
                                    };
                                    let gd =
                                        Bool::and(&[base.clone(), c.route.nh.eq(Int::from_i64(v))]);
                                    nva.push((hop, gd, c.route.len()));
                                }
                            }
                        }
                    }
                }
                if er.is_empty() && nva.is_empty() {
                    continue;
                }
                // One side: between VPN and NVA routes the shortest AS path wins
                // (route-server/hub-routing-preference.md); equal lengths keep both
                // (the simulator's `shortest_only`).
                let nva: Vec<(Hop, Bool, Int)> = nva
                    .iter()
                    .map(|(h, g, l)| {
                        let none_shorter: Vec<Bool> =
                            nva.iter().map(|(_, go, lo)| go.implies(l.le(lo))).collect();
                        (
                            *h,
                            Bool::and(&[g.clone(), Bool::and(&none_shorter)]),
                            l.clone(),
                        )
                    })
                    .collect();
                let er_any = Bool::or(&er.iter().map(|x| x.1.clone()).collect::<Vec<_>>());
                let nva_any = Bool::or(&nva.iter().map(|x| x.1.clone()).collect::<Vec<_>>());
                let er_wins = match pref {
                    RoutingPreference::ExpressRoute => Bool::from_bool(true),
                    RoutingPreference::VpnNva => Bool::from_bool(false),
                    RoutingPreference::AsPath => {
                        // NVA wins iff its shortest path is strictly shorter.
                        let nva_shorter: Vec<Bool> = nva
                            .iter()
                            .map(|(_, gn, ln)| {
                                let beats: Vec<Bool> =
                                    er.iter().map(|(_, ge, le)| ge.implies(ln.lt(le))).collect();
                                Bool::and(&[gn.clone(), Bool::and(&beats)])
                            })
                            .collect();
                        Bool::or(&nva_shorter).not()
                    }
                };
                let use_er =
                    Bool::and(&[allowed.clone(), Bool::or(&[nva_any.not(), er_wins.clone()])]);
                let use_nva =
                    Bool::and(&[allowed.clone(), Bool::or(&[er_any.not(), er_wins.not()])]);
                let slot = bgp.entry(q).or_default();
                for (h, gd, _) in er {
                    slot.push((h, Bool::and(&[use_er.clone(), gd])));
                }
                for (h, gd, _) in nva {
                    slot.push((h, Bool::and(&[use_nva.clone(), gd])));
                }
            }
        }
        for u in &subnet.udrs {
            if !u.prefix.contains(&d) {
                continue;
            }
            let hop = match u.next_hop {
                UdrNextHop::Appliance(a) => Hop::Appliance(a),
                UdrNextHop::Internet => Hop::Internet,
                UdrNextHop::None => Hop::Nothing,
                UdrNextHop::VnetLocal => Hop::Vnet(subnet.vnet),
            };
            user.entry(u.prefix).or_default().push((hop, tt.clone()));
        }
        // Longest prefix; for one prefix User > BGP > Default.
        let mut all: BTreeSet<Ipv4Net> = BTreeSet::new();
        all.extend(user.keys().copied());
        all.extend(bgp.keys().copied());
        all.extend(default.keys().copied());
        let mut order: Vec<Ipv4Net> = all.into_iter().collect();
        order.sort_by(|a, b| b.prefix_len().cmp(&a.prefix_len()).then(a.cmp(b)));
        let mut pending = Bool::from_bool(true);
        // (hop, guard, from a user-defined route)
        let mut chosen: Vec<(Hop, Bool, bool)> = Vec::new();
        let any = |v: Option<&Vec<(Hop, Bool)>>| -> Bool {
            match v {
                Some(v) => Bool::or(&v.iter().map(|x| x.1.clone()).collect::<Vec<_>>()),
                None => Bool::from_bool(false),
            }
        };
        for q in order {
            let u_any = any(user.get(&q));
            let b_any = any(bgp.get(&q));
            let d_any = any(default.get(&q));
            let use_u = Bool::and(&[pending.clone(), u_any.clone()]);
            let use_b = Bool::and(&[pending.clone(), u_any.not(), b_any.clone()]);
            let use_d = Bool::and(&[pending.clone(), u_any.not(), b_any.not(), d_any.clone()]);
            for (src, gate, is_user) in [
                (&user, use_u, true),
                (&bgp, use_b, false),
                (&default, use_d, false),
            ] {
                if let Some(v) = src.get(&q) {
                    for (h, gd) in v {
                        chosen.push((*h, Bool::and(&[gate.clone(), gd.clone()]), is_user));
                    }
                }
            }
            pending = Bool::and(&[pending.clone(), Bool::or(&[u_any, b_any, d_any]).not()]);
        }
        let mut out = vec![(Step::Stop(Term::NoRoute), pending)];
        for (h, gd, user) in chosen {
            if let Hop::Appliance(a) = h {
                // The fabric reaches a VirtualAppliance next hop only in the VNet or a
                // VNet peered with it over a live peering (the simulator's
                // `sim::fabric::fabric_reaches`).
                let held: Vec<Bool> = local_space
                    .iter()
                    .filter(|(l, _)| l.contains(&a))
                    .map(|(_, g)| g.clone())
                    .collect();
                let reach = Bool::or(&held);
                out.push((
                    Step::Stop(Term::Dropped(Why::NextHopOutsideVnet)),
                    Bool::and(&[gd.clone(), reach.not()]),
                ));
                for (s, g) in self.address_steps(a, Arrive::FromFabric) {
                    out.push((s, Bool::and(&[gd.clone(), reach.clone(), g])));
                }
                continue;
            }
            let step = match h {
                Hop::Vnet(w) => match net.nic_in_vnet(d, w) {
                    Some(x) => Step::To(x, Arrive::FromFabric),
                    None => match vnet_owner(net, w, d) {
                        Some(sub) => Step::Stop(Term::Delivered(Owner::Subnet(sub))),
                        None => Step::Stop(Term::Dropped(Why::NotInVnet)),
                    },
                },
                Hop::Appliance(_) => Step::Stop(Term::Dropped(Why::NoNodeAtAddress)),
                Hop::ApplianceNode(n) => Step::To(n, Arrive::FromFabric),
                Hop::Gateway(gw) => {
                    // No transit from a circuit to a circuit: only a route to another
                    // ExpressRoute gateway (not a VPN gateway) drops the packet.
                    let er = net.nodes.get(gw).is_some_and(|n| n.behaviours.no_transit);
                    if no_transit && er {
                        Step::Stop(Term::Dropped(Why::NoTransit))
                    } else {
                        Step::To(gw, Arrive::FromFabric)
                    }
                }
                Hop::Internet => match net.internet {
                    Some(i) => Step::To(i, Arrive::FromFabric),
                    None => Step::Stop(Term::Dropped(Why::NoInternet)),
                },
                // A UDR to None, or a system None route (the private blocks).
                Hop::Nothing if user => Step::Stop(Term::Dropped(Why::UdrNone)),
                Hop::Nothing => Step::Stop(Term::Dropped(Why::SystemNone)),
            };
            out.push((step, gd));
        }
        out
    }
}
