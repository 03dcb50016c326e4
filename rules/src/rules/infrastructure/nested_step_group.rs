use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL504",
    name: "nested-step-group",
    severity: Severity::Error,
    summary: "A step group inside another step group in a CI stage",
    doc: r#"## What it does
Finds step groups nested in other step groups in CI stages.

## Why is this bad?
Harness's schema allows nesting, but CI stages do not support it: the pipeline is rejected
when it runs. Flatten the groups, or run them side by side under `parallel`.

## Example
```yaml
- stepGroup:
    identifier: outer
    name: outer
    steps:
      - stepGroup:
          identifier: inner
          name: inner
          steps: [...]
```

## Use instead
```yaml
- stepGroup:
    identifier: outer
    name: outer
    steps: [...]
- stepGroup:
    identifier: inner
    name: inner
    steps: [...]
```

## Sources
- "In CI, step groups cannot be nested (the schema allows it, the CI docs forbid it)":
  ../shared/harness-ci-facts.md, "Shape of a CI pipeline".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        for entry in stage.stage().step_groups() {
            let Some(parent) = entry.parent_group() else {
                continue;
            };
            let span = entry
                .group
                .identifier
                .as_ref()
                .map_or(entry.group.span, |id| id.span);
            let parent_id = parent.id().unwrap_or("?");
            out.push(
                Diagnostic::new(&RULE, span, format!("step group `{}` is nested in step group `{parent_id}`: CI stages do not support nested step groups", entry.group.id().unwrap_or("?")))
                    .with_label(parent.identifier.as_ref().map_or(parent.span, |id| id.span), "the enclosing group")
                    .with_help("move the inner group's steps into the outer group, or make the groups siblings"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    const RUN: &str = "        - step:\n            identifier: a\n            name: a\n            type: Run\n            spec:\n              command: echo a\n";

    #[test]
    fn bad_nested_group() {
        let steps = format!("- stepGroup:\n    identifier: outer\n    name: outer\n    steps:\n      - stepGroup:\n          identifier: inner\n          name: inner\n          steps:\n{}", RUN.replace("        ", "            "));
        let text = pipeline(Infra::Cloud, &steps);
        assert_eq!(
            findings(&text, "HL504")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["inner"]
        );
    }

    #[test]
    fn good_sibling_groups() {
        let steps = format!(
            "- stepGroup:\n    identifier: one\n    name: one\n    steps:\n{}",
            RUN.replace("        ", "      ")
        );
        assert_clean(&pipeline(Infra::Cloud, &steps));
    }
}
