//! Rendering of diagnostics and results: human (codespan), JSON, SARIF.
//! Rendering returns strings; nothing here prints.

pub mod github;
pub mod graph;
pub mod human;
pub mod json;
pub mod model;
pub mod routes;
pub mod rules;
pub mod sarif;
pub mod trace;

pub use model::{
    Announcement, CexPath, CexRoute, CheckResult, CheckStatus, Counterexample, DroppedSession,
    PropertyResult, ResultLabel,
};
