//! SMT verification with z3: every property of a check is proved for every stable
//! state of the network (and every failure set / environment its modifiers allow), or
//! refuted with a concrete counterexample, or reported `unknown` (never a pass).
//!
//! ```text
//! encode/         scenario + BGP control plane per prefix → z3 (soundness argument in mod.rs)
//!   route.rs      symbolic routes, preference, per-node RIB, per-prefix plane
//!   selection.rs  one prefix's slice of nodes, candidates and the BGP decision
//!   transfer.rs   export rules and policies along one session
//! environment.rs  what an `assume ... advertises any` environment can announce, in groups
//! dataplane/      effective routes, forwarding and tunnels per destination class → a
//!                 guarded graph (mod.rs: walk states and routing decisions)
//!   fabric.rs     next hops, addresses (load balancers) and the fabric's subnet lookup
//!   walk.rs       walks and loops encoded without unrolling
//! prover.rs       assumptions vs goals, timeout, Proof | Counterexample | Unknown
//! queries/        `Session`: one encoder and one solver per scenario, push/pop across
//!                 properties (mod.rs); one file per property kind: never.rs, limits.rs
//!                 (`routes <= K`, floods), reach.rs (paths), loops.rs, symmetric.rs;
//!                 concrete.rs (the simulator decides when route limits could be hit)
//! stability.rs    under `failures K`: every failure set has a stable state
//! unique.rs       the stable state is unique (for the concrete path of the pipeline)
//! model.rs        z3 model → counterexample in the user's terms (names, prefixes, spans)
//! ```
//!
//! Only this module uses z3.
//!
//! Covered: every property kind (`never` with `via`/`originated_by`, `reachable`,
//! `path ... traverses|avoids`, `symmetric`, `loop_free`, `routes <= K`), `without`,
//! `under failures K`, and `assume N advertises any within P [le M]`, on every
//! property kind. The
//! BGP semantics of docs/semantics.md §1 (policies with every condition and action,
//! prepend, MED, next hop, loop check with `allowas_in`, local_pref reset, iBGP split
//! horizon, NO_ADVERTISE, weight, multipath), the effective routes of §2 (system, BGP
//! from gateways and Route Servers with routing preference, UDRs) and the forwarding
//! of §3 (statics, gateway contexts and no-transit, NVA fabric forwarding, tunnels,
//! nested tunnels). `unknown` instead (never `pass`): route limits that the design's
//! prefixes could reach, counterexamples that need the environment to exceed a route
//! limit, failure sets without a stable state, timeouts.
//! Destination classes, ownership and endpoint destinations are the simulator's
//! definitions (`sim::classes`, `sim::owners`, `sim::props::destinations`), so both
//! engines ask about the same addresses; counterexample AS paths are replayed with
//! `sim::bgp::export` along the model's chain of `learned_from` edges.

pub mod dataplane;
pub mod encode;
pub mod environment;
pub mod model;
pub mod prover;
pub mod queries;
pub mod stability;
pub mod unique;

use crate::ir::{CheckId, Network};
use crate::span::Span;
use serde::Serialize;
use std::time::{Duration, Instant};

/// Options of a verification run.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// Time budget of one check (all its properties), encoding included.
    pub timeout: Duration,
    /// Bytes of resident memory the process may hold ([`crate::budget`]).
    pub max_memory: u64,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            timeout: Duration::from_secs(60),
            max_memory: crate::budget::default_max_memory(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Unknown(String),
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Unknown(_) => "unknown",
        }
    }
}

/// The verdict of one property line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PropertyVerdict {
    pub span: Span,
    pub status: Status,
    pub counterexample: Option<Counterexample>,
}

/// The verdict of a check: pass when every property passes; fail when one fails;
/// otherwise unknown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckVerdict {
    pub status: Status,
    pub property_results: Vec<PropertyVerdict>,
    /// The first failing property's counterexample.
    pub counterexample: Option<Counterexample>,
}

/// An environment announcement chosen by the solver (`assume ... advertises any`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Announcement {
    pub node: String,
    pub prefix: String,
}

/// One forwarding path of a counterexample.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CexPath {
    pub from: String,
    pub to: String,
    pub disposition: String,
    pub hops: Vec<String>,
}

/// A route that takes part in a counterexample.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CexRoute {
    pub node: String,
    pub prefix: String,
    pub as_path: Vec<u32>,
    /// The AS_SET after `as_path` (`aggregate-address P as-set`), empty = none.
    pub as_set: Vec<u32>,
    /// The neighbour it was learned from (none: originated there).
    pub from: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CexLabel {
    pub span: Span,
    pub message: String,
}

/// A concrete counterexample (LANGUAGE.md §4 `counterexample`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counterexample {
    /// Components failed by `under failures` (not those of `without`).
    pub failed: Vec<String>,
    pub environment: Vec<Announcement>,
    pub paths: Vec<CexPath>,
    pub routes: Vec<CexRoute>,
    pub labels: Vec<CexLabel>,
    pub narrative: String,
    /// Sessions the environment drops by announcing more prefixes than their receive
    /// limit (confirmed by replaying the announcements in the simulator).
    pub dropped: Vec<DroppedSession>,
}

/// A session the environment's announcements push over its receive limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DroppedSession {
    /// The announcing node.
    pub node: String,
    /// The session's limited direction: sender, then the receiver that drops it.
    pub session: [String; 2],
    pub limit: u32,
    /// How many prefixes the environment announces over it.
    pub announced: usize,
    /// The range they are taken from (the `assume` line's `within`).
    pub within: String,
    /// The prefixes themselves (first the smallest), for replaying.
    #[serde(skip)]
    pub prefixes: Vec<String>,
    /// The `assume` line, and the line that sets (or implies) the limit.
    #[serde(skip)]
    pub spans: (Span, Span),
}

/// Verifies one property (a line of a check; `reachable A <-> B` is two) within
/// `timeout`.
pub fn verify_property(
    net: &Network,
    prop: &crate::ir::Property,
    timeout: Duration,
) -> PropertyVerdict {
    queries::verify_property(net, prop, timeout)
}

/// Verifies every property of one check.
pub fn verify_check(net: &Network, check: CheckId, opts: &VerifyOptions) -> CheckVerdict {
    let deadline = Instant::now() + opts.timeout;
    let Some(c) = net.checks.get(check) else {
        return CheckVerdict {
            status: Status::Unknown("no such check".into()),
            property_results: Vec::new(),
            counterexample: None,
        };
    };
    let props: Vec<&crate::ir::Property> = c.properties.iter().collect();
    combine(queries::verify_properties(
        net,
        &props,
        &|_| deadline,
        opts.max_memory,
    ))
}

/// A check's verdict from its properties' (in property order): fail when one fails,
/// otherwise unknown when one is unknown, otherwise pass.
pub fn combine(results: Vec<PropertyVerdict>) -> CheckVerdict {
    let status = if results.iter().any(|r| r.status == Status::Fail) {
        Status::Fail
    } else if let Some(u) = results.iter().find_map(|r| match &r.status {
        Status::Unknown(why) => Some(why.clone()),
        _ => None,
    }) {
        Status::Unknown(u)
    } else {
        Status::Pass
    };
    let counterexample = results.iter().find_map(|r| r.counterexample.clone());
    CheckVerdict {
        status,
        property_results: results,
        counterexample,
    }
}
