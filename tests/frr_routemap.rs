//! Route-map compilation (`frr::translate`) against a direct interpreter of FRR's
//! route-map semantics (`route_map_apply_ext`: entries by sequence number; a
//! non-matching entry makes the result "deny"; a matching permit entry applies its
//! sets and exits, or goes on after `on-match next`/`continue`; a matching deny
//! entry denies; lists decide by their first matching entry), on random route-maps,
//! lists and routes. As-path regular expressions are evaluated by the `regex` crate
//! with FRR's `_`, independently of the translation's subset mapping.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use avscheck::frr::ast::{AccessEntry, Config, Exit, Match, Set};
use avscheck::frr::translate::{self, NodeEnv, Peer};
use avscheck::ir::{Action, Condition, NodeId, TagId, TunnelId};
use avscheck::FileId;
use ipnet::Ipv4Net;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

#[derive(Clone, Debug, PartialEq, Eq)]
struct R {
    prefix: Ipv4Net,
    path: Vec<u32>,
    /// The AS_SET after the sequence (sorted; empty: none), printed `{a,b}` by FRR.
    set: Vec<u32>,
    comms: BTreeSet<(u16, u16)>,
    lp: u32,
    med: u32,
}

struct D {
    tags: BTreeMap<(u16, u16), TagId>,
}

impl translate::Design for D {
    fn peer(&self, _: Ipv4Addr) -> Option<Peer> {
        Some(Peer {
            node: NodeId(1),
            name: "peer".into(),
            asn: 65002,
            tunnel: None::<TunnelId>,
            instances: vec![],
            circuit: false,
        })
    }
    fn node_at(&self, _: Ipv4Addr) -> Option<NodeId> {
        None
    }
    fn tag(&mut self, c: (u16, u16)) -> TagId {
        let n = self.tags.len() as u32;
        *self.tags.entry(c).or_insert(TagId(n))
    }
    fn all_tags(&self) -> Vec<TagId> {
        self.tags.values().copied().collect()
    }
    fn peered_at(&self, _: NodeId) -> Option<(Vec<Ipv4Addr>, avscheck::Span)> {
        None
    }

    fn tag_community(&self, tag: TagId) -> Option<(u16, u16)> {
        self.tags.iter().find(|(_, t)| **t == tag).map(|(c, _)| *c)
    }
}

const ASNS: [u32; 4] = [65001, 65002, 65003, 65515];
const COMMS: [(u16, u16); 3] = [(65001, 1), (65001, 2), (65002, 7)];

fn prefixes() -> Vec<Ipv4Net> {
    [
        "10.0.0.0/8",
        "10.1.0.0/16",
        "10.1.0.0/22",
        "10.1.4.0/24",
        "10.1.4.128/25",
        "10.2.0.0/16",
        "10.2.3.0/24",
        "0.0.0.0/0",
        "192.168.0.0/24",
    ]
    .iter()
    .map(|p| p.parse().unwrap())
    .collect()
}

fn pick<T: Copy>(rng: &mut StdRng, v: &[T]) -> T {
    v[rng.gen_range(0..v.len())]
}

/// A random configuration: lists and route-map `M`, applied inbound on one neighbor.
fn config(rng: &mut StdRng) -> String {
    let ps = prefixes();
    let mut s = String::from("frr version 8.4\n");
    for l in ["PA", "PB"] {
        for i in 0..rng.gen_range(1..4) {
            let p = pick(rng, &ps);
            let v = if rng.gen_bool(0.6) { "permit" } else { "deny" };
            let mut line = format!("ip prefix-list {l} seq {} {v} {p}", (i + 1) * 5);
            let len = p.prefix_len();
            if rng.gen_bool(0.5) && len < 32 {
                let ge = rng.gen_range(len + 1..=32);
                line.push_str(&format!(" ge {ge}"));
                if rng.gen_bool(0.5) {
                    line.push_str(&format!(" le {}", rng.gen_range(ge..=32)));
                }
            } else if rng.gen_bool(0.4) {
                line.push_str(&format!(" le {}", rng.gen_range(len..=32)));
            }
            s.push_str(&line);
            s.push('\n');
        }
    }
    let regexes = |rng: &mut StdRng| -> String {
        let a = pick(rng, &ASNS);
        match rng.gen_range(0..6) {
            0 => format!("_{a}_"),
            1 => format!("^{a}$"),
            2 => "^$".into(),
            3 => ".*".into(),
            4 => "^[0-9]+ [0-9]+".into(),
            _ => "^[0-9]+$".into(),
        }
    };
    for i in 0..rng.gen_range(1..3) {
        let v = if rng.gen_bool(0.6) { "permit" } else { "deny" };
        let re = regexes(rng);
        s.push_str(&format!(
            "bgp as-path access-list AP seq {} {v} {re}\n",
            (i + 1) * 5
        ));
    }
    for i in 0..rng.gen_range(1..3) {
        let v = if rng.gen_bool(0.7) { "permit" } else { "deny" };
        let (a, b) = pick(rng, &COMMS);
        s.push_str(&format!(
            "bgp community-list standard CL seq {} {v} {a}:{b}\n",
            (i + 1) * 5
        ));
    }
    s.push_str("access-list 10 permit 10.1.0.0 0.0.255.255\naccess-list 10 deny any\n");
    let n = rng.gen_range(1..5);
    for e in 0..n {
        let seq = (e + 1) * 10;
        let v = if rng.gen_bool(0.7) { "permit" } else { "deny" };
        s.push_str(&format!("route-map M {v} {seq}\n"));
        let mut kinds: Vec<u8> = Vec::new();
        for _ in 0..rng.gen_range(0..3) {
            let k = rng.gen_range(0..5u8);
            if kinds.contains(&k) {
                continue;
            }
            kinds.push(k);
            s.push_str(match k {
                0 => " match ip address prefix-list PA\n",
                1 => " match ip address prefix-list PB\n",
                2 => " match as-path AP\n",
                3 => " match community CL\n",
                _ => " match ip address 10\n",
            });
        }
        if v == "permit" {
            if rng.gen_bool(0.5) {
                s.push_str(&format!(
                    " set local-preference {}\n",
                    rng.gen_range(50..300)
                ));
            }
            if rng.gen_bool(0.3) {
                s.push_str(&format!(" set metric {}\n", rng.gen_range(0..100)));
            }
            match rng.gen_range(0..4) {
                0 => s.push_str(&format!(" set as-path prepend {}\n", pick(rng, &ASNS))),
                1 => s.push_str(&format!(" set as-path exclude {}\n", pick(rng, &ASNS))),
                _ => {}
            }
            let (a, b) = pick(rng, &COMMS);
            match rng.gen_range(0..10) {
                0..=2 => s.push_str(&format!(" set community {a}:{b} additive\n")),
                3 => s.push_str(&format!(" set community {a}:{b}\n")),
                4 => s.push_str(" set community none\n"),
                _ => {}
            }
            match rng.gen_range(0..5) {
                0 => s.push_str(" on-match next\n"),
                1 if e + 2 < n => s.push_str(&format!(" continue {}\n", (e + 3) * 10)),
                _ => {}
            }
        }
    }
    s.push_str(
        "router bgp 65010\n neighbor 10.9.9.9 remote-as 65002\n neighbor 10.9.9.9 route-map M in\n",
    );
    s
}

fn frr_regex(re: &str) -> regex::Regex {
    // FRR's bgpd/bgp_regex.c: `_` stands for `(^|[,{}() ]|$)`.
    regex::Regex::new(&re.replace('_', "(?:^|[,{}() ]|$)")).unwrap()
}

/// FRR's list semantics: the first matching entry decides; none: deny.
fn list<T>(l: Option<&avscheck::frr::ast::FilterList<T>>, m: impl Fn(&T) -> bool) -> bool {
    l.and_then(|l| l.entries.values().find(|e| m(&e.item)).map(|e| e.permit))
        .unwrap_or(false)
}

fn reference(c: &Config, r: &R) -> Option<R> {
    let map = c.route_maps.get("M")?;
    let mut out = r.clone();
    let mut permit = false;
    let entries: Vec<_> = map.entries.values().collect();
    let mut i = 0;
    while let Some(e) = entries.get(i) {
        // The path as FRR prints it: the sequence, then the AS_SET in braces.
        let mut parts: Vec<String> = r.path.iter().map(u32::to_string).collect();
        if !r.set.is_empty() {
            let set: Vec<String> = r.set.iter().map(u32::to_string).collect();
            parts.push(format!("{{{}}}", set.join(",")));
        }
        let path_s = parts.join(" ");
        let holds = e.matches.iter().all(|m| match &m.node {
            Match::PrefixList(n) => list(c.prefix_lists.get(n), |p| {
                let len = p.prefix.prefix_len();
                let (ge, le) = match (p.ge, p.le) {
                    (None, None) => (len, len),
                    (Some(g), None) => (g, 32),
                    (None, Some(l)) => (len, l),
                    (Some(g), Some(l)) => (g, l),
                };
                p.prefix.contains(&r.prefix)
                    && ge <= r.prefix.prefix_len()
                    && r.prefix.prefix_len() <= le
            }),
            Match::AccessList(n) => list(c.access_lists.get(n), |a| match a {
                AccessEntry::Any => true,
                AccessEntry::Address(net) => net.contains(&r.prefix.network()),
                AccessEntry::Prefix { prefix, exact } => {
                    if *exact {
                        *prefix == r.prefix
                    } else {
                        prefix.contains(&r.prefix)
                    }
                }
            }),
            Match::AsPath(n) => list(c.as_path_lists.get(n), |a| {
                frr_regex(&a.regex.node).is_match(&path_s)
            }),
            Match::Community(n) => list(c.community_lists.get(n), |cs| {
                cs.iter().all(|x| r.comms.contains(x))
            }),
        });
        if !holds {
            permit = false;
            i += 1;
            continue;
        }
        if !e.permit {
            return None;
        }
        permit = true;
        for s in &e.sets {
            match &s.node {
                Set::LocalPref(n) => out.lp = *n,
                Set::Metric(n) => out.med = *n,
                Set::Prepend(l) => {
                    let mut p = l.clone();
                    p.extend(out.path.iter().copied());
                    out.path = p;
                }
                Set::Exclude(l) => {
                    out.path.retain(|a| !l.contains(a));
                    out.set.retain(|a| !l.contains(a));
                }
                Set::Community {
                    communities,
                    additive,
                } => {
                    if !*additive {
                        out.comms.clear();
                    }
                    out.comms.extend(communities.iter().copied());
                }
                _ => unreachable!(),
            }
        }
        match e.exit.as_ref().map(|x| x.node) {
            None => return Some(out),
            Some(Exit::Next) => i += 1,
            Some(Exit::Goto(n)) => {
                i = entries
                    .iter()
                    .position(|x| x.seq >= n && x.seq > e.seq)
                    .unwrap_or(entries.len());
            }
        }
    }
    permit.then_some(out)
}

fn compiled(p: &avscheck::ir::Policy, tags: &BTreeMap<(u16, u16), TagId>, r: &R) -> Option<R> {
    let tag_of: BTreeMap<TagId, (u16, u16)> = tags.iter().map(|(c, t)| (*t, *c)).collect();
    let rule = p.rules.iter().find(|rule| {
        rule.conditions.iter().all(|c| match c {
            Condition::Prefix(rs) => rs.iter().any(|x| x.matches(&r.prefix)),
            Condition::AsPathContains(a) => r.path.contains(a) || r.set.contains(a),
            Condition::AsPathLength(op, n) => {
                op.eval((r.path.len() + usize::from(!r.set.is_empty())) as u32, *n)
            }
            Condition::AsSequenceLength(op, n) => op.eval(r.path.len() as u32, *n),
            Condition::NoAsSet => r.set.is_empty(),
            Condition::Tag(t) => r.comms.contains(&tag_of[t]),
            Condition::OriginatedBy(_) => unreachable!(),
        })
    })?;
    if !rule.permit {
        return None;
    }
    let mut out = r.clone();
    for a in &rule.actions {
        match a {
            Action::SetLocalPref(n) => out.lp = *n,
            Action::SetMed(n) => out.med = *n,
            Action::Prepend(a, k) => {
                for _ in 0..*k {
                    out.path.insert(0, *a);
                }
            }
            Action::RemoveAs(l) => {
                out.path.retain(|a| !l.contains(a));
                out.set.retain(|a| !l.contains(a));
            }
            Action::AddTag(t) => {
                out.comms.insert(tag_of[t]);
            }
            Action::RemoveTag(t) => {
                out.comms.remove(&tag_of[t]);
            }
            other => panic!("unexpected action {other:?}"),
        }
    }
    Some(out)
}

#[test]
fn compiled_route_maps_agree_with_frr_semantics() {
    let mut rng = StdRng::seed_from_u64(2026);
    let ps = prefixes();
    let (mut maps, mut routes) = (0, 0);
    for _ in 0..400 {
        let text = config(&mut rng);
        let (cfg, diags) = avscheck::frr::parse(FileId(0), &text);
        assert!(diags.iter().all(|d| !d.is_error()), "{text}\n{diags:#?}");
        // Every community a route can carry is a tag before the translation (as
        // sema's lowering interns them), so `set community` without `additive`
        // removes them all.
        let mut d = D {
            tags: BTreeMap::new(),
        };
        for c in COMMS {
            translate::Design::tag(&mut d, c);
        }
        let t = translate::translate(&cfg, &NodeEnv::default(), &mut d);
        if t.diags.iter().any(|x| x.is_error()) {
            continue; // outside the supported subset (e.g. a continue reading its sets)
        }
        let policy = &t.policies[t.sessions[0].import[0]];
        maps += 1;
        for _ in 0..60 {
            let path: Vec<u32> = (0..rng.gen_range(0..4))
                .map(|_| pick(&mut rng, &ASNS))
                .collect();
            let comms: BTreeSet<(u16, u16)> = COMMS
                .iter()
                .copied()
                .filter(|_| rng.gen_bool(0.4))
                .collect();
            // One route in four carries an AS_SET (an `aggregate-address ... as-set`).
            let mut set: Vec<u32> = if rng.gen_bool(0.25) {
                (0..rng.gen_range(1..3))
                    .map(|_| pick(&mut rng, &ASNS))
                    .collect()
            } else {
                Vec::new()
            };
            set.sort_unstable();
            set.dedup();
            let r = R {
                prefix: pick(&mut rng, &ps),
                path,
                set,
                comms,
                lp: 100,
                med: 0,
            };
            routes += 1;
            assert_eq!(
                reference(&cfg, &r),
                compiled(policy, &d.tags, &r),
                "route {r:?}\nconfig:\n{text}\nrules: {:#?}",
                policy.rules
            );
        }
    }
    assert!(maps > 300, "{maps} maps compiled");
    eprintln!("{maps} route-maps, {routes} routes compared");
}
