//! Readiness patterns the health-check rules read: a fixed `sleep N` followed by a single
//! probe or use (a guess at how long the service takes to start), a retry loop that never
//! gives up, and a bounded retry loop.

use hlint_schema::Span;

use super::clients::ClientCall;
use super::script::{LoopBound, ParsedScript};
use super::wrappers::duration_seconds;

/// A `sleep` command.
#[derive(Clone, Debug, PartialEq)]
pub struct Sleep {
    pub invocation: usize,
    /// The total of its durations when all are static (`sleep 1m 30` is 90).
    pub seconds: Option<f64>,
    /// The duration words (`15` of `sleep 15`).
    pub span: Span,
    pub in_loop: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Readiness {
    /// `sleep N`, then (later, outside any loop) one probe or use of a service, tried once.
    FixedSleep {
        sleep: Sleep,
        /// Index in the analysis' `calls`.
        call: usize,
    },
    /// A loop around probes or uses with nothing that ends it but success.
    UnboundedLoop {
        loop_index: usize,
        /// Indices in `calls` of the calls whose innermost loop this is.
        calls: Vec<usize>,
    },
    /// A loop around probes or uses that gives up (a counter, a list, `timeout N`).
    BoundedLoop {
        loop_index: usize,
        calls: Vec<usize>,
        bound: LoopBound,
    },
}

/// Every `sleep` of the script.
pub fn sleeps(script: &ParsedScript) -> Vec<Sleep> {
    script
        .invocations
        .iter()
        .enumerate()
        .filter(|(_, i)| i.is("sleep"))
        .filter_map(|(index, invocation)| {
            let args = invocation.args();
            let first = args.first()?;
            let last = args.last()?;
            let seconds = args
                .iter()
                .map(|a| a.text().and_then(duration_seconds))
                .sum::<Option<f64>>();
            Some(Sleep {
                invocation: index,
                seconds,
                span: first.content_span().cover(last.content_span()),
                in_loop: invocation.context.in_loop(),
            })
        })
        .collect()
}

/// The readiness patterns of a script whose calls are `calls` (sorted by position).
pub fn readiness(script: &ParsedScript, calls: &[ClientCall], sleeps: &[Sleep]) -> Vec<Readiness> {
    let mut found = Vec::new();
    let loop_of = |call: &ClientCall| -> Option<usize> {
        let context = match (call.invocation, call.redirect) {
            (Some(i), _) => &script.invocations[i].context,
            (None, Some(r)) => &script.redirects[r].context,
            (None, None) => return None,
        };
        context.loops.last().copied()
    };
    for sleep in sleeps.iter().filter(|s| !s.in_loop) {
        let sleep_invocation = &script.invocations[sleep.invocation];
        if sleep_invocation.context.background {
            continue;
        }
        let after = sleep_invocation.span.end;
        let index = calls.partition_point(|c| c.span.start < after);
        if let Some(call) = calls.get(index) {
            if loop_of(call).is_none() && call.retry.is_none() {
                found.push(Readiness::FixedSleep {
                    sleep: sleep.clone(),
                    call: index,
                });
            }
        }
    }
    let mut by_loop: Vec<(usize, Vec<usize>)> = Vec::new();
    for (index, call) in calls.iter().enumerate() {
        let Some(loop_index) = loop_of(call) else {
            continue;
        };
        match by_loop.iter_mut().find(|(l, _)| *l == loop_index) {
            Some((_, list)) => list.push(index),
            None => by_loop.push((loop_index, vec![index])),
        }
    }
    for (loop_index, calls) in by_loop {
        let bound = script.loops[loop_index].bound.clone();
        found.push(if bound.is_bounded() {
            Readiness::BoundedLoop {
                loop_index,
                calls,
                bound,
            }
        } else {
            Readiness::UnboundedLoop { loop_index, calls }
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::{analyse_script, ScriptAnalysis, ScriptLanguage};
    use super::*;

    fn analyse(text: &str) -> ScriptAnalysis {
        analyse_script(text, ScriptLanguage::Sh, &[])
    }

    #[test]
    fn fixed_sleep_then_one_try() {
        let text = "sleep 15\npsql -U postgres -d test1 -h Background_1 -p 5433";
        let a = analyse(text);
        assert_eq!(a.sleeps.len(), 1);
        assert_eq!(a.sleeps[0].seconds, Some(15.0));
        assert_eq!(&text[a.sleeps[0].span.start..a.sleeps[0].span.end], "15");
        assert_eq!(
            a.readiness,
            vec![Readiness::FixedSleep {
                sleep: a.sleeps[0].clone(),
                call: 0
            }]
        );
        // Chained with && or with other commands between: still one try.
        let a = analyse("sleep 1m && echo go && pg_isready -h db");
        assert!(matches!(a.readiness[..], [Readiness::FixedSleep { .. }]));
        assert_eq!(a.sleeps[0].seconds, Some(60.0));
    }

    #[test]
    fn a_sleep_before_a_retry_loop_is_not_a_fixed_sleep() {
        let a = analyse("sleep 5\nuntil pg_isready -h db; do sleep 1; done\npsql -h db");
        assert_eq!(a.readiness.len(), 1);
        assert!(matches!(
            a.readiness[0],
            Readiness::UnboundedLoop { loop_index: 0, .. }
        ));
        // A sleep in the background or with no call after it gives nothing.
        assert!(analyse("sleep 100 &\npsql -h db").readiness.is_empty());
        assert!(analyse("psql -h db\nsleep 5").readiness.is_empty());
        // curl retries by itself.
        assert!(analyse("sleep 5\ncurl --retry 10 http://api/health")
            .readiness
            .is_empty());
    }

    #[test]
    fn loops_unbounded_and_bounded() {
        let a = analyse("until pg_isready -h db; do echo waiting; sleep 1; done");
        assert_eq!(
            a.readiness,
            vec![Readiness::UnboundedLoop {
                loop_index: 0,
                calls: vec![0]
            }]
        );
        let a = analyse("for i in $(seq 1 30); do pg_isready -h db && break; sleep 1; done");
        assert_eq!(
            a.readiness,
            vec![Readiness::BoundedLoop {
                loop_index: 0,
                calls: vec![0],
                bound: LoopBound::Sequence { count: Some(30) }
            }]
        );
        let a = analyse("timeout 30 bash -c 'while ! nc -z db 5432; do sleep 1; done'");
        assert!(matches!(
            a.readiness[..],
            [Readiness::BoundedLoop {
                bound: LoopBound::Timeout {
                    seconds: Some(30.0)
                },
                ..
            }]
        ));
        // A loop without clients is no readiness loop.
        assert!(analyse("while true; do date; sleep 1; done")
            .readiness
            .is_empty());
    }
}
