//! Checks: properties, modifiers and assumptions (LANGUAGE.md §3).
//!
//! ```text
//! check      = "check" STRING "{" { check_line } "}"
//! check_line = "assume" NAME "advertises" "any" "within" PREFIX [ "le" LEN ] EOL
//!            | property { modifier } EOL
//! property   = "never" NAME "installs" PREFIX [ "via" NAME ] [ "originated_by" NAME ]
//!            | "reachable" endpoint ("->" | "<->") endpoint
//!            | "loop_free"
//!            | "path" endpoint "->" endpoint ("traverses" | "avoids") NAME
//!            | "symmetric" endpoint "<->" endpoint
//!            | "routes" NAME "<=" NUMBER
//! modifier   = "under" "failures" NUMBER [ "of" NAME { NAME } ]
//!            | "without" "peering" NAME NAME
//!            | "without" NAME
//!              (the `of` list ends at the line's end or at the next modifier word;
//!               `without peering` alone is the kind: every VNet peering)
//! endpoint   = WORD | PREFIX | ADDRESS          (WORD includes `hub/default`, `internet`)
//! ```

use super::cursor::{Fail, PResult, Parser};
use super::error::{snippet, ParseError, ParseErrorKind};
use super::suggest::help_for;
use super::token::TokKind;
use crate::span::{Span, Spanned};
use crate::syntax::ast::{
    Assume, CheckDef, CheckLine, Direction, Endpoint, EndpointValue, Ident, Modifier, ModifierKind,
    Property, PropertyKind,
};

const LINES: &[&str] = &[
    "never",
    "reachable",
    "loop_free",
    "path",
    "symmetric",
    "routes",
    "assume",
];
const MODIFIERS: &[&str] = &["under", "without"];
const ENDPOINT: &str = "an endpoint (a name, a prefix or an address)";

impl Parser<'_> {
    /// `check = "check" STRING "{" { check_line } "}"`
    pub(crate) fn check(&mut self) -> PResult<CheckDef> {
        let kw = self.expect_keyword("check", "")?;
        let title = match self.kind() {
            TokKind::Str(s) => {
                let s = s.clone();
                let t = self.bump();
                Spanned::new(s, self.span_of(&t))
            }
            _ => {
                let help = self.word_at(0).map(|w| {
                    format!(
                        "put the title in quotes: `check \"{}\" {{ ... }}`",
                        snippet(w)
                    )
                });
                return Err(self.unexpected_with("a title in quotes after `check`", help));
            }
        };
        let what = || format!("`check \"{}\"`", snippet(&title.node));
        let open = self.expect_punct(TokKind::LBrace, "`{` after the check title")?;
        let lines = self.block(open, what, |p| p.check_line());
        Ok(CheckDef {
            title,
            lines,
            span: self.span_from(kw),
        })
    }

    /// `check_line = assume | property { modifier }`
    fn check_line(&mut self) -> PResult<CheckLine> {
        let start = self.span();
        let Some(w) = self.word_at(0) else {
            return Err(self.unexpected("a property or `}`"));
        };
        match w {
            "assume" => self.assume().map(CheckLine::Assume),
            "never" | "reachable" | "loop_free" | "path" | "symmetric" | "routes" => {
                self.property().map(CheckLine::Property)
            }
            other => {
                let e = ParseError::new(
                    ParseErrorKind::UnknownProperty {
                        found: format!("`{}`", snippet(other)),
                    },
                    start,
                )
                .help(help_for(Some(other), LINES));
                self.error(e);
                Err(Fail)
            }
        }
    }

    /// `"assume" NAME "advertises" "any" "within" PREFIX [ "le" LEN ]`
    fn assume(&mut self) -> PResult<Assume> {
        let kw = self.expect_keyword("assume", "")?;
        let node = self.expect_word("a node name after `assume`")?;
        self.expect_keyword("advertises", &format!("after `assume {}`", node.node))?;
        self.expect_keyword("any", "after `advertises`")?;
        self.expect_keyword("within", "after `advertises any`")?;
        let within = self.expect_prefix("a prefix after `within`")?;
        let le = if self.at_word("le") {
            self.bump();
            Some(self.expect_length("le")?)
        } else {
            None
        };
        Ok(Assume {
            node,
            within,
            le,
            span: self.span_from(kw),
        })
    }

    /// `property { modifier }`
    fn property(&mut self) -> PResult<Property> {
        let start = self.span();
        let w = self.word_at(0).unwrap_or("");
        self.bump();
        let kind = match w {
            "never" => self.never()?,
            "reachable" => {
                let from = self.endpoint(ENDPOINT)?;
                let direction = self.direction()?;
                let to = self.endpoint(ENDPOINT)?;
                PropertyKind::Reachable {
                    from,
                    direction,
                    to,
                }
            }
            "loop_free" => PropertyKind::LoopFree,
            "path" => {
                let from = self.endpoint(ENDPOINT)?;
                self.direction_exactly("path", Direction::Forward)?;
                let to = self.endpoint(ENDPOINT)?;
                match self.word_at(0) {
                    Some("traverses") => {
                        self.bump();
                        let waypoint = self.expect_word("a waypoint name after `traverses`")?;
                        PropertyKind::Traverses { from, to, waypoint }
                    }
                    Some("avoids") => {
                        self.bump();
                        let waypoint = self.expect_word("a waypoint name after `avoids`")?;
                        PropertyKind::Avoids { from, to, waypoint }
                    }
                    _ => return Err(self.unexpected("`traverses` or `avoids`")),
                }
            }
            "symmetric" => {
                let a = self.endpoint(ENDPOINT)?;
                self.direction_exactly("symmetric", Direction::Both)?;
                let b = self.endpoint(ENDPOINT)?;
                PropertyKind::Symmetric { a, b }
            }
            _ => {
                // "routes"
                let node = self.expect_word("a node name after `routes`")?;
                self.expect_punct(TokKind::Le, &format!("`<=` after `routes {}`", node.node))?;
                let max = self.expect_number("a number of prefixes after `<=`")?;
                PropertyKind::RouteLimit { node, max }
            }
        };
        let mut modifiers = Vec::new();
        while !self.at_line_end() {
            modifiers.push(self.modifier()?);
        }
        Ok(Property {
            kind,
            modifiers,
            span: self.span_from(start),
        })
    }

    /// `"never" NAME "installs" PREFIX [ "via" NAME ] [ "originated_by" NAME ]`
    /// (`via` and `originated_by` in either order, once each).
    fn never(&mut self) -> PResult<PropertyKind> {
        let node = self.expect_word("a node name after `never`")?;
        self.expect_keyword("installs", &format!("after `never {}`", node.node))?;
        let prefix = self.expect_prefix("a prefix after `installs`")?;
        let mut via: Option<Ident> = None;
        let mut originated_by: Option<Ident> = None;
        loop {
            let which = match self.word_at(0) {
                Some("via") => "via",
                Some("originated_by") => "originated_by",
                _ => break,
            };
            let kw = self.bump_span();
            let taken = if which == "via" {
                via.is_some()
            } else {
                originated_by.is_some()
            };
            if taken {
                self.duplicate(which, kw);
                return Err(Fail);
            }
            let name = self.expect_word(&format!("a node name after `{which}`"))?;
            if which == "via" {
                via = Some(name);
            } else {
                originated_by = Some(name);
            }
        }
        Ok(PropertyKind::Never {
            node,
            prefix,
            via,
            originated_by,
        })
    }

    pub(crate) fn duplicate(&mut self, option: &str, span: Span) {
        self.error(ParseError::new(
            ParseErrorKind::DuplicateOption {
                option: option.to_string(),
            },
            span,
        ));
    }

    /// `modifier = "under" "failures" NUMBER [ "of" NAME... ] | "without" ...`
    fn modifier(&mut self) -> PResult<Modifier> {
        let start = self.span();
        let kind = match self.word_at(0) {
            Some("under") => {
                self.bump();
                self.expect_keyword("failures", "after `under`")?;
                let count = self.expect_u32("failure count", 0)?;
                let mut of = Vec::new();
                if self.at_word("of") {
                    self.bump();
                    of.push(self.expect_word(
                        "a kind or component name after `of` (e.g. `er_circuit`, `tunnel`)",
                    )?);
                    while !self.at_line_end()
                        && !self.word_at(0).is_some_and(|w| MODIFIERS.contains(&w))
                    {
                        of.push(self.expect_word("a kind or component name in the `of` list")?);
                    }
                }
                ModifierKind::Failures { count, of }
            }
            Some("without") => {
                self.bump();
                let x = self.expect_word("a kind or component name after `without`")?;
                // `without peering A B` names one peering; `without peering` alone (at
                // the line's end or before another modifier) is the kind.
                let names_a_peering = x.node == "peering"
                    && !self.at_line_end()
                    && !self.word_at(0).is_some_and(|w| MODIFIERS.contains(&w));
                if names_a_peering {
                    let a = self.expect_word("a vnet name after `without peering`")?;
                    let b = self.expect_word(&format!(
                        "the other vnet after `without peering {}`",
                        a.node
                    ))?;
                    ModifierKind::WithoutPeering(a, b)
                } else {
                    ModifierKind::Without(x)
                }
            }
            w => {
                if *self.kind() == TokKind::Bad {
                    return Err(Fail);
                }
                let found = self.describe_current();
                let e = ParseError::new(ParseErrorKind::UnknownModifier { found }, start).help(
                    help_for(w, MODIFIERS).replace("expected one of", "a modifier is one of"),
                );
                self.error(e);
                return Err(Fail);
            }
        };
        Ok(Spanned::new(kind, self.span_from(start)))
    }

    /// `endpoint = WORD | PREFIX | ADDRESS`
    fn endpoint(&mut self, expected: &str) -> PResult<Endpoint> {
        let t = self.peek();
        let span = self.span_of(t);
        let v = match t.kind {
            TokKind::Word => EndpointValue::Name(self.text_of(t).to_string()),
            TokKind::Prefix(p) => EndpointValue::Prefix(p),
            TokKind::Address(a) => EndpointValue::Address(a),
            _ => return Err(self.unexpected(expected)),
        };
        self.bump();
        Ok(Spanned::new(v, span))
    }

    /// `"->" | "<->"`
    fn direction(&mut self) -> PResult<Spanned<Direction>> {
        let d = match self.kind() {
            TokKind::Arrow => Direction::Forward,
            TokKind::BiArrow => Direction::Both,
            _ => return Err(self.unexpected("`->` or `<->`")),
        };
        let t = self.bump();
        Ok(Spanned::new(d, self.span_of(&t)))
    }

    /// The one direction a property takes (`path` takes `->`, `symmetric` `<->`).
    fn direction_exactly(&mut self, property: &'static str, wanted: Direction) -> PResult<()> {
        let (want_tok, want_text, other_tok, other_text) = match wanted {
            Direction::Forward => (TokKind::Arrow, "->", TokKind::BiArrow, "<->"),
            Direction::Both => (TokKind::BiArrow, "<->", TokKind::Arrow, "->"),
        };
        if *self.kind() == want_tok {
            self.bump();
            return Ok(());
        }
        if *self.kind() == other_tok {
            let help = match wanted {
                Direction::Forward => {
                    "a path has one direction: write two `path` lines for both ways"
                }
                Direction::Both => "symmetry is about both directions: write `<->`",
            };
            let e = ParseError::new(
                ParseErrorKind::WrongDirection {
                    property,
                    found: other_text,
                    wanted: want_text,
                },
                self.span(),
            )
            .help(help);
            self.error(e);
            return Err(Fail);
        }
        Err(self.unexpected(&format!("`{want_text}`")))
    }
}
