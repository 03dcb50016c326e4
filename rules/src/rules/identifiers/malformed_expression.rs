use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL603",
    name: "malformed-expression",
    severity: Severity::Error,
    summary: "A `<+` expression that is never closed, or empty",
    doc: r#"## What it does
Finds Harness expressions that open with `<+` and are never closed with `>`, and empty ones
(`<+>`).

## Why is this bad?
Harness cannot resolve the expression: the text is passed on as it is (a step receives the
literal `<+pipeline.name`), or the pipeline fails when the value is evaluated.

## Example
```yaml
command: echo "building <+pipeline.name"
```

## Use instead
```yaml
command: echo "building <+pipeline.name>"
```

## Sources
- "`<+ ... >` holds a JEXL expression": ../shared/harness-ci-facts.md, "Expressions".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for expression in cx.expressions {
        let span = || cx.expressions.file_span(expression, expression.value_span);
        if !expression.closed {
            out.push(
                Diagnostic::new(
                    &RULE,
                    span(),
                    "this expression is never closed: `<+` has no matching `>`",
                )
                .with_help("end the expression with `>`"),
            );
        } else if expression.inner.trim().is_empty() {
            out.push(
                Diagnostic::new(&RULE, span(), "empty expression `<+>`")
                    .with_help("write what it should evaluate, or remove it"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    #[test]
    fn bad_unclosed() {
        let text = pipeline(Infra::Cloud, "- step:\n    identifier: a\n    name: a\n    type: Run\n    spec:\n      command: echo <+pipeline.name\n");
        assert_eq!(
            findings(&text, "HL603")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["<+pipeline.name"]
        );
    }

    #[test]
    fn good_closed() {
        assert_clean(&pipeline(Infra::Cloud, "- step:\n    identifier: a\n    name: a\n    type: Run\n    spec:\n      command: echo <+pipeline.name>\n"));
    }
}
