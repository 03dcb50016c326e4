//! A sentence on what the most used fields mean, for hover. hlint's schema says which keys
//! and values are allowed; these say what they are for (from shared/harness-ci-facts.md).
//! Keyed by the object's schema title (`Run step spec`) and key, or by the key alone.

const BY_OBJECT: &[(&str, &str, &str)] = &[
    ("step", "type", "The kind of step. It decides which keys its `spec` takes."),
    ("step", "spec", "The settings of this kind of step (its `type`)."),
    ("stage", "type", "The kind of stage; hlint checks `CI` stages."),
    ("stage", "spec", "The settings of the stage: for a CI stage `execution`, where it runs (`infrastructure`, or `platform` and `runtime`), `cloneCodebase`, `sharedPaths`, `caching`."),
    ("infrastructure", "type", "Where the stage runs: `KubernetesDirect` (a build pod in your cluster), `VM` (a self-hosted VM pool), `KubernetesHosted`, `Docker`."),
    ("runtime", "type", "`Cloud`: Harness Cloud machines; `Docker`: the local Docker runner."),
    ("Background step spec", "command", "The script that starts the service, run with `shell`. Without `image`, on Harness Cloud and VMs it runs directly on the build machine."),
    ("Background step spec", "entrypoint", "Replaces the image's ENTRYPOINT and its command (exec form: a list of strings). To keep the postgres image's behaviour, repeat `docker-entrypoint.sh` and then the server's arguments."),
    ("Background step spec", "image", "The image the service runs in. Required on Kubernetes and on the local Docker runner; on Harness Cloud and VMs, without one the service runs directly on the machine."),
    ("Background step spec", "portBindings", "Host port -> container port: publishes the service's ports on the build machine (Docker-based infrastructure; ignored on Kubernetes). Both sides are strings: quote the numbers."),
    ("Background step spec", "envVariables", "Environment variables of the service's container (for postgres: `POSTGRES_USER`, `POSTGRES_PASSWORD`, `POSTGRES_DB`, `PGDATA`...). Values are strings."),
    ("Run step spec", "command", "The script the step runs, with `shell`. Required."),
    ("Run step spec", "image", "The image the step runs in. On Harness Cloud and VMs, without one the step runs directly on the build machine."),
    ("Run step spec", "outputVariables", "Variables the script exports, readable by later steps as `<+steps.ID.output.outputVariables.NAME>`."),
    ("Run step spec", "envVariables", "Environment variables of the script. Values are strings."),
    ("Run step spec", "entrypoint", "Run steps have no entrypoint: use `command`."),
];

const BY_KEY: &[(&str, &str)] = &[
    ("identifier", "The element's ID: how expressions name it (`<+steps.ID...>`) and, for a Background step, its host name on Docker-based infrastructure. Letters, digits and `_`, not starting with a digit, at most 128 characters; case-sensitive and unique in its stage (steps and step groups) or pipeline (stages)."),
    ("name", "The name shown in Harness's UI."),
    ("description", "Free text shown in Harness's UI."),
    ("stages", "The stages of the pipeline, in order. Each item holds exactly one of `stage` or `parallel`."),
    ("stage", "One stage: `identifier`, `name`, `type` and `spec`; `when`, `failureStrategies` and `timeout` sit beside `spec`."),
    ("parallel", "Items that start at the same time."),
    ("steps", "The steps, in order. Each item holds exactly one of `step`, `parallel` or `stepGroup`."),
    ("step", "One step: `identifier`, `name`, `type` and `spec`; optionally `timeout`, `when`, `failureStrategies`, `strategy`."),
    ("stepGroup", "Steps that run in order as one group. On Docker-based infrastructure a Background step in a group is reached as `GROUPID_STEPID`. CI step groups cannot be nested."),
    ("execution", "What the stage runs: its `steps`."),
    ("shell", "The shell that runs `command`: `Sh` runs `sh -c`, `Bash` runs `bash -c`. Default: `Sh`."),
    ("connectorRef", "The Harness connector to reach a registry, cluster or cloud with."),
    ("imagePullPolicy", "When the image is pulled: `Always`, `Never`, `IfNotPresent`."),
    ("privileged", "Runs the container in privileged mode."),
    ("runAsUser", "The user ID the container runs as."),
    ("resources", "Resource limits of the container (`limits.cpu`, `limits.memory`)."),
    ("reports", "Test reports to collect: `{type: JUnit, spec: {paths: [...]}}`."),
    ("timeout", "How long this may run before Harness stops it: `10s`, `1m30s`, `1h 30m`, `2w`."),
    ("when", "Runs this only when the condition holds (`stageStatus`, `condition`)."),
    ("failureStrategies", "What Harness does when this fails (retry, ignore, abort...)."),
    ("strategy", "Runs this several times: exactly one of `matrix`, `parallelism` or `repeat`."),
    ("variables", "Variables readable in expressions (`<+pipeline.variables.NAME>`, `<+stage.variables.NAME>`)."),
    ("cloneCodebase", "Clones the pipeline's codebase into the stage's workspace before the steps."),
    ("sharedPaths", "Folders shared by all the steps of the stage, besides the workspace."),
    ("platform", "The OS (`Linux`, `MacOS`, `Windows`) and architecture (`Amd64`, `Arm64`) of a Harness Cloud or local runner machine."),
    ("runtime", "Harness Cloud (`type: Cloud`) or the local Docker runner (`type: Docker`)."),
    ("infrastructure", "Where the stage runs: a Kubernetes cluster, a VM pool, or `useFromStage` to reuse another stage's."),
    ("useFromStage", "Reuses the infrastructure of the stage with this identifier."),
    ("namespace", "The Kubernetes namespace of the build pod."),
    ("volumes", "Volumes mounted into every container of the build pod (EmptyDir, PersistentVolumeClaim, HostPath)."),
    ("hostNames", "Extra host names the build pod resolves."),
    ("projectIdentifier", "The Harness project the pipeline belongs to."),
    ("orgIdentifier", "The Harness organization the pipeline belongs to."),
    ("tags", "Key-value labels (strings)."),
    ("properties", "Pipeline-wide settings: `ci.codebase`, the repository to clone."),
    ("codebase", "The repository the pipeline clones, and what to build from it."),
    ("caching", "Cache Intelligence: caches dependency folders between runs."),
    ("image", "The container image, with a tag or digest."),
    ("envVariables", "Environment variables (a map of strings)."),
    ("outputVariables", "Variables the script exports, readable by later steps."),
    ("command", "The script to run."),
];

/// What a key means, for the object titled `object`.
pub fn meaning(object: Option<&str>, key: &str) -> Option<&'static str> {
    if let Some(object) = object {
        if let Some((_, _, text)) = BY_OBJECT
            .iter()
            .find(|(title, name, _)| title.eq_ignore_ascii_case(object) && *name == key)
        {
            return Some(text);
        }
    }
    BY_KEY
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, text)| *text)
}
