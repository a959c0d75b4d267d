//! avscheck: a verification compiler for hybrid Azure network designs.
//!
//! The pipeline: parse → resolve → lower → simulate / verify → report.
//!
//! ```text
//! syntax::parse      .avs text        → ast::SourceFile     (+ parse errors)
//! sema::resolve      ast + stdlib     → sema::Design         (+ name/type errors, lints)
//! sema::lower        Design           → ir::Network          (+ built-in findings)
//! sim                ir::Network      → stable state, effective routes, traces
//! smt                ir::Network      → proofs / counterexamples
//! report             results          → human (codespan), JSON, SARIF
//! ```
//!
//! Nothing in the library prints; the `avscheck` binary renders.

pub mod diagnostic;
pub mod ir;
pub mod report;
pub mod sema;
pub mod sim;
pub mod smt;
pub mod span;
pub mod stdlib;
pub mod syntax;

pub use diagnostic::{Diagnostic, IntoDiagnostics, Severity, SourceMap};
pub use span::{FileId, Span, Spanned};

/// The result of reading one design up to the network model.
#[derive(Debug)]
pub struct Analysis {
    pub sources: SourceMap,
    /// The user's file.
    pub file: FileId,
    /// Every diagnostic so far, in a deterministic order.
    pub diagnostics: Vec<Diagnostic>,
    /// The network model, when the design resolved without errors.
    pub network: Option<ir::Network>,
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
    /// True when the input could not be analysed (syntax, names, types): exit status 2.
    pub fn is_unusable(&self) -> bool {
        self.network.is_none()
    }
}

/// Parses, resolves and lowers one design. `name` is how the file is shown in
/// diagnostics (keep it relative for deterministic output).
pub fn analyse(name: &str, text: &str) -> Analysis {
    let mut sources = SourceMap::new();
    let file = sources.add(name, text);
    let (ast, parse_errors) = syntax::parse(file, text);
    let mut diagnostics = parse_errors.into_diagnostics();
    let modules = stdlib::load(&mut sources, &ast);
    diagnostics.extend(modules.diagnostics);
    let (design, resolve_diags) = sema::resolve(&ast, &modules.files);
    diagnostics.extend(resolve_diags);
    let mut network = None;
    if !diagnostics.iter().any(Diagnostic::is_error) {
        let (net, lower_diags) = sema::lower(&design);
        diagnostics.extend(lower_diags);
        network = Some(net);
    }
    diagnostic::sort_diagnostics(&mut diagnostics);
    Analysis {
        sources,
        file,
        diagnostics,
        network,
    }
}
