use std::collections::HashSet;

use hlint_schema::Span;

use crate::analysis::command::Service;
use crate::analysis::graph::StepIndex;
use crate::analysis::network::{BackgroundService, NetworkModel, PortSpace, Reach, Resolution};
use crate::analysis::uses::{ports_of, speaks, HostMeaning};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::wrong_host::{free_uris, program_of, replace_written, step_name, uri_name, uri_port};
use super::{port_reason, port_span};

pub static RULE: Rule = Rule {
    code: "HL209",
    name: "port-mismatch",
    severity: Severity::Error,
    summary: "A client connects to a port its Background service does not listen on",
    doc: r#"## What it does
Finds client calls (`psql`, `pg_isready`, `mysql`, `redis-cli`, `nc`...) and connection URIs
that reach a Background service of the stage on a port the service does not listen on: the
port given (`-p 5432`, `postgres://db:5432/app`) or, when none is given, the client's default
(5432 for `psql` and `pg_isready`, 3306 for `mysql`, 6379 for `redis-cli`...).

The service's ports are read from its image's defaults and from what moves them (`-p 5433`
or `-c port=5433` on its command line, `PGPORT`...). From a step that runs on the machine, a
service in a container is reached through the host ports its `portBindings` publish, so the
port must be one of those.

When a call reaches several services of its kind at `localhost` (a Kubernetes pod, or the
machine) and its port is none of theirs, the finding lists their ports.

Nothing is reported when the port is not known statically (a variable hlint cannot see, an
expression), or when the service's ports are not known.

## Why is this bad?
Nothing listens on that port: the client fails with "Connection refused" (or reaches another
service that happens to listen there), and the health check or the tests fail although the
service is running.

## Example
```yaml
- step:
    identifier: db
    name: db
    type: Background
    spec:
      image: postgres:16.4
      entrypoint: [docker-entrypoint.sh, "-p 5433"]
- step:
    identifier: check
    name: check
    type: Run
    spec:
      image: postgres:16.4
      command: pg_isready -h db -p 5432
```

## Use instead
```yaml
      command: pg_isready -h db -p 5433
```

## Sources
- The postgres image listens on 5432 unless told otherwise (`-p N`, `-c port=N`, `PGPORT`):
  ../shared/harness-ci-facts.md, "PostgreSQL official image, as used in these pipelines".
- `portBindings` maps host ports to container ports; Kubernetes steps share one network
  namespace: ../shared/harness-ci-facts.md, "Background step" and "How a later step reaches
  a Background service".
- libpq clients (`psql`, `pg_isready`) connect to the port given by `-p`, `PGPORT` or the URI,
  else to the one PostgreSQL was built with, 5432 by default:
  https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNECT-PORT
"#,
};

/// A connection whose port is checked.
struct Connection {
    caller: StepIndex,
    protocol: Service,
    port: u16,
    port_given: bool,
    /// Where to point: the port token, else the host token or the program (in the file).
    point: Span,
    /// Where the port's value is written in the file, and the value (for a fix).
    port_written: Option<(Span, String)>,
    /// "`psql`", "the connection URI in `DATABASE_URL`".
    what: String,
    host: String,
}

/// Which services a connection is aimed at.
enum Aim {
    One(StepIndex, PortSpace),
    /// Several services of its kind reachable at a loopback name, none on its port.
    Several(Vec<Reach>),
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        let network = &stage.network;
        let mut found: Vec<(Connection, Aim)> = Vec::new();
        for service_use in &stage.uses {
            let script = service_use.script(&stage.scripts);
            let call = &script.calls[service_use.call];
            if call.port.dynamic {
                continue;
            }
            let Some(port) = service_use.port else {
                continue;
            };
            let aim = match &service_use.host {
                HostMeaning::Resolved(Resolution::Service { .. }) => service_use
                    .target
                    .map(|target| Aim::One(target, service_use.port_space)),
                HostMeaning::Resolved(Resolution::Loopback { reachable })
                    if specific(call.service) =>
                {
                    match service_use.target {
                        Some(target) => Some(Aim::One(target, service_use.port_space)),
                        None => several(network, call.service, reachable, port),
                    }
                }
                _ => None,
            };
            let Some(aim) = aim else { continue };
            let host_point = call.host.point().unwrap_or(call.program_span);
            let port_given = call.port.is_given();
            found.push((
                Connection {
                    caller: service_use.caller,
                    protocol: call.service,
                    port,
                    port_given,
                    point: script.file_span(if port_given {
                        call.port.point().unwrap_or(host_point)
                    } else {
                        host_point
                    }),
                    port_written: script
                        .file_span_of(call.port.span)
                        .zip(call.port.value.clone())
                        .filter(|_| port_given),
                    what: program_of(stage, service_use),
                    host: call.host.value.clone().unwrap_or_default(),
                },
                aim,
            ));
        }
        for (caller, uri) in free_uris(stage) {
            let (Some(protocol), Some(port), Some(host)) =
                (uri.service(), uri_port(uri), uri.host.as_ref())
            else {
                continue;
            };
            let aim = match network.resolve(&host.text, caller) {
                Resolution::Service {
                    service,
                    port_space,
                } => Some(Aim::One(service, port_space)),
                Resolution::Loopback { reachable } if specific(protocol) => {
                    loopback_aim(network, protocol, &reachable, port)
                }
                _ => None,
            };
            let Some(aim) = aim else { continue };
            found.push((
                Connection {
                    caller,
                    protocol,
                    port,
                    port_given: uri.port.is_some(),
                    point: stage.file_span(caller, uri.port.as_ref().map_or(host.span, |p| p.span)),
                    port_written: (uri.port.as_ref())
                        .map(|p| (stage.file_span(caller, p.span), p.text.clone())),
                    what: uri_name(uri),
                    host: host.text.clone(),
                },
                aim,
            ));
        }
        let mut seen = HashSet::new();
        for (connection, aim) in found {
            if !seen.insert((connection.point.start, connection.point.end)) {
                continue;
            }
            let diagnostic = match aim {
                Aim::One(target, space) => one(cx, stage, &connection, target, space),
                Aim::Several(reach) => several_finding(stage, &connection, &reach),
            };
            out.extend(diagnostic);
        }
    }
}

/// Clients of one protocol: a port that no service of the kind listens on is a mistake. (A
/// bare TCP or HTTP check at `localhost` may aim at something the step itself started.)
fn specific(protocol: Service) -> bool {
    !matches!(protocol, Service::Tcp | Service::Http)
}

/// The services of `protocol`'s kind among `reachable`: `None` when one of the reachable
/// services is not identified (it may be the one meant).
fn compatible(
    network: &NetworkModel,
    protocol: Service,
    reachable: &[Reach],
) -> Option<Vec<Reach>> {
    let mut out = Vec::new();
    for reach in reachable {
        let image = network.service(reach.service)?.service()?;
        if speaks(protocol, image.kind) {
            out.push(*reach);
        }
    }
    Some(out)
}

/// For a call at a loopback name that `uses` could not tie to one service.
fn several(
    network: &NetworkModel,
    protocol: Service,
    reachable: &[Reach],
    port: u16,
) -> Option<Aim> {
    let candidates = compatible(network, protocol, reachable)?;
    (candidates.len() >= 2
        && candidates.iter().all(|reach| {
            known_ports(network, reach.service, reach.port_space)
                .is_some_and(|ports| !ports.contains(&port))
        }))
    .then_some(Aim::Several(candidates))
}

/// For a free URI at a loopback name: the service on its port, else the only one of its
/// kind, else several.
fn loopback_aim(
    network: &NetworkModel,
    protocol: Service,
    reachable: &[Reach],
    port: u16,
) -> Option<Aim> {
    let candidates = compatible(network, protocol, reachable)?;
    if candidates
        .iter()
        .any(|reach| ports_of(network, reach.service, reach.port_space).contains(&port))
    {
        return None;
    }
    match candidates.as_slice() {
        [] => None,
        [only] => Some(Aim::One(only.service, only.port_space)),
        _ => several(network, protocol, reachable, port),
    }
}

/// The ports of a service in a port space, when every one of them is known.
fn known_ports(network: &NetworkModel, service: StepIndex, space: PortSpace) -> Option<Vec<u16>> {
    let svc = network.service(service)?;
    let known = match space {
        PortSpace::Listening => !svc.ports.is_empty() && svc.ports.iter().all(|p| p.port.is_some()),
        PortSpace::Published => {
            !svc.published.is_empty() && svc.published.iter().all(|b| b.host.is_some())
        }
    };
    known.then(|| ports_of(network, service, space))
}

fn port_list(ports: &[u16]) -> String {
    let list: Vec<String> = ports.iter().map(u16::to_string).collect();
    match list.as_slice() {
        [one] => format!("port {one}"),
        _ => format!("ports {}", list.join(", ")),
    }
}

/// Labels on the places that set a service's ports.
fn port_labels(
    mut diagnostic: Diagnostic,
    service: &BackgroundService,
    space: PortSpace,
) -> Diagnostic {
    let id = &service.id;
    match space {
        PortSpace::Listening => {
            for port in &service.ports {
                let Some(number) = port.port else { continue };
                diagnostic = diagnostic.with_label(
                    port_span(service, &port.origin),
                    format!(
                        "`{id}` listens on {number} ({})",
                        port_reason(&port.origin, service)
                    ),
                );
            }
        }
        PortSpace::Published => {
            for binding in &service.published {
                let Some(number) = binding.host else { continue };
                diagnostic = diagnostic.with_label(
                    binding.host_span,
                    format!("`{id}` publishes host port {number} here"),
                );
            }
        }
    }
    diagnostic
}

fn one(
    cx: &Context,
    stage: &crate::analysis::stage::StageAnalysis<'_>,
    connection: &Connection,
    target: StepIndex,
    space: PortSpace,
) -> Option<Diagnostic> {
    let network = &stage.network;
    let service = network.service(target)?;
    let image = service.service()?;
    if !speaks(connection.protocol, image.kind) {
        return None;
    }
    let ports = known_ports(network, target, space)?;
    if ports.contains(&connection.port) {
        return None;
    }
    let Connection { what, port, .. } = connection;
    let id = &service.id;
    let uses = if connection.port_given {
        format!("connects to port {port}")
    } else {
        format!("connects to port {port} (its default, as no port is given)")
    };
    let message = match space {
        PortSpace::Listening => format!(
            "{what} {uses}, but `{id}` listens on {}",
            port_list(&ports)
        ),
        PortSpace::Published => format!(
            "{what} {uses} on the machine, but `{id}` runs in a container and publishes only host {} there",
            port_list(&ports)
        ),
    };
    let help = match ports.as_slice() {
        [only] => format!("connect to port {only}"),
        _ => format!("connect to one of the {} of `{id}`", port_list(&ports)),
    };
    let mut diagnostic = port_labels(
        Diagnostic::new(&RULE, connection.point, message).with_help(help),
        service,
        space,
    );
    if let ([only], Some((span, value))) = (ports.as_slice(), &connection.port_written) {
        if let Some(edit) = replace_written(cx.source, *span, value, &only.to_string()) {
            diagnostic =
                diagnostic.with_fix(format!("replace port {port} with {only}"), vec![edit]);
        }
    }
    Some(diagnostic)
}

fn protocol_name(protocol: Service) -> &'static str {
    match protocol {
        Service::Postgres => "PostgreSQL",
        Service::Mysql => "MySQL",
        Service::Redis => "Redis",
        Service::Mongo => "MongoDB",
        Service::Amqp => "AMQP",
        Service::Http => "HTTP",
        Service::Tcp => "TCP",
    }
}

fn several_finding(
    stage: &crate::analysis::stage::StageAnalysis<'_>,
    connection: &Connection,
    reach: &[Reach],
) -> Option<Diagnostic> {
    let network = &stage.network;
    let Connection {
        what, port, host, ..
    } = connection;
    let kind = protocol_name(connection.protocol);
    let caller = step_name(stage, connection.caller);
    let host = if host.is_empty() {
        "localhost"
    } else {
        host.as_str()
    };
    let mut choices = Vec::new();
    let mut diagnostic = Diagnostic::new(
        &RULE,
        connection.point,
        format!("{what} connects to `{host}` port {port}, where no {kind} service of this stage listens"),
    );
    for candidate in reach {
        let service = network.service(candidate.service)?;
        let ports = ports_of(network, candidate.service, candidate.port_space);
        choices.push(format!("{} (`{}`)", port_list(&ports), service.id));
        diagnostic = port_labels(diagnostic, service, candidate.port_space);
    }
    Some(diagnostic.with_help(format!(
        "the {kind} services that `{host}` reaches from `{caller}` are on {}: use the port of the one you mean",
        choices.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    use super::super::wrong_host::tests::{fixed, postgres, postgres_and_check, run};

    #[test]
    fn bad_port_5432_against_a_service_on_5433() {
        let steps = postgres_and_check("db", 5433, "check", "pg_isready -h db -p 5432");
        let text = pipeline(Infra::Cloud, &steps);
        let found = findings(&text, "HL209");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "5432");
        assert!(
            found[0]
                .1
                .contains("connects to port 5432, but `db` listens on port 5433"),
            "{}",
            found[0].1
        );
        assert!(fixed(&text, "HL209").contains("pg_isready -h db -p 5433"));
        let good = text.replace("-p 5432", "-p 5433");
        assert_clean(&good);
    }

    #[test]
    fn bad_default_port_on_kubernetes_points_at_the_host() {
        let steps = postgres_and_check("db", 5433, "check", "pg_isready -h localhost");
        let text = pipeline(Infra::Kubernetes, &steps);
        let found = findings(&text, "HL209");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "localhost");
        assert!(found[0].1.contains("its default"), "{}", found[0].1);
    }

    #[test]
    fn bad_localhost_reaching_two_services_on_other_ports() {
        let steps = format!(
            "- parallel:\n{}{}{}",
            indent(&postgres("db1", Some("postgres:16.4"), 5433)),
            indent(&postgres("db2", Some("postgres:16.4"), 5434)),
            run(
                "check",
                Some("postgres:16.4"),
                "",
                "pg_isready -h localhost -p 5432"
            )
        );
        let text = pipeline(Infra::Kubernetes, &steps);
        let found = findings(&text, "HL209");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "5432");
        let good = text.replace("-p 5432", "-p 5434");
        assert!(findings(&good, "HL209").is_empty());
    }

    #[test]
    fn bad_database_url_port() {
        let steps = format!(
            "{}{}",
            postgres("db", Some("postgres:16.4"), 5433),
            run(
                "tests",
                Some("golang:1.22"),
                "        DATABASE_URL: postgres://postgres@localhost:5432/app\n",
                "go test ./..."
            )
        );
        let text = pipeline(Infra::Kubernetes, &steps);
        let found = findings(&text, "HL209");
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), ["5432"]);
        assert!(fixed(&text, "HL209").contains("@localhost:5433/app"));
    }

    #[test]
    fn good_dynamic_port_and_plain_tcp_checks_are_not_judged() {
        let steps = format!(
            "{}{}",
            postgres("db", Some("postgres:16.4"), 5433),
            run(
                "check",
                Some("postgres:16.4"),
                "",
                "pg_isready -h localhost -p \"$PORT\" && nc -z localhost 8080"
            )
        );
        let text = pipeline(Infra::Kubernetes, &steps);
        assert!(
            findings(&text, "HL209").is_empty(),
            "{:?}",
            findings(&text, "HL209")
        );
    }

    fn indent(text: &str) -> String {
        text.lines().map(|l| format!("    {l}\n")).collect()
    }
}
