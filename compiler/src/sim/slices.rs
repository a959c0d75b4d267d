//! Prefix equivalence classes ("slicing", as in Batfish/Minesweeper; APKeep's atoms).
//!
//! The control plane reads a prefix in two places only: who originates it, and on
//! which component the origination stands ([`super::bgp`]'s local routes,
//! [`crate::ir::Origination::requires`]), and the `prefix` conditions of policies
//! ([`crate::ir::Condition::Prefix`]). Two prefixes with the same [`Signature`] — the
//! same originators and the same outcome of every `prefix` condition — are therefore
//! routed alike, up to the prefix itself: every node holds the same routes for both,
//! with one prefix written for the other. A site announcing 4,000 /24s alike is one
//! class, converged once ([`super::bgp::stable_state`]) and proved unique once
//! ([`super::unique`], [`crate::smt::unique`]).
//!
//! FRR's `neighbor A default-originate` ([`crate::ir::Edge::default_originate`]) is the
//! third place: 0.0.0.0/0 is then a class of its own; an aggregate
//! ([`crate::ir::Origination::aggregate`]) the fourth: each aggregated prefix is one.
//!
//! Whatever new BGP behaviour reads the prefix must add what it reads to the
//! signature, or two prefixes it treats differently would share one computation.

use crate::ir::{ComponentId, Condition, Id, Network, NodeId, PrefixRange};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};

/// The originators of a prefix (ascending ids) and, for every `prefix` condition of
/// every policy (in policy, rule and condition order), whether it matches the prefix.
pub type Signature = (Vec<NodeId>, Vec<bool>);

/// The signature of one prefix.
pub fn signature(net: &Network, p: Ipv4Net) -> Signature {
    let origs: Vec<(NodeId, Option<ComponentId>)> = net
        .nodes
        .iter()
        .filter_map(|(id, n)| {
            n.originates
                .iter()
                .find(|o| o.prefix == p)
                .map(|o| (id, o.requires))
        })
        .collect();
    let edge_origin = edge_originated(net);
    let mut bits = condition_bits(&prefix_conditions(net), edge_origin, p);
    aggregate_bits(&aggregated(net), p, &mut bits);
    assemble(&origs, bits)
}

/// The prefixes some node aggregates.
pub(crate) fn aggregated(net: &Network) -> BTreeSet<Ipv4Net> {
    net.nodes
        .values()
        .flat_map(|n| {
            n.originates
                .iter()
                .filter(|o| o.aggregate)
                .map(|o| o.prefix)
        })
        .collect()
}

/// An aggregate (`ir::Origination::aggregate`) stands on the routes for the longer
/// prefixes inside it, which differ from prefix to prefix: an aggregated prefix is a
/// class of its own (a flag, then its address and length, bit by bit).
fn aggregate_bits(aggregated: &BTreeSet<Ipv4Net>, p: Ipv4Net, bits: &mut Vec<bool>) {
    let is = aggregated.contains(&p);
    bits.push(is);
    if is {
        let a = u32::from(p.network());
        bits.extend((0..32).map(|i| (a >> i) & 1 == 1));
        bits.extend((0..6).map(|i| (p.prefix_len() >> i) & 1 == 1));
    }
}

/// Whether some edge originates 0.0.0.0/0 ([`crate::ir::Edge::default_originate`]):
/// then 0.0.0.0/0 is routed unlike any other prefix and is a class of its own.
fn edge_originated(net: &Network) -> bool {
    net.edges.values().any(|e| e.default_originate.is_some())
}

/// The signature from the originators (with what each origination stands on) and the
/// condition bits. A conditional origination (a gateway's spoke space, standing on the
/// spoke's peering) adds the index of the component it stands on, bit by bit after the
/// condition bits: prefixes standing on different components never share a class (they
/// are routed differently when one of them fails).
fn assemble(origs: &[(NodeId, Option<ComponentId>)], mut bits: Vec<bool>) -> Signature {
    for (_, requires) in origs {
        bits.push(requires.is_some());
        if let Some(c) = requires {
            bits.extend((0..32).map(|i| (c.index() >> i) & 1 == 1));
        }
    }
    (origs.iter().map(|(n, _)| *n).collect(), bits)
}

/// `prefixes` grouped into classes of equal signature: each class in ascending
/// prefix order, the classes ordered by their first prefix. Computed in one pass over
/// the originations (not one per prefix), so thousands of prefixes cost little.
pub fn prefix_classes(net: &Network, prefixes: &BTreeSet<Ipv4Net>) -> Vec<Vec<Ipv4Net>> {
    // Per prefix, each originator once, with its first origination's condition (as
    // `signature` reads it).
    let mut origs: BTreeMap<Ipv4Net, Vec<(NodeId, Option<ComponentId>)>> = BTreeMap::new();
    for (id, n) in net.nodes.iter() {
        for o in &n.originates {
            if prefixes.contains(&o.prefix) {
                let v = origs.entry(o.prefix).or_default();
                if v.last().map(|(x, _)| *x) != Some(id) {
                    v.push((id, o.requires));
                }
            }
        }
    }
    let conditions = prefix_conditions(net);
    let edge_origin = edge_originated(net);
    let aggregates = aggregated(net);
    let mut by_signature: BTreeMap<Signature, usize> = BTreeMap::new();
    let mut classes: Vec<Vec<Ipv4Net>> = Vec::new();
    for p in prefixes {
        let mut bits = condition_bits(&conditions, edge_origin, *p);
        aggregate_bits(&aggregates, *p, &mut bits);
        let sig = assemble(origs.get(p).map(Vec::as_slice).unwrap_or(&[]), bits);
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

/// The outcome of every `prefix` condition for `p`, then whether `p` is originated on
/// edges (`edge_origin`: some edge originates 0.0.0.0/0, and `p` is it).
fn condition_bits(conditions: &[&[PrefixRange]], edge_origin: bool, p: Ipv4Net) -> Vec<bool> {
    let mut bits: Vec<bool> = conditions
        .iter()
        .map(|ranges| ranges.iter().any(|r| r.matches(&p)))
        .collect();
    bits.push(edge_origin && p == Ipv4Net::default());
    bits
}
