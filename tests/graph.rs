//! `avscheck graph`: every example and broken example renders to SVG that parses and
//! rasterises (resvg) to a sane picture, the DOT carries the same content, and the
//! three examples' SVG and DOT are snapshotted.
//!
//! Set `AVSCHECK_GRAPH_PNG_DIR=/some/dir` to keep the PNGs (one per design, and one per
//! failing check of a broken example with its counterexample drawn on it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::report::graph::{to_dot, to_svg, Highlight};
use avscheck::report::CheckStatus;
use avscheck::VerifyOptions;
use resvg::{tiny_skia, usvg};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn designs(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "avs"))
        .collect();
    v.sort();
    v
}

fn analyse(path: &Path) -> avscheck::Analysis {
    let rel = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .display()
        .to_string();
    let a = avscheck::analyse(&rel, &std::fs::read_to_string(path).unwrap());
    assert!(!a.is_unusable(), "{rel} does not analyse");
    a
}

fn options() -> usvg::Options<'static> {
    let mut opt = usvg::Options::default();
    let mut db = usvg::fontdb::Database::new();
    db.load_system_fonts();
    opt.fontdb = Arc::new(db);
    opt
}

/// Rasterises an SVG and checks it is a sane picture; returns the PNG bytes.
fn rasterise(name: &str, svg: &str, opt: &usvg::Options) -> Vec<u8> {
    let tree = usvg::Tree::from_str(svg, opt).unwrap_or_else(|e| panic!("{name}: {e}"));
    let size = tree.size().to_int_size();
    assert!(
        size.width() >= 400 && size.height() >= 300,
        "{name}: {}x{} is too small",
        size.width(),
        size.height()
    );
    assert!(
        size.width() <= 4000 && size.height() <= 4000,
        "{name}: {}x{} is too large",
        size.width(),
        size.height()
    );
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    let pixels = pixmap.pixels();
    let opaque = pixels.iter().all(|p| p.alpha() == 255);
    assert!(opaque, "{name}: the background is not opaque white");
    let inked = pixels
        .iter()
        .filter(|p| p.red() < 200 || p.green() < 200 || p.blue() < 200)
        .count();
    let share = inked as f64 / pixels.len() as f64;
    assert!(
        (0.01..0.6).contains(&share),
        "{name}: {:.1}% of the pixels are drawn",
        share * 100.0
    );
    // Text was laid out with a real font (every node's name is a text node).
    let mut texts = 0;
    count_text(tree.root(), &mut texts);
    assert!(texts > 10, "{name}: only {texts} text nodes were rendered");
    pixmap.encode_png().unwrap()
}

fn count_text(g: &usvg::Group, n: &mut usize) {
    for c in g.children() {
        match c {
            usvg::Node::Group(g) => count_text(g, n),
            usvg::Node::Text(_) => *n += 1,
            _ => {}
        }
    }
}

fn keep(name: &str, png: &[u8]) {
    if let Some(dir) = std::env::var_os("AVSCHECK_GRAPH_PNG_DIR") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

/// Every node, VNet, subnet, UDR and link of the design appears in both pictures.
fn assert_content(name: &str, a: &avscheck::Analysis, svg: &str, dot: &str) {
    let net = a.network.as_ref().unwrap();
    // The internet is drawn only when something uses it.
    for (_, n) in net.nodes.iter().filter(|(_, n)| !n.behaviours.internet) {
        assert!(
            svg.contains(&format!("<title>{}</title>", n.name)),
            "{name}: SVG lacks node {}",
            n.name
        );
        assert!(
            dot.contains(&format!("\"{}\" [", n.name)),
            "{name}: DOT lacks node {}",
            n.name
        );
    }
    for (_, v) in net.vnets.iter() {
        let label = format!("vnet {} · ", v.name);
        assert!(svg.contains(&label), "{name}: SVG lacks {label}");
        assert!(dot.contains(&label), "{name}: DOT lacks {label}");
        for p in &v.peerings {
            let other = &net.vnets[p.vnet].name;
            let (x, y) = (&v.name, other);
            assert!(
                dot.contains(&format!("\"vnet:{x}\" -> \"vnet:{y}\""))
                    || dot.contains(&format!("\"vnet:{y}\" -> \"vnet:{x}\"")),
                "{name}: DOT lacks the peering {x} <-> {y}"
            );
            assert!(
                svg.contains("VNet peering</text>"),
                "{name}: SVG lacks a peering"
            );
        }
    }
    for (_, s) in net.subnets.iter() {
        for u in &s.udrs {
            let udr = format!("UDR {} → ", u.prefix);
            assert!(svg.contains(&udr), "{name}: SVG lacks {udr} of {}", s.name);
            assert!(dot.contains(&udr), "{name}: DOT lacks {udr} of {}", s.name);
        }
    }
    for (_, t) in net.tunnels.iter() {
        if t.internet {
            // Across the internet: each end's segment to the internet node, labelled
            // with the tunnel and the end's public address.
            for end in [t.a, t.b] {
                let public = net.nodes[end].public_ip.unwrap().to_string();
                for pic in [svg, dot] {
                    assert!(
                        pic.lines()
                            .any(|l| l.contains(&t.name) && l.contains(&public)),
                        "{name}: lacks tunnel {} to {public}",
                        t.name
                    );
                }
            }
            assert!(dot.contains("\"internet\" ["), "{name}: no internet node");
            continue;
        }
        let label = format!("tunnel {} ({})", t.name, t.kind);
        assert!(
            svg.contains(&label) && dot.contains(&label),
            "{name}: lacks {label}"
        );
    }
    // v2 components: NICs, public addresses, management prefixes, load balancers.
    for (_, n) in net.nodes.iter() {
        let mut lines: Vec<String> = n
            .nics
            .iter()
            .map(|x| format!("nic {} ({})", x.address, net.subnets[x.subnet].name))
            .collect();
        lines.extend(n.public_ip.map(|a| format!("public_ip {a}")));
        lines.extend(n.management.iter().map(|m| format!("management {m}")));
        for line in lines {
            assert!(
                svg.contains(&line) && dot.contains(&line),
                "{name}: lacks `{line}` on {}",
                n.name
            );
        }
        for x in &n.nics {
            let label = format!("label=\"nic {}\"", x.address);
            assert!(
                dot.contains(&label),
                "{name}: DOT lacks the NIC link {label}"
            );
        }
    }
    for lb in &net.load_balancers {
        let label = format!("load balancer {} · {}", lb.name, lb.frontend);
        assert!(
            svg.contains(&label) && dot.contains(&label),
            "{name}: lacks {label}"
        );
        for b in &lb.backends {
            let edge = format!("-> \"{}\" [color=\"#1f8a70\"", net.nodes[*b].name);
            assert!(dot.contains(&edge), "{name}: DOT lacks {edge}");
        }
    }
    assert!(
        !dot.contains("shape=cloud"),
        "{name}: `cloud` is not a Graphviz shape"
    );
    let sessions = net.sessions.len();
    let edges = dot.matches(" -> ").count();
    assert!(
        edges >= sessions,
        "{name}: {edges} DOT edges for {sessions} sessions"
    );
}

#[test]
fn every_example_renders_to_a_sane_png() {
    let opt = options();
    let mut files = designs("examples");
    files.extend(designs("examples/broken"));
    assert!(files.len() >= 11, "{} designs", files.len());
    for path in files {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let a = analyse(&path);
        let net = a.network.as_ref().unwrap();
        let svg = to_svg(net, &Highlight::default());
        let dot = to_dot(net, &Highlight::default());
        assert_content(&name, &a, &svg, &dot);
        assert_eq!(
            svg,
            to_svg(net, &Highlight::default()),
            "{name}: not deterministic"
        );
        keep(&name, &rasterise(&name, &svg, &opt));
    }
}

/// The v2 components (LANGUAGE.md §2.4) each have their shape: the designs of
/// `tests/azure/` that use them render, with their content, and Graphviz accepts the
/// DOT without a warning.
#[test]
fn v2_components_are_drawn() {
    let opt = options();
    let dot_ok = std::process::Command::new("dot").arg("-V").output().is_ok();
    for stem in [
        "nva-nics-auxiliary-transit",
        "avs-management-no-default-route",
        "load-balancer-spreads-flows",
        "sdwan-tunnel-over-internet",
        "vpn-gateway-er-preferred",
        "vpn-gateway-static-prefixes",
        "azure-firewall-udr-only",
        "fastpath-bypasses-gateway",
    ] {
        let path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/azure/{stem}.avs"));
        let a = analyse(&path);
        let net = a.network.as_ref().unwrap();
        let svg = to_svg(net, &Highlight::default());
        let dot = to_dot(net, &Highlight::default());
        assert_content(stem, &a, &svg, &dot);
        keep(stem, &rasterise(stem, &svg, &opt));
        if stem == "vpn-gateway-er-preferred" {
            assert!(dot.contains("S2S VPN over the internet"), "{stem}: {dot}");
        }
        if stem == "vpn-gateway-static-prefixes" {
            let label = "S2S VPN (static routes) over the internet";
            assert!(svg.contains(label) && dot.contains(label), "{stem}: {dot}");
        }
        if stem == "fastpath-bypasses-gateway" {
            for label in [
                "\"FastPath\"",
                "FastPath (Direct: GatewaySubnet UDRs apply)",
            ] {
                assert!(dot.contains(label), "{stem}: lacks {label}: {dot}");
            }
        }
        if stem == "nva-nics-auxiliary-transit" {
            assert!(svg.contains("further NIC → its subnet"), "{stem}: legend");
        }
        if !dot_ok {
            assert!(std::env::var_os("AVSCHECK_REQUIRE_GRAPHVIZ").is_none());
            continue;
        }
        let mut child = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(dot.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stem}: dot failed: {stderr}");
        assert!(!stderr.contains("Warning"), "{stem}: dot warns: {stderr}");
    }
}

#[test]
fn broken_examples_draw_their_counterexamples() {
    let opt = options();
    for path in designs("examples/broken") {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let a = analyse(&path);
        let net = a.network.as_ref().unwrap();
        let v = avscheck::verify(&a, &VerifyOptions::default());
        let failing: Vec<_> = v
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Fail)
            .collect();
        assert!(!failing.is_empty(), "{name}: no check fails");
        for (i, c) in failing.iter().enumerate() {
            let h = Highlight::from_counterexample(&c.title, c.counterexample.as_ref());
            assert!(!h.paths.is_empty() || !h.failed.is_empty() || c.counterexample.is_some());
            let svg = to_svg(net, &h);
            let dot = to_dot(net, &h);
            let title = c.title.replace('<', "&lt;").replace('>', "&gt;");
            assert!(
                svg.contains(&format!("Counterexample of “{title}”")),
                "{name}"
            );
            for (pi, p) in h.paths.iter().enumerate() {
                // Each step between two drawn nodes is an arrow in the path's colour,
                // and numbered (1.1, 1.2, ... in DOT).
                let steps = p.hops.len().saturating_sub(1);
                for k in 1..=steps {
                    assert!(
                        dot.contains(&format!("label=\"{}.{k}\"", pi + 1)),
                        "{name}: DOT lacks step {}.{k}",
                        pi + 1
                    );
                }
                if steps > 0 {
                    assert!(
                        svg.contains(&format!("marker-end=\"url(#arrow{pi})\"")),
                        "{name}"
                    );
                }
                // Where it ends is written beside its last hop.
                assert!(
                    svg.contains(&format!(">{}: {}</text>", pi + 1, p.disposition)),
                    "{name}"
                );
            }
            for f in &h.failed {
                assert!(
                    svg.contains(f) && dot.contains("✗ failed"),
                    "{name}: {f} not marked"
                );
            }
            keep(&format!("{name}--{}", i + 1), &rasterise(&name, &svg, &opt));
        }
    }
}

#[test]
fn examples_snapshots() {
    for path in designs("examples") {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let a = analyse(&path);
        let net = a.network.as_ref().unwrap();
        insta::assert_snapshot!(format!("{name}.svg"), to_svg(net, &Highlight::default()));
        insta::assert_snapshot!(format!("{name}.dot"), to_dot(net, &Highlight::default()));
    }
}

/// When Graphviz is installed, `dot` accepts every DOT picture (with and without a
/// counterexample). Skipped, with a note, where `dot` is not installed, unless
/// `AVSCHECK_REQUIRE_GRAPHVIZ` is set (CI).
#[test]
fn graphviz_accepts_the_dot() {
    let probe = std::process::Command::new("dot").arg("-V").output();
    if probe.is_err() {
        // CI sets this (and installs Graphviz): there the check must run.
        assert!(
            std::env::var_os("AVSCHECK_REQUIRE_GRAPHVIZ").is_none(),
            "AVSCHECK_REQUIRE_GRAPHVIZ is set but Graphviz `dot` is not installed"
        );
        eprintln!("note: Graphviz `dot` is not installed; DOT syntax not checked");
        return;
    }
    let mut files = designs("examples");
    files.extend(designs("examples/broken"));
    for path in files {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let a = analyse(&path);
        let net = a.network.as_ref().unwrap();
        let v = avscheck::verify(&a, &VerifyOptions::default());
        let mut highlights = vec![Highlight::default()];
        highlights.extend(
            v.checks
                .iter()
                .filter(|c| c.status == CheckStatus::Fail)
                .map(|c| Highlight::from_counterexample(&c.title, c.counterexample.as_ref())),
        );
        for h in highlights {
            let dot = to_dot(net, &h);
            let mut child = std::process::Command::new("dot")
                .arg("-Tsvg")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(dot.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{name}: dot failed: {stderr}\n{dot}");
            assert!(!stderr.contains("Warning"), "{name}: dot warns: {stderr}");
            assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
        }
    }
}

/// A counterexample with a failed component (Global Reach, under `under failures 1`)
/// crosses it out in both pictures.
#[test]
fn failed_components_are_crossed_out() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/default-route.avs");
    let text = std::fs::read_to_string(path).unwrap().replace(
        "check \"AVS and on-premises reach each other\" {",
        "check \"survives one failure\" {\n  reachable avs1 <-> dc1 under failures 1\n}\n\ncheck \"AVS and on-premises reach each other\" {",
    );
    let a = avscheck::analyse("failures.avs", &text);
    assert!(!a.is_unusable());
    let net = a.network.as_ref().unwrap();
    let v = avscheck::verify(
        &a,
        &VerifyOptions {
            only: Some("survives one failure".to_string()),
            ..VerifyOptions::default()
        },
    );
    let c = v.checks.first().unwrap();
    assert_eq!(c.status, CheckStatus::Fail);
    let h = Highlight::from_counterexample(&c.title, c.counterexample.as_ref());
    assert!(!h.failed.is_empty(), "{:?}", c.counterexample);
    let svg = to_svg(net, &h);
    let dot = to_dot(net, &h);
    assert!(svg.contains(&format!("failed: {}", h.failed.join(", "))));
    // The ✗: two red strokes, 4 wide.
    assert!(
        svg.contains("stroke=\"#d62728\" stroke-width=\"4\""),
        "{svg}"
    );
    assert!(dot.contains("✗ failed"), "{dot}");
    let opt = options();
    keep(
        "default-route-one-failure",
        &rasterise("failures", &svg, &opt),
    );
}

/// The pictures in `docs/images/` (shown by `docs/tutorial.md`) are what `avscheck graph`
/// draws today. Regenerate with the commands in the assertion message.
#[test]
fn tutorial_pictures_are_current() {
    let cases = [
        ("hairpin.svg", "examples/hairpin.avs", None),
        (
            "hairpin-no-gateway-udrs.svg",
            "examples/broken/hairpin-no-gateway-udrs.avs",
            Some("AVS and on-premises reach each other without Global Reach"),
        ),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (image, design, check) in cases {
        let a = analyse(&root.join(design));
        let net = a.network.as_ref().unwrap();
        let h = match check {
            None => Highlight::default(),
            Some(title) => {
                let v = avscheck::verify(
                    &a,
                    &VerifyOptions {
                        only: Some(title.to_string()),
                        ..VerifyOptions::default()
                    },
                );
                let c = v.checks.first().unwrap();
                Highlight::from_counterexample(&c.title, c.counterexample.as_ref())
            }
        };
        let committed = std::fs::read_to_string(root.join("docs/images").join(image)).unwrap();
        let check_arg = check
            .map(|t| format!(" --check \"{t}\""))
            .unwrap_or_default();
        assert!(
            committed == to_svg(net, &h),
            "docs/images/{image} is stale: run `avscheck graph {design}{check_arg} --format svg > docs/images/{image}`"
        );
    }
}
