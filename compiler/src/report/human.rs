//! Human-readable diagnostics, rendered with codespan-reporting (rustc style).

use crate::diagnostic::{Diagnostic, Severity, SourceMap};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};

/// Renders diagnostics to a string. With `color`, ANSI escapes are included.
pub fn render_diagnostics(sources: &SourceMap, diags: &[Diagnostic], color: bool) -> String {
    let mut files = SimpleFiles::new();
    for (_, f) in sources.files() {
        files.add(visible(&f.name), visible_source(&f.text));
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
                    visible(&d.message)
                );
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

use std::io::Write;

/// `s` with control characters (other than newline and tab) written as escapes
/// (`\u{1b}`), so that text from a design or configuration (an ESC in a check title,
/// a BEL in a configuration line) cannot drive the terminal.
pub fn visible(s: &str) -> String {
    if !s.chars().any(is_hostile) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if is_hostile(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn is_hostile(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// In a source text a carriage return ends a line (CRLF files): kept.
fn is_hostile_in_source(c: char) -> bool {
    is_hostile(c) && c != '\r'
}

/// A source text for frames: control characters replaced by characters of the same
/// UTF-8 length (`?` for C0 and DEL, `¿` for C1), so byte spans stay valid.
fn visible_source(text: &str) -> String {
    if !text.chars().any(is_hostile_in_source) {
        return text.to_string();
    }
    text.chars()
        .map(|c| match c {
            c if !is_hostile_in_source(c) => c,
            c if c.len_utf8() == 1 => '?',
            _ => '¿',
        })
        .collect()
}

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
    let mut out = format!(
        "{}[{}]: {}\n",
        severity_word(d.severity),
        d.code,
        visible(&d.message)
    );
    for l in &d.labels {
        let (line, col) = sources.line_col(l.span.file, l.span.start);
        out.push_str(&format!(
            "  --> {}:{line}:{col}: {} (the line is too long to show)\n",
            visible(sources.name(l.span.file)),
            visible(&l.message)
        ));
    }
    for n in &d.notes {
        out.push_str(&format!("  = {}\n", visible(n)));
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
                .with_message(visible(&l.message))
        })
        .collect();
    cs::Diagnostic::new(sev)
        .with_code(d.code)
        .with_message(visible(&d.message))
        .with_labels(labels)
        .with_notes(d.notes.iter().map(|n| visible(n)).collect())
}
