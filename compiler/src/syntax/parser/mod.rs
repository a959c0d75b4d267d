//! The parser. (Stub: being written.)

use crate::diagnostic::{Diagnostic, IntoDiagnostics};
use crate::span::{FileId, Span};
use crate::syntax::ast::SourceFile;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    Unexpected,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub span: Span,
}

impl IntoDiagnostics for ParseError {
    fn into_diagnostics(self) -> Vec<Diagnostic> {
        vec![Diagnostic::error("AVS0001", "syntax error").primary(self.span, "here")]
    }
}

pub fn parse(_file: FileId, _text: &str) -> (SourceFile, Vec<ParseError>) {
    (SourceFile { items: Vec::new() }, Vec::new())
}
