//! The FRR oracle: a topology model ([`model`]), its `.avs` and FRR renderings, a runner
//! for FRR's `bgpd` ([`frr`]), hand-written ([`designs`]) and random ([`random`])
//! designs, and the comparison with what avscheck computes (this file).
#![allow(dead_code)]

pub mod designs;
pub mod frr;
pub mod model;
pub mod random;

use ipnet::Ipv4Net;
use model::Design;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// router → prefix → best AS path (a router without a best route for a prefix has no entry).
pub type Bests = BTreeMap<String, BTreeMap<Ipv4Net, Vec<u32>>>;

/// Differences between a run's best routes and the design's hand-computed expectations.
pub fn check_expectations(d: &Design, got: &Bests) -> Vec<String> {
    let mut out = Vec::new();
    for e in &d.expect {
        let have = got.get(&e.router).and_then(|m| m.get(&e.prefix));
        if have != e.as_path.as_ref() {
            out.push(format!(
                "{}: {} {}: expected {}, got {}",
                d.name,
                e.router,
                e.prefix,
                show(e.as_path.as_ref()),
                show(have)
            ));
        }
    }
    out
}

pub fn show(p: Option<&Vec<u32>>) -> String {
    match p {
        None => "no route".to_string(),
        Some(p) => format!("{p:?}"),
    }
}

/// Runs `avscheck routes FILE --format json` and returns every router's best routes.
pub fn avscheck_bests(bin: &Path, file: &Path, d: &Design) -> Result<Bests, String> {
    let out = Command::new(bin)
        .arg("routes")
        .arg(file)
        .args(["--format", "json"])
        .output()
        .map_err(|e| format!("cannot run avscheck: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&stdout).map_err(|e| {
        format!(
            "avscheck routes {} gave no JSON ({e}; exit {:?}):\n{stdout}\n{}",
            file.display(),
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let routers: BTreeSet<&str> = d.routers.iter().map(|r| r.name.as_str()).collect();
    let mut bests = Bests::new();
    for r in &d.routers {
        bests.insert(r.name.clone(), BTreeMap::new());
    }
    for node in v["nodes"].as_array().ok_or("`nodes` is not an array")? {
        let name = node["name"].as_str().ok_or("node without `name`")?;
        if !routers.contains(name) {
            return Err(format!(
                "avscheck lists a node `{name}` the design does not have"
            ));
        }
        let rib = bests.get_mut(name).ok_or("unreachable")?;
        for r in node["routes"]
            .as_array()
            .ok_or("`routes` is not an array")?
        {
            if r["best"].as_bool() != Some(true) {
                continue;
            }
            let prefix: Ipv4Net = r["prefix"]
                .as_str()
                .ok_or("route without `prefix`")?
                .parse()
                .map_err(|e| format!("bad prefix in avscheck output: {e}"))?;
            let path: Vec<u32> = r["as_path"]
                .as_array()
                .ok_or("route without `as_path`")?
                .iter()
                .map(|a| a.as_u64().map(|a| a as u32).ok_or("bad ASN in `as_path`"))
                .collect::<Result<_, _>>()?;
            if let Some(prev) = rib.insert(prefix, path.clone()) {
                // A core `router` installs a single best route.
                return Err(format!(
                    "avscheck marks two best routes for {prefix} at {name}: {prev:?} and {path:?}"
                ));
            }
        }
    }
    Ok(bests)
}

/// Every (router, prefix) where the two sides differ, skipping `excluded` prefixes.
pub fn compare(
    d: &Design,
    frr: &Bests,
    ours: &Bests,
    excluded: &BTreeSet<Ipv4Net>,
) -> (Vec<String>, usize) {
    let mut diffs = Vec::new();
    let mut compared = 0;
    let prefixes = d.prefixes();
    for r in &d.routers {
        let f = frr.get(&r.name);
        let o = ours.get(&r.name);
        for p in &prefixes {
            if excluded.contains(p) {
                continue;
            }
            compared += 1;
            let fp = f.and_then(|m| m.get(p));
            let op = o.and_then(|m| m.get(p));
            if fp != op {
                diffs.push(format!(
                    "{}: {} {}: FRR {}, avscheck {}",
                    d.name,
                    r.name,
                    p,
                    show(fp),
                    show(op)
                ));
            }
        }
        // Prefixes nobody originates must not appear.
        for side in [("FRR", f), ("avscheck", o)] {
            for p in side.1.into_iter().flat_map(|m| m.keys()) {
                if !prefixes.contains(p) {
                    diffs.push(format!(
                        "{}: {} {}: unexpected route in {}",
                        d.name, r.name, p, side.0
                    ));
                }
            }
        }
    }
    (diffs, compared)
}
