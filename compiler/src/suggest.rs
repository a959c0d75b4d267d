//! "Did you mean ...?": the closest known name to a likely typo.

/// The optimal-string-alignment distance (Damerau–Levenshtein with adjacent
/// transpositions, each substring edited once), on characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    // Rows i-2, i-1 and i of the dynamic-programming table.
    let mut two_back: Vec<usize> = vec![0; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur: Vec<usize> = vec![0; width];
    for (i, ca) in a.iter().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let deletion = prev
                .get(j + 1)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let insertion = cur.get(j).copied().unwrap_or(usize::MAX).saturating_add(1);
            let substitution = prev
                .get(j)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(cost);
            let mut best = deletion.min(insertion).min(substitution);
            if i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca) {
                let transposition = two_back
                    .get(j - 1)
                    .copied()
                    .unwrap_or(usize::MAX)
                    .saturating_add(1);
                best = best.min(transposition);
            }
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = best;
            }
        }
        std::mem::swap(&mut two_back, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.get(b.len()).copied().unwrap_or(0)
}

/// Names longer than this (in characters) get no suggestion.
pub const MAX_SUGGESTED_LEN: usize = 256;

/// The candidate closest to `name`, when it is close enough to be a likely typo:
/// at most one edit for short names, a third of the length for longer ones. Ties go
/// to the alphabetically first candidate, so the result never depends on the order
/// the candidates come in.
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let len = name.chars().count();
    // No identifier of a design is this long: a name past it is not a typo of one, and
    // the quadratic distance on it would take seconds (a 1 MB name).
    if len > MAX_SUGGESTED_LEN {
        return None;
    }
    let limit = (len / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        // The distance is at least the difference in length: skip without computing it.
        let c_len = c.chars().count();
        if c_len.abs_diff(len) > limit && !c.eq_ignore_ascii_case(name) {
            continue;
        }
        let d = edit_distance(name, c);
        // Also catch case slips (`Hub` for `hub`).
        let d = if c.eq_ignore_ascii_case(name) { 0 } else { d };
        if d > limit {
            continue;
        }
        best = match best {
            Some((bd, bc)) if (bd, bc) <= (d, c) => Some((bd, bc)),
            _ => Some((d, c)),
        };
    }
    best.map(|(_, c)| c.to_string())
}
