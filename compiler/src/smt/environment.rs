//! What an `assume N advertises any within P le M` environment can announce, in
//! groups of prefixes the design cannot tell apart.
//!
//! A prefix `q` inside P of length L is treated by the design only through L and
//! which of the prefixes the design mentions contain it (`sim::classes::
//! mentioned_prefixes`: originations, policy ranges' base prefixes, VNet and subnet
//! spaces, UDRs, the private blocks, P itself): a policy range `B ge x le y` matches
//! `q` iff `q ⊆ B` and x ≤ L ≤ y; an exact prefix matches iff `q = B`; Route Server's
//! VNet exclusion and the private blocks are containments too. The mentioned prefixes
//! containing `q` form a chain, so its deepest member `B*` (with |B*| ≤ L) and L decide
//! everything: the /L blocks of B* outside B*'s deepest mentioned sub-prefixes are
//! routed alike, each in its own independent BGP instance. One representative per
//! group, weighted by the group's size, is exact for counting (`routes N <= K`, route
//! limits); for the data plane the representatives are the destination's own
//! prefixes (`Encoder::env_prefixes_containing`).

use crate::ir::{Assumption, EdgeId, Network};
use crate::sim::bgp::{export, Route};
use ipnet::Ipv4Net;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// Prefixes of one length that the design cannot tell apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Group {
    /// The lowest prefix of the group.
    pub rep: Ipv4Net,
    /// How many prefixes the group has.
    pub count: u64,
}

/// The groups of prefixes `a` lets its node announce, except the prefixes in
/// `exclude` (the design's own originations, counted as themselves).
pub fn groups(net: &Network, a: &Assumption, exclude: &BTreeSet<Ipv4Net>) -> Vec<Group> {
    let bases = bases(net, a);
    let mut out = Vec::new();
    for len in a.within.prefix_len()..=a.le.min(32) {
        let usable: Vec<Ipv4Net> = bases
            .iter()
            .filter(|b| b.prefix_len() <= len)
            .copied()
            .collect();
        for top in &usable {
            if top.prefix_len() == len && exclude.contains(top) {
                continue;
            }
            // The deepest mentioned prefixes strictly inside `top` (their blocks belong
            // to their own groups).
            let inside: Vec<Ipv4Net> = usable
                .iter()
                .filter(|b| *b != top && top.contains(*b))
                .copied()
                .collect();
            let children: Vec<Ipv4Net> = inside
                .iter()
                .filter(|c| !inside.iter().any(|o| o != *c && o.contains(*c)))
                .copied()
                .collect();
            let blocks = |p: &Ipv4Net| 1u64 << u32::from(len - p.prefix_len());
            let taken: u64 = children.iter().map(blocks).sum();
            let count = blocks(top).saturating_sub(taken);
            if count == 0 {
                continue;
            }
            if let Some(rep) = first_block_outside(top, &children, len) {
                out.push(Group { rep, count });
            }
        }
    }
    out.sort();
    out
}

/// The prefixes the design mentions inside the assumption's range, and the range.
fn bases(net: &Network, a: &Assumption) -> BTreeSet<Ipv4Net> {
    let mut bases: BTreeSet<Ipv4Net> = crate::sim::classes::mentioned_prefixes(net)
        .into_iter()
        .filter(|b| a.within.contains(b))
        .collect();
    bases.insert(a.within);
    bases
}

/// The lowest /`len` block of `top` inside none of `children` (disjoint, sorted).
fn first_block_outside(top: &Ipv4Net, children: &[Ipv4Net], len: u8) -> Option<Ipv4Net> {
    let mut addr = u32::from(top.network());
    let end = u32::from(top.broadcast());
    let mut sorted = children.to_vec();
    sorted.sort();
    for c in &sorted {
        let (lo, hi) = (u32::from(c.network()), u32::from(c.broadcast()));
        if addr < lo {
            break;
        }
        if addr <= hi {
            addr = hi.checked_add(1)?;
        }
    }
    if addr > end {
        return None;
    }
    Ipv4Net::new(Ipv4Addr::from(addr), len)
        .ok()
        .map(|n| n.trunc())
}

/// How many of the environment's prefixes (of all its assumptions at `e.from`) pass
/// over `e` when announced alone: exact for a session from the assumption's node
/// itself (the route is its local route; export and import policies decide), `None`
/// for any other session (what arrives there depends on other routers' choices).
pub fn passing_over(
    net: &Network,
    assumptions: &[Assumption],
    e: EdgeId,
    exclude: &BTreeSet<Ipv4Net>,
) -> Option<u64> {
    let edge = net.edges.get(e)?;
    let mine: Vec<&Assumption> = assumptions.iter().filter(|a| a.node == edge.from).collect();
    if mine.is_empty() {
        return None;
    }
    let mut seen: BTreeSet<Ipv4Net> = BTreeSet::new();
    let mut total = 0u64;
    for a in mine {
        for g in groups(net, a, exclude) {
            // Overlapping assumptions at one node: count each group once.
            if seen.insert(g.rep) && export(net, e, &Route::local(g.rep, edge.from)).is_some() {
                total = total.saturating_add(g.count);
            }
        }
    }
    Some(total)
}

/// Up to `n` concrete prefixes of `a`'s groups (except `exclude`) that pass over `e`
/// from `a`'s node when announced alone, smallest group first, lowest address first.
pub fn passing_prefixes(
    net: &Network,
    a: &Assumption,
    e: EdgeId,
    exclude: &BTreeSet<Ipv4Net>,
    n: usize,
) -> Vec<Ipv4Net> {
    let mut out = Vec::new();
    let Some(edge) = net.edges.get(e) else {
        return out;
    };
    if edge.from != a.node {
        return out;
    }
    let bases = bases(net, a);
    for g in groups(net, a, exclude) {
        if out.len() >= n {
            break;
        }
        if export(net, e, &Route::local(g.rep, edge.from)).is_none() {
            continue;
        }
        members_into(&bases, &g.rep, exclude, n, &mut out);
    }
    out
}

/// Up to `n` members of the group whose representative is `rep` (as [`groups`] made
/// them for `a` and `exclude`), lowest address first: what a representative in a
/// counterexample of `routes N <= K` stands for, to replay it concretely.
pub fn group_members(
    net: &Network,
    a: &Assumption,
    rep: &Ipv4Net,
    exclude: &BTreeSet<Ipv4Net>,
    n: usize,
) -> Vec<Ipv4Net> {
    let mut out = Vec::new();
    if a.within.contains(rep) && rep.prefix_len() <= a.le {
        members_into(&bases(net, a), rep, exclude, n, &mut out);
    }
    out
}

/// Appends to `out` (until it holds `n`) the members of `rep`'s group: the /L blocks
/// (L = |rep|) whose deepest mentioned container of length ≤ L is `rep`'s, except
/// `exclude`.
fn members_into(
    bases: &BTreeSet<Ipv4Net>,
    rep: &Ipv4Net,
    exclude: &BTreeSet<Ipv4Net>,
    n: usize,
    out: &mut Vec<Ipv4Net>,
) {
    let len = rep.prefix_len();
    let deepest = |q: &Ipv4Net| {
        bases
            .iter()
            .filter(|b| b.prefix_len() <= len && b.contains(q))
            .max_by_key(|b| b.prefix_len())
            .copied()
    };
    let Some(top) = deepest(rep) else { return };
    let step = 1u64 << (32 - u32::from(len));
    let mut addr = u64::from(u32::from(top.network()));
    let end = u64::from(u32::from(top.broadcast()));
    while addr <= end && out.len() < n {
        let Ok(ip) = u32::try_from(addr) else { break };
        let Ok(q) = Ipv4Net::new(Ipv4Addr::from(ip), len) else {
            break;
        };
        match deepest(&q) {
            Some(b) if b != top => {
                // Inside a deeper mentioned prefix: another group; skip all of it.
                addr = u64::from(u32::from(b.broadcast())) + 1;
                continue;
            }
            _ => {
                if !exclude.contains(&q) {
                    out.push(q);
                }
            }
        }
        addr += step;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn net_of(text: &str) -> Network {
        crate::analyse("t.avs", text).network.unwrap()
    }

    #[test]
    fn groups_partition_every_prefix_of_the_range() {
        let net = net_of(
            "router a {\n  asn 65001\n  originate 10.1.0.0/16\n  peer b import f\n}\n\
             router b {\n  asn 65002\n  peer a\n}\n\
             policy f {\n  permit prefix 10.1.2.0/24 le 32\n}\n",
        );
        let node = net.node_by_name("a").unwrap();
        let asm = Assumption {
            node,
            within: "10.0.0.0/8".parse().unwrap(),
            le: 26,
            span: crate::span::Span::default(),
        };
        let exclude: BTreeSet<Ipv4Net> = ["10.1.0.0/16".parse().unwrap()].into_iter().collect();
        let gs = groups(&net, &asm, &exclude);
        // Every prefix of length 8..=26 inside 10/8, minus the one excluded.
        let all: u64 = (8..=26u32).map(|l| 1u64 << (l - 8)).sum();
        assert_eq!(gs.iter().map(|g| g.count).sum::<u64>(), all - 1);
        // Representatives are inside the range, of distinct (length, group).
        for g in &gs {
            assert!(asm.within.contains(&g.rep));
        }
        // At /24: 10.1.2.0/24 is its own group; 10.1.0.0/16 minus it; 10/8 minus 10.1/16.
        let at24: Vec<&Group> = gs.iter().filter(|g| g.rep.prefix_len() == 24).collect();
        assert_eq!(at24.len(), 3, "{at24:?}");
        assert!(at24
            .iter()
            .any(|g| g.rep == "10.1.2.0/24".parse().unwrap() && g.count == 1));
        assert!(at24
            .iter()
            .any(|g| g.rep == "10.1.0.0/24".parse().unwrap() && g.count == 255));
        assert!(at24
            .iter()
            .any(|g| g.rep == "10.0.0.0/24".parse().unwrap() && g.count == 65536 - 256));
    }

    #[test]
    fn group_members_are_what_the_representative_stands_for() {
        let net = net_of(
            "router a {\n  asn 65001\n  originate 10.1.0.0/16\n  peer b import f\n}\n\
             router b {\n  asn 65002\n  peer a\n}\n\
             policy f {\n  permit prefix 10.1.2.0/24 le 32\n}\n",
        );
        let asm = Assumption {
            node: net.node_by_name("a").unwrap(),
            within: "10.0.0.0/8".parse().unwrap(),
            le: 24,
            span: crate::span::Span::default(),
        };
        let exclude: BTreeSet<Ipv4Net> = ["10.1.0.0/16".parse().unwrap()].into_iter().collect();
        for g in groups(&net, &asm, &exclude) {
            let all = group_members(&net, &asm, &g.rep, &exclude, usize::MAX);
            assert_eq!(all.len() as u64, g.count, "{g:?}");
            assert_eq!(all.first(), Some(&g.rep), "{g:?}");
            // Every member is of the representative's group and no other's.
            for q in &all {
                assert_eq!(q.prefix_len(), g.rep.prefix_len());
                assert!(!exclude.contains(q));
            }
        }
        let at24: Vec<Ipv4Net> =
            group_members(&net, &asm, &"10.1.0.0/24".parse().unwrap(), &exclude, 300);
        assert_eq!(at24.len(), 255);
        assert!(!at24.contains(&"10.1.2.0/24".parse().unwrap()));
        assert_eq!(
            group_members(&net, &asm, &"10.0.0.0/24".parse().unwrap(), &exclude, 3),
            ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]
                .map(|p| p.parse::<Ipv4Net>().unwrap())
                .to_vec()
        );
        // Outside the range or longer than `le`: nothing.
        assert!(group_members(&net, &asm, &"11.0.0.0/24".parse().unwrap(), &exclude, 3).is_empty());
        assert!(group_members(&net, &asm, &"10.0.0.0/25".parse().unwrap(), &exclude, 3).is_empty());
    }

    #[test]
    fn passing_over_counts_what_the_filters_let_through() {
        let net = net_of(
            "router a {\n  asn 65001\n  originate 10.1.0.0/16\n  peer b import f\n}\n\
             router b {\n  asn 65002\n  peer a\n}\n\
             policy f {\n  permit prefix 10.1.2.0/24 le 26\n}\n",
        );
        let a = net.node_by_name("a").unwrap();
        let b = net.node_by_name("b").unwrap();
        let asm = Assumption {
            node: b,
            within: "10.0.0.0/8".parse().unwrap(),
            le: 32,
            span: crate::span::Span::default(),
        };
        let (e, _) = net
            .edges
            .iter()
            .find(|(_, x)| x.from == b && x.to == a)
            .unwrap();
        let n = passing_over(&net, &[asm], e, &BTreeSet::new()).unwrap();
        // 10.1.2.0/24 le 26: 1 + 2 + 4 prefixes.
        assert_eq!(n, 7);
        let some = passing_prefixes(&net, &asm, e, &BTreeSet::new(), 100);
        assert_eq!(some.len(), 7, "{some:?}");
        let range: Ipv4Net = "10.1.2.0/24".parse().unwrap();
        assert!(some
            .iter()
            .all(|q| range.contains(q) && q.prefix_len() <= 26));
        let distinct: BTreeSet<&Ipv4Net> = some.iter().collect();
        assert_eq!(distinct.len(), 7);
        assert_eq!(
            passing_prefixes(&net, &asm, e, &BTreeSet::new(), 3).len(),
            3
        );
    }
}
