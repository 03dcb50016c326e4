//! The user's control over rules: configuration files, --select/--ignore, suppression
//! comments, and --fix/--diff.

use std::fs;
use std::path::Path;

use hlint_tests::{codes, hlint, lint_json};

/// A clean pipeline; the Run step's spec ends the file, so findings can be added to it.
const CLEAN: &str = "pipeline:\n  name: p\n  identifier: p\n  projectIdentifier: x\n  orgIdentifier: x\n  stages:\n    - stage:\n        name: b\n        identifier: b\n        type: CI\n        spec:\n          cloneCodebase: false\n          platform: {os: Linux, arch: Amd64}\n          runtime: {type: Cloud, spec: {}}\n          execution:\n            steps:\n              - step:\n                  name: r\n                  identifier: r\n                  type: Run\n                  spec:\n                    image: alpine:3.20\n                    command: make\n";

/// CLEAN with more lines in the Run step's spec.
fn pipeline(spec: &str) -> String {
    let spec: String = spec
        .lines()
        .map(|line| format!("                    {line}\n"))
        .collect();
    format!("{CLEAN}{spec}")
}

/// HL101 (privilegd), HL106 (PORT) and HL104 (bash), each with a fix, plus comments and blank
/// lines that fixing must keep.
fn typos() -> String {
    pipeline(
        "# the shell, lower case by mistake\nshell: bash   # trailing comment\nprivilegd: true\n\nenvVariables:\n  PORT: 5432\n  NAME: \"db\"  # quoted already",
    )
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn severities(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["rule"].as_str().unwrap(),
                d["severity"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn the_nearest_config_file_applies_to_a_file_in_a_nested_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("ci/legacy/old")).unwrap();
    fs::write(
        root.join("hlint.toml"),
        "ignore = [\"unknown-key\"]\n[severity]\nHL106 = \"error\"\n[per-file-ignores]\n\"ci/legacy/**.yaml\" = [\"HL104\"]\n",
    )
    .unwrap();
    let text = typos();
    fs::write(root.join("ci/p.yaml"), &text).unwrap();
    fs::write(root.join("ci/legacy/old/p.yaml"), &text).unwrap();

    let (code, report) = lint_json(&[path_str(&root.join("ci/p.yaml"))]);
    assert_eq!(code, 1, "HL106 is an error now");
    assert_eq!(severities(&report), ["HL104 error", "HL106 error"]);

    // Run from inside the nested folder, with a relative path: same configuration, and the
    // per-file glob is relative to the configuration's folder, not the working folder.
    let output = hlint()
        .current_dir(root.join("ci/legacy"))
        .args(["--format", "json", "old/p.yaml"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(severities(&report), ["HL106 error"]);

    // A nearer file wins, alone (no merging with the outer one).
    fs::write(root.join("ci/legacy/.hlint.toml"), "select = [\"HL104\"]\n").unwrap();
    let (_, report) = lint_json(&[path_str(&root.join("ci/legacy/old/p.yaml"))]);
    assert_eq!(severities(&report), ["HL104 error"]);

    // --config names one file for everything.
    fs::write(root.join("other.toml"), "select = [\"HL101\"]\n").unwrap();
    let (code, report) = lint_json(&[
        "--config",
        path_str(&root.join("other.toml")),
        path_str(&root.join("ci/p.yaml")),
        path_str(&root.join("ci/legacy/old/p.yaml")),
    ]);
    assert_eq!(code, 0);
    assert_eq!(codes(&report), ["HL101", "HL101"]);
}

#[test]
fn a_bad_config_file_is_a_usage_error_naming_the_file_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("a")).unwrap();
    fs::write(root.join("a/p.yaml"), typos()).unwrap();
    fs::write(root.join("a/q.yaml"), typos()).unwrap();
    for (config, expected) in [
        (
            "ignore = [\"unknwn-key\"]\n",
            ":1:11: unknown rule `unknwn-key`; did you mean `unknown-key`?",
        ),
        (
            "[severity]\nHL1O6 = \"error\"\n",
            ":2:1: unknown rule `HL1O6`; did you mean `HL106`?",
        ),
        (
            "slect = []\n",
            ":1:1: unknown key `slect`; did you mean `select`?",
        ),
        (
            "[severity]\nHL106 = \"fatal\"\n",
            ":2:9: `fatal` is not a severity",
        ),
    ] {
        fs::write(root.join("hlint.toml"), config).unwrap();
        let output = hlint().arg(root).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{config}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let config_path = root.join("hlint.toml");
        let expected = format!("hlint: {}{expected}", config_path.display());
        assert!(stderr.contains(&expected), "{stderr}\nexpected: {expected}");
        assert_eq!(
            stderr.lines().count(),
            1,
            "reported once for both files: {stderr}"
        );
        assert!(output.stdout.is_empty());
    }
    let output = hlint()
        .args(["--select", "HL1O1"])
        .arg(root.join("a/p.yaml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("--select: unknown rule `HL1O1`; did you mean `HL101`?"));
}

#[test]
fn select_and_ignore_on_the_command_line_override_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(
        root.join("hlint.toml"),
        "select = [\"HL1\"]\nignore = [\"HL104\"]\n",
    )
    .unwrap();
    let file = root.join("p.yaml");
    fs::write(
        &file,
        typos().replace(
            "NAME: \"db\"",
            "NAME: \"db\"\n                      NAME: \"db2\"",
        ),
    )
    .unwrap();
    let file = path_str(&file);
    let (_, report) = lint_json(&[file]);
    assert_eq!(codes(&report), ["HL101", "HL106"]);
    let (_, report) = lint_json(&["--ignore", "HL106", file]);
    assert_eq!(codes(&report), ["HL101"]);
    // --select replaces the file's select and ignore.
    let (_, report) = lint_json(&["--select", "HL104,duplicate-key", file]);
    assert_eq!(codes(&report), ["HL104", "HL002"]);
    let (_, report) = lint_json(&["--select", "ALL", "--ignore", "HL0,HL101", file]);
    assert_eq!(codes(&report), ["HL104", "HL106"]);
}

#[test]
fn suppression_comments_silence_named_rules_and_report_their_own_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.yaml");
    let text = pipeline(
        "# hlint: ignore[HL104]\nshell: bash\nprivilegd: true  # hlint: ignore[unknown-key]\nenvVariables:\n  PORT: 5432  # hlint: ignore[HL106, HL101]\n  HOST: db  # hlint: ignore\ntimout: 1m",
    );
    fs::write(&file, &text).unwrap();
    let (code, report) = lint_json(&[path_str(&file)]);
    assert_eq!(code, 0);
    assert_eq!(codes(&report), ["HL010", "HL011", "HL101"]);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(
        diagnostics[0]["message"],
        "unused suppression: `HL101` (unknown-key) reports nothing on this line"
    );
    assert_eq!(
        diagnostics[0]["fix"]["description"],
        "remove `HL101` from the suppression"
    );
    assert!(diagnostics[1]["message"]
        .as_str()
        .unwrap()
        .contains("must name the rules it suppresses"));

    let whole_file = format!("# hlint: ignore-file[HL101, HL011, HL010]\n{text}");
    fs::write(&file, whole_file).unwrap();
    let (code, report) = lint_json(&[path_str(&file)]);
    assert_eq!((code, codes(&report)), (0, vec![]));
}

#[test]
fn fix_rewrites_the_file_keeping_comments_and_layout_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.yaml");
    let text = typos()
        + "                    # hlint: ignore[HL101]\n                    imagePullPolicy: Always\n";
    fs::write(&file, &text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
    }
    let (_, before) = lint_json(&[path_str(&file)]);
    assert_eq!(codes(&before), ["HL104", "HL101", "HL106", "HL010"]);

    let output = hlint()
        .args(["--fix", "--format", "concise"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("Fixed 4 findings in 1 file."), "{stdout}");
    let fixed = fs::read_to_string(&file).unwrap();
    let expected = pipeline(
        "# the shell, lower case by mistake\nshell: Bash   # trailing comment\nprivileged: true\n\nenvVariables:\n  PORT: \"5432\"\n  NAME: \"db\"  # quoted already\nimagePullPolicy: Always",
    );
    assert_eq!(fixed, expected);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");

    let (code, after) = lint_json(&[path_str(&file)]);
    assert_eq!((code, codes(&after)), (0, vec![]));

    let output = hlint().args(["--fix"]).arg(&file).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        expected,
        "a second --fix changes nothing"
    );
}

#[test]
fn fix_reports_what_remains_and_leaves_unfixable_findings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.yaml");
    let text = pipeline("shell: bash\nenvVariables:\n  A: x\n  A: y");
    fs::write(&file, &text).unwrap();
    let (code, report) = lint_json(&["--fix", path_str(&file)]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["HL002"]);
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        text.replace("bash", "Bash")
    );
}

#[test]
fn diff_shows_what_fix_would_change_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.yaml");
    let text = typos();
    fs::write(&file, &text).unwrap();
    let output = hlint().arg("--diff").arg(&file).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let diff = String::from_utf8(output.stdout).unwrap();
    let name = file.display().to_string();
    assert!(
        diff.starts_with(&format!("--- {name}\n+++ {name}\n@@ ")),
        "{diff}"
    );
    for line in [
        "-                    shell: bash   # trailing comment\n",
        "+                    shell: Bash   # trailing comment\n",
        "-                    privilegd: true\n",
        "+                    privileged: true\n",
        "-                      PORT: 5432\n",
        "+                      PORT: \"5432\"\n",
    ] {
        assert!(diff.contains(line), "{line} missing from:\n{diff}");
    }
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        text,
        "--diff writes nothing"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("Would fix 3 findings in 1 file."));

    let clean = dir.path().join("clean.yaml");
    fs::write(&clean, CLEAN).unwrap();
    let output = hlint().arg("--diff").arg(&clean).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
}

#[test]
fn fix_on_stdin_prints_the_fixed_text() {
    let output = hlint()
        .args(["--fix", "--format", "concise", "-"])
        .write_stdin(typos())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("shell: Bash   # trailing comment\n"),
        "{stdout}"
    );
    assert!(stdout.contains("PORT: \"5432\"\n"));
    assert!(
        stdout.starts_with("pipeline:\n"),
        "only the text on stdout: {stdout}"
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("Fixed 3 findings in 1 file."), "{stderr}");
}
