//! A `step`: its identity, type, execution controls and typed spec.

use super::build::{scalar_enum, Ctx};
use super::control::{failure_strategies, strategy, when, FailureStrategy, Strategy, When};
use super::spanned::{List, Spanned};
use super::step_specs::{step_spec, StepSpec};
use crate::yaml::NodeId;

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub identifier: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub step_type: Option<Spanned<StepType>>,
    pub description: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
    pub when: Option<Spanned<When>>,
    pub failure_strategies: Option<Spanned<List<FailureStrategy>>>,
    pub strategy: Option<Spanned<Strategy>>,
    /// Present when `spec` is a mapping; typed by `step_type`.
    pub spec: Option<Spanned<StepSpec>>,
}

impl Step {
    pub fn id(&self) -> Option<&str> {
        self.identifier.as_ref().map(|id| id.value.as_str())
    }

    pub fn kind(&self) -> Option<&StepType> {
        self.step_type.as_ref().map(|t| &t.value)
    }
}

/// The CI step types; any other name (scanners, CD steps, typos) is kept in `Other`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StepType {
    Run,
    Background,
    RunTests,
    Test,
    Plugin,
    Action,
    Bitrise,
    GitClone,
    BuildAndPushDockerRegistry,
    BuildAndPushECR,
    BuildAndPushGCR,
    BuildAndPushGAR,
    BuildAndPushACR,
    S3Upload,
    GCSUpload,
    ArtifactoryUpload,
    HarUpload,
    SaveCache,
    RestoreCache,
    SaveCacheS3,
    RestoreCacheS3,
    SaveCacheGCS,
    RestoreCacheGCS,
    SaveCacheAzure,
    RestoreCacheAzure,
    Wait,
    Policy,
    Other(String),
}
scalar_enum!(StepType, Other {
    "Run" => Run,
    "Background" => Background,
    "RunTests" => RunTests,
    "Test" => Test,
    "Plugin" => Plugin,
    "Action" => Action,
    "Bitrise" => Bitrise,
    "GitClone" => GitClone,
    "BuildAndPushDockerRegistry" => BuildAndPushDockerRegistry,
    "BuildAndPushECR" => BuildAndPushECR,
    "BuildAndPushGCR" => BuildAndPushGCR,
    "BuildAndPushGAR" => BuildAndPushGAR,
    "BuildAndPushACR" => BuildAndPushACR,
    "S3Upload" => S3Upload,
    "GCSUpload" => GCSUpload,
    "ArtifactoryUpload" => ArtifactoryUpload,
    "HarUpload" => HarUpload,
    "SaveCache" => SaveCache,
    "RestoreCache" => RestoreCache,
    "SaveCacheS3" => SaveCacheS3,
    "RestoreCacheS3" => RestoreCacheS3,
    "SaveCacheGCS" => SaveCacheGCS,
    "RestoreCacheGCS" => RestoreCacheGCS,
    "SaveCacheAzure" => SaveCacheAzure,
    "RestoreCacheAzure" => RestoreCacheAzure,
    "Wait" => Wait,
    "Policy" => Policy,
});

pub(crate) fn step(cx: Ctx, node: NodeId) -> Step {
    let step_type = cx.typed::<StepType>(node, "type");
    let spec = cx.object(node, "spec", |spec| {
        step_spec(cx, step_type.as_ref().map(|t| &t.value), spec)
    });
    Step {
        identifier: cx.text(node, "identifier"),
        name: cx.text(node, "name"),
        description: cx.text(node, "description"),
        timeout: cx.text(node, "timeout"),
        when: when(cx, node),
        failure_strategies: failure_strategies(cx, node),
        strategy: strategy(cx, node),
        step_type,
        spec,
    }
}
