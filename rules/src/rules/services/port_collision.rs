use std::collections::HashMap;

use hlint_schema::Span;

use crate::analysis::network::{InfraKind, Placement};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::{port_reason, port_span};

pub static RULE: Rule = Rule {
    code: "HL201",
    name: "port-collision",
    severity: Severity::Error,
    summary: "Two Background services on one port in one network namespace",
    doc: r#"## What it does
Finds two Background services of a stage that would listen on the same port in the same
network namespace, or publish the same host port:
- on Kubernetes, every step container shares the build pod's network: two postgres services
  both on 5432 collide;
- on Harness Cloud and VMs, services without an image run on the machine itself and share its
  ports, together with the host ports that container services publish with `portBindings`;
- two `portBindings` that publish the same host port.

Background services stay alive until the stage ends, so any two of a stage overlap.

## Why is this bad?
The second server cannot bind its port ("could not bind IPv4 address ... Address already in
use") and exits; the Background step itself already counted as started, so the failure shows
up later as health checks or tests that cannot connect, or that talk to the wrong database.

## Example
```yaml
- parallel:
    - step:
        identifier: db1
        name: db1
        type: Background
        spec: {connectorRef: account.harnessImage, image: postgres:16.4}
    - step:
        identifier: db2
        name: db2
        type: Background
        spec: {connectorRef: account.harnessImage, image: postgres:16.4}
```

## Use instead
Give each its own port (and on Kubernetes its own `PGDATA`):
```yaml
        spec:
          connectorRef: account.harnessImage
          image: postgres:16.4
          entrypoint: [docker-entrypoint.sh, "-p 5433"]
```

## Sources
- "Kubernetes: every step container shares one network namespace, so two services on one port
  collide"; "`portBindings` publishes host ports, so two services binding the same host port
  collide": ../shared/harness-ci-facts.md, "How a later step reaches a Background service".
- The multiple-postgres Harness Cloud example binds host port 5432 twice:
  ../shared/harness-ci-facts.md, "Mistakes in the Harness documentation itself".
"#,
};

/// What holds a port in a namespace: the service's id and where the port was set.
struct Holder<'a> {
    id: &'a str,
    span: Span,
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        let network = &stage.network;
        let kubernetes = network.infra() == InfraKind::Kubernetes;
        // Listening ports in the shared namespace: the pod, or the machine.
        let mut listening: HashMap<u16, Holder> = HashMap::new();
        for service in network.services() {
            let shares_namespace = kubernetes || service.placement == Placement::Host;
            if !shares_namespace {
                continue;
            }
            for port in &service.ports {
                let Some(number) = port.port else { continue };
                let span = port_span(service, &port.origin);
                match listening.get(&number) {
                    Some(first) => out.push(
                        Diagnostic::new(&RULE, span, format!(
                            "`{}` listens on port {number} ({}), which `{}` already uses in the same {}",
                            service.id,
                            port_reason(&port.origin, service),
                            first.id,
                            if kubernetes { "pod" } else { "machine" }
                        ))
                        .with_label(first.span, format!("`{}` listens on {number} here", first.id))
                        .with_help("give each service its own port, and point its clients at it"),
                    ),
                    None => {
                        listening.insert(number, Holder { id: &service.id, span });
                    }
                }
            }
        }
        if kubernetes {
            continue; // portBindings mean nothing in a pod
        }
        // Host ports: published ports, plus the ports of services on the machine.
        let mut host_ports = listening;
        for service in network.services() {
            for binding in &service.published {
                let Some(number) = binding.host else { continue };
                match host_ports.get(&number) {
                    Some(first) => out.push(
                        Diagnostic::new(&RULE, binding.host_span, format!("`{}` publishes host port {number}, which `{}` already uses on the machine", service.id, first.id))
                            .with_label(first.span, format!("`{}` holds host port {number} here", first.id))
                            .with_help("publish each service on its own host port"),
                    ),
                    None => {
                        host_ports.insert(number, Holder { id: &service.id, span: binding.host_span });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    fn service(id: &str, extra: &str) -> String {
        format!("    - step:\n        identifier: {id}\n        name: {id}\n        type: Background\n        spec:\n          connectorRef: account.harnessImage\n          image: postgres:16.4\n          envVariables:\n            POSTGRES_PASSWORD: <+secrets.getValue(\"pg\")>\n            PGDATA: /tmp/pgdata/{id}\n{extra}")
    }

    #[test]
    fn bad_two_default_ports_in_a_pod() {
        let text = pipeline(
            Infra::Kubernetes,
            &format!("- parallel:\n{}{}", service("db1", ""), service("db2", "")),
        );
        let found = findings(&text, "HL201");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "postgres:16.4");
        assert!(
            found[0].1.contains(
                "`db2` listens on port 5432 (the PostgreSQL default), which `db1` already uses"
            ),
            "{}",
            found[0].1
        );
    }

    #[test]
    fn bad_same_host_port_published_twice() {
        let bindings =
            |port: &str| format!("          portBindings:\n            \"5432\": \"{port}\"\n");
        let text = pipeline(
            Infra::Cloud,
            &format!(
                "- parallel:\n{}{}",
                service("db1", &bindings("5433")),
                service("db2", &bindings("5434"))
            ),
        );
        let found = findings(&text, "HL201");
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), ["\"5432\""]);
    }

    #[test]
    fn good_distinct_ports_in_a_pod_and_separate_containers_on_cloud() {
        let port = |p: &str| {
            format!("          entrypoint:\n            - docker-entrypoint.sh\n            - \"-p {p}\"\n")
        };
        let text = pipeline(
            Infra::Kubernetes,
            &format!(
                "- parallel:\n{}{}",
                service("db1", &port("5433")),
                service("db2", &port("5434"))
            ),
        );
        assert!(findings(&text, "HL201").is_empty());
        let text = pipeline(
            Infra::Cloud,
            &format!("- parallel:\n{}{}", service("db1", ""), service("db2", "")),
        );
        assert!(
            findings(&text, "HL201").is_empty(),
            "each container has its own network namespace"
        );
        let _ = assert_clean;
    }
}
