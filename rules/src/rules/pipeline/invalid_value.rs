use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL104",
    name: "invalid-value",
    severity: Severity::Error,
    summary: "A value outside the fixed set Harness accepts (`shell: bash`)",
    doc: r#"## What it does
Finds values of enumerated fields that Harness does not accept: `shell: bash` (Harness wants
`Bash`), `imagePullPolicy: always`, a volume `type: emptyDir`, `os: linux`. When an allowed
value is close (usually a matter of case), the fix replaces it.

## Why is this bad?
Harness matches these values exactly and rejects the pipeline.

## Example
```yaml
spec:
  shell: bash
  imagePullPolicy: if-not-present
```

## Use instead
```yaml
spec:
  shell: Bash
  imagePullPolicy: IfNotPresent
```

## Sources
- Allowed values: harness/harness-schema, `v0/pipeline.json` (`enum` lists), and
  ../shared/harness-ci-facts.md ("Run step": `shell`, `imagePullPolicy`).
"#,
};

pub fn diagnose(
    span: Span,
    value: &str,
    suggestion: Option<&str>,
    allowed: &[String],
    message: String,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(&RULE, span, message);
    match suggestion {
        Some(suggestion) => diagnostic
            .with_help(format!("write `{suggestion}`"))
            .with_fix(
                format!("replace `{value}` with `{suggestion}`"),
                vec![Edit {
                    span,
                    replacement: suggestion.to_owned(),
                }],
            ),
        None => diagnostic.with_help(format!("use one of: {}", allowed.join(", "))),
    }
}
