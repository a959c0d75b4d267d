//! The FRR differential tests: every design under `tests/frr_configs/` gives each
//! node the FRR configuration its `config "PATH"` names; the very same file is loaded
//! into one real `bgpd` per node, and each node's best route per prefix (its AS path,
//! or its absence) in FRR must equal what `avscheck routes FILE --format json` says.
//! FRR is the reference for its own configuration language.
//!
//! Each design runs in its own network namespace (`unshare -n`: the nodes' design
//! addresses on its loopback, port 179), so the configurations need no test-only
//! lines, and designs run side by side (at most [`PARALLEL`] at a time) without
//! colliding with each other or with other test runs. `bgpd` runs without zebra
//! (`-Z`, FRR.md), so two things cannot be compared and the designs avoid them:
//! `redistribute` (no zebra to redistribute from) and `network` import-check (under
//! `-Z` every prefix counts as present), so every `network` is backed by an `ip
//! route` or import-check is off.
//!
//! Without FRR (`/usr/lib/frr/bgpd`, `vtysh`) or without the right to make a network
//! namespace, the test is skipped with a note, unless `AVSCHECK_REQUIRE_FRR=1` (CI),
//! which makes either a failure. See tests/frr_configs/README.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ipnet::Ipv4Net;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BGPD: &str = "/usr/lib/frr/bgpd";
/// Designs running at once (each a handful of bgpd, ~15 MB each).
const PARALLEL: usize = 4;
/// RIBs unchanged this long count as converged.
const QUIET: Duration = Duration::from_secs(4);
const TIMEOUT: Duration = Duration::from_secs(90);

/// FRR's best routes, avscheck's, and how long FRR took to converge.
type CaseResult = Result<(Bests, Bests, Duration), String>;

/// node → prefix → best route.
type Bests = BTreeMap<String, BTreeMap<Ipv4Net, Best>>;

/// A best route as compared: the AS path as FRR prints it (`65001 {65002,65003}`,
/// an AS_SET in braces; empty for a local route) and the next hop (`None`: the node's
/// own route, or not compared).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Best {
    path: String,
    next_hop: Option<Ipv4Addr>,
    /// Whether the next hop is compared. Not for a route learned over iBGP from a
    /// neighbor without `next-hop-self` towards the receiver: FRR keeps the next hop
    /// there, while the model's is the iBGP peer (standing for the IGP path through
    /// it: docs/frr.md "Known limits").
    nh_compared: bool,
}

impl Best {
    fn path(p: &str) -> Best {
        Best {
            path: p.to_string(),
            next_hop: None,
            nh_compared: false,
        }
    }
    /// FRR's route `f` and avscheck's `o` agree.
    fn agrees(f: Option<&Best>, o: Option<&Best>) -> bool {
        match (f, o) {
            (None, None) => true,
            (Some(f), Some(o)) => {
                f.path == o.path && (!(f.nh_compared && o.nh_compared) || f.next_hop == o.next_hop)
            }
            _ => false,
        }
    }
}

/// The ASN of a configuration (`router bgp N`) and the neighbors it sends with
/// `next-hop-self`.
fn bgp_facts(conf: &Path) -> (u32, Vec<Ipv4Addr>) {
    let text = std::fs::read_to_string(conf).unwrap_or_default();
    let mut asn = 0;
    let mut nh_self = Vec::new();
    for line in text.lines() {
        match line.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["router", "bgp", n] => asn = n.parse().unwrap_or(0),
            ["neighbor", a, "next-hop-self", ..] => nh_self.extend(a.parse::<Ipv4Addr>().ok()),
            _ => {}
        }
    }
    (asn, nh_self)
}

/// Whether a design's next hops are compared: where one of its configurations has a
/// next-hop statement (`set ip next-hop A|unchanged`, `next-hop-self`).
fn compares_next_hops(nodes: &[Node]) -> bool {
    nodes
        .iter()
        .any(|n| std::fs::read_to_string(&n.conf).is_ok_and(|t| t.contains("next-hop")))
}

/// `bests` without next hops.
fn without_next_hops(bests: Bests) -> Bests {
    bests
        .into_iter()
        .map(|(n, m)| {
            let m = m
                .into_iter()
                .map(|(p, b)| {
                    (
                        p,
                        Best {
                            next_hop: None,
                            nh_compared: false,
                            ..b
                        },
                    )
                })
                .collect();
            (n, m)
        })
        .collect()
}

struct Node {
    name: String,
    /// Every address of the node (its `ip`, its tunnels' `inner` ends).
    addrs: Vec<Ipv4Addr>,
    conf: PathBuf,
}

/// The nodes of a design: `nva`/`router`/`site` blocks with `config`, their `ip`
/// and the `inner` addresses of tunnels they end.
fn nodes(design: &Path) -> Vec<Node> {
    let text = std::fs::read_to_string(design).unwrap();
    let dir = design.parent().unwrap();
    let mut out: Vec<Node> = Vec::new();
    let mut tunnels: Vec<(String, String, Ipv4Addr, Ipv4Addr)> = Vec::new();
    let mut cur: Option<Node> = None;
    let mut tun: (Vec<String>, Vec<Ipv4Addr>) = (Vec::new(), Vec::new());
    let mut in_tunnel = false;
    for line in text.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        match w.as_slice() {
            [kind, name, "{"] if ["nva", "router", "site"].contains(kind) => {
                cur = Some(Node {
                    name: name.to_string(),
                    addrs: Vec::new(),
                    conf: PathBuf::new(),
                })
            }
            ["tunnel", _, "{"] => in_tunnel = true,
            ["ip", a] if cur.is_some() => cur.as_mut().unwrap().addrs.push(a.parse().unwrap()),
            ["config", f] if cur.is_some() => {
                cur.as_mut().unwrap().conf = dir.join(f.trim_matches('"'))
            }
            ["between", a, b] if in_tunnel => tun.0 = vec![a.to_string(), b.to_string()],
            ["inner", a, b] if in_tunnel => tun.1 = vec![a.parse().unwrap(), b.parse().unwrap()],
            ["}"] => {
                if let Some(n) = cur.take() {
                    if !n.conf.as_os_str().is_empty() {
                        out.push(n);
                    }
                }
                if in_tunnel && tun.0.len() == 2 && tun.1.len() == 2 {
                    tunnels.push((tun.0[0].clone(), tun.0[1].clone(), tun.1[0], tun.1[1]));
                }
                in_tunnel = false;
                tun = (Vec::new(), Vec::new());
            }
            _ => {}
        }
    }
    for (a, b, x, y) in tunnels {
        for n in out.iter_mut() {
            if n.name == a {
                n.addrs.push(x);
            }
            if n.name == b {
                n.addrs.push(y);
            }
        }
    }
    out
}

/// The daemons of one design in their namespace; dropping it stops them by pid.
struct Lab {
    dirs: Vec<PathBuf>,
    _tmp: tempfile::TempDir,
}

impl Drop for Lab {
    fn drop(&mut self) {
        for dir in &self.dirs {
            if let Ok(pid) = std::fs::read_to_string(dir.join("bgpd.pid")) {
                let _ = Command::new("kill").arg(pid.trim()).status();
            }
        }
    }
}

fn frr_available() -> bool {
    Path::new(BGPD).exists()
        && Command::new("vtysh").arg("--help").output().is_ok()
        && Command::new("unshare")
            .args(["-n", "true"])
            .status()
            .is_ok_and(|s| s.success())
}

fn start(nodes: &[Node]) -> Result<Lab, String> {
    let tmp = tempfile::Builder::new()
        .prefix("avs-frrconf-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let mut script = String::from("set -e\nip link set lo up\n");
    for n in nodes {
        for a in &n.addrs {
            script.push_str(&format!("ip addr add {a}/32 dev lo\n"));
        }
    }
    let mut dirs = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let dir = tmp.path().join(format!("n{i}"));
        std::fs::create_dir(&dir).map_err(|e| e.to_string())?;
        // The very file avscheck reads.
        std::fs::copy(&n.conf, dir.join("bgpd.conf"))
            .map_err(|e| format!("{}: {e}", n.conf.display()))?;
        let listen: String = n.addrs.iter().map(|a| format!(" -l {a}")).collect();
        script.push_str(&format!(
            "{BGPD} -d -S -Z -P 0{listen} -f {d}/bgpd.conf -i {d}/bgpd.pid --vty_socket {d} --log file:{d}/bgpd.log\n",
            d = dir.display()
        ));
        dirs.push(dir);
    }
    let lab = Lab { dirs, _tmp: tmp };
    let out = Command::new("unshare")
        .args(["-n", "sh", "-c", &script])
        .output()
        .map_err(|e| format!("unshare: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "starting bgpd failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(lab)
}

fn rib(dir: &Path) -> Result<BTreeMap<Ipv4Net, Best>, String> {
    let out = Command::new("vtysh")
        .arg("--vty_socket")
        .arg(dir)
        .args(["-d", "bgpd", "-c", "show ip bgp json"])
        .output()
        .map_err(|e| format!("vtysh: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("vtysh json: {e}: {text}"))?;
    let mut m = BTreeMap::new();
    for (p, paths) in v["routes"].as_object().into_iter().flatten() {
        for path in paths.as_array().into_iter().flatten() {
            let best = path["bestpath"].as_bool() == Some(true)
                || path["bestpath"]["overall"].as_bool() == Some(true);
            if best {
                // A local route's next hop is 0.0.0.0 (`::` for an aggregate).
                let next_hop = path["nexthops"][0]["ip"]
                    .as_str()
                    .and_then(|a| a.parse::<Ipv4Addr>().ok())
                    .filter(|a| !a.is_unspecified());
                let b = Best {
                    path: path["path"].as_str().unwrap_or("").to_string(),
                    next_hop,
                    nh_compared: true,
                };
                m.insert(p.parse().map_err(|e| format!("{p}: {e}"))?, b);
            }
        }
    }
    Ok(m)
}

fn frr_bests(nodes: &[Node]) -> Result<(Bests, Duration), String> {
    let lab = start(nodes)?;
    let t0 = Instant::now();
    let read = || -> Result<Bests, String> {
        let mut b = Bests::new();
        for (n, d) in nodes.iter().zip(&lab.dirs) {
            b.insert(n.name.clone(), rib(d)?);
        }
        Ok(b)
    };
    // Give the sessions time to come up before "quiet" can mean "converged".
    std::thread::sleep(Duration::from_secs(3));
    let mut last = read()?;
    let mut since = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = read()?;
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() >= QUIET {
            return Ok((last, t0.elapsed()));
        }
        if t0.elapsed() > TIMEOUT {
            return Err(format!("RIBs still changing after {TIMEOUT:?}"));
        }
    }
}

fn avscheck_bests(design: &Path, nodes: &[Node]) -> Result<Bests, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_avscheck"))
        .arg("routes")
        .arg(design)
        .args(["--format", "json"])
        .output()
        .map_err(|e| e.to_string())?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "no JSON from avscheck ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let mut b = Bests::new();
    for n in nodes {
        b.insert(n.name.clone(), BTreeMap::new());
    }
    for node in v["nodes"].as_array().into_iter().flatten() {
        let name = node["name"].as_str().unwrap_or("");
        let Some(rib) = b.get_mut(name) else { continue };
        for r in node["routes"].as_array().into_iter().flatten() {
            if r["best"].as_bool() != Some(true) {
                continue;
            }
            let p: Ipv4Net = r["prefix"]
                .as_str()
                .unwrap_or("")
                .parse()
                .map_err(|e| format!("{e}"))?;
            let asns = |key: &str| -> Vec<String> {
                r[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a.as_u64().map(|a| a.to_string()))
                    .collect()
            };
            let mut path = asns("as_path");
            let set = asns("as_set");
            if !set.is_empty() {
                path.push(format!("{{{}}}", set.join(",")));
            }
            // A node's name stands for its (first) address; an address for itself.
            let next_hop = r["next_hop"].as_str().and_then(|h| {
                h.parse::<Ipv4Addr>().ok().or_else(|| {
                    nodes
                        .iter()
                        .find(|n| n.name == h)
                        .and_then(|n| n.addrs.first().copied())
                })
            });
            // Learned over iBGP from a sender without `next-hop-self` towards us?
            let me = nodes.iter().find(|n| n.name == name);
            let from = r["from"]
                .as_str()
                .and_then(|f| nodes.iter().find(|n| n.name == f));
            let nh_compared = match (me, from) {
                (Some(me), Some(from)) => {
                    let (mine, _) = bgp_facts(&me.conf);
                    let (theirs, nh_self) = bgp_facts(&from.conf);
                    mine != theirs || me.addrs.iter().any(|a| nh_self.contains(a))
                }
                _ => true,
            };
            rib.insert(
                p,
                Best {
                    path: path.join(" "),
                    next_hop,
                    nh_compared,
                },
            );
        }
    }
    Ok(b)
}

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/frr_configs");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path().join("design.avs")))
        .filter(|p| p.exists())
        .collect();
    v.sort();
    v
}

/// Every design's configurations: parsed by avscheck without errors, and run on FRR
/// with the same RIBs.
#[test]
fn frr_and_avscheck_agree_on_the_same_configurations() {
    let cases = cases();
    assert!(cases.len() >= 15, "{} designs", cases.len());
    let mut configs = 0;
    for c in &cases {
        let text = std::fs::read_to_string(c).unwrap();
        let a = avscheck::analyse(&c.to_string_lossy(), &text);
        // AVS0200 is expected where FRR plays Route Server (`router bgp 65515`): a
        // reserved ASN is a finding about a real NVA, not an error of the parse.
        let errors: Vec<_> = a
            .diagnostics
            .iter()
            .filter(|d| d.is_error() && d.code != "AVS0200")
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", c.display());
        configs += nodes(c).len();
    }
    assert!(configs >= 15, "{configs} configurations");
    if !frr_available() {
        if std::env::var("AVSCHECK_REQUIRE_FRR").as_deref() == Ok("1") {
            panic!("AVSCHECK_REQUIRE_FRR=1 but {BGPD}, vtysh or `unshare -n` is not available");
        }
        eprintln!("note: bgpd (or unshare -n) not available: FRR configuration oracle skipped");
        return;
    }
    let only = std::env::var("FRR_CONFIG_CASE").ok();
    let cases: Vec<PathBuf> = cases
        .into_iter()
        .filter(|c| {
            only.as_ref()
                .is_none_or(|o| c.to_string_lossy().contains(o.as_str()))
        })
        .collect();
    let t0 = Instant::now();
    let mut failures = Vec::new();
    let mut compared = 0;
    for chunk in cases.chunks(PARALLEL) {
        let results: Vec<(PathBuf, CaseResult)> = std::thread::scope(|s| {
            let hs: Vec<_> = chunk
                .iter()
                .map(|c| {
                    s.spawn(move || {
                        let ns = nodes(c);
                        let r = frr_bests(&ns)
                            .and_then(|(f, t)| avscheck_bests(c, &ns).map(|a| (f, a, t)))
                            .map(|(f, a, t)| {
                                if compares_next_hops(&ns) {
                                    (f, a, t)
                                } else {
                                    (without_next_hops(f), without_next_hops(a), t)
                                }
                            });
                        (c.clone(), r)
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (c, r) in results {
            let name = c
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            match r {
                Err(e) => failures.push(format!("{name}: {e}")),
                Ok((frr, ours, t)) => {
                    let n: usize = frr.values().map(BTreeMap::len).sum();
                    eprintln!("{name}: FRR converged after {t:.1?}, {n} best routes");
                    for (node, f) in &frr {
                        let o = &ours[node];
                        for p in f.keys().chain(o.keys()) {
                            compared += 1;
                            if !Best::agrees(f.get(p), o.get(p)) {
                                failures.push(format!(
                                    "{name}: {node} {p}: FRR {:?}, avscheck {:?}",
                                    f.get(p),
                                    o.get(p)
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    failures.dedup();
    eprintln!(
        "{} designs, {compared} (node, prefix) pairs compared in {:.1?}",
        cases.len(),
        t0.elapsed()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// FRR's own behaviour for two statements, pinned before avscheck modeled them:
/// `neighbor A default-originate` sends 0.0.0.0/0 (path: the own AS) past
/// ebgp-requires-policy and past an outbound route-map that denies everything, and
/// `aggregate-address P summary-only` sends P alone while a more specific route
/// exists (an aggregate without one is not originated). tests/frr_facts/README.md;
/// the designs `default-originate` and `aggregate-address` under tests/frr_configs
/// compare avscheck's routes for them with FRR's.
#[test]
fn frr_behaviour_of_default_originate_and_aggregates() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/frr_facts/default-originate-aggregate");
    let nodes: Vec<Node> = (1..=4)
        .map(|i| Node {
            name: format!("r{i}"),
            addrs: vec![Ipv4Addr::new(10, 0, 0, i)],
            conf: dir.join(format!("r{i}.conf")),
        })
        .collect();
    // avscheck's parser reads r1's two default-originate lines and two
    // aggregate-address lines.
    let r1 = std::fs::read_to_string(&nodes[0].conf).unwrap();
    let (cfg, diags) = avscheck::frr::parse(avscheck::FileId(0), &r1);
    assert!(diags.is_empty(), "{diags:#?}");
    let bgp = cfg.bgp.as_ref().unwrap();
    assert_eq!(bgp.aggregates.len(), 2);
    assert_eq!(
        bgp.neighbors
            .iter()
            .filter(|n| n.default_originate.is_some())
            .count(),
        2
    );
    if !frr_available() {
        if std::env::var("AVSCHECK_REQUIRE_FRR").as_deref() == Ok("1") {
            panic!("AVSCHECK_REQUIRE_FRR=1 but {BGPD}, vtysh or `unshare -n` is not available");
        }
        eprintln!("note: bgpd (or unshare -n) not available: FRR behaviour test skipped");
        return;
    }
    let (frr, _) = frr_bests(&nodes).unwrap();
    let frr = without_next_hops(frr);
    let p = |s: &str| -> Ipv4Net { s.parse().unwrap() };
    let expect: Bests = [
        ("r1", vec![(p("10.10.0.0/16"), ""), (p("10.10.1.0/24"), "")]),
        ("r2", vec![(p("0.0.0.0/0"), "65001")]),
        ("r3", vec![(p("0.0.0.0/0"), "65001")]),
        ("r4", vec![(p("10.10.0.0/16"), "65001")]),
    ]
    .into_iter()
    .map(|(n, v)| {
        (
            n.to_string(),
            v.into_iter().map(|(p, b)| (p, Best::path(b))).collect(),
        )
    })
    .collect();
    assert_eq!(frr, expect);
}
