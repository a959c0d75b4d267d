//! Kind definitions (the extension used by `stdlib/*.avs`; see docs/language.md).
//!
//! ```text
//! kind_def  = "kind" NAME "{" { kind_line } "}"
//! kind_line = "asn" ASN
//!           | "behaviour" NAME { NAME }
//!           | "key" NAME { pattern } { flag }
//!           | "session" WORD { value }
//! pattern   = "<" WORD { "|" WORD } ">"     a slot: one argument of these types/words
//!           | WORD                          a literal word
//!           | "[" { pattern } "]"           an optional group (nesting ≤ 64)
//! flag      = "repeat" | "required" | "default" value
//! ```
//!
//! At the top level of a pattern the words `repeat`, `required` and `default` start
//! the flags; inside `[ ... ]` they are literal words. Optional groups are parsed
//! with an explicit stack, never by recursion.

use super::cursor::{Fail, PResult, Parser, MAX_DEPTH};
use super::error::{snippet, ParseError, ParseErrorKind};
use super::suggest::help_for;
use super::token::TokKind;
use crate::span::{Span, Spanned};
use crate::syntax::ast::{KeyDef, KindDef, KindLine, PatternElem, SessionDef};

const KIND_LINES: &[&str] = &["asn", "behaviour", "key", "session"];

impl Parser<'_> {
    /// `kind_def = "kind" NAME "{" { kind_line } "}"`
    pub(crate) fn kind_def(&mut self) -> PResult<KindDef> {
        let kw = self.expect_keyword("kind", "")?;
        let name = self.expect_name("a kind name after `kind`")?;
        let what = || format!("`kind {}`", name.node);
        let open = self.punct_or(TokKind::LBrace, || format!("`{{` after {}", what()))?;
        let lines = self.block(open, what, |p| p.kind_line());
        Ok(KindDef {
            name,
            lines,
            span: self.span_from(kw),
        })
    }

    fn kind_line(&mut self) -> PResult<KindLine> {
        let start = self.span();
        let Some(w) = self.word_at(0) else {
            return Err(self.unexpected("`asn`, `behaviour`, `key`, `session` or `}`"));
        };
        match w {
            "asn" => {
                self.bump();
                Ok(KindLine::Asn(self.expect_asn()?))
            }
            "behaviour" => {
                self.bump();
                let mut names = vec![self.expect_name("a behaviour name after `behaviour`")?];
                while *self.kind() == TokKind::Word {
                    names.push(self.expect_name("a behaviour name")?);
                }
                Ok(KindLine::Behaviour(names))
            }
            "key" => self.key_def().map(KindLine::Key),
            "session" => {
                self.bump();
                let key = self.expect_name("a key or kind name after `session`")?;
                let mut options = Vec::new();
                while !self.at_line_end() {
                    options.push(self.value("a session option or end of line")?);
                }
                Ok(KindLine::Session(SessionDef {
                    key,
                    options,
                    span: self.span_from(start),
                }))
            }
            other => {
                let e = ParseError::new(
                    ParseErrorKind::UnknownKindLine {
                        found: format!("`{}`", snippet(other)),
                    },
                    start,
                )
                .help(help_for(Some(other), KIND_LINES));
                self.error(e);
                Err(Fail)
            }
        }
    }

    /// `"key" NAME { pattern } { flag }`
    fn key_def(&mut self) -> PResult<KeyDef> {
        let kw = self.expect_keyword("key", "")?;
        let name = self.expect_name("a key name after `key`")?;
        let pattern = self.pattern()?;
        let mut repeat = false;
        let mut required = false;
        let mut default = None;
        while !self.at_line_end() {
            let span = self.span();
            match self.word_at(0) {
                Some("repeat") => {
                    self.bump();
                    if repeat {
                        self.duplicate("repeat", span);
                        return Err(Fail);
                    }
                    repeat = true;
                }
                Some("required") => {
                    self.bump();
                    if required {
                        self.duplicate("required", span);
                        return Err(Fail);
                    }
                    required = true;
                }
                Some("default") => {
                    self.bump();
                    if default.is_some() {
                        self.duplicate("default", span);
                        return Err(Fail);
                    }
                    default = Some(self.value("a default value after `default`")?);
                }
                _ => return Err(self.unexpected("`repeat`, `required`, `default` or end of line")),
            }
        }
        Ok(KeyDef {
            name,
            pattern,
            repeat,
            required,
            default,
            span: self.span_from(kw),
        })
    }

    /// `{ pattern }` up to the flags or the end of the line, with an explicit stack
    /// of open optional groups.
    fn pattern(&mut self) -> PResult<Vec<PatternElem>> {
        let mut stack: Vec<(Span, Vec<PatternElem>)> = Vec::new();
        let mut top: Vec<PatternElem> = Vec::new();
        loop {
            let t = self.peek();
            match t.kind {
                ref k if k.ends_line() => break,
                TokKind::Word => {
                    let w = self.text_of(t);
                    if stack.is_empty() && matches!(w, "repeat" | "required" | "default") {
                        break;
                    }
                    top.push(PatternElem::Word(self.expect_name("a word")?));
                }
                TokKind::Lt => top.push(self.slot()?),
                TokKind::LBracket => {
                    let open = self.span();
                    if stack.len() >= MAX_DEPTH {
                        self.error(
                            ParseError::new(
                                ParseErrorKind::NestingTooDeep { limit: MAX_DEPTH },
                                open,
                            )
                            .help("flatten the optional groups of this key"),
                        );
                        return Err(Fail);
                    }
                    self.bump();
                    stack.push((open, std::mem::take(&mut top)));
                }
                TokKind::RBracket => {
                    let close = self.span();
                    let Some((open, parent)) = stack.pop() else {
                        self.error(ParseError::new(
                            ParseErrorKind::UnmatchedClose { close: ']' },
                            close,
                        ));
                        return Err(Fail);
                    };
                    self.bump();
                    let inner = std::mem::replace(&mut top, parent);
                    top.push(PatternElem::Optional(Spanned::new(inner, open.to(close))));
                }
                _ => {
                    return Err(self.unexpected("`<type>`, a word, `[`, a flag or end of line"));
                }
            }
        }
        if let Some((open, _)) = stack.last() {
            let open = *open;
            self.unclosed(']', "this optional group", open, "the line ends here");
            return Err(Fail);
        }
        Ok(top)
    }

    /// `"<" WORD { "|" WORD } ">"`
    fn slot(&mut self) -> PResult<PatternElem> {
        let open = self.expect_punct(TokKind::Lt, "`<`")?;
        let mut names = vec![self.expect_name("a type or word after `<`")?];
        let close = loop {
            match self.kind() {
                TokKind::Pipe => {
                    self.bump();
                    names.push(self.expect_name("a type or word after `|`")?);
                }
                TokKind::Gt => break self.bump_span(),
                _ => return Err(self.unexpected("`|` or `>`")),
            }
        };
        Ok(PatternElem::Slot(Spanned::new(names, open.to(close))))
    }
}
