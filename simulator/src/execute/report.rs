//! The final table of a stage's run and the verdict on each static finding.

use super::{StageOutcome, StepResult, StepStatus};

/// The final table and the findings' verdicts.
pub fn report(outcome: &StageOutcome) -> String {
    let mut text = String::new();
    if let Some(why) = &outcome.skipped {
        text.push_str(&format!(
            "\nstage `{}`: {}: {why}\n",
            outcome.stage,
            if outcome.succeeded {
                "skipped"
            } else {
                "not run"
            }
        ));
        return text;
    }
    let statuses: Vec<String> = outcome.steps.iter().map(status).collect();
    let status_width = statuses
        .iter()
        .map(String::len)
        .chain([9])
        .max()
        .unwrap_or(9);
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
        "{:<width$}  {:<10}  {:<status_width$}  {:>8}  {}\n",
        "step", "type", "status", "duration", "exit code"
    ));
    for (step, status) in outcome.steps.iter().zip(statuses) {
        text.push_str(&format!(
            "{:<width$}  {:<10}  {:<status_width$}  {:>7.1}s  {}\n",
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

/// `running` for a service still up, else the status with any strategy applied.
fn status(step: &StepResult) -> String {
    match &step.status {
        StepStatus::Success if step.step_type == "Background" && step.exit_code.is_none() => {
            "running".to_owned()
        }
        _ => step.status_text(),
    }
}

fn first_sentence(message: &str) -> &str {
    let end = message.find(": ").unwrap_or(message.len()).min(120);
    let mut end = end.min(message.len());
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    &message[..end]
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::execute::{Applied, Handled};

    fn step(key: &str, status: StepStatus, applied: Applied) -> StepResult {
        StepResult {
            key: key.into(),
            step_type: "Run".into(),
            status,
            duration: Duration::from_millis(1500),
            exit_code: Some(3),
            log: String::new(),
            applied,
        }
    }

    #[test]
    fn the_table_shows_the_strategy_applied() {
        let ignored = Applied {
            retries: 2,
            handled: Some(Handled::Ignored),
        };
        let retried = Applied {
            retries: 1,
            handled: None,
        };
        let steps = vec![
            step("flaky", StepStatus::Failed, ignored),
            step("second", StepStatus::Success, retried),
            step("skipped", StepStatus::Skipped, Applied::default()),
        ];
        assert!(steps.iter().all(|s| !s.fails_stage()));
        let aborted = step(
            "x",
            StepStatus::Failed,
            Applied {
                retries: 0,
                handled: Some(Handled::Aborted),
            },
        );
        assert!(aborted.fails_stage());
        assert_eq!(aborted.status_text(), "failed (aborted the stage)");
        let outcome = StageOutcome {
            stage: "build".into(),
            run_id: "r".into(),
            steps,
            findings: Vec::new(),
            succeeded: true,
            interrupted: false,
            duration: Duration::from_secs(2),
            skipped: None,
        };
        let table = report(&outcome);
        assert!(
            table.contains("flaky    Run         failed after 2 retries (ignored)      1.5s  3"),
            "{table}"
        );
        assert!(
            table.contains("second   Run         success after 1 retry"),
            "{table}"
        );
        let skipped = StageOutcome {
            skipped: Some("its condition is false".into()),
            ..outcome
        };
        assert!(report(&skipped).contains("stage `build`: skipped: its condition is false"));
    }
}
