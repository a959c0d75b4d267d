//! Items: the top-level loop, item dispatch and `use NAME`.
//!
//! ```text
//! file = { item | EOL }
//! item = use | policy | prefix_list | check | kind_def | component
//! ```

use super::cursor::{Fail, PResult, Parser};
use super::error::{ParseError, ParseErrorKind};
use super::token::TokKind;
use crate::syntax::ast::{Item, UseDecl};

/// The item keywords, for messages.
const ITEM_KEYWORDS: &str =
    "a component (`KIND NAME { ... }`), `policy`, `prefix_list`, `check`, `use` or `kind`";

impl Parser<'_> {
    /// `file = { item | EOL }`
    pub(crate) fn file(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        loop {
            self.skip_separators();
            match self.kind() {
                TokKind::Eof => return items,
                TokKind::RBrace => {
                    let span = self.span();
                    self.bump();
                    self.error(
                        ParseError::new(ParseErrorKind::UnmatchedClose { close: '}' }, span)
                            .help("this `}` closes nothing: remove it, or check the `{` of the item above"),
                    );
                    continue;
                }
                TokKind::RBracket => {
                    let span = self.span();
                    self.bump();
                    self.error(ParseError::new(
                        ParseErrorKind::UnmatchedClose { close: ']' },
                        span,
                    ));
                    continue;
                }
                _ => {}
            }
            let start = self.span();
            let before = self.pos;
            match self.item() {
                Ok(item) => {
                    items.push(item);
                    if !self.at_line_end() && !self.after_separator() {
                        // `router r { } extra`: the item is fine, the rest is not.
                        self.unexpected("end of line after the item");
                        self.recover_line();
                    }
                }
                Err(Fail) => {
                    self.recover_item();
                    items.push(Item::Error(self.span_from(start)));
                }
            }
            if self.pos == before {
                self.bump();
            }
        }
    }

    /// Dispatches on the item's shape; see the module docs of `parser`.
    fn item(&mut self) -> PResult<Item> {
        let Some(first) = self.word_at(0) else {
            let t = self.peek();
            if t.kind == TokKind::Bad {
                return Err(Fail);
            }
            let found = t.kind.describe(self.text_of(t));
            let e = ParseError::new(ParseErrorKind::ExpectedItem { found }, self.span())
                .help(format!("an item is {ITEM_KEYWORDS}"));
            self.error(e);
            return Err(Fail);
        };
        let k1 = self.peek_at(1).kind.clone();
        let k2 = self.peek_at(2).kind.clone();
        let shape_component = k1 == TokKind::Word && k2 == TokKind::LBrace;
        match first {
            "use"
                if k1 == TokKind::Word
                    && matches!(k2, TokKind::Newline | TokKind::Semi | TokKind::Eof) =>
            {
                self.use_decl().map(Item::Use)
            }
            "check" if matches!(k1, TokKind::Str(_)) => self.check().map(Item::Check),
            "prefix_list" if k1 == TokKind::Word && k2 == TokKind::LBracket => {
                self.prefix_list().map(Item::PrefixList)
            }
            "policy" => self.policy().map(Item::Policy),
            "kind" => self.kind_def().map(Item::Kind),
            _ if shape_component => self.component().map(Item::Component),
            // Not in any shape: parse as the keyword's item so that the error says
            // what that item expects.
            "use" => self.use_decl().map(Item::Use),
            "check" => self.check().map(Item::Check),
            "prefix_list" => self.prefix_list().map(Item::PrefixList),
            _ => self.component().map(Item::Component),
        }
    }

    /// `use = "use" NAME EOL`
    fn use_decl(&mut self) -> PResult<UseDecl> {
        let kw = self.expect_keyword("use", "")?;
        let module = self.expect_name("a module name after `use` (e.g. `use azure`)")?;
        self.expect_line_end(&format!("`use {}`", module.node))?;
        Ok(UseDecl {
            span: kw.to(module.span),
            module,
        })
    }
}
