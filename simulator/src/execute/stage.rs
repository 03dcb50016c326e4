//! One stage's run: the infrastructure (network or pod holder, volumes), every step as the
//! execution graph allows, the services' state at the end, and the cleanup.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinSet;

use std::collections::HashMap;
use std::path::PathBuf;

use super::flow::{run_scheduled, StageFlow};
use super::host::{process_state, ProcessGroups};
use super::images::{ensure, Images, PullPolicy};
use super::logs::{say, Out};
use super::ports::published_ports;
use super::progress::Progress;
use super::step::map_image;
use super::workspace::Workspace;
use super::{
    confirm_findings, report, ExecuteOptions, StageOutcome, StepResult, StepStatus, Values,
};
use crate::docker::{ContainerSpec, Engine, EngineError, Removed};
use crate::plan::{InfraKindName, StagePlan, Written};

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

/// A started Background step.
pub(super) struct Service {
    pub(super) index: usize,
    pub(super) handle: ServiceHandle,
    pub(super) log: Arc<Mutex<String>>,
    pub(super) started: Instant,
}

/// Where a service runs.
pub(super) enum ServiceHandle {
    /// A container (its id).
    Container(String),
    /// A process on this machine (a step without image on Harness Cloud or a VM).
    Process(Arc<tokio::sync::Mutex<tokio::process::Child>>),
}

/// The run's shared state.
pub(super) struct Run {
    pub(super) engine: Engine,
    pub(super) id: String,
    pub(super) progress: Progress,
    pub(super) image_map: Vec<(String, String)>,
    /// `--default-image`: run steps without image in a container of it.
    pub(super) default_image: Option<String>,
    pub(super) allow_privileged: bool,
    /// Kubernetes: the holder's id; else the network's name.
    pub(super) holder: Option<String>,
    pub(super) network: Option<String>,
    /// `(volume, mount path)` in every container (Kubernetes: the workspace first).
    pub(super) volumes: Vec<(String, String)>,
    /// Harness Cloud, VM, local runner: the workspace directory on this machine, the working
    /// directory of host steps and, as `bind`, `/harness` in every container.
    pub(super) workspace_dir: Option<PathBuf>,
    pub(super) bind: Option<(String, String)>,
    /// `portBindings` to publish, by step index.
    pub(super) published: HashMap<usize, Vec<(u16, u16)>>,
    pub(super) images: Images,
    pub(super) processes: Arc<ProcessGroups>,
    /// Started Background steps.
    pub(super) services: Mutex<Vec<Service>>,
    /// `when`, failure strategies, outputs: what the steps share.
    pub(super) flow: StageFlow,
}

pub(super) async fn run_stage(
    engine: &Engine,
    stage: &StagePlan,
    values: &Values,
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
    let kubernetes = stage.infrastructure.kind == InfraKindName::Kubernetes;
    let workspace = match Workspace::create(engine, &id, kubernetes).await {
        Ok(workspace) => workspace,
        Err(error) => {
            cleanup(engine, &id, &out, false).await;
            return Err(error);
        }
    };
    let processes = Arc::new(ProcessGroups::default());
    let run = Arc::new(Run {
        engine: engine.clone(),
        id: id.clone(),
        progress: Progress::new(out.clone(), options.live),
        image_map: options.image_map.clone(),
        default_image: options.default_image.clone(),
        allow_privileged: options.allow_privileged,
        holder: None,
        network: None,
        volumes: workspace.volume().into_iter().collect(),
        workspace_dir: workspace.dir(),
        bind: workspace.bind(),
        published: published_ports(stage),
        images: Images::default(),
        processes: processes.clone(),
        services: Mutex::new(Vec::new()),
        flow: StageFlow::new(values.clone(), stage.clone()),
    });

    // Run the stage; Ctrl-C (or SIGTERM) drops it where it is, and cleanup follows.
    // Boxed so that dropping it drops its JoinSet, which aborts every step task.
    let mut work = Box::pin(run_steps(run, stage, &workspace, options));
    let mut interrupted = false;
    let results = tokio::select! {
        results = &mut work => Some(results),
        _ = interrupt() => { interrupted = true; None }
    };
    drop(work);
    // Host processes first: they may be using the containers and the workspace.
    processes.kill_all();
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
        cleanup(engine, &id, &out, interrupted).await;
    }
    workspace.finish(options.keep && !interrupted, &out);
    if let Some(error) = setup_error {
        return Err(error);
    }

    let steps: Vec<StepResult> = if interrupted {
        stage
            .steps
            .iter()
            .map(|s| StepResult::new(s, StepStatus::Skipped))
            .collect()
    } else {
        results
    };
    let succeeded = !interrupted && !steps.iter().any(StepResult::fails_stage);
    let findings = confirm_findings(stage, &steps);
    let outcome = StageOutcome {
        stage: stage.id.clone(),
        run_id: id,
        steps,
        findings,
        succeeded,
        interrupted,
        duration: started.elapsed(),
        skipped: None,
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

/// Removes the run's objects. After an interruption, again while something was left (a
/// create that was in flight when the run was dropped lands after the first pass); after a
/// normal end every create has returned, and one pass is enough.
async fn cleanup(engine: &Engine, id: &str, out: &Out, interrupted: bool) {
    let mut total = Removed::default();
    let passes = if interrupted { 4 } else { 1 };
    for pass in 0..passes {
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
async fn run_steps(
    mut run: Arc<Run>,
    stage: &StagePlan,
    workspace: &Workspace,
    options: &ExecuteOptions,
) -> Result<Vec<StepResult>, EngineError> {
    let kubernetes = stage.infrastructure.kind == InfraKindName::Kubernetes;
    {
        let state = Arc::get_mut(&mut run).expect("the run is not shared yet");
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
            ensure(state, "pod", &image, PullPolicy::IfNotPresent)
                .await
                .map_err(|e| EngineError(format!("the pod's holder: {e}")))?;
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
        if stage.clone_codebase == Some(Written::Value(true)) {
            let source = options
                .checkout_dir
                .clone()
                .unwrap_or_else(|| PathBuf::from("."));
            let files = workspace
                .clone_codebase(&state.engine, state.holder.as_deref(), &source)
                .await
                .map_err(EngineError)?;
            state.progress.line(&format!(
                "hlint: cloneCodebase: copied {files} tracked files into the workspace"
            ));
        }
    }

    // One task per step; each waits for the steps it depends on to finish (whatever their
    // status: its `when` decides), then runs as `flow` says.
    let count = stage.steps.len();
    let mut done_tx = Vec::with_capacity(count);
    let mut done_rx = Vec::with_capacity(count);
    for _ in 0..count {
        let (tx, rx) = watch::channel(false);
        done_tx.push(Some(tx));
        done_rx.push(rx);
    }
    let mut tasks = JoinSet::new();
    for step in &stage.steps {
        let tx = done_tx[step.index].take().expect("one sender a step");
        let waits: Vec<watch::Receiver<bool>> = step
            .waits_for_steps
            .iter()
            .map(|&i| done_rx[i].clone())
            .collect();
        let run = run.clone();
        let step = step.clone();
        tasks.spawn(async move {
            for mut rx in waits {
                let _ = rx.wait_for(|done| *done).await;
            }
            let result = run_scheduled(&run, &step).await;
            // A Background step "finishes" (for what waits for it) once it has started.
            let _ = tx.send(true);
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
    for Service {
        index,
        handle,
        log,
        started,
    } in services
    {
        let Some(result) = results[index].as_mut() else {
            continue;
        };
        let state = match &handle {
            ServiceHandle::Container(container) => run.engine.state(container).await,
            ServiceHandle::Process(child) => Ok(process_state(child).await),
        };
        match state {
            Ok((true, _)) => {}
            Ok((false, code)) => {
                result.exit_code = code;
                result.duration = started.elapsed();
                if code != Some(0) {
                    result.status = StepStatus::Failed;
                    let text = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
                    let tail: Vec<&str> = text.lines().rev().take(5).collect();
                    run.progress.line(
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
