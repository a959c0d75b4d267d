//! avscheck: a verification compiler for hybrid Azure network designs.
//!
//! The pipeline: parse → resolve → lower → simulate / verify → report.
//!
//! ```text
//! syntax::parse      .avs text        → ast::SourceFile     (+ parse errors)
//! sema::resolve      ast + stdlib     → sema::Design         (+ name/type errors, lints)
//! sema::lower        Design           → ir::Network          (+ built-in findings)
//! sim                ir::Network      → stable state, effective routes, traces
//! smt                ir::Network      → proofs / counterexamples
//! report             results          → human (codespan), JSON, SARIF
//! ```
//!
//! Nothing in the library prints; the `avscheck` binary renders.

pub mod api;
pub mod budget;
pub mod diagnostic;
pub mod frr;
pub mod ir;
pub mod pipeline;
pub mod report;
pub mod sema;
pub mod sim;
pub mod smt;
pub mod span;
pub mod stdlib;
pub mod suggest;
pub mod syntax;

pub use api::{check_file, check_source, Checked, Options};
pub use diagnostic::{Diagnostic, IntoDiagnostics, Severity, SourceMap};
pub use report::json::Report;
pub use span::{FileId, Span, Spanned};

/// The result of reading one design up to the network model.
#[derive(Debug)]
pub struct Analysis {
    pub sources: SourceMap,
    /// The user's file.
    pub file: FileId,
    /// Every diagnostic so far, in a deterministic order.
    pub diagnostics: Vec<Diagnostic>,
    /// The network model, when the design resolved without errors.
    pub network: Option<ir::Network>,
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
    /// True when the input could not be analysed (syntax, names, types): exit status 2.
    pub fn is_unusable(&self) -> bool {
        self.network.is_none()
    }
}

/// Parses, resolves and lowers one design. `name` is how the file is shown in
/// diagnostics (keep it relative for deterministic output); `config "PATH"` files are
/// read from the file system relative to `name`'s directory.
pub fn analyse(name: &str, text: &str) -> Analysis {
    let dir = std::path::Path::new(name)
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    analyse_with(name, text, &|rel: &str| {
        let path = dir.join(rel);
        let shown = path.to_string_lossy().into_owned();
        let bytes =
            api::read_regular_file(&path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        api::decode(&shown, bytes)
            .map(|t| (shown.clone(), t))
            .map_err(|e| e.message)
    })
}

/// Reads a `config "PATH"` file: `Ok((name shown in diagnostics, text))`, or why not.
pub type ConfigReader<'a> = dyn Fn(&str) -> Result<(String, String), String> + 'a;

/// [`analyse`] with the configuration files read by `read` (tests, fuzzing, embedders).
pub fn analyse_with(name: &str, text: &str, read: &ConfigReader) -> Analysis {
    let mut sources = SourceMap::new();
    let file = sources.add(name, text);
    let (ast, parse_errors) = syntax::parse(file, text);
    // Items a syntax error broke: what the resolver says inside them would only
    // repeat the syntax error (a dropped line reads as a missing key).
    let broken: Vec<Span> = ast
        .items
        .iter()
        .map(syntax::ast::Item::span)
        .filter(|item| parse_errors.iter().any(|e| item.contains(e.span)))
        .collect();
    let mut diagnostics = parse_errors.into_diagnostics();
    let modules = stdlib::load(&mut sources, &ast);
    diagnostics.extend(modules.diagnostics);
    let (mut design, resolve_diags) = sema::resolve(&ast, &modules.files);
    diagnostics.extend(resolve_diags.into_iter().filter(|d| {
        d.primary_span()
            .is_none_or(|p| !broken.iter().any(|item| item.contains(p)))
    }));
    if !diagnostics
        .iter()
        .any(|d| d.is_error() && !sema::is_finding(d))
    {
        read_configs(&mut design, &mut sources, &mut diagnostics, read);
    }
    let mut network = None;
    // Error-level *findings* (a reserved ASN) do not stop the analysis: the design
    // is still lowered and checked, and the finding gives exit status 1 (LANGUAGE.md
    // §3–4); only input that cannot be analysed (syntax, names, types) gives 2.
    if !diagnostics
        .iter()
        .any(|d| d.is_error() && !sema::is_finding(d))
    {
        let (net, lower_diags) = sema::lower(&design);
        // A configuration statement that changes routing and is not modelled: no
        // verdict may be given (docs/frr.md; LANGUAGE.md §3–4, exit status 2).
        let unmodelled = lower_diags
            .iter()
            .any(|d| d.is_error() && frr::codes::prevents_analysis(d.code));
        diagnostics.extend(lower_diags);
        if !unmodelled {
            network = Some(net);
        }
    }
    let mut diagnostics: Vec<Diagnostic> = diagnostics
        .into_iter()
        .map(Diagnostic::with_quotes_truncated)
        .collect();
    diagnostic::sort_diagnostics(&mut diagnostics);
    Analysis {
        sources,
        file,
        diagnostics,
        network,
    }
}

/// Reads and parses the FRR configuration of every component with `config "PATH"`.
fn read_configs(
    design: &mut sema::Design,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
    read: &ConfigReader,
) {
    for c in &design.components {
        let Some(line) = c.get("config") else {
            continue;
        };
        let Some(path) = line.first().and_then(|v| match &v.node {
            sema::model::Value::Str(s) => Some(s.clone()),
            _ => None,
        }) else {
            continue;
        };
        // LANGUAGE.md §2: the path is relative to the design file. An absolute one
        // would let a design read (and echo in diagnostics) any file of the machine.
        if std::path::Path::new(&path).is_absolute() {
            diagnostics.push(
                Diagnostic::error(
                    frr::codes::UNREADABLE,
                    format!(
                        "the configuration path `{}` is absolute",
                        report::json::truncate_quoted(&path)
                    ),
                )
                .primary(line.span, "this configuration")
                .help("write the path relative to the design file"),
            );
            continue;
        }
        match read(&path) {
            Ok((shown, text)) => {
                let file = sources.add(shown, text.clone());
                let (config, diags) = frr::parse(file, &text);
                diagnostics.extend(diags);
                diagnostics.extend(sema::lints::config_reserved_asn(design, c, &config));
                design.configs.insert(
                    c.name.node.clone(),
                    sema::model::LoadedConfig {
                        config,
                        line: line.span,
                    },
                );
            }
            Err(why) => diagnostics.push(
                Diagnostic::error(frr::codes::UNREADABLE, why)
                    .primary(line.span, "this configuration")
                    .note("the path is relative to the design file"),
            ),
        }
    }
}

/// Options of [`verify`].
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// Per-check solver timeout (LANGUAGE.md: `--timeout`, default 60 s).
    pub timeout: std::time::Duration,
    /// Only the check with this title (`--check TITLE`).
    pub only: Option<String>,
    /// Bytes of resident memory the process may hold while verifying (`--max-memory`);
    /// past it a line is `unknown` ("memory budget of ... exceeded"). Default
    /// [`budget::default_max_memory`] (half the machine's physical memory).
    pub max_memory: u64,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            timeout: std::time::Duration::from_secs(60),
            only: None,
            max_memory: budget::default_max_memory(),
        }
    }
}

/// The verdicts of a design's checks, and the findings that need the stable state.
#[derive(Debug, Default)]
pub struct Verification {
    pub checks: Vec<report::CheckResult>,
    pub findings: Vec<Diagnostic>,
}

impl Verification {
    /// Exit status 0 when every check holds and nothing is error-level.
    pub fn all_hold(&self) -> bool {
        self.checks.iter().all(|c| c.status.holds())
            && !self.findings.iter().any(Diagnostic::is_error)
    }
}

/// Verifies every check of an analysed design (or the one `opts.only` names).
pub fn verify(analysis: &Analysis, opts: &VerifyOptions) -> Verification {
    let Some(net) = &analysis.network else {
        return Verification::default();
    };
    // The findings' simulation gets the same bounds as one check.
    let findings_deadline = std::time::Instant::now()
        .checked_add(opts.timeout)
        .unwrap_or_else(std::time::Instant::now);
    let stop = budget::stop_check(findings_deadline, opts.max_memory);
    let healthy = sim::stable_state_until(net, &sim::Scenario::default(), &stop);
    let mut v = Verification {
        findings: findings_of(net, &healthy),
        ..Verification::default()
    };
    // The checks certify (and walk) the same state where nothing is down.
    let cache = pipeline::cache::ScenarioCache::new();
    if let Ok(state) = healthy {
        cache.simulated(Vec::new(), state);
    }
    let wanted: Vec<&ir::Check> = net
        .checks
        .values()
        .filter(|c| opts.only.as_ref().is_none_or(|t| *t == c.title))
        .collect();
    // Each line is decided concretely where its stable state is provably unique, and
    // symbolically otherwise (`pipeline`); verdicts are combined per check, in order.
    for (check, results) in wanted.iter().zip(pipeline::run_with(
        net,
        &wanted,
        opts.timeout,
        opts.max_memory,
        &cache,
    )) {
        v.checks
            .push(check_result(net, check, &smt::combine(results), &|f| {
                !stdlib::is_stdlib(&analysis.sources, f)
            }));
    }
    v
}

/// A verdict of the SMT engine in the report's terms.
///
/// `shown`: whether a counterexample label in that file is part of the explanation
/// shown in human output (the design and its configuration files: a permitting
/// route-map entry of a failing `never` is labelled in the config; the stdlib's
/// implicit Azure policies are left to the JSON report).
fn check_result(
    net: &ir::Network,
    check: &ir::Check,
    verdict: &smt::CheckVerdict,
    shown: &dyn Fn(FileId) -> bool,
) -> report::CheckResult {
    use report::{CheckStatus, ResultLabel};
    let (status, reason) = match &verdict.status {
        smt::Status::Pass => (CheckStatus::Pass, None),
        smt::Status::Fail => (
            CheckStatus::Fail,
            verdict
                .counterexample
                .as_ref()
                .map(|c| report::Counterexample::from(c).narrative)
                .filter(|n| !n.is_empty()),
        ),
        smt::Status::Unknown(why) => (CheckStatus::Unknown, Some(why.clone())),
    };
    let mut labels = Vec::new();
    if status != CheckStatus::Pass {
        // The property lines that did not pass, then what the counterexample names.
        for p in verdict
            .property_results
            .iter()
            .filter(|p| p.status != smt::Status::Pass)
        {
            // `reachable A <-> B` is two properties on one line: one label.
            if labels.iter().any(|x: &ResultLabel| x.span == p.span) {
                continue;
            }
            let message = match p.status {
                smt::Status::Fail => "this property does not hold",
                _ => "this property could not be decided",
            };
            labels.push(ResultLabel {
                span: p.span,
                message: message.to_string(),
                primary: true,
                explains: true,
            });
        }
        if let Some(c) = &verdict.counterexample {
            for l in &c.labels {
                if labels.iter().any(|x: &ResultLabel| x.span == l.span) {
                    continue;
                }
                labels.push(ResultLabel {
                    span: l.span,
                    message: l.message.clone(),
                    primary: false,
                    explains: shown(l.span.file),
                });
            }
        }
    }
    if status == CheckStatus::Fail {
        for r in why_no_route(net, check, verdict) {
            if !labels.iter().any(|x| x.span == r.span) {
                labels.push(ResultLabel {
                    span: r.span,
                    message: r.message,
                    primary: false,
                    explains: true,
                });
            }
        }
    }
    let counterexample = verdict
        .counterexample
        .as_ref()
        .filter(|_| status == CheckStatus::Fail)
        .map(report::Counterexample::from);
    report::CheckResult {
        title: check.title.clone(),
        span: check.span,
        status,
        reason,
        counterexample,
        labels,
        properties: property_results(verdict),
    }
}

/// One verdict per property line: `reachable A <-> B` is two properties on one line,
/// which fails when either fails (then unknown, then pass).
fn property_results(verdict: &smt::CheckVerdict) -> Vec<report::PropertyResult> {
    use report::CheckStatus;
    let mut lines: Vec<report::PropertyResult> = Vec::new();
    for p in &verdict.property_results {
        let (status, reason) = match &p.status {
            smt::Status::Pass => (CheckStatus::Pass, None),
            smt::Status::Fail => (CheckStatus::Fail, None),
            smt::Status::Unknown(why) => (CheckStatus::Unknown, Some(why.clone())),
        };
        let rank = |s: CheckStatus| match s {
            CheckStatus::Fail => 3,
            CheckStatus::Unknown => 2,
            CheckStatus::Unverified => 1,
            CheckStatus::Pass => 0,
        };
        match lines.iter_mut().find(|l| l.span == p.span) {
            Some(line) if rank(status) > rank(line.status) => {
                line.status = status;
                line.reason = reason;
            }
            Some(_) => {}
            None => lines.push(report::PropertyResult {
                span: p.span,
                status,
                reason,
            }),
        }
    }
    lines
}

/// For a counterexample path that ends `no_route`, why that node has no route: the
/// policy rule, loop prevention or missing session where the route stops, found in
/// the stable state of the counterexample's scenario (labels only; the verdict is the
/// solver's).
fn why_no_route(
    net: &ir::Network,
    check: &ir::Check,
    verdict: &smt::CheckVerdict,
) -> Vec<sim::Reason> {
    for (prop, result) in check.properties.iter().zip(&verdict.property_results) {
        let Some(cx) = &result.counterexample else {
            continue;
        };
        let Some(path) = cx.paths.iter().find(|p| p.disposition == "no_route") else {
            continue;
        };
        let (Some(last), Ok(d)) = (path.hops.last(), path.to.parse::<std::net::Ipv4Addr>()) else {
            continue;
        };
        let Some(node) = net.node_by_name(last) else {
            continue;
        };
        let failed = net
            .components
            .iter()
            .filter(|(_, c)| cx.failed.contains(&c.name))
            .map(|(id, _)| id);
        let sc = sim::Scenario::new(prop.without.iter().copied().chain(failed));
        let Ok(state) = sim::stable_state(net, &sc) else {
            continue;
        };
        return sim::why_no_route(net, &state, &sc, node, d, 4);
    }
    Vec::new()
}

/// [`stable_state_findings`], with the simulation bounded by `deadline` and a memory
/// budget of `max_memory` bytes ([`budget::stop_check`]). Past either bound the
/// findings are not computed, which warning AVS0504 says; the checks still decide
/// each property within their own bounds.
pub fn stable_state_findings_within(
    net: &ir::Network,
    deadline: std::time::Instant,
    max_memory: u64,
) -> Vec<Diagnostic> {
    let stop = budget::stop_check(deadline, max_memory);
    findings_of(
        net,
        &sim::stable_state_until(net, &sim::Scenario::default(), &stop),
    )
}

/// The findings of [`stable_state_findings_within`] from the simulation's outcome.
fn findings_of(net: &ir::Network, healthy: &Result<sim::State, sim::Unsettled>) -> Vec<Diagnostic> {
    match healthy {
        Ok(state) => state_findings(net, state),
        Err(sim::Unsettled::NoStableState(nc)) => nc.clone().into_diagnostics(),
        Err(sim::Unsettled::Stopped(why)) => vec![Diagnostic::warning(
            "AVS0504",
            format!("the stable state of the design was not computed: {why}"),
        )
        .note("route limits and convergence (AVS0500–AVS0503) are not reported; each check is still decided within --timeout and --max-memory, and ends `unknown` if they do not suffice")
        .help("raise --timeout or --max-memory")],
    }
}

/// Built-in findings that need the stable state with nothing failed: sessions dropped
/// by route limits, routing that never converges.
pub fn stable_state_findings(net: &ir::Network) -> Vec<Diagnostic> {
    match sim::stable_state(net, &sim::Scenario::default()) {
        Ok(state) => state_findings(net, &state),
        Err(nc) => nc.into_diagnostics(),
    }
}

/// The findings read off a stable state: route limits (AVS0501–AVS0503), tunnels routed
/// through themselves (AVS0349) and choices resting on a defaulted router id (AVS0505).
fn state_findings(net: &ir::Network, state: &sim::State) -> Vec<Diagnostic> {
    let mut out = sim::route_limit_findings(net, state);
    out.extend(sim::router_id::default_router_id_findings(net, state));
    out
}
