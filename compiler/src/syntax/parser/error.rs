//! Syntax errors: one [`ParseError`] per mistake, with the span of the point of
//! failure, what was expected there and a domain [`ParseErrorKind`] that fixes the
//! stable diagnostic code (AVS0001–AVS0099, documented in `docs/diagnostics.md`).

use crate::diagnostic::{Diagnostic, IntoDiagnostics};
use crate::span::Span;
use ipnet::Ipv4Net;

/// What went wrong. User text is kept short (see [`snippet`]) so that a 1 MB
/// token does not produce a 1 MB message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// A character that starts no token (`@`, `$`, a non-ASCII letter outside a string).
    UnexpectedChar { text: String },
    /// A string without its closing `"` on the same line.
    UnterminatedString,
    /// A backslash escape other than `\"` and `\\`.
    InvalidEscape { text: String },
    /// A decimal number that does not fit in 64 bits.
    NumberTooLarge { text: String },
    /// Digits run into letters (`12ab`).
    InvalidNumber { text: String },
    /// Something dotted that is not an IPv4 address (`10.0.0`, `300.1.1.1`).
    InvalidAddress { text: String },
    /// Something with a `/` that is not an IPv4 prefix.
    InvalidPrefix { text: String },
    /// A prefix length above 32.
    PrefixLengthTooLong { text: String },
    /// `10.1.2.3/16`: the masked prefix is suggested.
    HostBitsSet { text: String, masked: Ipv4Net },
    /// Any IPv6 address or prefix.
    Ipv6Unsupported { text: String },
    /// `N:M` with a half above 65535, or a malformed community.
    InvalidCommunity { text: String },
    /// An ASN outside 1..=4294967295 where the grammar expects an ASN.
    AsnOutOfRange { text: String },
    /// A number outside the range a position takes (`le 33`, `set med 5000000000`).
    NumberOutOfRange {
        text: String,
        what: &'static str,
        min: u64,
        max: u64,
    },
    /// The generic case: `expected X, found Y` (see [`ParseError::expected`]).
    Unexpected { found: String },
    /// A `{`, `[`, `<` whose closing delimiter never came.
    Unclosed { close: char, what: String },
    /// A closing `}` or `]` with nothing open.
    UnmatchedClose { close: char },
    /// A line at the top level that starts no item.
    ExpectedItem { found: String },
    /// A rule that starts with neither `permit` nor `deny`.
    ExpectedVerdict { found: String },
    /// An unknown word where a policy condition is expected.
    UnknownCondition { found: String },
    /// An unknown word where a policy action is expected.
    UnknownAction { found: String },
    /// An unknown word where a property (or `assume`) is expected.
    UnknownProperty { found: String },
    /// Anything after a property that is not a modifier.
    UnknownModifier { found: String },
    /// An unknown line inside a `kind` definition.
    UnknownKindLine { found: String },
    /// `path A <-> B` or `symmetric A -> B`.
    WrongDirection {
        property: &'static str,
        found: &'static str,
        wanted: &'static str,
    },
    /// The same option twice on one line (`via` twice, `required required`).
    DuplicateOption { option: String },
    /// `prepend N x 2`, `prepend N xx`, `prepend N x0`.
    InvalidRepeatCount { text: String },
    /// A subnet path (`a/b`) where a plain name is required (item names, keys).
    PathNotAllowed { text: String },
    /// A line that ends before a required part (`never r installs`).
    UnexpectedLineEnd { found: String },
    /// Optional groups nested deeper than the limit.
    NestingTooDeep { limit: usize },
    /// A carriage return not followed by a line feed (classic Mac OS line ends): not a
    /// line end, so the lines around it would run together.
    LoneCarriageReturn,
    /// The parser stopped reporting after this many errors.
    TooManyErrors { shown: usize },
}

impl ParseErrorKind {
    /// The stable diagnostic code.
    pub fn code(&self) -> &'static str {
        use ParseErrorKind::*;
        match self {
            UnexpectedChar { .. } => "AVS0001",
            UnterminatedString => "AVS0002",
            InvalidEscape { .. } => "AVS0003",
            NumberTooLarge { .. } => "AVS0004",
            InvalidNumber { .. } => "AVS0005",
            InvalidAddress { .. } => "AVS0006",
            InvalidPrefix { .. } => "AVS0007",
            PrefixLengthTooLong { .. } => "AVS0008",
            HostBitsSet { .. } => "AVS0009",
            Ipv6Unsupported { .. } => "AVS0010",
            InvalidCommunity { .. } => "AVS0011",
            AsnOutOfRange { .. } => "AVS0012",
            NumberOutOfRange { .. } => "AVS0013",
            Unexpected { .. } => "AVS0020",
            Unclosed { .. } => "AVS0021",
            UnmatchedClose { .. } => "AVS0022",
            ExpectedItem { .. } => "AVS0023",
            ExpectedVerdict { .. } => "AVS0024",
            UnknownCondition { .. } => "AVS0025",
            UnknownAction { .. } => "AVS0026",
            UnknownProperty { .. } => "AVS0027",
            UnknownModifier { .. } => "AVS0028",
            UnknownKindLine { .. } => "AVS0029",
            WrongDirection { .. } => "AVS0030",
            DuplicateOption { .. } => "AVS0031",
            InvalidRepeatCount { .. } => "AVS0032",
            PathNotAllowed { .. } => "AVS0033",
            UnexpectedLineEnd { .. } => "AVS0034",
            NestingTooDeep { .. } => "AVS0035",
            LoneCarriageReturn => "AVS0036",
            TooManyErrors { .. } => "AVS0099",
        }
    }
}

/// One syntax error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    /// The point of failure (the primary label).
    pub span: Span,
    /// What the grammar expected at `span` (`` `}` ``, `a prefix`), when that is known.
    pub expected: Option<String>,
    /// The primary label's text; a default is derived from the kind when empty.
    pub label: Option<String>,
    /// Context: secondary labels (e.g. "`er_gateway ergw` opened here").
    pub context: Vec<(Span, String)>,
    /// A `help:` line.
    pub help: Option<String>,
}

impl ParseError {
    pub fn new(kind: ParseErrorKind, span: Span) -> Self {
        ParseError {
            kind,
            span,
            expected: None,
            label: None,
            context: Vec::new(),
            help: None,
        }
    }
    pub fn expected(mut self, what: impl Into<String>) -> Self {
        self.expected = Some(what.into());
        self
    }
    pub fn label(mut self, text: impl Into<String>) -> Self {
        self.label = Some(text.into());
        self
    }
    pub fn context(mut self, span: Span, text: impl Into<String>) -> Self {
        self.context.push((span, text.into()));
        self
    }
    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }

    /// The one-line message (lowercase, no final period, user input in backticks).
    pub fn message(&self) -> String {
        use ParseErrorKind::*;
        let exp = self.expected.as_deref().unwrap_or("something else");
        match &self.kind {
            UnexpectedChar { text } => format!("unexpected character `{text}`"),
            UnterminatedString => "unterminated string".to_string(),
            InvalidEscape { text } => format!("invalid escape `{text}` in a string"),
            NumberTooLarge { text } => format!("number `{text}` is too large"),
            InvalidNumber { text } => format!("invalid number `{text}`"),
            InvalidAddress { text } => format!("invalid ipv4 address `{text}`"),
            InvalidPrefix { text } => format!("invalid ipv4 prefix `{text}`"),
            PrefixLengthTooLong { text } => format!("prefix length in `{text}` is longer than 32"),
            HostBitsSet { text, .. } => format!("prefix `{text}` has host bits set"),
            Ipv6Unsupported { text } => format!("ipv6 is not supported yet: `{text}`"),
            InvalidCommunity { text } => format!("invalid community `{text}`"),
            AsnOutOfRange { text } => format!("asn `{text}` is out of range"),
            NumberOutOfRange { text, what, .. } => format!("{what} `{text}` is out of range"),
            Unexpected { found } => format!("expected {exp}, found {found}"),
            Unclosed { close, what } => format!("expected `{close}` to close {what}"),
            UnmatchedClose { close } => format!("unexpected `{close}`"),
            ExpectedItem { found } => format!("expected an item, found {found}"),
            ExpectedVerdict { found } => format!("expected `permit` or `deny`, found {found}"),
            UnknownCondition { found } => format!("unknown policy condition {found}"),
            UnknownAction { found } => format!("unknown policy action {found}"),
            UnknownProperty { found } => format!("unknown property {found}"),
            UnknownModifier { found } => {
                format!("expected a modifier or end of line, found {found}")
            }
            UnknownKindLine { found } => format!("unknown kind definition line {found}"),
            WrongDirection {
                property, found, ..
            } => format!("`{property}` does not take `{found}`"),
            DuplicateOption { option } => format!("`{option}` is given twice"),
            InvalidRepeatCount { text } => format!("invalid repeat count `{text}`"),
            PathNotAllowed { text } => format!("expected a name, found path `{text}`"),
            UnexpectedLineEnd { found } => format!("expected {exp}, found {found}"),
            NestingTooDeep { limit } => format!("nesting is deeper than {limit} levels"),
            LoneCarriageReturn => {
                "a carriage return without a line feed is not a line end".to_string()
            }
            TooManyErrors { shown } => format!("too many syntax errors; stopped after {shown}"),
        }
    }

    fn default_label(&self) -> String {
        use ParseErrorKind::*;
        match &self.kind {
            UnexpectedChar { .. } => "not part of any token".to_string(),
            UnterminatedString => "this string is never closed".to_string(),
            InvalidEscape { .. } => "only `\\\"` and `\\\\` are escapes".to_string(),
            NumberTooLarge { .. } => "does not fit in 64 bits".to_string(),
            InvalidNumber { .. } => "a number is decimal digits only".to_string(),
            InvalidAddress { .. } => "not four numbers 0..=255 separated by `.`".to_string(),
            InvalidPrefix { .. } => "not `ADDRESS/LENGTH`".to_string(),
            PrefixLengthTooLong { .. } => "an ipv4 prefix length is 0..=32".to_string(),
            HostBitsSet { masked, .. } => {
                format!("the network address of this prefix is `{masked}`")
            }
            Ipv6Unsupported { .. } => "ipv6".to_string(),
            InvalidCommunity { .. } => "not `N:M` with N and M in 0..=65535".to_string(),
            AsnOutOfRange { .. } => "an asn is 1..=4294967295".to_string(),
            NumberOutOfRange { min, max, .. } => format!("expected {min}..={max}"),
            Unclosed { close, .. } => format!("expected `{close}` before this"),
            UnmatchedClose { .. } => "nothing to close here".to_string(),
            ExpectedItem { .. } => {
                "expected a component, `policy`, `prefix_list`, `check`, `use` or `kind`"
                    .to_string()
            }
            ExpectedVerdict { .. } => "a rule starts with `permit` or `deny`".to_string(),
            UnknownCondition { .. } => "not a condition".to_string(),
            UnknownAction { .. } => "not an action".to_string(),
            UnknownProperty { .. } => "not a property".to_string(),
            UnknownModifier { .. } => "not `under failures K` or `without NAME`".to_string(),
            UnknownKindLine { .. } => "expected `asn`, `behaviour`, `key` or `session`".to_string(),
            WrongDirection { wanted, .. } => format!("expected `{wanted}`"),
            DuplicateOption { .. } => "given again here".to_string(),
            InvalidRepeatCount { .. } => "expected `xK` with K at least 1".to_string(),
            PathNotAllowed { .. } => "a name cannot contain `/`".to_string(),
            NestingTooDeep { .. } => "too deep".to_string(),
            LoneCarriageReturn => "a lone carriage return (`\\r`)".to_string(),
            TooManyErrors { .. } => "the parser stopped here".to_string(),
            Unexpected { .. } | UnexpectedLineEnd { .. } => match &self.expected {
                Some(e) => format!("expected {e}"),
                None => "unexpected".to_string(),
            },
        }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ParseError {}

impl IntoDiagnostics for ParseError {
    fn into_diagnostics(self) -> Vec<Diagnostic> {
        let label = self.label.clone().unwrap_or_else(|| self.default_label());
        let mut d = Diagnostic::error(self.kind.code(), self.message()).primary(self.span, label);
        for (span, text) in self.context {
            d = d.secondary(span, text);
        }
        if let Some(h) = self.help {
            d = d.help(h);
        }
        vec![d]
    }
}

/// User text shortened for a message: at most 32 characters, then `…`.
pub(crate) fn snippet(text: &str) -> String {
    const MAX: usize = 32;
    let mut out = String::new();
    for c in text.chars().take(MAX) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}
