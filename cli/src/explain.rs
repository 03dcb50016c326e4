//! `hlint rules` and `hlint explain CODE`.

use std::io::Write;

use hlint_rules::{all_rules, find_rule};

use crate::EXIT_TROUBLE;

pub fn list_rules(out: &mut dyn Write) -> u8 {
    for rule in all_rules() {
        let _ = writeln!(
            out,
            "{:<6} {:<30} {:<8} {}",
            rule.code,
            rule.name,
            rule.severity.as_str(),
            rule.summary
        );
    }
    0
}

pub fn explain(code_or_name: &str, out: &mut dyn Write) -> u8 {
    let Some(rule) = find_rule(code_or_name) else {
        eprintln!("hlint: no rule `{code_or_name}`; `hlint rules` lists them all");
        return EXIT_TROUBLE;
    };
    let _ = writeln!(
        out,
        "# {} ({})\n\nDefault severity: {}. {}.\n\n{}",
        rule.code,
        rule.name,
        rule.severity,
        rule.summary,
        rule.doc.trim_end()
    );
    0
}

/// `hlint rules --markdown`: the rule reference, docs/rules.md.
pub fn rules_markdown(out: &mut dyn Write) -> u8 {
    match out.write_all(reference_markdown().as_bytes()) {
        Ok(()) => 0,
        Err(_) => EXIT_TROUBLE,
    }
}

/// The command that rewrites docs/rules.md; its test names it when the file is stale.
pub const REGENERATE: &str = "cargo run -q -p hlint -- rules --markdown > docs/rules.md";

/// The rule reference: an index table, then one section per rule whose heading is its code
/// alone, so that its GitHub anchor is the lowercase code `Rule::url()` links to (`#hl101`).
/// The rules' own headings move one level down, below the rule's.
pub fn reference_markdown() -> String {
    let mut page = format!(
        "<!-- Generated from the rules' own metadata by `hlint rules --markdown`: do not edit.\n     \
         Regenerate with: {REGENERATE} -->\n\n\
         # hlint rules\n\n\
         Every rule of hlint, from its own documentation (`rules/src/rules/`); `hlint explain CODE`\n\
         prints the same page in a terminal. Rules are selected, ignored and given another severity\n\
         in `hlint.toml` or with `--select`/`--ignore` (see the README).\n\n\
         | code | name | default severity | summary |\n\
         | --- | --- | --- | --- |\n"
    );
    let rules = all_rules();
    for rule in rules {
        page.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} |\n",
            rule.code,
            rule.code.to_ascii_lowercase(),
            rule.name,
            rule.severity,
            rule.summary.replace('|', "\\|")
        ));
    }
    for rule in rules {
        page.push_str(&format!(
            "\n## {}\n\n`{}` · default severity: **{}**\n\n{}.\n\n{}\n",
            rule.code,
            rule.name,
            rule.severity,
            rule.summary.trim_end_matches('.'),
            demote_headings(rule.doc.trim())
        ));
    }
    page
}

/// Adds a `#` to every ATX heading outside fenced code blocks.
fn demote_headings(markdown: &str) -> String {
    let mut fence: Option<&str> = None;
    let mut lines = Vec::new();
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"]
            .into_iter()
            .find(|marker| trimmed.starts_with(marker));
        match (fence, marker) {
            (None, Some(marker)) => fence = Some(marker),
            (Some(open), Some(marker)) if open == marker => fence = None,
            _ => {}
        }
        if fence.is_none() && marker.is_none() && line.starts_with('#') {
            lines.push(format!("#{line}"));
        } else {
            lines.push(line.to_owned());
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_move_down_outside_code_blocks_only() {
        let doc = "## What it does\nx\n```yaml\n# a comment\n```\n## Sources\n- y";
        assert_eq!(
            demote_headings(doc),
            "### What it does\nx\n```yaml\n# a comment\n```\n### Sources\n- y"
        );
    }

    #[test]
    fn every_rule_has_a_section_named_by_its_code() {
        let page = reference_markdown();
        for rule in all_rules() {
            assert!(
                page.contains(&format!("\n## {}\n", rule.code)),
                "{}",
                rule.code
            );
            assert!(
                rule.url()
                    .ends_with(&format!("#{}", rule.code.to_ascii_lowercase())),
                "{}",
                rule.url()
            );
        }
    }
}
