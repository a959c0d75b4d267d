//! Matching a component line (`key arg...`) against its key's pattern.
//!
//! A pattern is a sequence of slots (`<t1|t2>`: one argument), literal words and
//! optional groups (`[ ... ]`). A slot right after a literal word is an option named
//! by the word (`over <tunnel>` → `options["over"]`); other slots are positional; a
//! literal word with no slot after it is a flag (`allowas_in`).
//!
//! A run of consecutive optional groups that each start with a distinct literal word
//! may be written in any order, each at most once
//! (`peer fw export out import in` = `peer fw import in export out`): the words say
//! which group is meant, and a network engineer does not remember the order.

use super::codes;
use super::names::{describe_all, show_arg, Expect, Scope};
use super::suggest::did_you_mean;
use crate::diagnostic::Diagnostic;
use crate::sema::model::{ResolvedLine, Value};
use crate::span::{Span, Spanned};
use crate::syntax::ast::{self, ArgValue, KeyDef, PatternElem};
use std::collections::{BTreeMap, BTreeSet};

/// Renders a key's definition as users write the line: `static <prefix> next_hop <node|drop>`.
pub(crate) fn show_key(key: &KeyDef) -> String {
    let mut s = key.name.node.clone();
    for e in &key.pattern {
        s.push(' ');
        s.push_str(&show_elem(e));
    }
    s
}

fn show_elem(e: &PatternElem) -> String {
    match e {
        PatternElem::Slot(alts) => {
            let names: Vec<&str> = alts.node.iter().map(|a| a.node.as_str()).collect();
            format!("<{}>", names.join("|"))
        }
        PatternElem::Word(w) => w.node.clone(),
        PatternElem::Optional(group) => {
            let inner: Vec<String> = group.node.iter().map(show_elem).collect();
            format!("[{}]", inner.join(" "))
        }
    }
}

/// Every literal word of a pattern, nested ones included.
fn pattern_words(elems: &[PatternElem], out: &mut Vec<String>) {
    for e in elems {
        match e {
            PatternElem::Word(w) => out.push(w.node.clone()),
            PatternElem::Optional(g) => pattern_words(&g.node, out),
            PatternElem::Slot(_) => {}
        }
    }
}

fn leading_word(group: &[PatternElem]) -> Option<&str> {
    match group.first() {
        Some(PatternElem::Word(w)) => Some(&w.node),
        _ => None,
    }
}

/// The matching of one line; errors are reported once, and the match stops at the
/// first one.
struct Matcher<'s, 'a> {
    scope: &'s Scope<'a>,
    key: &'s KeyDef,
    line_key: &'s ast::Ident,
    args: &'s [ast::Arg],
    line_span: Span,
    /// The other keys of the kind (a leftover word that is one: a missing `;`).
    sibling_keys: &'s [&'s str],
    pos: usize,
    positional: Vec<Spanned<Value>>,
    options: BTreeMap<String, Spanned<Value>>,
    flags: BTreeMap<String, Span>,
    /// Leading words of the optional groups matched so far, with where.
    used: BTreeMap<String, Span>,
    diags: Vec<Diagnostic>,
}

/// Matches `line` against `key`; `None` (with diagnostics) when it does not fit.
pub(crate) fn match_line(
    scope: &Scope,
    key: &KeyDef,
    line: &ast::Line,
    sibling_keys: &[&str],
) -> Result<ResolvedLine, Vec<Diagnostic>> {
    run(
        scope,
        key,
        &line.key,
        &line.args,
        line.span,
        false,
        sibling_keys,
    )
}

/// Matches a key's `default VALUE` against its own pattern: the line the kind fills
/// in when a component leaves the key out (spanned at the key's definition).
pub(crate) fn match_default(
    scope: &Scope,
    key: &KeyDef,
) -> Option<Result<ResolvedLine, Vec<Diagnostic>>> {
    let value = key.default.as_ref()?;
    Some(run(
        scope,
        key,
        &key.name,
        std::slice::from_ref(value),
        key.span,
        true,
        &[],
    ))
}

fn run(
    scope: &Scope,
    key: &KeyDef,
    line_key: &ast::Ident,
    args: &[ast::Arg],
    line_span: Span,
    defaulted: bool,
    sibling_keys: &[&str],
) -> Result<ResolvedLine, Vec<Diagnostic>> {
    let mut m = Matcher {
        scope,
        key,
        line_key,
        args,
        line_span,
        sibling_keys,
        pos: 0,
        positional: Vec::new(),
        options: BTreeMap::new(),
        flags: BTreeMap::new(),
        used: BTreeMap::new(),
        diags: Vec::new(),
    };
    let matched = m.seq(&key.pattern).is_some() && m.leftover().is_some();
    if !matched {
        return Err(m.diags);
    }
    Ok(ResolvedLine {
        key: line_key.clone(),
        positional: m.positional,
        options: m.options,
        flags: m.flags,
        span: line_span,
        defaulted,
    })
}

impl Matcher<'_, '_> {
    fn form(&self) -> String {
        format!("`{}` takes: {}", self.key.name.node, show_key(self.key))
    }

    /// Matches a sequence; `None` after reporting an error.
    fn seq(&mut self, elems: &[PatternElem]) -> Option<()> {
        let mut i = 0;
        let mut option_word: Option<&str> = None;
        while let Some(e) = elems.get(i) {
            match e {
                PatternElem::Slot(alts) => {
                    let v = self.slot(&alts.node, option_word)?;
                    match option_word.take() {
                        Some(w) => {
                            self.options.insert(w.to_string(), v);
                        }
                        None => self.positional.push(v),
                    }
                    i += 1;
                }
                PatternElem::Word(w) => {
                    let span = self.word(&w.node)?;
                    if matches!(elems.get(i + 1), Some(PatternElem::Slot(_))) {
                        option_word = Some(&w.node);
                    } else {
                        self.flags.insert(w.node.clone(), span);
                    }
                    i += 1;
                }
                PatternElem::Optional(_) => {
                    let start = i;
                    while matches!(elems.get(i), Some(PatternElem::Optional(_))) {
                        i += 1;
                    }
                    let run: Vec<&[PatternElem]> = elems
                        .get(start..i)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|e| match e {
                            PatternElem::Optional(g) => Some(g.node.as_slice()),
                            _ => None,
                        })
                        .collect();
                    self.optional_run(&run)?;
                    option_word = None;
                }
            }
        }
        Some(())
    }

    fn optional_run(&mut self, groups: &[&[PatternElem]]) -> Option<()> {
        let mut done: BTreeSet<usize> = BTreeSet::new();
        while let Some(arg) = self.args.get(self.pos) {
            let by_word = match &arg.node {
                ArgValue::Word(w) => groups
                    .iter()
                    .enumerate()
                    .find(|(j, g)| !done.contains(j) && leading_word(g) == Some(w.as_str())),
                _ => None,
            };
            let chosen = by_word.or_else(|| {
                // A group that starts with a slot is taken when the argument fits it.
                groups.iter().enumerate().find(|(j, g)| {
                    !done.contains(j)
                        && match g.first() {
                            Some(PatternElem::Slot(alts)) => {
                                let expects = self.scope.expects(&alts.node);
                                self.scope.classify(&expects, &arg.node).is_ok()
                            }
                            _ => false,
                        }
                })
            });
            let Some((j, group)) = chosen else { break };
            done.insert(j);
            if let (Some(w), ArgValue::Word(_)) = (leading_word(group), &arg.node) {
                self.used.insert(w.to_string(), arg.span);
            }
            self.seq(group)?;
        }
        Some(())
    }

    fn slot(&mut self, alts: &[ast::Ident], after: Option<&str>) -> Option<Spanned<Value>> {
        let expects = self.scope.expects(alts);
        let Some(arg) = self.args.get(self.pos) else {
            self.missing(&describe_all(&expects), after);
            return None;
        };
        match self.scope.classify(&expects, &arg.node) {
            Ok(v) => {
                self.pos += 1;
                Some(Spanned::new(v, arg.span))
            }
            Err(misfit) => {
                let mismatch = matches!(misfit, super::names::Misfit::Mismatch);
                if let Some(mut d) = self.scope.report(misfit, &expects, arg) {
                    if mismatch {
                        d = d.help(self.form());
                    }
                    self.diags.push(d);
                }
                None
            }
        }
    }

    /// A required literal word.
    fn word(&mut self, w: &str) -> Option<Span> {
        let Some(arg) = self.args.get(self.pos) else {
            self.missing(&format!("`{w}`"), None);
            return None;
        };
        if arg.node == ArgValue::Word(w.to_string()) {
            self.pos += 1;
            return Some(arg.span);
        }
        let shown = show_arg(&arg.node);
        let mut d = Diagnostic::error(
            codes::WRONG_TYPE,
            format!("expected `{w}`, found `{shown}`"),
        )
        .primary(arg.span, format!("expected `{w}`"));
        d = d.help(self.form());
        self.diags.push(d);
        None
    }

    fn missing(&mut self, what: &str, after: Option<&str>) {
        let key = &self.line_key.node;
        let end = Span {
            start: self.line_span.end,
            ..self.line_span
        };
        let label = match after {
            Some(w) => format!("expected {what} after `{w}`"),
            None => format!("expected {what}"),
        };
        let at = self
            .args
            .last()
            .map(|a| a.span)
            .unwrap_or(self.line_key.span);
        let d = Diagnostic::error(
            codes::MISSING_ARGUMENT,
            format!("missing argument for `{key}`"),
        )
        .primary(at.to(end), label)
        .help(self.form());
        self.diags.push(d);
    }

    /// Arguments past the end of the pattern.
    fn leftover(&mut self) -> Option<()> {
        let rest = self.args.get(self.pos..).unwrap_or_default();
        let (Some(first), Some(last)) = (rest.first(), rest.last()) else {
            return Some(());
        };
        let shown = show_arg(&first.node);
        let d = if let (ArgValue::Word(w), Some(earlier)) =
            (&first.node, self.used.get(&show_arg(&first.node)))
        {
            Diagnostic::error(codes::EXTRA_ARGUMENT, format!("`{w}` is given twice"))
                .primary(first.span, "given again here")
                .secondary(*earlier, "first given here")
        } else {
            let mut words = Vec::new();
            pattern_words(&self.key.pattern, &mut words);
            let suggestion = match &first.node {
                ArgValue::Word(w) => did_you_mean(w, words.iter().map(String::as_str)),
                _ => None,
            };
            let mut d = Diagnostic::error(
                codes::EXTRA_ARGUMENT,
                format!("unexpected argument `{shown}`"),
            )
            .primary(
                first.span.to(last.span),
                format!("`{}` takes no more arguments here", self.line_key.node),
            );
            if let Some(s) = suggestion {
                d = d.help(format!("did you mean `{s}`?"));
            } else if let ArgValue::Word(w) = &first.node {
                if self.sibling_keys.contains(&w.as_str()) {
                    d = d.help(format!(
                        "`{w}` is a key of its own: end the line before it with a newline or `;`"
                    ));
                }
            }
            d.help(self.form())
        };
        self.diags.push(d);
        None
    }
}

/// True when the pattern's first slot can hold a reference to a node (the slot a
/// `session KEY` line follows).
pub(crate) fn names_node(scope: &Scope, key: &KeyDef) -> bool {
    key.pattern.iter().any(|e| match e {
        PatternElem::Slot(alts) => scope.expects(&alts.node).iter().any(|x| match x {
            Expect::Node => true,
            Expect::Kind(k) => scope.is_node_kind(k),
            _ => false,
        }),
        _ => false,
    })
}

/// True when a slot of the key can name a component of `kind`.
pub(crate) fn names_kind(scope: &Scope, key: &KeyDef, kind: &str) -> bool {
    key.pattern.iter().any(|e| match e {
        PatternElem::Slot(alts) => scope.expects(&alts.node).iter().any(|x| match x {
            Expect::Node => scope.is_node_kind(kind),
            Expect::Kind(k) => *k == kind,
            _ => false,
        }),
        _ => false,
    })
}

/// True when the key takes exactly one `<bool>` (a `when` condition of a session).
pub(crate) fn is_bool_key(key: &KeyDef) -> bool {
    matches!(key.pattern.as_slice(), [PatternElem::Slot(alts)] if alts.node.iter().map(|a| a.node.as_str()).eq(["bool"]))
}
