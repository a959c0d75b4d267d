//! The kinds in scope, read from the standard library's `kind` items, validated.
//!
//! A kind fixes its ASN (`asn N`), switches on built-in behaviours
//! (`behaviour ...`, from [`BEHAVIOURS`] only), defines its keys
//! (`key NAME PATTERN... [repeat] [required] [default VALUE]`) and its implicit
//! sessions (`session ...`, see [`SessionSchema`]). Errors here are bugs in the
//! standard library; `tests/stdlib.rs` asserts there are none.

use super::codes;
use super::names::{Namespace, Scope};
use super::patterns::{is_bool_key, match_default, names_kind, names_node};
use super::suggest::did_you_mean;
use crate::diagnostic::Diagnostic;
use crate::sema::model::{
    KindSchema, ResolvedLine, SessionSchema, SessionSchemaKind, SessionTarget,
};
use crate::span::FileId;
use crate::stdlib::Module;
use crate::syntax::ast::{self, ArgValue, KindLine, PatternElem};
use std::collections::BTreeMap;

/// The built-in behaviours a kind may switch on (documented in docs/semantics.md).
pub const BEHAVIOURS: [&str; 15] = [
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

/// Words a `session` line takes after its target.
const SESSION_OPTIONS: [&str; 6] = [
    "internal",
    "global_reach",
    "implicit",
    "when",
    "import",
    "export",
];

/// What the loaded standard library modules define.
#[derive(Debug, Default)]
pub(crate) struct Library {
    pub kinds: BTreeMap<String, KindSchema>,
    pub kind_modules: BTreeMap<String, Module>,
    /// `(kind, key)` → the line a component gets when it leaves the key out.
    pub defaults: BTreeMap<(String, String), ResolvedLine>,
    pub policies: Vec<(Module, ast::PolicyDef)>,
    pub prefix_lists: Vec<(Module, ast::PrefixListDef)>,
}

pub(crate) fn load(
    stdlib: &[(Module, FileId, ast::SourceFile)],
    diags: &mut Vec<Diagnostic>,
) -> Library {
    let mut lib = Library::default();
    let mut defs: Vec<&ast::KindDef> = Vec::new();
    let mut first_span: BTreeMap<String, crate::span::Span> = BTreeMap::new();
    for (module, _, file) in stdlib {
        for item in &file.items {
            match item {
                ast::Item::Kind(k) => {
                    if let Some(first) = first_span.get(&k.name.node) {
                        diags.push(
                            Diagnostic::error(
                                codes::BAD_KIND,
                                format!("kind `{}` is defined twice", k.name.node),
                            )
                            .primary(k.name.span, "defined again here")
                            .secondary(*first, "first defined here"),
                        );
                        continue;
                    }
                    first_span.insert(k.name.node.clone(), k.name.span);
                    lib.kind_modules.insert(k.name.node.clone(), *module);
                    defs.push(k);
                }
                ast::Item::Policy(p) => lib.policies.push((*module, p.clone())),
                ast::Item::PrefixList(p) => lib.prefix_lists.push((*module, p.clone())),
                ast::Item::Error(_) => {}
                other => diags.push(
                    Diagnostic::error(
                        codes::BAD_KIND,
                        "the standard library may only define kinds, policies and prefix lists",
                    )
                    .primary(other.span(), "not allowed in a standard library module"),
                ),
            }
        }
    }
    for def in &defs {
        let schema = schema(def, diags);
        lib.kinds.insert(schema.name.clone(), schema);
    }
    // Sessions and defaults need every kind (patterns name other kinds).
    let empty = Namespace::default();
    let no_singletons = BTreeMap::new();
    let policy_names: Vec<&str> = lib
        .policies
        .iter()
        .map(|(_, p)| p.name.node.as_str())
        .collect();
    let mut sessions: BTreeMap<String, Vec<SessionSchema>> = BTreeMap::new();
    let mut defaults = BTreeMap::new();
    {
        let scope = Scope {
            kinds: &lib.kinds,
            ns: &empty,
            unloaded_singletons: &no_singletons,
            unloaded_kinds: &no_singletons,
        };
        for def in &defs {
            let Some(kind) = lib.kinds.get(&def.name.node) else {
                continue;
            };
            let mut list = Vec::new();
            for line in &def.lines {
                if let KindLine::Session(s) = line {
                    if let Some(schema) = session(&scope, kind, s, &policy_names, diags) {
                        list.push(schema);
                    }
                }
            }
            sessions.insert(def.name.node.clone(), list);
            for key in &kind.keys {
                match match_default(&scope, key) {
                    Some(Ok(line)) => {
                        defaults.insert((kind.name.clone(), key.name.node.clone()), line);
                    }
                    Some(Err(errors)) => {
                        let d = Diagnostic::error(
                            codes::BAD_KIND,
                            format!(
                                "the default of `{}` does not fit its pattern",
                                key.name.node
                            ),
                        );
                        let d = match &key.default {
                            Some(v) => d.primary(v.span, "this default"),
                            None => d.primary(key.span, "this key"),
                        };
                        diags.push(d);
                        diags.extend(errors);
                    }
                    None => {}
                }
            }
        }
    }
    for (name, list) in sessions {
        if let Some(k) = lib.kinds.get_mut(&name) {
            k.sessions = list;
        }
    }
    lib.defaults = defaults;
    lib
}

/// Everything but the sessions.
fn schema(def: &ast::KindDef, diags: &mut Vec<Diagnostic>) -> KindSchema {
    let mut k = KindSchema {
        name: def.name.node.clone(),
        span: def.name.span,
        asn: None,
        behaviours: Vec::new(),
        keys: Vec::new(),
        sessions: Vec::new(),
    };
    let mut asn_span = None;
    for line in &def.lines {
        match line {
            KindLine::Asn(n) => {
                if let Some(first) = asn_span {
                    diags.push(
                        Diagnostic::error(
                            codes::BAD_KIND,
                            format!("kind `{}` fixes its ASN twice", k.name),
                        )
                        .primary(n.span, "again here")
                        .secondary(first, "first here"),
                    );
                    continue;
                }
                if n.node == 0 {
                    diags.push(
                        Diagnostic::error(codes::ASN_RANGE, "ASN `0` is out of range")
                            .primary(n.span, "not a valid ASN")
                            .note("ASNs are 1..=4294967295"),
                    );
                }
                asn_span = Some(n.span);
                k.asn = Some(n.node);
            }
            KindLine::Behaviour(names) => {
                for b in names {
                    if !BEHAVIOURS.contains(&b.node.as_str()) {
                        let mut d = Diagnostic::error(
                            codes::UNKNOWN_BEHAVIOUR,
                            format!("unknown behaviour `{}`", b.node),
                        )
                        .primary(b.span, "not a built-in behaviour");
                        if let Some(s) = did_you_mean(&b.node, BEHAVIOURS) {
                            d = d.help(format!("did you mean `{s}`?"));
                        }
                        diags.push(d.note(format!(
                            "the built-in behaviours are: {}",
                            BEHAVIOURS.join(", ")
                        )));
                    } else if !k.behaviours.iter().any(|x| x.node == b.node) {
                        k.behaviours.push(b.clone());
                    }
                }
            }
            KindLine::Key(key) => {
                if let Some(first) = k.key(&key.name.node) {
                    diags.push(
                        Diagnostic::error(
                            codes::BAD_KIND,
                            format!("kind `{}` defines key `{}` twice", k.name, key.name.node),
                        )
                        .primary(key.name.span, "defined again here")
                        .secondary(first.name.span, "first defined here"),
                    );
                    continue;
                }
                check_key(key, diags);
                k.keys.push(key.clone());
            }
            KindLine::Session(_) => {}
        }
    }
    if let (Some(span), Some(key)) = (asn_span, k.key("asn")) {
        diags.push(
            Diagnostic::error(
                codes::BAD_KIND,
                format!(
                    "kind `{}` both fixes its ASN and takes an `asn` key",
                    k.name
                ),
            )
            .primary(key.name.span, "an `asn` key")
            .secondary(span, "the fixed ASN"),
        );
    }
    k
}

fn check_key(key: &ast::KeyDef, diags: &mut Vec<Diagnostic>) {
    if key.required && key.default.is_some() {
        diags.push(
            Diagnostic::error(
                codes::BAD_KIND,
                format!("key `{}` is both required and has a default", key.name.node),
            )
            .primary(key.span, "required and defaulted"),
        );
    }
    fn walk(elems: &[PatternElem], key: &ast::KeyDef, diags: &mut Vec<Diagnostic>) {
        for e in elems {
            match e {
                PatternElem::Slot(alts) if alts.node.is_empty() => diags.push(
                    Diagnostic::error(
                        codes::BAD_KIND,
                        format!("empty slot in key `{}`", key.name.node),
                    )
                    .primary(alts.span, "a slot needs at least one type"),
                ),
                PatternElem::Optional(g) if g.node.is_empty() => diags.push(
                    Diagnostic::error(
                        codes::BAD_KIND,
                        format!("empty optional group in key `{}`", key.name.node),
                    )
                    .primary(g.span, "empty"),
                ),
                PatternElem::Optional(g) => walk(&g.node, key, diags),
                _ => {}
            }
        }
    }
    walk(&key.pattern, key, diags);
}

fn word(a: &ast::Arg) -> Option<&str> {
    match &a.node {
        ArgValue::Word(w) => Some(w),
        _ => None,
    }
}

/// Validates one `session` line of `kind`.
fn session(
    scope: &Scope,
    kind: &KindSchema,
    def: &ast::SessionDef,
    policies: &[&str],
    diags: &mut Vec<Diagnostic>,
) -> Option<SessionSchema> {
    let bad = |span, msg: String, label: &str| {
        Diagnostic::error(codes::BAD_SESSION, msg).primary(span, label.to_string())
    };
    let opts = &def.options;
    let mut rest = opts.as_slice();
    let mut ok = true;
    // `session KIND same KEY` / `session KIND by KEY`
    let form = rest
        .first()
        .and_then(word)
        .filter(|w| *w == "same" || *w == "by");
    let target = if let Some(form) = form {
        let other_name = &def.key.node;
        let Some(key_arg) = rest.get(1) else {
            diags.push(bad(
                def.span,
                format!("`session {other_name} {form}` needs a key"),
                "a key is missing",
            ));
            return None;
        };
        let Some(key) = word(key_arg) else {
            diags.push(bad(key_arg.span, "expected a key name".into(), "not a key"));
            return None;
        };
        rest = rest.get(2..).unwrap_or_default();
        let Some(other) = scope.kinds.get(other_name) else {
            diags.push(bad(
                def.key.span,
                format!("unknown kind `{other_name}`"),
                "not a kind in scope",
            ));
            return None;
        };
        let Some(other_key) = other.key(key) else {
            diags.push(bad(
                key_arg.span,
                format!("kind `{other_name}` has no key `{key}`"),
                "unknown key",
            ));
            return None;
        };
        if form == "same" {
            if kind.key(key).is_none() {
                diags.push(bad(
                    key_arg.span,
                    format!("kind `{}` has no key `{key}`", kind.name),
                    "unknown key",
                ));
                return None;
            }
            SessionTarget::Same {
                kind: other_name.clone(),
                key: key.to_string(),
            }
        } else {
            if !names_kind(scope, other_key, &kind.name) {
                diags.push(bad(
                    key_arg.span,
                    format!(
                        "key `{key}` of `{other_name}` cannot name a `{}`",
                        kind.name
                    ),
                    "names no component of this kind",
                ));
                return None;
            }
            SessionTarget::By {
                kind: other_name.clone(),
                key: key.to_string(),
            }
        }
    } else {
        let Some(key) = kind.key(&def.key.node) else {
            let mut d = bad(
                def.key.span,
                format!("kind `{}` has no key `{}`", kind.name, def.key.node),
                "not a key of this kind",
            );
            if scope.kinds.contains_key(&def.key.node) {
                d = d.help(format!(
                    "for sessions with every `{}`, write `same KEY` or `by KEY`",
                    def.key.node
                ));
            }
            diags.push(d);
            return None;
        };
        if !names_node(scope, key) {
            diags.push(bad(
                def.key.span,
                format!("key `{}` names no node", def.key.node),
                "no session to make",
            ));
            return None;
        }
        SessionTarget::Key(def.key.node.clone())
    };
    let mut schema = SessionSchema {
        target,
        kind: SessionSchemaKind::Bgp,
        when: None,
        import: None,
        export: None,
        implicit: false,
        span: def.span,
    };
    let mut seen: BTreeMap<&str, crate::span::Span> = BTreeMap::new();
    let mut i = 0;
    while let Some(arg) = rest.get(i) {
        i += 1;
        let Some(w) = word(arg) else {
            diags.push(bad(
                arg.span,
                "expected a session option".into(),
                "not an option",
            ));
            ok = false;
            continue;
        };
        if let Some(first) = seen.get(w) {
            diags.push(
                bad(
                    arg.span,
                    format!("session option `{w}` is given twice"),
                    "again here",
                )
                .secondary(*first, "first here"),
            );
            ok = false;
        }
        seen.insert(w, arg.span);
        match w {
            "internal" | "global_reach" => {
                if schema.kind != SessionSchemaKind::Bgp {
                    diags.push(bad(
                        arg.span,
                        "a session has one kind".into(),
                        "a second kind",
                    ));
                    ok = false;
                }
                schema.kind = if w == "internal" {
                    SessionSchemaKind::Internal
                } else {
                    SessionSchemaKind::GlobalReach
                };
            }
            "implicit" => schema.implicit = true,
            "when" | "import" | "export" => {
                let Some(value) = rest.get(i).and_then(|a| word(a).map(|v| (v, a.span))) else {
                    diags.push(bad(
                        arg.span,
                        format!("`{w}` needs a name after it"),
                        "missing name",
                    ));
                    ok = false;
                    continue;
                };
                i += 1;
                let (name, span) = value;
                if w == "when" {
                    if !kind.key(name).is_some_and(is_bool_key) {
                        diags.push(bad(
                            span,
                            format!("`{name}` is not a `<bool>` key of `{}`", kind.name),
                            "not a bool key",
                        ));
                        ok = false;
                    }
                    schema.when = Some(name.to_string());
                } else {
                    if !policies.contains(&name) {
                        let mut d = bad(
                            span,
                            format!("unknown policy `{name}`"),
                            "not a standard library policy",
                        );
                        if let Some(s) = did_you_mean(name, policies.iter().copied()) {
                            d = d.help(format!("did you mean `{s}`?"));
                        }
                        diags.push(d);
                        ok = false;
                    }
                    if w == "import" {
                        schema.import = Some(name.to_string());
                    } else {
                        schema.export = Some(name.to_string());
                    }
                }
            }
            other => {
                let mut d = bad(
                    arg.span,
                    format!("unknown session option `{other}`"),
                    "not an option",
                );
                if let Some(s) = did_you_mean(other, SESSION_OPTIONS) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                diags.push(d.note(format!("session options: {}", SESSION_OPTIONS.join(", "))));
                ok = false;
            }
        }
    }
    ok.then_some(schema)
}
