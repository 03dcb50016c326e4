//! Rule metadata and the list of every rule, which `hlint rules` and `hlint explain` read.

use crate::diagnostic::Severity;
use crate::rules;

/// Where the rule reference lives; each rule has an anchor named after its code.
pub const DOCS_BASE: &str = "docs/rules.md";

/// What a rule is, independent of any finding. Each rule lives in its own file under
/// `rules/src/rules/`, with its documentation beside its code.
#[derive(Debug, PartialEq)]
pub struct Rule {
    /// Stable code such as `HL101`: the hundreds group related rules.
    pub code: &'static str,
    /// Stable kebab-case name, usable wherever a code is.
    pub name: &'static str,
    pub severity: Severity,
    /// One line for `hlint rules`.
    pub summary: &'static str,
    /// Markdown: what it finds, why it matters, an example, the fix, and sources.
    pub doc: &'static str,
}

impl Rule {
    pub fn url(&self) -> String {
        format!("{DOCS_BASE}#{}", self.code.to_ascii_lowercase())
    }
}

/// Every rule, in code order.
pub fn all_rules() -> &'static [&'static Rule] {
    rules::ALL
}

/// A rule by code (`HL101`, any case) or name (`unknown-key`).
pub fn find_rule(code_or_name: &str) -> Option<&'static Rule> {
    all_rules()
        .iter()
        .copied()
        .find(|rule| rule.code.eq_ignore_ascii_case(code_or_name) || rule.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let rules = all_rules();
        for (i, rule) in rules.iter().enumerate() {
            assert!(
                rule.code.len() == 5 && rule.code.starts_with("HL"),
                "{}",
                rule.code
            );
            assert!(
                rule.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                rule.name
            );
            for section in ["## What it does", "## Why", "## Example"] {
                assert!(rule.doc.contains(section), "{} lacks {section}", rule.code);
            }
            for other in &rules[i + 1..] {
                assert_ne!(rule.code, other.code);
                assert_ne!(rule.name, other.name);
            }
        }
        assert!(
            rules.windows(2).all(|w| w[0].code < w[1].code),
            "rules are listed in code order"
        );
        assert_eq!(find_rule("hl001").map(|r| r.code), Some("HL001"));
    }
}
