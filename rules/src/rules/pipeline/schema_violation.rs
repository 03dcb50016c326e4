use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL107",
    name: "schema-violation",
    severity: Severity::Error,
    summary: "The pipeline breaks another rule of Harness's schema",
    doc: r#"## What it does
Reports schema rules not covered by a more specific code: a `stages` item holding both
`stage` and `parallel`, a step `strategy` with two kinds, an empty `stages` list, more items
than Harness allows.

## Why is this bad?
Harness rejects the pipeline when it is saved.

## Example
```yaml
stages:
  - stage: {identifier: a, name: a, type: CI, spec: {}}
    parallel: []
```

## Use instead
```yaml
stages:
  - stage: {identifier: a, name: a, type: CI, spec: {}}
  - parallel: []
```

## Sources
- harness/harness-schema, `v0/pipeline.json`.
- An execution item holds exactly one of `step`, `parallel`, `stepGroup`; a stages item exactly
  one of `stage`, `parallel`: ../shared/harness-ci-facts.md, "Shape of a CI pipeline".
"#,
};

pub fn diagnose(span: Span, message: String) -> Diagnostic {
    Diagnostic::new(&RULE, span, message)
}
