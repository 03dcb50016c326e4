use std::collections::HashSet;

use crate::analysis::command::CallKind;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::{
    background_target, bounded_loop_example, call_span, checked_earlier, checks_before, program,
    service_label, step_name, unreadable_earlier,
};

pub static RULE: Rule = Rule {
    code: "HL305",
    name: "unchecked-service",
    severity: Severity::Warning,
    summary: "A Background service is used with no readiness check before",
    doc: r#"## What it does
Finds the first use of a Background service (`psql -c ...`, `redis-cli set ...`, a test
run with `curl`) that nothing before checks: no probe or retry loop earlier in the same script
and no step that certainly finished before and checked the service (a `pg_isready`, a retry
loop, a first successful call). A fixed `sleep` before the use is reported by HL304 instead.

It says nothing when the service is never used, when hlint cannot tell which service a call
is for, or when an earlier step may wait in a way hlint cannot read (a plugin step, a
PowerShell script, a `wait-for-it` style tool).

## Why is this bad?
A Background step ends as soon as its service has started, and the stage moves on at once:
nothing waits for the service to be ready. The first step that uses it runs while the server
may still be initialising (PostgreSQL, for one, rejects connections during startup) and fails
on the runs where the service is slower than the step.

## Example
```yaml
- step: {identifier: db, type: Background, spec: {image: postgres:16.4, ...}}
- step:
    identifier: migrate
    type: Run
    spec:
      command: psql -h localhost -U postgres -f schema.sql
```

## Use instead
Check the service first, in a health-check step after the Background step (or at the top of
the script):
```yaml
- step: {identifier: db, type: Background, ...}
- step:
    identifier: db_ready
    type: Run
    spec:
      command: for i in $(seq 1 30); do pg_isready -h localhost && break; sleep 1; done
- step: {identifier: migrate, ...}
```

## Sources
- "A Background step starts its service and the stage moves on at once: nothing waits for the
  service to be ready. Harness advises a health-check step after it":
  ../shared/harness-ci-facts.md, "Background step".
- "health checks confirm that services are running before the build runs other steps that
  need to interact with those services", Run health checks on background services:
  https://developer.harness.io/docs/continuous-integration/use-ci/manage-dependencies/health-check-services/
- `pg_isready` returns 1 "if the server is rejecting connections (for example during
  startup)": https://www.postgresql.org/docs/current/app-pg-isready.html
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        let mut reported = HashSet::new();
        for service_use in &stage.uses {
            let Some(service) = background_target(stage, service_use) else {
                continue;
            };
            let caller = service_use.caller;
            let call = service_use.call(&stage.scripts);
            if call.kind != CallKind::Use
                || reported.contains(&service)
                || !stage.graph.started_before(service, caller)
            {
                continue;
            }
            let script = stage.script(caller).expect("uses come from scripts");
            let checked = checks_before(stage, caller, script, service, call.span.start, true)
                || checked_earlier(stage, service, caller, true)
                || unreadable_earlier(stage, service, caller);
            if checked {
                continue;
            }
            reported.insert(service);
            let (id, name) = (step_name(stage, caller), step_name(stage, service));
            let (label_span, label) = service_label(stage, service);
            out.push(
                Diagnostic::new(
                    &RULE,
                    script.file_span(call_span(call)),
                    format!(
                        "`{}` in `{id}` uses the service of `{name}` with no readiness check before: `{name}` ends as soon as the service has started, not when it is ready",
                        program(call)
                    ),
                )
                .with_label(label_span, label)
                .with_help(format!(
                    "check the service first, in a step after `{name}` or at the top of this script: `{}`",
                    bounded_loop_example(call)
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{background, run};
    use crate::testing::{findings, pipeline, Infra};

    const USE: &str = "psql -h localhost -p 5433 -U postgres -c 'select 1'";
    const CHECK: &str =
        "for i in $(seq 1 30); do pg_isready -h localhost -p 5433 && break; sleep 1; done";

    fn stage(steps: &[String]) -> String {
        let mut all = background("db", 5433);
        for step in steps {
            all.push_str(step);
        }
        pipeline(Infra::Kubernetes, &all)
    }

    #[test]
    fn bad_use_right_after_the_service() {
        let text = stage(&[run("tests", USE), run("more", USE)]);
        let found = findings(&text, "HL305");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "localhost");
        assert!(
            found[0]
                .1
                .starts_with("`psql` in `tests` uses the service of `db` with no readiness check"),
            "{}",
            found[0].1
        );
    }

    #[test]
    fn good_checked_in_an_earlier_step_or_the_same_script() {
        assert!(findings(&stage(&[run("ready", CHECK), run("tests", USE)]), "HL305").is_empty());
        let both = format!("\"{CHECK}; {USE}\"");
        assert!(findings(&stage(&[run("tests", &both)]), "HL305").is_empty());
        let waiter = format!("\"./ci/wait-for-db.sh; {USE}\"");
        assert!(findings(&stage(&[run("tests", &waiter)]), "HL305").is_empty());
    }

    #[test]
    fn good_service_never_used_or_fixed_sleep() {
        assert!(findings(&stage(&[run("build", "make build")]), "HL305").is_empty());
        let sleep = format!("\"sleep 10; {USE}\"");
        let text = stage(&[run("tests", &sleep)]);
        assert!(findings(&text, "HL305").is_empty());
        assert_eq!(findings(&text, "HL304").len(), 1);
    }
}
