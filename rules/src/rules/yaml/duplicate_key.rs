use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL002",
    name: "duplicate-key",
    severity: Severity::Error,
    summary: "The same key appears twice in one mapping",
    doc: r#"## What it does
Finds a key written twice in the same mapping, and points at both.

## Why is this bad?
YAML requires the keys of a mapping to be unique. Readers that accept duplicates keep only one
of the values, without a word, so half of what you wrote is lost: often the second
`envVariables:` or `spec:` block that was pasted in later.

## Example
```yaml
spec:
  command: ./build.sh
  shell: Sh
  command: ./test.sh
```

## Use instead
```yaml
spec:
  shell: Sh
  command: |
    ./build.sh
    ./test.sh
```

## Sources
- YAML 1.2.2, 3.2.1.1 Nodes: "the content of a mapping node is an unordered set of key/value
  node pairs, with the restriction that each of the keys is unique":
  https://yaml.org/spec/1.2.2/#3211-nodes
"#,
};

pub fn diagnose(key: &str, first: Span, second: Span) -> Diagnostic {
    Diagnostic::new(
        &RULE,
        second,
        format!("duplicate key `{key}`: it is already defined in this mapping"),
    )
    .with_label(first, format!("`{key}` first defined here"))
    .with_help(format!(
        "keep one `{key}` and merge what the two of them hold"
    ))
}
