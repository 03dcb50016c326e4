//! Snapshot tests: what hlint reports for every committed fixture and example, to the column.

use std::path::Path;

use hlint_tests::{fixtures, hlint};

/// Runs hlint from the workspace root so that file names in the output are stable.
fn lint(format: &str, path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let output = hlint()
        .current_dir(root)
        .args(["--format", format, path])
        .output()
        .unwrap();
    let code = output.status.code().unwrap();
    format!(
        "exit: {code}\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn yaml_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_fixture_concise() {
    let names = yaml_files(&fixtures());
    assert!(names.len() >= 8, "fixtures are missing: {names:?}");
    for name in names {
        let stem = name.trim_end_matches(".yaml");
        insta::assert_snapshot!(
            format!("fixture-{stem}"),
            lint("concise", &format!("tests/fixtures/{name}"))
        );
    }
}

#[test]
fn every_example_concise() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for name in yaml_files(&root.join("examples")) {
        let stem = name.trim_end_matches(".yaml");
        insta::assert_snapshot!(
            format!("example-{stem}"),
            lint("concise", &format!("examples/{name}"))
        );
    }
}

#[test]
fn json_report_contract() {
    insta::assert_snapshot!(
        "json-schema-errors",
        lint("json", "tests/fixtures/schema-errors.yaml")
    );
}

#[test]
fn pretty_report() {
    insta::assert_snapshot!(
        "pretty-duplicate-keys",
        lint("pretty", "tests/fixtures/duplicate-keys.yaml")
    );
    insta::assert_snapshot!("pretty-typos", lint("pretty", "examples/typos.yaml"));
}
