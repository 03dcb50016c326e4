use hlint_schema::model::StepSpec;

use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL503",
    name: "background-unsupported-field",
    severity: Severity::Error,
    summary: "`failureStrategies` or `outputVariables` on a Background step",
    doc: r#"## What it does
Finds `failureStrategies` and `outputVariables` on Background steps.

## Why is this bad?
Harness does not support either on Background steps: a Background step finishes as soon as
its service has started, so there is no result to retry or ignore and no script end at which
variables could be exported. The settings do nothing, and whoever reads the pipeline is
misled into thinking the service is retried or exports values.

## Example
```yaml
- step:
    identifier: db
    name: db
    type: Background
    failureStrategies:
      - onFailure: {errors: [AllErrors], action: {type: Retry}}
    spec:
      image: postgres:16.4
      outputVariables:
        - name: DB_URL
```

## Use instead
Put retries and outputs on the health-check Run step that follows the service:
```yaml
- step:
    identifier: db_ready
    name: db ready
    type: Run
    failureStrategies:
      - onFailure: {errors: [AllErrors], action: {type: Retry, spec: {retryCount: 3, retryIntervals: [5s]}}}
    spec:
      image: postgres:16.4
      command: pg_isready -h localhost
```

## Sources
- "Background steps do not support failure strategies or output variables":
  ../shared/harness-ci-facts.md, "Background step".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        for entry in stage.steps() {
            let step = &entry.step.value;
            let Some(spec) = step
                .spec
                .as_ref()
                .filter(|s| matches!(s.value, StepSpec::Background(_)))
            else {
                continue;
            };
            if let Some(strategies) = &step.failure_strategies {
                out.push(
                    Diagnostic::new(&RULE, strategies.key_or_value_span(), "Background steps do not support `failureStrategies`: the step ends as soon as the service starts")
                        .with_help("move the failure strategy to the health-check step that follows the service"),
                );
            }
            if let Some(outputs) = cx.tree.entry(spec.node, "outputVariables") {
                out.push(
                    Diagnostic::new(
                        &RULE,
                        cx.tree.span(outputs.key),
                        "Background steps do not support `outputVariables`",
                    )
                    .with_help("export the values from a Run step instead"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    #[test]
    fn bad_failure_strategies_and_output_variables() {
        let text = pipeline(
            Infra::Cloud,
            "- step:\n    identifier: db\n    name: db\n    type: Background\n    failureStrategies:\n      - onFailure:\n          errors: [AllErrors]\n          action: {type: Ignore}\n    spec:\n      image: redis:7.2\n      outputVariables:\n        - name: URL\n",
        );
        let spans: Vec<&str> = findings(&text, "HL503").iter().map(|f| f.0).collect();
        assert_eq!(spans, ["failureStrategies", "outputVariables"]);
        assert!(
            findings(&text, "HL101").is_empty(),
            "reported once, by HL503"
        );
    }

    #[test]
    fn good_on_a_run_step() {
        assert_clean(&pipeline(
            Infra::Cloud,
            "- step:\n    identifier: db\n    name: db\n    type: Background\n    spec:\n      image: redis:7.2\n- step:\n    identifier: check\n    name: check\n    type: Run\n    failureStrategies:\n      - onFailure:\n          errors: [AllErrors]\n          action: {type: Ignore}\n    spec:\n      command: export URL=ready\n      outputVariables:\n        - name: URL\n",
        ));
    }
}
