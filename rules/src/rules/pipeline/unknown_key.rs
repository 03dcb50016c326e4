use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL101",
    name: "unknown-key",
    severity: Severity::Warning,
    summary: "A key Harness does not know here, which it silently ignores",
    doc: r#"## What it does
Finds keys that are not fields of the object they sit in: a misspelt `comand`, an
`entrypoint` on a Run step, `envVariables` one level too high. When a known key is close, it
suggests it, and the fix renames the key.

## Why is this bad?
Harness reads step specs "ignoring unknown properties": a misspelt key is dropped without a
word and the step runs without the setting. `comand:` gives a Run step with no command;
`timout:` gives the default timeout; `envVariable:` gives none of the variables. The pipeline
saves and starts, then fails, or worse, passes while doing the wrong thing.

It is a warning rather than an error because Harness adds fields over time: if hlint's schema
does not know a field that Harness does, please report it. `--deny warnings` makes these
findings fail the run.

## Example
```yaml
- step:
    identifier: test
    name: test
    type: Run
    spec:
      shell: Sh
      comand: make test
```

## Use instead
```yaml
    spec:
      shell: Sh
      command: make test
```

## Sources
- Harness's schema lists the fields of each step spec: harness/harness-schema, `v0/pipeline.json`
  (for example `steps/ci/run-step-info.yaml`).
- Harness ignores unknown keys in step specs: ../shared/harness-ci-facts.md, "Shape of a CI pipeline".
"#,
};

pub fn diagnose(
    key: &str,
    span: Span,
    suggestion: Option<&str>,
    known: &[String],
    message: String,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(&RULE, span, message);
    match suggestion {
        Some(suggestion) => diagnostic
            .with_help(format!("rename `{key}` to `{suggestion}`"))
            .with_fix(
                format!("rename `{key}` to `{suggestion}`"),
                vec![Edit {
                    span,
                    replacement: suggestion.to_owned(),
                }],
            ),
        None if known.is_empty() => diagnostic.with_help("remove it: Harness ignores it"),
        None => diagnostic.with_help(format!("the fields here are: {}", known.join(", "))),
    }
}
