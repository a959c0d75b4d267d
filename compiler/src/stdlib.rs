//! The standard library: `.avs` modules embedded in the binary.
//!
//! `core` (the `router` and `tunnel` kinds) is always loaded; `azure` when the
//! design says `use azure`.

use crate::diagnostic::{Diagnostic, IntoDiagnostics, SourceMap};
use crate::span::FileId;
use crate::syntax::{self, ast};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Module {
    Core,
    Azure,
}

impl Module {
    pub const ALL: [Module; 2] = [Module::Core, Module::Azure];

    /// The name used in `use NAME` (`core` is implicit).
    pub fn name(self) -> &'static str {
        match self {
            Module::Core => "core",
            Module::Azure => "azure",
        }
    }
    pub fn source(self) -> &'static str {
        match self {
            Module::Core => include_str!("../../stdlib/core.avs"),
            Module::Azure => include_str!("../../stdlib/azure.avs"),
        }
    }
    /// How the module's file is named in diagnostics.
    pub fn file_name(self) -> String {
        format!("<stdlib>/{}.avs", self.name())
    }
    pub fn by_name(name: &str) -> Option<Module> {
        Module::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// Whether file `id` of `sources` is an embedded module (its name and text are a
/// module's), not the user's design or one of its configuration files.
pub fn is_stdlib(sources: &SourceMap, id: FileId) -> bool {
    sources.get(id).is_some_and(|f| {
        Module::ALL
            .into_iter()
            .any(|m| f.name == m.file_name() && f.text == m.source())
    })
}

/// The parsed modules a design uses.
#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Vec<(Module, FileId, ast::SourceFile)>,
    /// Parse errors inside the stdlib itself (a bug in avscheck; tested against).
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads `core` and every module the design's `use` lines name (unknown names are
/// left for the resolver to report).
pub fn load(sources: &mut SourceMap, design: &ast::SourceFile) -> Loaded {
    let mut wanted = vec![Module::Core];
    for item in &design.items {
        if let ast::Item::Use(u) = item {
            if let Some(m) = Module::by_name(&u.module.node) {
                if !wanted.contains(&m) {
                    wanted.push(m);
                }
            }
        }
    }
    wanted.sort();
    let mut loaded = Loaded::default();
    for m in wanted {
        let file = sources.add(m.file_name(), m.source());
        let (ast, errors) = syntax::parse(file, m.source());
        loaded.diagnostics.extend(errors.into_diagnostics());
        loaded.files.push((m, file, ast));
    }
    loaded
}
