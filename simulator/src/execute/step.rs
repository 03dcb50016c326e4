//! One step's container: image, entrypoint and command, environment, network identity; a Run
//! step is waited for (with its timeout), a Background step is left running.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::expressions::{parse_captured, CAPTURE_PATH};
use super::logs::{follow, say};
use super::resolved::{resolve_settings, ResolvedSettings};
use super::stage::Run;
use super::{mask, StepResult, StepStatus};
use crate::docker::ContainerSpec;
use crate::plan::{Placement, StepPlan};

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

/// One attempt (1-based: a retry is attempt 2, ...) at running `step`.
pub(super) async fn run_step(run: &Arc<Run>, step: &StepPlan, attempt: u32) -> StepResult {
    let started = Instant::now();
    let step_type = step.step_type.clone().unwrap_or_default();
    let background = step_type == "Background";
    let mut result = StepResult::new(step, StepStatus::Success);
    let fail = |mut result: StepResult, message: String| {
        let message = mask(&message, &run.secrets);
        say(&run.out, &format!("[{}] error: {message}", result.key));
        result.duration = started.elapsed();
        result.status = StepStatus::Error(message);
        result
    };
    let Some(settings) = &step.container else {
        return fail(
            result,
            format!("`--execute` does not run {step_type} steps"),
        );
    };
    if settings.image.is_none() {
        let message = if step.placement == Placement::Machine {
            "no image: on Harness Cloud this runs directly on the VM; `--execute` runs only containers".to_owned()
        } else {
            "no image".to_owned()
        };
        return fail(result, message);
    }
    let ResolvedSettings {
        image,
        entrypoint,
        cmd,
        env,
        capture,
    } = match resolve_settings(run, step, settings) {
        Ok(resolved) => resolved,
        Err(e) => return fail(result, e),
    };
    let image = map_image(&run.image_map, image.as_deref().unwrap_or_default());
    if !run.engine.image_exists(&image).await {
        return fail(
            result,
            format!("image `{image}` is not on this engine: pull it, or map it with --image-map FROM=TO"),
        );
    }
    let (network, network_mode) = match (&run.holder, &run.network) {
        (Some(holder), _) => (None, Some(format!("container:{holder}"))),
        (None, Some(network)) => (
            Some((network.clone(), alias(step).into_iter().collect())),
            None,
        ),
        (None, None) => (None, None),
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
        network,
        network_mode,
        privileged: false,
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
        return fail(result, e.to_string());
    }
    say(
        &run.out,
        &format!("[{}] started ({})", step.key, spec.image),
    );
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
            .push((step.index, container, log, started));
        result.duration = started.elapsed();
        return result;
    }
    let limit = step
        .timeout
        .seconds
        .unwrap_or(crate::plan::DEFAULT_STEP_TIMEOUT_SECONDS);
    let waited = tokio::select! {
        waited = tokio::time::timeout(Duration::from_secs(limit), run.engine.wait(&container)) => Some(waited),
        _ = run.flow.aborted() => None,
    };
    match waited {
        Some(Ok(Ok(code))) => {
            result.exit_code = Some(code);
            if code != 0 {
                result.status = StepStatus::Failed;
            } else if capture {
                match run.engine.read_file(&container, CAPTURE_PATH).await {
                    Ok(bytes) => run.flow.outputs.set(step.index, parse_captured(&bytes)),
                    Err(e) => say(
                        &run.out,
                        &format!("[{}] its output variables could not be read: {e}", step.key),
                    ),
                }
            }
        }
        Some(Ok(Err(e))) => result.status = StepStatus::Error(e.to_string()),
        Some(Err(_)) => {
            let _ = run.engine.kill(&container).await;
            say(
                &run.out,
                &format!("[{}] timed out after {limit}s", step.key),
            );
            result.status = StepStatus::TimedOut;
        }
        None => {
            let _ = run.engine.kill(&container).await;
            say(
                &run.out,
                &format!("[{}] stopped: the stage was aborted", step.key),
            );
            result.status = StepStatus::Aborted;
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), follower).await;
    result.duration = started.elapsed();
    result.log = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
    say(
        &run.out,
        &format!(
            "[{}] {} (exit code {}){}",
            step.key,
            result.status.label(),
            result.exit_code.map_or("-".into(), |c| c.to_string()),
            if attempt > 1 {
                format!(", attempt {attempt}")
            } else {
                String::new()
            }
        ),
    );
    result
}
