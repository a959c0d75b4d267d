//! Symbolic routes, their preference order, and the per-node RIB and per-prefix plane
//! built from them (docs/semantics.md §1 decision steps).

use super::Universe;
use crate::ir::{EdgeId, NodeId};
use ipnet::Ipv4Net;
use std::collections::BTreeMap;
use z3::ast::{Bool, Int};

/// A symbolic route.
#[derive(Clone)]
pub struct SymRoute {
    pub valid: Bool,
    pub weight: Int,
    pub lp: Int,
    pub med: Int,
    /// Occurrences per ASN of [`Universe::asns`].
    pub counts: Vec<Int>,
    /// Per slot of [`Universe::asns`]: its occurrences in the path's leading run of
    /// private ASNs (before the first public one; 0 for public ASNs). Empty unless
    /// [`Universe::lead`]: only leading-only stripping (towards AVS) reads it.
    pub lead: Vec<Int>,
    /// Per `TagId`.
    pub tags: Vec<Bool>,
    /// Originating node index.
    pub origin: Int,
    pub nh: Int,
}

impl SymRoute {
    pub fn len(&self) -> Int {
        if self.counts.is_empty() {
            return Int::from_i64(0);
        }
        Int::add(&self.counts)
    }

    pub(super) fn fresh(prefix: &str, u: &Universe, ntags: usize) -> SymRoute {
        SymRoute {
            valid: Bool::new_const(format!("{prefix}_valid")),
            weight: Int::new_const(format!("{prefix}_weight")),
            lp: Int::new_const(format!("{prefix}_lp")),
            med: if u.med {
                Int::new_const(format!("{prefix}_med"))
            } else {
                Int::from_i64(0)
            },
            counts: u
                .asns
                .iter()
                .map(|a| Int::new_const(format!("{prefix}_as{a}")))
                .collect(),
            lead: u.lead_slots(|a| Int::new_const(format!("{prefix}_lead{a}"))),
            tags: (0..ntags)
                .map(|t| Bool::new_const(format!("{prefix}_tag{t}")))
                .collect(),
            origin: if u.origin {
                Int::new_const(format!("{prefix}_origin"))
            } else {
                Int::from_i64(0)
            },
            nh: Int::new_const(format!("{prefix}_nh")),
        }
    }

    pub(super) fn invalid(u: &Universe, ntags: usize) -> SymRoute {
        let zero = Int::from_i64(0);
        SymRoute {
            valid: Bool::from_bool(false),
            weight: zero.clone(),
            lp: zero.clone(),
            med: zero.clone(),
            counts: u.asns.iter().map(|_| zero.clone()).collect(),
            lead: u.lead_slots(|_| zero.clone()),
            tags: (0..ntags).map(|_| Bool::from_bool(false)).collect(),
            origin: zero.clone(),
            nh: zero,
        }
    }

    pub(super) fn eq_attrs(&self, o: &SymRoute) -> Bool {
        let mut parts = vec![
            self.weight.eq(&o.weight),
            self.lp.eq(&o.lp),
            self.med.eq(&o.med),
            self.origin.eq(&o.origin),
            self.nh.eq(&o.nh),
        ];
        for (a, b) in self.counts.iter().zip(&o.counts) {
            parts.push(a.eq(b));
        }
        for (a, b) in self.lead.iter().zip(&o.lead) {
            parts.push(a.eq(b));
        }
        for (a, b) in self.tags.iter().zip(&o.tags) {
            parts.push(a.iff(b));
        }
        Bool::and(&parts)
    }

    pub(super) fn ite(c: &Bool, a: &SymRoute, b: &SymRoute) -> SymRoute {
        SymRoute {
            valid: c.ite(&a.valid, &b.valid),
            weight: c.ite(&a.weight, &b.weight),
            lp: c.ite(&a.lp, &b.lp),
            med: c.ite(&a.med, &b.med),
            counts: a
                .counts
                .iter()
                .zip(&b.counts)
                .map(|(x, y)| c.ite(x, y))
                .collect(),
            lead: a
                .lead
                .iter()
                .zip(&b.lead)
                .map(|(x, y)| c.ite(x, y))
                .collect(),
            tags: a
                .tags
                .iter()
                .zip(&b.tags)
                .map(|(x, y)| c.ite(x, y))
                .collect(),
            origin: c.ite(&a.origin, &b.origin),
            nh: c.ite(&a.nh, &b.nh),
        }
    }

    /// Equal on the first four decision steps (ECMP).
    pub(super) fn equally_good(&self, o: &SymRoute) -> Bool {
        Bool::and(&[
            self.weight.eq(&o.weight),
            self.lp.eq(&o.lp),
            self.len().eq(o.len()),
            self.med.eq(&o.med),
        ])
    }
}

/// Strictly better by steps 1–4, or equal there and `tie` (the static steps 5–7).
pub(super) fn prefer(a: &SymRoute, b: &SymRoute, tie: bool) -> Bool {
    let (al, bl) = (a.len(), b.len());
    let step4 = Bool::or(&[
        a.med.lt(&b.med),
        Bool::and(&[a.med.eq(&b.med), Bool::from_bool(tie)]),
    ]);
    let step3 = Bool::or(&[al.lt(&bl), Bool::and(&[al.eq(&bl), step4])]);
    let step2 = Bool::or(&[a.lp.gt(&b.lp), Bool::and(&[a.lp.eq(&b.lp), step3])]);
    Bool::or(&[
        a.weight.gt(&b.weight),
        Bool::and(&[a.weight.eq(&b.weight), step2]),
    ])
}

/// A route while passing through policies: with the flags the later steps read.
#[derive(Clone)]
pub(super) struct Transit {
    pub(super) r: SymRoute,
    pub(super) pass: Bool,
    pub(super) med_set: Bool,
    pub(super) nh_set: Bool,
}

impl Transit {
    pub(super) fn ite(c: &Bool, a: &Transit, b: &Transit) -> Transit {
        Transit {
            r: SymRoute::ite(c, &a.r, &b.r),
            pass: c.ite(&a.pass, &b.pass),
            med_set: c.ite(&a.med_set, &b.med_set),
            nh_set: c.ite(&a.nh_set, &b.nh_set),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    Export,
    Import,
}

/// Where a candidate comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CandSource {
    Local,
    Edge(EdgeId),
}

pub struct Cand {
    pub source: CandSource,
    pub route: SymRoute,
    /// Static tie-break key (steps 5–7): (learned over iBGP, sender router_id, edge).
    pub(super) key: (bool, u32, i64),
    /// The sender (`None`: the local route) and whether its router id is known
    /// ([`crate::ir::Node::router_id_known`]; the local route: true).
    pub(super) sender: Option<NodeId>,
    pub(super) known: bool,
}

impl Cand {
    /// Whether this candidate may win over `o` once both are equal on steps 1–4:
    /// step 5 (eBGP or local over iBGP) decides; then step 6 between two known router
    /// ids, step 7 between two sessions of one sender. Two different senders one of
    /// which has no known router id are an undocumented choice (LANGUAGE.md §2.4,
    /// `crate::sim::choice`): either may win, so the solver chooses freely.
    pub(super) fn may_win_tie(&self, o: &Cand) -> bool {
        if self.key.0 != o.key.0 {
            return !self.key.0;
        }
        if self.sender != o.sender && !(self.known && o.known) {
            return true;
        }
        self.key < o.key
    }
}

/// One node's RIB for one prefix.
pub struct NodeRib {
    pub best: SymRoute,
    /// Index into `cands` of the chosen candidate (−1: none).
    pub sel: Int,
    pub rank: Int,
    pub cands: Vec<Cand>,
    /// Per candidate: installed (the best, or equal to it on a multipath node).
    pub installed: Vec<Bool>,
}

impl NodeRib {
    /// The chosen candidate came over this edge.
    pub fn learned_over(&self, e: EdgeId) -> Bool {
        for (i, c) in self.cands.iter().enumerate() {
            if c.source == CandSource::Edge(e) {
                return self.sel.eq(Int::from_i64(i as i64));
            }
        }
        Bool::from_bool(false)
    }
    /// The best candidates among those whose source satisfies `keep` (a Route Server
    /// or gateway programs the best of its externally learned routes): per candidate,
    /// whether it is chosen — the single best, or with `multipath` every one equal to
    /// the best on decision steps 1–4.
    pub fn best_where(&self, multipath: bool, keep: impl Fn(CandSource) -> bool) -> Vec<Bool> {
        let kept: Vec<bool> = self.cands.iter().map(|c| keep(c.source)).collect();
        self.cands
            .iter()
            .zip(&kept)
            .map(|(ci, ki)| {
                if !*ki {
                    return Bool::from_bool(false);
                }
                let mut parts = vec![ci.route.valid.clone()];
                for (cj, kj) in self.cands.iter().zip(&kept) {
                    if !*kj || std::ptr::eq(ci, cj) {
                        continue;
                    }
                    let ok = if multipath {
                        prefer(&cj.route, &ci.route, false).not()
                    } else {
                        prefer(&ci.route, &cj.route, ci.may_win_tie(cj))
                    };
                    parts.push(Bool::or(&[cj.route.valid.not(), ok]));
                }
                Bool::and(&parts)
            })
            .collect()
    }

    /// The chosen candidate came over one of these edges.
    pub fn learned_over_any(&self, pred: impl Fn(EdgeId) -> bool) -> Bool {
        let mut parts = Vec::new();
        for (i, c) in self.cands.iter().enumerate() {
            if let CandSource::Edge(e) = c.source {
                if pred(e) {
                    parts.push(self.sel.eq(Int::from_i64(i as i64)));
                }
            }
        }
        Bool::or(&parts)
    }
}

/// An environment announcement variable: `node` originates `prefix`.
pub struct EnvVar {
    pub node: NodeId,
    pub prefix: Ipv4Net,
    pub var: Bool,
    pub assumption: usize,
}

/// The control plane of one prefix.
pub struct PrefixPlane {
    pub prefix: Ipv4Net,
    pub ribs: BTreeMap<NodeId, NodeRib>,
    /// The plane's constraints hold when this literal does: a question asserts the
    /// literals of the planes it reads, so one solver can hold many planes without
    /// each question having to satisfy them all (the planes are independent; the
    /// non-vacuity check asserts every literal).
    pub act: Bool,
}

impl PrefixPlane {
    pub fn rib(&self, n: NodeId) -> Option<&NodeRib> {
        self.ribs.get(&n)
    }
    /// n has a valid best route for this prefix.
    pub fn has_route(&self, n: NodeId) -> Bool {
        self.ribs
            .get(&n)
            .map(|r| r.best.valid.clone())
            .unwrap_or_else(|| Bool::from_bool(false))
    }
}
