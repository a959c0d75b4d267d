//! The setup the FRR configuration tests share (frr_config, frr_semantics,
//! frr_engines, frr_hostile, frr_sessions): designs with in-memory configuration
//! files, the hub design whose NVA `fw` peers a two-instance Route Server, and
//! lookups of diagnostics, their lines and the simulator's best routes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use avscheck::frr::ast::Config;
use avscheck::{Analysis, Diagnostic, FileId};
use std::collections::BTreeMap;

/// The crate's root directory.
pub fn root() -> String {
    env!("CARGO_MANIFEST_DIR").to_string()
}

/// A design with in-memory configuration files.
pub fn design(avs: &str, files: &[(&str, &str)]) -> Analysis {
    let owned: Vec<(&str, String)> = files.iter().map(|(n, t)| (*n, t.to_string())).collect();
    design_owned(avs, &owned)
}

/// [`design`] with configuration texts built at run time.
pub fn design_owned(avs: &str, files: &[(&str, String)]) -> Analysis {
    let files: BTreeMap<String, String> = files
        .iter()
        .map(|(n, t)| (n.to_string(), t.clone()))
        .collect();
    avscheck::analyse_with("design.avs", avs, &move |p: &str| {
        files
            .get(p)
            .map(|t| (p.to_string(), t.clone()))
            .ok_or_else(|| format!("cannot read `{p}`: not found"))
    })
}

/// A design directory of the repository (`design.avs` and its configurations).
pub fn from_dir(dir: &str) -> Analysis {
    let root = format!("{}/{dir}", root());
    let text = std::fs::read_to_string(format!("{root}/design.avs")).unwrap();
    avscheck::analyse_with("design.avs", &text, &|p: &str| {
        std::fs::read_to_string(format!("{root}/{p}"))
            .map(|t| (p.to_string(), t))
            .map_err(|e| e.to_string())
    })
}

/// An example of `examples/` (relative to it), its configurations read beside it.
pub fn example(rel: &str) -> Analysis {
    let path = format!("examples/{rel}");
    let text = std::fs::read_to_string(format!("{}/{path}", root())).unwrap();
    let dir = std::path::Path::new(&path).parent().unwrap().to_path_buf();
    avscheck::analyse_with(&path, &text, &|p: &str| {
        let shown = dir.join(p);
        std::fs::read_to_string(std::path::Path::new(&root()).join(&shown))
            .map(|t| (shown.to_string_lossy().into_owned(), t))
            .map_err(|e| e.to_string())
    })
}

pub fn with_code<'a>(a: &'a Analysis, code: &str) -> Vec<&'a Diagnostic> {
    a.diagnostics.iter().filter(|d| d.code == code).collect()
}

/// The text of the line a span starts on, trimmed.
pub fn line_of(a: &Analysis, span: avscheck::Span) -> String {
    let text = a.sources.text(span.file);
    let start = text[..span.start as usize]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let end = text[span.start as usize..]
        .find('\n')
        .map(|i| i + span.start as usize)
        .unwrap_or(text.len());
    text[start..end].trim().to_string()
}

/// A configuration parsed on its own.
pub fn parse(text: &str) -> (Config, Vec<Diagnostic>) {
    avscheck::frr::parse(FileId(0), text)
}

/// The line (trimmed) of `text` a diagnostic's primary label starts on.
pub fn line_at(text: &str, d: &Diagnostic) -> String {
    let s = d.labels[0].span.start as usize;
    let start = text[..s].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let end = text[s..].find('\n').map(|i| i + s).unwrap_or(text.len());
    text[start..end].trim().to_string()
}

/// The word the primary label covers.
pub fn word_at(text: &str, d: &Diagnostic) -> String {
    let l = &d.labels[0];
    text[l.span.start as usize..l.span.end as usize].to_string()
}

/// A hub whose Route Server `ars` (two instances) peers the NVA `fw` (AS 65010).
pub const HUB: &str = r#"use azure
vnet hub { address 10.100.0.0/16 }
subnet nva_subnet { vnet hub; address 10.100.1.0/24 }
route_server ars {
  vnet hub
  ip 10.100.0.4
  ip 10.100.0.5
  peer fw asn 65010
}
"#;

/// [`HUB`] with `nva fw { FW_BLOCK }` and `conf` as `fw.conf`.
pub fn hub_design(fw_block: &str, conf: &str) -> Analysis {
    design(
        &format!("{HUB}\nnva fw {{\n{fw_block}\n}}\n"),
        &[("fw.conf", conf)],
    )
}

/// The NVA `fw` (10.100.1.4 in nva_subnet) of [`HUB`] with `conf` as its configuration.
pub fn fw(conf: &str) -> Analysis {
    hub_design(
        "  subnet nva_subnet\n  ip 10.100.1.4\n  config \"fw.conf\"",
        conf,
    )
}

/// Whether `node` holds a best route for `prefix` in the simulator's stable state
/// without failures.
pub fn installs(a: &Analysis, node: &str, prefix: &str) -> bool {
    let net = a.network.as_ref().unwrap();
    let state = avscheck::sim::stable_state(net, &avscheck::sim::Scenario::default()).unwrap();
    state
        .best(net.node_by_name(node).unwrap(), prefix.parse().unwrap())
        .is_some()
}

/// Every check's verdict in both engines: (title, smt, sim), `Some(true)` = holds.
pub fn verdicts(net: &avscheck::ir::Network) -> Vec<(String, Option<bool>, Option<bool>)> {
    use avscheck::sim::{evaluate_with_failures, PropertyOutcome};
    use avscheck::smt::{queries::verify_property, Status};
    let mut out = Vec::new();
    for (_, check) in net.checks.iter() {
        for prop in &check.properties {
            let smt = verify_property(net, prop, std::time::Duration::from_secs(60));
            let sim = evaluate_with_failures(net, prop);
            let s = match &smt.status {
                Status::Pass => Some(true),
                Status::Fail => Some(false),
                Status::Unknown(_) => None,
            };
            let c = match &sim.outcome {
                PropertyOutcome::Holds => Some(true),
                PropertyOutcome::Violated(_) => Some(false),
                _ => None,
            };
            out.push((check.title.clone(), s, c));
        }
    }
    out
}
