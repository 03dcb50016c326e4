use std::collections::HashSet;

use crate::analysis::network::{Placement, Resolution};
use crate::analysis::uses::speaks;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::wrong_host::{infra_name, program_of, replace_written, step_name};

pub static RULE: Rule = Rule {
    code: "HL211",
    name: "loopback-unreachable",
    severity: Severity::Error,
    summary: "`localhost` used to reach a service that runs in another container",
    doc: r#"## What it does
Finds clients that connect to `localhost` (or `127.0.0.1`, `::1`) from a step in a container
on Harness Cloud, a VM pool or the local Docker runner, where the service they need runs in a
container of its own.

## Why is this bad?
There every step runs in its own container on the stage's Docker network, and `localhost` in a
container is that container itself. The service is reached by its step identifier, or
`GROUPID_STEPID` inside a step group. The connection is refused ("Connection refused", "could
not connect to server"). `localhost` is right on Kubernetes, where all steps share the pod's
network, which is how this mistake usually travels from one pipeline to another.

## Example
```yaml
- step:
    identifier: db
    name: db
    type: Background
    spec: {image: postgres:16.4, envVariables: {POSTGRES_PASSWORD: <+secrets.getValue("pg")>}}
- step:
    identifier: check
    name: check
    type: Run
    spec:
      image: postgres:16.4
      command: pg_isready -h localhost
```

## Use instead
```yaml
      command: pg_isready -h db
```

## Sources
- "Harness Cloud, VM pool, local Docker runner: in a container: the Background step identifier;
  if the step sits in a step group, `GROUPID_STEPID`": ../shared/harness-ci-facts.md, "How a later
  step reaches a Background service".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        let network = &stage.network;
        if !network.infra().is_docker_network() {
            continue;
        }
        let mut seen = HashSet::new();
        for service_use in &stage.uses {
            let crate::analysis::uses::HostMeaning::Resolved(Resolution::Loopback { reachable }) =
                &service_use.host
            else {
                continue;
            };
            if !reachable.is_empty()
                || network.placement(service_use.caller) != Placement::Container
            {
                continue;
            }
            let call = service_use.call(&stage.scripts);
            // The services this client could mean: same protocol, and the port when it is known.
            let candidates: Vec<_> = network
                .services()
                .iter()
                .filter(|svc| {
                    svc.step != service_use.caller && svc.placement == Placement::Container
                })
                .filter(|svc| {
                    svc.service()
                        .is_some_and(|image| speaks(call.service, image.kind))
                })
                .filter(|svc| {
                    service_use
                        .port
                        .is_none_or(|port| svc.port_numbers().contains(&port))
                })
                .collect();
            let [service] = candidates.as_slice() else {
                continue;
            };
            let call = service_use.call_in_file(&stage.scripts);
            let Some(point) = call.host.point() else {
                continue;
            };
            if !seen.insert((point.start, point.end)) {
                continue;
            }
            let host = call.host.value.as_deref().unwrap_or("localhost");
            let names = network.names_reaching(service.step, service_use.caller);
            let caller = step_name(stage, service_use.caller);
            let mut diagnostic = Diagnostic::new(&RULE, point, format!(
                "`{host}` is `{caller}`'s own container on {}: {} does not reach `{}`, which runs in a container of its own",
                infra_name(network.infra()),
                program_of(stage, service_use),
                service.id
            ));
            if let Some(id_span) = service.id_span {
                diagnostic =
                    diagnostic.with_label(id_span, format!("the Background step `{}`", service.id));
            }
            match names.first() {
                Some(name) => {
                    diagnostic = diagnostic.with_help(format!(
                        "reach it by its host name on the stage's network: `{name}`"
                    ));
                    if let Some(edit) = call
                        .host
                        .span
                        .and_then(|span| replace_written(cx.source, span, host, name))
                    {
                        diagnostic = diagnostic
                            .with_fix(format!("replace `{host}` with `{name}`"), vec![edit]);
                    }
                }
                None => {
                    diagnostic = diagnostic.with_help(
                        "reach it by its step identifier (`GROUPID_STEPID` inside a step group)",
                    )
                }
            }
            out.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    fn steps(host: &str) -> String {
        format!("- step:\n    identifier: db\n    name: db\n    type: Background\n    spec:\n      image: postgres:16.4\n      envVariables:\n        POSTGRES_PASSWORD: <+secrets.getValue(\"pg\")>\n- step:\n    identifier: check\n    name: check\n    type: Run\n    spec:\n      image: postgres:16.4\n      command: |\n        for i in $(seq 1 30); do pg_isready -h {host} && break; sleep 1; done\n")
    }

    #[test]
    fn bad_localhost_between_containers_on_cloud() {
        let text = pipeline(Infra::Cloud, &steps("localhost"));
        assert_eq!(
            findings(&text, "HL211")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["localhost"]
        );
    }

    #[test]
    fn good_service_name_on_cloud_and_localhost_on_kubernetes() {
        assert_clean(&pipeline(Infra::Cloud, &steps("db")));
        let kubernetes = pipeline(Infra::Kubernetes, &steps("localhost").replace("      image: postgres:16.4\n", "      connectorRef: account.harnessImage\n      image: postgres:16.4\n").replace("        POSTGRES_PASSWORD: <+secrets.getValue(\"pg\")>\n", "        POSTGRES_PASSWORD: <+secrets.getValue(\"pg\")>\n        PGDATA: /tmp/pgdata\n"));
        assert!(findings(&kubernetes, "HL211").is_empty());
    }
}
