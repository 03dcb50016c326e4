//! `hlint --plan`: snapshot tests of the dry run of the Kubernetes example in every format,
//! and the exit statuses.

use std::path::Path;

use hlint_tests::hlint;

const EXAMPLE: &str = "examples/kubernetes-postgres.yaml";

/// Runs hlint from the workspace root so that file names in the output are stable; returns
/// the exit status, standard output and standard error.
fn run(args: &[&str]) -> (i32, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let output = hlint().current_dir(root).args(args).output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn plan(format: &str) -> String {
    let (code, stdout, stderr) = run(&["--plan", "--format", format, EXAMPLE]);
    assert_eq!(stderr, "", "hlint --plan --format {format} wrote to stderr");
    format!("exit: {code}\n{stdout}")
}

#[test]
fn kubernetes_example_text() {
    insta::assert_snapshot!("plan-kubernetes-text", plan("pretty"));
    // `concise` and no --format give the same text.
    assert_eq!(plan("concise"), plan("pretty"));
    let (_, default, _) = run(&["--plan", EXAMPLE]);
    assert_eq!(format!("exit: 0\n{default}"), plan("pretty"));
}

#[test]
fn kubernetes_example_json() {
    let output = plan("json");
    let json: serde_json::Value =
        serde_json::from_str(output.trim_start_matches("exit: 0\n")).expect("JSON");
    assert_eq!(json["version"], 1);
    assert_eq!(json["plans"][0]["file"], EXAMPLE);
    insta::assert_snapshot!("plan-kubernetes-json", output);
}

#[test]
fn kubernetes_example_dot() {
    insta::assert_snapshot!("plan-kubernetes-dot", plan("dot"));
}

#[test]
fn kubernetes_example_mermaid() {
    insta::assert_snapshot!("plan-kubernetes-mermaid", plan("mermaid"));
}

#[test]
fn a_stage_with_errors_exits_1() {
    let (code, stdout, _) = run(&["--plan", "tests/fixtures/seed-harness-cloud.yaml"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("outcome: the stage will fail (7 errors, 2 warnings)"));
    assert!(stdout.contains("42:62 error[HL206]"));
    // Warnings alone do not fail the plan, unless denied.
    let (code, _, _) = run(&[
        "--plan",
        "--stage",
        "build",
        "tests/fixtures/clean-harness-cloud.yaml",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn unknown_stage_lists_the_stages() {
    let (code, stdout, stderr) = run(&["--plan", "--stage", "biuld", EXAMPLE]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "hlint: --stage: no CI stage `biuld`; the CI stages are: build\n"
    );
}

#[test]
fn usage_trouble_exits_2() {
    // Graph formats need --plan; --stage needs --plan; --plan cannot fix.
    let (code, _, stderr) = run(&["--format", "dot", EXAMPLE]);
    assert_eq!(code, 2);
    assert!(stderr.contains("use them with --plan"), "{stderr}");
    let (code, _, _) = run(&["--stage", "build", EXAMPLE]);
    assert_eq!(code, 2);
    let (code, _, _) = run(&["--plan", "--fix", EXAMPLE]);
    assert_eq!(code, 2);
    // A missing file, and a named file that is not a pipeline.
    let (code, _, stderr) = run(&["--plan", "tests/fixtures/no-such-file.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no such file"), "{stderr}");
    let (code, _, stderr) = run(&["--plan", "tests/fixtures/input-set.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a Harness pipeline"), "{stderr}");
}
