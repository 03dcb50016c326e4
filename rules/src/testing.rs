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
