//! Lowering from the resolved design to the network model. (Stub: being written.)

use super::model::Design;
use crate::diagnostic::Diagnostic;
use crate::ir::Network;

pub fn lower(_design: &Design) -> (Network, Vec<Diagnostic>) {
    (Network::default(), Vec::new())
}
