//! `avscheck check --format github`: GitHub Actions workflow commands, one annotation
//! per diagnostic and finding and per check that does not hold, shown on the pull
//! request's diff (`::error file=F,line=L,col=C,endLine=…,endColumn=…,title=T::MESSAGE`).
//! Locations in the standard library are annotated at the user's line that led there
//! (the check), since a workflow can only annotate files of the repository.
//!
//! Format: <https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions>
//! (properties escape `%`, CR, LF, `:` and `,`; messages escape `%`, CR, LF).

use super::model::CheckStatus;
use crate::api::Checked;
use crate::diagnostic::{Diagnostic, Severity, SourceMap};
use crate::span::FileId;

/// Also writes other control characters as escapes (`\u{1b}`): the runner prints
/// messages to the log, where an ESC would drive the terminal.
fn escape_data(s: &str) -> String {
    // The workflow-command escapes first (CR and LF are part of them), then the
    // remaining control characters.
    super::human::visible(
        &s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A"),
    )
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

fn annotation(sources: &SourceMap, user_file: FileId, d: &Diagnostic, title: &str) -> String {
    let mut props = vec![format!("file={}", escape_property(sources.name(user_file)))];
    // The first primary label in the user's file, else any label there.
    let span = d
        .labels
        .iter()
        .filter(|l| l.span.file == user_file)
        .min_by_key(|l| !l.primary)
        .map(|l| l.span);
    if let Some(span) = span {
        let (line, col) = sources.line_col(span.file, span.start);
        let (end_line, end_col) = sources.line_col(span.file, span.end);
        props.push(format!("line={line}"));
        props.push(format!("col={col}"));
        if end_line >= line {
            props.push(format!("endLine={end_line}"));
        }
        if end_line == line && end_col > col {
            props.push(format!("endColumn={end_col}"));
        }
    }
    props.push(format!("title={}", escape_property(title)));
    let mut message = d.message.clone();
    for l in d
        .labels
        .iter()
        .filter(|l| l.primary && !l.message.is_empty())
    {
        let (line, col) = sources.line_col(l.span.file, l.span.start);
        let place = if l.span.file == user_file {
            format!("{line}:{col}")
        } else {
            sources.name(l.span.file).to_string()
        };
        message.push_str(&format!("\n{place}: {}", l.message));
    }
    for n in &d.notes {
        message.push('\n');
        message.push_str(n);
    }
    format!(
        "::{} {}::{}\n",
        command(d.severity),
        props.join(","),
        escape_data(&message)
    )
}

/// The workflow commands for a run over `files`. Files that could not be read are
/// annotated without a line.
pub fn annotations(files: &[Checked]) -> String {
    let mut out = String::new();
    for f in files {
        if let Some(e) = &f.input_error {
            out.push_str(&format!(
                "::error file={},title={}::{}\n",
                escape_property(&f.name),
                escape_property(&format!("avscheck {}", e.code)),
                escape_data(&e.message)
            ));
            continue;
        }
        let Some((sources, user_file)) = f.sources() else {
            continue;
        };
        for d in &f.diagnostics {
            out.push_str(&annotation(
                sources,
                user_file,
                d,
                &format!("avscheck {}", d.code),
            ));
        }
        for c in f.checks.iter().filter(|c| c.status != CheckStatus::Pass) {
            let d = super::model::to_diagnostic(c, user_file);
            out.push_str(&annotation(
                sources,
                user_file,
                &d,
                &format!("avscheck {}: {}", d.code, c.title),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_workflow_command_rules() {
        assert_eq!(escape_data("a%b\nc\r"), "a%25b%0Ac%0D");
        assert_eq!(escape_property("x:y,z"), "x%3Ay%2Cz");
        assert_eq!(escape_data("t\u{1b}[31m\u{7}"), "t\\u{1b}[31m\\u{7}");
    }
}
