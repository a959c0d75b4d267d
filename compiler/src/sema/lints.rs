//! Lints and findings on the resolved design (codes AVS0200–AVS0299, documented in
//! `docs/diagnostics.md`, "Names and types"):
//!
//! - AVS0200 (error): a user node with a reserved ASN — its own `asn` line, or the
//!   ASN a `peer X ... asn N` line expects of a user node X. The Azure-reserved ASNs
//!   apply when the design uses `azure`; the IANA-reserved ones always.
//! - AVS0210–AVS0212 (warnings): policies, prefix lists, route tables and tunnels that
//!   nothing uses. Reported only when resolution found no error, so a mistyped
//!   reference does not also produce an "unused" warning.
//! - AVS0213 (warning): a policy rule that an earlier rule shadows completely.
//! - AVS0214 (warning): a `tag T` condition on a tag that no policy adds.
//!
//! Session-level findings (one-sided `peer`, ASN mismatches) belong to lowering.

use super::model::{ComponentDecl, Design, Value};
use super::resolve::codes;
use crate::diagnostic::Diagnostic;
use crate::span::FileId;
use crate::syntax::ast::{self, CmpOp, ConditionKind};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};

/// Every lint, in a deterministic order. `clean`: resolution reported no error.
pub fn lints(design: &Design, stdlib_files: &[FileId], clean: bool) -> Vec<Diagnostic> {
    let mut out = reserved_asns(design);
    if clean {
        out.extend(unused(design, stdlib_files));
    }
    out.extend(shadowed_rules(design));
    out.extend(tags_never_added(design));
    out
}

// ---- reserved ASNs -------------------------------------------------------------

/// Where a reserved ASN comes from.
struct Reserved {
    first: u32,
    last: u32,
    /// Reserved by Azure (only for designs that use the `azure` module).
    azure: bool,
    why: &'static str,
}

/// AZURE.md, "Reserved ASNs" (route-server-faq.md, expressroute/expressroute-routing.md).
const RESERVED: [Reserved; 9] = [
    Reserved {
        first: 8074,
        last: 8075,
        azure: true,
        why: "a public ASN of Microsoft Azure",
    },
    Reserved {
        first: 12076,
        last: 12076,
        azure: true,
        why: "the ASN of ExpressRoute's Microsoft edge (MSEE)",
    },
    Reserved {
        first: 65515,
        last: 65515,
        azure: true,
        why: "the ASN of Route Server and of VPN and ExpressRoute gateways",
    },
    Reserved {
        first: 65517,
        last: 65520,
        azure: true,
        why: "reserved by Azure for its own use",
    },
    Reserved {
        first: 23456,
        last: 23456,
        azure: false,
        why: "AS_TRANS, reserved by IANA (RFC 6793)",
    },
    Reserved {
        first: 64496,
        last: 64511,
        azure: false,
        why: "reserved by IANA for documentation (RFC 5398)",
    },
    Reserved {
        first: 65535,
        last: 65535,
        azure: false,
        why: "reserved by IANA (RFC 7300)",
    },
    Reserved {
        first: 4294967295,
        last: 4294967295,
        azure: false,
        why: "reserved by IANA (RFC 7300)",
    },
    Reserved {
        first: 65536,
        last: 65551,
        azure: false,
        why: "reserved by IANA for documentation (RFC 5398)",
    },
];

/// Why `asn` is reserved, if it is.
pub fn reserved_asn(asn: u64, azure: bool) -> Option<&'static str> {
    RESERVED
        .iter()
        .find(|r| (!r.azure || azure) && (u64::from(r.first)..=u64::from(r.last)).contains(&asn))
        .map(|r| r.why)
}

fn reserved_asns(design: &Design) -> Vec<Diagnostic> {
    let azure = design.uses.iter().any(|u| u.node == "azure");
    let fixed_asn = |name: &str| {
        design
            .component(name)
            .and_then(|c| design.kind(&c.kind))
            .is_some_and(|k| k.asn.is_some())
    };
    let mut out = Vec::new();
    for c in &design.components {
        for line in c.lines.iter().filter(|l| !l.defaulted) {
            // The component's own ASN.
            if line.key.node == "asn" {
                if let Some(v) = line.first() {
                    if let Some(why) = v.node.as_int().and_then(|n| reserved_asn(n, azure)) {
                        out.push(reserved(
                            c,
                            &c.name.node,
                            v.node.as_int().unwrap_or(0),
                            v.span,
                            why,
                        ));
                    }
                }
            }
            // The ASN a line expects of a user node it names (`peer fw asn 65515`).
            let (Some(v), Some(target)) = (
                line.option("asn"),
                line.first().and_then(|t| t.node.as_ref_name()),
            ) else {
                continue;
            };
            if fixed_asn(target) {
                continue; // a mismatch with a fixed ASN is lowering's finding
            }
            if let Some(why) = v.node.as_int().and_then(|n| reserved_asn(n, azure)) {
                out.push(reserved(
                    c,
                    target,
                    v.node.as_int().unwrap_or(0),
                    v.span,
                    why,
                ));
            }
        }
    }
    out
}

/// AVS0200 for the ASN a component's FRR configuration gives it (`router bgp N`):
/// the same rule as an `asn` line (AZURE.md "Reserved ASNs"), labelled on `N` in the
/// configuration file.
pub fn config_reserved_asn(
    design: &Design,
    c: &ComponentDecl,
    config: &crate::frr::ast::Config,
) -> Option<Diagnostic> {
    let azure = design.uses.iter().any(|u| u.node == "azure");
    let asn = config.bgp.as_ref()?.asn;
    let why = reserved_asn(u64::from(asn.node), azure)?;
    Some(reserved(
        c,
        &c.name.node,
        u64::from(asn.node),
        asn.span,
        why,
    ))
}

fn reserved(c: &ComponentDecl, node: &str, asn: u64, span: crate::Span, why: &str) -> Diagnostic {
    let msg = if node == c.name.node {
        format!("{} `{node}` uses the reserved ASN `{asn}`", c.kind)
    } else {
        format!(
            "`{}` expects `{node}` to use the reserved ASN `{asn}`",
            c.name.node
        )
    };
    Diagnostic::error(codes::RESERVED_ASN, msg)
        .primary(span, why.to_string())
        .help("choose a private ASN outside the reserved ones (64512–65514, or 4200000000–4294967294)")
        .note("reserved ASNs: docs/semantics.md §2.2 (https://learn.microsoft.com/azure/route-server/route-server-faq, https://learn.microsoft.com/azure/expressroute/expressroute-routing)")
}

// ---- unused items --------------------------------------------------------------

/// Kinds whose components matter only when something names them: a route table
/// attaches to a subnet or gateway, a tunnel carries the sessions that name it.
const REFERENCED_KINDS: [&str; 2] = ["route_table", "tunnel"];

fn refs(design: &Design) -> BTreeSet<&str> {
    let mut used = BTreeSet::new();
    for c in &design.components {
        for l in &c.lines {
            for v in l.positional.iter().chain(l.options.values()) {
                if let Value::Ref { name, .. } = &v.node {
                    used.insert(name.as_str());
                }
            }
        }
    }
    for p in &design.policies {
        for r in &p.rules {
            for c in &r.conditions {
                if let ConditionKind::PrefixList(n) = &c.node {
                    used.insert(n.node.as_str());
                }
            }
        }
    }
    used
}

/// How a kind's components get named: `` `route_table NAME` in a subnet or an er_gateway ``.
fn how_to_use(design: &Design, kind: &str, name: &str) -> Option<String> {
    // form → the kinds whose lines take it (kinds in name order: BTreeMap).
    let mut forms: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for k in design.kinds.values() {
        for key in &k.keys {
            if let Some(form) = key_form(&key.pattern, kind, name) {
                let place = format!("{} {}", super::resolve::article(&k.name), k.name);
                forms
                    .entry(format!("{} {form}", key.name.node))
                    .or_default()
                    .push(place);
            }
        }
    }
    let parts: Vec<String> = forms
        .into_iter()
        .map(|(form, places)| format!("`{form}` in {}", join_or(&places)))
        .collect();
    (!parts.is_empty()).then(|| parts.join("; or "))
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The pattern written with `name` in the slot that takes `kind`, others elided.
fn key_form(pattern: &[ast::PatternElem], kind: &str, name: &str) -> Option<String> {
    let mut parts = Vec::new();
    let mut found = false;
    for e in pattern {
        match e {
            ast::PatternElem::Slot(alts) if !found && alts.node.iter().any(|a| a.node == kind) => {
                parts.push(name.to_string());
                found = true;
            }
            ast::PatternElem::Slot(_) => parts.push("...".to_string()),
            ast::PatternElem::Word(w) => parts.push(w.node.clone()),
            ast::PatternElem::Optional(g) => {
                if !found {
                    if let Some(inner) = key_form(&g.node, kind, name) {
                        parts.push(inner);
                        found = true;
                    }
                }
            }
        }
    }
    let mut s = parts.join(" ");
    // Drop the words after the named slot: `peer ... over vx`.
    if let Some(i) = s.find(name) {
        s.truncate(i + name.len());
    }
    found.then_some(s)
}

fn unused(design: &Design, stdlib_files: &[FileId]) -> Vec<Diagnostic> {
    let used = refs(design);
    let user = |span: crate::Span| !stdlib_files.contains(&span.file);
    let mut out = Vec::new();
    for p in design.policies.iter().filter(|p| user(p.name.span)) {
        if !used.contains(p.name.node.as_str()) {
            out.push(
                Diagnostic::warning(
                    codes::UNUSED_POLICY,
                    format!("policy `{}` is never used", p.name.node),
                )
                .primary(p.name.span, "not applied to any session")
                .help(format!(
                    "apply it with `peer NODE import {0}` or `peer NODE export {0}`, or remove it",
                    p.name.node
                )),
            );
        }
    }
    for l in design.prefix_lists.iter().filter(|l| user(l.name.span)) {
        if !used.contains(l.name.node.as_str()) {
            out.push(
                Diagnostic::warning(
                    codes::UNUSED_PREFIX_LIST,
                    format!("prefix list `{}` is never used", l.name.node),
                )
                .primary(l.name.span, "no policy matches it")
                .help(format!(
                    "match it in a policy rule with `prefix_list {}`, or remove it",
                    l.name.node
                )),
            );
        }
    }
    // A tunnel with `inner` addresses is named by address in FRR configurations.
    let has_configs = design.components.iter().any(|c| c.get("config").is_some());
    for c in &design.components {
        if !REFERENCED_KINDS.contains(&c.kind.as_str()) || used.contains(c.name.node.as_str()) {
            continue;
        }
        if has_configs && c.get("inner").is_some() {
            continue;
        }
        let mut d = Diagnostic::warning(
            codes::UNUSED_COMPONENT,
            format!("{} `{}` is never used", c.kind, c.name.node),
        )
        .primary(c.name.span, "nothing names it, so it has no effect");
        if let Some(how) = how_to_use(design, &c.kind, &c.name.node) {
            d = d.help(format!("name it with {how}"));
        }
        out.push(d);
    }
    out
}

// ---- shadowed rules ------------------------------------------------------------

/// A set of routes by prefix: within `net`, lengths `lo..=hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Range {
    net: Ipv4Net,
    lo: u8,
    hi: u8,
}

impl Range {
    fn of(m: &ast::PrefixMatch) -> Range {
        let len = m.prefix.node.prefix_len();
        let (lo, hi) = match (&m.ge, &m.le) {
            (None, None) => (len, len),
            (Some(g), None) => (g.node, 32),
            (None, Some(l)) => (len, l.node),
            (Some(g), Some(l)) => (g.node, l.node),
        };
        Range {
            net: m.prefix.node,
            lo: lo.max(len),
            hi,
        }
    }
    fn is_empty(self) -> bool {
        self.lo > self.hi || self.hi > 32
    }
    /// Every route in `inner` is in `self` (`inner` non-empty).
    fn covers(self, inner: Range) -> bool {
        self.net.contains(&inner.net) && self.lo <= inner.lo && inner.hi <= self.hi
    }
}

/// The AS-path lengths `as_path length OP N` accepts, as an inclusive interval
/// (`None`: no length).
fn lengths(op: CmpOp, n: u32) -> Option<(u64, u64)> {
    let n = u64::from(n);
    let max = u64::MAX;
    match op {
        CmpOp::Lt => n.checked_sub(1).map(|m| (0, m)),
        CmpOp::Le => Some((0, n)),
        CmpOp::Eq => Some((n, n)),
        CmpOp::Ge => Some((n, max)),
        CmpOp::Gt => Some((n + 1, max)),
    }
}

struct Shadow<'d> {
    design: &'d Design,
}

impl Shadow<'_> {
    fn list(&self, name: &str) -> Option<Vec<Range>> {
        self.design
            .prefix_lists
            .iter()
            .find(|l| l.name.node == name)
            .map(|l| {
                l.entries
                    .iter()
                    .map(Range::of)
                    .filter(|r| !r.is_empty())
                    .collect()
            })
    }

    /// The prefix ranges a prefix condition accepts (a union), or `None` for another
    /// kind of condition.
    fn ranges(&self, c: &ConditionKind) -> Option<Vec<Range>> {
        match c {
            ConditionKind::Prefix(m) => Some(
                vec![Range::of(m)]
                    .into_iter()
                    .filter(|r| !r.is_empty())
                    .collect(),
            ),
            ConditionKind::PrefixList(n) => self.list(&n.node),
            _ => None,
        }
    }

    /// Every route that satisfies `later` satisfies `earlier` (sound, not complete:
    /// `false` when unsure).
    fn implies(&self, later: &ConditionKind, earlier: &ConditionKind) -> bool {
        if let (Some(inner), Some(outer)) = (self.ranges(later), self.ranges(earlier)) {
            // A condition that accepts nothing is another problem; do not call it shadowed.
            return !inner.is_empty() && inner.iter().all(|i| outer.iter().any(|o| o.covers(*i)));
        }
        match (later, earlier) {
            (ConditionKind::AsPathContains(a), ConditionKind::AsPathContains(b)) => {
                a.node == b.node
            }
            (ConditionKind::AsPathLength(op1, n1), ConditionKind::AsPathLength(op2, n2)) => {
                match (lengths(op1.node, n1.node), lengths(op2.node, n2.node)) {
                    (Some((a1, b1)), Some((a2, b2))) => a2 <= a1 && b1 <= b2,
                    _ => false,
                }
            }
            (ConditionKind::Tag(a), ConditionKind::Tag(b)) => tag_key(&a.node) == tag_key(&b.node),
            (ConditionKind::OriginatedBy(a), ConditionKind::OriginatedBy(b)) => a.node == b.node,
            _ => false,
        }
    }

    /// `earlier` matches every route `later` matches: each of its conditions is
    /// implied by one of `later`'s (a rule without conditions matches everything).
    fn shadows(&self, earlier: &ast::Rule, later: &ast::Rule) -> bool {
        earlier.conditions.iter().all(|e| {
            later
                .conditions
                .iter()
                .any(|l| self.implies(&l.node, &e.node))
        })
    }
}

/// Tags compare by value: `no_advertise` is the community 65535:65282.
fn tag_key(t: &ast::TagValue) -> ast::TagValue {
    match t {
        ast::TagValue::Name(n) if n == "no_advertise" => ast::TagValue::Community(65535, 65282),
        other => other.clone(),
    }
}

fn shadowed_rules(design: &Design) -> Vec<Diagnostic> {
    let s = Shadow { design };
    let mut out = Vec::new();
    for p in &design.policies {
        for (j, later) in p.rules.iter().enumerate() {
            let Some(earlier) = p.rules.iter().take(j).find(|e| s.shadows(e, later)) else {
                continue;
            };
            let why = if earlier.conditions.is_empty() {
                "this rule has no condition: it matches every route"
            } else {
                "this rule matches every route the later one matches"
            };
            out.push(
                Diagnostic::warning(
                    codes::SHADOWED_RULE,
                    format!("a rule of policy `{}` never applies", p.name.node),
                )
                .primary(
                    later.span,
                    "every route this rule matches is decided earlier",
                )
                .secondary(earlier.span, why)
                .help("remove the rule, or move it before the rule that shadows it"),
            );
        }
    }
    out
}

// ---- tags nothing adds ---------------------------------------------------------

/// A route carries a tag only when some policy adds it (`add tag T`): a condition on
/// a tag that no policy adds never holds, which is most often a misspelt tag.
fn tags_never_added(design: &Design) -> Vec<Diagnostic> {
    let added: Vec<ast::TagValue> = design
        .policies
        .iter()
        .flat_map(|p| &p.rules)
        .flat_map(|r| &r.actions)
        .filter_map(|a| match &a.node {
            ast::ActionKind::AddTag(t) => Some(tag_key(&t.node)),
            _ => None,
        })
        .collect();
    let names: Vec<String> = added
        .iter()
        .filter_map(|t| match t {
            ast::TagValue::Name(n) => Some(n.clone()),
            ast::TagValue::Community(..) => None,
        })
        .collect();
    let mut out = Vec::new();
    for p in &design.policies {
        for r in &p.rules {
            for c in &r.conditions {
                let ConditionKind::Tag(t) = &c.node else {
                    continue;
                };
                if added.contains(&tag_key(&t.node)) {
                    continue;
                }
                let shown = match &t.node {
                    ast::TagValue::Name(n) => n.clone(),
                    ast::TagValue::Community(a, b) => format!("{a}:{b}"),
                };
                let mut d = Diagnostic::warning(
                    codes::TAG_NEVER_ADDED,
                    format!("no policy adds the tag `{shown}`"),
                )
                .primary(t.span, "this condition never holds")
                .note("routes carry only the tags that policies add with `add tag`");
                if let Some(s) =
                    super::resolve::did_you_mean(&shown, names.iter().map(String::as_str))
                {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                out.push(d);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]
    use super::*;

    #[test]
    fn reserved_list() {
        for asn in [8074, 8075, 12076, 65515, 65517, 65520] {
            assert!(reserved_asn(asn, true).is_some(), "{asn}");
            assert!(reserved_asn(asn, false).is_none(), "{asn}");
        }
        for asn in [23456, 64496, 64511, 65535, 65536, 65551] {
            assert!(reserved_asn(asn, false).is_some(), "{asn}");
        }
        for asn in [65010, 65516, 65521, 398656, 64495, 64512, 65552, 12075] {
            assert!(reserved_asn(asn, true).is_none(), "{asn}");
        }
    }

    fn m(p: &str, ge: Option<u8>, le: Option<u8>) -> ast::PrefixMatch {
        let s = crate::Span::default();
        ast::PrefixMatch {
            prefix: crate::Spanned::new(p.parse().unwrap(), s),
            ge: ge.map(|g| crate::Spanned::new(g, s)),
            le: le.map(|l| crate::Spanned::new(l, s)),
            span: s,
        }
    }

    #[test]
    fn ranges() {
        let exact8 = Range::of(&m("10.0.0.0/8", None, None));
        let le32 = Range::of(&m("10.0.0.0/8", None, Some(32)));
        let sub16 = Range::of(&m("10.1.0.0/16", None, None));
        let ge24 = Range::of(&m("10.0.0.0/8", Some(24), None));
        assert!(le32.covers(exact8));
        assert!(le32.covers(sub16));
        assert!(!exact8.covers(sub16));
        assert!(!ge24.covers(sub16));
        assert!(le32.covers(ge24));
        assert!(!Range::of(&m("10.1.0.0/16", None, Some(32))).covers(exact8));
    }

    #[test]
    fn as_path_lengths() {
        assert_eq!(lengths(CmpOp::Lt, 0), None);
        assert_eq!(lengths(CmpOp::Lt, 3), Some((0, 2)));
        assert_eq!(lengths(CmpOp::Gt, 3), Some((4, u64::MAX)));
    }
}
