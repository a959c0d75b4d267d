//! Stable states of scenarios, shared by every property line of a run: the failure
//! sets of `under failures K` repeat across lines and checks, and each is simulated
//! and proved unique once.

use crate::ir::{ComponentId, Network, Property};
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
    /// The concrete path does not apply; the text says why.
    Symbolic(String),
    /// The deadline passed while proving (not cached: a later check may have time).
    Timeout,
    /// The simulation itself was stopped by the check's deadline or the memory budget
    /// (the text says which; not cached, like [`ScenarioState::Timeout`]).
    Stopped(String),
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
            Certificate::NotShown(why) => {
                // The node-by-node certificate is cheap but incomplete; a small
                // design can afford the complete control-plane proof, within a
                // short budget (the symbolic path keeps the rest of the time).
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
        },
    }
}
