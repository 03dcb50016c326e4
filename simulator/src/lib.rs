//! hlint's simulator: what a CI stage will do when Harness runs it.
//!
//! - [`Plan`] (`plan`): the dry run. Built from the shared analysis
//!   (`hlint_rules::analysis::stage`) and the lint findings, with no Docker: each stage's
//!   schedule (waves of steps that start together, what each step waits for), the resolved
//!   container settings of every step (image, entrypoint and command, shell, environment,
//!   working directory, timeout, failure strategies, `when`), each Background service's
//!   network identity, and the findings that would make the stage fail. The executor
//!   (`--execute`) walks the same data.
//! - `render`: the plan as text, JSON, Graphviz DOT and Mermaid.

pub mod docker;
pub mod execute;
pub mod plan;
pub mod render;

#[cfg(test)]
mod tests;

pub use plan::{
    select_stage, shell_argv, timeout_seconds, BlockKind, BlockPlan, Condition, Connection,
    ContainerSettings, EdgePlan, EnvVar, FailureStrategyPlan, Finding, InfraKindName,
    InfrastructurePlan, ListeningPortPlan, Placement, Plan, PlanError, PublishedPort, ReachPlan,
    RequiredEnv, ServiceLife, ServicePlan, StagePlan, StepPlan, TimeoutOrigin, TimeoutPlan,
    UnknownStage, VolumePlan, WavePlan, Written, DEFAULT_STEP_TIMEOUT_SECONDS, PLAN_VERSION,
    WORKING_DIR,
};
