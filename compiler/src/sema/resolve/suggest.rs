//! "Did you mean ...?" suggestions and the small wording helpers shared by the
//! resolver's messages.

pub(crate) use crate::suggest::did_you_mean;

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
    use crate::suggest::edit_distance;

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
