//! The parser's error type: where, and what was expected (a domain [`ErrorKind`]).

use super::lex::{In, Word};
use ipnet::Ipv4Net;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Expected(String),
    Unexpected(String),
    OutOfRange(String),
    HostBits(Ipv4Net),
    Ipv6,
    /// A value FRR's bgpd refuses (checked with FRR 8.4): what is wrong, and FRR's rule
    /// (shown as the help).
    FrrRule {
        what: String,
        rule: String,
    },
    /// An unambiguous prefix of a keyword (`remote` for `remote-as`): bgpd reads it
    /// as the keyword, avscheck reads full keywords only (AVS0902).
    Abbreviated {
        word: String,
        full: String,
    },
    /// A nom combinator failed without a domain reason (kept for completeness).
    Nom,
}

/// A parse error at byte range `start..end` of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PError {
    pub start: usize,
    pub end: usize,
    pub kind: ErrorKind,
}

impl PError {
    /// At the input's position: the next word, or the end of the line.
    pub fn at(i: &In, kind: ErrorKind) -> Self {
        let text = i.fragment();
        let skip = text.len() - text.trim_start_matches([' ', '\t']).len();
        let word_len = text
            .get(skip..)
            .and_then(|t| t.split([' ', '\t']).next())
            .map(str::len)
            .unwrap_or(0);
        let start = i.location_offset() + skip;
        PError {
            start,
            end: start + word_len,
            kind,
        }
    }
    pub fn word(w: &Word, kind: ErrorKind) -> Self {
        PError {
            start: w.start,
            end: w.end,
            kind,
        }
    }
    /// FRR's rule the value breaks, for the diagnostic's help.
    pub fn help(&self) -> Option<String> {
        match &self.kind {
            ErrorKind::FrrRule { rule, .. } => Some(rule.clone()),
            _ => None,
        }
    }
    pub fn message(&self) -> String {
        match &self.kind {
            ErrorKind::Expected(what) => format!("expected {what}"),
            ErrorKind::Unexpected(w) => format!("unexpected `{w}`"),
            ErrorKind::OutOfRange(what) => format!("expected {what}"),
            ErrorKind::HostBits(p) => format!("prefix has host bits set (did you mean `{p}`?)"),
            ErrorKind::Ipv6 => "IPv6 is not supported yet".to_string(),
            ErrorKind::FrrRule { what, .. } => what.clone(),
            ErrorKind::Abbreviated { word, .. } => format!("abbreviated keyword `{word}`"),
            ErrorKind::Nom => "malformed statement".to_string(),
        }
    }
}

impl<'a> nom::error::ParseError<In<'a>> for PError {
    fn from_error_kind(input: In<'a>, _kind: nom::error::ErrorKind) -> Self {
        PError::at(&input, ErrorKind::Nom)
    }
    fn append(_input: In<'a>, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
    /// Of two alternatives, the one that got further explains the mistake.
    fn or(self, other: Self) -> Self {
        if other.start >= self.start {
            other
        } else {
            self
        }
    }
}
