//! The resolved design: the output of `resolve`, the input of `lower`.
//!
//! Every component line has been matched against its kind's key pattern, so values
//! are typed and references are known to exist and to have the right kind. Defaults
//! from the kind definition are filled in (`defaulted: true`).

use crate::span::{Span, Spanned};
use crate::syntax::ast;
use ipnet::Ipv4Net;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

#[derive(Clone, Debug, Default)]
pub struct Design {
    /// Modules named by `use` (e.g. `azure`).
    pub uses: Vec<ast::Ident>,
    /// Every kind in scope: core kinds and those of the used stdlib modules, by name.
    pub kinds: BTreeMap<String, KindSchema>,
    /// The user's components, in declaration order.
    pub components: Vec<ComponentDecl>,
    /// Policies: the stdlib's (of used modules) first, then the user's, each with
    /// every name it uses known to exist.
    pub policies: Vec<ast::PolicyDef>,
    pub prefix_lists: Vec<ast::PrefixListDef>,
    pub checks: Vec<ast::CheckDef>,
    /// The FRR configurations of components with `config "PATH"`, by component name
    /// (read and parsed by [`crate::analyse`] after resolution).
    pub configs: BTreeMap<String, LoadedConfig>,
}

/// A component's FRR configuration, parsed.
#[derive(Clone, Debug)]
pub struct LoadedConfig {
    pub config: crate::frr::ast::Config,
    /// The `config "PATH"` line.
    pub line: Span,
}

impl Design {
    pub fn component(&self, name: &str) -> Option<&ComponentDecl> {
        self.components.iter().find(|c| c.name.node == name)
    }
    pub fn kind(&self, name: &str) -> Option<&KindSchema> {
        self.kinds.get(name)
    }
}

/// A kind's definition (core kinds are built into the compiler as `.avs` text too).
#[derive(Clone, Debug)]
pub struct KindSchema {
    pub name: String,
    pub span: Span,
    /// The fixed ASN (`asn N` line), for kinds without an `asn` key.
    pub asn: Option<u32>,
    /// Built-in behaviours switched on (`behaviour ...`).
    pub behaviours: Vec<ast::Ident>,
    pub keys: Vec<ast::KeyDef>,
    pub sessions: Vec<SessionSchema>,
}

impl KindSchema {
    pub fn has_behaviour(&self, name: &str) -> bool {
        self.behaviours.iter().any(|b| b.node == name)
    }
    pub fn key(&self, name: &str) -> Option<&ast::KeyDef> {
        self.keys.iter().find(|k| k.name.node == name)
    }
    /// A kind is a node (a BGP speaker or forwarding element) when it has an ASN,
    /// fixed or as a key, or the `internet` behaviour, or forwards by the fabric without
    /// speaking BGP (`fabric_forwarding`: `azure_firewall`).
    pub fn is_node(&self) -> bool {
        self.asn.is_some()
            || self.key("asn").is_some()
            || self.has_behaviour("internet")
            || self.has_behaviour("fabric_forwarding")
    }
}

/// `session ...` in a kind definition, validated.
#[derive(Clone, Debug)]
pub struct SessionSchema {
    pub target: SessionTarget,
    pub kind: SessionSchemaKind,
    /// Only when this bool key is true (`when branch_to_branch`).
    pub when: Option<String>,
    /// Policies (by name) this side applies.
    pub import: Option<String>,
    pub export: Option<String>,
    /// This side is declared by the kind itself: the other side needs no `peer`.
    pub implicit: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionTarget {
    /// `session KEY`: the nodes this component's KEY lines name (for a non-node kind
    /// such as `global_reach`: a session between the two nodes one KEY line names).
    Key(String),
    /// `session KIND same KEY`: components of KIND whose KEY equals this one's.
    Same { kind: String, key: String },
    /// `session KIND by KEY`: components of KIND whose KEY names this one.
    By { kind: String, key: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionSchemaKind {
    /// eBGP or iBGP by the ASNs.
    Bgp,
    /// `internal`: no prepend, no loop check.
    Internal,
    /// `global_reach`: MSEE ↔ MSEE.
    GlobalReach,
}

/// A user component with its lines matched against the kind's keys.
#[derive(Clone, Debug)]
pub struct ComponentDecl {
    pub kind: String,
    pub kind_span: Span,
    pub name: ast::Ident,
    pub span: Span,
    pub lines: Vec<ResolvedLine>,
}

impl ComponentDecl {
    /// The first line with this key (defaults included).
    pub fn get(&self, key: &str) -> Option<&ResolvedLine> {
        self.lines.iter().find(|l| l.key.node == key)
    }
    /// Every line with this key.
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a ResolvedLine> + 'a {
        self.lines.iter().filter(move |l| l.key.node == key)
    }
}

/// One line, matched: slots after a literal word are options named by the word
/// (`over <tunnel>` → `options["over"]`); other slots are positional; optional
/// literal words with no slot after them are flags (`allowas_in`).
#[derive(Clone, Debug)]
pub struct ResolvedLine {
    pub key: ast::Ident,
    pub positional: Vec<Spanned<Value>>,
    pub options: BTreeMap<String, Spanned<Value>>,
    pub flags: BTreeMap<String, Span>,
    pub span: Span,
    /// Filled in from the kind's `default`, not written by the user.
    pub defaulted: bool,
}

impl ResolvedLine {
    pub fn first(&self) -> Option<&Spanned<Value>> {
        self.positional.first()
    }
    pub fn option(&self, name: &str) -> Option<&Spanned<Value>> {
        self.options.get(name)
    }
    pub fn flag(&self, name: &str) -> bool {
        self.flags.contains_key(name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A reference to a component (or policy, prefix list) of a known kind.
    Ref {
        name: String,
        kind: String,
    },
    Int(u64),
    Bool(bool),
    Prefix(Ipv4Net),
    Address(Ipv4Addr),
    /// A literal word of the pattern (`drop`, `internet`, `vxlan`, ...).
    Word(String),
    Str(String),
}

impl Value {
    pub fn as_ref_name(&self) -> Option<&str> {
        match self {
            Value::Ref { name, .. } => Some(name),
            _ => None,
        }
    }
    pub fn as_int(&self) -> Option<u64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_prefix(&self) -> Option<Ipv4Net> {
        match self {
            Value::Prefix(p) => Some(*p),
            _ => None,
        }
    }
    pub fn as_address(&self) -> Option<Ipv4Addr> {
        match self {
            Value::Address(a) => Some(*a),
            _ => None,
        }
    }
    pub fn as_word(&self) -> Option<&str> {
        match self {
            Value::Word(w) => Some(w),
            _ => None,
        }
    }
}
