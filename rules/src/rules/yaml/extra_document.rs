use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL006",
    name: "extra-document",
    severity: Severity::Warning,
    summary: "A second YAML document in a pipeline file",
    doc: r#"## What it does
Finds a `---` that starts a second YAML document after the pipeline.

## Why is this bad?
A Harness pipeline file holds one document. What follows the second `---` is not part of the
pipeline; hlint reads only the first document too.

## Example
```yaml
pipeline:
  identifier: build
---
pipeline:
  identifier: deploy
```

## Use instead
Keep each pipeline in its own file.

## Sources
- YAML 1.2.2, 9.2 Streams: https://yaml.org/spec/1.2.2/#92-streams
"#,
};

pub fn diagnose(span: Span) -> Diagnostic {
    Diagnostic::new(
        &RULE,
        span,
        "a second YAML document starts here; only the first one is the pipeline",
    )
    .with_help("move this document to its own file")
}
