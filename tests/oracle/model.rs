//! A small BGP topology model, independent of the compiler: the oracle emits both the
//! `.avs` design (core `router` kind only) and one FRR `bgpd.conf` per router from it,
//! so a bug in avscheck's parser or lowering cannot hide by being mirrored in the oracle.
//!
//! Only what FRR 8.4 can express faithfully is modelled (see `tests/oracle/README.md`):
//! no `originated_by`, no named (wire-less) tags, no `replace_as`, no `set next_hop`.

use ipnet::Ipv4Net;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::net::Ipv4Addr;

#[derive(Clone, Debug)]
pub struct Design {
    pub name: String,
    /// What the design exercises (written as a comment at the top of the `.avs`).
    pub about: String,
    pub routers: Vec<Router>,
    pub policies: Vec<Policy>,
    pub prefix_lists: Vec<PrefixList>,
    /// Hand-computed best routes: (router, prefix, Some(AS path) | None = no route).
    pub expect: Vec<Expect>,
}

#[derive(Clone, Debug)]
pub struct Expect {
    pub router: String,
    pub prefix: Ipv4Net,
    pub as_path: Option<Vec<u32>>,
}

#[derive(Clone, Debug)]
pub struct Router {
    pub name: String,
    pub asn: u32,
    pub router_id: Ipv4Addr,
    pub originate: Vec<Ipv4Net>,
    pub peers: Vec<Peer>,
}

#[derive(Clone, Debug)]
pub struct Peer {
    pub name: String,
    pub import: Option<String>,
    pub export: Option<String>,
    pub allowas_in: bool,
}

#[derive(Clone, Debug)]
pub struct PrefixList {
    pub name: String,
    pub entries: Vec<PrefixMatch>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrefixMatch {
    pub prefix: Ipv4Net,
    pub ge: Option<u8>,
    pub le: Option<u8>,
}

#[derive(Clone, Debug)]
pub struct Policy {
    pub name: String,
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub permit: bool,
    pub conds: Vec<Cond>,
    pub actions: Vec<Act>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cond {
    Prefix(PrefixMatch),
    PrefixList(String),
    AsPathContains(u32),
    AsPathLength(Op, u32),
    Tag(u16, u16),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Act {
    LocalPref(u32),
    Med(u32),
    /// `prepend N xK`
    Prepend(u32, u32),
    AddTag(u16, u16),
    RemoveTag(u16, u16),
    RemovePrivateAs,
    RemoveAs(Vec<u32>),
}

// ---------------------------------------------------------------- builders

pub fn net(s: &str) -> Ipv4Net {
    s.parse().unwrap()
}

impl Design {
    pub fn new(name: &str, about: &str) -> Design {
        Design {
            name: name.to_string(),
            about: about.to_string(),
            routers: Vec::new(),
            policies: Vec::new(),
            prefix_lists: Vec::new(),
            expect: Vec::new(),
        }
    }
    /// Adds a router; its router_id is 10.255.0.<index+1> (unique in the design).
    pub fn router(&mut self, name: &str, asn: u32, originate: &[&str]) -> &mut Self {
        let i = self.routers.len() as u8 + 1;
        self.routers.push(Router {
            name: name.to_string(),
            asn,
            router_id: Ipv4Addr::new(10, 255, 0, i),
            originate: originate.iter().map(|p| net(p)).collect(),
            peers: Vec::new(),
        });
        self
    }
    pub fn r(&mut self, name: &str) -> &mut Router {
        self.routers.iter_mut().find(|r| r.name == name).unwrap()
    }
    pub fn router_by_name(&self, name: &str) -> Option<&Router> {
        self.routers.iter().find(|r| r.name == name)
    }
    /// A session a–b with no policies.
    pub fn link(&mut self, a: &str, b: &str) -> &mut Self {
        self.session(a, b, None, None, None, None)
    }
    /// A session a–b: a's import/export policies towards b, b's towards a.
    pub fn session(
        &mut self,
        a: &str,
        b: &str,
        a_import: Option<&str>,
        a_export: Option<&str>,
        b_import: Option<&str>,
        b_export: Option<&str>,
    ) -> &mut Self {
        let p = |n: &str, i: Option<&str>, e: Option<&str>| Peer {
            name: n.to_string(),
            import: i.map(str::to_string),
            export: e.map(str::to_string),
            allowas_in: false,
        };
        self.r(a).peers.push(p(b, a_import, a_export));
        self.r(b).peers.push(p(a, b_import, b_export));
        self
    }
    pub fn allowas_in(&mut self, router: &str, peer: &str) -> &mut Self {
        let r = self.r(router);
        r.peers
            .iter_mut()
            .find(|p| p.name == peer)
            .unwrap()
            .allowas_in = true;
        self
    }
    pub fn policy(&mut self, name: &str, rules: Vec<Rule>) -> &mut Self {
        self.policies.push(Policy {
            name: name.to_string(),
            rules,
        });
        self
    }
    pub fn prefix_list(&mut self, name: &str, entries: Vec<PrefixMatch>) -> &mut Self {
        self.prefix_lists.push(PrefixList {
            name: name.to_string(),
            entries,
        });
        self
    }
    pub fn expect(&mut self, router: &str, prefix: &str, as_path: Option<&[u32]>) -> &mut Self {
        self.expect.push(Expect {
            router: router.to_string(),
            prefix: net(prefix),
            as_path: as_path.map(<[u32]>::to_vec),
        });
        self
    }
    /// Every prefix some router originates.
    pub fn prefixes(&self) -> BTreeSet<Ipv4Net> {
        self.routers
            .iter()
            .flat_map(|r| r.originate.iter().copied())
            .collect()
    }
    /// Every private ASN that can appear in an AS path of this design (router ASNs and
    /// prepended ASNs): what FRR's `set as-path exclude` must list for `remove_private_as`.
    pub fn private_asns(&self) -> Vec<u32> {
        let mut s: BTreeSet<u32> = self.routers.iter().map(|r| r.asn).collect();
        for p in &self.policies {
            for r in &p.rules {
                for a in &r.actions {
                    if let Act::Prepend(n, _) = a {
                        s.insert(*n);
                    }
                }
            }
        }
        s.into_iter().filter(|a| is_private_asn(*a)).collect()
    }
    pub fn policy_by_name(&self, name: &str) -> &Policy {
        self.policies.iter().find(|p| p.name == name).unwrap()
    }
}

/// Private ASNs as FRR's remove-private-AS understands them (and as `ir::is_private_asn`
/// documents): 64512–65534 and 4200000000–4294967294.
pub fn is_private_asn(asn: u32) -> bool {
    (64512..=65534).contains(&asn) || (4_200_000_000..=4_294_967_294).contains(&asn)
}

pub fn permit(conds: Vec<Cond>, actions: Vec<Act>) -> Rule {
    Rule {
        permit: true,
        conds,
        actions,
    }
}

pub fn deny(conds: Vec<Cond>) -> Rule {
    Rule {
        permit: false,
        conds,
        actions: Vec::new(),
    }
}

pub fn pm(prefix: &str, ge: Option<u8>, le: Option<u8>) -> PrefixMatch {
    PrefixMatch {
        prefix: net(prefix),
        ge,
        le,
    }
}

pub fn prefix(p: &str) -> Cond {
    Cond::Prefix(pm(p, None, None))
}

// ---------------------------------------------------------------- .avs emission

impl PrefixMatch {
    fn avs(&self) -> String {
        let mut s = self.prefix.to_string();
        if let Some(ge) = self.ge {
            write!(s, " ge {ge}").unwrap();
        }
        if let Some(le) = self.le {
            write!(s, " le {le}").unwrap();
        }
        s
    }
}

impl Op {
    fn avs(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "=",
            Op::Ge => ">=",
            Op::Gt => ">",
        }
    }
    pub fn eval(self, a: u32, b: u32) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Eq => a == b,
            Op::Ge => a >= b,
            Op::Gt => a > b,
        }
    }
}

fn cond_avs(c: &Cond) -> String {
    match c {
        Cond::Prefix(m) => format!("prefix {}", m.avs()),
        Cond::PrefixList(n) => format!("prefix_list {n}"),
        Cond::AsPathContains(n) => format!("as_path contains {n}"),
        Cond::AsPathLength(op, n) => format!("as_path length {} {n}", op.avs()),
        Cond::Tag(a, b) => format!("tag {a}:{b}"),
    }
}

fn act_avs(a: &Act) -> String {
    match a {
        Act::LocalPref(n) => format!("set local_pref {n}"),
        Act::Med(n) => format!("set med {n}"),
        Act::Prepend(n, 1) => format!("prepend {n}"),
        Act::Prepend(n, k) => format!("prepend {n} x{k}"),
        Act::AddTag(a, b) => format!("add tag {a}:{b}"),
        Act::RemoveTag(a, b) => format!("remove tag {a}:{b}"),
        Act::RemovePrivateAs => "remove_private_as".to_string(),
        Act::RemoveAs(l) => {
            let l: Vec<String> = l.iter().map(u32::to_string).collect();
            format!("remove_as {}", l.join(" "))
        }
    }
}

/// The design as `.avs` text (LANGUAGE.md §2.1, §2.3).
pub fn to_avs(d: &Design) -> String {
    let mut s = String::new();
    writeln!(
        s,
        "# FRR oracle design `{}` (generated by tests/oracle; do not edit).",
        d.name
    )
    .unwrap();
    for line in d.about.lines() {
        writeln!(s, "# {line}").unwrap();
    }
    for r in &d.routers {
        writeln!(s).unwrap();
        writeln!(s, "router {} {{", r.name).unwrap();
        writeln!(s, "  asn {}", r.asn).unwrap();
        writeln!(s, "  router_id {}", r.router_id).unwrap();
        for p in &r.originate {
            writeln!(s, "  originate {p}").unwrap();
        }
        for p in &r.peers {
            let mut line = format!("  peer {}", p.name);
            if let Some(i) = &p.import {
                write!(line, " import {i}").unwrap();
            }
            if let Some(e) = &p.export {
                write!(line, " export {e}").unwrap();
            }
            if p.allowas_in {
                line.push_str(" allowas_in");
            }
            writeln!(s, "{line}").unwrap();
        }
        writeln!(s, "}}").unwrap();
    }
    for l in &d.prefix_lists {
        writeln!(s).unwrap();
        let e: Vec<String> = l.entries.iter().map(PrefixMatch::avs).collect();
        writeln!(s, "prefix_list {} [{}]", l.name, e.join(", ")).unwrap();
    }
    for p in &d.policies {
        writeln!(s).unwrap();
        writeln!(s, "policy {} {{", p.name).unwrap();
        for r in &p.rules {
            let mut line = String::from(if r.permit { "  permit" } else { "  deny" });
            for c in &r.conds {
                write!(line, " {}", cond_avs(c)).unwrap();
            }
            if !r.actions.is_empty() {
                let a: Vec<String> = r.actions.iter().map(act_avs).collect();
                write!(line, " {{ {} }}", a.join("; ")).unwrap();
            }
            writeln!(s, "{line}").unwrap();
        }
        writeln!(s, "}}").unwrap();
    }
    s
}
