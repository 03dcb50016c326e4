//! `when`: whether a step (or a stage) runs, from the status so far and its condition.
//!
//! A step's `stageStatus` (a stage's `pipelineStatus`): `Success` (the default, also with no
//! `when` at all) runs only if nothing has failed so far, `Failure` only if something has,
//! `All` always. Its `condition` must then hold too. Every `when` around a step (its own, its
//! step groups') must let it run.

use super::expressions::{evaluate_condition, Scope};
use crate::plan::Condition;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Run,
    /// Not run, and why.
    Skip(String),
    /// The `when` itself cannot be decided (a condition `--execute` cannot evaluate).
    Error(String),
}

/// Whether to run, given the `when`s that apply (`conditions`), whether something has failed
/// so far, and where conditions are evaluated.
pub fn decide(conditions: &[Condition], failed_so_far: bool, scope: &Scope<'_>) -> Decision {
    if conditions.is_empty() && failed_so_far {
        return Decision::Skip(
            "something failed before it (with no `when` it runs only on success)".into(),
        );
    }
    for when in conditions {
        let status = when.status.as_deref().unwrap_or("Success");
        let runs = match status {
            "Success" => !failed_so_far,
            "Failure" => failed_so_far,
            "All" => true,
            other => {
                return Decision::Error(format!(
                    "`when` status `{other}` ({}) is not Success, Failure or All",
                    when.from
                ))
            }
        };
        if !runs {
            return Decision::Skip(if failed_so_far {
                format!(
                    "something failed before it and its `when` ({}) needs {status}",
                    when.from
                )
            } else {
                format!(
                    "nothing has failed and its `when` ({}) needs {status}",
                    when.from
                )
            });
        }
        if let Some(condition) = &when.condition {
            match evaluate_condition(condition, scope) {
                Ok(true) => {}
                Ok(false) => {
                    return Decision::Skip(format!(
                        "its condition `{condition}` ({}) is false",
                        when.from
                    ))
                }
                Err(error) => return Decision::Error(error),
            }
        }
    }
    Decision::Run
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::execute::expressions::{Outputs, Values};
    use crate::plan::Plan;

    fn when(status: Option<&str>, condition: Option<&str>) -> Condition {
        Condition {
            from: "step".into(),
            status: status.map(str::to_owned),
            condition: condition.map(str::to_owned),
            text: String::new(),
        }
    }

    fn with_scope(test: impl Fn(&Scope<'_>)) {
        let yaml = "pipeline:\n  name: p\n  identifier: p\n  variables:\n    - name: env\n      type: String\n      value: prod\n  stages:\n    - stage:\n        identifier: s\n        name: s\n        type: CI\n        spec:\n          execution:\n            steps:\n              - step: {identifier: a, name: a, type: Run, spec: {image: x, command: echo}}\n";
        let plan = Plan::from_source("p.yaml", yaml.as_bytes(), &Default::default(), None).unwrap();
        let values = Values::new(&plan, Default::default(), vec![], vec![]);
        let outputs = Outputs::default();
        let stage = &plan.stages[0];
        test(&Scope {
            values: &values,
            stage,
            step: stage.steps.first(),
            outputs: &outputs,
        });
    }

    #[test]
    fn statuses() {
        with_scope(|scope| {
            assert_eq!(decide(&[], false, scope), Decision::Run);
            assert!(matches!(decide(&[], true, scope), Decision::Skip(_)));
            for (status, ok_runs, failed_runs) in [
                (Some("Success"), true, false),
                (None, true, false),
                (Some("Failure"), false, true),
                (Some("All"), true, true),
            ] {
                let list = [when(status, None)];
                assert_eq!(
                    decide(&list, false, scope) == Decision::Run,
                    ok_runs,
                    "{status:?}"
                );
                assert_eq!(
                    decide(&list, true, scope) == Decision::Run,
                    failed_runs,
                    "{status:?}"
                );
            }
            assert!(matches!(
                decide(&[when(Some("<+x>"), None)], false, scope),
                Decision::Error(_)
            ));
        });
    }

    #[test]
    fn conditions_and_nesting() {
        with_scope(|scope| {
            let yes = when(Some("All"), Some("<+pipeline.variables.env> == 'prod'"));
            let no = when(Some("All"), Some("<+pipeline.variables.env> != 'prod'"));
            assert_eq!(
                decide(std::slice::from_ref(&yes), true, scope),
                Decision::Run
            );
            let skipped = decide(&[yes.clone(), no], false, scope);
            assert!(
                matches!(&skipped, Decision::Skip(why) if why.contains("is false")),
                "{skipped:?}"
            );
            let unknown = decide(
                &[when(Some("Success"), Some("<+codebase.branch> == 'main'"))],
                false,
                scope,
            );
            assert!(
                matches!(&unknown, Decision::Error(e) if e.contains("<+codebase.branch>")),
                "{unknown:?}"
            );
            // A status that skips is decided before the condition is looked at.
            let after_failure = decide(
                &[when(Some("Success"), Some("<+codebase.branch>"))],
                true,
                scope,
            );
            assert!(matches!(after_failure, Decision::Skip(_)));
        });
    }
}
