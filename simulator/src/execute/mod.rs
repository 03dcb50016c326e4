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

mod clone;
mod confirm;
mod expr;
mod host;
mod images;
mod logs;
mod ports;
mod progress;
mod report;
mod stage;
mod step;
mod workspace;

use std::time::Duration;

use crate::docker::{Engine, EngineError, Removed};
use crate::plan::Plan;

pub use confirm::{confirm_findings, FindingCheck};
pub use expr::{mask, resolve, Secrets};
pub use logs::Out;
pub use report::report;

use logs::say;
use stage::run_stage;

/// What the user passes to `--execute`.
#[derive(Clone, Debug, Default)]
pub struct ExecuteOptions {
    /// `--secret NAME=VALUE`: values of `<+secrets.getValue("NAME")>`.
    pub secrets: Vec<(String, String)>,
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
    /// Not run: a step it waits for did not succeed, or the run was interrupted.
    Skipped,
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
    runtime.block_on(async {
        let engine = Engine::connect().await?;
        say(&out, &format!("hlint: engine: {}", engine.description));
        let mut outcomes = Vec::new();
        for stage in &plan.stages {
            let outcome = run_stage(&engine, stage, options, out.clone()).await?;
            let stop = !outcome.succeeded;
            outcomes.push(outcome);
            if stop {
                break;
            }
        }
        Ok(outcomes)
    })
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
