//! The results of `avscheck check`, independent of how they are rendered.

use crate::diagnostic::Diagnostic;
use crate::span::Span;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Proved for every stable state (and every allowed failure / environment).
    Pass,
    /// Refuted: a counterexample exists.
    Fail,
    /// The solver timed out or answered unknown: never shown as a pass.
    Unknown,
    /// Not verified (the verifier could not be run for this check).
    Unverified,
}

impl CheckStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Unknown => "unknown",
            CheckStatus::Unverified => "unverified",
        }
    }
    /// Whether this status lets the run exit 0.
    pub fn holds(&self) -> bool {
        *self == CheckStatus::Pass
    }
}

/// A label of a counterexample: a span that matters and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResultLabel {
    pub span: Span,
    pub message: String,
    pub primary: bool,
    /// Part of the explanation of why the check fails (shown in human output even
    /// when it points into the standard library).
    pub explains: bool,
}

/// The verdict of one property line of a check (`reachable A <-> B`, two properties on
/// one line, is one line: it fails when either direction fails).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PropertyResult {
    /// The property line.
    pub span: Span,
    pub status: CheckStatus,
    /// Why it is `unknown`.
    pub reason: Option<String>,
}

/// An environment announcement chosen by the solver (`assume N advertises any ...`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Announcement {
    /// The announcing node.
    pub node: String,
    /// The announced IPv4 prefix, `A.B.C.D/L`.
    pub prefix: String,
}

/// One forwarding path of a counterexample (one per ECMP branch).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CexPath {
    /// Where the packet starts (node, subnet or VNet name).
    pub from: String,
    /// The destination address (`A.B.C.D`), or `internet` for an address no prefix of
    /// the design covers (the representative of `0.0.0.0/0`).
    pub to: String,
    /// `delivered`, `dropped`, `no_route` or `loop`.
    pub disposition: String,
    /// The nodes the packet visits, in order (never the fabric itself); a packet that
    /// ends at its source (a subnet without a route for it) has its source as its one
    /// hop, so that the path shows where it ends.
    pub hops: Vec<String>,
}

/// A route that takes part in a counterexample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CexRoute {
    /// The node that installs it.
    pub node: String,
    pub prefix: String,
    /// AS path as received, nearest AS first.
    pub as_path: Vec<u32>,
    /// The AS_SET after `as_path` (FRR `aggregate-address P as-set`), sorted; absent
    /// when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub as_set: Vec<u32>,
    /// The neighbour it was learned from (`null`: originated at `node`).
    pub from: Option<String>,
}

/// A session the environment's announcements push over its receive limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DroppedSession {
    /// The announcing node.
    pub node: String,
    /// The limited direction: sender, then the receiver that drops the session.
    pub session: [String; 2],
    /// The receive limit, in prefixes.
    pub limit: u32,
    /// How many prefixes the environment announces over it.
    pub announced: usize,
    /// The range they are taken from (the `assume` line's `within`).
    pub within: String,
}

/// A concrete counterexample of a failing check (LANGUAGE.md §4 `counterexample`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Counterexample {
    /// Components failed by `under failures K` (not those of `without`).
    pub failed: Vec<String>,
    pub environment: Vec<Announcement>,
    pub paths: Vec<CexPath>,
    pub routes: Vec<CexRoute>,
    /// One line telling the failure in the design's terms.
    pub narrative: String,
    /// Sessions dropped by the environment's announcements (absent when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<DroppedSession>,
}

/// The address the engines use for "an address no prefix of the design covers".
fn destination_name(to: &str) -> String {
    if to == "0.0.0.0" {
        "internet".to_string()
    } else {
        to.to_string()
    }
}

impl From<&crate::smt::Counterexample> for Counterexample {
    fn from(c: &crate::smt::Counterexample) -> Self {
        Counterexample {
            failed: c.failed.clone(),
            environment: c
                .environment
                .iter()
                .map(|a| Announcement {
                    node: a.node.clone(),
                    prefix: a.prefix.clone(),
                })
                .collect(),
            paths: c
                .paths
                .iter()
                .map(|p| CexPath {
                    from: p.from.clone(),
                    to: destination_name(&p.to),
                    disposition: p.disposition.clone(),
                    // A packet that ends where it starts (a subnet with no route for
                    // it, a node dropping it) has walked no hop: its path is its
                    // source, where it ends.
                    hops: if p.hops.is_empty() {
                        vec![p.from.clone()]
                    } else {
                        p.hops.clone()
                    },
                })
                .collect(),
            routes: c
                .routes
                .iter()
                .map(|r| CexRoute {
                    node: r.node.clone(),
                    prefix: r.prefix.clone(),
                    as_path: r.as_path.clone(),
                    as_set: r.as_set.clone(),
                    from: r.from.clone(),
                })
                .collect(),
            narrative: c.narrative.replace(
                "to `0.0.0.0`",
                "to the internet (an address outside the design)",
            ),
            dropped: c
                .dropped
                .iter()
                .map(|d| DroppedSession {
                    node: d.node.clone(),
                    session: d.session.clone(),
                    limit: d.limit,
                    announced: d.announced,
                    within: d.within.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CheckResult {
    pub title: String,
    /// The whole `check` item.
    pub span: Span,
    pub status: CheckStatus,
    /// Why the status is `unknown`/`unverified`, or a one-line narrative of the failure.
    pub reason: Option<String>,
    /// The counterexample (only when `fail`).
    pub counterexample: Option<Counterexample>,
    /// Spans to show with the result (the check line, the originate, the policy rule, ...).
    pub labels: Vec<ResultLabel>,
    /// The verdict of each property line, in source order.
    pub properties: Vec<PropertyResult>,
}

impl CheckResult {
    /// A check that does not pass, as a diagnostic (AVS0700–AVS0702) so its spans
    /// render like any other; `None` for a pass.
    pub fn to_diagnostic(&self, user_file: crate::FileId) -> Option<Diagnostic> {
        (self.status != CheckStatus::Pass).then(|| to_diagnostic(self, user_file))
    }
}

/// A failed or unknown check, rendered like a diagnostic so its spans show. Labels
/// inside the embedded stdlib (implicit Azure policies the user cannot change) are
/// left to the JSON report.
pub fn to_diagnostic(c: &CheckResult, user_file: crate::FileId) -> Diagnostic {
    let mut d = match c.status {
        CheckStatus::Fail => Diagnostic::error("AVS0700", format!("check `{}` fails", c.title)),
        CheckStatus::Unknown => {
            Diagnostic::error("AVS0701", format!("check `{}` is unknown", c.title))
        }
        _ => Diagnostic::warning("AVS0702", format!("check `{}` is not verified", c.title)),
    };
    if c.labels.is_empty() {
        d = d.primary(c.span, "this check");
    }
    for l in c
        .labels
        .iter()
        .filter(|l| l.span.file == user_file || l.explains)
    {
        d = if l.primary {
            d.primary(l.span, l.message.clone())
        } else {
            d.secondary(l.span, l.message.clone())
        };
    }
    if let Some(r) = &c.reason {
        d = d.note(r.clone());
    }
    if let Some(cx) = &c.counterexample {
        for line in counterexample_lines(cx) {
            d.notes.push(line);
        }
    }
    d
}

/// The counterexample's paths and routes as note lines.
pub(crate) fn counterexample_lines(cx: &Counterexample) -> Vec<String> {
    let mut lines = Vec::new();
    if !cx.failed.is_empty() {
        lines.push(format!("failed: {}", cx.failed.join(", ")));
    }
    for e in &cx.environment {
        lines.push(format!(
            "environment: `{}` announces `{}`",
            e.node, e.prefix
        ));
    }
    for d in &cx.dropped {
        let [sender, receiver] = &d.session;
        // No `within`: the design's own prefixes drop the session (no environment).
        lines.push(if d.within.is_empty() {
            format!(
                "dropped: session `{sender}`–`{receiver}`: `{receiver}` receives {} prefixes from `{sender}`, over its limit of {}",
                d.announced, d.limit
            )
        } else {
            format!(
                "environment: `{}` announces {} prefixes inside `{}`: more than {} from `{sender}` to `{receiver}`, which drops the session",
                d.node, d.announced, d.within, d.limit
            )
        });
    }
    for p in &cx.paths {
        lines.push(format!(
            "path {} -> {}: {} ({})",
            p.from,
            p.to,
            p.hops.join(" → "),
            p.disposition
        ));
    }
    for r in &cx.routes {
        let mut path: Vec<String> = r.as_path.iter().map(u32::to_string).collect();
        if !r.as_set.is_empty() {
            let set: Vec<String> = r.as_set.iter().map(u32::to_string).collect();
            path.push(format!("{{{}}}", set.join(",")));
        }
        lines.push(format!(
            "route: {} installs {} [{}] from {}",
            r.node,
            r.prefix,
            path.join(" "),
            r.from.as_deref().unwrap_or("itself")
        ));
    }
    lines
}
