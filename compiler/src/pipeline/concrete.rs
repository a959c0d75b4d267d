//! The concrete path: a property without an environment (`assume`) is decided by
//! simulating each allowed scenario, proving that scenario's stable state unique on
//! the control plane ([`crate::smt::unique`]), and evaluating the property on that one
//! state with the simulator's forwarding walks ([`crate::sim::props`]).
//!
//! Why this is sound: the SMT engine's verdict quantifies over every stable state of
//! every allowed scenario. Scenarios are enumerated here exhaustively (every failure
//! set of at most K failable components, beyond `without`); in each, the stable state
//! is proved unique, so "every stable state" is that one state, and the simulator's
//! data plane is the same function of it as the SMT data plane (docs/semantics.md §2–3;
//! the random cross-checks compare the two). Anything this path cannot show — several
//! stable states, a scenario without one, a route-limit drop, too many failure sets —
//! goes to the symbolic path ([`Concrete::Symbolic`]); running out of time is
//! `unknown`. A pass is never concluded from a partial enumeration.

use super::cache::{ScenarioCache, ScenarioState};
use crate::ir::{ComponentId, Network, NodeId, Property};
use crate::sim::failure_sets::{count_sets, next_combination};
use crate::sim::{self, Disposition, Owner, Path, PropertyOutcome, Source};
use crate::smt::model::{policy_labels, tidy_labels};
use crate::smt::{CexLabel, CexPath, CexRoute, Counterexample, PropertyVerdict, Status};
use ipnet::Ipv4Net;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::Instant;

/// At most this many failure sets are simulated one by one; above it the symbolic
/// path decides (it quantifies over failure sets without enumerating them).
pub const MAX_SCENARIOS: u64 = 4096;

/// What the concrete path concluded.
pub enum Concrete {
    Decided(PropertyVerdict),
    /// Decide symbolically; the text says why (for diagnostics and tests).
    Symbolic(String),
}

/// The failure sets a property allows, smallest first, each in lexicographic order of
/// component ids (the simulator's order): `None` when there are more than `cap`.
pub fn failure_sets(net: &Network, prop: &Property, cap: u64) -> Option<Vec<Vec<ComponentId>>> {
    let failable = prop.failable(net);
    let k = (prop.failures as usize).min(failable.len());
    if count_sets(failable.len(), k, cap) > cap {
        return None;
    }
    let mut out = Vec::new();
    for size in 0..=k {
        let mut combo: Vec<usize> = (0..size).collect();
        loop {
            out.push(
                combo
                    .iter()
                    .filter_map(|i| failable.get(*i).copied())
                    .collect(),
            );
            if !next_combination(&mut combo, failable.len()) {
                break;
            }
        }
    }
    Some(out)
}

/// Decides `prop` concretely, or says why it must be decided symbolically.
pub fn decide(
    net: &Network,
    prop: &Property,
    deadline: Instant,
    cache: &ScenarioCache,
) -> Concrete {
    decide_within(net, prop, deadline, u64::MAX, cache)
}

/// [`decide`] with a memory budget: before each scenario, the deadline and the
/// process's resident memory (`max_memory` bytes, [`crate::budget`]) are checked;
/// past either, `unknown`.
pub fn decide_within(
    net: &Network,
    prop: &Property,
    deadline: Instant,
    max_memory: u64,
    cache: &ScenarioCache,
) -> Concrete {
    if !prop.assumptions.is_empty() {
        return Concrete::Symbolic("an `assume` environment is symbolic".into());
    }
    let Some(sets) = failure_sets(net, prop, MAX_SCENARIOS) else {
        return Concrete::Symbolic(format!("more than {MAX_SCENARIOS} failure sets"));
    };
    for failed in sets {
        if Instant::now() >= deadline {
            return Concrete::Decided(unknown(prop, crate::budget::TIME_LIMIT));
        }
        if max_memory < u64::MAX && crate::budget::resident_memory().is_some_and(|r| r > max_memory)
        {
            return Concrete::Decided(unknown(prop, &crate::budget::memory_reason(max_memory)));
        }
        let mut down: Vec<ComponentId> = prop.without.clone();
        down.extend(failed.iter().copied());
        down.sort();
        down.dedup();
        let entry = cache.get(net, prop, &down, deadline, max_memory);
        let decided = match &*entry {
            ScenarioState::Unique {
                state,
                scenario,
                tables,
            } => evaluate(
                net, prop, &failed, state, scenario, tables, None, deadline, max_memory,
            ),
            ScenarioState::Several {
                states,
                scenario,
                per_class,
            } => {
                if !per_class_applies(prop, *per_class) {
                    return Concrete::Symbolic(
                        "undocumented ties on prefix classes this property may read two prefixes of"
                            .into(),
                    );
                }
                // Every stable state: a violation in any is a counterexample; the
                // property holds when it holds in all of them.
                let mut first_other = None;
                for t in states {
                    match evaluate(
                        net,
                        prop,
                        &failed,
                        &t.state,
                        scenario,
                        &t.tables,
                        Some(&t.choices),
                        deadline,
                        max_memory,
                    ) {
                        None => {}
                        Some(Concrete::Decided(v)) if v.status == Status::Fail => {
                            return Concrete::Decided(v)
                        }
                        Some(other) => {
                            first_other.get_or_insert(other);
                        }
                    }
                }
                first_other
            }
            ScenarioState::Grouped {
                base,
                groups,
                scenario,
                per_class,
            } => match super::grouped::grouped(
                net, prop, &failed, base, groups, scenario, *per_class, deadline, max_memory,
            ) {
                Ok(decided) => decided,
                Err(why) => return Concrete::Symbolic(why),
            },
            ScenarioState::Symbolic(why) => return Concrete::Symbolic(why.clone()),
            ScenarioState::Timeout => {
                return Concrete::Decided(unknown(prop, crate::budget::TIME_LIMIT))
            }
            ScenarioState::Stopped(why) => return Concrete::Decided(unknown(prop, why)),
        };
        if let Some(c) = decided {
            return c;
        }
    }
    Concrete::Decided(PropertyVerdict {
        span: prop.span,
        status: Status::Pass,
        counterexample: None,
    })
}

/// Whether a scenario's states under per-class tie-breaks decide `prop`: always when
/// no class shares a choice among several prefixes in a way a walk could read twice
/// (`per_class`, [`super::cache::per_class_covers`]) and otherwise for the properties
/// whose questions each read one destination address (reachability, loops,
/// `traverses`, `avoids`) or one prefix's routes (`never`). `symmetric` reads two
/// addresses, a route limit counts prefixes together.
fn per_class_applies(prop: &Property, per_class: bool) -> bool {
    use crate::ir::PropertyKind as K;
    per_class
        && matches!(
            prop.kind,
            K::Reachable { .. }
                | K::LoopFree
                | K::Traverses { .. }
                | K::Avoids { .. }
                | K::Never { .. }
        )
}

/// Evaluates `prop` on one stable state of scenario `sc` (the failure set `failed`):
/// `None` when it holds there, else what the check concludes (a fail with the
/// counterexample, `unknown`, or the symbolic path). `choices`: the tie-break the
/// state was computed under, named in the counterexample.
#[allow(clippy::too_many_arguments)]
pub(super) fn evaluate(
    net: &Network,
    prop: &Property,
    failed: &[ComponentId],
    state: &sim::State,
    sc: &sim::Scenario,
    tables: &std::sync::OnceLock<std::sync::Arc<sim::WalkTables>>,
    choices: Option<&sim::choice::Choices>,
    deadline: Instant,
    max_memory: u64,
) -> Option<Concrete> {
    // FRR without deterministic-med whose best depends on arrival order: the state is
    // not the only one the orders give (docs/frr.md "MED").
    if let Some(why) = sim::bgp::arrival_order_dependence(net, state) {
        return Some(Concrete::Symbolic(why));
    }
    let stop = crate::budget::stop_check(deadline, max_memory);
    // Walking properties share the state's walk tables; `never` and route
    // limits read only the RIBs.
    let walks = !matches!(
        prop.kind,
        crate::ir::PropertyKind::Never { .. } | crate::ir::PropertyKind::RouteLimit { .. }
    );
    let outcome = if walks {
        let tables =
            tables.get_or_init(|| std::sync::Arc::new(sim::WalkTables::new(net, state, sc)));
        sim::evaluate_with_tables_until(net, state, sc, prop, tables, &stop)
    } else {
        sim::evaluate_until(net, state, sc, prop, &stop)
    };
    match outcome {
        PropertyOutcome::Holds => None,
        PropertyOutcome::Violated(cx) => {
            let mut cex = counterexample(net, state, prop, failed, &cx);
            if choices.is_some() {
                if let Some(text) = choice_text(net, sc, state) {
                    cex.narrative = format!("{text}; {}", cex.narrative);
                }
            }
            Some(Concrete::Decided(PropertyVerdict {
                span: prop.span,
                status: Status::Fail,
                counterexample: Some(cex),
            }))
        }
        // Stopped by this check's own bounds: unknown, not the symbolic path.
        PropertyOutcome::Inconclusive(why)
            if why == crate::budget::TIME_LIMIT
                || why == crate::budget::memory_reason(max_memory) =>
        {
            Some(Concrete::Decided(unknown(prop, &why)))
        }
        PropertyOutcome::Inconclusive(why) => Some(Concrete::Symbolic(why)),
        PropertyOutcome::NoStableState { .. } => {
            Some(Concrete::Symbolic("a scenario has no stable state".into()))
        }
    }
}

/// The undocumented choices `state` makes where they matter (sim::choice), as the
/// counterexample names them: "`corp` takes the route for 10.1.0.0/16 from `er2`
/// (Azure does not document which of `er1`, `er2`)", joined by "; ".
fn choice_text(net: &Network, sc: &sim::Scenario, state: &sim::State) -> Option<String> {
    let ties = sim::choice::material_ties(net, sc, state);
    let parts: Vec<String> = ties
        .iter()
        .filter_map(|t| {
            let chosen = t.chosen?;
            let mut all: Vec<NodeId> = t.others.clone();
            all.push(chosen);
            all.sort();
            all.dedup();
            let names: Vec<String> = all
                .iter()
                .map(|n| format!("`{}`", node_name(net, *n)))
                .collect();
            Some(format!(
                "`{}` takes the route for {} from `{}` (an undocumented choice among {})",
                node_name(net, t.node),
                t.prefix,
                node_name(net, chosen),
                names.join(", ")
            ))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

pub(super) fn unknown(prop: &Property, why: &str) -> PropertyVerdict {
    PropertyVerdict {
        span: prop.span,
        status: Status::Unknown(why.to_string()),
        counterexample: None,
    }
}

fn node_name(net: &Network, n: NodeId) -> String {
    net.nodes.get(n).map(|x| x.name.clone()).unwrap_or_default()
}

/// A simulator counterexample in the report's terms: the failed components, the
/// paths, the routes the paths' hops forward by (or the offending routes), each route
/// explained back to its origination with the policy rules that let it through, and a
/// one-line narrative.
fn counterexample(
    net: &Network,
    state: &sim::State,
    prop: &Property,
    failed: &[ComponentId],
    cx: &sim::Counterexample,
) -> Counterexample {
    let mut labels = Vec::new();
    let mut failed_names = Vec::new();
    for c in failed {
        if let Some(comp) = net.components.get(*c) {
            failed_names.push(comp.name.clone());
            labels.push(CexLabel {
                span: comp.span,
                message: format!("`{}` fails in this counterexample", comp.name),
            });
        }
    }
    // One question per counterexample, as the symbolic path shows it: the branches of
    // the first offending (source, destination); `symmetric` shows both directions.
    let shown: Vec<&Path> = match prop.kind {
        crate::ir::PropertyKind::Symmetric { .. } if cx.paths.iter().all(Path::is_delivered) => {
            cx.paths.iter().collect()
        }
        // Undelivered both ways: the first offending destination of each direction.
        crate::ir::PropertyKind::Symmetric { .. } => {
            let mut firsts: Vec<(Source, Ipv4Addr)> = Vec::new();
            for p in &cx.paths {
                if !firsts.iter().any(|(f, _)| *f == p.from) {
                    firsts.push((p.from, p.to));
                }
            }
            cx.paths
                .iter()
                .filter(|p| firsts.contains(&(p.from, p.to)))
                .collect()
        }
        _ => {
            let first = cx.paths.first().map(|p| (p.from, p.to));
            cx.paths
                .iter()
                .filter(|p| Some((p.from, p.to)) == first)
                .collect()
        }
    };
    let mut routes = Vec::new();
    let mut seen: BTreeSet<(NodeId, Ipv4Net)> = BTreeSet::new();
    for w in &cx.routes {
        if seen.insert((w.node, w.route.prefix)) {
            let (r, l) = explain(net, state, w.node, &w.route);
            routes.push(r);
            labels.extend(l);
        }
    }
    for p in &shown {
        for (i, h) in p.hops.iter().enumerate() {
            let Some(rib) = state.rib(h.node) else {
                continue;
            };
            let Some((prefix, installed)) = rib.lookup(h.destination) else {
                continue;
            };
            // With ECMP several routes are installed: explain the one this path's next
            // hop comes from (its sender, or the node its next hop names), not the first.
            let next = p.hops.get(i + 1).map(|x| x.node);
            let Some(r) = installed
                .iter()
                .find(|r| {
                    next.is_some_and(|n| {
                        r.from_node(net) == Some(n) || r.next_hop == sim::NextHop::Node(n)
                    })
                })
                .or_else(|| installed.first())
            else {
                continue;
            };
            if seen.insert((h.node, prefix)) {
                let (r, l) = explain(net, state, h.node, r);
                routes.push(r);
                labels.extend(l);
            }
        }
    }
    let scenario = sim::Scenario::new(failed.iter().copied());
    for p in shown.iter().filter(|p| p.disposition == Disposition::Loop) {
        labels.extend(own_route_labels(net, state, &scenario, p));
    }
    labels.push(CexLabel {
        span: prop.span,
        message: "this property fails".into(),
    });
    let paths: Vec<CexPath> = shown.iter().map(|p| cex_path(net, p)).collect();
    let prefix = if failed_names.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = failed_names.iter().map(|f| format!("`{f}`")).collect();
        format!("with {} failed, ", names.join(", "))
    };
    let why = shown.first().map(|p| p.why);
    let mut narrative = format!("{prefix}{}", narrative(net, prop, &paths, &routes, cx, why));
    // Sessions the design's own prefixes drop by route limits in this state (each
    // dropped in every stable state: the state was certified unique).
    let (dropped, notes, drop_labels) = crate::smt::model::limit_drops(net, &state.dropped);
    for n in notes.iter().rev() {
        narrative = format!("{n}; {narrative}");
    }
    labels.extend(drop_labels);
    Counterexample {
        failed: failed_names,
        environment: Vec::new(),
        paths,
        routes,
        labels: tidy_labels(labels),
        narrative,
        dropped,
    }
}

fn narrative(
    net: &Network,
    prop: &Property,
    paths: &[CexPath],
    routes: &[CexRoute],
    cx: &sim::Counterexample,
    why: Option<sim::Why>,
) -> String {
    use crate::ir::PropertyKind as K;
    let first = paths.first();
    let hops = |p: &CexPath| p.hops.join(" → ");
    // The reason a packet is not delivered, as `trace` gives it (every drop kind:
    // `sim::Why`), so no counterexample says only "ends `dropped`".
    let reason = why
        .filter(|w| !matches!(w, sim::Why::Delivered | sim::Why::Loop | sim::Why::HopLimit))
        .map(|w| format!(" ({w})"))
        .unwrap_or_default();
    let ends = |p: &CexPath| {
        let reason = if matches!(p.disposition.as_str(), "dropped" | "no_route") {
            reason.as_str()
        } else {
            ""
        };
        let path = if p.hops.is_empty() {
            format!("at `{}`", p.from)
        } else {
            hops(p)
        };
        format!(
            "a packet from `{}` to `{}` ends `{}`{reason}: {path}",
            p.from, p.to, p.disposition
        )
    };
    match &prop.kind {
        K::Never { .. } => match routes.first() {
            Some(r) => format!(
                "`{}` installs `{}` with AS path {:?}{}{}",
                r.node,
                r.prefix,
                r.as_path,
                as_set_text(&r.as_set),
                r.from
                    .as_ref()
                    .map(|f| format!(", learned from `{f}`"))
                    .unwrap_or_default()
            ),
            None => cx.explanation.clone(),
        },
        K::RouteLimit { .. } => cx.explanation.clone(),
        K::LoopFree => match first {
            Some(p) => format!(
                "a packet from `{}` to `{}` loops: {}",
                p.from,
                p.to,
                hops(p)
            ),
            None => cx.explanation.clone(),
        },
        K::Symmetric { a, b } => match (cx.paths.first(), cx.paths.get(1)) {
            (Some(x), Some(y)) if x.is_delivered() && y.is_delivered() => format!(
                "packets from `{}` to `{}` and from `{}` to `{}` pass different NVAs",
                sim::source_name(net, x.from),
                x.to,
                sim::source_name(net, y.from),
                y.to
            ),
            _ => {
                let name = |ep| {
                    sim::endpoint_source(net, ep)
                        .map(|s| sim::source_name(net, s))
                        .unwrap_or_default()
                };
                format!(
                    "a packet between `{}` and `{}` is not delivered",
                    name(a),
                    name(b)
                )
            }
        },
        K::Traverses { waypoint, .. } => match first {
            Some(p) if p.disposition == "delivered" => format!(
                "a packet from `{}` to `{}` is delivered without passing `{}`: {}",
                p.from,
                p.to,
                node_name(net, *waypoint),
                hops(p)
            ),
            Some(p) => ends(p),
            None => cx.explanation.clone(),
        },
        K::Avoids { waypoint, .. } => match first {
            Some(p) => format!(
                "a packet from `{}` to `{}` passes `{}`: {}",
                p.from,
                p.to,
                node_name(net, *waypoint),
                hops(p)
            ),
            None => cx.explanation.clone(),
        },
        K::Reachable { .. } => match first {
            Some(p) => ends(p),
            None => cx.explanation.clone(),
        },
    }
}

/// On a looping path: each hop whose NIC sends the packet back to its own node by a
/// BGP route — Route Server programs an NVA's own route into the NVA's NIC too
/// (AZURE.md, Route Server) — points at that NIC's subnet, where the UDR that would
/// override it (e.g. `0.0.0.0/0 -> internet` for an NVA's default route) belongs.
fn own_route_labels(
    net: &Network,
    state: &sim::State,
    scenario: &sim::Scenario,
    p: &Path,
) -> Vec<CexLabel> {
    let mut labels = Vec::new();
    let mut seen = BTreeSet::new();
    for h in &p.hops {
        let Some(node) = net.nodes.get(h.node) else {
            continue;
        };
        let Some(s) = node.behaviours.fabric_subnet else {
            continue;
        };
        if !seen.insert((h.node, s)) {
            continue;
        }
        let routes = sim::effective_routes(net, state, scenario, s);
        let used = routes
            .iter()
            .filter(|r| r.active && r.prefix.contains(&h.destination))
            .max_by_key(|r| r.prefix.prefix_len());
        let Some(r) = used else { continue };
        let own = match r.next_hop {
            sim::FabricTarget::Node(n) => n == h.node,
            sim::FabricTarget::Address(a) => node.all_nics().iter().any(|(ip, _)| *ip == a),
            _ => false,
        };
        if r.source != sim::RouteSource::Bgp || !own {
            continue;
        }
        let Some(sub) = net.subnets.get(s) else {
            continue;
        };
        let programmer = r
            .programmed_by
            .and_then(|n| net.nodes.get(n))
            .map_or_else(|| "Route Server".to_string(), |n| format!("`{}`", n.name));
        labels.push(CexLabel {
            span: sub.span,
            message: format!(
                "{} programs the `{}` that `{}` advertised into `{}`'s own NIC here (next hop `{}`), and no UDR on `{}` overrides it",
                programmer, r.prefix, node.name, node.name, node.name, sub.name
            ),
        });
    }
    labels
}

/// A simulator path in the report's terms (the SMT engine's `cex_path`): the source's
/// name, the hops' node names, and a subnet a packet is delivered to.
fn cex_path(net: &Network, p: &Path) -> CexPath {
    let mut hops: Vec<String> = p.hops.iter().map(|h| node_name(net, h.node)).collect();
    if p.disposition == Disposition::Delivered {
        if let Some(Owner::Subnet(s)) = p.delivered_to {
            if let Some(sub) = net.subnets.get(s) {
                hops.push(sub.name.clone());
            }
        }
    }
    let from = match p.from {
        Source::Node(n) | Source::Management(n) => node_name(net, n),
        Source::Subnet(_) => sim::source_name(net, p.from),
    };
    CexPath {
        from,
        to: Ipv4Addr::to_string(&p.to),
        disposition: p.disposition.as_str().to_string(),
        hops,
    }
}

/// A route of the stable state, followed back over `learned_from` to its origination,
/// with the origination line and the policy rules that let it over each session.
fn explain(
    net: &Network,
    state: &sim::State,
    node: NodeId,
    r: &sim::Route,
) -> (CexRoute, Vec<CexLabel>) {
    let prefix = r.prefix;
    let mut edges = Vec::new();
    let mut cur = r.clone();
    let mut guard = BTreeSet::new();
    while let Some(e) = cur.learned_from {
        if !guard.insert(e) {
            break;
        }
        edges.push(e);
        let Some(edge) = net.edges.get(e) else {
            break;
        };
        // A route generated on this edge (`neighbor A default-originate`) starts
        // here, whatever the sender's RIB holds (none, or a route of its own).
        if edge.originates_default(prefix) {
            break;
        }
        match state.best(edge.from, prefix) {
            Some(b) => cur = b.clone(),
            None => break,
        }
    }
    edges.reverse();
    let mut labels = Vec::new();
    // As the SMT engine's `explain_route`: a generated default is labelled on the
    // `default-originate` line, not on an origination of the sender's.
    let generated = edges
        .first()
        .and_then(|e| net.edges.get(*e))
        .filter(|e| e.originates_default(prefix))
        .and_then(|e| e.default_originate.map(|s| (s, e.from, e.to)));
    if let Some((span, from, to)) = generated {
        labels.push(CexLabel {
            span,
            message: format!(
                "`{}` sends `{prefix}` to `{}` here, whatever its RIB holds",
                node_name(net, from),
                node_name(net, to)
            ),
        });
    } else if let Some(o) = net.nodes.get(r.origin) {
        if let Some(orig) = o.originates.iter().find(|x| x.prefix == prefix) {
            labels.push(CexLabel {
                span: orig.span,
                message: format!("`{}` originates `{prefix}` here", o.name),
            });
        }
    }
    // The route as each sender held it, origin first (on a generating edge, the
    // generated route: the sender's own, empty path).
    for e in &edges {
        let Some(edge) = net.edges.get(*e) else {
            continue;
        };
        if edge.originates_default(prefix) {
            let own = sim::Route::local(prefix, edge.from);
            labels.extend(policy_labels(net, *e, &own));
        } else if let Some(held) = state.best(edge.from, prefix) {
            labels.extend(policy_labels(net, *e, held));
        }
    }
    let from = r.from_node(net).map(|n| node_name(net, n));
    (
        CexRoute {
            node: node_name(net, node),
            prefix: prefix.to_string(),
            as_path: r.as_path.clone(),
            as_set: r.as_set.clone(),
            from,
        },
        labels,
    )
}

/// ` and AS_SET {a,b}` after a counterexample's AS path, or nothing without one.
fn as_set_text(set: &[u32]) -> String {
    if set.is_empty() {
        return String::new();
    }
    let set: Vec<String> = set.iter().map(u32::to_string).collect();
    format!(" and AS_SET {{{}}}", set.join(","))
}
