//! The `.avs` parser: a linear lexer ([`lexer`]) and a recursive-descent parser over
//! its tokens, one file per construct. It never panics, never recurses on input
//! nesting (optional groups in key patterns use an explicit, limited stack), runs in
//! time linear in the input, and recovers after each error so that one run reports
//! several mistakes (at most [`cursor::MAX_ERRORS`]).
//!
//! The grammar (LANGUAGE.md §1–§3; `docs/language.md` is the reference). `EOL` is a
//! line break, `;`, or a `}` that closes the enclosing block.
//!
//! ```text
//! file        = { item | EOL }
//! item        = use | policy | prefix_list | check | kind_def | component
//! use         = "use" NAME EOL                                  (items.rs)
//! component   = KIND NAME "{" { line } "}"                      (component.rs)
//! line        = KEY { value } EOL
//! value       = WORD | NUMBER | PREFIX | ADDRESS | COMMUNITY | STRING
//! policy      = "policy" NAME "{" { rule } "}"                  (policy.rs)
//! rule        = ("permit" | "deny") { condition } [ "{" { action } "}" ] EOL
//! condition   = "prefix" prefix_match | "prefix_list" NAME | "as_path" "contains" ASN
//!             | "as_path" "length" ("<"|"<="|"="|">="|">") NUMBER | "tag" tag
//!             | "originated_by" NAME
//! action      = "set" ("local_pref" NUMBER | "med" NUMBER | "next_hop" ("self" | ADDRESS))
//!             | "prepend" ASN [ "x" K ] | ("add" | "remove") "tag" tag
//!             | "remove_private_as" | "remove_as" ASN { ASN } | "replace_as" ASN { ASN }
//! tag         = NAME | COMMUNITY
//! prefix_list = "prefix_list" NAME "[" [ prefix_match { "," prefix_match } [","] ] "]"   (prefix_list.rs)
//! prefix_match= PREFIX [ "ge" LEN ] [ "le" LEN ]
//! check       = "check" STRING "{" { check_line } "}"           (check.rs)
//! check_line  = "assume" NAME "advertises" "any" "within" PREFIX [ "le" LEN ] EOL
//!             | property { modifier } EOL
//! property    = "never" NAME "installs" PREFIX [ "via" NAME ] [ "originated_by" NAME ]
//!             | "reachable" endpoint ("->" | "<->") endpoint | "loop_free"
//!             | "path" endpoint "->" endpoint ("traverses" | "avoids") NAME
//!             | "symmetric" endpoint "<->" endpoint | "routes" NAME "<=" NUMBER
//! modifier    = "under" "failures" NUMBER | "without" NAME
//! endpoint    = WORD | PREFIX | ADDRESS
//! kind_def    = "kind" NAME "{" { kind_line } "}"               (kind.rs)
//! kind_line   = "asn" ASN | "behaviour" NAME { NAME }
//!             | "key" NAME { pattern } { "repeat" | "required" | "default" value }
//!             | "session" WORD { value }
//! pattern     = "<" WORD { "|" WORD } ">" | WORD | "[" { pattern } "]"
//! ```
//!
//! Item keywords are keywords only at the start of an item and only in their shape
//! (`use NAME EOL`, `check STRING`, `prefix_list NAME [`, `policy NAME {`,
//! `kind NAME {`); anything else of the form `WORD WORD {` is a component.

mod check;
mod component;
mod cursor;
mod error;
mod items;
mod kind;
mod lexer;
mod literal;
mod policy;
mod prefix_list;
mod suggest;
mod token;

pub use error::{ParseError, ParseErrorKind};

use crate::span::{FileId, Span};
use crate::syntax::ast::SourceFile;
use cursor::{Parser, MAX_ERRORS};

/// Parses one file. Never panics: every input yields a [`SourceFile`] (with
/// [`crate::syntax::ast::Item::Error`] nodes where items did not parse) and the
/// syntax errors, sorted by position and capped at [`MAX_ERRORS`].
pub fn parse(file: FileId, text: &str) -> (SourceFile, Vec<ParseError>) {
    let (tokens, lex_errors) = lexer::lex(file, text);
    let mut p = Parser::new(file, text, tokens);
    let items = p.file();
    let mut errors = lex_errors;
    errors.append(&mut p.errors);
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    if errors.len() > MAX_ERRORS {
        let cut = errors
            .get(MAX_ERRORS)
            .map(|e| e.span)
            .unwrap_or_else(|| Span::new(file, text.len(), text.len()));
        errors.truncate(MAX_ERRORS);
        errors.push(
            ParseError::new(ParseErrorKind::TooManyErrors { shown: MAX_ERRORS }, cut)
                .help("fix the errors above first; later syntax errors are not shown"),
        );
    }
    (SourceFile { items }, errors)
}

#[cfg(test)]
mod tests;
