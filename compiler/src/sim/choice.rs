//! Undocumented choices (LANGUAGE.md §2.4, "Undocumented choices are
//! nondeterministic"; issue 11, item 11).
//!
//! Where a node must pick one of several routes and neither BGP nor Azure documents
//! which, every choice must satisfy a property. In the decision process that is step 6
//! (lowest router id of the sender) between two senders one of which is a Microsoft
//! speaker — an MSEE, a gateway, Route Server, AVS — whose router id is not documented
//! ([`crate::ir::Node::router_id_known`]): a site with two circuits bringing one prefix
//! with equal AS paths, an AVS circuit's MSEE with two Global Reach routes, an ER
//! gateway with Route Server in its VNet (ECMP off: "the gateway uses one of the
//! routes", AZURE.md v2 corrections) re-advertising one of its equal circuit routes.
//! Ties between two known router ids (FRR's documented tie-break between ordinary BGP
//! speakers) and the steps before it stay deterministic.
//!
//! The simulator's [`super::bgp::compare`] is a total order that breaks such a tie by
//! the declaration-order default, one of the possible choices. This module enumerates
//! the others: a [`Choices`] names, per (prefix class, node), the sender that wins its
//! undocumented ties; [`stable_states`] starts from the default, finds the ties that
//! matter ([`material_ties`]) and recomputes the stable state with each alternative,
//! depth first, until no new combination appears or [`MAX_STATES`] states are reached.
//! A state is kept only when every chosen route is still a possible choice in it (no
//! candidate beats it by a documented step: [`super::bgp::strictly_better`]).
//!
//! A tie *matters* when choosing another of the tied routes can change anything a
//! property reads: at a node that installs one route (its forwarding and `installs
//! ... via`), or at a multipath node (which installs every tied route anyway) when the
//! tied routes would be exported differently over some usable edge. A tie that does
//! not matter leaves every other node's offers unchanged, so the state stays a stable
//! state whichever route is taken.
//!
//! Complete where it applies ([`tie_breaks`], docs/semantics.md §9 "Undocumented
//! choices: one certificate per tie-break"): the places where an undocumented tie
//! can arise are bounded statically ([`super::unique::tie_sites`]); when their
//! combinations are at most [`MAX_TIE_BREAKS`] and each combination's state is
//! certified unique under that deterministic tie-break
//! ([`super::unique::certify_choosing`]), those states are all the stable states.
//! [`stable_states`] tries that first, once the default state shows a tie that matters.
//! Over the cap, the command line tries the sites group by group
//! ([`super::choice_groups`]: choices for non-overlapping prefixes are independent);
//! the simulator's own enumeration does not (it searches, below).
//!
//! Otherwise a search. Ties that no state shows: a stable state may be reached only
//! through a choice between routes that no enumerated state offers *together* (a tie
//! that exists only in that other state, e.g. a site that takes its circuit's Global
//! Reach route, which its circuit offers only once the site no longer feeds it the VPN
//! route). So the search also branches on the ties among the design's offers across
//! the states found ([`stable_states`], second phase): two routes offered to one node
//! in two different states that would tie if offered together. Known limit of the
//! search: a tie between routes that no enumerated state offers at all is still not
//! found — the simulator is a cross-check; the command line is not affected (it
//! decides over [`tie_breaks`] or asks z3, which decides over every choice).
//!
//! Choices are made per prefix class (super::slices), not per prefix: prefixes the
//! design cannot tell apart take the same choice here, while the SMT encoding lets each
//! prefix choose freely. They differ only when one destination's forwarding reads two
//! prefixes of one class at the same tied node.

use super::bgp::{
    export, stable_state_choosing, strictly_better, undocumented_tie, NonConvergence, State,
    Unsettled,
};
use super::choice_groups::{GroupBreaks, TieGroup};
use super::{Live, Scenario};
use crate::ir::{EdgeId, Id, Network, NodeId};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};

/// At most this many stable states are enumerated per scenario; beyond it the
/// enumeration is incomplete ([`StableStates::complete`] false).
pub const MAX_STATES: usize = 64;

/// At most this many choices are converged per scenario (several can lead to one
/// state); beyond it the enumeration is incomplete too.
pub const MAX_CHOICES: usize = 4 * MAX_STATES;

/// Per (prefix class representative, receiving node): the sender whose route wins
/// that node's undocumented ties. Absent: the declaration-order default.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Choices(BTreeMap<(Ipv4Net, NodeId), NodeId>);

impl Choices {
    /// The chosen sender at `node` for the class of `p`, if any.
    pub fn get(&self, p: Ipv4Net, node: NodeId) -> Option<NodeId> {
        self.0.get(&(p, node)).copied()
    }
    /// These choices and `other`'s (`other`'s where both choose).
    pub fn merged(&self, other: &Choices) -> Choices {
        let mut c = self.clone();
        c.0.extend(other.0.iter().map(|(k, v)| (*k, *v)));
        c
    }
    fn with(&self, p: Ipv4Net, node: NodeId, sender: NodeId) -> Choices {
        let mut c = self.clone();
        c.0.insert((p, node), sender);
        c
    }
}

/// At most this many deterministic tie-breaks ([`every_choice`]) are simulated and
/// certified per scenario; a design with more falls back to the enumeration of
/// [`stable_states`] and the symbolic path.
pub const MAX_TIE_BREAKS: usize = 64;

/// A place where an undocumented tie can arise (computed by
/// [`super::unique::tie_sites`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TieSite {
    /// The choice key: a prefix class representative (or an aggregate).
    pub key: Ipv4Net,
    /// How many prefixes share the key (the class's size).
    pub members: usize,
    pub node: NodeId,
    /// The senders that can win a tie there (`None`: the node's own route, by the
    /// declaration-order default), in order, at least two.
    pub options: Vec<Option<NodeId>>,
}

/// Every deterministic tie-break over `sites`: one [`Choices`] per combination of the
/// sites' options (the product), in lexicographic order of the sites as given; `None`
/// when there are more than `cap`.
///
/// Why this covers every stable state (docs/semantics.md §"Undocumented choices"):
/// in a stable state `S` each node holds a candidate no other beats by a documented
/// step; let σ_S choose, at each site, the sender of the route `S` holds there (or
/// `None` for a local route). `compare_choosing` with that choice ranks `S`'s route
/// first (documented steps agree with `S`; among undocumented ties the chosen sender
/// wins; between routes of one sender the documented session step decides), and
/// outside the sites no undocumented tie arises, so `S` is a stable state of the
/// deterministic decision σ_S. When each σ's stable state is certified unique
/// ([`super::unique::certify_choosing`]), `S` is the simulator's σ_S state: the
/// states of the product are all the stable states (those that are legal).
pub fn every_choice(sites: &[TieSite], cap: usize) -> Option<Vec<Choices>> {
    let mut count: usize = 1;
    for s in sites {
        count = count.checked_mul(s.options.len().max(1))?;
        if count > cap {
            return None;
        }
    }
    let mut out = vec![Choices::default()];
    for s in sites {
        let mut next = Vec::with_capacity(out.len() * s.options.len().max(1));
        for c in &out {
            for o in &s.options {
                match o {
                    Some(sender) => next.push(c.with(s.key, s.node, *sender)),
                    None => next.push(c.clone()),
                }
            }
        }
        out = next;
    }
    Some(out)
}

/// What [`tie_breaks`] concluded for one scenario.
#[derive(Clone, Debug)]
pub enum TieBreaks {
    /// Every stable state of the scenario, each with the tie-break it is the
    /// simulator's state under (legal ones only, equal states once, the default's
    /// first when it is among them), and the tie sites they range over.
    All(Vec<(Choices, State)>, Vec<TieSite>),
    /// More than [`MAX_TIE_BREAKS`] combinations, but the sites fall into independent
    /// groups ([`super::choice_groups`]) whose states together cover every stable
    /// state prefix by prefix, with the tie sites.
    Groups(Vec<TieGroup>, Vec<TieSite>),
    /// Not shown; the text says why (too many tie-breaks, one without a stable
    /// state in the simulator, one whose state is not certified).
    NotShown(String),
    /// `late` answered `true` (a deadline).
    Late,
    /// `stop` stopped a simulation (its reason).
    Stopped(String),
}

/// Every stable state of scenario `sc`, complete, through the deterministic
/// tie-breaks ([`every_choice`] over [`super::unique::tie_sites`], at most
/// [`MAX_TIE_BREAKS`]): the state of each tie-break, certified the only stable state
/// under it ([`super::unique::certify_choosing`]), kept when its choices are legal.
/// `default` is the scenario's state under the default choice
/// ([`super::bgp::stable_state_until`]).
///
/// Over [`MAX_TIE_BREAKS`], group by group ([`TieBreaks::Groups`],
/// [`super::choice_groups`]); with `prefer_groups`, also under it whenever the sites
/// fall into more than one group (Σ instead of ∏ states, each kept restricted to its
/// group's prefixes — the command line's choice; the simulator, which returns whole
/// states, asks without).
pub fn tie_breaks(
    net: &Network,
    sc: &Scenario,
    default: &State,
    prefer_groups: bool,
    late: &dyn Fn() -> bool,
    stop: &dyn Fn() -> Option<String>,
) -> TieBreaks {
    let Some(sites) = super::unique::tie_sites(net, sc, default, late) else {
        return TieBreaks::Late;
    };
    if prefer_groups && super::choice_groups::tie_groups(net, default, &sites).len() > 1 {
        match super::choice_groups::group_states(net, sc, default, &sites, late, stop) {
            GroupBreaks::Groups(groups) => return TieBreaks::Groups(groups, sites),
            GroupBreaks::Late => return TieBreaks::Late,
            GroupBreaks::Stopped(why) => return TieBreaks::Stopped(why),
            // The whole product below, as without groups.
            GroupBreaks::NotShown(_) => {}
        }
    }
    let Some(all) = every_choice(&sites, MAX_TIE_BREAKS) else {
        // Too many together: group by group (super::choice_groups), when the
        // groups' states are few enough.
        return match super::choice_groups::group_states(net, sc, default, &sites, late, stop) {
            GroupBreaks::Groups(groups) => TieBreaks::Groups(groups, sites),
            GroupBreaks::NotShown(why) => TieBreaks::NotShown(format!(
                "more than {MAX_TIE_BREAKS} combinations of undocumented choices, and by groups: {why}"
            )),
            GroupBreaks::Late => TieBreaks::Late,
            GroupBreaks::Stopped(why) => TieBreaks::Stopped(why),
        };
    };
    let mut states: Vec<(Choices, State)> = Vec::new();
    for choices in all {
        let state = if choices == Choices::default() {
            default.clone()
        } else {
            match stable_state_choosing(net, sc, &choices, stop) {
                Ok(s) => s,
                Err(Unsettled::Stopped(why)) => return TieBreaks::Stopped(why),
                Err(Unsettled::NoStableState(_)) => {
                    return TieBreaks::NotShown(
                        "the simulator finds no stable state under one combination of undocumented choices".into(),
                    )
                }
            }
        };
        match super::unique::certify_choosing(net, sc, &state, &choices, late) {
            super::unique::Certificate::Unique => {}
            super::unique::Certificate::Timeout => return TieBreaks::Late,
            super::unique::Certificate::NotShown(why)
            | super::unique::Certificate::RouteLimits(why) => return TieBreaks::NotShown(why),
        }
        if !legal(net, &state, &choices) {
            continue;
        }
        if states
            .iter()
            .any(|(_, x)| x.ribs == state.ribs && x.dropped == state.dropped)
        {
            continue;
        }
        states.push((choices, state));
    }
    if states.is_empty() {
        return TieBreaks::NotShown("no combination of undocumented choices is possible".into());
    }
    TieBreaks::All(states, sites)
}

/// An undocumented tie that matters, in one stable state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tie {
    /// The prefix class representative.
    pub prefix: Ipv4Net,
    pub node: NodeId,
    /// The sender of the route the state chose.
    pub chosen: Option<NodeId>,
    /// The senders of the other routes that could have been chosen, in node order.
    pub others: Vec<NodeId>,
}

/// The undocumented ties of `state` (a stable state of scenario `sc`) that matter, in
/// (node, prefix) order.
pub fn material_ties(net: &Network, sc: &Scenario, state: &State) -> Vec<Tie> {
    let dropped = state.down_sessions();
    let live = Live::new(net, sc, &dropped);
    let mut out_edges: Vec<Vec<EdgeId>> = vec![Vec::new(); net.nodes.len()];
    for (e, edge) in net.edges.iter() {
        if live.edge(e) {
            if let Some(v) = out_edges.get_mut(edge.from.index()) {
                v.push(e);
            }
        }
    }
    let mut out = Vec::new();
    for (v, rib) in state.ribs.iter() {
        for (p, entry) in rib.own() {
            // Most entries hold one candidate: nothing to choose.
            if entry.candidates.len() < 2 || !state.reps.contains(p) {
                continue;
            }
            let Some(best) = entry.candidates.first() else {
                continue;
            };
            let mut tied = Vec::new();
            for c in entry.candidates.iter().skip(1) {
                if undocumented_tie(net, best, c)
                    && !entry.candidates.iter().any(|x| strictly_better(net, x, c))
                {
                    tied.push(c);
                }
            }
            if tied.is_empty() {
                continue;
            }
            let multipath = net.nodes.get(v).is_some_and(|n| n.behaviours.multipath);
            let matters = !multipath
                || out_edges.get(v.index()).is_some_and(|es| {
                    es.iter().any(|e| {
                        tied.iter()
                            .any(|c| export(net, *e, c) != export(net, *e, best))
                    })
                });
            if !matters {
                continue;
            }
            let others: BTreeSet<NodeId> = tied.iter().filter_map(|c| c.from_node(net)).collect();
            out.push(Tie {
                prefix: *p,
                node: v,
                chosen: best.from_node(net),
                others: others.into_iter().collect(),
            });
        }
    }
    out
}

/// Whether every choice of `choices` that applies in `state` picked a possible route:
/// the chosen node's best is beaten by no candidate on a documented step.
pub(crate) fn legal(net: &Network, state: &State, choices: &Choices) -> bool {
    choices.0.keys().all(|(p, v)| {
        let Some(entry) = state.rib(*v).and_then(|r| r.get(p)) else {
            return true;
        };
        let Some(best) = entry.candidates.first() else {
            return true;
        };
        !entry
            .candidates
            .iter()
            .any(|x| strictly_better(net, x, best))
    })
}

/// The stable states of one scenario over its undocumented choices.
#[derive(Clone, Debug)]
pub struct StableStates {
    /// The default choice's state first, then the alternatives found, depth first.
    pub states: Vec<State>,
    /// False when [`MAX_STATES`] cut the enumeration short.
    pub complete: bool,
    /// The first alternative choice under which some prefix never settles, if any: the
    /// states found are still stable states (a violation in one is real), but a
    /// property that holds in all of them has no verdict (the network may oscillate).
    pub unsettled: Option<NonConvergence>,
}

/// Every stable state of `sc` the simulator reaches over the undocumented choices
/// (module docs), asking `stop` as [`super::bgp::stable_state_until`] does. A choice
/// under which some prefix never settles is a real behaviour of a network whose
/// speakers tie-break that way: the default choice not settling is
/// [`Unsettled::NoStableState`]; an alternative not settling is recorded in
/// [`StableStates::unsettled`] and the enumeration goes on (the states already found
/// stay stable states: a property they violate fails whatever the others do).
///
/// Two phases, repeated until neither adds a choice: the ties each state shows (depth
/// first), then the ties among the design's *offers*: two routes offered to one node
/// for one prefix class, by two senders, in two different states, that would tie
/// undocumentedly if offered together, and that no state showed as a tie — each
/// explored choice is tried again with each of the two senders winning there (the
/// choice takes effect while the state converges, where the two offers may meet).
/// States equal to one found already are not kept twice.
pub fn stable_states(
    net: &Network,
    sc: &Scenario,
    stop: &dyn Fn() -> Option<String>,
) -> Result<StableStates, Unsettled> {
    // Complete where it applies: every tie-break's state certified (tie_breaks).
    let default = stable_state_choosing(net, sc, &Choices::default(), stop)?;
    if material_ties(net, sc, &default).is_empty() {
        // No other choice changes anything a property reads (the default's state
        // shows no tie that matters): the enumeration below would stop here too.
        return Ok(StableStates {
            states: vec![default],
            complete: true,
            unsettled: None,
        });
    }
    let late = || stop().is_some();
    match tie_breaks(net, sc, &default, false, &late, stop) {
        TieBreaks::All(states, _) => {
            return Ok(StableStates {
                states: states.into_iter().map(|(_, s)| s).collect(),
                complete: true,
                unsettled: None,
            })
        }
        TieBreaks::Stopped(why) => return Err(Unsettled::Stopped(why)),
        TieBreaks::Late => {
            return Err(Unsettled::Stopped(
                stop().unwrap_or_else(|| crate::budget::TIME_LIMIT.to_string()),
            ))
        }
        TieBreaks::NotShown(_) | TieBreaks::Groups(..) => {}
    }
    let mut states: Vec<State> = Vec::new();
    let mut seen: BTreeSet<Choices> = BTreeSet::new();
    let mut explored: Vec<Choices> = Vec::new();
    // (prefix class, node, sender, sender) pairs some state showed tied.
    let mut shown: BTreeSet<(Ipv4Net, NodeId, NodeId, NodeId)> = BTreeSet::new();
    let mut stack = vec![Choices::default()];
    seen.insert(Choices::default());
    let mut unsettled = None;
    loop {
        while let Some(choices) = stack.pop() {
            if states.len() >= MAX_STATES || explored.len() >= MAX_CHOICES {
                return Ok(StableStates {
                    states,
                    complete: false,
                    unsettled,
                });
            }
            let state = match stable_state_choosing(net, sc, &choices, stop) {
                Ok(state) => state,
                Err(Unsettled::NoStableState(nc)) if choices != Choices::default() => {
                    unsettled.get_or_insert(nc);
                    continue;
                }
                Err(e) => return Err(e),
            };
            if !legal(net, &state, &choices) {
                continue;
            }
            // Every tie, chosen already or not: a choice made earlier may meet senders
            // that were not tied when it was made.
            for tie in material_ties(net, sc, &state) {
                for s in &tie.others {
                    if let Some(c) = tie.chosen {
                        shown.insert((tie.prefix, tie.node, c.min(*s), c.max(*s)));
                    }
                }
                for s in tie.others.iter().rev() {
                    let next = choices.with(tie.prefix, tie.node, *s);
                    if seen.insert(next.clone()) {
                        stack.push(next);
                    }
                }
            }
            explored.push(choices);
            if !states
                .iter()
                .any(|x| x.ribs == state.ribs && x.dropped == state.dropped)
            {
                states.push(state);
            }
        }
        // One state: its offers are its candidates, whose ties it showed already.
        if states.len() < 2 {
            break;
        }
        let mut added = false;
        for (p, v, a, b) in offer_ties(net, &states) {
            if shown.contains(&(p, v, a.min(b), a.max(b))) {
                continue;
            }
            for c in &explored {
                for s in [b, a] {
                    let next = c.with(p, v, s);
                    if seen.insert(next.clone()) {
                        stack.push(next);
                        added = true;
                    }
                }
            }
        }
        if !added {
            break;
        }
    }
    Ok(StableStates {
        states,
        complete: true,
        unsettled,
    })
}

/// The undocumented ties among the offers of several states: per (prefix class, node
/// installing one route), two routes learned from different senders, each seen in some
/// state, equal up to the undocumented step ([`undocumented_tie`]). Each as (prefix,
/// node, sender, sender), in order, without repeats.
fn offer_ties(net: &Network, states: &[State]) -> BTreeSet<(Ipv4Net, NodeId, NodeId, NodeId)> {
    let mut offers: BTreeMap<(Ipv4Net, NodeId), Vec<&crate::sim::Route>> = BTreeMap::new();
    for st in states {
        for (v, rib) in st.ribs.iter() {
            if net.nodes.get(v).is_some_and(|n| n.behaviours.multipath) {
                continue;
            }
            for (p, entry) in rib.own() {
                if !st.reps.contains(p) {
                    continue;
                }
                let seen = offers.entry((*p, v)).or_default();
                for c in entry.candidates.iter().filter(|c| c.learned_from.is_some()) {
                    if !seen.contains(&c) {
                        seen.push(c);
                    }
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    for ((p, v), routes) in &offers {
        for (i, x) in routes.iter().enumerate() {
            for y in routes.iter().skip(i + 1) {
                let (Some(a), Some(b)) = (x.from_node(net), y.from_node(net)) else {
                    continue;
                };
                if a != b && undocumented_tie(net, x, y) {
                    out.insert((*p, *v, a.min(b), a.max(b)));
                }
            }
        }
    }
    out
}

/// The candidates of `entry` (node `v`'s routes for one prefix) among which `v`
/// chooses without a documented tie-break (LANGUAGE.md §2.4): the best and every
/// candidate in an undocumented tie with it that no candidate beats on a documented
/// step, as indices into `entry.candidates` (empty when there is no such tie). A
/// multipath node installs every such route: it has nothing to choose.
pub fn tied_candidates(net: &Network, v: NodeId, entry: &super::PrefixRib) -> Vec<usize> {
    if net.nodes.get(v).is_some_and(|n| n.behaviours.multipath) {
        return Vec::new();
    }
    let Some(best) = entry.candidates.first() else {
        return Vec::new();
    };
    let tied: Vec<usize> = entry
        .candidates
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, c)| {
            undocumented_tie(net, best, c)
                && !entry.candidates.iter().any(|x| strictly_better(net, x, c))
        })
        .map(|(i, _)| i)
        .collect();
    if tied.is_empty() {
        return Vec::new();
    }
    std::iter::once(0).chain(tied).collect()
}
