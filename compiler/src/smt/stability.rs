//! Under `failures K`: does every allowed failure set leave the encoded prefixes a
//! stable state? A proof "in every stable state" says nothing about a failure set in
//! which BGP oscillates, so a property is only `pass` when none exists.
//!
//! # Why enumeration
//!
//! "Some failure set of at most K components has no stable state" is ∃F ∀S ¬stable(F,
//! S): a quantifier alternation that one satisfiability query over the encoding cannot
//! express (the caller's check "some stable state exists" only says that *some*
//! failure set, not necessarily the empty one, has one). So the failure sets are
//! enumerated — sizes 0, 1, …, K, each size in lexicographic order of component ids,
//! the simulator's order — and for each one the solver is asked for a stable state with
//! exactly those components down (every free failure variable fixed). UNSAT means the
//! encoded prefixes have no stable state with that set down: the answer names it
//! ([`Stability::Unstable`]). A model only speaks for its own failure set, so no answer
//! is reused for another set. The empty set is included.
//!
//! # Irrelevant components
//!
//! A failure variable that occurs in no fact of the encoding (except the `at most K`
//! bound) cannot change whether a stable state exists: the sliced prefix planes do not
//! read it. For such a component `c`, a set `F ∪ {c}` has a stable state iff `F` has
//! one (the remaining constraints are identical and the bound holds for both), so only
//! sets of *relevant* components are enumerated, which also keeps a reported set free
//! of components that play no part. Which variables occur is read off the z3 terms of
//! the facts; should the bound not be recognised, every variable counts as relevant
//! (slower, same answer).
//!
//! # Cap and soundness
//!
//! At most [`MAX_FAILURE_SETS`] sets are checked; above it, and when the solver gives
//! up or the time limit is reached, the answer is [`Stability::Unknown`], never
//! [`Stability::Stable`]. `Stable` is only returned after every allowed set of relevant
//! components had a model, that is a stable state of the encoding (docs/semantics.md:
//! every stable state the simulator reaches is a model; the rank constraints exclude
//! only routes that no origination supports).

use super::encode::Encoder;
use super::prover::{Outcome, Prover};
use crate::ir::{ComponentId, Id};
use crate::sim::failure_sets::{count_sets, next_combination};
use std::collections::HashSet;
use z3::ast::{Ast, Bool, Dynamic};
use z3::AstKind;

/// The most failure sets checked one by one; above it the answer is `unknown`.
pub const MAX_FAILURE_SETS: u64 = 4096;

/// What the failure sets of a scenario admit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stability {
    /// Every allowed failure set has a stable state for the encoded prefixes.
    Stable,
    /// With these components (names, sorted) down, the encoded prefixes have no stable
    /// state.
    Unstable(Vec<String>),
    /// Not decided (timeout, too many failure sets): the reason.
    Unknown(String),
}

/// Checks every failure set of at most `k` of the encoder's free failure variables.
pub fn failure_sets(enc: &Encoder<'_>, prover: &Prover, k: u32) -> Stability {
    let free = &enc.scen.free;
    let relevant = relevant_vars(enc, k);
    let size_limit = usize::try_from(k).unwrap_or(usize::MAX).min(relevant.len());
    let total = count_sets(relevant.len(), size_limit, MAX_FAILURE_SETS);
    if total > MAX_FAILURE_SETS {
        return Stability::Unknown(format!(
            "too many failure sets to check that each has a stable state: at most {k} of \
             the {} components the property's routes depend on make more than \
             {MAX_FAILURE_SETS}",
            relevant.len()
        ));
    }
    // Irrelevant variables stay up: see the module documentation.
    let base: Vec<Bool> = free.iter().map(|(_, v)| v.not()).collect();
    for size in 0..=size_limit {
        let mut combo: Vec<usize> = (0..size).collect();
        loop {
            let mut extra = base.clone();
            let mut down: Vec<usize> = Vec::with_capacity(size);
            for &r in &combo {
                let Some(&j) = relevant.get(r) else { continue };
                if let (Some(slot), Some((comp, var))) = (extra.get_mut(j), free.get(j)) {
                    *slot = var.clone();
                    down.push(*comp);
                }
            }
            match prover.check(&Bool::from_bool(true), &extra) {
                Outcome::Counterexample(_) => {}
                Outcome::Proof => return Stability::Unstable(names(enc, &down)),
                Outcome::Unknown(why) => return Stability::Unknown(why),
            }
            if !next_combination(&mut combo, relevant.len()) {
                break;
            }
        }
    }
    Stability::Stable
}

/// The names of these components, sorted.
fn names(enc: &Encoder<'_>, comps: &[usize]) -> Vec<String> {
    let mut out: Vec<String> = comps
        .iter()
        .map(|&c| {
            enc.net
                .components
                .get(ComponentId::from_index(c))
                .map(|comp| comp.name.clone())
                .unwrap_or_else(|| format!("component {c}"))
        })
        .collect();
    out.sort();
    out
}

/// Positions (in `enc.scen.free`) of the failure variables that occur in some fact
/// other than the `at most k` bound, ascending.
fn relevant_vars(enc: &Encoder<'_>, k: u32) -> Vec<usize> {
    let free = &enc.scen.free;
    if free.is_empty() {
        return Vec::new();
    }
    let vars: Vec<Dynamic> = free.iter().map(|(_, v)| Dynamic::from_ast(v)).collect();
    let lits: Vec<&Bool> = free.iter().map(|(_, v)| v).collect();
    let bound = Dynamic::from_ast(&z3::ast::atmost(lits, k));
    let mut seen: HashSet<Dynamic> = HashSet::new();
    let mut found: HashSet<Dynamic> = HashSet::new();
    let mut stack: Vec<Dynamic> = enc
        .facts
        .iter()
        .map(|f| Dynamic::from_ast(f))
        .filter(|f| *f != bound)
        .collect();
    while let Some(t) = stack.pop() {
        if !seen.insert(t.clone()) {
            continue;
        }
        match t.kind() {
            AstKind::App => {
                if t.num_children() == 0 {
                    if vars.contains(&t) {
                        found.insert(t);
                    }
                } else {
                    stack.extend(t.children());
                }
            }
            AstKind::Numeral => {}
            // Quantifiers, bound variables and the like are not produced by the
            // encoding; should one appear, its variables cannot be listed, so every
            // failure variable counts as relevant.
            _ => return (0..free.len()).collect(),
        }
    }
    (0..free.len())
        .filter(|&i| vars.get(i).is_some_and(|v| found.contains(v)))
        .collect()
}
