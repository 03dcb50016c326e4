use hlint_schema::model::StepSpec;

use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL505",
    name: "run-step-entrypoint",
    severity: Severity::Error,
    summary: "`entrypoint` on a Run step, which has none",
    doc: r#"## What it does
Finds `entrypoint` in the spec of Run steps.

## Why is this bad?
Run steps have no `entrypoint` field: Harness runs the step's `command` with the step's shell
(`sh -c` for Sh, `bash -c` for Bash) and ignores the key. Whatever the entrypoint was meant
to start never runs. Only Background steps take an `entrypoint`.

## Example
```yaml
- step:
    identifier: migrate
    name: migrate
    type: Run
    spec:
      image: migrate/migrate:v4.17.0
      entrypoint: [migrate, -path, /migrations, up]
```

## Use instead
```yaml
    spec:
      image: migrate/migrate:v4.17.0
      shell: Sh
      command: migrate -path /migrations -database "$DATABASE_URL" up
```

## Sources
- Run step spec fields, "No `entrypoint`"; shell to entrypoint mapping: ../shared/harness-ci-facts.md,
  "Run step".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        for entry in stage.steps() {
            let Some(spec) = entry
                .step
                .spec
                .as_ref()
                .filter(|s| matches!(s.value, StepSpec::Run(_)))
            else {
                continue;
            };
            if let Some(found) = cx.tree.entry(spec.node, "entrypoint") {
                out.push(
                    Diagnostic::new(&RULE, cx.tree.span(found.key), "Run steps have no `entrypoint`: Harness ignores it and runs `command` with the step's shell")
                        .with_help("put what the entrypoint should run into `command`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    #[test]
    fn bad_entrypoint_on_run() {
        let text = pipeline(Infra::Cloud, "- step:\n    identifier: migrate\n    name: migrate\n    type: Run\n    spec:\n      entrypoint: [migrate, up]\n      command: echo\n");
        assert_eq!(
            findings(&text, "HL505")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["entrypoint"]
        );
        assert!(
            findings(&text, "HL101").is_empty(),
            "reported once, by HL505"
        );
    }

    #[test]
    fn good_command_only() {
        assert_clean(&pipeline(Infra::Cloud, "- step:\n    identifier: migrate\n    name: migrate\n    type: Run\n    spec:\n      command: migrate up\n"));
    }
}
