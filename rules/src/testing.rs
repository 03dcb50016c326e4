//! Helpers for the rules' own tests: whole pipelines from a few lines, and findings by code.

use crate::diagnostic::Diagnostic;
use crate::lint::{lint_source, LintOptions, Origin};

/// Where a test stage runs.
pub enum Infra {
    Cloud,
    Kubernetes,
    Docker,
}

/// A complete pipeline with one CI stage on `infra` whose `execution.steps` are `steps`
/// (YAML written at the indentation of a list under `steps:`, i.e. starting with `- step:`).
pub fn pipeline(infra: Infra, steps: &str) -> String {
    let infrastructure = match infra {
        Infra::Cloud => "          platform: {os: Linux, arch: Amd64}\n          runtime: {type: Cloud, spec: {}}\n",
        Infra::Kubernetes => "          infrastructure:\n            type: KubernetesDirect\n            spec:\n              connectorRef: account.cluster\n              namespace: ci\n              volumes:\n                - mountPath: /tmp/pgdata\n                  type: EmptyDir\n                  spec: {medium: \"\"}\n",
        Infra::Docker => "          platform: {os: Linux, arch: Amd64}\n          runtime: {type: Docker, spec: {}}\n",
    };
    let steps: String = steps
        .lines()
        .map(|line| format!("              {line}\n"))
        .collect();
    format!(
        "pipeline:\n  name: test\n  identifier: test\n  projectIdentifier: default\n  orgIdentifier: default\n  stages:\n    - stage:\n        identifier: build\n        name: build\n        type: CI\n        spec:\n          cloneCodebase: false\n{infrastructure}          execution:\n            steps:\n{steps}"
    )
}

/// All findings for a pipeline text.
pub fn lint(text: &str) -> Vec<Diagnostic> {
    lint_source(text.as_bytes(), Origin::Named, &LintOptions::default()).diagnostics
}

/// The findings of one rule, as (text the span covers, message).
pub fn findings<'t>(text: &'t str, code: &str) -> Vec<(&'t str, String)> {
    lint(text)
        .into_iter()
        .filter(|d| d.rule.code == code)
        .map(|d| (&text[d.span.start..d.span.end], d.message))
        .collect()
}

/// Panics with every finding when the text has any error or warning: for the "good" examples.
pub fn assert_clean(text: &str) {
    let noisy: Vec<String> = lint(text)
        .into_iter()
        .filter(|d| d.severity >= crate::Severity::Warning)
        .map(|d| {
            format!(
                "{} {} at {:?}: {:?}",
                d.rule.code,
                d.message,
                d.span,
                &text[d.span.start..d.span.end]
            )
        })
        .collect();
    assert!(
        noisy.is_empty(),
        "expected no findings, got:\n{}\nin:\n{text}",
        noisy.join("\n")
    );
}

/// The seed page's two pipelines (with their documented mistakes) and their corrected
/// versions, which must stay free of errors and warnings.
pub const SEEDS: [&str; 2] = [
    include_str!("../../tests/fixtures/seed-harness-cloud.yaml"),
    include_str!("../../tests/fixtures/seed-kubernetes.yaml"),
];
pub const CLEAN: [&str; 2] = [
    include_str!("../../tests/fixtures/clean-harness-cloud.yaml"),
    include_str!("../../examples/kubernetes-postgres.yaml"),
];

/// The seeds and the corrected pipelines together.
pub fn seeds_and_clean() -> impl Iterator<Item = &'static str> {
    SEEDS.into_iter().chain(CLEAN)
}

/// The codes found in a text, sorted, with repeats.
pub fn codes(text: &str) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = lint(text).into_iter().map(|d| d.rule.code).collect();
    codes.sort_unstable();
    codes
}

#[test]
fn seeds_report_exactly_their_documented_mistakes() {
    // Harness Cloud: services without an image reached by step id (HL206), their
    // `docker-entrypoint.sh` (HL502), `psql` without a password over the network (HL401),
    // `sleep 15` (HL304), and the `spec: ...` placeholder (HL103).
    assert_eq!(
        codes(SEEDS[0]),
        ["HL103", "HL206", "HL206", "HL304", "HL304", "HL401", "HL401", "HL502", "HL502"]
    );
    // Kubernetes: `sleep 15` (HL304), unpinned `postgres` (HL702) checked with a
    // `postgres:9-alpine` client (HL403, a warning: localhost is trusted), the placeholder.
    assert_eq!(
        codes(SEEDS[1]),
        ["HL103", "HL304", "HL304", "HL403", "HL403", "HL702", "HL702"]
    );
    for text in CLEAN {
        assert_clean(text);
    }
}
