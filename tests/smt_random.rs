#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Random small designs (routers, sites, AVS, circuits, hubs with Route Server, ER
//! gateway and NVAs, tunnels, peerings, UDRs, random policies; and the v2 components:
//! a VPN gateway with BGP and static connections, an internal load balancer, Azure
//! Firewall, a second NIC, AVS management prefixes, FastPath, an SD-WAN branch over
//! the internet) written as `.avs` text
//! and run through the whole pipeline: each property's z3 verdict must equal the
//! simulator's (which enumerates every failure set for `under failures 1`).
//!
//! Some properties get `assume dc1 advertises any within P [le M]`. The simulator
//! cannot enumerate environments, so: a z3 `fail` must replay (its announcements, and
//! the floods that push a session over its route limit, as originations of dc1: the
//! simulator must find the violation, asking about the design's destinations); a z3
//! `pass` must hold in the simulator with no announcement and with three random
//! concrete environments (mostly sub-prefixes of the design's prefixes and of the
//! destinations, so they hijack sometimes); `unknown` is allowed only for route
//! limits, nested tunnels and — with an environment, whose cost grows with the number
//! of prefix lengths it may announce (docs/performance.md) — the solver's time limit
//! (`ENV_TIMEOUT`); those are counted and bounded (`unknown_env`), never compared.
//!
//! Designs have one or two hubs, or (growing, [`Growth`]) three to five regions, each
//! with its own AVS or on-premises site behind a circuit into its hub; an estate's
//! hubs have spoke VNets (using the hub's gateway or not, sent to the hub's NVA by a
//! UDR or not) and regional circuits Global-Reached to the first region's; sites
//! announce up to hundreds (or, in the long run, thousands) of extra prefixes.
//!
//! Per property the symbolic engine (`smt::verify_property`, which never takes the
//! concrete path except where the design's own prefixes may exceed a route limit) is
//! compared with the simulator under every failure set, and the concrete path
//! (`pipeline::concrete::decide`) with z3 where it decides. An `unknown` on one side
//! (z3's time limit, nested tunnels; no stable state in the simulator) is sound, not a
//! disagreement: counted and printed in the tally.
//!
//! `cargo test --test smt_random` runs 300 designs (20% with an environment, a tenth of
//! them `within 0.0.0.0/0`; 10% with up to 150 extra prefixes; 4% of 3 to 5 regions;
//! 20% with spokes and regional Global Reach: [`DEFAULT_GROWTH`]);
//! `-- --ignored many` runs 3,000 (40% with an environment; 30% of 3 to 5 regions, 40%
//! estates, 30% with up to 200 extra prefixes, 15% of those up to 3,000;
//! `SMT_RANDOM_SHARD=I/N` splits it over N processes, `SMT_RANDOM_PROGRESS=K` prints the
//! tally every K designs); `-- --ignored multi_region` 100 of 3 to 5 regions;
//! `SMT_RANDOM_SEED=N ... -- --ignored one_design` compares one
//! (`SMT_RANDOM_ENV_RATE=0.4 SMT_RANDOM_MANY=1` for a design of `many`,
//! `SMT_RANDOM_MULTI_REGION=1` for one of `multi_region`); `SMT_RANDOM_TIMES=1` prints
//! each z3 verdict's time.

use avscheck::ir::{Network, Property, PropertyKind};
use avscheck::sim::{evaluate_in_environment, evaluate_with_failures, PropertyOutcome};
use avscheck::smt::environment::group_members;
use avscheck::smt::queries::verify_property;
use avscheck::smt::Status;
use ipnet::Ipv4Net;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::fmt::Write;
use std::time::{Duration, Instant};

const POLICIES: &[&str] = &[
    "permit",
    "deny prefix 0.0.0.0/0\n  permit",
    "permit prefix 10.0.0.0/8 le 32 { set local_pref 200 }",
    "permit as_path contains 65010 { remove_as 65515 12076 398656 }",
    "permit as_path contains 65020 { remove_as 65515 12076 398656 }",
    "deny as_path length > 3\n  permit { prepend 65200 x2 }",
    "permit { set med 50 }",
    "deny prefix 10.2.0.0/16\n  permit",
    "permit prefix 0.0.0.0/0\n  permit prefix 10.0.0.0/8 le 24 { prepend 65010 x1 }",
    "permit { remove_private_as }",
];

fn pick<'a, T>(rng: &mut StdRng, v: &'a [T]) -> &'a T {
    &v[rng.gen_range(0..v.len())]
}

/// How the designs grow beyond one or two hubs (drawn from a second random stream, so
/// a design that does not grow is the same as before the growth was added).
#[derive(Clone, Copy, Debug)]
struct Growth {
    /// The share of designs with 3 to [`MAX_REGIONS`] regions (a hub each).
    multi_region: f64,
    /// The share of designs whose sites announce extra prefixes.
    many_prefixes: f64,
    /// At most this many extra prefixes per design.
    max_extra_prefixes: usize,
    /// The share of designs with many prefixes that get up to [`THOUSANDS`] instead.
    thousands: f64,
    /// Whether a grown design (three regions or more, spokes, extra prefixes) may get
    /// an environment (`assume`).
    environments: bool,
    /// The share of designs with spoke VNets peered to a hub (each hub 0 to
    /// [`MAX_SPOKES`]: with `use_remote_gateway` or not, a UDR 0.0.0.0/0 to the hub's
    /// NVA or not) and Global Reach links between the regional circuits and `er_dc`.
    estate: f64,
}

/// The most regions (hubs) of a random design.
const MAX_REGIONS: u32 = 5;

/// The most extra prefixes of a design drawn with `Growth::thousands` (beyond the
/// 1,000 a circuit carries to on-premises: route limits come into play).
const THOUSANDS: usize = 3000;

/// The most spoke VNets per hub.
const MAX_SPOKES: u32 = 2;

/// The default `cargo test` run: a few designs of three to five regions (z3 may reach
/// its 20 s on one: `unknown`, counted), estates with spokes and regional Global Reach,
/// and sites with up to 150 extra prefixes.
const DEFAULT_GROWTH: Growth = Growth {
    multi_region: 0.04,
    many_prefixes: 0.1,
    max_extra_prefixes: 150,
    thousands: 0.0,
    estate: 0.2,
    environments: false,
};

/// `-- --ignored multi_region`: every design has 3 to 5 regions.
const MULTI_REGION_GROWTH: Growth = Growth {
    multi_region: 1.0,
    many_prefixes: 0.3,
    max_extra_prefixes: 100,
    thousands: 0.0,
    estate: 0.6,
    environments: true,
};

/// The ignored 3,000-design run: designs of up to five regions and many prefixes.
const MANY_GROWTH: Growth = Growth {
    multi_region: 0.3,
    many_prefixes: 0.3,
    max_extra_prefixes: 200,
    thousands: 0.15,
    estate: 0.4,
    environments: true,
};

/// A random design (one check of one property line).
///
/// Regions: one or two hubs (the original generator), or with `growth.multi_region`
/// three to five. Each hub `hub{h}` (10.{100+h}.0.0/16) has Route Server `ars{h}`, ER
/// gateway `ergw{h}` and NVA `fw{h}`; VNets peer pairwise at random; NVAs of two hubs
/// peer at random, over a VXLAN tunnel `vx{i}{j}` or directly. A grown design gives each
/// extra region (h ≥ 2) its own AVS private cloud or on-premises site behind a circuit
/// into `ergw{h}`, and half the time a property about it. With `growth.many_prefixes`,
/// `dc1` (and the regional sites) announce up to `growth.max_extra_prefixes` more
/// prefixes: more specifics of their own space and prefixes of 172.16.0.0/12, some
/// overlapping other sites'.
fn design(seed: u64, env_rate: f64, growth: Growth) -> String {
    let mut rng = StdRng::seed_from_u64(seed);
    // The growth's own stream: the original stream's draws stay as they were.
    let mut grow = StdRng::seed_from_u64(seed ^ 0x006e_07e6_10a5);
    let mut s = String::from("use azure\n");
    let mut hubs = rng.gen_range(1..=2);
    if grow.gen_bool(growth.multi_region) {
        hubs = grow.gen_range(3..=MAX_REGIONS);
    }
    // The estate's own stream (spokes, regional Global Reach, properties about them).
    let mut est = StdRng::seed_from_u64(seed ^ 0x0e57_a7e0_0011);
    let estate = est.gen_bool(growth.estate);
    // (hub, index, use_remote_gateway, a UDR 0.0.0.0/0 to the hub's NVA)
    let mut spokes: Vec<(u32, u32, bool, bool)> = Vec::new();
    if estate {
        for h in 0..hubs {
            for k in 0..est.gen_range(0..=MAX_SPOKES) {
                spokes.push((h, k, est.gen_bool(0.6), est.gen_bool(0.5)));
            }
        }
    }
    let mut used_policies: Vec<usize> = Vec::new();
    let pol = |rng: &mut StdRng, used: &mut Vec<usize>| -> String {
        let i = rng.gen_range(0..POLICIES.len());
        used.push(i);
        format!("p{i}")
    };
    for h in 0..hubs {
        let asn = 65010 + 10 * h;
        writeln!(s, "vnet hub{h} {{\n  address 10.{}.0.0/16", 100 + h).unwrap();
        for other in (0..hubs).filter(|o| *o != h) {
            if rng.gen_bool(0.5) {
                writeln!(s, "  peer hub{other}").unwrap();
            }
        }
        for (_, k, _, _) in spokes.iter().filter(|x| x.0 == h) {
            writeln!(s, "  peer spoke{h}{k}").unwrap();
        }
        s.push_str("}\n");
        writeln!(
            s,
            "subnet fw{h}_subnet {{\n  vnet hub{h}\n  address 10.{}.1.0/24",
            100 + h
        )
        .unwrap();
        if rng.gen_bool(0.5) {
            writeln!(s, "  route_table fw{h}_rt").unwrap();
        }
        s.push_str("}\n");
        let udr_fw = *pick(
            &mut rng,
            &[
                "route 0.0.0.0/0 next_hop internet",
                "route 10.0.0.0/8 next_hop none",
                "route 0.0.0.0/0 next_hop internet\n  route 10.2.0.0/16 next_hop vnet_local",
            ],
        );
        writeln!(s, "route_table fw{h}_rt {{\n  {udr_fw}\n}}").unwrap();
        let b2b = rng.gen_bool(0.7);
        writeln!(s, "route_server ars{h} {{\n  vnet hub{h}\n  branch_to_branch {b2b}\n  peer fw{h} asn {asn}\n}}").unwrap();
        let gw_rt = rng.gen_bool(0.4);
        writeln!(
            s,
            "er_gateway ergw{h} {{\n  vnet hub{h}{}{}\n}}",
            if gw_rt {
                format!("\n  route_table gw{h}_rt")
            } else {
                String::new()
            },
            pick(
                &mut rng,
                &[
                    "",
                    "\n  routing_preference vpn_nva",
                    "\n  routing_preference as_path",
                    "\n  routing_preference expressroute"
                ]
            )
        )
        .unwrap();
        // The GatewaySubnet steers circuit traffic to the firewall: for AVS and
        // on-premises, or (one direction only: the hub's own VMs reply straight to the
        // gateway) for the hub's address space.
        let gw_routes = *pick(
            &mut rng,
            &[
                "route 10.1.0.0/22 next_hop 10.{0}.1.4\n  route 10.2.0.0/16 next_hop 10.{0}.1.4",
                "route 10.{0}.0.0/16 next_hop 10.{0}.1.4",
            ],
        );
        let gw_routes = gw_routes.replace("{0}", &(100 + h).to_string());
        writeln!(s, "route_table gw{h}_rt {{\n  {gw_routes}\n}}").unwrap();
        writeln!(
            s,
            "nva fw{h} {{\n  subnet fw{h}_subnet\n  ip 10.{}.1.4\n  asn {asn}",
            100 + h
        )
        .unwrap();
        match rng.gen_range(0..4) {
            0 => s.push_str("  originate 0.0.0.0/0\n"),
            1 => {
                s.push_str("  originate 10.0.0.0/8\n");
                if rng.gen_bool(0.6) {
                    s.push_str("  static 10.0.0.0/8 next_hop drop\n");
                }
            }
            _ => {}
        }
        let export = if rng.gen_bool(0.4) {
            format!(" export {}", pol(&mut rng, &mut used_policies))
        } else {
            String::new()
        };
        writeln!(s, "  peer ars{h}{export}").unwrap();
        for other in (0..hubs).filter(|o| *o != h) {
            if rng.gen_bool(0.6) {
                if rng.gen_bool(0.7) {
                    let (i, j) = (h.min(other), h.max(other));
                    writeln!(s, "  peer fw{other} over vx{i}{j}").unwrap();
                } else {
                    writeln!(s, "  peer fw{other}").unwrap();
                }
            }
        }
        s.push_str("}\n");
    }
    for i in 0..hubs {
        for j in i + 1..hubs {
            writeln!(
                s,
                "tunnel vx{i}{j} {{\n  between fw{i} fw{j}\n  type vxlan\n}}"
            )
            .unwrap();
        }
    }
    // Spokes: 10.(60 + 4h + k).0.0/16, one VM subnet each.
    for &(h, k, remote, udr) in &spokes {
        let a = 60 + 4 * h + k;
        writeln!(
            s,
            "vnet spoke{h}{k} {{\n  address 10.{a}.0.0/16\n  peer hub{h}{}\n}}",
            if remote { " use_remote_gateway" } else { "" }
        )
        .unwrap();
        writeln!(
            s,
            "subnet spoke{h}{k}_vms {{\n  vnet spoke{h}{k}\n  address 10.{a}.1.0/24{}\n}}",
            if udr {
                format!("\n  route_table spoke{h}{k}_rt")
            } else {
                String::new()
            }
        )
        .unwrap();
        if udr {
            writeln!(
                s,
                "route_table spoke{h}{k}_rt {{\n  route 0.0.0.0/0 next_hop 10.{}.1.4\n}}",
                100 + h
            )
            .unwrap();
        }
    }
    s.push_str("avs avs1 {\n  originate 10.1.0.0/22\n}\n");
    let dc_import = if rng.gen_bool(0.5) {
        format!(" import {}", pol(&mut rng, &mut used_policies))
    } else {
        String::new()
    };
    s.push_str("site dc1 {\n  asn 65200\n  originate 10.2.0.0/16\n");
    let many = grow.gen_bool(growth.many_prefixes);
    let max_extra = if many && est.gen_bool(growth.thousands) {
        THOUSANDS
    } else {
        growth.max_extra_prefixes
    };
    let extra = |grow: &mut StdRng, own: &str, s: &mut String| {
        if many {
            for q in extra_prefixes(grow, own, max_extra) {
                writeln!(s, "  originate {q}").unwrap();
            }
        }
    };
    extra(&mut grow, "10.2.0.0/16", &mut s);
    writeln!(s, "  peer er_dc{dc_import}").unwrap();
    let router = rng.gen_bool(0.3);
    if router {
        let imp = if rng.gen_bool(0.5) {
            format!(" import {}", pol(&mut rng, &mut used_policies))
        } else {
            String::new()
        };
        writeln!(s, "  peer r1{imp}").unwrap();
    }
    s.push_str("}\n");
    if router {
        let orig = *pick(&mut rng, &["10.3.0.0/16", "0.0.0.0/0", "10.2.0.0/16"]);
        writeln!(
            s,
            "router r1 {{\n  asn 65300\n  originate {orig}\n  peer dc1\n}}"
        )
        .unwrap();
    }
    let gw_avs = rng.gen_range(0..hubs);
    let gw_dc = rng.gen_range(0..hubs);
    let weight = *pick(&mut rng, &["", " weight 100"]);
    writeln!(
        s,
        "er_circuit er_avs {{\n  peer avs1\n  connect ergw{gw_avs}{weight}\n}}"
    )
    .unwrap();
    writeln!(
        s,
        "er_circuit er_dc {{\n  peer dc1\n  connect ergw{gw_dc}\n}}"
    )
    .unwrap();
    if rng.gen_bool(0.3) {
        s.push_str("global_reach gr {\n  between er_avs er_dc\n}\n");
    }
    // The extra regions' own AVS or on-premises site, behind a circuit into their hub.
    let mut regional: Vec<String> = Vec::new();
    for h in 2..hubs {
        if grow.gen_bool(0.5) {
            writeln!(s, "avs avs_r{h} {{\n  originate 10.{}.0.0/22\n}}", 10 + h).unwrap();
            writeln!(
                s,
                "er_circuit er_r{h} {{\n  peer avs_r{h}\n  connect ergw{h}\n}}"
            )
            .unwrap();
            regional.push(format!("avs_r{h}"));
        } else {
            writeln!(
                s,
                "site dc_r{h} {{\n  asn {}\n  originate 10.{}.0.0/16\n  peer er_r{h}",
                65200 + 10 * h,
                20 + h
            )
            .unwrap();
            extra(&mut grow, &format!("10.{}.0.0/16", 20 + h), &mut s);
            s.push_str("}\n");
            writeln!(
                s,
                "er_circuit er_r{h} {{\n  peer dc_r{h}\n  connect ergw{h}\n}}"
            )
            .unwrap();
            regional.push(format!("dc_r{h}"));
        }
    }
    // Global Reach between a regional circuit and one of the first region's.
    if estate {
        for h in 2..hubs {
            if est.gen_bool(0.4) {
                let other = *pick(&mut est, &["er_dc", "er_avs"]);
                writeln!(s, "global_reach gr_r{h} {{\n  between er_r{h} {other}\n}}").unwrap();
            }
        }
    }
    used_policies.sort();
    used_policies.dedup();
    for i in used_policies {
        writeln!(s, "policy p{i} {{\n  {}\n}}", POLICIES[i]).unwrap();
    }
    let props = [
        "never dc1 installs 0.0.0.0/0",
        "never avs1 installs 10.2.0.0/16",
        "never dc1 installs 10.0.0.0/8 via er_dc",
        "reachable avs1 -> dc1",
        "reachable dc1 -> avs1",
        "path avs1 -> internet traverses fw0",
        "path dc1 -> avs1 traverses fw0",
        "path dc1 -> 10.99.0.0/16 avoids fw0",
        "loop_free",
        "symmetric avs1 <-> dc1",
        "symmetric hub0 <-> dc1",
        "routes dc1 <= 2",
        "reachable fw_subnet0 -> dc1",
    ];
    let mut prop = pick(&mut rng, &props).to_string();
    prop = prop.replace("fw_subnet0", "fw0_subnet");
    if !regional.is_empty() && grow.gen_bool(0.5) {
        // A property across regions.
        let r = pick(&mut grow, &regional).clone();
        let h = &r[r.len() - 1..];
        let cross = [
            format!("reachable dc1 <-> {r}"),
            format!("reachable avs1 -> {r}"),
            format!("reachable {r} -> hub0"),
            format!("path {r} -> dc1 traverses fw{h}"),
            format!("path dc1 -> {r} avoids fw0"),
            format!("symmetric {r} <-> avs1"),
            format!("never {r} installs 10.2.0.0/16 via er_r{h}"),
        ];
        prop = pick(&mut grow, &cross).clone();
    }
    if !spokes.is_empty() && est.gen_bool(0.5) {
        // A property about a spoke.
        let &(h, k, _, _) = pick(&mut est, &spokes);
        let v = format!("spoke{h}{k}");
        let mut about = vec![
            format!("reachable {v} -> dc1"),
            format!("reachable dc1 -> {v}"),
            format!("reachable {v} <-> avs1"),
            format!("path dc1 -> {v} traverses fw{h}"),
            format!("path {v} -> internet traverses fw{h}"),
            format!("symmetric {v} <-> dc1"),
        ];
        if let Some(r) = regional.first() {
            about.push(format!("reachable {v} -> {r}"));
        }
        prop = pick(&mut est, &about).clone();
    }
    if rng.gen_bool(0.25) {
        prop.push_str(" under failures 1");
    }
    // The environment (symbolic in z3, replayed concretely in the simulator):
    // on-premises announces anything, or anything inside a narrower range.
    let assume = if rng.gen_bool(env_rate) {
        // Everything (`0.0.0.0/0`, every length) is the costliest environment.
        let within = if rng.gen_bool(env_rate / 2.0) {
            "0.0.0.0/0"
        } else {
            *pick(
                &mut rng,
                &[
                    "10.0.0.0/8",
                    "10.0.0.0/8 le 16",
                    "10.0.0.0/8 le 24",
                    "10.1.0.0/16 le 24",
                    "10.2.0.0/16",
                    "10.100.0.0/15 le 24",
                    "0.0.0.0/0 le 8",
                    "8.0.0.0/8",
                ],
            )
        };
        format!("assume dc1 advertises any within {within}\n  ")
    } else {
        String::new()
    };
    // A grown design's environment costs z3 most (an `unknown` at ENV_TIMEOUT): only
    // where the growth allows it (the drawn environment is dropped, the stream stays).
    let grown = hubs > 2 || many || !spokes.is_empty();
    let assume = if grown && !growth.environments {
        String::new()
    } else {
        assume
    };
    // The v2 components (LANGUAGE.md §2.4), drawn from a second generator so that the
    // designs above stay those of earlier runs: an internal load balancer in front of
    // fw0 and an Azure Firewall as the GatewaySubnet's UDR next hop, a VPN gateway
    // connected to dc1 (over BGP, its public address present or not), and scoped
    // failures of the load balancer's backends or of the VPN connection.
    let mut v2 = StdRng::seed_from_u64(seed ^ 0x00c0_ffee_0000_0012);
    let lb = v2.gen_bool(0.3);
    if lb {
        s = s.replace("next_hop 10.100.1.4", "next_hop 10.100.1.100");
        s.push_str(
            "load_balancer ilb0 {\n  subnet fw0_subnet\n  frontend 10.100.1.100\n  backend fw0\n  backend afw0\n}\n",
        );
        s.push_str("azure_firewall afw0 {\n  subnet fw0_subnet\n  ip 10.100.1.5\n}\n");
    }
    let vpn = v2.gen_bool(0.25);
    if vpn {
        s.push_str("vpn_gateway vpn0 {\n  vnet hub0\n  connect dc1\n}\n");
        let public = if v2.gen_bool(0.8) {
            "  public_ip 198.51.100.2\n"
        } else {
            ""
        };
        s = s.replace(
            "site dc1 {\n  asn 65200\n",
            &format!("site dc1 {{\n  asn 65200\n{public}  peer vpn0\n"),
        );
    }
    // More v2 components (issue 12), from a third generator so that the designs above
    // stay those of earlier runs: a second NIC on fw0 in its own subnet (without
    // gateway routes), optionally its default route through that NIC's gateway; AVS
    // management prefixes, with walks from them (no default route back).
    let mut v3 = StdRng::seed_from_u64(seed ^ 0x00c0_ffee_0000_0013);
    if v3.gen_bool(0.3) {
        s = s.replace(
            "nva fw0 {\n  subnet fw0_subnet\n  ip 10.100.1.4\n",
            "nva fw0 {\n  subnet fw0_subnet\n  ip 10.100.1.4\n  nic 10.100.2.4 subnet fw0_out\n",
        );
        s.push_str(
            "subnet fw0_out {\n  vnet hub0\n  address 10.100.2.0/24\n  route_table fw0_out_rt\n}\n",
        );
        s.push_str("route_table fw0_out_rt {\n  propagate_gateway_routes false\n}\n");
        if v3.gen_bool(0.5) {
            s = s.replace(
                "  nic 10.100.2.4 subnet fw0_out\n",
                "  nic 10.100.2.4 subnet fw0_out\n  static 0.0.0.0/0 next_hop 10.100.2.1\n",
            );
        }
    }
    if v3.gen_bool(0.3) {
        s = s.replace(
            "avs avs1 {\n  originate 10.1.0.0/22\n}",
            "avs avs1 {\n  management 10.1.0.0/22\n}",
        );
        if v3.gen_bool(0.6) {
            prop = prop.replace("reachable avs1 ->", "reachable 10.1.0.0/22 ->");
            prop = prop.replace("path avs1 ->", "path 10.1.0.0/22 ->");
        }
    }
    // Static VPN connections (issue 12), from a fourth generator so that the designs
    // above stay those of earlier runs: dc1 without `peer vpn0` (a static connection:
    // vpn0 learns its prefixes, dc1 routes the Azure side into the tunnel), a second,
    // static branch br0 (with a static route to dc1's range through the gateway, or
    // not), and properties about br0.
    let mut v4 = StdRng::seed_from_u64(seed ^ 0x00c0_ffee_0000_0014);
    if vpn && v4.gen_bool(0.5) {
        s = s.replace("  peer vpn0\n", "");
    }
    if vpn && v4.gen_bool(0.5) {
        s = s.replace("  connect dc1\n", "  connect dc1\n  connect br0\n");
        s.push_str(
            "site br0 {\n  asn 65250\n  public_ip 198.51.100.50\n  originate 192.168.50.0/24\n",
        );
        if v4.gen_bool(0.5) {
            s.push_str("  static 10.2.0.0/16 next_hop vpn0\n");
        }
        s.push_str("}\n");
        if v4.gen_bool(0.5) {
            let base = *pick(
                &mut v4,
                &[
                    "reachable br0 -> 10.2.0.0/16",
                    "reachable dc1 -> 192.168.50.0/24",
                    "reachable br0 -> 10.1.0.0/22",
                    "path hub0 -> 192.168.50.0/24 traverses vpn0",
                ],
            );
            let failures = if v4.gen_bool(0.5) {
                " under failures 1"
            } else {
                ""
            };
            prop = format!("{base}{failures}");
        }
    }
    // ExpressRoute FastPath on the data centre's circuit (provider, or Direct where the
    // GatewaySubnet's UDRs still apply), from the same fourth generator.
    if v4.gen_bool(0.25) {
        let direct = if v4.gen_bool(0.5) {
            "\n  type direct"
        } else {
            ""
        };
        if let Some(at) = s.find("er_circuit er_dc {\n  peer dc1\n") {
            if let Some(end) = s[at..].find("\n}").map(|i| at + i) {
                s.insert_str(end, &format!(" fastpath{direct}"));
            }
        }
    }
    // An SD-WAN branch (issue 12): fw0 reaches a site over an IPsec tunnel across the
    // internet (its `public_ip` and the site's, which may be missing: AVS0344) and
    // hands the branch's prefix to Route Server; properties about the branch.
    if v4.gen_bool(0.2) {
        s = s.replace(
            "nva fw0 {\n",
            "nva fw0 {\n  public_ip 203.0.113.4\n  peer sdb0 over ipsec0\n",
        );
        let public = if v4.gen_bool(0.85) {
            "  public_ip 198.51.100.60\n"
        } else {
            ""
        };
        // Mostly the branch routes fw0's public address by the internet underlay, as
        // SD-WAN branches do; otherwise fw0's 0.0.0.0/0 learned over the tunnel can
        // carry the tunnel's own outer packets (recursive routing: the tunnel is down,
        // AVS0349; z3 leaves such a design to the simulator).
        let underlay = if v4.gen_bool(0.75) {
            "  static 203.0.113.4/32 next_hop internet\n"
        } else {
            ""
        };
        s.push_str(&format!(
            "site sdb0 {{\n  asn 65260\n{public}{underlay}  originate 192.168.60.0/24\n  peer fw0 over ipsec0\n}}\ntunnel ipsec0 {{\n  between fw0 sdb0\n  type ipsec\n}}\n"
        ));
        if v4.gen_bool(0.5) {
            let base = *pick(
                &mut v4,
                &[
                    "reachable sdb0 -> 10.2.0.0/16",
                    "reachable avs1 -> 192.168.60.0/24",
                    "path hub0 -> 192.168.60.0/24 traverses fw0",
                ],
            );
            let failures = if v4.gen_bool(0.5) {
                " under failures 1"
            } else {
                ""
            };
            prop = format!("{base}{failures}");
        }
    }
    if prop.ends_with(" under failures 1") && (lb || vpn) && v2.gen_bool(0.5) {
        let scope = match (lb, vpn) {
            (true, true) => *pick(&mut v2, &["fw0 afw0", "vpn_gateway", "fw0 er_dc"]),
            (true, false) => *pick(&mut v2, &["fw0 afw0", "fw0 er_dc"]),
            _ => *pick(&mut v2, &["vpn_gateway", "vpn_gateway er_dc"]),
        };
        prop.push_str(&format!(" of {scope}"));
    }
    writeln!(s, "check \"random\" {{\n  {assume}{prop}\n}}").unwrap();
    s
}

/// Up to `max` extra prefixes for a site owning `own`: more specifics of `own` (/20 to
/// /25) and prefixes of 172.16.0.0/12 (/16 to /24, which other sites may announce too),
/// sorted and distinct.
fn extra_prefixes(rng: &mut StdRng, own: &str, max: usize) -> Vec<Ipv4Net> {
    let own: Ipv4Net = own.parse().unwrap();
    let shared: Ipv4Net = "172.16.0.0/12".parse().unwrap();
    let mut out = Vec::new();
    for _ in 0..rng.gen_range(1..=max.max(1)) {
        let (top, len) = if rng.gen_bool(0.7) {
            (own, rng.gen_range(20..=25))
        } else {
            (shared, rng.gen_range(16..=24))
        };
        let host = u32::from(top.network()) | (rng.gen::<u32>() & !u32::from(top.netmask()));
        out.push(Ipv4Net::new(host.into(), len).unwrap().trunc());
    }
    out.sort();
    out.dedup();
    out
}

/// The simulator on the design where the environment's announcements are concrete
/// originations and the assumption is gone, under every failure set the property
/// allows (`sim::evaluate_in_environment`: routing on the replayed design, destinations
/// of the design as written), with no stable state as `Inconclusive`.
fn replay_at(net: &Network, prop: &Property, ann: &[(String, Ipv4Net)]) -> PropertyOutcome {
    let ann = ann.iter().map(|(node, prefix)| {
        let n = net
            .node_by_name(node)
            .unwrap_or_else(|| panic!("no node {node}"));
        (n, *prefix)
    });
    match evaluate_in_environment(net, prop, ann).outcome {
        PropertyOutcome::NoStableState {
            failed,
            non_convergence,
        } => PropertyOutcome::Inconclusive(format!(
            "no stable state with {failed:?} down: {non_convergence:?}"
        )),
        o => o,
    }
}

/// Whether `q` is an announcement the assumptions allow.
fn allowed(prop: &Property, q: &Ipv4Net) -> bool {
    prop.assumptions
        .iter()
        .any(|a| a.within.contains(q) && q.prefix_len() <= a.le)
}

/// Checks an environment counterexample: its announcements are allowed, and
/// replayed as originations they make the simulator find the violation.
fn replay_environment(
    net: &Network,
    prop: &Property,
    cx: &avscheck::smt::Counterexample,
) -> Result<(), String> {
    let mut ann = Vec::new();
    // The announcements shown, and those that push a session over its route limit.
    let shown = cx
        .environment
        .iter()
        .map(|a| (a.node.as_str(), a.prefix.as_str()));
    let flood = cx
        .dropped
        .iter()
        .flat_map(|d| d.prefixes.iter().map(|p| (d.node.as_str(), p.as_str())));
    for (node, prefix) in shown.chain(flood) {
        let q: Ipv4Net = prefix
            .parse()
            .map_err(|_| format!("announcement `{prefix}` is not a prefix"))?;
        let by = net.node_by_name(node);
        if !prop
            .assumptions
            .iter()
            .any(|x| Some(x.node) == by && x.within.contains(&q) && q.prefix_len() <= x.le)
        {
            return Err(format!("{node} announcing {q} is not allowed"));
        }
        ann.push((node.to_string(), q));
    }
    for d in &cx.dropped {
        if d.prefixes.len() != d.announced {
            return Err(format!(
                "the flood of {:?} lists {} prefixes, not {}",
                d.session,
                d.prefixes.len(),
                d.announced
            ));
        }
    }
    // For `routes N <= K` a shown announcement is the representative of a group of
    // prefixes the design treats alike (the narrative says for how many): replay up to
    // K + 1 of the group's members.
    if let PropertyKind::RouteLimit { max, .. } = prop.kind {
        let design = net.originated_prefixes();
        let n = usize::try_from(max).unwrap_or(usize::MAX).saturating_add(1);
        let mut members = Vec::new();
        for (node, q) in &ann {
            let by = net.node_by_name(node);
            for a in prop.assumptions.iter().filter(|a| Some(a.node) == by) {
                for m in group_members(net, a, q, &design, n) {
                    members.push((node.clone(), m));
                }
            }
        }
        ann.extend(members);
    }
    ann.sort();
    ann.dedup();
    match replay_at(net, prop, &ann) {
        PropertyOutcome::Violated(_) => Ok(()),
        other => Err(format!(
            "the environment {:?} (and {} flooding announcements) does not replay: simulator {other:?}",
            cx.environment,
            cx.dropped.iter().map(|d| d.prefixes.len()).sum::<usize>()
        )),
    }
}

/// A random environment for `prop`'s assumptions: one to three prefixes inside P of
/// length at most M, mostly sub-prefixes (or supernets inside P) of the prefixes the
/// design mentions and of the property's destinations, so that they hijack sometimes.
fn random_environment(rng: &mut StdRng, net: &Network, prop: &Property) -> Vec<(String, Ipv4Net)> {
    let mut bases: Vec<Ipv4Net> = avscheck::sim::classes::mentioned_prefixes(net)
        .into_iter()
        .collect();
    // Addresses the properties send to: NVA addresses, AVS, on-premises, public ones.
    for a in [
        "10.1.0.5",
        "10.1.3.9",
        "10.2.0.5",
        "10.2.200.1",
        "10.100.1.4",
        "8.8.8.8",
    ] {
        bases.push(Ipv4Net::new(a.parse().unwrap(), 32).unwrap());
    }
    let mut out = Vec::new();
    for _ in 0..rng.gen_range(1..=3) {
        let a = pick(rng, &prop.assumptions);
        let node = net.nodes[a.node].name.clone();
        let q = if rng.gen_bool(0.85) {
            let b = *pick(rng, &bases);
            // Inside P: the base itself, or P when the base covers it.
            let top = if a.within.contains(&b) {
                b
            } else if b.contains(&a.within) {
                a.within
            } else {
                continue;
            };
            let lo = top.prefix_len();
            if lo > a.le {
                // Only shorter: a supernet of the base inside P.
                let len = rng.gen_range(a.within.prefix_len()..=a.le);
                Ipv4Net::new(top.network(), len).unwrap().trunc()
            } else {
                let len = if rng.gen_bool(0.3) {
                    lo
                } else {
                    rng.gen_range(lo..=a.le.min(32))
                };
                let host =
                    u32::from(top.network()) | (rng.gen::<u32>() & !u32::from(top.netmask()));
                Ipv4Net::new(host.into(), len).unwrap().trunc()
            }
        } else {
            let len = rng.gen_range(a.within.prefix_len()..=a.le.min(32));
            let host =
                u32::from(a.within.network()) | (rng.gen::<u32>() & !u32::from(a.within.netmask()));
            Ipv4Net::new(host.into(), len).unwrap().trunc()
        };
        debug_assert!(allowed(prop, &q));
        if allowed(prop, &q) {
            out.push((node, q));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether an `unknown` verdict is one of the documented gaps: route limits the
/// environment could reach, nested tunnels, an environment's time limit, MEDs from
/// two neighbouring ASes with an environment (`smt::queries::med_risk`).
fn known_gap(why: &str) -> bool {
    why.contains("route limit")
        || why.contains("whose MEDs BGP does not compare")
        || why.contains("nested tunnels")
        || why.contains("recursive routing is not encoded")
        || why.contains("timed out")
        || why.contains("time limit")
        || why.contains("did not finish within --timeout")
}

/// The solver's budget for a property with an environment (a timeout is `unknown`,
/// never compared); without one, 20 s (none is expected).
const ENV_TIMEOUT: Duration = Duration::from_secs(5);

/// The share of designs whose property gets an `assume dc1 advertises any` in the
/// default run (z3 takes far longer with an environment).
const DEFAULT_ENV_RATE: f64 = 0.2;

/// How many random concrete environments a z3 `pass` with an assumption is replayed
/// with (besides the empty one).
const ENVIRONMENTS: usize = 3;

/// What a run compared.
#[derive(Default)]
struct Tally {
    /// Properties where both engines agree (with an environment: the z3 verdict was
    /// confirmed by replays).
    compared: usize,
    /// Of `compared`, those with an `assume`.
    compared_env: usize,
    /// Properties without a verdict to compare (simulator inconclusive, documented
    /// z3 gaps).
    skipped: usize,
    /// Of `skipped`, properties with an `assume` that z3 answered `unknown` for a
    /// route limit or nested tunnels.
    unknown_env: usize,
    /// Of `skipped`, properties without an `assume` that z3 left `unknown` (its time
    /// limit, nested tunnels) while the simulator decided: not a disagreement (an
    /// `unknown` is sound), counted.
    unknown_smt: usize,
    /// Of `skipped`, properties the simulator could not decide (no stable state).
    undecided_sim: usize,
    /// Properties the concrete path (`pipeline::concrete`) decided, compared with z3.
    concrete_decided: usize,
    /// Of those, the ones the concrete path left `unknown` (its deadline).
    concrete_unknown: usize,
    bad: Vec<String>,
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} compared ({} with an environment), {} skipped ({} with an environment: unknown for a route limit, nested tunnels or the time limit; {} z3 unknown without one; {} without a stable state in the simulator); the concrete path decided {} ({} unknown); {} disagreements",
            self.compared,
            self.compared_env,
            self.skipped,
            self.unknown_env,
            self.unknown_smt,
            self.undecided_sim,
            self.concrete_decided,
            self.concrete_unknown,
            self.bad.len()
        )
    }
}

/// Runs `n` designs from `first_seed`.
fn run(first_seed: u64, n: u64, env_rate: f64, growth: Growth) -> Tally {
    run_seeds(first_seed..first_seed + n, env_rate, growth)
}

/// Runs the designs of `seeds`; with `SMT_RANDOM_PROGRESS=N`, prints the tally so far
/// every N designs (a long run's log then says how far it got).
fn run_seeds(seeds: impl Iterator<Item = u64>, env_rate: f64, growth: Growth) -> Tally {
    let progress: Option<usize> = std::env::var("SMT_RANDOM_PROGRESS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n > 0);
    let started = Instant::now();
    let mut reported = 0;
    let mut compared = 0;
    let mut compared_env = 0;
    let mut skipped = 0;
    let mut unknown_env = 0;
    let mut unknown_smt = 0;
    let mut undecided_sim = 0;
    let mut concrete_decided = 0;
    let mut concrete_unknown = 0;
    let mut bad = Vec::new();
    for (designs, seed) in seeds.enumerate() {
        if let Some(every) = progress {
            if designs > 0 && designs % every == 0 {
                eprintln!(
                    "progress: {designs} designs in {:?}: {} compared, {} skipped ({} z3 unknown, {} with an environment), {} disagreements",
                    started.elapsed(),
                    compared,
                    skipped,
                    unknown_smt,
                    unknown_env,
                    bad.len()
                );
            }
        }
        // A long run's log shows each disagreement as it is found.
        if progress.is_some() {
            for b in &bad[reported..] {
                eprintln!("disagreement: {b}");
            }
            reported = bad.len();
        }
        let text = design(seed, env_rate, growth);
        let analysis = avscheck::analyse("random.avs", &text);
        if analysis.has_errors() {
            let errs: Vec<String> = analysis
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| format!("{} {}", d.code, d.message))
                .collect();
            panic!("seed {seed}: the generator wrote an invalid design: {errs:?}\n{text}");
        }
        let Some(net) = analysis.network else {
            panic!("seed {seed}: no network");
        };
        for (_, check) in net.checks.iter() {
            for prop in &check.properties {
                let started = Instant::now();
                let budget = if prop.assumptions.is_empty() {
                    Duration::from_secs(20)
                } else {
                    ENV_TIMEOUT
                };
                let smt = verify_property(&net, prop, budget);
                if std::env::var_os("SMT_RANDOM_TIMES").is_some() {
                    eprintln!(
                        "seed {seed}: z3 {:?} in {:?} ({} assumption(s))",
                        smt.status,
                        started.elapsed(),
                        prop.assumptions.len()
                    );
                }
                if !prop.assumptions.is_empty() {
                    // The environment: a z3 counterexample must replay concretely; a
                    // pass must survive the empty environment and a few random ones.
                    let verdict = match &smt.status {
                        Status::Fail => match smt.counterexample.as_ref() {
                            Some(cx) => replay_environment(&net, prop, cx),
                            None => Err("no counterexample".to_string()),
                        },
                        Status::Pass => {
                            let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_e4f1);
                            let mut res = Ok(());
                            for i in 0..=ENVIRONMENTS {
                                let env = if i == 0 {
                                    Vec::new()
                                } else {
                                    random_environment(&mut rng, &net, prop)
                                };
                                if let PropertyOutcome::Violated(v) = replay_at(&net, prop, &env) {
                                    let msg = format!(
                                        "the simulator finds a violation with the environment {env:?}: {} ({})",
                                        v.explanation,
                                        v.paths
                                            .iter()
                                            .map(|p| p.to.to_string())
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    );
                                    res = Err(msg);
                                    break;
                                }
                            }
                            res
                        }
                        Status::Unknown(why) if known_gap(why) => {
                            eprintln!("seed {seed}: unknown with an environment: {why}");
                            skipped += 1;
                            unknown_env += 1;
                            continue;
                        }
                        Status::Unknown(why) => Err(format!("unknown: {why}")),
                    };
                    match verdict {
                        Ok(()) => {
                            compared += 1;
                            compared_env += 1;
                        }
                        Err(why) => bad.push(format!(
                            "seed {seed}: environment: smt {:?}: {why}\nsmt cx: {}\n{text}",
                            smt.status,
                            smt.counterexample
                                .as_ref()
                                .map(|c| serde_json::to_string(c).unwrap())
                                .unwrap_or_default()
                        )),
                    }
                    continue;
                }
                let sim = evaluate_with_failures(&net, prop).outcome;
                // The concrete path (avscheck::pipeline) decides only where the stable
                // state is certified unique: there it must give z3's verdict.
                let cache = avscheck::pipeline::cache::ScenarioCache::new();
                let deadline = Instant::now() + Duration::from_secs(20);
                if let avscheck::pipeline::concrete::Concrete::Decided(v) =
                    avscheck::pipeline::concrete::decide(&net, prop, deadline, &cache)
                {
                    let decided = !matches!(v.status, Status::Unknown(_));
                    concrete_decided += 1;
                    if !decided {
                        concrete_unknown += 1;
                    }
                    let known = !matches!(smt.status, Status::Unknown(_));
                    if decided && known && v.status != smt.status {
                        bad.push(format!(
                            "seed {seed}: concrete path {:?}, smt {:?}\n{text}",
                            v.status, smt.status
                        ));
                    }
                }
                let s = match smt.status {
                    Status::Pass => Some(true),
                    Status::Fail => Some(false),
                    Status::Unknown(_) => None,
                };
                let c = match &sim {
                    PropertyOutcome::Holds => Some(true),
                    PropertyOutcome::Violated(_) => Some(false),
                    _ => None,
                };
                let gap = matches!(&smt.status, Status::Unknown(r) if known_gap(r));
                match (s, c) {
                    (Some(x), Some(y)) if x == y => compared += 1,
                    // Known gaps: walks through nested tunnels, the solver's time limit:
                    // `unknown`, never a verdict; counted.
                    (None, Some(_)) if gap => {
                        eprintln!("seed {seed}: z3 unknown: {:?}", smt.status);
                        skipped += 1;
                        unknown_smt += 1;
                    }
                    (Some(_), Some(_)) | (None, Some(_)) => bad.push(format!(
                        "seed {seed}: smt {:?} sim {:?}\nsmt cx: {}\n{text}",
                        smt.status,
                        sim,
                        smt.counterexample
                            .map(|c| serde_json::to_string(&c).unwrap())
                            .unwrap_or_default()
                    )),
                    _ => {
                        skipped += 1;
                        undecided_sim += 1;
                    }
                }
            }
        }
    }
    Tally {
        compared,
        compared_env,
        skipped,
        unknown_env,
        unknown_smt,
        undecided_sim,
        concrete_decided,
        concrete_unknown,
        bad,
    }
}

#[test]
fn random_designs_agree_with_the_simulator() {
    let t = run(0, 300, DEFAULT_ENV_RATE, DEFAULT_GROWTH);
    eprintln!("{t}");
    assert!(
        t.bad.is_empty(),
        "{} disagreements:\n{}",
        t.bad.len(),
        t.bad.join("\n\n")
    );
    assert!(t.compared >= 270, "only {t}");
    assert!(t.compared_env >= 25, "too few environments compared: {t}");
    assert!(
        t.unknown_env * 2 <= t.compared_env,
        "too many environments left unknown: {t}"
    );
}

/// 3,000 designs (seeds 10,000 to 12,999); `SMT_RANDOM_SHARD=I/N` runs the seeds whose
/// offset is I modulo N (N processes share the run); `SMT_RANDOM_FROM=S` starts at seed S
/// (a run resumed where an earlier one stopped).
#[test]
#[ignore]
fn many_random_designs_agree_with_the_simulator() {
    let (i, n) = std::env::var("SMT_RANDOM_SHARD")
        .ok()
        .and_then(|s| {
            let (i, n) = s.split_once('/')?;
            Some((i.parse::<u64>().ok()?, n.parse::<u64>().ok()?))
        })
        .filter(|(i, n)| i < n)
        .unwrap_or((0, 1));
    let from = std::env::var("SMT_RANDOM_FROM")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(10_000)
        .max(10_000);
    let seeds = (from..13_000).filter(move |s| (s - 10_000) % n == i);
    let t = run_seeds(seeds, 0.4, MANY_GROWTH);
    eprintln!("{t}");
    assert!(
        t.bad.is_empty(),
        "{} disagreements:\n{}",
        t.bad.len(),
        t.bad.join("\n\n")
    );
}

/// 100 designs of 3 to 5 regions (a quicker look at what `many` grows into).
#[test]
#[ignore]
fn multi_region_random_designs_agree_with_the_simulator() {
    let t = run(20_000, 100, DEFAULT_ENV_RATE, MULTI_REGION_GROWTH);
    eprintln!("{t}");
    assert!(
        t.bad.is_empty(),
        "{} disagreements:\n{}",
        t.bad.len(),
        t.bad.join("\n\n")
    );
}

/// The share of designs with an environment for `print_design` and `one_design`:
/// `SMT_RANDOM_ENV_RATE` (0.4 reproduces a design of the `many` run), else the default.
fn env_rate() -> f64 {
    std::env::var("SMT_RANDOM_ENV_RATE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_ENV_RATE)
}

/// The growth for `print_design` and `one_design`: `SMT_RANDOM_MANY=1` for a design of
/// the `many` run, `SMT_RANDOM_MULTI_REGION=1` for one of `multi_region`, else the
/// default run's.
fn growth() -> Growth {
    if std::env::var_os("SMT_RANDOM_MANY").is_some() {
        MANY_GROWTH
    } else if std::env::var_os("SMT_RANDOM_MULTI_REGION").is_some() {
        MULTI_REGION_GROWTH
    } else {
        DEFAULT_GROWTH
    }
}

/// `SMT_RANDOM_SEED=N cargo test --test smt_random -- --ignored print_design` prints
/// design N (to reproduce a disagreement with the CLI).
#[test]
#[ignore]
fn print_design() {
    if let Some(seed) = std::env::var("SMT_RANDOM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        println!("{}", design(seed, env_rate(), growth()));
    }
}

/// `SMT_RANDOM_SEED=N cargo test --test smt_random -- --ignored one_design` compares
/// design N alone.
#[test]
#[ignore]
fn one_design() {
    if let Some(seed) = std::env::var("SMT_RANDOM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        let t = run(seed, 1, env_rate(), growth());
        assert!(t.bad.is_empty(), "{}", t.bad.join("\n\n"));
        eprintln!("{t}");
    }
}

/// The design's items in a random order (`use` first), with each router, NVA and site
/// given its default router id (its declaration order, a language rule) explicitly.
fn permuted_design(text: &str, net: &Network, rng: &mut StdRng) -> String {
    use rand::seq::SliceRandom;
    let mut items: Vec<String> = Vec::new();
    for line in text.lines() {
        let starts = !line.starts_with(' ') && !line.starts_with('}');
        if starts || items.is_empty() {
            items.push(String::new());
        }
        let item = items.last_mut().unwrap();
        item.push_str(line);
        item.push('\n');
        if starts {
            let name = line.split_whitespace().nth(1).unwrap_or_default();
            if let Some(n) = net.node_by_name(name).map(|n| &net.nodes[n]) {
                if n.router_id_addr.is_none()
                    && ["router", "nva", "site"].contains(&n.kind.as_str())
                {
                    let id = std::net::Ipv4Addr::from(n.router_id);
                    writeln!(item, "  router_id {id}").unwrap();
                }
            }
        }
    }
    let (uses, mut rest): (Vec<String>, Vec<String>) =
        items.into_iter().partition(|i| i.starts_with("use "));
    rest.shuffle(rng);
    uses.into_iter().chain(rest).collect()
}

/// Each check's status from the whole pipeline (`avscheck check`'s verdicts).
fn pipeline_verdicts(text: &str) -> Vec<avscheck::report::CheckStatus> {
    let a = avscheck::analyse("random.avs", text);
    avscheck::verify(&a, &avscheck::VerifyOptions::default())
        .checks
        .into_iter()
        .map(|c| c.status)
        .collect()
}

/// 300 random designs of the default run and 100 of 3 to 5 regions (no environment),
/// each with its items in two random orders: the simulator's verdict of every property
/// must not change (where it does, the design has several stable states and the
/// pipeline's verdict, over all of them, must not change) (LANGUAGE.md §2.4: "a verdict never rests on declaration order or
/// names"; `tests/permutation.rs` does the same for the examples and test designs).
#[test]
fn permuted_random_designs_keep_their_verdicts() {
    let mut bad = Vec::new();
    let designs = (0..300)
        .map(|seed| (seed, DEFAULT_GROWTH))
        .chain((20_000..20_100).map(|seed| (seed, MULTI_REGION_GROWTH)));
    for (seed, growth) in designs {
        let text = design(seed, 0.0, growth);
        let net = avscheck::analyse("random.avs", &text).network.unwrap();
        let verdicts = |net: &Network| -> Vec<String> {
            net.checks
                .values()
                .flat_map(|c| &c.properties)
                .map(|p| match evaluate_with_failures(net, p).outcome {
                    PropertyOutcome::Holds => "holds".to_string(),
                    PropertyOutcome::Violated(_) => "violated".to_string(),
                    o => format!("{o:?}").chars().take(20).collect(),
                })
                .collect()
        };
        let base = verdicts(&net);
        let mut rng = StdRng::seed_from_u64(seed);
        for k in 0..2 {
            let p = permuted_design(&text, &net, &mut rng);
            let a = avscheck::analyse("random.avs", &p);
            let Some(pnet) = a.network else {
                bad.push(format!(
                    "seed {seed} permutation {k}: no network: {:?}\n{p}",
                    a.diagnostics
                ));
                continue;
            };
            let got = verdicts(&pnet);
            // Where the simulator's two orders disagree the design has several stable
            // states (the one the simulator reaches depends on the order it converges
            // in): the verdict is then the pipeline's (every stable state, certified or
            // symbolic), and that must not change.
            if got != base && pipeline_verdicts(&text) != pipeline_verdicts(&p) {
                bad.push(format!(
                    "seed {seed} permutation {k}: {base:?} -> {got:?}\n{p}"
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} permutations changed a verdict:\n{}",
        bad.len(),
        bad.join("\n\n")
    );
}

/// Destinations with the same forwarding role (`sim::classes::ForwardingRoles`, what
/// the property walks group by) have, from every source, walks with the same hops,
/// arrivals, tunnels and ends, and the same owners: on random designs (one and two
/// hubs, estates, many prefixes, three to five regions), every destination class is
/// walked from every node and subnet and compared with the first class of its role.
#[test]
fn destinations_of_one_forwarding_role_have_the_same_walks() {
    use avscheck::sim::{self, Scenario, Source, Walker};
    use std::collections::HashMap;
    let designs = (0..120)
        .map(|seed| (seed, DEFAULT_GROWTH))
        .chain((20_000..20_012).map(|seed| (seed, MULTI_REGION_GROWTH)));
    let (mut merged, mut classes_seen) = (0usize, 0usize);
    for (seed, growth) in designs {
        let text = design(seed, 0.0, growth);
        let net = avscheck::analyse("random.avs", &text).network.unwrap();
        let sc = Scenario::default();
        let Ok(state) = sim::stable_state(&net, &sc) else {
            continue;
        };
        let mut walker = Walker::new(&net, &state, &sc);
        let mut sources: Vec<Source> = net.nodes.ids().map(Source::Node).collect();
        sources.extend(net.subnets.ids().map(Source::Subnet));
        // A walk with the destination itself replaced by a marker.
        let shape = |walker: &mut Walker<'_>, d: std::net::Ipv4Addr| {
            let mut out = Vec::new();
            for s in &sources {
                for p in walker.walk(*s, d) {
                    let hops: Vec<_> = p
                        .hops
                        .iter()
                        .map(|h| (h.node, h.arrival, h.destination == d, h.encapsulated))
                        .collect();
                    out.push((hops, p.disposition, p.why, p.delivered_to));
                }
            }
            (out, sim::owners(&net, d))
        };
        let mut first: HashMap<Vec<u32>, std::net::Ipv4Addr> = HashMap::new();
        for class in sim::destination_classes(&net, &[]) {
            classes_seen += 1;
            let d = class.representative();
            let sig = walker.forwarding_signature(d);
            match first.get(&sig) {
                None => {
                    first.insert(sig, d);
                }
                Some(&e) => {
                    merged += 1;
                    let (a, b) = (shape(&mut walker, e), shape(&mut walker, d));
                    assert_eq!(
                        a, b,
                        "seed {seed}: {e} and {d} share a forwarding role but walk differently\n{text}"
                    );
                }
            }
        }
    }
    eprintln!("{merged} of {classes_seen} destination classes share a role with an earlier one");
    // The test compares something: most classes of these designs share a role.
    assert!(
        merged * 4 > classes_seen,
        "{merged} of {classes_seen} classes merged"
    );
}

/// The walk tables keep one copy of a prefix class's effective routes
/// (`sim::fabric::effective_routes_classed`: a member's routes are its
/// representative's, found through the fabric index) and the design's destination
/// classes once (`sim::classes::split_classes`): on random designs (estates, many
/// prefixes, three to five regions), for every subnet and every destination class,
/// the walker's fabric choice equals the lookup in the full effective-route listing
/// (every field but the prefix), and the classes split by a property's prefixes equal
/// the classes computed with them.
#[test]
fn walk_tables_per_prefix_class_match_the_full_listing() {
    use avscheck::sim::{self, classes, fabric, Scenario, Walker};
    let designs = (0..80)
        .map(|seed| (seed, DEFAULT_GROWTH))
        .chain((20_000..20_010).map(|seed| (seed, MULTI_REGION_GROWTH)));
    let (mut compared, mut renamed) = (0usize, 0usize);
    for (seed, growth) in designs {
        let text = design(seed, 0.0, growth);
        let net = avscheck::analyse("random.avs", &text).network.unwrap();
        let base = sim::destination_classes(&net, &[]);
        let mut extras: Vec<ipnet::Ipv4Net> =
            net.subnets.iter().filter_map(|(_, s)| s.address).collect();
        extras.push("10.64.3.0/24".parse().unwrap());
        extras.push("10.64.3.7/32".parse().unwrap());
        extras.push("0.0.0.0/0".parse().unwrap());
        for x in &extras {
            for extra in [vec![*x], vec![*x, "192.0.2.0/25".parse().unwrap()]] {
                assert_eq!(
                    classes::split_classes(&base, &extra).into_owned(),
                    sim::destination_classes(&net, &extra),
                    "seed {seed}: classes split by {extra:?}"
                );
            }
        }
        let sc = Scenario::default();
        let Ok(state) = sim::stable_state(&net, &sc) else {
            continue;
        };
        let walker = Walker::new(&net, &state, &sc);
        for (s, _) in net.subnets.iter() {
            let full = sim::effective_routes(&net, &state, &sc, s);
            for class in &base {
                let d = class.representative();
                let strip = |r: &sim::EffectiveRoute| {
                    let mut r = r.clone();
                    r.prefix = ipnet::Ipv4Net::default();
                    r
                };
                let want: Vec<_> = fabric::lookup(&full, d).into_iter().map(strip).collect();
                let got = walker.fabric_choice(s, d);
                renamed += got
                    .iter()
                    .filter(|r| state.class_of.values().any(|rep| *rep == r.prefix))
                    .filter(|r| !r.prefix.contains(&d))
                    .count();
                let got: Vec<_> = got.into_iter().map(strip).collect();
                assert_eq!(
                    got, want,
                    "seed {seed}: subnet {s:?}, destination {d}\n{text}"
                );
                compared += 1;
            }
        }
    }
    eprintln!("{compared} lookups compared, {renamed} answered by a representative's routes");
    // The test compares something: some lookups go through a representative.
    assert!(renamed > 0, "no lookup went through a class representative");
}
