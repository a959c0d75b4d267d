//! Policies and prefix lists → `ir::Policy` (rules with compiled conditions and actions).

use super::Ctx;
use crate::ir::{self, Action, Condition, PrefixRange};
use crate::syntax::ast;
use ipnet::Ipv4Net;

/// `P [ge N] [le M]`: exactly P unless ge/le; `ge N` alone means N..=32, `le M` alone
/// means len(P)..=M (the usual route-map convention, FRR's too).
pub fn prefix_range(m: &ast::PrefixMatch) -> PrefixRange {
    let len = m.prefix.node.prefix_len();
    let (ge, le) = match (&m.ge, &m.le) {
        (None, None) => (len, len),
        (Some(g), None) => (g.node, 32),
        (None, Some(l)) => (len, l.node),
        (Some(g), Some(l)) => (g.node, l.node),
    };
    PrefixRange {
        prefix: m.prefix.node,
        ge,
        le,
    }
}

pub fn tag_id(ctx: &mut Ctx, tag: &ast::TagValue) -> ir::TagId {
    let (name, community) = match tag {
        ast::TagValue::Name(n) if n == "no_advertise" => (n.clone(), Some(ir::NO_ADVERTISE)),
        ast::TagValue::Name(n) => (n.clone(), None),
        ast::TagValue::Community(a, b) => (format!("{a}:{b}"), Some((*a, *b))),
    };
    if let Some(id) = ctx.tag_names.get(&name) {
        return *id;
    }
    if let Some(id) = community.and_then(|c| ctx.tag_communities.get(&c)) {
        return *id;
    }
    let id = ctx.net.tags.push(ir::Tag {
        name: name.clone(),
        community,
    });
    ctx.tag_names.insert(name, id);
    if let Some(c) = community {
        ctx.tag_communities.insert(c, id);
    }
    id
}

/// A name that did not resolve (the resolver reports it) becomes a condition that
/// never holds, so a broken rule can only match less, never more.
fn condition(ctx: &mut Ctx, c: &ast::ConditionKind) -> Condition {
    let never = Condition::Prefix(Vec::new());
    match c {
        ast::ConditionKind::Prefix(m) => Condition::Prefix(vec![prefix_range(m)]),
        ast::ConditionKind::PrefixList(name) => match ctx.prefix_lists.get(&name.node) {
            Some(list) => Condition::Prefix(list.clone()),
            None => never,
        },
        ast::ConditionKind::AsPathContains(n) => Condition::AsPathContains(n.node),
        ast::ConditionKind::AsPathLength(op, n) => Condition::AsPathLength(cmp(op.node), n.node),
        ast::ConditionKind::Tag(t) => Condition::Tag(tag_id(ctx, &t.node)),
        ast::ConditionKind::OriginatedBy(n) => match ctx.node_ids.get(&n.node) {
            Some(id) => Condition::OriginatedBy(*id),
            None => never,
        },
    }
}

fn cmp(op: ast::CmpOp) -> ir::CmpOp {
    match op {
        ast::CmpOp::Lt => ir::CmpOp::Lt,
        ast::CmpOp::Le => ir::CmpOp::Le,
        ast::CmpOp::Eq => ir::CmpOp::Eq,
        ast::CmpOp::Ge => ir::CmpOp::Ge,
        ast::CmpOp::Gt => ir::CmpOp::Gt,
    }
}

fn action(ctx: &mut Ctx, a: &ast::ActionKind) -> Action {
    match a {
        ast::ActionKind::SetLocalPref(n) => Action::SetLocalPref(n.node),
        ast::ActionKind::SetMed(n) => Action::SetMed(n.node),
        ast::ActionKind::Prepend(n, k) => Action::Prepend(n.node, k.map(|k| k.node).unwrap_or(1)),
        ast::ActionKind::AddTag(t) => Action::AddTag(tag_id(ctx, &t.node)),
        ast::ActionKind::RemoveTag(t) => Action::RemoveTag(tag_id(ctx, &t.node)),
        ast::ActionKind::RemovePrivateAs => Action::RemovePrivateAs,
        ast::ActionKind::RemoveAs(l) => Action::RemoveAs(l.iter().map(|n| n.node).collect()),
        ast::ActionKind::ReplaceAs(l) => Action::ReplaceAs(l.iter().map(|n| n.node).collect()),
        ast::ActionKind::SetNextHopSelf => Action::SetNextHopSelf,
        ast::ActionKind::SetNextHop(a) => Action::SetNextHop(a.node),
    }
}

/// Compiles prefix lists, then every policy (stdlib ones first), into `ctx`.
pub fn lower_policies(ctx: &mut Ctx) {
    for pl in &ctx.design.prefix_lists {
        let ranges: Vec<PrefixRange> = pl.entries.iter().map(prefix_range).collect();
        ctx.prefix_lists.insert(pl.name.node.clone(), ranges);
    }
    let design = ctx.design;
    for p in &design.policies {
        let mut rules = Vec::new();
        for r in &p.rules {
            let conditions = r
                .conditions
                .iter()
                .map(|c| condition(ctx, &c.node))
                .collect();
            let actions = r.actions.iter().map(|a| action(ctx, &a.node)).collect();
            rules.push(ir::Rule {
                matched: Vec::new(),
                permit: r.verdict.node == ast::Verdict::Permit,
                conditions,
                actions,
                span: r.span,
            });
        }
        let id = ctx.net.policies.push(ir::Policy {
            name: p.name.node.clone(),
            span: p.name.span,
            rules,
        });
        ctx.policy_ids.insert(p.name.node.clone(), id);
    }
}

/// Every prefix a policy mentions (for destination classes).
pub fn policy_prefixes(net: &ir::Network) -> Vec<Ipv4Net> {
    let mut out = Vec::new();
    for p in net.policies.values() {
        for r in &p.rules {
            for c in &r.conditions {
                if let Condition::Prefix(rs) = c {
                    out.extend(rs.iter().map(|r| r.prefix));
                }
            }
        }
    }
    out
}
