//! BGP sessions: declared ones (`peer` lines, through a kind's `session KEY`) and
//! implicit ones (`session KIND same KEY`, `session KIND by KEY`, and `session KEY`
//! on a non-node kind such as `global_reach`). A session is up when both ends
//! declare it (a `session ... implicit` line declares its end by itself).

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::ir::{
    self, ComponentKind, Edge, NodeId, PolicyId, RouteLimit, Session, SessionKind, SessionStatus,
    TunnelId,
};
use crate::sema::model::{
    ComponentDecl, ResolvedLine, SessionSchema, SessionSchemaKind, SessionTarget, Value,
};
use crate::span::Span;
use std::collections::BTreeMap;

/// FRR's `allowas-in` default: the own ASN may occur up to 3 times.
const ALLOWAS_IN_DEFAULT: u8 = 3;

/// One end's declaration of a session.
#[derive(Clone, Debug)]
struct Side {
    from: NodeId,
    to: NodeId,
    kind: SessionSchemaKind,
    implicit: bool,
    /// Declared by a user's `peer`-style line (a lone one is worth a warning).
    user_line: bool,
    import: Vec<PolicyId>,
    export: Vec<PolicyId>,
    expected_asn: Option<(u32, Span)>,
    /// Occurrences of the own ASN tolerated on receipt (0: off).
    allowas_in: u8,
    /// A receiver's `neighbor A weight N` (FRR configuration).
    receive_weight: Option<u32>,
    tunnel: Option<(TunnelId, Span)>,
    weight: Option<u32>,
    /// `connect GW fastpath` (a circuit's side).
    fastpath: bool,
    /// FRR `neighbor A default-originate` (the sender's line).
    default_originate: Option<Span>,
    /// The key of the session line (`peer`, `connect`, ...).
    key: String,
    /// For sessions made by a non-node component (`global_reach gr`): its name.
    maker: Option<String>,
    span: Span,
    /// An FRR configuration's reason why this side never establishes the session
    /// (`frr::translate::SessionSide::down`).
    down: Option<String>,
}

fn policy(ctx: &Ctx, name: Option<&str>) -> Option<PolicyId> {
    name.and_then(|n| ctx.policy_ids.get(n).copied())
}

fn line_ref(line: &ResolvedLine) -> Option<&str> {
    line.first().and_then(|v| v.node.as_ref_name())
}

fn ref_value<'a>(c: &'a ComponentDecl, key: &str) -> Option<&'a str> {
    c.get(key).and_then(line_ref)
}

fn side_from_line(
    ctx: &Ctx,
    schema: &SessionSchema,
    from: NodeId,
    to: NodeId,
    line: Option<&ResolvedLine>,
    span: Span,
) -> Side {
    let mut import: Vec<PolicyId> = policy(ctx, schema.import.as_deref()).into_iter().collect();
    let mut export: Vec<PolicyId> = policy(ctx, schema.export.as_deref()).into_iter().collect();
    let mut side = Side {
        from,
        to,
        kind: schema.kind,
        implicit: schema.implicit,
        user_line: false,
        import: Vec::new(),
        export: Vec::new(),
        expected_asn: None,
        allowas_in: 0,
        receive_weight: None,
        tunnel: None,
        weight: None,
        fastpath: false,
        default_originate: None,
        key: match &schema.target {
            SessionTarget::Key(k) => k.clone(),
            SessionTarget::Same { key, .. } | SessionTarget::By { key, .. } => key.clone(),
        },
        maker: None,
        span,
        down: None,
    };
    if let Some(line) = line {
        let name_of = |opt: &str| line.option(opt).and_then(|v| v.node.as_ref_name());
        import.extend(policy(ctx, name_of("import")));
        export.extend(policy(ctx, name_of("export")));
        side.expected_asn = line.option("asn").and_then(|v| {
            v.node
                .as_int()
                .and_then(|n| u32::try_from(n).ok())
                .map(|n| (n, v.span))
        });
        side.allowas_in = if line.flag("allowas_in") {
            ALLOWAS_IN_DEFAULT
        } else {
            0
        };
        side.tunnel = line.option("over").and_then(|v| {
            v.node
                .as_ref_name()
                .and_then(|n| ctx.tunnel_ids.get(n).copied())
                .map(|t| (t, v.span))
        });
        side.fastpath = line.flag("fastpath");
        side.weight = line
            .option("weight")
            .and_then(|v| v.node.as_int())
            .and_then(|n| u32::try_from(n).ok());
    }
    side.import = import;
    side.export = export;
    side
}

fn collect_sides(ctx: &mut Ctx) -> Vec<Side> {
    let design = ctx.design;
    let mut sides = Vec::new();
    for c in &design.components {
        let Some(kind) = design.kinds.get(&c.kind) else {
            continue;
        };
        let me = ctx.node_ids.get(&c.name.node).copied();
        for schema in &kind.sessions {
            if let Some(flag) = &schema.when {
                let on = c
                    .get(flag)
                    .and_then(|l| l.first())
                    .and_then(|v| v.node.as_bool())
                    .unwrap_or(false);
                if !on {
                    continue;
                }
            }
            match (&schema.target, me) {
                (SessionTarget::Key(key), Some(me)) => {
                    for line in c.all(key) {
                        let Some(to) = line_ref(line).and_then(|n| ctx.node_ids.get(n).copied())
                        else {
                            continue;
                        };
                        let mut side = side_from_line(ctx, schema, me, to, Some(line), line.span);
                        side.user_line = !line.defaulted;
                        sides.push(side);
                    }
                }
                (SessionTarget::Key(key), None) => {
                    // A non-node component joins the nodes one line names.
                    for line in c.all(key) {
                        let ends: Vec<NodeId> = line
                            .positional
                            .iter()
                            .filter_map(|v| match &v.node {
                                Value::Ref { name, .. } => ctx.node_ids.get(name).copied(),
                                _ => None,
                            })
                            .collect();
                        if let (Some(&a), Some(&b)) = (ends.first(), ends.get(1)) {
                            for (x, y) in [(a, b), (b, a)] {
                                let mut side = side_from_line(ctx, schema, x, y, None, line.span);
                                side.implicit = true;
                                side.maker = Some(c.name.node.clone());
                                sides.push(side);
                            }
                        }
                    }
                }
                (
                    SessionTarget::Same {
                        kind: other_kind,
                        key,
                    },
                    Some(me),
                ) => {
                    let Some(mine) = ref_value(c, key) else {
                        continue;
                    };
                    let span = c.get(key).map(|l| l.span).unwrap_or(c.name.span);
                    for d in ctx
                        .of_kind(other_kind)
                        .filter(|d| d.name.node != c.name.node)
                    {
                        if ref_value(d, key) == Some(mine) {
                            if let Some(&to) = ctx.node_ids.get(&d.name.node) {
                                sides.push(side_from_line(ctx, schema, me, to, None, span));
                            }
                        }
                    }
                }
                (
                    SessionTarget::By {
                        kind: other_kind,
                        key,
                    },
                    Some(me),
                ) => {
                    for d in ctx.of_kind(other_kind) {
                        for line in d.all(key) {
                            if line_ref(line) == Some(c.name.node.as_str()) {
                                if let Some(&to) = ctx.node_ids.get(&d.name.node) {
                                    sides
                                        .push(side_from_line(ctx, schema, me, to, None, line.span));
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    // Sides declared by FRR configurations (`neighbor A remote-as N`).
    for c in &ctx.config_sides {
        sides.push(Side {
            from: c.from,
            to: c.to,
            kind: SessionSchemaKind::Bgp,
            implicit: false,
            user_line: true,
            import: c.import.clone(),
            export: c.export.clone(),
            expected_asn: c.expected_asn,
            allowas_in: c.allowas_in,
            receive_weight: c.weight,
            tunnel: c.tunnel.map(|t| (t, c.span)),
            weight: None,
            fastpath: false,
            default_originate: c.default_originate,
            key: "neighbor".to_string(),
            maker: None,
            span: c.span,
            down: c.down.clone(),
        });
    }
    sides
}

/// Two `.avs` lines of one node naming one session (`connect gw` twice on a circuit,
/// `peer X` twice): Azure has one connection between a circuit and a gateway and one
/// BGP session between two neighbours, and a model that took either line would give a
/// verdict that depends on their order. Error AVS0306 on the second line; the first
/// is kept. (An FRR configuration's neighbors at two addresses of one node — Route
/// Server's instances — are one session by design, not reported here.)
fn duplicate_side(ctx: &mut Ctx, first: &Side, second: &Side) {
    if !(first.user_line && second.user_line)
        || first.key == "neighbor"
        || second.key == "neighbor"
        || first.span == second.span
    {
        return;
    }
    let (Some(a), Some(b)) = (ctx.net.nodes.get(first.from), ctx.net.nodes.get(first.to)) else {
        return;
    };
    let (a, b) = (a.name.clone(), b.name.clone());
    let (earlier, later) = if first.span <= second.span {
        (first.span, second.span)
    } else {
        (second.span, first.span)
    };
    ctx.diags.push(
        Diagnostic::error(
            "AVS0306",
            format!("`{a}` declares its session with `{b}` twice"),
        )
        .primary(later, "a second line for the same session")
        .secondary(earlier, "first declared here")
        .note("Azure has one connection between a circuit and a gateway, and one BGP session between two neighbours; which line's settings (weight, policies, tunnel) apply would depend on the order of the lines")
        .help("keep one line, with the settings the session has (e.g. `connect gw weight 10`)"),
    );
}

pub(crate) fn lower_sessions(ctx: &mut Ctx) {
    let sides = collect_sides(ctx);
    // Pairs in first-declaration order; per direction, the first side wins.
    let mut pair_order: Vec<(NodeId, NodeId)> = Vec::new();
    let mut pairs_seen: std::collections::BTreeSet<(NodeId, NodeId)> = Default::default();
    let mut by_dir: BTreeMap<(NodeId, NodeId), Side> = BTreeMap::new();
    for side in sides {
        if side.from == side.to {
            ctx.diags.push(
                Diagnostic::error(
                    "AVS0302",
                    format!(
                        "`{}` cannot peer with itself",
                        ctx.net.nodes[side.from].name
                    ),
                )
                .primary(side.span, "names its own component"),
            );
            continue;
        }
        let pair = if side.from < side.to {
            (side.from, side.to)
        } else {
            (side.to, side.from)
        };
        if pairs_seen.insert(pair) {
            pair_order.push(pair);
        }
        match by_dir.entry((side.from, side.to)) {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(side);
            }
            std::collections::btree_map::Entry::Occupied(o) => {
                duplicate_side(ctx, o.get(), &side);
            }
        }
    }
    for (a, b) in pair_order {
        let ab = by_dir.get(&(a, b)).cloned();
        let ba = by_dir.get(&(b, a)).cloned();
        match (ab, ba) {
            (Some(x), Some(y)) => {
                // The side declared first names the session.
                let (first, second) = if (!x.user_line, x.span) <= (!y.user_line, y.span) {
                    (x, y)
                } else {
                    (y, x)
                };
                establish(ctx, first, second);
            }
            (Some(lone), None) | (None, Some(lone)) => {
                let to = &ctx.net.nodes[lone.to];
                if lone.user_line && lone.key == "connect" && is_vpn_gateway(ctx, lone.from) {
                    // A VPN gateway's connection to a site that does not peer it:
                    // static routing (LANGUAGE.md §2.4 `vpn_gateway`).
                    establish_static(ctx, lone);
                } else if lone.user_line && to.asn == 0 {
                    // A node without an ASN (Azure Firewall, the internet) speaks no BGP.
                    ctx.diags.push(
                        Diagnostic::error(
                            "AVS0340",
                            format!("`{}` speaks no BGP: it cannot be a peer", to.name),
                        )
                        .primary(lone.span, format!("`{}` has no BGP", to.name))
                        .secondary(to.span, format!("`{}` is {} {}", to.name, crate::sema::resolve::article(&to.kind), to.kind))
                        .help(format!(
                            "reach `{}` with a route whose next hop is its address (a UDR `next_hop`), or remove this line",
                            to.name
                        )),
                    );
                } else if lone.user_line && !lone.implicit {
                    let from = &ctx.net.nodes[lone.from];
                    let to = &ctx.net.nodes[lone.to];
                    // A node whose BGP is an FRR configuration declares sessions
                    // with `neighbor ADDRESS remote-as N` (docs/frr.md).
                    let configured = ctx.design.configs.contains_key(&to.name);
                    let (missing, help) = if configured {
                        (
                            format!(
                                "`{}`'s configuration has no neighbor for `{}`",
                                to.name, from.name
                            ),
                            if from.kind == "er_circuit" {
                                // A circuit is named by its MSEE's address in the
                                // private peering /30 (stdlib `er_circuit`).
                                format!(
                                    "give `{c}` its private peering subnet (`peering_subnet 192.168.100.0/30`: Microsoft's side is the second address, 192.168.100.2) and add `neighbor 192.168.100.2 remote-as {asn}` to `{t}`'s configuration, or remove this line",
                                    c = from.name, asn = from.asn, t = to.name
                                )
                            } else {
                                format!(
                                    "add `neighbor ADDRESS remote-as {}` for `{}` to `{}`'s configuration, or remove this line",
                                    from.asn, from.name, to.name
                                )
                            },
                        )
                    } else {
                        (
                            format!("`{}` has no `{} {}`", to.name, lone.key, from.name),
                            lone_session_help(ctx, &lone),
                        )
                    };
                    ctx.diags.push(
                        Diagnostic::warning(
                            "AVS0300",
                            format!("session `{}`–`{}` is not established", from.name, to.name),
                        )
                        .primary(lone.span, missing)
                        .secondary(to.span, format!("`{}` declared here", to.name))
                        .help(help),
                    );
                }
            }
            (None, None) => {}
        }
    }
    static_off_route_server(ctx);
}

/// `vpn_gateway { static_to_route_server false }`: the prefixes of the gateway's static
/// connections (routes originated by those sites) are not advertised to Route Server:
/// an export policy on the gateway → Route Server edges denies them. The default (true)
/// gives Route Server what the gateway gives its BGP peers (docs/semantics.md §2.10:
/// the documentation is silent on Route Server).
fn static_off_route_server(ctx: &mut Ctx) {
    let gateways: Vec<NodeId> = ctx
        .net
        .nodes
        .ids()
        .filter(|n| is_vpn_gateway(ctx, *n))
        .collect();
    for gw in gateways {
        let line = ctx
            .component(&ctx.net.nodes[gw].name)
            .and_then(|c| c.get("static_to_route_server"));
        let Some(line) = line else { continue };
        if line.first().and_then(|v| v.node.as_bool()) != Some(false) {
            continue;
        }
        let span = line.span;
        let sites: Vec<NodeId> = ctx
            .net
            .sessions
            .values()
            .filter(|s| s.kind == SessionKind::Static && s.a == gw)
            .map(|s| s.b)
            .collect();
        if sites.is_empty() {
            continue;
        }
        let mut rules: Vec<ir::Rule> = sites
            .iter()
            .map(|site| ir::Rule {
                matched: Vec::new(),
                permit: false,
                conditions: vec![ir::Condition::OriginatedBy(*site)],
                actions: Vec::new(),
                span,
            })
            .collect();
        rules.push(ir::Rule {
            matched: Vec::new(),
            permit: true,
            conditions: Vec::new(),
            actions: Vec::new(),
            span,
        });
        let policy = ctx.net.policies.push(ir::Policy {
            name: format!(
                "`{}`: static connections' prefixes stay off Route Server",
                ctx.net.nodes[gw].name
            ),
            span,
            rules,
        });
        let to_route_server: Vec<ir::EdgeId> = ctx
            .net
            .edges
            .iter()
            .filter(|(_, e)| {
                e.from == gw
                    && ctx.net.nodes[e.to]
                        .behaviours
                        .programs
                        .is_some_and(|p| p.how == ir::ProgramAs::Appliance)
            })
            .map(|(id, _)| id)
            .collect();
        for e in to_route_server {
            ctx.net.edges[e].export.push(policy);
        }
    }
}

/// How to complete a one-sided session: the missing line on the other side, when its
/// kind has the key; otherwise what that kind does take sessions from (an `er_gateway`
/// has no `peer` key: it is reached through an `er_circuit`'s `connect`).
fn lone_session_help(ctx: &Ctx, lone: &Side) -> String {
    let from = &ctx.net.nodes[lone.from];
    let to = &ctx.net.nodes[lone.to];
    let Some(kind) = ctx.design.kinds.get(&to.kind) else {
        return format!(
            "add `{} {}` to `{}`, or remove this line",
            lone.key, from.name, to.name
        );
    };
    if kind.key(&lone.key).is_some() {
        return format!(
            "add `{} {}` to `{}`, or remove this line",
            lone.key, from.name, to.name
        );
    }
    let ways: Vec<String> = kind
        .sessions
        .iter()
        .map(|sch| match &sch.target {
            SessionTarget::Key(k) => format!("the nodes its own `{k}` lines name"),
            SessionTarget::Same { kind, key } => {
                format!("`{kind}` components with the same `{key}`")
            }
            SessionTarget::By { kind, key } => {
                format!("`{kind}` components whose `{key}` names it")
            }
        })
        .collect();
    let mut help = format!(
        "remove this line: `{}` (kind `{}`) has no `{}` key",
        to.name, to.kind, lone.key
    );
    if !ways.is_empty() {
        help.push_str(&format!("; it has sessions only with {}", ways.join(", ")));
    }
    help
}

fn establish(ctx: &mut Ctx, x: Side, y: Side) {
    let (a, b) = (x.from, x.to);
    let mut status = SessionStatus::Up;
    // A configuration's side whose bgpd never opens the session (its diagnostic is
    // the configuration's: frr::translate). bgpd still accepts a session the peer
    // opens (FRR 8.4: bgp_accept has no connected check; docs/frr.md), so between
    // two configurations the session is down only when neither side opens it; a
    // peer declared in the `.avs` (Route Server) is taken not to open it (Microsoft's
    // Route Server documentation has the NVA configure `ebgp-multihop`).
    let opens = |s: &Side| s.down.is_none() && s.key == "neighbor";
    let down = match (&x.down, &y.down) {
        (Some(why), _) if !opens(&y) => Some(why),
        (_, Some(why)) if !opens(&x) => Some(why),
        _ => None,
    };
    if let Some(why) = down {
        status = SessionStatus::Down(why.clone());
    }
    for side in [&x, &y] {
        if let Some((expected, span)) = side.expected_asn {
            let peer = &ctx.net.nodes[side.to];
            if peer.asn != expected {
                ctx.diags.push(
                    Diagnostic::error(
                        "AVS0301",
                        format!(
                            "`{}` expects AS{} from `{}`, which is AS{}",
                            ctx.net.nodes[side.from].name, expected, peer.name, peer.asn
                        ),
                    )
                    .primary(span, format!("expects AS{expected}"))
                    .secondary(peer.span, format!("`{}` is AS{}", peer.name, peer.asn))
                    .note("the session is down: BGP refuses an OPEN from an unexpected AS"),
                );
                status = SessionStatus::Down(format!(
                    "`{}` expects AS{}, `{}` is AS{}",
                    ctx.net.nodes[side.from].name, expected, peer.name, peer.asn
                ));
            }
        }
    }
    // Route Server speaks 16-bit ASNs only (AZURE.md: Route Server, route-server-faq.md).
    for (rs, side) in [(a, &x), (b, &y)] {
        let is_route_server = ctx.net.nodes[rs]
            .behaviours
            .programs
            .is_some_and(|p| p.how == ir::ProgramAs::Appliance);
        let peer = &ctx.net.nodes[side.to];
        if is_route_server && peer.asn > u32::from(u16::MAX) {
            let rs_name = &ctx.net.nodes[rs].name;
            ctx.diags.push(
                Diagnostic::error(
                    "AVS0304",
                    format!(
                        "Route Server `{}` cannot peer with `{}`: AS{} is not a 16-bit ASN",
                        rs_name, peer.name, peer.asn
                    ),
                )
                .primary(side.span, "Route Server supports only 16-bit ASNs")
                .secondary(peer.span, format!("`{}` is AS{}", peer.name, peer.asn))
                .note("the session is down (docs/semantics.md §2.1; https://learn.microsoft.com/azure/route-server/route-server-faq)")
                .help("give the NVA a private 16-bit ASN (64512–65514)"),
            );
            status = SessionStatus::Down(format!(
                "Route Server `{}` supports only 16-bit ASNs, `{}` is AS{}",
                rs_name, peer.name, peer.asn
            ));
        }
    }
    let tunnel = x.tunnel.or(y.tunnel);
    if let Some((t, span)) = tunnel {
        let tun = &ctx.net.tunnels[t];
        let joins = (tun.a == a && tun.b == b) || (tun.a == b && tun.b == a);
        if !joins {
            ctx.diags.push(
                Diagnostic::error(
                    "AVS0303",
                    format!(
                        "tunnel `{}` does not join `{}` and `{}`",
                        tun.name, ctx.net.nodes[a].name, ctx.net.nodes[b].name
                    ),
                )
                .primary(span, "this session runs over it")
                .secondary(
                    tun.span,
                    format!(
                        "`{}` joins `{}` and `{}`",
                        tun.name, ctx.net.nodes[tun.a].name, ctx.net.nodes[tun.b].name
                    ),
                ),
            );
            status = SessionStatus::Down(format!("tunnel `{}` does not join its ends", tun.name));
        } else if let Some(why) = &tun.unusable {
            status = SessionStatus::Down(why.clone());
        }
    }
    // A tunnel carries packets only while its outer packets reach the far end without
    // it (AZURE.md, v2 corrections): the sessions over it need an underlay path both
    // ways, and go down with the peerings that path crosses.
    let mut underlay_requires: Vec<ir::ComponentId> = Vec::new();
    if let (Some((t, span)), SessionStatus::Up) = (tunnel, &status) {
        // In the tunnel's `between` order, not the items' declaration order: the
        // finding names the same end however the design's items are ordered.
        let tun = &ctx.net.tunnels[t];
        let (first, second) = if tun.a == b && tun.b == a {
            (b, a)
        } else {
            (a, b)
        };
        for (from, to) in [(first, second), (second, first)] {
            match underlay(&ctx.net, from, to) {
                Underlay::Static(comps) => underlay_requires.extend(comps),
                Underlay::NotChecked => {}
                Underlay::Missing(addr) => {
                    let tun = &ctx.net.tunnels[t];
                    let message = format!(
                        "tunnel `{}` has no underlay path from `{}` to {}",
                        tun.name, ctx.net.nodes[from].name, addr
                    );
                    ctx.diags.push(
                        Diagnostic::warning("AVS0308", message.clone())
                            .primary(tun.span, "the outer packets of this tunnel have no route")
                            .secondary(span, "this session runs over it")
                            .note(
                                "the session is down: a tunnel carries packets only while its \
                                 outer packets reach the far end without using the tunnel itself",
                            )
                            .help(
                                "peer the two VNets (or give the ends another route to each other)",
                            ),
                    );
                    status = SessionStatus::Down(message);
                    break;
                }
            }
        }
    }
    let kind =
        if x.kind == SessionSchemaKind::GlobalReach || y.kind == SessionSchemaKind::GlobalReach {
            SessionKind::GlobalReach
        } else if x.kind == SessionSchemaKind::Internal || y.kind == SessionSchemaKind::Internal {
            SessionKind::Internal
        } else if ctx.net.nodes[a].asn == ctx.net.nodes[b].asn {
            SessionKind::Ibgp
        } else {
            SessionKind::Ebgp
        };
    let vpn_connection =
        kind != SessionKind::Internal && (is_vpn_gateway(ctx, a) || is_vpn_gateway(ctx, b));
    if vpn_connection && status == SessionStatus::Up {
        let (gw, site) = if is_vpn_gateway(ctx, a) {
            (a, b)
        } else {
            (b, a)
        };
        if let Some(why) = vpn_needs_public_ip(ctx, gw, site, x.span) {
            status = SessionStatus::Down(why);
        }
    }
    let (na, nb) = (&ctx.net.nodes[a], &ctx.net.nodes[b]);
    let is_circuit = |n: &ir::Node| ctx.net.components[n.component].kind == ComponentKind::Circuit;
    let (comp_kind, comp_kind_name) = if kind == SessionKind::GlobalReach {
        (ComponentKind::GlobalReach, "global_reach")
    } else if vpn_connection {
        (ComponentKind::Connection, "vpn_gateway")
    } else if (is_circuit(na) && nb.behaviours.gateway_subnet.is_some())
        || (is_circuit(nb) && na.behaviours.gateway_subnet.is_some())
    {
        (ComponentKind::Connection, "connection")
    } else {
        (ComponentKind::Session, "session")
    };
    let name = x
        .maker
        .clone()
        .unwrap_or_else(|| format!("{}–{}", na.name, nb.name));
    let component = ctx.add_component(&name, comp_kind_name, comp_kind, x.span);
    let session = ctx.net.sessions.push(Session {
        a,
        b,
        kind,
        status: status.clone(),
        tunnel: tunnel.map(|(t, _)| t),
        span: x.span,
        other_span: if y.implicit && !y.user_line {
            None
        } else {
            Some(y.span)
        },
        component,
    });
    if status != SessionStatus::Up {
        return;
    }
    for (s, r) in [(&x, &y), (&y, &x)] {
        let mut edge = make_edge(ctx, s, r, session, kind, component, tunnel.map(|(t, _)| t));
        if ctx.net.nodes[edge.to].behaviours.leading_private_strip {
            let export = std::mem::take(&mut edge.export);
            edge.export = export
                .into_iter()
                .map(|p| leading_strip_policy(ctx, p))
                .collect();
        }
        for c in &underlay_requires {
            if !edge.requires.contains(c) {
                edge.requires.push(*c);
            }
        }
        ctx.net.edges.push(edge);
    }
}

/// Whether `n` is a VPN gateway (its kind programs routes as `program_vpn_gateway`).
fn is_vpn_gateway(ctx: &Ctx, n: NodeId) -> bool {
    ctx.net.nodes[n]
        .behaviours
        .programs
        .is_some_and(|p| p.how == ir::ProgramAs::VpnGateway)
}

/// Site-to-site IPsec runs over the internet: a connection from VPN gateway `gw` to a
/// site without `public_ip` cannot come up (AVS0345, a warning). Returns why it is down.
fn vpn_needs_public_ip(ctx: &mut Ctx, gw: NodeId, site: NodeId, span: Span) -> Option<String> {
    let (g, s) = (&ctx.net.nodes[gw], &ctx.net.nodes[site]);
    if s.public_ip.is_some() {
        return None;
    }
    ctx.diags.push(
        Diagnostic::warning(
            "AVS0345",
            format!(
                "VPN connection `{}`–`{}` cannot come up: `{}` has no public address",
                g.name, s.name, s.name
            ),
        )
        .primary(span, "a site-to-site IPsec connection over the internet")
        .secondary(s.span, format!("`{}` has no `public_ip`", s.name))
        .help(format!("add `public_ip <address>` to `{}`", s.name)),
    );
    Some(format!("`{}` has no `public_ip`", s.name))
}

/// A VPN gateway's static connection (`connect SITE` where the site does not `peer`
/// the gateway; LANGUAGE.md §2.4 `vpn_gateway`; docs/semantics.md "VPN gateway: static
/// connections"). `x` is the gateway's `connect` side.
///
/// - The gateway learns the site's originated prefixes (Azure: the local network
///   gateway's address prefixes) over a site → gateway edge of kind
///   [`SessionKind::Static`]: empty AS path, no loop check, filtered to exactly those
///   prefixes. From there they are routes learned from the connection like BGP ones:
///   programmed as VirtualNetworkGateway routes, advertised to the gateway's BGP
///   connections and to Route Server (vpn-gateway-vpn-faq.md: "address prefixes for
///   each local network gateway connected to the VPN gateway").
/// - Nothing flows the other way; the site holds static routes into the tunnel for
///   what the gateway advertises (its VNet and the spokes that use it), and its own
///   `static P next_hop GATEWAY` lines use the tunnel too: all stand only while the
///   connection is up.
/// - The connection is one failure component (`under failures K of vpn_gateway`).
fn establish_static(ctx: &mut Ctx, x: Side) {
    let (gw, site) = (x.from, x.to);
    let mut status = SessionStatus::Up;
    if let Some(why) = vpn_needs_public_ip(ctx, gw, site, x.span) {
        status = SessionStatus::Down(why);
    }
    let name = format!("{}–{}", ctx.net.nodes[gw].name, ctx.net.nodes[site].name);
    let component = ctx.add_component(&name, "vpn_gateway", ComponentKind::Connection, x.span);
    let session = ctx.net.sessions.push(Session {
        a: gw,
        b: site,
        kind: SessionKind::Static,
        status: status.clone(),
        tunnel: None,
        span: x.span,
        other_span: None,
        component,
    });
    if status != SessionStatus::Up {
        return;
    }
    let site_prefixes: Vec<ir::PrefixRange> = ctx.net.nodes[site]
        .originates
        .iter()
        .map(|o| ir::PrefixRange {
            prefix: o.prefix,
            ge: o.prefix.prefix_len(),
            le: o.prefix.prefix_len(),
        })
        .collect();
    let mut rules = Vec::new();
    if !site_prefixes.is_empty() {
        rules.push(ir::Rule {
            matched: Vec::new(),
            permit: true,
            conditions: vec![ir::Condition::Prefix(site_prefixes)],
            actions: Vec::new(),
            span: x.span,
        });
    }
    let policy = ctx.net.policies.push(ir::Policy {
        name: format!(
            "static connection {name}: the prefixes of `{}`",
            ctx.net.nodes[site].name
        ),
        span: x.span,
        rules,
    });
    let (gw_comp, site_comp) = (ctx.net.nodes[gw].component, ctx.net.nodes[site].component);
    ctx.net.edges.push(Edge {
        from: site,
        to: gw,
        session,
        export: vec![policy],
        import: x.import.clone(),
        prepend: Vec::new(),
        loop_check: None,
        allowas_in: 0,
        ibgp: false,
        reset_local_pref: true,
        tunnel: None,
        weight: 0,
        shown_weight: 0,
        max_routes: None,
        fastpath: None,
        requires: vec![component, site_comp, gw_comp],
        // A static connection has no BGP: nothing is generated on it.
        default_originate: None,
        span: x.span,
    });
    let requires = vec![component, gw_comp];
    let azure: Vec<ipnet::Ipv4Net> = ctx.net.nodes[gw]
        .originates
        .iter()
        .map(|o| o.prefix)
        .collect();
    let node = &mut ctx.net.nodes[site];
    for st in node.statics.iter_mut() {
        if st.target == ir::StaticTarget::Node(gw) && st.requires.is_empty() {
            st.requires = requires.clone();
        }
    }
    for prefix in azure {
        if !node.statics.iter().any(|st| st.prefix == prefix) {
            node.statics.push(ir::StaticRoute {
                prefix,
                target: ir::StaticTarget::Node(gw),
                span: x.span,
                requires: requires.clone(),
            });
        }
    }
}

/// Whether the outer packets of a tunnel from `from` reach `to`'s address without the
/// tunnel.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Underlay {
    /// By the VNet fabric's own routes (VnetLocal, or VNetPeering: the peerings it
    /// needs are listed).
    Static(Vec<ir::ComponentId>),
    /// Not decided here: an end outside a VNet's fabric, or a UDR towards an appliance
    /// (whose forwarding is not followed): the session stays up, as before v2.
    NotChecked,
    /// No route: the session over the tunnel never comes up.
    Missing(std::net::Ipv4Addr),
}

/// The underlay of a tunnel between two NVAs: the longest-prefix match for the far
/// end's address among the near end's subnet's user-defined routes and system routes
/// (its VNet and peered VNets; a UDR wins on an equal prefix). BGP-programmed routes
/// play no part: Azure never programs one equal to or inside a VNet's or a peered
/// VNet's space, and a route learned over the tunnel itself cannot carry it.
fn underlay(net: &ir::Network, from: NodeId, to: NodeId) -> Underlay {
    let (Some(s), Some(addr)) = (
        net.nodes[from].behaviours.fabric_subnet,
        net.nodes[to].address,
    ) else {
        return Underlay::NotChecked;
    };
    if net.nodes[to].behaviours.fabric_subnet.is_none() {
        return Underlay::NotChecked;
    }
    let subnet = &net.subnets[s];
    let vnet = &net.vnets[subnet.vnet];
    // (prefix length, user route?, outcome)
    let mut best: Option<(u8, bool, Underlay)> = None;
    let mut consider = |len: u8, user: bool, u: Underlay| {
        let better = match &best {
            None => true,
            Some((l, bu, _)) => len > *l || (len == *l && user && !*bu),
        };
        if better {
            best = Some((len, user, u));
        }
    };
    for p in vnet.address.iter().filter(|p| p.contains(&addr)) {
        consider(p.prefix_len(), false, Underlay::Static(Vec::new()));
    }
    for peering in &vnet.peerings {
        for p in net.vnets[peering.vnet]
            .address
            .iter()
            .filter(|p| p.contains(&addr))
        {
            consider(
                p.prefix_len(),
                false,
                Underlay::Static(vec![peering.component]),
            );
        }
    }
    for u in subnet.udrs.iter().filter(|u| u.prefix.contains(&addr)) {
        let outcome = match u.next_hop {
            ir::UdrNextHop::Appliance(_) => Underlay::NotChecked,
            ir::UdrNextHop::VnetLocal if vnet.address.iter().any(|p| p.contains(&addr)) => {
                Underlay::Static(Vec::new())
            }
            ir::UdrNextHop::VnetLocal | ir::UdrNextHop::None | ir::UdrNextHop::Internet => {
                Underlay::Missing(addr)
            }
        };
        consider(u.prefix.prefix_len(), true, outcome);
    }
    best.map(|(_, _, u)| u).unwrap_or(Underlay::Missing(addr))
}

/// The directed edge `s.from → s.to`: `s` is the sender's side, `r` the receiver's.
fn make_edge(
    ctx: &Ctx,
    s: &Side,
    r: &Side,
    session: ir::SessionId,
    kind: SessionKind,
    component: ir::ComponentId,
    tunnel: Option<TunnelId>,
) -> Edge {
    let (u, v) = (&ctx.net.nodes[s.from], &ctx.net.nodes[s.to]);
    let prepend = match kind {
        SessionKind::Ebgp => vec![u.asn],
        SessionKind::GlobalReach => vec![u.asn, v.asn],
        SessionKind::Ibgp | SessionKind::Internal | SessionKind::Static => Vec::new(),
    };
    let loop_check = match kind {
        SessionKind::Ebgp | SessionKind::Ibgp => Some(v.asn),
        SessionKind::Internal | SessionKind::GlobalReach | SessionKind::Static => None,
    };
    let mut import = r.import.clone();
    let mut loop_check = loop_check;
    if let Some(p) = remote_vnet_import(ctx, s) {
        // The gateway's own ASN is in every other VNet's path: its policy, not loop
        // prevention, decides what it accepts.
        loop_check = None;
        import.push(p);
    }
    let mut requires = vec![component, u.component, v.component];
    if let Some(t) = tunnel {
        requires.push(ctx.net.tunnels[t].component);
    }
    Edge {
        from: s.from,
        to: s.to,
        session,
        export: s.export.clone(),
        import,
        prepend,
        loop_check,
        allowas_in: r.allowas_in,
        ibgp: kind == SessionKind::Ibgp,
        reset_local_pref: matches!(
            kind,
            SessionKind::Ebgp | SessionKind::GlobalReach | SessionKind::Static
        ),
        tunnel,
        weight: r
            .receive_weight
            .unwrap_or_else(|| receive_weight(ctx, s, kind)),
        shown_weight: r.receive_weight.unwrap_or(s.weight.unwrap_or(0)),
        max_routes: route_limit(ctx, s, r, kind),
        fastpath: fastpath(ctx, s, r),
        requires,
        default_originate: s.default_originate,
        span: s.span,
    }
}

/// `p`, or where it removes private ASNs, its copy that removes only the leading ones
/// (one copy per policy, same name and span): the export policy towards a node with
/// `behaviour leading_private_strip` (AVS: "doesn't strip any private ASNs that exist
/// in the path after the public ASN", AZURE.md v2 corrections,
/// azure-vmware/architecture-network-design-considerations.md).
fn leading_strip_policy(ctx: &mut Ctx, p: PolicyId) -> PolicyId {
    let Some(orig) = ctx.net.policies.get(p) else {
        return p;
    };
    let strips = |a: &ir::Action| matches!(a, ir::Action::RemovePrivateAs);
    if !orig.rules.iter().any(|r| r.actions.iter().any(strips)) {
        return p;
    }
    let mut copy = orig.clone();
    for r in &mut copy.rules {
        for a in &mut r.actions {
            if strips(a) {
                *a = ir::Action::RemoveLeadingPrivateAs;
            }
        }
    }
    let existing = ctx.net.policies.iter().find(|(_, q)| {
        q.name == copy.name && q.span == copy.span && q.rules.len() == copy.rules.len() && {
            q.rules
                .iter()
                .zip(&copy.rules)
                .all(|(x, y)| x.actions == y.actions && x.span == y.span)
        }
    });
    match existing {
        Some((id, _)) => id,
        None => ctx.net.policies.push(copy),
    }
}

/// The stdlib policy that lets a gateway accept other VNets' prefixes.
const REMOTE_VNET_POLICY: &str = "gateway_from_remote_vnet";

/// `er_gateway { allow_remote_vnet_traffic true }` ("Allow traffic from remote virtual
/// networks", off by default on new gateways; AZURE.md, v2 corrections:
/// expressroute-howto-add-gateway-portal-resource-manager.md): on a circuit → gateway
/// edge, the import policy that accepts prefixes other gateways advertised from their
/// VNets' address space (tagged by `gateway_to_circuit`) in place of loop prevention on
/// 65515, which would drop them. Other paths through another 65515 (Route Server and
/// NVA routes) are still refused: NVA routes never reach a second Route Server through
/// the MSEEs (route-server-faq.md).
fn remote_vnet_import(ctx: &Ctx, s: &Side) -> Option<ir::PolicyId> {
    let from_circuit =
        ctx.net.components[ctx.net.nodes[s.from].component].kind == ComponentKind::Circuit;
    if !from_circuit {
        return None;
    }
    let allows = ctx
        .component(&ctx.net.nodes[s.to].name)?
        .get("allow_remote_vnet_traffic")?
        .first()?
        .node
        .as_bool()?;
    if !allows {
        return None;
    }
    ctx.policy_ids.get(REMOTE_VNET_POLICY).copied()
}

/// FastPath on a gateway → circuit edge: the circuit's `connect` line (`r`, the
/// receiving circuit's side) says `fastpath`; `type direct` keeps GatewaySubnet UDRs.
fn fastpath(ctx: &Ctx, s: &Side, r: &Side) -> Option<ir::FastPath> {
    if !r.fastpath {
        return None;
    }
    let gs = ctx.net.nodes[s.from].behaviours.gateway_subnet?;
    let circuit = ctx.component(&ctx.net.nodes[s.to].name)?;
    let direct = circuit
        .get("type")
        .and_then(|l| l.first())
        .and_then(|v| v.node.as_word())
        == Some("direct");
    Some(ir::FastPath {
        vnet: ctx.net.subnets[gs].vnet,
        gateway_subnet: gs,
        direct,
    })
}

/// The weight a route gets when it arrives over `s.from → s.to` (decision step 1).
///
/// An ExpressRoute gateway uses it for two Azure settings: the connection weight of
/// the circuit's `connect` line, and the hub routing preference between a route from a
/// circuit and the same prefix from Route Server (AZURE.md: "Azure programs the ER
/// route" by default). ExpressRoute preference: a circuit's routes get `1 + weight`, so
/// they beat Route Server's (0); VPN/NVA preference: Route Server's routes get 32001,
/// above any connection weight (≤ 32000) but below a local origination (32768);
/// AS-path preference: connection weights only, so the AS path decides between ER and
/// NVA routes.
///
/// The VPN/NVA bonus is for the ExpressRoute gateway alone: there Route Server's routes
/// are the VPN and NVA routes the preference favours. A VPN gateway's routes from Route
/// Server include the ExpressRoute gateway's, and its own connections' routes are the
/// VPN routes themselves ("VPN/NVA: prefer routes learned through VPN/NVA connections
/// over routes learned through ExpressRoute", route-server/hub-routing-preference.md), so
/// it gives Route Server's routes no bonus and the AS path decides; a bonus there would
/// let an ExpressRoute route pushed back through Route Server displace the VPN
/// gateway's own route, a second stable state Azure's preference rules out.
fn receive_weight(ctx: &Ctx, s: &Side, kind: SessionKind) -> u32 {
    let connection = s.weight.unwrap_or(0);
    let to = &ctx.net.nodes[s.to];
    let Some(gs) = to.behaviours.gateway_subnet else {
        return connection;
    };
    let pref = ctx.net.vnets[ctx.net.subnets[gs].vnet].routing_preference;
    let from_circuit =
        ctx.net.components[ctx.net.nodes[s.from].component].kind == ComponentKind::Circuit;
    let er_gateway = to
        .behaviours
        .programs
        .as_ref()
        .is_some_and(|p| p.how == ir::ProgramAs::Gateway);
    match (pref, from_circuit) {
        (ir::RoutingPreference::ExpressRoute, true) => 1 + connection,
        (ir::RoutingPreference::VpnNva, false) if kind == SessionKind::Internal && er_gateway => {
            32_001
        }
        _ => connection,
    }
}

/// Receive limits: Route Server's `max_routes_per_peer` on routes from its peers;
/// ExpressRoute private peering: customer → MSEE 4,000 (standard) / 10,000 (premium),
/// MSEE → customer 1,000 (AZURE.md: limits).
fn route_limit(ctx: &Ctx, s: &Side, r: &Side, kind: SessionKind) -> Option<RouteLimit> {
    if kind == SessionKind::Internal || kind == SessionKind::GlobalReach {
        return None;
    }
    let design = ctx.design;
    let receiver = ctx.component(&ctx.net.nodes[s.to].name)?;
    if let Some(line) = receiver.get("max_routes_per_peer") {
        if let Some(max) = line
            .first()
            .and_then(|v| v.node.as_int())
            .and_then(|n| u32::try_from(n).ok())
        {
            return Some(RouteLimit {
                max,
                span: line.span,
            });
        }
    }
    let is_msee = |name: &str| {
        ctx.component(name)
            .and_then(|c| design.kinds.get(&c.kind))
            .map(|k| k.has_behaviour("msee"))
            .unwrap_or(false)
    };
    // The customer edge is the session an MSEE makes through its `peer` key.
    if is_msee(&ctx.net.nodes[s.to].name) && r.key == "peer" {
        let sku = receiver.get("sku");
        let premium = sku.and_then(|l| l.first()).and_then(|v| v.node.as_word()) == Some("premium");
        let span = sku
            .filter(|l| !l.defaulted)
            .map(|l| l.span)
            .unwrap_or(r.span);
        return Some(RouteLimit {
            max: if premium { 10_000 } else { 4_000 },
            span,
        });
    }
    // What Azure advertises from VNet space (and Route Server routes, with
    // branch-to-branch) towards a circuit: 1,000 prefixes, on the gateway → circuit
    // direction of a connection (AZURE.md, v2 corrections: not on every MSEE →
    // customer session, and not on routes that crossed Global Reach).
    if is_msee(&ctx.net.nodes[s.to].name)
        && r.key == "connect"
        && ctx.net.nodes[s.from].behaviours.gateway_subnet.is_some()
    {
        return Some(RouteLimit {
            max: 1_000,
            span: r.span,
        });
    }
    None
}
