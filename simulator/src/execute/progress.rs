//! How the run shows its steps: on a terminal, a live spinner line per running step (with
//! its elapsed time), replaced by a finished line with its status when it ends; otherwise
//! (CI logs, a pipe) plain lines `[step] started`, `[step] success (exit code 0)`. Log and
//! finished lines scroll above the spinners.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::logs::{say, Out};
use super::{StepResult, StepStatus};

pub(super) struct Progress {
    out: Out,
    /// `None`: plain lines.
    bars: Option<Bars>,
}

struct Bars {
    multi: MultiProgress,
    running: Mutex<HashMap<String, ProgressBar>>,
}

/// The status part of a step's finished line; `None` for a service that started (it runs
/// until the stage ends: its started line says all).
fn summary(result: &StepResult) -> Option<String> {
    match &result.status {
        StepStatus::Error(message) => Some(format!("error: {message}")),
        StepStatus::Success if result.step_type == "Background" && result.exit_code.is_none() => {
            None
        }
        status => Some(format!(
            "{} (exit code {})",
            status.label(),
            result.exit_code.map_or("-".into(), |c| c.to_string())
        )),
    }
}

impl Progress {
    /// `live`: spinners (for a terminal), drawn on standard error: indicatif redraws them
    /// from its own thread, and the caller's thread may hold the lock of standard output
    /// for the whole run (a redraw to it would then wait forever, holding the bars' lock).
    pub(super) fn new(out: Out, live: bool) -> Progress {
        let bars = live.then(|| Bars {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            running: Mutex::new(HashMap::new()),
        });
        Progress { out, bars }
    }

    /// A line above the spinners.
    pub(super) fn line(&self, text: &str) {
        match &self.bars {
            Some(bars) => bars.multi.suspend(|| say(&self.out, text)),
            None => say(&self.out, text),
        }
    }

    /// The step `key` started (`what`: its image, or "on this machine").
    pub(super) fn started(&self, key: &str, what: &str) {
        let Some(bars) = &self.bars else {
            return self.line(&format!("[{key}] started ({what})"));
        };
        let bar = bars.multi.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{prefix}] {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(key.to_owned());
        bar.set_message(format!("running ({what})"));
        bar.enable_steady_tick(Duration::from_millis(120));
        bars.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_owned(), bar);
    }

    /// The step ended (a service: was started), or could not run.
    pub(super) fn finished(&self, result: &StepResult) {
        let text = summary(result);
        let Some(bars) = &self.bars else {
            if let Some(text) = text {
                self.line(&format!("[{}] {text}", result.key));
            }
            return;
        };
        // The spinner goes; its finished line joins the logs above the running ones.
        if let Some(bar) = bars
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&result.key)
        {
            bar.finish_and_clear();
            bars.multi.remove(&bar);
        }
        let mark = if result.status == StepStatus::Success {
            "ok  "
        } else {
            "FAIL"
        };
        self.line(&format!(
            "{mark} [{}] {} {:.1}s",
            result.key,
            text.unwrap_or_else(|| "started; running until the stage ends".to_owned()),
            result.duration.as_secs_f64()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(step_type: &str, status: StepStatus, exit_code: Option<i64>) -> StepResult {
        StepResult {
            key: "g/s".into(),
            step_type: step_type.into(),
            status,
            duration: Duration::from_millis(1500),
            exit_code,
            log: String::new(),
            applied: Default::default(),
        }
    }

    #[test]
    fn finished_lines_say_the_status_and_exit_code() {
        assert_eq!(
            summary(&result("Run", StepStatus::Success, Some(0))).unwrap(),
            "success (exit code 0)"
        );
        assert_eq!(
            summary(&result("Run", StepStatus::TimedOut, None)).unwrap(),
            "timed out (exit code -)"
        );
        assert_eq!(
            summary(&result("Run", StepStatus::Error("no image".into()), None)).unwrap(),
            "error: no image"
        );
        assert!(summary(&result("Background", StepStatus::Success, None)).is_none());
        assert_eq!(
            summary(&result("Background", StepStatus::Failed, Some(1))).unwrap(),
            "failed (exit code 1)"
        );
    }

    /// Plain mode writes exactly the lines CI logs show.
    #[test]
    fn plain_lines_without_a_terminal() {
        let buffer = std::sync::Arc::new(Mutex::new(Vec::<u8>::new()));
        struct Shared(std::sync::Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Shared {
            fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(data);
                Ok(data.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let out: Out = std::sync::Arc::new(Mutex::new(Box::new(Shared(buffer.clone()))));
        let progress = Progress::new(out, false);
        progress.started("g/s", "img:1");
        progress.line("[g/s] hello");
        progress.finished(&result("Run", StepStatus::Failed, Some(2)));
        let text = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "[g/s] started (img:1)\n[g/s] hello\n[g/s] failed (exit code 2)\n"
        );
    }
}
