//! One step as Harness runs it inside a stage: its `when` against the stage so far, its
//! attempts under its failure strategy, what its outputs leave for later steps, and the
//! stage-wide state this changes (something failed; the stage was aborted).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::watch;

use super::expressions::{mask, Outputs, Scope, Values};
use super::failure::{self, Action, FailureType, Handled};
use super::logs::say;
use super::stage::Run;
use super::step::run_step;
use super::when::{self, Decision};
use super::{StepResult, StepStatus};
use crate::plan::{StagePlan, StepPlan};

/// What the steps of one stage run share besides the infrastructure.
pub(super) struct StageFlow {
    pub(super) values: Values,
    pub(super) stage: StagePlan,
    pub(super) outputs: Outputs,
    /// A step failed (and no strategy forgave it): `stageStatus: Success` steps are skipped.
    failed: AtomicBool,
    /// A strategy aborted the stage: running steps stop, nothing else starts.
    abort: watch::Sender<bool>,
}

impl StageFlow {
    pub(super) fn new(values: Values, stage: StagePlan) -> StageFlow {
        StageFlow {
            values,
            stage,
            outputs: Outputs::default(),
            failed: AtomicBool::new(false),
            abort: watch::channel(false).0,
        }
    }

    /// Where `step`'s expressions are evaluated.
    pub(super) fn scope<'a>(&'a self, step: &'a StepPlan) -> Scope<'a> {
        Scope {
            values: &self.values,
            stage: &self.stage,
            step: Some(step),
            outputs: &self.outputs,
        }
    }

    pub(super) fn failed(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }

    pub(super) fn mark_failed(&self) {
        self.failed.store(true, Ordering::SeqCst);
    }

    /// Resolves once the stage is aborted.
    pub(super) async fn aborted(&self) {
        let mut receiver = self.abort.subscribe();
        let _ = receiver.wait_for(|aborted| *aborted).await;
    }

    fn is_aborted(&self) -> bool {
        *self.abort.borrow()
    }
}

/// Runs `step` once the steps it waits for have finished (whatever their status).
pub(super) async fn run_scheduled(run: &Arc<Run>, step: &StepPlan) -> StepResult {
    let flow = &run.flow;
    let skip = |why: String| {
        say(&run.out, &format!("[{}] skipped: {why}", step.key));
        StepResult::new(step, StepStatus::Skipped)
    };
    if flow.is_aborted() {
        return skip("the stage was aborted".into());
    }
    let decision = when::decide(&step.when, flow.failed(), &flow.scope(step));
    match decision {
        Decision::Run => {}
        Decision::Skip(why) => return skip(why),
        Decision::Error(error) => {
            // A condition's value may be a secret's.
            let error = mask(&error, &run.secrets);
            say(&run.out, &format!("[{}] error: {error}", step.key));
            flow.mark_failed();
            return StepResult::new(step, StepStatus::Error(error));
        }
    }

    // The duration covers every attempt and the waits between them.
    let started = std::time::Instant::now();
    let mut retries = 0u32;
    let mut planned: Option<(Vec<std::time::Duration>, Action)> = None;
    loop {
        let mut result = run_step(run, step, retries + 1).await;
        result.applied.retries = retries;
        result.duration = started.elapsed();
        let kind = match result.status {
            StepStatus::Failed => FailureType::Unknown,
            StepStatus::TimedOut => FailureType::Timeout,
            StepStatus::Success => return result,
            // Could not run, or stopped by an abort: no strategy applies.
            _ => {
                flow.mark_failed();
                return result;
            }
        };
        // The strategy is chosen at the first failure; its retries then run out.
        let (intervals, then) = match planned.take() {
            Some(plan) => plan,
            None => match failure::choose(&step.failure_strategies, kind) {
                Some(strategy) => {
                    say(
                        &run.out,
                        &format!("[{}] failure strategy: {}", step.key, strategy.summary),
                    );
                    match failure::action(strategy) {
                        Action::Retry { intervals, then } => (intervals, *then),
                        other => (Vec::new(), other),
                    }
                }
                None => (Vec::new(), Action::Fail { note: None }),
            },
        };
        if let Some(&wait) = intervals.get(retries as usize) {
            if flow.is_aborted() {
                return result;
            }
            say(
                &run.out,
                &format!(
                    "[{}] retry {} of {} in {}s",
                    step.key,
                    retries + 1,
                    intervals.len(),
                    wait.as_secs()
                ),
            );
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = flow.aborted() => return result,
            }
            retries += 1;
            planned = Some((intervals, then));
            continue;
        }
        return finish(run, step, result, then);
    }
}

/// Applies the final action to a failed result.
fn finish(run: &Run, step: &StepPlan, mut result: StepResult, action: Action) -> StepResult {
    let flow = &run.flow;
    let (handled, message) = match action {
        Action::Ignore => (
            Some(Handled::Ignored),
            "failure ignored: the stage goes on".to_owned(),
        ),
        Action::MarkAsSuccess => (
            Some(Handled::MarkedAsSuccess),
            "marked as success: the stage goes on".to_owned(),
        ),
        Action::Abort => {
            flow.mark_failed();
            flow.abort.send_replace(true);
            (
                Some(Handled::Aborted),
                "aborting the stage: running steps are stopped, the rest skipped".to_owned(),
            )
        }
        Action::Fail { note: Some(action) } => {
            flow.mark_failed();
            (
                Some(Handled::NotEmulated(action.clone())),
                format!("the strategy's action `{action}` is not emulated by --execute: the step counts as failed"),
            )
        }
        // Retry only ever comes as the first action, never after retries.
        Action::Fail { note: None } | Action::Retry { .. } => {
            flow.mark_failed();
            (None, String::new())
        }
    };
    if !message.is_empty() {
        say(&run.out, &format!("[{}] {message}", step.key));
    }
    result.applied.handled = handled;
    result
}
