//! The integration formats through the binary: SARIF, GitHub annotations, JUnit XML, shell
//! completions and `--version`.
//!
//! The SARIF output's validation against the SARIF 2.1.0 JSON Schema (tests/data) is the unit
//! test `the_log_of_every_fixture_is_valid_sarif_2_1_0` in cli/src/render/sarif.rs, where the
//! `jsonschema` crate is at hand; here the same output is checked against the JSON report,
//! which it must agree with.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use hlint_tests::{fixtures, hlint, lint_json};
use serde_json::Value;

fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// A pipeline whose step name has characters outside the BMP before a finding on its line.
const WIDE: &str = "pipeline:\n  name: p\n  identifier: p\n  projectIdentifier: x\n  orgIdentifier: x\n  stages:\n    - stage:\n        name: b\n        identifier: b\n        type: CI\n        spec:\n          cloneCodebase: false\n          platform: {os: Linux, arch: Amd64}\n          runtime: {type: Cloud, spec: {}}\n          execution:\n            steps:\n              - step:\n                  name: r\n                  identifier: r\n                  type: Run\n                  spec:\n                    image: alpine:3.20\n                    command: make\n                    envVariables: {\"😀😀\": a, X: b, X: c}\n";

fn output(args: &[&str]) -> (i32, String) {
    let output = hlint().args(args).output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn sarif_agrees_with_the_json_report() {
    let typos = examples().join("typos.yaml");
    let duplicates = fixtures().join("duplicate-keys.yaml");
    let clean = fixtures().join("clean-harness-cloud.yaml");
    let paths = [
        typos.to_str().unwrap(),
        duplicates.to_str().unwrap(),
        clean.to_str().unwrap(),
    ];
    let (json_code, report) = lint_json(&paths);
    let mut args = vec!["--format", "sarif"];
    args.extend(paths);
    let (code, text) = output(&args);
    assert_eq!(code, json_code, "the same exit status as any other format");
    let log: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    assert_eq!(run["tool"]["driver"]["name"], "hlint");
    assert_eq!(run["artifacts"].as_array().unwrap().len(), 3);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let listing = output(&["rules"]).1;
    assert_eq!(
        rules.len(),
        listing.lines().count(),
        "every rule's metadata"
    );
    for rule in rules {
        assert!(rule["shortDescription"]["text"].is_string(), "{rule}");
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## What it does"),
            "{rule}"
        );
        assert!(
            ["error", "warning", "note"]
                .contains(&rule["defaultConfiguration"]["level"].as_str().unwrap()),
            "{rule}"
        );
    }

    let diagnostics = report["diagnostics"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), diagnostics.len());
    for (result, diagnostic) in results.iter().zip(diagnostics) {
        assert_eq!(result["ruleId"], diagnostic["rule"]);
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], diagnostic["rule"]);
        let level = match diagnostic["severity"].as_str().unwrap() {
            "info" => "note",
            other => other,
        };
        assert_eq!(result["level"], level);
        assert_eq!(result["message"]["text"], diagnostic["message"]);
        let location = &result["locations"][0]["physicalLocation"];
        // Given as absolute paths, the files are `file://` URIs.
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("file:///"), "{uri}");
        assert!(
            uri.ends_with(
                Path::new(diagnostic["file"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
            ),
            "{uri}"
        );
        // These files are ASCII: UTF-16 columns are character columns.
        let region = &location["region"];
        assert_eq!(region["startLine"], diagnostic["line"]);
        assert_eq!(region["startColumn"], diagnostic["column"]);
        assert_eq!(region["endLine"], diagnostic["end_line"]);
        assert_eq!(region["endColumn"], diagnostic["end_column"]);
        let labels = diagnostic["labels"].as_array().unwrap();
        let related = result["relatedLocations"].as_array().map_or(0, Vec::len);
        assert_eq!(related, labels.len(), "{result}");
        for (related, label) in result["relatedLocations"]
            .as_array()
            .into_iter()
            .flatten()
            .zip(labels)
        {
            assert_eq!(related["message"]["text"], label["message"]);
            assert_eq!(
                related["physicalLocation"]["region"]["startLine"],
                label["line"]
            );
        }
        match diagnostic["fix"].as_object() {
            None => assert!(result.get("fixes").is_none(), "{result}"),
            Some(fix) => {
                let change = &result["fixes"][0]["artifactChanges"][0];
                assert_eq!(
                    result["fixes"][0]["description"]["text"],
                    fix["description"]
                );
                let edits = fix["edits"].as_array().unwrap();
                let replacements = change["replacements"].as_array().unwrap();
                assert_eq!(replacements.len(), edits.len());
                for (replacement, edit) in replacements.iter().zip(edits) {
                    assert_eq!(replacement["insertedContent"]["text"], edit["replacement"]);
                    assert_eq!(replacement["deletedRegion"]["startLine"], edit["line"]);
                    assert_eq!(replacement["deletedRegion"]["startColumn"], edit["column"]);
                    assert_eq!(
                        replacement["deletedRegion"]["endColumn"],
                        edit["end_column"]
                    );
                }
            }
        }
    }
    assert!(results.iter().any(|r| r.get("relatedLocations").is_some()));
    assert!(results.iter().any(|r| r.get("fixes").is_some()));
}

#[test]
fn sarif_columns_count_utf16_code_units_and_paths_are_relative_uris() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("ci dir")).unwrap();
    fs::write(dir.path().join("ci dir/p.yaml"), WIDE).unwrap();
    let output = hlint()
        .current_dir(dir.path())
        .args(["--format", "sarif", "./ci dir/p.yaml"])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    let run = &log["runs"][0];
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "HL002")
        .expect("the duplicate key X");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "ci%20dir/p.yaml");
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    // `envVariables: {"😀😀": a, X: b, X: c}`: the second X is character 51 of the line
    // (1-based), and the two emoji count two UTF-16 units each: column 53.
    let line = WIDE.lines().nth(23).unwrap();
    let byte = line.rfind("X:").unwrap();
    assert_eq!(line[..byte].chars().count() + 1, 51);
    assert_eq!(
        location["region"],
        serde_json::json!({"startLine": 24, "startColumn": 53, "endLine": 24, "endColumn": 54})
    );
}

#[test]
fn github_annotations_one_line_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a,b:c.yaml");
    fs::write(
        &path,
        WIDE.replace(
            "command: make",
            "command: make\n                    shell: bash",
        ),
    )
    .unwrap();
    fs::write(dir.path().join("values.yaml"), "replicas: 3\n").unwrap();
    let (code, text) = output(&[
        "--format",
        "github",
        path.to_str().unwrap(),
        dir.path().join("values.yaml").to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{text}");
    let name = path
        .to_str()
        .unwrap()
        .replace(',', "%2C")
        .replace(':', "%3A");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.contains(&format!(
            "::error file={name},line=24,col=28,endLine=24,endColumn=32,title=HL104 invalid-value::`bash` is not a valid value for `shell`; did you mean `Bash`?%0Ahelp: write `Bash`"
        ).as_str()),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::notice file=") && l.contains("title=HL100 not-a-pipeline::")),
        "an info is a notice:\n{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("::error file={name},line=25,col=51,"))),
        "columns count characters:\n{text}"
    );
    assert_eq!(
        lines.last().unwrap(),
        &"Found 2 errors, 1 info in 1 file checked."
    );
}

/// Parses XML with Python's standard library and prints what the test compares.
const JUNIT_READER: &str = r#"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.stdin).getroot()
print(root.tag, root.get("tests"), root.get("failures"))
for suite in root:
    print("suite", suite.get("name"), suite.get("tests"), suite.get("failures"))
    for case in suite:
        failure = case.find("failure")
        kind = failure.get("type") if failure is not None else "pass"
        print("case", case.get("name"), kind, repr(failure.get("message")) if failure is not None else "")
"#;

#[test]
fn junit_has_a_suite_per_file_and_a_case_per_finding() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken <&>.yaml");
    fs::write(
        &broken,
        WIDE.replace(
            "command: make",
            "command: \"make\"\n                    comand: x\n                    shell: bash",
        ),
    )
    .unwrap();
    let clean = fixtures().join("clean-harness-cloud.yaml");
    let (code, xml) = output(&[
        "--format",
        "junit",
        broken.to_str().unwrap(),
        clean.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{xml}");
    let mut python = Command::new("python3")
        .args(["-c", JUNIT_READER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 (to parse the XML with a real parser)");
    python
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let parsed = python.wait_with_output().unwrap();
    assert!(
        parsed.status.success(),
        "not well-formed XML: {}\n{xml}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    let parsed = String::from_utf8(parsed.stdout).unwrap();
    let broken = broken.to_str().unwrap();
    let clean = clean.to_str().unwrap();
    assert_eq!(
        parsed,
        format!(
            "testsuites 4 3\n\
             suite {broken} 3 3\n\
             case HL101 unknown-key at 24:21 warning '`comand` is not a Run step spec field; did you mean `command`?'\n\
             case HL104 invalid-value at 25:28 error '`bash` is not a valid value for `shell`; did you mean `Bash`?'\n\
             case HL002 duplicate-key at 26:51 error 'duplicate key `X`: it is already defined in this mapping'\n\
             suite {clean} 1 0\n\
             case hlint pass \n"
        ),
        "{xml}"
    );
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let (code, script) = output(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        for word in ["hlint", "explain", "completions", "format"] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
        // Values too, where the shell's generator lists them (PowerShell's does not).
        assert!(shell == "powershell" || script.contains("sarif"), "{shell}");
    }
    // The bash script is valid bash.
    let (_, script) = output(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hlint.bash");
    fs::write(&file, script).unwrap();
    let status = Command::new("bash").arg("-n").arg(&file).status().unwrap();
    assert!(status.success());
    let (code, _) = output(&["completions", "tcsh"]);
    assert_eq!(code, 2);
}

#[test]
fn version_prints_the_package_version() {
    let (code, text) = output(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(text, format!("hlint {}\n", env!("CARGO_PKG_VERSION")));
}
