use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::all_identifiers;

pub static RULE: Rule = Rule {
    code: "HL601",
    name: "reserved-identifier",
    severity: Severity::Error,
    summary: "An identifier that Harness reserves (`step`, `status`, `and`, ...)",
    doc: r#"## What it does
Finds pipeline, stage, step and step group identifiers that are reserved words in Harness:
`or and eq ne lt gt le ge div mod not null true false new var return step parallel stepGroup
org account status liteEngineTask`.

## Why is this bad?
Harness rejects these identifiers: they collide with its expression language (`<+steps.status>`
would be ambiguous) and with its own execution nodes.

## Example
```yaml
- step:
    identifier: status
    name: status
    type: Run
```

## Use instead
```yaml
- step:
    identifier: report_status
    name: status
    type: Run
```

## Sources
- Reserved identifiers: ../shared/harness-ci-facts.md, "Shape of a CI pipeline" (from Harness's
  identifier rules).
"#,
};

/// Case-sensitive, as Harness compares them.
pub const RESERVED: &[&str] = &[
    "or",
    "and",
    "eq",
    "ne",
    "lt",
    "gt",
    "le",
    "ge",
    "div",
    "mod",
    "not",
    "null",
    "true",
    "false",
    "new",
    "var",
    "return",
    "step",
    "parallel",
    "stepGroup",
    "org",
    "account",
    "status",
    "liteEngineTask",
];

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for identified in all_identifiers(cx) {
        let id = identified.id;
        if RESERVED.contains(&id.value.as_str()) {
            out.push(
                Diagnostic::new(
                    &RULE,
                    id.span,
                    format!(
                        "`{}` is a reserved word in Harness and cannot be a {} identifier",
                        id.value, identified.what
                    ),
                )
                .with_help(format!(
                    "choose another identifier, such as `{}_{}`",
                    identified.what.replace(' ', "_"),
                    id.value
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    #[test]
    fn bad_reserved_step_identifier() {
        let text = pipeline(Infra::Cloud, "- step:\n    identifier: status\n    name: status\n    type: Run\n    spec:\n      command: echo\n");
        let found = findings(&text, "HL601");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "status");
    }

    #[test]
    fn good_identifier_and_case_matters() {
        assert_clean(&pipeline(Infra::Cloud, "- step:\n    identifier: Status\n    name: status\n    type: Run\n    spec:\n      command: echo\n"));
    }
}
