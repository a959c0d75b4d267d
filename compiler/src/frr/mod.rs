//! FRR/Quagga configurations as a node's BGP (`config "PATH"` on `nva`, `router`,
//! `site`; LANGUAGE.md §2.4).
//!
//! ```text
//! parse      frr.conf text  → ast::Config          (+ located errors and warnings)
//! translate  ast::Config    → the node's ASN, router id, originations, statics,
//!                             compiled route-maps (ir::Policy) and sessions
//! ```
//!
//! The parser is written with `nom` over `nom_locate` spans (`lex` for words and
//! values, `stmt` for the statements of each FRR node, `parser` for the line driver
//! and the node stack); every line keeps its byte span, so diagnostics and
//! counterexample labels point into the configuration file. What each statement
//! means, with FRR's defaults, is in docs/frr.md.

pub mod ast;
mod error;
mod lex;
mod nht;
mod parser;
mod stmt;
pub mod translate;

pub use parser::{parse, MAX_LINE};

/// Diagnostic codes of configuration files (docs/diagnostics.md, AVS0900–AVS0999).
pub mod codes {
    /// A statement avscheck knows, malformed.
    pub const SYNTAX: &str = "AVS0900";
    /// A statement avscheck does not understand (ignored).
    pub const NOT_UNDERSTOOD: &str = "AVS0901";
    /// A statement that changes routing in a way avscheck does not model.
    pub const UNSUPPORTED: &str = "AVS0902";
    /// A statement whose effect avscheck does not model (the model assumes the common case).
    pub const UNMODELED: &str = "AVS0903";
    /// The configuration file cannot be read.
    pub const UNREADABLE: &str = "AVS0904";
    /// A key in the `.avs` block that the configuration defines.
    pub const KEY_CONFLICT: &str = "AVS0905";
    /// A neighbor address that no node of the design holds.
    pub const UNKNOWN_NEIGHBOR: &str = "AVS0906";
    /// An NVA peering only some of a Route Server's instances.
    pub const ONE_INSTANCE: &str = "AVS0907";
    /// A route-map, prefix-list or other list that is referenced but not defined.
    pub const UNDEFINED_LIST: &str = "AVS0908";
    /// A `network` that import-check keeps from being announced.
    pub const IMPORT_CHECK: &str = "AVS0909";
    /// A line longer than [`MAX_LINE`].
    pub const LINE_TOO_LONG: &str = "AVS0910";
    /// An as-path regular expression outside the supported subset.
    pub const REGEX: &str = "AVS0911";
    /// `remote-as external` towards the own AS, or `internal` towards another.
    pub const REMOTE_AS_KIND: &str = "AVS0912";
    /// A neighbor line before the neighbor's `remote-as` (FRR rejects it).
    pub const NO_REMOTE_AS: &str = "AVS0913";
    /// A route-map whose compiled form would be too large.
    pub const TOO_COMPLEX: &str = "AVS0914";
    /// A configuration without `router bgp`.
    pub const NO_BGP: &str = "AVS0915";
    /// A second `router bgp` with another AS.
    pub const SECOND_BGP: &str = "AVS0916";
    /// A `continue N` / `on-match goto N` that does not go forward (FRR rejects it).
    pub const BACKWARD_GOTO: &str = "AVS0922";
    /// A sequence number used twice in one list.
    pub const DUPLICATE_SEQ: &str = "AVS0917";
    /// A static route whose next hop no node holds.
    pub const STATIC_NEXT_HOP: &str = "AVS0918";
    /// A `continue`/`on-match` whose later entries read what the earlier one set.
    pub const CONTINUE_READS_SET: &str = "AVS0919";
    /// Neighbors at two addresses of one node (Route Server's instances) with
    /// different settings: the model has one session per node pair.
    pub const INSTANCES_DIFFER: &str = "AVS0920";
    /// A statement avscheck reads and ignores because it changes nothing in this
    /// design (the warning says why).
    pub const NO_EFFECT: &str = "AVS0921";
    /// An interface address in the configuration that the design does not give the
    /// node (the configuration and the `.avs` have drifted apart).
    pub const DRIFT: &str = "AVS0923";
    /// A single-hop eBGP neighbor outside the node's connected subnets (FRR does not
    /// start the session).
    pub const NOT_CONNECTED: &str = "AVS0924";
    /// `neighbor A update-source X` with an address the node does not hold, or not
    /// the one the peer peers with.
    pub const UPDATE_SOURCE: &str = "AVS0925";
    /// A neighbor address no route of the node resolves for next-hop tracking (no
    /// connected subnet or static route covers it, and the kernel default counts
    /// only with `ip nht resolve-via-default`): FRR does not start the session.
    pub const NHT_UNRESOLVED: &str = "AVS0928";

    /// Whether an error with this code means the configuration says something about
    /// routing that the model does not capture (a statement not modeled, an as-path
    /// regex outside the subset, a route-map too large or reading what it set, no
    /// `router bgp`): a verdict on such a design would be about another network, so
    /// the design is not analysed (exit status 2, docs/frr.md). AVS0912 is a finding
    /// about a design that is modelled (the session is down), not one of these.
    pub fn prevents_analysis(code: &str) -> bool {
        [
            UNSUPPORTED,
            REGEX,
            TOO_COMPLEX,
            CONTINUE_READS_SET,
            NO_BGP,
            INSTANCES_DIFFER,
        ]
        .contains(&code)
    }
}
