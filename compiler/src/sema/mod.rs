//! Semantic analysis: name resolution and validation against kind definitions
//! (`resolve`), lints and findings, and lowering to the network model (`lower`).

pub mod lints;
pub mod lower;
pub mod model;
pub mod resolve;

pub use lower::lower;
pub use model::Design;
pub use resolve::resolve;
