//! Steps without an image on Harness Cloud and VM pools, which Harness runs directly on the
//! build machine: here, as child processes of hlint on this machine, in the run's workspace,
//! with this machine's tools and permissions. Each runs in its own process group, killed as
//! a whole on timeout, at the end of the stage and on Ctrl-C.

use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

use super::ending::{record_end, wait_for_end};
use super::logs::emit;
use super::resolved::ResolvedSettings;
use super::stage::{Run, Service, ServiceHandle};
use super::{StepResult, StepStatus};
use crate::plan::StepPlan;

/// The process groups the run started on this machine; all killed at the end of the stage
/// (a script's own background processes live until then, as on the build VM).
#[derive(Default)]
pub(super) struct ProcessGroups(Mutex<Vec<i32>>);

impl ProcessGroups {
    fn add(&self, group: i32) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(group);
    }

    /// SIGKILL to every group (an empty group is not an error).
    pub(super) fn kill_all(&self) {
        let groups = std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()));
        for group in groups {
            kill_group(group);
        }
    }
}

#[cfg(unix)]
fn kill_group(group: i32) {
    if group > 0 {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory involved.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
}

/// No process groups: the child itself is killed when dropped (`kill_on_drop`).
#[cfg(not(unix))]
fn kill_group(_group: i32) {}

/// Starts `argv` in `dir` with the machine's environment plus `env`, in a new process group
/// (registered in `groups`), its output piped.
fn spawn(
    argv: &[String],
    env: &[(String, String)],
    dir: &Path,
    groups: &ProcessGroups,
) -> Result<Child, String> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| "nothing to run: no command".to_owned())?;
    let mut command = Command::new(program);
    command
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);
    let child = command
        .spawn()
        .map_err(|e| format!("cannot start `{program}` on this machine: {e}"))?;
    if let Some(pid) = child.id() {
        groups.add(pid as i32);
    }
    Ok(child)
}

/// Copies one output stream to the run's output, a line at a time (prefixed, masked).
fn pipe(
    run: &Arc<Run>,
    key: &str,
    log: &Arc<Mutex<String>>,
    stream: Option<impl AsyncRead + Unpin + Send + 'static>,
) -> Option<tokio::task::JoinHandle<()>> {
    let stream = stream?;
    let (run, key, log) = (run.clone(), key.to_owned(), log.clone());
    Some(tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            emit(&run, &key, &log, line.trim_end_matches('\r'));
        }
    }))
}

/// Where a step run on this machine saves its output variables: a file of its own (steps
/// may run in parallel), removed when dropped.
pub(super) struct HostOutputs(tempfile::NamedTempFile);

impl HostOutputs {
    pub(super) fn create() -> Result<HostOutputs, String> {
        tempfile::Builder::new()
            .prefix("hlint-outputs-")
            .tempfile()
            .map(HostOutputs)
            .map_err(|e| format!("cannot create a file for its output variables: {e}"))
    }

    pub(super) fn path(&self) -> String {
        self.0.path().display().to_string()
    }
}

/// Runs the step on this machine: a Run step to its end (or its timeout), a Background step
/// left running until the stage ends. `result` comes in as a success.
pub(super) async fn run_on_host(
    run: &Arc<Run>,
    step: &StepPlan,
    settings: ResolvedSettings,
    outputs: HostOutputs,
    mut result: StepResult,
    started: Instant,
) -> StepResult {
    let dir = match &run.workspace_dir {
        Some(dir) => dir.clone(),
        None => {
            return error(
                run,
                result,
                started,
                "no workspace directory on this machine".into(),
            )
        }
    };
    let argv: Vec<String> = settings
        .entrypoint
        .iter()
        .chain(settings.cmd.iter())
        .flatten()
        .cloned()
        .collect();
    let env = settings.env;
    let mut child = match spawn(&argv, &env, &dir, &run.processes) {
        Ok(child) => child,
        Err(message) => return error(run, result, started, message),
    };
    run.progress.started(&step.key, "on this machine");
    let log = Arc::new(Mutex::new(String::new()));
    let readers: Vec<_> = [
        pipe(run, &step.key, &log, child.stdout.take()),
        pipe(run, &step.key, &log, child.stderr.take()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if step.step_type.as_deref() == Some("Background") {
        run.services
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Service {
                index: step.index,
                handle: ServiceHandle::Process(Arc::new(tokio::sync::Mutex::new(child))),
                log,
                started,
            });
        result.duration = started.elapsed();
        return result;
    }
    let exit = async {
        let status = child.wait().await.map_err(|e| e.to_string())?;
        // Killed by a signal: 128 + the signal, as a shell reports it.
        #[cfg(unix)]
        if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
            return Ok(128 + i64::from(signal));
        }
        Ok(status.code().map_or(-1, i64::from))
    };
    let ending = wait_for_end(run, step, exit).await;
    if ending.must_stop() {
        kill_group(child.id().unwrap_or_default() as i32);
        let _ = child.wait().await;
    }
    let outputs = ending
        .reads_outputs(settings.capture)
        .then(|| std::fs::read(outputs.0.path()).map_err(|e| e.to_string()));
    record_end(run, step, &mut result, ending, outputs);
    // The script's own background processes may hold its output open: wait a little only.
    for reader in readers {
        let _ = tokio::time::timeout(Duration::from_secs(2), reader).await;
    }
    result.duration = started.elapsed();
    result.log = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
    run.progress.finished(&result);
    result
}

fn error(run: &Run, mut result: StepResult, started: Instant, message: String) -> StepResult {
    result.duration = started.elapsed();
    result.status = StepStatus::Error(message);
    run.progress.finished(&result);
    result
}

/// A host service's state: running, or its exit code.
pub(super) async fn process_state(child: &tokio::sync::Mutex<Child>) -> (bool, Option<i64>) {
    match child.lock().await.try_wait() {
        Ok(None) => (true, None),
        Ok(Some(status)) => (false, status.code().map(i64::from)),
        Err(_) => (false, None),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_process_runs_in_the_directory_with_the_environment_and_its_group_is_killed() {
        let dir = tempfile::tempdir().unwrap();
        let groups = ProcessGroups::default();
        let argv: Vec<String> = ["sh", "-c", "pwd; echo $GREETING; sleep 60 & wait"]
            .map(String::from)
            .to_vec();
        let env = vec![("GREETING".to_owned(), "hello".to_owned())];
        let mut child = spawn(&argv, &env, dir.path(), &groups).unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
        let cwd = out.next_line().await.unwrap().unwrap();
        assert_eq!(
            Path::new(&cwd).canonicalize().unwrap(),
            dir.path().canonicalize().unwrap()
        );
        assert_eq!(out.next_line().await.unwrap().unwrap(), "hello");
        groups.kill_all();
        let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
            .await
            .expect("the killed group ends")
            .unwrap();
        assert!(!status.success());
        // The `sleep` was in the group too: its end closed the output.
        let rest = tokio::time::timeout(Duration::from_secs(10), out.next_line()).await;
        assert!(matches!(rest, Ok(Ok(None))), "{rest:?}");
    }

    #[test]
    fn a_missing_program_is_a_clear_error() {
        let groups = ProcessGroups::default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let error = runtime
            .block_on(async {
                spawn(
                    &["no-such-program-hlint".to_owned()],
                    &[],
                    Path::new("."),
                    &groups,
                )
                .map(|_| ())
            })
            .unwrap_err();
        assert!(
            error.contains("cannot start `no-such-program-hlint`"),
            "{error}"
        );
        assert!(spawn(&[], &[], Path::new("."), &groups)
            .unwrap_err()
            .contains("nothing to run"));
    }
}
