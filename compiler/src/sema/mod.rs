//! Semantic analysis: name resolution and validation against kind definitions
//! (`resolve`), lints and findings, and lowering to the network model (`lower`).

pub mod lints;
pub mod lower;
pub mod model;
pub mod resolve;

pub use lower::lower;
pub use model::Design;
pub use resolve::resolve;

/// Whether an error-level diagnostic of resolution is a *finding* about a design that
/// can still be analysed (LANGUAGE.md §3: built-in findings; exit status 1) rather than
/// input that cannot be (exit status 2): a reserved ASN (AVS0200).
pub fn is_finding(d: &crate::Diagnostic) -> bool {
    d.code == resolve::codes::RESERVED_ASN
}
