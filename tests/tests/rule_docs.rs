//! The rule reference, docs/rules.md, is generated from the rules' own metadata
//! (`hlint rules --markdown`): the committed file must be what the rules say now, and every
//! link hlint prints must land on a section of it.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use hlint_tests::{fixtures, hlint, lint_json};
use serde_json::Value;

const REGENERATE: &str = "cargo run -q -p hlint -- rules --markdown > docs/rules.md";

fn committed() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md");
    fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "{}: {error}; generate it with `{REGENERATE}`",
            path.display()
        )
    })
}

fn generated() -> String {
    let output = hlint().args(["rules", "--markdown"]).output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_committed_reference_is_up_to_date() {
    let committed = committed();
    let generated = generated();
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "docs/rules.md is out of date with the rules' documentation (first difference at \
             line {}: committed {:?}, generated {:?}). Regenerate it from the workspace root \
             with:\n\n    {REGENERATE}\n",
            first + 1,
            committed.lines().nth(first).unwrap_or("<end of file>"),
            generated.lines().nth(first).unwrap_or("<end of file>"),
        );
    }
}

/// The anchors GitHub gives the headings of a Markdown file (github-slugger): the heading's
/// text in lower case, without punctuation but `-` and `_`, spaces as `-`, and `-1`, `-2`...
/// after repeated ones. Lines inside fenced code blocks are not headings.
fn github_anchors(markdown: &str) -> HashSet<String> {
    let mut anchors = HashSet::new();
    let mut fence: Option<&str> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if let Some(marker) = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m)) {
            fence = match fence {
                None => Some(marker),
                Some(open) if open == marker => None,
                open => open,
            };
            continue;
        }
        if fence.is_some() {
            continue;
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        let text = line[hashes..].trim().trim_end_matches('#').trim();
        let slug: String = text
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect();
        let mut anchor = slug.clone();
        let mut n = 0;
        while !anchors.insert(anchor.clone()) {
            n += 1;
            anchor = format!("{slug}-{n}");
        }
    }
    anchors
}

#[test]
fn anchors_follow_github() {
    let anchors = github_anchors(
        "# hlint rules\n## HL101\n### What it does\n```yaml\n# not a heading\n```\n## HL102\n### What it does\n### Why is this bad?\n",
    );
    let expected: HashSet<String> = [
        "hlint-rules",
        "hl101",
        "what-it-does",
        "hl102",
        "what-it-does-1",
        "why-is-this-bad",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(anchors, expected);
}

/// `docs/rules.md#hl101` -> `hl101`, checking the page.
fn fragment(url: &str) -> &str {
    let (page, fragment) = url
        .split_once('#')
        .unwrap_or_else(|| panic!("{url} has no anchor"));
    assert_eq!(page, "docs/rules.md", "{url}");
    fragment
}

#[test]
fn every_rule_link_lands_on_its_section() {
    let anchors = github_anchors(&committed());
    // Every rule's link, as the SARIF metadata carries it (Rule::url()).
    let sarif = hlint()
        .args(["--format", "sarif"])
        .arg(fixtures().join("clean-harness-cloud.yaml"))
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(!rules.is_empty());
    for rule in rules {
        let url = rule["properties"]["documentation"].as_str().unwrap();
        let fragment = fragment(url);
        assert_eq!(
            fragment,
            rule["id"].as_str().unwrap().to_ascii_lowercase(),
            "{url}"
        );
        assert!(
            anchors.contains(fragment),
            "{url}: docs/rules.md has no such section (regenerate it: {REGENERATE})"
        );
    }
    // And the links of findings in the JSON report.
    let (_, report) = lint_json(&[fixtures().join("schema-errors.yaml").to_str().unwrap()]);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty());
    for diagnostic in diagnostics {
        let url = diagnostic["url"].as_str().unwrap();
        assert!(anchors.contains(fragment(url)), "{url}");
    }
}
