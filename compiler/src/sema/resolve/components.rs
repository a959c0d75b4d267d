//! User components: the kind, each line against its key, repeated and missing keys,
//! defaults, and the placement rule of VMs.

use super::codes;
use super::kinds::Library;
use super::names::{is_singleton, Scope};
use super::patterns::{match_line, show_key};
use super::suggest::did_you_mean;
use crate::diagnostic::Diagnostic;
use crate::sema::model::{ComponentDecl, KindSchema, ResolvedLine};
use crate::span::Span;
use crate::syntax::ast;
use std::collections::BTreeMap;

/// The keys an FRR configuration (`config "PATH"`) defines.
pub(crate) const CONFIG_KEYS: [&str; 5] = ["asn", "router_id", "originate", "static", "peer"];

fn config_equivalent(key: &str) -> &'static str {
    match key {
        "asn" => "`router bgp ASN`",
        "router_id" => "`bgp router-id A`",
        "originate" => "`network P`",
        "static" => "`ip route P NEXT_HOP`",
        _ => "`neighbor A remote-as ASN`",
    }
}

/// Resolves one component; `None` when its kind is unknown (reported).
pub(crate) fn component(
    scope: &Scope,
    lib: &Library,
    c: &ast::Component,
    diags: &mut Vec<Diagnostic>,
) -> Option<ComponentDecl> {
    let Some(kind) = scope.kinds.get(&c.kind.node) else {
        let mut d = unknown_kind(scope, &c.kind);
        if c.kind.node == "check" {
            // `check NAME {` reads as a component of kind `check` (keywords are only
            // keywords where the grammar expects them); almost always a check whose
            // title lost its quotes.
            d = d.help(format!(
                "to declare a check, put its title in quotes: `check \"{}\" {{ ... }}`",
                c.name.node
            ));
        }
        diags.push(d);
        return None;
    };
    if is_singleton(kind) {
        diags.push(
            Diagnostic::error(
                codes::IMPLICIT_COMPONENT,
                format!("`{}` cannot be declared", c.kind.node),
            )
            .primary(
                c.kind.span,
                format!("every design has one implicit `{}`", kind.name),
            )
            .secondary(kind.span, "defined here")
            .help(format!(
                "remove this item and refer to the implicit node as `{}`",
                kind.name
            )),
        );
        return None;
    }
    let mut decl = ComponentDecl {
        kind: kind.name.clone(),
        kind_span: c.kind.span,
        name: c.name.clone(),
        span: c.span,
        lines: Vec::new(),
    };
    let mut first_use: BTreeMap<&str, Span> = BTreeMap::new();
    let key_names: Vec<&str> = kind.keys.iter().map(|k| k.name.node.as_str()).collect();
    // Keys that an unknown key is probably a typo of: not reported missing as well.
    let mut meant: Vec<String> = Vec::new();
    for line in &c.lines {
        let Some(key) = kind.key(&line.key.node) else {
            let (d, suggestion) = unknown_key(kind, &c.name, line);
            diags.push(d);
            meant.extend(suggestion);
            continue;
        };
        if let Some(first) = first_use.get(line.key.node.as_str()) {
            if !key.repeat {
                diags.push(
                    Diagnostic::error(
                        codes::REPEATED_KEY,
                        format!("key `{}` is given more than once", line.key.node),
                    )
                    .primary(line.span, "given again here")
                    .secondary(*first, "first given here")
                    .note(format!(
                        "a {} takes one `{}` line",
                        kind.name, line.key.node
                    )),
                );
                continue;
            }
        } else {
            first_use.insert(&line.key.node, line.span);
        }
        match match_line(scope, key, line, &key_names) {
            Ok(l) => {
                same_twice(&l, diags);
                decl.lines.push(l);
            }
            Err(errors) => {
                diags.extend(errors);
                // `vnet hub address 10.0.0.0/16`: a missing line break, already
                // reported or hidden behind the first error; do not also call
                // `address` missing.
                meant.extend(line.args.iter().filter_map(|a| match &a.node {
                    ast::ArgValue::Word(w) if key_names.contains(&w.as_str()) => Some(w.clone()),
                    _ => None,
                }));
            }
        }
    }
    // `config "PATH"`: the node's BGP comes from an FRR configuration, so the keys
    // it defines may not also be written here (docs/frr.md).
    let config_line = first_use.get("config").copied();
    if let Some(config) = config_line {
        for line in &decl.lines {
            if CONFIG_KEYS.contains(&line.key.node.as_str()) {
                diags.push(
                    Diagnostic::error(
                        crate::frr::codes::KEY_CONFLICT,
                        format!(
                            "`{}` is defined by the configuration of `{}`",
                            line.key.node, c.name.node
                        ),
                    )
                    .primary(line.span, "also written here")
                    .secondary(
                        config,
                        "the configuration defines the node's BGP and static routes",
                    )
                    .help(format!(
                        "remove this line and say it in the configuration file ({})",
                        config_equivalent(&line.key.node)
                    )),
                );
            }
        }
    }
    for key in &kind.keys {
        if first_use.contains_key(key.name.node.as_str()) || meant.contains(&key.name.node) {
            continue;
        }
        if key.required && !(config_line.is_some() && CONFIG_KEYS.contains(&key.name.node.as_str()))
        {
            diags.push(
                Diagnostic::error(
                    codes::MISSING_KEY,
                    format!(
                        "{} `{}` is missing the required key `{}`",
                        kind.name, c.name.node, key.name.node
                    ),
                )
                .primary(c.name.span, format!("no `{}` line", key.name.node))
                .help(format!("add a line `{}`", show_key(key))),
            );
        } else if let Some(line) = lib
            .defaults
            .get(&(kind.name.clone(), key.name.node.clone()))
        {
            decl.lines.push(line.clone());
        }
    }
    placement(kind, &decl, &first_use, diags);
    Some(decl)
}

/// A kind with `fabric_forwarding` is a VM (and one with `load_balancing` a load
/// balancer's frontend): it sits in exactly one subnet, named by
/// `subnet S`, or by `vnet V` for the VNet's default subnet.
fn placement(
    kind: &KindSchema,
    c: &ComponentDecl,
    given: &BTreeMap<&str, Span>,
    diags: &mut Vec<Diagnostic>,
) {
    if !(kind.has_behaviour("fabric_forwarding") || kind.has_behaviour("load_balancing"))
        || kind.key("subnet").is_none()
        || kind.key("vnet").is_none()
    {
        return;
    }
    match (given.get("subnet"), given.get("vnet")) {
        (None, None) => diags.push(
            Diagnostic::error(
                codes::PLACEMENT,
                format!("{} `{}` is in no subnet", kind.name, c.name.node),
            )
            .primary(c.name.span, "needs `subnet` or `vnet`")
            .help(
                "add `subnet <subnet>`, or `vnet <vnet>` for the VNet's default subnet (no UDRs)",
            ),
        ),
        (Some(s), Some(v)) => diags.push(
            Diagnostic::error(
                codes::PLACEMENT,
                format!(
                    "{} `{}` takes `subnet` or `vnet`, not both",
                    kind.name, c.name.node
                ),
            )
            .primary(*v, "remove this line")
            .secondary(*s, "the subnet already places it in its VNet"),
        ),
        _ => {}
    }
}

pub(crate) fn unknown_kind(scope: &Scope, kind: &ast::Ident) -> Diagnostic {
    let unloaded = scope.unloaded_kinds;
    let k = &kind.node;
    let mut d = Diagnostic::error(codes::UNKNOWN_KIND, format!("unknown kind `{k}`"))
        .primary(kind.span, "not a kind in scope");
    if let Some(m) = unloaded.get(k) {
        return d.help(format!(
            "`{k}` is defined by the `{}` module: add `use {}`",
            m.name(),
            m.name()
        ));
    }
    let declarable: Vec<&str> = scope
        .kinds
        .values()
        .filter(|s| !is_singleton(s))
        .map(|s| s.name.as_str())
        .collect();
    if let Some(s) = did_you_mean(k, declarable.iter().copied()) {
        d = d.help(format!("did you mean `{s}`?"));
    } else if let Some(s) = did_you_mean(k, unloaded.keys().map(String::as_str)) {
        let m = unloaded.get(&s).map(|m| m.name()).unwrap_or("azure");
        d = d.help(format!(
            "did you mean `{s}` (a kind of the `{m}` module: add `use {m}`)?"
        ));
    }
    d.note(format!("kinds in scope: {}", declarable.join(", ")))
}

fn unknown_key(
    kind: &KindSchema,
    name: &ast::Ident,
    line: &ast::Line,
) -> (Diagnostic, Option<String>) {
    let keys: Vec<&str> = kind.keys.iter().map(|k| k.name.node.as_str()).collect();
    let mut d = Diagnostic::error(
        codes::UNKNOWN_KEY,
        format!(
            "unknown key `{}` for {} `{}`",
            line.key.node, kind.name, name.node
        ),
    )
    .primary(line.key.span, format!("not a key of kind `{}`", kind.name));
    let suggestion = did_you_mean(&line.key.node, keys.iter().copied());
    if let Some(s) = &suggestion {
        d = d.help(format!("did you mean `{s}`?"));
    }
    let d = if keys.is_empty() {
        d.note(format!("kind `{}` takes no keys", kind.name))
    } else {
        d.note(format!("kind `{}` takes: {}", kind.name, keys.join(", ")))
    };
    (d, suggestion)
}

/// `between a a`: a line whose positional references name one component twice joins
/// nothing.
fn same_twice(line: &ResolvedLine, diags: &mut Vec<Diagnostic>) {
    let refs: Vec<(&str, Span)> = line
        .positional
        .iter()
        .filter_map(|v| v.node.as_ref_name().map(|n| (n, v.span)))
        .collect();
    for (i, (name, span)) in refs.iter().enumerate() {
        if let Some((_, first)) = refs.iter().take(i).find(|(n, _)| n == name) {
            diags.push(
                Diagnostic::error(
                    codes::SAME_COMPONENT_TWICE,
                    format!("`{}` names `{name}` twice", line.key.node),
                )
                .primary(*span, "named again here")
                .secondary(*first, "first named here")
                .help("name two different components"),
            );
            return;
        }
    }
}
