//! Policies and prefix lists: names (`prefix_list NAME`, `originated_by NODE`),
//! ASNs, prefix lengths (`ge`/`le`) and prepend counts.
//!
//! Tags are free names or communities `N:M`; `no_advertise` is the well-known
//! community 65535:65282 (RFC 1997), which lowering gives that value.

use super::codes;
use super::names::{Expect, Scope};
use crate::diagnostic::Diagnostic;
use crate::span::Spanned;
use crate::syntax::ast::{self, ActionKind, ConditionKind};

/// The longest AS path an `xK` prepend may build in one action: one AS_SEQUENCE
/// segment holds at most 255 ASNs (RFC 4271 §4.3).
const MAX_PREPEND: u32 = 255;

pub(crate) fn prefix_list(pl: &ast::PrefixListDef, diags: &mut Vec<Diagnostic>) {
    for m in &pl.entries {
        prefix_match(m, diags);
    }
}

/// `P [ge N] [le M]` must satisfy len(P) ≤ N ≤ M ≤ 32.
pub(crate) fn prefix_match(m: &ast::PrefixMatch, diags: &mut Vec<Diagnostic>) {
    let p = m.prefix.node;
    let len = p.prefix_len();
    let bad = |span, msg: String, label: String| {
        Diagnostic::error(codes::PREFIX_LENGTHS, msg).primary(span, label)
    };
    for bound in [m.ge.as_ref(), m.le.as_ref()].into_iter().flatten() {
        if bound.node > 32 {
            diags.push(
                bad(
                    bound.span,
                    format!("prefix length `{}` is more than 32", bound.node),
                    "at most 32".into(),
                )
                .secondary(m.prefix.span, format!("for `{p}`")),
            );
            return;
        }
    }
    if let Some(ge) = &m.ge {
        if ge.node < len {
            diags.push(
                bad(
                    ge.span,
                    format!("`ge {}` is shorter than the prefix `{p}`", ge.node),
                    format!("must be at least {len}"),
                )
                .secondary(m.prefix.span, format!("a /{len}"))
                .help(format!("routes inside `{p}` are /{len} or longer: write `ge {len}` or more, or leave `ge` out")),
            );
            return;
        }
    }
    if let Some(le) = &m.le {
        if le.node < len {
            diags.push(
                bad(
                    le.span,
                    format!("`le {}` is shorter than the prefix `{p}`", le.node),
                    format!("must be at least {len}"),
                )
                .secondary(m.prefix.span, format!("a /{len}"))
                .help(format!(
                    "`{p} le {}` would match nothing: write `le {len}` or more",
                    le.node
                )),
            );
            return;
        }
    }
    if let (Some(ge), Some(le)) = (&m.ge, &m.le) {
        if ge.node > le.node {
            diags.push(
                bad(
                    ge.span.to(le.span),
                    format!("`ge {}` is greater than `le {}`", ge.node, le.node),
                    "matches no prefix length".into(),
                )
                .help(format!("swap them: `ge {} le {}`", le.node, ge.node)),
            );
        }
    }
}

fn asn(n: &Spanned<u32>, diags: &mut Vec<Diagnostic>) {
    if n.node == 0 {
        diags.push(
            Diagnostic::error(codes::ASN_RANGE, "ASN `0` is out of range")
                .primary(n.span, "not a valid ASN")
                .note("ASNs are 1..=4294967295"),
        );
    }
}

/// Validates one policy against `scope` (the standard library's policies against the
/// standard library alone).
pub(crate) fn policy(scope: &Scope, p: &ast::PolicyDef, diags: &mut Vec<Diagnostic>) {
    for rule in &p.rules {
        for c in &rule.conditions {
            match &c.node {
                ConditionKind::Prefix(m) => prefix_match(m, diags),
                ConditionKind::PrefixList(name) => {
                    scope.name(name, &[Expect::PrefixList], diags);
                }
                ConditionKind::AsPathContains(n) => asn(n, diags),
                ConditionKind::AsPathLength(_, _) | ConditionKind::Tag(_) => {}
                ConditionKind::OriginatedBy(name) => {
                    scope.name(name, &[Expect::Node], diags);
                }
            }
        }
        for a in &rule.actions {
            match &a.node {
                ActionKind::Prepend(n, times) => {
                    asn(n, diags);
                    if let Some(k) = times {
                        if k.node == 0 || k.node > MAX_PREPEND {
                            let mut d = Diagnostic::error(
                                codes::PREPEND_COUNT,
                                format!("cannot prepend `{}` times", k.node),
                            )
                            .primary(k.span, format!("expected 1 to {MAX_PREPEND}"));
                            d = if k.node == 0 {
                                d.help(format!(
                                    "leave out `x0` to prepend `{}` once, or remove the action",
                                    n.node
                                ))
                            } else {
                                d.note("an AS path segment holds at most 255 ASNs")
                            };
                            diags.push(d);
                        }
                    }
                }
                ActionKind::RemoveAs(list) | ActionKind::ReplaceAs(list) => {
                    for n in list {
                        asn(n, diags);
                    }
                }
                _ => {}
            }
        }
    }
}
