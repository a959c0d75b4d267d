#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::*;
use crate::span::Spanned;
use crate::syntax::ast::*;

fn ok(text: &str) -> SourceFile {
    let (f, errs) = parse(FileId(0), text);
    assert!(errs.is_empty(), "{text}\n{errs:#?}");
    f
}

#[test]
fn stdlib_parses() {
    for m in crate::stdlib::Module::ALL {
        let f = ok(m.source());
        assert!(!f.items.is_empty());
    }
}

fn errs(text: &str) -> Vec<ParseError> {
    let (_, errs) = parse(FileId(0), text);
    assert!(!errs.is_empty(), "expected errors for {text:?}");
    errs
}

fn codes(text: &str) -> Vec<&'static str> {
    errs(text).iter().map(|e| e.kind.code()).collect()
}

fn snip(text: &str, s: crate::span::Span) -> &str {
    &text[s.range()]
}

#[test]
fn examples_parse() {
    for f in ["default-route.avs", "hairpin.avs", "two-regions.avs"] {
        let path = format!("{}/examples/{f}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        ok(&text);
    }
}

#[test]
fn component_lines_and_spans() {
    let text = "use azure\nrouter r1 {\n  asn 65001 ; router_id 1.1.1.1\n  originate 10.0.0.0/8\n  peer hub/default over t1 import p\n  static 10.9.0.0/16 next_hop drop\n}\n";
    let f = ok(text);
    assert_eq!(f.items.len(), 2);
    let Item::Use(u) = &f.items[0] else { panic!() };
    assert_eq!(u.module.node, "azure");
    assert_eq!(snip(text, u.span), "use azure");
    let Item::Component(c) = &f.items[1] else {
        panic!()
    };
    assert_eq!(c.kind.node, "router");
    assert_eq!(c.name.node, "r1");
    assert_eq!(snip(text, c.span), &text[10..text.len() - 1]);
    assert_eq!(c.lines.len(), 5);
    assert_eq!(c.lines[0].key.node, "asn");
    assert_eq!(c.lines[0].args[0].node, ArgValue::Number(65001));
    assert_eq!(snip(text, c.lines[0].span), "asn 65001");
    assert_eq!(
        c.lines[1].args[0].node,
        ArgValue::Address("1.1.1.1".parse().unwrap())
    );
    assert_eq!(
        c.lines[2].args[0].node,
        ArgValue::Prefix("10.0.0.0/8".parse().unwrap())
    );
    assert_eq!(
        c.lines[3].args[0].node,
        ArgValue::Word("hub/default".into())
    );
    assert_eq!(snip(text, c.lines[3].args[0].span), "hub/default");
    assert_eq!(
        snip(text, c.lines[3].span),
        "peer hub/default over t1 import p"
    );
}

#[test]
fn keywords_are_names_elsewhere() {
    let f = ok("site site { asn 1 }\nrouter policy { asn 2 }\nrouter check { asn 3 }\nnva kind { asn 4 }\n");
    assert_eq!(f.items.len(), 4);
    assert!(f.items.iter().all(|i| matches!(i, Item::Component(_))));
    // `check WORD {` is a component of kind `check` (only `check "..."` is a check).
    let f = ok("check x { a b }");
    assert!(matches!(&f.items[0], Item::Component(c) if c.kind.node == "check"));
}

#[test]
fn policy_rules() {
    let text = r#"
prefix_list private [10.0.0.0/8 le 32, 172.16.0.0/12 le 32,
  192.168.0.0/16 ge 24 le 32,
]
policy to_ars {
  permit prefix 0.0.0.0/0
  permit prefix 10.0.0.0/8 { set local_pref 200; prepend 65010 x2 }
  deny   as_path contains 65100
  permit prefix_list private { remove_private_as }
  permit as_path length <= 3 tag 65535:65282 originated_by fw {
    add tag no_advertise
    remove tag 1:2
    remove_as 65515 12076
    replace_as 65001
    set med 10; set next_hop self; set next_hop 10.0.0.1
  }
  deny
}
"#;
    let f = ok(text);
    let Item::PrefixList(pl) = &f.items[0] else {
        panic!()
    };
    assert_eq!(pl.entries.len(), 3);
    assert_eq!(pl.entries[2].ge.unwrap().node, 24);
    assert_eq!(pl.entries[2].le.unwrap().node, 32);
    let Item::Policy(p) = &f.items[1] else {
        panic!()
    };
    assert_eq!(p.rules.len(), 6);
    assert_eq!(p.rules[1].actions.len(), 2);
    assert_eq!(
        p.rules[1].actions[1].node,
        ActionKind::Prepend(Spanned::new(65010, p.span), Some(Spanned::new(2, p.span)))
    );
    assert_eq!(snip(text, p.rules[1].actions[1].span), "prepend 65010 x2");
    let r = &p.rules[4];
    assert_eq!(r.conditions.len(), 3);
    assert!(
        matches!(&r.conditions[0].node, ConditionKind::AsPathLength(op, n) if op.node == CmpOp::Le && n.node == 3)
    );
    assert!(
        matches!(&r.conditions[1].node, ConditionKind::Tag(t) if t.node == TagValue::Community(65535, 65282))
    );
    assert_eq!(r.actions.len(), 7);
    assert!(
        matches!(&r.actions[0].node, ActionKind::AddTag(t) if t.node == TagValue::Name("no_advertise".into()))
    );
    assert!(matches!(&r.actions[2].node, ActionKind::RemoveAs(v) if v.len() == 2));
    assert!(matches!(&r.actions[5].node, ActionKind::SetNextHopSelf));
    assert!(p.rules[5].conditions.is_empty() && p.rules[5].verdict.node == Verdict::Deny);
}

/// `under failures K of W...` (the list ends at the line's end or the next modifier)
/// and `without peering A B` (`without peering` alone is the kind).
#[test]
fn failure_scopes() {
    let text = r#"
check "s" {
  reachable a -> b under failures 1 of er_circuit
  reachable a -> b under failures 2 of fw1 fw2 tunnel without peering hub spoke
  loop_free without peering under failures 1 of peering
  loop_free without peering without x
}
"#;
    let f = ok(text);
    let Item::Check(c) = &f.items[0] else {
        panic!()
    };
    let words = |m: &ModifierKind| match m {
        ModifierKind::Failures { count, of } => {
            let mut v = vec![count.node.to_string()];
            v.extend(of.iter().map(|w| w.node.clone()));
            v
        }
        ModifierKind::Without(x) => vec!["without".into(), x.node.clone()],
        ModifierKind::WithoutPeering(a, b) => {
            vec!["peering".into(), a.node.clone(), b.node.clone()]
        }
    };
    let mods: Vec<Vec<Vec<String>>> = c
        .lines
        .iter()
        .map(|l| {
            let CheckLine::Property(p) = l else { panic!() };
            p.modifiers.iter().map(|m| words(&m.node)).collect()
        })
        .collect();
    assert_eq!(
        mods,
        vec![
            vec![vec!["1", "er_circuit"]],
            vec![
                vec!["2", "fw1", "fw2", "tunnel"],
                vec!["peering", "hub", "spoke"]
            ],
            vec![vec!["without", "peering"], vec!["1", "peering"]],
            vec![vec!["without", "peering"], vec!["without", "x"]],
        ]
        .into_iter()
        .map(|l| l
            .into_iter()
            .map(|m| m.into_iter().map(String::from).collect())
            .collect())
        .collect::<Vec<Vec<Vec<String>>>>()
    );
    let CheckLine::Property(p) = &c.lines[1] else {
        panic!()
    };
    assert_eq!(
        snip(text, p.modifiers[0].span),
        "under failures 2 of fw1 fw2 tunnel"
    );
    assert_eq!(snip(text, p.modifiers[1].span), "without peering hub spoke");
}

#[test]
fn checks() {
    let text = r#"
check "t" { never dc1 installs 0.0.0.0/0 }
check "u" {
  reachable avs_w <-> dc1 without global_reach without er_dc
  loop_free
  path avs_w -> internet traverses fw_w
  path dc1 -> 10.99.0.0/16 avoids fw_w
  symmetric avs_w <-> 10.1.2.3
  reachable dc1 -> hub/default under failures 1
  routes ars <= 1000
  assume dc1 advertises any within 0.0.0.0/0 le 24
  never avs_w installs 0.0.0.0/0 originated_by dc1 via er
}
"#;
    let f = ok(text);
    let Item::Check(c) = &f.items[0] else {
        panic!()
    };
    assert_eq!(c.title.node, "t");
    assert_eq!(snip(text, c.title.span), "\"t\"");
    let Item::Check(c) = &f.items[1] else {
        panic!()
    };
    assert_eq!(c.lines.len(), 9);
    let CheckLine::Property(p) = &c.lines[0] else {
        panic!()
    };
    assert_eq!(p.modifiers.len(), 2);
    assert_eq!(
        snip(text, p.span),
        "reachable avs_w <-> dc1 without global_reach without er_dc"
    );
    let CheckLine::Property(p) = &c.lines[5] else {
        panic!()
    };
    assert!(
        matches!(&p.modifiers[0].node, ModifierKind::Failures { count, of } if count.node == 1 && of.is_empty())
    );
    assert!(
        matches!(&p.kind, PropertyKind::Reachable { to, .. } if to.node == EndpointValue::Name("hub/default".into()))
    );
    let CheckLine::Assume(a) = &c.lines[7] else {
        panic!()
    };
    assert_eq!(a.le.unwrap().node, 24);
    let CheckLine::Property(p) = &c.lines[8] else {
        panic!()
    };
    assert!(
        matches!(&p.kind, PropertyKind::Never { via: Some(v), originated_by: Some(o), .. } if v.node == "er" && o.node == "dc1")
    );
}

#[test]
fn kind_definitions() {
    let text = "kind k {\n  asn 65515\n  behaviour a b\n  key peer <node> [over <tunnel> [deep]] [allowas_in] repeat\n  key t <vxlan|gre> default vxlan required\n  session peer import x\n}\n";
    let f = ok(text);
    let Item::Kind(k) = &f.items[0] else { panic!() };
    assert_eq!(k.lines.len(), 5);
    let KindLine::Key(key) = &k.lines[2] else {
        panic!()
    };
    assert!(key.repeat && !key.required);
    assert_eq!(key.pattern.len(), 3);
    let PatternElem::Optional(g) = &key.pattern[1] else {
        panic!()
    };
    assert_eq!(snip(text, g.span), "[over <tunnel> [deep]]");
    assert!(matches!(&g.node[2], PatternElem::Optional(_)));
    let KindLine::Key(key) = &k.lines[3] else {
        panic!()
    };
    assert!(key.required);
    assert_eq!(
        key.default.as_ref().unwrap().node,
        ArgValue::Word("vxlan".into())
    );
    let PatternElem::Slot(s) = &key.pattern[0] else {
        panic!()
    };
    assert_eq!(s.node.len(), 2);
}

#[test]
fn lexical_errors() {
    assert_eq!(codes("router r { originate 10.1.2.3/16 }"), ["AVS0009"]);
    let e = &errs("router r { originate 10.1.2.3/16 }")[0];
    assert!(
        matches!(&e.kind, ParseErrorKind::HostBitsSet { masked, .. } if masked.to_string() == "10.1.0.0/16")
    );
    assert_eq!(codes("router r { originate 10.0.0.0/33 }"), ["AVS0008"]);
    assert_eq!(codes("router r { originate 2001:db8::/32 }"), ["AVS0010"]);
    assert_eq!(codes("router r { originate fe80::1 }"), ["AVS0010"]);
    assert_eq!(
        codes("router r { asn 99999999999999999999999 }"),
        ["AVS0004"]
    );
    assert_eq!(codes("check \"x { loop_free }"), ["AVS0002"]);
    assert_eq!(codes("router r { a 65536:1 }"), ["AVS0011"]);
    assert_eq!(codes("router r { a @ }"), ["AVS0001"]);
    assert_eq!(codes("router r { a 10.0.0 }"), ["AVS0006"]);
}

#[test]
fn asn_ranges() {
    assert_eq!(codes("policy p { deny as_path contains 0 }"), ["AVS0012"]);
    assert_eq!(
        codes("policy p { permit { prepend 4294967296 } }"),
        ["AVS0012"]
    );
    assert_eq!(
        codes("policy p { permit { remove_as 1 2 0 } }"),
        ["AVS0012"]
    );
    assert_eq!(
        codes("policy p { permit { replace_as 4294967296 } }"),
        ["AVS0012"]
    );
    ok("policy p { permit { prepend 4294967295 x3 } }");
    assert_eq!(codes("policy p { permit { prepend 1 x0 } }"), ["AVS0032"]);
    assert_eq!(codes("policy p { permit { prepend 1 x 2 } }"), ["AVS0032"]);
}

#[test]
fn missing_brace_points_at_both_ends() {
    let text = "er_gateway ergw {\n  vnet hub\n\nnva fw {\n  ip 10.0.0.1\n}\n";
    let (f, e) = parse(FileId(0), text);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].message(), "expected `}` to close `er_gateway ergw`");
    assert_eq!(snip(text, e[0].span), "nva");
    assert_eq!(snip(text, e[0].context[0].0), "{");
    // Both components survive.
    assert_eq!(f.items.len(), 2);
}

#[test]
fn recovers_and_reports_several() {
    let text = "router a { asn 1 }\nrouter b { asn @ }\nrouter c ( asn 3 }\npolicy p { allow }\nrouter d { asn 4 }\n";
    let (f, e) = parse(FileId(0), text);
    assert_eq!(e.len(), 3, "{e:#?}");
    assert_eq!(f.items.len(), 5);
    assert!(matches!(&f.items[2], Item::Error(_)));
    assert!(matches!(&f.items[4], Item::Component(c) if c.name.node == "d"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!(
        "kind k {{ key a {}{} }}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(codes(&text).contains(&"AVS0035"));
    let text = "{".repeat(100_000);
    assert!(!errs(&text).is_empty());
}

#[test]
fn error_cap() {
    let text = "router r {\n".to_string() + &"  a @\n".repeat(500) + "}\n";
    let e = errs(&text);
    assert_eq!(e.len(), MAX_ERRORS + 1);
    assert_eq!(e.last().unwrap().kind.code(), "AVS0099");
}

#[test]
fn a_mistaken_nested_block_is_skipped() {
    let text = "router r {\n  asn 1\n  peer x {\n    asn 5\n  }\n  originate 10.0.0.0/8\n}\nrouter s { asn 2 }\n";
    let (f, e) = parse(FileId(0), text);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(snip(text, e[0].span), "{");
    let Item::Component(c) = &f.items[0] else {
        panic!()
    };
    // `asn 1` and `originate` survive; the nested block is skipped whole.
    assert_eq!(c.lines.len(), 2);
    assert_eq!(f.items.len(), 2);
}

#[test]
fn recovery_stops_at_item_keywords() {
    let (f, e) = parse(FileId(0), "use\nuse azure extra\nrouter r { asn 1 }\n");
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(matches!(&f.items[2], Item::Component(_)), "{:?}", f.items);
}

#[test]
fn items_on_one_line_need_a_separator() {
    ok("router a { asn 1 }; router b { asn 2 }");
    assert_eq!(codes("router a { asn 1 } router b { asn 2 }"), ["AVS0020"]);
}

#[test]
fn every_code_is_documented() {
    use ParseErrorKind::*;
    let s = String::new;
    let kinds = vec![
        UnexpectedChar { text: s() },
        UnterminatedString,
        InvalidEscape { text: s() },
        NumberTooLarge { text: s() },
        InvalidNumber { text: s() },
        InvalidAddress { text: s() },
        InvalidPrefix { text: s() },
        PrefixLengthTooLong { text: s() },
        HostBitsSet {
            text: s(),
            masked: "10.0.0.0/8".parse().unwrap(),
        },
        Ipv6Unsupported { text: s() },
        InvalidCommunity { text: s() },
        AsnOutOfRange { text: s() },
        NumberOutOfRange {
            text: s(),
            what: "x",
            min: 0,
            max: 1,
        },
        Unexpected { found: s() },
        Unclosed {
            close: '}',
            what: s(),
        },
        UnmatchedClose { close: '}' },
        ExpectedItem { found: s() },
        ExpectedVerdict { found: s() },
        UnknownCondition { found: s() },
        UnknownAction { found: s() },
        UnknownProperty { found: s() },
        UnknownModifier { found: s() },
        UnknownKindLine { found: s() },
        WrongDirection {
            property: "path",
            found: "<->",
            wanted: "->",
        },
        DuplicateOption { option: s() },
        InvalidRepeatCount { text: s() },
        PathNotAllowed { text: s() },
        UnexpectedLineEnd { found: s() },
        NestingTooDeep { limit: 64 },
        TooManyErrors { shown: 100 },
    ];
    let docs = std::fs::read_to_string(format!(
        "{}/docs/diagnostics.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for k in &kinds {
        let code = k.code();
        assert!(seen.insert(code), "{code} used twice");
        assert!(
            docs.contains(&format!("| {code} |")),
            "{code} is not documented in docs/diagnostics.md"
        );
        let msg = ParseError::new(k.clone(), crate::span::Span::default()).message();
        assert!(
            !msg.ends_with('.') && msg.chars().next().is_some_and(|c| !c.is_uppercase()),
            "{msg}"
        );
    }
}

#[test]
fn byte_order_mark_and_crlf() {
    let f = ok("\u{feff}router r {\r\n  asn 1\r\n}\r\nrouter s { asn 2 }\r\n");
    assert_eq!(f.items.len(), 2);
}

#[test]
fn a_lone_carriage_return_is_one_located_error() {
    let text = "use azure\rvnet a { address 10.0.0.0/16 }\rvnet b { address 10.1.0.0/16 }\r";
    let (_, errors) = parse(FileId(0), text);
    let lone: Vec<_> = errors
        .iter()
        .filter(|e| e.kind.code() == "AVS0036")
        .collect();
    assert_eq!(lone.len(), 1, "{errors:?}");
    assert_eq!(lone[0].span.start, 9);
    // CRLF and a CR at the very end are line ends as usual.
    let (_, errors) = parse(FileId(0), "use azure\r\nvnet a { address 10.0.0.0/16 }\r");
    assert!(
        errors.iter().all(|e| e.kind.code() != "AVS0036"),
        "{errors:?}"
    );
}
