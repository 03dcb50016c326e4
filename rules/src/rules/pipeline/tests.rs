//! A bad and a good example for each schema rule, checked end to end through `lint_source`.

use crate::testing::{assert_clean, findings, pipeline, Infra};

fn run_step(spec: &str) -> String {
    pipeline(
        Infra::Cloud,
        &format!("- step:\n    identifier: test\n    name: test\n    type: Run\n    spec:\n{spec}"),
    )
}

#[test]
fn hl101_unknown_key() {
    let bad = run_step("      comand: make test\n      command: make\n");
    assert_eq!(
        findings(&bad, "HL101")
            .iter()
            .map(|f| f.0)
            .collect::<Vec<_>>(),
        ["comand"]
    );
    assert_clean(&run_step("      command: make\n"));
}

#[test]
fn hl102_missing_field() {
    let bad = run_step("      shell: Sh\n");
    assert_eq!(
        findings(&bad, "HL102")
            .iter()
            .map(|f| f.0)
            .collect::<Vec<_>>(),
        ["spec"]
    );
    assert_clean(&run_step("      shell: Sh\n      command: make\n"));
}

#[test]
fn hl103_wrong_type() {
    let bad = pipeline(
        Infra::Cloud,
        "- step:\n    identifier: test\n    name: test\n    type: Run\n    spec: ...\n",
    );
    assert_eq!(
        findings(&bad, "HL103")
            .iter()
            .map(|f| f.0)
            .collect::<Vec<_>>(),
        ["..."]
    );
}

#[test]
fn hl104_invalid_value() {
    let bad = run_step("      shell: bash\n      command: make\n");
    assert_eq!(
        findings(&bad, "HL104")
            .iter()
            .map(|f| f.0)
            .collect::<Vec<_>>(),
        ["bash"]
    );
    assert_clean(&run_step("      shell: Bash\n      command: make\n"));
}

#[test]
fn hl106_unquoted_string() {
    let bad = run_step("      command: make\n      envVariables:\n        PGPORT: 5433\n");
    assert_eq!(
        findings(&bad, "HL106")
            .iter()
            .map(|f| f.0)
            .collect::<Vec<_>>(),
        ["5433"]
    );
    assert_clean(&run_step(
        "      command: make\n      envVariables:\n        PGPORT: \"5433\"\n",
    ));
}

#[test]
fn hl107_schema_violation() {
    let bad = pipeline(Infra::Cloud, "- step:\n    identifier: a\n    name: a\n    type: Run\n    spec:\n      command: make\n  parallel: []\n");
    let found = findings(&bad, "HL107");
    assert!(
        found
            .iter()
            .any(|(span, message)| *span == "parallel" && message.contains("exactly one of")),
        "{found:?}"
    );
}
