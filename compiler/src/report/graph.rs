//! `avscheck graph`: the topology as Graphviz DOT — VNets as clusters, BGP sessions as
//! edges (dashed when down), tunnels, and VNet peerings.

use crate::ir::{Network, SessionKind, SessionStatus};
use std::fmt::Write;

fn quote(s: &str) -> String {
    // Names are identifiers; `\n` in labels is DOT's line break, so only quotes are escaped.
    format!("\"{}\"", s.replace('"', "\\\""))
}

fn shape(kind: &str) -> &'static str {
    match kind {
        "site" => "house",
        "avs" => "component",
        "er_circuit" => "hexagon",
        "er_gateway" => "trapezium",
        "route_server" => "diamond",
        "nva" => "box3d",
        "internet" => "cloud",
        _ => "ellipse",
    }
}

/// Renders the network as DOT. Deterministic: declaration order throughout.
pub fn to_dot(net: &Network) -> String {
    to_dot_with_paths(net, &[])
}

/// Renders the network with forwarding paths (lists of hop names, e.g. a
/// counterexample's) drawn on it as red arrows, numbered by path.
pub fn to_dot_with_paths(net: &Network, paths: &[(Vec<String>, String)]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph avscheck {{");
    let _ = writeln!(out, "  graph [rankdir=LR, fontname=\"Helvetica\"];");
    let _ = writeln!(out, "  node [fontname=\"Helvetica\", fontsize=10];");
    let _ = writeln!(
        out,
        "  edge [fontname=\"Helvetica\", fontsize=9, dir=none];"
    );
    let vnet_of = |n: &crate::ir::Node| {
        n.behaviours
            .fabric_subnet
            .or(n.behaviours.gateway_subnet)
            .map(|s| net.subnets[s].vnet)
            .or(n.behaviours.programs.map(|p| p.vnet))
    };
    for (vid, v) in net.vnets.iter() {
        let _ = writeln!(
            out,
            "  subgraph {} {{",
            quote(&format!("cluster_{}", v.name))
        );
        let spaces: Vec<String> = v.address.iter().map(|a| a.to_string()).collect();
        let _ = writeln!(
            out,
            "    label={};",
            quote(&format!("vnet {} ({})", v.name, spaces.join(", ")))
        );
        for (_, n) in net.nodes.iter().filter(|(_, n)| vnet_of(n) == Some(vid)) {
            let _ = writeln!(
                out,
                "    {} [shape={}, label={}];",
                quote(&n.name),
                shape(&n.kind),
                quote(&format!("{}\\n{} AS{}", n.name, n.kind, n.asn))
            );
        }
        let _ = writeln!(out, "  }}");
    }
    for (_, n) in net.nodes.iter().filter(|(_, n)| vnet_of(n).is_none()) {
        let label = if n.behaviours.internet {
            n.name.clone()
        } else {
            format!("{}\\n{} AS{}", n.name, n.kind, n.asn)
        };
        let _ = writeln!(
            out,
            "  {} [shape={}, label={}];",
            quote(&n.name),
            shape(&n.kind),
            quote(&label)
        );
    }
    for (_, s) in net.sessions.iter() {
        let (a, b) = (&net.nodes[s.a].name, &net.nodes[s.b].name);
        let mut attrs = Vec::new();
        match &s.status {
            SessionStatus::Up => {}
            SessionStatus::Down(why) => {
                attrs.push("style=dashed".to_string());
                attrs.push("color=red".to_string());
                attrs.push(format!("tooltip={}", quote(why)));
            }
        }
        match s.kind {
            SessionKind::GlobalReach => attrs.push("label=\"global reach\"".to_string()),
            SessionKind::Internal => attrs.push("style=dotted".to_string()),
            SessionKind::Ibgp => attrs.push("label=iBGP".to_string()),
            SessionKind::Ebgp => {}
        }
        if let Some(t) = s.tunnel {
            attrs.push(format!(
                "label={}",
                quote(&format!("BGP over {}", net.tunnels[t].name))
            ));
        }
        let _ = writeln!(
            out,
            "  {} -> {} [{}];",
            quote(a),
            quote(b),
            attrs.join(", ")
        );
    }
    for (vid, v) in net.vnets.iter() {
        for p in &v.peerings {
            if vid < p.vnet {
                let _ = writeln!(
                    out,
                    "  // vnet peering {} <-> {}",
                    v.name, net.vnets[p.vnet].name
                );
            }
        }
    }
    for (i, (hops, disposition)) in paths.iter().enumerate() {
        for pair in hops.windows(2) {
            if let [a, b] = pair {
                let _ = writeln!(
                    out,
                    "  {} -> {} [dir=forward, color=red, fontcolor=red, penwidth=2, constraint=false, label={}];",
                    quote(a),
                    quote(b),
                    quote(&format!("{}", i + 1))
                );
            }
        }
        if let Some(last) = hops.last() {
            let _ = writeln!(
                out,
                "  {} [xlabel={}, fontcolor=red];",
                quote(last),
                quote(&format!("path {}: {}", i + 1, disposition))
            );
        }
    }
    let _ = writeln!(out, "}}");
    out
}
