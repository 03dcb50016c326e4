use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::{call_span, ordering_findings, program, service_label, step_name, Order};

pub static RULE: Rule = Rule {
    code: "HL303",
    name: "used-before-service",
    severity: Severity::Error,
    summary: "A step uses a Background service that starts only after the step has finished",
    doc: r#"## What it does
Finds a client call (`pg_isready`, `psql`, `redis-cli`, `curl`, ...) aimed at a Background
service from a step that runs, and ends, before the service's Background step: for example a
health check placed before its service in the step group, or a test step listed above the
Background step.

## Why is this bad?
Steps (and the steps of a step group) run in the order they are listed; a Background step
starts its service when its turn comes, and the service does not exist before. A call made
earlier finds nothing to connect to and fails, however long it waits: the service it waits
for starts only after the step gives up.

## Example
```yaml
- step:
    identifier: check
    type: Run
    spec:
      command: for i in $(seq 1 30); do pg_isready -h localhost && break; sleep 1; done
- step:
    identifier: db
    type: Background
    spec: {image: postgres:16.4, ...}
```

## Use instead
Put the Background step first, and the health check after it:
```yaml
- step: {identifier: db, type: Background, ...}
- step: {identifier: check, type: Run, ...}
```

## Sources
- "items of `execution.steps` run one after another"; "Steps inside a group run in order":
  ../shared/harness-ci-facts.md, "Shape of a CI pipeline".
- "A Background step starts its service and the stage moves on at once" and Harness advises a
  health-check step *after* it: ../shared/harness-ci-facts.md, "Background step".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        for finding in ordering_findings(stage) {
            if !matches!(finding.order, Order::Before) {
                continue;
            }
            let caller = finding.service_use.caller;
            let (id, service) = (step_name(stage, caller), step_name(stage, finding.service));
            let (label_span, label) = service_label(stage, finding.service);
            out.push(
                Diagnostic::new(
                    &RULE,
                    call_span(finding.call),
                    format!(
                        "`{}` in `{id}` uses the service of `{service}`, but `{id}` ends before `{service}` starts it: there is nothing to connect to yet",
                        program(finding.call)
                    ),
                )
                .with_label(label_span, label)
                .with_help(format!("move `{id}` after `{service}`")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{background, indent, run};
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    const CHECK: &str =
        "for i in $(seq 1 30); do pg_isready -h localhost -p 5433 && break; sleep 1; done";

    #[test]
    fn bad_health_check_before_its_service() {
        let text = pipeline(
            Infra::Kubernetes,
            &format!("{}{}", run("check", CHECK), background("db", 5433)),
        );
        let found = findings(&text, "HL303");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "localhost");
        assert!(
            found[0].1.contains("`pg_isready` in `check` uses the service of `db`, but `check` ends before `db` starts it"),
            "{}",
            found[0].1
        );
    }

    #[test]
    fn bad_in_a_step_group() {
        let steps = format!(
            "{}{}",
            run("check", "pg_isready -h sg_db -p 5433"),
            background("db", 5433)
        );
        let text = pipeline(
            Infra::Cloud,
            &format!(
                "- stepGroup:\n    identifier: sg\n    name: sg\n    steps:\n{}",
                indent(&steps, 6)
            ),
        );
        assert_eq!(
            findings(&text, "HL303")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["sg_db"]
        );
    }

    #[test]
    fn good_health_check_after_its_service() {
        let text = pipeline(
            Infra::Kubernetes,
            &format!("{}{}", background("db", 5433), run("check", CHECK)),
        );
        assert!(findings(&text, "HL303").is_empty());
        assert_clean(&text);
    }
}
