//! A small builder of `ir::Network` values for the simulator tests: what the lowering
//! would produce, written by hand so each semantics point can be pinned in isolation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use avscheck::ir::*;
use avscheck::span::Span;
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

pub fn p(s: &str) -> Ipv4Net {
    s.parse().unwrap()
}
pub fn a(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

pub struct B {
    pub net: Network,
    next_span: u32,
}

impl Default for B {
    fn default() -> Self {
        B::new()
    }
}

impl B {
    pub fn new() -> B {
        B {
            net: Network::default(),
            next_span: 0,
        }
    }

    /// A fresh, distinct span (so labels can be told apart).
    pub fn span(&mut self) -> Span {
        self.next_span += 10;
        Span::new(
            avscheck::FileId(0),
            self.next_span as usize,
            self.next_span as usize + 5,
        )
    }

    pub fn comp(&mut self, name: &str, kind: ComponentKind) -> ComponentId {
        let span = self.span();
        self.net.components.push(Component {
            name: name.to_string(),
            kind,
            span,
        })
    }

    pub fn node(&mut self, name: &str, kind: &str, asn: u32, behaviours: Behaviours) -> NodeId {
        let ckind = if kind == "er_circuit" {
            ComponentKind::Circuit
        } else {
            ComponentKind::Node
        };
        let component = self.comp(name, ckind);
        let span = self.span();
        let router_id = self.net.nodes.len() as u32 + 1;
        self.net.nodes.push(Node {
            name: name.to_string(),
            kind: kind.to_string(),
            span,
            asn,
            router_id,
            router_id_addr: None,
            router_id_known: true,
            originates: Vec::new(),
            statics: Vec::new(),
            address: None,
            public_ip: None,
            nics: Vec::new(),
            management: Vec::new(),
            behaviours,
            component,
        })
    }

    /// A core `router` (owns what it originates).
    pub fn router(&mut self, name: &str, asn: u32) -> NodeId {
        self.node(
            name,
            "router",
            asn,
            Behaviours {
                owns_originated: true,
                ..Behaviours::default()
            },
        )
    }

    pub fn originate(&mut self, n: NodeId, prefix: &str) {
        let span = self.span();
        self.net.nodes[n].originates.push(Origination {
            prefix: p(prefix),
            span,
            requires: None,
            aggregate: false,
            as_set: false,
        });
    }

    pub fn static_route(&mut self, n: NodeId, prefix: &str, target: StaticTarget) {
        let span = self.span();
        self.net.nodes[n].statics.push(StaticRoute {
            prefix: p(prefix),
            target,
            span,
            requires: Vec::new(),
        });
    }

    /// A session with FRR's default per-kind rules; returns (a→b, b→a).
    pub fn session(&mut self, x: NodeId, y: NodeId, kind: SessionKind) -> (EdgeId, EdgeId) {
        let comp = self.comp(
            &format!("{}-{}", self.net.nodes[x].name, self.net.nodes[y].name),
            ComponentKind::Session,
        );
        let span = self.span();
        let sid = self.net.sessions.push(Session {
            a: x,
            b: y,
            kind,
            status: SessionStatus::Up,
            tunnel: None,
            span,
            other_span: None,
            component: comp,
        });
        let e1 = self.edge(sid, x, y, kind, comp);
        let e2 = self.edge(sid, y, x, kind, comp);
        (e1, e2)
    }

    fn edge(
        &mut self,
        sid: SessionId,
        from: NodeId,
        to: NodeId,
        kind: SessionKind,
        comp: ComponentId,
    ) -> EdgeId {
        let span = self.span();
        let fa = self.net.nodes[from].asn;
        let ta = self.net.nodes[to].asn;
        let (prepend, loop_check, ibgp, reset) = match kind {
            SessionKind::Ebgp => (vec![fa], Some(ta), false, true),
            SessionKind::Ibgp => (vec![], Some(ta), true, false),
            SessionKind::Internal => (vec![], None, false, false),
            SessionKind::GlobalReach => (vec![12076, 12076], None, false, false),
            SessionKind::Static => (vec![], None, false, true),
        };
        let requires = vec![
            comp,
            self.net.nodes[from].component,
            self.net.nodes[to].component,
        ];
        self.net.edges.push(Edge {
            from,
            to,
            session: sid,
            export: Vec::new(),
            import: Vec::new(),
            prepend,
            loop_check,
            allowas_in: 0,
            ibgp,
            reset_local_pref: reset,
            tunnel: None,
            weight: 0,
            shown_weight: 0,
            fastpath: None,
            max_routes: None,
            requires,
            default_originate: None,
            span,
        })
    }

    pub fn ebgp(&mut self, x: NodeId, y: NodeId) -> (EdgeId, EdgeId) {
        self.session(x, y, SessionKind::Ebgp)
    }

    pub fn edge_mut(&mut self, e: EdgeId) -> &mut Edge {
        &mut self.net.edges[e]
    }

    pub fn policy(&mut self, name: &str, rules: Vec<Rule>) -> PolicyId {
        let span = self.span();
        self.net.policies.push(Policy {
            name: name.to_string(),
            span,
            rules,
        })
    }

    pub fn tag(&mut self, name: &str, community: Option<(u16, u16)>) -> TagId {
        self.net.tags.push(Tag {
            name: name.to_string(),
            community,
        })
    }

    pub fn vnet(&mut self, name: &str, addrs: &[&str]) -> VnetId {
        let span = self.span();
        let id = VnetId(self.net.vnets.len() as u32);
        let default_subnet = self.net.subnets.push(Subnet {
            name: format!("{name}/default"),
            span,
            vnet: id,
            address: None,
            udrs: Vec::new(),
            propagate_gateway_routes: true,
            route_table_span: None,
        });
        self.net.vnets.push(Vnet {
            name: name.to_string(),
            span,
            address: addrs.iter().map(|s| p(s)).collect(),
            region: None,
            peerings: Vec::new(),
            remote_gateway: None,
            routing_preference: RoutingPreference::ExpressRoute,
            default_subnet,
        })
    }

    pub fn subnet(&mut self, name: &str, vnet: VnetId, addr: &str) -> SubnetId {
        let span = self.span();
        self.net.subnets.push(Subnet {
            name: name.to_string(),
            span,
            vnet,
            address: Some(p(addr)),
            udrs: Vec::new(),
            propagate_gateway_routes: true,
            route_table_span: None,
        })
    }

    pub fn udr(&mut self, s: SubnetId, prefix: &str, next_hop: UdrNextHop) {
        let span = self.span();
        self.net.subnets[s].udrs.push(Udr {
            prefix: p(prefix),
            next_hop,
            span,
        });
    }

    pub fn peer_vnets(&mut self, x: VnetId, y: VnetId) -> ComponentId {
        let c = self.comp("peering", ComponentKind::VnetPeering);
        self.net.vnets[x].peerings.push(Peering {
            vnet: y,
            component: c,
        });
        self.net.vnets[y].peerings.push(Peering {
            vnet: x,
            component: c,
        });
        c
    }

    pub fn tunnel(&mut self, name: &str, x: NodeId, y: NodeId) -> TunnelId {
        let component = self.comp(name, ComponentKind::Tunnel);
        let span = self.span();
        self.net.tunnels.push(Tunnel {
            name: name.to_string(),
            a: x,
            b: y,
            kind: "vxlan".to_string(),
            span,
            component,
            internet: false,
            unusable: None,
        })
    }

    /// An eBGP session over a tunnel.
    pub fn ebgp_over(&mut self, x: NodeId, y: NodeId, t: TunnelId) -> (EdgeId, EdgeId) {
        let (e1, e2) = self.ebgp(x, y);
        let tc = self.net.tunnels[t].component;
        for e in [e1, e2] {
            self.net.edges[e].tunnel = Some(t);
            self.net.edges[e].requires.push(tc);
        }
        let sid = self.net.edges[e1].session;
        self.net.sessions[sid].tunnel = Some(t);
        (e1, e2)
    }

    pub fn nva(&mut self, name: &str, asn: u32, subnet: SubnetId, ip: &str) -> NodeId {
        let n = self.node(
            name,
            "nva",
            asn,
            Behaviours {
                fabric_subnet: Some(subnet),
                ..Behaviours::default()
            },
        );
        self.net.nodes[n].address = Some(a(ip));
        n
    }

    pub fn route_server(&mut self, name: &str, vnet: VnetId) -> NodeId {
        self.node(
            name,
            "route_server",
            65515,
            Behaviours {
                control_plane_only: true,
                next_hop_transparent: true,
                multipath: true,
                programs: Some(Programming {
                    vnet,
                    how: ProgramAs::Appliance,
                }),
                ..Behaviours::default()
            },
        )
    }

    /// An ER gateway with its GatewaySubnet.
    pub fn er_gateway(&mut self, name: &str, vnet: VnetId, gw_prefix: &str) -> (NodeId, SubnetId) {
        let vname = self.net.vnets[vnet].name.clone();
        let gs = self.subnet(&format!("{vname}/GatewaySubnet"), vnet, gw_prefix);
        let n = self.node(
            name,
            "er_gateway",
            65515,
            Behaviours {
                programs: Some(Programming {
                    vnet,
                    how: ProgramAs::Gateway,
                }),
                gateway_subnet: Some(gs),
                no_transit: true,
                ..Behaviours::default()
            },
        );
        (n, gs)
    }

    pub fn circuit(&mut self, name: &str) -> NodeId {
        self.node(name, "er_circuit", 12076, Behaviours::default())
    }

    pub fn avs(&mut self, name: &str) -> NodeId {
        self.node(
            name,
            "avs",
            398656,
            Behaviours {
                owns_originated: true,
                multipath: true,
                ..Behaviours::default()
            },
        )
    }

    pub fn internet(&mut self) -> NodeId {
        let n = self.node(
            "internet",
            "internet",
            0,
            Behaviours {
                internet: true,
                ..Behaviours::default()
            },
        );
        self.net.internet = Some(n);
        n
    }

    /// The stdlib's circuit ↔ gateway session: gateway tags what it learns from the
    /// circuit and never gives such routes to a circuit. Returns (circuit→gw, gw→circuit).
    pub fn connect(&mut self, circuit: NodeId, gw: NodeId, learned: TagId) -> (EdgeId, EdgeId) {
        let tag_in = self.policy(
            "gateway_from_circuit",
            vec![rule(true, vec![], vec![Action::AddTag(learned)])],
        );
        let no_transit = self.policy(
            "gateway_to_circuit",
            vec![
                rule(false, vec![Condition::Tag(learned)], vec![]),
                rule(true, vec![], vec![]),
            ],
        );
        let (c2g, g2c) = self.ebgp(circuit, gw);
        self.net.edges[c2g].import.push(tag_in);
        self.net.edges[g2c].export.push(no_transit);
        (c2g, g2c)
    }

    /// The stdlib's Route Server ↔ gateway internal session (branch-to-branch on).
    pub fn rs_gateway(&mut self, rs: NodeId, gw: NodeId, learned: TagId) -> (EdgeId, EdgeId) {
        let strip = self.policy(
            "gateway_to_route_server",
            vec![rule(true, vec![], vec![Action::RemoveTag(learned)])],
        );
        let (r2g, g2r) = self.session(rs, gw, SessionKind::Internal);
        self.net.edges[g2r].export.push(strip);
        (r2g, g2r)
    }

    pub fn property(&mut self, kind: PropertyKind) -> Property {
        let span = self.span();
        Property {
            kind,
            span,
            failures: 0,
            failure_scope: None,
            without: Vec::new(),
            assumptions: Vec::new(),
        }
    }
}

pub fn rule(permit: bool, conditions: Vec<Condition>, actions: Vec<Action>) -> Rule {
    Rule {
        matched: Vec::new(),
        permit,
        conditions,
        actions,
        span: Span::default(),
    }
}

pub fn exact(prefix: &str) -> Condition {
    Condition::Prefix(vec![PrefixRange {
        prefix: p(prefix),
        ge: p(prefix).prefix_len(),
        le: p(prefix).prefix_len(),
    }])
}

/// Hop names of a path.
pub fn hops(net: &Network, path: &avscheck::sim::Path) -> Vec<String> {
    path.hops
        .iter()
        .map(|h| net.nodes[h.node].name.clone())
        .collect()
}
