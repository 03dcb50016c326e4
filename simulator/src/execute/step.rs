//! One step's container: image, entrypoint and command, environment, network identity; a Run
//! step is waited for (with its timeout), a Background step is left running.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::ending::{record_end, wait_for_end};
use super::expressions::CAPTURE_PATH;
use super::host::{run_on_host, HostOutputs};
use super::images::{ensure, PullPolicy};
use super::logs::follow;
use super::ports::start_error;
use super::resolved::{resolve_settings, ResolvedSettings};
use super::stage::{Run, Service, ServiceHandle};
use super::{mask, StepResult, StepStatus};
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

/// One attempt (1-based: a retry is attempt 2, ...) at running `step`.
pub(super) async fn run_step(run: &Arc<Run>, step: &StepPlan, attempt: u32) -> StepResult {
    let started = Instant::now();
    let step_type = step.step_type.clone().unwrap_or_default();
    let background = step_type == "Background";
    let mut result = StepResult::new(step, StepStatus::Success);
    let fail = |mut result: StepResult, message: String| {
        let message = mask(&message, &run.flow.values.secrets);
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
    // Harness Cloud and VMs run a step without image on the machine itself (unless
    // --default-image puts it in a container); its outputs then go to a file of the run's.
    let on_host = settings.image.is_none()
        && step.placement == Placement::Machine
        && run.default_image.is_none();
    let host_outputs = match on_host.then(HostOutputs::create).transpose() {
        Ok(outputs) => outputs,
        Err(e) => return fail(result, e),
    };
    let capture_path = host_outputs
        .as_ref()
        .map_or(CAPTURE_PATH.to_owned(), HostOutputs::path);
    let resolved = match resolve_settings(run, step, settings, &capture_path) {
        Ok(resolved) => resolved,
        Err(e) => return fail(result, e),
    };
    if let Some(outputs) = host_outputs {
        return run_on_host(run, step, resolved, outputs, result, started).await;
    }
    let ResolvedSettings {
        image,
        entrypoint,
        cmd,
        env,
        capture,
    } = resolved;
    let image = match (image, &run.default_image) {
        (Some(image), _) => image,
        (None, Some(default)) if step.placement == Placement::Machine => default.clone(),
        (None, _) => return fail(result, "no image".to_owned()),
    };
    let image = map_image(&run.image_map, &image);
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
        name: match attempt {
            1 => format!("{}-step-{}", run.id, slug(&step.key)),
            n => format!("{}-step-{}-try{n}", run.id, slug(&step.key)),
        },
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
    let ending = wait_for_end(run, step, async {
        run.engine.wait(&container).await.map_err(|e| e.to_string())
    })
    .await;
    if ending.must_stop() {
        let _ = run.engine.kill(&container).await;
    }
    let outputs = if ending.reads_outputs(capture) {
        Some(
            run.engine
                .read_file(&container, CAPTURE_PATH)
                .await
                .map_err(|e| e.to_string()),
        )
    } else {
        None
    };
    record_end(run, step, &mut result, ending, outputs);
    let _ = tokio::time::timeout(Duration::from_secs(5), follower).await;
    result.duration = started.elapsed();
    result.log = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
    run.progress.finished(&result);
    result
}
