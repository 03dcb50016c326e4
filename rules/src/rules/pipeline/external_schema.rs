use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL108",
    name: "external-schema",
    severity: Severity::Error,
    summary: "The pipeline does not validate against the schema given with `--schema`",
    doc: r#"## What it does
Validates the pipeline against a JSON Schema you give with `--schema FILE` (for example
Harness's official `v0/pipeline.json`, downloaded from harness/harness-schema), in addition to
hlint's own schema, and maps each error to the exact key or value.

## Why is this bad?
Harness's editor validates against its official schema; a pipeline that fails it is flagged
there. Running the same check before pushing catches it earlier.

## Example
```sh
hlint --schema v0/pipeline.json .harness/
```

## Use instead
Fix what the message says, or drop `--schema` if the schema is not the one Harness uses.

## Sources
- harness/harness-schema, `v0/pipeline.json`.
"#,
};

pub fn diagnose(span: Span, message: String, schema_name: &str) -> Diagnostic {
    Diagnostic::new(&RULE, span, message).with_help(format!("reported by the schema {schema_name}"))
}
