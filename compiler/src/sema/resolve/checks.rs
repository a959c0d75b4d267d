//! Checks: every name a property line uses resolves to something it can name.
//!
//! - sources and destinations: a node, a vnet or subnet (its VMs), `VNET/default`
//!   (the implicit subnet of an existing vnet), `internet`, a prefix or an address;
//! - `never N`, `via M`, `originated_by O`, `routes N`, waypoints and `assume N`: nodes;
//! - `without X`: a component name, or a kind in scope (every component of it);
//!   a component name wins over a kind of the same name;
//! - `under failures K`: K ≤ [`MAX_FAILURES`], once per line.

use super::codes;
use super::names::{Expect, Scope};
use super::suggest::did_you_mean;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{self, CheckLine, EndpointValue, ModifierKind, PropertyKind};
use std::collections::BTreeMap;

/// The most simultaneous failures a property may ask for. Each extra failure
/// multiplies the combinations the verifier must rule out; designs are meant to
/// survive one or two (a circuit, a region), and beyond a handful the question stops
/// describing an operational scenario.
pub const MAX_FAILURES: u32 = 8;

/// Kinds whose components hold VMs and so can be a source or destination besides
/// nodes (their subnets' effective routes apply).
const ENDPOINT_KINDS: [&str; 2] = ["vnet", "subnet"];

/// The implicit subnet of every vnet: `VNET/default`.
const DEFAULT_SUBNET: &str = "default";

pub(crate) fn check(scope: &Scope, c: &ast::CheckDef, diags: &mut Vec<Diagnostic>) {
    for line in &c.lines {
        match line {
            CheckLine::Assume(a) => {
                scope.name(&a.node, &[Expect::Node], diags);
                if let Some(le) = &a.le {
                    let len = a.within.node.prefix_len();
                    if le.node < len || le.node > 32 {
                        diags.push(
                            Diagnostic::error(
                                codes::ASSUME_LENGTH,
                                format!("`le {}` does not fit `within {}`", le.node, a.within.node),
                            )
                            .primary(le.span, format!("expected {len} to 32"))
                            .secondary(a.within.span, format!("a /{len}")),
                        );
                    }
                }
            }
            CheckLine::Property(p) => {
                property(scope, &p.kind, diags);
                modifiers(scope, &p.modifiers, diags);
            }
        }
    }
}

fn property(scope: &Scope, k: &PropertyKind, diags: &mut Vec<Diagnostic>) {
    let node = |i: &ast::Ident, diags: &mut Vec<Diagnostic>| {
        scope.name(i, &[Expect::Node], diags);
    };
    match k {
        PropertyKind::Never {
            node: n,
            via,
            originated_by,
            ..
        } => {
            node(n, diags);
            for o in [via, originated_by].into_iter().flatten() {
                node(o, diags);
            }
        }
        PropertyKind::Reachable { from, to, .. } => {
            endpoint(scope, from, diags);
            endpoint(scope, to, diags);
        }
        PropertyKind::LoopFree => {}
        PropertyKind::Traverses { from, to, waypoint }
        | PropertyKind::Avoids { from, to, waypoint } => {
            endpoint(scope, from, diags);
            endpoint(scope, to, diags);
            node(waypoint, diags);
        }
        PropertyKind::Symmetric { a, b } => {
            endpoint(scope, a, diags);
            endpoint(scope, b, diags);
        }
        PropertyKind::RouteLimit { node: n, .. } => node(n, diags),
    }
}

fn endpoint(scope: &Scope, e: &ast::Endpoint, diags: &mut Vec<Diagnostic>) {
    let EndpointValue::Name(name) = &e.node else {
        return;
    };
    let mut alts = vec![Expect::Node];
    alts.extend(
        ENDPOINT_KINDS
            .iter()
            .map(|k| scope.expect(k))
            .filter(|x| matches!(x, Expect::Kind(_))),
    );
    let Some((vnet, sub)) = name.split_once('/') else {
        scope.name(&ast::Ident::new(name.clone(), e.span), &alts, diags);
        return;
    };
    let vnet_span = Span {
        end: e
            .span
            .start
            .saturating_add(u32::try_from(vnet.len()).unwrap_or(0)),
        ..e.span
    };
    let vnet_alts: Vec<Expect> = alts
        .iter()
        .copied()
        .filter(|x| *x == Expect::Kind("vnet"))
        .collect();
    if vnet_alts.is_empty() {
        // No vnet kind in scope: report the name as unknown.
        scope.name(
            &ast::Ident::new(vnet.to_string(), vnet_span),
            &[Expect::Node],
            diags,
        );
        return;
    }
    scope.name(
        &ast::Ident::new(vnet.to_string(), vnet_span),
        &vnet_alts,
        diags,
    );
    if sub != DEFAULT_SUBNET {
        let sub_span = Span {
            start: vnet_span.end.saturating_add(1).min(e.span.end),
            ..e.span
        };
        let mut d = Diagnostic::error(codes::BAD_SUBNET_PATH, format!("unknown subnet path `{name}`"))
            .primary(sub_span, format!("expected `{DEFAULT_SUBNET}`"))
            .note(format!(
                "`{vnet}/{DEFAULT_SUBNET}` is the implicit subnet of vnet `{vnet}`; declared subnets are named by their own name"
            ));
        if scope.ns.get(sub).is_some() {
            d = d.help(format!("write `{sub}`"));
        }
        diags.push(d);
    }
}

fn modifiers(scope: &Scope, mods: &[ast::Modifier], diags: &mut Vec<Diagnostic>) {
    let mut failures: Option<Span> = None;
    let mut without: BTreeMap<&str, Span> = BTreeMap::new();
    for m in mods {
        match &m.node {
            ModifierKind::Failures(k) => {
                if let Some(first) = failures {
                    diags.push(
                        Diagnostic::error(
                            codes::REPEATED_MODIFIER,
                            "`under failures` is given twice",
                        )
                        .primary(m.span, "given again here")
                        .secondary(first, "first given here"),
                    );
                }
                failures = Some(m.span);
                if k.node > MAX_FAILURES {
                    diags.push(
                        Diagnostic::error(
                            codes::TOO_MANY_FAILURES,
                            format!("`under failures {}` asks for too many failures", k.node),
                        )
                        .primary(k.span, format!("at most {MAX_FAILURES}"))
                        .help("check the failures the design must survive (a circuit, a region) one property at a time"),
                    );
                }
            }
            ModifierKind::Without(x) => {
                if let Some(first) = without.get(x.node.as_str()) {
                    diags.push(
                        Diagnostic::error(
                            codes::REPEATED_MODIFIER,
                            format!("`without {}` is given twice", x.node),
                        )
                        .primary(m.span, "given again here")
                        .secondary(*first, "first given here"),
                    );
                }
                without.insert(&x.node, m.span);
                without_target(scope, x, diags);
            }
        }
    }
}

/// `without X`: a component, or a kind in scope.
fn without_target(scope: &Scope, x: &ast::Ident, diags: &mut Vec<Diagnostic>) {
    use super::names::EntryKind;
    match scope.ns.get(&x.node) {
        Some(e) if matches!(e.kind, EntryKind::Component(_) | EntryKind::Broken) => return,
        Some(e) => {
            diags.push(
                Diagnostic::error(
                    codes::WRONG_KIND,
                    format!(
                        "`{}` is {}, expected a component or a kind",
                        x.node,
                        e.describe(&x.node)
                    ),
                )
                .primary(x.span, "expected a component or a kind")
                .secondary(e.span, format!("`{}` is declared here", x.node)),
            );
            return;
        }
        None => {}
    }
    if scope.kinds.contains_key(&x.node) {
        return;
    }
    let mut candidates: Vec<&str> = scope
        .ns
        .iter()
        .filter(|(_, e)| matches!(e.kind, EntryKind::Component(_)))
        .map(|(n, _)| n.as_str())
        .collect();
    candidates.extend(scope.kinds.keys().map(String::as_str));
    candidates.sort_unstable();
    let mut d = Diagnostic::error(codes::UNKNOWN_NAME, format!("unknown name `{}`", x.node))
        .primary(x.span, "expected a component or a kind");
    if let Some(m) = scope.unloaded_kinds.get(&x.node) {
        d = d.help(format!(
            "`{}` is a kind of the `{}` module: add `use {}`",
            x.node,
            m.name(),
            m.name()
        ));
    } else if let Some(s) = did_you_mean(&x.node, candidates.iter().copied()) {
        d = d.help(format!("did you mean `{s}`?"));
    }
    diags.push(d.note("`without` removes one component, or every component of a kind (e.g. `without global_reach`)"));
}
