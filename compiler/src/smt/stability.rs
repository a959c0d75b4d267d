//! Under `failures K`: does every allowed failure set leave the encoded prefixes a
//! stable state? A proof "in every stable state" says nothing about a failure set in
//! which BGP oscillates, so a property is only `pass` when none exists.

use super::encode::Encoder;
use super::prover::Prover;

/// What the failure sets of a scenario admit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stability {
    /// Every allowed failure set has a stable state for the encoded prefixes.
    Stable,
    /// With these components (names, sorted) down, the encoded prefixes have no stable
    /// state.
    Unstable(Vec<String>),
    /// Not decided (timeout, too many failure sets): the reason.
    Unknown(String),
}

/// Checks every failure set of at most `k` of the encoder's free failure variables.
pub fn failure_sets(enc: &Encoder<'_>, prover: &Prover, k: u32) -> Stability {
    let _ = (enc, prover, k);
    Stability::Unknown("failure sets without a stable state are not checked yet".into())
}
