//! Where a statement applies (issue #14, round-4 tester findings 3, 4, 7, 16, 20, 2):
//! which IPv4 `network`/`aggregate-address` lines are statements of another address
//! family, `vrf` blocks, `end` in the middle of a file, the `bgp default
//! ipv4-unicast` state in force when each neighbor is created, and the list syntax
//! of Quagga and FRR before 7.3 (`ip as-path access-list`, `ip community-list`).
//! Each rule was checked with FRR 8.4's `bgpd` (docs/frr.md).

use super::super::codes;
use super::super::lex::{rest, word, In, PResult};
use super::super::stmt::{Family, NetForm, Stmt};
use super::{clip, Driver, Node};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// What the driver remembers across lines for these rules.
#[derive(Debug, Default)]
pub struct ScopeState {
    /// The `no bgp default ipv4-unicast` line in force (none: the default, on).
    /// FRR activates a neighbor or peer-group for IPv4 unicast when it creates it,
    /// by the state at that moment; a later line changes only later neighbors
    /// (running-config writes `neighbor A activate` for the earlier ones).
    pub v4_off: Option<Span>,
    /// The last `end` line read.
    end: Option<Span>,
    /// Whether the lines after `end` were reported.
    end_warned: bool,
}

/// Statements of the `vrf NAME` node (zebra's and staticd's per-VRF commands). They
/// configure another VRF than the default one avscheck models: read, not applied,
/// each with a warning. Anything else leaves the block (FRR tries the enclosing
/// node), as `ip prefix-list` does. `vrf default` names the default VRF: its
/// statements are read as the top level's.
pub fn vrf<'a>(i: In<'a>, name: &str) -> PResult<'a, Stmt> {
    let (r, w) = word(i)?;
    if w.text == "exit-vrf" {
        let (r, _) = super::super::lex::end(r)?;
        return Ok((r, Stmt::ExitVrf));
    }
    if name == "default" {
        // `vrf default` is the default VRF: its statements are the top level's (FRR
        // 8.4 writes `ip nht resolve-via-default` there, and zebra applies it to the
        // default table), so they are read as there.
        return super::super::stmt::top(i);
    }
    let per_vrf = match w.text {
        "ip" | "ipv6" => {
            let (_, w2) = word(r)?;
            matches!(
                w2.text,
                "route" | "protocol" | "nht" | "import-table" | "router-id"
            )
        }
        "vni" | "netns" | "mpls" | "router-id" => true,
        _ => false,
    };
    if !per_vrf {
        return Err(nom::Err::Error(super::super::error::PError::word(
            &w,
            super::super::error::ErrorKind::Nom,
        )));
    }
    let text = clip(i.fragment().trim());
    let (r, _) = rest(r)?;
    Ok((
        r,
        Stmt::NoEffect(format!(
            "`{text}` is a statement of the `vrf` block it is in: FRR applies it to that VRF's table, not to the default VRF that avscheck models, so it is not read"
        )),
    ))
}

impl Driver {
    /// Whether the current node is an address family other than IPv4 unicast.
    pub(super) fn in_other_af(&self) -> bool {
        matches!(self.stack.last(), Some(Node::Af(f)) if *f != Family::V4Unicast)
    }

    /// Whether an IPv4 `network` (`form`) or `aggregate-address` (`None`) line read
    /// here originates into IPv4 unicast. In another family FRR 8.4's bgpd does one
    /// of three things (checked with `bgpd` and `show running-config`):
    /// - `ipv4 multicast`, `ipv4 labeled-unicast`: `network A.B.C.D/M`, `network A
    ///   mask M` and `aggregate-address` are that family's own statements (its own
    ///   table, not IPv4 unicast); the classful `network A.B.C.D` is not, and falls
    ///   back to `router bgp`;
    /// - `ipv4 vpn`, `l2vpn evpn`: `network A.B.C.D/M` is the family's statement
    ///   that needs an `rd` ("Command incomplete"): the line is rejected; the other
    ///   forms and `aggregate-address` fall back;
    /// - every other family (`ipv6 ...`, `ipv4 flowspec`): the line falls back.
    ///
    /// A line that falls back is read in `router bgp` (IPv4 unicast), and bgpd stays
    /// there for the lines after it (the node is popped). A line that does not is
    /// ignored with warning AVS0921.
    pub(super) fn ipv4_origination_here(&mut self, form: Option<NetForm>, span: Span) -> bool {
        let Some(Node::Af(f)) = self.stack.last() else {
            return true;
        };
        let f = *f;
        let own = match f {
            Family::V4Unicast => return true,
            Family::V4Table => form != Some(NetForm::Classful),
            Family::V4Vpn => form == Some(NetForm::Slash),
            Family::V6 | Family::Other => false,
        };
        if !own {
            self.stack.pop();
            return true;
        }
        let what = if form.is_some() {
            "network"
        } else {
            "aggregate-address"
        };
        let (msg, label) = if f == Family::V4Table {
            (
                format!("this `{what}` belongs to `address-family ipv4 multicast` / `labeled-unicast`, not IPv4 unicast"),
                "FRR originates it into that family's own table: not announced as an IPv4 unicast route",
            )
        } else {
            (
                format!("this `{what}` in `address-family ipv4 vpn` / `l2vpn evpn` needs a route distinguisher"),
                "bgpd rejects the line (\"Command incomplete\"): nothing is originated",
            )
        };
        self.diags.push(
            Diagnostic::warning(codes::NO_EFFECT, msg)
                .primary(span, label)
                .help("to announce the prefix over IPv4 unicast, write the line under `address-family ipv4 unicast` (or directly under `router bgp`)"),
        );
        false
    }

    /// An IPv6 `network`/`aggregate-address`: IPv6 is not modelled. Inside an IPv6
    /// family it is that family's statement (a warning, no effect on the IPv4
    /// routing checked); elsewhere bgpd rejects it ("No such command").
    pub(super) fn ipv6_origination(&mut self, what: &str, span: Span) {
        let in_v6 = matches!(self.stack.last(), Some(Node::Af(Family::V6)));
        let d = if in_v6 {
            Diagnostic::warning(
                codes::NO_EFFECT,
                format!("IPv6 `{what}`: IPv6 routing is not modelled"),
            )
            .primary(span, "read, and ignored by avscheck")
            .note("avscheck checks IPv4 routing; the IPv6 address family does not change it")
        } else {
            Diagnostic::warning(
                codes::NOT_UNDERSTOOD,
                format!("IPv6 `{what}` outside an IPv6 address family"),
            )
            .primary(
                span,
                "bgpd rejects this line (\"No such command\"); ignored",
            )
            .help("IPv6 prefixes belong under `address-family ipv6 unicast`")
        };
        self.diags.push(d);
    }

    pub(super) fn vrf(&mut self, _name: String, _span: Span) {
        self.stack.push(Node::Vrf(_name));
    }

    pub(super) fn end(&mut self, span: Span) {
        self.scope.end = Some(span);
    }

    /// Called before each statement is applied: statements after an `end` line are
    /// read as `vtysh -f` reads an integrated `frr.conf` (`end` only returns to the
    /// top level), once reported: `bgpd -f` reading a split `bgpd.conf` (and
    /// Quagga's `bgpd`) rejects every line after `end`.
    pub(super) fn after_end(&mut self, span: Span) {
        let Some(end) = self.scope.end else { return };
        if self.scope.end_warned {
            return;
        }
        self.scope.end_warned = true;
        self.diags.push(
            Diagnostic::warning(codes::UNMODELED, "configuration lines after `end`")
                .primary(span, "read, as vtysh reads an integrated frr.conf")
                .secondary(end, "`end` before the end of the file")
                .note("`vtysh -f` (FRR's integrated frr.conf) reads on after `end`; `bgpd -f` reading a split bgpd.conf, and Quagga's bgpd, reject every line after it")
                .help("if this file is a split bgpd.conf or a Quagga configuration, delete the lines after `end` (or the `end` line) so that both readings agree"),
        );
    }

    /// `ip as-path access-list ...` / `ip community-list ...`: the syntax of Quagga
    /// and of FRR before 7.3, which moved both under `bgp` (FRR 7.3, PR #5117). With
    /// `frr version` below 7.3 the line is read as that release reads it; otherwise
    /// FRR rejects it and the list stays undefined — an error, since such a file is
    /// most likely a Quagga or an old FRR configuration whose lists matter.
    pub(super) fn legacy_list(&mut self, st: Stmt, span: Span) {
        let old = self.cfg.version.as_ref().is_some_and(|v| v.node < (7, 3));
        if old {
            self.apply(st, span);
            return;
        }
        let (kw, new) = match st {
            Stmt::CommunityList { .. } => ("ip community-list", "bgp community-list"),
            _ => ("ip as-path access-list", "bgp as-path access-list"),
        };
        let mut d = Diagnostic::error(
            codes::SYNTAX,
            format!("`{kw}` is the syntax of Quagga and FRR before 7.3"),
        )
        .primary(span, "FRR 7.3 and later reject this line: the list stays undefined")
        .note(format!(
            "FRR 7.3 renamed `{kw}` to `{new}`; without an `frr version` line below 7.3, avscheck reads the file as current FRR"
        ))
        .help(format!(
            "for FRR 7.3 or later write `{new} ...`; for Quagga or FRR before 7.3 add `frr version 7.2` at the top (it also selects that release's defaults, which are Quagga's: no ebgp-requires-policy, no import-check)"
        ));
        if let Some(v) = &self.cfg.version {
            d = d.secondary(v.span, "this release rejects it");
        }
        self.diags.push(d);
    }
}
