//! The subcommands: read files, call the library, render.

use super::{CheckFormat, Format, GraphFormat, Output};
use avscheck::diagnostic::Diagnostic;
use avscheck::report::{self, human::render_diagnostics, CheckStatus};
use avscheck::{sim, Analysis, Checked, Options, VerifyOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Reads and analyses one file; `Err(status)` after reporting when it cannot be used.
fn load(out: &Output, file: &Path) -> Result<Analysis, i32> {
    let name = display_name(file);
    let bytes = if file.as_os_str() == "-" {
        avscheck::api::read_stdin()
    } else {
        avscheck::api::read_input(file)
    };
    let text = match bytes {
        Ok(bytes) => match avscheck::api::decode(&name, bytes) {
            Ok(t) => t,
            Err(e) => {
                out.eprint(&format!("error[{}]: {}\n", e.code, e.message));
                return Err(2);
            }
        },
        Err(e) => {
            out.eprint(&format!("error[AVS0801]: cannot read `{name}`: {e}\n"));
            return Err(2);
        }
    };
    Ok(avscheck::analyse(&name, &text))
}

/// How a path is shown: as given; standard input is `<stdin>`.
fn display_name(file: &Path) -> String {
    if file.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        file.display().to_string()
    }
}

fn report_input_error(out: &Output, c: &Checked) {
    if let Some(e) = &c.input_error {
        out.eprint(&format!("error[{}]: {}\n", e.code, e.message));
    }
}

fn status_word(out: &Output, s: &CheckStatus) -> String {
    match s {
        CheckStatus::Pass => out.paint("pass", "32"),
        CheckStatus::Fail => out.paint("FAIL", "31;1"),
        CheckStatus::Unknown => out.paint("UNKNOWN", "33;1"),
        CheckStatus::Unverified => out.paint("not verified", "33"),
    }
}

/// What one command-line argument of `check` stands for.
enum Input {
    File(PathBuf),
    Stdin,
    /// A directory without any `.avs` file, or one that cannot be listed.
    Bad(String, &'static str, String),
}

/// Expands the arguments: `-` is standard input, a directory every `.avs` file under it
/// (recursively, sorted by path), anything else a file.
fn inputs(files: &[PathBuf]) -> Vec<Input> {
    let mut out = Vec::new();
    for f in files {
        if f.as_os_str() == "-" {
            out.push(Input::Stdin);
        } else if f.is_dir() {
            let name = f.display().to_string();
            match designs_under(f) {
                Ok(found) if found.is_empty() => out.push(Input::Bad(
                    name.clone(),
                    "AVS0803",
                    format!("`{name}` contains no .avs file"),
                )),
                Ok(found) => out.extend(found.into_iter().map(Input::File)),
                Err(e) => out.push(Input::Bad(
                    name.clone(),
                    "AVS0801",
                    format!("cannot read `{name}`: {e}"),
                )),
            }
        } else {
            out.push(Input::File(f.clone()));
        }
    }
    out
}

/// Every `.avs` file under `dir`, sorted (symbolic links to directories are not
/// followed, so a link cycle cannot loop).
fn designs_under(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "avs") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// A line on stderr ("checking FILE (i/n)…") when one design takes over a second and
/// stderr is a terminal; cleared when the design is done.
struct Progress {
    done: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn start(name: &str, i: usize, n: usize) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress {
                done: None,
                thread: None,
            };
        }
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let line = format!("checking {name} ({i}/{n})…");
        let thread = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let mut shown = false;
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                rx.recv_timeout(std::time::Duration::from_secs(1))
            {
                shown = true;
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[K{line} {}s", started.elapsed().as_secs());
                let _ = err.flush();
            }
            if shown {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[K");
                let _ = err.flush();
            }
        });
        Progress {
            done: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(tx) = self.done.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn check(
    out: &Output,
    files: &[PathBuf],
    format: CheckFormat,
    only: Option<String>,
    timeout: u64,
    max_memory: Option<u64>,
) -> i32 {
    let opts = Options {
        timeout: std::time::Duration::from_secs(timeout),
        only,
        max_memory: max_memory.unwrap_or_else(avscheck::budget::default_max_memory),
    };
    let inputs = inputs(files);
    let total = inputs.len();
    let mut checked = Vec::new();
    for (i, input) in inputs.into_iter().enumerate() {
        let c = match input {
            Input::Bad(name, code, message) => Checked::unreadable(&name, code, message),
            Input::File(path) => {
                let name = path.display().to_string();
                let _progress = Progress::start(&name, i + 1, total);
                avscheck::api::run_file(&path, &name, &opts)
            }
            Input::Stdin => match avscheck::api::read_stdin() {
                Ok(buf) => match avscheck::api::decode("<stdin>", buf) {
                    Ok(text) => {
                        let _progress = Progress::start("<stdin>", i + 1, total);
                        avscheck::api::run_source("<stdin>", &text, &opts)
                    }
                    Err(e) => Checked::unreadable("<stdin>", &e.code, e.message),
                },
                Err(e) => Checked::unreadable(
                    "<stdin>",
                    "AVS0801",
                    format!("cannot read standard input: {e}"),
                ),
            },
        };
        if format == CheckFormat::Human {
            render_human(out, &c);
        }
        checked.push(c);
    }
    let status = checked.iter().map(Checked::exit_status).max().unwrap_or(0);
    match format {
        CheckFormat::Human => {}
        CheckFormat::Json => print_json(out, &avscheck::api::report(&checked)),
        CheckFormat::Sarif => print_json(out, &report::sarif::sarif(&checked)),
        CheckFormat::Github => {
            for c in &checked {
                report_input_error(out, c);
            }
            out.print(&report::github::annotations(&checked));
        }
    }
    i32::from(status)
}

/// rustc-style diagnostics, the failing checks as diagnostics, a line per check and a
/// summary line.
fn render_human(out: &Output, c: &Checked) {
    report_input_error(out, c);
    let Some(analysis) = &c.analysis else {
        return;
    };
    let mut text = render_diagnostics(&analysis.sources, &c.diagnostics, out.color);
    let failing: Vec<Diagnostic> = c
        .checks
        .iter()
        .filter_map(|r| r.to_diagnostic(analysis.file))
        .collect();
    text.push_str(&render_diagnostics(&analysis.sources, &failing, out.color));
    for r in &c.checks {
        text.push_str(&format!(
            "check {}: {}\n",
            out.bold(&format!(
                "\"{}\"",
                avscheck::report::human::visible(&r.title)
            )),
            status_word(out, &r.status)
        ));
    }
    if !c.is_unusable() {
        let s = report::json::summary(&c.checks);
        text.push_str(&format!(
            "{}: {} checks: {} pass, {} fail, {} unknown, {} not verified\n",
            c.name, s.checks, s.pass, s.fail, s.unknown, s.unverified
        ));
    }
    out.print(&text);
}

/// Renders the diagnostics of an unusable analysis; `Some(2)` when it is unusable.
fn unusable(out: &Output, a: &Analysis, format: Format) -> Option<i32> {
    if !a.is_unusable() {
        return None;
    }
    match format {
        Format::Human => out.print(&render_diagnostics(&a.sources, &a.diagnostics, out.color)),
        Format::Json => {
            let diagnostics: Vec<report::json::DiagnosticReport> = a
                .diagnostics
                .iter()
                .map(|d| report::json::diagnostic_report(&a.sources, a.file, d))
                .collect();
            print_json(out, &serde_json::json!({ "diagnostics": diagnostics }));
        }
    }
    Some(2)
}

/// The stable state with nothing failed, or the non-convergence rendered (status 1).
fn state_or_report(
    out: &Output,
    a: &Analysis,
    net: &avscheck::ir::Network,
    sc: &sim::Scenario,
) -> Result<sim::State, i32> {
    match sim::stable_state(net, sc) {
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

/// The scenario of `--without NAME...`; `Err(2)` after reporting an unknown name.
fn scenario(
    out: &Output,
    file: &Path,
    net: &avscheck::ir::Network,
    without: &[String],
) -> Result<sim::Scenario, i32> {
    let mut down = Vec::new();
    for name in without {
        match net.components.iter().find(|(_, c)| &c.name == name) {
            Some((id, _)) => down.push(id),
            None => {
                let names: Vec<&str> = net.components.values().map(|c| c.name.as_str()).collect();
                out.eprint(&format!(
                    "error: `--without {}`: `{}` has no component of that name\n{}",
                    report::json::truncate_quoted(name),
                    display_name(file),
                    did_you_mean(name, &names)
                ));
                return Err(2);
            }
        }
    }
    Ok(sim::Scenario::new(down))
}

pub fn routes(
    out: &Output,
    file: &Path,
    node: Option<&str>,
    without: &[String],
    format: Format,
) -> i32 {
    let a = match load(out, file) {
        Ok(a) => a,
        Err(s) => return s,
    };
    if let Some(s) = unusable(out, &a, format) {
        return s;
    }
    let Some(net) = &a.network else { return 2 };
    let sc = match scenario(out, file, net, without) {
        Ok(sc) => sc,
        Err(code) => return code,
    };
    let state = match state_or_report(out, &a, net, &sc) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match report::routes::routes_report(net, &state, &sc, node) {
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

pub fn trace(
    out: &Output,
    file: &Path,
    from: &str,
    to: &str,
    without: &[String],
    format: Format,
) -> i32 {
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
    let sc = match scenario(out, file, net, without) {
        Ok(sc) => sc,
        Err(code) => return code,
    };
    let state = match state_or_report(out, &a, net, &sc) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let paths = sim::trace(net, &state, &sc, source, dest);
    let r = report::trace::trace_report(net, &state, from, dest, &paths);
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
        match c.counterexample.as_ref() {
            Some(cx) => highlight = Highlight::from_counterexample(&c.title, Some(cx)),
            // Nothing to draw but the topology: say why on stderr (stdout is the picture).
            None => out.eprint(&format!(
                "note: check `{}` is {}: it has no counterexample to draw; the picture shows the topology only\n",
                avscheck::report::human::visible(&c.title),
                c.status.as_str()
            )),
        }
    }
    out.print(&match format {
        GraphFormat::Dot => graph::to_dot(net, &highlight),
        GraphFormat::Svg => graph::to_svg(net, &highlight),
    });
    0
}
