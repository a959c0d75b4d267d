//! The FRR configuration model: what one `frr.conf`/`bgpd.conf` says, statement by
//! statement, with the span of every line (the parser's output, the translation's
//! input). Nothing here is interpreted yet: defaults (`frr version`), name lookups and
//! the meaning of each statement live in `translate`.

use crate::span::{Span, Spanned};
use ipnet::Ipv4Net;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// One configuration file.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// `frr version X.Y`: the release whose defaults apply (none: current FRR's).
    pub version: Option<Spanned<(u32, u32)>>,
    /// `frr defaults datacenter` (true) or `traditional` (false; also without the
    /// line: FRR's packages build the traditional profile).
    pub datacenter: bool,
    pub hostname: Option<Spanned<String>>,
    /// The `router bgp N` block (at most one; a second is an error).
    pub bgp: Option<BgpRouter>,
    /// `ip route` lines.
    pub statics: Vec<IpRoute>,
    /// `ip address P` lines of `interface` blocks: connected prefixes.
    pub interface_addresses: Vec<Spanned<Ipv4Net>>,
    /// `ip nht resolve-via-default` (at the top level or in `vrf default`): zebra
    /// resolves next hops (BGP peers, BGP next hops) through the default route too.
    pub nht_resolve_via_default: Option<Span>,
    pub prefix_lists: BTreeMap<String, FilterList<PrefixEntry>>,
    pub as_path_lists: BTreeMap<String, FilterList<AsPathEntry>>,
    pub community_lists: BTreeMap<String, FilterList<Vec<(u16, u16)>>>,
    pub access_lists: BTreeMap<String, FilterList<AccessEntry>>,
    pub route_maps: BTreeMap<String, RouteMap>,
}

/// A named list of ordered `permit`/`deny` entries (prefix-list, as-path access-list,
/// community-list, access-list): the first entry that matches decides; none: deny.
#[derive(Clone, Debug)]
pub struct FilterList<T> {
    /// Where the list is first defined.
    pub span: Span,
    /// By sequence number.
    pub entries: BTreeMap<u32, Entry<T>>,
}

impl<T> FilterList<T> {
    pub fn new(span: Span) -> Self {
        FilterList {
            span,
            entries: BTreeMap::new(),
        }
    }
    /// The sequence number FRR gives an entry written without `seq`: 5 above the
    /// highest so far (starting at 5).
    pub fn next_seq(&self) -> u32 {
        self.entries
            .keys()
            .next_back()
            .map(|s| (s / 5 + 1).saturating_mul(5))
            .unwrap_or(5)
    }
}

#[derive(Clone, Debug)]
pub struct Entry<T> {
    pub permit: bool,
    pub item: T,
    /// The whole line.
    pub span: Span,
}

/// `P [ge N] [le M]` of a prefix-list (`any` is `0.0.0.0/0 le 32`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrefixEntry {
    pub prefix: Ipv4Net,
    pub ge: Option<u8>,
    pub le: Option<u8>,
}

/// One `bgp as-path access-list` regular expression, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsPathEntry {
    pub regex: Spanned<String>,
}

/// A standard access-list entry, as a set of prefixes (by network address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessEntry {
    Any,
    /// `A W` (wildcard mask) or `host A` (W = 0.0.0.0): the route's network address
    /// lies in A/len.
    Address(Ipv4Net),
    /// Zebra-style `P [exact-match]`: the route lies inside P (or is P).
    Prefix {
        prefix: Ipv4Net,
        exact: bool,
    },
}

/// `ip route P NEXT_HOP`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpRoute {
    pub prefix: Ipv4Net,
    pub next_hop: StaticNextHop,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaticNextHop {
    Address(Ipv4Addr),
    /// `blackhole`, `Null0`, `reject`.
    Drop,
}

/// `router bgp N`.
#[derive(Clone, Debug)]
pub struct BgpRouter {
    pub asn: Spanned<u32>,
    /// The `router bgp N` line.
    pub span: Span,
    pub router_id: Option<Spanned<Ipv4Addr>>,
    /// `[no] bgp ebgp-requires-policy`.
    pub ebgp_requires_policy: Option<Spanned<bool>>,
    /// `[no] bgp network import-check`.
    pub import_check: Option<Spanned<bool>>,
    /// `[no] bgp default ipv4-unicast`.
    pub default_ipv4_unicast: Option<Spanned<bool>>,
    /// `[no] bgp deterministic-med`.
    pub deterministic_med: Option<Spanned<bool>>,
    /// `bgp disable-ebgp-connected-route-check`: no neighbor needs a connected
    /// subnet for a single-hop eBGP session.
    pub disable_connected_route_check: Option<Span>,
    /// Neighbours in order of first mention.
    pub neighbors: Vec<Neighbor>,
    pub networks: Vec<Spanned<Ipv4Net>>,
    pub redistribute: Vec<Spanned<Redistribute>>,
    /// `neighbor NAME peer-group` groups by name: their settings (the group's
    /// `Neighbor::addr` is 0.0.0.0 and spans the name on the defining line).
    pub peer_groups: BTreeMap<String, Neighbor>,
    /// `aggregate-address` lines.
    pub aggregates: Vec<Spanned<Aggregate>>,
}

/// `aggregate-address P [as-set] [summary-only]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Aggregate {
    pub prefix: Ipv4Net,
    pub as_set: bool,
    pub summary_only: bool,
}

/// What a `neighbor` line configures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Addr(Ipv4Addr),
    /// A peer-group by name.
    Group(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redistribute {
    Static,
    Connected,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemoteAs {
    Asn(u32),
    Internal,
    External,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    In,
    Out,
}

/// Everything said about one neighbour address.
#[derive(Clone, Debug)]
pub struct Neighbor {
    pub addr: Spanned<Ipv4Addr>,
    pub remote_as: Option<Spanned<RemoteAs>>,
    /// `neighbor A route-map NAME in|out`.
    pub route_map: BTreeMap<Direction, Spanned<String>>,
    pub prefix_list: BTreeMap<Direction, Spanned<String>>,
    /// `filter-list` (an as-path access-list).
    pub filter_list: BTreeMap<Direction, Spanned<String>>,
    /// `distribute-list` (an access-list).
    pub distribute_list: BTreeMap<Direction, Spanned<String>>,
    /// `allowas-in [N]` (FRR's default N: 3).
    pub allowas_in: Option<Spanned<u8>>,
    pub as_override: Option<Span>,
    pub next_hop_self: Option<Span>,
    pub remove_private_as: Option<Span>,
    /// `neighbor A weight N`.
    pub weight: Option<Spanned<u32>>,
    /// `[no] neighbor A activate` in the IPv4 unicast address family.
    pub activate: Option<Spanned<bool>>,
    pub shutdown: Option<Span>,
    /// `neighbor A peer-group NAME`: the group whose settings A inherits.
    pub peer_group: Option<Spanned<String>>,
    /// `neighbor A default-originate`.
    pub default_originate: Option<Span>,
    /// `neighbor A ebgp-multihop [N]` (without N: 255, FRR's maximum).
    pub ebgp_multihop: Option<Spanned<u8>>,
    /// `neighbor A disable-connected-check` (or its older name `enforce-multihop`).
    pub disable_connected_check: Option<Span>,
    /// `neighbor A ttl-security hops N`.
    pub ttl_security: Option<Spanned<u8>>,
    /// `neighbor A update-source A|IFNAME`: the session's source address.
    pub update_source: Option<Spanned<UpdateSource>>,
    /// `[no] neighbor A send-community [standard|both|all]` (FRR's default: sent).
    pub send_community: Option<Spanned<bool>>,
    /// The `no bgp default ipv4-unicast` line in force when the neighbor (or
    /// peer-group) was created: without `activate`, it is then not active for IPv4
    /// unicast (FRR decides at creation; none: active).
    pub v4_off_at_creation: Option<Span>,
}

/// What `neighbor A update-source` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpdateSource {
    Addr(Ipv4Addr),
    /// An interface: the source is that interface's address.
    Interface(String),
}

impl Config {
    /// Every community a `set community` line of this configuration adds.
    pub fn set_communities(&self) -> Vec<(u16, u16)> {
        let mut out: Vec<(u16, u16)> = self
            .route_maps
            .values()
            .flat_map(|m| m.entries.values())
            .flat_map(|e| e.sets.iter())
            .flat_map(|s| match &s.node {
                Set::Community { communities, .. } => communities.clone(),
                _ => Vec::new(),
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl Neighbor {
    pub fn new(addr: Spanned<Ipv4Addr>) -> Self {
        Neighbor {
            addr,
            remote_as: None,
            route_map: BTreeMap::new(),
            prefix_list: BTreeMap::new(),
            filter_list: BTreeMap::new(),
            distribute_list: BTreeMap::new(),
            allowas_in: None,
            as_override: None,
            next_hop_self: None,
            remove_private_as: None,
            weight: None,
            activate: None,
            shutdown: None,
            peer_group: None,
            default_originate: None,
            ebgp_multihop: None,
            disable_connected_check: None,
            ttl_security: None,
            update_source: None,
            send_community: None,
            v4_off_at_creation: None,
        }
    }

    /// This neighbor's settings over its peer-group's: a setting the neighbor makes
    /// itself wins, every other one comes from the group (FRR's peer-group
    /// inheritance, per setting and per direction).
    pub fn inherit(&self, group: &Neighbor) -> Neighbor {
        fn dirs(
            own: &BTreeMap<Direction, Spanned<String>>,
            g: &BTreeMap<Direction, Spanned<String>>,
        ) -> BTreeMap<Direction, Spanned<String>> {
            let mut out = g.clone();
            out.extend(own.iter().map(|(d, v)| (*d, v.clone())));
            out
        }
        Neighbor {
            addr: self.addr,
            remote_as: self.remote_as.or(group.remote_as),
            route_map: dirs(&self.route_map, &group.route_map),
            prefix_list: dirs(&self.prefix_list, &group.prefix_list),
            filter_list: dirs(&self.filter_list, &group.filter_list),
            distribute_list: dirs(&self.distribute_list, &group.distribute_list),
            allowas_in: self.allowas_in.or(group.allowas_in),
            as_override: self.as_override.or(group.as_override),
            next_hop_self: self.next_hop_self.or(group.next_hop_self),
            remove_private_as: self.remove_private_as.or(group.remove_private_as),
            weight: self.weight.or(group.weight),
            activate: self.activate.or(group.activate),
            shutdown: self.shutdown.or(group.shutdown),
            peer_group: self.peer_group.clone(),
            default_originate: self.default_originate.or(group.default_originate),
            ebgp_multihop: self.ebgp_multihop.or(group.ebgp_multihop),
            disable_connected_check: self
                .disable_connected_check
                .or(group.disable_connected_check),
            ttl_security: self.ttl_security.or(group.ttl_security),
            update_source: self
                .update_source
                .clone()
                .or_else(|| group.update_source.clone()),
            send_community: self.send_community.or(group.send_community),
            // A member takes the group's IPv4 unicast state when it joins (FRR's
            // `peer_group_bind` activates or deactivates it as the group is).
            v4_off_at_creation: group.v4_off_at_creation,
        }
    }

    /// Whether the neighbor exchanges IPv4 unicast routes, and the line that decided
    /// it when it does not (its `no neighbor A activate`, or the `no bgp default
    /// ipv4-unicast` in force when it was created). After [`Neighbor::inherit`].
    pub fn ipv4_active(&self) -> (bool, Option<Span>) {
        match self.activate {
            Some(a) => (a.node, (!a.node).then_some(a.span)),
            None => (self.v4_off_at_creation.is_none(), self.v4_off_at_creation),
        }
    }

    /// Whether any inbound/outbound policy is configured (what FRR's
    /// `bgp ebgp-requires-policy` looks for: a route-map, prefix-list, filter-list or
    /// distribute-list in that direction).
    pub fn has_policy(&self, d: Direction) -> bool {
        self.route_map.contains_key(&d)
            || self.prefix_list.contains_key(&d)
            || self.filter_list.contains_key(&d)
            || self.distribute_list.contains_key(&d)
    }
}

/// `route-map NAME permit|deny N` entries, by sequence number.
#[derive(Clone, Debug)]
pub struct RouteMap {
    pub span: Span,
    pub entries: BTreeMap<u32, RouteMapEntry>,
}

#[derive(Clone, Debug)]
pub struct RouteMapEntry {
    pub permit: bool,
    pub seq: u32,
    /// The `route-map NAME permit N` line.
    pub span: Span,
    pub matches: Vec<Spanned<Match>>,
    pub sets: Vec<Spanned<Set>>,
    /// `on-match next` / `continue [N]` / `on-match goto N`.
    pub exit: Option<Spanned<Exit>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    PrefixList(String),
    /// `match ip address NAME` (an access-list).
    AccessList(String),
    AsPath(String),
    Community(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Set {
    LocalPref(u32),
    Metric(u32),
    Prepend(Vec<u32>),
    Exclude(Vec<u32>),
    /// `set community C... [additive]`, `set community none` (no communities, not
    /// additive): without `additive` every community the route carries is removed
    /// first.
    Community {
        communities: Vec<(u16, u16)>,
        additive: bool,
    },
    /// `set comm-list NAME delete`.
    CommListDelete(String),
    NextHop(Ipv4Addr),
    NextHopUnchanged,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// `on-match next`, `continue`: go on with the next entry.
    Next,
    /// `on-match goto N`, `continue N`: go on with entry N.
    Goto(u32),
}
