//! Name resolution and validation. (Stub: being written.)

use super::model::Design;
use crate::diagnostic::Diagnostic;
use crate::span::FileId;
use crate::stdlib::Module;
use crate::syntax::ast;

/// Resolves the user's file against the loaded stdlib modules.
pub fn resolve(
    _user: &ast::SourceFile,
    _stdlib: &[(Module, FileId, ast::SourceFile)],
) -> (Design, Vec<Diagnostic>) {
    (Design::default(), Vec::new())
}
