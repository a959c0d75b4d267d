//! Rendering of diagnostics and results: human (codespan), JSON, SARIF.
//! Rendering returns strings; nothing here prints.

pub mod human;
