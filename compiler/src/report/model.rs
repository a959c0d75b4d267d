//! The results of `avscheck check`, independent of how they are rendered.

use crate::diagnostic::Diagnostic;
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
    /// Part of the explanation of why the check fails (shown in human output even
    /// when it points into the standard library).
    pub explains: bool,
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

impl CheckResult {
    /// A check that does not pass, as a diagnostic (AVS0700–AVS0702) so its spans
    /// render like any other; `None` for a pass.
    pub fn to_diagnostic(&self, user_file: crate::FileId) -> Option<Diagnostic> {
        (self.status != CheckStatus::Pass).then(|| to_diagnostic(self, user_file))
    }
}

/// A failed or unknown check, rendered like a diagnostic so its spans show. Labels
/// inside the embedded stdlib (implicit Azure policies the user cannot change) are
/// left to the JSON report.
pub fn to_diagnostic(c: &CheckResult, user_file: crate::FileId) -> Diagnostic {
    let mut d = match c.status {
        CheckStatus::Fail => Diagnostic::error("AVS0700", format!("check `{}` fails", c.title)),
        CheckStatus::Unknown => {
            Diagnostic::error("AVS0701", format!("check `{}` is unknown", c.title))
        }
        _ => Diagnostic::warning("AVS0702", format!("check `{}` is not verified", c.title)),
    };
    if c.labels.is_empty() {
        d = d.primary(c.span, "this check");
    }
    for l in c
        .labels
        .iter()
        .filter(|l| l.span.file == user_file || l.explains)
    {
        d = if l.primary {
            d.primary(l.span, l.message.clone())
        } else {
            d.secondary(l.span, l.message.clone())
        };
    }
    if let Some(r) = &c.reason {
        d = d.note(r.clone());
    }
    if let Some(cx) = &c.counterexample {
        for line in counterexample_lines(cx) {
            d.notes.push(line);
        }
    }
    d
}

/// The counterexample's paths and routes as note lines.
fn counterexample_lines(cx: &serde_json::Value) -> Vec<String> {
    let mut lines = Vec::new();
    let strs = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| x.to_string())
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let failed = strs(&cx["failed"]);
    if !failed.is_empty() {
        lines.push(format!("failed: {}", failed.join(", ")));
    }
    if let Some(env) = cx["environment"].as_array() {
        for e in env {
            lines.push(format!(
                "environment: `{}` announces `{}`",
                e["node"].as_str().unwrap_or("?"),
                e["prefix"].as_str().unwrap_or("?")
            ));
        }
    }
    if let Some(dropped) = cx["dropped"].as_array() {
        for d in dropped {
            lines.push(format!(
                "environment: `{}` announces {} prefixes inside `{}`: more than {} from `{}` to `{}`, which drops the session",
                d["node"].as_str().unwrap_or("?"),
                d["announced"],
                d["within"].as_str().unwrap_or("?"),
                d["limit"],
                d["session"][0].as_str().unwrap_or("?"),
                d["session"][1].as_str().unwrap_or("?")
            ));
        }
    }
    if let Some(paths) = cx["paths"].as_array() {
        for p in paths {
            lines.push(format!(
                "path {} -> {}: {} ({})",
                p["from"].as_str().unwrap_or("?"),
                p["to"].as_str().unwrap_or("?"),
                strs(&p["hops"]).join(" → "),
                p["disposition"].as_str().unwrap_or("?")
            ));
        }
    }
    if let Some(routes) = cx["routes"].as_array() {
        for r in routes {
            let path: Vec<String> = r["as_path"]
                .as_array()
                .map(|a| a.iter().map(|x| x.to_string()).collect())
                .unwrap_or_default();
            lines.push(format!(
                "route: {} installs {} [{}] from {}",
                r["node"].as_str().unwrap_or("?"),
                r["prefix"].as_str().unwrap_or("?"),
                path.join(" "),
                r["from"].as_str().unwrap_or("itself")
            ));
        }
    }
    lines
}
