//! Phase-neutral diagnostics. Every phase's error type implements
//! [`IntoDiagnostics`]; rendering (codespan, JSON, SARIF) happens once, in `report`.
//!
//! Codes are stable (`AVS0001`…) and documented in `docs/diagnostics.md`.

use crate::span::{FileId, Span};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
    /// Primary labels mark where the problem is; secondary ones give context.
    pub primary: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code, e.g. `AVS0001`.
    pub code: &'static str,
    /// Lowercase, no final period, user input in backticks.
    pub message: String,
    pub labels: Vec<Label>,
    /// `help: ...` / `note: ...` lines.
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
        }
    }
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            code,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
        }
    }
    /// Adds a primary label.
    pub fn primary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }
    /// Adds a secondary label.
    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }
    /// Adds a `help: ...` note.
    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.notes.push(format!("help: {}", text.into()));
        self
    }
    /// Adds a `note: ...` note.
    pub fn note(mut self, text: impl Into<String>) -> Self {
        self.notes.push(format!("note: {}", text.into()));
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
    /// The first primary label's span, if any.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).map(|l| l.span)
    }
}

/// Quoted user text (between backticks) longer than this many characters is cut in a
/// diagnostic's message, labels and notes, so that one diagnostic about a huge
/// misspelt identifier is not megabytes long.
pub const MAX_QUOTED_CHARS: usize = 80;

/// `text` with every backticked segment longer than [`MAX_QUOTED_CHARS`] cut to that
/// many characters, then `…` and the segment's length.
pub fn truncate_quoted(text: &str) -> String {
    if text.len() <= MAX_QUOTED_CHARS {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len().min(4 * MAX_QUOTED_CHARS));
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        let count = part.chars().count();
        if i % 2 == 1 && count > MAX_QUOTED_CHARS {
            out.extend(part.chars().take(MAX_QUOTED_CHARS));
            out.push_str(&format!("… ({count} characters)"));
        } else {
            out.push_str(part);
        }
    }
    out
}

impl Diagnostic {
    /// The diagnostic with long quoted text cut ([`truncate_quoted`]).
    pub fn with_quotes_truncated(mut self) -> Self {
        self.message = truncate_quoted(&self.message);
        for l in &mut self.labels {
            l.message = truncate_quoted(&l.message);
        }
        for n in &mut self.notes {
            *n = truncate_quoted(n);
        }
        self
    }
}

/// Turns a phase's errors into diagnostics.
pub trait IntoDiagnostics {
    fn into_diagnostics(self) -> Vec<Diagnostic>;
}

impl IntoDiagnostics for Diagnostic {
    fn into_diagnostics(self) -> Vec<Diagnostic> {
        vec![self]
    }
}

impl<T: IntoDiagnostics> IntoDiagnostics for Vec<T> {
    fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.into_iter()
            .flat_map(|d| d.into_diagnostics())
            .collect()
    }
}

/// Sorts diagnostics into a deterministic order: by file, position, then code.
pub fn sort_diagnostics(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        let ka = a.primary_span().unwrap_or_default();
        let kb = b.primary_span().unwrap_or_default();
        (ka.file, ka.start, ka.end, a.code, &a.message)
            .cmp(&(kb.file, kb.start, kb.end, b.code, &b.message))
    });
}

/// The source files of one analysis: the user's design and the embedded stdlib.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFileInfo>,
}

#[derive(Clone, Debug)]
pub struct SourceFileInfo {
    /// The name shown in diagnostics (as given on the command line, or `<stdlib>/azure.avs`).
    pub name: String,
    pub text: String,
}

impl SourceMap {
    pub fn new() -> Self {
        SourceMap::default()
    }
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFileInfo {
            name: name.into(),
            text: text.into(),
        });
        id
    }
    pub fn get(&self, id: FileId) -> Option<&SourceFileInfo> {
        self.files.get(id.0 as usize)
    }
    pub fn name(&self, id: FileId) -> &str {
        self.get(id).map(|f| f.name.as_str()).unwrap_or("<unknown>")
    }
    pub fn text(&self, id: FileId) -> &str {
        self.get(id).map(|f| f.text.as_str()).unwrap_or("")
    }
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFileInfo)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(u32::try_from(i).unwrap_or(u32::MAX)), f))
    }
    /// 1-based line and column (in characters, not counting a leading byte-order mark)
    /// of a byte offset.
    pub fn line_col(&self, id: FileId, offset: u32) -> (usize, usize) {
        let text = self.text(id);
        let mut off = (offset as usize).min(text.len());
        while off > 0 && !text.is_char_boundary(off) {
            off -= 1;
        }
        let before = text.get(..off).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        // A leading byte-order mark is not a column (editors do not show it).
        let line_text = before.get(line_start..).unwrap_or("");
        let line_text = if line_start == 0 {
            line_text.strip_prefix('\u{feff}').unwrap_or(line_text)
        } else {
            line_text
        };
        let col = line_text.chars().count() + 1;
        (line, col)
    }
}
