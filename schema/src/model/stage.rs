//! A `stage`: CI stages typed in full, other stage types kept by name with their raw spec.

use super::build::{scalar_enum, Ctx};
use super::control::{failure_strategies, strategy, when, FailureStrategy, Strategy, When};
use super::execution::{execution, Execution, GroupEntry, StepEntry};
use super::infrastructure::{build_infrastructure, build_platform, build_runtime};
use super::infrastructure::{Infrastructure, Platform, Runtime};
use super::spanned::{List, Spanned, Value};
use super::variable::{variables, Variable};
use crate::yaml::NodeId;

#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub identifier: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub stage_type: Option<Spanned<StageType>>,
    pub when: Option<Spanned<When>>,
    pub failure_strategies: Option<Spanned<List<FailureStrategy>>>,
    pub timeout: Option<Spanned<String>>,
    pub strategy: Option<Spanned<Strategy>>,
    /// `variables` beside `spec` (or, failing that, inside a CI stage's `spec`).
    pub variables: Option<Spanned<Vec<Spanned<Variable>>>>,
    /// Present when `spec` is a mapping; typed by `stage_type`.
    pub spec: Option<Spanned<StageSpec>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StageType {
    Ci,
    /// `Deployment`, `Approval`, `Custom`, ...: kept by name.
    Other(String),
}
scalar_enum!(StageType, Other { "CI" => Ci });

/// A stage's `spec`. For [`StageSpec::Other`] the node is the enclosing [`Spanned::node`].
#[derive(Clone, Debug, PartialEq)]
pub enum StageSpec {
    Ci(Box<CiStageSpec>),
    Other,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CiStageSpec {
    pub clone_codebase: Option<Spanned<Value<bool>>>,
    pub shared_paths: Option<Spanned<List<String>>>,
    pub caching: Option<Spanned<Caching>>,
    pub execution: Option<Spanned<Execution>>,
    /// Where the stage runs, spanned by the field that decided it (`infrastructure`, else
    /// `runtime`, else `platform`); `None` when none is given (see [`Self::infrastructure`]).
    pub infrastructure: Option<Spanned<Infrastructure>>,
    pub platform: Option<Spanned<Platform>>,
    pub runtime: Option<Spanned<Runtime>>,
}

/// `caching: {enabled, key, paths, override}` (Cache Intelligence).
#[derive(Clone, Debug, PartialEq)]
pub struct Caching {
    pub enabled: Option<Spanned<Value<bool>>>,
    pub key: Option<Spanned<String>>,
    pub paths: Option<Spanned<List<String>>>,
    pub override_cache: Option<Spanned<Value<bool>>>,
}

impl CiStageSpec {
    /// Where the stage runs as declared: [`Infrastructure::Default`] when nothing is given;
    /// `useFromStage` is not followed here (see `Pipeline::resolved_infrastructure`).
    pub fn infrastructure(&self) -> &Infrastructure {
        static DEFAULT: Infrastructure = Infrastructure::Default;
        self.infrastructure.as_ref().map_or(&DEFAULT, |i| &i.value)
    }

    pub fn execution(&self) -> Option<&Execution> {
        self.execution.as_ref().map(|e| &e.value)
    }
}

impl Stage {
    pub fn id(&self) -> Option<&str> {
        self.identifier.as_ref().map(|id| id.value.as_str())
    }

    pub fn is_ci(&self) -> bool {
        matches!(self.stage_type.as_deref(), Some(StageType::Ci))
    }

    /// The spec of a CI stage.
    pub fn ci(&self) -> Option<&CiStageSpec> {
        match self.spec.as_deref() {
            Some(StageSpec::Ci(spec)) => Some(spec),
            _ => None,
        }
    }

    /// The declared infrastructure of a CI stage (`useFromStage` not followed).
    pub fn infrastructure(&self) -> Option<&Infrastructure> {
        self.ci().map(CiStageSpec::infrastructure)
    }

    pub fn execution(&self) -> Option<&Execution> {
        self.ci()?.execution()
    }

    /// Every step of the stage, in document order, with its groups and parallel blocks.
    pub fn steps(&self) -> Vec<StepEntry<'_>> {
        self.execution().map(Execution::steps).unwrap_or_default()
    }

    pub fn step_groups(&self) -> Vec<GroupEntry<'_>> {
        self.execution()
            .map(Execution::step_groups)
            .unwrap_or_default()
    }

    pub fn find_step(&self, id: &str) -> Option<StepEntry<'_>> {
        self.execution()?.find_step(id)
    }
}

pub(crate) fn stage(cx: Ctx, node: NodeId) -> Stage {
    let stage_type = cx.typed::<StageType>(node, "type");
    let is_ci = matches!(stage_type.as_deref(), Some(StageType::Ci));
    let spec = cx.object(node, "spec", |spec| {
        if is_ci {
            StageSpec::Ci(Box::new(ci_stage_spec(cx, spec)))
        } else {
            StageSpec::Other
        }
    });
    let spec_variables = || {
        spec.as_ref()
            .filter(|_| is_ci)
            .and_then(|spec| variables(cx, spec.node))
    };
    Stage {
        identifier: cx.text(node, "identifier"),
        name: cx.text(node, "name"),
        description: cx.text(node, "description"),
        when: when(cx, node),
        failure_strategies: failure_strategies(cx, node),
        timeout: cx.text(node, "timeout"),
        strategy: strategy(cx, node),
        variables: variables(cx, node).or_else(spec_variables),
        stage_type,
        spec,
    }
}

fn ci_stage_spec(cx: Ctx, spec: NodeId) -> CiStageSpec {
    let platform = cx.object(spec, "platform", |node| build_platform(cx, node));
    CiStageSpec {
        clone_codebase: cx.value(spec, "cloneCodebase"),
        shared_paths: cx.string_list(spec, "sharedPaths"),
        caching: cx.object(spec, "caching", |node| Caching {
            enabled: cx.value(node, "enabled"),
            key: cx.text(node, "key"),
            paths: cx.string_list(node, "paths"),
            override_cache: cx.value(node, "override"),
        }),
        execution: cx.object(spec, "execution", |node| execution(cx, node)),
        infrastructure: build_infrastructure(cx, spec, platform.as_ref()),
        runtime: cx.object(spec, "runtime", |node| build_runtime(cx, node)),
        platform,
    }
}
