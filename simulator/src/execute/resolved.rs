//! A step's settings as they run: every expression resolved where the step stands (secrets,
//! variables, earlier steps' outputs), and a Run step's script put behind the trap that
//! captures its output variables.

use super::expressions::{capture_script, Resolved};
use super::stage::Run;
use crate::plan::{ContainerSettings, StepPlan};

/// What a step's container (or process) gets.
pub(super) struct ResolvedSettings {
    /// `None`: the step has no image.
    pub(super) image: Option<String>,
    pub(super) entrypoint: Option<Vec<String>>,
    pub(super) cmd: Option<Vec<String>>,
    pub(super) env: Vec<(String, String)>,
    /// The script writes its output variables on exit: read them after a successful one.
    pub(super) capture: bool,
}

/// `settings` resolved for `step`; an error names what could not be resolved. Expressions
/// `--execute` does not model are left as written, with a note in the log.
/// `capture_path`: where the script saves its output variables.
pub(super) fn resolve_settings(
    run: &Run,
    step: &StepPlan,
    settings: &ContainerSettings,
    capture_path: &str,
) -> Result<ResolvedSettings, String> {
    let scope = run.flow.scope(step);
    let mut unknown: Vec<String> = Vec::new();
    let mut resolve = |text: &str| -> Result<String, String> {
        let Resolved {
            text,
            unknown: left,
        } = scope.resolve(text)?;
        unknown.extend(left);
        Ok(text)
    };
    let image = settings.image.as_deref().map(&mut resolve).transpose()?;
    let mut resolve_all = |values: &Option<Vec<String>>| -> Result<Option<Vec<String>>, String> {
        values
            .as_ref()
            .map(|v| v.iter().map(|s| resolve(s)).collect())
            .transpose()
    };
    let entrypoint = resolve_all(&settings.entrypoint)?;
    let mut cmd = resolve_all(&settings.command)?;
    let mut env = Vec::with_capacity(settings.env.len());
    for var in &settings.env {
        env.push((var.name.clone(), resolve(&var.value)?));
    }
    unknown.dedup();
    for expression in &unknown {
        run.progress.line(&format!(
            "[{}] note: {expression} is not known to --execute: left as written",
            step.key
        ));
    }
    // Output variables (Run steps; Background steps have none): the script runs behind a
    // trap that saves them, which only a POSIX shell runs.
    let capture = step.service.is_none() && !step.output_variables.is_empty();
    if capture {
        let posix = matches!(settings.shell.as_deref(), Some("Sh" | "Bash"));
        match cmd.as_mut().and_then(|c| c.first_mut()) {
            Some(script) if posix => {
                *script = capture_script(script, &step.output_variables, capture_path)?
            }
            _ => {
                return Err(format!(
                    "--execute captures output variables of Sh and Bash scripts only, not {}",
                    settings.shell.as_deref().unwrap_or("this step")
                ))
            }
        }
    }
    Ok(ResolvedSettings {
        image,
        entrypoint,
        cmd,
        env,
        capture,
    })
}
