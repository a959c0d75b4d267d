//! The `trace` command's output: one line per ECMP branch (human), or JSON
//! (LANGUAGE.md §4): `{"from", "to", "paths": [{"disposition", "hops": [names]}]}`.
//!
//! Extra fields per path: `why` (e.g. "no transit between circuits"), `delivered_to`
//! (a node or subnet name), `start` (the source subnet when a VM sends) and `detail`
//! (per hop: how the packet arrived, its destination, the tunnel it left in); per
//! report `choices` (when any): the hops that pick one of several tied routes without
//! a documented tie-break (LANGUAGE.md §2.4), so that the paths are one choice of
//! several (human: a `tie:` line each).

use crate::ir::Network;
use crate::sim::{Arrival, Disposition, Owner, Path, Source, State};
use serde::Serialize;
use std::fmt::Write;
use std::net::Ipv4Addr;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceReport {
    pub from: String,
    pub to: String,
    pub paths: Vec<TracePath>,
    /// The undocumented choices the paths pass through (LANGUAGE.md §2.4): a hop that
    /// picks one of several tied routes without a documented tie-break, so the paths
    /// shown are those of the simulator's declaration-order choice, one of several.
    /// Omitted from JSON when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TracePath {
    pub disposition: &'static str,
    pub hops: Vec<String>,
    pub why: String,
    pub delivered_to: Option<String>,
    /// The subnet a VM source sends from (`null` for a node source).
    pub start: Option<String>,
    pub detail: Vec<HopDetail>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HopDetail {
    pub node: String,
    /// `origin`, `from <node>`, `fabric <subnet>`, `tunnel <tunnel>` or
    /// `load balancer <name>`.
    pub arrival: String,
    pub destination: String,
    /// The tunnel the packet left this hop in, if any.
    pub encapsulated: Option<String>,
}

fn node_name(net: &Network, n: crate::ir::NodeId) -> String {
    net.nodes.get(n).map(|x| x.name.clone()).unwrap_or_default()
}

/// The name of a delivery's owner (a node, or a subnet by its path), as `trace` prints it.
pub(crate) fn owner_name(net: &Network, o: Owner) -> String {
    match o {
        Owner::Node(n) => node_name(net, n),
        Owner::Subnet(s) => net
            .subnets
            .get(s)
            .map(|x| x.name.clone())
            .unwrap_or_default(),
    }
}

/// One path in report form.
pub fn trace_path(net: &Network, p: &Path) -> TracePath {
    let tunnel = |t: crate::ir::TunnelId| {
        net.tunnels
            .get(t)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    TracePath {
        disposition: p.disposition.as_str(),
        hops: p.hops.iter().map(|h| node_name(net, h.node)).collect(),
        why: p.why.to_string(),
        delivered_to: p.delivered_to.map(|o| owner_name(net, o)),
        start: match p.from {
            Source::Subnet(s) => Some(owner_name(net, Owner::Subnet(s))),
            Source::Node(_) | Source::Management(_) => None,
        },
        detail: p
            .hops
            .iter()
            .map(|h| HopDetail {
                node: node_name(net, h.node),
                arrival: match h.arrival {
                    Arrival::Origin => "origin".to_string(),
                    Arrival::FromNode(n) => format!("from {}", node_name(net, n)),
                    Arrival::FromFabric(s) => {
                        format!("fabric {}", owner_name(net, Owner::Subnet(s)))
                    }
                    Arrival::Tunnel(t) => format!("tunnel {}", tunnel(t)),
                    Arrival::LoadBalancer(i) => format!(
                        "load balancer {}",
                        net.load_balancers
                            .get(i as usize)
                            .map(|l| l.name.as_str())
                            .unwrap_or_default()
                    ),
                },
                destination: h.destination.to_string(),
                encapsulated: h.encapsulated.map(tunnel),
            })
            .collect(),
    }
}

/// The report for `trace --from FROM --to TO`: `paths` walked in `state`, whose
/// routes say where a hop chose among tied routes (`choices`).
pub fn trace_report(
    net: &Network,
    state: &State,
    from: &str,
    to: Ipv4Addr,
    paths: &[Path],
) -> TraceReport {
    let mut choices = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for h in paths.iter().flat_map(|p| &p.hops) {
        let Some((prefix, entry)) = state
            .rib(h.node)
            .and_then(|r| r.lookup_entry(h.destination))
        else {
            continue;
        };
        if !seen.insert((h.node, prefix)) {
            continue;
        }
        let tied = crate::sim::choice::tied_candidates(net, h.node, entry);
        if tied.is_empty() {
            continue;
        }
        let senders: Vec<String> = tied
            .iter()
            .filter_map(|i| entry.candidates.get(*i))
            .filter_map(|r| r.from_node(net))
            .map(|n| format!("`{}`", node_name(net, n)))
            .collect();
        choices.push(format!(
            "`{}` chooses among equal routes for {prefix} from {} without a documented tie-break (LANGUAGE.md §2.4): the path shown is one of several choices",
            node_name(net, h.node),
            senders.join(", ")
        ));
    }
    TraceReport {
        from: from.to_string(),
        to: to.to_string(),
        paths: paths.iter().map(|p| trace_path(net, p)).collect(),
        choices,
    }
}

/// One line per path: `dc1 → er_dc → ergw → fw → ...  delivered`. A VM source or a
/// VM destination is shown in brackets; a tunnel hop as `=vx=>`; a load balancer that
/// gave the flow to the next hop as `~ilb~>` (it is not a hop itself).
pub fn render_human(report: &TraceReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "trace {} → {}", report.from, report.to);
    for p in &report.paths {
        let mut line = String::new();
        if let Some(s) = &p.start {
            let _ = write!(line, "[{s}]");
        }
        for (i, h) in p.detail.iter().enumerate() {
            if !line.is_empty() {
                let prev_tunnel = i
                    .checked_sub(1)
                    .and_then(|j| p.detail.get(j))
                    .and_then(|d| d.encapsulated.clone());
                let balancer = h.arrival.strip_prefix("load balancer ");
                match (prev_tunnel, balancer) {
                    (Some(t), _) => {
                        let _ = write!(line, " ={t}=> ");
                    }
                    (None, Some(lb)) => {
                        let _ = write!(line, " ~{lb}~> ");
                    }
                    (None, None) => line.push_str(" → "),
                }
            }
            line.push_str(&h.node);
        }
        if let Some(d) = &p.delivered_to {
            if p.hops.last() != Some(d) {
                let _ = write!(line, " → [{d}]");
            }
        }
        let _ = write!(line, "  {}", p.disposition);
        if p.disposition != Disposition::Delivered.as_str() {
            let _ = write!(line, " ({})", p.why);
        }
        out.push_str(line.trim_start());
        out.push('\n');
    }
    if report.paths.is_empty() {
        out.push_str("no path\n");
    }
    for c in &report.choices {
        let _ = writeln!(out, "tie: {c}");
    }
    out
}
