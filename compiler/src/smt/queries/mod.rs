//! One function per property kind (semantics.md §4). Each builds the violation of
//! its property over the encoding, asks the prover per destination class (one solver,
//! push/pop per question), and turns a model into a counterexample.
//!
//! A counterexample is always re-checked on the model's concrete forwarding graph
//! before it is reported; if it does not show the violation (which would be a bug of
//! the encoding), or it relies on what the encoding does not cover (nested tunnels),
//! the verdict is `unknown`, never a wrong `fail`.

mod concrete;
mod limits;
mod loops;
mod never;
mod reach;
mod symmetric;

pub(crate) use concrete::{as_set_risk, med_risk};
use concrete::{decide_concretely, recursive_tunnel_risk, route_limit_risk};
use limits::{flood_possible, route_limit};
use loops::loop_free;
use never::never;
use reach::{paths, PathGoal};
use symmetric::symmetric;

use super::encode::Encoder;
use super::model::tidy_labels;
use super::prover::{Outcome, Prover};
use super::stability::Stability;
use super::{Counterexample, PropertyVerdict, Status};
use crate::budget::{Budget, ENCODING_TIMEOUT};
use crate::ir::{Network, Property, PropertyKind};
use crate::sim::DroppedSession;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::time::{Duration, Instant};
use z3::ast::Bool;

/// Verifies one property line within `timeout` (no memory budget).
pub fn verify_property(net: &Network, prop: &Property, timeout: Duration) -> PropertyVerdict {
    let now = Instant::now();
    let deadline = now.checked_add(timeout).unwrap_or(now);
    let mut out = verify_properties(net, &[prop], &|_| deadline, u64::MAX);
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
/// check: the caller knows which check a line belongs to). `max_memory` is the
/// process's memory budget in bytes (`--max-memory`; `u64::MAX`: none). The deadline
/// and the budget bound the encoding as well as the solver ([`crate::budget`]): a line
/// whose encoding runs out of either is `unknown` with the reason.
pub fn verify_properties(
    net: &Network,
    props: &[&Property],
    deadline: &dyn Fn(usize) -> Instant,
    max_memory: u64,
) -> Vec<PropertyVerdict> {
    // Sessions over their route limit whenever they are up, in every scenario a line
    // allows, are down in every stable state of the line (`sim::limits`): each line is
    // asked with them removed (`without`, which both engines honour as the session
    // being down), and its counterexample names them.
    let mut certain_by_scope: BTreeMap<LineScope, Rc<Vec<DroppedSession>>> = BTreeMap::new();
    let certain: Vec<Rc<Vec<DroppedSession>>> = props
        .iter()
        .map(|p| {
            certain_by_scope
                .entry(LineScope::of(p))
                .or_insert_with(|| Rc::new(certainly_dropped_for(net, p)))
                .clone()
        })
        .collect();
    let sessions_of = |i: usize| -> Vec<crate::ir::SessionId> {
        certain
            .get(i)
            .map(|c| c.iter().map(|d| d.session).collect())
            .unwrap_or_default()
    };
    let originals = props;
    let owned: Vec<Property> = props
        .iter()
        .enumerate()
        .map(|(i, p)| without_sessions(net, p, &sessions_of(i)))
        .collect();
    let props: Vec<&Property> = owned.iter().collect();
    let props = props.as_slice();
    let mut out: Vec<Option<PropertyVerdict>> = props.iter().map(|_| None).collect();
    let mut done = vec![false; props.len()];
    let last = (0..props.len()).map(deadline).max();
    let late = || last.is_some_and(|d| Instant::now() >= d);
    let global_risk = as_set_risk(net)
        .or_else(|| recursive_tunnel_risk(net))
        .or_else(|| med_risk(net));
    type Risk = Result<Option<String>, String>;
    let mut limit_risk: BTreeMap<Vec<crate::ir::SessionId>, Risk> = BTreeMap::new();
    for (i, p) in originals.iter().enumerate() {
        let down = sessions_of(i);
        let risk = limit_risk
            .entry(down.clone())
            .or_insert_with(|| route_limit_risk(net, &down, &late))
            .clone();
        let risk = match risk {
            Ok(r) => r.or_else(|| global_risk.clone()),
            Err(why) => {
                // Out of time before the route-limit bound was complete.
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(verdict(p, Status::Unknown(why), None));
                }
                if let Some(d) = done.get_mut(i) {
                    *d = true;
                }
                continue;
            }
        };
        let Some(why) = risk else { continue };
        // The design's own prefixes could exceed a route limit, which the encoding does
        // not model (or another risk above). Without an environment the simulator
        // decides where its stable state is certified unique in every scenario (then no
        // limit is within reach of any stable state), and otherwise can refute (a
        // violation in its stable state is one in a stable state) but not prove; with
        // one, the property stays `unknown`. The simulator drops the certain sessions
        // itself (and names them).
        let Some(slot) = out.get_mut(i) else { continue };
        *slot = Some(if p.assumptions.is_empty() {
            match decide_concretely(net, p, &why) {
                Answer::Pass => verdict(p, Status::Pass, None),
                Answer::Fail(c) => verdict(p, Status::Fail, Some(*c)),
                Answer::Unknown(why) => verdict(p, Status::Unknown(why), None),
            }
        } else {
            verdict(p, Status::Unknown(why.clone()), None)
        });
        if let Some(d) = done.get_mut(i) {
            *d = true;
        }
    }
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
        let Some(d0) = members.first().map(|j| deadline(*j)) else {
            continue;
        };
        let mut session = Session::new(net, first, d0, max_memory);
        let mut passed = Vec::new();
        let mut last = Instant::now();
        for &j in &members {
            if let Some(slot) = done.get_mut(j) {
                *slot = true;
            }
            let Some(prop) = props.get(j) else { continue };
            let d = deadline(j);
            if let Some(why) = session.budget.spent() {
                // The shared encoding is unfinished: a line of a check with time left
                // starts afresh, alone; otherwise it is out of time or memory too.
                let v = if why == ENCODING_TIMEOUT && d > Instant::now() {
                    alone(net, prop, d, max_memory)
                } else {
                    verdict(prop, Status::Unknown(why), None)
                };
                if let Some(slot) = out.get_mut(j) {
                    *slot = Some(v);
                }
                continue;
            }
            last = last.max(d);
            session.budget.set_deadline(d);
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
        session.budget.set_deadline(last);
        let settled = session.settle(first.failures);
        for j in passed {
            let Some(prop) = props.get(j) else { continue };
            let v = match &settled {
                Ok(()) => verdict(prop, Status::Pass, None),
                // The shared planes do not settle: ask again alone, so that only this
                // property's own planes count.
                Err(_) if members.len() > 1 => alone(net, prop, deadline(j), max_memory),
                Err(why) => verdict(prop, Status::Unknown(why.clone()), None),
            };
            if let Some(slot) = out.get_mut(j) {
                *slot = Some(v);
            }
        }
    }
    out.into_iter()
        .zip(originals)
        .enumerate()
        .map(|(i, (v, p))| {
            let mut v = v.unwrap_or_else(|| {
                verdict(
                    p,
                    Status::Unknown("the verifier stopped unexpectedly".into()),
                    None,
                )
            });
            if let Some(c) = v.counterexample.as_mut() {
                if let Some(certain) = certain.get(i) {
                    name_certain_drops(net, p, certain, c);
                }
            }
            v
        })
        .collect()
}

/// What decides which sessions are certainly dropped for a line: its `without`, what
/// `under failures` may take down, and whether it has an environment.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct LineScope {
    without: Vec<crate::ir::ComponentId>,
    failures: u32,
    scope: Option<Vec<crate::ir::ComponentId>>,
    environment: bool,
}

impl LineScope {
    fn of(p: &Property) -> LineScope {
        LineScope {
            without: p.without.clone(),
            failures: p.failures,
            scope: p.failure_scope.clone(),
            environment: !p.assumptions.is_empty(),
        }
    }
}

/// The sessions over their route limit in every stable state of every scenario
/// `prop` allows (`sim::limits::certainly_dropped_in`): a component is possibly down
/// when the line removes it (`without`) or may fail it (`under failures`); with an
/// environment only a sender's own routes count.
fn certainly_dropped_for(net: &Network, prop: &Property) -> Vec<DroppedSession> {
    let unreliable = |c: crate::ir::ComponentId| {
        prop.without.contains(&c)
            || (prop.failures > 0
                && net
                    .components
                    .get(c)
                    .is_some_and(|x| prop.may_fail(c, x.kind)))
    };
    crate::sim::limits::certainly_dropped_in(net, &unreliable, !prop.assumptions.is_empty())
}

/// `prop` with the sessions of `sessions` (each down in every stable state) added to
/// its `without`.
fn without_sessions(net: &Network, prop: &Property, sessions: &[crate::ir::SessionId]) -> Property {
    let mut p = prop.clone();
    if sessions.is_empty() {
        return p;
    }
    p.without.extend(
        sessions
            .iter()
            .filter_map(|s| net.sessions.get(*s).map(|x| x.component)),
    );
    p.without.sort();
    p.without.dedup();
    p
}

/// Adds to counterexample `c` of `prop` the sessions of `certain` (over their route
/// limit whenever up) that it does not name yet and that are not down anyway in it (a
/// `without` of the line's own, or a failed component): in its `dropped`, narrative and
/// labels, as the simulator reports them in the counterexample's scenario.
fn name_certain_drops(
    net: &Network,
    prop: &Property,
    certain: &[crate::sim::DroppedSession],
    c: &mut Counterexample,
) {
    let down_anyway = |d: &crate::sim::DroppedSession| {
        let session = net.sessions.get(d.session).map(|s| s.component);
        let requires = net.edges.get(d.edge).map(|e| e.requires.as_slice());
        session
            .into_iter()
            .chain(requires.into_iter().flatten().copied())
            .any(|x| {
                prop.without.contains(&x)
                    || net
                        .components
                        .get(x)
                        .is_some_and(|comp| c.failed.contains(&comp.name))
            })
    };
    let mut shown: Vec<crate::sim::DroppedSession> = certain
        .iter()
        .filter(|d| !down_anyway(d))
        .cloned()
        .collect();
    if !shown.is_empty() {
        // Named as the simulator names them in the counterexample's scenario (which
        // edge, how many prefixes its receiver accepted when it dropped the session):
        // the must-analysis' count is only a lower bound of that.
        let down = prop.without.iter().copied().chain(
            net.components
                .iter()
                .filter(|(_, comp)| c.failed.contains(&comp.name))
                .map(|(id, _)| id),
        );
        if let Ok(st) = crate::sim::stable_state(net, &crate::sim::Scenario::new(down)) {
            for d in shown.iter_mut() {
                if let Some(x) = st.dropped.iter().find(|x| x.session == d.session) {
                    *d = x.clone();
                }
            }
        }
    }
    let (dropped, notes, labels) = super::model::limit_drops(net, &shown);
    let mut added = false;
    for ((d, n), l) in dropped.into_iter().zip(notes).zip(labels) {
        if c.dropped.iter().any(|x| x.session == d.session) {
            continue;
        }
        c.narrative = format!("{n}; {}", c.narrative);
        c.labels.push(l);
        c.dropped.push(d);
        added = true;
    }
    if added {
        c.labels = tidy_labels(std::mem::take(&mut c.labels));
    }
}

/// One line in a session of its own: asked, then its planes checked for a stable state.
fn alone(net: &Network, prop: &Property, deadline: Instant, max_memory: u64) -> PropertyVerdict {
    let mut session = Session::new(net, prop, deadline, max_memory);
    match session.ask(prop) {
        Answer::Pass => match session.settle(prop.failures) {
            Ok(()) => verdict(prop, Status::Pass, None),
            Err(why) => verdict(prop, Status::Unknown(why), None),
        },
        Answer::Fail(c) => verdict(prop, Status::Fail, Some(*c)),
        Answer::Unknown(why) => verdict(prop, Status::Unknown(why), None),
    }
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

/// Same failures, removed components and environment (the same `assume` lines).
fn same_scenario(a: &Property, b: &Property) -> bool {
    a.failures == b.failures
        && a.failure_scope == b.failure_scope
        && a.without == b.without
        && a.assumptions == b.assumptions
}

/// One scenario's encoding and solver, asked property after property, within one
/// budget of time and memory that both share.
pub struct Session<'n> {
    enc: Encoder<'n>,
    prover: Prover,
    budget: Rc<Budget>,
}

impl<'n> Session<'n> {
    /// A session for `scenario`'s failures, `without` and `assume` lines, until
    /// `deadline` (moved per line), with `max_memory` bytes for the process.
    pub fn new(
        net: &'n Network,
        scenario: &Property,
        deadline: Instant,
        max_memory: u64,
    ) -> Session<'n> {
        let budget = Rc::new(Budget::new(deadline, max_memory));
        let enc = Encoder::with_budget(net, scenario, budget.clone());
        let mut prover = Prover::with_budget(budget.clone());
        prover.watch(&enc);
        Session {
            enc,
            prover,
            budget,
        }
    }

    /// The property's own question (its violation in a push/pop frame). Whatever the
    /// question concluded, an encoding that ran out of time or memory makes it
    /// `unknown` (its facts may be incomplete).
    fn ask(&mut self, prop: &Property) -> Answer {
        let answer = self.ask_within(prop);
        match self.budget.spent() {
            Some(why) => Answer::Unknown(why),
            None => answer,
        }
    }

    fn ask_within(&mut self, prop: &Property) -> Answer {
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
                if flood_possible(self.enc.net, prop, s, &self.budget) == Some(false) {
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
        let answer = match answer {
            Answer::Fail(c) if !self.enc.imprecise.borrow().is_empty() => self.exact_fail(prop, c),
            other => other,
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

    /// A counterexample `found` on an encoding that over-approximates somewhere
    /// ([`Encoder::imprecise`]) stands only if the question still fails with every
    /// over-approximated transfer exact (every flag false in every check,
    /// [`Prover::set_exact_only`]); otherwise the answer is `unknown`. A proof needs no
    /// such step.
    fn exact_fail(&mut self, prop: &Property, found: Box<super::Counterexample>) -> Answer {
        self.enc.drops.clear();
        self.enc.doubted.clear();
        self.prover.set_exact_only(true);
        let exact = self.question(prop);
        self.prover.set_exact_only(false);
        match exact {
            Answer::Fail(c) => Answer::Fail(c),
            Answer::Unknown(why) => Answer::Unknown(why),
            Answer::Pass => {
                drop(found);
                Answer::Unknown(
                    "every counterexample rests on which private ASNs lead an AS path after `remove_as`/`replace_as` (AVS sees only leading private ASNs stripped), which the SMT engine's per-ASN counts cannot order".to_string(),
                )
            }
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
        self.prover.sync(&mut self.enc);
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

enum Answer {
    Pass,
    Fail(Box<Counterexample>),
    Unknown(String),
}
