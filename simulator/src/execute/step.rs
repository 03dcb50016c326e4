//! One step's container: image, entrypoint and command, environment, network identity; a Run
//! step is waited for (with its timeout), a Background step is left running.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::host::run_on_host;
use super::images::{ensure, PullPolicy};
use super::logs::follow;
use super::ports::start_error;
use super::stage::{Run, Service, ServiceHandle};
use super::{resolve, StepResult, StepStatus};
use crate::docker::ContainerSpec;
use crate::plan::{ContainerSettings, Placement, StepPlan, Written};

/// A Docker-safe name piece.
fn slug(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

pub(super) fn map_image(map: &[(String, String)], image: &str) -> String {
    map.iter()
        .find(|(from, _)| from == image)
        .map_or_else(|| image.to_owned(), |(_, to)| to.clone())
}

/// The alias Harness gives a container on the stage network.
fn alias(step: &StepPlan) -> Option<String> {
    let id = step.id.as_ref()?;
    Some(match &step.group {
        Some(group) => format!("{group}_{id}"),
        None => id.clone(),
    })
}

/// Whether the step may run privileged: `privileged: true` only with `--allow-privileged`.
fn privileged(run: &Run, settings: &ContainerSettings) -> Result<bool, String> {
    match &settings.privileged {
        None | Some(Written::Value(false)) => Ok(false),
        Some(Written::Value(true)) if run.allow_privileged => Ok(true),
        Some(Written::Value(true)) => Err(
            "`privileged: true` gives the container full access to this machine: pass --allow-privileged to run it"
                .to_owned(),
        ),
        Some(Written::Expression(text)) => Err(format!(
            "`privileged` is an expression (`{text}`) that --execute does not resolve: write true or false"
        )),
    }
}

pub(super) async fn run_step(run: &Arc<Run>, step: &StepPlan) -> StepResult {
    let started = Instant::now();
    let step_type = step.step_type.clone().unwrap_or_default();
    let background = step_type == "Background";
    let mut result = StepResult {
        key: step.key.clone(),
        step_type: step_type.clone(),
        status: StepStatus::Success,
        duration: Duration::ZERO,
        exit_code: None,
        log: String::new(),
    };
    let fail = |mut result: StepResult, message: String| {
        result.duration = started.elapsed();
        result.status = StepStatus::Error(message);
        run.progress.finished(&result);
        result
    };
    let Some(settings) = &step.container else {
        return fail(
            result,
            format!("`--execute` does not run {step_type} steps"),
        );
    };
    let image = match (settings.image.as_deref(), &run.default_image) {
        (Some(image), _) => image,
        // Harness Cloud and VMs run a step without image on the machine itself.
        (None, Some(default)) if step.placement == Placement::Machine => default.as_str(),
        (None, None) if step.placement == Placement::Machine => {
            return run_on_host(run, step, settings, result, started).await;
        }
        (None, _) => return fail(result, "no image".to_owned()),
    };
    let image = map_image(&run.image_map, image);
    let policy = match PullPolicy::parse(settings.image_pull_policy.as_deref()) {
        Ok(policy) => policy,
        Err(e) => return fail(result, e),
    };
    let privileged = match privileged(run, settings) {
        Ok(privileged) => privileged,
        Err(e) => return fail(result, e),
    };
    if let Err(e) = ensure(run, &step.key, &image, policy).await {
        return fail(result, e);
    }
    let resolve_all = |values: &Option<Vec<String>>| -> Result<Option<Vec<String>>, String> {
        values
            .as_ref()
            .map(|v| v.iter().map(|s| resolve(s, &run.secrets)).collect())
            .transpose()
    };
    let entrypoint = match resolve_all(&settings.entrypoint) {
        Ok(v) => v,
        Err(e) => return fail(result, e),
    };
    let cmd = match resolve_all(&settings.command) {
        Ok(v) => v,
        Err(e) => return fail(result, e),
    };
    let mut env = Vec::new();
    for var in &settings.env {
        match resolve(&var.value, &run.secrets) {
            Ok(value) => env.push((var.name.clone(), value)),
            Err(e) => return fail(result, e),
        }
    }
    let (network, network_mode) = match (&run.holder, &run.network) {
        (Some(holder), _) => (None, Some(format!("container:{holder}"))),
        (None, Some(network)) => (
            Some((network.clone(), alias(step).into_iter().collect())),
            None,
        ),
        (None, None) => (None, None),
    };
    // Ports are published from the stage network only: a pod has one namespace.
    let ports = match &run.network {
        Some(_) => run.published.get(&step.index).cloned().unwrap_or_default(),
        None => Vec::new(),
    };
    let spec = ContainerSpec {
        name: format!("{}-step-{}", run.id, slug(&step.key)),
        image,
        entrypoint,
        cmd,
        env,
        working_dir: Some(settings.working_dir.clone()),
        volumes: run.volumes.clone(),
        binds: run.bind.iter().cloned().collect(),
        ports,
        network,
        network_mode,
        privileged,
        user: match &settings.run_as_user {
            Some(crate::plan::Written::Value(uid)) => Some(uid.to_string()),
            _ => None,
        },
    };
    let container = match run.engine.create_container(&run.id, &spec).await {
        Ok(id) => id,
        Err(e) => return fail(result, e.to_string()),
    };
    if let Err(e) = run.engine.start(&container).await {
        return fail(result, start_error(&spec.ports, &e.0));
    }
    run.progress.started(&step.key, &spec.image);
    let log = Arc::new(Mutex::new(String::new()));
    let follower = tokio::spawn(follow(
        run.clone(),
        container.clone(),
        step.key.clone(),
        log.clone(),
    ));
    if background {
        run.services
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Service {
                index: step.index,
                handle: ServiceHandle::Container(container),
                log,
                started,
            });
        result.duration = started.elapsed();
        run.progress.finished(&result);
        return result;
    }
    let limit = step
        .timeout
        .seconds
        .unwrap_or(crate::plan::DEFAULT_STEP_TIMEOUT_SECONDS);
    match tokio::time::timeout(Duration::from_secs(limit), run.engine.wait(&container)).await {
        Ok(Ok(code)) => {
            result.exit_code = Some(code);
            if code != 0 {
                result.status = StepStatus::Failed;
            }
        }
        Ok(Err(e)) => result.status = StepStatus::Error(e.to_string()),
        Err(_) => {
            let _ = run.engine.kill(&container).await;
            run.progress
                .line(&format!("[{}] timed out after {limit}s", step.key));
            result.status = StepStatus::TimedOut;
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), follower).await;
    result.duration = started.elapsed();
    result.log = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
    run.progress.finished(&result);
    result
}
