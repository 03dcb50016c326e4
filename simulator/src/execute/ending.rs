//! How a Run step ends, the same whether it runs in a container or on this machine: its
//! exit within its timeout, unless a failure strategy aborts the stage first; and what that
//! means for its result (status, exit code, output variables).

use std::future::Future;
use std::time::Duration;

use super::expressions::parse_captured;
use super::stage::Run;
use super::{StepResult, StepStatus};
use crate::plan::StepPlan;

/// How waiting for a step came out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Ending {
    Exited(i64),
    /// The engine or the operating system could not tell.
    Unknown(String),
    /// Still running when its timeout (seconds) passed: to be stopped.
    TimedOut(u64),
    /// Still running when the stage was aborted: to be stopped.
    Aborted,
}

impl Ending {
    /// The step is still running and must be stopped.
    pub(super) fn must_stop(&self) -> bool {
        matches!(self, Ending::TimedOut(_) | Ending::Aborted)
    }

    /// Its output variables are to be read: it exited with 0 and saved them.
    pub(super) fn reads_outputs(&self, capture: bool) -> bool {
        capture && *self == Ending::Exited(0)
    }
}

/// Waits for `exit` (the exit code) within the step's timeout, or until the stage is aborted.
pub(super) async fn wait_for_end(
    run: &Run,
    step: &StepPlan,
    exit: impl Future<Output = Result<i64, String>>,
) -> Ending {
    let limit = step
        .timeout
        .seconds
        .unwrap_or(crate::plan::DEFAULT_STEP_TIMEOUT_SECONDS);
    tokio::select! {
        waited = tokio::time::timeout(Duration::from_secs(limit), exit) => match waited {
            Ok(Ok(code)) => Ending::Exited(code),
            Ok(Err(error)) => Ending::Unknown(error),
            Err(_) => Ending::TimedOut(limit),
        },
        _ = run.flow.aborted() => Ending::Aborted,
    }
}

/// Records `ending` in `result`; `outputs`: what the step saved, when it was read.
pub(super) fn record_end(
    run: &Run,
    step: &StepPlan,
    result: &mut StepResult,
    ending: Ending,
    outputs: Option<Result<Vec<u8>, String>>,
) {
    match ending {
        Ending::Exited(code) => {
            result.exit_code = Some(code);
            if code != 0 {
                result.status = StepStatus::Failed;
            }
        }
        Ending::Unknown(error) => result.status = StepStatus::Error(error),
        Ending::TimedOut(limit) => {
            run.progress
                .line(&format!("[{}] timed out after {limit}s", step.key));
            result.status = StepStatus::TimedOut;
        }
        Ending::Aborted => {
            run.progress
                .line(&format!("[{}] stopped: the stage was aborted", step.key));
            result.status = StepStatus::Aborted;
        }
    }
    match outputs {
        Some(Ok(bytes)) => run.flow.outputs.set(step.index, parse_captured(&bytes)),
        Some(Err(error)) => run.progress.line(&format!(
            "[{}] its output variables could not be read: {error}",
            step.key
        )),
        None => {}
    }
}
