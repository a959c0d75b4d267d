//! The abstract syntax of `.avs` designs (LANGUAGE.md §1–§3, plus `kind` definitions
//! used by the standard library).
//!
//! Every node carries its byte span. Component lines are kept generic (`key arg...`):
//! which keys a kind takes and what their arguments mean is decided by the kind's
//! definition during resolution, not by the parser, so keywords stay keywords only
//! where the grammar expects them.

use crate::span::{Span, Spanned};
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// An identifier (`[A-Za-z_][A-Za-z0-9_-]*`), or a subnet path `vnet/default`.
pub type Ident = Spanned<String>;

/// A parsed file. `items` holds every item that parsed; an item that did not parse
/// is an [`Item::Error`] node (its diagnostics are returned beside the file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Use(UseDecl),
    Component(Component),
    Policy(PolicyDef),
    PrefixList(PrefixListDef),
    Check(CheckDef),
    Kind(KindDef),
    /// An item that failed to parse; the parser resumed after it.
    Error(Span),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Use(u) => u.span,
            Item::Component(c) => c.span,
            Item::Policy(p) => p.span,
            Item::PrefixList(p) => p.span,
            Item::Check(c) => c.span,
            Item::Kind(k) => k.span,
            Item::Error(s) => *s,
        }
    }
}

/// `use azure`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UseDecl {
    pub module: Ident,
    pub span: Span,
}

/// `<kind> <name> { <lines> }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    pub kind: Ident,
    pub name: Ident,
    pub lines: Vec<Line>,
    /// The whole item, from the kind to the closing brace.
    pub span: Span,
}

/// `key arg arg ...` inside a component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub key: Ident,
    pub args: Vec<Arg>,
    pub span: Span,
}

pub type Arg = Spanned<ArgValue>;

/// One token of a component line, classified lexically.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ArgValue {
    /// An identifier or bare word (`ars`, `true`, `drop`, `hub/default`).
    Word(String),
    /// A decimal number (fits in u64; larger numbers are a parse error).
    Number(u64),
    /// `10.0.0.0/8` (host bits are a parse error).
    Prefix(Ipv4Net),
    /// `10.100.1.4`
    Address(Ipv4Addr),
    /// A community `65535:65282`.
    Community(u16, u16),
    /// `"..."`
    Str(String),
}

/// `prefix_list <name> [ <prefix-match>, ... ]`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrefixListDef {
    pub name: Ident,
    pub entries: Vec<PrefixMatch>,
    pub span: Span,
}

/// `P [ge N] [le M]`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrefixMatch {
    pub prefix: Spanned<Ipv4Net>,
    pub ge: Option<Spanned<u8>>,
    pub le: Option<Spanned<u8>>,
    pub span: Span,
}

/// `policy <name> { <rules> }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDef {
    pub name: Ident,
    pub rules: Vec<Rule>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    Permit,
    Deny,
}

/// `permit|deny <conditions> [{ <actions> }]`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub verdict: Spanned<Verdict>,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
    pub span: Span,
}

pub type Condition = Spanned<ConditionKind>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConditionKind {
    /// `prefix P [ge N] [le M]`
    Prefix(PrefixMatch),
    /// `prefix_list NAME`
    PrefixList(Ident),
    /// `as_path contains N`
    AsPathContains(Spanned<u32>),
    /// `as_path length OP N`
    AsPathLength(Spanned<CmpOp>, Spanned<u32>),
    /// `tag T`
    Tag(TagRef),
    /// `originated_by NODE`
    OriginatedBy(Ident),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
}

/// A tag: a name, or a community `N:M`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TagValue {
    Name(String),
    Community(u16, u16),
}
pub type TagRef = Spanned<TagValue>;

pub type Action = Spanned<ActionKind>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionKind {
    SetLocalPref(Spanned<u32>),
    SetMed(Spanned<u32>),
    /// `prepend N [xK]` (K defaults to 1)
    Prepend(Spanned<u32>, Option<Spanned<u32>>),
    AddTag(TagRef),
    RemoveTag(TagRef),
    RemovePrivateAs,
    /// `remove_as N...`
    RemoveAs(Vec<Spanned<u32>>),
    /// `replace_as N...`
    ReplaceAs(Vec<Spanned<u32>>),
    SetNextHopSelf,
    SetNextHop(Spanned<Ipv4Addr>),
}

/// `check "<title>" { <property lines> }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckDef {
    pub title: Spanned<String>,
    pub lines: Vec<CheckLine>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckLine {
    Property(Property),
    /// `assume N advertises any within P [le M]`
    Assume(Assume),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assume {
    pub node: Ident,
    pub within: Spanned<Ipv4Net>,
    pub le: Option<Spanned<u8>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property {
    pub kind: PropertyKind,
    pub modifiers: Vec<Modifier>,
    /// The whole property line, modifiers included.
    pub span: Span,
}

/// A source or destination of a property.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum EndpointValue {
    /// A node, vnet, subnet (`hub/default` too) or `internet`; resolved later.
    Name(String),
    Prefix(Ipv4Net),
    Address(Ipv4Addr),
}
pub type Endpoint = Spanned<EndpointValue>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `->`
    Forward,
    /// `<->`
    Both,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PropertyKind {
    /// `never N installs P [via M] [originated_by O]`
    Never {
        node: Ident,
        prefix: Spanned<Ipv4Net>,
        via: Option<Ident>,
        originated_by: Option<Ident>,
    },
    /// `reachable A -> B` / `reachable A <-> B`
    Reachable {
        from: Endpoint,
        direction: Spanned<Direction>,
        to: Endpoint,
    },
    /// `loop_free`
    LoopFree,
    /// `path A -> B traverses W`
    Traverses {
        from: Endpoint,
        to: Endpoint,
        waypoint: Ident,
    },
    /// `path A -> B avoids W`
    Avoids {
        from: Endpoint,
        to: Endpoint,
        waypoint: Ident,
    },
    /// `symmetric A <-> B`
    Symmetric { a: Endpoint, b: Endpoint },
    /// `routes N <= K`
    RouteLimit { node: Ident, max: Spanned<u64> },
}

pub type Modifier = Spanned<ModifierKind>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModifierKind {
    /// `under failures K [of NAME_OR_KIND...]`: at most `count` components fail; with
    /// `of`, only components named by `of` (a kind or a component's name) may fail.
    Failures {
        count: Spanned<u32>,
        /// The words after `of` (empty without `of`: every failable component).
        of: Vec<Ident>,
    },
    /// `without KIND|NAME`
    Without(Ident),
    /// `without peering A B`: the VNet peering between A and B is removed
    /// (order-insensitive).
    WithoutPeering(Ident, Ident),
}

/// `kind <name> { <kind lines> }` — a kind definition (used by `stdlib/azure.avs`;
/// an extension of LANGUAGE.md, see docs/language.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindDef {
    pub name: Ident,
    pub lines: Vec<KindLine>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KindLine {
    /// `asn N` — the kind's fixed ASN (a kind with this line has no `asn` key).
    Asn(Spanned<u32>),
    /// `behaviour NAME...` — built-in behaviours switched on for this kind.
    Behaviour(Vec<Ident>),
    /// `key NAME PATTERN... [repeat] [required] [default VALUE]`
    Key(KeyDef),
    /// `session KEY [option...]` — an implicit session per value of KEY.
    Session(SessionDef),
}

/// `key NAME PATTERN... [repeat] [required] [default VALUE]`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyDef {
    pub name: Ident,
    pub pattern: Vec<PatternElem>,
    pub repeat: bool,
    pub required: bool,
    pub default: Option<Arg>,
    pub span: Span,
}

/// One element of a key's argument pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternElem {
    /// `<t1|t2|...>`: one argument, any of these types or literal words. Type names
    /// are `asn`, `int`, `bool`, `prefix`, `address`, `string`, `name`, `node`,
    /// `policy`, `prefix_list` and kind names; anything else is a literal word.
    Slot(Spanned<Vec<Ident>>),
    /// A literal keyword (`next_hop`, `over`, `allowas_in`).
    Word(Ident),
    /// `[ ... ]`: an optional group.
    Optional(Spanned<Vec<PatternElem>>),
}

/// `session KEY [internal] [when BOOLKEY] [import POLICY] [export POLICY] ...`: an
/// implicit BGP session between this component and every component named by KEY.
/// The options are kept as words for the resolver to validate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionDef {
    pub key: Ident,
    pub options: Vec<Arg>,
    pub span: Span,
}
