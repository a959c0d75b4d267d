//! Stable states of scenarios, shared by every property line of a run: the failure
//! sets of `under failures K` repeat across lines and checks, and each is simulated
//! and proved unique once.

use crate::ir::{ComponentId, Network, Property};
use crate::sim::unique::Certificate;
use crate::sim::{self, Scenario};
use crate::smt::unique::{prove_unique, Uniqueness};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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
    },
    /// The concrete path does not apply; the text says why.
    Symbolic(String),
    /// The deadline passed while proving (not cached: a later check may have time).
    Timeout,
}

/// Scenario → state, thread-safe. Two threads may compute the same scenario at once;
/// both get the same answer, and one is kept.
#[derive(Default)]
pub struct ScenarioCache {
    map: Mutex<HashMap<Vec<ComponentId>, Arc<ScenarioState>>>,
}

impl ScenarioCache {
    pub fn new() -> ScenarioCache {
        ScenarioCache {
            map: Mutex::new(HashMap::new()),
        }
    }

    /// The state of the scenario in which exactly `down` (sorted) is down.
    pub fn get(
        &self,
        net: &Network,
        template: &Property,
        down: &[ComponentId],
        deadline: Instant,
    ) -> Arc<ScenarioState> {
        if let Some(hit) = self.map.lock().ok().and_then(|m| m.get(down).cloned()) {
            return hit;
        }
        let sc = Scenario::new(down.iter().copied());
        let computed = match sim::stable_state(net, &sc) {
            Err(_) => ScenarioState::Symbolic("the simulator found no stable state".into()),
            Ok(state) => match sim::unique::certify_until(net, &sc, &state, Some(deadline)) {
                Certificate::Timeout => ScenarioState::Timeout,
                Certificate::Unique => ScenarioState::Unique {
                    state,
                    scenario: sc,
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
                        },
                        Uniqueness::NotShown(w) => ScenarioState::Symbolic(format!("{why}; {w}")),
                        Uniqueness::Timeout if Instant::now() >= deadline => ScenarioState::Timeout,
                        Uniqueness::Timeout => ScenarioState::Symbolic(why),
                    }
                }
            },
        };
        let computed = Arc::new(computed);
        if !matches!(*computed, ScenarioState::Timeout) {
            if let Ok(mut m) = self.map.lock() {
                m.entry(down.to_vec()).or_insert_with(|| computed.clone());
            }
        }
        computed
    }
}
