//! The line-oriented driver: splits the file into lines, strips comments, keeps FRR's
//! node stack (top level → `router bgp` → `address-family`; `route-map`,
//! `interface`, `line vty`) and applies each statement to the [`Config`].
//!
//! As FRR does when it reads a file, a line that is not a statement of the current
//! node is tried in the enclosing nodes (so `route-map ...` or `ip prefix-list ...`
//! after a `router bgp` block simply leaves it). The stack is at most four deep
//! whatever the input, and no parser recurses, so hostile nesting cannot exhaust the
//! stack.

use super::ast::{BgpRouter, Config, Entry, FilterList, Neighbor, RouteMap, RouteMapEntry, Target};
use super::codes;
use super::lex::In;
use super::stmt::{self, Family, NeighborCmd, Stmt};
use crate::diagnostic::Diagnostic;
use crate::span::{FileId, Span, Spanned};
use nom::bytes::complete::take_till;
use nom::Slice;

mod scope;

/// Lines longer than this are rejected (FRR's own vty buffer is far smaller).
pub const MAX_LINE: usize = 4096;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    Top,
    Bgp,
    /// `address-family`: IPv4 unicast, or another family (its lines ignored).
    Af(Family),
    /// `vrf NAME`: statements of another VRF (`scope`).
    Vrf(String),
    RouteMap(String, u32),
    Interface,
    Vty,
    /// The body of an unsupported block (`router ospf`), already reported.
    Skip,
}

struct Driver {
    file: FileId,
    cfg: Config,
    diags: Vec<Diagnostic>,
    stack: Vec<Node>,
    /// Where each neighbor address sits in `cfg.bgp.neighbors` (a config with N
    /// neighbor lines is read in O(N), not O(N²)).
    neighbor_at: std::collections::HashMap<std::net::Ipv4Addr, usize>,
    /// The top-level statement that last ended a `router bgp` block (FRR leaves the
    /// block for it and stays at the top level).
    left_bgp: Option<Span>,
    /// Each `interface` address as written (host bits kept), parallel to
    /// `cfg.interface_addresses`: what `no ip address A/L` must name.
    iface_written: Vec<ipnet::Ipv4Net>,
    /// Scope state: `end` lines, the `bgp default ipv4-unicast` state (`scope`).
    scope: scope::ScopeState,
}

/// Parses one configuration file; never panics, whatever the text.
pub fn parse(file: FileId, text: &str) -> (Config, Vec<Diagnostic>) {
    let mut d = Driver {
        file,
        cfg: Config::default(),
        diags: Vec::new(),
        stack: vec![Node::Top],
        neighbor_at: std::collections::HashMap::new(),
        left_bgp: None,
        iface_written: Vec::new(),
        scope: Default::default(),
    };
    let mut cur = In::new(text);
    loop {
        let res: nom::IResult<In, In, ()> = take_till(|c| c == '\n')(cur);
        let Ok((after, line)) = res else { break };
        d.line(line);
        if after.fragment().is_empty() {
            break;
        }
        cur = after.slice(1..);
    }
    (d.cfg, d.diags)
}

impl Driver {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn line(&mut self, line: In) {
        let raw = line.fragment();
        let start = line.location_offset();
        if raw.len() > MAX_LINE {
            let shown = raw
                .char_indices()
                .take_while(|(i, _)| *i < 40)
                .last()
                .map(|(i, c)| i + c.len_utf8())
                .unwrap_or(0);
            self.diags.push(
                Diagnostic::error(
                    codes::LINE_TOO_LONG,
                    format!("configuration line of {} bytes is too long", raw.len()),
                )
                .primary(self.span(start, start + shown), "this line")
                .note(format!("lines longer than {MAX_LINE} bytes are not read")),
            );
            return;
        }
        let text = raw.trim_end_matches(['\r', ' ', '\t']);
        let lead = text.len() - text.trim_start_matches([' ', '\t']).len();
        let body = text.get(lead..).unwrap_or("");
        if body.is_empty() || body.starts_with('!') || body.starts_with('#') {
            return;
        }
        let input = line.slice(lead..text.len());
        let lspan = self.span(start + lead, start + text.len());
        let mut level = self.stack.len();
        while level > 0 {
            level -= 1;
            let node = self.stack.get(level).cloned().unwrap_or(Node::Top);
            let res = match node {
                Node::Top => stmt::top(input),
                Node::Bgp => stmt::bgp(input),
                Node::Af(_) => stmt::af(input),
                Node::RouteMap(..) => stmt::route_map(input),
                Node::Interface => interface(input),
                Node::Vty => vty(input),
                Node::Vrf(name) => scope::vrf(input, &name),
                Node::Skip => Err(nom::Err::Error(super::error::PError::at(
                    &input,
                    super::error::ErrorKind::Nom,
                ))),
            };
            match res {
                Ok((_, st)) => {
                    let in_bgp = self
                        .stack
                        .iter()
                        .any(|n| matches!(n, Node::Bgp | Node::Af(_)));
                    self.stack.truncate(level + 1);
                    if in_bgp && level == 0 {
                        self.left_bgp = Some(lspan);
                    }
                    self.apply(st, lspan);
                    return;
                }
                Err(nom::Err::Failure(e)) => {
                    if let super::error::ErrorKind::Abbreviated { word, full } = &e.kind {
                        // bgpd accepts an unambiguous prefix of a keyword; avscheck
                        // reads full keywords, and ignoring the line could drop
                        // routing configuration (as for a line's first word).
                        self.diags.push(
                            Diagnostic::error(
                                codes::UNSUPPORTED,
                                format!("abbreviated keyword `{}`", clip(word)),
                            )
                            .primary(
                                self.span(e.start, e.end.max(e.start)),
                                format!("FRR may read this as {}", quoted(full)),
                            )
                            .secondary(lspan, "not read by avscheck")
                            .note("bgpd accepts prefixes of its keywords (choosing among several by the rest of the line); avscheck reads full keywords only, so the design is not analysed")
                            .help(format!("write {} in full", quoted(full))),
                        );
                        return;
                    }
                    let mut d = Diagnostic::error(codes::SYNTAX, e.message())
                        .primary(self.span(e.start, e.end.max(e.start)), "here")
                        .secondary(lspan, "in this statement")
                        .note("the statement is ignored; FRR would reject it too");
                    if let Some(rule) = e.help() {
                        d = d.help(rule);
                    }
                    self.diags.push(d);
                    return;
                }
                Err(_) => continue,
            }
        }
        if self.stack.last() == Some(&Node::Skip) {
            return;
        }
        let first_end = body.find([' ', '\t']).unwrap_or(body.len());
        if let (Some(left), Some(&Node::Top)) = (self.left_bgp, self.stack.last()) {
            if stmt::bgp(input).is_ok() {
                self.diags.push(
                    Diagnostic::warning(
                        codes::NOT_UNDERSTOOD,
                        format!("`{}` is outside `router bgp`", clip(body)),
                    )
                    .primary(lspan, "FRR rejects this line here, and so it is ignored")
                    .secondary(left, "this top-level statement ended the `router bgp` block")
                    .note("FRR leaves `router bgp` for a top-level statement and stays at the top level; the indentation does not matter")
                    .help("move the top-level statement after the `router bgp` block, or repeat `router bgp` before these lines"),
                );
                return;
            }
        }
        let first = body.get(..first_end).unwrap_or("");
        if let Some(full) = KEYWORDS
            .iter()
            .find(|k| first.len() >= 2 && first.len() < k.len() && k.starts_with(first))
        {
            // bgpd accepts an unambiguous prefix of a keyword; avscheck reads full
            // keywords, and ignoring the line could drop routing configuration.
            self.diags.push(
                Diagnostic::error(
                    codes::UNSUPPORTED,
                    format!("abbreviated command `{}`", clip(first)),
                )
                .primary(
                    self.span(start + lead, start + lead + first_end),
                    format!("FRR may read this as `{full}`"),
                )
                .secondary(lspan, "not read by avscheck")
                .note("bgpd accepts unambiguous prefixes of its keywords; avscheck reads full keywords only, so the design is not analysed")
                .help("write the command in full; avscheck reads full keywords"),
            );
            return;
        }
        if first == "no" && !self.in_other_af() {
            // A `no` form removes configuration read earlier (a route, a list, a
            // neighbor's policy, a network): ignoring it would analyse a router that is
            // not the one FRR runs (issue #14).
            self.diags.push(
                Diagnostic::error(
                    codes::UNSUPPORTED,
                    format!("`{}`: removing configuration with `no` is not modelled", clip(body)),
                )
                .primary(lspan, "FRR removes what this line names; avscheck does not")
                .note("avscheck reads the configuration as written, statement by statement; a `no` form that undoes an earlier statement would be ignored, so the design is not analysed")
                .help("delete both the statement and its `no` form (FRR's `show running-config` shows the result)"),
            );
            return;
        }
        self.diags.push(
            Diagnostic::warning(
                codes::NOT_UNDERSTOOD,
                format!("statement `{}` is not understood", clip(body)),
            )
            .primary(lspan, "ignored by avscheck")
            .secondary(
                self.span(start + lead, start + lead + first_end),
                format!(
                    "avscheck reads no `{} …` statement of this form",
                    clip(body.get(..first_end).unwrap_or(""))
                ),
            )
            .note("avscheck reads the FRR subset listed in docs/frr.md; check that this line does not change routing"),
        );
    }

    fn error(&mut self, span: Span, msg: String) {
        self.diags.push(
            Diagnostic::error(codes::UNSUPPORTED, msg)
                .primary(span, "changes routing in a way avscheck does not model")
                .help("see docs/frr.md for the supported subset"),
        );
    }

    fn apply(&mut self, st: Stmt, span: Span) {
        let in_other_af = self.in_other_af();
        self.after_end(span);
        match st {
            Stmt::NoOp => {}
            Stmt::Unsupported(msg) => {
                if !in_other_af {
                    self.error(span, msg);
                }
            }
            Stmt::Unmodeled(msg) => self.unmodeled(span, msg),
            Stmt::NoEffect(msg) => self.diags.push(
                Diagnostic::warning(codes::NO_EFFECT, msg)
                    .primary(span, "read, and ignored by avscheck"),
            ),
            Stmt::Version(a, b) => self.cfg.version = Some(Spanned::new((a, b), span)),
            Stmt::Profile(dc) => self.cfg.datacenter = dc,
            Stmt::Hostname(h) => self.cfg.hostname = Some(Spanned::new(h, span)),
            Stmt::LineVty => self.stack.push(Node::Vty),
            Stmt::NhtResolveViaDefault => {
                self.cfg.nht_resolve_via_default.get_or_insert(span);
            }
            Stmt::Interface => self.stack.push(Node::Interface),
            Stmt::InterfaceAddress(p) => {
                self.cfg
                    .interface_addresses
                    .push(Spanned::new(p.trunc(), span));
                self.iface_written.push(p);
            }
            // zebra removes an address it configured (checked with FRR 8.4's zebra
            // `-C`); one it did not configure it refuses ("% Can't find address").
            Stmt::NoInterfaceAddress(p) => match self.iface_written.iter().position(|x| *x == p) {
                Some(i) => {
                    self.iface_written.remove(i);
                    if i < self.cfg.interface_addresses.len() {
                        self.cfg.interface_addresses.remove(i);
                    }
                }
                None => self.diags.push(
                    Diagnostic::error(codes::SYNTAX, format!("`no ip address {p}`: no such address was configured"))
                        .primary(span, "FRR rejects this line (\"% Can't find address\") and ignores it")
                        .note("zebra removes only an address an earlier `ip address` line of the configuration set; the NIC's own address (from Azure's DHCP) is not one")
                        .help("delete the line, or the `ip address` line it should remove"),
                ),
            },
            Stmt::IpRoute(mut r) => {
                r.span = span;
                self.cfg.statics.push(r);
            }
            Stmt::IpRouteNote(mut r, msg) => {
                r.span = span;
                self.cfg.statics.push(r);
                self.diags.push(
                    Diagnostic::warning(codes::NO_EFFECT, msg)
                        .primary(span, "read, and ignored by avscheck"),
                );
            }
            Stmt::PrefixList {
                name,
                seq,
                permit,
                entry,
            } => {
                let list = self
                    .cfg
                    .prefix_lists
                    .entry(name)
                    .or_insert_with(|| FilterList::new(span));
                let diag = insert(list, seq, permit, entry, span);
                self.diags.extend(diag);
            }
            Stmt::PrefixListDefined(name) => {
                self.cfg
                    .prefix_lists
                    .entry(name)
                    .or_insert_with(|| FilterList::new(span));
            }
            Stmt::AsPathList {
                name,
                seq,
                permit,
                regex,
            } => {
                let item = super::ast::AsPathEntry {
                    regex: Spanned::new(regex.0, self.span(regex.1, regex.2)),
                };
                let list = self
                    .cfg
                    .as_path_lists
                    .entry(name)
                    .or_insert_with(|| FilterList::new(span));
                let diag = insert(list, seq, permit, item, span);
                self.diags.extend(diag);
            }
            Stmt::CommunityList {
                name,
                seq,
                permit,
                communities,
            } => {
                let list = self
                    .cfg
                    .community_lists
                    .entry(name)
                    .or_insert_with(|| FilterList::new(span));
                let diag = insert(list, seq, permit, communities, span);
                self.diags.extend(diag);
            }
            Stmt::AccessList {
                name,
                seq,
                permit,
                entry,
            } => {
                let list = self
                    .cfg
                    .access_lists
                    .entry(name)
                    .or_insert_with(|| FilterList::new(span));
                let diag = insert(list, seq, permit, entry, span);
                self.diags.extend(diag);
            }
            Stmt::RouteMap { name, permit, seq } => {
                let map = self
                    .cfg
                    .route_maps
                    .entry(name.clone())
                    .or_insert_with(|| RouteMap {
                        span,
                        entries: Default::default(),
                    });
                let e = map.entries.entry(seq).or_insert_with(|| RouteMapEntry {
                    permit,
                    seq,
                    span,
                    matches: Vec::new(),
                    sets: Vec::new(),
                    exit: None,
                });
                // Re-entering an entry with the other verdict changes its type, as in FRR.
                e.permit = permit;
                self.stack.push(Node::RouteMap(name, seq));
            }
            Stmt::SkipBlock(msg) => {
                self.error(span, msg);
                self.stack.push(Node::Skip);
            }
            Stmt::RouterBgp(asn, (s, e)) => {
                let asn_span = self.span(s, e);
                match &self.cfg.bgp {
                    Some(b) if b.asn.node != asn => {
                        let d = Diagnostic::error(
                            codes::SECOND_BGP,
                            format!("a second `router bgp` with AS{asn}"),
                        )
                        .primary(asn_span, format!("AS{asn}"))
                        .secondary(b.span, format!("the BGP instance is AS{}", b.asn.node))
                        .note("FRR refuses it: one BGP instance per VRF; its lines are ignored");
                        self.diags.push(d);
                        self.stack.push(Node::Skip);
                    }
                    Some(_) => self.stack.push(Node::Bgp),
                    None => {
                        self.cfg.bgp = Some(BgpRouter {
                            asn: Spanned::new(asn, asn_span),
                            span,
                            router_id: None,
                            ebgp_requires_policy: None,
                            import_check: None,
                            default_ipv4_unicast: None,
                            deterministic_med: None,
                            disable_connected_route_check: None,
                            neighbors: Vec::new(),
                            networks: Vec::new(),
                            redistribute: Vec::new(),
                            peer_groups: Default::default(),
                            aggregates: Vec::new(),
                        });
                        self.stack.push(Node::Bgp);
                    }
                }
            }
            Stmt::RouterBgpCurrent => {
                if self.cfg.bgp.is_some() {
                    self.stack.push(Node::Bgp);
                } else {
                    self.diags.push(
                        Diagnostic::error(codes::SYNTAX, "`router bgp` needs an AS number")
                            .primary(span, "FRR rejects this line: no BGP instance exists yet")
                            .note("its lines are ignored")
                            .help("write `router bgp ASN`"),
                    );
                    self.stack.push(Node::Skip);
                }
            }
            Stmt::Exit => {
                if self.stack.len() > 1 {
                    self.stack.pop();
                }
            }
            Stmt::ExitAddressFamily => {
                if matches!(self.stack.last(), Some(Node::Af(_))) {
                    self.stack.pop();
                }
            }
            Stmt::AddressFamily(f) => self.stack.push(Node::Af(f)),
            Stmt::RouterId(a) => {
                if let Some(b) = &mut self.cfg.bgp {
                    b.router_id = Some(Spanned::new(a, span));
                }
            }
            Stmt::EbgpRequiresPolicy(on) => {
                if let Some(b) = &mut self.cfg.bgp {
                    b.ebgp_requires_policy = Some(Spanned::new(on, span));
                }
            }
            Stmt::ImportCheck(on) => {
                if let Some(b) = &mut self.cfg.bgp {
                    b.import_check = Some(Spanned::new(on, span));
                }
            }
            Stmt::DefaultIpv4Unicast(on) => {
                if let Some(b) = &mut self.cfg.bgp {
                    b.default_ipv4_unicast = Some(Spanned::new(on, span));
                    // FRR applies it to the neighbors and peer-groups created after
                    // this line only (`scope`).
                    self.scope.v4_off = (!on).then_some(span);
                }
            }
            Stmt::DeterministicMed(on) => {
                if let Some(b) = &mut self.cfg.bgp {
                    b.deterministic_med = Some(Spanned::new(on, span));
                }
            }
            Stmt::DisableConnectedRouteCheck(on) => {
                if let Some(b) = &mut self.cfg.bgp {
                    b.disable_connected_route_check = on.then_some(span);
                }
            }
            Stmt::Network(p, form) => {
                if !self.ipv4_origination_here(Some(form), span) {
                    return;
                }
                if let Some(b) = &mut self.cfg.bgp {
                    b.networks.push(Spanned::new(p, span));
                }
            }
            Stmt::Ipv6Origination(what) => self.ipv6_origination(what, span),
            Stmt::Vrf(name) => self.vrf(name, span),
            Stmt::ExitVrf => {
                if matches!(self.stack.last(), Some(Node::Vrf(_))) {
                    self.stack.pop();
                }
            }
            Stmt::End => self.end(span),
            Stmt::LegacyList(st) => self.legacy_list(*st, span),
            Stmt::Redistribute(r) => {
                if in_other_af {
                    return;
                }
                if let Some(b) = &mut self.cfg.bgp {
                    b.redistribute.push(Spanned::new(r, span));
                }
            }
            Stmt::Neighbor(target, (s, e), cmd) => {
                if in_other_af {
                    return;
                }
                let aspan = self.span(s, e);
                self.neighbor(Spanned::new(target, aspan), cmd, span);
            }
            Stmt::Aggregate(a) => {
                if !self.ipv4_origination_here(None, span) {
                    return;
                }
                if let Some(b) = &mut self.cfg.bgp {
                    // A second line for one prefix replaces the first (FRR).
                    b.aggregates.retain(|x| x.node.prefix != a.prefix);
                    b.aggregates.push(Spanned::new(a, span));
                }
            }
            Stmt::Match(m) => {
                if let Some(e) = self.entry() {
                    // A second match of one type replaces the first (FRR).
                    e.matches
                        .retain(|x| std::mem::discriminant(&x.node) != std::mem::discriminant(&m));
                    e.matches.push(Spanned::new(m, span));
                }
            }
            Stmt::Set(x) => {
                if let Some(e) = self.entry() {
                    e.sets
                        .retain(|y| std::mem::discriminant(&y.node) != std::mem::discriminant(&x));
                    e.sets.push(Spanned::new(x, span));
                }
            }
            Stmt::OnMatch(x) => {
                // FRR refuses a jump that does not go forward ("Config Failed" on the
                // line, checked with FRR 8.4's bgpd): the entry keeps no exit.
                if let (crate::frr::ast::Exit::Goto(n), Some(Node::RouteMap(name, seq))) =
                    (&x, self.stack.last())
                {
                    if *n <= *seq {
                        let (n, name, seq) = (*n, name.clone(), *seq);
                        self.diags.push(
                            Diagnostic::warning(
                                codes::BACKWARD_GOTO,
                                format!("`route-map {name}` entry {seq} jumps to {n}, not after itself"),
                            )
                            .primary(span, "FRR rejects this line and ignores it")
                            .note("`continue N` and `on-match goto N` must name a later sequence number; the entry exits as if the line were not there")
                            .help(format!("use a sequence number above {seq}, or `on-match next`")),
                        );
                        return;
                    }
                }
                if let Some(e) = self.entry() {
                    e.exit = Some(Spanned::new(x, span));
                }
            }
        }
    }

    fn unmodeled(&mut self, span: Span, msg: String) {
        self.diags.push(
            Diagnostic::warning(codes::UNMODELED, msg).primary(span, "not modeled by avscheck"),
        );
    }

    fn entry(&mut self) -> Option<&mut RouteMapEntry> {
        let Some(Node::RouteMap(name, seq)) = self.stack.last() else {
            return None;
        };
        self.cfg.route_maps.get_mut(name)?.entries.get_mut(seq)
    }

    fn neighbor(&mut self, target: Spanned<Target>, cmd: NeighborCmd, span: Span) {
        // The span of `update-source`'s word (the address the drift check labels).
        let word_span = match &cmd {
            NeighborCmd::UpdateSource(_, (a, b)) => self.span(*a, *b),
            _ => span,
        };
        if let NeighborCmd::Unsupported(msg) = &cmd {
            // Refused whatever the target (a BGP-unnumbered interface name is no
            // peer-group either).
            self.error(span, msg.clone());
            return;
        }
        let Some(bgp) = &mut self.cfg.bgp else { return };
        let tspan = target.span;
        let n = match (target.node, &cmd) {
            (Target::Group(g), NeighborCmd::PeerGroupDefine) => {
                let off = self.scope.v4_off;
                bgp.peer_groups.entry(g).or_insert_with(|| {
                    let mut n = Neighbor::new(Spanned::new(std::net::Ipv4Addr::UNSPECIFIED, tspan));
                    n.v4_off_at_creation = off;
                    n
                });
                return;
            }
            (Target::Group(g), _) => match bgp.peer_groups.get_mut(&g) {
                Some(n) => n,
                None => {
                    self.diags.push(undefined_group(&g, tspan, span));
                    return;
                }
            },
            (Target::Addr(a), NeighborCmd::PeerGroupDefine) => {
                let _ = a;
                self.diags.push(
                    Diagnostic::error(codes::SYNTAX, "`neighbor A peer-group` needs a group name")
                        .primary(span, "FRR rejects this line")
                        .help("`neighbor NAME peer-group` defines a group; `neighbor A peer-group NAME` makes A a member"),
                );
                return;
            }
            (Target::Addr(addr), _) => {
                let pos = self.neighbor_at.get(&addr).copied();
                // A member may come into being by joining a group that has a remote-as.
                let joins_group = match &cmd {
                    NeighborCmd::PeerGroup(g) => match bgp.peer_groups.get(g) {
                        None => {
                            self.diags.push(undefined_group(g, span, span));
                            return;
                        }
                        Some(grp) => grp.remote_as.is_some(),
                    },
                    _ => false,
                };
                match pos {
                    Some(i) => match bgp.neighbors.get_mut(i) {
                        Some(n) => n,
                        None => return,
                    },
                    None if matches!(cmd, NeighborCmd::RemoteAs(_)) || joins_group => {
                        self.neighbor_at.insert(addr, bgp.neighbors.len());
                        let mut n = Neighbor::new(Spanned::new(addr, tspan));
                        n.v4_off_at_creation = self.scope.v4_off;
                        bgp.neighbors.push(n);
                        match bgp.neighbors.last_mut() {
                            Some(n) => n,
                            None => return,
                        }
                    }
                    None => {
                        self.diags.push(
                            Diagnostic::warning(
                                codes::NO_REMOTE_AS,
                                format!("neighbor `{addr}` has no `remote-as` yet"),
                            )
                            .primary(span, "FRR rejects this line")
                            .help(format!(
                                "declare `neighbor {addr} remote-as ASN` (or join a peer-group that has one) before the neighbor's other lines"
                            )),
                        );
                        return;
                    }
                }
            }
        };
        match cmd {
            NeighborCmd::RemoteAs(r) => n.remote_as = Some(Spanned::new(r, span)),
            NeighborCmd::RouteMap(m, d) => {
                n.route_map.insert(d, Spanned::new(m, span));
            }
            NeighborCmd::PrefixList(m, d) => {
                n.prefix_list.insert(d, Spanned::new(m, span));
            }
            NeighborCmd::FilterList(m, d) => {
                n.filter_list.insert(d, Spanned::new(m, span));
            }
            NeighborCmd::DistributeList(m, d) => {
                n.distribute_list.insert(d, Spanned::new(m, span));
            }
            NeighborCmd::AllowasIn(k) => n.allowas_in = Some(Spanned::new(k, span)),
            NeighborCmd::AsOverride => n.as_override = Some(span),
            NeighborCmd::NextHopSelf => n.next_hop_self = Some(span),
            NeighborCmd::RemovePrivateAsAll => n.remove_private_as = Some(span),
            NeighborCmd::Activate(on) => n.activate = Some(Spanned::new(on, span)),
            NeighborCmd::Shutdown => n.shutdown = Some(span),
            NeighborCmd::Weight(w) => n.weight = Some(Spanned::new(w, span)),
            NeighborCmd::PeerGroup(g) => n.peer_group = Some(Spanned::new(g, span)),
            NeighborCmd::DefaultOriginate => n.default_originate = Some(span),
            NeighborCmd::EbgpMultihop(h) => n.ebgp_multihop = Some(Spanned::new(h, span)),
            NeighborCmd::DisableConnectedCheck => n.disable_connected_check = Some(span),
            NeighborCmd::TtlSecurity(h) => {
                n.ttl_security = Some(Spanned::new(h, span));
                self.unmodeled(span, format!("`neighbor A ttl-security hops {h}`: FRR drops the session's packets that come from further than {h} hops; the model assumes the peer is within {h} hops and the session comes up"));
            }
            NeighborCmd::UpdateSource(src, _) => {
                n.update_source = Some(Spanned::new(src, word_span));
            }
            NeighborCmd::SendCommunity(on) => n.send_community = Some(Spanned::new(on, span)),
            NeighborCmd::PeerGroupDefine | NeighborCmd::NoOp => {}
            NeighborCmd::Unsupported(msg) => self.error(span, msg),
            NeighborCmd::Unmodeled(msg) => self.unmodeled(span, msg),
        }
    }
}

/// A reference to a peer-group no `neighbor NAME peer-group` line defined.
fn undefined_group(name: &str, at: Span, line: Span) -> Diagnostic {
    let mut d = Diagnostic::warning(
        codes::UNDEFINED_LIST,
        format!("peer-group `{name}` is not defined"),
    )
    .primary(at, "FRR rejects this line");
    if at != line {
        d = d.secondary(line, "ignored");
    }
    d.help(format!(
        "define the group first: `neighbor {name} peer-group`"
    ))
    .note("a neighbor named by an interface (BGP unnumbered) is not supported")
}

/// First words of the statements avscheck reads (an abbreviation of one is refused).
const KEYWORDS: &[&str] = &[
    "neighbor",
    "network",
    "aggregate-address",
    "redistribute",
    "address-family",
    "exit-address-family",
    "router",
    "route-map",
    "match",
    "set",
    "bgp",
    "access-list",
    "interface",
    "hostname",
    "continue",
    "on-match",
];

/// `k` in backquotes, unless it is a list of quoted keywords already.
fn quoted(k: &str) -> String {
    if k.starts_with('`') {
        k.to_string()
    } else {
        format!("`{k}`")
    }
}

fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// Adds an entry (FRR numbers entries without `seq` 5 above the last). A sequence
/// number used twice: the later entry replaces the earlier one, as FRR 8.4's bgpd does
/// (`show running-config` keeps only the second), with a warning since it is most
/// likely a slip.
fn insert<T>(
    list: &mut FilterList<T>,
    seq: Option<u32>,
    permit: bool,
    item: T,
    span: Span,
) -> Option<Diagnostic> {
    let n = seq.unwrap_or_else(|| list.next_seq());
    let diag = list.entries.get(&n).map(|old| {
        Diagnostic::warning(
            codes::DUPLICATE_SEQ,
            format!("sequence number {n} is used twice"),
        )
        .primary(span, "this entry replaces the first")
        .secondary(old.span, "the first entry with this number (dropped)")
        .note("FRR keeps only the later entry with a sequence number")
        .help("give each entry its own sequence number")
    });
    list.entries.insert(n, Entry { permit, item, span });
    diag
}

/// The `A.B.C.D/M` of an interface's `ip address` / `no ip address` line.
fn interface_prefix<'a>(
    a: &super::lex::Word<'a>,
) -> Result<ipnet::Ipv4Net, nom::Err<super::error::PError>> {
    a.text.parse::<ipnet::Ipv4Net>().map_err(|_| {
        nom::Err::Failure(super::error::PError::word(
            a,
            super::error::ErrorKind::Expected("an address with its length (A.B.C.D/M)".into()),
        ))
    })
}

/// `interface` node: addresses are connected routes; the rest is link setup.
fn interface(i: In) -> super::lex::PResult<Stmt> {
    use super::lex::{end, rest, word};
    use nom::combinator::opt;
    let (r, w) = word(i)?;
    match w.text {
        "ip" => {
            let (r2, w2) = word(r)?;
            if w2.text == "address" {
                let (r3, a) = word(r2)?;
                let p = interface_prefix(&a)?;
                let (r3, _) = end(r3)?;
                Ok((r3, Stmt::InterfaceAddress(p)))
            } else if matches!(w2.text, "ospf" | "router" | "pim" | "igmp" | "mtu" | "rip") {
                let (r2, _) = rest(r2)?;
                Ok((r2, Stmt::NoOp))
            } else {
                // `ip route`, `ip prefix-list`, ...: a top-level statement.
                Err(nom::Err::Error(super::error::PError::word(
                    &w2,
                    super::error::ErrorKind::Nom,
                )))
            }
        }
        "shutdown" => {
            let (r, _) = rest(r)?;
            Ok((
                r,
                Stmt::Unsupported(
                    "`shutdown` takes the interface down (its connected routes and the routes through it go), which avscheck does not model".into(),
                ),
            ))
        }
        "no" => {
            let (r2, w2) = word(r)?;
            let (r3, w3) = opt(word)(r2)?;
            match (w2.text, w3.map(|w| w.text)) {
                ("ip", Some("address")) => {
                    let (r4, a) = word(r3).map_err(|_| {
                        nom::Err::Failure(super::error::PError::word(
                            &w2,
                            super::error::ErrorKind::Expected(
                                "`no ip address` with an address and its length (A.B.C.D/M)".into(),
                            ),
                        ))
                    })?;
                    let p = interface_prefix(&a)?;
                    let (r4, _) = end(r4)?;
                    Ok((r4, Stmt::NoInterfaceAddress(p)))
                }
                // FRR's defaults, or link settings without a routing effect.
                (
                    "shutdown" | "description" | "ipv6" | "mtu" | "link-detect" | "bandwidth"
                    | "multicast" | "evpn",
                    _,
                )
                | ("ip", Some("ospf" | "router" | "pim" | "igmp" | "mtu" | "rip")) => {
                    let (r2, _) = rest(r2)?;
                    Ok((r2, Stmt::NoOp))
                }
                _ => Err(nom::Err::Error(super::error::PError::word(
                    &w2,
                    super::error::ErrorKind::Nom,
                ))),
            }
        }
        "description" | "ipv6" | "mtu" | "link-detect" | "bandwidth" | "vrf" | "evpn"
        | "multicast" => {
            let (r, _) = rest(r)?;
            Ok((r, Stmt::NoOp))
        }
        _ => Err(nom::Err::Error(super::error::PError::word(
            &w,
            super::error::ErrorKind::Nom,
        ))),
    }
}

/// `line vty` node: access to the daemon's shell, no routing.
fn vty(i: In) -> super::lex::PResult<Stmt> {
    use super::lex::{rest, word};
    let (r, w) = word(i)?;
    match w.text {
        "exec-timeout" | "login" | "access-class" | "ipv6" | "password" | "no" | "transport"
        | "session-timeout" => {
            let (r, _) = rest(r)?;
            Ok((r, Stmt::NoOp))
        }
        _ => Err(nom::Err::Error(super::error::PError::word(
            &w,
            super::error::ErrorKind::Nom,
        ))),
    }
}
