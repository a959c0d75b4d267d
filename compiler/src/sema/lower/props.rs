//! Checks and their property lines → `ir::Check`.

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Assumption, Endpoint, PropertyKind};
use crate::syntax::ast::{self, CheckLine, EndpointValue};

fn endpoint(ctx: &Ctx, e: &ast::Endpoint) -> Option<Endpoint> {
    Some(match &e.node {
        EndpointValue::Prefix(p) => Endpoint::Prefix(*p),
        EndpointValue::Address(a) => Endpoint::Address(*a),
        EndpointValue::Name(n) if n == "internet" => Endpoint::Internet,
        EndpointValue::Name(n) => {
            if let Some(id) = ctx.node_ids.get(n) {
                Endpoint::Node(*id)
            } else if let Some(id) = ctx.subnet_ids.get(n) {
                Endpoint::Subnet(*id)
            } else {
                Endpoint::Vnet(*ctx.vnet_ids.get(n)?)
            }
        }
    })
}

/// A component's name, else a kind: its IR components (a component name wins over a
/// kind of the same name, as in the resolver).
fn named_or_kind<'c>(ctx: &'c Ctx, word: &str) -> &'c [ir::ComponentId] {
    ctx.named_components
        .get(word)
        .or_else(|| ctx.kind_components.get(word))
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// `under failures K of W...`: the failable components the words name, sorted. A
/// component's name names what of it can fail (a circuit; a load balancer backend by
/// its node's name); a kind names every failable component of that kind (`vpn_gateway`:
/// its connections, registered under the kind). Words that name nothing failable add
/// nothing (the resolver has reported them).
fn scope(ctx: &Ctx, of: &[ast::Ident]) -> Vec<ir::ComponentId> {
    let mut out: Vec<ir::ComponentId> = of
        .iter()
        .flat_map(|w| named_or_kind(ctx, &w.node).iter().copied())
        .filter(|id| ctx.net.components[*id].kind.can_fail())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `without peering A B` (either order): the established peering's component.
fn peering(ctx: &Ctx, a: &str, b: &str) -> Option<ir::ComponentId> {
    let key = if a <= b { (a, b) } else { (b, a) };
    ctx.peerings
        .get(&(key.0.to_string(), key.1.to_string()))
        .copied()
}

fn node(ctx: &Ctx, i: &ast::Ident) -> Option<ir::NodeId> {
    ctx.node_ids.get(&i.node).copied()
}

pub(crate) fn lower_checks(ctx: &mut Ctx) {
    let design = ctx.design;
    for c in &design.checks {
        let assumptions: Vec<Assumption> = c
            .lines
            .iter()
            .filter_map(|l| match l {
                CheckLine::Assume(a) => Some(Assumption {
                    node: node(ctx, &a.node)?,
                    within: a.within.node,
                    le: a.le.map(|l| l.node).unwrap_or(32),
                    span: a.span,
                }),
                CheckLine::Property(_) => None,
            })
            .collect();
        let mut properties = Vec::new();
        for line in &c.lines {
            let CheckLine::Property(p) = line else {
                continue;
            };
            let Some(kinds) = property_kinds(ctx, &p.kind) else {
                continue;
            };
            let mut failures = 0;
            let mut failure_scope = None;
            let mut without = Vec::new();
            for m in &p.modifiers {
                match &m.node {
                    ast::ModifierKind::Failures { count, of } => {
                        failures = count.node;
                        if !of.is_empty() {
                            failure_scope = Some(scope(ctx, of));
                        }
                    }
                    ast::ModifierKind::Without(x) => {
                        without.extend(named_or_kind(ctx, &x.node).iter().copied());
                    }
                    ast::ModifierKind::WithoutPeering(a, b) => {
                        without.extend(peering(ctx, &a.node, &b.node));
                    }
                }
            }
            without.sort();
            without.dedup();
            for kind in kinds {
                properties.push(ir::Property {
                    kind,
                    span: p.span,
                    failures,
                    failure_scope: failure_scope.clone(),
                    without: without.clone(),
                    assumptions: assumptions.clone(),
                });
            }
        }
        vacuous_lines(ctx, c);
        ctx.net.checks.push(ir::Check {
            title: c.title.node.clone(),
            span: c.span,
            properties,
        });
    }
}

/// Lines that hold whatever the design does (AVS0215, AVS0216): a check without a
/// property line, and `never X installs P` where X has no BGP session at all or `via M`
/// names a node X has no session with — no route of X can then come via M, so the
/// line proves nothing (most often a wrong name).
fn vacuous_lines(ctx: &mut Ctx, c: &ast::CheckDef) {
    if !c.lines.iter().any(|l| matches!(l, CheckLine::Property(_))) {
        ctx.diags.push(
            Diagnostic::warning(
                "AVS0215",
                format!("check `{}` has no property line", c.title.node),
            )
            .primary(c.title.span, "this check holds whatever the design does")
            .help("add a property (`reachable A -> B`, `never N installs P`, `loop_free`, ...), or remove the check"),
        );
    }
    let sessions_between = |a: ir::NodeId, b: Option<ir::NodeId>| {
        ctx.net.sessions.iter().any(|(_, s)| {
            (s.a == a && b.is_none_or(|b| s.b == b)) || (s.b == a && b.is_none_or(|b| s.a == b))
        })
    };
    let mut found = Vec::new();
    for line in &c.lines {
        let CheckLine::Property(p) = line else {
            continue;
        };
        let ast::PropertyKind::Never { node: n, via, .. } = &p.kind else {
            continue;
        };
        let Some(x) = node(ctx, n) else { continue };
        let xname = &ctx.net.nodes[x].name;
        if !sessions_between(x, None) {
            found.push(
                Diagnostic::warning(
                    "AVS0216",
                    format!("`{xname}` has no BGP session: it installs no route"),
                )
                .primary(n.span, format!("`{xname}` learns no route from anyone"))
                .help(
                    "`never` is about a BGP speaker's installed routes; name one that has sessions",
                ),
            );
            continue;
        }
        let Some(v) = via else { continue };
        let Some(m) = node(ctx, v) else { continue };
        if !sessions_between(x, Some(m)) {
            let mname = &ctx.net.nodes[m].name;
            found.push(
                Diagnostic::warning(
                    "AVS0216",
                    format!("`{xname}` has no BGP session with `{mname}`"),
                )
                .primary(v.span, format!("no route of `{xname}` can come via `{mname}`, so this line holds whatever the design does"))
                .help(format!("`via` names the neighbour `{xname}` learned the route from (a node it has a session with)")),
            );
        }
    }
    ctx.diags.extend(found);
}

/// One property line → its IR properties (`reachable A <-> B` is two: A → B and B → A).
fn property_kinds(ctx: &Ctx, k: &ast::PropertyKind) -> Option<Vec<PropertyKind>> {
    if let ast::PropertyKind::Reachable {
        from,
        direction,
        to,
    } = k
    {
        let (f, t) = (endpoint(ctx, from)?, endpoint(ctx, to)?);
        let mut out = vec![PropertyKind::Reachable { from: f, to: t }];
        if direction.node == ast::Direction::Both {
            out.push(PropertyKind::Reachable { from: t, to: f });
        }
        return Some(out);
    }
    Some(vec![match k {
        ast::PropertyKind::Never {
            node: n,
            prefix,
            via,
            originated_by,
        } => PropertyKind::Never {
            node: node(ctx, n)?,
            prefix: prefix.node,
            via: match via {
                Some(v) => Some(node(ctx, v)?),
                None => None,
            },
            originated_by: match originated_by {
                Some(o) => Some(node(ctx, o)?),
                None => None,
            },
        },
        ast::PropertyKind::Reachable { .. } => return None,
        ast::PropertyKind::LoopFree => PropertyKind::LoopFree,
        ast::PropertyKind::Traverses { from, to, waypoint } => PropertyKind::Traverses {
            from: endpoint(ctx, from)?,
            to: endpoint(ctx, to)?,
            waypoint: node(ctx, waypoint)?,
        },
        ast::PropertyKind::Avoids { from, to, waypoint } => PropertyKind::Avoids {
            from: endpoint(ctx, from)?,
            to: endpoint(ctx, to)?,
            waypoint: node(ctx, waypoint)?,
        },
        ast::PropertyKind::Symmetric { a, b } => PropertyKind::Symmetric {
            a: endpoint(ctx, a)?,
            b: endpoint(ctx, b)?,
        },
        ast::PropertyKind::RouteLimit { node: n, max } => PropertyKind::RouteLimit {
            node: node(ctx, n)?,
            max: max.node,
        },
    }])
}
