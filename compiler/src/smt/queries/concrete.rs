//! Route limits the design's own prefixes could reach: the encoding does not model
//! them, so such a property is decided by the simulator, which is exact for one
//! stable state — enough to refute, not to prove (another stable state may exist).

use super::Answer;
use crate::ir::{Network, NodeId, Property, SessionId};
use crate::sim::failure_sets::{count_sets, next_combination};
use crate::smt::model::{property_label, tidy_labels};
use crate::smt::Counterexample;
use std::collections::{BTreeMap, BTreeSet};

/// A property without an environment whose design could exceed a route limit
/// (`risk` says which), decided by the simulator (`sim::evaluate_with_failures`: every
/// allowed failure set, sessions over their route limits dropped).
///
/// A violation in the simulator's stable state is a violation in a stable state, so it
/// is a `fail`; it names, in its narrative and `dropped`, every session a route limit
/// drops in the violating scenario (the session, the direction, the count and the
/// limit). The property holding there is a proof only where that state is the only
/// stable state: `sim::unique::certify` must show it in every allowed scenario (it does
/// only when no stable state can reach a route limit); otherwise — BGP can have several
/// stable states and the encoding does not model route limits — the verdict is
/// `unknown`. No stable state is `unknown` too.
pub(super) fn decide_concretely(net: &Network, prop: &Property, risk: &str) -> Answer {
    use crate::sim::{self, PropertyOutcome};
    let name = |n: NodeId| crate::sim::source_name(net, crate::sim::Source::Node(n));
    match sim::evaluate_with_failures(net, prop).outcome {
        PropertyOutcome::Holds if prop.assumptions.is_empty() && unique_everywhere(net, prop) => {
            Answer::Pass
        }
        PropertyOutcome::Holds => Answer::Unknown(format!(
            "{risk}; the property holds in the simulator's stable state, but with a route limit in reach that state is not proved to be the only one"
        )),
        PropertyOutcome::Inconclusive(why) => Answer::Unknown(why),
        PropertyOutcome::NoStableState {
            non_convergence, ..
        } => Answer::Unknown(format!(
            "no stable state: {} prefix(es) never converge",
            non_convergence.oscillations.len()
        )),
        PropertyOutcome::Violated(cx) => {
            let sc = crate::sim::Scenario::new(
                prop.without
                    .iter()
                    .copied()
                    .chain(cx.failed.iter().copied()),
            );
            let (dropped_sessions, recursive) = sim::stable_state(net, &sc)
                .map(|st| (st.dropped, st.recursive))
                .unwrap_or_default();
            let (dropped, mut notes, drop_labels) =
                crate::smt::model::limit_drops(net, &dropped_sessions);
            let mut labels = vec![property_label(prop.span, "this property does not hold")];
            labels.extend(drop_labels);
            for r in &recursive {
                let Some(t) = net.tunnels.get(r.tunnel) else {
                    continue;
                };
                let end = name(r.end);
                notes.push(format!(
                    "tunnel `{}` is down: `{end}` routes its outer packets for `{}` by `{}`, learned over the tunnel itself (recursive routing), so the sessions over it are down",
                    t.name, r.outer, r.prefix
                ));
                labels.push(crate::smt::CexLabel {
                    span: t.span,
                    message: format!(
                        "down: `{end}` routes the outer packets for `{}` into this tunnel by `{}`",
                        r.outer, r.prefix
                    ),
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
                    as_set: w.route.as_set.clone(),
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
            Answer::Fail(Box::new(Counterexample {
                failed,
                environment: Vec::new(),
                paths,
                routes,
                labels: tidy_labels(labels),
                narrative,
                dropped,
            }))
        }
    }
}

/// Whether, in every scenario `prop` allows (its `without`, each failure set of `under
/// failures`, at most [`MAX_SCENARIOS`] of them), the simulator's stable state is the
/// only one: `sim::unique::certify` gives [`Certificate::Unique`] — which it only does
/// when no session is dropped and no stable state can push one over its limit (its
/// `RouteLimits` answer otherwise), so route limits play no part there.
fn unique_everywhere(net: &Network, prop: &Property) -> bool {
    use crate::sim::unique::{certify, Certificate};
    let failable = prop.failable(net);
    let k = (prop.failures as usize).min(failable.len());
    if count_sets(failable.len(), k, MAX_SCENARIOS) > MAX_SCENARIOS {
        return false;
    }
    for size in 0..=k {
        let mut combo: Vec<usize> = (0..size).collect();
        loop {
            let down = prop
                .without
                .iter()
                .copied()
                .chain(combo.iter().filter_map(|i| failable.get(*i).copied()));
            let sc = crate::sim::Scenario::new(down);
            let unique = crate::sim::stable_state(net, &sc)
                .is_ok_and(|st| certify(net, &sc, &st) == Certificate::Unique);
            if !unique {
                return false;
            }
            if !next_combination(&mut combo, failable.len()) {
                break;
            }
        }
    }
    true
}

/// Tunnels an end could route through themselves ([`crate::sim::underlay`]): the
/// encoding does not model a session that goes down with the routes it carries, so
/// such a design is decided by the simulator ([`decide_concretely`]), or is `unknown`
/// with an environment.
///
/// The risk exists when an end outside a VNet has a session over the tunnel and some
/// node originates (or default-originates) a prefix holding the far end's outer
/// address that is longer than every static route of that end covering it: only then
/// can a route learned over the tunnel carry the outer packets, whatever the policies.
pub(super) fn recursive_tunnel_risk(net: &Network) -> Option<String> {
    let mut originated: BTreeSet<ipnet::Ipv4Net> = net
        .nodes
        .values()
        .flat_map(|n| n.originates.iter().map(|o| o.prefix))
        .collect();
    if net.edges.values().any(|e| e.default_originate.is_some()) {
        originated.insert(ipnet::Ipv4Net::default());
    }
    for (t, tun) in net.tunnels.iter() {
        for (end, far) in [(tun.a, tun.b), (tun.b, tun.a)] {
            let Some(node) = net.nodes.get(end) else {
                continue;
            };
            if node.behaviours.fabric_subnet.is_some()
                || !net
                    .edges
                    .values()
                    .any(|e| e.tunnel == Some(t) && e.to == end)
            {
                continue;
            }
            let Some(outer) = net.tunnel_end_address(t, far) else {
                continue;
            };
            let static_len = node
                .statics
                .iter()
                .filter(|s| s.prefix.contains(&outer))
                .map(|s| s.prefix.prefix_len())
                .max();
            if let Some(p) = originated
                .iter()
                .filter(|p| p.contains(&outer))
                .find(|p| static_len.is_none_or(|l| p.prefix_len() > l))
            {
                return Some(format!(
                    "`{}` could route the outer packets of tunnel `{}` (for `{outer}`) into the tunnel itself by a route for `{p}` learned over it: recursive routing is not encoded",
                    node.name, tun.name
                ));
            }
        }
    }
    None
}

/// The most failure sets [`unique_everywhere`] simulates and certifies.
const MAX_SCENARIOS: u64 = 64;

/// AS_SETs (FRR `aggregate-address P as-set`) are not encoded: the symbolic routes
/// count each ASN's occurrences and take the path length as their sum, which an
/// AS_SET (one in the length, each of its ASNs once for loop prevention) breaks. A
/// design with one is decided like one at risk of a route limit: by the simulator,
/// which models AS_SETs exactly, where its stable state is certified unique in every
/// scenario ([`decide_concretely`]), else `unknown` with this reason.
pub(crate) fn as_set_risk(net: &Network) -> Option<String> {
    let (node, o) = net
        .nodes
        .values()
        .find_map(|n| n.originates.iter().find(|o| o.as_set).map(|o| (n, o)))?;
    Some(format!(
        "`{}` aggregates {} with an AS_SET (`as-set`), which the SMT encoding does not model: only the simulator decides this design",
        node.name, o.prefix
    ))
}

/// MEDs compare only between routes from one neighbouring AS, and FRR's
/// `bgp deterministic-med` picks the best of each such group first
/// ([`crate::sim::bgp::dmed_best`]); the SMT selection compares every candidate's
/// MED. The two agree while every MED is 0 (no policy sets one) or no node can hold
/// candidates from two neighbouring ASes: over an eBGP edge the neighbouring AS is
/// the sender's, the local route has none, and over iBGP it can be any. Otherwise
/// only the simulator decides (as for [`as_set_risk`]).
pub(crate) fn med_risk(net: &Network) -> Option<String> {
    let sets_med = net.policies.values().any(|p| {
        p.rules.iter().any(|r| {
            r.actions
                .iter()
                .any(|a| matches!(a, crate::ir::Action::SetMed(_)))
        })
    });
    if !sets_med {
        return None;
    }
    // Per receiver: the neighbouring ASes of its candidates (`None`: iBGP, any).
    let mut keys: BTreeMap<NodeId, BTreeSet<Option<u32>>> = BTreeMap::new();
    for e in net.edges.values() {
        let key = if e.ibgp {
            None
        } else {
            net.nodes.get(e.from).map(|n| n.asn)
        };
        keys.entry(e.to).or_default().insert(key);
    }
    let (node, _) = net.nodes.iter().find(|(id, n)| {
        let Some(k) = keys.get(id) else {
            return false;
        };
        k.len() > 1 || k.contains(&None) || (!n.originates.is_empty() && !k.is_empty())
    })?;
    let name = net
        .nodes
        .get(node)
        .map(|n| n.name.clone())
        .unwrap_or_default();
    Some(format!(
        "a policy sets a MED and `{name}` can receive routes from more than one neighbouring AS, whose MEDs BGP does not compare (FRR's `bgp deterministic-med`), which the SMT encoding does not model: only the simulator decides this design"
    ))
}

/// Route limits (`max_routes`) are not encoded: a design whose own prefixes could
/// exceed one is decided by the simulator ([`decide_concretely`]), or is `unknown`
/// with an environment. (What an environment adds is the scenario's `flood` choice.)
///
/// Whether they could is the policy-aware may-bound `sim::unique::route_limit_bound`
/// (the certificate's count, one implementation): per limited edge, the prefixes
/// whose routes its sender could offer over it in some stable state of some scenario
/// — export and import policies, loop prevention and "never back to the sender"
/// included. A scenario (failures, `without`, dropped sessions) only removes live
/// edges, and derivability is monotone in them, so one bound covers every line; a
/// design under every bound cannot hit a limit and the encoding is exact for it.
///
/// `down`: sessions over their limit whenever they are up
/// (`sim::bgp::certainly_dropped`), down in every stable state: routes do not cross
/// them, and their own limits are moot (the caller takes them as down). `late` says
/// when to give up: `Err` with the reason (the line is then `unknown`).
pub(super) fn route_limit_risk(
    net: &Network,
    down: &[SessionId],
    late: &dyn Fn() -> bool,
) -> Result<Option<String>, String> {
    let down: BTreeSet<SessionId> = down.iter().copied().collect();
    match crate::sim::unique::route_limit_bound(net, &down, late) {
        crate::sim::unique::LimitBound::Within => Ok(None),
        crate::sim::unique::LimitBound::Exceeded(why) => {
            Ok(Some(format!("{why}: route limits are not verified")))
        }
        // Part of preparing the encoding: its deadline's reason.
        crate::sim::unique::LimitBound::Timeout => Err(crate::budget::ENCODING_TIMEOUT.into()),
    }
}
