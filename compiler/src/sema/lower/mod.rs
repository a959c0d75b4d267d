//! Lowering: the resolved design → the network model (`ir::Network`).
//!
//! Nodes get their [`ir::Behaviours`] from the `behaviour` lines of their kind's
//! definition (core or stdlib), never from the kind's name; implicit sessions come
//! from the kinds' `session` lines (`sessions.rs`). The few structural kinds that
//! describe the fabric rather than a speaker (`vnet`, `subnet`, `route_table`,
//! `tunnel`) are read by their key names here.
//!
//! Lowering also reports the findings that need the whole design: sessions that
//! cannot come up (AVS0300–AVS0309), NVA routes Route Server would ignore
//! (AVS0320), Route Servers with more peers than Azure allows (AVS0321) and
//! configurations Azure rejects or that cannot work (AVS0350–AVS0357, `rejected.rs`).

mod balancers;
mod config;
mod fabric;
mod nodes;
mod policies;
mod props;
mod rejected;
mod sessions;

use super::model::{ComponentDecl, Design, KindSchema};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Network, NodeId, PolicyId, PrefixRange, SubnetId, TunnelId, VnetId};
use std::collections::BTreeMap;

pub use policies::{policy_prefixes, prefix_range};

/// Lowering state shared by the steps.
pub(crate) struct Ctx<'a> {
    pub design: &'a Design,
    pub net: Network,
    pub diags: Vec<Diagnostic>,
    pub node_ids: BTreeMap<String, NodeId>,
    pub vnet_ids: BTreeMap<String, VnetId>,
    pub subnet_ids: BTreeMap<String, SubnetId>,
    pub tunnel_ids: BTreeMap<String, TunnelId>,
    pub policy_ids: BTreeMap<String, PolicyId>,
    pub prefix_lists: BTreeMap<String, Vec<PrefixRange>>,
    /// Component name → the IR components standing for it (`without NAME`).
    pub named_components: BTreeMap<String, Vec<ir::ComponentId>>,
    /// Kind name → the IR components of that kind (`without KIND`, `of KIND`). Besides
    /// the stdlib kinds: `peering` (VNet peerings), `session`, `connection` (circuit ↔
    /// gateway) and `global_reach` (its sessions). A component that stands for part of
    /// a node of kind K (a VPN gateway's connections) is registered under K too, so
    /// `of K` reaches it.
    pub kind_components: BTreeMap<String, Vec<ir::ComponentId>>,
    /// Established VNet peerings by their VNets' names (sorted pair): `without peering A B`.
    pub peerings: BTreeMap<(String, String), ir::ComponentId>,
    /// The user's components by name and by kind (declaration order), so lookups
    /// stay logarithmic on large designs.
    pub by_name: BTreeMap<&'a str, &'a ComponentDecl>,
    pub by_kind: BTreeMap<&'a str, Vec<&'a ComponentDecl>>,
    /// Interned tags by name and by community.
    pub tag_names: BTreeMap<String, ir::TagId>,
    pub tag_communities: BTreeMap<(u16, u16), ir::TagId>,
    /// Session sides declared by FRR configurations (`config.rs`).
    pub config_sides: Vec<config::ConfigSide>,
}

impl<'a> Ctx<'a> {
    /// A user component by name.
    pub fn component(&self, name: &str) -> Option<&'a ComponentDecl> {
        self.by_name.get(name).copied()
    }
    /// The user's components of one kind, in declaration order.
    pub fn of_kind(&self, kind: &str) -> impl Iterator<Item = &'a ComponentDecl> + '_ {
        self.by_kind.get(kind).into_iter().flatten().copied()
    }
    fn kind_of(&self, c: &ComponentDecl) -> Option<&'a KindSchema> {
        self.design.kinds.get(&c.kind)
    }
    fn add_component(
        &mut self,
        name: &str,
        kind_name: &str,
        kind: ir::ComponentKind,
        span: crate::Span,
    ) -> ir::ComponentId {
        let id = self.net.components.push(ir::Component {
            name: name.to_string(),
            kind,
            span,
        });
        self.named_components
            .entry(name.to_string())
            .or_default()
            .push(id);
        self.kind_components
            .entry(kind_name.to_string())
            .or_default()
            .push(id);
        id
    }
}

/// Lowers a resolved design. Call only when resolution reported no error.
pub fn lower(design: &Design) -> (Network, Vec<Diagnostic>) {
    let mut ctx = Ctx {
        design,
        net: Network::default(),
        diags: Vec::new(),
        node_ids: BTreeMap::new(),
        vnet_ids: BTreeMap::new(),
        subnet_ids: BTreeMap::new(),
        tunnel_ids: BTreeMap::new(),
        policy_ids: BTreeMap::new(),
        prefix_lists: BTreeMap::new(),
        named_components: BTreeMap::new(),
        kind_components: BTreeMap::new(),
        peerings: BTreeMap::new(),
        by_name: BTreeMap::new(),
        by_kind: BTreeMap::new(),
        tag_names: BTreeMap::new(),
        tag_communities: BTreeMap::new(),
        config_sides: Vec::new(),
    };
    for c in &design.components {
        ctx.by_name.entry(c.name.node.as_str()).or_insert(c);
        ctx.by_kind.entry(c.kind.as_str()).or_default().push(c);
    }
    fabric::lower_vnets(&mut ctx);
    nodes::lower_nodes(&mut ctx);
    fabric::lower_tunnels(&mut ctx);
    balancers::lower_load_balancers(&mut ctx);
    policies::lower_policies(&mut ctx);
    config::apply(&mut ctx);
    sessions::lower_sessions(&mut ctx);
    nodes::findings(&mut ctx);
    rejected::findings(&mut ctx);
    props::lower_checks(&mut ctx);
    (ctx.net, ctx.diags)
}
