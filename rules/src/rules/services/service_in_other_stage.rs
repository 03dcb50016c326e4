use std::collections::HashSet;

use crate::analysis::network::Resolution;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::wrong_host::{step_name, written_hosts};

pub static RULE: Rule = Rule {
    code: "HL208",
    name: "service-in-other-stage",
    severity: Severity::Error,
    summary: "A client reaches for a Background service of another stage",
    doc: r#"## What it does
Finds client calls and connection URIs whose host is the identifier (or `GROUPID_STEPID`
name) of a Background step that belongs to another stage of the pipeline.

## Why is this bad?
Background steps do not persist across stages: a service started in one stage is gone when
the next stage runs, and each stage runs on its own machine or pod. Nothing answers at that
name, and the client fails to resolve it or to connect.

## Example
```yaml
stages:
  - stage:
      identifier: setup
      # ...
            - step: {identifier: db, type: Background, ...}
  - stage:
      identifier: test
      # ...
            - step:
                identifier: check
                type: Run
                spec: {command: pg_isready -h db}
```

## Use instead
Start the service in the stage that uses it:
```yaml
  - stage:
      identifier: test
      # ...
            - step: {identifier: db, type: Background, ...}
            - step:
                identifier: check
                type: Run
                spec: {command: pg_isready -h db}
```

## Sources
- "Background steps do not persist across stages": ../shared/harness-ci-facts.md,
  "Background step".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        let mut seen = HashSet::new();
        for site in written_hosts(stage) {
            let Resolution::ServiceInOtherStage {
                stage: other_stage,
                step,
            } = &site.resolution
            else {
                continue;
            };
            if !seen.insert((site.point.start, site.point.end)) {
                continue;
            }
            let host = site.host;
            let caller = step_name(stage, site.caller);
            let mut diagnostic = Diagnostic::new(
                &RULE,
                site.point,
                format!("`{host}` is the Background step `{step}` of stage `{other_stage}`: Background steps do not persist across stages, so nothing answers at this name in `{caller}`'s stage"),
            )
            .with_help(format!(
                "start the service with a Background step in this stage (before `{caller}`), or run `{caller}` in stage `{other_stage}`"
            ));
            let other_span = cx
                .ci_stages()
                .filter(|s| s.stage().value.id() == Some(other_stage.as_str()))
                .flat_map(|s| s.network.services())
                .find(|service| service.id == *step)
                .and_then(|service| service.id_span);
            if let Some(span) = other_span {
                diagnostic = diagnostic.with_label(
                    span,
                    format!("`{step}` runs only during stage `{other_stage}`"),
                );
            }
            out.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, pipeline};

    use super::super::wrong_host::tests::{postgres, postgres_and_check, run};

    /// Two Kubernetes-free Cloud stages: `setup` with the service, `test` with the call.
    fn two_stages(test_steps: &str) -> String {
        let first = pipeline(
            crate::testing::Infra::Cloud,
            &postgres("db", Some("postgres:16.4"), 5432),
        );
        let indented: String = test_steps
            .lines()
            .map(|line| format!("              {line}\n"))
            .collect();
        format!(
            "{first}    - stage:\n        identifier: test\n        name: test\n        type: CI\n        spec:\n          cloneCodebase: false\n          platform: {{os: Linux, arch: Amd64}}\n          runtime: {{type: Cloud, spec: {{}}}}\n          execution:\n            steps:\n{indented}"
        )
    }

    #[test]
    fn bad_service_of_the_previous_stage() {
        let text = two_stages(&run("check", Some("postgres:16.4"), "", "pg_isready -h db"));
        let found = findings(&text, "HL208");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "db");
        assert!(found[0].1.contains("of stage `build`"), "{}", found[0].1);
    }

    #[test]
    fn good_service_started_in_the_same_stage() {
        let steps = postgres_and_check("db", 5432, "check", "pg_isready -h db");
        let text = two_stages(&steps);
        assert!(
            findings(&text, "HL208").is_empty(),
            "{:?}",
            findings(&text, "HL208")
        );
        let _ = pipeline;
    }
}
