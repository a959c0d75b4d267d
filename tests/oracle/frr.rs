//! Runs a design on FRR: one `bgpd` per router on loopback (FRR.md), no zebra.
//!
//! Every router gets its own address `127.A.B.i` (A.B distinct per design and per test
//! process) and all listen on one port derived from the test process id, so designs can
//! run concurrently, and two `cargo test` runs on one machine do not collide.
//! Every daemon is stopped by the PID in its pid file when the [`Lab`] drops — also when
//! the test panics.

use super::model::{Act, Cond, Design, Op, Policy, PrefixMatch, Router};
use ipnet::Ipv4Net;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub const BGPD: &str = "/usr/lib/frr/bgpd";

/// One candidate path in a router's BGP table.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FrrPath {
    pub as_path: Vec<u32>,
    pub weight: u32,
    pub local_pref: u32,
    pub med: u32,
    /// Learned over eBGP or local (FRR `pathFrom` "external", or a local route).
    pub external: bool,
    pub best: bool,
    /// The neighbour's router name ("" for a local route).
    pub from: String,
}

/// router → prefix → candidate paths.
pub type Ribs = BTreeMap<String, BTreeMap<Ipv4Net, Vec<FrrPath>>>;

pub struct Outcome {
    pub ribs: Ribs,
    pub converged_after: Duration,
}

pub fn frr_available() -> bool {
    Path::new(BGPD).exists() && which("vtysh")
}

fn which(prog: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(prog).is_file()))
        .unwrap_or(false)
}

/// The addressing plan of one run.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Second and third octets of the routers' loopback addresses.
    pub net: (u8, u8),
    pub port: u16,
}

impl Plan {
    /// Design number `slot` of this test process.
    pub fn new(slot: usize) -> Plan {
        let pid = std::process::id() as usize;
        // A per-process /16 inside 127/8 (octet 2 in 32..=231), a /24 per design.
        Plan {
            net: ((32 + pid % 200) as u8, (slot % 250 + 1) as u8),
            port: (20000 + pid % 30000) as u16,
        }
    }
    pub fn addr(&self, i: usize) -> Ipv4Addr {
        Ipv4Addr::new(127, self.net.0, self.net.1, i as u8 + 1)
    }
}

fn nh(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(192, 0, 2, i as u8 + 1)
}

// ---------------------------------------------------------------- configuration

fn op_regexes(op: Op, n: u32) -> Vec<(bool, String)> {
    // An AS path is shown to as-path regexes as "65001 65002" ("" when empty).
    let at_least = |k: u32| -> String {
        if k == 0 {
            ".*".to_string()
        } else {
            let mut s = String::from("^[0-9]+");
            for _ in 1..k {
                s.push_str(" [0-9]+");
            }
            s
        }
    };
    let exactly = |k: u32| -> String {
        if k == 0 {
            "^$".to_string()
        } else {
            format!("{}$", at_least(k))
        }
    };
    let at_most = |k: u32| vec![(false, at_least(k + 1)), (true, ".*".to_string())];
    match op {
        Op::Eq => vec![(true, exactly(n))],
        Op::Ge => vec![(true, at_least(n))],
        Op::Gt => vec![(true, at_least(n + 1))],
        Op::Le => at_most(n),
        Op::Lt if n == 0 => vec![(true, "^x$".to_string())],
        Op::Lt => at_most(n - 1),
    }
}

fn prefix_list_lines(name: &str, entries: &[PrefixMatch], out: &mut String) {
    for (i, m) in entries.iter().enumerate() {
        let mut line = format!(
            "ip prefix-list {name} seq {} permit {}",
            (i + 1) * 5,
            m.prefix
        );
        if let Some(ge) = m.ge {
            write!(line, " ge {ge}").unwrap();
        }
        if let Some(le) = m.le {
            write!(line, " le {le}").unwrap();
        }
        writeln!(out, "{line}").unwrap();
    }
}

/// Compiles `policy` into route-map `rm` (one entry per rule; FRR's implicit deny at the
/// end is ours). `next_hop`: the outbound map's `set ip next-hop` on every permit entry.
/// Helper lists (prefix, as-path, community) are written to `defs`.
fn route_map(
    d: &Design,
    policy: Option<&Policy>,
    rm: &str,
    next_hop: Option<Ipv4Addr>,
    defs: &mut String,
    out: &mut String,
) {
    let Some(policy) = policy else {
        writeln!(out, "route-map {rm} permit 10").unwrap();
        if let Some(nh) = next_hop {
            writeln!(out, " set ip next-hop {nh}").unwrap();
        }
        return;
    };
    for (i, rule) in policy.rules.iter().enumerate() {
        let seq = (i + 1) * 10;
        let verdict = if rule.permit { "permit" } else { "deny" };
        writeln!(out, "route-map {rm} {verdict} {seq}").unwrap();
        let tag = format!("{rm}_{seq}");
        for c in &rule.conds {
            match c {
                Cond::Prefix(m) => {
                    prefix_list_lines(&format!("PL_{tag}"), std::slice::from_ref(m), defs);
                    writeln!(out, " match ip address prefix-list PL_{tag}").unwrap();
                }
                Cond::PrefixList(n) => {
                    writeln!(out, " match ip address prefix-list PLN_{n}").unwrap();
                }
                Cond::AsPathContains(n) => {
                    writeln!(defs, "bgp as-path access-list AP_{tag} permit _{n}_").unwrap();
                    writeln!(out, " match as-path AP_{tag}").unwrap();
                }
                Cond::AsPathLength(op, n) => {
                    for (permit, re) in op_regexes(*op, *n) {
                        let v = if permit { "permit" } else { "deny" };
                        writeln!(defs, "bgp as-path access-list AP_{tag} {v} {re}").unwrap();
                    }
                    writeln!(out, " match as-path AP_{tag}").unwrap();
                }
                Cond::Tag(a, b) => {
                    writeln!(out, " match community CL_{a}_{b}").unwrap();
                }
            }
        }
        if !rule.permit {
            continue;
        }
        let mut exclude: Vec<u32> = Vec::new();
        let mut add: Vec<String> = Vec::new();
        for a in &rule.actions {
            match a {
                Act::LocalPref(n) => writeln!(out, " set local-preference {n}").unwrap(),
                Act::Med(n) => writeln!(out, " set metric {n}").unwrap(),
                Act::Prepend(n, k) => {
                    let l: Vec<String> = (0..*k).map(|_| n.to_string()).collect();
                    writeln!(out, " set as-path prepend {}", l.join(" ")).unwrap();
                }
                Act::AddTag(a, b) => add.push(format!("{a}:{b}")),
                Act::RemoveTag(a, b) => {
                    writeln!(out, " set comm-list CL_{a}_{b} delete").unwrap();
                }
                Act::RemovePrivateAs => exclude.extend(d.private_asns()),
                Act::RemoveAs(l) => exclude.extend(l.iter().copied()),
            }
        }
        if !add.is_empty() {
            writeln!(out, " set community {} additive", add.join(" ")).unwrap();
        }
        if !exclude.is_empty() {
            exclude.sort_unstable();
            exclude.dedup();
            let l: Vec<String> = exclude.iter().map(u32::to_string).collect();
            writeln!(out, " set as-path exclude {}", l.join(" ")).unwrap();
        }
        if let Some(nh) = next_hop {
            writeln!(out, " set ip next-hop {nh}").unwrap();
        }
    }
}

fn communities(d: &Design) -> BTreeSet<(u16, u16)> {
    let mut s = BTreeSet::new();
    for p in &d.policies {
        for r in &p.rules {
            for c in &r.conds {
                if let Cond::Tag(a, b) = c {
                    s.insert((*a, *b));
                }
            }
            for a in &r.actions {
                if let Act::RemoveTag(a, b) = a {
                    s.insert((*a, *b));
                }
            }
        }
    }
    s
}

/// The `bgpd.conf` of router number `i` of `d`.
pub fn bgpd_conf(d: &Design, i: usize, plan: &Plan, dir: &Path) -> String {
    let r: &Router = &d.routers[i];
    let idx = |name: &str| d.routers.iter().position(|x| x.name == name).unwrap();
    let mut defs = String::new();
    let mut maps = String::new();
    for l in &d.prefix_lists {
        prefix_list_lines(&format!("PLN_{}", l.name), &l.entries, &mut defs);
    }
    for (a, b) in communities(d) {
        writeln!(
            defs,
            "bgp community-list standard CL_{a}_{b} permit {a}:{b}"
        )
        .unwrap();
    }
    // One route-map per neighbour and direction: each neighbour is then alone in its
    // update group, so FRR never advertises a route back to the peer it came from
    // (LANGUAGE.md §2.1; FRR only does so for single-peer update groups).
    for p in &r.peers {
        let imp = p.import.as_deref().map(|n| d.policy_by_name(n));
        let exp = p.export.as_deref().map(|n| d.policy_by_name(n));
        route_map(
            d,
            imp,
            &format!("IN_{}", p.name),
            None,
            &mut defs,
            &mut maps,
        );
        route_map(
            d,
            exp,
            &format!("OUT_{}", p.name),
            Some(nh(i)),
            &mut defs,
            &mut maps,
        );
    }
    let mut s = String::new();
    writeln!(s, "frr defaults traditional").unwrap();
    writeln!(s, "hostname {}", r.name).unwrap();
    writeln!(s, "log file {}", dir.join("bgpd.log").display()).unwrap();
    writeln!(s, "!").unwrap();
    s.push_str(&defs);
    writeln!(s, "!").unwrap();
    s.push_str(&maps);
    writeln!(s, "!").unwrap();
    writeln!(s, "router bgp {}", r.asn).unwrap();
    writeln!(s, " bgp router-id {}", r.router_id).unwrap();
    writeln!(s, " no bgp ebgp-requires-policy").unwrap();
    writeln!(s, " no bgp network import-check").unwrap();
    writeln!(s, " bgp deterministic-med").unwrap();
    writeln!(s, " bgp bestpath compare-routerid").unwrap();
    writeln!(s, " coalesce-time 0").unwrap();
    for p in &r.peers {
        let j = idx(&p.name);
        let a = plan.addr(j);
        writeln!(s, " neighbor {a} remote-as {}", d.routers[j].asn).unwrap();
        writeln!(s, " neighbor {a} description {}", p.name).unwrap();
        writeln!(s, " neighbor {a} port {}", plan.port).unwrap();
        writeln!(s, " neighbor {a} update-source {}", plan.addr(i)).unwrap();
        writeln!(s, " neighbor {a} timers connect 1").unwrap();
        writeln!(s, " neighbor {a} advertisement-interval 0").unwrap();
    }
    writeln!(s, " address-family ipv4 unicast").unwrap();
    for p in &r.originate {
        writeln!(s, "  network {p}").unwrap();
    }
    for p in &r.peers {
        let a = plan.addr(idx(&p.name));
        writeln!(s, "  neighbor {a} route-map IN_{} in", p.name).unwrap();
        writeln!(s, "  neighbor {a} route-map OUT_{} out", p.name).unwrap();
        if p.allowas_in {
            writeln!(s, "  neighbor {a} allowas-in").unwrap();
        }
    }
    writeln!(s, " exit-address-family").unwrap();
    writeln!(s, "!").unwrap();
    s
}

// ---------------------------------------------------------------- running

/// The running daemons of one design; dropping it stops them (by pid file).
pub struct Lab {
    pub dirs: Vec<PathBuf>,
    pub names: Vec<String>,
    _tmp: tempfile::TempDir,
}

impl Drop for Lab {
    fn drop(&mut self) {
        for dir in &self.dirs {
            if let Ok(pid) = std::fs::read_to_string(dir.join("bgpd.pid")) {
                if let Ok(pid) = pid.trim().parse::<u32>() {
                    let _ = Command::new("kill")
                        .arg(pid.to_string())
                        .stderr(std::process::Stdio::null())
                        .status();
                }
            }
        }
        // Wait (briefly) until they are gone, so the addresses are free again.
        let deadline = Instant::now() + Duration::from_millis(1500);
        for dir in &self.dirs {
            if let Ok(pid) = std::fs::read_to_string(dir.join("bgpd.pid")) {
                let proc = PathBuf::from(format!("/proc/{}", pid.trim()));
                while proc.exists() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(20));
                }
                if proc.exists() {
                    let _ = Command::new("kill")
                        .args(["-9", pid.trim()])
                        .stderr(std::process::Stdio::null())
                        .status();
                }
            }
        }
    }
}

impl Lab {
    pub fn start(d: &Design, plan: Plan) -> Result<Lab, String> {
        let tmp = tempfile::Builder::new()
            .prefix("avs-frr-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let mut lab = Lab {
            dirs: Vec::new(),
            names: Vec::new(),
            _tmp: tmp,
        };
        for (i, r) in d.routers.iter().enumerate() {
            let dir = lab._tmp.path().join(format!("r{i}"));
            std::fs::create_dir(&dir).map_err(|e| e.to_string())?;
            let conf = bgpd_conf(d, i, &plan, &dir);
            std::fs::write(dir.join("bgpd.conf"), conf).map_err(|e| e.to_string())?;
            lab.dirs.push(dir);
            lab.names.push(r.name.clone());
        }
        for (i, dir) in lab.dirs.iter().enumerate() {
            let out = Command::new(BGPD)
                .args(["-d", "-S", "-Z", "-P", "0", "-l"])
                .arg(plan.addr(i).to_string())
                .arg("-p")
                .arg(plan.port.to_string())
                .arg("-f")
                .arg(dir.join("bgpd.conf"))
                .arg("-i")
                .arg(dir.join("bgpd.pid"))
                .arg("--vty_socket")
                .arg(dir)
                .output()
                .map_err(|e| format!("cannot run {BGPD}: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "bgpd for {} failed: {}{}",
                    lab.names[i],
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        Ok(lab)
    }

    pub fn vtysh(&self, i: usize, cmd: &str) -> Result<String, String> {
        let out = Command::new("vtysh")
            .arg("--vty_socket")
            .arg(&self.dirs[i])
            .args(["-d", "bgpd", "-c", cmd])
            .output()
            .map_err(|e| format!("vtysh: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "vtysh {cmd} on {}: {}",
                self.names[i],
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// True when every configured session is Established.
    fn sessions_up(&self) -> bool {
        (0..self.dirs.len()).all(|i| {
            let Ok(t) = self.vtysh(i, "show ip bgp summary json") else {
                return false;
            };
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&t) else {
                return false;
            };
            let peers = &v["ipv4Unicast"]["peers"];
            match peers.as_object() {
                Some(m) => m.values().all(|p| p["state"] == "Established"),
                None => true, // a router without peers
            }
        })
    }

    fn ribs(&self, d: &Design, plan: &Plan) -> Result<Ribs, String> {
        let mut out = Ribs::new();
        for i in 0..self.dirs.len() {
            let t = self.vtysh(i, "show ip bgp json")?;
            out.insert(self.names[i].clone(), parse_rib(d, plan, &t)?);
        }
        Ok(out)
    }

    /// Waits until every session is up and every RIB is unchanged for `quiet`.
    pub fn converge(&self, d: &Design, plan: &Plan, timeout: Duration) -> Result<Outcome, String> {
        let t0 = Instant::now();
        let quiet = Duration::from_millis(2000);
        while !self.sessions_up() {
            if t0.elapsed() > timeout {
                return Err(format!(
                    "{}: sessions not established after {timeout:?}",
                    d.name
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut last = self.ribs(d, plan)?;
        let mut since = Instant::now();
        loop {
            std::thread::sleep(Duration::from_millis(250));
            let now = self.ribs(d, plan)?;
            if now != last {
                last = now;
                since = Instant::now();
            } else if since.elapsed() >= quiet {
                return Ok(Outcome {
                    ribs: last,
                    converged_after: since.duration_since(t0),
                });
            }
            if t0.elapsed() > timeout {
                return Err(format!("{}: RIBs still changing after {timeout:?}", d.name));
            }
        }
    }
}

/// Parses `show ip bgp json` into candidate paths (with our router names).
pub fn parse_rib(
    d: &Design,
    plan: &Plan,
    text: &str,
) -> Result<BTreeMap<Ipv4Net, Vec<FrrPath>>, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("bad json from vtysh: {e}: {text}"))?;
    let mut out = BTreeMap::new();
    let Some(routes) = v["routes"].as_object() else {
        return Ok(out);
    };
    let by_addr: BTreeMap<String, String> = (0..d.routers.len())
        .map(|i| (plan.addr(i).to_string(), d.routers[i].name.clone()))
        .collect();
    for (prefix, paths) in routes {
        let prefix: Ipv4Net = prefix.parse().map_err(|e| format!("{prefix}: {e}"))?;
        let mut list = Vec::new();
        for p in paths.as_array().into_iter().flatten() {
            let path_str = p["path"].as_str().unwrap_or("");
            let as_path: Vec<u32> = path_str
                .split_whitespace()
                .map(|t| t.parse().map_err(|e| format!("AS path `{path_str}`: {e}")))
                .collect::<Result<_, _>>()?;
            let peer = p["peerId"].as_str().unwrap_or("");
            let from = by_addr.get(peer).cloned().unwrap_or_default();
            let local = from.is_empty();
            list.push(FrrPath {
                as_path,
                weight: p["weight"].as_u64().unwrap_or(0) as u32,
                local_pref: p["locPrf"].as_u64().unwrap_or(100) as u32,
                med: p["metric"].as_u64().unwrap_or(0) as u32,
                external: local || p["pathFrom"].as_str() == Some("external"),
                best: p["bestpath"].as_bool().unwrap_or(false)
                    || p["bestpath"]["overall"].as_bool().unwrap_or(false),
                from,
            });
        }
        list.sort();
        out.insert(prefix, list);
    }
    Ok(out)
}

impl FrrPath {
    /// The decision-process key up to (and including) eBGP-over-iBGP: higher is better.
    /// Two candidates with equal keys would be separated only by router-id or age.
    pub fn key(
        &self,
    ) -> (
        u32,
        u32,
        std::cmp::Reverse<usize>,
        std::cmp::Reverse<u32>,
        bool,
    ) {
        (
            self.weight,
            self.local_pref,
            std::cmp::Reverse(self.as_path.len()),
            std::cmp::Reverse(self.med),
            self.external,
        )
    }
}

/// Prefixes whose best route somewhere was chosen by a tie-break below eBGP-over-iBGP
/// (router-id or age): the design's outcome for them is not decided by what we compare.
pub fn tied_prefixes(ribs: &Ribs) -> BTreeMap<Ipv4Net, Vec<String>> {
    let mut out: BTreeMap<Ipv4Net, Vec<String>> = BTreeMap::new();
    for (router, rib) in ribs {
        for (prefix, paths) in rib {
            let Some(best) = paths.iter().find(|p| p.best) else {
                continue;
            };
            if paths.iter().any(|p| !p.best && p.key() == best.key()) {
                out.entry(*prefix).or_default().push(router.clone());
            }
        }
    }
    out
}

/// router → prefix → best AS path.
pub fn bests(ribs: &Ribs) -> BTreeMap<String, BTreeMap<Ipv4Net, Vec<u32>>> {
    ribs.iter()
        .map(|(r, rib)| {
            let m = rib
                .iter()
                .filter_map(|(p, paths)| {
                    paths
                        .iter()
                        .find(|x| x.best)
                        .map(|b| (*p, b.as_path.clone()))
                })
                .collect();
            (r.clone(), m)
        })
        .collect()
}

/// Runs `d` on FRR and returns the converged tables.
pub fn run(d: &Design, slot: usize, timeout: Duration) -> Result<Outcome, String> {
    let plan = Plan::new(slot);
    let lab = Lab::start(d, plan)?;
    lab.converge(d, &plan, timeout)
}

/// Whether `d` stays inside what one FRR route-map entry can say: per rule at most one
/// prefix condition (`prefix` or `prefix_list`: one `match ip address`), one AS-path
/// condition (one `match as-path`), one tag, one prepend, one MED, one local_pref and
/// one `remove tag` (one `set comm-list ... delete`); and no two actions whose order
/// matters (FRR applies an entry's `set`s in its own order, ours in the written one):
/// no prepend with an AS removal, no add and remove of one community.
pub fn expressible(d: &Design) -> Result<(), String> {
    for p in &d.policies {
        for (i, r) in p.rules.iter().enumerate() {
            let count = |f: &dyn Fn(&Cond) -> bool| r.conds.iter().filter(|c| f(c)).count();
            let counta = |f: &dyn Fn(&Act) -> bool| r.actions.iter().filter(|a| f(a)).count();
            let bad = count(&|c| matches!(c, Cond::Prefix(_) | Cond::PrefixList(_))) > 1
                || count(&|c| matches!(c, Cond::AsPathContains(_) | Cond::AsPathLength(..))) > 1
                || count(&|c| matches!(c, Cond::Tag(..))) > 1
                || counta(&|a| matches!(a, Act::Prepend(..))) > 1
                || counta(&|a| matches!(a, Act::Med(_))) > 1
                || counta(&|a| matches!(a, Act::LocalPref(_))) > 1
                || counta(&|a| matches!(a, Act::RemoveTag(..))) > 1
                || r.actions.iter().any(|a| match a {
                    Act::AddTag(x, y) => r.actions.contains(&Act::RemoveTag(*x, *y)),
                    _ => false,
                })
                || (counta(&|a| matches!(a, Act::Prepend(..))) > 0
                    && counta(&|a| matches!(a, Act::RemoveAs(_) | Act::RemovePrivateAs)) > 0);
            if bad {
                return Err(format!(
                    "{}: policy {} rule {} is not FRR-expressible",
                    d.name,
                    p.name,
                    i + 1
                ));
            }
        }
    }
    Ok(())
}
