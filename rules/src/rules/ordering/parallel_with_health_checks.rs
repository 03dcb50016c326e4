use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::{ordering_findings, program, service_label, step_id_span, step_name, Order};

pub static RULE: Rule = Rule {
    code: "HL301",
    name: "parallel-with-health-checks",
    severity: Severity::Error,
    summary: "A step that uses a Background service runs in parallel with the service and its health check",
    doc: r#"## What it does
Finds a step that uses a Background service (`psql`, `redis-cli`, `curl`, ... aimed at it)
while it is itself an item of the `parallel` block that starts the service: a step listed
beside the service's step group, or a step inside a step group without Background steps
that is listed there.

A step whose own script waits for the service with a retry loop (or a wait tool such as
`wait-for-it`) is left alone: it rides out the start by itself.

## Why is this bad?
The items of a `parallel` block start together. A Background step ends as soon as its
service has started, and the health check that follows it in its step group is what tells
the stage the service is ready. A step beside the group starts at the same moment as the
service and its health check, not after them: it runs against a server that has not started,
or is still initialising, and fails at random.

The Harness page that shows health checks in parallel step groups says to keep the other
steps out of the groups and out of the `parallel` block.

## Example
```yaml
- parallel:
    - stepGroup:
        identifier: sg1
        steps:
          - step: {identifier: db, type: Background, ...}
          - step: {identifier: db_ready, type: Run, ...}   # the health check
    - step:
        identifier: tests
        type: Run
        spec:
          command: psql -h sg1_db -U postgres -c 'select 1'
```

## Use instead
Move the step after the `parallel` block, where the health checks have finished:
```yaml
- parallel:
    - stepGroup:
        identifier: sg1
        steps:
          - step: {identifier: db, type: Background, ...}
          - step: {identifier: db_ready, type: Run, ...}
- step:
    identifier: tests
    type: Run
    spec:
      command: psql -h sg1_db -U postgres -c 'select 1'
```

## Sources
- "Add other steps to your stage as needed. Make sure these steps are not in your background
  service step groups or in parallel with the step groups", Run health checks on background
  services: https://developer.harness.io/docs/continuous-integration/use-ci/manage-dependencies/health-check-services/
  (../shared/seeds/run-health-checks-on-background-services.md).
- "A Background step starts its service and the stage moves on at once: nothing waits for the
  service to be ready"; "groups listed under `parallel` start together":
  ../shared/harness-ci-facts.md, "Background step" and "Shape of a CI pipeline".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        for finding in ordering_findings(stage) {
            let Order::ParallelItem { group } = finding.order else {
                continue;
            };
            let caller = finding.service_use.caller;
            let (id, service) = (step_name(stage, caller), step_name(stage, finding.service));
            let (item, what) = match group.and_then(|g| g.value.id()) {
                Some(group) => (
                    format!("step group `{group}`"),
                    format!("`{id}` (in step group `{group}`)"),
                ),
                None => (format!("step `{id}`"), format!("`{id}`")),
            };
            let (label_span, label) = service_label(stage, finding.service);
            out.push(
                Diagnostic::new(
                    &RULE,
                    step_id_span(stage, caller),
                    format!(
                        "{what} runs in the same `parallel` block as `{service}`, whose service it uses (`{}`): it starts together with the service and its health check, not after them",
                        program(finding.call)
                    ),
                )
                .with_label(label_span, label)
                .with_label(finding.call.program_span, format!("uses `{service}` here"))
                .with_help(format!(
                    "move the {item} after the `parallel` block, so that it starts once the service's health check has passed"
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{indent, service_group};
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    const TESTS: &str = "identifier: tests
name: tests
type: Run
spec:
  connectorRef: account.harnessImage
  image: postgres:16.4
  envVariables:
    PGPASSWORD: <+secrets.getValue(\"pg\")>
  command: psql -h localhost -p 5433 -U postgres -c 'select 1'
";

    #[test]
    fn bad_run_step_beside_two_service_groups() {
        let text = pipeline(
            Infra::Kubernetes,
            &format!(
                "- parallel:\n{}{}    - step:\n{}",
                service_group(1, 5433),
                service_group(2, 5434),
                indent(TESTS, 8)
            ),
        );
        let found = findings(&text, "HL301");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "tests");
        assert!(
            found[0].1.starts_with(
                "`tests` runs in the same `parallel` block as `db1`, whose service it uses (`psql`)"
            ),
            "{}",
            found[0].1
        );
        assert!(findings(&text, "HL302").is_empty());
    }

    #[test]
    fn bad_step_group_without_services_beside_the_service_group() {
        let text = pipeline(
            Infra::Kubernetes,
            &format!(
                "- parallel:\n{}    - stepGroup:\n        identifier: checks\n        name: checks\n        steps:\n          - step:\n{}",
                service_group(1, 5433),
                indent(TESTS, 14)
            ),
        );
        let found = findings(&text, "HL301");
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), ["tests"]);
        assert!(
            found[0].1.contains("in step group `checks`"),
            "{}",
            found[0].1
        );
    }

    #[test]
    fn good_step_after_the_parallel_block() {
        let text = pipeline(
            Infra::Kubernetes,
            &format!(
                "- parallel:\n{}{}- step:\n{}",
                service_group(1, 5433),
                service_group(2, 5434),
                indent(TESTS, 4)
            ),
        );
        assert!(findings(&text, "HL301").is_empty());
        assert_clean(&text);
    }

    #[test]
    fn good_parallel_step_that_waits_by_itself() {
        let waiting = TESTS.replace(
            "command: psql",
            "command: for i in $(seq 1 30); do pg_isready -h localhost -p 5433 && break; sleep 1; done; psql",
        );
        let text = pipeline(
            Infra::Kubernetes,
            &format!(
                "- parallel:\n{}    - step:\n{}",
                service_group(1, 5433),
                indent(&waiting, 8)
            ),
        );
        assert!(findings(&text, "HL301").is_empty());
        assert!(findings(&text, "HL302").is_empty());
    }

    #[test]
    fn good_parallel_call_on_a_port_the_service_does_not_listen_on() {
        let other = TESTS.replace(
            "command: psql -h localhost -p 5433 -U postgres -c 'select 1'",
            "command: nc -z localhost 8080",
        );
        let text = pipeline(
            Infra::Kubernetes,
            &format!(
                "- parallel:\n{}    - step:\n{}",
                service_group(1, 5433),
                indent(&other, 8)
            ),
        );
        for code in ["HL301", "HL302", "HL305"] {
            assert!(findings(&text, code).is_empty(), "{code}");
        }
    }

    #[test]
    fn bad_cloud_services_on_the_machine() {
        // No images: the services run on the machine, a step without image reaches them at
        // localhost; the step beside the groups still starts with them.
        let group = |n: u32, port: u32| {
            format!("    - stepGroup:\n        identifier: sg{n}\n        name: sg{n}\n        steps:\n          - step:\n              identifier: db{n}\n              name: db{n}\n              type: Background\n              spec:\n                envVariables:\n                  POSTGRES_PASSWORD: <+secrets.getValue(\"pg\")>\n                entrypoint: [postgres, \"-p {port}\"]\n")
        };
        let text = pipeline(
            Infra::Cloud,
            &format!(
                "- parallel:\n{}{}    - step:\n        identifier: tests\n        name: tests\n        type: Run\n        spec:\n          command: pg_isready -h localhost -p 5434\n",
                group(1, 5433),
                group(2, 5434)
            ),
        );
        let found = findings(&text, "HL301");
        assert_eq!(
            found.iter().map(|f| f.0).collect::<Vec<_>>(),
            ["tests"],
            "{found:?}"
        );
        assert!(found[0].1.contains("`db2`"), "{}", found[0].1);
    }
}
