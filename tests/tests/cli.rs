//! The command line as a user meets it: subcommands, exit statuses, discovery, options.

use std::fs;

use hlint_tests::{codes, fixtures, hlint, lint_json};

const CLEAN: &str = "pipeline:\n  name: p\n  identifier: p\n  projectIdentifier: x\n  orgIdentifier: x\n  stages:\n    - stage:\n        name: b\n        identifier: b\n        type: CI\n        spec:\n          cloneCodebase: false\n          execution:\n            steps:\n              - step:\n                  name: r\n                  identifier: r\n                  type: Run\n                  spec:\n                    command: make\n";

#[test]
fn rules_lists_every_rule_and_explain_prints_its_page() {
    let output = hlint().arg("rules").output().unwrap();
    let listing = String::from_utf8(output.stdout).unwrap();
    assert!(listing.lines().count() >= 16, "{listing}");
    assert!(listing.contains("HL101  unknown-key"), "{listing}");
    for query in ["HL002", "hl002", "duplicate-key"] {
        let output = hlint().args(["explain", query]).output().unwrap();
        let page = String::from_utf8(output.stdout).unwrap();
        assert!(page.starts_with("# HL002 (duplicate-key)"), "{page}");
        assert!(
            page.contains("## Why is this bad?") && page.contains("## Sources"),
            "{page}"
        );
    }
    hlint().args(["explain", "HL999"]).assert().code(2);
}

#[test]
fn warnings_fail_only_when_denied() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.yaml");
    fs::write(
        &path,
        CLEAN.replace(
            "command: make",
            "command: make\n                    comand: x",
        ),
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let (code, report) = lint_json(&[path]);
    assert_eq!((code, codes(&report)), (0, vec!["HL101".to_owned()]));
    let (code, _) = lint_json(&["--deny", "warnings", path]);
    assert_eq!(code, 1);
}

#[test]
fn directories_honour_gitignore_and_enter_dot_harness() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join(".harness")).unwrap();
    fs::create_dir_all(root.join("build")).unwrap();
    fs::create_dir_all(root.join(".git")).unwrap();
    fs::write(root.join(".gitignore"), "build/\n").unwrap();
    fs::write(
        root.join(".harness/ci.yaml"),
        CLEAN.replace("name: r", "name: r\n                  name: r"),
    )
    .unwrap();
    fs::write(
        root.join("build/ignored.yaml"),
        CLEAN.replace("name: r", "name: r\n                  name: r"),
    )
    .unwrap();
    fs::write(root.join("values.yml"), "replicas: 3\n").unwrap();
    fs::write(root.join("notes.txt"), "pipeline: no\n").unwrap();
    let (code, report) = lint_json(&[root.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["HL002"]);
    assert!(report["diagnostics"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with(".harness/ci.yaml"));
    assert_eq!(report["summary"]["checked"], 1);
}

#[test]
fn a_named_non_pipeline_gets_one_info_line() {
    let path = fixtures().join("input-set.yaml");
    let output = hlint()
        .args(["--format", "concise"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("info[HL100] not a Harness pipeline"),
        "{stdout}"
    );
}

#[test]
fn an_extra_schema_is_applied_and_mapped_to_spans() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema.json");
    fs::write(
        &schema,
        r#"{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
            "properties": {"pipeline": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 3}}}}}"#,
    )
    .unwrap();
    let pipeline = dir.path().join("p.yaml");
    fs::write(&pipeline, CLEAN.replace("name: p", "name: long_name")).unwrap();
    let (code, report) = lint_json(&[
        "--schema",
        schema.to_str().unwrap(),
        pipeline.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["HL108"]);
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(
        (diagnostic["line"].as_u64(), diagnostic["column"].as_u64()),
        (Some(2), Some(9))
    );
    assert_eq!(diagnostic["end_column"].as_u64(), Some(18));

    fs::write(&schema, "{not json").unwrap();
    let output = hlint()
        .args([
            "--schema",
            schema.to_str().unwrap(),
            pipeline.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a JSON document"));
}

#[test]
fn usage_errors_exit_2() {
    hlint().arg("--format").arg("xml").assert().code(2);
}
