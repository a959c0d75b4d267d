//! The parser never panics, never overflows the stack and stays fast on hostile
//! input: random bytes, random token soups, deep nesting, huge tokens. Every span it
//! produces lies inside the file, on character boundaries, and inside its parent's.
//! Elapsed times are printed (`--nocapture`), never asserted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::syntax::ast::*;
use avscheck::syntax::parse;
use avscheck::{FileId, Span};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use std::time::Instant;

// ---- span validation ---------------------------------------------------------------

struct Checker<'a> {
    text: &'a str,
}

impl Checker<'_> {
    fn ok(&self, s: Span) {
        assert!(s.start <= s.end, "reversed span {s:?}");
        assert!(
            (s.end as usize) <= self.text.len(),
            "span {s:?} past the end ({})",
            self.text.len()
        );
        assert!(
            self.text.is_char_boundary(s.start as usize),
            "span {s:?} start not on a char boundary"
        );
        assert!(
            self.text.is_char_boundary(s.end as usize),
            "span {s:?} end not on a char boundary"
        );
    }
    fn inside(&self, parent: Span, child: Span) {
        self.ok(child);
        assert!(
            parent.contains(child),
            "child {child:?} outside parent {parent:?}"
        );
    }
    fn file(&self, f: &SourceFile) {
        let mut last_end = 0;
        for item in &f.items {
            let s = item.span();
            self.ok(s);
            assert!(
                s.start >= last_end,
                "items overlap or are out of order: {s:?}"
            );
            last_end = s.end;
            self.item(item);
        }
    }
    fn item(&self, item: &Item) {
        let p = item.span();
        match item {
            Item::Use(u) => self.inside(p, u.module.span),
            Item::Component(c) => {
                self.inside(p, c.kind.span);
                self.inside(p, c.name.span);
                for l in &c.lines {
                    self.inside(p, l.span);
                    self.inside(l.span, l.key.span);
                    for a in &l.args {
                        self.inside(l.span, a.span);
                    }
                }
            }
            Item::Policy(pol) => {
                self.inside(p, pol.name.span);
                for r in &pol.rules {
                    self.inside(p, r.span);
                    self.inside(r.span, r.verdict.span);
                    for c in &r.conditions {
                        self.inside(r.span, c.span);
                        match &c.node {
                            ConditionKind::Prefix(m) => self.prefix_match(c.span, m),
                            ConditionKind::PrefixList(n) | ConditionKind::OriginatedBy(n) => {
                                self.inside(c.span, n.span)
                            }
                            ConditionKind::AsPathContains(n) => self.inside(c.span, n.span),
                            ConditionKind::AsPathLength(op, n) => {
                                self.inside(c.span, op.span);
                                self.inside(c.span, n.span);
                            }
                            ConditionKind::Tag(t) => self.inside(c.span, t.span),
                        }
                    }
                    for a in &r.actions {
                        self.inside(r.span, a.span);
                        match &a.node {
                            ActionKind::SetLocalPref(n) | ActionKind::SetMed(n) => {
                                self.inside(a.span, n.span)
                            }
                            ActionKind::Prepend(n, k) => {
                                self.inside(a.span, n.span);
                                if let Some(k) = k {
                                    self.inside(a.span, k.span);
                                }
                            }
                            ActionKind::AddTag(t) | ActionKind::RemoveTag(t) => {
                                self.inside(a.span, t.span)
                            }
                            ActionKind::RemoveAs(v) | ActionKind::ReplaceAs(v) => {
                                for n in v {
                                    self.inside(a.span, n.span);
                                }
                            }
                            ActionKind::SetNextHop(x) => self.inside(a.span, x.span),
                            ActionKind::RemovePrivateAs | ActionKind::SetNextHopSelf => {}
                        }
                    }
                }
            }
            Item::PrefixList(pl) => {
                self.inside(p, pl.name.span);
                for m in &pl.entries {
                    self.prefix_match(p, m);
                }
            }
            Item::Check(c) => {
                self.inside(p, c.title.span);
                for l in &c.lines {
                    match l {
                        CheckLine::Assume(a) => {
                            self.inside(p, a.span);
                            self.inside(a.span, a.node.span);
                            self.inside(a.span, a.within.span);
                        }
                        CheckLine::Property(prop) => {
                            self.inside(p, prop.span);
                            for m in &prop.modifiers {
                                self.inside(prop.span, m.span);
                            }
                            let s = prop.span;
                            match &prop.kind {
                                PropertyKind::Never {
                                    node,
                                    prefix,
                                    via,
                                    originated_by,
                                } => {
                                    self.inside(s, node.span);
                                    self.inside(s, prefix.span);
                                    for n in via.iter().chain(originated_by) {
                                        self.inside(s, n.span);
                                    }
                                }
                                PropertyKind::Reachable {
                                    from,
                                    direction,
                                    to,
                                } => {
                                    self.inside(s, from.span);
                                    self.inside(s, direction.span);
                                    self.inside(s, to.span);
                                }
                                PropertyKind::Traverses { from, to, waypoint }
                                | PropertyKind::Avoids { from, to, waypoint } => {
                                    self.inside(s, from.span);
                                    self.inside(s, to.span);
                                    self.inside(s, waypoint.span);
                                }
                                PropertyKind::Symmetric { a, b } => {
                                    self.inside(s, a.span);
                                    self.inside(s, b.span);
                                }
                                PropertyKind::RouteLimit { node, max } => {
                                    self.inside(s, node.span);
                                    self.inside(s, max.span);
                                }
                                PropertyKind::LoopFree => {}
                            }
                        }
                    }
                }
            }
            Item::Kind(k) => {
                self.inside(p, k.name.span);
                for l in &k.lines {
                    match l {
                        KindLine::Asn(n) => self.inside(p, n.span),
                        KindLine::Behaviour(v) => {
                            for n in v {
                                self.inside(p, n.span);
                            }
                        }
                        KindLine::Key(key) => {
                            self.inside(p, key.span);
                            self.inside(key.span, key.name.span);
                            self.pattern(key.span, &key.pattern);
                            if let Some(d) = &key.default {
                                self.inside(key.span, d.span);
                            }
                        }
                        KindLine::Session(s) => {
                            self.inside(p, s.span);
                            self.inside(s.span, s.key.span);
                            for o in &s.options {
                                self.inside(s.span, o.span);
                            }
                        }
                    }
                }
            }
            Item::Error(_) => {}
        }
    }
    fn prefix_match(&self, parent: Span, m: &PrefixMatch) {
        self.inside(parent, m.span);
        self.inside(m.span, m.prefix.span);
        for n in m.ge.iter().chain(&m.le) {
            self.inside(m.span, n.span);
        }
    }
    /// Iterative, like the parser: patterns may nest 64 deep.
    fn pattern(&self, parent: Span, elems: &[PatternElem]) {
        let mut todo: Vec<(Span, &[PatternElem])> = vec![(parent, elems)];
        while let Some((parent, elems)) = todo.pop() {
            for e in elems {
                match e {
                    PatternElem::Slot(s) => {
                        self.inside(parent, s.span);
                        for n in &s.node {
                            self.inside(s.span, n.span);
                        }
                    }
                    PatternElem::Word(w) => self.inside(parent, w.span),
                    PatternElem::Optional(g) => {
                        self.inside(parent, g.span);
                        todo.push((g.span, &g.node));
                    }
                }
            }
        }
    }
}

/// Parses, validates every span, and returns the number of errors.
fn parse_checked(text: &str) -> usize {
    let (file, errors) = parse(FileId(0), text);
    let c = Checker { text };
    c.file(&file);
    for e in &errors {
        c.ok(e.span);
        for (s, _) in &e.context {
            c.ok(*s);
        }
        assert!(!e.message().is_empty());
    }
    assert!(errors.len() <= 101, "error cap exceeded: {}", errors.len());
    errors.len()
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let r = f();
    eprintln!("{what}: {:?}", t.elapsed());
    r
}

// ---- token soups -------------------------------------------------------------------

const VOCAB: &[&str] = &[
    "router",
    "site",
    "nva",
    "vnet",
    "policy",
    "prefix_list",
    "check",
    "kind",
    "use",
    "azure",
    "permit",
    "deny",
    "prefix",
    "as_path",
    "contains",
    "length",
    "tag",
    "originated_by",
    "set",
    "local_pref",
    "med",
    "next_hop",
    "self",
    "prepend",
    "x2",
    "x",
    "add",
    "remove",
    "remove_private_as",
    "remove_as",
    "replace_as",
    "never",
    "installs",
    "via",
    "reachable",
    "loop_free",
    "path",
    "traverses",
    "avoids",
    "symmetric",
    "routes",
    "assume",
    "advertises",
    "any",
    "within",
    "under",
    "failures",
    "without",
    "asn",
    "behaviour",
    "key",
    "session",
    "repeat",
    "required",
    "default",
    "ge",
    "le",
    "hub/default",
    "internet",
    "r1",
    "fw",
    "{",
    "}",
    "[",
    "]",
    "<",
    ">",
    "|",
    ",",
    ";",
    "\n",
    "\n",
    "\n",
    "->",
    "<->",
    "<=",
    ">=",
    "=",
    "0",
    "1",
    "65001",
    "4294967295",
    "4294967296",
    "99999999999999999999999",
    "10.0.0.0/8",
    "10.1.2.3/16",
    "10.0.0.0/33",
    "10.0.0.1",
    "10.0.0",
    "0.0.0.0/0",
    "65535:65282",
    "65536:1",
    "2001:db8::/32",
    "\"title\"",
    "\"unterminated",
    "# comment",
    "@",
    "é",
    "\t",
];

fn soup(rng: &mut impl Rng, n: usize) -> String {
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(VOCAB[rng.gen_range(0..VOCAB.len())]);
        s.push(if rng.gen_bool(0.8) { ' ' } else { '\n' });
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        parse_checked(&text);
    }

    #[test]
    fn random_token_soups_never_panic(idx in proptest::collection::vec(0..VOCAB.len(), 0..200)) {
        let text: Vec<&str> = idx.iter().map(|i| VOCAB[*i]).collect();
        parse_checked(&text.join(" "));
    }

    /// Mutating a valid design (deleting, duplicating, swapping a token) never panics.
    #[test]
    fn mutated_examples_never_panic(which in 0usize..3, cut in 0usize..4000, len in 0usize..40, ins in 0..VOCAB.len()) {
        let text = EXAMPLES[which];
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) { at -= 1; }
        let mut end = (at + len).min(text.len());
        while !text.is_char_boundary(end) { end -= 1; }
        let mutated = format!("{}{}{}", &text[..at], VOCAB[ins], &text[end..]);
        parse_checked(&mutated);
    }
}

const EXAMPLES: [&str; 3] = [
    include_str!("../examples/default-route.avs"),
    include_str!("../examples/hairpin.avs"),
    include_str!("../examples/two-regions.avs"),
];

// ---- deterministic hostile inputs --------------------------------------------------

#[test]
fn random_bytes_200k() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let bytes: Vec<u8> = (0..200_000).map(|_| rng.gen()).collect();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let n = timed("200 KB random bytes", || parse_checked(&text));
    assert!(n > 0);
    // Printable ASCII noise exercises the parser rather than the lexer.
    let text: String = (0..200_000)
        .map(|_| rng.gen_range(0x20u8..0x7f) as char)
        .collect();
    let n = timed("200 KB random printable ascii", || parse_checked(&text));
    assert!(n > 0);
}

#[test]
fn nested_braces_100k() {
    let open = "{".repeat(100_000);
    assert!(timed("100,000 `{`", || parse_checked(&open)) > 0);
    let inside = format!("router r {open}");
    assert!(timed("router r + 100,000 `{`", || parse_checked(&inside)) > 0);
    let balanced = format!("router r {{ {open}{} }}", "}".repeat(100_000));
    assert!(timed("100,000 balanced braces", || parse_checked(&balanced)) > 0);
    let closers = "}".repeat(100_000);
    assert!(timed("100,000 `}`", || parse_checked(&closers)) > 0);
}

#[test]
fn nested_brackets_100k() {
    let text = format!(
        "kind k {{\n  key a {}{}\n}}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let (_, errors) = timed("100,000 nested optional groups", || parse(FileId(0), &text));
    assert!(
        errors.iter().any(|e| e.kind.code() == "AVS0035"),
        "{errors:?}"
    );
    parse_checked(&text);
    let text = format!("prefix_list p {}", "[".repeat(100_000));
    assert!(parse_checked(&text) > 0);
}

#[test]
fn one_megabyte_number() {
    let number = "9".repeat(1_000_000);
    let text = format!("router r {{\n  asn {number}\n}}\n");
    let (_, errors) = timed("1 MB number", || parse(FileId(0), &text));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind.code(), "AVS0004");
    // The message quotes a snippet, not the megabyte.
    assert!(errors[0].message().len() < 100);
    let ident = "a".repeat(1_000_000);
    let text = format!("router {ident} {{ asn 1 }}");
    assert_eq!(parse_checked(&text), 0);
    let string = format!("check \"{}\" {{ loop_free }}", "s".repeat(1_000_000));
    assert_eq!(parse_checked(&string), 0);
}

#[test]
fn random_tokens_50k() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let text = soup(&mut rng, 50_000);
    let n = timed("50,000 random tokens", || parse_checked(&text));
    assert!(n > 0);
    // Whole pipeline too.
    let a = timed("50,000 random tokens, analyse", || {
        avscheck::analyse("soup.avs", &text)
    });
    assert!(a.has_errors());
}

#[test]
fn ten_megabytes_of_garbage() {
    // Millions of lexical errors: only the first ones are kept, so memory stays bounded.
    let text = "@ ".repeat(5_000_000);
    let n = timed("10 MB of `@ `", || parse_checked(&text));
    assert_eq!(n, 101);
}

#[test]
fn many_errors_are_capped() {
    let text = "router r {\n".to_string() + &"  peer @ x\n".repeat(10_000) + "}\n";
    let n = parse_checked(&text);
    assert_eq!(n, 101);
}

#[test]
fn examples_and_stdlib_have_valid_spans() {
    for text in EXAMPLES {
        assert_eq!(parse_checked(text), 0);
    }
    for m in avscheck::stdlib::Module::ALL {
        assert_eq!(parse_checked(m.source()), 0);
    }
}

/// Inputs that once broke an invariant (found by fuzzing or by hand).
#[test]
fn regressions() {
    let cases: &[&str] = &[
        "",
        "\n\n;;;\n",
        "\"",
        "\"\\",
        "\"\\\n",
        "#",
        "}",
        "]",
        "router",
        "router r",
        "router r {",
        "router r { peer",
        "check",
        "check \"",
        "check \"a\" {",
        "check \"a\" { never",
        "policy p { permit {",
        "policy p { permit { prepend 1 x",
        "prefix_list p [",
        "prefix_list p [10.0.0.0/8 ge",
        "kind k { key a [",
        "kind k { key a <",
        "kind k { key a <b|",
        "kind k { key a ]",
        "use",
        "::",
        ":1",
        "1:",
        "a-",
        "a->b",
        "a/",
        "a/b/c",
        "é",
        "\u{0}",
        "10.0.0.0/",
        "10.0.0.0/99999999999999999999999",
        "x\r\ny",
    ];
    for c in cases {
        parse_checked(c);
        let a = avscheck::analyse("regression.avs", c);
        let _ = a.has_errors();
    }
}
