//! A bad and a good example for each rule about the file and its YAML.

use crate::testing::{findings, lint};

const GOOD: &str = "pipeline:\n  name: p\n  identifier: p\n  projectIdentifier: x\n  orgIdentifier: x\n  stages:\n    - stage:\n        name: b\n        identifier: b\n        type: CI\n        spec:\n          cloneCodebase: false\n          execution:\n            steps:\n              - step:\n                  name: r\n                  identifier: r\n                  type: Run\n                  spec:\n                    command: make\n";

fn codes(text: &str) -> Vec<&'static str> {
    lint(text).into_iter().map(|d| d.rule.code).collect()
}

#[test]
fn the_good_pipeline_is_clean() {
    assert_eq!(codes(GOOD), Vec::<&str>::new());
}

#[test]
fn hl001_syntax_error() {
    let bad = GOOD.replace("command: make", "command: \"make");
    assert_eq!(codes(&bad), ["HL001"]);
}

#[test]
fn hl002_duplicate_key() {
    let bad = GOOD.replace("name: p\n", "name: p\n  name: q\n");
    assert_eq!(
        findings(&bad, "HL002")
            .iter()
            .map(|f| f.0)
            .collect::<Vec<_>>(),
        ["name"]
    );
}

#[test]
fn hl003_merge_key() {
    let bad = GOOD.replace(
        "                    command: make\n",
        "                    <<: {command: make}\n                    command: make\n",
    );
    assert_eq!(
        findings(&bad, "HL003")
            .iter()
            .map(|f| f.0)
            .collect::<Vec<_>>(),
        ["<<"]
    );
    assert!(
        findings(&bad, "HL101").is_empty(),
        "the merge key is reported once"
    );
}

#[test]
fn hl005_invalid_encoding() {
    let mut bad = GOOD.as_bytes().to_vec();
    bad.extend_from_slice(b"# caf\xe9\n");
    let report = crate::lint::lint_source(&bad, crate::Origin::Named, &Default::default());
    assert_eq!(
        report
            .diagnostics
            .iter()
            .map(|d| d.rule.code)
            .collect::<Vec<_>>(),
        ["HL005"]
    );
}

#[test]
fn hl006_extra_document() {
    let bad = format!("{GOOD}---\n{GOOD}");
    assert_eq!(codes(&bad), ["HL006"]);
}

#[test]
fn hl007_complex_key() {
    let bad = GOOD.replace(
        "  orgIdentifier: x\n",
        "  orgIdentifier: x\n  ? [a, b]\n  : c\n",
    );
    assert!(codes(&bad).contains(&"HL007"), "{:?}", codes(&bad));
}
