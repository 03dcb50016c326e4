//! Hostile and broken input: each gets a clear message, bounded time and memory, no panic.

use std::fs;

use hlint_tests::{codes, hlint, lint_json};

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.path().join(name);
    fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn empty_file_is_reported_as_not_a_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "empty.yaml", b"");
    let (code, report) = lint_json(&[&path]);
    assert_eq!(code, 0);
    assert_eq!(codes(&report), ["HL100"]);
    assert!(report["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("empty"));
}

#[test]
fn non_utf8_bytes_point_at_the_first_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "latin1.yaml", b"pipeline:\n  name: caf\xe9\n");
    let (code, report) = lint_json(&[&path]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["HL005"]);
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(
        (diagnostic["line"].as_u64(), diagnostic["column"].as_u64()),
        (Some(2), Some(12))
    );
}

#[test]
fn binary_data_is_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = (0..65_536u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let path = write(&dir, "random.yaml", &bytes);
    let (code, report) = lint_json(&[&path]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["HL005"]);
}

#[test]
fn a_50_megabyte_file_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("pipeline:\n  stages:\n");
    while text.len() < 50 * 1024 * 1024 {
        text.push_str("    - stage: {identifier: s, name: s, type: CI}\n");
    }
    let path = write(&dir, "huge.yaml", text.as_bytes());
    let (code, report) = lint_json(&[&path]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["HL004"]);
    assert!(report["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("larger than 16.0 MiB"));
}

#[test]
fn ten_thousand_levels_of_nesting_stop_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let flow = format!("pipeline: {}", "[".repeat(10_000));
    // Compact block sequences: `- - - x` nests one level per dash on a single line.
    let block = format!("pipeline:\n  {}x\n", "- ".repeat(10_000));
    for (name, text) in [("flow.yaml", flow), ("block.yaml", block)] {
        let path = write(&dir, name, text.as_bytes());
        let (code, report) = lint_json(&[&path]);
        assert_eq!(code, 1, "{name}");
        assert_eq!(codes(&report), ["HL001"], "{name}");
        assert!(
            report["diagnostics"][0]["message"]
                .as_str()
                .unwrap()
                .contains("deeper than hlint reads"),
            "{name}"
        );
    }
}

#[test]
fn an_alias_bomb_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let mut text =
        String::from("pipeline:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let refs = vec![format!("*a{}", level - 1); 10].join(", ");
        text.push_str(&format!("  a{level}: &a{level} [{refs}]\n"));
    }
    let path = write(&dir, "bomb.yaml", text.as_bytes());
    let (code, report) = lint_json(&[&path]);
    assert_eq!(code, 1);
    assert!(codes(&report).contains(&"HL004".to_owned()), "{report}");
}

#[test]
fn a_missing_file_is_an_io_failure() {
    let assert = hlint().arg("/nonexistent/pipeline.yaml").assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("/nonexistent/pipeline.yaml: no such file or directory"),
        "{stderr}"
    );
}

#[test]
fn a_directory_of_ten_thousand_pipelines() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..10_000 {
        let text = format!(
            "pipeline:\n  name: p{i}\n  identifier: p{i}\n  projectIdentifier: x\n  orgIdentifier: x\n  stages:\n    - stage:\n        name: b\n        identifier: b\n        type: CI\n        spec:\n          cloneCodebase: false\n          execution:\n            steps:\n              - step:\n                  name: r\n                  identifier: r\n                  type: Run\n                  spec:\n                    command: echo {i}\n"
        );
        fs::create_dir_all(dir.path().join(format!("d{}", i % 100))).unwrap();
        fs::write(dir.path().join(format!("d{}/p{i}.yaml", i % 100)), text).unwrap();
    }
    fs::write(dir.path().join("not-a-pipeline.yaml"), "key: value\n").unwrap();
    let (code, report) = lint_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{}", report["summary"]);
    assert_eq!(report["summary"]["checked"], 10_000);
    assert_eq!(
        codes(&report),
        Vec::<String>::new(),
        "non-pipelines found by walking are skipped silently"
    );
}

#[test]
fn stdin_is_linted_under_its_given_name() {
    let output = hlint()
        .args(["--format", "concise", "--stdin-filename", "pipe.yaml", "-"])
        .write_stdin("pipeline:\n  name: a\n  name: b\n")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("pipe.yaml:3:3: error[HL002] duplicate key `name`"),
        "{stdout}"
    );
}
