use hlint_schema::model::{Spanned, Variable};
use hlint_schema::validate::closest;
use hlint_schema::Span;

use crate::analysis::expressions::{Expression, Expressions, Reference};
use crate::analysis::stage::StageAnalysis;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL604",
    name: "unknown-reference",
    severity: Severity::Error,
    summary: "An expression names a step, stage, variable or output that does not exist",
    doc: r#"## What it does
Checks the paths expressions name against the pipeline: `steps.ID` and
`execution.steps.GROUP.steps.ID` (a step or step group of the same stage), `pipeline.stages.S`
(a stage of the pipeline) and `...spec.execution.steps.ID` under it, `pipeline.variables.X` and
`stage.variables.X` (declared variables), and `output.outputVariables.X` (a variable the step
declares). A close existing name is suggested, and the fix uses it.

## Why is this bad?
Harness resolves an unknown path to `null`, or fails the step: a misspelt step identifier in
`<+steps.buid.output.outputVariables.VERSION>` gives an empty version and a broken tag, long
after the typo was made.

## Example
```yaml
- step:
    identifier: version
    name: version
    type: Run
    spec:
      command: export VERSION=1.2.3
      outputVariables:
        - name: VERSION
- step:
    identifier: tag
    name: tag
    type: Run
    spec:
      command: echo <+steps.versoin.output.outputVariables.VERSION>
```

## Use instead
```yaml
      command: echo <+steps.version.output.outputVariables.VERSION>
```

## Sources
- Output variable paths, and which names can be read from where: ../shared/harness-ci-facts.md,
  "Run step" and "Expressions".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for expression in cx.expressions {
        let stage = cx.stage_at(cx.expressions.holder_span(expression));
        for reference in &expression.references {
            let placed = Placed {
                reference,
                expression,
                expressions: cx.expressions,
            };
            if let Some(diagnostic) = check_reference(cx, stage, &placed) {
                out.push(diagnostic);
            }
        }
    }
}

/// A reference with what places its segments in the file.
struct Placed<'r> {
    reference: &'r Reference,
    expression: &'r Expression,
    expressions: &'r Expressions<'r>,
}

impl Placed<'_> {
    /// Where segment `at` is written.
    fn segment_span(&self, at: usize) -> Span {
        self.expressions
            .file_span(self.expression, self.reference.segment_value_spans[at])
    }
}

impl std::ops::Deref for Placed<'_> {
    type Target = Reference;

    fn deref(&self) -> &Reference {
        self.reference
    }
}

fn check_reference(
    cx: &Context,
    stage: Option<&StageAnalysis>,
    reference: &Placed,
) -> Option<Diagnostic> {
    let segments: Vec<&str> = reference.segments.iter().map(String::as_str).collect();
    match segments.as_slice() {
        ["pipeline", "variables", name, ..] => variable(
            reference,
            2,
            name,
            cx.pipeline.variables.as_ref(),
            "pipeline",
        ),
        ["stage", "variables", name, ..] => {
            let stage = stage?;
            variable(
                reference,
                2,
                name,
                stage.stage().variables.as_ref(),
                "stage",
            )
        }
        ["pipeline", "stages", stage_id, rest @ ..] => {
            let stages: Vec<&str> = cx
                .pipeline
                .stages()
                .filter_map(|entry| entry.stage.id())
                .collect();
            if !stages.contains(stage_id) {
                return Some(unknown(
                    reference,
                    2,
                    "stage",
                    stage_id,
                    &stages,
                    "this pipeline",
                ));
            }
            let target = cx.ci_stages().find(|s| s.stage().id() == Some(stage_id))?;
            match rest {
                ["spec", "execution", "steps", step_id, tail @ ..] => {
                    step(reference, 6, target, step_id, tail)
                }
                _ => None,
            }
        }
        ["steps", step_id, tail @ ..] => step(reference, 1, stage?, step_id, tail),
        ["execution", "steps", group_or_step, tail @ ..] => {
            step(reference, 2, stage?, group_or_step, tail)
        }
        _ => None,
    }
}

/// `steps.ID` (at segment `at`), then, when the path goes on to `output.outputVariables.X`
/// or into a group's `steps.ID`, those too.
fn step(
    reference: &Placed,
    at: usize,
    stage: &StageAnalysis,
    step_id: &str,
    tail: &[&str],
) -> Option<Diagnostic> {
    let ids = stage.identifiers();
    if !ids.contains(&step_id) {
        return Some(unknown(reference, at, "step", step_id, &ids, "this stage"));
    }
    match tail {
        ["steps", inner, rest @ ..] => step(reference, at + 2, stage, inner, rest),
        ["output", "outputVariables", name, ..] => {
            let entry = stage
                .steps()
                .iter()
                .find(|entry| entry.step.id() == Some(step_id))?;
            let spec = entry.step.spec.as_ref()?;
            let declared: Vec<&str> = match &spec.value {
                hlint_schema::model::StepSpec::Run(run)
                | hlint_schema::model::StepSpec::Test(run) => run
                    .output_variables
                    .as_ref()?
                    .iter()
                    .filter_map(|v| v.name.as_ref().map(|n| n.value.as_str()))
                    .collect(),
                _ => return None,
            };
            if declared.contains(name) {
                return None;
            }
            Some(unknown(
                reference,
                at + 3,
                "output variable",
                name,
                &declared,
                &format!("step `{step_id}`"),
            ))
        }
        _ => None,
    }
}

fn variable(
    reference: &Placed,
    at: usize,
    name: &str,
    declared: Option<&Spanned<Vec<Spanned<Variable>>>>,
    scope: &str,
) -> Option<Diagnostic> {
    let names: Vec<&str> = declared
        .map(|list| list.iter().filter_map(|v| v.name()).collect())
        .unwrap_or_default();
    if names.contains(&name) {
        return None;
    }
    Some(unknown(
        reference,
        at,
        "variable",
        name,
        &names,
        &format!("the {scope}'s `variables`"),
    ))
}

fn unknown(
    reference: &Placed,
    at: usize,
    what: &str,
    name: &str,
    known: &[&str],
    place: &str,
) -> Diagnostic {
    let span = reference.segment_span(at);
    let diagnostic = Diagnostic::new(&RULE, span, format!("no {what} `{name}` in {place}"));
    match closest(name, known.iter().copied()) {
        Some(suggestion) => diagnostic
            .with_help(format!("did you mean `{suggestion}`?"))
            .with_fix(
                format!("use `{suggestion}`"),
                vec![Edit {
                    span,
                    replacement: suggestion.to_owned(),
                }],
            ),
        None if known.is_empty() => diagnostic.with_help(format!("{place} declares no {what}")),
        None => diagnostic.with_help(format!("known here: {}", known.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    const STEPS: &str = "- step:\n    identifier: version\n    name: version\n    type: Run\n    spec:\n      command: export VERSION=1.2.3\n      outputVariables:\n        - name: VERSION\n- step:\n    identifier: tag\n    name: tag\n    type: Run\n    spec:\n      command: echo <+steps.REF.output.outputVariables.OUT>\n";

    #[test]
    fn bad_misspelt_step_and_output() {
        let text = pipeline(
            Infra::Cloud,
            &STEPS.replace("REF", "versoin").replace("OUT", "VERSION"),
        );
        let found = findings(&text, "HL604");
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), ["versoin"]);
        let text = pipeline(
            Infra::Cloud,
            &STEPS.replace("REF", "version").replace("OUT", "VERSOIN"),
        );
        assert_eq!(
            findings(&text, "HL604")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["VERSOIN"]
        );
    }

    #[test]
    fn bad_undeclared_pipeline_variable() {
        let text = pipeline(Infra::Cloud, "- step:\n    identifier: a\n    name: a\n    type: Run\n    spec:\n      command: echo <+pipeline.variables.region>\n");
        assert_eq!(
            findings(&text, "HL604")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["region"]
        );
    }

    #[test]
    fn good_existing_references() {
        assert_clean(&pipeline(
            Infra::Cloud,
            &STEPS.replace("REF", "version").replace("OUT", "VERSION"),
        ));
        let with_variable = pipeline(Infra::Cloud, "- step:\n    identifier: a\n    name: a\n    type: Run\n    spec:\n      command: echo <+pipeline.variables.region> <+pipeline.name> <+codebase.branch>\n")
            .replace("  stages:\n", "  variables:\n    - name: region\n      type: String\n      value: eu\n  stages:\n");
        assert_clean(&with_variable);
    }
}
