use crate::analysis::command::{LoopKind, Readiness};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::program;

pub static RULE: Rule = Rule {
    code: "HL306",
    name: "unbounded-readiness-loop",
    severity: Severity::Warning,
    summary: "A readiness loop that only ends when the service answers",
    doc: r#"## What it does
Finds a retry loop around a service probe or client call (`until pg_isready; do sleep 1;
done`, `while ! redis-cli ping; do ...`) with nothing that ends it but success: no counter
compared with a limit, no list or sequence to run through, no `timeout N` around it.

Loops in a Background step's own command are left alone: the stage does not wait for them.

## Why is this bad?
If the service never comes up (a wrong host or port, a missing password, a crashed server),
the loop never ends: the step hangs until the step or stage timeout, the build holds its
runner all that time, and the log shows only the retries, not why they failed.

## Example
```yaml
command: until pg_isready -h localhost -p 5433; do sleep 1; done
```

## Use instead
Give up after a bound, with a clear failure:
```yaml
command: |
  for i in $(seq 1 30); do pg_isready -h localhost -p 5433 && exit 0; sleep 1; done
  echo "postgres did not become ready" >&2; exit 1
```
or wrap the loop: `timeout 60 sh -c 'until pg_isready -h localhost -p 5433; do sleep 1; done'`.

## Sources
- "A Background step starts its service and the stage moves on at once: nothing waits for the
  service to be ready": ../shared/harness-ci-facts.md, "Background step" (so the health check
  is the only thing that waits, and its own loop decides for how long).
- Steps and stages have a `timeout` (`10s`, `1m30s`, ...): ../shared/harness-ci-facts.md,
  "Shape of a CI pipeline". `timeout DURATION COMMAND` (GNU coreutils) stops the command
  after the duration and exits with status 124.
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        for step in stage.graph.indices() {
            if stage.graph.is_background(step) {
                continue;
            }
            let Some(script) = stage.script(step) else {
                continue;
            };
            for readiness in &script.readiness {
                let Readiness::UnboundedLoop { loop_index, calls } = readiness else {
                    continue;
                };
                let Some(looped) = script.script.loops.get(*loop_index) else {
                    continue;
                };
                let keyword = match looped.kind {
                    LoopKind::For | LoopKind::CFor => "for",
                    LoopKind::While => "while",
                    LoopKind::Until => "until",
                };
                let what = calls
                    .first()
                    .map(|&i| format!("`{}`", program(&script.calls[i])))
                    .unwrap_or_else(|| "the service".to_owned());
                let mut diagnostic = Diagnostic::new(
                    &RULE,
                    script.file_span(looped.keyword_span),
                    format!(
                        "this `{keyword}` loop retries {what} with no bound: if the service never answers, the step hangs until its timeout"
                    ),
                )
                .with_help(
                    "bound the loop: count the tries (`for i in $(seq 1 30); do ... && break; sleep 1; done`), or run it under `timeout 60 sh -c '...'`",
                );
                if let Some(&first) = calls.first() {
                    diagnostic = diagnostic.with_label(
                        script.file_span(script.calls[first].program_span),
                        "retried until it succeeds",
                    );
                }
                out.push(diagnostic);
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
    fn bad_until_loop_without_bound() {
        let text = stage("until pg_isready -h localhost -p 5433; do sleep 1; done");
        let found = findings(&text, "HL306");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "until");
        assert!(
            found[0].1.contains("retries `pg_isready` with no bound"),
            "{}",
            found[0].1
        );
        let text = stage("\"while ! redis-cli -h localhost ping; do sleep 1; done\"");
        assert_eq!(
            findings(&text, "HL306")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["while"]
        );
    }

    #[test]
    fn good_bounded_loop() {
        let text = stage(
            "for i in $(seq 1 30); do pg_isready -h localhost -p 5433 && break; sleep 1; done",
        );
        assert!(findings(&text, "HL306").is_empty());
    }

    #[test]
    fn good_loop_under_timeout() {
        let text =
            stage("timeout 60 sh -c 'until pg_isready -h localhost -p 5433; do sleep 1; done'");
        assert!(findings(&text, "HL306").is_empty());
        assert!(findings(&text, "HL305").is_empty());
    }
}
