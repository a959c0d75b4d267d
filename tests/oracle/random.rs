//! Random designs from a fixed seed: 5–12 routers, ASNs drawn from a small pool (so
//! duplicates — iBGP sessions and loop prevention — are common), random originations
//! (anycast included), random import/export policies over the FRR-expressible subset,
//! prepends, local_pref, MED, communities, allowas_in.
//!
//! Several stable states (BGP "dispute wheels": the state reached depends on timing)
//! would make any comparison meaningless, so preferences follow Gao–Rexford, which
//! guarantees a unique stable state: a random rank orders the routers; on every session
//! the lower-ranked side is the provider. Every import policy's permit rules set
//! local_pref 200 on routes from a customer and leave 100 on routes from a provider (the
//! eBGP reset gives it; over iBGP it is set explicitly), and mark
//! the latter with community 65100:1 (removing it on routes from customers); every
//! export to a provider first denies routes carrying 65100:1 (valley-free export).
//! Random rules (filters, prepends, MEDs, other communities, AS removal) come on top:
//! filters cannot create a dispute wheel, and MEDs only rank routes of one class.
//! Most eBGP exports end with a MED unique to the neighbour, so few best paths are left
//! to router-id or age; prefixes where FRR still had such a tie are excluded from the
//! comparison (see `frr::tied_prefixes`).

use super::model::*;

/// SplitMix64: a tiny deterministic PRNG (stable across platforms and crate versions).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in lo..=hi.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.range(0, v.len() as u64 - 1) as usize]
    }
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.range(0, i as u64) as usize;
            v.swap(i, j);
        }
    }
}

const ASN_POOL: [u32; 10] = [
    65001,
    65002,
    65003,
    65004,
    65005,
    65006,
    100,
    200,
    300,
    4_200_000_001,
];
const PREFIXES: [&str; 8] = [
    "10.0.0.0/16",
    "10.1.0.0/16",
    "10.1.1.0/24",
    "10.2.0.0/16",
    "10.2.128.0/17",
    "10.3.0.0/16",
    "172.16.5.0/24",
    "192.168.10.0/24",
];
const TAGS: [(u16, u16); 3] = [(65000, 1), (65000, 2), (65000, 3)];

fn ranges(r: &mut Rng) -> PrefixMatch {
    let all = [
        pm("10.0.0.0/8", None, Some(16)),
        pm("10.0.0.0/8", Some(17), Some(24)),
        pm("10.1.0.0/16", None, Some(24)),
        pm("10.2.0.0/15", Some(16), None),
        pm("172.16.0.0/12", Some(24), Some(24)),
        pm("192.168.0.0/16", None, Some(32)),
    ];
    if r.chance(0.4) {
        let p: &&str = r.pick(&PREFIXES);
        pm(p, None, None)
    } else {
        *r.pick(&all)
    }
}

struct Ctx<'a> {
    asns: &'a [u32],
    rank: &'a [usize],
    prefix_lists: &'a [String],
}

/// The community marking routes learned from a provider.
pub const FROM_PROVIDER: (u16, u16) = (65100, 1);

/// Whether `u` is a provider of `v` (Gao–Rexford roles from the ranks).
fn provider(c: &Ctx, u: usize, v: usize) -> bool {
    c.rank[u] < c.rank[v]
}

/// The Gao–Rexford actions of every permit rule of `v`'s import from `u`. Over eBGP a
/// provider's routes keep the local_pref 100 that the eBGP reset gives them (so the
/// random designs depend on that reset too); over iBGP it is set explicitly.
fn class_actions(c: &Ctx, u: usize, v: usize, ibgp: bool) -> Vec<Act> {
    let (a, b) = FROM_PROVIDER;
    if provider(c, u, v) {
        if ibgp {
            vec![Act::LocalPref(100), Act::AddTag(a, b)]
        } else {
            vec![Act::AddTag(a, b)]
        }
    } else {
        vec![Act::LocalPref(200), Act::RemoveTag(a, b)]
    }
}

fn med(c: &Ctx, u: usize, v: usize) -> u32 {
    1 + 10 * c.rank[u] as u32 + (v % 10) as u32
}

fn condition(r: &mut Rng, c: &Ctx, used: &mut [bool; 3]) -> Option<Cond> {
    let kind = r.range(0, 2) as usize;
    if used[kind] {
        return None;
    }
    used[kind] = true;
    Some(match kind {
        0 if !c.prefix_lists.is_empty() && r.chance(0.3) => {
            Cond::PrefixList(r.pick(c.prefix_lists).clone())
        }
        0 => Cond::Prefix(ranges(r)),
        1 if r.chance(0.5) => Cond::AsPathContains(*r.pick(c.asns)),
        1 => {
            let op = *r.pick(&[Op::Lt, Op::Le, Op::Eq, Op::Ge, Op::Gt]);
            let n = r.range(if op == Op::Lt { 1 } else { 0 }, 4) as u32;
            Cond::AsPathLength(op, n)
        }
        _ => {
            let (a, b) = *r.pick(&TAGS);
            Cond::Tag(a, b)
        }
    })
}

/// A policy on the edge u → v, applied at the sender (`export`) or the receiver.
fn policy(r: &mut Rng, c: &Ctx, u: usize, v: usize, export: bool, ibgp: bool) -> Vec<Rule> {
    let mut rules = Vec::new();
    if export && provider(c, v, u) {
        let (a, b) = FROM_PROVIDER;
        rules.push(deny(vec![Cond::Tag(a, b)]));
    }
    for _ in 0..r.range(0, 2) {
        let mut used = [false; 3];
        let mut conds = Vec::new();
        for _ in 0..r.range(1, 2) {
            if let Some(cond) = condition(r, c, &mut used) {
                conds.push(cond);
            }
        }
        if r.chance(0.3) {
            rules.push(deny(conds));
            continue;
        }
        let mut actions = Vec::new();
        if r.chance(0.3) {
            actions.push(Act::Med(med(c, u, v) + 100));
        }
        let mut strips = false;
        if r.chance(0.08) {
            actions.push(Act::RemovePrivateAs);
            strips = true;
        } else if r.chance(0.08) {
            actions.push(Act::RemoveAs(vec![*r.pick(c.asns)]));
            strips = true;
        }
        // FRR applies a rule's set actions in its own order: keep each rule's actions
        // order-independent (no prepend with an AS removal, no add and remove of one tag).
        if !strips && r.chance(0.3) {
            let asn = if export && r.chance(0.6) {
                c.asns[u]
            } else {
                *r.pick(c.asns)
            };
            actions.push(Act::Prepend(asn, r.range(1, 3) as u32));
        }
        let add = if r.chance(0.35) {
            Some(*r.pick(&TAGS))
        } else {
            None
        };
        if let Some((a, b)) = add {
            actions.push(Act::AddTag(a, b));
        }
        // (An import rule's one `remove tag` is the class action's.)
        if export && r.chance(0.2) {
            let (a, b) = *r.pick(&TAGS);
            if add != Some((a, b)) {
                actions.push(Act::RemoveTag(a, b));
            }
        }
        rules.push(permit(conds, actions));
    }
    if r.chance(0.9) {
        let mut actions = Vec::new();
        if !ibgp && export && r.chance(0.85) {
            actions.push(Act::Med(med(c, u, v)));
        }
        if r.chance(0.15) {
            let (a, b) = *r.pick(&TAGS);
            actions.push(Act::AddTag(a, b));
        }
        rules.push(permit(vec![], actions));
    }
    if !export {
        for rule in rules.iter_mut().filter(|r| r.permit) {
            // One `set community ... additive` per FRR entry: merge with a random add.
            rule.actions.extend(class_actions(c, u, v, ibgp));
        }
    }
    rules
}

/// Random design number `seed`.
pub fn design(seed: u64) -> Design {
    let mut r = Rng::new(0xA5C0_FFEE ^ seed.wrapping_mul(0x1000_0000_01B3));
    let n = r.range(5, 12) as usize;
    let mut d = Design::new(
        &format!("random_{seed}"),
        "A random design (tests/oracle/random.rs).",
    );
    // ASNs: fewer distinct ASNs than routers, so some are shared.
    let mut pool = ASN_POOL.to_vec();
    r.shuffle(&mut pool);
    let k = (n * 2 / 3).clamp(3, pool.len());
    let asns: Vec<u32> = (0..n).map(|_| *r.pick(&pool[..k])).collect();
    for (i, asn) in asns.iter().enumerate() {
        let mut orig: Vec<&str> = Vec::new();
        for _ in 0..r.range(0, 2) {
            let p = *r.pick(&PREFIXES);
            if !orig.contains(&p) {
                orig.push(p);
            }
        }
        d.router(&format!("r{i}"), *asn, &orig);
    }
    if d.prefixes().is_empty() {
        let p = *r.pick(&PREFIXES);
        d.routers[0].originate.push(net(p));
    }
    let mut rank: Vec<usize> = (0..n).collect();
    r.shuffle(&mut rank);
    // A random tree plus extra edges.
    let mut edges: Vec<(usize, usize)> = Vec::new();
    for i in 1..n {
        edges.push((r.range(0, i as u64 - 1) as usize, i));
    }
    for _ in 0..n / 2 {
        let a = r.range(0, n as u64 - 1) as usize;
        let b = r.range(0, n as u64 - 1) as usize;
        if a != b && !edges.contains(&(a, b)) && !edges.contains(&(b, a)) {
            edges.push((a.min(b), a.max(b)));
        }
    }
    let mut lists = Vec::new();
    for i in 0..r.range(0, 2) {
        let name = format!("pl{i}");
        let entries = (0..r.range(1, 3)).map(|_| ranges(&mut r)).collect();
        d.prefix_list(&name, entries);
        lists.push(name);
    }
    let ctx = Ctx {
        asns: &asns,
        rank: &rank,
        prefix_lists: &lists,
    };
    let mut policies = Vec::new();
    for &(a, b) in &edges {
        let ibgp = asns[a] == asns[b];
        let mut names: [[Option<String>; 2]; 2] = Default::default(); // [side][import, export]
        for (side, (u, v)) in [(a, b), (b, a)].into_iter().enumerate() {
            // u exports to v; v imports from u.
            if provider(&ctx, v, u) || r.chance(if ibgp { 0.4 } else { 0.8 }) {
                let name = format!("x_r{u}_r{v}");
                policies.push((name.clone(), policy(&mut r, &ctx, u, v, true, ibgp)));
                names[side][1] = Some(name);
            }
            // Every import carries the Gao–Rexford class; exports to a provider filter.
            {
                let name = format!("i_r{v}_r{u}");
                policies.push((name.clone(), policy(&mut r, &ctx, u, v, false, ibgp)));
                names[1 - side][0] = Some(name);
            }
        }
        let [[ai, ae], [bi, be]] = names;
        d.session(
            &format!("r{a}"),
            &format!("r{b}"),
            ai.as_deref(),
            ae.as_deref(),
            bi.as_deref(),
            be.as_deref(),
        );
        for (x, y) in [(a, b), (b, a)] {
            if r.chance(0.12) {
                d.allowas_in(&format!("r{x}"), &format!("r{y}"));
            }
        }
    }
    for (name, rules) in policies {
        d.policy(&name, rules);
    }
    d
}
