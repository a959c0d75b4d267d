//! Name resolution and validation against kind definitions (LANGUAGE.md §2–§3).
//!
//! ```text
//! use lines        → modules (`core` is implicit)            AVS0100
//! stdlib files     → kinds (keys, behaviours, sessions),     AVS0102–AVS0104  (kinds.rs)
//!                    stdlib policies and prefix lists
//! user items       → one namespace (duplicates, reserved)    AVS0101, AVS0110–AVS0112  (names.rs)
//! components       → lines matched against their keys        AVS0120–AVS0132  (components.rs, patterns.rs)
//! policies, lists  → names, ASNs, ge/le, prepend counts      AVS0140–AVS0141  (policies.rs)
//! address plan     → subnets in VNets, VM addresses, peering AVS0160–AVS0166  (addresses.rs)
//! checks           → endpoints, nodes, modifiers             AVS0150–AVS0153  (checks.rs)
//! lints            → reserved ASNs, unused items, shadowed   AVS0200–AVS0213  (sema::lints)
//! ```
//!
//! Kinds come from the standard library only: a `kind` item in a design is an error
//! (AVS0101). The result is a [`Design`] whose lines are typed and whose references
//! are known to exist with the right kind; defaults are filled in.

mod addresses;
mod checks;
pub(crate) mod codes;
mod components;
mod kinds;
mod names;
mod patterns;
mod policies;
mod suggest;

pub use checks::MAX_FAILURES;
pub use kinds::BEHAVIOURS;
pub(crate) use suggest::{article, did_you_mean};

use super::lints;
use super::model::Design;
use crate::diagnostic::Diagnostic;
use crate::span::FileId;
use crate::stdlib::Module;
use crate::syntax::{self, ast};
use names::{is_singleton, Entry, EntryKind, Namespace, Origin, Scope};
use std::collections::BTreeMap;

/// Resolves the user's file against the loaded stdlib modules.
pub fn resolve(
    user: &ast::SourceFile,
    stdlib: &[(Module, FileId, ast::SourceFile)],
) -> (Design, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut design = Design::default();
    for item in &user.items {
        if let ast::Item::Use(u) = item {
            if Module::by_name(&u.module.node).is_some() {
                design.uses.push(u.module.clone());
            } else {
                diags.push(unknown_module(&u.module));
            }
        }
    }

    let lib = kinds::load(stdlib, &mut diags);
    let loaded: Vec<Module> = stdlib.iter().map(|(m, _, _)| *m).collect();
    let (unloaded_kinds, unloaded_singletons) = unloaded_modules(&loaded);

    // The namespace: the stdlib's items first, then the user's.
    let mut ns = Namespace::default();
    for (m, p) in &lib.policies {
        ns.declare(
            &p.name,
            stdlib_entry(EntryKind::Policy, p.name.span, *m),
            &mut diags,
        );
    }
    for (m, p) in &lib.prefix_lists {
        ns.declare(
            &p.name,
            stdlib_entry(EntryKind::PrefixList, p.name.span, *m),
            &mut diags,
        );
    }
    let stdlib_ns = ns.clone();
    for kind in lib.kinds.values().filter(|k| is_singleton(k)) {
        let module = lib
            .kind_modules
            .get(&kind.name)
            .copied()
            .unwrap_or(Module::Core);
        let entry = Entry {
            kind: EntryKind::Component(kind.name.clone()),
            span: kind.span,
            origin: Origin::Implicit(module),
            ambiguous: false,
        };
        ns.declare(
            &ast::Ident::new(kind.name.clone(), kind.span),
            entry,
            &mut diags,
        );
    }
    let mut titles: BTreeMap<&str, crate::Span> = BTreeMap::new();
    for item in &user.items {
        let (name, kind) = match item {
            ast::Item::Component(c) => {
                let kind = match lib.kinds.get(&c.kind.node) {
                    Some(k) if !is_singleton(k) => EntryKind::Component(k.name.clone()),
                    _ => EntryKind::Broken,
                };
                (&c.name, kind)
            }
            ast::Item::Policy(p) => (&p.name, EntryKind::Policy),
            ast::Item::PrefixList(p) => (&p.name, EntryKind::PrefixList),
            ast::Item::Kind(k) => {
                diags.push(
                    Diagnostic::error(codes::KIND_IN_DESIGN, "kinds are defined by the standard library")
                        .primary(k.span, "a design cannot define a kind")
                        .help("use the kinds of the standard library (`router`, `tunnel`, and those of `use azure`)"),
                );
                continue;
            }
            ast::Item::Check(c) => {
                if let Some(first) = titles.get(c.title.node.as_str()) {
                    diags.push(
                        Diagnostic::warning(codes::DUPLICATE_CHECK, format!("two checks are titled \"{}\"", c.title.node))
                            .primary(c.title.span, "the same title again")
                            .secondary(*first, "first used here")
                            .help("give each check its own title, so `--check TITLE` and reports can tell them apart"),
                    );
                } else {
                    titles.insert(&c.title.node, c.title.span);
                }
                continue;
            }
            ast::Item::Use(_) | ast::Item::Error(_) => continue,
        };
        let entry = Entry {
            kind,
            span: name.span,
            origin: Origin::User,
            ambiguous: false,
        };
        ns.declare(name, entry, &mut diags);
    }

    let scope = Scope {
        kinds: &lib.kinds,
        ns: &ns,
        unloaded_singletons: &unloaded_singletons,
        unloaded_kinds: &unloaded_kinds,
    };
    let stdlib_scope = Scope {
        kinds: &lib.kinds,
        ns: &stdlib_ns,
        unloaded_singletons: &unloaded_singletons,
        unloaded_kinds: &unloaded_kinds,
    };
    for (_, p) in &lib.prefix_lists {
        policies::prefix_list(p, &mut diags);
        design.prefix_lists.push(p.clone());
    }
    for (_, p) in &lib.policies {
        policies::policy(&stdlib_scope, p, &mut diags);
        design.policies.push(p.clone());
    }
    for item in &user.items {
        match item {
            ast::Item::Component(c) => {
                if let Some(decl) = components::component(&scope, &lib, c, &mut diags) {
                    design.components.push(decl);
                }
            }
            ast::Item::Policy(p) => {
                policies::policy(&scope, p, &mut diags);
                design.policies.push(p.clone());
            }
            ast::Item::PrefixList(p) => {
                policies::prefix_list(p, &mut diags);
                design.prefix_lists.push(p.clone());
            }
            ast::Item::Check(c) => {
                checks::check(&scope, c, &mut diags);
                design.checks.push(c.clone());
            }
            ast::Item::Use(_) | ast::Item::Kind(_) | ast::Item::Error(_) => {}
        }
    }
    design.kinds = lib.kinds;
    checks::failure_targets(&design, &mut diags);
    diags.extend(addresses::check(&design));

    let stdlib_files: Vec<FileId> = stdlib.iter().map(|(_, f, _)| *f).collect();
    // An item that did not parse may hold the only use of a policy: no "unused"
    // warnings then, as after a resolution error.
    let parsed = !user.items.iter().any(|i| matches!(i, ast::Item::Error(_)));
    let clean = parsed && !diags.iter().any(Diagnostic::is_error);
    diags.extend(lints::lints(&design, &stdlib_files, clean));
    (design, diags)
}

fn stdlib_entry(kind: EntryKind, span: crate::Span, m: Module) -> Entry {
    Entry {
        kind,
        span,
        origin: Origin::Stdlib(m),
        ambiguous: false,
    }
}

fn unknown_module(module: &ast::Ident) -> Diagnostic {
    let available: Vec<&str> = Module::ALL
        .iter()
        .filter(|m| **m != Module::Core)
        .map(|m| m.name())
        .collect();
    let mut d = Diagnostic::error(
        codes::UNKNOWN_MODULE,
        format!("unknown module `{}`", module.node),
    )
    .primary(module.span, "not a standard library module");
    if let Some(s) = did_you_mean(&module.node, available.iter().copied()) {
        d = d.help(format!("did you mean `{s}`?"));
    }
    d.note(format!("available modules: {}", available.join(", ")))
}

/// The kinds of the modules a design does not use (for "add `use azure`"), and among
/// them the singletons (`internet`).
fn unloaded_modules(loaded: &[Module]) -> (BTreeMap<String, Module>, BTreeMap<String, Module>) {
    let mut kinds = BTreeMap::new();
    let mut singletons = BTreeMap::new();
    for m in Module::ALL.into_iter().filter(|m| !loaded.contains(m)) {
        // Only the names matter: the file id is never shown.
        let (file, _) = syntax::parse(FileId(u32::MAX), m.source());
        for item in &file.items {
            if let ast::Item::Kind(k) = item {
                kinds.insert(k.name.node.clone(), m);
                let singleton = k.lines.iter().any(|l| match l {
                    ast::KindLine::Behaviour(bs) => bs.iter().any(|b| b.node == "internet"),
                    _ => false,
                });
                if singleton {
                    singletons.insert(k.name.node.clone(), m);
                }
            }
        }
    }
    (kinds, singletons)
}

#[cfg(test)]
mod tests;
