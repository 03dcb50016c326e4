//! `--execute`: runs a CI stage for real on a Docker engine, from the same [`Plan`] as the
//! dry run (what each step runs: [`StepPlan::container`]; what it waits for:
//! [`StepPlan::waits_for_steps`]), and says which static findings the run confirmed.
//!
//! - Harness Cloud, VM pool, local Docker runner: one user-defined network per run; each
//!   container's only aliases are the ones Harness gives it (the step identifier, or
//!   `GROUP_STEP` inside a step group), so a wrong host fails here as on Harness.
//! - Kubernetes: a holder container owns the pod's network namespace and every step
//!   container joins it (`network_mode: container:<holder>`), so `localhost` works and two
//!   services on one port collide; the stage's `volumes` are Docker volumes at their
//!   `mountPath` in every container.
//! - Every container gets the shared workspace volume at `/harness` (its working directory).
//! - Every container, network and volume is labelled `hlint.run=<run id>` and removed at the
//!   end, on failure, on timeout and on Ctrl-C (unless `keep`).

mod confirm;
mod expr;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::docker::{ContainerSpec, Engine, EngineError, Removed};
use crate::plan::{InfraKindName, Placement, Plan, StagePlan, StepPlan};

pub use confirm::{confirm_findings, FindingCheck};
pub use expr::{mask, resolve, Secrets};

/// What the user passes to `--execute`.
#[derive(Clone, Debug, Default)]
pub struct ExecuteOptions {
    /// `--secret NAME=VALUE`: values of `<+secrets.getValue("NAME")>`.
    pub secrets: Vec<(String, String)>,
    /// `--image-map FROM=TO`: run `TO` where the pipeline says `FROM`.
    pub image_map: Vec<(String, String)>,
    /// `--keep`: leave the containers, network and volumes for debugging.
    pub keep: bool,
    /// The run id (default: `hlint-` and the process id and time).
    pub run_id: Option<String>,
}

/// How a step ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepStatus {
    /// Exit code 0 (a Run step), or a service still running at the end of the stage.
    Success,
    /// A Run step's non-zero exit; a service that exited with an error before the stage ended.
    Failed,
    TimedOut,
    /// Not run: a step it waits for did not succeed, or the run was interrupted.
    Skipped,
    /// Could not be run at all (an image missing, a secret not given, ...).
    Error(String),
}

impl StepStatus {
    pub fn label(&self) -> &str {
        match self {
            StepStatus::Success => "success",
            StepStatus::Failed => "failed",
            StepStatus::TimedOut => "timed out",
            StepStatus::Skipped => "skipped",
            StepStatus::Error(_) => "error",
        }
    }
}

/// One step's result.
#[derive(Clone, Debug)]
pub struct StepResult {
    pub key: String,
    pub step_type: String,
    pub status: StepStatus,
    pub duration: Duration,
    pub exit_code: Option<i64>,
    /// Its whole output (secrets masked).
    pub log: String,
}

/// One stage's run.
#[derive(Clone, Debug)]
pub struct StageOutcome {
    pub stage: String,
    pub run_id: String,
    pub steps: Vec<StepResult>,
    pub findings: Vec<FindingCheck>,
    pub succeeded: bool,
    pub interrupted: bool,
    pub duration: Duration,
}

/// Where the lines of the run go (logs prefixed with the step's key, the table).
pub type Out = Arc<Mutex<Box<dyn Write + Send>>>;

fn say(out: &Out, line: &str) {
    let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Runs every stage of `plan` in order (a failed stage stops the run) on a fresh tokio
/// runtime; `Err` when no engine answers (at once, saying how to start one).
pub fn execute(
    plan: &Plan,
    options: &ExecuteOptions,
    out: Out,
) -> Result<Vec<StageOutcome>, EngineError> {
    // One thread: the steps wait on the engine, not on the CPU, and the output (the
    // caller's stdout, whose lock it may hold) is written from the caller's thread.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| EngineError(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let engine = Engine::connect().await?;
        say(&out, &format!("hlint: engine: {}", engine.description));
        let mut outcomes = Vec::new();
        for stage in &plan.stages {
            let outcome = run_stage(&engine, stage, options, out.clone()).await?;
            let stop = !outcome.succeeded;
            outcomes.push(outcome);
            if stop {
                break;
            }
        }
        Ok(outcomes)
    })
}

/// `hlint clean`: removes every labelled container, network and volume that runs left.
pub fn clean() -> Result<Removed, EngineError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| EngineError(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let engine = Engine::connect().await?;
        engine.remove_labelled(None).await
    })
}

fn new_run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "hlint-{}-{:x}",
        std::process::id(),
        (nanos / 1000) % 0xff_ffff
    )
}

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

/// A started Background step: step index, container id, log buffer, started at.
type Service = (usize, String, Arc<Mutex<String>>, Instant);

/// The run's shared state.
struct Run {
    engine: Engine,
    id: String,
    out: Out,
    secrets: Secrets,
    image_map: Vec<(String, String)>,
    /// Kubernetes: the holder's id; else the network's name.
    holder: Option<String>,
    network: Option<String>,
    /// `(volume, mount path)` in every container (workspace first).
    volumes: Vec<(String, String)>,
    /// Background containers: step index, container id, log buffer, started at.
    services: Mutex<Vec<Service>>,
}

async fn run_stage(
    engine: &Engine,
    stage: &StagePlan,
    options: &ExecuteOptions,
    out: Out,
) -> Result<StageOutcome, EngineError> {
    let started = Instant::now();
    let id = options.run_id.clone().unwrap_or_else(new_run_id);
    say(
        &out,
        &format!(
            "hlint: stage `{}` on {} (emulated), run {id}",
            stage.id,
            stage.infrastructure.kind.label()
        ),
    );
    let secrets = Secrets::new(options.secrets.clone());
    let run = Arc::new(Run {
        engine: engine.clone(),
        id: id.clone(),
        out: out.clone(),
        secrets,
        image_map: options.image_map.clone(),
        holder: None,
        network: None,
        volumes: Vec::new(),
        services: Mutex::new(Vec::new()),
    });

    // Run the stage; Ctrl-C (or SIGTERM) drops it where it is, and cleanup follows.
    // Boxed so that dropping it drops its JoinSet, which aborts every step task.
    let mut work = Box::pin(run_steps(run, stage));
    let mut interrupted = false;
    let results = tokio::select! {
        results = &mut work => Some(results),
        _ = interrupt() => { interrupted = true; None }
    };
    drop(work);
    let (results, setup_error) = match results {
        Some(Ok(results)) => (results, None),
        Some(Err(error)) => (Vec::new(), Some(error)),
        None => (Vec::new(), None),
    };

    if interrupted {
        say(
            &out,
            "hlint: interrupted: removing the run's containers, network and volumes",
        );
    }
    if options.keep && !interrupted {
        say(
            &out,
            &format!("hlint: --keep: left every object labelled hlint.run={id}"),
        );
    } else {
        cleanup(engine, &id, &out).await;
    }
    if let Some(error) = setup_error {
        return Err(error);
    }

    let steps: Vec<StepResult> = if interrupted {
        stage
            .steps
            .iter()
            .map(|s| StepResult {
                key: s.key.clone(),
                step_type: s.step_type.clone().unwrap_or_default(),
                status: StepStatus::Skipped,
                duration: Duration::ZERO,
                exit_code: None,
                log: String::new(),
            })
            .collect()
    } else {
        results
    };
    let succeeded = !interrupted && steps.iter().all(|s| s.status == StepStatus::Success);
    let findings = confirm_findings(stage, &steps);
    let outcome = StageOutcome {
        stage: stage.id.clone(),
        run_id: id,
        steps,
        findings,
        succeeded,
        interrupted,
        duration: started.elapsed(),
    };
    say(&out, &report(&outcome));
    Ok(outcome)
}

/// Ctrl-C or SIGTERM.
async fn interrupt() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Removes the run's objects; again while something was left (a create that was in flight
/// when the run was interrupted lands after the first pass).
async fn cleanup(engine: &Engine, id: &str, out: &Out) {
    let mut total = Removed::default();
    for pass in 0..4 {
        if pass > 0 {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        match engine.remove_labelled(Some(id)).await {
            Ok(removed) => {
                total.containers += removed.containers;
                total.networks += removed.networks;
                total.volumes += removed.volumes;
                if removed == Removed::default() && pass > 0 {
                    break;
                }
            }
            Err(error) => say(out, &format!("hlint: cleanup: {error}")),
        }
    }
    say(
        out,
        &format!(
            "hlint: cleanup: removed {} containers, {} networks, {} volumes",
            total.containers, total.networks, total.volumes
        ),
    );
}

/// The infrastructure, then every step as its dependencies allow.
async fn run_steps(mut run: Arc<Run>, stage: &StagePlan) -> Result<Vec<StepResult>, EngineError> {
    let kubernetes = stage.infrastructure.kind == InfraKindName::Kubernetes;
    {
        let state = Arc::get_mut(&mut run).expect("the run is not shared yet");
        let workspace = state
            .engine
            .create_volume(&state.id, &format!("{}-workspace", state.id))
            .await?;
        state
            .volumes
            .push((workspace, crate::plan::WORKING_DIR.to_owned()));
        if kubernetes {
            for (i, volume) in stage.infrastructure.volumes.iter().enumerate() {
                let Some(path) = &volume.mount_path else {
                    continue;
                };
                let name = state
                    .engine
                    .create_volume(&state.id, &format!("{}-volume{}", state.id, i + 1))
                    .await?;
                state.volumes.push((name, path.clone()));
            }
            // The pod: a holder container that owns the network namespace.
            let image = stage
                .steps
                .iter()
                .filter_map(|s| s.container.as_ref()?.image.as_deref())
                .next()
                .map(|image| map_image(&state.image_map, image))
                .ok_or_else(|| EngineError("no step of the stage has an image".into()))?;
            if !state.engine.image_exists(&image).await {
                return Err(EngineError(format!(
                    "image `{image}` (for the pod's holder) is not on this engine: pull it, or map it with --image-map"
                )));
            }
            let spec = ContainerSpec {
                name: format!("{}-pod", state.id),
                image,
                entrypoint: Some(vec!["sleep".into(), "infinity".into()]),
                cmd: Some(Vec::new()),
                volumes: state.volumes.clone(),
                network_mode: Some("bridge".into()),
                ..Default::default()
            };
            let holder = state.engine.create_container(&state.id, &spec).await?;
            state.engine.start(&holder).await?;
            state.holder = Some(holder);
        } else {
            let network = format!("{}-net", state.id);
            state.engine.create_network(&state.id, &network).await?;
            state.network = Some(network);
        }
    }

    // One task per step; each waits for the steps it depends on.
    let count = stage.steps.len();
    let mut done_tx = Vec::with_capacity(count);
    let mut done_rx = Vec::with_capacity(count);
    for _ in 0..count {
        let (tx, rx) = watch::channel(None::<bool>);
        done_tx.push(Some(tx));
        done_rx.push(rx);
    }
    let mut tasks = JoinSet::new();
    for step in &stage.steps {
        let tx = done_tx[step.index].take().expect("one sender a step");
        let waits: Vec<watch::Receiver<Option<bool>>> = step
            .waits_for_steps
            .iter()
            .map(|&i| done_rx[i].clone())
            .collect();
        let run = run.clone();
        let step = step.clone();
        tasks.spawn(async move {
            let mut ok = true;
            for mut rx in waits {
                let value = match rx.wait_for(Option::is_some).await {
                    Ok(value) => value.unwrap_or(false),
                    Err(_) => false,
                };
                ok &= value;
            }
            let result = if ok {
                run_step(&run, &step).await
            } else {
                say(
                    &run.out,
                    &format!(
                        "[{}] skipped: a step it waits for did not succeed",
                        step.key
                    ),
                );
                StepResult {
                    key: step.key.clone(),
                    step_type: step.step_type.clone().unwrap_or_default(),
                    status: StepStatus::Skipped,
                    duration: Duration::ZERO,
                    exit_code: None,
                    log: String::new(),
                }
            };
            // A Background step "finishes" (for what waits for it) once it has started.
            let _ = tx.send(Some(result.status == StepStatus::Success));
            (step.index, result)
        });
    }
    let mut results: Vec<Option<StepResult>> = vec![None; count];
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, result)) => results[index] = Some(result),
            Err(error) => return Err(EngineError(format!("a step task failed: {error}"))),
        }
    }

    // The stage has ended: each service must still be up, or have exited cleanly.
    let services = std::mem::take(&mut *run.services.lock().unwrap_or_else(|e| e.into_inner()));
    for (index, container, log, started) in services {
        let Some(result) = results[index].as_mut() else {
            continue;
        };
        match run.engine.state(&container).await {
            Ok((true, _)) => {}
            Ok((false, code)) => {
                result.exit_code = code;
                result.duration = started.elapsed();
                if code != Some(0) {
                    result.status = StepStatus::Failed;
                    let text = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
                    let tail: Vec<&str> = text.lines().rev().take(5).collect();
                    say(
                        &run.out,
                        &format!(
                            "[{}] the service exited with code {} before the stage ended; its last lines:\n{}",
                            result.key,
                            code.map_or("?".into(), |c| c.to_string()),
                            tail.into_iter().rev().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
                        ),
                    );
                }
            }
            Err(error) => result.status = StepStatus::Error(error.to_string()),
        }
        result.log = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
    }
    Ok(results
        .into_iter()
        .map(|r| r.expect("every step ran"))
        .collect())
}

fn map_image(map: &[(String, String)], image: &str) -> String {
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

async fn run_step(run: &Arc<Run>, step: &StepPlan) -> StepResult {
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
    let Some(image) = settings.image.as_deref() else {
        let message = if step.placement == Placement::Machine {
            "no image: on Harness Cloud this runs directly on the VM; `--execute` runs only containers".to_owned()
        } else {
            "no image".to_owned()
        };
        return fail(result, message);
    };
    let image = map_image(&run.image_map, image);
    if !run.engine.image_exists(&image).await {
        return fail(
            result,
            format!("image `{image}` is not on this engine: pull it, or map it with --image-map FROM=TO"),
        );
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
    let spec = ContainerSpec {
        name: format!("{}-step-{}", run.id, slug(&step.key)),
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
            say(
                &run.out,
                &format!("[{}] timed out after {limit}s", step.key),
            );
            result.status = StepStatus::TimedOut;
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), follower).await;
    result.duration = started.elapsed();
    result.log = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
    say(
        &run.out,
        &format!(
            "[{}] {} (exit code {})",
            step.key,
            result.status.label(),
            result.exit_code.map_or("-".into(), |c| c.to_string())
        ),
    );
    result
}

/// Copies a container's output to the run's output, a line at a time, prefixed with the
/// step's key and with every secret masked; keeps it in `log`.
async fn follow(run: Arc<Run>, container: String, key: String, log: Arc<Mutex<String>>) {
    let mut stream = Box::pin(run.engine.follow_logs(&container));
    let mut pending = String::new();
    while let Some(chunk) = stream.next().await {
        let Ok(bytes) = chunk else { break };
        pending.push_str(&String::from_utf8_lossy(&bytes));
        while let Some(end) = pending.find('\n') {
            let line: String = pending.drain(..=end).collect();
            emit(&run, &key, &log, line.trim_end_matches(['\n', '\r']));
        }
    }
    if !pending.is_empty() {
        let line = std::mem::take(&mut pending);
        emit(&run, &key, &log, &line);
    }
}

fn emit(run: &Run, key: &str, log: &Mutex<String>, line: &str) {
    let line = mask(line, &run.secrets);
    {
        let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
        log.push_str(&line);
        log.push('\n');
    }
    say(&run.out, &format!("[{key}] {line}"));
}

/// The final table and the findings' verdicts.
pub fn report(outcome: &StageOutcome) -> String {
    let mut text = String::new();
    let width = outcome
        .steps
        .iter()
        .map(|s| s.key.len())
        .chain([4])
        .max()
        .unwrap_or(4);
    text.push_str(&format!(
        "\nstage `{}`: {}{} in {:.1}s\n",
        outcome.stage,
        if outcome.succeeded {
            "succeeded"
        } else {
            "FAILED"
        },
        if outcome.interrupted {
            " (interrupted)"
        } else {
            ""
        },
        outcome.duration.as_secs_f64()
    ));
    text.push_str(&format!(
        "{:<width$}  {:<10}  {:<9}  {:>8}  {}\n",
        "step", "type", "status", "duration", "exit code"
    ));
    for step in &outcome.steps {
        let status = match &step.status {
            StepStatus::Success if step.step_type == "Background" && step.exit_code.is_none() => {
                "running".to_owned()
            }
            other => other.label().to_owned(),
        };
        text.push_str(&format!(
            "{:<width$}  {:<10}  {:<9}  {:>7.1}s  {}\n",
            step.key,
            step.step_type,
            status,
            step.duration.as_secs_f64(),
            step.exit_code.map_or("-".into(), |c| c.to_string())
        ));
        if let StepStatus::Error(message) = &step.status {
            text.push_str(&format!("{:<width$}  ({message})\n", ""));
        }
    }
    if !outcome.findings.is_empty() {
        text.push_str("\nstatic findings:\n");
        for check in &outcome.findings {
            let f = &check.finding;
            text.push_str(&format!(
                "  {} {}[{}] line {}: {}{}\n",
                if check.confirmed {
                    "confirmed   "
                } else {
                    "not observed"
                },
                f.severity,
                f.code,
                f.line,
                first_sentence(&f.message),
                check
                    .evidence
                    .as_ref()
                    .map_or_else(String::new, |e| format!("\n      observed: {e}"))
            ));
        }
    }
    text
}

fn first_sentence(message: &str) -> &str {
    let end = message.find(": ").unwrap_or(message.len()).min(120);
    let mut end = end.min(message.len());
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    &message[..end]
}
