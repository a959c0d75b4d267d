//! Components and their generic lines.
//!
//! ```text
//! component = KIND NAME "{" { line } "}"
//! line      = KEY { value } EOL
//! value     = WORD | NUMBER | PREFIX | ADDRESS | COMMUNITY | STRING
//! ```
//!
//! What a key means is up to the kind's definition (resolution), so a line is kept
//! as lexically classified tokens.

use super::cursor::{PResult, Parser};
use super::token::TokKind;
use crate::span::Spanned;
use crate::syntax::ast::{Arg, ArgValue, Component, Line};

impl Parser<'_> {
    /// `component = KIND NAME "{" { line } "}"`
    pub(crate) fn component(&mut self) -> PResult<Component> {
        let kind = self.expect_name("an item")?;
        let name = self.name_or(|| format!("a name after `{}`", kind.node))?;
        let what = || format!("`{} {}`", kind.node, name.node);
        let open = self.punct_or(TokKind::LBrace, || format!("`{{` after {}", what()))?;
        let lines = self.block(open, what, |p| p.component_line());
        Ok(Component {
            span: self.span_from(kind.span),
            kind,
            name,
            lines,
        })
    }

    /// `line = KEY { value } EOL`
    fn component_line(&mut self) -> PResult<Line> {
        let key = self.expect_name("a key or `}`")?;
        let mut args = Vec::new();
        while !self.at_line_end() {
            if *self.kind() == TokKind::LBrace {
                let help = "a component line is `KEY VALUE...` on one line; it cannot open a block";
                return Err(self.unexpected_with("a value or end of line", Some(help.to_string())));
            }
            args.push(self.value("a value or end of line")?);
        }
        Ok(Line {
            span: self.span_from(key.span),
            key,
            args,
        })
    }

    /// `value = WORD | NUMBER | PREFIX | ADDRESS | COMMUNITY | STRING`
    pub(crate) fn value(&mut self, expected: &str) -> PResult<Arg> {
        let t = self.peek();
        let span = self.span_of(t);
        let v = match &t.kind {
            TokKind::Word => ArgValue::Word(self.text_of(t).to_string()),
            TokKind::Number(n) => ArgValue::Number(*n),
            TokKind::Prefix(p) => ArgValue::Prefix(*p),
            TokKind::Address(a) => ArgValue::Address(*a),
            TokKind::Community(a, b) => ArgValue::Community(*a, *b),
            TokKind::Str(s) => ArgValue::Str(s.clone()),
            _ => return Err(self.unexpected(expected)),
        };
        self.bump();
        Ok(Spanned::new(v, span))
    }
}
