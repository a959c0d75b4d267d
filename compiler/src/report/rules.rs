//! The documentation of every diagnostic code, read from `docs/diagnostics.md` (compiled
//! in), for SARIF's `tool.driver.rules` and help links.
//!
//! `docs/diagnostics.md` is the one place a code is described: each code is a table row
//! `| AVS0502 | error | <a id="avs0502"></a>` followed by the description, whose first
//! backticked phrase is the message shape. The row's anchor is what [`help_uri`] links to
//! (a test checks that every row has one).

/// The documentation page, as compiled into the binary.
const DIAGNOSTICS_MD: &str = include_str!("../../../docs/diagnostics.md");

/// Where the documentation is published: the repository's `docs/diagnostics.md`.
pub const DOCS_URL: &str = "https://github.com/avscheck/avscheck/blob/main/docs/diagnostics.md";

/// One documented code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// `AVS0502`.
    pub code: String,
    /// `error`, `warning`, `none`.
    pub severity: String,
    /// The message shape, e.g. `N holds K prefixes, over its limit of M in all`.
    pub short: String,
    /// The whole description, as plain text (backticks and HTML removed).
    pub full: String,
    /// The whole description, as Markdown.
    pub markdown: String,
}

/// The absolute URL of a code's documentation (`…/docs/diagnostics.md#avs0502`).
pub fn help_uri(code: &str) -> String {
    format!("{DOCS_URL}#{}", code.to_lowercase())
}

/// Every documented code, in the page's order.
pub fn rules() -> Vec<Rule> {
    DIAGNOSTICS_MD.lines().filter_map(parse_row).collect()
}

/// The documentation of one code (`None` when it is not documented).
pub fn rule(code: &str) -> Option<Rule> {
    DIAGNOSTICS_MD
        .lines()
        .filter_map(parse_row)
        .find(|r| r.code == code)
}

/// Whether `docs/diagnostics.md` has the HTML anchor [`help_uri`] links to.
pub fn has_anchor(code: &str) -> bool {
    DIAGNOSTICS_MD.contains(&format!("<a id=\"{}\"></a>", code.to_lowercase()))
}

fn parse_row(line: &str) -> Option<Rule> {
    let rest = line.strip_prefix("| AVS")?;
    let mut cells = rest.splitn(3, " | ");
    let digits = cells.next()?.trim();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let severity = cells.next()?.trim().to_string();
    let description = cells.next()?.trim().trim_end_matches('|').trim();
    let markdown = strip_anchor(description);
    let short = match markdown.strip_prefix('`') {
        Some(after) => after.split('`').next().unwrap_or(after).to_string(),
        None => first_sentence(&markdown),
    };
    Some(Rule {
        code: format!("AVS{digits}"),
        severity,
        short,
        full: markdown.replace('`', ""),
        markdown,
    })
}

/// The description without its leading `<a id="..."></a>`.
fn strip_anchor(text: &str) -> String {
    match text.strip_prefix("<a id=\"") {
        Some(after) => after
            .split_once("</a>")
            .map(|(_, rest)| rest.trim_start().to_string())
            .unwrap_or_else(|| text.to_string()),
        None => text.to_string(),
    }
}

fn first_sentence(text: &str) -> String {
    let end = text
        .find(": ")
        .or_else(|| text.find(". "))
        .unwrap_or(text.len());
    text.get(..end).unwrap_or(text).replace('`', "")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_documented_code_has_an_anchor_and_descriptions() {
        let rules = rules();
        assert!(rules.len() > 80, "{}", rules.len());
        for r in &rules {
            assert!(has_anchor(&r.code), "{} has no anchor", r.code);
            assert!(!r.short.is_empty() && !r.full.is_empty(), "{r:?}");
            assert!(!r.short.contains("<a"), "{r:?}");
        }
        let rows = DIAGNOSTICS_MD
            .lines()
            .filter(|l| l.starts_with("| AVS"))
            .count();
        assert_eq!(rows, rules.len());
    }

    #[test]
    fn message_shapes_are_the_backticked_phrase() {
        let r = rule("AVS0502").unwrap();
        assert_eq!(r.short, "N holds K prefixes, over its limit of M in all");
        assert_eq!(r.severity, "error");
        assert!(r.markdown.starts_with("`N holds"));
        assert!(!r.full.contains('`'));
        assert_eq!(
            help_uri("AVS0502"),
            "https://github.com/avscheck/avscheck/blob/main/docs/diagnostics.md#avs0502"
        );
        assert!(rule("AVS9999").is_none());
    }
}
