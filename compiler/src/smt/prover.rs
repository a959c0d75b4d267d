//! A thin wrapper around one z3 solver: background facts (the network, the scenario
//! bounds) are asserted once as *assumptions*; each property is asked as a *goal* in
//! its own push/pop frame, with the remaining time as the solver timeout.
//!
//! The only answers are [`Outcome::Proof`] (the negated goal is unsatisfiable),
//! [`Outcome::Counterexample`] (a model of the negated goal) and [`Outcome::Unknown`]
//! (timeout or the solver gave up): an unknown is never reported as a pass.

use super::encode::Encoder;
use crate::budget::{memory_reason, Budget};
use std::rc::Rc;
use std::time::{Duration, Instant};
use z3::ast::Bool;
use z3::{Model, Params, SatResult, Solver};

/// What the solver says about one goal.
pub enum Outcome {
    /// The goal holds in every model of the assumptions.
    Proof,
    /// A model of the assumptions in which the goal fails.
    Counterexample(Model),
    /// The solver could not decide (timeout, incompleteness).
    Unknown(String),
}

pub struct Prover {
    solver: Solver,
    /// Its deadline and memory budget, shared with the encoder whose facts it holds: once
    /// the encoding ran out of either, every answer is `unknown` (the facts may be
    /// incomplete).
    budget: Rc<Budget>,
}

impl Prover {
    /// A prover with `timeout` from now and no memory budget.
    pub fn new(timeout: Duration) -> Prover {
        let now = Instant::now();
        Prover::with_budget(Rc::new(Budget::new(
            now.checked_add(timeout).unwrap_or(now),
            u64::MAX,
        )))
    }

    /// A prover answering within `budget` (see [`crate::budget`]).
    pub fn with_budget(budget: Rc<Budget>) -> Prover {
        Prover {
            solver: Solver::new_for_logic("QF_LIA").unwrap_or_default(),
            budget,
        }
    }

    /// When the current questions must be answered by.
    pub fn deadline(&self) -> Instant {
        self.budget.deadline()
    }

    /// Sets when the next questions must be answered by (one solver serves several
    /// properties, each with its check's deadline).
    pub fn set_deadline(&mut self, deadline: Instant) {
        self.budget.set_deadline(deadline);
    }

    /// Adds a background fact (part of the network's meaning, not of the property).
    pub fn assume(&self, fact: &Bool) {
        self.solver.assert(fact);
    }

    /// Asserts `fact` in a frame of its own, until [`Prover::pop_fact`].
    pub fn push_fact(&self, fact: &Bool) {
        self.solver.push();
        self.solver.assert(fact);
    }

    /// Drops the frame of the last [`Prover::push_fact`] (and every fact asserted since).
    pub fn pop_fact(&self) {
        self.solver.pop(1);
    }

    /// Hands the encoder's new facts to the solver (each fact once per session).
    pub fn sync(&self, enc: &mut Encoder<'_>) {
        for f in enc.facts.iter().skip(enc.synced) {
            self.assume(f);
        }
        enc.synced = enc.facts.len();
    }

    fn arm_timeout(&self) -> Option<u32> {
        let left = self.deadline().saturating_duration_since(Instant::now());
        let ms = u32::try_from(left.as_millis()).unwrap_or(u32::MAX);
        if ms == 0 {
            return None;
        }
        let mut params = Params::new();
        params.set_u32("timeout", ms);
        // Measured on the examples (docs/performance.md, "Verification"): the
        // simplex-based arithmetic solver and no relevancy propagation are about 30 %
        // faster on these queries than z3 4.8's defaults. Both only steer the search.
        params.set_u32("arith.solver", 2);
        params.set_u32("relevancy", 0);
        // z3's own memory cap, in MiB, over everything z3 has allocated in the process
        // (the smt solver's `max_memory`: z3 answers unknown, "max. memory exceeded",
        // instead of growing past it; unlike the global `memory_max_size` it stops only
        // this solver's check, with no error raised).
        let max = self.budget.max_memory();
        if max < u64::MAX {
            let mib = u32::try_from((max / (1024 * 1024)).max(1)).unwrap_or(u32::MAX);
            params.set_u32("max_memory", mib);
        }
        self.solver.set_params(&params);
        Some(ms)
    }

    /// Asks whether `violation` can hold together with the assumptions; `extra` are
    /// temporary constraints (used to make models canonical).
    pub fn check(&self, violation: &Bool, extra: &[Bool]) -> Outcome {
        if let Err(why) = self.budget.check_memory() {
            return Outcome::Unknown(why);
        }
        if self.arm_timeout().is_none() {
            return Outcome::Unknown("the verification time limit was reached".into());
        }
        self.solver.push();
        self.solver.assert(violation);
        for e in extra {
            self.solver.assert(e);
        }
        let result = self.solver.check();
        let outcome = match result {
            SatResult::Unsat => Outcome::Proof,
            SatResult::Sat => match self.solver.get_model() {
                Some(m) => Outcome::Counterexample(m),
                None => Outcome::Unknown("the solver returned no model".into()),
            },
            SatResult::Unknown => Outcome::Unknown(
                self.solver
                    .get_reason_unknown()
                    .map(|r| {
                        if r.contains("timeout") || r.contains("canceled") {
                            "the solver timed out".to_string()
                        } else if r.contains("memory") {
                            memory_reason(self.budget.max_memory())
                        } else {
                            format!("the solver gave up ({r})")
                        }
                    })
                    .unwrap_or_else(|| "the solver gave up".into()),
            ),
        };
        self.solver.pop(1);
        outcome
    }

    /// One solver call for several violations at once: true when none can hold.
    pub fn refutes_all<'a>(&self, violations: impl IntoIterator<Item = &'a Bool>) -> bool {
        let any: Vec<Bool> = violations.into_iter().cloned().collect();
        matches!(self.check(&Bool::or(&any), &[]), Outcome::Proof)
    }

    /// Whether the goal holds: the negation is refuted.
    pub fn prove(&self, goal: &Bool) -> Outcome {
        self.check(&goal.not(), &[])
    }

    /// Like [`Prover::check`], then makes the model canonical: each `prefer_false`
    /// literal (in order) is forced false when that keeps the violation satisfiable.
    /// Used for minimal, deterministic failure sets and environments.
    pub fn check_canonical(&self, violation: &Bool, prefer_false: &[Bool]) -> Outcome {
        let first = self.check(violation, &[]);
        let Outcome::Counterexample(mut model) = first else {
            return first;
        };
        let mut fixed: Vec<Bool> = Vec::new();
        for lit in prefer_false {
            let already_false = model
                .eval(lit, true)
                .and_then(|v| v.as_bool())
                .map(|b| !b)
                .unwrap_or(false);
            let mut trial = fixed.clone();
            trial.push(lit.not());
            if already_false {
                fixed = trial;
                continue;
            }
            match self.check(violation, &trial) {
                Outcome::Counterexample(m) => {
                    model = m;
                    fixed = trial;
                }
                Outcome::Proof => {
                    fixed.push(lit.clone());
                }
                Outcome::Unknown(_) => {}
            }
        }
        // Re-solve under the final choices so the model is the same every run.
        match self.check(violation, &fixed) {
            Outcome::Counterexample(m) => Outcome::Counterexample(m),
            _ => Outcome::Counterexample(model),
        }
    }
}
