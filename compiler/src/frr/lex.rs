//! Lexical pieces of FRR's configuration language, as nom parsers over a
//! [`nom_locate`] span: words, keywords, numbers, addresses, prefixes, communities.
//!
//! ```text
//! word      = 1*(any character but space or tab)
//! sp        = 1*(space | tab)
//! number    = 1*DIGIT                        (decimal, no sign)
//! address   = IPv4 dotted quad
//! prefix    = address "/" 0..32              (no host bits)
//! community = 0..65535 ":" 0..65535
//! ```

use super::error::{ErrorKind, PError};
use ipnet::Ipv4Net;
use nom::bytes::complete::take_till1;
use nom::character::complete::space0;
use nom::combinator::{eof, map};
use nom::sequence::preceded;
use nom::IResult;
use nom_locate::LocatedSpan;
use std::net::Ipv4Addr;

pub type In<'a> = LocatedSpan<&'a str>;
pub type PResult<'a, T> = IResult<In<'a>, T, PError>;

/// A word and its byte range in the file.
#[derive(Clone, Copy, Debug)]
pub struct Word<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// One word, after optional blanks.
pub fn word(i: In) -> PResult<Word> {
    preceded(
        space0,
        map(take_till1(is_space), |w: In| Word {
            text: w.fragment(),
            start: w.location_offset(),
            end: w.location_offset() + w.fragment().len(),
        }),
    )(i)
}

/// A word that must be there, described by `what` when it is not.
pub fn expect<'a>(what: &'static str) -> impl FnMut(In<'a>) -> PResult<'a, Word<'a>> {
    move |i: In<'a>| match word(i) {
        Ok(ok) => Ok(ok),
        Err(_) => Err(nom::Err::Failure(PError::at(
            &i,
            ErrorKind::Expected(what.to_string()),
        ))),
    }
}

/// The keyword `k` (exactly; FRR's abbreviations are not accepted in files we check).
pub fn kw<'a>(k: &'static str) -> impl FnMut(In<'a>) -> PResult<'a, Word<'a>> {
    move |i: In<'a>| {
        let (rest, w) = word(i)?;
        if w.text == k {
            Ok((rest, w))
        } else {
            Err(nom::Err::Error(PError::at(
                &i,
                ErrorKind::Expected(format!("`{k}`")),
            )))
        }
    }
}

/// Why `w` is not one of the keywords `ks` expected here: an unambiguous prefix of
/// one (bgpd would read it as that keyword) is a failure [`ErrorKind::Abbreviated`],
/// and so is a prefix of several (bgpd picks one by the rest of the line);
/// anything else is a recoverable error, so the enclosing node may read the line.
pub fn not_keyword(w: &Word, ks: &[&str]) -> nom::Err<PError> {
    let full: Vec<&str> = ks
        .iter()
        .copied()
        .filter(|k| !w.text.is_empty() && k.len() > w.text.len() && k.starts_with(w.text))
        .collect();
    match full.as_slice() {
        [] => nom::Err::Error(PError::word(w, ErrorKind::Nom)),
        [one] => nom::Err::Failure(PError::word(
            w,
            ErrorKind::Abbreviated {
                word: w.text.to_string(),
                full: one.to_string(),
            },
        )),
        many => {
            // bgpd picks among them by the rest of the line (FRR 8.4 reads `neighbor
            // A route X out` as `route-map`): still a keyword avscheck would misread.
            let list: Vec<String> = many.iter().map(|k| format!("`{k}`")).collect();
            nom::Err::Failure(PError::word(
                w,
                ErrorKind::Abbreviated {
                    word: w.text.to_string(),
                    full: list.join(" or "),
                },
            ))
        }
    }
}

/// One of several keywords, where nothing else may stand: an abbreviation of one is
/// [`not_keyword`]'s failure.
pub fn keyword_of<'a>(ks: &'static [&'static str]) -> impl FnMut(In<'a>) -> PResult<'a, Word<'a>> {
    move |i: In<'a>| {
        let (rest, w) = word(i)?;
        if ks.contains(&w.text) {
            return Ok((rest, w));
        }
        match not_keyword(&w, ks) {
            nom::Err::Error(_) => {
                let list: Vec<String> = ks.iter().map(|k| format!("`{k}`")).collect();
                Err(nom::Err::Error(PError::word(
                    &w,
                    ErrorKind::Expected(list.join(" or ")),
                )))
            }
            other => Err(other),
        }
    }
}

/// One of several keywords (which one is returned).
pub fn one_of<'a>(ks: &'static [&'static str]) -> impl FnMut(In<'a>) -> PResult<'a, Word<'a>> {
    move |i: In<'a>| {
        let (rest, w) = word(i)?;
        if ks.contains(&w.text) {
            Ok((rest, w))
        } else {
            let list: Vec<String> = ks.iter().map(|k| format!("`{k}`")).collect();
            Err(nom::Err::Error(PError::word(
                &w,
                ErrorKind::Expected(list.join(" or ")),
            )))
        }
    }
}

/// The end of the line (trailing blanks allowed).
pub fn end(i: In) -> PResult<()> {
    let (rest, _) = space0(i)?;
    match eof::<In, PError>(rest) {
        Ok((rest, _)) => Ok((rest, ())),
        Err(_) => {
            let (_, w) = word(rest)?;
            Err(nom::Err::Failure(PError::word(
                &w,
                ErrorKind::Unexpected(w.text.to_string()),
            )))
        }
    }
}

fn typed<'a, T>(
    what: &'static str,
    f: impl Fn(&str) -> Result<T, ErrorKind>,
) -> impl FnMut(In<'a>) -> PResult<'a, (T, Word<'a>)> {
    move |i: In<'a>| {
        let (rest, w) = expect(what)(i)?;
        match f(w.text) {
            Ok(v) => Ok((rest, (v, w))),
            Err(kind) => Err(nom::Err::Failure(PError::word(&w, kind))),
        }
    }
}

/// A decimal number from 0 to `max` (`what` names it in errors).
pub fn number<'a>(
    what: &'static str,
    max: u64,
) -> impl FnMut(In<'a>) -> PResult<'a, (u64, Word<'a>)> {
    number_in(what, 0, max)
}

/// A decimal number from `min` to `max` (`what` names it in errors, with its range).
pub fn number_in<'a>(
    what: &'static str,
    min: u64,
    max: u64,
) -> impl FnMut(In<'a>) -> PResult<'a, (u64, Word<'a>)> {
    typed(what, move |t| {
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ErrorKind::Expected(what.to_string()));
        }
        match t.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            // `what` names its range already ("a weight (0-65535)"), or gets the bound.
            _ if what.contains('(') => Err(ErrorKind::OutOfRange(what.to_string())),
            Ok(n) if n < min => Err(ErrorKind::OutOfRange(format!("{what} (at least {min})"))),
            _ => Err(ErrorKind::OutOfRange(format!("{what} (at most {max})"))),
        }
    })
}

/// An ASN (1..=4294967295; FRR also accepts the `asdot` form A.B).
pub fn asn(i: In) -> PResult<(u32, Word)> {
    typed("an AS number", asn_text)(i)
}

/// The text of an ASN.
pub fn asn_text(t: &str) -> Result<u32, ErrorKind> {
    {
        let plain = |s: &str| -> Option<u64> {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u64>().ok())
                .flatten()
        };
        let n = match t.split_once('.') {
            Some((hi, lo)) => match (plain(hi), plain(lo)) {
                (Some(h), Some(l)) if h <= 65535 && l <= 65535 => Some(h * 65536 + l),
                _ => None,
            },
            None => plain(t),
        };
        match n {
            Some(n) if (1..=u64::from(u32::MAX)).contains(&n) => u32::try_from(n)
                .map_err(|_| ErrorKind::OutOfRange("an AS number (1-4294967295)".into())),
            Some(_) => Err(ErrorKind::OutOfRange("an AS number (1-4294967295)".into())),
            None => Err(ErrorKind::Expected("an AS number".into())),
        }
    }
}

/// An IPv4 address.
pub fn address(i: In) -> PResult<(Ipv4Addr, Word)> {
    typed("an IPv4 address", |t| {
        if t.contains(':') {
            return Err(ErrorKind::Ipv6);
        }
        t.parse::<Ipv4Addr>()
            .map_err(|_| ErrorKind::Expected("an IPv4 address".into()))
    })(i)
}

/// What a `neighbor` line configures: an address, or a peer-group by name (a word
/// that does not start with a digit and holds no `.` or `:`).
pub fn neighbor_target(i: In) -> PResult<(super::ast::Target, Word)> {
    let (r, w) = expect("a neighbor address or peer-group name")(i)?;
    let looks_like_address =
        w.text.starts_with(|c: char| c.is_ascii_digit()) || w.text.contains(['.', ':']);
    if looks_like_address {
        let (r, (a, w)) = address(i)?;
        return Ok((r, (super::ast::Target::Addr(a), w)));
    }
    Ok((r, (super::ast::Target::Group(w.text.to_string()), w)))
}

/// The text of an IPv4 prefix without host bits.
pub fn prefix_text(t: &str) -> Result<Ipv4Net, ErrorKind> {
    {
        if t.contains(':') {
            return Err(ErrorKind::Ipv6);
        }
        let p = t
            .parse::<Ipv4Net>()
            .map_err(|_| ErrorKind::Expected("an IPv4 prefix (A.B.C.D/M)".into()))?;
        if p.network() != p.addr() {
            return Err(ErrorKind::HostBits(p.trunc()));
        }
        Ok(p)
    }
}

/// A prefix written `A/M` or, as FRR also accepts, an address and a netmask: `A
/// mask M` (`network`, with `mask`) or `A M` (`ip route`, without). `f` reads the
/// `A/len` text (host bits cleared or refused); a non-contiguous netmask is an error
/// on the mask word (FRR: "Inconsistent address and mask").
pub fn prefix_or_mask<'a>(
    i: In<'a>,
    f: fn(&str) -> Result<Ipv4Net, ErrorKind>,
    mask_kw: bool,
) -> PResult<'a, (Ipv4Net, Word<'a>)> {
    const WHAT: &str = "an IPv4 prefix (A.B.C.D/M)";
    let (r, w) = expect(WHAT)(i)?;
    let Ok(addr) = w.text.parse::<Ipv4Addr>() else {
        return match f(w.text) {
            Ok(v) => Ok((r, (v, w))),
            Err(kind) => Err(nom::Err::Failure(PError::word(&w, kind))),
        };
    };
    let r = if mask_kw {
        match kw("mask")(r) {
            Ok((r, _)) => r,
            Err(_) => {
                return Err(nom::Err::Failure(PError::word(
                    &w,
                    ErrorKind::Expected(WHAT.into()),
                )))
            }
        }
    } else {
        r
    };
    let (r, m) = expect("a netmask (A.B.C.D)")(r)?;
    let len = m
        .text
        .parse::<Ipv4Addr>()
        .ok()
        .and_then(|m| ipnet::ipv4_mask_to_prefix(m).ok());
    let Some(len) = len else {
        return Err(nom::Err::Failure(PError::word(
            &m,
            ErrorKind::Expected("a contiguous netmask (255.255.0.0)".into()),
        )));
    };
    match f(&format!("{addr}/{len}")) {
        Ok(v) => Ok((r, (v, w))),
        Err(kind) => Err(nom::Err::Failure(PError::word(&w, kind))),
    }
}

/// The text of an IPv4 prefix, its host bits cleared as FRR does.
pub fn masked_prefix_text(t: &str) -> Result<Ipv4Net, ErrorKind> {
    match prefix_text(t) {
        Err(ErrorKind::HostBits(p)) => Ok(p),
        other => other,
    }
}

/// The well-known community names FRR 8.4 reads in `set community` and standard
/// community-lists, with their values (FRR's `bgpd/bgp_community.h`; IANA's
/// "BGP Well-known Communities" registry; RFC 1997, 3765, 7611, 7999, 8326, and
/// draft-ietf-idr-long-lived-gr). Each was checked against bgpd 8.4 (`show
/// running-config` keeps the name). Which of them change what FRR advertises or
/// prefers is [`frr_acts_on`]'s business.
pub const COMMUNITY_NAMES: [(&str, (u16, u16)); 15] = [
    ("internet", (0, 0)),
    ("graceful-shutdown", (65535, 0)),
    ("accept-own", (65535, 1)),
    ("route-filter-translated-v4", (65535, 2)),
    ("route-filter-v4", (65535, 3)),
    ("route-filter-translated-v6", (65535, 4)),
    ("route-filter-v6", (65535, 5)),
    ("llgr-stale", (65535, 6)),
    ("no-llgr", (65535, 7)),
    ("accept-own-nexthop", (65535, 8)),
    ("blackhole", (65535, 666)),
    ("no-export", (65535, 65281)),
    ("no-advertise", (65535, 65282)),
    ("local-AS", (65535, 65283)),
    ("no-peer", (65535, 65284)),
];

/// A community `AA:NN` (each 0-65535) or one of [`COMMUNITY_NAMES`]. FRR 8.4 refuses a
/// community written as one 32-bit number (`set community 4294967295` and `bgp
/// community-list standard L permit 65536` are "Config Failed"), so avscheck does too.
pub fn community(t: &str) -> Result<(u16, u16), ErrorKind> {
    if let Some((_, v)) = COMMUNITY_NAMES.iter().find(|(n, _)| *n == t) {
        return Ok(*v);
    }
    let rule = || {
        ErrorKind::FrrRule {
        what: format!("`{t}` is not a community"),
        rule: "FRR reads a community as `AA:NN` (two numbers 0-65535) or a well-known name (`no-export`, `blackhole`, `graceful-shutdown`, ...: docs/frr.md)".into(),
    }
    };
    let (a, b) = t.split_once(':').ok_or_else(rule)?;
    let part = |x: &str| {
        (!x.is_empty() && x.bytes().all(|c| c.is_ascii_digit()))
            .then(|| x.parse::<u16>().ok())
            .flatten()
    };
    match (part(a), part(b)) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(rule()),
    }
}

/// Why FRR's bgpd treats a community specially (changes what it advertises, installs or
/// prefers), if it does: such a community set by a route-map changes routing in a way
/// avscheck does not model. `None` for values FRR only carries (in IPv4 unicast:
/// `graceful-shutdown` only lowers preference where a route-map says so, `accept-own`
/// acts in VPN address families only, the route-filter and `no-llgr` values only
/// matter to route refresh and long-lived graceful restart, `no-peer` is advisory).
pub fn frr_acts_on(c: (u16, u16)) -> Option<&'static str> {
    match c {
        (65535, 65281) => Some("NO_EXPORT (RFC 1997): FRR does not advertise the route to eBGP peers"),
        (65535, 65282) => Some("NO_ADVERTISE (RFC 1997): FRR advertises the route to no peer"),
        (65535, 65283) => Some("NO_EXPORT_SUBCONFED / local-AS (RFC 1997): FRR keeps the route inside the local AS"),
        (65535, 666) => Some("BLACKHOLE (RFC 7999): FRR does not advertise the route outside the local AS and installs it as a blackhole (FRR 8.0 and later)"),
        (65535, 6) => Some("LLGR_STALE (long-lived graceful restart): FRR prefers any other path and does not advertise it to peers without the LLGR capability"),
        _ => None,
    }
}

/// The rest of the line after blanks (free text: descriptions, regexes, passwords).
pub fn rest(i: In) -> PResult<Option<Word>> {
    let (i, _) = space0(i)?;
    let text = *i.fragment();
    let trimmed = text.trim_end_matches(is_space);
    if trimmed.is_empty() {
        return Ok((i, None));
    }
    let start = i.location_offset();
    let w = Word {
        text: trimmed,
        start,
        end: start + trimmed.len(),
    };
    let (i, _) = nom::bytes::complete::take(text.len())(i)?;
    Ok((i, Some(w)))
}
