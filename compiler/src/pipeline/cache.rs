//! Stable states of scenarios, shared by every property line of a run: the failure
//! sets of `under failures K` repeat across lines and checks, and each is simulated
//! and proved unique once.

use crate::ir::{ComponentId, Network, Property};
use crate::sim::choice::{Choices, TieBreaks, TieSite};
use crate::sim::unique::Certificate;
use crate::sim::{self, Scenario};
use crate::smt::unique::{prove_unique, Uniqueness};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Time the complete SMT uniqueness proof may take per scenario when the certificate
/// ([`sim::unique`]) did not settle it.
const SMT_UNIQUENESS_BUDGET: Duration = Duration::from_millis(500);

/// What is known about one scenario (a set of down components).
pub enum ScenarioState {
    /// The simulator's stable state, proved to be the only one.
    Unique {
        state: sim::State,
        scenario: Scenario,
        /// The state's walk tables (effective routes, forwarding roles), computed by
        /// the first property that walks and shared by the others.
        tables: OnceLock<Arc<sim::WalkTables>>,
    },
    /// The scenario has undocumented ties (sim::choice): its stable states are
    /// exactly the simulator's states under the deterministic tie-breaks, each proved
    /// the only one under its tie-break ([`tie_breaks`]).
    Several {
        states: Vec<TieBreak>,
        scenario: Scenario,
        /// Whether a choice made per prefix class stands for every per-prefix choice
        /// on walks: each class that shares a choice among several prefixes has no
        /// two overlapping prefixes, none inside an aggregate, no tunnel end
        /// address in them ([`per_class_covers`]). Walking properties that read one
        /// destination are decided over the states only when this holds.
        per_class: bool,
    },
    /// The scenario has more undocumented ties than [`ScenarioState::Several`]
    /// enumerates together, in independent groups ([`sim::choice_groups`]): each
    /// group's states take every combination of its own choices (the default
    /// elsewhere); together they cover every stable state prefix by prefix.
    Grouped {
        /// The scenario's state under the default choice; each group's states hold
        /// only the group's prefixes ([`sim::choice_groups::restrict`]), the rest is
        /// this state's.
        base: sim::State,
        groups: Vec<StateGroup>,
        scenario: Scenario,
        /// As for [`ScenarioState::Several`].
        per_class: bool,
    },
    /// The concrete path does not apply; the text says why.
    Symbolic(String),
    /// The deadline passed while proving (not cached: a later check may have time).
    Timeout,
    /// The simulation itself was stopped by the check's deadline or the memory budget
    /// (the text says which; not cached, like [`ScenarioState::Timeout`]).
    Stopped(String),
}

/// One stable state of a scenario with undocumented ties: the simulator's state under
/// one deterministic tie-break.
pub struct TieBreak {
    pub state: sim::State,
    pub choices: Choices,
    /// The state's walk tables, as for [`ScenarioState::Unique`].
    pub tables: OnceLock<Arc<sim::WalkTables>>,
}

/// One group of undocumented choices ([`sim::choice_groups::TieGroup`]) with its
/// states.
pub struct StateGroup {
    /// The group's choice keys (prefix class representatives).
    pub keys: std::collections::BTreeSet<ipnet::Ipv4Net>,
    /// Every prefix of those classes.
    pub prefixes: Vec<ipnet::Ipv4Net>,
    pub states: Vec<TieBreak>,
}

impl StateGroup {
    /// Whether a walk to `d` may read a prefix of this group.
    pub fn reads(&self, d: std::net::Ipv4Addr) -> bool {
        self.prefixes.iter().any(|p| p.contains(&d))
    }
}

/// One scenario's slot: the first thread to ask computes it; the others wait for
/// that answer instead of computing the same state again.
type Slot = Arc<OnceLock<Arc<ScenarioState>>>;

/// Scenario → state, thread-safe: each scenario is computed once (a
/// [`ScenarioState::Timeout`] is not kept: a later check may have the time).
#[derive(Default)]
pub struct ScenarioCache {
    map: Mutex<HashMap<Vec<ComponentId>, Slot>>,
    /// Stable states already simulated elsewhere (the stable-state findings simulate
    /// the scenario with nothing down before any check), taken by the first
    /// computation of their scenario instead of simulating it again.
    simulated: Mutex<HashMap<Vec<ComponentId>, sim::State>>,
}

impl ScenarioCache {
    pub fn new() -> ScenarioCache {
        ScenarioCache::default()
    }

    /// Gives the cache `state`, the simulator's stable state of the scenario in which
    /// exactly `down` (sorted) is down: the scenario is then certified (and its
    /// properties decided) on it without simulating it again.
    pub fn simulated(&self, down: Vec<ComponentId>, state: sim::State) {
        if let Ok(mut m) = self.simulated.lock() {
            m.insert(down, state);
        }
    }

    /// The state of the scenario in which exactly `down` (sorted) is down.
    pub fn get(
        &self,
        net: &Network,
        template: &Property,
        down: &[ComponentId],
        deadline: Instant,
        max_memory: u64,
    ) -> Arc<ScenarioState> {
        let slot: Option<Slot> = self
            .map
            .lock()
            .ok()
            .map(|mut m| m.entry(down.to_vec()).or_default().clone());
        let Some(slot) = slot else {
            return Arc::new(compute(net, template, down, deadline, max_memory, None));
        };
        let got = slot
            .get_or_init(|| {
                let known = self.simulated.lock().ok().and_then(|mut m| m.remove(down));
                Arc::new(compute(net, template, down, deadline, max_memory, known))
            })
            .clone();
        if !matches!(*got, ScenarioState::Timeout | ScenarioState::Stopped(_)) {
            return got;
        }
        // Timed out for an earlier check: this one tries again (with its own deadline),
        // and keeps the answer only if it is one.
        let again = Arc::new(compute(net, template, down, deadline, max_memory, None));
        if !matches!(*again, ScenarioState::Timeout | ScenarioState::Stopped(_)) {
            if let Ok(mut m) = self.map.lock() {
                let fresh: Slot = Arc::new(OnceLock::new());
                let _ = fresh.set(again.clone());
                m.insert(down.to_vec(), fresh);
            }
        }
        again
    }
}

/// Simulates the scenario in which exactly `down` is down (unless `known` is its
/// stable state already) and proves its stable state the only one (the certificate,
/// then the SMT proof within a short budget).
fn compute(
    net: &Network,
    template: &Property,
    down: &[ComponentId],
    deadline: Instant,
    max_memory: u64,
    known: Option<sim::State>,
) -> ScenarioState {
    let sc = Scenario::new(down.iter().copied());
    let stop = crate::budget::stop_check(deadline, max_memory);
    let simulated = match known {
        Some(state) => Ok(state),
        None => sim::stable_state_until(net, &sc, &stop),
    };
    match simulated {
        Err(sim::Unsettled::Stopped(why)) => ScenarioState::Stopped(why),
        Err(sim::Unsettled::NoStableState(_)) => {
            ScenarioState::Symbolic("the simulator found no stable state".into())
        }
        Ok(state) => match sim::unique::certify_until(net, &sc, &state, Some(deadline)) {
            Certificate::Timeout => ScenarioState::Timeout,
            Certificate::Unique => ScenarioState::Unique {
                state,
                scenario: sc,
                tables: OnceLock::new(),
            },
            Certificate::RouteLimits(why) => ScenarioState::Symbolic(why),
            Certificate::NotShown(why)
                if !sim::choice::material_ties(net, &sc, &state).is_empty() =>
            {
                match tie_breaks(net, &sc, &state, deadline, max_memory) {
                    Some(decided) => decided,
                    None => smt_uniqueness(net, template, down, sc, state, why, deadline),
                }
            }
            // The node-by-node certificate is cheap but incomplete; a small design can
            // afford the complete control-plane proof, within a short budget (the
            // symbolic path keeps the rest of the time).
            Certificate::NotShown(why) => {
                smt_uniqueness(net, template, down, sc, state, why, deadline)
            }
        },
    }
}

/// The complete SMT uniqueness proof of `state`, within [`SMT_UNIQUENESS_BUDGET`],
/// after the certificate failed for the reason `why`.
fn smt_uniqueness(
    net: &Network,
    template: &Property,
    down: &[ComponentId],
    sc: Scenario,
    state: sim::State,
    why: String,
    deadline: Instant,
) -> ScenarioState {
    let budget = deadline.min(Instant::now() + SMT_UNIQUENESS_BUDGET);
    match prove_unique(net, template, down, &state, budget) {
        Uniqueness::Unique => ScenarioState::Unique {
            state,
            scenario: sc,
            tables: OnceLock::new(),
        },
        Uniqueness::NotShown(w) => ScenarioState::Symbolic(format!("{why}; {w}")),
        Uniqueness::Timeout if Instant::now() >= deadline => ScenarioState::Timeout,
        Uniqueness::Timeout => ScenarioState::Symbolic(why),
    }
}

/// Every stable state of scenario `sc` with undocumented ties, one per deterministic
/// tie-break ([`sim::choice::tie_breaks`]), with the per-class flag
/// ([`per_class_covers`]): [`ScenarioState::Several`]; [`ScenarioState::Timeout`] or
/// [`ScenarioState::Stopped`] when the deadline or the memory budget stopped it;
/// `None` when the argument does not apply (the SMT proof and the symbolic path
/// decide).
fn tie_breaks(
    net: &Network,
    sc: &Scenario,
    default: &sim::State,
    deadline: Instant,
    max_memory: u64,
) -> Option<ScenarioState> {
    let late = || Instant::now() >= deadline;
    let stop = crate::budget::stop_check(deadline, max_memory);
    match sim::choice::tie_breaks(net, sc, default, true, &late, &stop) {
        TieBreaks::All(states, sites) => Some(ScenarioState::Several {
            per_class: per_class_covers(net, default, &sites),
            states: tie_break_states(states),
            scenario: sc.clone(),
        }),
        TieBreaks::Groups(groups, sites) => Some(ScenarioState::Grouped {
            base: default.clone(),
            per_class: per_class_covers(net, default, &sites),
            groups: groups
                .into_iter()
                .map(|g| StateGroup {
                    keys: g.keys,
                    prefixes: g.prefixes,
                    states: tie_break_states(g.states),
                })
                .collect(),
            scenario: sc.clone(),
        }),
        TieBreaks::NotShown(_) => None,
        TieBreaks::Late => Some(ScenarioState::Timeout),
        TieBreaks::Stopped(why) => Some(ScenarioState::Stopped(why)),
    }
}

/// Each `(choices, state)` as a [`TieBreak`] (its walk tables computed when first
/// needed).
fn tie_break_states(states: Vec<(Choices, sim::State)>) -> Vec<TieBreak> {
    states
        .into_iter()
        .map(|(choices, state)| TieBreak {
            state,
            choices,
            tables: OnceLock::new(),
        })
        .collect()
}

/// Whether choices made per prefix class cover every choice Azure may make per prefix
/// for a property whose questions each read one destination address (docs/semantics.md
/// "Undocumented choices"): BGP decides each prefix on its own, so a stable state
/// chooses per prefix; a walk to address `d` reads, at each node, only the prefixes
/// that contain `d`, and the ends of the tunnels it rides. When every class that
/// shares a choice among several prefixes ([`sim::choice::TieSite::members`]) has
/// pairwise disjoint prefixes, none inside an aggregate (an aggregate stands on
/// several of them) and no tunnel end address in any of them, each walk reads at
/// most one prefix of such a class, so what it sees in any per-prefix state it sees
/// in the per-class state that takes, for each class, that prefix's choice.
pub fn per_class_covers(net: &Network, state: &sim::State, sites: &[TieSite]) -> bool {
    let shared: std::collections::BTreeSet<ipnet::Ipv4Net> = sites
        .iter()
        .filter(|s| s.members > 1)
        .map(|s| s.key)
        .collect();
    if shared.is_empty() {
        return true;
    }
    let aggregates = sim::slices::aggregated(net);
    let tunnel_ends: Vec<std::net::Ipv4Addr> = sim::slices::tunnel_end_addresses(net);
    shared.iter().all(|key| {
        let mut members: Vec<ipnet::Ipv4Net> = state
            .class_of
            .iter()
            .filter(|(_, k)| *k == key)
            .map(|(p, _)| *p)
            .collect();
        members.push(*key);
        members.sort();
        // Sorted by address then length: if two overlap, two neighbours do.
        let disjoint = members
            .windows(2)
            .all(|w| matches!(w, [a, b] if !a.contains(b) && !b.contains(a)));
        disjoint
            && !members
                .iter()
                .any(|p| aggregates.iter().any(|a| a.contains(p)))
            && !members
                .iter()
                .any(|p| tunnel_ends.iter().any(|a| p.contains(a)))
    })
}
