//! Properties decided by the simulator when the encoding cannot be trusted with them
//! (a route limit the design's own prefixes could exceed).

use super::verdict;
use crate::ir::{Network, NodeId, Property};
use crate::smt::model::{property_label, tidy_labels};
use crate::smt::{Counterexample, PropertyVerdict, Status};

/// A property without an environment decided by the simulator (`sim::evaluate_with_failures`:
/// every allowed failure set, sessions over their route limits dropped). A violation
/// names, in its narrative and `dropped`, every session a route limit drops in the
/// violating scenario (the session, the direction, the count and the limit); no stable
/// state is `unknown`.
pub(super) fn decide_concretely(net: &Network, prop: &Property) -> PropertyVerdict {
    use crate::sim::{self, PropertyOutcome};
    let name = |n: NodeId| crate::sim::source_name(net, crate::sim::Source::Node(n));
    match sim::evaluate_with_failures(net, prop).outcome {
        PropertyOutcome::Holds => verdict(prop, Status::Pass, None),
        PropertyOutcome::Inconclusive(why) => verdict(prop, Status::Unknown(why), None),
        PropertyOutcome::NoStableState {
            non_convergence, ..
        } => verdict(
            prop,
            Status::Unknown(format!(
                "no stable state: {} prefix(es) never converge",
                non_convergence.oscillations.len()
            )),
            None,
        ),
        PropertyOutcome::Violated(cx) => {
            let sc = crate::sim::Scenario::new(
                prop.without
                    .iter()
                    .copied()
                    .chain(cx.failed.iter().copied()),
            );
            let dropped_sessions = sim::stable_state(net, &sc)
                .map(|st| st.dropped)
                .unwrap_or_default();
            let mut dropped = Vec::new();
            let mut notes = Vec::new();
            let mut labels = vec![property_label(prop.span, "this property does not hold")];
            for d in &dropped_sessions {
                let Some(e) = net.edges.get(d.edge) else {
                    continue;
                };
                let (from, to) = (name(e.from), name(e.to));
                notes.push(format!(
                    "the session `{from}`–`{to}` is dropped: `{to}` receives {} prefixes from `{from}`, over its limit of {}",
                    d.accepted, d.limit.max
                ));
                labels.push(crate::smt::CexLabel {
                    span: e.span,
                    message: format!(
                        "`{to}` receives {} prefixes over this session: over its limit of {}, it is dropped",
                        d.accepted, d.limit.max
                    ),
                });
                dropped.push(crate::smt::DroppedSession {
                    node: from.clone(),
                    session: [from, to],
                    limit: d.limit.max,
                    announced: d.accepted,
                    within: String::new(),
                    prefixes: Vec::new(),
                    spans: (e.span, d.limit.span),
                });
            }
            let paths = cx
                .paths
                .iter()
                .map(|p| crate::smt::CexPath {
                    from: crate::sim::source_name(net, p.from),
                    to: p.to.to_string(),
                    disposition: p.disposition.as_str().to_string(),
                    hops: p.hops.iter().map(|h| name(h.node)).collect(),
                })
                .collect();
            let routes = cx
                .routes
                .iter()
                .map(|w| crate::smt::CexRoute {
                    node: name(w.node),
                    prefix: w.route.prefix.to_string(),
                    as_path: w.route.as_path.clone(),
                    from: w.route.from_node(net).map(name),
                })
                .collect();
            let mut narrative = cx.explanation.clone();
            for n in notes {
                narrative = format!("{n}; {narrative}");
            }
            let failed = cx
                .failed
                .iter()
                .filter_map(|c| net.components.get(*c).map(|x| x.name.clone()))
                .collect();
            verdict(
                prop,
                Status::Fail,
                Some(Counterexample {
                    failed,
                    environment: Vec::new(),
                    paths,
                    routes,
                    labels: tidy_labels(labels),
                    narrative,
                    dropped,
                }),
            )
        }
    }
}

/// Route limits (`max_routes`) are not encoded: a design whose own prefixes could
/// exceed one is decided by the simulator ([`decide_concretely`]), or is `unknown`
/// with an environment. (What an environment adds is the scenario's `flood` choice.)
pub(super) fn route_limit_risk(net: &Network) -> Option<String> {
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
