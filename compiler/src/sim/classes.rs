//! Destination classes (semantics.md §3): every prefix the design mentions splits the
//! address space into maximal intervals whose addresses lie in exactly the same
//! prefixes; forwarding is computed once per class, from its lowest address.
//!
//! Choice: a policy's prefix range contributes its base prefix (ranges match route
//! prefixes, not addresses; the base prefix is where routes it selects can live).

use crate::ir::{Condition, Endpoint, Network, PropertyKind, UdrNextHop};
use ipnet::Ipv4Net;
use serde::Serialize;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// A maximal interval `lo..=hi` of addresses that the design cannot tell apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Class {
    pub lo: Ipv4Addr,
    pub hi: Ipv4Addr,
}

impl Class {
    /// The representative address (the lowest).
    pub fn representative(&self) -> Ipv4Addr {
        self.lo
    }
    /// True when the whole class lies in `p`.
    pub fn inside(&self, p: &Ipv4Net) -> bool {
        p.contains(&self.lo) && p.contains(&self.hi)
    }
}

/// Every prefix the design mentions (originations, statics, UDRs, VNet and subnet
/// addresses, policy prefixes, property endpoints and assumptions, NVA addresses as
/// /32, 0/0, the private blocks).
pub fn mentioned_prefixes(net: &Network) -> BTreeSet<Ipv4Net> {
    let mut set = BTreeSet::new();
    set.insert(Ipv4Net::default());
    set.extend(super::private_blocks());
    for (_, n) in net.nodes.iter() {
        set.extend(n.originates.iter().map(|o| o.prefix));
        set.extend(n.statics.iter().map(|s| s.prefix));
        if let Some(a) = n.address {
            set.insert(host(a));
        }
        set.extend(n.nics.iter().map(|x| host(x.address)));
    }
    for (_, v) in net.vnets.iter() {
        set.extend(v.address.iter().copied());
    }
    for (_, s) in net.subnets.iter() {
        set.extend(s.address);
        for u in &s.udrs {
            set.insert(u.prefix);
            if let UdrNextHop::Appliance(a) = u.next_hop {
                set.insert(host(a));
            }
        }
    }
    for (_, p) in net.policies.iter() {
        for r in &p.rules {
            for c in &r.conditions {
                if let Condition::Prefix(ranges) = c {
                    set.extend(ranges.iter().map(|x| x.prefix));
                }
            }
        }
    }
    for (_, c) in net.checks.iter() {
        for prop in &c.properties {
            for a in &prop.assumptions {
                set.insert(a.within);
            }
            match &prop.kind {
                PropertyKind::Never { prefix, .. } => {
                    set.insert(*prefix);
                }
                PropertyKind::Reachable { from, to }
                | PropertyKind::Traverses { from, to, .. }
                | PropertyKind::Avoids { from, to, .. }
                | PropertyKind::Symmetric { a: from, b: to } => {
                    set.extend(endpoint_prefix(from));
                    set.extend(endpoint_prefix(to));
                }
                PropertyKind::LoopFree | PropertyKind::RouteLimit { .. } => {}
            }
        }
    }
    set.into_iter().map(|p| p.trunc()).collect()
}

fn endpoint_prefix(ep: &Endpoint) -> Option<Ipv4Net> {
    match *ep {
        Endpoint::Prefix(p) => Some(p),
        Endpoint::Address(a) => Some(host(a)),
        _ => None,
    }
}

pub(crate) fn host(a: Ipv4Addr) -> Ipv4Net {
    Ipv4Net::new(a, 32).unwrap_or_default()
}

/// The destination classes of `net`, with `extra` prefixes also splitting, sorted.
pub fn destination_classes(net: &Network, extra: &[Ipv4Net]) -> Vec<Class> {
    let mut prefixes = mentioned_prefixes(net);
    prefixes.extend(extra.iter().map(|p| p.trunc()));
    classes_of(prefixes.iter())
}

/// The classes that a set of prefixes splits the whole space into.
pub fn classes_of<'a>(prefixes: impl Iterator<Item = &'a Ipv4Net>) -> Vec<Class> {
    // Interval starts: 0, every prefix's first address, and every address after a
    // prefix's last one.
    let mut starts: BTreeSet<u64> = BTreeSet::new();
    starts.insert(0);
    for p in prefixes {
        starts.insert(u64::from(u32::from(p.network())));
        starts.insert(u64::from(u32::from(p.broadcast())) + 1);
    }
    let end = 1u64 << 32;
    let starts: Vec<u64> = starts.into_iter().filter(|s| *s < end).collect();
    let mut out = Vec::with_capacity(starts.len());
    for (i, lo) in starts.iter().enumerate() {
        let next = starts.get(i + 1).copied().unwrap_or(end);
        out.push(Class {
            lo: Ipv4Addr::from(u32::try_from(*lo).unwrap_or(u32::MAX)),
            hi: Ipv4Addr::from(u32::try_from(next - 1).unwrap_or(u32::MAX)),
        });
    }
    out
}
