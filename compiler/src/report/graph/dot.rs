//! The scene as Graphviz DOT: regions, VNets and subnets as nested clusters (subnets
//! labelled with their UDRs), a Graphviz shape per kind, links as styled edges (VNet
//! peerings between the VNet clusters), failed components in red and crossed out,
//! and packet paths as numbered, coloured arrows.

use super::{path_colour, shape_of, End, Highlight, LinkStyle, Scene, Shape, Tier};
use crate::ir::{Network, NodeId};
use std::fmt::Write;

/// The text of a DOT string: backslashes and quotes escaped.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn quote(s: &str) -> String {
    format!("\"{}\"", esc(s))
}

/// A quoted label of several lines, each ended by `sep` (`\\n` centred, `\\l` left).
fn lines_label(lines: &[String], sep: &str) -> String {
    let parts: Vec<String> = lines.iter().map(|l| esc(l)).collect();
    format!("\"{}\"", parts.join(sep))
}

fn dot_shape(s: Shape) -> &'static str {
    match s {
        Shape::House => "house",
        Shape::Hexagon => "hexagon",
        Shape::Trapezium => "trapezium",
        Shape::Diamond => "diamond",
        Shape::Box3d => "box3d",
        Shape::Component => "component",
        Shape::Internet => "doublecircle",
        Shape::Octagon => "octagon",
        Shape::Rounded => "box",
    }
}

/// The DOT id of a link end, and the cluster an edge to it should be clipped at.
fn end_id(scene: &Scene, e: End) -> (String, Option<String>) {
    match e {
        End::Node(n) => (quote(&scene.net.nodes[n].name), None),
        End::Vnet(v) => {
            let name = &scene.net.vnets[v].name;
            (
                quote(&format!("vnet:{name}")),
                Some(quote(&format!("cluster_vnet_{name}"))),
            )
        }
        End::Subnet(s) => {
            let name = &scene.net.subnets[s].name;
            (
                quote(&format!("subnet:{name}")),
                Some(quote(&format!("cluster_subnet_{name}"))),
            )
        }
        End::GlobalReach(i) => (
            quote(&format!(
                "global_reach:{}",
                scene
                    .global_reach
                    .get(i)
                    .map(|g| g.name.as_str())
                    .unwrap_or("?")
            )),
            None,
        ),
    }
}

fn node_stmt(scene: &Scene, id: NodeId, indent: &str, out: &mut String) {
    let lines = scene.node_lines(id);
    let mut attrs = vec![
        format!("shape={}", dot_shape(shape_of(scene.net, id))),
        format!("label={}", lines_label(&lines, "\\n")),
    ];
    if scene.node_failed(id) {
        attrs.push("color=red, fontcolor=red, penwidth=2".to_string());
        attrs.push("xlabel=\"✗ failed\"".to_string());
    }
    let _ = writeln!(
        out,
        "{indent}{} [{}];",
        quote(&scene.net.nodes[id].name),
        attrs.join(", ")
    );
}

fn subnet_cluster(scene: &Scene, b: &super::SubnetBox, out: &mut String) {
    let name = &scene.net.subnets[b.id].name;
    let mut lines = vec![scene.subnet_label(b.id)];
    lines.extend(b.udr_lines.iter().map(|l| format!("UDR {l}")));
    lines.push(String::new());
    let label = lines_label(&lines, "\\l");
    let _ = writeln!(
        out,
        "      subgraph {} {{",
        quote(&format!("cluster_subnet_{name}"))
    );
    let _ = writeln!(
        out,
        "        label={label}; labeljust=l; style=\"rounded,filled\"; fillcolor=\"#f4f8fb\"; color=\"#7a99ac\";"
    );
    let _ = writeln!(
        out,
        "        {} [shape=point, style=invis, label=\"\"];",
        quote(&format!("subnet:{name}"))
    );
    for n in &b.nodes {
        node_stmt(scene, *n, "        ", out);
    }
    let _ = writeln!(out, "      }}");
}

/// Renders the network as DOT, with the highlight's failed components and packet
/// paths. Deterministic: declaration order throughout.
pub fn to_dot(net: &Network, highlight: &Highlight) -> String {
    let scene = Scene::new(net, highlight);
    let mut out = String::new();
    let _ = writeln!(out, "digraph avscheck {{");
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, compound=true, newrank=true, fontname=\"Helvetica\", fontsize=11];"
    );
    if let Some(t) = &highlight.title {
        let _ = writeln!(
            out,
            "  label={}; labelloc=t;",
            quote(&format!("counterexample of “{t}”"))
        );
    }
    let _ = writeln!(out, "  node [fontname=\"Helvetica\", fontsize=10];");
    let _ = writeln!(
        out,
        "  edge [fontname=\"Helvetica\", fontsize=9, dir=none];"
    );

    for r in &scene.regions {
        let rname = r.name.as_deref().unwrap_or("");
        let _ = writeln!(
            out,
            "  subgraph {} {{",
            quote(&format!("cluster_region_{rname}"))
        );
        let _ = writeln!(
            out,
            "    label={}; style=dashed; color=\"#5b7083\";",
            quote(&Scene::region_label(r))
        );
        for v in &r.vnets {
            let vname = &net.vnets[v.id].name;
            let _ = writeln!(
                out,
                "    subgraph {} {{",
                quote(&format!("cluster_vnet_{vname}"))
            );
            let _ = writeln!(
                out,
                "      label={}; style=\"rounded,filled\"; fillcolor=\"#e8f1fa\"; color=\"#0078d4\";",
                quote(&scene.vnet_label(v.id))
            );
            let _ = writeln!(
                out,
                "      {} [shape=point, style=invis, label=\"\"];",
                quote(&format!("vnet:{vname}"))
            );
            for b in &v.gateway_subnets {
                subnet_cluster(&scene, b, &mut out);
            }
            for n in &v.nodes {
                node_stmt(&scene, *n, "      ", &mut out);
            }
            for b in &v.subnets {
                subnet_cluster(&scene, b, &mut out);
            }
            let _ = writeln!(out, "    }}");
        }
        let _ = writeln!(out, "  }}");
    }
    for (_, nodes) in scene.outside.iter() {
        for n in nodes {
            node_stmt(&scene, *n, "  ", &mut out);
        }
    }
    for (i, g) in scene.global_reach.iter().enumerate() {
        let (id, _) = end_id(&scene, End::GlobalReach(i));
        let failed = scene.failed.contains(&g.component);
        let _ = writeln!(
            out,
            "  {id} [shape=octagon, label={}{}];",
            lines_label(&[g.name.clone(), "Global Reach".to_string()], "\\n"),
            if failed {
                ", color=red, fontcolor=red, penwidth=2, xlabel=\"✗ failed\""
            } else {
                ""
            }
        );
    }
    // On-premises nodes first and AVS last in one rank each (left to right).
    for tier in [Tier::OnPrem, Tier::Avs] {
        let ids: Vec<String> = scene
            .outside(tier)
            .iter()
            .map(|n| quote(&net.nodes[*n].name))
            .collect();
        if !ids.is_empty() {
            let rank = if tier == Tier::OnPrem { "min" } else { "max" };
            let _ = writeln!(out, "  {{ rank={rank}; {}; }}", ids.join("; "));
        }
    }

    for l in &scene.links {
        // Edges run left to right so `rankdir=LR` keeps on-premises left of Azure.
        let (a, b) = if scene.tier(l.b) < scene.tier(l.a) {
            (l.b, l.a)
        } else {
            (l.a, l.b)
        };
        let (ia, ca) = end_id(&scene, a);
        let (ib, cb) = end_id(&scene, b);
        let mut attrs: Vec<String> = match l.style {
            LinkStyle::Ebgp => vec!["color=\"#333333\"".into()],
            LinkStyle::Ibgp => vec!["color=\"#333333\"".into()],
            LinkStyle::Internal => vec!["style=dotted".into(), "color=\"#333333\"".into()],
            LinkStyle::Down => vec!["style=dashed".into(), "color=red".into()],
            LinkStyle::Connection => vec!["color=\"#e07b00\"".into(), "penwidth=2.5".into()],
            LinkStyle::GlobalReach => vec![
                "color=\"#c9a400\"".into(),
                "penwidth=2.5".into(),
                "style=dashed".into(),
            ],
            LinkStyle::Tunnel => vec!["color=\"#8e44ad\"".into(), "penwidth=4".into()],
            LinkStyle::Nic => vec![
                "color=\"#5b7083\"".into(),
                "style=dashed".into(),
                "constraint=false".into(),
            ],
            LinkStyle::LoadBalancer => vec![
                "color=\"#1f8a70\"".into(),
                "penwidth=2".into(),
                "constraint=false".into(),
                "dir=forward".into(),
            ],
            LinkStyle::VnetPeering => vec![
                "color=\"#0078d4\"".into(),
                "penwidth=3".into(),
                "style=bold".into(),
            ],
            LinkStyle::Udr => vec![
                "color=\"#2e8b57\"".into(),
                "style=dashed".into(),
                "constraint=false".into(),
                // The arrow points at the next hop, whichever end DOT sees as the head.
                if scene.tier(l.b) < scene.tier(l.a) {
                    "dir=back".into()
                } else {
                    "dir=forward".into()
                },
            ],
        };
        // A NIC's or load balancer's subnet holds the node drawn at the other end
        // (or beside it): the edge starts at the subnet's anchor, not its border.
        let inner = matches!(l.style, LinkStyle::Nic | LinkStyle::LoadBalancer);
        if let Some(c) = ca.as_ref().filter(|_| !inner) {
            attrs.push(format!("ltail={c}"));
        }
        if let Some(c) = cb.as_ref().filter(|_| !inner) {
            attrs.push(format!("lhead={c}"));
        }
        let mut label = l.label.clone();
        if scene.link_failed(l) {
            attrs.retain(|a| !a.starts_with("color="));
            attrs.push("color=red".into());
            attrs.push("fontcolor=red".into());
            label = Some(match label {
                Some(s) => format!("✗ failed: {s}"),
                None => "✗ failed".to_string(),
            });
        }
        if let Some(s) = label {
            attrs.push(format!("label={}", quote(&s)));
        }
        if let Some(t) = &l.tooltip {
            attrs.push(format!("tooltip={}", quote(t)));
        }
        let _ = writeln!(out, "  {ia} -> {ib} [{}];", attrs.join(", "));
    }

    for (i, p) in highlight.paths.iter().enumerate() {
        let colour = path_colour(i);
        let mut step = 0;
        for pair in p.hops.windows(2) {
            let [a, b] = pair else { continue };
            step += 1;
            let _ = writeln!(
                out,
                "  {} -> {} [dir=forward, color=\"{colour}\", fontcolor=\"{colour}\", penwidth=2, constraint=false, label={}];",
                quote(a),
                quote(b),
                quote(&format!("{}.{step}", i + 1))
            );
        }
        if let Some(last) = p.hops.last() {
            let _ = writeln!(
                out,
                "  {} [xlabel={}, fontcolor=\"{colour}\"];",
                quote(last),
                quote(&format!(
                    "path {}: {} → {}: {}",
                    i + 1,
                    p.from,
                    p.to,
                    p.disposition
                ))
            );
        }
    }
    let _ = writeln!(out, "}}");
    out
}
