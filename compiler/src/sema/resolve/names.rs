//! The one namespace of a design's items, and the typing of a single argument or
//! name against what a slot expects (`<asn>`, `<node>`, `<vnet|drop>`, ...).
//!
//! Components, policies and prefix lists share one namespace; the standard library's
//! policies and prefix lists (of the modules in use) are in it too, and so is each
//! implicit singleton (the `internet` of `use azure`), so a user item cannot take
//! their names.

use super::codes;
use super::suggest::{article, did_you_mean, join_or};
use crate::diagnostic::Diagnostic;
use crate::sema::model::{KindSchema, Value};
use crate::span::Span;
use crate::stdlib::Module;
use crate::syntax::ast::{self, ArgValue};
use std::collections::BTreeMap;

/// A kind whose single component is implicit (the `internet` behaviour): it cannot
/// be declared, and its name names that component.
pub(crate) fn is_singleton(kind: &KindSchema) -> bool {
    kind.has_behaviour("internet")
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// A component of this kind.
    Component(String),
    Policy,
    PrefixList,
    /// A component whose kind did not resolve (already reported): references to it
    /// are not reported again.
    Broken,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    User,
    Stdlib(Module),
    /// The implicit component of a singleton kind of this module.
    Implicit(Module),
}

#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub kind: EntryKind,
    /// The span of the item's name (of the kind definition for implicit ones).
    pub span: Span,
    pub origin: Origin,
    /// Declared more than once (reported): a reference that does not fit the first
    /// declaration is not reported again.
    pub ambiguous: bool,
}

impl Entry {
    /// `a vnet`, `a policy`, `the implicit `internet` node`.
    pub(crate) fn describe(&self, name: &str) -> String {
        match (&self.kind, self.origin) {
            (_, Origin::Implicit(_)) => format!("the implicit `{name}` node"),
            (EntryKind::Component(k), _) => format!("{} {k}", article(k)),
            (EntryKind::Policy, Origin::Stdlib(m)) => {
                format!("a policy of the `{}` module", m.name())
            }
            (EntryKind::Policy, _) => "a policy".to_string(),
            (EntryKind::PrefixList, Origin::Stdlib(m)) => {
                format!("a prefix list of the `{}` module", m.name())
            }
            (EntryKind::PrefixList, _) => "a prefix list".to_string(),
            (EntryKind::Broken, _) => "a component of an unknown kind".to_string(),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Namespace {
    entries: BTreeMap<String, Entry>,
}

impl Namespace {
    pub(crate) fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.get(name)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &Entry)> {
        self.entries.iter()
    }

    /// Adds an item; a name that is taken is reported (both spans) and the first
    /// declaration is kept.
    pub(crate) fn declare(&mut self, name: &ast::Ident, entry: Entry, diags: &mut Vec<Diagnostic>) {
        let Some(first) = self.entries.get_mut(&name.node) else {
            self.entries.insert(name.node.clone(), entry);
            return;
        };
        first.ambiguous = true;
        let first = &*first;
        let n = &name.node;
        let d = match first.origin {
            Origin::Implicit(m) => {
                Diagnostic::error(codes::RESERVED_NAME, format!("`{n}` is a reserved name"))
                    .primary(name.span, format!("this would hide {}", first.describe(n)))
                    .secondary(first.span, "the implicit node is defined here")
                    .note(format!(
                        "with `use {}`, every design has one implicit `{n}` node",
                        m.name()
                    ))
                    .help("choose another name")
            }
            Origin::Stdlib(m) => {
                Diagnostic::error(codes::DUPLICATE_NAME, format!("duplicate name `{n}`"))
                    .primary(name.span, format!("`{n}` is declared here"))
                    .secondary(
                        first.span,
                        format!("`{n}` is already {}", first.describe(n)),
                    )
                    .help(format!(
                        "choose another name: the names of the `{}` module are reserved",
                        m.name()
                    ))
            }
            Origin::User => {
                let mut d =
                    Diagnostic::error(codes::DUPLICATE_NAME, format!("duplicate name `{n}`"))
                        .primary(name.span, format!("`{n}` is declared again here"))
                        .secondary(first.span, format!("`{n}` is first declared here"));
                if first.kind != entry.kind {
                    d = d.note("components, policies and prefix lists share one namespace");
                }
                d
            }
        };
        diags.push(d);
    }
}

/// What one argument slot accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expect<'k> {
    Asn,
    Int,
    Bool,
    Prefix,
    Address,
    Str,
    /// Any word.
    Name,
    /// A component whose kind is a node (`KindSchema::is_node`), `internet` included.
    Node,
    Policy,
    PrefixList,
    /// A component of this (declarable) kind.
    Kind(&'k str),
    /// This literal word.
    Literal(&'k str),
}

/// Why an argument does not fit a slot.
#[derive(Clone, Debug)]
pub(crate) enum Misfit<'n> {
    /// A word that names no item.
    UnknownName,
    /// A word naming an item of another kind.
    WrongKind(&'n Entry),
    /// A number outside 1..=4294967295 where an ASN is expected.
    AsnRange(u64),
    /// A value of another type.
    Mismatch,
    /// A reference to a component that already failed (reported).
    Broken,
}

/// What a name can resolve against: the kinds in scope and the namespace.
pub(crate) struct Scope<'a> {
    pub kinds: &'a BTreeMap<String, KindSchema>,
    pub ns: &'a Namespace,
    /// Singleton kinds of modules the design does not use, by name (`internet` without
    /// `use azure`), for the "add `use azure`" help.
    pub unloaded_singletons: &'a BTreeMap<String, Module>,
    /// Every kind of the modules the design does not use, by name.
    pub unloaded_kinds: &'a BTreeMap<String, Module>,
}

impl<'a> Scope<'a> {
    /// The meaning of one word of a `<...>` slot in a kind definition.
    pub(crate) fn expect<'k>(&self, word: &'k str) -> Expect<'k> {
        match word {
            "asn" => Expect::Asn,
            "int" => Expect::Int,
            "bool" => Expect::Bool,
            "prefix" => Expect::Prefix,
            "address" => Expect::Address,
            "string" => Expect::Str,
            "name" => Expect::Name,
            "node" => Expect::Node,
            "policy" => Expect::Policy,
            "prefix_list" => Expect::PrefixList,
            k if self.kinds.get(k).is_some_and(|s| !is_singleton(s)) => Expect::Kind(k),
            w => Expect::Literal(w),
        }
    }

    pub(crate) fn expects<'k>(&self, alts: &'k [ast::Ident]) -> Vec<Expect<'k>> {
        alts.iter().map(|a| self.expect(&a.node)).collect()
    }

    pub(crate) fn is_node_kind(&self, kind: &str) -> bool {
        self.kinds.get(kind).is_some_and(KindSchema::is_node)
    }

    /// The value `name` resolves to when it is an item that fits `e`.
    fn entry_fits(&self, name: &str, entry: &Entry, e: Expect) -> Option<Value> {
        let component = |k: &str| Value::Ref {
            name: name.to_string(),
            kind: k.to_string(),
        };
        match (&entry.kind, e) {
            (EntryKind::Component(k), Expect::Node) if self.is_node_kind(k) => Some(component(k)),
            (EntryKind::Component(k), Expect::Kind(want)) if k == want => Some(component(k)),
            (EntryKind::Policy, Expect::Policy) => Some(component("policy")),
            (EntryKind::PrefixList, Expect::PrefixList) => Some(component("prefix_list")),
            _ => None,
        }
    }

    /// Types one argument. Literal words of the slot win over names (`drop` in
    /// `<node|drop>` is the keyword even if a node is called `drop`); otherwise the
    /// alternatives are tried in order.
    pub(crate) fn classify(&self, alts: &[Expect], arg: &ArgValue) -> Result<Value, Misfit<'a>> {
        if let ArgValue::Word(w) = arg {
            if alts.iter().any(|e| *e == Expect::Literal(w)) {
                return Ok(Value::Word(w.clone()));
            }
        }
        let mut asn_range = None;
        for e in alts {
            let v = match (e, arg) {
                (Expect::Asn, ArgValue::Number(n)) if (1..=u64::from(u32::MAX)).contains(n) => {
                    Some(Value::Int(*n))
                }
                (Expect::Asn, ArgValue::Number(n)) => {
                    asn_range = Some(*n);
                    None
                }
                (Expect::Int, ArgValue::Number(n)) => Some(Value::Int(*n)),
                (Expect::Bool, ArgValue::Word(w)) if w == "true" => Some(Value::Bool(true)),
                (Expect::Bool, ArgValue::Word(w)) if w == "false" => Some(Value::Bool(false)),
                (Expect::Prefix, ArgValue::Prefix(p)) => Some(Value::Prefix(*p)),
                (Expect::Address, ArgValue::Address(a)) => Some(Value::Address(*a)),
                (Expect::Str, ArgValue::Str(s)) => Some(Value::Str(s.clone())),
                (Expect::Name, ArgValue::Word(w)) => Some(Value::Word(w.clone())),
                (
                    Expect::Node | Expect::Policy | Expect::PrefixList | Expect::Kind(_),
                    ArgValue::Word(w),
                ) => self
                    .ns
                    .get(w)
                    .and_then(|entry| self.entry_fits(w, entry, *e)),
                _ => None,
            };
            if let Some(v) = v {
                return Ok(v);
            }
        }
        if let ArgValue::Word(w) = arg {
            let wants_ref = alts.iter().any(|e| {
                matches!(
                    e,
                    Expect::Node | Expect::Policy | Expect::PrefixList | Expect::Kind(_)
                )
            });
            if wants_ref {
                return Err(match self.ns.get(w) {
                    None => Misfit::UnknownName,
                    Some(entry) if entry.kind == EntryKind::Broken || entry.ambiguous => {
                        Misfit::Broken
                    }
                    Some(entry) => Misfit::WrongKind(entry),
                });
            }
        }
        Err(match asn_range {
            Some(n) => Misfit::AsnRange(n),
            None => Misfit::Mismatch,
        })
    }

    /// The names (and literal words) that would fit `alts`, sorted.
    pub(crate) fn fitting_names(&self, alts: &[Expect]) -> Vec<String> {
        let mut out: Vec<String> = self
            .ns
            .iter()
            .filter(|(n, entry)| alts.iter().any(|e| self.entry_fits(n, entry, *e).is_some()))
            .map(|(n, _)| n.clone())
            .collect();
        out.extend(alts.iter().filter_map(|e| match e {
            Expect::Literal(w) => Some((*w).to_string()),
            _ => None,
        }));
        out.sort();
        out.dedup();
        out
    }

    /// Turns a misfit into a diagnostic; `None` when it was already reported.
    pub(crate) fn report(
        &self,
        misfit: Misfit,
        alts: &[Expect],
        arg: &ast::Arg,
    ) -> Option<Diagnostic> {
        let expected = describe_all(alts);
        let shown = show_arg(&arg.node);
        let d = match misfit {
            Misfit::Broken => return None,
            Misfit::UnknownName => {
                let mut d =
                    Diagnostic::error(codes::UNKNOWN_NAME, format!("unknown name `{shown}`"))
                        .primary(arg.span, format!("expected {expected}"));
                let fitting = self.fitting_names(alts);
                if let Some(m) = self.unloaded_singletons.get(shown.as_str()) {
                    if alts.contains(&Expect::Node) {
                        d = d.help(format!(
                            "`{shown}` is the implicit node of the `{}` module: add `use {}`",
                            m.name(),
                            m.name()
                        ));
                    }
                } else if let Some((v, "default")) = shown.split_once('/') {
                    d = d.help(format!(
                        "`{shown}` names the default subnet of `{v}` only in checks; here, a component in it says `vnet {v}`"
                    ));
                } else if let Some(s) = did_you_mean(&shown, fitting.iter().map(String::as_str)) {
                    d = d.help(format!("did you mean `{s}`?"));
                } else if !fitting.is_empty() && fitting.len() <= 8 {
                    let names: Vec<String> = fitting.iter().map(|n| format!("`{n}`")).collect();
                    d = d.note(format!("this design has: {}", join_or(&names)));
                }
                d
            }
            Misfit::WrongKind(entry) => Diagnostic::error(
                codes::WRONG_KIND,
                format!(
                    "`{shown}` is {}, expected {expected}",
                    entry.describe(&shown)
                ),
            )
            .primary(arg.span, format!("expected {expected}"))
            .secondary(entry.span, format!("`{shown}` is declared here")),
            Misfit::AsnRange(n) => {
                Diagnostic::error(codes::ASN_RANGE, format!("ASN `{n}` is out of range"))
                    .primary(arg.span, "not a valid ASN")
                    .note("ASNs are 1..=4294967295")
            }
            Misfit::Mismatch => {
                let d = Diagnostic::error(
                    codes::WRONG_TYPE,
                    format!("expected {expected}, found `{shown}`"),
                )
                .primary(arg.span, format!("expected {expected}"));
                match &arg.node {
                    ArgValue::Address(a) if alts.contains(&Expect::Prefix) => {
                        d.help(format!("a single address as a prefix is `{a}/32`"))
                    }
                    ArgValue::Prefix(p) if alts.contains(&Expect::Address) => {
                        d.help(format!("an address has no length: `{}`", p.addr()))
                    }
                    _ => d,
                }
            }
        };
        Some(d)
    }

    /// Resolves a name written outside a component line (a policy condition, a check):
    /// reports and returns `None` when it does not fit.
    pub(crate) fn name(
        &self,
        ident: &ast::Ident,
        alts: &[Expect],
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Value> {
        let arg = ast::Arg::new(ArgValue::Word(ident.node.clone()), ident.span);
        match self.classify(alts, &arg.node) {
            Ok(v) => Some(v),
            Err(m) => {
                diags.extend(self.report(m, alts, &arg));
                None
            }
        }
    }
}

/// `an ASN`, `a node or `drop``.
pub(crate) fn describe_all(alts: &[Expect]) -> String {
    let items: Vec<String> = alts.iter().map(|e| describe(*e)).collect();
    join_or(&items)
}

pub(crate) fn describe(e: Expect) -> String {
    match e {
        Expect::Asn => "an ASN".into(),
        Expect::Int => "a number".into(),
        Expect::Bool => "`true` or `false`".into(),
        Expect::Prefix => "a prefix".into(),
        Expect::Address => "an address".into(),
        Expect::Str => "a string".into(),
        Expect::Name => "a name".into(),
        Expect::Node => "a node".into(),
        Expect::Policy => "a policy".into(),
        Expect::PrefixList => "a prefix list".into(),
        Expect::Kind(k) => format!("{} {k}", article(k)),
        Expect::Literal(w) => format!("`{w}`"),
    }
}

/// An argument as the user wrote it.
pub(crate) fn show_arg(a: &ArgValue) -> String {
    match a {
        ArgValue::Word(w) => w.clone(),
        ArgValue::Number(n) => n.to_string(),
        ArgValue::Prefix(p) => p.to_string(),
        ArgValue::Address(a) => a.to_string(),
        ArgValue::Community(x, y) => format!("{x}:{y}"),
        ArgValue::Str(s) => format!("\"{s}\""),
    }
}
