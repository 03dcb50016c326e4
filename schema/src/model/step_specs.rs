//! The `spec` of the CI step types the model knows in detail.

use super::build::{scalar_enum, Ctx};
use super::codebase::{build_ref, BuildRef};
use super::spanned::{KeyValue, List, Raw, Spanned, Value};
use super::step::StepType;
use crate::yaml::NodeId;

/// A step's `spec`, typed by the step's `type`. For [`StepSpec::Other`] (types not modelled,
/// or a missing type) the spec's node is the enclosing [`Spanned::node`].
#[derive(Clone, Debug, PartialEq)]
pub enum StepSpec {
    Run(RunSpec),
    /// The `Test` step (Test Intelligence): a Run spec plus keys read from the node.
    Test(RunSpec),
    Background(BackgroundSpec),
    RunTests(RunTestsSpec),
    Plugin(PluginSpec),
    GitClone(GitCloneSpec),
    BuildAndPush(BuildAndPushSpec),
    SaveCache(CacheSpec),
    RestoreCache(CacheSpec),
    Other,
}

impl StepSpec {
    /// The container settings of steps that run a user-chosen image.
    pub fn container(&self) -> Option<&Container> {
        match self {
            StepSpec::Run(spec) | StepSpec::Test(spec) => Some(&spec.container),
            StepSpec::Background(spec) => Some(&spec.container),
            StepSpec::RunTests(spec) => Some(&spec.container),
            StepSpec::Plugin(spec) => Some(&spec.container),
            _ => None,
        }
    }
}

/// Settings shared by the steps that run an image of the user's choice.
#[derive(Clone, Debug, PartialEq)]
pub struct Container {
    pub image: Option<Spanned<String>>,
    pub connector_ref: Option<Spanned<String>>,
    pub env_variables: Option<Spanned<Vec<KeyValue>>>,
    pub privileged: Option<Spanned<Value<bool>>>,
    pub run_as_user: Option<Spanned<Value<i64>>>,
    pub image_pull_policy: Option<Spanned<Value<ImagePullPolicy>>>,
    pub resources: Option<Spanned<Resources>>,
}

impl Container {
    /// The value of environment variable `name` as written (the first, if repeated).
    pub fn env(&self, name: &str) -> Option<&KeyValue> {
        self.env_variables
            .as_ref()?
            .iter()
            .find(|entry| entry.key.value == name)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    pub container: Container,
    pub command: Option<Spanned<String>>,
    pub shell: Option<Spanned<Value<Shell>>>,
    pub output_variables: Option<Spanned<Vec<Spanned<OutputVariable>>>>,
    pub reports: Option<Spanned<Reports>>,
}

impl RunSpec {
    /// The shell, `Sh` when none is given.
    pub fn shell_or_default(&self) -> &Value<Shell> {
        shell_or_default(&self.shell)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct BackgroundSpec {
    pub container: Container,
    pub command: Option<Spanned<String>>,
    pub shell: Option<Spanned<Value<Shell>>>,
    /// Exec form; replaces the image's ENTRYPOINT and CMD.
    pub entrypoint: Option<Spanned<List<String>>>,
    /// Host port -> container port, both as written.
    pub port_bindings: Option<Spanned<Vec<KeyValue>>>,
    pub reports: Option<Spanned<Reports>>,
}

impl BackgroundSpec {
    /// The shell, `Sh` when none is given.
    pub fn shell_or_default(&self) -> &Value<Shell> {
        shell_or_default(&self.shell)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct RunTestsSpec {
    pub container: Container,
    pub language: Option<Spanned<String>>,
    pub build_tool: Option<Spanned<String>>,
    pub args: Option<Spanned<String>>,
    pub packages: Option<Spanned<String>>,
    pub run_only_selected_tests: Option<Spanned<Value<bool>>>,
    pub test_annotations: Option<Spanned<String>>,
    pub pre_command: Option<Spanned<String>>,
    pub post_command: Option<Spanned<String>>,
    pub shell: Option<Spanned<Value<Shell>>>,
    pub test_globs: Option<Spanned<String>>,
    pub output_variables: Option<Spanned<Vec<Spanned<OutputVariable>>>>,
    pub reports: Option<Spanned<Reports>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PluginSpec {
    pub container: Container,
    /// `settings`: a map whose values may be strings, lists or maps; kept raw.
    pub settings: Option<Raw>,
    pub entrypoint: Option<Spanned<List<String>>>,
    pub uses: Option<Spanned<String>>,
    pub reports: Option<Spanned<Reports>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GitCloneSpec {
    pub connector_ref: Option<Spanned<String>>,
    pub repo_name: Option<Spanned<String>>,
    pub build: Option<Spanned<Value<BuildRef>>>,
    pub clone_directory: Option<Spanned<String>>,
    pub depth: Option<Spanned<Value<i64>>>,
    pub ssl_verify: Option<Spanned<Value<bool>>>,
    pub run_as_user: Option<Spanned<Value<i64>>>,
    pub resources: Option<Spanned<Resources>>,
}

/// The registry a BuildAndPush step pushes to, from its step type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Registry {
    DockerRegistry,
    Ecr,
    Gcr,
    Gar,
    Acr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BuildAndPushSpec {
    pub registry: Registry,
    pub connector_ref: Option<Spanned<String>>,
    /// Docker registry: `repo`.
    pub repo: Option<Spanned<String>>,
    /// ECR, GCR, GAR: `imageName`.
    pub image_name: Option<Spanned<String>>,
    /// ACR: `repository`.
    pub repository: Option<Spanned<String>>,
    /// GCR, GAR: `host`; GCR, GAR: `projectID`.
    pub host: Option<Spanned<String>>,
    pub project_id: Option<Spanned<String>>,
    /// ECR: `region`, `account`; ACR: `subscriptionId`.
    pub region: Option<Spanned<String>>,
    pub account: Option<Spanned<String>>,
    pub subscription_id: Option<Spanned<String>>,
    pub tags: Option<Spanned<List<String>>>,
    pub dockerfile: Option<Spanned<String>>,
    pub context: Option<Spanned<String>>,
    pub target: Option<Spanned<String>>,
    pub labels: Option<Spanned<Vec<KeyValue>>>,
    pub build_args: Option<Spanned<Vec<KeyValue>>>,
    pub caching: Option<Spanned<Value<bool>>>,
    pub optimize: Option<Spanned<Value<bool>>>,
    pub remote_cache_repo: Option<Spanned<String>>,
    pub remote_cache_image: Option<Spanned<String>>,
    pub env_variables: Option<Spanned<Vec<KeyValue>>>,
    pub run_as_user: Option<Spanned<Value<i64>>>,
    pub resources: Option<Spanned<Resources>>,
}

/// Where SaveCache/RestoreCache steps keep their cache, from the step type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheBackend {
    /// `SaveCache` / `RestoreCache`: Harness's own cache storage.
    Harness,
    S3,
    Gcs,
    Azure,
}

/// The spec of SaveCache* and RestoreCache* steps (each reads the keys it knows).
#[derive(Clone, Debug, PartialEq)]
pub struct CacheSpec {
    pub backend: CacheBackend,
    pub connector_ref: Option<Spanned<String>>,
    pub key: Option<Spanned<String>>,
    pub bucket: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
    pub endpoint: Option<Spanned<String>>,
    /// Save: `sourcePaths`.
    pub source_paths: Option<Spanned<List<String>>>,
    pub archive_format: Option<Spanned<String>>,
    /// Save: `override`.
    pub override_cache: Option<Spanned<Value<bool>>>,
    /// Restore: `failIfKeyNotFound`.
    pub fail_if_key_not_found: Option<Spanned<Value<bool>>>,
    pub path_style: Option<Spanned<Value<bool>>>,
    pub run_as_user: Option<Spanned<Value<i64>>>,
    pub resources: Option<Spanned<Resources>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shell {
    Sh,
    Bash,
    Powershell,
    Pwsh,
    Python,
    Unknown(String),
}
scalar_enum!(Shell, Unknown {
    "Sh" => Sh,
    "Bash" => Bash,
    "Powershell" => Powershell,
    "Pwsh" => Pwsh,
    "Python" => Python,
});

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImagePullPolicy {
    Always,
    Never,
    IfNotPresent,
    Unknown(String),
}
scalar_enum!(ImagePullPolicy, Unknown {
    "Always" => Always,
    "Never" => Never,
    "IfNotPresent" => IfNotPresent,
});

/// `resources: {limits: {memory, cpu}}`, as written (`500Mi`, `"0.5"`, `1`).
#[derive(Clone, Debug, PartialEq)]
pub struct Resources {
    pub limit_memory: Option<Spanned<String>>,
    pub limit_cpu: Option<Spanned<String>>,
}

/// `reports: {type: JUnit, spec: {paths: [...]}}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Reports {
    pub report_type: Option<Spanned<String>>,
    pub paths: Option<Spanned<List<String>>>,
}

/// An `outputVariables` item: `{name, type?, value?}`.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputVariable {
    pub name: Option<Spanned<String>>,
    pub var_type: Option<Spanned<String>>,
    pub value: Option<Spanned<String>>,
}

fn shell_or_default(shell: &Option<Spanned<Value<Shell>>>) -> &Value<Shell> {
    static SH: Value<Shell> = Value::Known(Shell::Sh);
    shell.as_ref().map_or(&SH, |shell| &shell.value)
}

pub(crate) fn resources(cx: Ctx, map: NodeId) -> Option<Spanned<Resources>> {
    cx.object(map, "resources", |node| {
        let limits = cx.tree.get(node, "limits");
        Resources {
            limit_memory: limits.and_then(|limits| cx.text(limits, "memory")),
            limit_cpu: limits.and_then(|limits| cx.text(limits, "cpu")),
        }
    })
}

fn reports(cx: Ctx, map: NodeId) -> Option<Spanned<Reports>> {
    cx.object(map, "reports", |node| Reports {
        report_type: cx.text(node, "type"),
        paths: cx
            .tree
            .get(node, "spec")
            .and_then(|spec| cx.string_list(spec, "paths")),
    })
}

fn output_variables(cx: Ctx, map: NodeId) -> Option<Spanned<Vec<Spanned<OutputVariable>>>> {
    cx.list(map, "outputVariables", |item| {
        cx.tree.is_mapping(item).then(|| {
            cx.item(
                item,
                OutputVariable {
                    name: cx.text(item, "name"),
                    var_type: cx.text(item, "type"),
                    value: cx.text(item, "value"),
                },
            )
        })
    })
}

fn container(cx: Ctx, spec: NodeId) -> Container {
    Container {
        image: cx.text(spec, "image"),
        connector_ref: cx.text(spec, "connectorRef"),
        env_variables: cx.key_values(spec, "envVariables"),
        privileged: cx.value(spec, "privileged"),
        run_as_user: cx.value(spec, "runAsUser"),
        image_pull_policy: cx.value(spec, "imagePullPolicy"),
        resources: resources(cx, spec),
    }
}

fn run(cx: Ctx, spec: NodeId) -> RunSpec {
    RunSpec {
        container: container(cx, spec),
        command: cx.text(spec, "command"),
        shell: cx.value(spec, "shell"),
        output_variables: output_variables(cx, spec),
        reports: reports(cx, spec),
    }
}

fn cache(cx: Ctx, spec: NodeId, backend: CacheBackend) -> CacheSpec {
    CacheSpec {
        backend,
        connector_ref: cx.text(spec, "connectorRef"),
        key: cx.text(spec, "key"),
        bucket: cx.text(spec, "bucket"),
        region: cx.text(spec, "region"),
        endpoint: cx.text(spec, "endpoint"),
        source_paths: cx.string_list(spec, "sourcePaths"),
        archive_format: cx.text(spec, "archiveFormat"),
        override_cache: cx.value(spec, "override"),
        fail_if_key_not_found: cx.value(spec, "failIfKeyNotFound"),
        path_style: cx.value(spec, "pathStyle"),
        run_as_user: cx.value(spec, "runAsUser"),
        resources: resources(cx, spec),
    }
}

/// Reads the mapping `spec` of a step of type `step_type`.
pub(crate) fn step_spec(cx: Ctx, step_type: Option<&StepType>, spec: NodeId) -> StepSpec {
    use StepType as T;
    let Some(step_type) = step_type else {
        return StepSpec::Other;
    };
    let registry = match step_type {
        T::BuildAndPushDockerRegistry => Some(Registry::DockerRegistry),
        T::BuildAndPushECR => Some(Registry::Ecr),
        T::BuildAndPushGCR => Some(Registry::Gcr),
        T::BuildAndPushGAR => Some(Registry::Gar),
        T::BuildAndPushACR => Some(Registry::Acr),
        _ => None,
    };
    if let Some(registry) = registry {
        return StepSpec::BuildAndPush(BuildAndPushSpec {
            registry,
            connector_ref: cx.text(spec, "connectorRef"),
            repo: cx.text(spec, "repo"),
            image_name: cx.text(spec, "imageName"),
            repository: cx.text(spec, "repository"),
            host: cx.text(spec, "host"),
            project_id: cx.text(spec, "projectID"),
            region: cx.text(spec, "region"),
            account: cx.text(spec, "account"),
            subscription_id: cx.text(spec, "subscriptionId"),
            tags: cx.string_list(spec, "tags"),
            dockerfile: cx.text(spec, "dockerfile"),
            context: cx.text(spec, "context"),
            target: cx.text(spec, "target"),
            labels: cx.key_values(spec, "labels"),
            build_args: cx.key_values(spec, "buildArgs"),
            caching: cx.value(spec, "caching"),
            optimize: cx.value(spec, "optimize"),
            remote_cache_repo: cx.text(spec, "remoteCacheRepo"),
            remote_cache_image: cx.text(spec, "remoteCacheImage"),
            env_variables: cx.key_values(spec, "envVariables"),
            run_as_user: cx.value(spec, "runAsUser"),
            resources: resources(cx, spec),
        });
    }
    match step_type {
        T::Run => StepSpec::Run(run(cx, spec)),
        T::Test => StepSpec::Test(run(cx, spec)),
        T::Background => StepSpec::Background(BackgroundSpec {
            container: container(cx, spec),
            command: cx.text(spec, "command"),
            shell: cx.value(spec, "shell"),
            entrypoint: cx.string_list(spec, "entrypoint"),
            port_bindings: cx.key_values(spec, "portBindings"),
            reports: reports(cx, spec),
        }),
        T::RunTests => StepSpec::RunTests(RunTestsSpec {
            container: container(cx, spec),
            language: cx.text(spec, "language"),
            build_tool: cx.text(spec, "buildTool"),
            args: cx.text(spec, "args"),
            packages: cx.text(spec, "packages"),
            run_only_selected_tests: cx.value(spec, "runOnlySelectedTests"),
            test_annotations: cx.text(spec, "testAnnotations"),
            pre_command: cx.text(spec, "preCommand"),
            post_command: cx.text(spec, "postCommand"),
            shell: cx.value(spec, "shell"),
            test_globs: cx.text(spec, "testGlobs"),
            output_variables: output_variables(cx, spec),
            reports: reports(cx, spec),
        }),
        T::Plugin => StepSpec::Plugin(PluginSpec {
            container: container(cx, spec),
            settings: cx.raw(spec, "settings"),
            entrypoint: cx.string_list(spec, "entrypoint"),
            uses: cx.text(spec, "uses"),
            reports: reports(cx, spec),
        }),
        T::GitClone => StepSpec::GitClone(GitCloneSpec {
            connector_ref: cx.text(spec, "connectorRef"),
            repo_name: cx.text(spec, "repoName"),
            build: build_ref(cx, spec),
            clone_directory: cx.text(spec, "cloneDirectory"),
            depth: cx.value(spec, "depth"),
            ssl_verify: cx.value(spec, "sslVerify"),
            run_as_user: cx.value(spec, "runAsUser"),
            resources: resources(cx, spec),
        }),
        T::SaveCache => StepSpec::SaveCache(cache(cx, spec, CacheBackend::Harness)),
        T::SaveCacheS3 => StepSpec::SaveCache(cache(cx, spec, CacheBackend::S3)),
        T::SaveCacheGCS => StepSpec::SaveCache(cache(cx, spec, CacheBackend::Gcs)),
        T::SaveCacheAzure => StepSpec::SaveCache(cache(cx, spec, CacheBackend::Azure)),
        T::RestoreCache => StepSpec::RestoreCache(cache(cx, spec, CacheBackend::Harness)),
        T::RestoreCacheS3 => StepSpec::RestoreCache(cache(cx, spec, CacheBackend::S3)),
        T::RestoreCacheGCS => StepSpec::RestoreCache(cache(cx, spec, CacheBackend::Gcs)),
        T::RestoreCacheAzure => StepSpec::RestoreCache(cache(cx, spec, CacheBackend::Azure)),
        _ => StepSpec::Other,
    }
}
