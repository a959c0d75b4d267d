//! The results of `avscheck check`, independent of how they are rendered.

use crate::span::Span;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Proved for every stable state (and every allowed failure / environment).
    Pass,
    /// Refuted: a counterexample exists.
    Fail,
    /// The solver timed out or answered unknown: never shown as a pass.
    Unknown,
    /// Not verified (the verifier could not be run for this check).
    Unverified,
}

impl CheckStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Unknown => "unknown",
            CheckStatus::Unverified => "unverified",
        }
    }
    /// Whether this status lets the run exit 0.
    pub fn holds(&self) -> bool {
        *self == CheckStatus::Pass
    }
}

/// A label of a counterexample: a span that matters and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResultLabel {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct CheckResult {
    pub title: String,
    /// The whole `check` item.
    pub span: Span,
    pub status: CheckStatus,
    /// Why the status is `unknown`/`unverified`, or a one-line narrative of the failure.
    pub reason: Option<String>,
    /// LANGUAGE.md §4's `counterexample` object (null unless `fail`).
    pub counterexample: Option<serde_json::Value>,
    /// Spans to show with the result (the check line, the originate, the policy rule, ...).
    pub labels: Vec<ResultLabel>,
}
