//! FRR configuration lines that FRR's bgpd itself refuses, and community names
//! (docs/frr.md): each refused value is a located AVS0900 error whose help quotes
//! FRR's rule (the line is ignored, as bgpd ignores it); each accepted unusual value
//! is read as bgpd reads it. Every expectation here was checked against FRR 8.4's
//! bgpd (`bgpd -C -f FILE` lists the lines it refuses; `show running-config` what it
//! keeps).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::frr::ast::Set;

mod frr_common;
use frr_common::{fw, line_at, parse, word_at};

/// Lines FRR 8.4 refuses: each gives exactly one AVS0900 error, on its own line, at
/// the offending word; the help (where the rule is FRR's, not syntax) quotes it.
#[test]
fn lines_frr_refuses_are_located_errors() {
    // (line, the word the error points at, a phrase of the help or "" for none)
    let cases: &[(&str, &str, &str)] = &[
        (
            "ip prefix-list L seq 5 permit 10.0.0.0/16 le 8",
            "10.0.0.0/16",
            "prefix length <= ge <= le",
        ),
        (
            "ip prefix-list L seq 5 permit 10.0.0.0/16 ge 8",
            "10.0.0.0/16",
            "prefix length <= ge <= le",
        ),
        (
            "ip prefix-list L seq 5 permit 10.0.0.0/16 ge 24 le 20",
            "10.0.0.0/16",
            "Make sure that mask length <= ge <= le",
        ),
        (
            "ip prefix-list L seq 5 permit 10.0.0.0/16 le 0",
            "10.0.0.0/16",
            "here the length is 16",
        ),
        ("ip prefix-list L seq 5 permit 10.0.0.0/16 le 33", "33", ""),
        ("ip prefix-list L seq 5 permit 10.0.0.0/16 ge 33", "33", ""),
        ("ip prefix-list L seq 0 permit 10.0.0.0/16", "0", ""),
        (
            "ip prefix-list L seq 4294967296 permit 10.0.0.0/16",
            "4294967296",
            "",
        ),
        ("access-list 1 seq 0 permit any", "0", ""),
        ("route-map RM permit 0", "0", ""),
        ("route-map RM permit 65536", "65536", ""),
        ("router bgp 0", "0", ""),
        ("router bgp 4294967296", "4294967296", ""),
        (
            "bgp community-list standard C permit 65536:1",
            "65536:1",
            "AA:NN",
        ),
        (
            "bgp community-list standard C permit 1:65536",
            "1:65536",
            "AA:NN",
        ),
        (
            "bgp community-list standard C permit 4294967295",
            "4294967295",
            "AA:NN",
        ),
        (
            "bgp community-list standard C permit 65536",
            "65536",
            "AA:NN",
        ),
    ];
    for (line, at, help) in cases {
        let text = format!("{line}\n");
        let (_, diags) = parse(&text);
        let errors: Vec<_> = diags.iter().filter(|d| d.code == "AVS0900").collect();
        assert_eq!(errors.len(), 1, "{line}: {diags:#?}");
        assert_eq!(line_at(&text, errors[0]), *line);
        assert_eq!(word_at(&text, errors[0]), *at, "{line}");
        if !help.is_empty() {
            assert!(
                errors[0].notes.iter().any(|h| h.contains(help)),
                "{line}: {:#?}",
                errors[0]
            );
        }
    }
}

/// Lines inside a route-map or `router bgp` that FRR refuses.
#[test]
fn route_map_and_neighbor_values_frr_refuses_are_located_errors() {
    let head = "router bgp 65001\n neighbor 10.0.0.3 remote-as 65002\n";
    let cases: &[(&str, &str, &str)] = &[
        (" set ip next-hop 0.0.0.0", "0.0.0.0", "multicast"),
        (" set ip next-hop 224.0.0.1", "224.0.0.1", "multicast"),
        (" set ip next-hop 240.0.0.1", "240.0.0.1", "class E"),
        (
            " set ip next-hop 255.255.255.255",
            "255.255.255.255",
            "class E",
        ),
        (" set as-path prepend 0", "0", ""),
        (" set as-path prepend 4294967296", "4294967296", ""),
        (" set as-path exclude 0", "0", ""),
        (" set metric 4294967296", "4294967296", ""),
        (" set community 65536:1", "65536:1", "AA:NN"),
        (" set community 4294967295", "4294967295", "AA:NN"),
        (" continue 0", "0", ""),
        (" on-match goto 0", "0", ""),
    ];
    for (line, at, help) in cases {
        let text = format!("{head}route-map RM permit 10\n{line}\n");
        let (_, diags) = parse(&text);
        let errors: Vec<_> = diags.iter().filter(|d| d.code == "AVS0900").collect();
        assert_eq!(errors.len(), 1, "{line}: {diags:#?}");
        assert_eq!(line_at(&text, errors[0]), line.trim());
        assert_eq!(word_at(&text, errors[0]), *at, "{line}");
        if !help.is_empty() {
            assert!(
                errors[0].notes.iter().any(|h| h.contains(help)),
                "{line}: {:#?}",
                errors[0]
            );
        }
    }
    let neighbor: &[(&str, &str)] = &[
        (" neighbor 10.0.0.1 remote-as 0", "0"),
        (" neighbor 10.0.0.1 remote-as 4294967296", "4294967296"),
        (" neighbor 10.0.0.3 allowas-in 0", "0"),
        (" neighbor 10.0.0.3 allowas-in 11", "11"),
        (" neighbor 10.0.0.3 weight 65536", "65536"),
        (" neighbor 10.0.0.3 ebgp-multihop 0", "0"),
        (" neighbor 10.0.0.3 ebgp-multihop 256", "256"),
    ];
    for (line, at) in neighbor {
        let text = format!("{head}{line}\n");
        let (_, diags) = parse(&text);
        let errors: Vec<_> = diags.iter().filter(|d| d.code == "AVS0900").collect();
        assert_eq!(errors.len(), 1, "{line}: {diags:#?}");
        assert_eq!(line_at(&text, errors[0]), line.trim());
        assert_eq!(word_at(&text, errors[0]), *at, "{line}");
    }
}

/// Unusual values bgpd 8.4 accepts are accepted, and read as bgpd reads them.
#[test]
fn unusual_values_frr_accepts_are_read() {
    let text = "ip prefix-list A seq 5 permit 0.0.0.0/0 le 0
ip prefix-list B seq 5 permit 10.0.0.0/16 ge 16
ip prefix-list C seq 5 permit 10.0.0.0/16 le 24 ge 20
ip prefix-list D seq 4294967295 permit 10.0.0.0/16 le 16
bgp as-path access-list AP seq 0 permit _65002_
bgp community-list standard CL seq 0 permit 1:1
route-map RM permit 65535
 set local-preference 4294967295
 set ip next-hop 127.0.0.1
 set as-path prepend 65001 65001 65001 65001 65001 65001 65001 65001 65001 65001 65001 65001
router bgp 4294967295
 bgp router-id 224.0.0.1
 neighbor 10.0.0.3 remote-as 65002
 neighbor 10.0.0.3 ebgp-multihop 255
 neighbor 10.0.0.3 ebgp-multihop
";
    let (cfg, diags) = parse(text);
    assert!(diags.iter().all(|d| d.code != "AVS0900"), "{diags:#?}");
    let c = &cfg.prefix_lists["C"].entries[&5].item;
    assert_eq!((c.ge, c.le), (Some(20), Some(24)));
    let a = &cfg.prefix_lists["A"].entries[&5].item;
    assert_eq!((a.ge, a.le), (None, Some(0)));
    assert!(cfg.prefix_lists["D"].entries.contains_key(&4294967295));
    assert!(cfg.as_path_lists["AP"].entries.contains_key(&0));
    assert!(cfg.community_lists["CL"].entries.contains_key(&0));
    assert!(cfg.route_maps["RM"].entries.contains_key(&65535));
    assert_eq!(cfg.bgp.as_ref().unwrap().asn.node, 4294967295);
}

/// The well-known community names FRR 8.4 reads map to their values in
/// community-lists (matching a value is modelled whatever FRR does with it).
#[test]
fn community_names_map_to_their_values() {
    let names = [
        ("internet", (0, 0)),
        ("graceful-shutdown", (65535, 0)),
        ("accept-own", (65535, 1)),
        ("route-filter-translated-v4", (65535, 2)),
        ("route-filter-v4", (65535, 3)),
        ("route-filter-translated-v6", (65535, 4)),
        ("route-filter-v6", (65535, 5)),
        ("llgr-stale", (65535, 6)),
        ("no-llgr", (65535, 7)),
        ("accept-own-nexthop", (65535, 8)),
        ("blackhole", (65535, 666)),
        ("no-export", (65535, 65281)),
        ("no-advertise", (65535, 65282)),
        ("local-AS", (65535, 65283)),
        ("no-peer", (65535, 65284)),
    ];
    for (name, value) in names {
        let text = format!("bgp community-list standard CL permit {name}\n");
        let (cfg, diags) = parse(&text);
        assert!(diags.is_empty(), "{name}: {diags:#?}");
        assert_eq!(
            cfg.community_lists["CL"].entries[&5].item,
            vec![value],
            "{name}"
        );
    }
}

/// `set community` with a value FRR acts on (it changes what FRR advertises, installs
/// or prefers) is AVS0902, named or numeric; the other names are plain values.
#[test]
fn set_community_with_values_frr_acts_on_is_unsupported() {
    for c in [
        "blackhole",
        "65535:666",
        "no-export",
        "65535:65281",
        "no-advertise",
        "65535:65282",
        "local-AS",
        "llgr-stale",
        "65535:6",
    ] {
        let text = format!("route-map RM permit 10\n set community 1:1 {c} additive\n");
        let (_, diags) = parse(&text);
        let e: Vec<_> = diags.iter().filter(|d| d.code == "AVS0902").collect();
        assert_eq!(e.len(), 1, "{c}: {diags:#?}");
        assert_eq!(
            line_at(&text, e[0]),
            format!("set community 1:1 {c} additive")
        );
        assert!(e[0].message.contains(c), "{}", e[0].message);
    }
    for (c, value) in [
        ("internet", (0, 0)),
        ("graceful-shutdown", (65535, 0)),
        ("accept-own", (65535, 1)),
        ("route-filter-v4", (65535, 3)),
        ("no-llgr", (65535, 7)),
        ("accept-own-nexthop", (65535, 8)),
        ("no-peer", (65535, 65284)),
    ] {
        let text = format!("route-map RM permit 10\n set community {c}\n");
        let (cfg, diags) = parse(&text);
        assert!(diags.is_empty(), "{c}: {diags:#?}");
        let sets = &cfg.route_maps["RM"].entries[&10].sets;
        assert!(
            sets.iter().any(|s| matches!(&s.node, Set::Community { communities, additive: false } if communities == &vec![value])),
            "{c}: {sets:#?}"
        );
    }
}

/// `set local-preference +N`/`-N` and a value above 4294967295 are kept by bgpd 8.4
/// (`show running-config` shows them): they change routing, so they are AVS0902, not
/// a syntax error that would drop the line.
#[test]
fn relative_and_oversized_local_preference_is_unsupported() {
    for v in ["+5", "-5", "4294967296"] {
        let text = format!("route-map RM permit 10\n set local-preference {v}\n");
        let (_, diags) = parse(&text);
        assert_eq!(diags.len(), 1, "{v}: {diags:#?}");
        assert_eq!(diags[0].code, "AVS0902", "{v}");
        assert_eq!(
            line_at(&text, &diags[0]),
            format!("set local-preference {v}")
        );
    }
}

/// `n` neighbor lines, each a new address (the tester's ml*.conf shape).
fn many_neighbors(n: u32) -> String {
    let mut s = String::from("router bgp 65001\n");
    for i in 0..n {
        let [_, a, b, c] = i.to_be_bytes();
        s.push_str(&format!(" neighbor 10.{a}.{b}.{c} remote-as {}\n", i + 1));
    }
    s
}

/// Reading a configuration grows linearly with its neighbor lines: four times the
/// lines take well under sixteen times as long (a lookup by address per line made it
/// quadratic: 100,000 lines took 50 s). Timed as the best of three runs each, so a
/// busy machine does not make it fail.
#[test]
fn many_neighbor_lines_are_read_in_linear_time() {
    let best = |text: &str| {
        (0..3)
            .map(|_| {
                let t = std::time::Instant::now();
                let (cfg, _) = parse(text);
                assert!(cfg.bgp.is_some());
                t.elapsed()
            })
            .min()
            .unwrap()
    };
    let small = many_neighbors(10_000);
    let large = many_neighbors(40_000);
    let (ts, tl) = (best(&small), best(&large));
    let (cfg, _) = parse(&large);
    assert_eq!(cfg.bgp.unwrap().neighbors.len(), 40_000);
    assert!(
        tl.as_secs_f64() < 10.0 * ts.as_secs_f64().max(0.001),
        "10k lines: {ts:?}, 40k lines: {tl:?}"
    );
}

/// Statements inside `router bgp` that avscheck reads but does not act on are never
/// silent: the ones that may keep a session down or change what is sent back are
/// AVS0903 (what the model assumes), route-reflection settings without clients are
/// AVS0921 (why they change nothing); each on its own line.
#[test]
fn ignored_router_bgp_statements_are_located_warnings() {
    let head = "router bgp 65001\n neighbor 10.0.0.3 remote-as 65002\n";
    let cases: &[(&str, &str, &str)] = &[
        (" neighbor 10.0.0.3 solo", "AVS0903", "allowas-in"),
        (
            " neighbor 10.0.0.3 interface eth0",
            "AVS0903",
            "binds the session",
        ),
        (
            " neighbor 10.0.0.3 passive",
            "AVS0903",
            "both sides are passive",
        ),
        (" neighbor 10.0.0.3 ttl-security hops 1", "AVS0903", "hops"),
        (
            " neighbor 10.0.0.3 strict-capability-match",
            "AVS0903",
            "capabilities",
        ),
        (
            " neighbor 10.0.0.3 dont-capability-negotiate",
            "AVS0903",
            "capabilities",
        ),
        (" bgp cluster-id 1.1.1.1", "AVS0921", "route reflection"),
        (
            " bgp route-reflector allow-outbound-policy",
            "AVS0921",
            "route-reflector-client",
        ),
        (" no bgp enforce-first-as", "AVS0903", "first AS"),
    ];
    for (line, code, why) in cases {
        let text = format!("{head}{line}\n");
        let (_, diags) = parse(&text);
        assert_eq!(diags.len(), 1, "{line}: {diags:#?}");
        let d = &diags[0];
        assert_eq!(d.code, *code, "{line}");
        assert_eq!(d.severity, avscheck::Severity::Warning, "{line}");
        assert_eq!(line_at(&text, d), line.trim());
        assert!(d.message.contains(why), "{line}: {}", d.message);
    }
    // FRR's defaults and their `no` forms of reflection settings stay quiet.
    for line in [
        " bgp enforce-first-as",
        " no bgp cluster-id",
        " neighbor 10.0.0.3 update-source 10.0.0.1",
        " neighbor 10.0.0.3 ebgp-multihop 2",
    ] {
        let (_, diags) = parse(&format!("{head}{line}\n"));
        assert!(diags.is_empty(), "{line}: {diags:#?}");
    }
}

fn spans_inside(a: &avscheck::Analysis) {
    for d in &a.diagnostics {
        for l in &d.labels {
            let t = a.sources.text(l.span.file);
            assert!(
                l.span.start <= l.span.end && (l.span.end as usize) <= t.len(),
                "{d:#?}"
            );
            assert!(
                t.is_char_boundary(l.span.start as usize)
                    && t.is_char_boundary(l.span.end as usize)
            );
        }
    }
}

/// The hostile configurations of `tests/frr_hostile_configs/` (also the fuzz corpus's
/// seeds, fuzz/README.md), and 40 seeded mutations of each (lines dropped, repeated,
/// swapped, cut in the middle), go through the parser and the whole pipeline: located
/// diagnostics, every span inside its file, never a panic.
#[test]
fn hostile_configurations_and_their_mutations_never_panic() {
    use rand::{Rng, SeedableRng};
    let dir = format!("{}/tests/frr_hostile_configs", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 4);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut variants = vec![text.clone()];
        for _ in 0..40 {
            let mut v: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            for _ in 0..rng.gen_range(1..6) {
                let i = rng.gen_range(0..v.len());
                match rng.gen_range(0..4) {
                    0 => {
                        v.remove(i);
                    }
                    1 => {
                        let l = v[i].clone();
                        v.insert(rng.gen_range(0..v.len()), l);
                    }
                    2 => {
                        let j = rng.gen_range(0..v.len());
                        v.swap(i, j);
                    }
                    _ => {
                        let cut = v[i]
                            .char_indices()
                            .map(|(k, _)| k)
                            .nth(rng.gen_range(0..=v[i].chars().count().max(1) - 1))
                            .unwrap_or(0);
                        v[i].truncate(cut);
                    }
                }
                if v.is_empty() {
                    v.push(String::new());
                }
            }
            variants.push(v.join("\n"));
        }
        for t in variants {
            let (_, diags) = parse(&t);
            for d in &diags {
                for l in &d.labels {
                    assert!((l.span.end as usize) <= t.len());
                }
            }
            let a = fw(&t);
            spans_inside(&a);
            if let (false, Some(net)) = (a.has_errors(), a.network.as_ref()) {
                let _ = avscheck::sim::stable_state(net, &avscheck::sim::Scenario::default());
            }
        }
    }
}

/// `ignored.conf` is a working configuration: its ignored statements are nine
/// warnings on their lines, and the design is analysed.
#[test]
fn the_ignored_statements_configuration_is_analysed_with_warnings() {
    let path = format!(
        "{}/tests/frr_hostile_configs/ignored.conf",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let a = fw(&text);
    let warned: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == "AVS0903" || d.code == "AVS0921")
        .collect();
    assert_eq!(warned.len(), 9, "{:#?}", a.diagnostics);
    assert!(!a.has_errors(), "{:#?}", a.diagnostics);
    assert!(!a.is_unusable());
}

/// `no` forms that remove routing configuration read earlier (issue #14): FRR removes
/// the statement, so ignoring the line would analyse another router. Each is one
/// AVS0902 error on its own line; the `no` forms avscheck applies stay quiet.
#[test]
fn no_forms_that_remove_configuration_are_errors() {
    let lines = [
        "no ip route 10.50.0.0/16 10.100.1.1",
        "no ip prefix-list PL seq 5 permit 10.0.0.0/8",
        "no route-map DENY deny 10",
        "no bgp as-path access-list A permit _65010_",
        "no access-list 1",
        " no network 10.50.0.0/16",
        " no neighbor 10.100.0.4 route-map DENY out",
        " no neighbor 10.100.0.4 prefix-list PL in",
        " no aggregate-address 10.0.0.0/8",
        " no redistribute static",
    ];
    for l in lines {
        let text = format!(
            "ip route 10.50.0.0/16 10.100.1.1\nroute-map DENY deny 10\nrouter bgp 65010\n neighbor 10.100.0.4 remote-as 65515\n address-family ipv4 unicast\n  network 10.50.0.0/16\n {l}\n"
        );
        let (_, diags) = parse(&text);
        let errs: Vec<_> = diags.iter().filter(|d| d.code == "AVS0902").collect();
        assert_eq!(errs.len(), 1, "{l}: {diags:?}");
        assert_eq!(line_at(&text, errs[0]), l.trim(), "{l}");
    }
    // Read as before: no error.
    for l in [
        " no neighbor 10.100.0.4 activate",
        " no bgp ebgp-requires-policy",
        "no ip nht resolve-via-default",
        "no log monitor",
    ] {
        let text = format!(
            "router bgp 65010\n neighbor 10.100.0.4 remote-as 65515\n address-family ipv4 unicast\n {l}\n"
        );
        let (_, diags) = parse(&text);
        assert!(diags.iter().all(|d| d.code != "AVS0902"), "{l}: {diags:?}");
    }
}

/// Static-route forms and lines that change forwarding (issue #14): a floating static
/// (distance other than 1), a route out of an interface, `ip protocol ... route-map`
/// and an interface `shutdown` are AVS0902; `tag N` is read with warning AVS0921.
#[test]
fn statics_with_distance_interface_or_zebra_filter_are_errors() {
    for l in [
        "ip route 10.50.0.0/16 10.100.1.1 250",
        "ip route 10.54.0.0/16 blackhole 250",
        "ip route 10.2.0.0/16 Null0 250",
        "ip route 10.50.0.0/16 eth0",
        "ip route 10.50.0.0/16 10.100.1.1 table 10",
        "ip protocol bgp route-map NOFIB",
    ] {
        let text = format!("{l}\n");
        let (cfg, diags) = parse(&text);
        let errs: Vec<_> = diags.iter().filter(|d| d.code == "AVS0902").collect();
        assert_eq!(errs.len(), 1, "{l}: {diags:?}");
        assert!(cfg.statics.is_empty(), "{l}");
    }
    let text = "interface eth0\n ip address 10.100.1.4/24\n shutdown\n";
    let (_, diags) = parse(text);
    let errs: Vec<_> = diags.iter().filter(|d| d.code == "AVS0902").collect();
    assert_eq!(errs.len(), 1, "{diags:?}");
    assert_eq!(line_at(text, errs[0]), "shutdown");
    let (_, diags) = parse("interface eth0\n no shutdown\n");
    assert!(diags.is_empty(), "{diags:?}");
    // Read as static routes.
    for (l, warns) in [
        ("ip route 10.53.0.0/16 10.100.1.1 tag 7", 1),
        ("ip route 10.53.0.0/16 10.100.1.1 eth0", 0),
        ("ip route 10.53.0.0/16 10.100.1.1 1", 0),
    ] {
        let (cfg, diags) = parse(&format!("{l}\n"));
        assert_eq!(cfg.statics.len(), 1, "{l}");
        assert_eq!(diags.len(), warns, "{l}: {diags:?}");
        assert!(diags.iter().all(|d| d.code == "AVS0921"), "{l}: {diags:?}");
    }
}

/// An IPv4 `network` or `aggregate-address` inside `address-family ipv6 unicast` is
/// no statement of that family: FRR's bgpd falls back to the `router bgp` node (IPv4
/// unicast), reads it there and stays there (issue #14, checked with FRR 8.4).
#[test]
fn ipv4_network_in_another_family_falls_back_to_router_bgp() {
    let text = "router bgp 65010\n neighbor 10.100.0.4 remote-as 65515\n address-family ipv6 unicast\n  network 10.50.0.0/16\n  aggregate-address 10.0.0.0/8\n  neighbor 10.100.0.4 route-map ALL out\n exit-address-family\n";
    let (cfg, diags) = parse(text);
    let bgp = cfg.bgp.unwrap();
    assert_eq!(bgp.networks.len(), 1, "{diags:?}");
    assert_eq!(bgp.aggregates.len(), 1, "{diags:?}");
    // bgpd stays in `router bgp`: the neighbor line after is IPv4 unicast too.
    assert_eq!(bgp.neighbors[0].route_map.len(), 1, "{diags:?}");
}

/// bgpd reads unambiguous prefixes of keywords (`nei A route-map M out`); avscheck
/// reads full keywords, so an abbreviation is error AVS0902 on the word, not a line
/// silently dropped (issue #14).
#[test]
fn abbreviated_commands_are_errors() {
    for l in [
        "  nei 10.100.0.4 route-map TO-ARS out",
        "  netw 10.50.0.0/16",
        "  redist static",
        "route-m X permit 10",
    ] {
        let text = format!("router bgp 65010\n neighbor 10.100.0.4 remote-as 65515\n address-family ipv4 unicast\n{l}\n");
        let (_, diags) = parse(&text);
        let errs: Vec<_> = diags.iter().filter(|d| d.code == "AVS0902").collect();
        assert_eq!(errs.len(), 1, "{l}: {diags:?}");
        assert_eq!(
            word_at(&text, errs[0]),
            l.split_whitespace().next().unwrap()
        );
    }
}

/// `router bgp` without an ASN enters the instance configured earlier (FRR); before
/// any instance it is refused.
#[test]
fn router_bgp_without_asn_enters_the_existing_instance() {
    let text = "router bgp 65010\n neighbor 10.100.0.4 remote-as 65515\n!\nroute-map ALL permit 20\n!\nrouter bgp\n address-family ipv4 unicast\n  network 10.50.0.0/16\n  neighbor 10.100.0.4 route-map ALL out\n";
    let (cfg, diags) = parse(text);
    assert!(diags.is_empty(), "{diags:?}");
    let bgp = cfg.bgp.unwrap();
    assert_eq!(bgp.networks.len(), 1);
    assert_eq!(bgp.neighbors[0].route_map.len(), 1);
    let (cfg, diags) = parse("router bgp\n network 10.50.0.0/16\n");
    assert!(cfg.bgp.is_none());
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, "AVS0900");
}

/// `bgp suppress-fib-pending` is read with warning AVS0921, not silently.
#[test]
fn suppress_fib_pending_is_a_warning() {
    let (_, diags) = parse("router bgp 65010\n bgp suppress-fib-pending\n");
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, "AVS0921");
}

/// Netmask forms FRR accepts (issue #14): `network A mask M` and `ip route A M NH`
/// are read as the prefix A/len(M); a non-contiguous mask is AVS0900 on the mask.
#[test]
fn netmask_forms_are_read_as_prefixes() {
    let text = "ip route 10.60.0.0 255.255.0.0 10.100.1.1\nrouter bgp 65010\n network 10.60.0.0 mask 255.255.0.0\n";
    let (cfg, diags) = parse(text);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(cfg.statics[0].prefix.to_string(), "10.60.0.0/16");
    assert_eq!(
        cfg.bgp.unwrap().networks[0].node.to_string(),
        "10.60.0.0/16"
    );
    for (l, w) in [
        ("ip route 10.60.0.0 255.0.255.0 10.100.1.1", "255.0.255.0"),
        (
            "router bgp 65010\n network 10.60.0.0 mask 255.0.255.0",
            "255.0.255.0",
        ),
    ] {
        let text = format!("{l}\n");
        let (_, diags) = parse(&text);
        assert_eq!(diags.len(), 1, "{l}: {diags:?}");
        assert_eq!(diags[0].code, "AVS0900");
        assert_eq!(word_at(&text, &diags[0]), w);
    }
}

/// A top-level statement inside `router bgp` ends the block in FRR; the `router bgp`
/// lines after it are rejected by bgpd and ignored, with a warning saying so (issue
/// #14), pointing at the statement that ended the block.
#[test]
fn bgp_lines_after_a_top_level_statement_fall_outside_router_bgp() {
    let text = "route-map ALL permit 10\nrouter bgp 65010\n neighbor 10.100.0.4 remote-as 65515\nip prefix-list X seq 5 permit any\n neighbor 10.100.0.4 route-map ALL out\n network 10.50.0.0/16\n";
    let (cfg, diags) = parse(text);
    assert_eq!(diags.len(), 2, "{diags:?}");
    for d in &diags {
        assert_eq!(d.code, "AVS0901");
        assert!(d.message.contains("outside `router bgp`"), "{}", d.message);
        let s = d.labels[1].span.start as usize;
        assert!(text[s..].starts_with("ip prefix-list X"));
    }
    let bgp = cfg.bgp.unwrap();
    assert!(bgp.networks.is_empty());
    assert!(bgp.neighbors[0].route_map.is_empty());
}

/// `no ip address A/L` in an `interface` block (FRR 8.4's zebra `-C`): an address an
/// earlier `ip address` line set is removed (no connected prefix, no drift); one the
/// configuration never set zebra refuses ("% Can't find address"), as it does
/// `no ip address` without an address: AVS0900 on the line, ignored.
#[test]
fn no_ip_address_removes_a_configured_interface_address() {
    let text = "interface eth0\n ip address 10.9.0.4/24\n ip address 10.100.1.4/24\n no ip address 10.9.0.4/24\n no shutdown\n";
    let (cfg, d) = parse(text);
    assert!(d.is_empty(), "{d:#?}");
    let kept: Vec<String> = cfg
        .interface_addresses
        .iter()
        .map(|a| a.node.to_string())
        .collect();
    assert_eq!(kept, ["10.100.1.0/24"]);
    for line in [
        " no ip address 10.9.0.4/24",
        " no ip address 10.100.1.5/24",
        " no ip address",
    ] {
        let text = format!("interface eth0\n ip address 10.100.1.4/24\n{line}\n");
        let (cfg, d) = parse(&text);
        assert_eq!(d.len(), 1, "{line}: {d:#?}");
        assert_eq!(d[0].code, "AVS0900", "{line}");
        assert_eq!(line_at(&text, &d[0]), line.trim());
        assert_eq!(cfg.interface_addresses.len(), 1, "{line}");
    }
    // Through the model: the drifted address, removed again, is no drift.
    let conf = "frr version 8.4\nip nht resolve-via-default\ninterface eth0\n ip address 10.9.0.4/24\n no ip address 10.9.0.4/24\n!\nrouter bgp 65010\n neighbor 10.100.0.4 remote-as 65515\n neighbor 10.100.0.5 remote-as 65515\n neighbor 10.100.0.4 ebgp-multihop 2\n neighbor 10.100.0.5 ebgp-multihop 2\n no bgp ebgp-requires-policy\n";
    let a = fw(conf);
    assert!(a.diagnostics.is_empty(), "{:#?}", a.diagnostics);
    let a = fw(&conf.replace(" no ip address 10.9.0.4/24\n", ""));
    assert_eq!(
        a.diagnostics.iter().filter(|d| d.code == "AVS0923").count(),
        1,
        "{:#?}",
        a.diagnostics
    );
}

/// An abbreviation anywhere a keyword is expected — a neighbor setting, a `bgp`
/// setting, `permit`/`deny`, `in`/`out`, an `ip` statement — is AVS0902 on the word
/// (bgpd reads it as the keyword: FRR 8.4's `bgpd -C` accepts each line), also a
/// prefix of several keywords (bgpd chooses by the rest of the line).
#[test]
fn abbreviated_keywords_after_the_first_word_are_errors() {
    for (l, word) in [
        (" neighbor 10.100.0.4 remote 65001", "remote"),
        (" neighbor 10.100.0.4 route-map X o", "o"),
        (" neighbor 10.100.0.4 ebgp-multi 2", "ebgp-multi"),
        (" bgp deterministic", "deterministic"),
        ("route-map X perm 10", "perm"),
        ("ip prefix-l X seq 5 permit 10.0.0.0/8", "prefix-l"),
        ("ip prefix-list X seq 5 perm 10.0.0.0/8", "perm"),
    ] {
        let text = format!("router bgp 65010\n neighbor 10.100.0.4 remote-as 65515\n{l}\n");
        let (_, diags) = parse(&text);
        let errs: Vec<_> = diags.iter().filter(|d| d.code == "AVS0902").collect();
        assert_eq!(errs.len(), 1, "{l}: {diags:?}");
        assert_eq!(word_at(&text, errs[0]), word, "{l}");
        assert_eq!(line_at(&text, errs[0]), l.trim());
    }
    // `route` begins `route-map`, `route-reflector-client` and `route-server-client`;
    // FRR 8.4's `bgpd -C` reads `route X out` as `route-map` (by the rest of the line).
    let text = "router bgp 65010\n neighbor 10.100.0.4 remote-as 65515\n neighbor 10.100.0.4 route X out\n";
    let (_, diags) = parse(text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, "AVS0902");
    assert_eq!(word_at(text, &diags[0]), "route");
    assert!(
        diags[0].labels[0].message.contains("`route-map`"),
        "{diags:?}"
    );
    // A design with one is not analysed.
    let a = fw("router bgp 65010\n neighbor 10.100.0.4 remote 65515\n");
    assert!(
        a.is_unusable() || a.network.is_none(),
        "{:#?}",
        a.diagnostics
    );
}
