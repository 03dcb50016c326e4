use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL606",
    name: "malformed-secret-reference",
    severity: Severity::Error,
    summary: "A `secrets.getValue` call Harness cannot resolve",
    doc: r#"## What it does
Checks `<+secrets.getValue("id")>` calls: the method name (`getValue`, case-sensitive), the
parentheses, and one quoted secret identifier.

## Why is this bad?
A malformed call does not resolve: the step receives `null` or the expression text instead of
the secret, and the failure shows up as an authentication error far from its cause.

## Example
```yaml
envVariables:
  PGPASSWORD: <+secrets.getValue(pg_password)>
  TOKEN: <+secrets.getvalue("token")>
```

## Use instead
```yaml
envVariables:
  PGPASSWORD: <+secrets.getValue("pg_password")>
  TOKEN: <+secrets.getValue("token")>
```

## Sources
- Expression roots include `secrets.getValue("id")`: ../shared/harness-ci-facts.md, "Expressions".
- Harness secrets in expressions: https://developer.harness.io/docs/platform/secrets/add-use-text-secrets
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for expression in cx.expressions {
        for call in &expression.secret_calls {
            if let Some(problem) = &call.problem {
                out.push(
                    Diagnostic::new(
                        &RULE,
                        cx.expressions.file_span(expression, call.value_span),
                        problem.clone(),
                    )
                    .with_help("write `secrets.getValue(\"secret_id\")`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    fn with_env(value: &str) -> String {
        pipeline(Infra::Cloud, &format!("- step:\n    identifier: a\n    name: a\n    type: Run\n    spec:\n      command: echo\n      envVariables:\n        TOKEN: {value}\n"))
    }

    #[test]
    fn bad_unquoted_id() {
        let text = with_env("<+secrets.getValue(token)>");
        assert_eq!(
            findings(&text, "HL606")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["secrets.getValue(token)"]
        );
    }

    #[test]
    fn good_quoted_id() {
        assert_clean(&with_env("<+secrets.getValue(\"token\")>"));
    }
}
