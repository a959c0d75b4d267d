//! The JSON machine contract of `avscheck check --format json` (LANGUAGE.md §4).

use super::model::CheckResult;
use crate::diagnostic::{Diagnostic, Severity, SourceMap};
use crate::span::Span;
use serde_json::{json, Value};

/// `{"start", "end", "line", "column"}` (+ `file` when it is not the user's file).
pub fn span_json(sources: &SourceMap, user_file: crate::FileId, span: Span) -> Value {
    let (line, column) = sources.line_col(span.file, span.start);
    let mut v = json!({"start": span.start, "end": span.end, "line": line, "column": column});
    if span.file != user_file {
        if let Some(obj) = v.as_object_mut() {
            obj.insert(
                "file".into(),
                Value::String(sources.name(span.file).to_string()),
            );
        }
    }
    v
}

pub fn diagnostic_json(sources: &SourceMap, user_file: crate::FileId, d: &Diagnostic) -> Value {
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    };
    json!({
        "severity": severity,
        "code": d.code,
        "message": d.message,
        "labels": d.labels.iter().map(|l| json!({
            "span": span_json(sources, user_file, l.span),
            "message": l.message,
            "primary": l.primary,
        })).collect::<Vec<_>>(),
        "notes": d.notes,
    })
}

pub fn check_json(sources: &SourceMap, user_file: crate::FileId, c: &CheckResult) -> Value {
    json!({
        "title": c.title,
        "status": c.status.as_str(),
        "span": span_json(sources, user_file, c.span),
        "reason": c.reason,
        "counterexample": c.counterexample,
        "labels": c.labels.iter().map(|l| json!({
            "span": span_json(sources, user_file, l.span),
            "message": l.message,
            "primary": l.primary,
        })).collect::<Vec<_>>(),
    })
}

/// The report of one file.
pub fn file_report(
    sources: &SourceMap,
    user_file: crate::FileId,
    checks: &[CheckResult],
    diagnostics: &[Diagnostic],
) -> Value {
    json!({
        "file": sources.name(user_file),
        "checks": checks.iter().map(|c| check_json(sources, user_file, c)).collect::<Vec<_>>(),
        "diagnostics": diagnostics.iter().map(|d| diagnostic_json(sources, user_file, d)).collect::<Vec<_>>(),
    })
}
