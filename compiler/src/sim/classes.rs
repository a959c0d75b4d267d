//! Destination classes (semantics.md §3): every prefix the design mentions splits the
//! address space into maximal intervals whose addresses lie in exactly the same
//! prefixes; forwarding is computed once per class, from its lowest address.
//!
//! Choice: a policy's prefix range contributes its base prefix (ranges match route
//! prefixes, not addresses; the base prefix is where routes it selects can live).

use crate::ir::{Condition, Endpoint, Network, PropertyKind, UdrNextHop};
use ipnet::Ipv4Net;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
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
    fabric_prefixes(net, &mut set);
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

/// [`destination_classes`]`(net, extra)` from `base`, the design's own classes
/// (`destination_classes(net, &[])`, computed once and shared by every property):
/// the classes of `base` split further at the boundaries of `extra`. Borrows `base`
/// when nothing splits it.
pub fn split_classes<'a>(base: &'a [Class], extra: &[Ipv4Net]) -> std::borrow::Cow<'a, [Class]> {
    let mut starts: Vec<u64> = Vec::new();
    for p in extra {
        let p = p.trunc();
        for s in [
            u64::from(u32::from(p.network())),
            u64::from(u32::from(p.broadcast())) + 1,
        ] {
            let known = base
                .binary_search_by(|c| u64::from(u32::from(c.lo)).cmp(&s))
                .is_ok();
            if !known && s < 1u64 << 32 {
                starts.push(s);
            }
        }
    }
    if starts.is_empty() {
        return std::borrow::Cow::Borrowed(base);
    }
    starts.extend(base.iter().map(|c| u64::from(u32::from(c.lo))));
    std::borrow::Cow::Owned(classes_from_starts(starts))
}

/// The classes that a set of prefixes splits the whole space into.
pub fn classes_of<'a>(prefixes: impl Iterator<Item = &'a Ipv4Net>) -> Vec<Class> {
    // Interval starts: 0, every prefix's first address, and every address after a
    // prefix's last one.
    let mut starts: Vec<u64> = vec![0];
    for p in prefixes {
        starts.push(u64::from(u32::from(p.network())));
        starts.push(u64::from(u32::from(p.broadcast())) + 1);
    }
    classes_from_starts(starts)
}

/// The intervals beginning at `starts` (in any order, with repeats; 0 among them) and
/// ending before the next start or at the end of the space.
fn classes_from_starts(mut starts: Vec<u64>) -> Vec<Class> {
    let end = 1u64 << 32;
    starts.retain(|s| *s < end);
    starts.sort_unstable();
    starts.dedup();
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

/// Destination classes grouped by forwarding role, for one stable state: the
/// data-plane counterpart of [`super::slices`]. Two destinations with the same
/// [`ForwardingRoles::signature`] get the same decision at every node and the same
/// fabric lookup in every subnet, up to the destination itself, so their walks from
/// any source visit the same hops and end the same way (delivered to the same owner):
/// a property walks one destination per signature.
///
/// The signature of `d` is the chain of table prefixes containing `d`, longest first,
/// each replaced by its *role*: its length; the prefix itself when the design names
/// it where a walk compares addresses with it (VNet and subnet space, UDRs, statics,
/// NIC, public and load-balancer addresses, AVS management prefixes, 0.0.0.0/0 and
/// the private blocks — such a prefix is never merged with another); the nodes that
/// originate it (ownership); every node's RIB entry for it (every candidate, every
/// attribute but the prefix, and how many are installed); and every subnet's
/// effective routes for it (next hop type and target, source, activity, AS path,
/// programming node, origin). Every lookup a walk makes (`NodeRib::lookup` and
/// `lookup_entry`, statics, owned originations, `FabricIndex::lookup`, VNet and
/// subnet membership, owners) returns, for two destinations with equal signatures,
/// entries at the same position of the chain with equal roles.
#[derive(Clone, Debug, Default)]
pub struct ForwardingRoles {
    /// Longest first: (prefix length, network → role id).
    by_len: Vec<(u8, FastMap<u32, u32>)>,
}

/// A hash map with a fast, fixed hasher (foldhash): its keys are the design's own
/// prefixes and roles, not adversarial input from a network, and every lookup is
/// compared by equality, so a collision costs time, never a wrong merge.
type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// What a walk can learn of one prefix (see [`ForwardingRoles`]).
#[derive(Default, PartialEq, Eq, Hash)]
struct Role<'a> {
    len: u8,
    named: Option<Ipv4Net>,
    originators: smallvec::SmallVec<[(crate::ir::NodeId, bool); 2]>,
    /// The interned [`RibRole`] of the prefix (of its class representative, whose
    /// entries it has renamed: `State::class_of`); `None` when no node holds it.
    rib: Option<u32>,
    /// Per subnet with effective routes for the prefix (ascending), the interned list
    /// of their [`FabricRole`]s in listing order.
    fabric: smallvec::SmallVec<[(crate::ir::SubnetId, u32); 2]>,
    /// Ties the roles to the tables they were read from.
    _tables: std::marker::PhantomData<&'a ()>,
}

/// Every node's entry for one prefix: (node, installed, candidates without their
/// prefix), in node order.
type RibRole<'a> = Vec<(crate::ir::NodeId, usize, Vec<RouteRole<'a>>)>;

/// A route's attributes but its prefix.
#[derive(PartialEq, Eq, Hash)]
struct RouteRole<'a> {
    as_path: &'a [u32],
    as_set: &'a [u32],
    local_pref: u32,
    med: u32,
    tags: &'a BTreeSet<crate::ir::TagId>,
    next_hop: super::NextHop,
    origin: crate::ir::NodeId,
    learned_from: Option<crate::ir::EdgeId>,
    weight: u32,
}

/// An effective route's attributes but its prefix and span.
type FabricRole<'a> = (
    super::NextHopType,
    super::FabricTarget,
    super::RouteSource,
    bool,
    &'a [u32],
    Option<crate::ir::NodeId>,
    Option<crate::ir::NodeId>,
);

impl ForwardingRoles {
    /// The roles of every prefix of `net`'s tables in `state`, with `fabric` the
    /// effective routes of each subnet (indexed by subnet id) in that state, less the
    /// class members of `aliases` (per subnet, (member, representative): the member's
    /// routes are the representative's, `super::fabric::effective_routes_classed`).
    pub(crate) fn new(
        net: &Network,
        state: &super::State,
        fabric: &[Vec<super::EffectiveRoute>],
        aliases: &[Vec<(Ipv4Net, Ipv4Net)>],
    ) -> ForwardingRoles {
        let prefixes = state.reps.len() + state.class_of.len();
        let mut roles: FastMap<Ipv4Net, Role<'_>> =
            FastMap::with_capacity_and_hasher(prefixes + 64, Default::default());
        fn role<'r, 'a>(roles: &'r mut FastMap<Ipv4Net, Role<'a>>, p: Ipv4Net) -> &'r mut Role<'a> {
            roles.entry(p).or_insert_with(|| Role {
                len: p.prefix_len(),
                ..Role::default()
            })
        }
        for p in named_prefixes(net) {
            role(&mut roles, p).named = Some(p);
        }
        // The entries of the prefixes converged on their own (class representatives
        // and prefixes of no class); the others of a class take their
        // representative's (`State::class_of`): a class of 4,000 announced /24s is
        // one entry per node to compare, not 4,000.
        let mut ribs: FastMap<Ipv4Net, RibRole<'_>> =
            FastMap::with_capacity_and_hasher(state.reps.len(), Default::default());
        for (id, n) in net.nodes.iter() {
            for o in &n.originates {
                let r = role(&mut roles, o.prefix.trunc());
                let me = (id, n.behaviours.owns_originated);
                if !r.originators.contains(&me) {
                    r.originators.push(me);
                }
            }
            let Some(rib) = state.rib(id) else { continue };
            // The prefixes of a RIB that are no class's member are the
            // representatives (`State::reps`).
            for (p, entry) in state
                .reps
                .iter()
                .filter_map(|p| rib.own().get(p).map(|e| (p, e)))
            {
                let routes = entry
                    .candidates
                    .iter()
                    .map(|r| RouteRole {
                        as_path: &r.as_path,
                        as_set: &r.as_set,
                        local_pref: r.local_pref,
                        med: r.med,
                        tags: &r.tags,
                        next_hop: r.next_hop,
                        origin: r.origin,
                        learned_from: r.learned_from,
                        weight: r.weight,
                    })
                    .collect();
                ribs.entry(*p)
                    .or_default()
                    .push((id, entry.installed, routes));
            }
        }
        let mut rib_ids: FastMap<&RibRole<'_>, u32> = FastMap::default();
        let mut rib_of: FastMap<Ipv4Net, u32> = FastMap::default();
        for (p, r) in &ribs {
            let next = u32::try_from(rib_ids.len()).unwrap_or(u32::MAX);
            rib_of.insert(*p, *rib_ids.entry(r).or_insert(next));
        }
        for (p, id) in &rib_of {
            role(&mut roles, p.trunc()).rib = Some(*id);
        }
        for (p, rep) in &state.class_of {
            if let Some(id) = rib_of.get(rep) {
                role(&mut roles, p.trunc()).rib = Some(*id);
            }
        }
        fn fabric_role(r: &super::EffectiveRoute) -> FabricRole<'_> {
            (
                r.next_hop_type,
                r.next_hop,
                r.source,
                r.active,
                r.as_path.as_slice(),
                r.programmed_by,
                r.origin,
            )
        }
        // Per subnet, each prefix's routes in listing order, interned: a member's
        // routes are its representative's.
        let mut chunk_ids: FastMap<Vec<FabricRole<'_>>, u32> = FastMap::default();
        let no_aliases: Vec<(Ipv4Net, Ipv4Net)> = Vec::new();
        for ((s, routes), aliased) in net
            .subnets
            .ids()
            .zip(fabric)
            .zip(aliases.iter().chain(std::iter::repeat(&no_aliases)))
        {
            let mut chunks: BTreeMap<Ipv4Net, Vec<FabricRole<'_>>> = BTreeMap::new();
            for r in routes {
                chunks
                    .entry(r.prefix.trunc())
                    .or_default()
                    .push(fabric_role(r));
            }
            let mut chunk_of: FastMap<Ipv4Net, u32> = FastMap::default();
            for (p, chunk) in chunks {
                let next = u32::try_from(chunk_ids.len()).unwrap_or(u32::MAX);
                let id = *chunk_ids.entry(chunk).or_insert(next);
                chunk_of.insert(p, id);
                role(&mut roles, p).fabric.push((s, id));
            }
            for (p, rep) in aliased {
                if let Some(id) = chunk_of.get(&rep.trunc()) {
                    role(&mut roles, p.trunc()).fabric.push((s, *id));
                }
            }
        }
        // Intern the roles; a prefix's id is its role's.
        let mut ids: FastMap<&Role<'_>, u32> = FastMap::default();
        let mut by_len: std::collections::BTreeMap<u8, FastMap<u32, u32>> =
            std::collections::BTreeMap::new();
        for (p, r) in &roles {
            let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            let id = *ids.entry(r).or_insert(next);
            by_len
                .entry(p.prefix_len())
                .or_default()
                .insert(u32::from(p.network()), id);
        }
        ForwardingRoles {
            by_len: by_len.into_iter().rev().collect(),
        }
    }

    /// The role ids of the table prefixes containing `d`, longest first.
    pub fn signature(&self, d: Ipv4Addr) -> Vec<u32> {
        self.by_len
            .iter()
            .filter_map(|(len, nets)| {
                let p = Ipv4Net::new(d, *len).ok()?.trunc();
                nets.get(&u32::from(p.network())).copied()
            })
            .collect()
    }
}

/// The fabric's own prefixes: VNet and subnet address spaces, UDR prefixes, and UDR
/// VirtualAppliance next hops as /32.
fn fabric_prefixes(net: &Network, set: &mut BTreeSet<Ipv4Net>) {
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
}

/// The prefixes a walk compares destinations with by identity (see
/// [`ForwardingRoles`]): never merged with another prefix.
fn named_prefixes(net: &Network) -> BTreeSet<Ipv4Net> {
    let mut set = BTreeSet::new();
    set.insert(Ipv4Net::default());
    set.extend(super::private_blocks());
    for (_, n) in net.nodes.iter() {
        set.extend(n.statics.iter().map(|s| s.prefix));
        set.extend(n.address.map(host));
        set.extend(n.public_ip.map(host));
        set.extend(n.nics.iter().map(|x| host(x.address)));
        set.extend(n.management.iter().copied());
    }
    fabric_prefixes(net, &mut set);
    set.extend(net.load_balancers.iter().map(|l| host(l.frontend)));
    set.into_iter().map(|p| p.trunc()).collect()
}
