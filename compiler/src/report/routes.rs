//! The `routes` command's output: every BGP speaker's table and every subnet's
//! effective routes, as JSON (LANGUAGE.md §4) and as aligned human tables.
//!
//! JSON: `{"nodes": [{"name", "kind", "routes": [{"prefix", "as_path", "next_hop",
//! "from", "local_pref", "best", ...}]}], "subnets": [{"name", "routes": [{"prefix",
//! "next_hop_type", "next_hop", "source", ...}]}]}`. Extra fields: per BGP route
//! `installed` (multipath), `med`, `weight`, `origin`, `tags`; per effective route
//! `active`, `as_path`; per subnet `vnet`; per node `statics` (when it has any:
//! `prefix`, `next_hop`, `up`, `via`); and `dropped_sessions` (route limits); per BGP
//! route `tie: true` when the node chooses among it and others without a documented
//! tie-break (LANGUAGE.md §2.4; human: `~`, and a `tie:` line under the table).
//! `next_hop` is a node name or an address, `null` for a local route (and for system
//! routes without one); `from` is the neighbour's name, `null` for a local route.

use crate::ir::{Network, NodeId, SubnetId};
use crate::sim::{self, EffectiveRoute, FabricTarget, NextHop, Scenario, State};
use serde::Serialize;
use std::fmt::Write;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoutesReport {
    pub nodes: Vec<NodeRoutes>,
    pub subnets: Vec<SubnetRoutes>,
    pub dropped_sessions: Vec<DroppedSessionLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeRoutes {
    pub name: String,
    pub kind: String,
    pub routes: Vec<RibLine>,
    /// Its static routes (configured, and a static VPN site's routes into the tunnel);
    /// omitted from JSON when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statics: Vec<StaticLine>,
}

/// One static route: `next_hop` is a node name, an address (handed to the fabric), or
/// `null` (a blackhole); `up` is false while a component it needs is down (a static VPN
/// connection: `via`, the connection's name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StaticLine {
    pub prefix: String,
    pub next_hop: Option<String>,
    pub up: bool,
    pub via: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RibLine {
    pub prefix: String,
    pub as_path: Vec<u32>,
    /// The AS_SET after `as_path` (`aggregate-address P as-set`), sorted; absent
    /// when there is none. FRR prints the path as `65001 {65002,65003}`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub as_set: Vec<u32>,
    pub next_hop: Option<String>,
    pub from: Option<String>,
    pub local_pref: u32,
    /// The single best route (the one advertised).
    pub best: bool,
    /// Installed for forwarding (the best, and its equals on a multipath node).
    pub installed: bool,
    pub med: u32,
    /// The weight as configured (a connection's `weight N`, 0 without one; 32768 for
    /// the node's own routes), not the internal decision weight (`ir::Edge::weight`).
    pub weight: u32,
    pub origin: String,
    pub tags: Vec<String>,
    /// One of the routes among which the node chooses without a documented
    /// tie-break (LANGUAGE.md §2.4, `sim::choice::tied_candidates`): the `best` shown
    /// is the simulator's declaration-order choice, one of several Azure may make.
    /// Omitted from JSON when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub tie: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubnetRoutes {
    pub name: String,
    pub vnet: String,
    pub routes: Vec<EffectiveLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EffectiveLine {
    pub prefix: String,
    pub next_hop_type: &'static str,
    pub next_hop: Option<String>,
    pub source: &'static str,
    pub active: bool,
    pub as_path: Vec<u32>,
    /// As [`RibLine::as_set`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub as_set: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DroppedSessionLine {
    pub from: String,
    pub to: String,
    pub accepted: usize,
    pub limit: u32,
}

/// What `--node` selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Only {
    All,
    Node(NodeId),
    Subnet(SubnetId),
}

/// Builds the report; `only` (`--node`) names one node or subnet. `Err` carries the
/// unknown name.
pub fn routes_report(
    net: &Network,
    state: &State,
    sc: &Scenario,
    only: Option<&str>,
) -> Result<RoutesReport, String> {
    let only = match only {
        None => Only::All,
        Some(name) => match (net.node_by_name(name), net.subnet_by_name(name)) {
            (Some(n), _) => Only::Node(n),
            (None, Some(s)) => Only::Subnet(s),
            (None, None) => return Err(name.to_string()),
        },
    };
    let name = |n: NodeId| sim_name(net, n);
    let mut nodes = Vec::new();
    for (id, node) in net.nodes.iter() {
        match only {
            Only::All => {}
            Only::Node(n) if n == id => {}
            _ => continue,
        }
        let rib = state.rib(id);
        let speaks = net.edges.values().any(|e| e.from == id || e.to == id);
        let has_routes = rib.is_some_and(|r| !r.is_empty());
        if only == Only::All && !speaks && !has_routes {
            continue;
        }
        let mut routes = Vec::new();
        if let Some(rib) = rib {
            for (prefix, entry) in rib.iter() {
                let tied = sim::choice::tied_candidates(net, id, entry);
                for (i, r) in entry.candidates.iter().enumerate() {
                    routes.push(RibLine {
                        prefix: prefix.to_string(),
                        as_path: r.as_path.clone(),
                        as_set: r.as_set.clone(),
                        next_hop: match r.next_hop {
                            NextHop::Local => None,
                            NextHop::Node(m) => Some(name(m)),
                            NextHop::Address(a) => Some(a.to_string()),
                        },
                        from: r.from_node(net).map(name),
                        local_pref: r.local_pref,
                        best: i == 0,
                        installed: i < entry.installed,
                        med: r.med,
                        // The weight as configured, not the decision weight that
                        // also encodes the hub routing preference (ir::Edge::weight).
                        weight: r
                            .learned_from
                            .and_then(|e| net.edges.get(e))
                            .map_or(r.weight, |e| e.shown_weight),
                        origin: name(r.origin),
                        tags: r
                            .tags
                            .iter()
                            .filter_map(|t| net.tags.get(*t))
                            .map(|t| match t.community {
                                Some((a, b)) => format!("{a}:{b}"),
                                None => t.name.clone(),
                            })
                            .collect(),
                        tie: tied.contains(&i),
                    });
                }
            }
        }
        let statics = node
            .statics
            .iter()
            .map(|st| StaticLine {
                prefix: st.prefix.to_string(),
                next_hop: match st.target {
                    crate::ir::StaticTarget::Node(m) => Some(name(m)),
                    crate::ir::StaticTarget::Fabric(a) => Some(a.to_string()),
                    crate::ir::StaticTarget::Drop => None,
                },
                up: st.stands(|c| sc.is_down(c)),
                via: st
                    .requires
                    .first()
                    .and_then(|c| net.components.get(*c))
                    .map(|c| c.name.clone()),
            })
            .collect();
        nodes.push(NodeRoutes {
            name: node.name.clone(),
            kind: node.kind.clone(),
            routes,
            statics,
        });
    }
    let mut subnets = Vec::new();
    for (sid, s) in net.subnets.iter() {
        match only {
            Only::All => {}
            Only::Subnet(x) if x == sid => {}
            _ => continue,
        }
        let routes = sim::effective_routes(net, state, sc, sid)
            .iter()
            .map(|r| effective_line(net, r))
            .collect();
        subnets.push(SubnetRoutes {
            name: s.name.clone(),
            vnet: net
                .vnets
                .get(s.vnet)
                .map(|v| v.name.clone())
                .unwrap_or_default(),
            routes,
        });
    }
    let dropped_sessions = state
        .dropped
        .iter()
        .filter_map(|d| {
            let e = net.edges.get(d.edge)?;
            Some(DroppedSessionLine {
                from: name(e.from),
                to: name(e.to),
                accepted: d.accepted,
                limit: d.limit.max,
            })
        })
        .collect();
    Ok(RoutesReport {
        nodes,
        subnets,
        dropped_sessions,
    })
}

fn sim_name(net: &Network, n: NodeId) -> String {
    net.nodes.get(n).map(|x| x.name.clone()).unwrap_or_default()
}

fn effective_line(net: &Network, r: &EffectiveRoute) -> EffectiveLine {
    EffectiveLine {
        prefix: r.prefix.to_string(),
        next_hop_type: r.next_hop_type.as_str(),
        next_hop: match r.next_hop {
            FabricTarget::Address(a) => Some(a.to_string()),
            FabricTarget::Node(n) => Some(sim_name(net, n)),
            FabricTarget::Vnet(_) | FabricTarget::Nothing => None,
        },
        source: r.source.as_str(),
        active: r.active,
        as_path: r.as_path.clone(),
        as_set: r.as_set.clone(),
    }
}

/// Left-aligned columns, two spaces apart; trailing spaces trimmed.
fn table(rows: &[Vec<String>], indent: &str) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::from(indent);
        for (c, cell) in r.iter().enumerate() {
            let w = widths.get(c).copied().unwrap_or(0);
            let _ = write!(line, "{cell:<w$}  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A node's static routes under its BGP table (nothing when it has none).
fn statics_table(statics: &[StaticLine]) -> String {
    if statics.is_empty() {
        return String::new();
    }
    let mut rows = vec![vec![
        "static".to_string(),
        "next_hop".to_string(),
        "state".to_string(),
        "via".to_string(),
    ]];
    for st in statics {
        rows.push(vec![
            st.prefix.clone(),
            st.next_hop.clone().unwrap_or_else(|| "drop".to_string()),
            if st.up { "up" } else { "down" }.to_string(),
            st.via.clone().unwrap_or_else(|| "-".to_string()),
        ]);
    }
    table(&rows, "  ")
}

/// A path as FRR prints it (`65001 {65002,65003}`), `-` when empty.
fn path_text(p: &[u32], set: &[u32]) -> String {
    let mut parts: Vec<String> = p.iter().map(u32::to_string).collect();
    if !set.is_empty() {
        let set: Vec<String> = set.iter().map(u32::to_string).collect();
        parts.push(format!("{{{}}}", set.join(",")));
    }
    if parts.is_empty() {
        "-".to_string()
    } else {
        parts.join(" ")
    }
}

/// Aligned tables: per node its BGP table (`>` best, `*` also installed), per subnet
/// its effective routes like Azure's listing.
pub fn render_human(report: &RoutesReport) -> String {
    let mut out = String::new();
    for n in &report.nodes {
        let _ = writeln!(out, "{} ({})", n.name, n.kind);
        if n.routes.is_empty() {
            out.push_str("  no routes\n");
            out.push_str(&statics_table(&n.statics));
            out.push('\n');
            continue;
        }
        let mut rows = vec![vec![
            " ".to_string(),
            "prefix".to_string(),
            "as_path".to_string(),
            "next_hop".to_string(),
            "from".to_string(),
            "local_pref".to_string(),
            "med".to_string(),
            "weight".to_string(),
        ]];
        for r in &n.routes {
            let mark = if r.best {
                ">"
            } else if r.installed {
                "*"
            } else if r.tie {
                "~"
            } else {
                " "
            };
            rows.push(vec![
                mark.to_string(),
                r.prefix.clone(),
                path_text(&r.as_path, &r.as_set),
                r.next_hop.clone().unwrap_or_else(|| "local".to_string()),
                r.from.clone().unwrap_or_else(|| "-".to_string()),
                r.local_pref.to_string(),
                r.med.to_string(),
                r.weight.to_string(),
            ]);
        }
        out.push_str(&table(&rows, "  "));
        let mut tied: Vec<&str> = n
            .routes
            .iter()
            .filter(|r| r.tie)
            .map(|r| r.prefix.as_str())
            .collect();
        tied.dedup();
        for p in tied {
            let _ = writeln!(
                out,
                "  tie: {p}: Azure's choice among the routes marked `>` and `~` is undocumented (LANGUAGE.md §2.4); `>` is one of them"
            );
        }
        out.push_str(&statics_table(&n.statics));
        out.push('\n');
    }
    for s in &report.subnets {
        let _ = writeln!(out, "{} (vnet {})", s.name, s.vnet);
        let mut rows = vec![vec![
            "source".to_string(),
            "state".to_string(),
            "prefix".to_string(),
            "next_hop_type".to_string(),
            "next_hop".to_string(),
            "as_path".to_string(),
        ]];
        for r in &s.routes {
            rows.push(vec![
                r.source.to_string(),
                if r.active { "Active" } else { "Invalid" }.to_string(),
                r.prefix.clone(),
                r.next_hop_type.to_string(),
                r.next_hop.clone().unwrap_or_else(|| "-".to_string()),
                if r.source == "BGP" {
                    path_text(&r.as_path, &r.as_set)
                } else {
                    String::new()
                },
            ]);
        }
        out.push_str(&table(&rows, "  "));
        out.push('\n');
    }
    for d in &report.dropped_sessions {
        let _ = writeln!(
            out,
            "session {}–{} dropped: {} accepted {} prefixes, limit {}",
            d.from, d.to, d.to, d.accepted, d.limit
        );
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
