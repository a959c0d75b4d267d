//! The VS Code extension's TextMate grammar (`editors/vscode/syntaxes/avs.tmLanguage.json`)
//! tokenizes every example, every broken example and the stdlib: each token class
//! appears, no character outside whitespace is left without a token scope, every stdlib
//! kind is highlighted as a kind, and nested policy blocks close where they should.
//!
//! The tokenizer here follows TextMate's rules closely enough for this grammar: one
//! line at a time, a stack of `begin`/`end` contexts, at each position the earliest
//! match wins (the context's `end` first, then patterns in order), `include`s resolved
//! through the repository. Regexes are compiled with `fancy-regex` (Oniguruma-like
//! look-around).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::needless_range_loop
)]

use fancy_regex::Regex;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

struct Grammar {
    json: Value,
    cache: std::cell::RefCell<BTreeMap<String, Regex>>,
}

/// A scope per byte of a line: the names of the open contexts and of the token.
type LineScopes = Vec<Vec<String>>;

impl Grammar {
    fn load() -> Grammar {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("editors/vscode/syntaxes/avs.tmLanguage.json");
        let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(json["scopeName"], "source.avs");
        Grammar {
            json,
            cache: Default::default(),
        }
    }

    fn regex(&self, pat: &str) -> Regex {
        self.cache
            .borrow_mut()
            .entry(pat.to_string())
            .or_insert_with(|| Regex::new(pat).unwrap_or_else(|e| panic!("{pat}: {e}")))
            .clone()
    }

    /// The patterns of a rule list with `include`s resolved.
    fn expand<'a>(&'a self, patterns: &'a Value, out: &mut Vec<&'a Value>) {
        for p in patterns.as_array().unwrap() {
            if let Some(inc) = p["include"].as_str() {
                let target = if inc == "$self" {
                    &self.json
                } else {
                    let name = inc.strip_prefix('#').unwrap();
                    let r = &self.json["repository"][name];
                    assert!(!r.is_null(), "include {inc} is not in the repository");
                    r
                };
                if target.get("match").is_some() || target.get("begin").is_some() {
                    out.push(target);
                } else {
                    self.expand(&target["patterns"], out);
                }
            } else if p.get("match").is_some() || p.get("begin").is_some() {
                out.push(p);
            } else {
                self.expand(&p["patterns"], out);
            }
        }
    }

    /// Tokenizes a whole file; returns per line the scopes of every byte.
    fn tokenize(&self, text: &str) -> Vec<(String, LineScopes)> {
        let mut stack: Vec<&Value> = vec![&self.json];
        let mut out = Vec::new();
        for line in text.lines() {
            let mut scopes: LineScopes = vec![Vec::new(); line.len()];
            let mut pos = 0;
            let mut guard = 0;
            while pos <= line.len() {
                guard += 1;
                assert!(guard < 10_000, "no progress on {line:?}");
                let ctx = *stack.last().unwrap();
                let mut pats = Vec::new();
                self.expand(&ctx["patterns"], &mut pats);
                // (start, end, captures, rule, is_end)
                let mut best: Option<(usize, _, Option<&Value>)> = None;
                if let Some(end) = ctx["end"].as_str() {
                    if let Some(c) = self.regex(end).captures_from_pos(line, pos).unwrap() {
                        let s = c.get(0).unwrap().start();
                        best = Some((s, c, None));
                    }
                }
                for p in pats {
                    let re = p["match"].as_str().or(p["begin"].as_str()).unwrap();
                    if let Some(c) = self.regex(re).captures_from_pos(line, pos).unwrap() {
                        let s = c.get(0).unwrap().start();
                        if best.as_ref().is_none_or(|b| s < b.0) {
                            best = Some((s, c, Some(p)));
                        }
                    }
                }
                let Some((s, caps, rule)) = best else { break };
                let e = caps.get(0).unwrap().end();
                let open: Vec<String> = stack
                    .iter()
                    .filter_map(|c| c["name"].as_str().map(str::to_string))
                    .filter(|n| n != "avs")
                    .collect();
                for b in pos..s.min(line.len()) {
                    scopes[b].extend(open.iter().cloned());
                }
                for b in s..e.min(line.len()) {
                    scopes[b].extend(open.iter().cloned());
                }
                let mut mark = |from: usize, to: usize, name: &str| {
                    for b in from..to.min(line.len()) {
                        scopes[b].push(name.to_string());
                    }
                };
                let captures_key = match rule {
                    None => "endCaptures",
                    Some(r) if r.get("begin").is_some() => "beginCaptures",
                    Some(_) => "captures",
                };
                let caps_rule = rule.unwrap_or(ctx);
                if let Some(n) = rule.and_then(|r| r["name"].as_str()) {
                    mark(s, e, n);
                }
                if let Some(map) = caps_rule[captures_key].as_object() {
                    for (i, v) in map {
                        let i: usize = i.parse().unwrap();
                        if let (Some(m), Some(n)) = (caps.get(i), v["name"].as_str()) {
                            mark(m.start(), m.end(), n);
                        }
                    }
                }
                match rule {
                    None => {
                        stack.pop();
                    }
                    Some(r) if r.get("begin").is_some() => stack.push(r),
                    Some(_) => {}
                }
                pos = if e > pos { e } else { pos + 1 };
            }
            // The rest of the line lies inside the open contexts.
            let open: Vec<String> = stack
                .iter()
                .filter_map(|c| c["name"].as_str().map(str::to_string))
                .collect();
            for b in pos.min(line.len())..line.len() {
                scopes[b].extend(open.iter().cloned());
            }
            // A string or comment never continues on the next line.
            stack.retain(|c| {
                !c["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("string.") || n.starts_with("comment."))
            });
            out.push((line.to_string(), scopes));
        }
        out
    }
}

fn avs_files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "avs"))
        .collect();
    v.sort();
    v
}

/// A token scope: not the file's or a block's (`meta.*`).
fn is_token_scope(s: &str) -> bool {
    !s.starts_with("meta.") && !s.starts_with("source.")
}

/// The innermost token scope of each byte, asserting there is one outside whitespace.
fn check_covered(name: &str, lines: &[(String, LineScopes)], seen: &mut BTreeSet<String>) {
    for (no, (line, scopes)) in lines.iter().enumerate() {
        for (b, ch) in line.char_indices() {
            let token: Vec<&String> = scopes[b].iter().filter(|s| is_token_scope(s)).collect();
            if ch.is_whitespace() {
                continue;
            }
            assert!(
                !token.is_empty(),
                "{name}:{}:{}: {ch:?} has no token scope in {line:?} (scopes {:?})",
                no + 1,
                b + 1,
                scopes[b]
            );
            if let Some(s) = token.last() {
                seen.insert((*s).clone());
            }
        }
    }
}

#[test]
fn every_example_is_fully_scoped_and_uses_every_token_class() {
    let g = Grammar::load();
    let mut files = avs_files("examples");
    files.extend(avs_files("examples/broken"));
    files.extend(avs_files("stdlib"));
    assert!(files.len() >= 13);
    let mut seen = BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let lines = g.tokenize(&text);
        check_covered(&f.display().to_string(), &lines, &mut seen);
    }
    let classes = [
        "comment.line.number-sign",
        "string.quoted.double",
        "keyword.control.import",
        "keyword.control.check",
        "keyword.control.policy",
        "keyword.control.kind",
        "keyword.control.rule",
        "keyword.other.property",
        "keyword.other.policy",
        "keyword.other.option",
        "keyword.other.definition",
        "keyword.operator",
        "storage.type.kind",
        "storage.type.placeholder",
        "entity.name.component",
        "entity.name.function.policy",
        "variable.other.property",
        "variable.other.avs",
        "constant.numeric.prefix",
        "constant.numeric.address",
        "constant.numeric.integer",
        "constant.language",
        "punctuation.section.block",
    ];
    for c in classes {
        assert!(
            seen.iter().any(|s| s.starts_with(c)),
            "no token of class {c} in the examples (seen: {seen:?})"
        );
    }
}

/// The scope of the first occurrence of `word` on line `line` (1-based).
fn scope_of(lines: &[(String, LineScopes)], line: usize, word: &str) -> Vec<String> {
    let (text, scopes) = &lines[line - 1];
    let at = text
        .match_indices(word)
        .find(|(i, _)| {
            let before = text[..*i].chars().last();
            let after = text[i + word.len()..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .unwrap_or_else(|| panic!("{word} not on line {line}: {text}"))
        .0;
    scopes[at].clone()
}

fn has(scopes: &[String], prefix: &str) -> bool {
    scopes.iter().any(|s| s.starts_with(prefix))
}

#[test]
fn every_stdlib_kind_is_highlighted_as_a_kind() {
    let g = Grammar::load();
    let kind_line = Regex::new(r"^kind ([a-z_]+) \{").unwrap();
    let mut kinds = Vec::new();
    for f in avs_files("stdlib") {
        for line in std::fs::read_to_string(f).unwrap().lines() {
            if let Some(c) = kind_line.captures(line).unwrap() {
                kinds.push(c.get(1).unwrap().as_str().to_string());
            }
        }
    }
    assert!(kinds.len() >= 10, "{kinds:?}");
    for k in kinds {
        let lines = g.tokenize(&format!("{k} x1 {{\n  asn 65001\n}}\n"));
        assert!(
            has(&scope_of(&lines, 1, &k), "storage.type.kind.avs"),
            "{k} is not in the grammar's kinds"
        );
        assert!(has(&scope_of(&lines, 1, "x1"), "entity.name.component"));
        assert!(has(&scope_of(&lines, 2, "asn"), "variable.other.property"));
        assert!(has(
            &scope_of(&lines, 2, "65001"),
            "constant.numeric.integer"
        ));
    }
}

#[test]
fn policies_with_action_blocks_and_prefix_lists() {
    let g = Grammar::load();
    let text = r#"prefix_list private [10.0.0.0/8 le 32, 172.16.0.0/12 le 32]
policy to_ars {
  permit prefix 10.0.0.0/8 { set local_pref 200; prepend 65010 x2 }
  deny   as_path contains 65100   # a comment
  permit tag 65535:65282
}
vnet hub { address 10.100.0.0/16 }
check "a #title" { path dc1 -> 10.99.0.0/16 avoids fw under failures 1 }
"#;
    let lines = g.tokenize(text);
    let mut seen = BTreeSet::new();
    check_covered("snippet", &lines, &mut seen);
    assert!(has(
        &scope_of(&lines, 1, "prefix_list"),
        "keyword.control.prefix-list"
    ));
    assert!(has(
        &scope_of(&lines, 1, "private"),
        "entity.name.type.prefix-list"
    ));
    assert!(has(&scope_of(&lines, 1, "le"), "keyword.other.policy"));
    assert!(has(
        &scope_of(&lines, 2, "to_ars"),
        "entity.name.function.policy"
    ));
    assert!(has(&scope_of(&lines, 3, "set"), "keyword.other.policy"));
    assert!(has(&scope_of(&lines, 3, "x2"), "constant.numeric.repeat"));
    // The action block's `}` does not end the policy.
    assert!(has(&scope_of(&lines, 4, "deny"), "keyword.control.rule"));
    assert!(has(&scope_of(&lines, 4, "a"), "comment.line"));
    assert!(has(
        &scope_of(&lines, 5, "65535"),
        "constant.numeric.community"
    ));
    assert!(has(&scope_of(&lines, 7, "vnet"), "storage.type.kind"));
    assert!(has(
        &scope_of(&lines, 7, "address"),
        "variable.other.property"
    ));
    // `#` inside a title is not a comment; the property words after it are scoped.
    assert!(has(&scope_of(&lines, 8, "title"), "string.quoted.double"));
    assert!(!has(&scope_of(&lines, 8, "title"), "comment"));
    assert!(has(
        &scope_of(&lines, 8, "avoids"),
        "keyword.other.property"
    ));
    assert!(has(
        &scope_of(&lines, 8, "failures"),
        "keyword.other.property"
    ));
    assert!(has(&scope_of(&lines, 8, "->"), "keyword.operator"));
}

#[test]
fn extension_manifest_points_at_the_grammar() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("package.json")).unwrap()).unwrap();
    let lang = &manifest["contributes"]["languages"][0];
    assert_eq!(lang["id"], "avs");
    assert_eq!(lang["extensions"][0], ".avs");
    let conf = root.join(lang["configuration"].as_str().unwrap());
    let conf: Value = serde_json::from_str(&std::fs::read_to_string(conf).unwrap()).unwrap();
    assert_eq!(conf["comments"]["lineComment"], "#");
    let grammar = &manifest["contributes"]["grammars"][0];
    assert_eq!(grammar["scopeName"], "source.avs");
    assert!(root.join(grammar["path"].as_str().unwrap()).is_file());
}
