//! After a run: which static findings of the stage the run confirmed (their predicted
//! failure showed in the output of the step they are about, or of a service), and which it
//! did not observe.

use crate::plan::{Finding, StagePlan};

use super::{StepResult, StepStatus};

/// A finding and what the run said about it.
#[derive(Clone, Debug)]
pub struct FindingCheck {
    pub finding: Finding,
    pub confirmed: bool,
    /// The log line that confirmed it (`[step] line`).
    pub evidence: Option<String>,
}

/// Where to look for a rule's failure: in the services' output, or in the step the finding
/// is in (every step when it names none).
enum Look {
    Services,
    Step,
}

/// What each rule's failure looks like in the output of real clients and servers.
fn signature(code: &str) -> Option<(Look, &'static [&'static str])> {
    const UNREACHABLE: &[&str] = &[
        "could not translate host name",
        "Name or service not known",
        "Temporary failure in name resolution",
        "Could not resolve host",
        "Connection refused",
        "could not connect",
        "no response",
        "No route to host",
        "getaddrinfo",
    ];
    Some(match code {
        // port-collision, reserved-port
        "HL201" | "HL202" => (
            Look::Services,
            &[
                "could not bind",
                "Address already in use",
                "port is already allocated",
                "could not create any TCP/IP sockets",
            ][..],
        ),
        // pgdata-shared, pgdata-not-on-volume, pgdata-missing
        "HL203" | "HL204" | "HL205" => (
            Look::Services,
            &[
                "lock file \"postmaster.pid\" already exists",
                "is not empty",
                "initdb: error",
                "Permission denied",
            ][..],
        ),
        // wrong host, unknown host, service in another stage, port mismatch, loopback unreachable
        "HL206" | "HL207" | "HL208" | "HL209" | "HL211" => (Look::Step, UNREACHABLE),
        "HL210" => (
            Look::Step,
            &["No such file or directory", "could not connect to server"][..],
        ),
        "HL401" => (
            Look::Step,
            &["no password supplied", "password authentication failed"][..],
        ),
        "HL402" => (Look::Step, &["does not exist"][..]),
        "HL403" => (
            Look::Step,
            &["SCRAM authentication requires libpq version 10 or above"][..],
        ),
        "HL404" => (
            Look::Services,
            &[
                "superuser password is not specified",
                "Database is uninitialized",
            ][..],
        ),
        _ => return None,
    })
}

/// Each finding of the stage, confirmed or not observed.
pub fn confirm_findings(stage: &StagePlan, steps: &[StepResult]) -> Vec<FindingCheck> {
    stage
        .findings
        .iter()
        .map(|finding| {
            let evidence = signature(&finding.code).and_then(|(look, patterns)| {
                let candidates: Vec<&StepResult> = match look {
                    Look::Services => steps
                        .iter()
                        .filter(|s| s.step_type == "Background" && s.status != StepStatus::Success)
                        .collect(),
                    Look::Step => steps
                        .iter()
                        .filter(|s| s.status != StepStatus::Success)
                        .filter(|s| finding.step.as_ref().is_none_or(|key| *key == s.key))
                        .collect(),
                };
                candidates.into_iter().find_map(|step| {
                    // Its output, then why it could not run (a port Docker could not bind).
                    let error = match &step.status {
                        StepStatus::Error(message) => Some(message.as_str()),
                        _ => None,
                    };
                    step.log
                        .lines()
                        .chain(error)
                        .find(|line| patterns.iter().any(|p| line.contains(p)))
                        .map(|line| format!("[{}] {}", step.key, line.trim()))
                })
            });
            FindingCheck {
                finding: finding.clone(),
                confirmed: evidence.is_some(),
                evidence,
            }
        })
        .collect()
}
