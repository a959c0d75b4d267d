//! The standard library type-checks: every module parses and resolves with no
//! diagnostic, uses only the documented built-in behaviours, and defines what the
//! language reference promises.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::report::human::render_diagnostics;
use avscheck::sema::model::{Design, SessionTarget};
use avscheck::stdlib::{self, Module};
use avscheck::syntax::ast;
use avscheck::{Diagnostic, SourceMap, Span, Spanned};
use std::collections::BTreeSet;

/// The built-in behaviours (LANGUAGE.md §2.2; docs/semantics.md).
const DOCUMENTED_BEHAVIOURS: [&str; 15] = [
    "owns_originated",
    "multipath",
    "control_plane_only",
    "next_hop_transparent",
    "program_appliance",
    "program_gateway",
    "advertise_vnet",
    "no_transit",
    "gateway_subnet",
    "fabric_forwarding",
    "msee",
    "internet",
    "load_balancing",
    "program_vpn_gateway",
    "leading_private_strip",
];

/// A design that only says `use M` (nothing for `core`, which is implicit).
fn using(sources: &mut SourceMap, m: Module) -> ast::SourceFile {
    let file = sources.add("design.avs", format!("use {}\n", m.name()));
    let mut items = Vec::new();
    if m != Module::Core {
        let name = Spanned::new(m.name().to_string(), Span::new(file, 4, 4 + m.name().len()));
        items.push(ast::Item::Use(ast::UseDecl {
            module: name,
            span: Span::new(file, 0, 4 + m.name().len()),
        }));
    }
    ast::SourceFile { items }
}

fn resolve_module(m: Module) -> (Design, Vec<Diagnostic>, SourceMap, Vec<ast::SourceFile>) {
    let mut sources = SourceMap::new();
    let design = using(&mut sources, m);
    let loaded = stdlib::load(&mut sources, &design);
    let mut diags = loaded.diagnostics.clone();
    let (resolved, more) = avscheck::sema::resolve(&design, &loaded.files);
    diags.extend(more);
    let files = loaded.files.into_iter().map(|(_, _, f)| f).collect();
    (resolved, diags, sources, files)
}

#[test]
fn every_module_resolves_without_diagnostics() {
    for m in Module::ALL {
        let (_, diags, sources, _) = resolve_module(m);
        assert!(
            diags.is_empty(),
            "module `{}`:\n{}",
            m.name(),
            render_diagnostics(&sources, &diags, false)
        );
    }
}

#[test]
fn behaviours_are_the_documented_built_ins() {
    let documented: BTreeSet<&str> = DOCUMENTED_BEHAVIOURS.into_iter().collect();
    let known: BTreeSet<&str> = avscheck::sema::resolve::BEHAVIOURS.into_iter().collect();
    assert_eq!(
        known, documented,
        "the resolver's list of behaviours is the documented one"
    );
    let mut used = BTreeSet::new();
    for m in Module::ALL {
        let (_, _, _, files) = resolve_module(m);
        // Read the behaviour lines from the source, not from the resolver's output
        // (which drops unknown ones).
        for file in &files {
            for item in &file.items {
                let ast::Item::Kind(k) = item else { continue };
                for line in &k.lines {
                    if let ast::KindLine::Behaviour(names) = line {
                        for b in names {
                            assert!(
                                documented.contains(b.node.as_str()),
                                "kind `{}` of `{}` uses the undocumented behaviour `{}`",
                                k.name.node,
                                m.name(),
                                b.node
                            );
                            used.insert(b.node.clone());
                        }
                    }
                }
            }
        }
    }
    // Every built-in is switched on by some kind: none is dead code in the compiler.
    for b in documented {
        assert!(used.contains(b), "no stdlib kind uses the behaviour `{b}`");
    }
}

#[test]
fn modules_define_the_documented_kinds() {
    let (core, ..) = resolve_module(Module::Core);
    let core_kinds: Vec<&str> = core.kinds.keys().map(String::as_str).collect();
    assert_eq!(core_kinds, ["router", "tunnel"]);
    let (azure, ..) = resolve_module(Module::Azure);
    let azure_kinds: BTreeSet<&str> = azure.kinds.keys().map(String::as_str).collect();
    for k in [
        "router",
        "tunnel",
        "vnet",
        "subnet",
        "route_table",
        "route_server",
        "er_gateway",
        "er_circuit",
        "global_reach",
        "nva",
        "avs",
        "site",
        "internet",
    ] {
        assert!(azure_kinds.contains(k), "`use azure` brings no kind `{k}`");
    }
    // LANGUAGE.md §2.2: fixed ASNs.
    assert_eq!(azure.kind("route_server").unwrap().asn, Some(65515));
    assert_eq!(azure.kind("er_gateway").unwrap().asn, Some(65515));
    assert_eq!(azure.kind("er_circuit").unwrap().asn, Some(12076));
    // Nodes are what the language says they are.
    for k in [
        "router",
        "site",
        "nva",
        "avs",
        "route_server",
        "er_gateway",
        "er_circuit",
        "internet",
    ] {
        assert!(azure.kind(k).unwrap().is_node(), "`{k}` is a node");
    }
    for k in ["tunnel", "vnet", "subnet", "route_table", "global_reach"] {
        assert!(!azure.kind(k).unwrap().is_node(), "`{k}` is not a node");
    }
}

#[test]
fn every_session_line_is_kept_and_every_stdlib_policy_is_used_by_one() {
    let (azure, _, _, files) = resolve_module(Module::Azure);
    let mut session_lines = 0;
    for file in &files {
        for item in &file.items {
            if let ast::Item::Kind(k) = item {
                session_lines += k
                    .lines
                    .iter()
                    .filter(|l| matches!(l, ast::KindLine::Session(_)))
                    .count();
            }
        }
    }
    let sessions: usize = azure.kinds.values().map(|k| k.sessions.len()).sum();
    assert_eq!(sessions, session_lines);
    let used: BTreeSet<&str> = azure
        .kinds
        .values()
        .flat_map(|k| &k.sessions)
        .flat_map(|s| s.import.iter().chain(s.export.iter()))
        .map(String::as_str)
        .collect();
    assert!(!azure.policies.is_empty());
    // Applied by lowering rather than by a session line: the import of a gateway with
    // `allow_remote_vnet_traffic true` (compiler/src/sema/lower/sessions.rs).
    let by_lowering = ["gateway_from_remote_vnet"];
    for p in &azure.policies {
        assert!(
            used.contains(p.name.node.as_str()) || by_lowering.contains(&p.name.node.as_str()),
            "stdlib policy `{}` is used by no session",
            p.name.node
        );
    }
    // `session KIND same KEY` / `by KEY` name kinds in scope.
    for k in azure.kinds.values() {
        for s in &k.sessions {
            if let SessionTarget::Same { kind, .. } | SessionTarget::By { kind, .. } = &s.target {
                assert!(
                    azure.kinds.contains_key(kind),
                    "`{}`: session with unknown kind `{kind}`",
                    k.name
                );
            }
        }
    }
}

#[test]
fn defaults_are_filled_in_from_the_kind() {
    let text =
        "use azure\nvnet hub { address 10.0.0.0/16 }\nroute_server ars { vnet hub }\navs a {}\n";
    let a = avscheck::analyse("design.avs", text);
    assert!(
        !a.has_errors(),
        "{}",
        render_diagnostics(&a.sources, &a.diagnostics, false)
    );
    let mut sources = SourceMap::new();
    let file = sources.add("design.avs", text);
    let (ast, errors) = avscheck::syntax::parse(file, text);
    assert!(errors.is_empty());
    let loaded = stdlib::load(&mut sources, &ast);
    let (design, _) = avscheck::sema::resolve(&ast, &loaded.files);
    let ars = design.component("ars").unwrap();
    let b2b = ars.get("branch_to_branch").unwrap();
    assert!(b2b.defaulted);
    assert_eq!(b2b.first().unwrap().node.as_bool(), Some(false));
    assert_eq!(
        ars.get("max_routes_per_peer")
            .unwrap()
            .first()
            .unwrap()
            .node
            .as_int(),
        Some(4000)
    );
    assert!(!ars.get("vnet").unwrap().defaulted);
    let avs = design.component("a").unwrap();
    assert_eq!(
        avs.get("asn").unwrap().first().unwrap().node.as_int(),
        Some(398656)
    );
    // A default is spanned at the key's definition in the stdlib.
    assert_ne!(avs.get("asn").unwrap().span.file, file);
}
