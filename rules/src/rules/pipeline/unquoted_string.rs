use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL106",
    name: "unquoted-string",
    severity: Severity::Warning,
    summary: "A number or boolean where Harness expects text: quote it",
    doc: r#"## What it does
Finds unquoted numbers and booleans in fields whose values are strings: `envVariables`,
`portBindings`, labels, build arguments, names. The fix quotes the value as written.

## Why is this bad?
Harness's schema types these maps as string to string. YAML reads `5433` as a number and
`1.10` as the number 1.1, `0o17` as 15 and `true` as a boolean, so what reaches the step can
differ from what you wrote, and editors that validate against Harness's schema flag the
value. Quoting says what you mean and keeps it exact.

## Example
```yaml
portBindings:
  5432: 5433
envVariables:
  PGPORT: 5433
  GO_VERSION: 1.20
```

## Use instead
```yaml
portBindings:
  "5432": "5433"
envVariables:
  PGPORT: "5433"
  GO_VERSION: "1.20"
```

## Sources
- `envVariables` and `portBindings` are maps of string to string: ../shared/harness-ci-facts.md,
  "Shape of a CI pipeline", from harness/harness-schema `v0/pipeline.json`.
- YAML 1.2.2 core schema: https://yaml.org/spec/1.2.2/#1032-tag-resolution
"#,
};

pub fn diagnose(span: Span, text: &str, message: String) -> Diagnostic {
    let quoted = format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
    Diagnostic::new(&RULE, span, message)
        .with_help(format!("write {quoted}"))
        .with_fix(
            format!("quote `{text}`"),
            vec![Edit {
                span,
                replacement: quoted,
            }],
        )
}
