use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL010",
    name: "unused-suppression",
    severity: Severity::Warning,
    summary: "A rule named in a `# hlint: ignore[...]` comment that reports nothing there",
    doc: r#"## What it does
Finds rules listed in a suppression comment (`# hlint: ignore[...]` or
`# hlint: ignore-file[...]`) that have no finding to suppress: on the comment's line (or,
for a comment alone on its line, the next line with content), or in the file. The fix
removes the code from the list, or the whole comment when nothing in it is used.

Rules turned off by the configuration, `--select`/`--ignore` or per-file ignores are not
judged: the comment may matter under another selection.

## Why is this bad?
A suppression outlives the problem it was written for: the key gets fixed, the step moves,
and the comment stays. The next real problem on that line is then hidden without anyone
deciding so. Removing stale suppressions keeps each one a deliberate, current decision.

## Example
```yaml
    spec:
      command: make test  # hlint: ignore[unknown-key]
```

## Use instead
```yaml
    spec:
      command: make test
```

## Sources
- The same check in other linters: Ruff's `unused-noqa` (RUF100),
  https://docs.astral.sh/ruff/rules/unused-noqa/, and ESLint's
  `--report-unused-disable-directives`.
"#,
};

/// Where the suppression applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `# hlint: ignore[...]`: one line.
    Line,
    /// `# hlint: ignore-file[...]`: the whole file.
    File,
}

/// `listed` is the code or name as written, at `span`; `removal` deletes it from the list,
/// or the whole comment when `whole` is true.
pub fn diagnose(
    span: Span,
    listed: &str,
    rule: &'static Rule,
    scope: Scope,
    removal: Span,
    whole: bool,
) -> Diagnostic {
    let place = match scope {
        Scope::Line => "on this line",
        Scope::File => "in this file",
    };
    let description = if whole {
        "remove the suppression comment".to_owned()
    } else {
        format!("remove `{listed}` from the suppression")
    };
    Diagnostic::new(
        &RULE,
        span,
        format!(
            "unused suppression: `{}` ({}) reports nothing {place}",
            rule.code, rule.name
        ),
    )
    .with_help(description.clone())
    .with_fix(
        description,
        vec![Edit {
            span: removal,
            replacement: String::new(),
        }],
    )
}
