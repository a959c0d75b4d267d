//! Transfer along one session: export rules 1–12 of docs/semantics.md §1 and the
//! policies compiled rule by rule (first match decides, actions in order).

use super::route::{CandSource, Stage, SymRoute, Transit};
use super::{Encoder, DEFAULT_LP};
use crate::ir::{Action, Condition, EdgeId, Id, NodeId, PolicyId, NO_ADVERTISE};
use ipnet::Ipv4Net;
use z3::ast::{Bool, Int};

impl<'n> Encoder<'n> {
    /// The candidate at `e.to` from the sender's best route `r` (semantics.md §1, export
    /// steps 1–12).
    pub(super) fn transfer(
        &self,
        p: Ipv4Net,
        eid: EdgeId,
        r: &SymRoute,
        usel: &Int,
        ucands: &[CandSource],
        alive_v: Bool,
    ) -> SymRoute {
        let net = self.net;
        let Some(e) = net.edges.get(eid) else {
            return SymRoute::invalid(&self.uni, self.ntags());
        };
        let (u, v) = (e.from, e.to);
        let sender = net.nodes.get(u);
        let receiver = net.nodes.get(v);
        // FRR `neighbor A default-originate`: the sender's generated 0.0.0.0/0 in
        // place of its best route, past its export policies (sim::bgp::transfer).
        let generated = e.originates_default(p);
        let generated_route;
        let r = if generated {
            generated_route = self.generated_route(u);
            &generated_route
        } else {
            r
        };
        let mut gate = vec![
            r.valid.clone(),
            self.scen.usable(net, eid),
            self.scen.alive(net, u),
            alive_v,
        ];
        // 2. not back to where it came from; 3. iBGP split horizon.
        for (i, src) in ucands.iter().enumerate().filter(|_| !generated) {
            if let CandSource::Edge(le) = src {
                if let Some(ledge) = net.edges.get(*le) {
                    if ledge.from == v || (ledge.ibgp && e.ibgp) {
                        gate.push(usel.eq(Int::from_i64(i as i64)).not());
                    }
                }
            }
        }
        // 4. NO_ADVERTISE.
        for (tid, tag) in net.tags.iter() {
            if tag.community == Some(NO_ADVERTISE) {
                if let Some(t) = r.tags.get(tid.index()) {
                    gate.push(t.not());
                }
            }
        }
        let start = Transit {
            r: r.clone(),
            pass: Bool::from_bool(true),
            med_set: Bool::from_bool(false),
            nh_set: Bool::from_bool(false),
        };
        let sender_asn = sender.map(|n| n.asn).unwrap_or(0);
        let receiver_asn = receiver.map(|n| n.asn).unwrap_or(0);
        // 5. export policies (not for the generated default route).
        let mut t = if generated {
            start
        } else {
            self.policies(&e.export, start, p, sender_asn, u, Stage::Export)
        };
        // 6. prepend (the rightmost of the prepended ASNs first: the leading run).
        for asn in e.prepend.iter().rev() {
            prepend(&self.uni, &mut t.r, *asn, 1);
        }
        // 7. MED not passed across ASes.
        if !e.ibgp {
            t.r.med = t.med_set.ite(&t.r.med, &Int::from_i64(0));
        }
        // 8. next hop.
        let transparent = sender
            .map(|n| n.behaviours.next_hop_transparent)
            .unwrap_or(false);
        let self_nh = Int::from_i64(self.uni.nh_node(u));
        let default_nh = if transparent {
            r.nh.eq(Int::from_i64(self.uni.nh_local()))
                .ite(&self_nh, &r.nh)
        } else {
            self_nh
        };
        t.r.nh = t.nh_set.ite(&t.r.nh, &default_nh);
        // 9. loop check.
        if let Some(a) = e.loop_check {
            if let Some(s) = self.uni.asn_slot(a) {
                if let Some(c) = t.r.counts.get(s) {
                    gate.push(c.le(Int::from_i64(i64::from(e.allowas_in))));
                }
            }
        }
        // 10. reset local_pref.
        if e.reset_local_pref {
            t.r.lp = Int::from_i64(DEFAULT_LP);
        }
        gate.push(t.pass.clone());
        // 11. import policies (their pass flag accumulates).
        t.nh_set = Bool::from_bool(false);
        t.pass = Bool::from_bool(true);
        let t = self.policies(&e.import, t, p, receiver_asn, v, Stage::Import);
        gate.push(t.pass.clone());
        let mut out = t.r;
        let _ = t.med_set;
        // 12. weight.
        out.weight = Int::from_i64(i64::from(e.weight));
        out.valid = Bool::and(&gate);
        out
    }

    /// The route node `u` generates for `neighbor A default-originate`: its own
    /// origination's attributes (empty path, local_pref 100, MED 0, no tags, next hop
    /// local until the transfer sets it).
    fn generated_route(&self, u: NodeId) -> SymRoute {
        let zero = Int::from_i64(0);
        SymRoute {
            valid: Bool::from_bool(true),
            weight: Int::from_i64(super::LOCAL_WEIGHT),
            lp: Int::from_i64(DEFAULT_LP),
            med: zero.clone(),
            counts: self.uni.asns.iter().map(|_| zero.clone()).collect(),
            tags: (0..self.ntags()).map(|_| Bool::from_bool(false)).collect(),
            origin: Int::from_i64(if self.uni.origin { u.index() as i64 } else { 0 }),
            nh: Int::from_i64(self.uni.nh_local()),
            lead: self.uni.lead_slots(|_| zero.clone()),
            lead_exact: Bool::from_bool(true),
        }
    }

    /// Whether any of `asns` occurs in `r`'s path (false without
    /// [`super::Universe::lead`]: nothing reads the leading run then).
    fn occurs_any<'a>(&self, r: &SymRoute, asns: impl Iterator<Item = &'a u32>) -> Bool {
        if r.lead.is_empty() {
            return Bool::from_bool(false);
        }
        let parts: Vec<Bool> = asns
            .filter_map(|a| self.uni.asn_slot(*a))
            .filter_map(|s| r.counts.get(s))
            .map(|c| c.gt(Int::from_i64(0)))
            .collect();
        Bool::or(&parts)
    }

    /// After `remove_as` / `replace_as` (`hit`: a listed ASN occurred), the leading
    /// private run is known only in two cases: no public ASN is left (the whole path is
    /// the run), or — for `remove_as`, which can only extend the run (`grows`) — no
    /// private ASN occurs beyond it. Otherwise each private ASN's share of the run is
    /// free between its old share (`grows`; else none) and all of its occurrences: an
    /// over-approximation, marked in [`SymRoute::lead_exact`] (and flagged in
    /// [`Encoder::imprecise`] where leading-only stripping reads it).
    fn loosen_lead(&self, t: &mut Transit, hit: Bool, grows: bool) {
        if t.r.lead.is_empty() {
            return;
        }
        let zero = Int::from_i64(0);
        let is_private = |i: usize| {
            self.uni
                .asns
                .get(i)
                .is_some_and(|a| crate::ir::is_private_asn(*a))
        };
        let public_left: Vec<Bool> =
            t.r.counts
                .iter()
                .enumerate()
                .filter(|(i, _)| !is_private(*i))
                .map(|(_, c)| c.gt(&zero))
                .collect();
        let public_left = Bool::or(&public_left);
        let beyond: Vec<Bool> =
            t.r.counts
                .iter()
                .zip(&t.r.lead)
                .enumerate()
                .filter(|(i, _)| is_private(*i))
                .map(|(_, (c, l))| c.gt(l))
                .collect();
        let unknown = if grows {
            Bool::and(&[hit, public_left.clone(), Bool::or(&beyond)])
        } else {
            Bool::and(&[hit, public_left.clone()])
        };
        let n = self.fresh.get();
        self.fresh.set(n + 1);
        for (i, (l, c)) in t.r.lead.iter_mut().zip(&t.r.counts).enumerate() {
            if !is_private(i) {
                continue;
            }
            let low = if grows { l.clone() } else { zero.clone() };
            let free = Int::new_const(format!("lead_free{n}_{i}"));
            let clamped = free.lt(&low).ite(&low, &free.gt(c).ite(c, &free));
            *l = public_left.ite(&unknown.ite(&clamped, l), c);
        }
        t.r.lead_exact = public_left.ite(
            &Bool::and(&[t.r.lead_exact.clone(), unknown.not()]),
            &Bool::from_bool(true),
        );
    }

    pub(super) fn policies(
        &self,
        ids: &[PolicyId],
        mut t: Transit,
        p: Ipv4Net,
        own_asn: u32,
        own: NodeId,
        stage: Stage,
    ) -> Transit {
        for pid in ids {
            let Some(pol) = self.net.policies.get(*pid) else {
                continue;
            };
            // First match decides: fold from the last rule; no match denies.
            let mut result = Transit {
                pass: Bool::from_bool(false),
                ..t.clone()
            };
            for rule in pol.rules.iter().rev() {
                let cond = self.conditions(&rule.conditions, &t.r, p);
                let fired = if rule.permit {
                    let mut a = t.clone();
                    for act in &rule.actions {
                        self.action(act, &mut a, own_asn, own, stage);
                    }
                    a
                } else {
                    Transit {
                        pass: Bool::from_bool(false),
                        ..t.clone()
                    }
                };
                result = Transit::ite(&cond, &fired, &result);
            }
            let pass = Bool::and(&[t.pass.clone(), result.pass.clone()]);
            t = result;
            t.pass = pass;
        }
        t
    }

    pub(super) fn conditions(&self, conds: &[Condition], r: &SymRoute, p: Ipv4Net) -> Bool {
        let parts: Vec<Bool> = conds
            .iter()
            .map(|c| match c {
                Condition::Prefix(ranges) => {
                    Bool::from_bool(ranges.iter().any(|rg| rg.matches(&p)))
                }
                Condition::AsPathContains(n) => {
                    match self.uni.asn_slot(*n).and_then(|s| r.counts.get(s)) {
                        Some(c) => c.ge(Int::from_i64(1)),
                        None => Bool::from_bool(false),
                    }
                }
                // The symbolic routes carry no AS_SET (a design with one is left to
                // the simulator: queries::as_set_risk), so the sequence is the path.
                Condition::NoAsSet => Bool::from_bool(true),
                Condition::AsPathLength(op, n) | Condition::AsSequenceLength(op, n) => {
                    let l = r.len();
                    let k = Int::from_i64(i64::from(*n));
                    match op {
                        crate::ir::CmpOp::Lt => l.lt(&k),
                        crate::ir::CmpOp::Le => l.le(&k),
                        crate::ir::CmpOp::Eq => l.eq(&k),
                        crate::ir::CmpOp::Ge => l.ge(&k),
                        crate::ir::CmpOp::Gt => l.gt(&k),
                    }
                }
                Condition::Tag(t) => r
                    .tags
                    .get(t.index())
                    .cloned()
                    .unwrap_or_else(|| Bool::from_bool(false)),
                Condition::OriginatedBy(n) => r.origin.eq(Int::from_i64(n.index() as i64)),
            })
            .collect();
        Bool::and(&parts)
    }

    pub(super) fn action(
        &self,
        act: &Action,
        t: &mut Transit,
        own_asn: u32,
        own: NodeId,
        stage: Stage,
    ) {
        let zero = Int::from_i64(0);
        match act {
            Action::SetLocalPref(n) => t.r.lp = Int::from_i64(i64::from(*n)),
            Action::SetMed(n) => {
                t.r.med = Int::from_i64(i64::from(*n));
                t.med_set = Bool::from_bool(true);
            }
            Action::Prepend(n, k) => prepend(&self.uni, &mut t.r, *n, *k),
            Action::AddTag(tag) => {
                if let Some(b) = t.r.tags.get_mut(tag.index()) {
                    *b = Bool::from_bool(true);
                }
            }
            Action::RemoveTag(tag) => {
                if let Some(b) = t.r.tags.get_mut(tag.index()) {
                    *b = Bool::from_bool(false);
                }
            }
            Action::RemovePrivateAs => {
                for (i, a) in self.uni.asns.iter().enumerate() {
                    if crate::ir::is_private_asn(*a) {
                        if let Some(c) = t.r.counts.get_mut(i) {
                            *c = zero.clone();
                        }
                    }
                }
                // Only public ASNs are left: no leading private run.
                for l in &mut t.r.lead {
                    *l = zero.clone();
                }
                t.r.lead_exact = Bool::from_bool(true);
            }
            Action::RemoveLeadingPrivateAs => {
                // Exact where the leading run is known per ASN (`SymRoute::lead`);
                // where an earlier `remove_as`/`replace_as` left it over-approximated,
                // flagged. What is left starts with a public ASN (or is empty).
                if t.r.lead_exact.as_bool() != Some(true) {
                    self.imprecise
                        .borrow_mut()
                        .push(Bool::and(&[t.pass.clone(), t.r.lead_exact.not()]));
                }
                for (c, l) in t.r.counts.iter_mut().zip(t.r.lead.iter_mut()) {
                    *c = Int::sub(&[c.clone(), l.clone()]);
                    *l = zero.clone();
                }
                t.r.lead_exact = Bool::from_bool(true);
            }
            Action::RemoveAs(list) => {
                // Removing a public ASN may join private ASNs after it to the leading
                // run, which the counts cannot tell: over-approximated and flagged.
                let hit = self.occurs_any(
                    &t.r,
                    list.iter().filter(|a| !crate::ir::is_private_asn(**a)),
                );
                for a in list {
                    if let Some(s) = self.uni.asn_slot(*a) {
                        if let Some(c) = t.r.counts.get_mut(s) {
                            *c = zero.clone();
                        }
                        if let Some(l) = t.r.lead.get_mut(s) {
                            *l = zero.clone();
                        }
                    }
                }
                self.loosen_lead(t, hit, true);
            }
            Action::ReplaceAs(list) => {
                let Some(target) = self.uni.asn_slot(own_asn) else {
                    return;
                };
                // Occurrences change ASN in place: the leading run may grow or shrink.
                let hit = self.occurs_any(&t.r, list.iter().filter(|a| **a != own_asn));
                let mut moved = Vec::new();
                for a in list {
                    if *a == own_asn {
                        continue;
                    }
                    if let Some(s) = self.uni.asn_slot(*a) {
                        if let Some(c) = t.r.counts.get_mut(s) {
                            moved.push(c.clone());
                            *c = zero.clone();
                        }
                    }
                }
                if let Some(c) = t.r.counts.get_mut(target) {
                    moved.push(c.clone());
                    *c = Int::add(&moved);
                }
                self.loosen_lead(t, hit, false);
            }
            Action::SetNextHopSelf => {
                if stage == Stage::Export {
                    t.r.nh = Int::from_i64(self.uni.nh_node(own));
                    t.nh_set = Bool::from_bool(true);
                }
            }
            // FRR `set ip next-hop unchanged` (export): the next hop the route
            // arrived with, the sender's address for its own route; after another
            // next-hop action of the export, that one stands (sim::bgp).
            Action::SetNextHopUnchanged => {
                if stage == Stage::Export {
                    let local = Int::from_i64(self.uni.nh_local());
                    let kept =
                        t.r.nh
                            .eq(&local)
                            .ite(&Int::from_i64(self.uni.nh_node(own)), &t.r.nh);
                    t.r.nh = t.nh_set.ite(&t.r.nh, &kept);
                    t.nh_set = Bool::from_bool(true);
                }
            }
            Action::SetNextHop(a) => {
                if let Some(v) = self.uni.nh_addr(*a) {
                    t.r.nh = Int::from_i64(v);
                    t.nh_set = Bool::from_bool(true);
                }
            }
        }
    }
}

/// Prepends `k` occurrences of `asn` to `r`: its count grows, and so does the leading
/// private run when `asn` is private; a public ASN ends the run.
fn prepend(u: &super::Universe, r: &mut SymRoute, asn: u32, k: u32) {
    let Some(slot) = u.asn_slot(asn) else {
        return;
    };
    if let Some(c) = r.counts.get_mut(slot) {
        *c = Int::add(&[c.clone(), Int::from_i64(i64::from(k))]);
    }
    if crate::ir::is_private_asn(asn) {
        if let Some(l) = r.lead.get_mut(slot) {
            *l = Int::add(&[l.clone(), Int::from_i64(i64::from(k))]);
        }
    } else if k > 0 && !r.lead.is_empty() {
        for l in &mut r.lead {
            *l = Int::from_i64(0);
        }
        r.lead_exact = Bool::from_bool(true);
    }
}
