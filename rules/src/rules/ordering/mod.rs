//! HL3xx: the order of Background services and the steps that use them, and how those steps
//! wait for the services to be ready.
//!
//! What every rule here rests on (../shared/harness-ci-facts.md, "Background step" and "Shape
//! of a CI pipeline"): a Background step ends as soon as its service has started, nothing
//! waits for the service to be ready, and the items of a `parallel` block start together.
//! The rules read the execution graph, the service uses and the readiness patterns of the
//! shared analysis; this module holds what several of them need.

pub mod fixed_sleep;
pub mod parallel_with_health_checks;
pub mod service_race;
pub mod unbounded_readiness_loop;
pub mod unchecked_service;
pub mod used_before_service;

use std::collections::HashSet;

use hlint_schema::model::{Ancestor, Spanned, StepGroup, StepSpec, StepType};
use hlint_schema::Span;

use crate::analysis::command::{
    tool_for_program, ClientCall, Origin, Readiness, ScriptAnalysis, Tool,
};
use crate::analysis::graph::StepIndex;
use crate::analysis::network::Resolution;
use crate::analysis::stage::StageAnalysis;
use crate::analysis::uses::{ports_of, speaks, HostMeaning, ServiceUse};

/// Where a step that uses a service stands to the service's Background step.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Order<'a> {
    /// The service has certainly been started when the step begins.
    Started,
    /// The step is an item of a `parallel` block (or sits in a step group item without
    /// Background steps) beside the branch that starts the service (HL301).
    ParallelItem {
        /// The step group item that holds the step, when the item is a group.
        group: Option<&'a Spanned<StepGroup>>,
    },
    /// Any other way of running beside the service's step (HL302).
    Race,
    /// The step finishes before the service is started (HL303).
    Before,
}

/// One ordering problem: a use of a service whose start the caller cannot count on.
pub(crate) struct OrderingFinding<'s, 'a> {
    pub order: Order<'a>,
    pub service_use: &'s ServiceUse,
    pub call: &'s ClientCall,
    pub service: StepIndex,
}

/// The ordering problems of a stage, one per (calling step, service): the first call of
/// each pair that does not wait for the service by itself.
pub(crate) fn ordering_findings<'s, 'a>(
    stage: &'s StageAnalysis<'a>,
) -> Vec<OrderingFinding<'s, 'a>> {
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for service_use in &stage.uses {
        let Some(service) = background_target(stage, service_use) else {
            continue;
        };
        let caller = service_use.caller;
        if seen.contains(&(caller, service)) {
            continue;
        }
        let order = order(stage, caller, service);
        let call = service_use.call(&stage.scripts);
        let waits = match order {
            Order::Started => continue,
            // A step that finishes before the service starts cannot wait for it.
            Order::Before => false,
            // A retry loop (or a wait tool) in the step itself rides out the start.
            Order::ParallelItem { .. } | Order::Race => {
                let script = stage.script(caller).expect("uses come from scripts");
                retries_before(stage, caller, script, service, call.span.start)
            }
        };
        if waits {
            continue;
        }
        seen.insert((caller, service));
        found.push(OrderingFinding {
            order,
            service_use,
            call: service_use.call_in_file(&stage.scripts),
            service,
        });
    }
    found
}

/// The Background service a use is for, when the host resolves to it (not a default socket,
/// a dynamic host or an unknown name), the port (when known) is one the service listens on,
/// and the caller is another step.
pub(crate) fn background_target(
    stage: &StageAnalysis,
    service_use: &ServiceUse,
) -> Option<StepIndex> {
    let target = service_use.target?;
    let resolved = matches!(
        service_use.host,
        HostMeaning::Resolved(
            Resolution::Service { .. } | Resolution::Loopback { .. } | Resolution::WrongName { .. }
        )
    );
    // A port the service does not listen on: the call may be for something else.
    let ports = ports_of(&stage.network, target, service_use.port_space);
    let port_agrees = match service_use.port {
        Some(port) => ports.is_empty() || ports.contains(&port),
        None => true,
    };
    (resolved && port_agrees && target != service_use.caller && stage.graph.is_background(target))
        .then_some(target)
}

/// How `caller` stands to the Background step `service`.
pub(crate) fn order<'a>(
    stage: &StageAnalysis<'a>,
    caller: StepIndex,
    service: StepIndex,
) -> Order<'a> {
    let graph = &stage.graph;
    if graph.started_before(service, caller) {
        return Order::Started;
    }
    if graph.finishes_before(caller, service) {
        return Order::Before;
    }
    match parallel_item(stage, caller, service) {
        Some(group) if !graph.is_background(caller) => Order::ParallelItem { group },
        _ => Order::Race,
    }
}

/// When `caller` and `service` sit in different branches of one `parallel` block and the
/// caller's branch is the caller itself (`Some(None)`) or a step group without Background
/// steps (`Some(Some(group))`).
fn parallel_item<'a>(
    stage: &StageAnalysis<'a>,
    caller: StepIndex,
    service: StepIndex,
) -> Option<Option<&'a Spanned<StepGroup>>> {
    let ours = &stage.graph.entry(caller).ancestors;
    let theirs = &stage.graph.entry(service).ancestors;
    for (depth, (x, y)) in ours.iter().zip(theirs).enumerate() {
        match (*x, *y) {
            (
                Ancestor::Parallel {
                    block: p,
                    branch: i,
                },
                Ancestor::Parallel {
                    block: q,
                    branch: j,
                },
            ) if p.node == q.node => {
                if i == j {
                    continue;
                }
                return match ours.get(depth + 1) {
                    None => Some(None),
                    Some(Ancestor::Group(group)) => {
                        let holds_service =
                            stage.graph.backgrounds().into_iter().any(|b| {
                                stage.graph.entry(b).ancestors.iter().any(
                                    |a| matches!(a, Ancestor::Group(g) if g.node == group.node),
                                )
                            });
                        (!holds_service).then_some(Some(*group))
                    }
                    Some(Ancestor::Parallel { .. }) => None,
                };
            }
            (Ancestor::Group(g), Ancestor::Group(h)) if g.node == h.node => {}
            _ => return None,
        }
    }
    None
}

/// Where to point at a call: the host token written in the script (or the URI part), else
/// the program word.
pub(crate) fn call_span(call: &ClientCall) -> Span {
    match call.host.origin {
        Origin::Flag { .. } | Origin::Positional | Origin::Uri | Origin::CommandEnv { .. } => {
            call.host.point().unwrap_or(call.program_span)
        }
        _ => call.program_span,
    }
}

/// The program of a call as a user would name it (`psql`, `redis-cli`, `/dev/tcp`).
pub(crate) fn program(call: &ClientCall) -> &'static str {
    match call.tool {
        Tool::Psql => "psql",
        Tool::PgIsready => "pg_isready",
        Tool::PgDump => "pg_dump",
        Tool::Mysql => "mysql",
        Tool::Mysqladmin => "mysqladmin",
        Tool::Mariadb => "mariadb",
        Tool::RedisCli => "redis-cli",
        Tool::Mongosh => "mongosh",
        Tool::Mongo => "mongo",
        Tool::Curl => "curl",
        Tool::Wget => "wget",
        Tool::Netcat => "nc",
        Tool::Telnet => "telnet",
        Tool::DevTcp => "/dev/tcp",
    }
}

/// The identifier of a step (or the step, when it has none), to point or label at.
pub(crate) fn step_id_span(stage: &StageAnalysis, step: StepIndex) -> Span {
    let step = stage.graph.step(step);
    step.value
        .identifier
        .as_ref()
        .map_or(step.span, |id| id.span)
}

/// The identifier of a step, for messages.
pub(crate) fn step_name<'a>(stage: &StageAnalysis<'a>, step: StepIndex) -> &'a str {
    stage.graph.id(step).unwrap_or("this step")
}

/// The step group around a step, for messages (`None`: not in a group).
pub(crate) fn group_of<'a>(stage: &StageAnalysis<'a>, step: StepIndex) -> Option<&'a str> {
    stage.graph.entry(step).group().and_then(|g| g.value.id())
}

/// The label of a service: its identifier, "`ID` starts its service here".
pub(crate) fn service_label(stage: &StageAnalysis, service: StepIndex) -> (Span, String) {
    (
        step_id_span(stage, service),
        format!("`{}` starts the service here", step_name(stage, service)),
    )
}

/// True when a call of the script may be a call of `service`: it is meant for it, or for a
/// service hlint cannot name that speaks the same protocol (a dynamic host, an unknown name).
pub(crate) fn may_be_for(
    stage: &StageAnalysis,
    step: StepIndex,
    call_index: usize,
    service: StepIndex,
) -> bool {
    let Some(service_use) = stage
        .uses
        .iter()
        .find(|u| u.caller == step && u.call == call_index)
    else {
        return false;
    };
    if let Some(target) = service_use.target {
        return target == service;
    }
    let possible = matches!(
        service_use.host,
        HostMeaning::Dynamic
            | HostMeaning::Socket
            | HostMeaning::Resolved(
                Resolution::Loopback { .. }
                    | Resolution::Unknown { .. }
                    | Resolution::Undetermined { .. }
            )
    );
    let call = service_use.call(&stage.scripts);
    possible
        && stage
            .network
            .service(service)
            .and_then(|svc| svc.service())
            .is_none_or(|image| speaks(call.service, image.kind))
}

/// Programs that wait for a service by themselves (`wait-for-it.sh db:5432`, `dockerize
/// -wait`, `wait4x`), or scripts named for it (`./ci/wait-for-db.sh`, `check-ready`). Client
/// programs (`pg_isready`) are not: one call tries once.
fn is_wait_program(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    tool_for_program(name).is_none()
        && ["wait", "dockerize", "ready", "health"]
            .iter()
            .any(|word| lower.contains(word))
}

/// True when the loop `loop_index` holds a `sleep` (a hand-written wait) or a call that may
/// be for `service`.
fn loop_waits(
    stage: &StageAnalysis,
    step: StepIndex,
    script: &ScriptAnalysis,
    loop_index: usize,
    service: StepIndex,
) -> bool {
    let sleeps = script.sleeps.iter().any(|sleep| {
        script.script.invocations[sleep.invocation]
            .context
            .loops
            .contains(&loop_index)
    });
    sleeps
        || script.calls.iter().enumerate().any(|(i, call)| {
            script
                .context(call)
                .is_some_and(|context| context.loops.contains(&loop_index))
                && may_be_for(stage, step, i, service)
        })
}

/// Something in `script` that starts before byte `limit` (a call at `limit` included) and
/// rides out a service that is not up yet: a retry loop around a call that may be for
/// `service` (or around a `sleep`), a call with a built-in retry, or a wait tool.
pub(crate) fn retries_before(
    stage: &StageAnalysis,
    step: StepIndex,
    script: &ScriptAnalysis,
    service: StepIndex,
    limit: usize,
) -> bool {
    let loops = script
        .script
        .loops
        .iter()
        .enumerate()
        .any(|(i, l)| l.span.start <= limit && loop_waits(stage, step, script, i, service));
    let retried = script.calls.iter().enumerate().any(|(i, call)| {
        call.span.start <= limit && call.retry.is_some() && may_be_for(stage, step, i, service)
    });
    let waiter = script.script.invocations.iter().any(|invocation| {
        invocation.span.start < limit
            && !invocation.context.background
            && invocation.program.as_deref().is_some_and(is_wait_program)
    });
    loops || retried || waiter
}

/// True when `script`, before byte `limit`, checks that `service` answers: a retry (see
/// [`retries_before`]) or a call that may be for it (a probe, or a use that only succeeds
/// once the service is up). With `any_sleep`, any `sleep` before `limit` counts too.
pub(crate) fn checks_before(
    stage: &StageAnalysis,
    step: StepIndex,
    script: &ScriptAnalysis,
    service: StepIndex,
    limit: usize,
    any_sleep: bool,
) -> bool {
    let called = script
        .calls
        .iter()
        .enumerate()
        .any(|(i, call)| call.span.start < limit && may_be_for(stage, step, i, service));
    let slept = any_sleep
        && script.sleeps.iter().any(|sleep| {
            let invocation = &script.script.invocations[sleep.invocation];
            invocation.span.start < limit && !invocation.context.background
        });
    let fixed = script.readiness.iter().any(|r| match r {
        Readiness::FixedSleep { sleep, call } => {
            sleep.span.start < limit && may_be_for(stage, step, *call, service)
        }
        _ => false,
    });
    called || slept || fixed || retries_before(stage, step, script, service, limit)
}

/// The steps that certainly end before `step` starts and do not end before `service` is
/// started: where a check of the service made earlier can be.
pub(crate) fn earlier_steps(
    stage: &StageAnalysis,
    service: StepIndex,
    step: StepIndex,
) -> Vec<StepIndex> {
    let graph = &stage.graph;
    graph
        .indices()
        .filter(|&a| {
            a != service
                && graph.finishes_before(a, step)
                && !graph.finishes_before(a, service)
                && !graph.is_background(a)
        })
        .collect()
}

/// True when an earlier step (see [`earlier_steps`]) checks `service`.
pub(crate) fn checked_earlier(
    stage: &StageAnalysis,
    service: StepIndex,
    step: StepIndex,
    any_sleep: bool,
) -> bool {
    earlier_steps(stage, service, step).into_iter().any(|a| {
        stage
            .script(a)
            .is_some_and(|script| checks_before(stage, a, script, service, usize::MAX, any_sleep))
    })
}

/// True when an earlier step may wait in ways hlint cannot read: a plugin or action step, or
/// a script that was not analysed (PowerShell, Python).
pub(crate) fn unreadable_earlier(
    stage: &StageAnalysis,
    service: StepIndex,
    step: StepIndex,
) -> bool {
    earlier_steps(stage, service, step).into_iter().any(|a| {
        let value = &stage.graph.step(a).value;
        let opaque_type = matches!(
            value.kind(),
            Some(StepType::Plugin | StepType::Action | StepType::Bitrise)
        ) || matches!(value.spec.as_deref(), Some(StepSpec::Plugin(_)));
        let unread = stage.script(a).is_some_and(|script| !script.is_analysed());
        opaque_type || unread
    })
}

/// A bounded readiness loop for the tool of `call`, with its host and port when written.
pub(crate) fn bounded_loop_example(call: &ClientCall) -> String {
    let host = call.host.value.as_deref().filter(|_| !call.host.dynamic);
    let port = call
        .port
        .value
        .as_deref()
        .filter(|_| call.port.is_given() && !call.port.dynamic);
    let opt =
        |flag: &str, value: Option<&str>| value.map(|v| format!(" {flag} {v}")).unwrap_or_default();
    let probe = match call.tool {
        Tool::Psql | Tool::PgIsready | Tool::PgDump => {
            format!("pg_isready{}{}", opt("-h", host), opt("-p", port))
        }
        Tool::Mysql | Tool::Mysqladmin | Tool::Mariadb => {
            format!(
                "mysqladmin ping{}{} --silent",
                opt("-h", host),
                opt("-P", port)
            )
        }
        Tool::RedisCli => format!("redis-cli{}{} ping", opt("-h", host), opt("-p", port)),
        Tool::Mongosh | Tool::Mongo => format!(
            "mongosh{}{} --quiet --eval 'db.runCommand({{ ping: 1 }})'",
            opt("--host", host),
            opt("--port", port)
        ),
        Tool::Curl | Tool::Wget => "curl -fsS <health URL>".to_owned(),
        Tool::Netcat | Tool::Telnet | Tool::DevTcp => format!(
            "nc -z {} {}",
            host.unwrap_or("<host>"),
            port.or(call.port.value.as_deref()).unwrap_or("<port>")
        ),
    };
    format!("for i in $(seq 1 30); do {probe} && break; sleep 1; done")
}

/// Pieces of pipelines for the tests of this group.
#[cfg(test)]
pub(crate) mod test_support {
    /// A step group with a postgres service `dbN` on port `port` and its bounded health check.
    pub(crate) fn service_group(n: u32, port: u32) -> String {
        format!(
            "    - stepGroup:
        identifier: sg{n}
        name: sg{n}
        steps:
          - step:
              identifier: db{n}
              name: db{n}
              type: Background
              spec:
                connectorRef: account.harnessImage
                image: postgres:16.4
                envVariables:
                  POSTGRES_PASSWORD: <+secrets.getValue(\"pg\")>
                  PGDATA: /tmp/pgdata/{n}
                entrypoint:
                  - docker-entrypoint.sh
                  - \"-p {port}\"
          - step:
              identifier: ready{n}
              name: ready{n}
              type: Run
              spec:
                connectorRef: account.harnessImage
                image: postgres:16.4
                command: for i in $(seq 1 30); do pg_isready -h localhost -p {port} && break; sleep 1; done
"
        )
    }

    pub(crate) fn indent(text: &str, by: usize) -> String {
        text.lines()
            .map(|l| format!("{}{l}\n", " ".repeat(by)))
            .collect()
    }

    /// A Run step (a list item at indentation 0) with a postgres client image and password.
    pub(crate) fn run(id: &str, command: &str) -> String {
        format!(
            "- step:
    identifier: {id}
    name: {id}
    type: Run
    spec:
      connectorRef: account.harnessImage
      image: postgres:16.4
      envVariables:
        PGPASSWORD: <+secrets.getValue(\"pg\")>
      command: {command}
"
        )
    }

    /// A postgres Background step (a list item at indentation 0) listening on `port`.
    pub(crate) fn background(id: &str, port: u32) -> String {
        format!(
            "- step:
    identifier: {id}
    name: {id}
    type: Background
    spec:
      connectorRef: account.harnessImage
      image: postgres:16.4
      envVariables:
        POSTGRES_PASSWORD: <+secrets.getValue(\"pg\")>
        PGDATA: /tmp/pgdata/{id}
      entrypoint:
        - docker-entrypoint.sh
        - \"-p {port}\"
"
        )
    }
}
