//! The run's output: lines prefixed with the step's key, secrets masked.

use std::io::Write;
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;

use super::mask;
use super::stage::Run;

/// Where the lines of the run go (logs prefixed with the step's key, the table).
pub type Out = Arc<Mutex<Box<dyn Write + Send>>>;

pub(super) fn say(out: &Out, line: &str) {
    let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Copies a container's output to the run's output, a line at a time, prefixed with the
/// step's key and with every secret masked; keeps it in `log`.
pub(super) async fn follow(run: Arc<Run>, container: String, key: String, log: Arc<Mutex<String>>) {
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

pub(super) fn emit(run: &Run, key: &str, log: &Mutex<String>, line: &str) {
    let line = mask(line, &run.flow.values.secrets);
    {
        let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
        log.push_str(&line);
        log.push('\n');
    }
    run.progress.line(&format!("[{key}] {line}"));
}
