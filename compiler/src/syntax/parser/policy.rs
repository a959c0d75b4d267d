//! Policies: rules, conditions and actions (LANGUAGE.md §2.3).
//!
//! ```text
//! policy    = "policy" NAME "{" { rule } "}"
//! rule      = ("permit" | "deny") { condition } [ "{" { action } "}" ] EOL
//! condition = "prefix" prefix_match | "prefix_list" NAME | "as_path" "contains" ASN
//!           | "as_path" "length" ("<"|"<="|"="|">="|">") NUMBER | "tag" tag
//!           | "originated_by" NAME
//! action    = "set" "local_pref" NUMBER | "set" "med" NUMBER
//!           | "set" "next_hop" ("self" | ADDRESS) | "prepend" ASN [ "x" K ]
//!           | "add" "tag" tag | "remove" "tag" tag | "remove_private_as"
//!           | "remove_as" ASN { ASN } | "replace_as" ASN { ASN }
//! tag       = NAME | COMMUNITY
//! ```

use super::cursor::{Fail, PResult, Parser};
use super::error::{snippet, ParseError, ParseErrorKind};
use super::literal::decimal;
use super::suggest::help_for;
use super::token::TokKind;
use crate::span::{Span, Spanned};
use crate::syntax::ast::{
    Action, ActionKind, CmpOp, Condition, ConditionKind, PolicyDef, Rule, TagRef, TagValue, Verdict,
};

const CONDITIONS: &[&str] = &["prefix", "prefix_list", "as_path", "tag", "originated_by"];
const ACTIONS: &[&str] = &[
    "set",
    "prepend",
    "add",
    "remove",
    "remove_private_as",
    "remove_as",
    "replace_as",
];

impl Parser<'_> {
    /// `policy = "policy" NAME "{" { rule } "}"`
    pub(crate) fn policy(&mut self) -> PResult<PolicyDef> {
        let kw = self.expect_keyword("policy", "")?;
        let name = self.expect_name("a policy name after `policy`")?;
        let what = || format!("`policy {}`", name.node);
        let open = self.punct_or(TokKind::LBrace, || format!("`{{` after {}", what()))?;
        let rules = self.block(open, what, |p| p.rule());
        Ok(PolicyDef {
            name,
            rules,
            span: self.span_from(kw),
        })
    }

    /// `rule = ("permit" | "deny") { condition } [ "{" { action } "}" ] EOL`
    fn rule(&mut self) -> PResult<Rule> {
        let start = self.span();
        let verdict = match self.word_at(0) {
            Some("permit") => Verdict::Permit,
            Some("deny") => Verdict::Deny,
            w => {
                if *self.kind() == TokKind::Bad {
                    return Err(Fail);
                }
                let found = self.describe_current();
                let e = ParseError::new(ParseErrorKind::ExpectedVerdict { found }, start)
                    .help(help_for(w, &["permit", "deny"]));
                self.error(e);
                return Err(Fail);
            }
        };
        self.bump();
        let verdict = Spanned::new(verdict, start);
        let mut conditions = Vec::new();
        while *self.kind() != TokKind::LBrace && !self.at_line_end() {
            conditions.push(self.condition()?);
        }
        let mut actions = Vec::new();
        if *self.kind() == TokKind::LBrace {
            let open = self.bump_span();
            let before = self.pos;
            actions = self.block(
                open,
                || "the actions of this rule".to_string(),
                |p| p.action(),
            );
            let spans_lines = self
                .toks
                .get(before..self.pos)
                .is_some_and(|ts| ts.iter().any(|t| t.kind == TokKind::Newline));
            if spans_lines && self.prev_is(&TokKind::RBrace) {
                let close = Span::new(
                    self.file,
                    self.prev_end().saturating_sub(1),
                    self.prev_end(),
                );
                self.last_inner_block = Some((open, close));
            }
        }
        Ok(Rule {
            verdict,
            conditions,
            actions,
            span: self.span_from(start),
        })
    }

    /// One condition (see the module grammar).
    fn condition(&mut self) -> PResult<Condition> {
        let start = self.span();
        let Some(w) = self.word_at(0) else {
            let help = match *self.kind() {
                TokKind::Prefix(p) => Some(format!("to match this prefix, write `prefix {p}`")),
                TokKind::Community(a, b) => {
                    Some(format!("to match this community, write `tag {a}:{b}`"))
                }
                _ => None,
            };
            return Err(self.unexpected_with("a condition, `{` or end of line", help));
        };
        let kind = match w {
            "prefix" => {
                self.bump();
                ConditionKind::Prefix(self.prefix_match("a prefix after `prefix`")?)
            }
            "prefix_list" => {
                self.bump();
                ConditionKind::PrefixList(
                    self.expect_name("a prefix list name after `prefix_list`")?,
                )
            }
            "as_path" => {
                self.bump();
                match self.word_at(0) {
                    Some("contains") => {
                        self.bump();
                        ConditionKind::AsPathContains(self.expect_asn()?)
                    }
                    Some("length") => {
                        self.bump();
                        let op = self.cmp_op()?;
                        ConditionKind::AsPathLength(op, self.expect_u32("as-path length", 0)?)
                    }
                    _ => return Err(self.unexpected("`contains` or `length` after `as_path`")),
                }
            }
            "tag" => {
                self.bump();
                ConditionKind::Tag(self.tag_ref("a tag after `tag` (a name or a community `N:M`)")?)
            }
            "originated_by" => {
                self.bump();
                ConditionKind::OriginatedBy(self.expect_word("a node name after `originated_by`")?)
            }
            other => {
                let e = ParseError::new(
                    ParseErrorKind::UnknownCondition {
                        found: format!("`{}`", snippet(other)),
                    },
                    start,
                )
                .help(if ACTIONS.contains(&other) {
                    format!("actions go in braces after the conditions: `{{ {other} ... }}`")
                } else {
                    help_for(Some(other), CONDITIONS)
                });
                self.error(e);
                return Err(Fail);
            }
        };
        Ok(Spanned::new(kind, self.span_from(start)))
    }

    /// `"<" | "<=" | "=" | ">=" | ">"`
    fn cmp_op(&mut self) -> PResult<Spanned<CmpOp>> {
        let op = match self.kind() {
            TokKind::Lt => CmpOp::Lt,
            TokKind::Le => CmpOp::Le,
            TokKind::Eq => CmpOp::Eq,
            TokKind::Ge => CmpOp::Ge,
            TokKind::Gt => CmpOp::Gt,
            _ => {
                return Err(self.unexpected(
                    "a comparison (`<`, `<=`, `=`, `>=` or `>`) after `as_path length`",
                ))
            }
        };
        let t = self.bump();
        Ok(Spanned::new(op, self.span_of(&t)))
    }

    /// `tag = NAME | COMMUNITY`
    fn tag_ref(&mut self, expected: &str) -> PResult<TagRef> {
        let t = self.peek();
        let span = self.span_of(t);
        let v = match t.kind {
            TokKind::Word => TagValue::Name(self.text_of(t).to_string()),
            TokKind::Community(a, b) => TagValue::Community(a, b),
            _ => return Err(self.unexpected(expected)),
        };
        self.bump();
        Ok(Spanned::new(v, span))
    }

    /// One action (see the module grammar).
    fn action(&mut self) -> PResult<Action> {
        let start = self.span();
        let Some(w) = self.word_at(0) else {
            return Err(self.unexpected("an action or `}`"));
        };
        let kind = match w {
            "set" => {
                self.bump();
                match self.word_at(0) {
                    Some("local_pref") => {
                        self.bump();
                        ActionKind::SetLocalPref(self.expect_u32("local_pref", 0)?)
                    }
                    Some("med") => {
                        self.bump();
                        ActionKind::SetMed(self.expect_u32("med", 0)?)
                    }
                    Some("next_hop") => {
                        self.bump();
                        if self.at_word("self") {
                            self.bump();
                            ActionKind::SetNextHopSelf
                        } else {
                            ActionKind::SetNextHop(
                                self.expect_address("`self` or an address after `set next_hop`")?,
                            )
                        }
                    }
                    _ => {
                        return Err(self.unexpected("`local_pref`, `med` or `next_hop` after `set`"))
                    }
                }
            }
            "prepend" => {
                self.bump();
                let asn = self.expect_asn()?;
                let count = self.repeat_count()?;
                ActionKind::Prepend(asn, count)
            }
            "add" | "remove" => {
                let add = w == "add";
                self.bump();
                self.expect_keyword("tag", &format!("after `{w}`"))?;
                let tag = self.tag_ref("a tag (a name or a community `N:M`)")?;
                if add {
                    ActionKind::AddTag(tag)
                } else {
                    ActionKind::RemoveTag(tag)
                }
            }
            "remove_private_as" => {
                self.bump();
                ActionKind::RemovePrivateAs
            }
            "remove_as" | "replace_as" => {
                let remove = w == "remove_as";
                self.bump();
                let mut asns = vec![self.expect_asn()?];
                while matches!(self.kind(), TokKind::Number(_)) {
                    asns.push(self.expect_asn()?);
                }
                if remove {
                    ActionKind::RemoveAs(asns)
                } else {
                    ActionKind::ReplaceAs(asns)
                }
            }
            other => {
                let e = ParseError::new(
                    ParseErrorKind::UnknownAction {
                        found: format!("`{}`", snippet(other)),
                    },
                    start,
                )
                .help(help_for(Some(other), ACTIONS));
                self.error(e);
                return Err(Fail);
            }
        };
        Ok(Spanned::new(kind, self.span_from(start)))
    }

    /// `[ "x" K ]` written as one word (`x2`), K ≥ 1.
    fn repeat_count(&mut self) -> PResult<Option<Spanned<u32>>> {
        let Some(w) = self.word_at(0) else {
            return Ok(None);
        };
        let Some(digits) = w.strip_prefix('x') else {
            return Ok(None);
        };
        let span = self.span();
        let value = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            decimal(digits)
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n >= 1)
        } else {
            None
        };
        if let Some(v) = value {
            self.bump();
            return Ok(Some(Spanned::new(v, span)));
        }
        let help = match (digits.is_empty(), &self.peek_at(1).kind) {
            (true, TokKind::Number(n)) => format!("write the count without a space: `x{n}`"),
            _ => "write the count as `x2` (prepend twice), with a count from 1 to 4294967295"
                .to_string(),
        };
        let e = ParseError::new(
            ParseErrorKind::InvalidRepeatCount { text: snippet(w) },
            span,
        )
        .help(help);
        self.error(e);
        Err(Fail)
    }
}
