use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL007",
    name: "complex-key",
    severity: Severity::Error,
    summary: "A mapping key that is itself a mapping or a list",
    doc: r#"## What it does
Finds mapping keys that are not plain text, such as `? [a, b]` or `{a: 1}: x`.

## Why is this bad?
Harness maps YAML onto objects whose keys are field names; a key that is a collection cannot be
a field name and the pipeline fails to load. It is almost always a stray `?` or brace.

## Example
```yaml
envVariables:
  {PGPORT: 5432}: x
```

## Use instead
```yaml
envVariables:
  PGPORT: "5432"
```

## Sources
- YAML 1.2.2, 8.2.2 Block Mappings (explicit keys): https://yaml.org/spec/1.2.2/#822-block-mappings
"#,
};

pub fn diagnose(span: Span) -> Diagnostic {
    Diagnostic::new(
        &RULE,
        span,
        "this mapping key is a collection, not a field name",
    )
    .with_help("use a plain text key")
}
