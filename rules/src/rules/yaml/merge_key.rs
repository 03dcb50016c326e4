use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL003",
    name: "merge-key",
    severity: Severity::Warning,
    summary: "A `<<` merge key, which Harness does not apply",
    doc: r#"## What it does
Finds YAML merge keys (`<<: *anchor`).

## Why is this bad?
Merge keys are a YAML 1.1 extension that YAML 1.2 dropped. Harness reads pipeline YAML with
Jackson, whose YAML reader keeps `<<` as an ordinary key instead of merging the anchored
mapping; Harness then ignores that unknown key. The fields you meant to merge in are missing
from the step, without an error. hlint reads the file as Harness does: it does not merge
either, so later findings (a missing `image`, say) show what Harness will see.

## Example
```yaml
- step:
    identifier: test
    name: test
    type: Run
    spec:
      <<: *run_defaults
      command: make test
```

## Use instead
Repeat the fields, or move the shared part into a Harness step template:
```yaml
    spec:
      image: golang:1.22
      shell: Bash
      command: make test
```

## Sources
- YAML 1.2.2 dropped merge keys from the core schema: https://yaml.org/spec/1.2.2/ext/changes/
- Jackson's YAML reader keeps `<<` as a field name: FasterXML/jackson-dataformat-yaml issue #20
  ("YAML merge syntax doesn't appear to be handled").
"#,
};

pub fn diagnose(span: Span) -> Diagnostic {
    Diagnostic::new(
        &RULE,
        span,
        "Harness does not apply YAML merge keys: `<<` is read as an ordinary key and ignored",
    )
    .with_help("write the merged fields out in this mapping, or use a Harness template")
}
