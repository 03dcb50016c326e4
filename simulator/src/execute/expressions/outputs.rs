//! Output variables of Run steps: how a step's script hands them over, and how a later step
//! reads them (`<+steps.ID.output.outputVariables.X>`, `<+execution.steps.ID...>`, with
//! `GROUP.steps.ID` for a step in a step group).
//!
//! The capture: the script runs behind a shell `EXIT` trap that writes each declared
//! variable that is set as `NAME=VALUE` and a NUL byte (a shell variable cannot hold a NUL,
//! so any value, newlines included, comes back whole) to [`CAPTURE_PATH`] inside the
//! container; the executor reads that file from the stopped container. The trap does not
//! change the exit status (POSIX: `$?` after an `EXIT` trap is the status the shell was
//! exiting with), and it also runs on `exit N` and on `set -e` failures.

use std::collections::HashMap;
use std::sync::Mutex;

use super::Scope;
use crate::plan::StepPlan;

/// Where the trap writes, in the step container's own file system (not the shared
/// workspace, so later steps never see the file).
pub const CAPTURE_PATH: &str = "/tmp/.hlint-outputs";

/// The output variables of the steps that have finished: step index -> `(name, value)` of
/// each declared variable the script set.
#[derive(Debug, Default)]
pub struct Outputs {
    by_step: Mutex<HashMap<usize, Vec<(String, String)>>>,
}

impl Outputs {
    pub fn set(&self, step: usize, values: Vec<(String, String)>) {
        self.lock().insert(step, values);
    }

    pub fn get(&self, step: usize) -> Option<Vec<(String, String)>> {
        self.lock().get(&step).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<usize, Vec<(String, String)>>> {
        self.by_step.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `script` behind a trap that saves the declared `names` on exit (Sh and Bash alike);
/// `Err` names a name that is not a shell variable name.
/// `path`: where the trap writes ([`CAPTURE_PATH`] in a container; a file of the run's own
/// on this machine for a step without image). It must need no quoting but single quotes.
pub fn capture_script(script: &str, names: &[String], path: &str) -> Result<String, String> {
    let mut saves = String::new();
    for name in names {
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(format!(
                "output variable `{name}` is not a shell variable name"
            ));
        }
        saves.push_str(&format!(
            "if [ \"${{{name}+set}}\" = set ]; then printf '%s=%s\\000' {name} \"${name}\"; fi; "
        ));
    }
    Ok(format!(
        "__hlint_outputs() {{ {{ {saves}}} > '{path}' 2>/dev/null; }}\ntrap __hlint_outputs EXIT\n{script}"
    ))
}

/// The `NAME=VALUE\0` records the trap wrote.
pub fn parse_captured(bytes: &[u8]) -> Vec<(String, String)> {
    bytes
        .split(|&b| b == 0)
        .filter(|record| !record.is_empty())
        .filter_map(|record| {
            let text = String::from_utf8_lossy(record);
            let (name, value) = text.split_once('=')?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect()
}

/// `<+steps...>` / `<+execution.steps...>`: the value of an earlier step's output variable;
/// `None` for a path that is not an output variable (left as written); an error naming the
/// step when it cannot be read from here.
pub(super) fn reference(scope: &Scope<'_>, path: &[&str]) -> Result<Option<String>, String> {
    let (stage_level, rest) = match path {
        ["execution", "steps", rest @ ..] => (true, rest),
        ["steps", rest @ ..] => (false, rest),
        _ => return Ok(None),
    };
    let (group, id, rest) = match rest {
        [group, "steps", id, rest @ ..] => (Some(*group), *id, rest),
        [id, rest @ ..] => (None, *id, rest),
        [] => return Ok(None),
    };
    let ["output", "outputVariables", variable] = rest else {
        return Ok(None);
    };
    let written = format!("<+{}>", path.join("."));
    let steps = &scope.stage.steps;
    let current = scope.step;
    let in_group = |g: Option<&str>| {
        steps
            .iter()
            .find(|s| s.id.as_deref() == Some(id) && s.group.as_deref() == g)
    };
    let target = match group {
        Some(group) => in_group(Some(group)),
        // `steps.ID` is relative: the caller's own step group first, then the stage level;
        // `execution.steps.ID` is the stage level only.
        None if !stage_level => current
            .and_then(|c| c.group.as_deref())
            .and_then(|g| in_group(Some(g)))
            .or_else(|| in_group(None)),
        None => in_group(None),
    };
    let Some(target) = target else {
        let hint = match steps.iter().find(|s| s.id.as_deref() == Some(id)) {
            Some(StepPlan {
                group: Some(g), ..
            }) => format!(
                " (it is in step group `{g}`: write <+execution.steps.{g}.steps.{id}.output.outputVariables.{variable}>)"
            ),
            _ => String::new(),
        };
        return Err(format!("{written}: no step `{id}` here{hint}"));
    };
    let Some(current) = current else {
        return Err(format!(
            "{written}: step outputs cannot be read in the stage's own `when`"
        ));
    };
    if !finishes_before(&scope.stage.steps, target.index, current.index) {
        return Err(format!(
            "{written}: step `{}` does not finish before `{}` starts (a parallel sibling, a later step or the step itself): its outputs cannot be read here",
            target.key, current.key
        ));
    }
    if !target.output_variables.iter().any(|v| v == variable) {
        return Err(format!(
            "{written}: step `{}` declares no output variable `{variable}` (its outputVariables: {})",
            target.key,
            if target.output_variables.is_empty() {
                "none".to_owned()
            } else {
                target.output_variables.join(", ")
            }
        ));
    }
    let Some(values) = scope.outputs.get(target.index) else {
        return Err(format!(
            "{written}: step `{}` has not succeeded (it failed, was skipped or did not run), so its output `{variable}` has no value",
            target.key
        ));
    };
    match values.into_iter().find(|(name, _)| name == variable) {
        Some((_, value)) => Ok(Some(value)),
        None => Err(format!(
            "{written}: step `{}` did not set `{variable}` (its script must `export {variable}=...`)",
            target.key
        )),
    }
}

/// Step `before` finishes before step `after` starts (through the steps each waits for).
pub(crate) fn finishes_before(steps: &[StepPlan], before: usize, after: usize) -> bool {
    let mut stack = vec![after];
    let mut seen = vec![false; steps.len()];
    while let Some(i) = stack.pop() {
        for &w in steps.get(i).map_or(&[][..], |s| &s.waits_for_steps) {
            if w == before {
                return true;
            }
            if !std::mem::replace(&mut seen[w], true) {
                stack.push(w);
            }
        }
    }
    false
}
