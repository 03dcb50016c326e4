use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL011",
    name: "invalid-suppression",
    severity: Severity::Warning,
    summary: "A `# hlint:` comment that hlint cannot read, so it suppresses nothing",
    doc: r#"## What it does
Finds `# hlint:` comments that are not well-formed suppressions: an unknown directive, a
missing list (`# hlint: ignore`), rules not in brackets (`# hlint: ignore HL101`), an
unclosed or empty list, or an unknown rule code or name in the list. The known rules of a
list still apply; the unknown ones are reported.

A suppression must name the rules it suppresses: hlint has no blanket `# hlint: ignore`, so
that no comment can silence every finding of a line (or a file) by accident.

## Why is this bad?
A suppression that hlint cannot read suppresses nothing, while whoever wrote it believes the
finding is handled, or it silences less than they think. A misspelt code (`HL1O1`) looks
right at a glance.

## Example
```yaml
      comand: make test  # hlint: ignore
      timout: 10m        # hlint: ignore HL101
```

## Use instead
```yaml
      comand: make test  # hlint: ignore[unknown-key]
      timout: 10m        # hlint: ignore[HL101]
```

## Sources
- hlint's suppression syntax: README, "Suppressing findings".
- Ruff reports malformed `noqa` comments the same way (`invalid-noqa`, PGH004's blanket
  `noqa`): https://docs.astral.sh/ruff/rules/blanket-noqa/
"#,
};

pub fn diagnose(span: Span, message: impl Into<String>, help: impl Into<String>) -> Diagnostic {
    Diagnostic::new(&RULE, span, message).with_help(help)
}

/// The same, with a fix that the author should review (it changes what is suppressed).
pub fn diagnose_with_fix(
    span: Span,
    message: impl Into<String>,
    help: impl Into<String>,
    description: impl Into<String>,
    edit: Edit,
) -> Diagnostic {
    diagnose(span, message, help).with_unsafe_fix(description, vec![edit])
}
