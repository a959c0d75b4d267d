//! "did you mean ...?" for misspelled keywords.

/// The closest candidate that is a likely typo of `word` (`crate::suggest`'s rule),
/// if any. Long words are not compared (they are not keywords).
pub(crate) fn did_you_mean<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    if word.len() > 64 {
        return None;
    }
    let best = crate::suggest::did_you_mean(word, candidates.iter().copied())?;
    candidates.iter().copied().find(|c| *c == best)
}

/// "did you mean `x`?" or a list of the candidates.
pub(crate) fn help_for(word: Option<&str>, candidates: &[&str]) -> String {
    if let Some(m) = word.and_then(|w| did_you_mean(w, candidates)) {
        return format!("did you mean `{m}`?");
    }
    let list: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
    format!("expected one of {}", list.join(", "))
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
    fn suggests_near_misses() {
        assert_eq!(crate::suggest::edit_distance("kitten", "sitting"), 3);
        assert_eq!(
            did_you_mean("reachabel", &["reachable", "never"]),
            Some("reachable")
        );
        assert_eq!(
            did_you_mean("behavior", &["behaviour", "key"]),
            Some("behaviour")
        );
        assert_eq!(did_you_mean("zzz", &["reachable", "never"]), None);
    }
}
