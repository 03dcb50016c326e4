//! Pipeline and stage variables: as written in the pipeline, overridden by `--var`, their
//! `<+input>`s from `--input-file`; a `Secret` variable's value is a secret identifier.
//!
//! Names given on the command line and in the input file: `NAME` (or `pipeline.NAME`) for a
//! pipeline variable; `STAGE.NAME` (the stage identifier) or `stage.NAME` (every stage) for a
//! stage variable. `--var` wins over `--input-file`, which wins over an input's default.

use super::{runtime_input, scan, Scope, Secrets};
use crate::plan::{Plan, VariablePlan};

/// What a run knows besides the plan: secrets, the pipeline's identity and variables, and
/// the values the user gave.
#[derive(Clone, Debug, Default)]
pub struct Values {
    pub secrets: Secrets,
    pub pipeline_name: Option<String>,
    pub pipeline_identifier: Option<String>,
    pub pipeline_variables: Vec<VariablePlan>,
    /// `--var NAME=VALUE`, in order (the first of a name wins).
    pub overrides: Vec<(String, String)>,
    /// `--input-file` entries (flattened: `stage.NAME`).
    pub inputs: Vec<(String, String)>,
}

enum Level<'a> {
    Pipeline,
    Stage(&'a str),
}

impl Values {
    pub fn new(
        plan: &Plan,
        secrets: Secrets,
        overrides: Vec<(String, String)>,
        inputs: Vec<(String, String)>,
    ) -> Values {
        Values {
            secrets,
            pipeline_name: plan.pipeline.name.clone(),
            pipeline_identifier: plan.pipeline.identifier.clone(),
            pipeline_variables: plan.pipeline.variables.clone(),
            overrides,
            inputs,
        }
    }

    pub(super) fn pipeline_variable(
        &self,
        scope: &Scope<'_>,
        name: &str,
        depth: usize,
    ) -> Result<String, String> {
        let Some(variable) = self.pipeline_variables.iter().find(|v| v.name == name) else {
            return Err(format!("the pipeline has no variable `{name}`"));
        };
        self.variable(scope, variable, Level::Pipeline, depth)
    }

    pub(super) fn stage_variable(
        &self,
        scope: &Scope<'_>,
        name: &str,
        depth: usize,
    ) -> Result<String, String> {
        let Some(variable) = scope.stage.variables.iter().find(|v| v.name == name) else {
            return Err(format!(
                "stage `{}` has no variable `{name}`",
                scope.stage.id
            ));
        };
        self.variable(scope, variable, Level::Stage(&scope.stage.id), depth)
    }

    fn variable(
        &self,
        scope: &Scope<'_>,
        variable: &VariablePlan,
        level: Level<'_>,
        depth: usize,
    ) -> Result<String, String> {
        let (keys, what) = names(variable, &level);
        let written = variable.value.clone().unwrap_or_default();
        let value = if let Some(value) = given(&keys, &self.overrides) {
            value
        } else if let Some(value) = input_value(variable, &level, &self.inputs) {
            value?
        } else {
            let resolved = scope
                .resolve_at(&written, depth + 1)
                // The innermost variable's name is the useful one in a chain.
                .map_err(|e| {
                    if e.starts_with("pipeline variable") || e.starts_with("stage variable") {
                        e
                    } else {
                        format!("{what}: {e}")
                    }
                })?;
            if let Some(unknown) = resolved.unknown.first() {
                return Err(format!("{what}: `{unknown}` is not known to --execute"));
            }
            resolved.text
        };
        match variable.var_type.as_deref() {
            Some("Secret") => self.secrets.get(&value).map(str::to_owned).ok_or_else(|| {
                format!(
                    "{what} is the secret `{value}`: {}",
                    super::secrets::missing_secret(&value)
                )
            }),
            Some("Number") if value.trim().parse::<f64>().is_err() => {
                Err(format!("{what} is a Number, not `{value}`"))
            }
            _ => Ok(value),
        }
    }
}

/// The names a variable is given by (`--var`, `--input-file`), most specific first, and how
/// messages call it.
fn names(variable: &VariablePlan, level: &Level<'_>) -> (Vec<String>, String) {
    let name = &variable.name;
    match level {
        Level::Pipeline => (
            vec![name.clone(), format!("pipeline.{name}")],
            format!("pipeline variable `{name}`"),
        ),
        Level::Stage(stage) => (
            vec![format!("{stage}.{name}"), format!("stage.{name}")],
            format!("stage variable `{name}` (stage `{stage}`)"),
        ),
    }
}

fn given(keys: &[String], list: &[(String, String)]) -> Option<String> {
    keys.iter()
        .find_map(|key| list.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
}

/// For a variable whose value is a runtime input: its value from `inputs` or its default,
/// or an error naming it and how to give it. `None` for other variables.
fn input_value(
    variable: &VariablePlan,
    level: &Level<'_>,
    inputs: &[(String, String)],
) -> Option<Result<String, String>> {
    let found = whole_input(variable.value.as_deref().unwrap_or_default())?;
    let (keys, what) = names(variable, level);
    Some(
        runtime_input(&found, given(&keys, inputs).as_deref()).map_err(|why| {
            format!(
                "{what}: {why}: pass --var {key}=VALUE or give `{key}` in --input-file",
                key = keys[0]
            )
        }),
    )
}

/// Before anything runs (Harness, too, asks for runtime inputs first): every runtime input
/// of the pipeline's variables and of its stages' has a value, allowed by `allowedValues`.
/// The error lists each one that has not.
pub fn check_inputs(
    plan: &Plan,
    overrides: &[(String, String)],
    inputs: &[(String, String)],
) -> Result<(), String> {
    let pipeline = plan.pipeline.variables.iter().map(|v| (v, Level::Pipeline));
    let stages = plan
        .stages
        .iter()
        .flat_map(|s| s.variables.iter().map(|v| (v, Level::Stage(&s.id))));
    let errors: Vec<String> = pipeline
        .chain(stages)
        .filter(|(v, level)| given(&names(v, level).0, overrides).is_none())
        .filter_map(|(v, level)| input_value(v, &level, inputs)?.err())
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// The runtime input that is the whole of `text`, if it is one.
fn whole_input(text: &str) -> Option<scan::InputSpec> {
    let found = scan::next_expression(text, 0)?;
    (found.start == 0 && found.end == text.trim_end().len())
        .then_some(found.input)
        .flatten()
}

/// Every `--var` name must be a variable of the pipeline or of one of its stages: a typo
/// would otherwise be ignored.
pub fn check_overrides(plan: &Plan, overrides: &[(String, String)]) -> Result<(), String> {
    for (key, _) in overrides {
        let pipeline = |name: &str| plan.pipeline.variables.iter().any(|v| v.name == name);
        let known = match key.split_once('.') {
            None => pipeline(key),
            Some(("pipeline", name)) => pipeline(name),
            Some(("stage", name)) => plan
                .stages
                .iter()
                .any(|s| s.variables.iter().any(|v| v.name == name)),
            Some((stage, name)) => plan
                .stages
                .iter()
                .any(|s| s.id == stage && s.variables.iter().any(|v| v.name == name)),
        };
        if !known {
            return Err(format!(
                "--var {key}: no such variable (NAME for a pipeline variable, stage.NAME or STAGE.NAME for a stage variable)"
            ));
        }
    }
    Ok(())
}

/// An input file's map as `NAME=VALUE` pairs: nested maps are joined with dots
/// (`stage: {env: dev}` -> `stage.env`), scalars taken as text; lists are refused.
pub fn flatten_inputs(value: &serde_json::Value) -> Result<Vec<(String, String)>, String> {
    fn walk(
        prefix: &str,
        value: &serde_json::Value,
        out: &mut Vec<(String, String)>,
    ) -> Result<(), String> {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    let name = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(&name, value, out)?;
                }
                Ok(())
            }
            serde_json::Value::String(text) => {
                out.push((prefix.to_owned(), text.clone()));
                Ok(())
            }
            serde_json::Value::Number(_) | serde_json::Value::Bool(_) => {
                out.push((prefix.to_owned(), value.to_string()));
                Ok(())
            }
            serde_json::Value::Null => {
                out.push((prefix.to_owned(), String::new()));
                Ok(())
            }
            serde_json::Value::Array(_) => Err(format!(
                "`{prefix}`: a list is not a value (give a string, number or boolean)"
            )),
        }
    }
    if !value.is_object() {
        return Err("the input file must hold a map of names to values".into());
    }
    let mut out = Vec::new();
    walk("", value, &mut out)?;
    Ok(out)
}
