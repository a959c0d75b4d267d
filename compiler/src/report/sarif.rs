//! SARIF 2.1.0 (`avscheck check --format sarif`) that GitHub code scanning accepts.
//!
//! One run for all files. A result per diagnostic and finding and per check that does
//! not hold (`fail`: error, `unknown`: error, `unverified`: warning); a check that holds
//! is no result (code scanning shows every result as an alert). Each result has:
//!
//! - a stable `ruleId` (the diagnostic code); `tool.driver.rules` describes each code
//!   used, from docs/diagnostics.md (`shortDescription` = the message shape,
//!   `fullDescription` and `help` text/markdown = its documentation, an absolute
//!   `helpUri` to the code's anchor);
//! - `partialFingerprints."avscheck/v1"`: a hash of the code, the file, the check title
//!   or the message, and the text of the primary line, never byte offsets or line
//!   numbers, so alerts follow the code across commits;
//! - locations relative to `%SRCROOT%` (the repository root, where `avscheck` runs), the
//!   standard library under its own base id `AVSCHECK_STDLIB`;
//! - related locations (the counterexample's labels), each linked from the message as
//!   `[text](id)`, and the counterexample's packet paths as `codeFlows`.
//!
//! A file that cannot be read or analysed sets `invocations[0].executionSuccessful` to
//! false with a `toolExecutionNotification` naming it.
//!
//! The structs below are the subset of the SARIF 2.1.0 object model that avscheck
//! writes (own types rather than `serde-sarif`: a few dozen lines, and no builder
//! boilerplate); `tests/sarif.rs` validates every example against the OASIS schema.

use super::model::{CheckResult, CheckStatus};
use super::rules;
use crate::api::Checked;
use crate::diagnostic::{Diagnostic, Severity, SourceMap};
use crate::span::{FileId, Span};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The base id of locations in the user's repository.
pub const SRCROOT: &str = "%SRCROOT%";
/// The base id of locations in avscheck's embedded standard library.
pub const STDLIB_BASE: &str = "AVSCHECK_STDLIB";

#[derive(Debug, Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub tool: Tool,
    pub invocations: Vec<Invocation>,
    pub original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    pub results: Vec<SarifResult>,
    pub column_kind: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: &'static str,
    pub version: &'static str,
    pub semantic_version: &'static str,
    pub information_uri: &'static str,
    pub rules: Vec<ReportingDescriptor>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor {
    pub id: String,
    pub name: String,
    pub short_description: Message,
    pub full_description: Message,
    pub help: MultiformatMessage,
    pub help_uri: String,
    pub default_configuration: Configuration,
}

#[derive(Debug, Serialize)]
pub struct Configuration {
    pub level: &'static str,
}

#[derive(Debug, Serialize)]
pub struct MultiformatMessage {
    pub text: String,
    pub markdown: String,
}

#[derive(Debug, Serialize)]
pub struct Message {
    pub text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_execution_notifications: Vec<Notification>,
}

#[derive(Debug, Serialize)]
pub struct Notification {
    pub level: &'static str,
    pub message: Message,
    pub locations: Vec<Location>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: String,
    pub level: &'static str,
    pub message: Message,
    pub locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub code_flows: Vec<CodeFlow>,
    pub partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<usize>,
    pub physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Message>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeFlow {
    pub message: Message,
    pub thread_flows: Vec<ThreadFlow>,
}

#[derive(Debug, Serialize)]
pub struct ThreadFlow {
    pub locations: Vec<ThreadFlowLocation>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadFlowLocation {
    pub location: Location,
    pub execution_order: usize,
}

/// A file name as a relative URI reference: `/` separators, percent-encoded where RFC
/// 3986 requires, no `./` prefix. Names that are absolute stay absolute (`file:///…`).
pub fn uri_of(name: &str) -> (String, Option<&'static str>) {
    if let Some(rest) = name.strip_prefix("<stdlib>/") {
        return (encode(rest), Some(STDLIB_BASE));
    }
    let slashed = name.replace('\\', "/");
    if slashed.starts_with('/') {
        return (format!("file://{}", encode(&slashed)), None);
    }
    let mut rel = slashed.as_str();
    while let Some(r) = rel.strip_prefix("./") {
        rel = r;
    }
    (encode(rel), Some(SRCROOT))
}

fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn region(sources: &SourceMap, span: Span) -> Region {
    let (start_line, start_column) = sources.line_col(span.file, span.start);
    let (mut end_line, mut end_column) = sources.line_col(span.file, span.end);
    if (end_line, end_column) < (start_line, start_column) {
        (end_line, end_column) = (start_line, start_column);
    }
    Region {
        start_line,
        start_column,
        end_line,
        end_column,
    }
}

fn location(sources: &SourceMap, span: Span, message: Option<&str>, id: Option<usize>) -> Location {
    let (uri, base) = uri_of(sources.name(span.file));
    Location {
        id,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri,
                uri_base_id: base,
                description: None,
            },
            region: Some(region(sources, span)),
        },
        message: message.map(|m| Message {
            text: m.to_string(),
        }),
    }
}

fn file_location(name: &str) -> Location {
    let (uri, base) = uri_of(name);
    Location {
        id: None,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri,
                uri_base_id: base,
                description: None,
            },
            region: None,
        },
        message: None,
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// SARIF messages treat `[`, `]` and `\` as markup (embedded links).
fn escape_message(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A stable hash (FNV-1a, 64 bits) as 16 hex digits: the same on every platform and
/// every run.
fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The text of a span's first line, trimmed (stable across edits elsewhere).
fn line_text(sources: &SourceMap, span: Span) -> String {
    let text = sources.text(span.file);
    let (line, _) = sources.line_col(span.file, span.start);
    text.lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .trim()
        .to_string()
}

fn diagnostic_result(
    sources: &SourceMap,
    d: &Diagnostic,
    identity: &str,
    flows: Vec<CodeFlow>,
) -> SarifResult {
    let mut text = escape_message(&d.message);
    let mut related = Vec::new();
    for (i, l) in d.labels.iter().filter(|l| !l.primary).enumerate() {
        let id = i + 1;
        text.push_str(&format!(
            "\n- [{}]({id})",
            escape_message(&l.message).replace('\n', " ")
        ));
        related.push(location(sources, l.span, Some(&l.message), Some(id)));
    }
    for n in &d.notes {
        text.push('\n');
        text.push_str(&escape_message(n));
    }
    let primary_span = d.primary_span();
    let mut locations: Vec<Location> = d
        .labels
        .iter()
        .filter(|l| l.primary)
        .map(|l| location(sources, l.span, Some(&l.message), None))
        .collect();
    if locations.is_empty() {
        // Code scanning needs a location: the file itself.
        let file = d.labels.first().map(|l| l.span.file).unwrap_or_default();
        locations.push(file_location(sources.name(file)));
    }
    let file = primary_span
        .map(|s| sources.name(s.file))
        .unwrap_or_default();
    let line = primary_span
        .map(|s| line_text(sources, s))
        .unwrap_or_default();
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("avscheck/v1", fingerprint(&[d.code, file, identity, &line]));
    SarifResult {
        rule_id: d.code.to_string(),
        level: level(d.severity),
        message: Message { text },
        locations,
        related_locations: related,
        code_flows: flows,
        partial_fingerprints: fingerprints,
    }
}

/// The counterexample's packet paths as code flows: one thread flow per path, a step
/// per hop at the hop's declaration in the design.
fn code_flows(
    sources: &SourceMap,
    user_file: FileId,
    c: &CheckResult,
    net: Option<&crate::ir::Network>,
) -> Vec<CodeFlow> {
    let (Some(cx), Some(net)) = (&c.counterexample, net) else {
        return Vec::new();
    };
    let mut flows = Vec::new();
    for p in &cx.paths {
        let mut steps = Vec::new();
        for (i, hop) in p.hops.iter().enumerate() {
            let span = net
                .node_by_name(hop)
                .and_then(|id| net.nodes.get(id))
                .map(|n| n.span)
                .filter(|s| s.file == user_file);
            let Some(span) = span else { continue };
            let what = if i + 1 == p.hops.len() {
                format!(
                    "{}. `{hop}`: {}",
                    steps.len() + 1,
                    p.disposition.replace('_', " ")
                )
            } else {
                format!("{}. `{hop}`", steps.len() + 1)
            };
            steps.push(ThreadFlowLocation {
                location: location(sources, span, Some(&what), None),
                execution_order: steps.len() + 1,
            });
        }
        if steps.is_empty() {
            continue;
        }
        flows.push(CodeFlow {
            message: Message {
                text: format!(
                    "a packet from `{}` to `{}`: {} ({})",
                    p.from,
                    p.to,
                    p.hops.join(" → "),
                    p.disposition.replace('_', " ")
                ),
            },
            thread_flows: vec![ThreadFlow { locations: steps }],
        });
    }
    flows
}

fn rule_level(severity: &str) -> &'static str {
    match severity {
        "error" => "error",
        "warning" => "warning",
        "note" => "note",
        _ => "none",
    }
}

fn descriptor(code: &str) -> ReportingDescriptor {
    let rule = rules::rule(code);
    let (short, full, markdown, severity) = match &rule {
        Some(r) => (
            r.short.clone(),
            r.full.clone(),
            r.markdown.clone(),
            r.severity.as_str(),
        ),
        None => (
            code.to_string(),
            format!("{code} (not documented)"),
            format!("{code} (not documented)"),
            "error",
        ),
    };
    let uri = rules::help_uri(code);
    ReportingDescriptor {
        id: code.to_string(),
        name: rule_name(&short),
        short_description: Message { text: short },
        full_description: Message { text: full.clone() },
        help: MultiformatMessage {
            text: format!("{full}\nDocumentation: {uri}"),
            markdown: format!("{markdown}\n\n[Documentation of {code}]({uri})"),
        },
        help_uri: uri,
        default_configuration: Configuration {
            level: rule_level(severity),
        },
    }
}

/// A PascalCase identifier from the message shape (`CheckTFails`).
fn rule_name(short: &str) -> String {
    short
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The SARIF log of a run over `files`.
pub fn sarif(files: &[Checked]) -> Log {
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for f in files {
        if let Some(e) = &f.input_error {
            notifications.push(Notification {
                level: "error",
                message: Message {
                    text: format!("{} [{}]: the file was not analysed", e.message, e.code),
                },
                locations: vec![file_location(&f.name)],
            });
            continue;
        }
        let Some((sources, user_file)) = f.sources() else {
            continue;
        };
        if f.is_unusable() {
            let errors = f.diagnostics.iter().filter(|d| d.is_error()).count();
            notifications.push(Notification {
                level: "error",
                message: Message {
                    text: format!(
                        "`{}` could not be analysed ({errors} errors, reported as results): its checks were not verified",
                        f.name
                    ),
                },
                locations: vec![file_location(&f.name)],
            });
        }
        for d in &f.diagnostics {
            used.insert(d.code.to_string());
            results.push(diagnostic_result(sources, d, &d.message, Vec::new()));
        }
        let net = f.analysis.as_ref().and_then(|a| a.network.as_ref());
        for c in &f.checks {
            if c.status == CheckStatus::Pass {
                continue;
            }
            let mut d = super::model::to_diagnostic(c, user_file);
            // Keep the stdlib labels too: SARIF viewers list them.
            d.labels.retain(|l| l.span.file == user_file);
            for l in c.labels.iter().filter(|l| l.span.file != user_file) {
                d = d.secondary(l.span, l.message.clone());
            }
            used.insert(d.code.to_string());
            let flows = code_flows(sources, user_file, c, net);
            results.push(diagnostic_result(sources, &d, &c.title, flows));
        }
    }
    let mut bases = BTreeMap::new();
    bases.insert(
        STDLIB_BASE,
        ArtifactLocation {
            uri: format!(
                "https://github.com/avscheck/avscheck/blob/v{}/stdlib/",
                env!("CARGO_PKG_VERSION")
            ),
            uri_base_id: None,
            description: Some(Message {
                text: "avscheck's embedded standard library (`<stdlib>/…` in other reports)"
                    .to_string(),
            }),
        },
    );
    Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "avscheck",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/avscheck/avscheck",
                    rules: used.iter().map(|c| descriptor(c)).collect(),
                },
            },
            invocations: vec![Invocation {
                execution_successful: notifications.is_empty(),
                tool_execution_notifications: notifications,
            }],
            original_uri_base_ids: bases,
            results,
            column_kind: "unicodeCodePoints",
        }],
    }
}
