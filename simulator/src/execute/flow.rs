//! One step as Harness runs it inside a stage: its `when` against the stage so far, its
//! attempts under its failure strategy, what its outputs leave for later steps, and the
//! stage-wide state this changes (something failed; the stage was aborted).

use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use super::expressions::{mask, Outputs, Scope, Values};
use super::failure::{self, Action, FailureType, Handled};
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
    /// By step index: it failed (and no strategy forgave it). A step that comes after one
    /// (waits for it, directly or through others) and has `stageStatus: Success` is skipped.
    /// Only what comes before counts: a parallel sibling's failure races its start.
    failed: Mutex<Vec<bool>>,
    /// A strategy aborted the stage: running steps stop, nothing else starts.
    abort: watch::Sender<bool>,
}

impl StageFlow {
    pub(super) fn new(values: Values, stage: StagePlan) -> StageFlow {
        StageFlow {
            values,
            failed: Mutex::new(vec![false; stage.steps.len()]),
            stage,
            outputs: Outputs::default(),
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

    /// A step that `step` waits for, directly or through others, failed.
    pub(super) fn failed_before(&self, step: &StepPlan) -> bool {
        let failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
        let mut seen = vec![false; failed.len()];
        let mut pending = step.waits_for_steps.clone();
        while let Some(index) = pending.pop() {
            if index >= failed.len() || std::mem::replace(&mut seen[index], true) {
                continue;
            }
            if failed[index] {
                return true;
            }
            pending.extend(&self.stage.steps[index].waits_for_steps);
        }
        false
    }

    pub(super) fn mark_failed(&self, step: &StepPlan) {
        if let Some(failed) = self
            .failed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(step.index)
        {
            *failed = true;
        }
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
        run.progress.line(&format!("[{}] skipped: {why}", step.key));
        StepResult::new(step, StepStatus::Skipped)
    };
    if flow.is_aborted() {
        return skip("the stage was aborted".into());
    }
    let decision = when::decide(&step.when, flow.failed_before(step), &flow.scope(step));
    match decision {
        Decision::Run => {}
        Decision::Skip(why) => return skip(why),
        Decision::Error(error) => {
            // A condition's value may be a secret's.
            let error = mask(&error, &run.flow.values.secrets);
            run.progress.line(&format!("[{}] error: {error}", step.key));
            flow.mark_failed(step);
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
                flow.mark_failed(step);
                return result;
            }
        };
        // The strategy is chosen at the first failure; its retries then run out.
        let (intervals, then) = match planned.take() {
            Some(plan) => plan,
            None => match failure::choose(&step.failure_strategies, kind) {
                Some(strategy) => {
                    run.progress.line(&format!(
                        "[{}] failure strategy: {}",
                        step.key, strategy.summary
                    ));
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
            run.progress.line(&format!(
                "[{}] retry {} of {} in {}s",
                step.key,
                retries + 1,
                intervals.len(),
                wait.as_secs()
            ));
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
            flow.mark_failed(step);
            flow.abort.send_replace(true);
            (
                Some(Handled::Aborted),
                "aborting the stage: running steps are stopped, the rest skipped".to_owned(),
            )
        }
        Action::Fail { note: Some(action) } => {
            flow.mark_failed(step);
            (
                Some(Handled::NotEmulated(action.clone())),
                format!("the strategy's action `{action}` is not emulated by --execute: the step counts as failed"),
            )
        }
        // Retry only ever comes as the first action, never after retries.
        Action::Fail { note: None } | Action::Retry { .. } => {
            flow.mark_failed(step);
            (None, String::new())
        }
    };
    if !message.is_empty() {
        run.progress.line(&format!("[{}] {message}", step.key));
    }
    result.applied.handled = handled;
    result
}
