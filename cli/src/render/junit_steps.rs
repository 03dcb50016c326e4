//! `--execute --junit FILE`: the run's step results as JUnit XML, one `<testsuite>` per
//! stage and one `<testcase>` per step: a failed or timed-out step is a `<failure>`, a step
//! that could not run an `<error>`, a skipped one `<skipped/>`; the last lines of its log go
//! in the element (and all of it in `<system-out>`). Times are in seconds.

use std::io::{self, Write};

use hlint_simulator::execute::{StageOutcome, StepStatus};

use super::junit::{attribute, text};

/// How many of a step's last log lines its failure shows.
const TAIL: usize = 20;

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(TAIL)..].join("\n")
}

pub fn render(file: &str, outcomes: &[StageOutcome], out: &mut dyn Write) -> io::Result<()> {
    let count = |f: &dyn Fn(&StepStatus) -> bool| -> usize {
        outcomes
            .iter()
            .flat_map(|o| &o.steps)
            .filter(|s| f(&s.status))
            .count()
    };
    let failed = |s: &StepStatus| matches!(s, StepStatus::Failed | StepStatus::TimedOut);
    let errored = |s: &StepStatus| matches!(s, StepStatus::Error(_));
    let skipped = |s: &StepStatus| matches!(s, StepStatus::Skipped);
    let tests = count(&|_| true);
    let time: f64 = outcomes.iter().map(|o| o.duration.as_secs_f64()).sum();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="hlint --execute {}" tests="{tests}" failures="{}" errors="{}" skipped="{}" time="{time:.3}">"#,
        attribute(file),
        count(&failed),
        count(&errored),
        count(&skipped)
    )?;
    for outcome in outcomes {
        let in_stage = |f: &dyn Fn(&StepStatus) -> bool| -> usize {
            outcome.steps.iter().filter(|s| f(&s.status)).count()
        };
        let stage = attribute(&outcome.stage);
        writeln!(
            out,
            r#"  <testsuite name="{stage}" tests="{}" failures="{}" errors="{}" skipped="{}" time="{:.3}">"#,
            outcome.steps.len(),
            in_stage(&failed),
            in_stage(&errored),
            in_stage(&skipped),
            outcome.duration.as_secs_f64()
        )?;
        for step in &outcome.steps {
            writeln!(
                out,
                r#"    <testcase name="{}" classname="{stage}.{}" time="{:.3}">"#,
                attribute(&step.key),
                attribute(&step.step_type),
                step.duration.as_secs_f64()
            )?;
            let exit = step
                .exit_code
                .map_or_else(|| "no exit code".to_owned(), |c| format!("exit code {c}"));
            match &step.status {
                StepStatus::Success => {}
                StepStatus::Failed | StepStatus::TimedOut | StepStatus::Aborted => writeln!(
                    out,
                    r#"      <failure message="{} ({exit})" type="{}">{}</failure>"#,
                    step.status.label(),
                    step.status.label(),
                    text(&tail(&step.log))
                )?,
                StepStatus::Error(message) => writeln!(
                    out,
                    r#"      <error message="{}" type="error">{}</error>"#,
                    attribute(message),
                    text(&tail(&step.log))
                )?,
                StepStatus::Skipped => writeln!(out, "      <skipped/>")?,
            }
            if !step.log.is_empty() {
                writeln!(out, "      <system-out>{}</system-out>", text(&step.log))?;
            }
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hlint_simulator::execute::StepResult;

    use super::*;

    fn step(key: &str, status: StepStatus, log: &str) -> StepResult {
        StepResult {
            key: key.into(),
            step_type: "Run".into(),
            status,
            duration: Duration::from_millis(1250),
            exit_code: Some(3),
            log: log.into(),
            applied: Default::default(),
        }
    }

    #[test]
    fn one_case_per_step_with_failures_errors_and_skips() {
        let long: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        let outcome = StageOutcome {
            stage: "build".into(),
            run_id: "r".into(),
            steps: vec![
                step("ok", StepStatus::Success, "fine\n"),
                step("g/bad", StepStatus::Failed, &long),
                step("err", StepStatus::Error("no <image>".into()), ""),
                step("skip", StepStatus::Skipped, ""),
            ],
            findings: Vec::new(),
            succeeded: false,
            interrupted: false,
            duration: Duration::from_secs(5),
            skipped: None,
        };
        let mut out = Vec::new();
        render("p.yaml", &[outcome], &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.contains(r#"<testsuites name="hlint --execute p.yaml" tests="4" failures="1" errors="1" skipped="1" time="5.000">"#), "{xml}");
        assert!(xml.contains(r#"<testsuite name="build" tests="4" failures="1" errors="1" skipped="1" time="5.000">"#), "{xml}");
        assert!(
            xml.contains(r#"<testcase name="g/bad" classname="build.Run" time="1.250">"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<failure message="failed (exit code 3)" type="failed">line 11"#),
            "{xml}"
        );
        assert!(
            !xml.contains("<failure message=\"failed (exit code 3)\" type=\"failed\">line 10\n"),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<error message="no &lt;image&gt;" type="error">"#),
            "{xml}"
        );
        assert!(xml.contains("<skipped/>"), "{xml}");
        assert_eq!(xml.matches("<testcase ").count(), 4);
        assert_eq!(xml.matches("</testcase>").count(), 4);
    }
}
