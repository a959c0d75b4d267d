//! Route limits: `routes <= K` (counting the environment's prefixes per group), and
//! whether an environment can push a limited session over its limit.

use super::Answer;
use crate::budget::Budget;
use crate::ir::{Network, NodeId, Property};
use crate::smt::encode::{CandSource, Encoder};
use crate::smt::model::narrative_prefix_counted;
use crate::smt::model::{
    eval_bool, explain_route, node_name, property_label, route_limit_doubt, scenario, tidy_labels,
};
use crate::smt::prover::{Outcome, Prover};
use crate::smt::Counterexample;
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use z3::ast::{Bool, Int};

/// Whether the environment of `scenario` can push session `s` over a receive limit:
/// `Some(false)` when, for each of its limited edges, the design's prefixes plus every
/// group of the environment's prefixes whose representative can cross the edge in
/// some stable state of some allowed scenario (z3, one plane per group) stay within
/// the limit. Members of a group cross exactly when the representative does
/// (environment.rs), so this bound is sound. `None` when undecided.
pub(super) fn flood_possible(
    net: &Network,
    scenario: &Property,
    s: crate::ir::SessionId,
    budget: &Rc<Budget>,
) -> Option<bool> {
    let mut enc = Encoder::with_budget(net, scenario, budget.clone());
    let prover = Prover::with_budget(budget.clone());
    let design = enc.net.originated_prefixes();
    let edges: Vec<(crate::ir::EdgeId, u32)> = enc
        .scen
        .flood
        .iter()
        .filter(|f| f.session == s)
        .flat_map(|f| f.edges.clone())
        .collect();
    let mut groups: BTreeMap<Ipv4Net, u64> = BTreeMap::new();
    for a in scenario.assumptions.iter() {
        for g in crate::smt::environment::groups(net, a, &design) {
            groups.insert(g.rep, g.count);
        }
    }
    for (e, limit) in edges {
        let to = net.edges.get(e)?.to;
        let interest: BTreeSet<NodeId> = [to].into_iter().collect();
        let mut total = design.len() as u64;
        for (rep, count) in &groups {
            let plane = enc.prefix_plane(*rep, Some(&interest));
            prover.sync(&mut enc);
            let Some(rib) = plane.rib(to) else { continue };
            let crossing: Vec<Bool> = rib
                .cands
                .iter()
                .filter(|c| c.source == CandSource::Edge(e))
                .map(|c| c.route.valid.clone())
                .collect();
            if crossing.is_empty() {
                continue;
            }
            match prover.check(&Bool::and(&[Bool::or(&crossing), plane.act.clone()]), &[]) {
                Outcome::Counterexample(_) => total = total.saturating_add(*count),
                Outcome::Proof => {}
                Outcome::Unknown(_) => return None,
            }
            if total > u64::from(limit) {
                return Some(true);
            }
        }
    }
    Some(false)
}

pub(super) fn route_limit(
    enc: &mut Encoder<'_>,
    prover: &Prover,
    prop: &Property,
    node: NodeId,
    max: u64,
) -> Answer {
    let net = enc.net;
    let interest: BTreeSet<NodeId> = [node].into_iter().collect();
    let prefixes = enc.net.originated_prefixes();
    // The environment's prefixes that can reach `node`, one representative per group
    // the design cannot tell apart, weighted by the group's size (environment.rs).
    let mut groups: BTreeMap<Ipv4Net, u64> = BTreeMap::new();
    for a in &prop.assumptions {
        let from: BTreeSet<NodeId> = [a.node].into_iter().collect();
        if !enc.backward_closure(&interest).is_superset(&from) {
            continue;
        }
        for g in crate::smt::environment::groups(net, a, &prefixes) {
            groups.insert(g.rep, g.count);
        }
    }
    let most = groups
        .values()
        .fold(prefixes.len() as u64, |acc, c| acc.saturating_add(*c));
    if most <= max {
        return Answer::Pass;
    }
    let mut planes = Vec::new();
    for p in prefixes.iter().chain(groups.keys()) {
        planes.push(enc.prefix_plane(*p, Some(&interest)));
    }
    prover.sync(enc);
    let zero = Int::from_i64(0);
    let weight = |p: &Ipv4Net| groups.get(p).copied().unwrap_or(1);
    let big = |n: u64| Int::from_i64(i64::try_from(n).unwrap_or(i64::MAX));
    let terms: Vec<Int> = planes
        .iter()
        .map(|pl| pl.has_route(node).ite(&big(weight(&pl.prefix)), &zero))
        .collect();
    let mut parts = vec![Int::add(&terms).gt(big(max))];
    parts.extend(planes.iter().map(|pl| pl.act.clone()));
    let violation = Bool::and(&parts);
    match prover.check_canonical(&violation, &enc.prefer_false()) {
        Outcome::Proof => Answer::Pass,
        Outcome::Unknown(why) => Answer::Unknown(why),
        Outcome::Counterexample(m) => {
            if let Some(why) = route_limit_doubt(enc, &m, prop) {
                return Answer::Unknown(why);
            }
            // Each announced representative stands for its whole group.
            let announced: u64 = enc
                .env
                .iter()
                .filter(|e| eval_bool(&m, &e.var))
                .map(|e| e.prefix)
                .collect::<BTreeSet<_>>()
                .iter()
                .map(weight)
                .fold(0u64, u64::saturating_add);
            let reach = enc.env_reach();
            let total = announced.saturating_add(prefixes.len() as u64);
            for e in net.edges.values() {
                if let Some(l) = e.max_routes {
                    if announced > 0 && reach.contains(&e.from) && total > u64::from(l.max) {
                        return Answer::Unknown(format!(
                            "a counterexample announces {total} prefixes, more than the limit of {} of `{}` → `{}`; route limits are not verified",
                            l.max,
                            node_name(net, e.from),
                            node_name(net, e.to)
                        ));
                    }
                }
            }
            let (failed, environment, mut labels) = scenario(enc, &m);
            let mut routes = Vec::new();
            let mut installed = 0u64;
            for pl in &planes {
                if let Some(rib) = pl.rib(node) {
                    if eval_bool(&m, &rib.best.valid) {
                        installed = installed.saturating_add(weight(&pl.prefix));
                        let sel = crate::smt::model::eval_int(&m, &rib.sel);
                        if let Some(c) = usize::try_from(sel).ok().and_then(|i| rib.cands.get(i)) {
                            let (r, l) = explain_route(enc, pl, &m, node, c.source);
                            routes.push(r);
                            labels.extend(l);
                        }
                    }
                }
            }
            labels.push(property_label(prop.span, "this property fails"));
            let stands: Vec<String> = planes
                .iter()
                .filter(|pl| weight(&pl.prefix) > 1)
                .filter(|pl| pl.rib(node).is_some_and(|r| eval_bool(&m, &r.best.valid)))
                .map(|pl| format!("`{}` for {}", pl.prefix, weight(&pl.prefix)))
                .collect();
            let like = if stands.is_empty() {
                String::new()
            } else {
                format!(
                    " (counting every prefix of the same length that the design treats alike: {})",
                    stands.join(", ")
                )
            };
            // An announcement stands for every prefix of its group.
            let more = |a: &crate::smt::Announcement| {
                a.prefix
                    .parse::<Ipv4Net>()
                    .map_or(0, |p| weight(&p).saturating_sub(1))
            };
            let narrative = format!(
                "{}`{}` installs {installed} prefixes, more than {max}{like}",
                narrative_prefix_counted(&failed, &environment, &more),
                node_name(net, node),
            );
            Answer::Fail(Box::new(Counterexample {
                dropped: Vec::new(),
                failed,
                environment,
                paths: Vec::new(),
                routes,
                labels: tidy_labels(labels),
                narrative,
            }))
        }
    }
}
