use crate::analysis::network::{reserved_kubernetes_ports, InfraKind, HARNESS_KUBERNETES_PORT};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::{port_reason, port_span};

pub static RULE: Rule = Rule {
    code: "HL202",
    name: "reserved-port",
    severity: Severity::Error,
    summary:
        "A Background service on a port Harness uses in the Kubernetes build pod (20001 and up)",
    doc: r#"## What it does
Finds Background services on Kubernetes that listen on a port Harness takes in the build pod:
20001, or one of the ports from 20002 upward that Harness hands to the stage's step containers
(one each, so a stage of 8 steps uses 20001 to 20009).

## Why is this bad?
Harness's own processes use port 20001 in the build pod, and step containers get ports from
20002 upward. All containers share the pod's network, so a service there either fails to bind
or takes a port a step container needs, and the stage fails in ways that have nothing to do
with your code.

A port above the stage's range cannot collide and is not reported: MySQL's X protocol listens
on 33060 by default, which would take thirteen thousand step containers to reach. Harness's
advice is still to stay below 20001, so that adding steps never brings the range to you.

## Example
```yaml
spec:
  image: redis:7.2
  entrypoint: [redis-server, --port, "20002"]
```

## Use instead
```yaml
spec:
  image: redis:7.2
  entrypoint: [redis-server, --port, "6380"]
```

## Sources
- "Harness itself uses port 20001 in the pod, and gives step containers ports from 20002 upward:
  user services should stay below 20001": ../shared/harness-ci-facts.md, "How a later step reaches
  a Background service".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        if stage.network.infra() != InfraKind::Kubernetes {
            continue;
        }
        let reserved = reserved_kubernetes_ports(stage.graph.len());
        for service in stage.network.services() {
            for port in &service.ports {
                let Some(number) = port.port.filter(|p| reserved.contains(p)) else {
                    continue;
                };
                out.push(
                    Diagnostic::new(&RULE, port_span(service, &port.origin), format!(
                        "`{}` listens on port {number} ({}), which Harness takes in this stage's build pod ({}..={}: {HARNESS_KUBERNETES_PORT} for itself, then one a step container)",
                        service.id,
                        port_reason(&port.origin, service),
                        reserved.start(),
                        reserved.end()
                    ))
                    .with_help(format!("use a port below {HARNESS_KUBERNETES_PORT}")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, pipeline, Infra};

    fn redis(port: &str) -> String {
        pipeline(Infra::Kubernetes, &format!("- step:\n    identifier: cache\n    name: cache\n    type: Background\n    spec:\n      connectorRef: account.harnessImage\n      image: redis:7.2\n      entrypoint: [redis-server, --port, \"{port}\"]\n"))
    }

    #[test]
    fn bad_port_in_harness_range() {
        assert_eq!(
            findings(&redis("20002"), "HL202")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["20002"]
        );
    }

    #[test]
    fn good_port_below_the_range() {
        assert!(findings(&redis("6380"), "HL202").is_empty());
    }

    #[test]
    fn good_port_above_what_the_stage_s_containers_take() {
        // One step: Harness takes 20001 and 20002 only.
        assert!(findings(&redis("20003"), "HL202").is_empty());
    }

    #[test]
    fn good_mysql_on_kubernetes_with_its_default_x_protocol_port() {
        let yaml = pipeline(Infra::Kubernetes, "- step:\n    identifier: db\n    name: db\n    type: Background\n    spec:\n      connectorRef: account.harnessImage\n      image: mysql:8.0.36\n      envVariables:\n        MYSQL_ROOT_PASSWORD: pw\n");
        assert!(findings(&yaml, "HL202").is_empty());
    }
}
