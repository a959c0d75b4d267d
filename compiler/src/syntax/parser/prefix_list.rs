//! Prefix lists and prefix matches.
//!
//! ```text
//! prefix_list  = "prefix_list" NAME "[" [ prefix_match { sep prefix_match } [","] ] "]"
//! sep          = "," | line break
//! prefix_match = PREFIX [ "ge" LEN ] [ "le" LEN ]      (ge/le in either order, once each)
//! ```
//!
//! Line breaks are allowed anywhere inside the brackets.

use super::cursor::{Fail, PResult, Parser};
use super::error::{ParseError, ParseErrorKind};
use super::token::TokKind;
use crate::syntax::ast::{PrefixListDef, PrefixMatch};

impl Parser<'_> {
    /// `prefix_list = "prefix_list" NAME "[" ... "]"`
    pub(crate) fn prefix_list(&mut self) -> PResult<PrefixListDef> {
        let kw = self.expect_keyword("prefix_list", "")?;
        let name = self.expect_name("a prefix list name after `prefix_list`")?;
        let what = format!("`prefix_list {}`", name.node);
        let open = self.expect_punct(TokKind::LBracket, &format!("`[` after {what}"))?;
        let mut entries = Vec::new();
        // True when the next entry is separated from the previous one.
        let mut separated = true;
        loop {
            if *self.kind() == TokKind::Newline {
                self.skip_newlines();
                separated = true;
            }
            let before = self.pos;
            match self.kind() {
                TokKind::RBracket => {
                    self.bump();
                    break;
                }
                TokKind::Eof => {
                    self.unclosed(']', &what, open, "file ends here");
                    break;
                }
                _ if self.looks_like_item_start() => {
                    self.unclosed(']', &what, open, "expected `]` before this item");
                    break;
                }
                TokKind::Comma if !separated => {
                    self.bump();
                    separated = true;
                }
                _ if !separated => {
                    self.unexpected("`,` or `]`");
                    self.recover_entry();
                    separated = true;
                }
                _ => match self.prefix_match("a prefix or `]`") {
                    Ok(m) => {
                        entries.push(m);
                        separated = false;
                    }
                    Err(Fail) => {
                        self.recover_entry();
                        separated = true;
                    }
                },
            }
            if self.pos == before && !matches!(self.kind(), TokKind::RBracket | TokKind::Eof) {
                self.bump();
            }
        }
        Ok(PrefixListDef {
            name,
            entries,
            span: self.span_from(kw),
        })
    }

    /// Skips a broken entry: up to and including the next `,`, or up to `]`, a line
    /// break, or a new item at column 1.
    fn recover_entry(&mut self) {
        loop {
            let t = self.peek();
            match t.kind {
                TokKind::Eof | TokKind::RBracket | TokKind::Newline => return,
                TokKind::Comma => {
                    self.bump();
                    return;
                }
                _ if self.at_item_boundary() => return,
                _ => self.bump(),
            };
        }
    }

    /// `prefix_match = PREFIX [ "ge" LEN ] [ "le" LEN ]`
    pub(crate) fn prefix_match(&mut self, expected: &str) -> PResult<PrefixMatch> {
        let prefix = self.expect_prefix(expected)?;
        let mut ge = None;
        let mut le = None;
        loop {
            let which = match self.word_at(0) {
                Some("ge") => "ge",
                Some("le") => "le",
                _ => break,
            };
            let kw = self.bump_span();
            let taken = if which == "ge" {
                ge.is_some()
            } else {
                le.is_some()
            };
            if taken {
                self.error(ParseError::new(
                    ParseErrorKind::DuplicateOption {
                        option: which.to_string(),
                    },
                    kw,
                ));
                return Err(Fail);
            }
            let len = self.expect_length(which)?;
            if which == "ge" {
                ge = Some(len);
            } else {
                le = Some(len);
            }
        }
        Ok(PrefixMatch {
            span: self.span_from(prefix.span),
            prefix,
            ge,
            le,
        })
    }
}
