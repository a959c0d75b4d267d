//! From a z3 model to a counterexample in the user's terms: the failed components,
//! the environment's announcements, the offending forwarding paths (evaluated
//! concretely on the model's forwarding graph), and the routes behind them with their
//! AS paths (replayed concretely along the chain of `learned_from` edges) and spans
//! for the lines responsible.

use super::dataplane::{Graph, Term, Vertex};
use super::encode::{CandSource, Encoder, PrefixPlane};
use super::{Announcement, CexLabel, CexPath, CexRoute};
use crate::ir::{EdgeId, Network, NodeId};
use crate::sim::bgp::{condition_holds, export, Route};
use crate::sim::Owner;
use crate::span::Span;
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use z3::ast::{Bool, Int};
use z3::Model;

/// At most this many paths are enumerated per graph.
const MAX_PATHS: usize = 64;

pub fn eval_bool(m: &Model, b: &Bool) -> bool {
    m.eval(b, true).and_then(|v| v.as_bool()).unwrap_or(false)
}

pub fn eval_int(m: &Model, i: &Int) -> i64 {
    m.eval(i, true).and_then(|v| v.as_i64()).unwrap_or(0)
}

/// How a concrete path ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Term(Term),
    Loop,
}

/// A path through the model's forwarding graph (vertex indices).
#[derive(Clone, Debug)]
pub struct ConcretePath {
    pub vertices: Vec<usize>,
    pub end: End,
}

impl ConcretePath {
    pub fn nodes<'g>(&'g self, g: &'g Graph) -> impl Iterator<Item = NodeId> + 'g {
        self.vertices.iter().filter_map(|v| g.node_of(*v))
    }
    pub fn visits(&self, g: &Graph, n: NodeId) -> bool {
        self.nodes(g).any(|x| x == n)
    }
    pub fn delivered_to(&self) -> Option<Owner> {
        match self.end {
            End::Term(Term::Delivered(o)) => Some(o),
            _ => None,
        }
    }
    /// Ends in a forwarding loop (a repeated state, or endless encapsulation).
    pub fn loops(&self) -> bool {
        matches!(self.end, End::Loop | End::Term(Term::Recursion))
    }
    pub fn unsupported(&self) -> bool {
        self.end == End::Term(Term::Unsupported)
    }
}

/// Every path of the graph in the model, in a deterministic order.
pub fn concrete_paths(g: &Graph, m: &Model) -> Vec<ConcretePath> {
    let mut succ: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for ((f, t), guard) in &g.edges {
        if eval_bool(m, guard) {
            succ.entry(*f).or_default().push(*t);
        }
    }
    let mut out = Vec::new();
    let starts: Vec<usize> = g
        .sources
        .iter()
        .filter(|(_, guard)| eval_bool(m, guard))
        .map(|(v, _)| *v)
        .collect();
    for s in starts {
        let mut stack: Vec<Vec<usize>> = vec![vec![s]];
        while let Some(path) = stack.pop() {
            if out.len() >= MAX_PATHS {
                return out;
            }
            let Some(&last) = path.last() else { continue };
            if let Some(Vertex::Term(t)) = g.vertices.get(last) {
                out.push(ConcretePath {
                    vertices: path,
                    end: End::Term(*t),
                });
                continue;
            }
            let next = succ.get(&last).cloned().unwrap_or_default();
            if next.is_empty() {
                // No decision in the model: cannot happen for a well-formed graph.
                out.push(ConcretePath {
                    vertices: path,
                    end: End::Term(Term::Dropped(crate::sim::Why::NoRoute)),
                });
                continue;
            }
            for t in next.into_iter().rev() {
                let mut p = path.clone();
                let repeat = p.contains(&t);
                p.push(t);
                if repeat {
                    out.push(ConcretePath {
                        vertices: p,
                        end: End::Loop,
                    });
                } else {
                    stack.push(p);
                }
            }
        }
    }
    out
}

pub fn node_name(net: &Network, n: NodeId) -> String {
    net.nodes.get(n).map(|x| x.name.clone()).unwrap_or_default()
}

/// A concrete path in the report's terms.
/// Why a concrete path ends undelivered (dropped: the reason; no route), as the
/// simulator's `trace` says it; `None` for delivered paths and loops.
pub fn end_reason(end: End) -> Option<crate::sim::Why> {
    match end {
        End::Term(Term::Dropped(w)) => Some(w),
        End::Term(Term::NoRoute) => Some(crate::sim::Why::NoRoute),
        _ => None,
    }
}

pub fn cex_path(net: &Network, g: &Graph, p: &ConcretePath, from: &str, to: Ipv4Addr) -> CexPath {
    let disposition = match p.end {
        End::Loop | End::Term(Term::Recursion) => "loop",
        End::Term(Term::Delivered(_)) => "delivered",
        End::Term(Term::Dropped(_)) | End::Term(Term::Unsupported) => "dropped",
        End::Term(Term::NoRoute) => "no_route",
    };
    let mut hops: Vec<String> = p.nodes(g).map(|n| node_name(net, n)).collect();
    if let End::Term(Term::Delivered(Owner::Subnet(s))) = p.end {
        if let Some(sub) = net.subnets.get(s) {
            hops.push(sub.name.clone());
        }
    }
    CexPath {
        from: from.to_string(),
        to: to.to_string(),
        disposition: disposition.to_string(),
        hops,
    }
}

/// Failed components and environment announcements of a model, with labels.
pub fn scenario(enc: &Encoder<'_>, m: &Model) -> (Vec<String>, Vec<Announcement>, Vec<CexLabel>) {
    let net = enc.net;
    let mut failed = Vec::new();
    let mut labels = Vec::new();
    for (idx, var) in &enc.scen.free {
        if eval_bool(m, var) {
            if let Some(c) = net.components.values().nth(*idx) {
                failed.push(c.name.clone());
                labels.push(CexLabel {
                    span: c.span,
                    message: format!("`{}` fails in this counterexample", c.name),
                });
            }
        }
    }
    let mut env = Vec::new();
    for e in &enc.env {
        if eval_bool(m, &e.var) {
            env.push(Announcement {
                node: node_name(net, e.node),
                prefix: e.prefix.to_string(),
            });
        }
    }
    env.sort();
    env.dedup();
    (failed, env, labels)
}

/// Why a model cannot be confirmed as a counterexample because of route limits, if
/// it cannot. The encoding lets the environment drop a limited session it could
/// flood (an over-approximation); a model that does is confirmed by replaying it in
/// the simulator: the model's announcements plus, per dropped session, limit + 1
/// prefixes of the environment that pass over it (so the simulator drops it too),
/// with the model's failures. The property must fail there; the dropped sessions are
/// then left in `enc.drops` for the counterexample. A model without drops whose own
/// announcements and the design's prefixes already exceed a limit they reach is not
/// confirmed either (the session would drop, which the model does not show).
pub fn route_limit_doubt(
    enc: &mut Encoder<'_>,
    m: &Model,
    prop: &crate::ir::Property,
) -> Option<String> {
    let net = enc.net;
    enc.drops.clear();
    let session_name = |e: crate::ir::EdgeId| {
        net.edges
            .get(e)
            .map(|x| format!("`{}` → `{}`", node_name(net, x.from), node_name(net, x.to)))
            .unwrap_or_default()
    };
    let announced: BTreeSet<(NodeId, ipnet::Ipv4Net)> = enc
        .env
        .iter()
        .filter(|e| eval_bool(m, &e.var))
        .map(|e| (e.node, e.prefix))
        .collect();
    let design = enc.net.originated_prefixes();
    let flooded: Vec<(crate::ir::SessionId, Vec<(crate::ir::EdgeId, u32)>)> = enc
        .scen
        .flood
        .iter()
        .filter(|f| eval_bool(m, &f.var))
        .map(|f| (f.session, f.edges.clone()))
        .collect();
    let session_of = |s: crate::ir::SessionId| {
        net.sessions
            .get(s)
            .map(|x| format!("`{}`–`{}`", node_name(net, x.a), node_name(net, x.b)))
            .unwrap_or_default()
    };
    if flooded.is_empty() {
        if announced.is_empty() {
            return None;
        }
        let mut all = design.clone();
        all.extend(announced.iter().map(|(_, p)| *p));
        let reach = enc.env_reach();
        for (eid, e) in net.edges.iter() {
            if let Some(l) = e.max_routes {
                if reach.contains(&e.from) && all.len() as u64 > u64::from(l.max) {
                    return Some(format!(
                        "a counterexample announces {} prefixes, more than the limit of {} over {}; route limits are not verified",
                        all.len(),
                        l.max,
                        session_name(eid)
                    ));
                }
            }
        }
        return None;
    }
    let mut extra: Vec<(NodeId, ipnet::Ipv4Net, crate::span::Span)> = announced
        .iter()
        .map(|(n, p)| {
            let span = enc
                .assumptions()
                .iter()
                .find(|a| a.node == *n)
                .map(|a| a.span)
                .unwrap_or(prop.span);
            (*n, *p, span)
        })
        .collect();
    let mut drops = Vec::new();
    let mut sessions = Vec::new();
    for (session, edges) in &flooded {
        // The announcements: limit + 1 prefixes that leave an assumption's node over
        // the limited edge itself, or (further away) over any of its sessions.
        let mut chosen = None;
        for (e, limit) in edges {
            let Some(edge) = net.edges.get(*e) else {
                continue;
            };
            let need = *limit as usize + 1;
            for a in enc.assumptions() {
                let outs: Vec<crate::ir::EdgeId> = if a.node == edge.from {
                    vec![*e]
                } else {
                    net.out_edges(a.node).map(|(id, _)| id).collect()
                };
                let mut qs: BTreeSet<ipnet::Ipv4Net> = BTreeSet::new();
                for o in outs {
                    if qs.len() >= need {
                        break;
                    }
                    qs.extend(super::environment::passing_prefixes(
                        net,
                        a,
                        o,
                        &design,
                        need - qs.len(),
                    ));
                }
                if qs.len() >= need {
                    chosen = Some((*a, *e, *limit, qs));
                    break;
                }
            }
            if chosen.is_some() {
                break;
            }
        }
        let Some((a, e, limit, qs)) = chosen else {
            enc.doubted = flooded.iter().map(|(s, _)| *s).collect();
            return Some(format!(
                "a counterexample needs the environment to push the session {} over its route limit, and it cannot announce that many prefixes (route limits are not verified)",
                session_of(*session)
            ));
        };
        let (from, to) = net
            .edges
            .get(e)
            .map(|x| (x.from, x.to))
            .unwrap_or((a.node, a.node));
        drops.push(super::DroppedSession {
            node: node_name(net, a.node),
            session: [node_name(net, from), node_name(net, to)],
            limit,
            announced: qs.len(),
            within: a.within.to_string(),
            prefixes: qs.iter().map(|q| q.to_string()).collect(),
            spans: (
                a.span,
                net.edges
                    .get(e)
                    .and_then(|x| x.max_routes)
                    .map(|l| l.span)
                    .unwrap_or(a.span),
            ),
        });
        sessions.push(*session);
        extra.extend(qs.into_iter().map(|q| (a.node, q, a.span)));
    }
    // Replay concretely.
    let concrete = net.with_originations(extra);
    let mut down: BTreeSet<crate::ir::ComponentId> = prop.without.iter().copied().collect();
    for (idx, var) in &enc.scen.free {
        if eval_bool(m, var) {
            down.insert(<crate::ir::ComponentId as crate::ir::Id>::from_index(*idx));
        }
    }
    let sc = crate::sim::Scenario::new(down);
    let mut plain = prop.clone();
    plain.assumptions.clear();
    plain.failures = 0;
    let confirmed = crate::sim::bgp::stable_state(&concrete, &sc).is_ok_and(|state| {
        sessions.iter().all(|s| state.session_dropped(*s))
            && matches!(
                crate::sim::evaluate_at(&concrete, net, &state, &sc, &plain),
                crate::sim::PropertyOutcome::Violated(_)
            )
    });
    if !confirmed {
        enc.doubted = sessions.clone();
        let names: Vec<String> = sessions.iter().map(|s| session_of(*s)).collect();
        return Some(format!(
            "a counterexample needs the environment to push the session {} over its route limit; replayed with that many announcements, the simulator does not confirm it (route limits are not verified)",
            names.join(", ")
        ));
    }
    drops.sort_by(|a, b| (&a.node, &a.session).cmp(&(&b.node, &b.session)));
    enc.drops = drops;
    None
}

/// The chain of edges (origin first) behind the route `source` at `node`, and its
/// origin node.
fn chain(
    plane: &PrefixPlane,
    m: &Model,
    node: NodeId,
    source: CandSource,
    net: &Network,
) -> (Vec<EdgeId>, NodeId) {
    let mut edges = Vec::new();
    let mut seen = BTreeSet::new();
    let mut cur = node;
    let mut src = source;
    while let CandSource::Edge(e) = src {
        if !seen.insert(e) {
            break;
        }
        edges.push(e);
        let Some(edge) = net.edges.get(e) else { break };
        cur = edge.from;
        if edge.originates_default(plane.prefix) {
            // The sender generated it (`default-originate`): the chain starts here.
            break;
        }
        let Some(rib) = plane.rib(cur) else { break };
        let sel = eval_int(m, &rib.sel);
        match usize::try_from(sel).ok().and_then(|i| rib.cands.get(i)) {
            Some(c) => src = c.source,
            None => break,
        }
    }
    edges.reverse();
    (edges, cur)
}

/// A route of the model, with the labels that explain it.
pub fn explain_route(
    enc: &Encoder<'_>,
    plane: &PrefixPlane,
    m: &Model,
    node: NodeId,
    source: CandSource,
) -> (CexRoute, Vec<CexLabel>) {
    let net = enc.net;
    let prefix = plane.prefix;
    let (edges, origin) = chain(plane, m, node, source, net);
    let mut labels = Vec::new();
    let generated = edges
        .first()
        .and_then(|e| net.edges.get(*e))
        .filter(|e| e.originates_default(prefix))
        .and_then(|e| e.default_originate.map(|s| (s, e.to)));
    if let (Some((span, to)), Some(o)) = (generated, net.nodes.get(origin)) {
        labels.push(CexLabel {
            span,
            message: format!(
                "`{}` sends `{prefix}` to `{}` here, whatever its RIB holds",
                o.name,
                node_name(net, to)
            ),
        });
    } else if let Some(o) = net.nodes.get(origin) {
        match o.originates.iter().find(|x| x.prefix == prefix) {
            Some(orig) => labels.push(CexLabel {
                span: orig.span,
                message: format!("`{}` originates `{prefix}` here", o.name),
            }),
            None => {
                for e in enc
                    .env
                    .iter()
                    .filter(|e| e.node == origin && e.prefix == prefix)
                {
                    if let Some(a) = enc.assumption(e.assumption) {
                        labels.push(CexLabel {
                            span: a.span,
                            message: format!(
                                "the environment makes `{}` announce `{prefix}`",
                                o.name
                            ),
                        });
                    }
                }
            }
        }
    }
    let mut r = Route::local(prefix, origin);
    for e in &edges {
        labels.extend(policy_labels(net, *e, &r));
        match export(net, *e, &r) {
            Some(next) => r = next,
            None => break,
        }
    }
    let from = edges
        .last()
        .and_then(|e| net.edges.get(*e))
        .map(|e| node_name(net, e.from));
    (
        CexRoute {
            node: node_name(net, node),
            prefix: prefix.to_string(),
            as_path: r.as_path,
            as_set: Vec::new(),
            from,
        },
        labels,
    )
}

/// The rules that let `r` over edge `e` (or the session line when nothing filters).
pub fn policy_labels(net: &Network, e: EdgeId, r: &Route) -> Vec<CexLabel> {
    let Some(edge) = net.edges.get(e) else {
        return Vec::new();
    };
    let to = node_name(net, edge.to);
    let from = node_name(net, edge.from);
    if edge.export.is_empty() && edge.import.is_empty() {
        return vec![CexLabel {
            span: edge.span,
            message: format!("nothing filters `{}` from `{from}` to `{to}`", r.prefix),
        }];
    }
    let mut out = Vec::new();
    // A generated default route (`default-originate`) skips the export policies.
    let export: &[crate::ir::PolicyId] = if edge.originates_default(r.prefix) {
        &[]
    } else {
        &edge.export
    };
    for pid in export.iter().chain(&edge.import) {
        let Some(pol) = net.policies.get(*pid) else {
            continue;
        };
        if let Some(rule) = pol
            .rules
            .iter()
            .find(|rule| rule.conditions.iter().all(|c| condition_holds(c, r)))
        {
            if rule.permit {
                out.push(CexLabel {
                    span: rule.span,
                    message: format!(
                        "this rule of `{}` lets `{}` from `{from}` to `{to}`",
                        pol.name, r.prefix
                    ),
                });
                // The list lines the route-map entry's `match` lines matched.
                out.extend(rule.matched.iter().map(|span| CexLabel {
                    span: *span,
                    message: format!(
                        "`{}` matches here, for `{}` from `{from}` to `{to}`",
                        r.prefix, pol.name
                    ),
                }));
            }
        }
    }
    out
}

/// The BGP route a node forwards by in the model for destination `d` (longest
/// installed prefix), if any. With ECMP (several candidates installed), the one learned
/// from `next` — the path's next node — when there is one, so that the route explained
/// is the one of the branch shown; otherwise the selected one.
pub fn route_used(
    net: &Network,
    planes: &BTreeMap<Ipv4Net, PrefixPlane>,
    m: &Model,
    node: NodeId,
    d: Ipv4Addr,
    next: Option<NodeId>,
) -> Option<(Ipv4Net, CandSource)> {
    let mut best: Option<(Ipv4Net, CandSource)> = None;
    for (p, plane) in planes {
        if !p.contains(&d) {
            continue;
        }
        let Some(rib) = plane.rib(node) else { continue };
        if !eval_bool(m, &rib.best.valid) {
            continue;
        }
        let sel = eval_int(m, &rib.sel);
        let Some(c) = usize::try_from(sel).ok().and_then(|i| rib.cands.get(i)) else {
            continue;
        };
        let from_next = rib
            .cands
            .iter()
            .zip(&rib.installed)
            .find(|(x, inst)| {
                let CandSource::Edge(e) = x.source else {
                    return false;
                };
                next.is_some() && net.edges.get(e).map(|e| e.from) == next && eval_bool(m, inst)
            })
            .map(|(x, _)| x.source);
        if best.is_none_or(|(bp, _)| p.prefix_len() > bp.prefix_len()) {
            best = Some((*p, from_next.unwrap_or(c.source)));
        }
    }
    best
}

/// Routes (and labels) used by the hops of some paths.
pub fn routes_of_paths(
    enc: &Encoder<'_>,
    planes: &BTreeMap<Ipv4Net, PrefixPlane>,
    m: &Model,
    g: &Graph,
    paths: &[ConcretePath],
) -> (Vec<CexRoute>, Vec<CexLabel>) {
    let mut routes = Vec::new();
    let mut labels = Vec::new();
    let mut seen = BTreeSet::new();
    for p in paths {
        for (j, v) in p.vertices.iter().enumerate() {
            let Some(Vertex::State(k)) = g.vertices.get(*v) else {
                continue;
            };
            if !seen.insert((k.node, k.dest)) {
                continue;
            }
            let next = p
                .vertices
                .iter()
                .skip(j + 1)
                .filter_map(|x| g.node_of(*x))
                .find(|n| *n != k.node);
            if let Some((prefix, src)) = route_used(enc.net, planes, m, k.node, k.dest, next) {
                if let Some(plane) = planes.get(&prefix) {
                    let (r, l) = explain_route(enc, plane, m, k.node, src);
                    routes.push(r);
                    labels.extend(l);
                }
            }
        }
    }
    (routes, labels)
}

/// Sorts and deduplicates labels (deterministic output).
pub fn tidy_labels(mut labels: Vec<CexLabel>) -> Vec<CexLabel> {
    labels.sort_by(|a, b| {
        (a.span.file, a.span.start, a.span.end, &a.message).cmp(&(
            b.span.file,
            b.span.start,
            b.span.end,
            &b.message,
        ))
    });
    labels.dedup();
    labels
}

/// A label for the property line.
pub fn property_label(span: Span, what: &str) -> CexLabel {
    CexLabel {
        span,
        message: what.to_string(),
    }
}

/// Why a walk through nested tunnels is not decided.
pub const NESTED: &str =
    "a packet would be encapsulated again inside a tunnel: nested tunnels are not verified";

/// The start of a narrative: the failed components and the environment's
/// announcements of the counterexample (empty when there are none).
pub fn narrative_prefix(failed: &[String], env: &[Announcement]) -> String {
    narrative_prefix_counted(failed, env, &|_| 0)
}

/// [`narrative_prefix`] where an announcement stands for `more(a)` other prefixes
/// besides its own (a routes-limit counterexample counts every prefix of the group the
/// design cannot tell apart): "`corp` announcing `10.100.0.0/24` and 255 more like it".
pub fn narrative_prefix_counted(
    failed: &[String],
    env: &[Announcement],
    more: &dyn Fn(&Announcement) -> u64,
) -> String {
    let mut parts = Vec::new();
    if !failed.is_empty() {
        let names: Vec<String> = failed.iter().map(|f| format!("`{f}`")).collect();
        parts.push(format!("with {} failed", names.join(", ")));
    }
    if !env.is_empty() {
        let ann: Vec<String> = env
            .iter()
            .map(|a| match more(a) {
                0 => format!("`{}` announcing `{}`", a.node, a.prefix),
                n => format!(
                    "`{}` announcing `{}` and {n} more like it",
                    a.node, a.prefix
                ),
            })
            .collect();
        parts.push(format!("with {}", ann.join(", ")));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}, ", parts.join(" and "))
    }
}

/// What a counterexample says about sessions the design's own prefixes drop by route
/// limits (`drops`: the simulator's, or `sim::bgp::certainly_dropped`): one
/// [`super::DroppedSession`] each (no environment: `within` empty), a note for the
/// narrative (the session, the direction, the count and the limit), and a label on
/// the session's line.
pub fn limit_drops(
    net: &Network,
    drops: &[crate::sim::DroppedSession],
) -> (Vec<super::DroppedSession>, Vec<String>, Vec<CexLabel>) {
    let name = |n: NodeId| crate::sim::source_name(net, crate::sim::Source::Node(n));
    let mut dropped = Vec::new();
    let mut notes = Vec::new();
    let mut labels = Vec::new();
    for d in drops {
        let Some(e) = net.edges.get(d.edge) else {
            continue;
        };
        let (from, to) = (name(e.from), name(e.to));
        notes.push(format!(
            "the session `{from}`–`{to}` is dropped: `{to}` receives {} prefixes from `{from}`, over its limit of {}",
            d.accepted, d.limit.max
        ));
        labels.push(CexLabel {
            span: e.span,
            message: format!(
                "`{to}` receives {} prefixes over this session: over its limit of {}, it is dropped",
                d.accepted, d.limit.max
            ),
        });
        dropped.push(super::DroppedSession {
            node: from.clone(),
            session: [from, to],
            limit: d.limit.max,
            announced: d.accepted,
            within: String::new(),
            prefixes: Vec::new(),
            spans: (e.span, d.limit.span),
        });
    }
    (dropped, notes, labels)
}
