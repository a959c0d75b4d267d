//! Checks: every name a property line uses resolves to something it can name.
//!
//! - sources and destinations: a node, a vnet or subnet (its VMs), `VNET/default`
//!   (the implicit subnet of an existing vnet), `internet`, a prefix or an address;
//! - `never N`, `via M`, `originated_by O`, `routes N`, waypoints and `assume N`: nodes;
//! - `without X`: a component name, or a kind in scope (every component of it);
//!   a component name wins over a kind of the same name;
//! - `under failures K`: K ≤ [`MAX_FAILURES`], once per line;
//! - `under failures K of W...`: each W a failure kind ([`FAILURE_KINDS`]) or the name
//!   of a component that can fail (checked once every component is known:
//!   [`failure_targets`]);
//! - `without peering A B`: two vnets that are peered (both declare `peer`).

use super::codes;
use super::names::{EntryKind, Expect, Scope};
use super::suggest::{article, did_you_mean};
use crate::diagnostic::Diagnostic;
use crate::sema::model::Design;
use crate::span::Span;
use crate::syntax::ast::{self, CheckLine, EndpointValue, ModifierKind, PropertyKind};
use std::collections::BTreeMap;

/// The most simultaneous failures a property may ask for. Each extra failure
/// multiplies the combinations the verifier must rule out; designs are meant to
/// survive one or two (a circuit, a region), and beyond a handful the question stops
/// describing an operational scenario.
pub const MAX_FAILURES: u32 = 8;

/// The words `of` (and `without`) accept as kinds of failure components (LANGUAGE.md
/// §2.4, "Failures"). `peering`, `session` and `connection` are not declared kinds;
/// the others are stdlib kinds (accepted only when in scope): `er_circuit` (the circuit,
/// taking its connections and sessions down), `global_reach` (its links), `tunnel`,
/// `vpn_gateway` (its connections).
pub const FAILURE_KINDS: [&str; 7] = [
    "er_circuit",
    "global_reach",
    "tunnel",
    "vpn_gateway",
    "peering",
    "session",
    "connection",
];

/// Failure kinds that no declaration defines.
const IMPLICIT_FAILURE_KINDS: [&str; 3] = ["peering", "session", "connection"];

/// What the failure components are, for notes.
const FAILABLE_NOTE: &str = "components that can fail: circuits, circuit connections, Global Reach links, VNet peerings, tunnels, BGP sessions, VPN connections and load-balancer backends";

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
        PropertyKind::RouteLimit { node: n, .. } => {
            let before = diags.len();
            node(n, diags);
            // A VNet or subnet has effective routes, not a BGP table.
            for d in diags
                .iter_mut()
                .skip(before)
                .filter(|d| n.node.contains('/') || d.code == codes::WRONG_KIND)
            {
                d.notes.push("help: `routes N <= K` counts the prefixes in a BGP speaker's table (a router, NVA, site, gateway, Route Server, AVS); a subnet's effective routes are listed by `avscheck routes FILE --node VNET/SUBNET`".to_string());
            }
        }
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
    let mut without: BTreeMap<String, Span> = BTreeMap::new();
    for m in mods {
        match &m.node {
            ModifierKind::Failures { count: k, of } => {
                for w in of {
                    failure_word(scope, w, diags);
                }
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
                repeated_without(&mut without, x.node.clone(), m.span, diags);
                without_target(scope, x, diags);
            }
            ModifierKind::WithoutPeering(a, b) => {
                let (lo, hi) = if a.node <= b.node { (a, b) } else { (b, a) };
                let key = format!("peering {} {}", lo.node, hi.node);
                repeated_without(&mut without, key, m.span, diags);
                // Both vnets (`Expect::Kind("vnet")` also when the kind is not in scope:
                // then the names are reported as not vnets).
                scope.name(a, &[Expect::Kind("vnet")], diags);
                scope.name(b, &[Expect::Kind("vnet")], diags);
            }
        }
    }
}

/// The same `without` (a name, or one peering) twice on a line is an error.
fn repeated_without(
    seen: &mut BTreeMap<String, Span>,
    key: String,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(first) = seen.get(&key) {
        diags.push(
            Diagnostic::error(
                codes::REPEATED_MODIFIER,
                format!("`without {key}` is given twice"),
            )
            .primary(span, "given again here")
            .secondary(*first, "first given here"),
        );
    }
    seen.insert(key, span);
}

/// One word of `under failures K of ...`: a component (whether it can fail is checked
/// by [`failure_targets`]) or a failure kind in scope.
fn failure_word(scope: &Scope, w: &ast::Ident, diags: &mut Vec<Diagnostic>) {
    match scope.ns.get(&w.node) {
        Some(e) if matches!(e.kind, EntryKind::Component(_) | EntryKind::Broken) => return,
        Some(e) => {
            diags.push(
                Diagnostic::error(
                    codes::WRONG_KIND,
                    format!(
                        "`{}` is {}, expected a component or a kind that can fail",
                        w.node,
                        e.describe(&w.node)
                    ),
                )
                .primary(w.span, "expected a component or a kind that can fail")
                .secondary(e.span, format!("`{}` is declared here", w.node)),
            );
            return;
        }
        None => {}
    }
    let in_scope = |k: &str| IMPLICIT_FAILURE_KINDS.contains(&k) || scope.kinds.contains_key(k);
    if FAILURE_KINDS.contains(&w.node.as_str()) && in_scope(&w.node) {
        return;
    }
    if scope.kinds.contains_key(&w.node) {
        diags.push(
            Diagnostic::error(
                codes::NOT_FAILABLE,
                format!("{} {} cannot fail", article(&w.node), w.node),
            )
            .primary(w.span, "not a kind of failure component")
            .note(FAILABLE_NOTE)
            .help(format!(
                "name a kind that can fail ({}) or the components themselves",
                kinds_list(&in_scope)
            )),
        );
        return;
    }
    let mut candidates: Vec<&str> = scope
        .ns
        .iter()
        .filter(|(_, e)| matches!(e.kind, EntryKind::Component(_)))
        .map(|(n, _)| n.as_str())
        .collect();
    candidates.extend(FAILURE_KINDS.iter().copied().filter(|k| in_scope(k)));
    candidates.sort_unstable();
    let mut d = Diagnostic::error(codes::UNKNOWN_NAME, format!("unknown name `{}`", w.node))
        .primary(w.span, "expected a component or a kind that can fail");
    if let Some(m) = scope.unloaded_kinds.get(&w.node) {
        d = d.help(format!(
            "`{}` is a kind of the `{}` module: add `use {}`",
            w.node,
            m.name(),
            m.name()
        ));
    } else if let Some(s) = did_you_mean(&w.node, candidates.iter().copied()) {
        d = d.help(format!("did you mean `{s}`?"));
    } else {
        d = d.help(format!(
            "the kinds that can fail: {}",
            kinds_list(&in_scope)
        ));
    }
    diags.push(d.note("`under failures K of ...` lets only these components fail: kinds (e.g. `er_circuit`, `tunnel`) or components by name"));
}

/// The failure kinds in scope, as `` `a`, `b` ``.
fn kinds_list(in_scope: &dyn Fn(&str) -> bool) -> String {
    FAILURE_KINDS
        .iter()
        .filter(|k| in_scope(k))
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Once every component is resolved: each component named in an `of` list can fail,
/// and each `without peering A B` names an established peering (both VNets declare
/// `peer` the other).
pub(crate) fn failure_targets(design: &Design, diags: &mut Vec<Diagnostic>) {
    let mods = design
        .checks
        .iter()
        .flat_map(|c| &c.lines)
        .flat_map(|l| match l {
            CheckLine::Property(p) => p.modifiers.as_slice(),
            CheckLine::Assume(_) => &[],
        });
    for m in mods {
        match &m.node {
            ModifierKind::Failures { of, .. } => {
                for w in of {
                    named_failable(design, w, diags);
                }
            }
            ModifierKind::WithoutPeering(a, b) => peered(design, a, b, diags),
            ModifierKind::Without(_) => {}
        }
    }
}

/// A component named in `of` must be one that can fail: a circuit (its kind has the
/// `msee` behaviour), a tunnel, a Global Reach link, a VPN gateway (its connections)
/// or a load balancer's backend (named by a `backend` line).
fn named_failable(design: &Design, w: &ast::Ident, diags: &mut Vec<Diagnostic>) {
    let Some(c) = design.component(&w.node) else {
        return; // a kind, or reported by the resolver
    };
    let circuit = design
        .kinds
        .get(&c.kind)
        .is_some_and(|k| k.has_behaviour("msee"));
    let by_kind = ["tunnel", "global_reach", "vpn_gateway"].contains(&c.kind.as_str());
    let backend = design.components.iter().any(|o| {
        o.all("backend")
            .any(|l| l.first().and_then(|v| v.node.as_ref_name()) == Some(w.node.as_str()))
    });
    if circuit || by_kind || backend {
        return;
    }
    diags.push(
        Diagnostic::error(codes::NOT_FAILABLE, format!("`{}` cannot fail", w.node))
            .primary(
                w.span,
                format!("{} {} is not a failure component", article(&c.kind), c.kind),
            )
            .secondary(c.name.span, format!("`{}` is declared here", w.node))
            .note(FAILABLE_NOTE)
            .help(format!(
                "to check the design without `{}`, write `without {}`",
                w.node, w.node
            )),
    );
}

/// `without peering A B`: both are vnets declaring `peer` the other.
fn peered(design: &Design, a: &ast::Ident, b: &ast::Ident, diags: &mut Vec<Diagnostic>) {
    let vnet = |i: &ast::Ident| design.component(&i.node).filter(|c| c.kind == "vnet");
    let (Some(va), Some(vb)) = (vnet(a), vnet(b)) else {
        return; // reported by the resolver
    };
    let peers = |x: &crate::sema::model::ComponentDecl, y: &str| {
        x.all("peer")
            .any(|l| l.first().and_then(|v| v.node.as_ref_name()) == Some(y))
    };
    let (ab, ba) = (peers(va, &b.node), peers(vb, &a.node));
    if a.node != b.node && ab && ba {
        return;
    }
    let mut d = Diagnostic::error(
        codes::NOT_PEERED,
        format!("`{}` and `{}` are not peered", a.node, b.node),
    )
    .primary(a.span.to(b.span), "no VNet peering between these");
    d = match (ab, ba) {
        _ if a.node == b.node => d.note("a VNet peering joins two different VNets"),
        (true, false) => d
            .secondary(va.name.span, format!("`{}` declares `peer {}`", a.node, b.node))
            .secondary(vb.name.span, format!("`{}` has no `peer {}`", b.node, a.node))
            .note("a VNet peering is established when both VNets declare it (docs/semantics.md §2.6; https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview)"),
        (false, true) => d
            .secondary(vb.name.span, format!("`{}` declares `peer {}`", b.node, a.node))
            .secondary(va.name.span, format!("`{}` has no `peer {}`", a.node, b.node))
            .note("a VNet peering is established when both VNets declare it (docs/semantics.md §2.6; https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview)"),
        _ => d.help(format!(
            "`without peering` names VNets that `peer` each other; to remove a VNet, write `without {}`",
            a.node
        )),
    };
    diags.push(d);
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
    if scope.kinds.contains_key(&x.node) || IMPLICIT_FAILURE_KINDS.contains(&x.node.as_str()) {
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
