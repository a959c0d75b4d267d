//! The typed report of `avscheck check --format json` and of [`crate::check_source`]:
//! the machine contract (LANGUAGE.md §4, extended; fields are only ever added).
//!
//! Shape: one object `{"format_version", "files": [FileReport...]}` whatever the number
//! of files, each element of `files` the object LANGUAGE.md §4 defines. A run over exactly
//! one design (the common case, and the one §4 shows) also carries that design's
//! [`FileReport`] fields at the top level — `file`, `checks`, `diagnostics`, `summary`,
//! `exit_status`, `error` — so a consumer of §4's contract reads `.checks` where the
//! contract puts it, and a consumer of `files` is unaffected ([`ReportShape`]). Its JSON
//! Schema, generated from these types with `schemars`, is committed as
//! `docs/report.schema.json`.
//!
//! Locations: a span in the design has 1-based `line`/`column` (columns in characters,
//! after a byte-order mark), `end_line`/`end_column`, and the byte offsets `start`/`end`
//! of LANGUAGE.md §4. A span in the embedded standard library is *named*, not numbered:
//! its `file` (`<stdlib>/azure.avs`), the `item` it lies in (`kind er_gateway`) and the
//! `text` of its line, so that a report does not change when the stdlib does. A span in
//! an FRR configuration (`config "PATH"`) has its `file` and is numbered like one in
//! the design, with the `text` of its line too (cut to [`MAX_QUOTED_CHARS`]).

use super::model::{CheckResult, CheckStatus, Counterexample};
use crate::diagnostic::{Diagnostic, Severity, SourceMap};
use crate::span::{FileId, Span};
use schemars::JsonSchema;
use serde::Serialize;
use std::fmt;

/// The version of this report's shape. 2: the `files` wrapper, typed locations,
/// per-property verdicts, `error`, `summary`, `exit_status`. Fields added since, without
/// a new version (fields are only ever added): the one design's fields at the top level.
pub const FORMAT_VERSION: u32 = 2;

/// Quoted user text (names, titles) is cut to this many characters in messages.
pub const MAX_QUOTED_CHARS: usize = 80;

/// The report of one run over one or more designs. Serialized as [`ReportShape`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The version of this shape ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// One entry per design, in the order given (a directory: its `.avs` files sorted).
    pub files: Vec<FileReport>,
}

/// How a [`Report`] is written in JSON: the version, with exactly one design that
/// design's fields at the top level (LANGUAGE.md §4's object), and `files`.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportShape<'a> {
    /// The version of this shape ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// With exactly one design: its report, field by field at the top level (absent with
    /// none or several).
    #[serde(flatten)]
    pub design: Option<&'a FileReport>,
    /// One entry per design, in the order given (a directory: its `.avs` files sorted).
    pub files: &'a [FileReport],
}

impl<'a> From<&'a Report> for ReportShape<'a> {
    fn from(r: &'a Report) -> Self {
        ReportShape {
            format_version: r.format_version,
            design: match r.files.as_slice() {
                [one] => Some(one),
                _ => None,
            },
            files: &r.files,
        }
    }
}

impl Serialize for Report {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ReportShape::from(self).serialize(s)
    }
}

/// What happened to one design.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileReport {
    /// The file's name as given (relative paths stay relative; `-` is `<stdin>`).
    pub file: String,
    /// Why the file could not be read at all (then `checks` and `diagnostics` are empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<InputError>,
    /// The verdict of each check, in source order.
    pub checks: Vec<CheckReport>,
    /// Every diagnostic and finding (including error-level findings such as AVS0502), in
    /// a deterministic order (file, position, code).
    pub diagnostics: Vec<DiagnosticReport>,
    /// Counts of `checks` by status.
    pub summary: Summary,
    /// The exit status this file alone gives: 0 every check holds and nothing is
    /// error-level; 1 a check fails or is unknown, an error-level finding, or nothing
    /// was verified; 2 the input cannot be read or analysed, or a bad request.
    pub exit_status: u8,
}

/// A file that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InputError {
    /// `AVS0800` (not UTF-8) or `AVS0801` (cannot read), `AVS0803` (no design in a
    /// directory).
    pub code: String,
    pub message: String,
}

/// Counts of checks by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub checks: usize,
    pub pass: usize,
    pub fail: usize,
    pub unknown: usize,
    pub unverified: usize,
}

/// A place in a source file. See the module documentation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// The file, when it is not the design itself (`<stdlib>/azure.avs`, or an FRR
    /// configuration `config "PATH"` names, shown relative like the design).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Byte offset of the start, in the design or a configuration file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<u32>,
    /// Byte offset just past the end, in the design or a configuration file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<u32>,
    /// 1-based line of the start, in the design or a configuration file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column (in characters) of the start, in the design or a configuration
    /// file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// 1-based line of the end, in the design or a configuration file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
    /// 1-based column just past the end, in the design or a configuration file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<usize>,
    /// In the standard library: the item the span lies in (`kind er_gateway`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Outside the design (standard library, configuration file): the text of the
    /// span's first line, trimmed (in a configuration file cut to 80 characters, with
    /// `…` and the length).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A span with what it means.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelReport {
    pub span: Location,
    pub message: String,
    /// Where the problem is (else context).
    pub primary: bool,
}

/// `error`, `warning` or `note`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SeverityReport {
    Error,
    Warning,
    Note,
}

/// A diagnostic or a built-in finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnosticReport {
    pub severity: SeverityReport,
    /// Stable code (`AVS0001`), documented in docs/diagnostics.md.
    pub code: String,
    pub message: String,
    pub labels: Vec<LabelReport>,
    /// `help: ...` and `note: ...` lines.
    pub notes: Vec<String>,
}

/// The verdict of one property line of a check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PropertyReport {
    /// The property line.
    pub span: Location,
    pub status: CheckStatus,
    /// Why it is `unknown`.
    pub reason: Option<String>,
}

/// The verdict of one check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckReport {
    pub title: String,
    /// `pass`, `fail`, `unknown` (never a pass) or `unverified`.
    pub status: CheckStatus,
    /// The whole `check` item.
    pub span: Location,
    /// Why the status is `unknown`/`unverified`, or a one-line narrative of a failure.
    pub reason: Option<String>,
    /// The counterexample of a failing check (else `null`).
    pub counterexample: Option<Counterexample>,
    /// The spans that explain a failure: the property lines that do not hold, then the
    /// lines the counterexample names.
    pub labels: Vec<LabelReport>,
    /// One verdict per property line.
    pub properties: Vec<PropertyReport>,
}

impl Report {
    /// The exit status of the whole run: the worst of its files (0 for no files).
    pub fn exit_status(&self) -> u8 {
        self.files.iter().map(|f| f.exit_status).max().unwrap_or(0)
    }
    /// True when every check of every file holds, nothing is error-level and every file
    /// was verified (exit status 0).
    pub fn all_hold(&self) -> bool {
        !self.files.is_empty() && self.exit_status() == 0
    }
    /// Every check of every file, with its file.
    pub fn checks(&self) -> impl Iterator<Item = (&FileReport, &CheckReport)> {
        self.files
            .iter()
            .flat_map(|f| f.checks.iter().map(move |c| (f, c)))
    }
}

/// `text` cut to [`MAX_QUOTED_CHARS`] characters (with `…` and the full length).
pub fn truncate_quoted(text: &str) -> String {
    let count = text.chars().count();
    if count <= MAX_QUOTED_CHARS {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX_QUOTED_CHARS).collect();
    format!("{head}… ({count} characters)")
}

/// A location by byte offsets and line:column (1-based) in `span`'s file.
fn located(
    sources: &SourceMap,
    span: Span,
    file: Option<String>,
    text: Option<String>,
) -> Location {
    let (line, column) = sources.line_col(span.file, span.start);
    let (end_line, end_column) = sources.line_col(span.file, span.end);
    Location {
        file,
        start: Some(span.start),
        end: Some(span.end),
        line: Some(line),
        column: Some(column),
        end_line: Some(end_line),
        end_column: Some(end_column),
        item: None,
        text,
    }
}

/// The location of a span (see the module documentation).
pub fn location(sources: &SourceMap, user_file: FileId, span: Span) -> Location {
    if span.file == user_file {
        located(sources, span, None, None)
    } else {
        let name = sources.name(span.file);
        let (item, text) = stdlib_place(sources.text(span.file), span);
        if name.starts_with("<stdlib>/") {
            Location {
                file: Some(name.to_string()),
                start: None,
                end: None,
                line: None,
                column: None,
                end_line: None,
                end_column: None,
                item,
                text,
            }
        } else {
            // Another file of the user's (an FRR configuration): located like the
            // design, with the line's text cut to `MAX_QUOTED_CHARS` (an over-long
            // line, AVS0910, would otherwise be copied whole).
            let text = text.map(|t| truncate_quoted(&t));
            located(sources, span, Some(name.to_string()), text)
        }
    }
}

/// The enclosing top-level item's header (`kind er_gateway`) and the span's line.
pub fn stdlib_place(text: &str, span: Span) -> (Option<String>, Option<String>) {
    let mut start = (span.start as usize).min(text.len());
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    let before = text.get(..start).unwrap_or("");
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let raw_line = text
        .get(line_start..)
        .and_then(|rest| rest.lines().next())
        .unwrap_or("");
    let line = Some(raw_line.trim().to_string()).filter(|l| !l.is_empty());
    // The last line before (or at) the span that starts in column 1 and is not a comment.
    let item = text
        .get(..line_start)
        .unwrap_or("")
        .lines()
        .chain(std::iter::once(raw_line))
        .rfind(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        .map(|l| {
            l.split(['{', '#'])
                .next()
                .unwrap_or(l)
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|s| !s.is_empty());
    (item, line)
}

fn severity(s: Severity) -> SeverityReport {
    match s {
        Severity::Error => SeverityReport::Error,
        Severity::Warning => SeverityReport::Warning,
        Severity::Note => SeverityReport::Note,
    }
}

pub fn diagnostic_report(
    sources: &SourceMap,
    user_file: FileId,
    d: &Diagnostic,
) -> DiagnosticReport {
    DiagnosticReport {
        severity: severity(d.severity),
        code: d.code.to_string(),
        message: d.message.clone(),
        labels: d
            .labels
            .iter()
            .map(|l| LabelReport {
                span: location(sources, user_file, l.span),
                message: l.message.clone(),
                primary: l.primary,
            })
            .collect(),
        notes: d.notes.clone(),
    }
}

pub fn check_report(sources: &SourceMap, user_file: FileId, c: &CheckResult) -> CheckReport {
    CheckReport {
        title: c.title.clone(),
        status: c.status,
        span: location(sources, user_file, c.span),
        reason: c.reason.clone(),
        counterexample: c.counterexample.clone(),
        labels: c
            .labels
            .iter()
            .map(|l| LabelReport {
                span: location(sources, user_file, l.span),
                message: l.message.clone(),
                primary: l.primary,
            })
            .collect(),
        properties: c
            .properties
            .iter()
            .map(|p| PropertyReport {
                span: location(sources, user_file, p.span),
                status: p.status,
                reason: p.reason.clone(),
            })
            .collect(),
    }
}

/// Counts of checks by status.
pub fn summary(checks: &[CheckResult]) -> Summary {
    let count = |s: CheckStatus| checks.iter().filter(|c| c.status == s).count();
    Summary {
        checks: checks.len(),
        pass: count(CheckStatus::Pass),
        fail: count(CheckStatus::Fail),
        unknown: count(CheckStatus::Unknown),
        unverified: count(CheckStatus::Unverified),
    }
}

/// The JSON Schema of [`Report`] (draft 2020-12), as committed in
/// `docs/report.schema.json`.
pub fn report_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ReportShape)).unwrap_or_default()
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line, self.column) {
            (None, Some(line), Some(col)) => write!(f, "{line}:{col}"),
            (file, _, _) => {
                write!(f, "{}", file.as_deref().unwrap_or("?"))?;
                if let Some(item) = &self.item {
                    write!(f, " in `{item}`")?;
                }
                if let Some(text) = &self.text {
                    write!(f, ": `{text}`")?;
                }
                Ok(())
            }
        }
    }
}

/// Deterministic, colour-free text: per file its diagnostics (code, message, every label
/// as `line:col`, notes), its checks with each property line, and a summary. Stable
/// across avscheck upgrades as long as the design and its verdicts do not change.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, file) in self.files.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{file}")?;
        }
        Ok(())
    }
}

impl fmt::Display for FileReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "file {}", self.file)?;
        if let Some(e) = &self.error {
            writeln!(f, "error[{}]: {}", e.code, e.message)?;
        }
        for d in &self.diagnostics {
            let sev = match d.severity {
                SeverityReport::Error => "error",
                SeverityReport::Warning => "warning",
                SeverityReport::Note => "note",
            };
            writeln!(f, "{sev}[{}]: {}", d.code, d.message)?;
            for l in &d.labels {
                let mark = if l.primary { "-->" } else { "..." };
                writeln!(f, "  {mark} {}: {}", l.span, l.message)?;
            }
            for n in &d.notes {
                writeln!(f, "  = {n}")?;
            }
        }
        for c in &self.checks {
            writeln!(
                f,
                "check \"{}\" ({}): {}",
                c.title,
                c.span,
                c.status.as_str()
            )?;
            for p in &c.properties {
                write!(f, "  property {}: {}", p.span, p.status.as_str())?;
                match &p.reason {
                    Some(r) => writeln!(f, " ({r})")?,
                    None => writeln!(f)?,
                }
            }
            if let Some(r) = &c.reason {
                writeln!(f, "  = {r}")?;
            }
            for l in &c.labels {
                writeln!(f, "  ... {}: {}", l.span, l.message)?;
            }
            if let Some(cx) = &c.counterexample {
                for line in super::model::counterexample_lines(cx) {
                    writeln!(f, "  = {line}")?;
                }
            }
        }
        let s = &self.summary;
        writeln!(
            f,
            "{}: {} checks: {} pass, {} fail, {} unknown, {} not verified; exit status {}",
            self.file, s.checks, s.pass, s.fail, s.unknown, s.unverified, self.exit_status
        )
    }
}
