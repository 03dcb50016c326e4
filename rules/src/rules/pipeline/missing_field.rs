use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL102",
    name: "missing-field",
    severity: Severity::Error,
    summary: "A field Harness requires is missing",
    doc: r#"## What it does
Finds objects without a field Harness requires: a step without `identifier`, `name`, `type`
or `spec`; a Run step without `command`; a Kubernetes infrastructure without `connectorRef`
or `namespace`; a stage without `type`. The finding points at the key that holds the
incomplete object.

## Why is this bad?
Harness rejects the pipeline when it is saved or when it runs, or, for fields its backend
checks late (a Run step's `command`), when the step starts.

## Example
```yaml
- step:
    identifier: test
    name: test
    type: Run
    spec:
      shell: Sh
```

## Use instead
```yaml
    spec:
      shell: Sh
      command: make test
```

## Sources
- Required fields per object: harness/harness-schema, `v0/pipeline.json` (`required` lists).
- A Run step's `command` is required by the backend: ../shared/harness-ci-facts.md, "Run step".
"#,
};

pub fn diagnose(field: &str, span: Span, message: String) -> Diagnostic {
    Diagnostic::new(&RULE, span, message).with_help(format!("add `{field}:`"))
}
