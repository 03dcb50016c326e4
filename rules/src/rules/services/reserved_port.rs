use crate::analysis::network::{is_reserved_kubernetes_port, InfraKind, HARNESS_KUBERNETES_PORT};
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
Finds Background services on Kubernetes that listen on port 20001 or higher.

## Why is this bad?
Harness's own processes use port 20001 in the build pod, and step containers get ports from
20002 upward. All containers share the pod's network, so a service there either fails to bind
or takes a port a step container needs, and the stage fails in ways that have nothing to do
with your code.

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
        for service in stage.network.services() {
            for port in &service.ports {
                let Some(number) = port.port.filter(|p| is_reserved_kubernetes_port(*p)) else {
                    continue;
                };
                out.push(
                    Diagnostic::new(&RULE, port_span(service, &port.origin), format!(
                        "`{}` listens on port {number} ({}), in the range Harness uses in the build pod ({HARNESS_KUBERNETES_PORT} and up)",
                        service.id,
                        port_reason(&port.origin, service)
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
}
