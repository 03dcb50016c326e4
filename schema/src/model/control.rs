//! What decides whether and how often a stage, step group or step runs: `when`,
//! `failureStrategies` and `strategy`.

use super::build::Ctx;
use super::spanned::{List, Raw, Spanned, Value};
use crate::yaml::NodeId;

/// `when: {pipelineStatus | stageStatus, condition}`.
#[derive(Clone, Debug, PartialEq)]
pub struct When {
    /// On a stage: `Success`, `Failure` or `All`.
    pub pipeline_status: Option<Spanned<String>>,
    /// On a step or step group: `Success`, `Failure` or `All`.
    pub stage_status: Option<Spanned<String>>,
    /// A JEXL condition (usually an expression).
    pub condition: Option<Spanned<String>>,
}

/// One `failureStrategies` item: `{onFailure: {errors: [...], action: {type, spec}}}`.
#[derive(Clone, Debug, PartialEq)]
pub struct FailureStrategy {
    pub errors: Option<Spanned<List<String>>>,
    /// `action.type`: `Ignore`, `Retry`, `MarkAsSuccess`, `Abort`, `StageRollback`, ...
    pub action: Option<Spanned<String>>,
    pub action_spec: Option<Raw>,
}

/// `strategy`: exactly one of `matrix`, `parallelism`, `repeat` (kept as written).
#[derive(Clone, Debug, PartialEq)]
pub struct Strategy {
    pub matrix: Option<Raw>,
    pub parallelism: Option<Spanned<Value<i64>>>,
    pub repeat: Option<Raw>,
}

pub(crate) fn when(cx: Ctx, map: NodeId) -> Option<Spanned<When>> {
    cx.object(map, "when", |node| When {
        pipeline_status: cx.text(node, "pipelineStatus"),
        stage_status: cx.text(node, "stageStatus"),
        condition: cx.text(node, "condition"),
    })
}

pub(crate) fn failure_strategies(cx: Ctx, map: NodeId) -> Option<Spanned<List<FailureStrategy>>> {
    cx.list_or_expression(map, "failureStrategies", |item| {
        let on_failure = cx.tree.get(item, "onFailure")?;
        let action = cx.tree.get(on_failure, "action");
        Some(cx.item(
            item,
            FailureStrategy {
                errors: cx.string_list(on_failure, "errors"),
                action: action.and_then(|action| cx.text(action, "type")),
                action_spec: action.and_then(|action| cx.raw(action, "spec")),
            },
        ))
    })
}

pub(crate) fn strategy(cx: Ctx, map: NodeId) -> Option<Spanned<Strategy>> {
    cx.object(map, "strategy", |node| Strategy {
        matrix: cx.raw(node, "matrix"),
        parallelism: cx.value(node, "parallelism"),
        repeat: cx.raw(node, "repeat"),
    })
}
