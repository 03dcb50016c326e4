use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL100",
    name: "not-a-pipeline",
    severity: Severity::Info,
    summary: "A YAML file named on the command line is not a Harness pipeline",
    doc: r#"## What it does
Says so when a file you named explicitly is YAML but has no top-level `pipeline:` key, so it
is not a Harness pipeline and hlint does not check it. Files found while walking a directory
are skipped silently instead.

## Why is this bad?
It is not, by itself; it tells you that hlint did not check the file, so a clean result does
not mean the file was checked. Templates, input sets and other Harness entities have other
top-level keys.

## Example
```yaml
inputSet:
  identifier: nightly
```

## Use instead
Point hlint at pipeline files, or at a directory.

## Sources
- Harness pipeline YAML starts with `pipeline:`: harness/harness-schema, `v0/pipeline.json`.
"#,
};

/// `empty` when the file holds no YAML content at all (nothing, or only comments).
pub fn diagnose(empty: bool) -> Diagnostic {
    let message = if empty {
        "the file is empty: not a Harness pipeline; not checked"
    } else {
        "not a Harness pipeline (no top-level `pipeline:` key); not checked"
    };
    Diagnostic::new(&RULE, Span::point(0), message)
}
