use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::{call_span, group_of, ordering_findings, program, service_label, step_name, Order};

pub static RULE: Rule = Rule {
    code: "HL302",
    name: "service-race",
    severity: Severity::Error,
    summary: "A step uses a Background service that may not have started yet",
    doc: r#"## What it does
Finds a client call (`pg_isready`, `psql`, `redis-cli`, `curl`, ...) aimed at a Background
service from a step that may start before the service's step: the two sit in different
branches of one `parallel` block, for example a health check in one step group that checks
the service of another group. (A step that is itself an item of the `parallel` block, or in a
step group without Background steps, is reported by HL301 instead; a step that runs entirely
before the service, by HL303.)

A call made inside a retry loop of the same script (or after one, or after a wait tool such
as `wait-for-it`) is left alone: the loop rides out the service's start.

## Why is this bad?
Branches of a `parallel` block start together, and nothing orders a step in one branch after
a Background step in another. When the call runs, the service may not have been started at
all, let alone be ready: the call fails, or passes only on the days the other branch is
quick. Which of the two happens changes from run to run.

## Example
```yaml
- parallel:
    - stepGroup:
        identifier: sg1
        steps:
          - step: {identifier: db1, type: Background, ...}
          - step:
              identifier: check
              type: Run
              spec:
                command: |
                  pg_isready -h localhost -p 5433
                  pg_isready -h localhost -p 5434   # db2, in the other group
    - stepGroup:
        identifier: sg2
        steps:
          - step: {identifier: db2, type: Background, ...}
```

## Use instead
Check each service in its own step group, after its Background step, and put what needs
both after the `parallel` block:
```yaml
- parallel:
    - stepGroup: {identifier: sg1, steps: [db1, check1]}
    - stepGroup: {identifier: sg2, steps: [db2, check2]}
- step: {identifier: tests, ...}
```

## Sources
- "groups listed under `parallel` start together"; "A Background step starts its service and
  the stage moves on at once: nothing waits for the service to be ready":
  ../shared/harness-ci-facts.md, "Shape of a CI pipeline" and "Background step".
- Run health checks on background services (one step group per service, the health check
  after its service):
  https://developer.harness.io/docs/continuous-integration/use-ci/manage-dependencies/health-check-services/
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        for finding in ordering_findings(stage) {
            if !matches!(finding.order, Order::Race) {
                continue;
            }
            let caller = finding.service_use.caller;
            let (id, service) = (step_name(stage, caller), step_name(stage, finding.service));
            let (label_span, label) = service_label(stage, finding.service);
            let help = match group_of(stage, finding.service) {
                Some(group) => format!(
                    "make the call from a step that runs after `{service}`: in step group `{group}` after it, or after the `parallel` block"
                ),
                None => format!(
                    "make the call from a step that runs after `{service}`, outside the `parallel` block they share"
                ),
            };
            out.push(
                Diagnostic::new(
                    &RULE,
                    call_span(finding.call),
                    format!(
                        "`{}` in `{id}` uses the service of `{service}`, which runs in another branch of the same `parallel` block: the service may not have started when this call runs",
                        program(finding.call)
                    ),
                )
                .with_label(label_span, label)
                .with_help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{background, indent, run, service_group};
    use crate::testing::{findings, pipeline, Infra};

    fn group(id: &str, steps: &[String]) -> String {
        let steps: String = steps.iter().map(|s| indent(s, 10)).collect();
        format!("    - stepGroup:\n        identifier: {id}\n        name: {id}\n        steps:\n{steps}")
    }

    #[test]
    fn bad_group_uses_the_service_of_another_group() {
        let text = pipeline(
            Infra::Kubernetes,
            &format!(
                "- parallel:\n{}{}",
                group(
                    "sg1",
                    &[
                        background("db1", 5433),
                        run(
                            "check",
                            "psql -h localhost -p 5434 -U postgres -c 'select 1'"
                        ),
                    ]
                ),
                service_group(2, 5434)
            ),
        );
        let found = findings(&text, "HL302");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "localhost");
        assert!(
            found[0]
                .1
                .contains("`psql` in `check` uses the service of `db2`"),
            "{}",
            found[0].1
        );
        assert!(findings(&text, "HL301").is_empty());
    }

    #[test]
    fn bad_cloud_alias_of_a_parallel_service() {
        let text = pipeline(
            Infra::Cloud,
            &format!(
                "- parallel:\n{}{}",
                group(
                    "sg1",
                    &[
                        background("db1", 5432),
                        run("check", "pg_isready -h sg2_db2")
                    ]
                ),
                group("sg2", &[background("db2", 5432)])
            ),
        );
        let found = findings(&text, "HL302");
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), ["sg2_db2"]);
    }

    #[test]
    fn good_each_group_uses_its_own_service() {
        let text = pipeline(
            Infra::Kubernetes,
            &format!(
                "- parallel:\n{}{}",
                group(
                    "sg1",
                    &[
                        background("db1", 5433),
                        run("check", "pg_isready -h localhost -p 5433"),
                    ]
                ),
                service_group(2, 5434)
            ),
        );
        assert!(findings(&text, "HL302").is_empty());
    }

    #[test]
    fn good_retry_loop_in_the_other_branch() {
        let text = pipeline(
            Infra::Kubernetes,
            &format!(
                "- parallel:\n{}{}",
                group(
                    "sg1",
                    &[
                        background("db1", 5433),
                        run(
                            "check",
                            "timeout 60 sh -c 'until pg_isready -h localhost -p 5434; do sleep 1; done'"
                        ),
                    ]
                ),
                service_group(2, 5434)
            ),
        );
        assert!(findings(&text, "HL302").is_empty());
    }

    #[test]
    fn bad_single_probe_before_the_use_does_not_wait() {
        let text = pipeline(
            Infra::Kubernetes,
            &format!(
                "- parallel:\n{}{}",
                group(
                    "sg1",
                    &[
                        background("db1", 5433),
                        run("check", "\"pg_isready -h localhost -p 5434; psql -h localhost -p 5434 -U postgres -c 'select 1'\""),
                    ]
                ),
                service_group(2, 5434)
            ),
        );
        let found = findings(&text, "HL302");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].1.starts_with("`pg_isready` in `check`"),
            "{}",
            found[0].1
        );
    }
}
