//! Walks and loops in a data-plane graph, encoded without unrolling (see the
//! soundness notes 6–7 in [`crate::smt::encode`]).

use super::{Graph, Term, Vertex};
use crate::ir::NodeId;
use crate::sim::Owner;
use std::collections::{BTreeMap, BTreeSet};
use z3::ast::{Bool, Int};

/// Fresh names for walk encodings.
pub struct Fresh(pub usize);

impl Fresh {
    pub fn next(&mut self, what: &str) -> String {
        self.0 += 1;
        format!("{what}{}", self.0)
    }
}

/// A walk encoding: per (vertex, flag) "reached" and its rank.
pub struct Walk {
    pub reached: BTreeMap<(usize, bool), Bool>,
    pub constraint: Bool,
}

/// The strongly connected components of the graph's edges (guards ignored): per
/// vertex its component id, and whether it lies on a cycle (a component with more
/// than one vertex, or an edge to itself). Only such vertices need a rank (see
/// [`walk_exists`]) or can be part of a loop (see [`loop_in`]).
pub(super) fn components(g: &Graph) -> (Vec<usize>, Vec<bool>) {
    let n = g.vertices.len();
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut self_loop = vec![false; n];
    for &(f, t) in g.edges.keys() {
        if let Some(s) = succ.get_mut(f) {
            s.push(t);
        }
        if f == t {
            if let Some(x) = self_loop.get_mut(f) {
                *x = true;
            }
        }
    }
    // Tarjan's algorithm, iterative.
    let mut index: Vec<Option<usize>> = vec![None; n];
    let mut low: Vec<usize> = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut comp_size: Vec<usize> = vec![0; n];
    let mut comp_of: Vec<usize> = vec![0; n];
    let mut next = 0;
    let mut ncomp = 0;
    for root in 0..n {
        if index.get(root).copied().flatten().is_some() {
            continue;
        }
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut i)) = call.last_mut() {
            if *i == 0 && index.get(v).copied().flatten().is_none() {
                if let Some(x) = index.get_mut(v) {
                    *x = Some(next);
                }
                if let Some(x) = low.get_mut(v) {
                    *x = next;
                }
                next += 1;
                stack.push(v);
                if let Some(x) = on_stack.get_mut(v) {
                    *x = true;
                }
            }
            let w = succ.get(v).and_then(|s| s.get(*i)).copied();
            *i += 1;
            match w {
                Some(w) => match index.get(w).copied().flatten() {
                    None => call.push((w, 0)),
                    Some(iw) => {
                        if on_stack.get(w).copied().unwrap_or(false) {
                            let lv = low.get(v).copied().unwrap_or(0);
                            if let Some(x) = low.get_mut(v) {
                                *x = lv.min(iw);
                            }
                        }
                    }
                },
                None => {
                    call.pop();
                    let lv = low.get(v).copied().unwrap_or(0);
                    if let Some(&(p, _)) = call.last() {
                        let lp = low.get(p).copied().unwrap_or(0);
                        if let Some(x) = low.get_mut(p) {
                            *x = lp.min(lv);
                        }
                    }
                    if Some(lv) == index.get(v).copied().flatten() {
                        while let Some(w) = stack.pop() {
                            if let Some(x) = on_stack.get_mut(w) {
                                *x = false;
                            }
                            if let Some(x) = comp_of.get_mut(w) {
                                *x = ncomp;
                            }
                            if let Some(x) = comp_size.get_mut(ncomp) {
                                *x += 1;
                            }
                            if w == v {
                                break;
                            }
                        }
                        ncomp += 1;
                    }
                }
            }
        }
    }
    let cyclic = (0..n)
        .map(|v| {
            self_loop.get(v).copied().unwrap_or(false)
                || comp_of
                    .get(v)
                    .and_then(|c| comp_size.get(*c))
                    .is_some_and(|s| *s > 1)
        })
        .collect();
    (comp_of, cyclic)
}

/// There is a walk from a source whose end satisfies `accept(vertex, flag)`; `flag`
/// records whether a state of a `watch` node was visited (a terminal delivered to a
/// watched node counts as visiting it). The returned Bool is the existence claim; the
/// constraint must hold with it (both go into the violation).
///
/// Each reached vertex is justified by a source or a reached predecessor over an
/// active edge. Only an edge inside a strongly connected component of the graph can
/// close a cycle of justifications, so only those edges also require a strictly
/// smaller rank (and only vertices of such components have a rank): following
/// justifications backwards, each step either stays in one component with a strictly
/// smaller rank (so no vertex repeats) or moves to a component earlier in the
/// component order, hence every chain ends at a source after finitely many steps —
/// a finite walk, exactly as with a rank on every vertex.
pub fn walk_exists(
    g: &Graph,
    watch: &BTreeSet<NodeId>,
    accept: impl Fn(&Vertex, bool) -> bool,
    fresh: &mut Fresh,
) -> (Bool, Walk) {
    let watched = |v: usize| -> bool {
        match g.vertices.get(v) {
            Some(Vertex::State(k)) => watch.contains(&k.node),
            Some(Vertex::Term(Term::Delivered(Owner::Node(n)))) => watch.contains(n),
            _ => false,
        }
    };
    let (comp, cyclic) = components(g);
    let same = |u: usize, v: usize| comp.get(u).is_some_and(|c| comp.get(v) == Some(c));
    let mut preds: Vec<Vec<(usize, &Bool)>> = vec![Vec::new(); g.vertices.len()];
    for (&(f, t), guard) in &g.edges {
        if let Some(p) = preds.get_mut(t) {
            p.push((f, guard));
        }
    }
    let tag = fresh.next("w");
    let mut reached: BTreeMap<(usize, bool), Bool> = BTreeMap::new();
    let mut rank: BTreeMap<(usize, bool), Int> = BTreeMap::new();
    let flags: &[bool] = if watch.is_empty() {
        &[false]
    } else {
        &[false, true]
    };
    for v in 0..g.vertices.len() {
        for &f in flags {
            // A watched vertex is only ever reached with the flag set.
            if watched(v) && !f {
                continue;
            }
            reached.insert((v, f), Bool::new_const(format!("{tag}_r{v}_{f}")));
            if cyclic.get(v).copied().unwrap_or(false) {
                rank.insert((v, f), Int::new_const(format!("{tag}_k{v}_{f}")));
            }
        }
    }
    let mut cons = Vec::new();
    for (&(v, f), r) in &reached {
        let mut why: Vec<Bool> = Vec::new();
        // Entered from a source: the flag is whether the source vertex is watched.
        if let Some(sg) = g.sources.get(&v) {
            if f == watched(v) {
                why.push(sg.clone());
            }
        }
        for &(u, guard) in preds.get(v).map(Vec::as_slice).unwrap_or(&[]) {
            for &fu in flags {
                let fv = fu || watched(v);
                if fv != f {
                    continue;
                }
                let Some(ru) = reached.get(&(u, fu)) else {
                    continue;
                };
                if same(u, v) {
                    if let (Some(ku), Some(kv)) = (rank.get(&(u, fu)), rank.get(&(v, f))) {
                        why.push(Bool::and(&[ru.clone(), guard.clone(), ku.lt(kv)]));
                    }
                } else {
                    why.push(Bool::and(&[ru.clone(), guard.clone()]));
                }
            }
        }
        cons.push(r.implies(Bool::or(&why)));
    }
    let goals: Vec<Bool> = reached
        .iter()
        .filter(|((v, f), _)| g.vertices.get(*v).is_some_and(|vx| accept(vx, *f)))
        .map(|(_, r)| r.clone())
        .collect();
    (
        Bool::or(&goals),
        Walk {
            reached,
            constraint: Bool::and(&cons),
        },
    )
}

/// A forwarding loop reachable from a source: a non-empty set of reached states, each
/// with an active edge into the set. Returns (claim, constraint).
pub fn loop_exists(g: &Graph, fresh: &mut Fresh) -> (Bool, Bool) {
    let none = BTreeSet::new();
    let (_, walk) = walk_exists(g, &none, |_, _| false, fresh);
    let (claim, cons) = loop_in(g, &walk, fresh);
    (claim, Bool::and(&[walk.constraint, cons]))
}

/// Like [`loop_exists`], over the `reached` Booleans of an existing walk encoding
/// without a watch set (its constraint must hold too; the caller has it already).
/// Sharing them is exact: `reached` only claims vertices some finite walk from a
/// source reaches, and a model may always set every such vertex reached, which
/// satisfies every claim over the same walk at once. Only states on a cycle of the
/// graph's edges can be in the set: following active edges inside any such set
/// closes a cycle, and that cycle alone is such a set.
pub fn loop_in(g: &Graph, walk: &Walk, fresh: &mut Fresh) -> (Bool, Bool) {
    let tag = fresh.next("l");
    let (_, cyclic) = components(g);
    let inl: BTreeMap<usize, Bool> = (0..g.vertices.len())
        .filter(|v| matches!(g.vertices.get(*v), Some(Vertex::State(_))))
        .filter(|v| cyclic.get(*v).copied().unwrap_or(false))
        .map(|v| (v, Bool::new_const(format!("{tag}_in{v}"))))
        .collect();
    let mut cons = Vec::new();
    for (&v, b) in &inl {
        let reached = walk
            .reached
            .get(&(v, false))
            .cloned()
            .unwrap_or_else(|| Bool::from_bool(false));
        let succ: Vec<Bool> = g
            .successors(v)
            .filter_map(|(t, guard)| {
                inl.get(&t)
                    .map(|bt| Bool::and(&[guard.clone(), bt.clone()]))
            })
            .collect();
        cons.push(b.implies(Bool::and(&[reached, Bool::or(&succ)])));
    }
    let claim = Bool::or(&inl.values().cloned().collect::<Vec<_>>());
    (claim, Bool::and(&cons))
}
