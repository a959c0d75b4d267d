//! Statement parsers, one per configuration node (FRR's "node": top level, `router
//! bgp`, `address-family`, `route-map`, `interface`, `line vty`). Each returns
//! `Err(nom::Err::Error)` when the line's first words are not one of its statements
//! (the caller then tries the enclosing node, as FRR does), and
//! `Err(nom::Err::Failure)` when they are but the rest is malformed.
//!
//! ```text
//! top      = "frr" ("version" V | "defaults" WORD) | "hostname" WORD | "log" ... | "line" "vty"
//!          | "interface" WORD | "ip" "route" PREFIX (ADDR | "blackhole" | "Null0" | "reject") ...
//!          | "ip" "prefix-list" NAME ["seq" N] ("permit"|"deny") (PREFIX ["ge" N] ["le" N] | "any")
//!          | "bgp" "as-path" "access-list" NAME ["seq" N] ("permit"|"deny") REGEX
//!          | "bgp" "community-list" ["standard"] NAME ["seq" N] ("permit"|"deny") COMMUNITY...
//!          | "access-list" NAME ["seq" N] ("permit"|"deny") ("any" | "host" ADDR | ADDR [WILDCARD] | PREFIX ["exact-match"])
//!          | "route-map" NAME ("permit"|"deny") N | "router" "bgp" ASN
//! bgp      = "bgp" "router-id" ADDR | ["no"] "bgp" ("ebgp-requires-policy" | "network" "import-check" | "default" "ipv4-unicast")
//!          | "neighbor" ADDR neighbor | "no" "neighbor" ADDR "activate" | af
//!          | "address-family" "ipv4" ["unicast"] | "timers" ... | "coalesce-time" N
//! af       = "network" PREFIX | "redistribute" ("static"|"connected") | "neighbor" ADDR neighbor
//!          | "aggregate-address" PREFIX ["as-set"] ["summary-only"] | "exit-address-family"
//! neighbor = "remote-as" (ASN|"internal"|"external") | "route-map" NAME ("in"|"out")
//!          | "prefix-list" NAME DIR | "filter-list" NAME DIR | "distribute-list" NAME DIR
//!          | "allowas-in" [N] | "as-override" | "next-hop-self" ["force"] | "remove-private-AS" "all"
//!          | "activate" | "shutdown" | "weight" N | "update-source" (ADDR|IFNAME) | "ebgp-multihop" [N]
//!          | "disable-connected-check" | "ttl-security" "hops" N | ...
//!          | "peer-group" [NAME] | "default-originate"
//! (ADDR in `neighbor` lines may also be a peer-group NAME: a word without digits first, `.` or `:`)
//! rmap     = "match" ("ip" "address" ("prefix-list" NAME | NAME) | "as-path" NAME | "community" NAME)
//!          | "set" ("local-preference" N | "metric" N | "as-path" ("prepend"|"exclude") ASN...
//!          |        | "community" (COMMUNITY... ["additive"] | "none") | "comm-list" NAME "delete"
//!          |        | "ip" "next-hop" (ADDR | "unchanged"))
//!          | "on-match" ("next" | "goto" N) | "continue" [N] | "description" TEXT
//! ```

use super::ast::{
    AccessEntry, Aggregate, Direction, Exit, IpRoute, Match, PrefixEntry, Redistribute, RemoteAs,
    Set, StaticNextHop, Target, UpdateSource,
};
use super::error::{ErrorKind, PError};
use super::lex::{
    address, asn, asn_text, community, end, expect, frr_acts_on, keyword_of, kw,
    masked_prefix_text, neighbor_target, not_keyword, number, number_in, one_of, prefix_or_mask,
    prefix_text, rest, word, In, PResult, Word,
};
use ipnet::Ipv4Net;
use nom::branch::alt;
use nom::combinator::{map, opt};
use nom::sequence::preceded;
use std::net::Ipv4Addr;

/// A recognised statement, with the spans the translation needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    /// Understood; nothing avscheck models depends on it (documented in docs/frr.md).
    NoOp,
    /// Understood, changes routing, not supported: an error naming the reason.
    Unsupported(String),
    /// Understood; its effect is not modeled (the model assumes the common case): a
    /// warning AVS0903 naming what is assumed.
    Unmodeled(String),
    /// Understood; changes nothing in the designs avscheck reads: a warning AVS0921
    /// saying why.
    NoEffect(String),
    Version(u32, u32),
    /// `frr defaults datacenter` (true) or `traditional`.
    Profile(bool),
    Hostname(String),
    /// `ip nht resolve-via-default`.
    NhtResolveViaDefault,
    LineVty,
    Interface,
    /// `ip address A/L` in an `interface` block, as written (host bits kept).
    InterfaceAddress(Ipv4Net),
    /// `no ip address A/L` in an `interface` block.
    NoInterfaceAddress(Ipv4Net),
    IpRoute(IpRoute),
    /// A static route and a warning AVS0921 (a part of the line with no effect here).
    IpRouteNote(IpRoute, String),
    PrefixList {
        name: String,
        seq: Option<u32>,
        permit: bool,
        entry: PrefixEntry,
    },
    /// `ip prefix-list NAME description ...`: the list exists, perhaps without entries.
    PrefixListDefined(String),
    AsPathList {
        name: String,
        seq: Option<u32>,
        permit: bool,
        regex: (String, usize, usize),
    },
    CommunityList {
        name: String,
        seq: Option<u32>,
        permit: bool,
        communities: Vec<(u16, u16)>,
    },
    AccessList {
        name: String,
        seq: Option<u32>,
        permit: bool,
        entry: AccessEntry,
    },
    RouteMap {
        name: String,
        permit: bool,
        seq: u32,
    },
    /// An unsupported block (`router ospf`): its lines are skipped.
    SkipBlock(String),
    RouterBgp(u32, (usize, usize)),
    /// `router bgp` without an ASN: the instance already configured.
    RouterBgpCurrent,
    Exit,
    ExitAddressFamily,
    RouterId(Ipv4Addr),
    EbgpRequiresPolicy(bool),
    ImportCheck(bool),
    DefaultIpv4Unicast(bool),
    /// `[no] bgp deterministic-med`.
    DeterministicMed(bool),
    /// `[no] bgp disable-ebgp-connected-route-check`.
    DisableConnectedRouteCheck(bool),
    /// A `neighbor` line: its target (address or peer-group), the span of the target
    /// word, the setting.
    Neighbor(Target, (usize, usize), NeighborCmd),
    /// `aggregate-address P [as-set] [summary-only]`.
    Aggregate(Aggregate),
    /// `network P`, with the form it was written in (which decides whether the line
    /// is a statement of another IPv4 family: `super::scope`).
    Network(Ipv4Net, NetForm),
    /// `network P` / `aggregate-address P` with an IPv6 prefix (the statement's word).
    Ipv6Origination(&'static str),
    Redistribute(Redistribute),
    /// `address-family ...`.
    AddressFamily(Family),
    /// `vrf NAME`: a block of another VRF.
    Vrf(String),
    /// `exit-vrf`.
    ExitVrf,
    /// `end`.
    End,
    /// `ip as-path access-list ...` / `ip community-list ...`: the list syntax of
    /// Quagga and FRR before 7.3 (the statement it would be there).
    LegacyList(Box<Stmt>),
    Match(Match),
    Set(Set),
    OnMatch(Exit),
}

/// An `address-family` of `router bgp`: which IPv4 lines are its own statements
/// (checked with FRR 8.4's bgpd, docs/frr.md "Address families").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// `ipv4 unicast` (or `ipv4`): what avscheck models.
    V4Unicast,
    /// `ipv4 multicast`, `ipv4 labeled-unicast`: `network A.B.C.D/M`, `network A mask
    /// M` and `aggregate-address` are statements of that family's own table.
    V4Table,
    /// `ipv4 vpn`, `l2vpn evpn`: `network A.B.C.D/M` is a statement of the family
    /// that needs an `rd` (bgpd: "Command incomplete", the line is rejected); the
    /// other IPv4 forms fall back to `router bgp`.
    V4Vpn,
    /// `ipv6 ...`: IPv6 `network`/`aggregate-address` are its statements.
    V6,
    /// Anything else (`ipv4 flowspec`, `l2vpn vpls`, ...).
    Other,
}

/// How a `network` line wrote its prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetForm {
    /// `network A.B.C.D/M`.
    Slash,
    /// `network A.B.C.D mask M`.
    Mask,
    /// `network A.B.C.D`: the classful mask (A: /8, B: /16, C: /24).
    Classful,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NeighborCmd {
    /// `[no] neighbor A send-community [standard|both|all]` (the standard
    /// communities the model carries; `extended`/`large` alone are no-ops here).
    SendCommunity(bool),
    RemoteAs(RemoteAs),
    RouteMap(String, Direction),
    PrefixList(String, Direction),
    FilterList(String, Direction),
    DistributeList(String, Direction),
    AllowasIn(u8),
    AsOverride,
    NextHopSelf,
    RemovePrivateAsAll,
    Activate(bool),
    Shutdown,
    Weight(u32),
    /// `neighbor NAME peer-group`: defines the group.
    PeerGroupDefine,
    /// `neighbor A peer-group NAME`: A joins the group.
    PeerGroup(String),
    /// `neighbor A default-originate`.
    DefaultOriginate,
    /// `neighbor A ebgp-multihop [N]` (without N: 255).
    EbgpMultihop(u8),
    /// `neighbor A disable-connected-check` / `enforce-multihop`.
    DisableConnectedCheck,
    /// `neighbor A ttl-security hops N`.
    TtlSecurity(u8),
    /// `neighbor A update-source X` and the span of X.
    UpdateSource(UpdateSource, (usize, usize)),
    NoOp,
    Unsupported(String),
    Unmodeled(String),
}

fn s(w: Word) -> String {
    w.text.to_string()
}

fn fail<T>(w: &Word, kind: ErrorKind) -> PResult<'static, T> {
    Err(nom::Err::Failure(PError::word(w, kind)))
}

/// A committed sub-parser: a recoverable error becomes a failure (nom's `cut`).
fn cut<'a, T>(mut f: impl FnMut(In<'a>) -> PResult<'a, T>) -> impl FnMut(In<'a>) -> PResult<'a, T> {
    move |i| match f(i) {
        Err(nom::Err::Error(e)) => Err(nom::Err::Failure(e)),
        other => other,
    }
}

fn permit_deny(i: In) -> PResult<bool> {
    map(cut(keyword_of(&["permit", "deny"])), |w| w.text == "permit")(i)
}

/// `seq N` of a prefix-list or access-list: FRR 8.4 takes 1-4294967295 (`seq 0` is
/// "Unknown command").
fn seq(i: In) -> PResult<Option<u32>> {
    seq_from(i, 1)
}

/// `seq N` of an as-path or community-list: FRR 8.4 takes 0 too (bgpd keeps `seq 0`).
fn seq0(i: In) -> PResult<Option<u32>> {
    seq_from(i, 0)
}

fn seq_from(i: In, min: u64) -> PResult<Option<u32>> {
    let what = if min == 0 {
        "a sequence number (0-4294967295)"
    } else {
        "a sequence number (1-4294967295)"
    };
    opt(preceded(
        kw("seq"),
        cut(map(number_in(what, min, 4_294_967_295), |(n, _)| n as u32)),
    ))(i)
}

/// FRR's prefix-list length rule (lib/filter_nb.c, checked with bgpd 8.4: "Invalid
/// prefix range for 10.0.0.0/16: Make sure that mask length <= ge <= le"). `ge 0` on
/// 0.0.0.0/0 is "not set" and passes (the caller drops it); `le 0` is set and counts.
fn prefix_range_error(p: Ipv4Net, ge: Option<u8>, le: Option<u8>) -> Option<String> {
    let len = p.prefix_len();
    let lo = ge.unwrap_or(len);
    let hi = le.unwrap_or(32);
    (ge.is_some_and(|g| g < len) || le.is_some_and(|l| l < len) || lo > hi).then(|| {
        let shown = |k: &str, v: Option<u8>| v.map(|v| format!(" {k} {v}")).unwrap_or_default();
        format!(
            "`{p}{}{}` is not a valid prefix range (FRR refuses the line)",
            shown("ge", ge),
            shown("le", le)
        )
    })
}

fn direction(i: In) -> PResult<Direction> {
    map(cut(keyword_of(&["in", "out"])), |w| {
        if w.text == "in" {
            Direction::In
        } else {
            Direction::Out
        }
    })(i)
}

fn u8_len<'a>(i: In<'a>) -> PResult<'a, u8> {
    map(cut(number("a prefix length (0-32)", 32)), |(n, _)| n as u8)(i)
}

// ------------------------------------------------------------------ top level

pub fn top(i: In) -> PResult<Stmt> {
    let (r, w) = word(i)?;
    match w.text {
        "frr" | "quagga" => frr_line(r),
        "hostname" => {
            map(preceded(cut(expect("a host name")), end), |_| Stmt::NoOp)(r).map(|(r2, _)| {
                let name = r.fragment().trim().to_string();
                (r2, Stmt::Hostname(name))
            })
        }
        "vrf" => {
            let (r, name) = cut(expect("a VRF name"))(r)?;
            let (r, _) = end(r)?;
            Ok((r, Stmt::Vrf(s(name))))
        }
        "exit-vrf" => map(end, |_| Stmt::ExitVrf)(r),
        "end" => map(end, |_| Stmt::End)(r),
        "pbr-map" => {
            let (r, _) = rest(r)?;
            Ok((
                r,
                Stmt::SkipBlock(
                    "`pbr-map`: policy-based routing (pbrd) forwards matching packets by other rules than the routing table, which avscheck does not model".into(),
                ),
            ))
        }
        "password" | "enable" | "log" | "service" | "debug" | "agentx" | "username" | "banner"
        | "ipv6" | "mpls" => {
            // `ipv6 ...`: another address family, which avscheck does not model yet.
            let (r, _) = rest(r)?;
            Ok((r, Stmt::NoOp))
        }
        "line" => map(preceded(cut(kw("vty")), end), |_| Stmt::LineVty)(r),
        "interface" => {
            let (r, _) = cut(expect("an interface name"))(r)?;
            let (r, _) = rest(r)?;
            Ok((r, Stmt::Interface))
        }
        "ip" => ip_top(r),
        "no" => {
            let (r2, w2) = expect("a command")(r)?;
            match w2.text {
                "ip" | "ipv6" => {
                    let (r3, w3) = word(r2)?;
                    if w3.text == "forwarding" && w2.text == "ip" {
                        let (r3, _) = end(r3)?;
                        Ok((
                            r3,
                            Stmt::Unsupported(
                                "`no ip forwarding`: the NVA would not forward packets".into(),
                            ),
                        ))
                    } else if w2.text == "ip"
                        && matches!(w3.text, "route" | "prefix-list" | "protocol" | "as-path")
                    {
                        // Removes a static route, a list or a policy read earlier.
                        Err(nom::Err::Error(PError::word(&w, ErrorKind::Nom)))
                    } else {
                        let (r3, _) = rest(r3)?;
                        Ok((r3, Stmt::NoOp))
                    }
                }
                "log" | "service" | "debug" => {
                    let (r3, _) = rest(r2)?;
                    Ok((r3, Stmt::NoOp))
                }
                _ => Err(nom::Err::Error(PError::word(&w, ErrorKind::Nom))),
            }
        }
        "bgp" => bgp_top(r, &w),
        "access-list" => access_list(r),
        "route-map" => {
            let (r, name) = cut(expect("a route-map name"))(r)?;
            let (r, permit) = permit_deny(r)?;
            let (r, (n, _)) = cut(number_in("a sequence number (1-65535)", 1, 65535))(r)?;
            let (r, _) = end(r)?;
            Ok((
                r,
                Stmt::RouteMap {
                    name: s(name),
                    permit,
                    seq: n as u32,
                },
            ))
        }
        "router" => {
            let (r2, w2) = cut(expect("a routing protocol"))(r)?;
            if w2.text == "bgp" {
                // `router bgp` alone enters the instance already configured (FRR).
                if r2.fragment().trim().is_empty() {
                    let (r3, _) = end(r2)?;
                    return Ok((r3, Stmt::RouterBgpCurrent));
                }
                let (r2, (n, nw)) = cut(asn)(r2)?;
                let (r3, v) = opt(one_of(&["vrf", "view"]))(r2)?;
                if let Some(v) = v {
                    let (r3, _) = rest(r3)?;
                    let why = if v.text == "vrf" {
                        "BGP in a VRF is not supported"
                    } else {
                        "`router bgp N view NAME`: a BGP view (its own RIB, installed in no forwarding table) is not supported"
                    };
                    return Ok((r3, Stmt::Unsupported(why.into())));
                }
                let (r3, _) = end(r3)?;
                Ok((r3, Stmt::RouterBgp(n, (nw.start, nw.end))))
            } else {
                let (r2, _) = rest(r2)?;
                Ok((
                    r2,
                    Stmt::SkipBlock(format!("`router {}`: only `router bgp` is read", w2.text)),
                ))
            }
        }
        "exit" => map(end, |_| Stmt::Exit)(r),
        _ => Err(nom::Err::Error(PError::word(&w, ErrorKind::Nom))),
    }
}

fn frr_line(i: In) -> PResult<Stmt> {
    let (r, w) = cut(keyword_of(&["version", "defaults"]))(i)?;
    if w.text == "defaults" {
        let (r, p) = cut(keyword_of(&["traditional", "datacenter"]))(r)?;
        let (r, _) = end(r)?;
        return Ok((r, Stmt::Profile(p.text == "datacenter")));
    }
    let (r, v) = cut(expect("a version (X.Y)"))(r)?;
    let (r, _) = rest(r)?;
    let mut parts = v.text.split(['.', '-', '_']);
    let major = parts.next().and_then(|p| p.parse::<u32>().ok());
    let minor = parts
        .next()
        .and_then(|p| p.parse::<u32>().ok())
        .unwrap_or(0);
    match major {
        Some(m) => Ok((r, Stmt::Version(m, minor))),
        None => fail(&v, ErrorKind::Expected("a version (X.Y)".into())),
    }
}

fn ip_top(i: In) -> PResult<Stmt> {
    let (r, w) = cut(expect("`route` or `prefix-list`"))(i)?;
    match w.text {
        "route" => {
            let (r, (p, pw)) = cut(|i| prefix_or_mask(i, prefix_text, false))(r)?;
            let (r, nh) = cut(expect("a next hop (address, `blackhole`, `Null0`)"))(r)?;
            let next_hop = match nh.text {
                "blackhole" | "Null0" | "null0" | "reject" => StaticNextHop::Drop,
                t => match t.parse::<Ipv4Addr>() {
                    Ok(a) => StaticNextHop::Address(a),
                    Err(_) => {
                        let (r, _) = rest(r)?;
                        return Ok((
                            r,
                            Stmt::Unsupported(format!(
                                "`ip route {p} {t}`: a static route out of an interface (no next-hop address) is not modelled"
                            )),
                        ));
                    }
                },
            };
            let _ = pw;
            // What may follow: an interface name, `onlink`, an administrative distance,
            // `tag N`, `table N`, `vrf`/`nexthop-vrf`, `label` (staticd's grammar).
            let mut r = r;
            let mut tag = None;
            while let (r2, Some(w)) = opt(word)(r)? {
                r = r2;
                if let Ok(d) = w.text.parse::<u32>() {
                    if d != 1 {
                        let (r, _) = rest(r)?;
                        return Ok((
                            r,
                            Stmt::Unsupported(format!(
                                "`ip route {p} ... {d}`: administrative distance {d} (a floating static route, used only while no route with a lower distance exists) is not modelled"
                            )),
                        ));
                    }
                } else if w.text == "tag" {
                    let (r2, t) = cut(expect("a tag value"))(r)?;
                    r = r2;
                    tag = Some(t.text.to_string());
                } else if matches!(w.text, "table" | "vrf" | "nexthop-vrf" | "label") {
                    let (r, _) = rest(r)?;
                    return Ok((
                        r,
                        Stmt::Unsupported(format!(
                            "`ip route ... {}`: a static route in another table, VRF or with MPLS labels is not modelled",
                            w.text
                        )),
                    ));
                }
            }
            let route = IpRoute {
                prefix: p,
                next_hop,
                span: crate::span::Span::default(),
            };
            match tag {
                None => Ok((r, Stmt::IpRoute(route))),
                Some(t) => Ok((
                    r,
                    Stmt::IpRouteNote(
                        route,
                        format!("`tag {t}` marks the static route for route-maps that match a tag; avscheck reads no `match tag`, so it has no effect here"),
                    ),
                )),
            }
        }
        "prefix-list" => {
            let (r, name) = cut(expect("a prefix-list name"))(r)?;
            let (r2, d) = opt(kw("description"))(r)?;
            if d.is_some() {
                // bgpd creates the list (without entries): tester finding 15.
                let (r2, _) = rest(r2)?;
                return Ok((r2, Stmt::PrefixListDefined(s(name))));
            }
            let (r, seq) = seq(r)?;
            let (r, permit) = permit_deny(r)?;
            let (r, first) = cut(expect("a prefix or `any`"))(r)?;
            if first.text == "any" {
                let (r, _) = end(r)?;
                return Ok((
                    r,
                    Stmt::PrefixList {
                        name: s(name),
                        seq,
                        permit,
                        entry: PrefixEntry {
                            prefix: Ipv4Net::default(),
                            ge: None,
                            le: Some(32),
                        },
                    },
                ));
            }
            let p = conv(first, masked_prefix_text)?;
            // `ge` and `le` in either order, each at most once (bgpd 8.4 takes `le 24
            // ge 20`).
            let (r, ge) = opt(preceded(kw("ge"), u8_len))(r)?;
            let (r, le) = opt(preceded(kw("le"), u8_len))(r)?;
            let (r, ge) = match ge {
                Some(g) => (r, Some(g)),
                None if le.is_some() => opt(preceded(kw("ge"), u8_len))(r)?,
                None => (r, None),
            };
            let (r, _) = end(r)?;
            // `ge 0` on 0.0.0.0/0 is FRR's "not set" (bgpd shows `permit 0.0.0.0/0 ge
            // 0` as `permit 0.0.0.0/0`, an exact match); on a longer prefix it breaks
            // `length <= ge` and bgpd refuses the line ("Invalid prefix range for
            // 10.2.0.0/16"): checked with FRR 8.4.
            let ge = ge.filter(|g| *g != 0 || p.prefix_len() != 0);
            if let Some(what) = prefix_range_error(p, ge, le) {
                return fail(
                    &first,
                    ErrorKind::FrrRule {
                        what,
                        rule: format!(
                            "FRR requires prefix length <= ge <= le <= 32 (here the length is {}): \"Make sure that mask length <= ge <= le\"",
                            p.prefix_len()
                        ),
                    },
                );
            }
            Ok((
                r,
                Stmt::PrefixList {
                    name: s(name),
                    seq,
                    permit,
                    entry: PrefixEntry { prefix: p, ge, le },
                },
            ))
        }
        "protocol" => {
            let (r, _) = rest(r)?;
            Ok((
                r,
                Stmt::Unsupported(
                    "`ip protocol ... route-map`: zebra filters which routes reach the forwarding table, which avscheck does not model (as `table-map`)".into(),
                ),
            ))
        }
        "import-table" => {
            let (r, _) = rest(r)?;
            Ok((
                r,
                Stmt::Unsupported(
                    "`ip import-table`: zebra imports the routes of another kernel table into the RIB (where `redistribute table` and import-check see them), which avscheck does not model".into(),
                ),
            ))
        }
        // Quagga's and FRR < 7.3's list syntax (FRR 7.3 moved them under `bgp`).
        "as-path" | "community-list" => {
            let (r, st) = bgp_top(i, &w)?;
            Ok((r, Stmt::LegacyList(Box::new(st))))
        }
        "nht" => ip_nht(r),
        "forwarding" => {
            let (r, _) = rest(r)?;
            Ok((r, Stmt::NoOp))
        }
        _ => Err(not_keyword(
            &w,
            &[
                "route",
                "prefix-list",
                "protocol",
                "forwarding",
                "nht",
                "import-table",
            ],
        )),
    }
}

/// `ip nht ...`: `resolve-via-default` lets zebra resolve next hops through the
/// default route (modeled); `ip nht PROTOCOL route-map NAME` is a warning (not
/// modeled).
fn ip_nht(i: In) -> PResult<Stmt> {
    let (r, w) = expect("`resolve-via-default`")(i)?;
    if w.text == "resolve-via-default" {
        let (r, _) = end(r)?;
        return Ok((r, Stmt::NhtResolveViaDefault));
    }
    if let e @ nom::Err::Failure(_) = not_keyword(&w, &["resolve-via-default"]) {
        return Err(e);
    }
    let (r, _) = rest(r)?;
    Ok((
        r,
        Stmt::Unmodeled(
            "`ip nht PROTOCOL route-map`: which routes may resolve next hops is filtered; the model lets every route zebra holds resolve them".into(),
        ),
    ))
}

/// A word's text through a typed conversion, errors located on the word.
fn conv<'a, T>(
    w: Word<'a>,
    f: impl Fn(&str) -> Result<T, ErrorKind>,
) -> Result<T, nom::Err<PError>> {
    f(w.text).map_err(|k| nom::Err::Failure(PError::word(&w, k)))
}

fn bgp_top<'a>(i: In<'a>, first: &Word<'a>) -> PResult<'a, Stmt> {
    let (r, w) = word(i)?;
    match w.text {
        "as-path" => {
            let (r, _) = cut(kw("access-list"))(r)?;
            let (r, name) = cut(expect("an as-path access-list name"))(r)?;
            let (r, seq) = seq0(r)?;
            let (r, permit) = permit_deny(r)?;
            let (r, re) = rest(r)?;
            match re {
                Some(re) => Ok((
                    r,
                    Stmt::AsPathList {
                        name: s(name),
                        seq,
                        permit,
                        regex: (re.text.to_string(), re.start, re.end),
                    },
                )),
                None => Err(nom::Err::Failure(PError::at(
                    &r,
                    ErrorKind::Expected("a regular expression".into()),
                ))),
            }
        }
        "community-list" => {
            let (r, kind) = opt(one_of(&["standard", "expanded"]))(r)?;
            if kind.is_some_and(|k| k.text == "expanded") {
                let (r, _) = rest(r)?;
                return Ok((
                    r,
                    Stmt::Unsupported(
                        "expanded community-lists (regular expressions) are not supported".into(),
                    ),
                ));
            }
            let (r, name) = cut(expect("a community-list name"))(r)?;
            if kind.is_none() {
                match name.text.parse::<u32>() {
                    Ok(n) if (100..=500).contains(&n) => {
                        let (r, _) = rest(r)?;
                        return Ok((
                            r,
                            Stmt::Unsupported(
                                "expanded community-lists (100-500) are not supported".into(),
                            ),
                        ));
                    }
                    Ok(n) if (1..=99).contains(&n) => {}
                    // bgpd 8.4: "No such command" — only numbered lists may leave
                    // out `standard`/`expanded`, so the list is never defined.
                    _ => {
                        return fail(
                            &name,
                            ErrorKind::FrrRule {
                                what: format!(
                                    "`bgp community-list {}` needs `standard` or `expanded`",
                                    name.text
                                ),
                                rule: format!(
                                    "bgpd rejects a named community-list without its kind, and the list stays undefined; write `bgp community-list standard {} ...` (only numbered lists, 1-99 standard and 100-500 expanded, may leave the kind out)",
                                    name.text
                                ),
                            },
                        )
                    }
                }
            }
            let (r, seq) = seq0(r)?;
            let (r, permit) = permit_deny(r)?;
            let mut communities = Vec::new();
            let mut r = r;
            while let Ok((r2, w)) = word(r) {
                match community(w.text) {
                    Ok(c) => communities.push(c),
                    Err(k) => return fail(&w, k),
                }
                r = r2;
            }
            if communities.is_empty() {
                return Err(nom::Err::Failure(PError::at(
                    &r,
                    ErrorKind::Expected("a community (AA:NN)".into()),
                )));
            }
            Ok((
                r,
                Stmt::CommunityList {
                    name: s(name),
                    seq,
                    permit,
                    communities,
                },
            ))
        }
        _ => Err(nom::Err::Error(PError::word(first, ErrorKind::Nom))),
    }
}

fn access_list(i: In) -> PResult<Stmt> {
    let (r, name) = cut(expect("an access-list name"))(i)?;
    if let Ok(n) = name.text.parse::<u32>() {
        if (100..=199).contains(&n) || (2000..=2699).contains(&n) {
            let (r, _) = rest(r)?;
            return Ok((
                r,
                Stmt::Unsupported("extended access-lists are not supported".into()),
            ));
        }
    }
    let (r2, d) = opt(one_of(&["remark", "description"]))(r)?;
    if d.is_some() {
        let (r2, _) = rest(r2)?;
        return Ok((r2, Stmt::NoOp));
    }
    let (r, seq) = seq(r)?;
    let (r, permit) = permit_deny(r)?;
    let (r, w) = cut(expect("`any`, `host A`, `A W` or a prefix"))(r)?;
    let (r, entry) = match w.text {
        "any" => (r, AccessEntry::Any),
        "host" => {
            let (r, (a, _)) = cut(address)(r)?;
            (r, AccessEntry::Address(Ipv4Net::from(a)))
        }
        t if t.contains('/') => {
            let p = conv(w, masked_prefix_text)?;
            let (r, ex) = opt(kw("exact-match"))(r)?;
            (
                r,
                AccessEntry::Prefix {
                    prefix: p,
                    exact: ex.is_some(),
                },
            )
        }
        t => {
            let Ok(a) = t.parse::<Ipv4Addr>() else {
                return fail(
                    &w,
                    ErrorKind::Expected("`any`, `host A`, `A W` or a prefix".into()),
                );
            };
            let (r, wild) = opt(word)(r)?;
            let len = match wild {
                None => 32,
                Some(ww) => {
                    let wm = conv(ww, |t| {
                        t.parse::<Ipv4Addr>().map_err(|_| {
                            ErrorKind::Expected("a wildcard mask (e.g. 0.0.0.255)".into())
                        })
                    })?;
                    let inv = !u32::from(wm);
                    // A wildcard must be contiguous (0.0.0.255), i.e. an inverted netmask.
                    if inv.leading_ones() + inv.trailing_zeros() != 32 {
                        return fail(
                            &ww,
                            ErrorKind::Expected(
                                "a contiguous wildcard mask (e.g. 0.0.0.255)".into(),
                            ),
                        );
                    }
                    inv.leading_ones() as u8
                }
            };
            match Ipv4Net::new(a, len) {
                Ok(n) => (r, AccessEntry::Address(n.trunc())),
                Err(_) => return fail(&w, ErrorKind::Nom),
            }
        }
    };
    let (r, _) = end(r)?;
    Ok((
        r,
        Stmt::AccessList {
            name: s(name),
            seq,
            permit,
            entry,
        },
    ))
}

// ------------------------------------------------------------------ router bgp

pub fn bgp(i: In) -> PResult<Stmt> {
    let (r, w) = word(i)?;
    match w.text {
        "bgp" => bgp_setting(r, true, &w),
        "no" => {
            let (r2, w2) = word(r)?;
            match w2.text {
                "bgp" => bgp_setting(r2, false, &w),
                "neighbor" => no_neighbor(r2),
                "auto-summary" | "synchronization" => map(end, |_| Stmt::NoOp)(r2),
                _ => Err(nom::Err::Error(PError::word(&w, ErrorKind::Nom))),
            }
        }
        "timers" | "coalesce-time" | "distance" | "maximum-paths" | "description" => {
            let (r, _) = rest(r)?;
            Ok((r, Stmt::NoOp))
        }
        "address-family" => {
            let (r, fam) = cut(expect("an address family"))(r)?;
            let (r, sub) = opt(word)(r)?;
            let (r, _) = rest(r)?;
            let sub = sub.map(|s| s.text);
            let family = match (fam.text, sub) {
                ("ipv4", None | Some("unicast")) => Family::V4Unicast,
                ("ipv4", Some("multicast" | "labeled-unicast")) => Family::V4Table,
                ("ipv4", Some("vpn")) | ("l2vpn", Some("evpn")) => Family::V4Vpn,
                ("ipv6", _) => Family::V6,
                _ => Family::Other,
            };
            Ok((r, Stmt::AddressFamily(family)))
        }
        _ => af(i),
    }
}

fn bgp_setting<'a>(i: In<'a>, on: bool, first: &Word<'a>) -> PResult<'a, Stmt> {
    let (r, w) = cut(expect("a `bgp` setting"))(i)?;
    let done = |r: In<'a>, st: Stmt| -> PResult<'a, Stmt> {
        let (r, _) = end(r)?;
        Ok((r, st))
    };
    match w.text {
        "router-id" if on => {
            let (r, (a, _)) = cut(address)(r)?;
            done(r, Stmt::RouterId(a))
        }
        "ebgp-requires-policy" => done(r, Stmt::EbgpRequiresPolicy(on)),
        "network" => {
            let (r, _) = cut(kw("import-check"))(r)?;
            done(r, Stmt::ImportCheck(on))
        }
        "default" => {
            let (r, fam) = cut(expect("`ipv4-unicast`"))(r)?;
            if fam.text == "ipv4-unicast" {
                done(r, Stmt::DefaultIpv4Unicast(on))
            } else if fam.text == "local-preference" && on {
                let (r, _) = rest(r)?;
                Ok((
                    r,
                    Stmt::Unsupported(
                        "`bgp default local-preference` changes the local preference of the routes this router receives and originates, which avscheck does not model (it uses 100)".into(),
                    ),
                ))
            } else {
                let (r, _) = rest(r)?;
                Ok((r, Stmt::NoOp))
            }
        }
        // Routing changes avscheck does not model: refused, never silently ignored.
        "graceful-shutdown" | "reject-as-sets" | "shutdown" | "listen" if on => {
            let (r, _) = rest(r)?;
            let why = match w.text {
                "graceful-shutdown" => "`bgp graceful-shutdown` sets local-preference 0 on the routes of eBGP sessions (and the GRACEFUL_SHUTDOWN community), which avscheck does not model",
                "reject-as-sets" => "`bgp reject-as-sets` refuses updates with an AS_SET (RFC 9774), which avscheck does not model",
                "shutdown" => "`bgp shutdown` takes every session of the instance down, which avscheck does not model",
                _ => "`bgp listen` accepts dynamic neighbors from an address range, which avscheck does not model (declare each neighbor)",
            };
            Ok((r, Stmt::Unsupported(why.into())))
        }
        // Routing changes avscheck does not model (issue #14, tester findings 10 and
        // 18): refused, never a warning.
        "confederation" | "max-med" if on => {
            let (r, _) = rest(r)?;
            let why = if w.text == "confederation" {
                "`bgp confederation ...`: FRR then presents the confederation identifier to its eBGP peers instead of the `router bgp` AS (a peer expecting the `router bgp` AS keeps the session down) and treats confederation peers apart, which avscheck does not model"
            } else {
                "`bgp max-med ...`: FRR advertises its routes with the maximum MED (4294967294) while the condition holds, which avscheck does not model"
            };
            Ok((r, Stmt::Unsupported(why.into())))
        }
        "confederation" | "max-med" | "hard-administrative-reset" => {
            let (r, _) = rest(r)?;
            Ok((r, Stmt::NoOp))
        }
        // Route reflection only: avscheck refuses `route-reflector-client` (AVS0902),
        // so without clients these change nothing; said, not silently ignored.
        "cluster-id" | "route-reflector" if on => {
            let (r, _) = rest(r)?;
            Ok((
                r,
                Stmt::NoEffect(format!(
                    "`bgp {}` only changes route reflection (the CLUSTER_LIST and ORIGINATOR_ID of reflected routes, RFC 4456), and avscheck reads no `route-reflector-client` (AVS0902), so here it has no effect",
                    w.text
                )),
            ))
        }
        // FRR's default (on): an eBGP update whose first AS is not the peer's is
        // dropped. Azure's Route Server, gateways and MSEEs put their own ASN first.
        "enforce-first-as" => {
            let (r, _) = rest(r)?;
            if on {
                Ok((r, Stmt::NoOp))
            } else {
                Ok((
                    r,
                    Stmt::Unmodeled(
                        "`no bgp enforce-first-as`: FRR then accepts eBGP updates whose first AS is not the peer's; the model's peers always put their own ASN first, so this changes nothing it can see".into(),
                    ),
                ))
            }
        }
        // Delays advertising a route until zebra installed it: the converged state
        // avscheck checks is the same; said, not silently ignored (issue #14).
        "suppress-fib-pending" if on => {
            let (r, _) = rest(r)?;
            Ok((
                r,
                Stmt::NoEffect(
                    "`bgp suppress-fib-pending` only delays advertising a route until it is installed in the forwarding table; the converged routing avscheck checks is the same".into(),
                ),
            ))
        }
        "suppress-fib-pending" => {
            let (r, _) = rest(r)?;
            Ok((r, Stmt::NoOp))
        }
        // Logging, timers, restart behaviour: nothing the stable state depends on.
        "log-neighbor-changes"
        | "graceful-restart"
        | "graceful-shutdown"
        | "suppress-duplicates"
        | "cluster-id"
        | "fast-external-failover"
        | "update-delay"
        | "route-reflector"
        | "reject-as-sets"
        | "shutdown"
        | "labeled-unicast"
        | "listen" => {
            let (r, _) = rest(r)?;
            Ok((r, Stmt::NoOp))
        }
        // With it, the best of each neighbouring AS first (`sim::bgp::dmed_best`);
        // without it FRR compares the paths pairwise in arrival order, which the
        // simulator refuses to decide where the order matters (docs/frr.md "MED").
        // Comparing every MED (`always-compare-med`) is another decision process.
        "deterministic-med" => done(r, Stmt::DeterministicMed(on)),
        // No single-hop eBGP neighbor needs a connected subnet (translate.rs).
        "disable-ebgp-connected-route-check" => done(r, Stmt::DisableConnectedRouteCheck(on)),
        "always-compare-med" => {
            let (r, _) = rest(r)?;
            if on {
                Ok((
                    r,
                    Stmt::Unsupported(
                        "`bgp always-compare-med` compares MEDs between routes from different neighbouring ASes, which avscheck does not model (it models FRR's default: MEDs compared only between routes from one neighbouring AS)".into(),
                    ),
                ))
            } else {
                Ok((r, Stmt::NoOp))
            }
        }
        // `no bgp bestpath ...` restores FRR's default decision process, the one
        // avscheck models.
        "bestpath" if !on => {
            let (r, _) = rest(r)?;
            Ok((r, Stmt::NoOp))
        }
        "bestpath" => {
            let (r, what) = rest(r)?;
            let what = what.map(|w| w.text).unwrap_or("");
            if what.starts_with("compare-routerid") || what.starts_with("as-path multipath-relax") {
                // Router-id ties are what avscheck compares already; multipath only
                // installs several next hops, it advertises the same best route.
                Ok((r, Stmt::NoOp))
            } else {
                Ok((
                    r,
                    Stmt::Unsupported(format!(
                        "`bgp bestpath {what}` changes the decision process"
                    )),
                ))
            }
        }
        _ => match not_keyword(&w, BGP_SETTINGS) {
            nom::Err::Error(_) => Err(nom::Err::Error(PError::word(first, ErrorKind::Nom))),
            abbreviated => Err(abbreviated),
        },
    }
}

/// The `bgp ...` settings avscheck reads (an abbreviation of one is refused).
const BGP_SETTINGS: &[&str] = &[
    "router-id",
    "ebgp-requires-policy",
    "network",
    "default",
    "graceful-shutdown",
    "reject-as-sets",
    "shutdown",
    "listen",
    "cluster-id",
    "route-reflector",
    "enforce-first-as",
    "suppress-fib-pending",
    "log-neighbor-changes",
    "graceful-restart",
    "suppress-duplicates",
    "fast-external-failover",
    "update-delay",
    "labeled-unicast",
    "deterministic-med",
    "disable-ebgp-connected-route-check",
    "always-compare-med",
    "bestpath",
];

/// The `neighbor A ...` settings avscheck reads (an abbreviation of one is refused).
const NEIGHBOR_SETTINGS: &[&str] = &[
    "remote-as",
    "route-map",
    "prefix-list",
    "filter-list",
    "distribute-list",
    "allowas-in",
    "as-override",
    "next-hop-self",
    "remove-private-AS",
    "activate",
    "shutdown",
    "weight",
    "description",
    "password",
    "timers",
    "advertisement-interval",
    "port",
    "capability",
    "bfd",
    "soft-reconfiguration",
    "send-community",
    "override-capability",
    "graceful-restart",
    "log-neighbor-changes",
    "solo",
    "interface",
    "passive",
    "strict-capability-match",
    "dont-capability-negotiate",
    "ebgp-multihop",
    "disable-connected-check",
    "enforce-multihop",
    "update-source",
    "ttl-security",
    "maximum-prefix",
    "maximum-prefix-out",
    "default-originate",
    "peer-group",
    "local-as",
    "attribute-unchanged",
    "unsuppress-map",
    "addpath-tx-all-paths",
    "addpath-tx-bestpath-per-AS",
    "route-reflector-client",
    "route-server-client",
    "sender-as-path-loop-detection",
    "as-path-loop-detection",
];

fn no_neighbor(i: In) -> PResult<Stmt> {
    let (r, (a, aw)) = cut(neighbor_target)(i)?;
    // `no neighbor A` alone deletes the neighbor (bgpd accepts it): not a statement
    // read here, so the driver reports it as configuration removed by `no` (AVS0902).
    let (r, w) = expect("a neighbor setting")(r)
        .map_err(|_| nom::Err::Error(PError::at(&i, ErrorKind::Nom)))?;
    match w.text {
        "activate" => {
            let (r, _) = end(r)?;
            Ok((
                r,
                Stmt::Neighbor(a, (aw.start, aw.end), NeighborCmd::Activate(false)),
            ))
        }
        "send-community" => {
            let (r, cmd) = send_community(r, false)?;
            Ok((r, Stmt::Neighbor(a, (aw.start, aw.end), cmd)))
        }
        "soft-reconfiguration" | "capability" => {
            let (r, _) = rest(r)?;
            Ok((r, Stmt::Neighbor(a, (aw.start, aw.end), NeighborCmd::NoOp)))
        }
        _ => Err(nom::Err::Error(PError::word(&w, ErrorKind::Nom))),
    }
}

/// `[no] neighbor A send-community [standard|extended|large|both|all]`: FRR 8.4
/// sends every kind by default; the model carries standard communities only, so
/// only the forms that name them (no word, `standard`, `both`, `all`) count.
fn send_community(i: In, on: bool) -> PResult<NeighborCmd> {
    let (r, kind) = opt(one_of(&["standard", "extended", "large", "both", "all"]))(i)?;
    let (r, _) = end(r)?;
    Ok(match kind.map(|k| k.text) {
        Some("extended" | "large") => (r, NeighborCmd::NoOp),
        _ => (r, NeighborCmd::SendCommunity(on)),
    })
}

// ------------------------------------------------------------------ address-family

pub fn af(i: In) -> PResult<Stmt> {
    let (r, w) = word(i)?;
    match w.text {
        "neighbor" => neighbor(r),
        "no" => {
            let (r2, _) = kw("neighbor")(r)?;
            no_neighbor(r2)
        }
        "network" => {
            let (r, (p, form)) = network_prefix(r)?;
            let Some(p) = p else {
                let (r, _) = rest(r)?;
                return Ok((r, Stmt::Ipv6Origination("network")));
            };
            let (r, extra) = opt(word)(r)?;
            match extra {
                None => Ok((r, Stmt::Network(p, form))),
                Some(x) => {
                    let (r, _) = rest(r)?;
                    Ok((
                        r,
                        Stmt::Unsupported(format!("`network P {}` is not supported", x.text)),
                    ))
                }
            }
        }
        "redistribute" => {
            let (r, what) = cut(expect("`static` or `connected`"))(r)?;
            let (r, extra) = opt(word)(r)?;
            let (r, _) = rest(r)?;
            if let Some(x) = extra {
                return Ok((
                    r,
                    Stmt::Unsupported(format!(
                        "`redistribute {} {}` is not supported",
                        what.text, x.text
                    )),
                ));
            }
            match what.text {
                "static" => Ok((r, Stmt::Redistribute(Redistribute::Static))),
                "connected" => Ok((r, Stmt::Redistribute(Redistribute::Connected))),
                other => Ok((
                    r,
                    Stmt::Unsupported(format!(
                        "`redistribute {other}`: only `static` and `connected` are read"
                    )),
                )),
            }
        }
        "aggregate-address" => {
            if peek_ipv6(r) {
                let (r, _) = rest(r)?;
                return Ok((r, Stmt::Ipv6Origination("aggregate-address")));
            }
            // `aggregate-address A.B.C.D/M` or `A.B.C.D M.M.M.M` (bgpd 8.4 reads both).
            let (r, (p, _)) = cut(|i| prefix_or_mask(i, masked_prefix_text, false))(r)?;
            let mut agg = Aggregate {
                prefix: p,
                as_set: false,
                summary_only: false,
            };
            let mut r = r;
            while let Ok((r2, w)) = word(r) {
                match w.text {
                    "as-set" => agg.as_set = true,
                    "summary-only" => agg.summary_only = true,
                    "route-map" | "suppress-map" | "origin" | "matching-MED-only" => {
                        let (r3, _) = rest(r2)?;
                        return Ok((
                            r3,
                            Stmt::Unsupported(format!(
                                "`aggregate-address P {}` is not supported",
                                w.text
                            )),
                        ));
                    }
                    _ => return fail(&w, ErrorKind::Expected("`as-set` or `summary-only`".into())),
                }
                r = r2;
            }
            Ok((r, Stmt::Aggregate(agg)))
        }
        "table-map" => {
            let (r, _) = rest(r)?;
            Ok((
                r,
                Stmt::Unsupported(
                    "`table-map` filters what BGP installs in the router's forwarding table, which avscheck does not model".into(),
                ),
            ))
        }
        "maximum-paths" | "distance" => {
            let (r, _) = rest(r)?;
            Ok((r, Stmt::NoOp))
        }
        "exit-address-family" => map(end, |_| Stmt::ExitAddressFamily)(r),
        "exit" => map(end, |_| Stmt::Exit)(r),
        _ => Err(nom::Err::Error(PError::word(&w, ErrorKind::Nom))),
    }
}

/// Whether the next word is an IPv6 address or prefix.
fn peek_ipv6(i: In) -> bool {
    word(i).is_ok_and(|(_, w)| w.text.contains(':'))
}

/// The prefix of a `network` line: `A.B.C.D/M`, `A.B.C.D mask M`, or `A.B.C.D` alone
/// with its classful mask (bgpd 8.4: `network 10.60.0.0` is `10.0.0.0/8`, `network
/// 172.16.5.0` is `172.16.0.0/16`, `network 192.168.1.7` is `192.168.1.0/24`,
/// `network 0.0.0.0` is `0.0.0.0/0`; a class D or E address: "No such command").
/// `None`: an IPv6 prefix.
fn network_prefix(i: In) -> PResult<(Option<Ipv4Net>, NetForm)> {
    if peek_ipv6(i) {
        return Ok((i, (None, NetForm::Slash)));
    }
    let (r, w) = cut(expect("an IPv4 prefix (A.B.C.D/M)"))(i)?;
    let Ok(a) = w.text.parse::<Ipv4Addr>() else {
        let p = conv(w, masked_prefix_text)?;
        return Ok((r, (Some(p), NetForm::Slash)));
    };
    if kw("mask")(r).is_ok() {
        let (r, (p, _)) = cut(|i| prefix_or_mask(i, masked_prefix_text, true))(i)?;
        return Ok((r, (Some(p), NetForm::Mask)));
    }
    let len = match a.octets()[0] {
        _ if a.is_unspecified() => 0,
        0..=127 => 8,
        128..=191 => 16,
        192..=223 => 24,
        _ => {
            return fail(
                &w,
                ErrorKind::FrrRule {
                    what: format!("`network {a}` has no classful mask"),
                    rule: "bgpd reads `network A.B.C.D` with the address's class mask (A /8, B /16, C /24) and rejects a class D or E address; write `network A.B.C.D/M`".into(),
                },
            )
        }
    };
    let p = Ipv4Net::new(a, len).map(|p| p.trunc()).ok();
    Ok((r, (p, NetForm::Classful)))
}

fn neighbor(i: In) -> PResult<Stmt> {
    let (r, (a, aw)) = cut(neighbor_target)(i)?;
    let (r, w) = cut(expect("a neighbor setting"))(r)?;
    let named = |r| -> PResult<(String, Direction)> {
        let (r, name) = cut(expect("a name"))(r)?;
        let (r, d) = direction(r)?;
        let (r, _) = end(r)?;
        Ok((r, (s(name), d)))
    };
    if matches!(a, Target::Group(_)) && w.text == "interface" {
        // `neighbor eth0 interface [v6only] remote-as ...`: BGP unnumbered.
        let (r, _) = rest(r)?;
        return Ok((
            r,
            Stmt::Neighbor(
                a,
                (aw.start, aw.end),
                NeighborCmd::Unsupported(
                    "`neighbor IFNAME interface ...`: a BGP-unnumbered session over an interface (IPv6 link-local) is not supported; name the neighbor by its IPv4 address".into(),
                ),
            ),
        ));
    }
    let (r, cmd) = match w.text {
        "remote-as" => {
            let (r, x) = alt((
                map(kw("internal"), |_| RemoteAs::Internal),
                map(kw("external"), |_| RemoteAs::External),
                map(cut(asn), |(n, _)| RemoteAs::Asn(n)),
            ))(r)?;
            let (r, _) = end(r)?;
            (r, NeighborCmd::RemoteAs(x))
        }
        "route-map" => map(named, |(n, d)| NeighborCmd::RouteMap(n, d))(r)?,
        "prefix-list" => map(named, |(n, d)| NeighborCmd::PrefixList(n, d))(r)?,
        "filter-list" => map(named, |(n, d)| NeighborCmd::FilterList(n, d))(r)?,
        "distribute-list" => map(named, |(n, d)| NeighborCmd::DistributeList(n, d))(r)?,
        "allowas-in" => {
            let (r, n) = opt(word)(r)?;
            let (r, _) = end(r)?;
            match n {
                None => (r, NeighborCmd::AllowasIn(3)),
                Some(n) if n.text == "origin" => (
                    r,
                    NeighborCmd::Unsupported("`allowas-in origin` is not supported".into()),
                ),
                Some(n) => match n.text.parse::<u8>() {
                    Ok(k) if (1..=10).contains(&k) => (r, NeighborCmd::AllowasIn(k)),
                    _ => {
                        return fail(
                            &n,
                            ErrorKind::OutOfRange("a count (1-10) or `origin`".into()),
                        )
                    }
                },
            }
        }
        "as-override" => map(end, |_| NeighborCmd::AsOverride)(r)?,
        "send-community" => send_community(r, true)?,
        "advertise-map" => {
            let (r, _) = rest(r)?;
            (
                r,
                NeighborCmd::Unsupported(
                    "`neighbor A advertise-map ... exist-map|non-exist-map ...`: conditional advertisement (FRR withdraws or announces the routes while another route is present) is not modelled".into(),
                ),
            )
        }
        "next-hop-self" => {
            let (r, _) = opt(kw("force"))(r)?;
            let (r, _) = end(r)?;
            (r, NeighborCmd::NextHopSelf)
        }
        "remove-private-AS" => {
            let (r, all) = opt(kw("all"))(r)?;
            let (r, repl) = opt(kw("replace-AS"))(r)?;
            let (r, _) = end(r)?;
            if all.is_some() && repl.is_none() {
                (r, NeighborCmd::RemovePrivateAsAll)
            } else {
                (
                    r,
                    NeighborCmd::Unsupported(
                        "only `remove-private-AS all` is supported (removing private ASNs only from all-private paths, or replacing them, is not)".into(),
                    ),
                )
            }
        }
        "activate" => map(end, |_| NeighborCmd::Activate(true))(r)?,
        "shutdown" => {
            let (r, _) = rest(r)?;
            (r, NeighborCmd::Shutdown)
        }
        "weight" => {
            let (r, (n, _)) = cut(number("a weight (0-65535)", 65535))(r)?;
            let (r, _) = end(r)?;
            (r, NeighborCmd::Weight(n as u32))
        }
        // Transport, timers, authentication, logging: sessions come up the same.
        "description"
        | "password"
        | "timers"
        | "advertisement-interval"
        | "port"
        | "capability"
        | "bfd"
        | "soft-reconfiguration"
        | "override-capability"
        | "graceful-restart"
        | "log-neighbor-changes" => {
            let (r, _) = rest(r)?;
            (r, NeighborCmd::NoOp)
        }
        // Settings that decide whether the session comes up, or what it sends back:
        // the model assumes the common case, with a warning.
        "solo"
        | "interface"
        | "passive"
        | "strict-capability-match"
        | "dont-capability-negotiate" => {
            let (r, _) = rest(r)?;
            let why = match w.text {
                "solo" => "`neighbor A solo`: FRR sends no route back to the peer it came from; the model does, and the peer drops such a route by AS-path loop prevention, so the stable state is the same unless the peer accepts its own AS (`allowas-in`)",
                "interface" => "`neighbor A interface IF`: FRR binds the session to IF; the model assumes IF exists and the session comes up over it",
                "passive" => "`neighbor A passive`: FRR waits for the peer to open the session; the model assumes the peer does (if both sides are passive the session never comes up)",
                "strict-capability-match" => "`neighbor A strict-capability-match`: FRR refuses the session if the peer's capabilities differ; the model assumes they match and the session comes up",
                _ => "`neighbor A dont-capability-negotiate`: FRR sends no capabilities (no 4-byte ASNs, no route refresh); the model assumes the session comes up and carries IPv4 unicast",
            };
            (r, NeighborCmd::Unmodeled(why.into()))
        }
        // The session's TTL (FRR takes 1-255; without N, 255): above 1, bgpd no
        // longer requires the neighbor in a connected subnet (translate.rs).
        "ebgp-multihop" => {
            let (r, n) = opt(word)(r)?;
            let hops = match n {
                Some(n) => conv(n, |t| {
                    t.parse::<u8>()
                        .ok()
                        .filter(|h| *h >= 1)
                        .ok_or_else(|| ErrorKind::OutOfRange("a hop count (1-255)".into()))
                })?,
                None => u8::MAX,
            };
            let (r, _) = end(r)?;
            (r, NeighborCmd::EbgpMultihop(hops))
        }
        // `enforce-multihop` is FRR's older name of the same flag.
        "disable-connected-check" | "enforce-multihop" => {
            map(end, |_| NeighborCmd::DisableConnectedCheck)(r)?
        }
        "update-source" => {
            let (r, x) = cut(expect("an address or an interface name"))(r)?;
            let (r, _) = end(r)?;
            let src = match x.text.parse::<Ipv4Addr>() {
                Ok(a) => UpdateSource::Addr(a),
                Err(_) if x.text.contains(':') => {
                    return fail(
                        &x,
                        ErrorKind::OutOfRange("an IPv4 address or an interface name".into()),
                    )
                }
                Err(_) => UpdateSource::Interface(s(x)),
            };
            (r, NeighborCmd::UpdateSource(src, (x.start, x.end)))
        }
        "ttl-security" => {
            let (r, _) = cut(kw("hops"))(r)?;
            let (r, (n, _)) = cut(number_in("a hop count (1-254)", 1, 254))(r)?;
            let (r, _) = end(r)?;
            (r, NeighborCmd::TtlSecurity(n as u8))
        }
        "maximum-prefix" | "maximum-prefix-out" => {
            let (r, _) = rest(r)?;
            (
                r,
                NeighborCmd::Unmodeled(format!(
                    "`{}` is not modeled: the session is assumed to stay up",
                    w.text
                )),
            )
        }
        "default-originate" => {
            let (r2, x) = opt(word)(r)?;
            match x {
                None => (r2, NeighborCmd::DefaultOriginate),
                Some(x) => {
                    let (r2, _) = rest(r2)?;
                    (
                        r2,
                        NeighborCmd::Unsupported(format!(
                            "`neighbor A default-originate {}` is not supported",
                            x.text
                        )),
                    )
                }
            }
        }
        "peer-group" => {
            let (r2, name) = opt(word)(r)?;
            let (r2, _) = end(r2)?;
            match name {
                None => (r2, NeighborCmd::PeerGroupDefine),
                Some(n) => (r2, NeighborCmd::PeerGroup(s(n))),
            }
        }
        "local-as"
        | "attribute-unchanged"
        | "unsuppress-map"
        | "addpath-tx-all-paths"
        | "addpath-tx-bestpath-per-AS"
        | "route-reflector-client"
        | "route-server-client"
        | "sender-as-path-loop-detection"
        | "as-path-loop-detection" => {
            let (r, _) = rest(r)?;
            (
                r,
                NeighborCmd::Unsupported(format!("`neighbor A {}` is not supported yet", w.text)),
            )
        }
        _ => return Err(not_keyword(&w, NEIGHBOR_SETTINGS)),
    };
    Ok((r, Stmt::Neighbor(a, (aw.start, aw.end), cmd)))
}

// ------------------------------------------------------------------ route-map

pub fn route_map(i: In) -> PResult<Stmt> {
    let (r, w) = word(i)?;
    match w.text {
        "match" => rm_match(r),
        "set" => rm_set(r),
        "on-match" => {
            let (r, x) = cut(keyword_of(&["next", "goto"]))(r)?;
            if x.text == "next" {
                let (r, _) = end(r)?;
                Ok((r, Stmt::OnMatch(Exit::Next)))
            } else {
                let (r, (n, _)) = cut(number_in("a sequence number (1-65535)", 1, 65535))(r)?;
                let (r, _) = end(r)?;
                Ok((r, Stmt::OnMatch(Exit::Goto(n as u32))))
            }
        }
        "continue" => {
            let (r, n) = opt(word)(r)?;
            let (r, _) = end(r)?;
            match n {
                None => Ok((r, Stmt::OnMatch(Exit::Next))),
                Some(w) => {
                    let n = conv(w, |t| {
                        t.parse::<u32>()
                            .ok()
                            .filter(|n| (1..=65535).contains(n))
                            .ok_or_else(|| {
                                ErrorKind::Expected("a sequence number (1-65535)".into())
                            })
                    })?;
                    Ok((r, Stmt::OnMatch(Exit::Goto(n))))
                }
            }
        }
        "description" => {
            let (r, _) = rest(r)?;
            Ok((r, Stmt::NoOp))
        }
        "call" => {
            let (r, _) = rest(r)?;
            Ok((r, Stmt::Unsupported("`call` is not supported".into())))
        }
        "exit" => map(end, |_| Stmt::Exit)(r),
        _ => Err(nom::Err::Error(PError::word(&w, ErrorKind::Nom))),
    }
}

fn rm_match(i: In) -> PResult<Stmt> {
    let (r, w) = cut(expect("a match condition"))(i)?;
    let unsupported = |r, what: String| -> PResult<Stmt> {
        let (r, _) = rest(r)?;
        Ok((
            r,
            Stmt::Unsupported(format!("`match {what}` is not supported")),
        ))
    };
    match w.text {
        "ip" => {
            let (r, w2) = cut(expect("`address`"))(r)?;
            if w2.text != "address" {
                return unsupported(r, format!("ip {}", w2.text));
            }
            let (r, x) = cut(expect("`prefix-list NAME` or an access-list"))(r)?;
            if x.text == "prefix-list" {
                let (r, name) = cut(expect("a prefix-list name"))(r)?;
                let (r, _) = end(r)?;
                Ok((r, Stmt::Match(Match::PrefixList(s(name)))))
            } else if x.text == "prefix-len" {
                unsupported(r, "ip address prefix-len".into())
            } else {
                let (r, _) = end(r)?;
                Ok((r, Stmt::Match(Match::AccessList(s(x)))))
            }
        }
        "as-path" => {
            let (r, name) = cut(expect("an as-path access-list name"))(r)?;
            let (r, _) = end(r)?;
            Ok((r, Stmt::Match(Match::AsPath(s(name)))))
        }
        "community" => {
            let (r, name) = cut(expect("a community-list name"))(r)?;
            let (r, ex) = opt(kw("exact-match"))(r)?;
            if ex.is_some() {
                return unsupported(r, "community NAME exact-match".into());
            }
            let (r, _) = end(r)?;
            Ok((r, Stmt::Match(Match::Community(s(name)))))
        }
        other => unsupported(r, other.to_string()),
    }
}

fn asn_list(i: In) -> PResult<Vec<u32>> {
    let mut out = Vec::new();
    let mut r = i;
    while let Ok((r2, w)) = word(r) {
        let n = conv(w, asn_text)?;
        out.push(n);
        r = r2;
    }
    if out.is_empty() {
        return Err(nom::Err::Failure(PError::at(
            &r,
            ErrorKind::Expected("an AS number".into()),
        )));
    }
    Ok((r, out))
}

fn rm_set(i: In) -> PResult<Stmt> {
    let (r, w) = cut(expect("a set action"))(i)?;
    let unsupported = |r, what: String| -> PResult<Stmt> {
        let (r, _) = rest(r)?;
        Ok((
            r,
            Stmt::Unsupported(format!("`set {what}` is not supported")),
        ))
    };
    match w.text {
        "local-preference" => {
            // bgpd 8.4 keeps `set local-preference +N`/`-N` (relative) and values above
            // 4294967295 (then not a valid local preference) in the running
            // configuration: both change the route in a way avscheck does not model.
            let (r2, x) = cut(expect("a local preference (0-4294967295)"))(r)?;
            let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
            let relative = x.text.starts_with(['+', '-']) && x.text.get(1..).is_some_and(digits);
            if relative || (digits(x.text) && x.text.parse::<u32>().is_err()) {
                return unsupported(r, format!("local-preference {}", x.text));
            }
            let (r, (n, _)) = cut(number(
                "a local preference (0-4294967295)",
                u64::from(u32::MAX),
            ))(r)?;
            let _ = r2;
            let (r, _) = end(r)?;
            Ok((r, Stmt::Set(Set::LocalPref(n as u32))))
        }
        "metric" => {
            let (r2, x) = cut(expect("a metric"))(r)?;
            if x.text.starts_with(['+', '-']) || x.text.starts_with("rtt") {
                return unsupported(r, format!("metric {}", x.text));
            }
            let n = conv(x, |t| {
                t.parse::<u32>()
                    .map_err(|_| ErrorKind::Expected("a metric (0-4294967295)".into()))
            })?;
            let (r2, _) = end(r2)?;
            Ok((r2, Stmt::Set(Set::Metric(n))))
        }
        "as-path" => {
            let (r, op) = cut(keyword_of(&["prepend", "exclude", "replace"]))(r)?;
            if op.text == "replace" {
                return unsupported(r, "as-path replace".into());
            }
            let (r2, peek) = cut(expect("an AS number"))(r)?;
            if peek.text == "all" && op.text == "exclude" {
                // bgpd 8.4 has no `set as-path exclude all` ("No such command").
                return fail(
                    &peek,
                    ErrorKind::FrrRule {
                        what: "`set as-path exclude all` is no command of FRR 8.4".into(),
                        rule: "bgpd 8.4 rejects the line; list the AS numbers to remove (`set as-path exclude 65515 12076`)".into(),
                    },
                );
            }
            if peek.text == "last-as" || peek.text == "all" {
                let _ = r2;
                return unsupported(r, format!("as-path {} {}", op.text, peek.text));
            }
            let (r, l) = asn_list(r)?;
            Ok((
                r,
                Stmt::Set(if op.text == "prepend" {
                    Set::Prepend(l)
                } else {
                    Set::Exclude(l)
                }),
            ))
        }
        "community" => {
            let mut r = r;
            let mut list = Vec::new();
            let mut additive = false;
            let mut none = false;
            while let Ok((r2, w)) = word(r) {
                r = r2;
                if w.text == "additive" {
                    additive = true;
                    continue;
                }
                if w.text == "none" {
                    none = true;
                    continue;
                }
                match community(w.text) {
                    Ok(c) => {
                        if let Some(why) = frr_acts_on(c) {
                            let (r, _) = rest(r)?;
                            return Ok((
                                r,
                                Stmt::Unsupported(format!(
                                    "`set community {}`: {why}, which avscheck does not model",
                                    w.text
                                )),
                            ));
                        }
                        list.push(c)
                    }
                    Err(k) => return fail(&w, k),
                }
            }
            if none && (additive || !list.is_empty()) {
                return Err(nom::Err::Failure(PError::at(
                    &r,
                    ErrorKind::Expected("`none` alone".into()),
                )));
            }
            if list.is_empty() && !none {
                return Err(nom::Err::Failure(PError::at(
                    &r,
                    ErrorKind::Expected("a community (AA:NN) or `none`".into()),
                )));
            }
            Ok((
                r,
                Stmt::Set(Set::Community {
                    communities: list,
                    additive,
                }),
            ))
        }
        "comm-list" => {
            let (r, name) = cut(expect("a community-list name"))(r)?;
            let (r, _) = cut(kw("delete"))(r)?;
            let (r, _) = end(r)?;
            Ok((r, Stmt::Set(Set::CommListDelete(s(name)))))
        }
        "ip" => {
            let (r, _) = cut(kw("next-hop"))(r)?;
            let (r2, x) = cut(expect("an address or `unchanged`"))(r)?;
            match x.text {
                "unchanged" => {
                    let (r2, _) = end(r2)?;
                    Ok((r2, Stmt::Set(Set::NextHopUnchanged)))
                }
                "peer-address" => unsupported(r2, "ip next-hop peer-address".into()),
                t => match t.parse::<Ipv4Addr>() {
                    // FRR 8.4 refuses 0.0.0.0, multicast and class E addresses here
                    // (lib/routemap_northbound.c: "Config Failed").
                    Ok(a) if a.is_unspecified() || a >= Ipv4Addr::new(224, 0, 0, 0) => fail(
                        &x,
                        ErrorKind::FrrRule {
                            what: format!("`{a}` cannot be a next hop"),
                            rule: "FRR refuses `set ip next-hop` to 0.0.0.0, a multicast address (224.0.0.0/4) or a class E address (240.0.0.0/4, 255.255.255.255)".into(),
                        },
                    ),
                    Ok(a) => {
                        let (r2, _) = end(r2)?;
                        Ok((r2, Stmt::Set(Set::NextHop(a))))
                    }
                    Err(_) => fail(&x, ErrorKind::Expected("an address or `unchanged`".into())),
                },
            }
        }
        other => unsupported(r, other.to_string()),
    }
}
