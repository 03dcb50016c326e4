use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL105",
    name: "invalid-format",
    severity: Severity::Error,
    summary: "An identifier, name or timeout that does not have the form Harness requires",
    doc: r#"## What it does
Checks values that must match a pattern: identifiers (`^[a-zA-Z_][0-9a-zA-Z_]{0,127}$`: letters,
digits and `_`, not starting with a digit), names (letters, digits, spaces, `_`, `-`, `.`), and
timeouts (`10s`, `1m30s`, `1h 30m`, `2w`).

## Why is this bad?
Harness rejects the pipeline when it is saved. Identifiers are also how steps are reached
(`<+steps.ID...>`, and as host names of Background services), so a hyphen in one is a mistake
that shows up twice.

## Example
```yaml
- step:
    identifier: run-tests
    name: run tests
    timeout: 10 minutes
```

## Use instead
```yaml
- step:
    identifier: run_tests
    name: run tests
    timeout: 10m
```

## Sources
- Identifier and name patterns: ../shared/harness-ci-facts.md, "Shape of a CI pipeline", from
  harness/harness-schema `v0/pipeline.json`.
- Timeout form: harness/harness-schema, `v0/pipeline/pipeline.yaml` (`timeout` pattern).
"#,
};

pub fn diagnose(span: Span, message: String) -> Diagnostic {
    Diagnostic::new(&RULE, span, message)
}
