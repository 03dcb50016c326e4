use crate::analysis::expressions::Reference;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL605",
    name: "reference-not-ready",
    severity: Severity::Error,
    summary: "A step reads the output of a step that has not finished: itself, a later step, or a parallel sibling",
    doc: r#"## What it does
Checks `<+steps.ID.output...>` and `<+execution.steps...steps.ID.output...>` expressions
against the execution graph: the step named must certainly have finished before the step that
reads it starts. It reports a step reading its own outputs, a step reading a step that runs
after it, and a step reading a step in another branch of the same `parallel` block.

## Why is this bad?
Harness resolves an expression when the step that holds it starts. An output that does not
exist yet resolves to `null`: the step runs with an empty value, and nothing says why.
Parallel siblings run at the same time, so their outputs are never there.

## Example
```yaml
- parallel:
    - step:
        identifier: version
        type: Run
        spec:
          command: export VERSION=1.2.3
          outputVariables: [{name: VERSION}]
    - step:
        identifier: tag
        type: Run
        spec:
          command: docker tag app app:<+steps.version.output.outputVariables.VERSION>
```

## Use instead
Move the reader after the step it reads:
```yaml
- step: {identifier: version, ...}
- step: {identifier: tag, ...}
```

## Sources
- "An expression can only use what exists when it is evaluated: never the same step's or a later
  step's output"; "Parallel siblings cannot read each other's outputs": ../shared/harness-ci-facts.md,
  "Expressions" and "Run step".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for expression in cx.expressions {
        let holder = cx.expressions.holder_span(expression);
        let Some(stage) = cx.stage_at(holder) else {
            continue;
        };
        let Some(reader) = stage.step_at(holder) else {
            continue;
        };
        for reference in &expression.references {
            let Some((id, at)) = output_target(reference) else {
                continue;
            };
            let Some(target) = stage.graph.find(id) else {
                continue;
            }; // HL604's business
            let span = cx
                .expressions
                .file_span(expression, reference.segment_value_spans[at]);
            let message = if target == reader {
                format!(
                    "this step reads its own output `{id}`: outputs exist only after the step ends"
                )
            } else if stage.graph.finishes_before(target, reader) {
                continue;
            } else if stage.graph.concurrent_branches(target, reader) {
                format!("`{id}` runs in parallel with this step, so its output does not exist yet when this step starts")
            } else {
                format!("`{id}` runs after this step, so its output does not exist yet when this step starts")
            };
            let target_span = stage
                .graph
                .step(target)
                .identifier
                .as_ref()
                .map_or(stage.graph.step(target).span, |i| i.span);
            out.push(
                Diagnostic::new(&RULE, span, message)
                    .with_label(target_span, format!("`{id}` is defined here"))
                    .with_help(format!(
                        "move this step after `{id}`, outside any `parallel` block they share"
                    )),
            );
        }
    }
}

/// The step an output reference names, and the index of that segment.
fn output_target(reference: &Reference) -> Option<(&str, usize)> {
    let segments: Vec<&str> = reference.segments.iter().map(String::as_str).collect();
    let mut at = match segments.as_slice() {
        ["steps", ..] => 1,
        ["execution", "steps", ..] => 2,
        _ => return None,
    };
    // `steps.GROUP.steps.ID.output...`: the innermost step.
    while segments.get(at + 1) == Some(&"steps") && segments.len() > at + 2 {
        at += 2;
    }
    (segments.get(at + 1) == Some(&"output")).then(|| (segments[at], at))
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    const VERSION: &str = "- step:\n    identifier: version\n    name: version\n    type: Run\n    spec:\n      command: export VERSION=1.2.3\n      outputVariables:\n        - name: VERSION\n";
    const TAG: &str = "- step:\n    identifier: tag\n    name: tag\n    type: Run\n    spec:\n      command: echo <+steps.version.output.outputVariables.VERSION>\n";

    fn indent(text: &str) -> String {
        text.lines().map(|line| format!("    {line}\n")).collect()
    }

    #[test]
    fn bad_parallel_sibling_and_later_step() {
        let parallel = pipeline(
            Infra::Cloud,
            &format!("- parallel:\n{}{}", indent(VERSION), indent(TAG)),
        );
        assert_eq!(
            findings(&parallel, "HL605")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["version"]
        );
        let later = pipeline(Infra::Cloud, &format!("{TAG}{VERSION}"));
        assert!(findings(&later, "HL605")[0]
            .1
            .contains("runs after this step"));
    }

    #[test]
    fn good_reader_after_the_step() {
        assert_clean(&pipeline(Infra::Cloud, &format!("{VERSION}{TAG}")));
    }
}
