use crate::analysis::command::Readiness;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::{background_target, bounded_loop_example, checked_earlier, checks_before, program};

pub static RULE: Rule = Rule {
    code: "HL304",
    name: "fixed-sleep",
    severity: Severity::Warning,
    summary: "A fixed `sleep` stands in for a readiness check before a single try of a service",
    doc: r#"## What it does
Finds a `sleep N` followed by one call of a service client (`psql`, `pg_isready`, `mysql`,
`redis-cli`, `curl`, ...) that is tried once, outside any retry loop: a guess at how long the
service takes to start, in place of a check that it answers.

It says nothing when the service was already checked before the sleep (a probe or a retry
loop earlier in the script, or in a step that certainly finished before).

## Why is this bad?
A Background step ends as soon as its service has started; nothing waits for the service to
be ready. How long it takes to be ready depends on the runner, the image pull, the data
directory and the load of the day: on a slow runner `N` seconds are too short and the step
fails at random, on a fast one they are wasted on every run.

## Example
```yaml
command: |
  sleep 15
  psql -U postgres -d test1 -h localhost -p 5433
```

## Use instead
Retry a probe until it passes, with a bound, then go on:
```yaml
command: |
  for i in $(seq 1 30); do pg_isready -h localhost -p 5433 && break; sleep 1; done
  psql -U postgres -d test1 -h localhost -p 5433 -c 'select 1'
```
For MySQL, `mysqladmin ping -h HOST --silent`; for Redis, `redis-cli -h HOST ping`.

## Sources
- "A Background step starts its service and the stage moves on at once: nothing waits for the
  service to be ready. Harness advises a health-check step after it"; the seed page's health
  checks use "a fixed `sleep 15`" in place of a readiness check: ../shared/harness-ci-facts.md,
  "Background step" and "Mistakes in the Harness documentation itself".
- `pg_isready` "returns 0 to the shell if the server is accepting connections normally, 1 if
  the server is rejecting connections (for example during startup), 2 if there was no response":
  https://www.postgresql.org/docs/current/app-pg-isready.html
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        for step in stage.graph.indices() {
            let Some(script) = stage.script(step) else {
                continue;
            };
            for readiness in &script.readiness {
                let Readiness::FixedSleep { sleep, call: index } = readiness else {
                    continue;
                };
                let call = &script.calls[*index];
                let limit = script.script.invocations[sleep.invocation].span.start;
                let service = stage
                    .uses
                    .iter()
                    .find(|u| u.caller == step && u.call == *index)
                    .and_then(|u| background_target(stage, u));
                if let Some(service) = service {
                    let checked = checks_before(stage, step, script, service, limit, false)
                        || (stage.graph.started_before(service, step)
                            && checked_earlier(stage, service, step, false));
                    if checked {
                        continue;
                    }
                }
                let duration = match script.text(sleep.span) {
                    "" => "N",
                    written => written,
                };
                let program = program(call);
                out.push(
                    Diagnostic::new(
                        &RULE,
                        script.file_span(sleep.span),
                        format!(
                            "`sleep {duration}` guesses how long the service takes to start, then `{program}` tries it once: on a slow runner that is too short and the step fails, on a fast one the time is wasted"
                        ),
                    )
                    .with_label(
                        script.file_span(call.program_span),
                        format!("`{program}` is tried once here"),
                    )
                    .with_help(format!(
                        "wait with a bounded retry loop instead of the sleep: `{}`",
                        bounded_loop_example(call)
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{background, run};
    use crate::testing::{findings, pipeline, Infra};

    fn stage(command: &str) -> String {
        pipeline(
            Infra::Kubernetes,
            &format!("{}{}", background("db", 5433), run("check", command)),
        )
    }

    #[test]
    fn bad_sleep_then_one_try() {
        let text = stage("sleep 15 && psql -h localhost -p 5433 -U postgres -c 'select 1'");
        let found = findings(&text, "HL304");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "15");
        assert!(
            found[0].1.starts_with("`sleep 15` guesses"),
            "{}",
            found[0].1
        );
        let diagnostic = crate::testing::lint(&text)
            .into_iter()
            .find(|d| d.rule.code == "HL304")
            .unwrap();
        assert_eq!(
            diagnostic.help.as_deref(),
            Some("wait with a bounded retry loop instead of the sleep: `for i in $(seq 1 30); do pg_isready -h localhost -p 5433 && break; sleep 1; done`")
        );
    }

    #[test]
    fn bad_redis_help_names_redis_cli_ping() {
        let text = stage("sleep 5; redis-cli -h localhost -p 6379 set a b");
        let help = crate::testing::lint(&text)
            .into_iter()
            .find(|d| d.rule.code == "HL304")
            .and_then(|d| d.help)
            .unwrap();
        assert!(
            help.contains("redis-cli -h localhost -p 6379 ping"),
            "{help}"
        );
    }

    #[test]
    fn good_bounded_loop_and_settled_service() {
        let text = stage(
            "for i in $(seq 1 30); do pg_isready -h localhost -p 5433 && break; sleep 1; done",
        );
        assert!(findings(&text, "HL304").is_empty());
        // Checked first, then a short pause: not a guess at the start-up time.
        let text = stage("until pg_isready -h localhost -p 5433; do sleep 1; done; sleep 2; psql -h localhost -p 5433 -U postgres -c 'select 1'");
        assert!(findings(&text, "HL304").is_empty());
    }
}
