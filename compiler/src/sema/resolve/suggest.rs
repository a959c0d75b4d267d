//! "Did you mean ...?" suggestions and the small wording helpers shared by the
//! resolver's messages.

/// The optimal-string-alignment distance (Damerau–Levenshtein with adjacent
/// transpositions, each substring edited once), on characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
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

/// The candidate closest to `name`, when it is close enough to be a likely typo:
/// at most one edit for short names, a third of the length for longer ones. Ties go
/// to the alphabetically first candidate, so the result never depends on the order
/// the candidates come in.
pub(crate) fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (name.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == name {
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

/// `a`/`an` before a kind or type name: `an er_gateway`, `an nva`, `a vnet`,
/// `a route_table`. A name whose first two letters are consonants is read as an
/// initialism (`nva`, `msee`), so a leading letter pronounced with a vowel sound takes
/// `an`.
pub(crate) fn article(word: &str) -> &'static str {
    let mut chars = word.chars().map(|c| c.to_ascii_lowercase());
    let first = chars.next();
    let second = chars.next();
    let vowel = |c: Option<char>| matches!(c, Some('a' | 'e' | 'i' | 'o' | 'u'));
    if vowel(first) {
        return "an";
    }
    let initialism = first.is_some()
        && !vowel(second)
        && second.is_some_and(|c| c.is_ascii_alphabetic() && c != 'y');
    if initialism && matches!(first, Some('f' | 'h' | 'l' | 'm' | 'n' | 'r' | 's' | 'x')) {
        return "an";
    }
    "a"
}

/// `a`, `a or b`, `a, b or c`.
pub(crate) fn join_or(items: &[String]) -> String {
    join(items, "or")
}

fn join(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("address", "adress"), 1);
        assert_eq!(edit_distance("peer", "pere"), 1); // transposition
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("export", "exprot"), 1);
    }

    #[test]
    fn suggestions() {
        let keys = ["address", "region", "peer"];
        assert_eq!(did_you_mean("adress", keys), Some("address".into()));
        assert_eq!(did_you_mean("regoin", keys), Some("region".into()));
        assert_eq!(did_you_mean("colour", keys), None);
        assert_eq!(did_you_mean("Hub", ["hub", "hab"]), Some("hub".into()));
        // Ties are broken alphabetically, whatever the input order.
        assert_eq!(did_you_mean("fw_x", ["fw_w", "fw_n"]), Some("fw_n".into()));
        assert_eq!(did_you_mean("fw_x", ["fw_n", "fw_w"]), Some("fw_n".into()));
    }

    #[test]
    fn articles() {
        assert_eq!(article("vnet"), "a");
        assert_eq!(article("er_gateway"), "an");
        assert_eq!(article("nva"), "an");
        assert_eq!(article("avs"), "an");
        assert_eq!(article("route_table"), "a");
        assert_eq!(article("subnet"), "a");
        assert_eq!(article("site"), "a");
        assert_eq!(article("tunnel"), "a");
        assert_eq!(article("global_reach"), "a");
        assert_eq!(article("ASN"), "an");
    }

    #[test]
    fn joins() {
        assert_eq!(join_or(&[]), "");
        assert_eq!(join_or(&["a".into()]), "a");
        assert_eq!(join_or(&["a".into(), "b".into()]), "a or b");
        assert_eq!(join_or(&["a".into(), "b".into(), "c".into()]), "a, b or c");
    }
}
