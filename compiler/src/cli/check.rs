//! The subcommands: read files, call the library, render.

use super::{CheckFormat, Format, GraphFormat, Output};
use avscheck::diagnostic::{sort_diagnostics, Diagnostic};
use avscheck::report::{self, human::render_diagnostics, CheckStatus};
use avscheck::{sim, Analysis, VerifyOptions};
use std::path::Path;

/// Reads and analyses one file; `Err(status)` after reporting when it cannot be used.
fn load(out: &Output, file: &Path) -> Result<Analysis, i32> {
    let name = file.display().to_string();
    let text = match std::fs::read(file) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                out.eprint(&format!(
                    "error[AVS0800]: `{name}` is not valid UTF-8 (invalid byte at offset {})\n",
                    e.utf8_error().valid_up_to()
                ));
                return Err(2);
            }
        },
        Err(e) => {
            out.eprint(&format!("error: cannot read `{name}`: {e}\n"));
            return Err(2);
        }
    };
    Ok(avscheck::analyse(&name, &text))
}

fn status_word(out: &Output, s: &CheckStatus) -> String {
    match s {
        CheckStatus::Pass => out.paint("pass", "32"),
        CheckStatus::Fail => out.paint("FAIL", "31;1"),
        CheckStatus::Unknown => out.paint("UNKNOWN", "33;1"),
        CheckStatus::Unverified => out.paint("not verified", "33"),
    }
}

pub fn check(
    out: &Output,
    files: &[std::path::PathBuf],
    format: CheckFormat,
    only: Option<String>,
    timeout: u64,
) -> i32 {
    let opts = VerifyOptions {
        timeout: std::time::Duration::from_secs(timeout),
        only: only.clone(),
    };
    let mut status = 0;
    let mut reports = Vec::new();
    let mut sarif_inputs = Vec::new();
    for file in files {
        let analysis = match load(out, file) {
            Ok(a) => a,
            Err(s) => {
                status = status.max(s);
                continue;
            }
        };
        let verification = avscheck::verify(&analysis, &opts);
        let mut diags = analysis.diagnostics.clone();
        diags.extend(verification.findings.iter().cloned());
        sort_diagnostics(&mut diags);
        let file_status = if analysis.is_unusable() {
            2
        } else if let Some(title) = only.as_ref().filter(|_| verification.checks.is_empty()) {
            let titles: Vec<String> = analysis
                .network
                .iter()
                .flat_map(|n| n.checks.values().map(|c| format!("`{}`", c.title)))
                .collect();
            out.eprint(&format!(
                "error: `{}` has no check titled `{title}`\n  = note: its checks: {}\n",
                file.display(),
                if titles.is_empty() {
                    "none".to_string()
                } else {
                    titles.join(", ")
                }
            ));
            2
        } else if diags.iter().any(Diagnostic::is_error) || !verification.all_hold() {
            1
        } else {
            0
        };
        status = status.max(file_status);
        match format {
            CheckFormat::Sarif => sarif_inputs.push((analysis, verification.checks, diags)),
            CheckFormat::Json => {
                reports.push(report::json::file_report(
                    &analysis.sources,
                    analysis.file,
                    &verification.checks,
                    &diags,
                ));
            }
            CheckFormat::Human => {
                let mut text = render_diagnostics(&analysis.sources, &diags, out.color);
                let failing: Vec<Diagnostic> = verification
                    .checks
                    .iter()
                    .filter_map(|c| c.to_diagnostic(analysis.file))
                    .collect();
                text.push_str(&render_diagnostics(&analysis.sources, &failing, out.color));
                for c in &verification.checks {
                    text.push_str(&format!(
                        "check {}: {}\n",
                        out.bold(&format!("\"{}\"", c.title)),
                        status_word(out, &c.status)
                    ));
                }
                if !analysis.is_unusable() {
                    let count = |s: CheckStatus| {
                        verification.checks.iter().filter(|c| c.status == s).count()
                    };
                    text.push_str(&format!(
                        "{}: {} checks: {} pass, {} fail, {} unknown, {} not verified\n",
                        file.display(),
                        verification.checks.len(),
                        count(CheckStatus::Pass),
                        count(CheckStatus::Fail),
                        count(CheckStatus::Unknown),
                        count(CheckStatus::Unverified)
                    ));
                }
                out.print(&text);
            }
        }
    }
    if format == CheckFormat::Sarif {
        let files: Vec<report::sarif::FileResults<'_>> = sarif_inputs
            .iter()
            .map(|(a, checks, diags)| report::sarif::FileResults {
                sources: &a.sources,
                file: a.file,
                checks,
                diagnostics: diags,
            })
            .collect();
        let log = report::sarif::sarif(&files);
        out.print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&log).unwrap_or_default()
        ));
    } else if format == CheckFormat::Json {
        let value = if reports.len() == 1 {
            reports.pop().unwrap_or(serde_json::Value::Null)
        } else {
            serde_json::Value::Array(reports)
        };
        out.print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        ));
    }
    status
}

/// Renders the diagnostics of an unusable analysis; `Some(2)` when it is unusable.
fn unusable(out: &Output, a: &Analysis, format: Format) -> Option<i32> {
    if !a.is_unusable() {
        return None;
    }
    match format {
        Format::Human => out.print(&render_diagnostics(&a.sources, &a.diagnostics, out.color)),
        Format::Json => {
            let v = report::json::file_report(&a.sources, a.file, &[], &a.diagnostics);
            out.print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            ));
        }
    }
    Some(2)
}

/// The stable state with nothing failed, or the non-convergence rendered (status 1).
fn state_or_report(
    out: &Output,
    a: &Analysis,
    net: &avscheck::ir::Network,
) -> Result<sim::State, i32> {
    match sim::stable_state(net, &sim::Scenario::default()) {
        Ok(s) => Ok(s),
        Err(nc) => {
            use avscheck::IntoDiagnostics;
            out.print(&render_diagnostics(
                &a.sources,
                &nc.into_diagnostics(),
                out.color,
            ));
            Err(1)
        }
    }
}

fn print_json<T: serde::Serialize>(out: &Output, value: &T) {
    out.print(&format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    ));
}

pub fn routes(out: &Output, file: &Path, node: Option<&str>, format: Format) -> i32 {
    let a = match load(out, file) {
        Ok(a) => a,
        Err(s) => return s,
    };
    if let Some(s) = unusable(out, &a, format) {
        return s;
    }
    let Some(net) = &a.network else { return 2 };
    let state = match state_or_report(out, &a, net) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match report::routes::routes_report(net, &state, &sim::Scenario::default(), node) {
        Ok(r) => {
            match format {
                Format::Human => out.print(&report::routes::render_human(&r)),
                Format::Json => print_json(out, &r),
            }
            0
        }
        Err(name) => {
            let mut names: Vec<&str> = net.nodes.values().map(|n| n.name.as_str()).collect();
            names.extend(net.subnets.values().map(|s| s.name.as_str()));
            out.eprint(&format!(
                "error: `{}` has no node or subnet `{name}`\n{}",
                file.display(),
                did_you_mean(&name, &names)
            ));
            2
        }
    }
}

/// `  = help: did you mean `x`?` for a near miss, else the list of names.
fn did_you_mean(name: &str, names: &[&str]) -> String {
    match avscheck::suggest::did_you_mean(name, names.iter().copied()) {
        Some(n) => format!("  = help: did you mean `{n}`?\n"),
        None => format!("  = note: available: {}\n", names.join(", ")),
    }
}

pub fn trace(out: &Output, file: &Path, from: &str, to: &str, format: Format) -> i32 {
    let a = match load(out, file) {
        Ok(a) => a,
        Err(s) => return s,
    };
    if let Some(s) = unusable(out, &a, format) {
        return s;
    }
    let Some(net) = &a.network else { return 2 };
    let Ok(dest) = to.parse::<std::net::Ipv4Addr>() else {
        out.eprint(&format!(
            "error: `--to {to}` is not an IPv4 address\n  = help: give one address, e.g. `--to 10.1.0.5`\n"
        ));
        return 2;
    };
    let Some(source) = sim::resolve_source(net, from) else {
        let mut names: Vec<&str> = net.nodes.values().map(|n| n.name.as_str()).collect();
        names.extend(net.subnets.values().map(|s| s.name.as_str()));
        names.extend(net.vnets.values().map(|v| v.name.as_str()));
        out.eprint(&format!(
            "error: `--from {from}` is not a node, subnet, VNet or owned address of `{}`\n{}",
            file.display(),
            did_you_mean(from, &names)
        ));
        return 2;
    };
    let state = match state_or_report(out, &a, net) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let paths = sim::trace(net, &state, &sim::Scenario::default(), source, dest);
    let r = report::trace::trace_report(net, from, dest, &paths);
    match format {
        Format::Human => out.print(&report::trace::render_human(&r)),
        Format::Json => print_json(out, &r),
    }
    0
}

pub fn graph(out: &Output, file: &Path, only: Option<&str>, format: GraphFormat) -> i32 {
    use avscheck::report::graph::{self, Highlight};
    let a = match load(out, file) {
        Ok(a) => a,
        Err(s) => return s,
    };
    // Stdout carries only the picture (`| dot -Tsvg`): diagnostics go to stderr.
    if a.is_unusable() {
        out.eprint(&render_diagnostics(&a.sources, &a.diagnostics, out.color));
        return 2;
    }
    let Some(net) = &a.network else { return 2 };
    let mut highlight = Highlight::default();
    if let Some(title) = only {
        let v = avscheck::verify(
            &a,
            &VerifyOptions {
                only: Some(title.to_string()),
                ..VerifyOptions::default()
            },
        );
        let Some(c) = v.checks.first() else {
            out.eprint(&format!(
                "error: `{}` has no check titled `{title}`\n",
                file.display()
            ));
            return 2;
        };
        highlight = Highlight::from_counterexample(&c.title, c.counterexample.as_ref());
    }
    out.print(&match format {
        GraphFormat::Dot => graph::to_dot(net, &highlight),
        GraphFormat::Svg => graph::to_svg(net, &highlight),
    });
    0
}
