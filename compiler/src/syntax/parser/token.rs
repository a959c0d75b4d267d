//! Tokens of the `.avs` language.

use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TokKind {
    /// `[A-Za-z_][A-Za-z0-9_-]*`, optionally `/` and a second such segment
    /// (`hub/default`). The text is read from the source by span.
    Word,
    Number(u64),
    Prefix(Ipv4Net),
    Address(Ipv4Addr),
    Community(u16, u16),
    /// `"..."`, escapes already processed.
    Str(String),
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Semi,
    /// One or more line breaks (blank and comment-only lines collapse into one).
    Newline,
    /// `->`
    Arrow,
    /// `<->`
    BiArrow,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `=`
    Eq,
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `|`
    Pipe,
    /// A malformed token; its error has already been reported by the lexer, so the
    /// parser fails silently on it and recovers.
    Bad,
    Eof,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokKind,
    pub start: usize,
    pub end: usize,
    /// The token is the first of its line and starts at column 1.
    pub col1: bool,
}

impl TokKind {
    /// A short description for `found ...` in messages; `text` is the token's source.
    pub(crate) fn describe(&self, text: &str) -> String {
        use super::error::snippet;
        match self {
            TokKind::Word => format!("`{}`", snippet(text)),
            TokKind::Number(_) => format!("number `{}`", snippet(text)),
            TokKind::Prefix(_) => format!("prefix `{}`", snippet(text)),
            TokKind::Address(_) => format!("address `{}`", snippet(text)),
            TokKind::Community(..) => format!("community `{}`", snippet(text)),
            TokKind::Str(_) => format!("string `{}`", snippet(text)),
            TokKind::Newline => "end of line".to_string(),
            TokKind::Eof => "end of file".to_string(),
            TokKind::Bad => "an invalid token".to_string(),
            TokKind::LBrace => "`{`".to_string(),
            TokKind::RBrace => "`}`".to_string(),
            TokKind::LBracket => "`[`".to_string(),
            TokKind::RBracket => "`]`".to_string(),
            TokKind::Comma => "`,`".to_string(),
            TokKind::Semi => "`;`".to_string(),
            TokKind::Arrow => "`->`".to_string(),
            TokKind::BiArrow => "`<->`".to_string(),
            TokKind::Lt => "`<`".to_string(),
            TokKind::Le => "`<=`".to_string(),
            TokKind::Eq => "`=`".to_string(),
            TokKind::Ge => "`>=`".to_string(),
            TokKind::Gt => "`>`".to_string(),
            TokKind::Pipe => "`|`".to_string(),
        }
    }

    /// True for the tokens that end a line: a line break, `;`, a closing `}` (not
    /// consumed) and the end of the file.
    pub(crate) fn ends_line(&self) -> bool {
        matches!(
            self,
            TokKind::Newline | TokKind::Semi | TokKind::RBrace | TokKind::Eof
        )
    }
}
