//! `never N installs P [via M] [originated_by O]`: a control-plane question on one
//! node's RIB for one prefix.

use super::{narrative_prefix, prefer_false, sync, Answer};
use crate::ir::{NodeId, Property};
use crate::smt::encode::{CandSource, Encoder};
use crate::smt::model::{
    eval_bool, explain_route, node_name, property_label, route_limit_doubt, scenario, tidy_labels,
};
use crate::smt::prover::{Outcome, Prover};
use crate::smt::Counterexample;
use ipnet::Ipv4Net;
use std::collections::BTreeSet;
use z3::ast::{Bool, Int};

pub(super) fn never(
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
