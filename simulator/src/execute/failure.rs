//! Failure strategies of Run steps (Background steps have none): which one applies to a
//! failure, and what it does.
//!
//! - The failure's type: a non-zero exit is `Unknown` (Harness's type for an application
//!   error), a timeout is `Timeout`; `AllErrors` (or no `errors`) matches both. Types hlint
//!   cannot observe (`Authentication`, `Connectivity`, ...) never match.
//! - The step's own strategies come first, then its step groups', then the stage's; in one
//!   place, a strategy naming the type wins over `AllErrors`.
//! - A step that could not be run at all (an image not on the engine, a secret not given) is
//!   a problem of the local run, not a Harness failure: no strategy applies to it.
//! - No strategy: the stage fails (Harness's default).

use std::time::Duration;

use crate::plan::{timeout_seconds, FailureStrategyPlan};

/// What failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureType {
    /// A non-zero exit code.
    Unknown,
    Timeout,
}

impl FailureType {
    fn name(self) -> &'static str {
        match self {
            FailureType::Unknown => "Unknown",
            FailureType::Timeout => "Timeout",
        }
    }
}

/// What to do about a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The stage goes on and can succeed; the step shows as failed (ignored).
    Ignore,
    /// The same, shown as marked as success.
    MarkAsSuccess,
    /// Stop the stage: running steps are stopped, the rest skipped.
    Abort,
    /// Run the step again after each interval, then `then`.
    Retry {
        intervals: Vec<Duration>,
        then: Box<Action>,
    },
    /// The stage fails; `note` says what Harness would have done that `--execute` does not.
    Fail { note: Option<String> },
}

/// How a step's failure was handled, for the log and the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handled {
    Ignored,
    MarkedAsSuccess,
    Aborted,
    /// An action `--execute` does not emulate, counted as a failure.
    NotEmulated(String),
}

impl Handled {
    /// The failure does not fail the stage.
    pub fn forgives(&self) -> bool {
        matches!(self, Handled::Ignored | Handled::MarkedAsSuccess)
    }

    pub fn label(&self) -> String {
        match self {
            Handled::Ignored => "ignored".into(),
            Handled::MarkedAsSuccess => "marked as success".into(),
            Handled::Aborted => "aborted the stage".into(),
            Handled::NotEmulated(action) => format!("{action} not emulated"),
        }
    }
}

/// The strategy that applies to a failure of `kind`, most specific place first.
pub fn choose(
    strategies: &[FailureStrategyPlan],
    kind: FailureType,
) -> Option<&FailureStrategyPlan> {
    let mut places: Vec<&str> = Vec::new();
    for s in strategies {
        if !places.contains(&s.from.as_str()) {
            places.push(&s.from);
        }
    }
    places.into_iter().find_map(|place| {
        let here = strategies.iter().filter(|s| s.from == place);
        let named = here
            .clone()
            .find(|s| s.errors.iter().any(|e| e == kind.name()));
        named.or_else(|| {
            strategies
                .iter()
                .filter(|s| s.from == place)
                .find(|s| s.errors.is_empty() || s.errors.iter().any(|e| e == "AllErrors"))
        })
    })
}

/// What a strategy does.
pub fn action(strategy: &FailureStrategyPlan) -> Action {
    match strategy.action.as_deref() {
        Some("Retry") => {
            let count = strategy.retry_count.unwrap_or(0);
            let written: Vec<Duration> = strategy
                .retry_intervals
                .iter()
                .filter_map(|i| timeout_seconds(i).map(Duration::from_secs))
                .collect();
            // The i-th retry waits the i-th interval, or the last one given.
            let intervals = (0..count as usize)
                .map(|i| {
                    written
                        .get(i)
                        .or(written.last())
                        .copied()
                        .unwrap_or(Duration::ZERO)
                })
                .collect();
            let then = match strategy.on_retry_failure.as_deref() {
                Some("Retry") => Action::Fail {
                    note: Some("a Retry after retries is not a valid onRetryFailure".into()),
                },
                other => simple(other),
            };
            Action::Retry {
                intervals,
                then: Box::new(then),
            }
        }
        other => simple(other),
    }
}

fn simple(action: Option<&str>) -> Action {
    match action {
        Some("Ignore") => Action::Ignore,
        Some("MarkAsSuccess") => Action::MarkAsSuccess,
        Some("Abort") => Action::Abort,
        Some("MarkAsFailure") | None => Action::Fail { note: None },
        Some(other) => Action::Fail {
            note: Some(other.to_owned()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strategy(from: &str, errors: &[&str], action: &str) -> FailureStrategyPlan {
        FailureStrategyPlan {
            from: from.into(),
            errors: errors.iter().map(|e| e.to_string()).collect(),
            action: Some(action.into()),
            retry_count: None,
            retry_intervals: Vec::new(),
            on_retry_failure: None,
            summary: String::new(),
        }
    }

    #[test]
    fn the_most_specific_place_wins() {
        let list = vec![
            strategy("step", &["Timeout"], "Ignore"),
            strategy("stage", &["AllErrors"], "Abort"),
        ];
        assert_eq!(
            choose(&list, FailureType::Timeout)
                .unwrap()
                .action
                .as_deref(),
            Some("Ignore")
        );
        // The step's strategy is for timeouts only: an exit code falls to the stage's.
        assert_eq!(
            choose(&list, FailureType::Unknown)
                .unwrap()
                .action
                .as_deref(),
            Some("Abort")
        );
        assert!(choose(&[], FailureType::Unknown).is_none());
        assert!(choose(
            &[strategy("step", &["Connectivity"], "Ignore")],
            FailureType::Unknown
        )
        .is_none());
    }

    #[test]
    fn a_named_type_wins_over_all_errors_in_one_place() {
        let list = vec![
            strategy("step", &["AllErrors"], "Abort"),
            strategy("step", &["Unknown"], "MarkAsSuccess"),
        ];
        assert_eq!(
            action(choose(&list, FailureType::Unknown).unwrap()),
            Action::MarkAsSuccess
        );
        assert_eq!(
            action(choose(&list, FailureType::Timeout).unwrap()),
            Action::Abort
        );
        let no_errors = vec![strategy("stage", &[], "Ignore")];
        assert!(choose(&no_errors, FailureType::Timeout).is_some());
    }

    #[test]
    fn actions() {
        let mut retry = strategy("step", &["AllErrors"], "Retry");
        retry.retry_count = Some(3);
        retry.retry_intervals = vec!["1s".into(), "5s".into()];
        retry.on_retry_failure = Some("Ignore".into());
        assert_eq!(
            action(&retry),
            Action::Retry {
                intervals: vec![
                    Duration::from_secs(1),
                    Duration::from_secs(5),
                    Duration::from_secs(5)
                ],
                then: Box::new(Action::Ignore)
            }
        );
        retry.on_retry_failure = None;
        retry.retry_intervals.clear();
        assert_eq!(
            action(&retry),
            Action::Retry {
                intervals: vec![Duration::ZERO; 3],
                then: Box::new(Action::Fail { note: None })
            }
        );
        assert_eq!(action(&strategy("s", &[], "Abort")), Action::Abort);
        assert_eq!(
            action(&strategy("s", &[], "MarkAsFailure")),
            Action::Fail { note: None }
        );
        assert_eq!(
            action(&strategy("s", &[], "StageRollback")),
            Action::Fail {
                note: Some("StageRollback".into())
            }
        );
        assert!(Handled::Ignored.forgives() && Handled::MarkedAsSuccess.forgives());
        assert!(!Handled::Aborted.forgives() && !Handled::NotEmulated("X".into()).forgives());
    }
}
