use hlint_schema::Span;

use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL105",
    name: "invalid-format",
    severity: Severity::Error,
    summary: "An identifier, name or timeout that does not have the form Harness requires",
    doc: r#"## What it does
Checks values that must match a pattern: identifiers (`^[a-zA-Z_][0-9a-zA-Z_]{0,127}$`: letters,
digits and `_`, not starting with a digit), names (letters, digits, spaces, `_`, `-`, `.`), and
timeouts (`10s`, `1m30s`, `1h 30m`, `2w`).

## Why is this bad?
Harness rejects the pipeline when it is saved. Identifiers are also how steps are reached
(`<+steps.ID...>`, and as host names of Background services), so a hyphen in one is a mistake
that shows up twice.

## Example
```yaml
- step:
    identifier: run-tests
    name: run tests
    timeout: 10 minutes
```

## Use instead
```yaml
- step:
    identifier: run_tests
    name: run tests
    timeout: 10m
```

## Sources
- Identifier and name patterns: ../shared/harness-ci-facts.md, "Shape of a CI pipeline", from
  harness/harness-schema `v0/pipeline.json`.
- Timeout form: harness/harness-schema, `v0/pipeline/pipeline.yaml` (`timeout` pattern).
"#,
};

/// `what` names the kind of value ("identifier", "name", "timeout"); identifiers get a fix.
pub fn diagnose(span: Span, value: &str, what: &str, message: String) -> Diagnostic {
    let diagnostic = Diagnostic::new(&RULE, span, message);
    if what != "identifier" {
        return diagnostic;
    }
    let fixed = identifier_from(value);
    diagnostic.with_help(format!("write `{fixed}`")).with_fix(
        format!("rename to `{fixed}`"),
        vec![Edit {
            span,
            replacement: fixed,
        }],
    )
}

/// The nearest valid identifier: other characters become `_`, a leading digit gets a `_`
/// before it, and the result keeps at most 128 characters.
pub fn identifier_from(value: &str) -> String {
    let mut fixed: String = value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !fixed.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        fixed.insert(0, '_');
    }
    fixed.chars().take(128).collect()
}

#[cfg(test)]
mod tests {
    use super::identifier_from;
    use crate::testing::{findings, lint, pipeline, Infra};

    #[test]
    fn identifiers_are_rewritten_to_the_nearest_valid_one() {
        assert_eq!(identifier_from("run-tests"), "run_tests");
        assert_eq!(identifier_from("1publish"), "_1publish");
        assert_eq!(identifier_from("héllo world"), "h_llo_world");
    }

    #[test]
    fn bad_identifier_has_a_fix_good_one_is_clean() {
        let text = pipeline(Infra::Cloud, "- step:\n    identifier: run-tests\n    name: run tests\n    type: Run\n    spec:\n      command: make\n");
        assert_eq!(
            findings(&text, "HL105")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["run-tests"]
        );
        let diagnostic = lint(&text)
            .into_iter()
            .find(|d| d.rule.code == "HL105")
            .unwrap();
        assert_eq!(diagnostic.fix.unwrap().edits[0].replacement, "run_tests");
        crate::testing::assert_clean(&text.replace("run-tests", "run_tests"));
    }
}
