//! `--execute`: runs a CI stage for real on a Docker engine, from the same [`Plan`] as the
//! dry run (what each step runs: [`StepPlan::container`]; what it waits for:
//! [`StepPlan::waits_for_steps`]), and says which static findings the run confirmed.
//!
//! - Harness Cloud, VM pool, local Docker runner: one user-defined network per run; each
//!   container's only aliases are the ones Harness gives it (the step identifier, or
//!   `GROUP_STEP` inside a step group), so a wrong host fails here as on Harness.
//! - Kubernetes: a holder container owns the pod's network namespace and every step
//!   container joins it (`network_mode: container:<holder>`), so `localhost` works and two
//!   services on one port collide; the stage's `volumes` are Docker volumes at their
//!   `mountPath` in every container.
//! - The workspace at `/harness` (every step's working directory): on Kubernetes a volume;
//!   elsewhere a directory on this machine, bind-mounted in every container and the working
//!   directory of the steps without image, which run on this machine as on Harness Cloud's
//!   VM (`host.rs`), unless `--default-image` puts them in a container.
//! - `portBindings` are published on this machine (`ports.rs`); images are pulled by their
//!   `imagePullPolicy` (`images.rs`); `privileged` needs `--allow-privileged`.
//! - Every container, network and volume is labelled `hlint.run=<run id>` and removed at the
//!   end, on failure, on timeout and on Ctrl-C (unless `keep`).
//! - Harness's step semantics: `when` ([`when`]), failure strategies ([`failure`]), output
//!   variables, variables, inputs and secrets ([`expressions`]), applied by [`flow`].

mod clone;
mod confirm;
mod ending;
pub mod expressions;
pub mod failure;
mod flow;
mod host;
mod images;
mod logs;
mod ports;
mod progress;
mod report;
mod resolved;
mod stage;
mod step;
pub mod when;
mod workspace;

use std::time::Duration;

use crate::docker::{Engine, EngineError, Removed};
use crate::plan::Plan;

pub use confirm::{confirm_findings, FindingCheck};
pub use expressions::{mask, Secrets, Values};
pub use failure::Handled;
pub use logs::Out;
pub use report::report;

use expressions::{Outputs, Scope};
use logs::say;
use stage::run_stage;

/// What the user passes to `--execute`.
#[derive(Clone, Debug, Default)]
pub struct ExecuteOptions {
    /// `--secret NAME=VALUE`, then `--secrets-file`, then `HLINT_SECRET_<NAME>`: values of
    /// `<+secrets.getValue("NAME")>` (the first of a name wins).
    pub secrets: Vec<(String, String)>,
    /// `--var NAME=VALUE` (`stage.NAME`, `STAGE.NAME` for stage variables).
    pub variables: Vec<(String, String)>,
    /// `--input-file` entries, flattened (`stage.NAME`).
    pub inputs: Vec<(String, String)>,
    /// `--image-map FROM=TO`: run `TO` where the pipeline says `FROM`.
    pub image_map: Vec<(String, String)>,
    /// `--keep`: leave the containers, network and volumes for debugging.
    pub keep: bool,
    /// The run id (default: `hlint-` and the process id and time).
    pub run_id: Option<String>,
    /// `--default-image IMAGE`: run steps without image (which Harness Cloud and VMs run on
    /// the machine) in a container of IMAGE instead of on this machine.
    pub default_image: Option<String>,
    /// `--allow-privileged`: run `privileged: true` steps privileged (refused otherwise).
    pub allow_privileged: bool,
    /// `cloneCodebase: true` copies the git checkout holding this directory (the pipeline
    /// file's; default: the current directory).
    pub checkout_dir: Option<std::path::PathBuf>,
    /// Live progress (spinners, on standard error) instead of plain lines: standard output
    /// and standard error are a terminal.
    pub live: bool,
}

/// How a step ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepStatus {
    /// Exit code 0 (a Run step), or a service still running at the end of the stage.
    Success,
    /// A Run step's non-zero exit; a service that exited with an error before the stage ended.
    Failed,
    TimedOut,
    /// Not run: its `when` said no (an earlier failure, a false condition), the stage was
    /// aborted, or the run was interrupted.
    Skipped,
    /// Stopped while running: another step's failure strategy aborted the stage.
    Aborted,
    /// Could not be run at all (an image missing, a secret not given, ...).
    Error(String),
}

impl StepStatus {
    pub fn label(&self) -> &str {
        match self {
            StepStatus::Success => "success",
            StepStatus::Failed => "failed",
            StepStatus::TimedOut => "timed out",
            StepStatus::Skipped => "skipped",
            StepStatus::Aborted => "aborted",
            StepStatus::Error(_) => "error",
        }
    }
}

/// One step's result.
#[derive(Clone, Debug)]
pub struct StepResult {
    pub key: String,
    pub step_type: String,
    pub status: StepStatus,
    pub duration: Duration,
    pub exit_code: Option<i64>,
    /// Its whole output (secrets masked).
    pub log: String,
    /// The failure strategy applied, if any.
    pub applied: Applied,
}

/// What a failure strategy did to a step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// How many times it was run again.
    pub retries: u32,
    /// What was done about its last failure.
    pub handled: Option<Handled>,
}

impl StepResult {
    /// A result for `step` before it ran.
    pub(crate) fn new(step: &crate::plan::StepPlan, status: StepStatus) -> StepResult {
        StepResult {
            key: step.key.clone(),
            step_type: step.step_type.clone().unwrap_or_default(),
            status,
            duration: Duration::ZERO,
            exit_code: None,
            log: String::new(),
            applied: Applied::default(),
        }
    }

    /// It fails the stage: it did not succeed, was not skipped, and no strategy forgave it.
    pub fn fails_stage(&self) -> bool {
        !matches!(self.status, StepStatus::Success | StepStatus::Skipped)
            && !self.applied.handled.as_ref().is_some_and(Handled::forgives)
    }

    /// Its status with what was applied: `success after 2 retries`, `failed (ignored)`.
    pub fn status_text(&self) -> String {
        let mut text = self.status.label().to_owned();
        match self.applied.retries {
            0 => {}
            1 => text.push_str(" after 1 retry"),
            n => text.push_str(&format!(" after {n} retries")),
        }
        if let Some(handled) = &self.applied.handled {
            text.push_str(&format!(" ({})", handled.label()));
        }
        text
    }
}
/// One stage's run.
#[derive(Clone, Debug)]
pub struct StageOutcome {
    pub stage: String,
    pub run_id: String,
    pub steps: Vec<StepResult>,
    pub findings: Vec<FindingCheck>,
    pub succeeded: bool,
    pub interrupted: bool,
    pub duration: Duration,
    /// Not run, and why (its `when`, or an earlier stage's failure).
    pub skipped: Option<String>,
}

/// Runs every stage of `plan` in order (a failed stage stops the run) on a fresh tokio
/// runtime; `Err` when no engine answers (at once, saying how to start one).
pub fn execute(
    plan: &Plan,
    options: &ExecuteOptions,
    out: Out,
) -> Result<Vec<StageOutcome>, EngineError> {
    // One thread: the steps wait on the engine, not on the CPU, and the output (the
    // caller's stdout, whose lock it may hold) is written from the caller's thread.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| EngineError(format!("cannot start the async runtime: {e}")))?;
    let values = Values::new(
        plan,
        Secrets::new(options.secrets.clone()),
        options.variables.clone(),
        options.inputs.clone(),
    );
    runtime.block_on(async {
        let engine = Engine::connect().await?;
        say(&out, &format!("hlint: engine: {}", engine.description));
        let mut outcomes: Vec<StageOutcome> = Vec::new();
        for stage in &plan.stages {
            // A stage's `when` (pipelineStatus, default Success) against the stages so far.
            let failed = outcomes.iter().any(|o| !o.succeeded);
            let outputs = Outputs::default();
            let scope = Scope {
                values: &values,
                stage,
                step: None,
                outputs: &outputs,
            };
            let decision = when::decide(stage.when.as_slice(), failed, &scope);
            let not_run = match decision {
                when::Decision::Run => None,
                when::Decision::Skip(why) => Some(StageOutcome::not_run(stage, why, true)),
                when::Decision::Error(error) => Some(StageOutcome::not_run(
                    stage,
                    mask(&error, &values.secrets),
                    false,
                )),
            };
            if let Some(outcome) = not_run {
                say(&out, &report(&outcome));
                outcomes.push(outcome);
                continue;
            }
            let outcome = run_stage(&engine, stage, &values, options, out.clone()).await?;
            let interrupted = outcome.interrupted;
            outcomes.push(outcome);
            if interrupted {
                break;
            }
        }
        Ok(outcomes)
    })
}

impl StageOutcome {
    /// A stage that did not run: skipped by its `when` (`ok`), or its `when` is an error.
    fn not_run(stage: &crate::plan::StagePlan, why: String, ok: bool) -> StageOutcome {
        StageOutcome {
            stage: stage.id.clone(),
            run_id: String::new(),
            steps: Vec::new(),
            findings: Vec::new(),
            succeeded: ok,
            interrupted: false,
            duration: Duration::ZERO,
            skipped: Some(why),
        }
    }
}

/// `hlint clean`: removes every labelled container, network and volume that runs left.
pub fn clean() -> Result<Removed, EngineError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| EngineError(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let engine = Engine::connect().await?;
        engine.remove_labelled(None).await
    })
}
