//! The lexer: source text → [`Token`]s, in one linear pass.
//!
//! ```text
//! comment    = "#" { any char but newline }
//! word       = ident [ "/" ident ]            (a subnet path: `hub/default`)
//! ident      = [A-Za-z_] { [A-Za-z0-9_-] }    (a `-` right before `>` is left for `->`)
//! numeric    = [0-9] { [0-9A-Za-z_.:/] }      (classified by `literal::classify`)
//! string     = '"' { char | '\"' | '\\' } '"' (on one line)
//! punct      = { } [ ] , ; | = < <= > >= -> <->
//! ```
//!
//! Malformed tokens are reported here and become [`TokKind::Bad`]; the parser fails
//! silently on them, so each mistake is reported once.

use super::cursor::MAX_ERRORS;
use super::error::{snippet, ParseError, ParseErrorKind};
use super::literal;
use super::token::{TokKind, Token};
use crate::span::{FileId, Span};

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    file: FileId,
    pos: usize,
    line_start: usize,
    tokens: Vec<Token>,
    errors: Vec<ParseError>,
}

/// Splits `text` into tokens. The last token is always [`TokKind::Eof`].
pub(crate) fn lex(file: FileId, text: &str) -> (Vec<Token>, Vec<ParseError>) {
    let mut lx = Lexer {
        text,
        bytes: text.as_bytes(),
        file,
        pos: 0,
        line_start: 0,
        tokens: Vec::with_capacity((text.len() / 4 + 1).min(1 << 20)),
        errors: Vec::new(),
    };
    // A carriage return without a line feed (classic Mac OS line ends, or a stray one)
    // is not a line end: said once, where it first occurs (a trailing one is harmless).
    if let Some(i) = text
        .as_bytes()
        .windows(2)
        .position(|w| matches!(w, [b'\r', next] if *next != b'\n'))
    {
        lx.error(ParseErrorKind::LoneCarriageReturn, i, i + 1);
    }
    // A UTF-8 byte order mark (as some Windows editors write) is not content.
    if text.starts_with('\u{feff}') {
        lx.pos = '\u{feff}'.len_utf8();
        lx.line_start = lx.pos;
    }
    lx.run();
    let end = text.len();
    lx.tokens.push(Token {
        kind: TokKind::Eof,
        start: end,
        end,
        col1: false,
    });
    (lx.tokens, lx.errors)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}
fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}
/// Characters of a numeric run (numbers, addresses, prefixes, communities, ipv6).
fn is_numeric_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'/')
}
/// Bytes that may start a token or separate tokens; anything else is unexpected.
fn is_token_start_or_space(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'_' | b' '
                | b'\t'
                | b'\r'
                | b'\n'
                | b'#'
                | b'"'
                | b'{'
                | b'}'
                | b'['
                | b']'
                | b','
                | b';'
                | b'|'
                | b'='
                | b'<'
                | b'>'
        )
}

impl<'a> Lexer<'a> {
    fn at(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    fn push(&mut self, kind: TokKind, start: usize, end: usize) {
        // Consecutive malformed tokens on a line are one: the parser fails on the
        // first anyway, and garbage input stays small.
        if kind == TokKind::Bad {
            if let Some(last) = self.tokens.last_mut() {
                if last.kind == TokKind::Bad {
                    last.end = end;
                    self.pos = end;
                    return;
                }
            }
        }
        let col1 = start == self.line_start;
        self.tokens.push(Token {
            kind,
            start,
            end,
            col1,
        });
        self.pos = end;
    }

    fn error(&mut self, kind: ParseErrorKind, start: usize, end: usize) {
        // Only the first errors are ever shown (`parse` keeps the first MAX_ERRORS by
        // position); one more tells it that there were more. This bounds memory on
        // huge garbage input.
        if self.errors.len() > MAX_ERRORS {
            return;
        }
        let help = match &kind {
            ParseErrorKind::HostBitsSet { masked, .. } => Some(format!("did you mean `{masked}`?")),
            ParseErrorKind::Ipv6Unsupported { .. } => Some(
                "avscheck models ipv4 routing only; leave ipv6 out of the design for now"
                    .to_string(),
            ),
            ParseErrorKind::InvalidCommunity { .. } => Some(
                "a community is `N:M` with N and M in 0..=65535, e.g. `65535:65282`".to_string(),
            ),
            ParseErrorKind::NumberTooLarge { .. } => {
                Some("the largest number is 18446744073709551615".to_string())
            }
            ParseErrorKind::LoneCarriageReturn => Some(
                "save the file with LF or CRLF line ends (a CR alone, as classic Mac OS wrote them, does not end a line)"
                    .to_string(),
            ),
            _ => None,
        };
        let mut e = ParseError::new(kind, self.span(start, end));
        if let Some(h) = help {
            e = e.help(h);
        }
        self.errors.push(e);
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let b = self.at(start);
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    if matches!(self.tokens.last(), Some(t) if t.kind != TokKind::Newline) {
                        self.tokens.push(Token {
                            kind: TokKind::Newline,
                            start,
                            end: start + 1,
                            col1: false,
                        });
                    }
                    self.pos += 1;
                    self.line_start = self.pos;
                }
                b'#' => {
                    while self.pos < self.bytes.len() && self.at(self.pos) != b'\n' {
                        self.pos += 1;
                    }
                }
                b'"' => self.string(),
                b'{' => self.push(TokKind::LBrace, start, start + 1),
                b'}' => self.push(TokKind::RBrace, start, start + 1),
                b'[' => self.push(TokKind::LBracket, start, start + 1),
                b']' => self.push(TokKind::RBracket, start, start + 1),
                b',' => self.push(TokKind::Comma, start, start + 1),
                b';' => self.push(TokKind::Semi, start, start + 1),
                b'|' => self.push(TokKind::Pipe, start, start + 1),
                b'=' => self.push(TokKind::Eq, start, start + 1),
                b'<' => {
                    if self.at(start + 1) == b'-' && self.at(start + 2) == b'>' {
                        self.push(TokKind::BiArrow, start, start + 3)
                    } else if self.at(start + 1) == b'=' {
                        self.push(TokKind::Le, start, start + 2)
                    } else {
                        self.push(TokKind::Lt, start, start + 1)
                    }
                }
                b'>' => {
                    if self.at(start + 1) == b'=' {
                        self.push(TokKind::Ge, start, start + 2)
                    } else {
                        self.push(TokKind::Gt, start, start + 1)
                    }
                }
                b'-' if self.at(start + 1) == b'>' => self.push(TokKind::Arrow, start, start + 2),
                b'0'..=b'9' => self.numeric(),
                b':' => {
                    if !self.ipv6_run() {
                        self.unexpected();
                    }
                }
                _ if is_ident_start(b) => {
                    if !self.ipv6_run() {
                        self.word();
                    }
                }
                _ => self.unexpected(),
            }
        }
    }

    /// A run of characters that start no token, reported once.
    fn unexpected(&mut self) {
        let start = self.pos;
        let mut end = start + 1;
        // Step over whole UTF-8 characters, and over further unexpected ones.
        loop {
            while end < self.bytes.len() && !self.text.is_char_boundary(end) {
                end += 1;
            }
            let b = self.at(end);
            if end >= self.bytes.len()
                || is_token_start_or_space(b)
                || (b == b'-' && self.at(end + 1) == b'>')
            {
                break;
            }
            end += 1;
        }
        if self.errors.len() <= MAX_ERRORS {
            let text = snippet(self.slice(start, end));
            self.error(ParseErrorKind::UnexpectedChar { text }, start, end);
        }
        self.push(TokKind::Bad, start, end);
    }

    fn numeric_run_end(&self, start: usize) -> usize {
        let mut end = start;
        while end < self.bytes.len() && is_numeric_continue(self.at(end)) {
            end += 1;
        }
        end
    }

    /// At a letter or `:`: if the numeric-looking run here is an IPv6 address or
    /// prefix, reports it and returns true.
    fn ipv6_run(&mut self) -> bool {
        let start = self.pos;
        let end = self.numeric_run_end(start);
        let run = self.slice(start, end);
        if run.contains(':') && literal::is_ipv6(run) {
            let text = snippet(run);
            self.error(ParseErrorKind::Ipv6Unsupported { text }, start, end);
            self.push(TokKind::Bad, start, end);
            true
        } else {
            false
        }
    }

    fn numeric(&mut self) {
        let start = self.pos;
        let end = self.numeric_run_end(start);
        let run = self.slice(start, end);
        match literal::classify(run) {
            Ok(kind) => self.push(kind, start, end),
            Err((kind, token)) => {
                self.error(kind, start, end);
                self.push(token, start, end);
            }
        }
    }

    fn ident_end(&self, start: usize) -> usize {
        let mut end = start + 1;
        while end < self.bytes.len() && is_ident_continue(self.at(end)) {
            if self.at(end) == b'-' && self.at(end + 1) == b'>' {
                break;
            }
            end += 1;
        }
        end
    }

    fn word(&mut self) {
        let start = self.pos;
        let mut end = self.ident_end(start);
        if self.at(end) == b'/' && is_ident_start(self.at(end + 1)) {
            end = self.ident_end(end + 1);
        }
        self.push(TokKind::Word, start, end);
    }

    fn string(&mut self) {
        let start = self.pos;
        let mut i = start + 1;
        let mut value = String::new();
        let mut seg = i;
        let mut bad_escape = false;
        loop {
            match self.at(i) {
                b'"' => {
                    value.push_str(self.slice(seg, i));
                    let end = i + 1;
                    if bad_escape {
                        self.push(TokKind::Bad, start, end);
                    } else {
                        self.push(TokKind::Str(value), start, end);
                    }
                    return;
                }
                b'\\' => {
                    value.push_str(self.slice(seg, i));
                    match self.at(i + 1) {
                        b'"' => value.push('"'),
                        b'\\' => value.push('\\'),
                        _ => {
                            let mut esc_end = i + 2;
                            while esc_end < self.bytes.len() && !self.text.is_char_boundary(esc_end)
                            {
                                esc_end += 1;
                            }
                            let esc_end = esc_end.min(self.bytes.len());
                            if self.at(i + 1) == b'\n' || i + 1 >= self.bytes.len() {
                                // `\` at the end of the line: the string is unterminated.
                                i += 1;
                                continue;
                            }
                            let text = snippet(self.slice(i, esc_end));
                            self.error(ParseErrorKind::InvalidEscape { text }, i, esc_end);
                            bad_escape = true;
                        }
                    }
                    i += 2;
                    while i < self.bytes.len() && !self.text.is_char_boundary(i) {
                        i += 1;
                    }
                    seg = i;
                }
                b'\n' | 0 if self.at(i) == b'\n' || i >= self.bytes.len() => {
                    let end = i.min(self.bytes.len());
                    let end = if end > start && self.at(end - 1) == b'\r' {
                        end - 1
                    } else {
                        end
                    };
                    let e = ParseError::new(
                        ParseErrorKind::UnterminatedString,
                        self.span(start, end.max(start + 1)),
                    )
                    .help("add the closing `\"` (a string ends on the line where it starts)");
                    if self.errors.len() <= MAX_ERRORS {
                        self.errors.push(e);
                    }
                    self.push(TokKind::Bad, start, end.max(start + 1));
                    return;
                }
                _ => i += 1,
            }
        }
    }
}
