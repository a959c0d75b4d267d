//! One node's BGP table, stored once per prefix class (super::slices): the
//! representative's entries, read under every member's name.

use super::bgp::{PrefixRib, Route};
use ipnet::Ipv4Net;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::{Arc, OnceLock};

/// The other members of a state's prefix classes, each with the prefix its class was
/// converged as (`State::class_of`), sorted by member; shared by every node's table.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ClassMembers {
    list: Vec<(Ipv4Net, Ipv4Net)>,
    /// Bit `l` set: some member has prefix length `l`.
    lens: u64,
}

impl ClassMembers {
    /// From `member → representative` pairs in member order.
    pub fn new(class_of: &BTreeMap<Ipv4Net, Ipv4Net>) -> ClassMembers {
        ClassMembers {
            list: class_of.iter().map(|(m, r)| (*m, *r)).collect(),
            lens: class_of.keys().fold(0, |l, m| l | len_bit(m)),
        }
    }
    fn index(&self, p: &Ipv4Net) -> Option<usize> {
        self.list.binary_search_by(|(m, _)| m.cmp(p)).ok()
    }
}

/// The bit of `p`'s prefix length in a set of lengths.
fn len_bit(p: &Ipv4Net) -> u64 {
    1u64 << p.prefix_len()
}

/// One node's BGP table.
///
/// Stored once per prefix class (super::slices): the entries of each class's
/// representative (and of every prefix in a class of its own, and aggregates); every
/// other member of a class holds its representative's entry under its own name. A
/// member's entry is renamed ([`PrefixRib::renamed`]) the first time it is read
/// through [`NodeRib::get`] or [`NodeRib::iter`] and kept; readers that need only
/// what the routes say besides their prefix read the representative's entry
/// ([`NodeRib::iter_shared`], [`NodeRib::range_shared`]) and copy nothing.
#[derive(Clone, Debug, Default)]
pub struct NodeRib {
    entries: BTreeMap<Ipv4Net, PrefixRib>,
    members: Arc<ClassMembers>,
    /// Bit `l` set: an entry (or a member) has prefix length `l` — the lengths a
    /// longest-prefix match needs to probe.
    lens: u64,
    /// Per member (in `members` order), its entry renamed, filled when first read.
    renamed: OnceLock<Box<[OnceLock<PrefixRib>]>>,
}

impl PartialEq for NodeRib {
    fn eq(&self, other: &NodeRib) -> bool {
        self.entries == other.entries && self.members == other.members
    }
}

impl Eq for NodeRib {}

impl Serialize for NodeRib {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeStruct};
        struct All<'a>(&'a NodeRib);
        impl Serialize for All<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (p, e) in self.0.iter() {
                    m.serialize_entry(&p, e)?;
                }
                m.end()
            }
        }
        let mut st = s.serialize_struct("NodeRib", 1)?;
        st.serialize_field("prefixes", &All(self))?;
        st.end()
    }
}

/// `a` and `b` (each in prefix order, no prefix in both) merged in prefix order.
fn merged<'a>(
    a: impl Iterator<Item = (Ipv4Net, &'a PrefixRib)>,
    b: impl Iterator<Item = (Ipv4Net, &'a PrefixRib)>,
) -> impl Iterator<Item = (Ipv4Net, &'a PrefixRib)> {
    let mut a = a.peekable();
    let mut b = b.peekable();
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if y.0 < x.0 => b.next(),
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}

impl NodeRib {
    /// A table of `entries` (representatives and prefixes of their own) whose class
    /// members are `members`.
    pub fn new(entries: BTreeMap<Ipv4Net, PrefixRib>, members: Arc<ClassMembers>) -> NodeRib {
        let lens = entries.keys().fold(members.lens, |l, p| l | len_bit(p));
        NodeRib {
            entries,
            members,
            lens,
            renamed: OnceLock::new(),
        }
    }
    /// The entries stored: each class's representative's, each prefix of a class of
    /// its own, each aggregate (what differs between prefixes of a class is only
    /// their name, so per-class questions read these).
    pub fn own(&self) -> &BTreeMap<Ipv4Net, PrefixRib> {
        &self.entries
    }
    pub(crate) fn insert(&mut self, p: Ipv4Net, e: PrefixRib) {
        self.lens |= len_bit(&p);
        self.entries.insert(p, e);
        // A member renamed from the entry replaced would be stale.
        self.renamed = OnceLock::new();
    }
    /// Keeps the stored entries ([`NodeRib::own`]) for which `keep` holds; the class
    /// members of a removed representative then have no entry either.
    pub(crate) fn retain_own(&mut self, keep: impl Fn(&Ipv4Net) -> bool) {
        self.entries.retain(|p, _| keep(p));
        self.renamed = OnceLock::new();
    }
    /// The representative's entry for `member` (the member at `i` in `members`).
    fn rep_entry(&self, i: usize) -> Option<&PrefixRib> {
        let (_, rep) = self.members.list.get(i)?;
        self.entries.get(rep)
    }
    /// The entry of member `i`, renamed (once).
    fn renamed_entry(&self, i: usize) -> Option<&PrefixRib> {
        let (m, _) = self.members.list.get(i)?;
        let e = self.rep_entry(i)?;
        let slots = self.renamed.get_or_init(|| {
            (0..self.members.list.len())
                .map(|_| OnceLock::new())
                .collect()
        });
        Some(slots.get(i)?.get_or_init(|| e.renamed(*m)))
    }
    /// What this node holds for exactly `p`, its routes carrying `p`.
    pub fn get(&self, p: &Ipv4Net) -> Option<&PrefixRib> {
        match self.entries.get(p) {
            Some(e) => Some(e),
            None => self.renamed_entry(self.members.index(p)?),
        }
    }
    /// What this node holds for exactly `p`, from its class's representative: the
    /// routes carry the representative's prefix.
    pub fn get_shared(&self, p: &Ipv4Net) -> Option<&PrefixRib> {
        match self.entries.get(p) {
            Some(e) => Some(e),
            None => self.rep_entry(self.members.index(p)?),
        }
    }
    /// Every prefix this node holds an entry for, in prefix order, each entry's routes
    /// carrying its prefix (members are renamed on the way, once).
    pub fn iter(&self) -> impl Iterator<Item = (Ipv4Net, &PrefixRib)> {
        let members = (0..self.members.list.len()).filter_map(move |i| {
            let (m, _) = self.members.list.get(i)?;
            Some((*m, self.renamed_entry(i)?))
        });
        merged(self.entries.iter().map(|(p, e)| (*p, e)), members)
    }
    /// Every prefix this node holds an entry for, in prefix order, with its class
    /// representative's entry: the routes of a member carry the representative's
    /// prefix, so read the prefix from the key.
    pub fn iter_shared(&self) -> impl Iterator<Item = (Ipv4Net, &PrefixRib)> {
        self.shared_from(&self.members.list)
    }
    /// [`NodeRib::iter_shared`] restricted to the prefixes inside `p` (`p` included).
    pub fn range_shared(&self, p: Ipv4Net) -> impl Iterator<Item = (Ipv4Net, &PrefixRib)> {
        let list = &self.members.list;
        let from = list.partition_point(|(m, _)| *m < p);
        let to = from
            + list
                .iter()
                .skip(from)
                .take_while(|(m, _)| p.contains(m))
                .count();
        let own = self
            .entries
            .range(p..)
            .take_while(move |(q, _)| p.contains(*q))
            .map(|(q, e)| (*q, e));
        let members = list
            .get(from..to)
            .unwrap_or(&[])
            .iter()
            .filter_map(|(m, r)| Some((*m, self.entries.get(r)?)));
        merged(own, members)
    }
    fn shared_from<'a>(
        &'a self,
        list: &'a [(Ipv4Net, Ipv4Net)],
    ) -> impl Iterator<Item = (Ipv4Net, &'a PrefixRib)> {
        let members = list
            .iter()
            .filter_map(|(m, r)| Some((*m, self.entries.get(r)?)));
        merged(self.entries.iter().map(|(p, e)| (*p, e)), members)
    }
    /// How many prefixes this node holds an entry for.
    pub fn len(&self) -> usize {
        self.iter_shared().count()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Installed routes for the longest prefix containing `d`.
    pub fn lookup(&self, d: Ipv4Addr) -> Option<(Ipv4Net, &[Route])> {
        let (p, _) = self.lookup_shared(d)?;
        Some((p, self.get(&p)?.installed()))
    }
    /// [`NodeRib::lookup`] from the class representative's entry: the routes of a
    /// class member carry the representative's prefix (the prefix returned is the
    /// one matched).
    pub fn lookup_shared(&self, d: Ipv4Addr) -> Option<(Ipv4Net, &[Route])> {
        self.longest(d, |r| r.installed > 0)
            .map(|(p, r)| (p, r.installed()))
    }
    /// The entry of the longest prefix containing `d` that has any candidate.
    pub fn lookup_entry(&self, d: Ipv4Addr) -> Option<(Ipv4Net, &PrefixRib)> {
        let (p, _) = self.lookup_entry_shared(d)?;
        Some((p, self.get(&p)?))
    }
    /// [`NodeRib::lookup_entry`] from the class representative's entry (see
    /// [`NodeRib::lookup_shared`]).
    pub fn lookup_entry_shared(&self, d: Ipv4Addr) -> Option<(Ipv4Net, &PrefixRib)> {
        self.longest(d, |r| !r.candidates.is_empty())
    }
    /// The longest prefix containing `d` whose (shared) entry satisfies `keep`.
    fn longest(
        &self,
        d: Ipv4Addr,
        keep: impl Fn(&PrefixRib) -> bool,
    ) -> Option<(Ipv4Net, &PrefixRib)> {
        for len in (0..=32u8).rev().filter(|l| self.lens & (1u64 << l) != 0) {
            let Ok(p) = Ipv4Net::new(d, len) else {
                continue;
            };
            let p = p.trunc();
            if let Some(r) = self.get_shared(&p) {
                if keep(r) {
                    return Some((p, r));
                }
            }
        }
        None
    }
    /// Prefixes with at least one installed route.
    pub fn installed_count(&self) -> usize {
        self.iter_shared().filter(|(_, r)| r.installed > 0).count()
    }
}
