//! Human-readable diagnostics, rendered with codespan-reporting (rustc style).

use crate::diagnostic::{Diagnostic, Severity, SourceMap};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};

/// Renders diagnostics to a string. With `color`, ANSI escapes are included.
pub fn render_diagnostics(sources: &SourceMap, diags: &[Diagnostic], color: bool) -> String {
    let mut files = SimpleFiles::new();
    for (_, f) in sources.files() {
        files.add(f.name.clone(), f.text.clone());
    }
    let config = term::Config::default();
    let mut out = Vec::new();
    {
        let mut writer: Box<dyn termcolor::WriteColor> = if color {
            Box::new(termcolor::Ansi::new(&mut out))
        } else {
            Box::new(termcolor::NoColor::new(&mut out))
        };
        for d in diags {
            // A label on a huge line (a 1 MB identifier) would print the line and as
            // many carets: give its location instead of the source frame.
            if touches_long_line(sources, d) {
                let _ = write!(writer, "{}", plain(sources, d));
                continue;
            }
            // A rendering failure (a span outside its file) must not lose the
            // diagnostic: fall back to a plain line.
            if term::emit(&mut *writer, &config, &files, &to_codespan(d)).is_err() {
                let _ = writeln!(
                    writer,
                    "{}[{}]: {}",
                    severity_word(d.severity),
                    d.code,
                    d.message
                );
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

use std::io::Write;

/// Source lines longer than this (in bytes) are not shown in a source frame.
pub const MAX_FRAME_LINE: usize = 500;

fn touches_long_line(sources: &SourceMap, d: &Diagnostic) -> bool {
    d.labels.iter().any(|l| {
        let text = sources.text(l.span.file);
        let start = (l.span.start as usize).min(text.len());
        let end = (l.span.end as usize).min(text.len());
        let line_start = text
            .get(..start)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line_end = text
            .get(end..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |i| end + i);
        line_end.saturating_sub(line_start) > MAX_FRAME_LINE
    })
}

/// A diagnostic without a source frame: `--> file:line:col: label` lines and notes.
fn plain(sources: &SourceMap, d: &Diagnostic) -> String {
    let mut out = format!("{}[{}]: {}\n", severity_word(d.severity), d.code, d.message);
    for l in &d.labels {
        let (line, col) = sources.line_col(l.span.file, l.span.start);
        out.push_str(&format!(
            "  --> {}:{line}:{col}: {} (the line is too long to show)\n",
            sources.name(l.span.file),
            l.message
        ));
    }
    for n in &d.notes {
        out.push_str(&format!("  = {n}\n"));
    }
    out.push('\n');
    out
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn to_codespan(d: &Diagnostic) -> cs::Diagnostic<usize> {
    let sev = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Note => cs::Severity::Note,
    };
    let labels = d
        .labels
        .iter()
        .map(|l| {
            let style = if l.primary {
                cs::LabelStyle::Primary
            } else {
                cs::LabelStyle::Secondary
            };
            cs::Label::new(style, l.span.file.0 as usize, l.span.range())
                .with_message(l.message.clone())
        })
        .collect();
    cs::Diagnostic::new(sev)
        .with_code(d.code)
        .with_message(d.message.clone())
        .with_labels(labels)
        .with_notes(d.notes.clone())
}
