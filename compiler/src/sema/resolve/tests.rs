//! Unit tests of the resolver with small, hand-written standard libraries (the real
//! one is tested by `tests/stdlib.rs`, user-facing errors by the fixtures).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::resolve;
use crate::diagnostic::Diagnostic;
use crate::sema::model::{Design, SessionSchemaKind, SessionTarget, Value};
use crate::span::FileId;
use crate::stdlib::Module;
use crate::syntax;

fn run(lib: &str, design: &str) -> (Design, Vec<Diagnostic>) {
    let (lib_ast, e1) = syntax::parse(FileId(1), lib);
    assert!(e1.is_empty(), "{e1:?}");
    let (user, e2) = syntax::parse(FileId(0), design);
    assert!(e2.is_empty(), "{e2:?}");
    resolve(&user, &[(Module::Core, FileId(1), lib_ast)])
}

fn codes(d: &[Diagnostic]) -> Vec<&'static str> {
    d.iter().map(|d| d.code).collect()
}

const LIB: &str = "
kind box {
  behaviour owns_originated
  key asn <asn> required
  key peer <node> [over <pipe>] [import <policy>] [export <policy>] [allowas_in] repeat
  key static <prefix> next_hop <node|drop> repeat
  key mode <fast|slow> default slow
  key on <bool> default false
  session peer
}
kind pipe {
  key between <node> <node> required
}
";

#[test]
fn a_valid_library_and_design() {
    let (design, diags) = run(
        LIB,
        "box a { asn 65001; peer b allowas_in export p over t import p }
         box b { asn 65002; peer a over t; static 10.0.0.0/8 next_hop drop }
         box drop { asn 65003 }
         pipe t { between a b }
         policy p { permit }",
    );
    assert!(diags.is_empty(), "{diags:?}");
    let a = design.component("a").unwrap();
    let peer = a.get("peer").unwrap();
    assert_eq!(
        peer.first().unwrap().node,
        Value::Ref {
            name: "b".into(),
            kind: "box".into()
        }
    );
    assert_eq!(peer.option("over").unwrap().node.as_ref_name(), Some("t"));
    assert_eq!(peer.option("import").unwrap().node.as_ref_name(), Some("p"));
    assert_eq!(peer.option("export").unwrap().node.as_ref_name(), Some("p"));
    assert!(peer.flag("allowas_in"));
    // Defaults, in key order, after the user's lines.
    let mode = a.get("mode").unwrap();
    assert!(mode.defaulted);
    assert_eq!(mode.first().unwrap().node, Value::Word("slow".into()));
    assert_eq!(
        a.get("on").unwrap().first().unwrap().node,
        Value::Bool(false)
    );
    // A literal word of the slot wins over a component of the same name.
    let b = design.component("b").unwrap();
    assert_eq!(
        b.get("static").unwrap().option("next_hop").unwrap().node,
        Value::Word("drop".into())
    );
    let kind = design.kind("box").unwrap();
    assert_eq!(kind.sessions.len(), 1);
    assert_eq!(kind.sessions[0].target, SessionTarget::Key("peer".into()));
    assert!(kind.is_node());
    assert!(!design.kind("pipe").unwrap().is_node());
}

#[test]
fn unknown_behaviour() {
    let (_, d) = run(
        "kind k { behaviour teleport owns_originated; key asn <asn> }",
        "",
    );
    assert_eq!(codes(&d), ["AVS0102"]);
    assert!(d[0].notes.iter().any(|n| n.contains("owns_originated")));
}

#[test]
fn bad_kind_definitions() {
    let (_, d) = run("kind k { key asn <asn>; key asn <int> }", "");
    assert_eq!(codes(&d), ["AVS0104"]);
    let (_, d) = run("kind k { asn 65000; key asn <asn> }", "");
    assert_eq!(codes(&d), ["AVS0104"]);
    let (_, d) = run("kind k { key mode <fast|slow> default medium }", "");
    assert!(codes(&d).contains(&"AVS0104"), "{d:?}");
    let (_, d) = run("kind k { key x <int> required default 1 }", "");
    assert_eq!(codes(&d), ["AVS0104"]);
    let (_, d) = run("kind k { asn 1 }\nkind k { asn 2 }", "");
    assert_eq!(codes(&d), ["AVS0104"]);
}

#[test]
fn bad_sessions() {
    let base = "kind k { asn 65000; key peer <node> repeat; key on <int>; key b2b <bool>\n";
    for (line, why) in [
        ("session nope", "unknown key"),
        ("session peer sometimes", "unknown option"),
        ("session peer when on", "`when` names a non-bool key"),
        ("session peer import missing_policy", "unknown policy"),
        ("session peer internal global_reach", "two kinds"),
        ("session peer implicit implicit", "option twice"),
        ("session other same vnet", "unknown kind"),
        ("session k by on", "`on` cannot name a `k`"),
        ("session k same nothing", "no such key"),
    ] {
        let (_, d) = run(&format!("{base}{line}\n}}"), "");
        assert!(codes(&d).contains(&"AVS0103"), "{why}: {d:?}");
    }
    let (design, d) = run(
        &format!("{base}session peer internal when b2b implicit import p export p\nsession k same peer global_reach\n}}\npolicy p {{ permit }}"),
        "",
    );
    assert!(d.is_empty(), "{d:?}");
    let s = &design.kind("k").unwrap().sessions;
    assert_eq!(s[0].kind, SessionSchemaKind::Internal);
    assert_eq!(s[0].when.as_deref(), Some("b2b"));
    assert!(s[0].implicit);
    assert_eq!(s[0].import.as_deref(), Some("p"));
    assert_eq!(
        s[1].target,
        SessionTarget::Same {
            kind: "k".into(),
            key: "peer".into()
        }
    );
    assert_eq!(s[1].kind, SessionSchemaKind::GlobalReach);
}

#[test]
fn slot_groups_led_by_a_slot_are_optional_positionals() {
    let (design, d) = run(
        "kind k { key span <int> [<int>] }",
        "k a { span 1 2 }\nk b { span 3 }",
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(
        design
            .component("a")
            .unwrap()
            .get("span")
            .unwrap()
            .positional
            .len(),
        2
    );
    assert_eq!(
        design
            .component("b")
            .unwrap()
            .get("span")
            .unwrap()
            .positional
            .len(),
        1
    );
}

#[test]
fn duplicates_do_not_cascade() {
    let (_, d) = run(LIB, "box a { asn 1; peer a import a }\npolicy a { permit }");
    // The duplicate, not also a "`a` is a box, expected a policy".
    assert_eq!(codes(&d), ["AVS0110"]);
}

#[test]
fn unknown_kinds_do_not_cascade() {
    let (_, d) = run(LIB, "bxo a { asn 1 }\nbox b { asn 2; peer a }");
    assert_eq!(codes(&d), ["AVS0120"]);
    assert!(d[0].notes.iter().any(|n| n.contains("did you mean `box`?")));
}

#[test]
fn messages_do_not_depend_on_declaration_order() {
    let one = run(
        LIB,
        "box fw_w { asn 1 }\nbox fw_n { asn 2 }\nbox x { asn 3; peer fw_x }",
    )
    .1;
    let two = run(
        LIB,
        "box fw_n { asn 2 }\nbox fw_w { asn 1 }\nbox x { asn 3; peer fw_x }",
    )
    .1;
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].message, two[0].message);
    assert_eq!(one[0].notes, two[0].notes);
}

/// Every code of this phase is documented, and every one that a design can trigger
/// has a fixture whose snapshot shows it (the stdlib-only ones are tested above).
#[test]
fn every_code_is_documented_and_exercised() {
    let codes_src = include_str!("codes.rs");
    let docs = include_str!("../../../../docs/diagnostics.md");
    let codes: Vec<&str> = codes_src
        .split('"')
        .filter(|s| {
            s.len() == 7 && s.starts_with("AVS") && s[3..].bytes().all(|b| b.is_ascii_digit())
        })
        .collect();
    assert!(codes.len() > 30, "{codes:?}");
    let snaps_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut snaps = String::new();
    for entry in std::fs::read_dir(&snaps_dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("fixtures__resolve_fixtures@") && name.ends_with(".snap") {
            snaps.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    let stdlib_only = ["AVS0102", "AVS0103", "AVS0104"];
    for code in codes {
        assert!(
            docs.contains(&format!("| {code} |")),
            "{code} is not in docs/diagnostics.md"
        );
        if !stdlib_only.contains(&code) {
            assert!(
                snaps.contains(&format!("[{code}]")),
                "no resolve fixture produces {code}"
            );
        }
    }
}

/// The resolved two-regions example, as lowering reads it.
#[test]
fn the_two_regions_example_resolves_to_typed_lines() {
    let text = include_str!("../../../../examples/two-regions.avs");
    let mut sources = crate::diagnostic::SourceMap::new();
    let file = sources.add("two-regions.avs", text);
    let (ast, errors) = syntax::parse(file, text);
    assert!(errors.is_empty());
    let loaded = crate::stdlib::load(&mut sources, &ast);
    let (design, diags) = resolve(&ast, &loaded.files);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(design.uses.len(), 1);
    assert!(design
        .kind("route_server")
        .unwrap()
        .has_behaviour("control_plane_only"));
    // Stdlib policies first, then the user's.
    let names: Vec<&str> = design
        .policies
        .iter()
        .map(|p| p.name.node.as_str())
        .collect();
    let first_user = names.iter().position(|n| *n == "north_to_ars").unwrap();
    assert!(first_user > 0 && names[..first_user].contains(&"gateway_to_circuit"));
    let fw_w = design.component("fw_w").unwrap();
    assert_eq!(fw_w.kind, "nva");
    let peers: Vec<_> = fw_w.all("peer").collect();
    assert_eq!(peers.len(), 2);
    assert_eq!(
        peers[0].option("export").unwrap().node,
        Value::Ref {
            name: "north_to_ars".into(),
            kind: "policy".into()
        }
    );
    assert_eq!(
        peers[1].option("over").unwrap().node,
        Value::Ref {
            name: "vx".into(),
            kind: "tunnel".into()
        }
    );
    assert_eq!(
        fw_w.get("asn").unwrap().first().unwrap().node,
        Value::Int(65010)
    );
    assert_eq!(
        fw_w.get("ip").unwrap().first().unwrap().node.as_address(),
        Some("10.100.1.4".parse().unwrap())
    );
    let ars = design.component("ars_w").unwrap();
    let peer = ars.get("peer").unwrap();
    assert_eq!(peer.first().unwrap().node.as_ref_name(), Some("fw_w"));
    assert_eq!(peer.option("asn").unwrap().node, Value::Int(65010));
    assert_eq!(
        ars.get("branch_to_branch").unwrap().first().unwrap().node,
        Value::Bool(true)
    );
    assert!(!ars.get("branch_to_branch").unwrap().defaulted);
    assert!(ars.get("max_routes_per_peer").unwrap().defaulted);
    let vx = design.component("vx").unwrap();
    assert_eq!(
        vx.get("type").unwrap().first().unwrap().node,
        Value::Word("vxlan".into())
    );
    let hub_w = design.component("hub_w").unwrap();
    assert_eq!(
        hub_w.get("region").unwrap().first().unwrap().node,
        Value::Word("westeurope".into())
    );
    let avs = design.component("avs_w").unwrap();
    assert_eq!(
        avs.get("asn").unwrap().first().unwrap().node,
        Value::Int(398656)
    );
    assert_eq!(design.checks.len(), 4);
}
