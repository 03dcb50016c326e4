//! Harness expressions at run time (`<+ ... >`): secrets, pipeline and stage variables and
//! runtime inputs, the pipeline's, stage's and step's own names, and earlier steps' output
//! variables; `when` conditions; secret values masked in every log line.
//!
//! An expression whose root `--execute` does not model (`<+codebase.branch>`, ...) is left as
//! written in a step's settings (and said so), and makes a `when` condition an error: a
//! condition is never guessed.

mod condition;
mod outputs;
mod scan;
mod secrets;
mod variables;

use crate::plan::{StagePlan, StepPlan};

pub use condition::evaluate_condition;
pub use outputs::{capture_script, parse_captured, Outputs, CAPTURE_PATH};
pub use scan::InputSpec;
pub use secrets::{from_environment, mask, parse_dotenv, Secrets, ENV_PREFIX, MASK};
pub use variables::{check_inputs, check_overrides, flatten_inputs, Values};

/// Variables whose values are expressions that name each other stop here.
const MAX_DEPTH: usize = 8;

/// Where an expression is evaluated: the run's values, the stage, the step (none for the
/// stage's own `when`), and the outputs of the steps that have finished.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub values: &'a Values,
    pub stage: &'a StagePlan,
    pub step: Option<&'a StepPlan>,
    pub outputs: &'a Outputs,
}

/// A text with its expressions resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolved {
    pub text: String,
    /// The expressions left as written (a root `--execute` does not model).
    pub unknown: Vec<String>,
}

impl Scope<'_> {
    /// `text` with every known expression replaced by its value; an error names the first
    /// expression that cannot be given a value (a secret not given, an `<+input>` without a
    /// value, an output of a step that has not run, ...).
    pub fn resolve(&self, text: &str) -> Result<Resolved, String> {
        self.resolve_at(text, 0)
    }

    fn resolve_at(&self, text: &str, depth: usize) -> Result<Resolved, String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "`{text}`: expressions nest more than {MAX_DEPTH} deep (do two variables name each other?)"
            ));
        }
        let mut out = Resolved::default();
        let mut at = 0;
        while let Some(found) = scan::next_expression(text, at) {
            out.text.push_str(&text[at..found.start]);
            let whole = &text[found.start..found.end];
            match self.value(found.inner, found.input.as_ref(), depth)? {
                Some(value) => out.text.push_str(&value),
                None => {
                    out.text.push_str(whole);
                    out.unknown.push(whole.to_owned());
                }
            }
            at = found.end;
        }
        out.text.push_str(&text[at..]);
        Ok(out)
    }

    /// The value of one expression (`inner` is what stands between `<+` and `>`); `None`
    /// for a root `--execute` does not model.
    fn value(
        &self,
        inner: &str,
        input: Option<&InputSpec>,
        depth: usize,
    ) -> Result<Option<String>, String> {
        // `<+pipeline.variables.<+stage.variables.which>>`: inner expressions first.
        let owned;
        let inner = if inner.contains("<+") {
            let resolved = self.resolve_at(inner, depth + 1)?;
            if let Some(unknown) = resolved.unknown.first() {
                return Err(format!("`{unknown}` is not known to --execute"));
            }
            owned = resolved.text;
            owned.as_str()
        } else {
            inner
        };
        if let Some(spec) = input {
            // Only variables take given inputs: a step field has no name to give one by.
            return runtime_input(spec, None).map(Some).map_err(|why| {
                format!(
                    "{why}: --execute takes runtime inputs for pipeline and stage variables \
                     (--var NAME=VALUE, --input-file FILE); make this one a variable, or give it \
                     a .default(...)"
                )
            });
        }
        if let Some(name) = secrets::secret_name(inner) {
            return match self.values.secrets.get(name) {
                Some(value) => Ok(Some(value.to_owned())),
                None => Err(secrets::missing_secret(name)),
            };
        }
        let path: Vec<&str> = inner.split('.').map(str::trim).collect();
        let step = self.step;
        Ok(match path.as_slice() {
            ["pipeline", "name"] => self.values.pipeline_name.clone(),
            ["pipeline", "identifier"] => self.values.pipeline_identifier.clone(),
            ["pipeline", "variables", name] => {
                Some(self.values.pipeline_variable(self, name, depth)?)
            }
            ["stage", "name"] => self.stage.name.clone(),
            ["stage", "identifier"] => Some(self.stage.id.clone()),
            ["stage", "variables", name] => Some(self.values.stage_variable(self, name, depth)?),
            ["step", "identifier"] => step.and_then(|s| s.id.clone()),
            ["step", "name"] => step.and_then(|s| s.name.clone()),
            ["steps" | "execution", ..] => outputs::reference(self, &path)?,
            _ => None,
        })
    }
}

/// The value of an `<+input>`: the one given (`--var`, `--input-file`), else its default;
/// checked against `allowedValues`. `Err` without the name: the caller names what it is.
pub(super) fn runtime_input(spec: &InputSpec, given: Option<&str>) -> Result<String, String> {
    let value = match (given, &spec.default) {
        (Some(value), _) => value.to_owned(),
        (None, Some(default)) => default.clone(),
        (None, None) => {
            return Err("a runtime input (`<+input>`) with no value and no default".into())
        }
    };
    if let Some(allowed) = &spec.allowed {
        if !allowed.contains(&value) {
            return Err(format!(
                "`{value}` is not one of the allowed values ({})",
                allowed.join(", ")
            ));
        }
    }
    Ok(value)
}

#[cfg(test)]
pub(super) mod tests;
