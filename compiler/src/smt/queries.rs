//! One function per property kind (semantics.md §4). Each builds the violation of
//! its property over the encoding, asks the prover per destination class (one solver,
//! push/pop per question), and turns a model into a counterexample.
//!
//! A counterexample is always re-checked on the model's concrete forwarding graph
//! before it is reported; if it does not show the violation (which would be a bug of
//! the encoding), or it relies on what the encoding does not cover (nested tunnels),
//! the verdict is `unknown`, never a wrong `fail`.

use super::dataplane::{
    endpoint_src, loop_in, walk_exists, Builder, Fresh, Graph, Src, Term, Vertex,
};
use super::encode::{CandSource, Encoder};
use super::model::{
    cex_path, concrete_paths, eval_bool, explain_route, node_name, property_label,
    route_limit_doubt, routes_of_paths, scenario, tidy_labels, ConcretePath,
};
use super::prover::{Outcome, Prover};
use super::stability::Stability;
use super::{Counterexample, PropertyVerdict, Status};
use crate::ir::{Endpoint, Network, NodeId, Property, PropertyKind};
use crate::sim::{owners, Owner};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};
use z3::ast::{Bool, Int};

/// Verifies one property line within `timeout`.
pub fn verify_property(net: &Network, prop: &Property, timeout: Duration) -> PropertyVerdict {
    let deadline = Instant::now() + timeout;
    let mut out = verify_properties(net, &[prop], &|_| deadline);
    out.pop().unwrap_or(PropertyVerdict {
        span: prop.span,
        status: Status::Unknown("the verifier stopped unexpectedly".into()),
        counterexample: None,
    })
}

/// Verifies property lines in order, one verdict each. Lines with the same scenario
/// (`under failures`, `without`, `assume`) share a [`Session`]: one encoder, whose
/// per-prefix planes are built once, and one solver, asked each property in its own
/// push/pop frame. `deadline(i)` is called when line `i` starts (`--timeout` is per
/// check: the caller knows which check a line belongs to).
pub fn verify_properties(
    net: &Network,
    props: &[&Property],
    deadline: &dyn Fn(usize) -> Instant,
) -> Vec<PropertyVerdict> {
    let mut out: Vec<Option<PropertyVerdict>> = props.iter().map(|_| None).collect();
    if let Some(why) = route_limit_risk(net) {
        return props
            .iter()
            .map(|p| verdict(p, Status::Unknown(why.clone()), None))
            .collect();
    }
    let mut done = vec![false; props.len()];
    for (i, first) in props.iter().enumerate() {
        if done.get(i).copied().unwrap_or(true) {
            continue;
        }
        let members: Vec<usize> = (i..props.len())
            .filter(|j| {
                !done.get(*j).copied().unwrap_or(true)
                    && props.get(*j).is_some_and(|p| same_scenario(first, p))
            })
            .collect();
        let mut session = Session::new(net, first);
        let mut passed = Vec::new();
        let mut last = Instant::now();
        for &j in &members {
            if let Some(slot) = done.get_mut(j) {
                *slot = true;
            }
            let Some(prop) = props.get(j) else { continue };
            let d = deadline(j);
            last = last.max(d);
            session.prover.set_deadline(d);
            let v = match session.ask(prop) {
                Answer::Pass => {
                    passed.push(j);
                    continue;
                }
                Answer::Fail(c) => verdict(prop, Status::Fail, Some(*c)),
                Answer::Unknown(why) => verdict(prop, Status::Unknown(why), None),
            };
            if let Some(slot) = out.get_mut(j) {
                *slot = Some(v);
            }
        }
        if passed.is_empty() {
            continue;
        }
        // A proof over no stable state would be vacuous: the session's planes (a
        // superset of each property's) must have one, under every allowed failure set.
        session.prover.set_deadline(last);
        let settled = session.settle(first.failures);
        for j in passed {
            let Some(prop) = props.get(j) else { continue };
            let v = match &settled {
                Ok(()) => verdict(prop, Status::Pass, None),
                // The shared planes do not settle: ask again alone, so that only this
                // property's own planes count.
                Err(_) if members.len() > 1 => {
                    let d = deadline(j);
                    let mut alone = Session::new(net, prop);
                    alone.prover.set_deadline(d);
                    match alone.ask(prop) {
                        Answer::Pass => match alone.settle(prop.failures) {
                            Ok(()) => verdict(prop, Status::Pass, None),
                            Err(why) => verdict(prop, Status::Unknown(why), None),
                        },
                        Answer::Fail(c) => verdict(prop, Status::Fail, Some(*c)),
                        Answer::Unknown(why) => verdict(prop, Status::Unknown(why), None),
                    }
                }
                Err(why) => verdict(prop, Status::Unknown(why.clone()), None),
            };
            if let Some(slot) = out.get_mut(j) {
                *slot = Some(v);
            }
        }
    }
    out.into_iter()
        .zip(props)
        .map(|(v, p)| {
            v.unwrap_or_else(|| {
                verdict(
                    p,
                    Status::Unknown("the verifier stopped unexpectedly".into()),
                    None,
                )
            })
        })
        .collect()
}

fn verdict(
    prop: &Property,
    status: Status,
    counterexample: Option<Counterexample>,
) -> PropertyVerdict {
    PropertyVerdict {
        span: prop.span,
        status,
        counterexample,
    }
}

/// Whether the environment of `scenario` can push session `s` over a receive limit:
/// `Some(false)` when, for each of its limited edges, the design's prefixes plus every
/// group of the environment's prefixes whose representative can cross the edge in
/// some stable state of some allowed scenario (z3, one plane per group) stay within
/// the limit. Members of a group cross exactly when the representative does
/// (environment.rs), so this bound is sound. `None` when undecided.
fn flood_possible(
    net: &Network,
    scenario: &Property,
    s: crate::ir::SessionId,
    deadline: Instant,
) -> Option<bool> {
    let mut enc = Encoder::new(net, scenario);
    let mut prover = Prover::new(Duration::ZERO);
    prover.set_deadline(deadline);
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
        for g in super::environment::groups(net, a, &design) {
            groups.insert(g.rep, g.count);
        }
    }
    for (e, limit) in edges {
        let to = net.edges.get(e)?.to;
        let interest: BTreeSet<NodeId> = [to].into_iter().collect();
        let mut total = design.len() as u64;
        for (rep, count) in &groups {
            let plane = enc.prefix_plane(*rep, Some(&interest));
            sync(&prover, &mut enc);
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

/// Same failures, removed components and environment (the same `assume` lines).
fn same_scenario(a: &Property, b: &Property) -> bool {
    a.failures == b.failures
        && a.failure_scope == b.failure_scope
        && a.without == b.without
        && a.assumptions == b.assumptions
}

/// One scenario's encoding and solver, asked property after property.
pub struct Session<'n> {
    enc: Encoder<'n>,
    prover: Prover,
}

impl<'n> Session<'n> {
    /// A session for `scenario`'s failures, `without` and `assume` lines.
    pub fn new(net: &'n Network, scenario: &Property) -> Session<'n> {
        Session {
            enc: Encoder::new(net, scenario),
            prover: Prover::new(Duration::ZERO),
        }
    }

    /// The property's own question (its violation in a push/pop frame).
    fn ask(&mut self, prop: &Property) -> Answer {
        // Sessions shown not to be floodable; the question is asked again without them.
        let mut refuted: BTreeSet<crate::ir::SessionId> = BTreeSet::new();
        let answer = loop {
            self.enc.drops.clear();
            self.enc.doubted.clear();
            let answer = self.question(prop);
            if !matches!(answer, Answer::Unknown(_)) {
                break answer;
            }
            let doubted = std::mem::take(&mut self.enc.doubted);
            let mut progress = false;
            for s in doubted {
                if !refuted.insert(s) {
                    continue;
                }
                if flood_possible(self.enc.net, prop, s, self.prover.deadline()) == Some(false) {
                    let vars: Vec<Bool> = self
                        .enc
                        .scen
                        .flood
                        .iter()
                        .filter(|f| f.session == s)
                        .map(|f| f.var.not())
                        .collect();
                    self.enc.facts.extend(vars);
                    progress = true;
                }
            }
            if !progress {
                break answer;
            }
        };
        match answer {
            Answer::Fail(mut c) => {
                c.dropped = std::mem::take(&mut self.enc.drops);
                if !c.dropped.is_empty() {
                    let what: Vec<String> = c
                        .dropped
                        .iter()
                        .map(|d| {
                            format!(
                                "`{}` announcing {} prefixes inside `{}` (over the limit of {} of `{}` → `{}`: the session drops)",
                                d.node, d.announced, d.within, d.limit, d.session[0], d.session[1]
                            )
                        })
                        .collect();
                    c.narrative = format!("with {}: {}", what.join(" and "), c.narrative);
                    let mut labels = std::mem::take(&mut c.labels);
                    for d in &c.dropped {
                        labels.push(super::CexLabel {
                            span: d.spans.0,
                            message: format!(
                                "the environment makes `{}` announce {} prefixes inside `{}`",
                                d.node, d.announced, d.within
                            ),
                        });
                        labels.push(super::CexLabel {
                            span: d.spans.1,
                            message: format!(
                                "above {} prefixes from `{}`, `{}` drops the session",
                                d.limit, d.session[0], d.session[1]
                            ),
                        });
                    }
                    c.labels = tidy_labels(labels);
                }
                Answer::Fail(c)
            }
            other => other,
        }
    }

    fn question(&mut self, prop: &Property) -> Answer {
        let (enc, prover) = (&mut self.enc, &self.prover);
        match &prop.kind {
            PropertyKind::Never {
                node,
                prefix,
                via,
                originated_by,
            } => never(enc, prover, prop, *node, *prefix, *via, *originated_by),
            PropertyKind::RouteLimit { node, max } => route_limit(enc, prover, prop, *node, *max),
            PropertyKind::Reachable { from, to } => {
                paths(enc, prover, prop, from, to, PathGoal::Reach)
            }
            PropertyKind::Traverses { from, to, waypoint } => {
                paths(enc, prover, prop, from, to, PathGoal::Traverse(*waypoint))
            }
            PropertyKind::Avoids { from, to, waypoint } => {
                paths(enc, prover, prop, from, to, PathGoal::Avoid(*waypoint))
            }
            PropertyKind::LoopFree => loop_free(enc, prover, prop),
            PropertyKind::Symmetric { a, b } => symmetric(enc, prover, prop, a, b),
        }
    }

    /// Whether the encoded prefixes have a stable state (with `under failures K`: under
    /// every failure set), so that the proofs so far are not vacuous; the reason when
    /// not (or when it cannot be decided).
    fn settle(&mut self, failures: u32) -> Result<(), String> {
        sync(&self.prover, &mut self.enc);
        // Every plane counts here (asserted for good: no question follows).
        for act in &self.enc.acts {
            self.prover.assume(act);
        }
        match self.prover.check(&Bool::from_bool(true), &[]) {
            Outcome::Counterexample(_) if self.enc.scen.free.is_empty() => Ok(()),
            Outcome::Counterexample(_) => {
                match super::stability::failure_sets(&self.enc, &self.prover, failures) {
                    Stability::Stable => Ok(()),
                    Stability::Unstable(failed) => {
                        let names: Vec<String> = failed.iter().map(|f| format!("`{f}`")).collect();
                        Err(format!(
                            "with {} failed the network has no stable state (BGP does not converge)",
                            if names.is_empty() {
                                "nothing".to_string()
                            } else {
                                names.join(", ")
                            }
                        ))
                    }
                    Stability::Unknown(why) => Err(why),
                }
            }
            Outcome::Proof => Err("the network has no stable state (BGP does not converge)".into()),
            Outcome::Unknown(why) => Err(why),
        }
    }
}

/// Why a walk through nested tunnels is not decided.
const NESTED: &str =
    "a packet would be encapsulated again inside a tunnel: nested tunnels are not verified";

enum Answer {
    Pass,
    Fail(Box<Counterexample>),
    Unknown(String),
}

/// Route limits (`max_routes`) are not encoded: refuse when the design's own prefixes
/// could exceed one. (What an environment adds is the scenario's `flood` choice.)
pub(crate) fn route_limit_risk(net: &Network) -> Option<String> {
    let count = net.originated_prefixes().len();
    for e in net.edges.values() {
        if let Some(l) = e.max_routes {
            if (l.max as usize) < count {
                return Some(format!(
                    "a route limit of {} could be exceeded ({} prefixes): route limits are not verified",
                    l.max, count
                ));
            }
        }
    }
    None
}

/// One solver call for every destination at once: true when no violation exists.
fn all_refuted<G>(prover: &Prover, per: &[(Ipv4Addr, G, Bool)]) -> bool {
    let any: Vec<Bool> = per.iter().map(|(_, _, v)| v.clone()).collect();
    matches!(prover.check(&Bool::or(&any), &[]), Outcome::Proof)
}

/// Hands the encoder's new facts to the prover (each fact once per session).
fn sync(prover: &Prover, enc: &mut Encoder<'_>) {
    for f in enc.facts.iter().skip(enc.synced) {
        prover.assume(f);
    }
    enc.synced = enc.facts.len();
}

/// Literals to keep false when possible: failures first, then sessions dropped over
/// a route limit, then the environment.
fn prefer_false(enc: &Encoder<'_>) -> Vec<Bool> {
    let mut v: Vec<Bool> = enc.scen.free.iter().map(|(_, b)| b.clone()).collect();
    v.extend(enc.scen.flood.iter().map(|f| f.var.clone()));
    v.extend(enc.env.iter().map(|e| e.var.clone()));
    v
}

fn narrative_prefix(failed: &[String], env: &[super::Announcement]) -> String {
    let mut parts = Vec::new();
    if !failed.is_empty() {
        let names: Vec<String> = failed.iter().map(|f| format!("`{f}`")).collect();
        parts.push(format!("with {} failed", names.join(", ")));
    }
    if !env.is_empty() {
        let ann: Vec<String> = env
            .iter()
            .map(|a| format!("`{}` announcing `{}`", a.node, a.prefix))
            .collect();
        parts.push(format!("with {}", ann.join(", ")));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}, ", parts.join(" and "))
    }
}

// ---- control-plane properties ------------------------------------------------------

fn never(
    enc: &mut Encoder<'_>,
    prover: &Prover,
    prop: &Property,
    node: NodeId,
    prefix: Ipv4Net,
    via: Option<NodeId>,
    originated_by: Option<NodeId>,
) -> Answer {
    let net = enc.net;
    let interest: BTreeSet<NodeId> = [node].into_iter().collect();
    let plane = enc.prefix_plane(prefix, Some(&interest));
    sync(prover, enc);
    let Some(rib) = plane.rib(node) else {
        return Answer::Pass;
    };
    let mut bad = Vec::new();
    for (c, inst) in rib.cands.iter().zip(&rib.installed) {
        let via_ok = match (via, c.source) {
            (None, _) => true,
            (Some(m), CandSource::Edge(e)) => net.edges.get(e).is_some_and(|x| x.from == m),
            (Some(_), CandSource::Local) => false,
        };
        if !via_ok {
            bad.push(Bool::from_bool(false));
            continue;
        }
        let mut parts = vec![inst.clone()];
        if let Some(o) = originated_by {
            parts.push(c.route.origin.eq(Int::from_i64(o.0 as i64)));
        }
        bad.push(Bool::and(&parts));
    }
    let violation = Bool::and(&[Bool::or(&bad), plane.act.clone()]);
    match prover.check_canonical(&violation, &prefer_false(enc)) {
        Outcome::Proof => Answer::Pass,
        Outcome::Unknown(why) => Answer::Unknown(why),
        Outcome::Counterexample(m) => {
            if let Some(why) = route_limit_doubt(enc, &m, prop) {
                return Answer::Unknown(why);
            }
            let (failed, environment, mut labels) = scenario(enc, &m);
            let mut routes = Vec::new();
            for ((c, inst), b) in rib.cands.iter().zip(&rib.installed).zip(&bad) {
                let _ = inst;
                if eval_bool(&m, b) {
                    let (r, l) = explain_route(enc, &plane, &m, node, c.source);
                    routes.push(r);
                    labels.extend(l);
                }
            }
            labels.push(property_label(prop.span, "this property fails"));
            let first = routes.first().cloned();
            let narrative = match first {
                Some(r) => format!(
                    "{}`{}` installs `{}` with AS path {:?}{}",
                    narrative_prefix(&failed, &environment),
                    r.node,
                    r.prefix,
                    r.as_path,
                    r.from
                        .map(|f| format!(", learned from `{f}`"))
                        .unwrap_or_default()
                ),
                None => format!("`{}` installs `{prefix}`", node_name(net, node)),
            };
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

fn route_limit(
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
        for g in super::environment::groups(net, a, &prefixes) {
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
    sync(prover, enc);
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
    match prover.check_canonical(&violation, &prefer_false(enc)) {
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
                        let sel = super::model::eval_int(&m, &rib.sel);
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
            let narrative = format!(
                "{}`{}` installs {installed} prefixes, more than {max}{like}",
                narrative_prefix(&failed, &environment),
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

// ---- data-plane properties ---------------------------------------------------------

#[derive(Clone, Copy)]
enum PathGoal {
    Reach,
    Traverse(NodeId),
    Avoid(NodeId),
}

/// Whether a delivery to `o` (of destination `d`) is a delivery to endpoint `to`.
fn delivered_to(net: &Network, o: Owner, d: Ipv4Addr, to: &Endpoint) -> bool {
    let nic_subnet = |o: Owner| match o {
        Owner::Subnet(s) => Some(s),
        Owner::Node(n) => net.nodes.get(n).and_then(|x| x.behaviours.fabric_subnet),
    };
    match *to {
        Endpoint::Node(n) => o == Owner::Node(n),
        Endpoint::Subnet(s) => nic_subnet(o) == Some(s),
        Endpoint::Vnet(v) => nic_subnet(o)
            .and_then(|s| net.subnets.get(s))
            .is_some_and(|s| s.vnet == v),
        Endpoint::Prefix(_) | Endpoint::Address(_) => owners(net, d).contains(&o),
        Endpoint::Internet => net.internet.is_some_and(|i| o == Owner::Node(i)),
    }
}

fn good_end(net: &Network, vx: &Vertex, d: Ipv4Addr, to: &Endpoint) -> bool {
    matches!(vx, Vertex::Term(Term::Delivered(o)) if delivered_to(net, *o, d, to))
}

/// Destination representatives, one per distinct set of containing design prefixes
/// (addresses in the same prefixes are routed identically).
fn dedupe_by_signature(net: &Network, dests: Vec<Ipv4Addr>) -> Vec<Ipv4Addr> {
    let mentioned = crate::sim::classes::mentioned_prefixes(net);
    let mut seen: BTreeSet<Vec<Ipv4Net>> = BTreeSet::new();
    let mut out = Vec::new();
    for d in dests {
        let sig: Vec<Ipv4Net> = mentioned
            .iter()
            .filter(|p| p.contains(&d))
            .copied()
            .collect();
        if seen.insert(sig) {
            out.push(d);
        }
    }
    out
}

fn src_name(net: &Network, s: Src) -> String {
    match s {
        Src::Node(n) => node_name(net, n),
        Src::Subnet(s) => net
            .subnets
            .get(s)
            .map(|x| x.name.clone())
            .unwrap_or_default(),
    }
}

/// Not delivered to `to` (or a loop), or — for a waypoint goal — the goal's offence.
fn offends(
    net: &Network,
    g: &Graph,
    p: &ConcretePath,
    d: Ipv4Addr,
    to: &Endpoint,
    goal: PathGoal,
) -> bool {
    let delivered = p
        .delivered_to()
        .is_some_and(|o| delivered_to(net, o, d, to));
    match goal {
        PathGoal::Reach => !delivered,
        PathGoal::Traverse(w) => !delivered || !p.visits(g, w),
        PathGoal::Avoid(w) => p.visits(g, w),
    }
}

fn paths(
    enc: &mut Encoder<'_>,
    prover: &Prover,
    prop: &Property,
    from: &Endpoint,
    to: &Endpoint,
    goal: PathGoal,
) -> Answer {
    let net = enc.net;
    let Some(src) = endpoint_src(net, from) else {
        return Answer::Fail(Box::new(Counterexample {
            dropped: Vec::new(),
            narrative: "the source has no place in the design".into(),
            labels: vec![property_label(prop.span, "this property fails")],
            ..Counterexample::default()
        }));
    };
    let dests = dedupe_by_signature(net, crate::sim::props::destinations(net, from, to));
    let mut b = Builder::new(enc);
    let mut fresh = Fresh(0);
    let mut unknown: Option<String> = None;
    let mut per = Vec::new();
    for d in dests {
        let g = b.graph(d, &[src]);
        let (violation, cons) = match goal {
            PathGoal::Reach | PathGoal::Traverse(_) => {
                let none = BTreeSet::new();
                let (bad_end, w) = walk_exists(
                    &g,
                    &none,
                    |vx, _| matches!(vx, Vertex::Term(_)) && !good_end(net, vx, d, to),
                    &mut fresh,
                );
                let (lp, lc) = loop_in(&g, &w, &mut fresh);
                let mut claims = vec![bad_end, lp];
                let mut cons = vec![w.constraint, lc];
                if let PathGoal::Traverse(wp) = goal {
                    let watch: BTreeSet<NodeId> = [wp].into_iter().collect();
                    let (skip, w2) = walk_exists(
                        &g,
                        &watch,
                        |vx, flag| !flag && good_end(net, vx, d, to),
                        &mut fresh,
                    );
                    claims.push(skip);
                    cons.push(w2.constraint);
                }
                (Bool::or(&claims), Bool::and(&cons))
            }
            PathGoal::Avoid(wp) => {
                let watch: BTreeSet<NodeId> = [wp].into_iter().collect();
                let (hit, w) = walk_exists(
                    &g,
                    &watch,
                    |vx, flag| flag || *vx == Vertex::Term(Term::Unsupported),
                    &mut fresh,
                );
                (hit, w.constraint)
            }
        };
        let mut parts = vec![violation, cons];
        parts.extend(g.acts.iter().cloned());
        per.push((d, g, Bool::and(&parts)));
    }
    sync(prover, b.enc);
    if all_refuted(prover, &per) {
        return Answer::Pass;
    }
    for (d, g, v) in per {
        match prover.check_canonical(&v, &prefer_false(b.enc)) {
            Outcome::Proof => {}
            Outcome::Unknown(why) => {
                unknown.get_or_insert(why);
            }
            Outcome::Counterexample(m) => {
                let all = concrete_paths(&g, &m);
                if all.iter().any(ConcretePath::unsupported) {
                    unknown.get_or_insert(NESTED.into());
                    continue;
                }
                let bad: Vec<ConcretePath> = all
                    .into_iter()
                    .filter(|p| p.loops() || offends(net, &g, p, d, to, goal))
                    .collect();
                if bad.is_empty() {
                    unknown.get_or_insert(
                        "internal: the solver's counterexample could not be confirmed".into(),
                    );
                    continue;
                }
                if bad.iter().any(ConcretePath::unsupported) {
                    unknown.get_or_insert(NESTED.into());
                    continue;
                }
                if let Some(why) = route_limit_doubt(b.enc, &m, prop) {
                    unknown.get_or_insert(why);
                    continue;
                }
                let (failed, environment, mut labels) = scenario(b.enc, &m);
                let (routes, rl) = routes_of_paths(b.enc, &b.planes, &m, &g, &bad);
                labels.extend(rl);
                labels.push(property_label(prop.span, "this property fails"));
                let from_name = src_name(net, src);
                let cpaths: Vec<_> = bad
                    .iter()
                    .map(|p| cex_path(net, &g, p, &from_name, d))
                    .collect();
                let first = cpaths.first().cloned();
                let what = match goal {
                    PathGoal::Reach => "",
                    PathGoal::Traverse(w) => match first.as_ref() {
                        Some(p) if p.disposition == "delivered" => {
                            return Answer::Fail(Box::new(Counterexample {
 dropped: Vec::new(),
                                narrative: format!(
                                    "{}a packet from `{from_name}` to `{d}` is delivered without passing `{}`: {}",
                                    narrative_prefix(&failed, &environment),
                                    node_name(net, w),
                                    p.hops.join(" → ")
                                ),
                                failed,
                                environment,
                                paths: cpaths,
                                routes,
                                labels: tidy_labels(labels),
                            }));
                        }
                        _ => "",
                    },
                    PathGoal::Avoid(w) => {
                        return Answer::Fail(Box::new(Counterexample {
                            dropped: Vec::new(),
                            narrative: format!(
                                "{}a packet from `{from_name}` to `{d}` passes `{}`: {}",
                                narrative_prefix(&failed, &environment),
                                node_name(net, w),
                                first.map(|p| p.hops.join(" → ")).unwrap_or_default()
                            ),
                            failed,
                            environment,
                            paths: cpaths,
                            routes,
                            labels: tidy_labels(labels),
                        }));
                    }
                };
                let narrative = match first {
                    Some(p) => format!(
                        "{}a packet from `{from_name}` to `{d}` ends `{}`{}: {}",
                        narrative_prefix(&failed, &environment),
                        p.disposition,
                        what,
                        p.hops.join(" → ")
                    ),
                    None => String::new(),
                };
                return Answer::Fail(Box::new(Counterexample {
                    dropped: Vec::new(),
                    failed,
                    environment,
                    paths: cpaths,
                    routes,
                    labels: tidy_labels(labels),
                    narrative,
                }));
            }
        }
    }
    match unknown {
        Some(u) => Answer::Unknown(u),
        None => Answer::Pass,
    }
}

fn loop_free(enc: &mut Encoder<'_>, prover: &Prover, prop: &Property) -> Answer {
    let net = enc.net;
    let mut sources: Vec<Src> = net.nodes.ids().map(Src::Node).collect();
    sources.extend(net.subnets.ids().map(Src::Subnet));
    let classes: Vec<Ipv4Addr> = crate::sim::destination_classes(net, &[])
        .iter()
        .map(|c| c.representative())
        .collect();
    let dests = dedupe_by_signature(net, classes);
    let mut b = Builder::new(enc);
    let mut fresh = Fresh(0);
    let mut unknown: Option<String> = None;
    let mut per = Vec::new();
    for d in dests {
        let g = b.graph(d, &sources);
        let none = BTreeSet::new();
        let (uns, w) = walk_exists(
            &g,
            &none,
            |vx, _| matches!(vx, Vertex::Term(Term::Unsupported | Term::Recursion)),
            &mut fresh,
        );
        let (claim, cons) = loop_in(&g, &w, &mut fresh);
        let mut parts = vec![Bool::or(&[claim, uns]), cons, w.constraint];
        parts.extend(g.acts.iter().cloned());
        per.push((d, g, Bool::and(&parts)));
    }
    sync(prover, b.enc);
    if all_refuted(prover, &per) {
        return Answer::Pass;
    }
    for (d, _g, v) in per {
        match prover.check_canonical(&v, &prefer_false(b.enc)) {
            Outcome::Proof => {}
            Outcome::Unknown(why) => {
                unknown.get_or_insert(why);
            }
            Outcome::Counterexample(m) => {
                // Show the looping walks from the first source that has one.
                let mut shown: Vec<(Src, Vec<ConcretePath>, Graph)> = Vec::new();
                for s in &sources {
                    let gs = b.graph(d, &[*s]);
                    let loops: Vec<ConcretePath> = concrete_paths(&gs, &m)
                        .into_iter()
                        .filter(ConcretePath::loops)
                        .collect();
                    if !loops.is_empty() {
                        shown.push((*s, loops, gs));
                        break;
                    }
                }
                if shown.is_empty()
                    && sources.iter().any(|s| {
                        concrete_paths(&b.graph(d, &[*s]), &m)
                            .iter()
                            .any(ConcretePath::unsupported)
                    })
                {
                    unknown.get_or_insert(NESTED.into());
                    continue;
                }
                let Some((s, loops, gs)) = shown.pop() else {
                    unknown.get_or_insert(
                        "internal: the solver's counterexample could not be confirmed".into(),
                    );
                    continue;
                };
                if let Some(why) = route_limit_doubt(b.enc, &m, prop) {
                    unknown.get_or_insert(why);
                    continue;
                }
                let (failed, environment, mut labels) = scenario(b.enc, &m);
                let (routes, rl) = routes_of_paths(b.enc, &b.planes, &m, &gs, &loops);
                labels.extend(rl);
                labels.push(property_label(prop.span, "this property fails"));
                let from_name = src_name(net, s);
                let cpaths: Vec<_> = loops
                    .iter()
                    .map(|p| cex_path(net, &gs, p, &from_name, d))
                    .collect();
                let narrative = format!(
                    "{}a packet from `{from_name}` to `{d}` loops: {}",
                    narrative_prefix(&failed, &environment),
                    cpaths
                        .first()
                        .map(|p| p.hops.join(" → "))
                        .unwrap_or_default()
                );
                return Answer::Fail(Box::new(Counterexample {
                    dropped: Vec::new(),
                    failed,
                    environment,
                    paths: cpaths,
                    routes,
                    labels: tidy_labels(labels),
                    narrative,
                }));
            }
        }
    }
    match unknown {
        Some(u) => Answer::Unknown(u),
        None => Answer::Pass,
    }
}

fn symmetric(
    enc: &mut Encoder<'_>,
    prover: &Prover,
    prop: &Property,
    a: &Endpoint,
    bep: &Endpoint,
) -> Answer {
    let net = enc.net;
    let (Some(sa), Some(sb)) = (endpoint_src(net, a), endpoint_src(net, bep)) else {
        return Answer::Fail(Box::new(Counterexample {
            dropped: Vec::new(),
            narrative: "an endpoint has no place in the design".into(),
            labels: vec![property_label(prop.span, "this property fails")],
            ..Counterexample::default()
        }));
    };
    let to_b = dedupe_by_signature(net, crate::sim::props::destinations(net, a, bep));
    let to_a = dedupe_by_signature(net, crate::sim::props::destinations(net, bep, a));
    let nvas: Vec<NodeId> = net
        .nodes
        .iter()
        .filter(|(_, n)| n.behaviours.fabric_subnet.is_some())
        .map(|(id, _)| id)
        .collect();
    let mut b = Builder::new(enc);
    // One HA-ports internal load balancer gives both directions of a flow to the same
    // backend (load-balancer/load-balancer-ha-ports-overview.md, "Flow symmetry"):
    // one backend choice per load balancer, shared by both directions' graphs.
    b.pins = (0..net.load_balancers.len())
        .map(|i| (i, z3::ast::Int::new_const(format!("lb_pin_{i}"))))
        .collect();
    let mut fresh = Fresh(0);
    let mut unknown: Option<String> = None;
    let mut graphs_b: BTreeMap<Ipv4Addr, Graph> = BTreeMap::new();
    for d in &to_b {
        graphs_b.insert(*d, b.graph(*d, &[sa]));
    }
    let mut graphs_a: BTreeMap<Ipv4Addr, Graph> = BTreeMap::new();
    for d in &to_a {
        graphs_a.insert(*d, b.graph(*d, &[sb]));
    }
    sync(prover, b.enc);
    // Per graph, once: a bad walk or loop; and per NVA it can visit, a delivered walk
    // through it and one around it.
    struct Walks {
        cons: Bool,
        bad: Bool,
        with: BTreeMap<NodeId, Bool>,
        without: BTreeMap<NodeId, Bool>,
    }
    let walks = |g: &Graph, d: Ipv4Addr, to: &Endpoint, fresh: &mut Fresh| -> Walks {
        let none = BTreeSet::new();
        let (bad, w) = walk_exists(
            g,
            &none,
            |vx, _| matches!(vx, Vertex::Term(_)) && !good_end(net, vx, d, to),
            fresh,
        );
        let (lp, lc) = loop_in(g, &w, fresh);
        let mut cons = vec![w.constraint];
        cons.push(lc);
        let mut with = BTreeMap::new();
        let mut without = BTreeMap::new();
        let visited: BTreeSet<NodeId> =
            (0..g.vertices.len()).filter_map(|v| g.node_of(v)).collect();
        // An NVA this graph never visits is avoided by every delivered walk: "a
        // delivered walk around it" is then "a delivered walk". (Leaving it out of
        // `without` made an NVA on one direction only invisible to `differ`.)
        let (delivered, wd) = walk_exists(g, &none, |vx, _| good_end(net, vx, d, to), fresh);
        cons.push(wd.constraint);
        for x in nvas.iter().filter(|x| !visited.contains(x)) {
            without.insert(*x, delivered.clone());
        }
        for x in nvas.iter().filter(|x| visited.contains(x)) {
            let watch: BTreeSet<NodeId> = [*x].into_iter().collect();
            let (yes, w1) = walk_exists(g, &watch, |vx, f| f && good_end(net, vx, d, to), fresh);
            let (no, w2) = walk_exists(g, &watch, |vx, f| !f && good_end(net, vx, d, to), fresh);
            cons.push(w1.constraint);
            cons.push(w2.constraint);
            with.insert(*x, yes);
            without.insert(*x, no);
        }
        Walks {
            cons: Bool::and(&cons),
            bad: Bool::or(&[bad, lp]),
            with,
            without,
        }
    };
    let wb: BTreeMap<Ipv4Addr, Walks> = graphs_b
        .iter()
        .map(|(d, g)| (*d, walks(g, *d, bep, &mut fresh)))
        .collect();
    let wa: BTreeMap<Ipv4Addr, Walks> = graphs_a
        .iter()
        .map(|(d, g)| (*d, walks(g, *d, a, &mut fresh)))
        .collect();
    let differ = |w1: &Walks, w2: &Walks| -> Bool {
        let mut claims = Vec::new();
        for x in &nvas {
            let f = Bool::from_bool(false);
            let get = |m: &BTreeMap<NodeId, Bool>| m.get(x).cloned().unwrap_or_else(|| f.clone());
            claims.push(Bool::and(&[get(&w1.with), get(&w2.without)]));
            claims.push(Bool::and(&[get(&w1.without), get(&w2.with)]));
        }
        Bool::or(&claims)
    };
    let mut per = Vec::new();
    for (d1, w1) in &wb {
        for (d2, w2) in &wa {
            let mut parts = vec![
                Bool::or(&[w1.bad.clone(), w2.bad.clone(), differ(w1, w2)]),
                w1.cons.clone(),
                w2.cons.clone(),
            ];
            for g in [graphs_b.get(d1), graphs_a.get(d2)].into_iter().flatten() {
                parts.extend(g.acts.iter().cloned());
            }
            per.push((*d1, *d2, Bool::and(&parts)));
        }
    }
    for (d1, d2, v) in per {
        let (Some(g1), Some(g2)) = (graphs_b.get(&d1), graphs_a.get(&d2)) else {
            continue;
        };
        let (d1, d2) = (&d1, &d2);
        {
            match prover.check_canonical(&v, &prefer_false(b.enc)) {
                Outcome::Proof => {}
                Outcome::Unknown(why) => {
                    unknown.get_or_insert(why);
                }
                Outcome::Counterexample(m) => {
                    let p1 = concrete_paths(g1, &m);
                    let p2 = concrete_paths(g2, &m);
                    let nva_set = |g: &Graph, p: &ConcretePath| -> BTreeSet<NodeId> {
                        p.nodes(g).filter(|n| nvas.contains(n)).collect()
                    };
                    let undelivered = |_g: &Graph, p: &ConcretePath, d: Ipv4Addr, to: &Endpoint| {
                        !p.delivered_to()
                            .is_some_and(|o| delivered_to(net, o, d, to))
                    };
                    let any_bad = p1.iter().any(|p| undelivered(g1, p, *d1, bep))
                        || p2.iter().any(|p| undelivered(g2, p, *d2, a));
                    let sets: BTreeSet<BTreeSet<NodeId>> = p1
                        .iter()
                        .map(|p| nva_set(g1, p))
                        .chain(p2.iter().map(|p| nva_set(g2, p)))
                        .collect();
                    if !any_bad && sets.len() <= 1 {
                        unknown.get_or_insert(
                            "internal: the solver's counterexample could not be confirmed".into(),
                        );
                        continue;
                    }
                    if p1.iter().chain(&p2).any(ConcretePath::unsupported) {
                        unknown.get_or_insert(NESTED.into());
                        continue;
                    }
                    if let Some(why) = route_limit_doubt(b.enc, &m, prop) {
                        unknown.get_or_insert(why);
                        continue;
                    }
                    let (failed, environment, mut labels) = scenario(b.enc, &m);
                    let (mut routes, rl) = routes_of_paths(b.enc, &b.planes, &m, g1, &p1);
                    labels.extend(rl);
                    let (r2, rl2) = routes_of_paths(b.enc, &b.planes, &m, g2, &p2);
                    routes.extend(r2);
                    labels.extend(rl2);
                    labels.push(property_label(prop.span, "this property fails"));
                    let (na, nb) = (src_name(net, sa), src_name(net, sb));
                    let mut cpaths: Vec<_> =
                        p1.iter().map(|p| cex_path(net, g1, p, &na, *d1)).collect();
                    cpaths.extend(p2.iter().map(|p| cex_path(net, g2, p, &nb, *d2)));
                    let narrative = if any_bad {
                        format!(
                            "{}a packet between `{na}` and `{nb}` is not delivered",
                            narrative_prefix(&failed, &environment)
                        )
                    } else {
                        format!(
                            "{}packets from `{na}` to `{d1}` and from `{nb}` to `{d2}` pass different NVAs",
                            narrative_prefix(&failed, &environment)
                        )
                    };
                    return Answer::Fail(Box::new(Counterexample {
                        dropped: Vec::new(),
                        failed,
                        environment,
                        paths: cpaths,
                        routes,
                        labels: tidy_labels(labels),
                        narrative,
                    }));
                }
            }
        }
    }
    match unknown {
        Some(u) => Answer::Unknown(u),
        None => Answer::Pass,
    }
}
