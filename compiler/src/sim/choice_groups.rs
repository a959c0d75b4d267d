//! Undocumented choices, group by group (issue 11; docs/semantics.md §9 "Independent
//! choices: one group at a time").
//!
//! [`super::choice::tie_breaks`] enumerates the product of every tie site's options,
//! at most [`super::choice::MAX_TIE_BREAKS`] combinations. An estate of several
//! dual-homed sites has two sites per site (the gateway's choice for the site's
//! prefixes, the site's choice for the hub's), so 2^(2n) combinations. But BGP decides
//! each prefix on its own: the simulator's state for one prefix under a tie-break σ
//! depends only on σ's choices *for that prefix*, and so does its certificate
//! ([`super::unique::certify_choosing`] is per prefix, route limits and tunnels aside,
//! which must be the same in every state). The exceptions are an aggregate (its route
//! stands on the routes for the prefixes inside it) and a walk, which reads every
//! prefix that contains its destination and the tunnel ends it rides.
//!
//! So the tie sites are partitioned into *groups* ([`tie_groups`]): sites whose keys
//! (prefix classes) have overlapping prefixes, or overlap one aggregate, share a
//! group; if any key holds a tunnel end address, all sites are one group. A group's
//! states ([`group_states`]) are the simulator's states under each combination of
//! the group's own options, the default elsewhere — `Σ ∏ options` states over all
//! groups, not `∏ ∏ options`. For every tie-break σ, σ's state agrees, on the
//! prefixes of group g, with the state of σ restricted to g, and σ's state is certified
//! when each of those is (per prefix, the same certificate); so:
//!
//! - a question that reads one destination address (a walk; `never` one prefix) reads
//!   the prefixes of one group at most (overlapping keys share a group), and what it
//!   sees in any stable state it sees in one of that group's states;
//! - a question that reads two destinations (`symmetric`) needs the product over the
//!   (at most two) groups it reads: [`compose`] builds those states from the groups'
//!   states without simulating again.
//!
//! Capped: at most [`MAX_GROUP_STATES`] states over all groups; beyond, the argument
//! is not tried (z3 decides, or `unknown`). The command line uses the groups whenever
//! there are more than one, under the product's cap too (fewer states, each kept
//! restricted to its group's prefixes: [`restrict`]).
//!
//! Not split: one prefix class whose sites are many (the hub's prefix at n dual-homed
//! sites is one group of 2^n), though a site whose route goes nowhere else could be
//! chosen on its own.

use super::bgp::{stable_state_choosing, State, Unsettled};
use super::choice::{every_choice, legal, Choices, TieSite};
use super::Scenario;
use crate::ir::Network;
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};

/// At most this many states are simulated and certified per scenario over all
/// groups (`Σ ∏ options`); beyond it the groups are not tried.
pub const MAX_GROUP_STATES: usize = 256;

/// One group of tie sites with its states.
#[derive(Clone, Debug)]
pub struct TieGroup {
    /// The choice keys (prefix class representatives) of the group's sites.
    pub keys: BTreeSet<Ipv4Net>,
    /// Every prefix of those classes (the keys and their members): a walk to an
    /// address reads the group when one of them contains it.
    pub prefixes: Vec<Ipv4Net>,
    /// Each combination of the group's options that is legal, with its state (the
    /// default elsewhere) *restricted to the group's prefixes* ([`restrict`]: the rest
    /// is the default state's; [`compose`] puts the two together), in
    /// [`every_choice`] order; equal states once.
    pub states: Vec<(Choices, State)>,
}

impl TieGroup {
    /// Whether a walk to `d` may read a prefix of this group.
    pub fn reads(&self, d: std::net::Ipv4Addr) -> bool {
        self.prefixes.iter().any(|p| p.contains(&d))
    }
}

/// What [`group_states`] concluded.
#[derive(Clone, Debug)]
pub enum GroupBreaks {
    /// The groups, each with its states.
    Groups(Vec<TieGroup>),
    /// Not shown; the text says why.
    NotShown(String),
    /// `late` answered `true`.
    Late,
    /// `stop` stopped a simulation (its reason).
    Stopped(String),
}

/// The prefixes of class `key` in `state` (the key and every prefix converged as it).
fn members(state: &State, key: Ipv4Net) -> Vec<Ipv4Net> {
    let mut out: Vec<Ipv4Net> = state
        .class_of
        .iter()
        .filter(|(_, k)| **k == key)
        .map(|(p, _)| *p)
        .collect();
    out.push(key);
    out.sort();
    out.dedup();
    out
}

/// One group of tie sites: its keys, the prefixes of those keys (sorted), its sites.
pub type SiteGroup = (BTreeSet<Ipv4Net>, Vec<Ipv4Net>, Vec<TieSite>);

/// Partitions `sites` into independent groups (module docs), each as its keys, the
/// prefixes of those keys, and its sites in the given order; groups ordered by their
/// least key.
pub fn tie_groups(net: &Network, state: &State, sites: &[TieSite]) -> Vec<SiteGroup> {
    let keys: Vec<Ipv4Net> = sites
        .iter()
        .map(|s| s.key)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut parent: Vec<usize> = (0..keys.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while let Some(&p) = parent.get(i) {
            if p == i {
                break;
            }
            let gp = parent.get(p).copied().unwrap_or(p);
            if let Some(x) = parent.get_mut(i) {
                *x = gp;
            }
            i = p;
        }
        i
    }
    fn union(parent: &mut [usize], a: usize, b: usize) {
        let (ra, rb) = (find(parent, a), find(parent, b));
        if ra != rb {
            if let Some(x) = parent.get_mut(ra.max(rb)) {
                *x = ra.min(rb);
            }
        }
    }
    let prefixes: Vec<Vec<Ipv4Net>> = keys.iter().map(|k| members(state, *k)).collect();
    // Every prefix of a key, and every aggregate, with the index of its key (an
    // aggregate: past the keys, so two keys inside one aggregate are joined).
    let aggregates: Vec<Ipv4Net> = super::slices::aggregated(net).into_iter().collect();
    let mut owner: BTreeMap<Ipv4Net, Vec<usize>> = BTreeMap::new();
    for (i, ps) in prefixes.iter().enumerate() {
        for p in ps {
            owner.entry(*p).or_default().push(i);
        }
    }
    let agg_base = keys.len();
    parent.extend(agg_base..agg_base + aggregates.len());
    for (j, a) in aggregates.iter().enumerate() {
        owner.entry(*a).or_default().push(agg_base + j);
    }
    // Overlap: a prefix and every shorter prefix containing it (at most 33 lookups).
    let all: Vec<(Ipv4Net, Vec<usize>)> = owner.iter().map(|(p, o)| (*p, o.clone())).collect();
    for (p, own) in &all {
        for w in own.windows(2) {
            if let [a, b] = w {
                union(&mut parent, *a, *b);
            }
        }
        for len in 0..p.prefix_len() {
            let Ok(sup) = Ipv4Net::new(p.network(), len) else {
                continue;
            };
            if let Some(others) = owner.get(&sup.trunc()) {
                for (a, b) in own
                    .iter()
                    .flat_map(|a| others.iter().map(move |b| (*a, *b)))
                {
                    union(&mut parent, a, b);
                }
            }
        }
    }
    // A walk riding a tunnel reads its ends' prefixes too: every key holding a
    // tunnel end joins every other.
    let tunnel_ends: Vec<std::net::Ipv4Addr> = super::slices::tunnel_end_addresses(net);
    let holds_end: Vec<usize> = prefixes
        .iter()
        .enumerate()
        .filter(|(_, ps)| ps.iter().any(|p| tunnel_ends.iter().any(|a| p.contains(a))))
        .map(|(i, _)| i)
        .collect();
    if !holds_end.is_empty() {
        for i in 1..keys.len() {
            union(&mut parent, 0, i);
        }
    }
    let mut groups: BTreeMap<usize, SiteGroup> = BTreeMap::new();
    for (i, k) in keys.iter().enumerate() {
        let r = find(&mut parent, i);
        let g = groups.entry(r).or_default();
        g.0.insert(*k);
        g.1.extend(prefixes.get(i).into_iter().flatten().copied());
    }
    for s in sites {
        let Some(i) = keys.iter().position(|k| *k == s.key) else {
            continue;
        };
        let r = find(&mut parent, i);
        if let Some(g) = groups.get_mut(&r) {
            g.2.push(s.clone());
        }
    }
    let mut out: Vec<_> = groups.into_values().collect();
    for g in &mut out {
        g.1.sort();
        g.1.dedup();
    }
    out.sort_by(|a, b| a.0.iter().next().cmp(&b.0.iter().next()));
    out
}

/// The states of every group of `sites` (module docs): per group, each combination
/// of its options simulated under that tie-break ([`stable_state_choosing`]),
/// certified the only stable state under it ([`super::unique::certify_choosing`]),
/// kept when legal; `default` is the scenario's state under the default choice, whose
/// dropped sessions every state must share (and no tunnel may be down). NotShown
/// beyond [`MAX_GROUP_STATES`] states or when a state is not certified.
pub fn group_states(
    net: &Network,
    sc: &Scenario,
    default: &State,
    sites: &[TieSite],
    late: &dyn Fn() -> bool,
    stop: &dyn Fn() -> Option<String>,
) -> GroupBreaks {
    if !default.recursive.is_empty() {
        return GroupBreaks::NotShown("a tunnel is down in the default state".into());
    }
    let groups = tie_groups(net, default, sites);
    let mut planned: Vec<Vec<Choices>> = Vec::with_capacity(groups.len());
    let mut total: usize = 0;
    for (_, _, gsites) in &groups {
        let Some(all) = every_choice(gsites, MAX_GROUP_STATES) else {
            return GroupBreaks::NotShown(format!(
                "more than {MAX_GROUP_STATES} combinations of undocumented choices in one group"
            ));
        };
        total = total.saturating_add(all.len());
        if total > MAX_GROUP_STATES {
            return GroupBreaks::NotShown(format!(
                "more than {MAX_GROUP_STATES} states over the groups of undocumented choices"
            ));
        }
        planned.push(all);
    }
    let mut out = Vec::with_capacity(groups.len());
    for ((keys, prefixes, _), all) in groups.into_iter().zip(planned) {
        let mut states: Vec<(Choices, State)> = Vec::new();
        for choices in all {
            if late() {
                return GroupBreaks::Late;
            }
            let state = {
                let state = if choices == Choices::default() {
                    Ok(default.clone())
                } else {
                    stable_state_choosing(net, sc, &choices, stop)
                };
                let state = match state {
                    Ok(s) => s,
                    Err(Unsettled::Stopped(why)) => return GroupBreaks::Stopped(why),
                    Err(Unsettled::NoStableState(_)) => {
                        return GroupBreaks::NotShown(
                            "the simulator finds no stable state under one combination of undocumented choices".into(),
                        )
                    }
                };
                // Per prefix alike only when the sessions and tunnels are: the same
                // drops as the default's, no tunnel down.
                if state.dropped != default.dropped || !state.recursive.is_empty() {
                    return GroupBreaks::NotShown(
                        "a combination of undocumented choices changes the sessions or tunnels that are up".into(),
                    );
                }
                match super::unique::certify_choosing(net, sc, &state, &choices, late) {
                    super::unique::Certificate::Unique => {}
                    super::unique::Certificate::Timeout => return GroupBreaks::Late,
                    super::unique::Certificate::NotShown(why)
                    | super::unique::Certificate::RouteLimits(why) => {
                        return GroupBreaks::NotShown(why)
                    }
                }
                state
            };
            if !legal(net, &state, &choices) {
                continue;
            }
            // The group's states differ on the group's prefixes only (module docs):
            // those decide whether two are equal.
            if states.iter().any(|(_, x)| same_on(x, &state, &prefixes)) {
                continue;
            }
            states.push((choices, restrict(&state, &prefixes)));
        }
        if states.is_empty() {
            return GroupBreaks::NotShown(
                "no combination of undocumented choices is possible in one group".into(),
            );
        }
        out.push(TieGroup {
            keys,
            prefixes,
            states,
        });
    }
    GroupBreaks::Groups(out)
}

/// `state` with only the routes for `prefixes` (sorted): what a group's state adds
/// to the default state, kept instead of the whole state (a scenario may have a few
/// hundred group states; docs/performance.md "Dual-homed estates"). Stored per class
/// (super::rib): the entries of the prefixes that are no other prefix's class member
/// (`State::class_of`), which is what [`compose`] and [`same_on`] read.
pub fn restrict(state: &State, prefixes: &[Ipv4Net]) -> State {
    let mut ribs = crate::ir::IdVec::new();
    let none = std::sync::Arc::new(super::rib::ClassMembers::default());
    for (_, rib) in state.ribs.iter() {
        let entries = prefixes
            .iter()
            .filter(|p| !state.class_of.contains_key(p))
            .filter_map(|p| rib.own().get(p).map(|e| (*p, e.clone())))
            .collect();
        ribs.push(super::bgp::NodeRib::new(entries, none.clone()));
    }
    State {
        ribs,
        dropped: state.dropped.clone(),
        recursive: state.recursive.clone(),
        rounds: state.rounds,
        reps: BTreeSet::new(),
        class_of: BTreeMap::new(),
    }
}

/// Whether `a` and `b` hold the same routes for every prefix of `prefixes` at every
/// node (compared per class: a class member's routes are its representative's).
fn same_on(a: &State, b: &State, prefixes: &[Ipv4Net]) -> bool {
    let stored: Vec<&Ipv4Net> = prefixes
        .iter()
        .filter(|p| !a.class_of.contains_key(p) && !b.class_of.contains_key(p))
        .collect();
    a.ribs.len() == b.ribs.len()
        && a.ribs.iter().all(|(v, ra)| {
            b.rib(v)
                .is_some_and(|rb| stored.iter().all(|p| ra.own().get(p) == rb.own().get(p)))
        })
}

/// The state that takes, for the prefixes of `keys` (class representatives), the
/// routes of `from` (a whole state or one [`restrict`]ed to those prefixes), and
/// everything else from `base` — both states of one scenario under tie-breaks that
/// differ only on `keys` (module docs): the state of the combined tie-break. The
/// tables are per class (super::rib): replacing a representative's entry replaces
/// what its members read.
pub fn compose(base: &State, from: &State, keys: &BTreeSet<Ipv4Net>) -> State {
    let key_of = |p: &Ipv4Net| base.class_of.get(p).copied().unwrap_or(*p);
    let mut out = base.clone();
    let ids: Vec<crate::ir::NodeId> = out.ribs.ids().collect();
    for v in ids {
        let Some(rib) = out.ribs.get_mut(v) else {
            continue;
        };
        rib.retain_own(|p| !keys.contains(&key_of(p)));
        if let Some(theirs) = from.rib(v) {
            for (p, e) in theirs.own() {
                if keys.contains(&key_of(p)) && !base.class_of.contains_key(p) {
                    rib.insert(*p, e.clone());
                }
            }
        }
    }
    out
}
