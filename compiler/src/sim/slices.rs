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
use std::collections::BTreeSet;

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

/// The addresses of the ends of every tunnel (each end node's NIC addresses): a walk
/// riding a tunnel reads the routes for them too.
pub(crate) fn tunnel_end_addresses(net: &Network) -> Vec<std::net::Ipv4Addr> {
    net.tunnels
        .values()
        .flat_map(|t| [t.a, t.b])
        .filter_map(|n| net.nodes.get(n))
        .flat_map(|n| n.all_nics().into_iter().map(|(a, _)| a))
        .collect()
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
/// the originations (not one per prefix), with each prefix's signature encoded into
/// one reused buffer ([`encode`]; a class's key is allocated once), so thousands of
/// prefixes cost little.
pub fn prefix_classes(net: &Network, prefixes: &BTreeSet<Ipv4Net>) -> Vec<Vec<Ipv4Net>> {
    // Per prefix, each originator once, with its first origination's condition (as
    // `signature` reads it): (prefix, node, condition), sorted by prefix then node.
    let mut origs: Vec<(Ipv4Net, NodeId, Option<ComponentId>)> = Vec::new();
    for (id, n) in net.nodes.iter() {
        for o in &n.originates {
            if prefixes.contains(&o.prefix) {
                origs.push((o.prefix, id, o.requires));
            }
        }
    }
    // Stable: a node's first origination of a prefix stays first among its own.
    origs.sort_by_key(|(p, n, _)| (*p, *n));
    origs.dedup_by_key(|(p, n, _)| (*p, *n));
    let conditions = prefix_conditions(net);
    let edge_origin = edge_originated(net);
    let aggregates = aggregated(net);
    let mut by_signature: FastMap<Vec<u32>, usize> = FastMap::default();
    let mut classes: Vec<Vec<Ipv4Net>> = Vec::new();
    let mut key: Vec<u32> = Vec::new();
    let mut mine: Vec<(NodeId, Option<ComponentId>)> = Vec::new();
    let mut next = 0usize;
    for p in prefixes {
        mine.clear();
        while let Some((q, n, r)) = origs.get(next).copied() {
            if q > *p {
                break;
            }
            if q == *p {
                mine.push((n, r));
            }
            next += 1;
        }
        encode(&mut key, &mine, &conditions, edge_origin, &aggregates, *p);
        match by_signature.get(key.as_slice()) {
            Some(&i) => {
                if let Some(c) = classes.get_mut(i) {
                    c.push(*p);
                }
            }
            None => {
                by_signature.insert(key.clone(), classes.len());
                classes.push(vec![*p]);
            }
        }
    }
    classes
}

/// A hash map with a fast, fixed hasher (foldhash): the keys are encoded signatures
/// of the design's own prefixes, compared by equality on lookup.
type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// Writes into `key` a word encoding of `p`'s [`Signature`] (injective: two prefixes
/// get equal keys exactly when [`signature`] gives them equal signatures): the number
/// of originators, each originator's id, whether its origination stands on a
/// component and which, then the bits of [`condition_bits`] and [`aggregate_bits`].
fn encode(
    key: &mut Vec<u32>,
    origs: &[(NodeId, Option<ComponentId>)],
    conditions: &[&[PrefixRange]],
    edge_origin: bool,
    aggregates: &BTreeSet<Ipv4Net>,
    p: Ipv4Net,
) {
    key.clear();
    key.push(u32::try_from(origs.len()).unwrap_or(u32::MAX));
    for (n, requires) in origs {
        key.push(n.0);
        match requires {
            Some(c) => key.extend([1, u32::try_from(c.index()).unwrap_or(u32::MAX)]),
            None => key.push(0),
        }
    }
    let mut word = 0u32;
    let mut used = 0u32;
    let mut bit = |b: bool, key: &mut Vec<u32>| {
        word |= u32::from(b) << used;
        used += 1;
        if used == 32 {
            key.push(word);
            word = 0;
            used = 0;
        }
    };
    for ranges in conditions {
        bit(ranges.iter().any(|r| r.matches(&p)), key);
    }
    bit(edge_origin && p == Ipv4Net::default(), key);
    // The number of bits is the same for every prefix of one design (the conditions
    // are the design's); an aggregated prefix adds its own prefix, a class of its own.
    let is = aggregates.contains(&p);
    bit(is, key);
    key.push(word);
    if is {
        key.extend([u32::from(p.network()), u32::from(p.prefix_len())]);
    }
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
