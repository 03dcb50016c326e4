use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL005",
    name: "invalid-encoding",
    severity: Severity::Error,
    summary: "The file is not UTF-8 text",
    doc: r#"## What it does
Points at the first byte sequence that is not valid UTF-8.

## Why is this bad?
Harness reads pipeline YAML as UTF-8. A file saved in Latin-1 or UTF-16, or binary data given
a `.yaml` name, cannot be read.

## Example
A file saved by an editor set to Windows-1252, with `café` in a step name.

## Use instead
Save the file as UTF-8.

## Sources
- YAML 1.2.2, 5.2 Character Encodings: https://yaml.org/spec/1.2.2/#52-character-encodings
"#,
};

pub fn diagnose(span: Span) -> Diagnostic {
    Diagnostic::new(
        &RULE,
        span,
        "the file is not valid UTF-8: this byte sequence cannot be decoded",
    )
    .with_help("save the file as UTF-8")
}
