//! The scene as SVG, laid out here without external programs.
//!
//! Layout (all units are SVG user units, i.e. CSS pixels at 1:1):
//! - five columns, left to right: on-premises nodes, their circuits, Azure (regions →
//!   VNets → subnets, stacked top to bottom), the AVS circuits, AVS;
//! - inside a VNet, the subnets holding gateways first (towards the circuits), then the
//!   VNet's own nodes (Route Servers), then the other subnets; each subnet lists its UDRs;
//! - circuits are placed at the mean height of their gateways, sites and AVS at the
//!   mean height of their circuits (declaration order breaks ties), never overlapping;
//! - Global Reach sits below Azure, reached by orthogonal lines from its circuits;
//! - links inside Azure between different VNets bend out to the left, VNet peerings
//!   and UDRs to the right, so they do not cross the stacked boxes;
//! - text widths are estimated (0.6 em per character), not measured.

use super::{
    path_colour, shape_of, End, Highlight, LinkStyle, RegionBox, Scene, Shape, SubnetBox, Tier,
    VnetBox, PATH_COLOURS,
};
use crate::ir::{Network, NodeId, SubnetId, VnetId};
use std::collections::BTreeMap;
use std::fmt::Write;

const NAME_SIZE: f64 = 12.0;
const TEXT_SIZE: f64 = 10.0;
const LINE: f64 = 13.0;
const COLUMN_GAP: f64 = 150.0;
const NODE_GAP: f64 = 28.0;
const MARGIN: f64 = 24.0;
/// Room right of the boxes inside a VNet for the UDR arrows.
const UDR_GUTTER: f64 = 70.0;

fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * 0.6
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    fn cy(&self) -> f64 {
        self.y + self.h / 2.0
    }
    fn right(&self) -> f64 {
        self.x + self.w
    }
    fn bottom(&self) -> f64 {
        self.y + self.h
    }
    /// Where the ray from the centre towards (tx, ty) leaves the shape.
    fn clip(&self, shape: Shape, tx: f64, ty: f64) -> (f64, f64) {
        let (dx, dy) = (tx - self.cx(), ty - self.cy());
        let (hw, hh) = (self.w / 2.0, self.h / 2.0);
        if dx.abs() < 1e-9 && dy.abs() < 1e-9 {
            return (self.cx(), self.cy());
        }
        let t = match shape {
            Shape::Diamond | Shape::Internet => 1.0 / (dx.abs() / hw + dy.abs() / hh),
            _ => {
                let tx = if dx.abs() < 1e-9 {
                    f64::INFINITY
                } else {
                    hw / dx.abs()
                };
                let ty = if dy.abs() < 1e-9 {
                    f64::INFINITY
                } else {
                    hh / dy.abs()
                };
                tx.min(ty)
            }
        };
        (self.cx() + dx * t, self.cy() + dy * t)
    }
}

/// Numbers with one decimal and no `-0.0`.
fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".to_string()
    } else if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

fn node_size(scene: &Scene, id: NodeId) -> (f64, f64) {
    let lines = scene.node_lines(id);
    let tw = lines
        .iter()
        .enumerate()
        .map(|(i, l)| text_width(l, if i == 0 { NAME_SIZE } else { TEXT_SIZE }))
        .fold(0.0, f64::max);
    let th = lines.len() as f64 * LINE;
    let (w, h) = (tw + 24.0, th + 14.0);
    match shape_of(scene.net, id) {
        Shape::House => (w.max(90.0), h + 18.0),
        Shape::Hexagon | Shape::Trapezium | Shape::Octagon => (w.max(90.0) + 28.0, h),
        Shape::Diamond => (tw * 1.5 + 30.0, th * 2.0 + 16.0),
        Shape::Box3d => (w.max(90.0) + 8.0, h + 8.0),
        Shape::Component => (w.max(90.0) + 14.0, h),
        Shape::Internet => (tw * 1.5 + 40.0, th * 2.2 + 16.0),
        Shape::Rounded => (w.max(90.0), h),
    }
}

struct Layout {
    nodes: BTreeMap<NodeId, Rect>,
    subnets: BTreeMap<SubnetId, Rect>,
    vnets: BTreeMap<VnetId, Rect>,
    regions: Vec<(String, Rect)>,
    global_reach: Vec<Rect>,
    /// The Azure column's horizontal extent.
    azure_x: (f64, f64),
    width: f64,
    height: f64,
}

fn subnet_size(scene: &Scene, b: &SubnetBox) -> (f64, f64) {
    let mut w = text_width(&scene.subnet_label(b.id), TEXT_SIZE + 1.0);
    for l in &b.udr_lines {
        w = w.max(text_width(&format!("UDR {l}"), TEXT_SIZE));
    }
    let (mut rw, mut rh) = (0.0_f64, 0.0_f64);
    for (i, nid) in b.nodes.iter().enumerate() {
        let (nw, nh) = node_size(scene, *nid);
        rw += nw + if i > 0 { NODE_GAP } else { 0.0 };
        rh = rh.max(nh);
    }
    let text_h = LINE * (1 + b.udr_lines.len()) as f64;
    (
        w.max(rw) + 20.0,
        text_h + 14.0 + if rh > 0.0 { rh + 10.0 } else { 0.0 },
    )
}

fn row_size(scene: &Scene, nodes: &[NodeId]) -> (f64, f64) {
    let mut w = 0.0;
    let mut h = 0.0_f64;
    for (i, id) in nodes.iter().enumerate() {
        let (nw, nh) = node_size(scene, *id);
        w += nw + if i > 0 { NODE_GAP } else { 0.0 };
        h = h.max(nh);
    }
    (w, h)
}

/// The rows of a VNet, top to bottom.
enum Row<'s> {
    Subnet(&'s SubnetBox),
    Nodes(&'s [NodeId]),
}

fn vnet_rows(v: &VnetBox) -> Vec<Row<'_>> {
    let mut rows: Vec<Row> = v.gateway_subnets.iter().map(Row::Subnet).collect();
    if !v.nodes.is_empty() {
        rows.push(Row::Nodes(&v.nodes));
    }
    rows.extend(v.subnets.iter().map(Row::Subnet));
    rows
}

fn row_dims(scene: &Scene, r: &Row) -> (f64, f64) {
    match r {
        Row::Subnet(b) => subnet_size(scene, b),
        Row::Nodes(ns) => row_size(scene, ns),
    }
}

const ROW_GAP: f64 = 22.0;
const VNET_PAD: f64 = 14.0;
const HEADER: f64 = 24.0;

fn vnet_size(scene: &Scene, v: &VnetBox) -> (f64, f64) {
    let rows = vnet_rows(v);
    let mut w = text_width(&scene.vnet_label(v.id), NAME_SIZE);
    let mut h = HEADER + VNET_PAD;
    for (i, r) in rows.iter().enumerate() {
        let (rw, rh) = row_dims(scene, r);
        w = w.max(rw);
        h += rh + if i > 0 { ROW_GAP } else { 0.0 };
    }
    (w + 2.0 * VNET_PAD + UDR_GUTTER, h + VNET_PAD)
}

fn region_size(scene: &Scene, r: &RegionBox) -> (f64, f64) {
    let mut w = text_width(&Scene::region_label(r), NAME_SIZE);
    let mut h = HEADER + VNET_PAD;
    for (i, v) in r.vnets.iter().enumerate() {
        let (vw, vh) = vnet_size(scene, v);
        w = w.max(vw);
        h += vh + if i > 0 { ROW_GAP * 2.0 } else { 0.0 };
    }
    (w + 2.0 * VNET_PAD, h + VNET_PAD)
}

/// Places `nodes` in a row centred at `cx`, top at `y`.
fn place_row(scene: &Scene, nodes: &[NodeId], cx: f64, y: f64, out: &mut BTreeMap<NodeId, Rect>) {
    let (w, h) = row_size(scene, nodes);
    let mut x = cx - w / 2.0;
    for id in nodes {
        let (nw, nh) = node_size(scene, *id);
        out.insert(
            *id,
            Rect {
                x,
                y: y + (h - nh) / 2.0,
                w: nw,
                h: nh,
            },
        );
        x += nw + NODE_GAP;
    }
}

/// Whether the segment from `p` to `q` passes through `r` (sampled).
fn segment_crosses(r: &Rect, p: (f64, f64), q: (f64, f64)) -> bool {
    (1..40).any(|i| {
        let t = f64::from(i) / 40.0;
        let (x, y) = (p.0 + (q.0 - p.0) * t, p.1 + (q.1 - p.1) * t);
        x > r.x + 2.0 && x < r.right() - 2.0 && y > r.y + 2.0 && y < r.bottom() - 2.0
    })
}

fn layout(scene: &Scene, top: f64) -> Layout {
    let mut l = Layout {
        nodes: BTreeMap::new(),
        subnets: BTreeMap::new(),
        vnets: BTreeMap::new(),
        regions: Vec::new(),
        global_reach: Vec::new(),
        azure_x: (0.0, 0.0),
        width: 0.0,
        height: 0.0,
    };
    let col_width = |tier: Tier| {
        scene
            .outside(tier)
            .iter()
            .map(|id| node_size(scene, *id).0)
            .fold(0.0, f64::max)
    };
    let internet: Vec<NodeId> = scene.outside(Tier::Azure).to_vec();
    let mut azure_w = row_size(scene, &internet).0;
    for r in &scene.regions {
        azure_w = azure_w.max(region_size(scene, r).0);
    }
    azure_w = azure_w.max(
        scene
            .global_reach
            .iter()
            .map(|g| text_width(&g.name, NAME_SIZE) + 60.0)
            .sum::<f64>(),
    );
    // Column x positions; an empty column takes no room.
    let tiers = [
        Tier::OnPrem,
        Tier::OnPremCircuit,
        Tier::Azure,
        Tier::AvsCircuit,
        Tier::Avs,
    ];
    let mut col_x: BTreeMap<Tier, (f64, f64)> = BTreeMap::new();
    let mut x = MARGIN;
    for t in tiers {
        let w = if t == Tier::Azure {
            azure_w
        } else {
            col_width(t)
        };
        if w > 0.0 {
            col_x.insert(t, (x, w));
            x += w + COLUMN_GAP;
        } else {
            col_x.insert(t, (x, 0.0));
        }
    }
    let width = x - COLUMN_GAP + MARGIN + UDR_GUTTER;
    let (ax, aw) = col_x.get(&Tier::Azure).copied().unwrap_or((MARGIN, 0.0));
    l.azure_x = (ax, ax + aw);
    let acx = ax + aw / 2.0;

    // The Azure column, top to bottom.
    let mut y = top;
    if !internet.is_empty() {
        let (_, h) = row_size(scene, &internet);
        place_row(scene, &internet, acx, y, &mut l.nodes);
        y += h + ROW_GAP * 2.0;
    }
    for r in &scene.regions {
        let (rw, rh) = region_size(scene, r);
        let rr = Rect {
            x: acx - rw / 2.0,
            y,
            w: rw,
            h: rh,
        };
        l.regions.push((Scene::region_label(r), rr));
        let mut vy = y + HEADER + VNET_PAD;
        for v in &r.vnets {
            let (vw, vh) = vnet_size(scene, v);
            // VNets are left-aligned in the region so their UDR gutters line up.
            let vr = Rect {
                x: rr.x + VNET_PAD,
                y: vy,
                w: vw,
                h: vh,
            };
            l.vnets.insert(v.id, vr);
            let inner_cx = vr.x + (vw - UDR_GUTTER) / 2.0;
            let mut ry = vy + HEADER + VNET_PAD;
            for row in vnet_rows(v) {
                let (rw2, rh2) = row_dims(scene, &row);
                match row {
                    Row::Nodes(ns) => place_row(scene, ns, inner_cx, ry, &mut l.nodes),
                    Row::Subnet(b) => {
                        let sr = Rect {
                            x: inner_cx - rw2 / 2.0,
                            y: ry,
                            w: rw2,
                            h: rh2,
                        };
                        l.subnets.insert(b.id, sr);
                        let text_h = LINE * (1 + b.udr_lines.len()) as f64;
                        place_row(scene, &b.nodes, inner_cx, ry + text_h + 12.0, &mut l.nodes);
                    }
                }
                ry += rh2 + ROW_GAP;
            }
            vy += vh + ROW_GAP * 2.0;
        }
        y += rh + ROW_GAP * 2.0;
    }
    let mut bottom = y;

    // Side columns: circuits next to their gateways, then sites and AVS next to
    // their circuits.
    let neighbours = |id: NodeId| -> Vec<NodeId> {
        let mut v = Vec::new();
        for link in &scene.links {
            if let (End::Node(a), End::Node(b)) = (link.a, link.b) {
                if a == id {
                    v.push(b);
                } else if b == id {
                    v.push(a);
                }
            }
        }
        v
    };
    for tier in [
        Tier::OnPremCircuit,
        Tier::AvsCircuit,
        Tier::OnPrem,
        Tier::Avs,
    ] {
        let (cx0, cw) = col_x.get(&tier).copied().unwrap_or((MARGIN, 0.0));
        let mut wanted: Vec<(f64, usize, NodeId)> = Vec::new();
        for (i, id) in scene.outside(tier).iter().enumerate() {
            let ys: Vec<f64> = neighbours(*id)
                .iter()
                .filter_map(|nb| l.nodes.get(nb).map(Rect::cy))
                .collect();
            let want = if ys.is_empty() {
                f64::INFINITY
            } else {
                ys.iter().sum::<f64>() / ys.len() as f64
            };
            wanted.push((want, i, *id));
        }
        wanted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut next_y = top;
        for (want, _, id) in wanted {
            let (w, h) = node_size(scene, id);
            let y = if want.is_finite() {
                (want - h / 2.0).max(next_y)
            } else {
                next_y
            };
            let r = Rect {
                x: cx0 + (cw - w) / 2.0,
                y,
                w,
                h,
            };
            next_y = r.bottom() + NODE_GAP;
            bottom = bottom.max(r.bottom() + ROW_GAP);
            l.nodes.insert(id, r);
        }
    }

    // Global Reach below everything, centred under Azure.
    if !scene.global_reach.is_empty() {
        let sizes: Vec<(f64, f64)> = scene
            .global_reach
            .iter()
            .map(|g| {
                (
                    text_width(&g.name, NAME_SIZE).max(70.0) + 44.0,
                    2.0 * LINE + 14.0,
                )
            })
            .collect();
        let total: f64 = sizes.iter().map(|s| s.0).sum::<f64>()
            + NODE_GAP * (sizes.len().saturating_sub(1)) as f64;
        let mut gx = acx - total / 2.0;
        let gy = bottom + 20.0;
        let mut gh = 0.0_f64;
        for (w, h) in sizes {
            l.global_reach.push(Rect { x: gx, y: gy, w, h });
            gx += w + NODE_GAP;
            gh = gh.max(h);
        }
        bottom = gy + gh + ROW_GAP;
    }
    l.width = width;
    l.height = bottom;
    l
}

fn fill_stroke(shape: Shape) -> (&'static str, &'static str) {
    match shape {
        Shape::House => ("#fdf2e9", "#a0522d"),
        Shape::Hexagon => ("#fff4e0", "#e07b00"),
        Shape::Trapezium => ("#e3effb", "#0078d4"),
        Shape::Diamond => ("#eaf7ee", "#2e8b57"),
        Shape::Box3d => ("#fdecea", "#c0392b"),
        Shape::Component => ("#eef0fb", "#3f51b5"),
        Shape::Internet => ("#f5f5f5", "#777777"),
        Shape::Octagon => ("#fff9db", "#c9a400"),
        Shape::Rounded => ("#f0f0f0", "#555555"),
    }
}

fn points(p: &[(f64, f64)]) -> String {
    p.iter()
        .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The outline of a shape in `r`; `extra` adds attributes (e.g. a red stroke).
fn draw_shape(out: &mut String, shape: Shape, r: Rect, failed: bool) {
    let (fill, stroke) = fill_stroke(shape);
    let stroke = if failed { "#d62728" } else { stroke };
    let width = if failed { 2.5 } else { 1.5 };
    let style = format!("fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{width}\"");
    let (x, y, w, h) = (r.x, r.y, r.w, r.h);
    let poly = |out: &mut String, p: &[(f64, f64)]| {
        let _ = writeln!(out, "<polygon points=\"{}\" {style}/>", points(p));
    };
    match shape {
        Shape::House => poly(
            out,
            &[
                (x, y + 18.0),
                (x + w / 2.0, y),
                (x + w, y + 18.0),
                (x + w, y + h),
                (x, y + h),
            ],
        ),
        Shape::Hexagon => poly(
            out,
            &[
                (x + 14.0, y),
                (x + w - 14.0, y),
                (x + w, y + h / 2.0),
                (x + w - 14.0, y + h),
                (x + 14.0, y + h),
                (x, y + h / 2.0),
            ],
        ),
        Shape::Trapezium => poly(
            out,
            &[(x + 14.0, y), (x + w - 14.0, y), (x + w, y + h), (x, y + h)],
        ),
        Shape::Diamond => poly(
            out,
            &[
                (x + w / 2.0, y),
                (x + w, y + h / 2.0),
                (x + w / 2.0, y + h),
                (x, y + h / 2.0),
            ],
        ),
        Shape::Octagon => {
            let c = 10.0;
            poly(
                out,
                &[
                    (x + c, y),
                    (x + w - c, y),
                    (x + w, y + c),
                    (x + w, y + h - c),
                    (x + w - c, y + h),
                    (x + c, y + h),
                    (x, y + h - c),
                    (x, y + c),
                ],
            )
        }
        Shape::Box3d => {
            let d = 8.0;
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {style}/>",
                n(x),
                n(y + d),
                n(w - d),
                n(h - d)
            );
            poly(
                out,
                &[(x, y + d), (x + d, y), (x + w, y), (x + w - d, y + d)],
            );
            poly(
                out,
                &[
                    (x + w - d, y + d),
                    (x + w, y),
                    (x + w, y + h - d),
                    (x + w - d, y + h),
                ],
            );
        }
        Shape::Component => {
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {style}/>",
                n(x + 7.0),
                n(y),
                n(w - 7.0),
                n(h)
            );
            for ty in [y + h * 0.3 - 4.0, y + h * 0.7 - 4.0] {
                let _ = writeln!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"8\" {style}/>",
                    n(x),
                    n(ty)
                );
            }
        }
        Shape::Internet => {
            for d in [0.0, 4.0] {
                let _ = writeln!(
                    out,
                    "<ellipse cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\" {style}/>",
                    n(r.cx()),
                    n(r.cy()),
                    n(w / 2.0 - d),
                    n(h / 2.0 - d)
                );
            }
        }
        Shape::Rounded => {
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\" {style}/>",
                n(x),
                n(y),
                n(w),
                n(h)
            );
        }
    }
    if failed {
        cross(out, r.cx(), r.cy(), (w.min(h) / 2.0).max(12.0));
    }
}

/// A red ✗ centred at (x, y).
fn cross(out: &mut String, x: f64, y: f64, s: f64) {
    let _ = writeln!(
        out,
        "<path d=\"M{} {} L{} {} M{} {} L{} {}\" stroke=\"#d62728\" stroke-width=\"4\" stroke-linecap=\"round\" opacity=\"0.85\"/>",
        n(x - s),
        n(y - s),
        n(x + s),
        n(y + s),
        n(x - s),
        n(y + s),
        n(x + s),
        n(y - s)
    );
}

/// Text lines centred at (cx, cy): the first bold.
fn text_block(out: &mut String, lines: &[String], cx: f64, cy: f64, colour: &str) {
    let h = lines.len() as f64 * LINE;
    let mut y = cy - h / 2.0 + LINE - 3.0;
    for (i, l) in lines.iter().enumerate() {
        let (size, weight) = if i == 0 {
            (NAME_SIZE, " font-weight=\"bold\"")
        } else {
            (TEXT_SIZE, "")
        };
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\"{weight} text-anchor=\"middle\" fill=\"{colour}\">{}</text>",
            n(cx),
            n(y),
            n(size),
            esc(l)
        );
        y += LINE;
    }
}

/// A label with a white halo so it stays readable over lines.
fn label(out: &mut String, x: f64, y: f64, text: &str, colour: &str, anchor: &str) {
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{anchor}\" fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
        n(x),
        n(y),
        n(TEXT_SIZE),
        esc(text)
    );
}

struct LinkLook {
    colour: &'static str,
    width: f64,
    dash: Option<&'static str>,
    opacity: f64,
}

fn look(style: LinkStyle) -> LinkLook {
    let (colour, width, dash, opacity) = match style {
        LinkStyle::Ebgp => ("#333333", 1.5, None, 1.0),
        LinkStyle::Ibgp => ("#333333", 1.5, Some("8 3 2 3"), 1.0),
        LinkStyle::Internal => ("#333333", 1.5, Some("2 3"), 1.0),
        LinkStyle::Down => ("#d62728", 1.5, Some("6 4"), 1.0),
        LinkStyle::Connection => ("#e07b00", 3.0, None, 1.0),
        LinkStyle::GlobalReach => ("#c9a400", 3.0, Some("10 5"), 1.0),
        LinkStyle::Tunnel => ("#8e44ad", 9.0, None, 0.35),
        LinkStyle::VnetPeering => ("#0078d4", 5.0, None, 0.6),
        LinkStyle::Udr => ("#2e8b57", 1.5, Some("5 3"), 1.0),
        LinkStyle::Nic => ("#5b7083", 1.5, Some("3 3"), 1.0),
        LinkStyle::LoadBalancer => ("#1f8a70", 2.0, Some("8 3"), 1.0),
    };
    LinkLook {
        colour,
        width,
        dash,
        opacity,
    }
}

fn stroke_attrs(lk: &LinkLook, colour: &str) -> String {
    let mut s = format!(
        "fill=\"none\" stroke=\"{colour}\" stroke-width=\"{}\"",
        n(lk.width)
    );
    if let Some(d) = lk.dash {
        let _ = write!(s, " stroke-dasharray=\"{d}\"");
    }
    if lk.opacity < 1.0 {
        let _ = write!(s, " stroke-opacity=\"{}\"", n(lk.opacity));
    }
    s
}

/// What a drawn link looks like geometrically: a path and where its label goes.
struct Geometry {
    d: String,
    mid: (f64, f64),
    anchor: &'static str,
}

fn node_rect(l: &Layout, e: End) -> Option<Rect> {
    match e {
        End::Node(id) => l.nodes.get(&id).copied(),
        End::Vnet(v) => l.vnets.get(&v).copied(),
        End::Subnet(s) => l.subnets.get(&s).copied(),
        End::GlobalReach(i) => l.global_reach.get(i).copied(),
    }
}

fn end_shape(net: &Network, e: End) -> Shape {
    match e {
        End::Node(id) => shape_of(net, id),
        _ => Shape::Rounded,
    }
}

/// Whether a link joins two nodes in different VNets (or a VNet and the internet):
/// drawn as a bend left of the Azure column.
fn bends_left(scene: &Scene, a: End, b: End) -> bool {
    let (End::Node(x), End::Node(y)) = (a, b) else {
        return false;
    };
    scene.tier(a) == Tier::Azure
        && scene.tier(b) == Tier::Azure
        && super::vnet_of(scene.net, x) != super::vnet_of(scene.net, y)
}

/// Links that bend around the stacked boxes get their own lane (how far out they bend)
/// so that several between the same boxes stay apart; `slot` moves a left bend's
/// label down when its start node already has one.
#[derive(Clone, Copy, Default)]
struct Lane {
    lane: f64,
    slot: f64,
}

fn geometry(
    scene: &Scene,
    l: &Layout,
    a: End,
    b: End,
    style: LinkStyle,
    lane: Lane,
) -> Option<Geometry> {
    let (ra, rb) = (node_rect(l, a)?, node_rect(l, b)?);
    let (ta, tb) = (scene.tier(a), scene.tier(b));
    // Circuit → Global Reach: down, then across.
    if let End::GlobalReach(_) = b {
        let x = ra.cx();
        let y = rb.cy();
        let ex = if x < rb.cx() { rb.x } else { rb.right() };
        return Some(Geometry {
            d: format!(
                "M{} {} L{} {} L{} {}",
                n(x),
                n(ra.bottom()),
                n(x),
                n(y),
                n(ex),
                n(y)
            ),
            mid: (x + (ex - x) / 2.0, y - 5.0),
            anchor: "middle",
        });
    }
    // Bends to the right: VNet peerings and UDRs (along the UDR gutter).
    if matches!(
        style,
        LinkStyle::VnetPeering | LinkStyle::Udr | LinkStyle::Nic | LinkStyle::LoadBalancer
    ) {
        let (sx, sy) = match style {
            LinkStyle::Udr => (ra.right(), ra.y + LINE),
            _ => (ra.right(), ra.cy()),
        };
        let (ex, ey) = (rb.right(), rb.cy());
        let bx = sx.max(ex) + if style == LinkStyle::Udr { 45.0 } else { 50.0 } + 16.0 * lane.lane;
        return Some(Geometry {
            d: format!(
                "M{} {} C{} {} {} {} {} {}",
                n(sx),
                n(sy),
                n(bx),
                n(sy),
                n(bx),
                n(ey),
                n(ex),
                n(ey)
            ),
            mid: (bx - 8.0, (sy + ey) / 2.0),
            anchor: "start",
        });
    }
    let same_vnet = match (a, b) {
        (End::Node(x), End::Node(y)) => {
            super::vnet_of(scene.net, x) == super::vnet_of(scene.net, y)
        }
        _ => false,
    };
    // Between VNets inside Azure: bend out to the left.
    if ta == Tier::Azure && tb == Tier::Azure && !same_vnet {
        let (sx, sy) = (ra.x, ra.cy());
        let (ex, ey) = (rb.x, rb.cy());
        let bx = l.azure_x.0 - 36.0 - 16.0 * lane.lane;
        return Some(Geometry {
            d: format!(
                "M{} {} C{} {} {} {} {} {}",
                n(sx),
                n(sy),
                n(bx),
                n(sy),
                n(bx),
                n(ey),
                n(ex),
                n(ey)
            ),
            // Beside the bend near its start, in the gap left of Azure, clear of the
            // circuit connections that cross that gap at the gateways' height.
            mid: (
                bx - 4.0,
                sy + if ey >= sy { 30.0 } else { -30.0 } + 30.0 * lane.slot,
            ),
            anchor: "end",
        });
    }
    let (sa, sb) = (end_shape(scene.net, a), end_shape(scene.net, b));
    let (x1, y1) = ra.clip(sa, rb.cx(), rb.cy());
    let (x2, y2) = rb.clip(sb, ra.cx(), ra.cy());
    Some(Geometry {
        d: format!("M{} {} L{} {}", n(x1), n(y1), n(x2), n(y2)),
        mid: ((x1 + x2) / 2.0, (y1 + y2) / 2.0 - 4.0),
        anchor: "middle",
    })
}

/// Legend entries: shapes, then link styles.
/// `extra`: the link styles drawn only when a design has them (NICs, load balancers).
fn legend(
    out: &mut String,
    x0: f64,
    y0: f64,
    width: f64,
    with_paths: bool,
    extra: &[LinkStyle],
) -> f64 {
    let shapes = [
        (Shape::House, "on-premises site"),
        (Shape::Rounded, "router"),
        (Shape::Hexagon, "ExpressRoute circuit"),
        (Shape::Trapezium, "ExpressRoute gateway"),
        (Shape::Diamond, "Route Server"),
        (Shape::Box3d, "NVA"),
        (Shape::Component, "AVS private cloud"),
        (Shape::Internet, "internet"),
        (Shape::Octagon, "Global Reach"),
    ];
    let mut links = vec![
        (Some(LinkStyle::Ebgp), "eBGP session"),
        (Some(LinkStyle::Ibgp), "iBGP session"),
        (Some(LinkStyle::Internal), "Route Server ↔ gateway"),
        (Some(LinkStyle::Down), "session down"),
        (Some(LinkStyle::Connection), "circuit connection"),
        (Some(LinkStyle::GlobalReach), "Global Reach"),
        (Some(LinkStyle::Tunnel), "tunnel"),
        (Some(LinkStyle::VnetPeering), "VNet peering"),
        (Some(LinkStyle::Udr), "UDR → next hop"),
    ];
    for (style, text) in [
        (LinkStyle::Nic, "further NIC → its subnet"),
        (LinkStyle::LoadBalancer, "load balancer → backend"),
    ] {
        if extra.contains(&style) {
            links.push((Some(style), text));
        }
    }
    if with_paths {
        links.push((None, "packet path (numbered)"));
    }
    let item_w = 200.0;
    let per_row = ((width - 2.0 * MARGIN) / item_w).floor().max(3.0) as usize;
    let rows = shapes.len().div_ceil(per_row) + links.len().div_ceil(per_row);
    let h = 30.0 + rows as f64 * 34.0;
    let _ = writeln!(
        out,
        "<g class=\"legend\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fafafa\" stroke=\"#cccccc\"/>",
        n(x0),
        n(y0),
        n(width - 2.0 * MARGIN),
        n(h)
    );
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" font-size=\"{}\" font-weight=\"bold\" fill=\"#333333\">Legend</text>",
        n(x0 + 10.0),
        n(y0 + 18.0),
        n(NAME_SIZE)
    );
    let pos = |i: usize, row0: usize| {
        let row = row0 + i / per_row;
        (
            x0 + 10.0 + (i % per_row) as f64 * item_w,
            y0 + 30.0 + row as f64 * 34.0,
        )
    };
    for (i, (shape, name)) in shapes.into_iter().enumerate() {
        let (x, y) = pos(i, 0);
        draw_shape(
            out,
            shape,
            Rect {
                x,
                y,
                w: 44.0,
                h: if shape == Shape::House { 30.0 } else { 26.0 },
            },
            false,
        );
        label(out, x + 52.0, y + 17.0, name, "#333333", "start");
    }
    let row0 = shapes.len().div_ceil(per_row);
    for (j, (style, name)) in links.iter().enumerate() {
        let (x, y) = pos(j, row0);
        let y = y + 13.0;
        match style {
            Some(s) => {
                let lk = look(*s);
                let _ = writeln!(
                    out,
                    "<path d=\"M{} {} L{} {}\" {}/>",
                    n(x),
                    n(y),
                    n(x + 44.0),
                    n(y),
                    stroke_attrs(&lk, lk.colour)
                );
            }
            None => {
                let c = path_colour(0);
                let _ = writeln!(
                    out,
                    "<path d=\"M{} {} L{} {}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"2.5\" marker-end=\"url(#arrow0)\"/>",
                    n(x),
                    n(y),
                    n(x + 40.0),
                    n(y)
                );
            }
        }
        label(out, x + 52.0, y + 4.0, name, "#333333", "start");
    }
    let _ = writeln!(out, "</g>");
    h
}

/// Renders the scene as a standalone SVG document.
pub fn to_svg(net: &Network, highlight: &Highlight) -> String {
    let scene = Scene::new(net, highlight);
    // Caption lines (a check's counterexample) above the drawing.
    let mut caption: Vec<(String, &str)> = Vec::new();
    if let Some(t) = &highlight.title {
        caption.push((format!("Counterexample of “{t}”"), "#222222"));
    }
    for (i, p) in highlight.paths.iter().enumerate() {
        caption.push((
            format!(
                "path {}: {} → {}: {} ({})",
                i + 1,
                p.from,
                p.to,
                p.hops.join(" → "),
                p.disposition
            ),
            path_colour(i),
        ));
    }
    if !highlight.failed.is_empty() {
        caption.push((
            format!("failed: {}", highlight.failed.join(", ")),
            "#d62728",
        ));
    }
    let top = MARGIN + caption.len() as f64 * 18.0 + if caption.is_empty() { 0.0 } else { 10.0 };
    let l = layout(&scene, top);
    let caption_w = caption
        .iter()
        .map(|(c, _)| text_width(c, NAME_SIZE) + 2.0 * MARGIN)
        .fold(0.0, f64::max);
    let width = l
        .width
        .max(caption_w)
        .max(3.0 * 200.0 + 2.0 * MARGIN)
        .ceil();

    let mut body = String::new();
    for (i, (c, colour)) in caption.iter().enumerate() {
        let _ = writeln!(
            body,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\"{} fill=\"{colour}\">{}</text>",
            n(MARGIN),
            n(MARGIN + 12.0 + i as f64 * 18.0),
            n(NAME_SIZE),
            if i == 0 && highlight.title.is_some() {
                " font-weight=\"bold\""
            } else {
                ""
            },
            esc(c)
        );
    }
    // Clusters.
    for (name, r) in &l.regions {
        let _ = writeln!(
            body,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"10\" fill=\"#f7f9fb\" stroke=\"#5b7083\" stroke-dasharray=\"6 4\"/>",
            n(r.x),
            n(r.y),
            n(r.w),
            n(r.h)
        );
        let _ = writeln!(
            body,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" font-weight=\"bold\" fill=\"#5b7083\">{}</text>",
            n(r.x + 10.0),
            n(r.y + 17.0),
            n(NAME_SIZE),
            esc(name)
        );
    }
    for (vid, r) in &l.vnets {
        let _ = writeln!(
            body,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\" fill=\"#e8f1fa\" stroke=\"#0078d4\" stroke-width=\"1.5\"/>",
            n(r.x),
            n(r.y),
            n(r.w),
            n(r.h)
        );
        let _ = writeln!(
            body,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" font-weight=\"bold\" fill=\"#0063b1\">{}</text>",
            n(r.x + 10.0),
            n(r.y + 17.0),
            n(NAME_SIZE),
            esc(&scene.vnet_label(*vid))
        );
    }
    let subnet_boxes: Vec<&SubnetBox> = scene
        .regions
        .iter()
        .flat_map(|r| &r.vnets)
        .flat_map(|v| v.gateway_subnets.iter().chain(&v.subnets))
        .collect();
    for b in subnet_boxes {
        let Some(r) = l.subnets.get(&b.id) else {
            continue;
        };
        let _ = writeln!(
            body,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"#ffffff\" stroke=\"#7a99ac\"/>",
            n(r.x),
            n(r.y),
            n(r.w),
            n(r.h)
        );
        let _ = writeln!(
            body,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" font-weight=\"bold\" fill=\"#4a6a7d\">{}</text>",
            n(r.x + 8.0),
            n(r.y + LINE),
            n(TEXT_SIZE + 1.0),
            esc(&scene.subnet_label(b.id))
        );
        for (i, u) in b.udr_lines.iter().enumerate() {
            let _ = writeln!(
                body,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"#2e8b57\">UDR {}</text>",
                n(r.x + 8.0),
                n(r.y + LINE * (i + 2) as f64),
                n(TEXT_SIZE),
                esc(u)
            );
        }
    }

    // Links under the nodes; tunnels first so sessions run inside them.
    let mut links: Vec<&super::Link> = scene.links.iter().collect();
    links.sort_by_key(|k| k.style != LinkStyle::Tunnel);
    let mut labels = String::new();
    let mut crosses = String::new();
    let mut lanes: BTreeMap<(bool, End, End), Lane> = BTreeMap::new();
    let mut slots: BTreeMap<End, usize> = BTreeMap::new();
    for link in links {
        let (x, y) = if link.a <= link.b {
            (link.a, link.b)
        } else {
            (link.b, link.a)
        };
        let right = matches!(
            link.style,
            LinkStyle::VnetPeering | LinkStyle::Udr | LinkStyle::Nic | LinkStyle::LoadBalancer
        );
        let lane = if right || bends_left(&scene, link.a, link.b) {
            let used = lanes.keys().filter(|k| k.0 == right).count();
            let slot = slots.get(&link.a).copied().unwrap_or(0);
            let lane = *lanes.entry((right, x, y)).or_insert_with(|| {
                if !right {
                    slots.insert(link.a, slot + 1);
                }
                Lane {
                    lane: used as f64,
                    slot: slot as f64,
                }
            });
            lane
        } else {
            Lane::default()
        };
        let Some(g) = geometry(&scene, &l, link.a, link.b, link.style, lane) else {
            continue;
        };
        let lk = look(link.style);
        let failed = scene.link_failed(link);
        let colour = if failed { "#d62728" } else { lk.colour };
        let marker = if link.style == LinkStyle::Udr {
            " marker-end=\"url(#arrow_udr)\""
        } else {
            ""
        };
        let _ = write!(
            body,
            "<path d=\"{}\" {}{marker}>",
            g.d,
            stroke_attrs(&lk, colour)
        );
        if let Some(t) = &link.tooltip {
            let _ = write!(body, "<title>{}</title>", esc(t));
        }
        let _ = writeln!(body, "</path>");
        let (mx, my) = g.mid;
        // The session over a tunnel puts its label under the tunnel's.
        let dy = if link
            .label
            .as_deref()
            .is_some_and(|s| s.starts_with("BGP over"))
        {
            LINE
        } else {
            0.0
        };
        // A UDR's prefixes are listed in its subnet's box.
        if let Some(t) = link.label.as_ref().filter(|_| link.style != LinkStyle::Udr) {
            let lc = if failed {
                "#d62728"
            } else if link.style == LinkStyle::Tunnel {
                "#6c3483"
            } else {
                lk.colour
            };
            label(&mut labels, mx, my + dy, t, lc, g.anchor);
        }
        if failed {
            cross(&mut crosses, mx, my + 4.0, 9.0);
        }
    }
    body.push_str(&labels);

    // Nodes.
    for (id, r) in &l.nodes {
        let shape = shape_of(net, *id);
        let failed = scene.node_failed(*id);
        let _ = writeln!(
            body,
            "<g class=\"node\"><title>{}</title>",
            esc(&net.nodes[*id].name)
        );
        draw_shape(&mut body, shape, *r, failed);
        let cy = if shape == Shape::House {
            r.cy() + 9.0
        } else if shape == Shape::Box3d {
            r.cy() + 4.0
        } else {
            r.cy()
        };
        let cx = if shape == Shape::Box3d {
            r.cx() - 4.0
        } else if shape == Shape::Component {
            r.cx() + 4.0
        } else {
            r.cx()
        };
        text_block(&mut body, &scene.node_lines(*id), cx, cy, "#222222");
        let _ = writeln!(body, "</g>");
    }
    for (g, r) in scene.global_reach.iter().zip(&l.global_reach) {
        let failed = scene.failed.contains(&g.component);
        // Crossed out (under its name, which stays readable).
        draw_shape(&mut body, Shape::Octagon, *r, failed);
        text_block(
            &mut body,
            &[g.name.clone(), "Global Reach".to_string()],
            r.cx(),
            r.cy(),
            "#222222",
        );
    }
    body.push_str(&crosses);

    // Packet paths: coloured arrows, offset per path, with numbered steps.
    let mut badges: BTreeMap<NodeId, usize> = BTreeMap::new();
    let mut ends: BTreeMap<NodeId, usize> = BTreeMap::new();
    for (pi, p) in highlight.paths.iter().enumerate() {
        let colour = path_colour(pi);
        let marker = format!("url(#arrow{})", pi % PATH_COLOURS.len());
        let off = 8.0 + 7.0 * pi as f64;
        let hops: Vec<Option<NodeId>> = p.hops.iter().map(|h| scene.node_named(h)).collect();
        for pair in hops.windows(2) {
            let [Some(a), Some(b)] = pair else { continue };
            let (Some(ra), Some(rb)) = (l.nodes.get(a), l.nodes.get(b)) else {
                continue;
            };
            if a == b {
                // A loop: an arc that leaves and re-enters the node.
                let (x, y) = (ra.right() - 6.0, ra.y + 4.0);
                let _ = writeln!(
                    body,
                    "<path d=\"M{} {} C{} {} {} {} {} {}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" marker-end=\"{marker}\"/>",
                    n(x - 10.0),
                    n(y),
                    n(x + 10.0),
                    n(y - 50.0 - off),
                    n(x + 50.0 + off),
                    n(y - 10.0),
                    n(x + 4.0),
                    n(y + 14.0)
                );
                continue;
            }
            let (sa, sb) = (shape_of(net, *a), shape_of(net, *b));
            let (x1, y1) = ra.clip(sa, rb.cx(), rb.cy());
            let (x2, y2) = rb.clip(sb, ra.cx(), ra.cy());
            let (dx, dy) = (x2 - x1, y2 - y1);
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            // Bend around the nodes a straight arrow would cross (e.g. the Route
            // Server between a gateway and an NVA: it is not on the packet's path).
            let clear = l
                .nodes
                .iter()
                .filter(|(id, _)| *id != a && *id != b)
                .filter(|(_, r)| segment_crosses(r, (x1, y1), (x2, y2)))
                .map(|(_, r)| r.w.max(r.h) / 2.0 + 16.0)
                .fold(0.0, f64::max);
            let bend = (off + clear) * 2.0;
            let (px, py) = (-dy / len * bend, dx / len * bend);
            let _ = writeln!(
                body,
                "<path d=\"M{} {} Q{} {} {} {}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" marker-end=\"{marker}\"/>",
                n(x1),
                n(y1),
                n((x1 + x2) / 2.0 + px),
                n((y1 + y2) / 2.0 + py),
                n(x2),
                n(y2)
            );
        }
        // How the path ends, under its last hop.
        let last = hops.last().copied().flatten();
        if let Some((id, r)) = last.and_then(|id| l.nodes.get(&id).map(|r| (id, r))) {
            let k = ends.entry(id).or_insert(0);
            label(
                &mut body,
                r.cx(),
                r.bottom() + 14.0 + *k as f64 * LINE,
                &format!("{}: {}", pi + 1, p.disposition),
                colour,
                "middle",
            );
            *k += 1;
        }
        for (step, h) in hops.iter().enumerate() {
            let Some(id) = h else { continue };
            let Some(r) = l.nodes.get(id) else { continue };
            let k = badges.entry(*id).or_insert(0);
            // Down the node's left edge, clear of the subnet's label above it.
            let (bx, by) = (r.x - 2.0, r.y + 8.0 + *k as f64 * 19.0);
            *k += 1;
            let _ = writeln!(
                body,
                "<circle cx=\"{}\" cy=\"{}\" r=\"9\" fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>",
                n(bx),
                n(by)
            );
            let _ = writeln!(
                body,
                "<text x=\"{}\" y=\"{}\" font-size=\"10\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#ffffff\">{}</text>",
                n(bx),
                n(by + 3.5),
                step + 1
            );
        }
    }

    let legend_y = l.height + 10.0;
    let legend_h = legend(
        &mut body,
        MARGIN,
        legend_y,
        width,
        !highlight.paths.is_empty(),
        &scene.links.iter().map(|k| k.style).collect::<Vec<_>>(),
    );
    let height = (legend_y + legend_h + MARGIN).ceil();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">",
        n(width),
        n(height),
        n(width),
        n(height)
    );
    let _ = writeln!(out, "<defs>");
    for (i, c) in PATH_COLOURS.iter().enumerate() {
        let _ = writeln!(
            out,
            "<marker id=\"arrow{i}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"{c}\"/></marker>"
        );
    }
    let _ = writeln!(
        out,
        "<marker id=\"arrow_udr\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"#2e8b57\"/></marker>"
    );
    let _ = writeln!(out, "</defs>");
    let _ = writeln!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        n(width),
        n(height)
    );
    out.push_str(&body);
    let _ = writeln!(out, "</svg>");
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn overlap(a: &Rect, b: &Rect) -> bool {
        a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom()
    }

    fn inside(inner: &Rect, outer: &Rect) -> bool {
        inner.x >= outer.x
            && inner.y >= outer.y
            && inner.right() <= outer.right()
            && inner.bottom() <= outer.bottom()
    }

    /// The layout of every example and broken example: no two nodes overlap, every
    /// node lies in its subnet's and VNet's box, subnets in their VNet, VNets in their
    /// region, regions apart, and everything inside the picture.
    #[test]
    fn layouts_have_no_overlaps_and_clusters_contain_their_members() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let mut files: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .chain(std::fs::read_dir(root.join("broken")).unwrap())
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "avs"))
            .collect();
        files.sort();
        assert!(files.len() >= 11);
        for f in files {
            let name = f.display().to_string();
            let a = crate::analyse(&name, &std::fs::read_to_string(&f).unwrap());
            let net = a.network.as_ref().unwrap();
            let scene = Scene::new(net, &Highlight::default());
            let l = layout(&scene, MARGIN);
            let nodes: Vec<(&NodeId, &Rect)> = l.nodes.iter().collect();
            for (i, (na, ra)) in nodes.iter().enumerate() {
                assert!(
                    ra.x >= 0.0 && ra.right() <= l.width,
                    "{name}: {na:?} outside"
                );
                assert!(
                    ra.y >= 0.0 && ra.bottom() <= l.height,
                    "{name}: {na:?} outside"
                );
                for (nb, rb) in nodes.iter().skip(i + 1) {
                    assert!(!overlap(ra, rb), "{name}: {na:?} overlaps {nb:?}");
                }
            }
            for r in &scene.regions {
                let rr = l
                    .regions
                    .iter()
                    .find(|(n, _)| *n == Scene::region_label(r))
                    .unwrap()
                    .1;
                for v in &r.vnets {
                    let vr = l.vnets[&v.id];
                    assert!(inside(&vr, &rr), "{name}: VNet outside its region");
                    for b in v.gateway_subnets.iter().chain(&v.subnets) {
                        let sr = l.subnets[&b.id];
                        assert!(inside(&sr, &vr), "{name}: subnet outside its VNet");
                        for n in &b.nodes {
                            assert!(inside(&l.nodes[n], &sr), "{name}: {n:?} outside its subnet");
                        }
                    }
                    for n in &v.nodes {
                        assert!(inside(&l.nodes[n], &vr), "{name}: {n:?} outside its VNet");
                    }
                    // Boxes of one VNet do not overlap each other.
                    let mut boxes: Vec<Rect> = v
                        .gateway_subnets
                        .iter()
                        .chain(&v.subnets)
                        .map(|b| l.subnets[&b.id])
                        .collect();
                    boxes.extend(v.nodes.iter().map(|n| l.nodes[n]));
                    for (i, x) in boxes.iter().enumerate() {
                        for y in boxes.iter().skip(i + 1) {
                            assert!(!overlap(x, y), "{name}: boxes overlap in a VNet");
                        }
                    }
                }
            }
            for (i, (_, a)) in l.regions.iter().enumerate() {
                for (_, b) in l.regions.iter().skip(i + 1) {
                    assert!(!overlap(a, b), "{name}: regions overlap");
                }
            }
            // Nodes outside Azure stay outside every region.
            for (tier, ids) in &scene.outside {
                if *tier == Tier::Azure {
                    continue;
                }
                for n in ids {
                    for (_, r) in &l.regions {
                        assert!(!overlap(&l.nodes[n], r), "{name}: {n:?} inside a region");
                    }
                }
            }
        }
    }
}
