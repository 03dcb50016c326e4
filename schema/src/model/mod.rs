//! The typed pipeline model: everything the rules, the simulator and the LSP read from a
//! pipeline, built once from the [`YamlTree`].
//!
//! Every field is a [`Spanned`] value (its span, its key's span and its node) or absent.
//! Building is lenient and never fails: a field of the wrong shape is left out (or is
//! `Unknown`), because the JSON Schema validator reports structural errors and the model
//! must not report them twice. A field that may hold a Harness expression in place of its
//! usual type is a [`Value`]: `privileged: <+input>` is `Value::Expression`.

mod build;
mod codebase;
mod control;
mod execution;
mod infrastructure;
mod pipeline;
mod spanned;
mod stage;
mod step;
mod step_specs;
mod variable;

#[cfg(test)]
mod tests;

pub use codebase::{BuildRef, Codebase};
pub use control::{FailureStrategy, Strategy, When};
pub use execution::{Ancestor, Execution, ExecutionItem, GroupEntry, StepEntry, StepGroup};
pub use infrastructure::{
    Arch, Infrastructure, KubernetesDirect, Os, Platform, Runtime, RuntimeType, VmPool, Volume,
    VolumeType,
};
pub use pipeline::{build, Pipeline, StageEntry, StageItem, StagePath};
pub use spanned::{
    find_expression_start, is_expression, KeyValue, List, Raw, ScalarKind, Spanned, Value,
};
pub use stage::{Caching, CiStageSpec, Stage, StageSpec, StageType};
pub use step::{Step, StepType};
pub use step_specs::{
    BackgroundSpec, BuildAndPushSpec, CacheBackend, CacheSpec, Container, GitCloneSpec,
    ImagePullPolicy, OutputVariable, PluginSpec, Registry, Reports, Resources, RunSpec,
    RunTestsSpec, Shell, StepSpec,
};
pub use variable::Variable;

use crate::yaml::YamlTree;

/// What a YAML document holds, judged by its root key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    /// A mapping with a `pipeline` key.
    Pipeline,
    /// A mapping with a `template` key (a Harness template: not linted as a pipeline).
    Template,
    Other,
}

pub fn document_kind(tree: &YamlTree) -> DocumentKind {
    let Some(root) = tree.root() else {
        return DocumentKind::Other;
    };
    if tree.entry(root, "pipeline").is_some() {
        DocumentKind::Pipeline
    } else if tree.entry(root, "template").is_some() {
        DocumentKind::Template
    } else {
        DocumentKind::Other
    }
}

/// True for a mapping whose root has a `pipeline` key.
pub fn looks_like_pipeline(tree: &YamlTree) -> bool {
    document_kind(tree) == DocumentKind::Pipeline
}
