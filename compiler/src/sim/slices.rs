//! Prefix equivalence classes ("slicing", as in Batfish/Minesweeper; APKeep's atoms).
//!
//! The control plane reads a prefix in two places only: who originates it
//! ([`super::bgp`]'s local routes) and the `prefix` conditions of policies
//! ([`crate::ir::Condition::Prefix`]). Two prefixes with the same [`Signature`] — the
//! same originators and the same outcome of every `prefix` condition — are therefore
//! routed alike, up to the prefix itself: every node holds the same routes for both,
//! with one prefix written for the other. A site announcing 4,000 /24s alike is one
//! class, converged once ([`super::bgp::stable_state`]) and proved unique once
//! ([`super::unique`], [`crate::smt::unique`]).
//!
//! Whatever new BGP behaviour reads the prefix must add what it reads to the
//! signature, or two prefixes it treats differently would share one computation.

use crate::ir::{Condition, Network, NodeId, PrefixRange};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};

/// The originators of a prefix (ascending ids) and, for every `prefix` condition of
/// every policy (in policy, rule and condition order), whether it matches the prefix.
pub type Signature = (Vec<NodeId>, Vec<bool>);

/// The signature of one prefix.
pub fn signature(net: &Network, p: Ipv4Net) -> Signature {
    let origs: Vec<NodeId> = net
        .nodes
        .iter()
        .filter(|(_, n)| n.originates.iter().any(|o| o.prefix == p))
        .map(|(id, _)| id)
        .collect();
    (origs, condition_bits(&prefix_conditions(net), p))
}

/// `prefixes` grouped into classes of equal signature: each class in ascending
/// prefix order, the classes ordered by their first prefix. Computed in one pass over
/// the originations (not one per prefix), so thousands of prefixes cost little.
pub fn prefix_classes(net: &Network, prefixes: &BTreeSet<Ipv4Net>) -> Vec<Vec<Ipv4Net>> {
    let mut origs: BTreeMap<Ipv4Net, Vec<NodeId>> = BTreeMap::new();
    for (id, n) in net.nodes.iter() {
        for o in &n.originates {
            if prefixes.contains(&o.prefix) {
                let v = origs.entry(o.prefix).or_default();
                if v.last() != Some(&id) {
                    v.push(id);
                }
            }
        }
    }
    let conditions = prefix_conditions(net);
    let mut by_signature: BTreeMap<Signature, usize> = BTreeMap::new();
    let mut classes: Vec<Vec<Ipv4Net>> = Vec::new();
    for p in prefixes {
        let sig = (
            origs.get(p).cloned().unwrap_or_default(),
            condition_bits(&conditions, *p),
        );
        match by_signature.get(&sig) {
            Some(&i) => {
                if let Some(c) = classes.get_mut(i) {
                    c.push(*p);
                }
            }
            None => {
                by_signature.insert(sig, classes.len());
                classes.push(vec![*p]);
            }
        }
    }
    classes
}

fn prefix_conditions(net: &Network) -> Vec<&[PrefixRange]> {
    let mut out = Vec::new();
    for pol in net.policies.values() {
        for rule in &pol.rules {
            for c in &rule.conditions {
                if let Condition::Prefix(ranges) = c {
                    out.push(ranges.as_slice());
                }
            }
        }
    }
    out
}

fn condition_bits(conditions: &[&[PrefixRange]], p: Ipv4Net) -> Vec<bool> {
    conditions
        .iter()
        .map(|ranges| ranges.iter().any(|r| r.matches(&p)))
        .collect()
}
