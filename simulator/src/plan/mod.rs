//! The dry-run plan of a pipeline: per CI stage, the schedule, the resolved settings of
//! every step, each service's network identity and the findings that would fail the stage.
//!
//! Everything is read from the shared analysis (`hlint_rules::analysis::stage::analyse`):
//! the execution graph gives the waves and what each step waits for, the network model the
//! services' names and ports, the command analysis the client calls and readiness checks.
//! Nothing here parses YAML or shell, or works out ordering or networking on its own.
//!
//! The plan owns its data (no borrows of the pipeline) and is `serde::Serialize`: the JSON
//! rendering is the plan itself, and the executor walks the same values ([`StagePlan::steps`]
//! in document order, [`StepPlan::waits_for_steps`] for what must finish first,
//! [`StepPlan::container`] for what to run).

mod build;
mod services;
mod settings;

use std::path::Path;

use hlint_rules::{lint_source_at, Diagnostic, FileReport, LintOptions, Origin, Severity};
use hlint_schema::model::{self, Pipeline};
use hlint_schema::yaml::{load_str, LoadLimits, YamlTree};
use hlint_schema::{LineIndex, Span};
use serde::Serialize;

pub use settings::{shell_argv, timeout_seconds};

/// The version of the plan's JSON shape (`{"version": 1, "plans": [...]}`). Fields may be
/// added without a change; none is removed or changes meaning without one.
pub const PLAN_VERSION: u32 = 1;

/// The working directory of every step: the stage's shared workspace.
pub const WORKING_DIR: &str = "/harness";

/// The step timeout when a step sets none: "The default is usually 10 minutes" (Harness,
/// "Timeout settings", developer.harness.io/docs/platform/pipelines/failure-handling/timeout-settings).
pub const DEFAULT_STEP_TIMEOUT_SECONDS: u64 = 600;

/// The plan of one pipeline file.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    /// The file's name as given (for messages).
    pub file: String,
    /// The YAML could not be read to the end (a syntax error or a limit): the plan covers
    /// only what was read before, and the findings say why.
    pub truncated: bool,
    /// The CI stages, in document order (stage-level `parallel` flattened).
    pub stages: Vec<StagePlan>,
    /// Errors and warnings outside every planned stage (pipeline-level fields, other stage
    /// types): Harness rejects or fails the pipeline on an error here whatever the stage.
    pub findings: Vec<Finding>,
    /// The pipeline's `name`, `identifier` and `variables` (for `<+pipeline.*>` expressions).
    pub pipeline: PipelineInfo,
}

/// What `<+pipeline.name>`, `<+pipeline.identifier>` and `<+pipeline.variables.x>` read.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PipelineInfo {
    pub name: Option<String>,
    pub identifier: Option<String>,
    pub variables: Vec<VariablePlan>,
}

/// A pipeline or stage `variables` item, as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VariablePlan {
    pub name: String,
    /// `String`, `Number` or `Secret` as written (`None`: not given).
    pub var_type: Option<String>,
    /// The value as written: text, an expression, or `<+input>` (for a `Secret` variable:
    /// the secret's identifier).
    pub value: Option<String>,
}

/// Why a file has no plan.
#[derive(Clone, Debug)]
pub enum PlanError {
    /// The file holds no pipeline the model can read (not a pipeline, or its YAML failed
    /// before `pipeline:`); `findings` are its lint errors and warnings.
    NotAPipeline { findings: Vec<Finding> },
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::NotAPipeline { .. } => {
                f.write_str("not a Harness pipeline: nothing to plan")
            }
        }
    }
}

impl std::error::Error for PlanError {}

/// `--stage ID` named no CI stage of the plans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownStage {
    pub requested: String,
    /// Every CI stage identifier, in order, without repeats.
    pub known: Vec<String>,
}

impl std::fmt::Display for UnknownStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.known.is_empty() {
            write!(
                f,
                "no CI stage `{}`: the pipeline has no CI stage",
                self.requested
            )
        } else {
            write!(
                f,
                "no CI stage `{}`; the CI stages are: {}",
                self.requested,
                self.known.join(", ")
            )
        }
    }
}

impl std::error::Error for UnknownStage {}

/// One CI stage.
#[derive(Clone, Debug, Serialize)]
pub struct StagePlan {
    /// The stage identifier (empty when missing).
    pub id: String,
    pub name: Option<String>,
    pub infrastructure: InfrastructurePlan,
    /// The stage's own `when` (pipeline status and condition), if any.
    pub when: Option<Condition>,
    /// `cloneCodebase` as written (`None`: not set).
    pub clone_codebase: Option<Written<bool>>,
    /// The steps that start together, in order: wave `k` starts when every step a step of it
    /// waits for has finished (a dry run in which each step takes one unit of time).
    pub waves: Vec<WavePlan>,
    /// Every step in document order; `StepPlan::index` is the position here.
    pub steps: Vec<StepPlan>,
    /// Step groups and parallel blocks, outermost first (for clusters and subgraphs).
    pub blocks: Vec<BlockPlan>,
    /// "finishes before" edges of the execution graph, transitively reduced.
    pub edges: Vec<EdgePlan>,
    /// Every Background service, in document order.
    pub services: Vec<ServicePlan>,
    /// The errors and warnings inside the stage, in source order.
    pub findings: Vec<Finding>,
    /// The stage's `variables` (for `<+stage.variables.x>`).
    pub variables: Vec<VariablePlan>,
}

/// Where the stage runs.
#[derive(Clone, Debug, Serialize)]
pub struct InfrastructurePlan {
    pub kind: InfraKindName,
    /// How the YAML says it (`KubernetesDirect`, `Cloud`, `VM`, `Docker`, or `default` for a
    /// stage with no infrastructure at all).
    pub declared: String,
    /// `useFromStage`: the stage whose infrastructure this one reuses.
    pub use_from_stage: Option<String>,
    pub os: Option<String>,
    pub arch: Option<String>,
    /// Kubernetes: the namespace and cluster connector.
    pub namespace: Option<String>,
    pub connector_ref: Option<String>,
    /// VM pool: the pool's name.
    pub pool_name: Option<String>,
    /// Kubernetes volumes, mounted in every container of the pod.
    pub volumes: Vec<VolumePlan>,
    /// How steps reach services here, in one sentence.
    pub network: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InfraKindName {
    Kubernetes,
    HarnessCloud,
    VmPool,
    LocalDocker,
    Unknown,
}

impl InfraKindName {
    pub fn label(self) -> &'static str {
        match self {
            InfraKindName::Kubernetes => "Kubernetes",
            InfraKindName::HarnessCloud => "Harness Cloud",
            InfraKindName::VmPool => "VM pool",
            InfraKindName::LocalDocker => "local Docker runner",
            InfraKindName::Unknown => "unknown infrastructure",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct VolumePlan {
    pub mount_path: Option<String>,
    /// `EmptyDir`, `PersistentVolumeClaim`, `HostPath`.
    pub volume_type: Option<String>,
}

/// Steps that start together.
#[derive(Clone, Debug, Serialize)]
pub struct WavePlan {
    /// 1-based.
    pub number: usize,
    /// Indices into [`StagePlan::steps`], in document order.
    pub steps: Vec<usize>,
}

/// A step group or a parallel block.
#[derive(Clone, Debug, Serialize)]
pub struct BlockPlan {
    pub kind: BlockKind,
    /// The group's identifier (parallel blocks have none).
    pub id: Option<String>,
    pub name: Option<String>,
    /// The enclosing block (index into [`StagePlan::blocks`]).
    pub parent: Option<usize>,
    /// A parallel block's branch this block is (for a block directly under one).
    pub branch: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    StepGroup,
    Parallel,
}

/// `before` certainly finishes before `after` starts (for a Background step: its service has
/// been started), with no step in between.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EdgePlan {
    pub before: usize,
    pub after: usize,
}

/// Where a step (or a service) runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// A container: on the stage's Docker network, or in the Kubernetes build pod.
    Container,
    /// Directly on the build machine (Cloud, VM pool, local runner: a step without image).
    Machine,
    Unknown,
}

/// One step.
#[derive(Clone, Debug, Serialize)]
pub struct StepPlan {
    /// Position in document order (the execution graph's step index).
    pub index: usize,
    pub id: Option<String>,
    /// How the plan names the step: `GROUP/STEP` inside a step group, else `STEP`
    /// (`#N` when the identifier is missing).
    pub key: String,
    pub name: Option<String>,
    /// `type` as written.
    pub step_type: Option<String>,
    /// The innermost step group's identifier.
    pub group: Option<String>,
    /// The innermost block (step group or parallel block) around the step.
    pub block: Option<usize>,
    /// The wave it starts in (1-based).
    pub wave: usize,
    /// The identifiers (keys) of the steps it waits for directly.
    pub waits_for: Vec<String>,
    /// The same steps, as indices into [`StagePlan::steps`].
    pub waits_for_steps: Vec<usize>,
    pub placement: Placement,
    /// What to run, for the step types that run a user-chosen container (Run, Background,
    /// RunTests, Test, Plugin) and have a `spec`.
    pub container: Option<ContainerSettings>,
    pub timeout: TimeoutPlan,
    /// The failure strategies that apply, most specific first (step, groups, stage); empty
    /// for Background steps, which do not support them.
    pub failure_strategies: Vec<FailureStrategyPlan>,
    /// The `when` conditions that must hold for it to run (its own, then its groups').
    pub when: Vec<Condition>,
    /// A `when` on it or a group around it: it may be skipped.
    pub conditional: bool,
    /// A looping `strategy` (matrix, parallelism, repeat) on it or a group around it: this
    /// entry stands for all its instances, which may run beside each other.
    pub repeated: bool,
    /// For a Background step: when its service is started and how long it lives.
    pub service: Option<ServiceLife>,
    /// Client calls of its script, with the service each is for.
    pub connects: Vec<Connection>,
    /// How its script waits for services (a fixed sleep, a retry loop).
    pub readiness: Vec<String>,
    /// Output variables it declares.
    pub output_variables: Vec<String>,
}

/// A Background step's service over the stage.
#[derive(Clone, Debug, Serialize)]
pub struct ServiceLife {
    /// The wave in which the service is started; nothing waits for it to be ready.
    pub started_in_wave: usize,
    /// Services live until the stage ends (they do not persist across stages).
    pub alive_until_stage_end: bool,
}

/// The container (or machine process) a step runs.
#[derive(Clone, Debug, Serialize)]
pub struct ContainerSettings {
    /// `None`: run directly on the machine (or the spec lacks a required image).
    pub image: Option<String>,
    pub connector_ref: Option<String>,
    pub image_pull_policy: Option<String>,
    /// Exec form; `None` keeps the image's own ENTRYPOINT.
    pub entrypoint: Option<Vec<String>>,
    /// Arguments after the entrypoint; `None` keeps the image's own CMD.
    pub command: Option<Vec<String>>,
    /// The `shell` (default `Sh`), for steps that run a script.
    pub shell: Option<String>,
    /// The script of `command:` as written.
    pub script: Option<String>,
    /// `envVariables`, as written (expressions are left for the executor to resolve).
    pub env: Vec<EnvVar>,
    pub working_dir: String,
    pub privileged: Option<Written<bool>>,
    pub run_as_user: Option<Written<i64>>,
    /// Why the settings are incomplete (an unknown shell, a missing command, ...).
    pub notes: Vec<String>,
}

impl ContainerSettings {
    /// The process's argument vector: the entrypoint, then the command. Empty when both are
    /// the image's own.
    pub fn argv(&self) -> Vec<String> {
        self.entrypoint
            .iter()
            .chain(self.command.iter())
            .flatten()
            .cloned()
            .collect()
    }
}

/// A value as written: known, or a Harness expression to resolve at run time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Written<T> {
    Value(T),
    Expression(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
    /// The value holds a Harness expression (`<+secrets.getValue("pw")>`).
    pub expression: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct TimeoutPlan {
    /// The step's `timeout` as written.
    pub written: Option<String>,
    /// The limit in seconds (`None`: an expression or a value hlint cannot read).
    pub seconds: Option<u64>,
    pub origin: TimeoutOrigin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeoutOrigin {
    /// Written on the step.
    Step,
    /// None written: Harness's default step timeout.
    Default,
    /// An expression, resolved at run time.
    Expression,
    /// Not a duration Harness accepts.
    Invalid,
}

/// One `failureStrategies` item that applies to a step.
#[derive(Clone, Debug, Serialize)]
pub struct FailureStrategyPlan {
    /// Where it is written: `step`, `step group ID` or `stage`.
    pub from: String,
    /// `onFailure.errors` (`AllErrors`, `Timeout`, ...).
    pub errors: Vec<String>,
    /// `action.type`: `Ignore`, `Retry`, `MarkAsSuccess`, `Abort`, `StageRollback`, ...
    pub action: Option<String>,
    /// Retry: `retryCount`.
    pub retry_count: Option<u64>,
    /// Retry: `retryIntervals` as written (`10s`, ...).
    pub retry_intervals: Vec<String>,
    /// Retry: what happens when every retry failed (`onRetryFailure.action.type`).
    pub on_retry_failure: Option<String>,
    /// One line for people.
    pub summary: String,
}

/// A `when`: the status it needs and its condition.
#[derive(Clone, Debug, Serialize)]
pub struct Condition {
    /// `step`, `step group ID` or `stage`.
    pub from: String,
    /// `stageStatus` (steps, groups) or `pipelineStatus` (stages).
    pub status: Option<String>,
    pub condition: Option<String>,
    /// One line for people.
    pub text: String,
}

/// A client call of a step's script.
#[derive(Clone, Debug, Serialize)]
pub struct Connection {
    /// The program (`psql`, `pg_isready`, `curl`, `/dev/tcp`).
    pub tool: String,
    /// `probe` (checks that the service answers) or `use`.
    pub kind: String,
    /// The host as written (`None`: the client's default, a Unix socket).
    pub host: Option<String>,
    pub port: Option<u16>,
    /// The key of the service it is meant for, when hlint can tell.
    pub service: Option<String>,
    /// What the host means for this step: `service` (a name that reaches the service),
    /// `loopback`, `wrong_name` (a service's name that does not reach it from here),
    /// `other_stage` (a Background step of another stage), `unknown`, `external` (a dotted
    /// name, an address), `undetermined` (unknown infrastructure), `socket` (no host: a Unix
    /// socket), `dynamic` (not known before the run).
    pub resolution: String,
    /// For `wrong_name`: the names that do reach the service from this step.
    pub correct_names: Vec<String>,
    pub line: usize,
    pub column: usize,
}

/// A Background service's network identity.
#[derive(Clone, Debug, Serialize)]
pub struct ServicePlan {
    /// Index of its step in [`StagePlan::steps`].
    pub step: usize,
    pub key: String,
    pub id: String,
    pub group: Option<String>,
    pub placement: Placement,
    pub image: Option<String>,
    /// What the service is (`PostgreSQL`, `Redis`, ...), when hlint recognises it.
    pub kind: Option<String>,
    /// Its name on the stage's Docker network (`STEP`, or `GROUP_STEP` in a step group).
    pub alias: Option<String>,
    /// The names that reach it, per kind of caller among the stage's steps.
    pub reached_by: Vec<ReachPlan>,
    /// The ports it listens on.
    pub listens: Vec<ListeningPortPlan>,
    /// `portBindings`: host port -> container port.
    pub published: Vec<PublishedPort>,
    /// Where it keeps its data (for example PostgreSQL's `PGDATA`).
    pub data_dir: Option<String>,
    /// Kubernetes: the stage volume holding the data directory.
    pub data_volume: Option<String>,
    /// What its entrypoint refuses to start without, and whether the step provides it.
    pub required_env: Vec<RequiredEnv>,
    /// The wave in which it is started (1-based); it stays up until the stage ends.
    pub started_in_wave: usize,
    /// No image where the infrastructure requires one (Kubernetes, local Docker runner).
    pub missing_required_image: bool,
}

/// The names by which one kind of caller reaches a service.
#[derive(Clone, Debug, Serialize)]
pub struct ReachPlan {
    /// `pod` (Kubernetes), `containers`, `machine` (steps run without image) or `unknown`.
    pub from: String,
    /// The keys of those callers.
    pub callers: Vec<String>,
    /// The host names that reach it from them (empty: none does).
    pub names: Vec<String>,
    /// The ports those names reach: its listening ports, or from the machine the published
    /// host ports of a container service.
    pub ports: Vec<u16>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ListeningPortPlan {
    /// `None`: set to something hlint cannot read (an expression, a shell variable).
    pub port: Option<u16>,
    /// What the port is for (`sql`, `http`, ...).
    pub role: String,
    /// `default`, `argument` or `environment VARIABLE`.
    pub set_by: String,
    /// Where it is set (for `argument` and `environment`).
    pub line: Option<usize>,
    pub column: Option<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PublishedPort {
    /// `None`: not a port number.
    pub host: Option<u16>,
    pub container: Option<u16>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RequiredEnv {
    /// Any of these (`POSTGRES_PASSWORD`, `POSTGRES_HOST_AUTH_METHOD=trust`).
    pub any_of: Vec<String>,
    pub satisfied: bool,
    /// What happens when it is not.
    pub otherwise: String,
}

/// A lint finding that would fail the stage (or the pipeline).
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub code: String,
    pub name: String,
    pub severity: String,
    pub message: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// The key of the step it is in, if any.
    pub step: Option<String>,
    pub help: Option<String>,
}

impl Finding {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error.as_str()
    }

    fn of(diagnostic: &Diagnostic, text: &str, lines: &LineIndex, step: Option<String>) -> Self {
        let start = lines.line_column(text, diagnostic.span.start);
        let end = lines.line_column(text, diagnostic.span.end);
        Finding {
            code: diagnostic.rule.code.to_owned(),
            name: diagnostic.rule.name.to_owned(),
            severity: diagnostic.severity.as_str().to_owned(),
            message: diagnostic.message.clone(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            step,
            help: diagnostic.help.clone(),
        }
    }
}

/// Errors and warnings: the findings that fail a run (infos do not).
fn fails(diagnostic: &Diagnostic) -> bool {
    diagnostic.severity >= Severity::Warning
}

impl Plan {
    /// The plan of a pipeline: `tree` is its YAML, `text` the source its spans point into,
    /// `diagnostics` its lint findings (from [`hlint_rules::lint_source_at`]); only errors
    /// and warnings are kept, each in the stage (and step) whose text holds it.
    pub fn build(
        file: &str,
        pipeline: &Pipeline,
        tree: &YamlTree,
        text: &str,
        diagnostics: &[Diagnostic],
    ) -> Plan {
        let lines = LineIndex::new(text);
        let analyses = hlint_rules::analysis::stage::analyse(pipeline, tree, text);
        let mut stages = Vec::with_capacity(analyses.len());
        let mut stage_spans: Vec<Span> = Vec::with_capacity(analyses.len());
        for analysis in &analyses {
            let span = analysis.stage().full_span();
            let findings = diagnostics
                .iter()
                .filter(|d| fails(d) && span.contains(d.span))
                .map(|d| {
                    let step = analysis
                        .step_at(d.span)
                        .map(|i| build::step_key(&analysis.graph, i));
                    Finding::of(d, text, &lines, step)
                })
                .collect();
            stages.push(build::stage_plan(
                pipeline, tree, text, &lines, analysis, findings,
            ));
            stage_spans.push(span);
        }
        let findings = diagnostics
            .iter()
            .filter(|d| fails(d) && !stage_spans.iter().any(|s| s.contains(d.span)))
            .map(|d| Finding::of(d, text, &lines, None))
            .collect();
        Plan {
            file: file.to_owned(),
            truncated: false,
            stages,
            findings,
            pipeline: PipelineInfo {
                name: pipeline.name.as_ref().map(|n| n.value.clone()),
                identifier: pipeline.identifier.as_ref().map(|i| i.value.clone()),
                variables: build::variables(pipeline.variables.as_ref()),
            },
        }
    }

    /// The plan of a linted file: its text is loaded again (the lint does not hand out its
    /// tree) with `limits`, the pipeline model built, and [`Plan::build`] called with the
    /// report's findings.
    pub fn from_report(
        file: &str,
        report: &FileReport,
        limits: LoadLimits,
    ) -> Result<Plan, PlanError> {
        let loaded = load_str(&report.text, limits);
        let pipeline = report.checked.then(|| model::build(&loaded.tree)).flatten();
        match pipeline {
            Some(pipeline) => {
                let mut plan = Plan::build(
                    file,
                    &pipeline,
                    &loaded.tree,
                    &report.text,
                    &report.diagnostics,
                );
                plan.truncated = loaded.truncated_at.is_some();
                Ok(plan)
            }
            None => Err(PlanError::NotAPipeline {
                findings: report
                    .diagnostics
                    .iter()
                    .filter(|d| fails(d))
                    .map(|d| Finding::of(d, &report.text, report.lines(), None))
                    .collect(),
            }),
        }
    }

    /// Lints `bytes` (a file named on the command line, at `path` for its configuration's
    /// per-file ignores) and plans it.
    pub fn from_source(
        file: &str,
        bytes: &[u8],
        options: &LintOptions,
        path: Option<&Path>,
    ) -> Result<Plan, PlanError> {
        let report = lint_source_at(bytes, Origin::Named, options, path);
        Plan::from_report(file, &report, options.limits)
    }

    /// The stage with identifier `id`.
    pub fn stage(&self, id: &str) -> Option<&StagePlan> {
        self.stages.iter().find(|stage| stage.id == id)
    }

    /// Keeps only the stages with identifier `id`; false when there is none (the plan is
    /// then left as it was).
    pub fn retain_stage(&mut self, id: &str) -> bool {
        if self.stage(id).is_none() {
            return false;
        }
        self.stages.retain(|stage| stage.id == id);
        true
    }

    /// Every finding of the plan: pipeline-level ones first, then each stage's.
    pub fn all_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .chain(self.stages.iter().flat_map(|stage| &stage.findings))
    }

    /// Some finding of the plan is an error: a stage will fail (or Harness rejects the
    /// pipeline).
    pub fn has_errors(&self) -> bool {
        self.all_findings().any(Finding::is_error)
    }
}

/// Keeps, in every plan, only the stages named `id`, and drops the plans that have none.
/// Fails (changing nothing) when no plan has such a stage, with every CI stage's id.
pub fn select_stage(plans: &mut Vec<Plan>, id: &str) -> Result<(), UnknownStage> {
    if !plans.iter().any(|plan| plan.stage(id).is_some()) {
        let mut known: Vec<String> = Vec::new();
        for stage in plans.iter().flat_map(|plan| &plan.stages) {
            if !known.contains(&stage.id) {
                known.push(stage.id.clone());
            }
        }
        return Err(UnknownStage {
            requested: id.to_owned(),
            known,
        });
    }
    plans.retain_mut(|plan| plan.retain_stage(id));
    Ok(())
}

impl StagePlan {
    /// The step with identifier `id` (the first, if repeated).
    pub fn step(&self, id: &str) -> Option<&StepPlan> {
        self.steps
            .iter()
            .find(|step| step.id.as_deref() == Some(id))
    }

    /// The steps of wave `number` (1-based).
    pub fn wave(&self, number: usize) -> impl Iterator<Item = &StepPlan> {
        self.waves
            .iter()
            .filter(move |wave| wave.number == number)
            .flat_map(|wave| wave.steps.iter().map(|&i| &self.steps[i]))
    }

    /// The service of the Background step with identifier `id`.
    pub fn service(&self, id: &str) -> Option<&ServicePlan> {
        self.services.iter().find(|service| service.id == id)
    }

    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
    }

    /// The blocks around step `index`, outermost first.
    pub fn blocks_of(&self, index: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut block = self.steps[index].block;
        while let Some(b) = block {
            chain.push(b);
            block = self.blocks[b].parent;
        }
        chain.reverse();
        chain
    }
}
