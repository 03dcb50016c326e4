use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL001",
    name: "yaml-syntax-error",
    severity: Severity::Error,
    summary: "The file is not valid YAML",
    doc: r#"## What it does
Reports the first place where the file stops being valid YAML 1.2: a missing colon, a bad
indentation, an unclosed bracket or quote, a tab used for indentation.

## Why is this bad?
Harness cannot read the pipeline at all: saving it fails in the editor, and a pipeline kept
in Git fails to load. hlint reads everything before the error and still reports what it finds
there, but nothing after it.

## Example
```yaml
pipeline:
  stages: [
    - stage:
```

## Use instead
```yaml
pipeline:
  stages:
    - stage:
```

## Sources
- YAML 1.2.2 specification: https://yaml.org/spec/1.2.2/
"#,
};

pub fn diagnose(span: Span, message: &str) -> Diagnostic {
    Diagnostic::new(&RULE, span, format!("invalid YAML: {message}"))
        .with_help("fix the YAML here; hlint does not read the rest of the file until it parses")
}
