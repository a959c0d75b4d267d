//! One prefix's control plane: the slice of nodes that matter, each node's candidates
//! and the BGP decision among them (docs/semantics.md §1).

use super::route::{prefer, Cand, CandSource, EnvVar, NodeRib, PrefixPlane, SymRoute};
use super::{Encoder, DEFAULT_LP, LOCAL_WEIGHT};
use crate::ir::{Id, NodeId};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};
use z3::ast::{Bool, Int};

impl<'n> Encoder<'n> {
    pub(super) fn prefix_plane_facts(
        &mut self,
        p: Ipv4Net,
        interest: Option<&BTreeSet<NodeId>>,
    ) -> PrefixPlane {
        let net = self.net;
        let contributes = self.aggregate_contributions(p);
        let origs = self.originators(p);
        // Senders of edges that originate `p` (`default-originate`) are sources too.
        let mut sources = origs.clone();
        sources.extend(
            net.edges
                .values()
                .filter(|e| e.originates_default(p))
                .map(|e| e.from),
        );
        let fwd = self.forward_closure(&sources);
        let keep: BTreeSet<NodeId> = match interest {
            Some(t) => {
                let bwd = self.backward_closure(t);
                fwd.intersection(&bwd).copied().collect()
            }
            None => fwd,
        };
        self.counter += 1;
        let tagp = format!("p{}", self.counter);
        // Environment variables for this prefix.
        let mut env_local: BTreeMap<NodeId, Bool> = BTreeMap::new();
        for (ai, a) in self.assumptions.clone().iter().enumerate() {
            if a.within.contains(&p) && p.prefix_len() <= a.le && keep.contains(&a.node) {
                let var = Bool::new_const(format!("{tagp}_env{ai}_n{}", a.node.index()));
                self.env.push(EnvVar {
                    node: a.node,
                    prefix: p,
                    var: var.clone(),
                    assumption: ai,
                });
                let slot = env_local
                    .entry(a.node)
                    .or_insert_with(|| Bool::from_bool(false));
                *slot = Bool::or(&[slot.clone(), var.clone()]);
            }
        }
        // Fresh best-route variables for kept nodes.
        let mut bests: BTreeMap<NodeId, (SymRoute, Int, Int)> = BTreeMap::new();
        for &n in &keep {
            let name = format!("{tagp}_n{}", n.index());
            let r = SymRoute::fresh(&name, &self.uni, self.ntags());
            let sel = Int::new_const(format!("{name}_sel"));
            let rank = Int::new_const(format!("{name}_rank"));
            bests.insert(n, (r, sel, rank));
        }
        let mut ribs = BTreeMap::new();
        for &v in &keep {
            let Some((best, sel, rank)) = bests.get(&v).cloned() else {
                continue;
            };
            let Some(vnode) = net.nodes.get(v) else {
                continue;
            };
            let alive_v = self.scen.alive(net, v);
            let mut cands = Vec::new();
            // Local route.
            // A conditional origination (a gateway's spoke space) stands only while
            // the component it requires (the spoke's peering) is up.
            let stands: Vec<Bool> = vnode
                .originates
                .iter()
                .filter(|o| o.prefix == p)
                .map(|o| {
                    let up = match o.requires {
                        Some(c) => self.scen.is_down(c).not(),
                        None => Bool::from_bool(true),
                    };
                    if o.aggregate {
                        let held = contributes.get(&v).cloned().unwrap_or_default();
                        Bool::and(&[up, Bool::or(&held)])
                    } else {
                        up
                    }
                })
                .collect();
            let designed = !stands.is_empty();
            let stands = Bool::or(&stands);
            let env = env_local
                .get(&v)
                .cloned()
                .unwrap_or_else(|| Bool::from_bool(false));
            let local_valid = Bool::and(&[alive_v.clone(), Bool::or(&[stands, env])]);
            let zero = Int::from_i64(0);
            let local = SymRoute {
                valid: local_valid,
                weight: Int::from_i64(LOCAL_WEIGHT),
                lp: Int::from_i64(DEFAULT_LP),
                med: zero.clone(),
                counts: self.uni.asns.iter().map(|_| zero.clone()).collect(),
                lead: self.uni.lead_slots(|_| zero.clone()),
                lead_exact: Bool::from_bool(true),
                tags: (0..self.ntags()).map(|_| Bool::from_bool(false)).collect(),
                origin: Int::from_i64(if self.uni.origin { v.index() as i64 } else { 0 }),
                nh: Int::from_i64(self.uni.nh_local()),
            };
            if designed || env_local.contains_key(&v) {
                cands.push(Cand {
                    source: CandSource::Local,
                    route: local,
                    key: (false, vnode.router_id, -1),
                    sender: None,
                    known: true,
                });
            }
            // Learned routes.
            for (eid, e) in net.in_edges(v) {
                if !keep.contains(&e.from) {
                    continue;
                }
                let Some((ubest, usel, _)) = bests.get(&e.from) else {
                    continue;
                };
                let sender_rid = net
                    .nodes
                    .get(e.from)
                    .map(|n| n.router_id)
                    .unwrap_or(u32::MAX);
                // Undocumented unless both the sender's router id and the receiver's
                // tie-break are known (an Azure receiver's is not).
                let known = net.nodes.get(e.from).is_some_and(|n| n.router_id_known)
                    && vnode.router_id_known;
                let ucands = self.cand_sources_of(e.from, &keep, &origs);
                let route = self.transfer(p, eid, ubest, usel, &ucands, alive_v.clone());
                cands.push(Cand {
                    source: CandSource::Edge(eid),
                    route,
                    key: (e.ibgp, sender_rid, eid.index() as i64),
                    sender: Some(e.from),
                    known,
                });
            }
            // Decision.
            let any_valid: Vec<Bool> = cands.iter().map(|c| c.route.valid.clone()).collect();
            self.facts.push(best.valid.iff(Bool::or(&any_valid)));
            self.facts
                .push(best.valid.not().implies(sel.eq(Int::from_i64(-1))));
            let sel_choices: Vec<Bool> = (0..cands.len())
                .map(|i| sel.eq(Int::from_i64(i as i64)))
                .collect();
            self.facts.push(best.valid.implies(Bool::or(&sel_choices)));
            self.facts.push(rank.ge(Int::from_i64(0)));
            for ((i, ci), sel_i) in cands.iter().enumerate().zip(&sel_choices) {
                let mut parts = vec![ci.route.valid.clone(), best.eq_attrs(&ci.route)];
                for (j, cj) in cands.iter().enumerate() {
                    if i == j {
                        continue;
                    }
                    let tie = ci.may_win_tie(cj);
                    parts.push(Bool::or(&[
                        cj.route.valid.not(),
                        prefer(&ci.route, &cj.route, tie),
                    ]));
                }
                if let CandSource::Edge(e) = ci.source {
                    // A generated default route rests on no route of its sender.
                    if let Some(edge) = net.edges.get(e).filter(|x| !x.originates_default(p)) {
                        if let Some((_, _, urank)) = bests.get(&edge.from) {
                            parts.push(rank.gt(urank));
                        }
                    }
                }
                self.facts.push(sel_i.implies(Bool::and(&parts)));
            }
            let multipath = vnode.behaviours.multipath;
            let installed: Vec<Bool> = cands
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if multipath {
                        Bool::and(&[
                            best.valid.clone(),
                            c.route.valid.clone(),
                            c.route.equally_good(&best),
                        ])
                    } else {
                        sel_choices[i].clone()
                    }
                })
                .collect();
            ribs.insert(
                v,
                NodeRib {
                    best,
                    sel,
                    rank,
                    cands,
                    installed,
                },
            );
        }
        PrefixPlane {
            prefix: p,
            ribs,
            act: Bool::from_bool(true),
        }
    }

    /// For each node that aggregates `p` (`aggregate-address`), the literals "it holds
    /// a route for a prefix strictly inside `p`": its best route's validity in the
    /// plane of every longer prefix of the design inside `p` (planes sliced to the
    /// aggregating nodes, activated whenever `p`'s plane is), and a free literal when
    /// an environment can announce such a prefix (an over-approximation: a
    /// counterexample is confirmed by the simulator before it is reported).
    fn aggregate_contributions(&mut self, p: Ipv4Net) -> BTreeMap<NodeId, Vec<Bool>> {
        let net = self.net;
        let nodes: BTreeSet<NodeId> = net
            .nodes
            .iter()
            .filter(|(_, n)| n.originates.iter().any(|o| o.aggregate && o.prefix == p))
            .map(|(id, _)| id)
            .collect();
        let mut out: BTreeMap<NodeId, Vec<Bool>> = BTreeMap::new();
        if nodes.is_empty() {
            return out;
        }
        let longer = net
            .originated_prefixes()
            .into_iter()
            .filter(|q| q.prefix_len() > p.prefix_len() && p.contains(q));
        for q in longer {
            let plane = self.prefix_plane(q, Some(&nodes));
            self.facts.push(plane.act.clone());
            for v in &nodes {
                if let Some(rib) = plane.rib(*v) {
                    out.entry(*v).or_default().push(rib.best.valid.clone());
                }
            }
        }
        let env = self.assumptions.iter().any(|a| {
            if a.within.contains(&p) {
                a.le > p.prefix_len()
            } else {
                p.contains(&a.within) && a.within.prefix_len() > p.prefix_len()
            }
        });
        if env {
            self.counter += 1;
            for v in &nodes {
                let var = Bool::new_const(format!("agg{}_env_n{}", self.counter, v.index()));
                out.entry(*v).or_default().push(var);
            }
        }
        out
    }

    /// The candidate sources of node `u` in the same order `prefix_plane` builds them.
    pub(super) fn cand_sources_of(
        &self,
        u: NodeId,
        keep: &BTreeSet<NodeId>,
        origs: &BTreeSet<NodeId>,
    ) -> Vec<CandSource> {
        let mut out = Vec::new();
        let designed_or_env = origs.contains(&u);
        if designed_or_env {
            out.push(CandSource::Local);
        }
        for (eid, e) in self.net.in_edges(u) {
            if keep.contains(&e.from) {
                out.push(CandSource::Edge(eid));
            }
        }
        out
    }
}
