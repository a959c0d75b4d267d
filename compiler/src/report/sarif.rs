//! SARIF 2.1.0 (`avscheck check --format sarif`), for code-scanning front ends.
//!
//! One run for all files. Every diagnostic is a result; every check is a result too:
//! a passing check with `kind: "pass"`, a failing or unknown one with its
//! counterexample's labels as related locations and its paths and routes in the
//! message. Locations are the file names as given (relative paths stay relative).

use super::model::{CheckResult, CheckStatus};
use crate::diagnostic::{Diagnostic, Severity, SourceMap};
use crate::span::{FileId, Span};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One analysed file's results.
pub struct FileResults<'a> {
    pub sources: &'a SourceMap,
    pub file: FileId,
    pub checks: &'a [CheckResult],
    pub diagnostics: &'a [Diagnostic],
}

fn location(sources: &SourceMap, span: Span, message: Option<&str>) -> Value {
    let (start_line, start_col) = sources.line_col(span.file, span.start);
    let (end_line, end_col) = sources.line_col(span.file, span.end);
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": sources.name(span.file)},
            "region": {
                "startLine": start_line,
                "startColumn": start_col,
                "endLine": end_line,
                "endColumn": end_col,
            }
        }
    });
    if let (Some(m), Some(obj)) = (message, loc.as_object_mut()) {
        obj.insert("message".into(), json!({"text": m}));
    }
    loc
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn diagnostic_result(sources: &SourceMap, d: &Diagnostic) -> Value {
    let mut text = d.message.clone();
    for n in &d.notes {
        text.push('\n');
        text.push_str(n);
    }
    let primary: Vec<Value> = d
        .labels
        .iter()
        .filter(|l| l.primary)
        .map(|l| location(sources, l.span, Some(&l.message)))
        .collect();
    let related: Vec<Value> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .enumerate()
        .map(|(i, l)| {
            let mut v = location(sources, l.span, Some(&l.message));
            if let Some(obj) = v.as_object_mut() {
                obj.insert("id".into(), json!(i));
            }
            v
        })
        .collect();
    json!({
        "ruleId": d.code,
        "level": level(d.severity),
        "message": {"text": text},
        "locations": primary,
        "relatedLocations": related,
    })
}

/// The SARIF log of a run over `files`.
pub fn sarif(files: &[FileResults<'_>]) -> Value {
    let mut rules: BTreeMap<&str, String> = BTreeMap::new();
    let mut results = Vec::new();
    for f in files {
        for d in f.diagnostics {
            rules.entry(d.code).or_insert_with(|| d.message.clone());
            results.push(diagnostic_result(f.sources, d));
        }
        for c in f.checks {
            match c.to_diagnostic(f.file) {
                Some(mut d) => {
                    // Keep the stdlib labels too: SARIF viewers list them.
                    d.labels.retain(|l| l.span.file == f.file);
                    for l in c.labels.iter().filter(|l| l.span.file != f.file) {
                        d = d.secondary(l.span, l.message.clone());
                    }
                    rules.entry(d.code).or_insert_with(|| match c.status {
                        CheckStatus::Fail => "a check fails".to_string(),
                        CheckStatus::Unknown => "a check is unknown".to_string(),
                        _ => "a check is not verified".to_string(),
                    });
                    results.push(diagnostic_result(f.sources, &d));
                }
                None => {
                    rules
                        .entry("AVS0703")
                        .or_insert_with(|| "a check holds".to_string());
                    results.push(json!({
                        "ruleId": "AVS0703",
                        "kind": "pass",
                        "level": "none",
                        "message": {"text": format!("check `{}` holds", c.title)},
                        "locations": [location(f.sources, c.span, None)],
                    }));
                }
            }
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "avscheck",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|(id, text)| json!({
                    "id": id,
                    "shortDescription": {"text": text},
                    "helpUri": format!("docs/diagnostics.md#{}", id.to_lowercase()),
                })).collect::<Vec<_>>(),
            }},
            "results": results,
        }]
    })
}
