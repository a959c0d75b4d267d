//! The token cursor shared by every construct: lookahead, `expect_*` helpers that
//! report what was expected at the exact position, blocks, and error recovery.

use super::error::{snippet, ParseError, ParseErrorKind};
use super::token::{TokKind, Token};
use crate::span::{FileId, Span, Spanned};
use crate::syntax::ast::Ident;
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// The parser stops after this many errors of its own.
pub(crate) const MAX_ERRORS: usize = 100;
/// Deepest nesting of optional groups in a kind's key pattern.
pub(crate) const MAX_DEPTH: usize = 64;

/// The error has been recorded; the caller recovers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fail;
pub(crate) type PResult<T> = Result<T, Fail>;

pub(crate) struct Parser<'a> {
    pub text: &'a str,
    pub file: FileId,
    pub toks: Vec<Token>,
    pub pos: usize,
    pub errors: Vec<ParseError>,
    /// The last nested block (`{ actions }` of a rule) that closed on a later line
    /// than it opened: (its `{`, its `}`). When the enclosing block then turns out
    /// unclosed, that `}` is probably the one the user meant for it.
    pub last_inner_block: Option<(Span, Span)>,
    eof: Token,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(file: FileId, text: &'a str, toks: Vec<Token>) -> Self {
        Parser {
            text,
            file,
            toks,
            pos: 0,
            errors: Vec::new(),
            last_inner_block: None,
            eof: Token {
                kind: TokKind::Eof,
                start: text.len(),
                end: text.len(),
                col1: false,
            },
        }
    }

    // ---- lookahead ---------------------------------------------------------------

    pub(crate) fn peek(&self) -> &Token {
        self.toks.get(self.pos).unwrap_or(&self.eof)
    }
    pub(crate) fn peek_at(&self, n: usize) -> &Token {
        self.toks.get(self.pos + n).unwrap_or(&self.eof)
    }
    pub(crate) fn kind(&self) -> &TokKind {
        &self.peek().kind
    }
    pub(crate) fn span_of(&self, t: &Token) -> Span {
        Span::new(self.file, t.start, t.end)
    }
    pub(crate) fn span(&self) -> Span {
        self.span_of(self.peek())
    }
    pub(crate) fn text_of(&self, t: &Token) -> &'a str {
        self.text.get(t.start..t.end).unwrap_or("")
    }
    /// The current token is the word `w`.
    pub(crate) fn at_word(&self, w: &str) -> bool {
        self.word_at(0) == Some(w)
    }
    /// The text of the token `n` ahead, when it is a word.
    pub(crate) fn word_at(&self, n: usize) -> Option<&'a str> {
        let t = self.peek_at(n);
        (t.kind == TokKind::Word).then(|| self.text_of(t))
    }
    pub(crate) fn at_line_end(&self) -> bool {
        self.kind().ends_line()
    }
    pub(crate) fn at_eof(&self) -> bool {
        *self.kind() == TokKind::Eof
    }
    /// End offset of the previous token (or 0).
    pub(crate) fn prev_end(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map(|t| t.end)
            .unwrap_or(0)
    }
    /// The previous token is of this kind.
    pub(crate) fn prev_is(&self, kind: &TokKind) -> bool {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .is_some_and(|t| t.kind == *kind)
    }
    /// The previous token is a line break or `;` (the current token starts a line).
    pub(crate) fn after_separator(&self) -> bool {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .is_some_and(|t| matches!(t.kind, TokKind::Newline | TokKind::Semi))
    }
    /// A span from `start` to the end of the previous token.
    pub(crate) fn span_from(&self, start: Span) -> Span {
        Span::new(
            self.file,
            start.start as usize,
            self.prev_end().max(start.end as usize),
        )
    }
    pub(crate) fn describe_current(&self) -> String {
        let t = self.peek();
        t.kind.describe(self.text_of(t))
    }

    pub(crate) fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    /// Consumes the current token and returns its span.
    pub(crate) fn bump_span(&mut self) -> Span {
        let s = self.span();
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        s
    }
    pub(crate) fn skip_separators(&mut self) {
        while matches!(self.kind(), TokKind::Newline | TokKind::Semi) {
            self.pos += 1;
        }
    }
    pub(crate) fn skip_newlines(&mut self) {
        while *self.kind() == TokKind::Newline {
            self.pos += 1;
        }
    }

    /// True when the current token starts a new top-level item: `check "..."`,
    /// `prefix_list NAME [`, or, at column 1, `use NAME` alone on its line or
    /// `WORD WORD {` (not a rule). Lines inside blocks never have these shapes, so a
    /// block that meets one is missing its `}`. (An indented `WORD WORD {` inside a
    /// block is taken for a mistaken nested block instead, and skipped.)
    pub(crate) fn looks_like_item_start(&self) -> bool {
        let t = self.peek();
        if t.kind != TokKind::Word {
            return false;
        }
        let w = self.text_of(t);
        let k1 = &self.peek_at(1).kind;
        let k2 = &self.peek_at(2).kind;
        match w {
            "check" if matches!(k1, TokKind::Str(_)) => true,
            "prefix_list" if *k1 == TokKind::Word && *k2 == TokKind::LBracket => true,
            "use" => {
                t.col1 && *k1 == TokKind::Word && matches!(k2, TokKind::Newline | TokKind::Eof)
            }
            "permit" | "deny" => false,
            _ => t.col1 && *k1 == TokKind::Word && *k2 == TokKind::LBrace,
        }
    }

    /// Where recovery from a broken item stops: a token at column 1 that starts an
    /// item by its shape, or an item keyword (`use`, `check`, `policy`,
    /// `prefix_list`, `kind`) at column 1.
    pub(crate) fn at_item_boundary(&self) -> bool {
        let t = self.peek();
        t.col1
            && (self.looks_like_item_start()
                || (t.kind == TokKind::Word
                    && matches!(
                        self.text_of(t),
                        "use" | "check" | "policy" | "prefix_list" | "kind"
                    )))
    }

    // ---- errors ------------------------------------------------------------------

    pub(crate) fn error(&mut self, e: ParseError) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(e);
        }
        if self.errors.len() >= MAX_ERRORS {
            // Stop: every loop ends at the end of the file.
            self.pos = self.toks.len();
        }
    }

    /// Reports "expected `expected`, found ..." at the current token (silently when
    /// the token is one the lexer already reported) and returns [`Fail`].
    pub(crate) fn unexpected(&mut self, expected: &str) -> Fail {
        self.unexpected_with(expected, None)
    }

    pub(crate) fn unexpected_with(&mut self, expected: &str, help: Option<String>) -> Fail {
        let t = self.peek();
        if t.kind == TokKind::Bad {
            return Fail;
        }
        let found = t.kind.describe(self.text_of(t));
        let kind = if t.kind.ends_line() && t.kind != TokKind::RBrace {
            ParseErrorKind::UnexpectedLineEnd { found }
        } else {
            ParseErrorKind::Unexpected { found }
        };
        // At a line end, point just after the last token rather than at the break.
        let span = if matches!(t.kind, TokKind::Newline | TokKind::Eof) {
            let end = self.prev_end();
            Span::new(self.file, end, end)
        } else {
            self.span()
        };
        let mut e = ParseError::new(kind, span).expected(expected);
        if let Some(h) = help {
            e = e.help(h);
        }
        self.error(e);
        Fail
    }

    /// After a complete line: anything but a line end is reported.
    pub(crate) fn expect_line_end(&mut self, after: &str) -> PResult<()> {
        if self.at_line_end() {
            Ok(())
        } else {
            Err(self.unexpected(&format!("end of line after {after}")))
        }
    }

    // ---- terminals ---------------------------------------------------------------

    /// Consumes the keyword `kw` or reports that it was expected.
    pub(crate) fn expect_keyword(&mut self, kw: &str, context: &str) -> PResult<Span> {
        if self.at_word(kw) {
            Ok(self.bump_span())
        } else {
            Err(self.unexpected(&format!("`{kw}` {context}")))
        }
    }

    pub(crate) fn expect_punct(&mut self, kind: TokKind, expected: &str) -> PResult<Span> {
        if *self.kind() == kind {
            Ok(self.bump_span())
        } else {
            Err(self.unexpected(expected))
        }
    }

    /// A word, subnet paths (`hub/default`) included.
    pub(crate) fn expect_word(&mut self, what: &str) -> PResult<Ident> {
        if *self.kind() == TokKind::Word {
            let t = self.bump();
            Ok(Spanned::new(self.text_of(&t).to_string(), self.span_of(&t)))
        } else {
            Err(self.unexpected(what))
        }
    }

    /// A plain identifier: a word without `/`.
    pub(crate) fn expect_name(&mut self, what: &str) -> PResult<Ident> {
        let id = self.expect_word(what)?;
        if id.node.contains('/') {
            let e = ParseError::new(
                ParseErrorKind::PathNotAllowed {
                    text: snippet(&id.node),
                },
                id.span,
            )
            .expected(what)
            .help("only endpoints and component values may be subnet paths like `hub/default`");
            self.error(e);
            return Err(Fail);
        }
        Ok(id)
    }

    /// Like [`Parser::expect_name`], building the expected text only on error.
    pub(crate) fn name_or(&mut self, expected: impl FnOnce() -> String) -> PResult<Ident> {
        if *self.kind() == TokKind::Word {
            self.expect_name("a name")
        } else {
            Err(self.unexpected(&expected()))
        }
    }

    /// Like [`Parser::expect_punct`], building the expected text only on error.
    pub(crate) fn punct_or(
        &mut self,
        kind: TokKind,
        expected: impl FnOnce() -> String,
    ) -> PResult<Span> {
        if *self.kind() == kind {
            Ok(self.bump_span())
        } else {
            Err(self.unexpected(&expected()))
        }
    }

    pub(crate) fn expect_number(&mut self, what: &str) -> PResult<Spanned<u64>> {
        if let TokKind::Number(n) = *self.kind() {
            let t = self.bump();
            Ok(Spanned::new(n, self.span_of(&t)))
        } else {
            Err(self.unexpected(what))
        }
    }

    /// Like [`Parser::expect_number`], building the expected text only on error.
    fn number_or(&mut self, expected: impl FnOnce() -> String) -> PResult<Spanned<u64>> {
        if let TokKind::Number(n) = *self.kind() {
            let span = self.bump_span();
            Ok(Spanned::new(n, span))
        } else {
            Err(self.unexpected(&expected()))
        }
    }

    fn out_of_range(&mut self, n: Spanned<u64>, what: &'static str, min: u64, max: u64) -> Fail {
        let text = snippet(self.text.get(n.span.range()).unwrap_or(""));
        self.error(ParseError::new(
            ParseErrorKind::NumberOutOfRange {
                text,
                what,
                min,
                max,
            },
            n.span,
        ));
        Fail
    }

    /// A number in `min..=max` (u32).
    pub(crate) fn expect_u32(&mut self, what: &'static str, min: u32) -> PResult<Spanned<u32>> {
        let n = self.number_or(|| format!("{what} (a number)"))?;
        match u32::try_from(n.node) {
            Ok(v) if v >= min => Ok(Spanned::new(v, n.span)),
            _ => Err(self.out_of_range(n, what, u64::from(min), u64::from(u32::MAX))),
        }
    }

    /// An ASN: 1..=4294967295.
    pub(crate) fn expect_asn(&mut self) -> PResult<Spanned<u32>> {
        let n = self.expect_number("an asn")?;
        match u32::try_from(n.node) {
            Ok(v) if v >= 1 => Ok(Spanned::new(v, n.span)),
            _ => {
                let text = snippet(self.text.get(n.span.range()).unwrap_or(""));
                let e = ParseError::new(ParseErrorKind::AsnOutOfRange { text }, n.span);
                self.error(e);
                Err(Fail)
            }
        }
    }

    /// A prefix length for `ge`/`le`: 0..=32.
    pub(crate) fn expect_length(&mut self, what: &'static str) -> PResult<Spanned<u8>> {
        let n = self.number_or(|| format!("a prefix length after `{what}`"))?;
        match u8::try_from(n.node) {
            Ok(v) if v <= 32 => Ok(Spanned::new(v, n.span)),
            _ => Err(self.out_of_range(n, "prefix length", 0, 32)),
        }
    }

    /// An IPv4 prefix; an address gets a hint to add `/32`.
    pub(crate) fn expect_prefix(&mut self, what: &str) -> PResult<Spanned<Ipv4Net>> {
        match *self.kind() {
            TokKind::Prefix(p) => {
                let t = self.bump();
                Ok(Spanned::new(p, self.span_of(&t)))
            }
            TokKind::Address(a) => {
                Err(self.unexpected_with(what, Some(format!("write the host prefix `{a}/32`"))))
            }
            _ => Err(self.unexpected(what)),
        }
    }

    pub(crate) fn expect_address(&mut self, what: &str) -> PResult<Spanned<Ipv4Addr>> {
        if let TokKind::Address(a) = *self.kind() {
            let t = self.bump();
            Ok(Spanned::new(a, self.span_of(&t)))
        } else {
            Err(self.unexpected(what))
        }
    }

    // ---- blocks and recovery -----------------------------------------------------

    /// `{ line* }` where lines end at a line break, `;` or the closing `}`. The `{` is
    /// already consumed (`open` is its span); `what` names the construct for the
    /// "expected `}` to close ..." error. Returns the lines that parsed.
    pub(crate) fn block<T>(
        &mut self,
        open: Span,
        what: impl Fn() -> String,
        mut line: impl FnMut(&mut Self) -> PResult<T>,
    ) -> Vec<T> {
        let mut out = Vec::new();
        loop {
            self.skip_separators();
            let before = self.pos;
            match self.kind() {
                TokKind::RBrace => {
                    self.bump();
                    return out;
                }
                TokKind::Eof => {
                    self.unclosed('}', &what(), open, "file ends here");
                    return out;
                }
                _ if self.looks_like_item_start() => {
                    self.unclosed('}', &what(), open, "expected `}` before this item");
                    return out;
                }
                _ => {}
            }
            match line(self) {
                Ok(v) => {
                    out.push(v);
                    if !self.at_line_end() {
                        self.unexpected("`;`, `}` or end of line");
                        self.recover_line();
                    }
                }
                Err(Fail) => self.recover_line(),
            }
            if self.pos == before {
                self.bump();
            }
        }
    }

    pub(crate) fn unclosed(&mut self, close: char, what: &str, open: Span, label: &str) {
        let span = if self.at_eof() {
            Span::new(self.file, self.text.len(), self.text.len())
        } else {
            self.span()
        };
        let opened = match close {
            '}' | ']' => format!("{what} opened here"),
            _ => format!("{what} starts here"),
        };
        let e = ParseError::new(
            ParseErrorKind::Unclosed {
                close,
                what: what.to_string(),
            },
            span,
        )
        .label(label)
        .context(open, opened);
        let e = match self.last_inner_block {
            Some((inner_open, inner_close)) if close == '}' && inner_open.start > open.start => e
                .context(inner_open, "this `{` opens a nested block...")
                .context(inner_close, "...which this `}` closes")
                .help(format!(
                    "add `}}` at the end of {what} (the last `}}` closes the nested block)"
                )),
            _ => e.help(format!("add `{close}` at the end of {what}")),
        };
        self.error(e);
    }

    /// Skips the rest of a broken line: up to a line break or `;` outside braces,
    /// the `}` that closes the enclosing block (not consumed), or the start of a
    /// top-level item at column 1.
    pub(crate) fn recover_line(&mut self) {
        let mut depth = 0usize;
        loop {
            let t = self.peek();
            match t.kind {
                TokKind::Eof => return,
                TokKind::Newline | TokKind::Semi if depth == 0 => return,
                TokKind::RBrace if depth == 0 => return,
                TokKind::RBrace => depth -= 1,
                TokKind::LBrace => depth += 1,
                _ if self.at_item_boundary() => return,
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// Skips a broken item: up to and including the `}` that closes it, or up to
    /// the next item that starts at column 1.
    pub(crate) fn recover_item(&mut self) {
        let mut depth = 0usize;
        let mut first = true;
        loop {
            let t = self.peek();
            if t.kind == TokKind::Eof {
                return;
            }
            if !first && self.at_item_boundary() {
                return;
            }
            first = false;
            match t.kind {
                TokKind::LBrace => depth += 1,
                TokKind::RBrace => {
                    if depth <= 1 {
                        self.pos += 1;
                        return;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            self.pos += 1;
        }
    }
}
