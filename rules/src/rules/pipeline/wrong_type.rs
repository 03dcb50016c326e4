use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL103",
    name: "wrong-type",
    severity: Severity::Error,
    summary: "A value of the wrong kind: a list where a mapping belongs, text where a list belongs",
    doc: r#"## What it does
Finds values whose kind is wrong for their field: `spec: ...` (text) where a step spec
(a mapping) belongs, `entrypoint: docker-entrypoint.sh` where a list belongs, `steps:` with
nothing under it.

## Why is this bad?
Harness cannot map the value onto the field and rejects the pipeline. Documentation
placeholders such as `spec: ...` are the usual source.

## Example
```yaml
- step:
    identifier: Run_3
    name: Run_3
    type: Run
    spec:
      ...
```

## Use instead
```yaml
    spec:
      shell: Sh
      command: ./run-tests.sh
```

## Sources
- Field types: harness/harness-schema, `v0/pipeline.json`.
- `spec: ...` placeholders are not a valid step spec: ../shared/harness-ci-facts.md, "Mistakes in
  the Harness documentation itself".
"#,
};

pub fn diagnose(span: Span, message: String) -> Diagnostic {
    Diagnostic::new(&RULE, span, message)
}
