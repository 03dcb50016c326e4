use std::collections::HashSet;

use crate::analysis::command::{program_name, Service, Tool};
use crate::analysis::network::{InfraKind, Placement};
use crate::analysis::uses::{speaks, HostMeaning};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::registry::Rule;

use super::wrong_host::{infra_name, program_of, replace_written, step_name};

pub static RULE: Rule = Rule {
    code: "HL210",
    name: "socket-connection",
    severity: Severity::Error,
    summary: "A client connects over a Unix-domain socket to a service in another container",
    doc: r#"## What it does
Finds `psql`, `pg_isready`, `pg_dump`, `mysql`, `mysqladmin` calls that connect over a
Unix-domain socket (no host given, a socket directory as host, or `localhost` for MySQL and
MariaDB clients, which read it as their socket) while the only service of their kind runs in
another container:
- on Kubernetes, every step is its own container of the build pod: the containers share the
  pod's network, not their filesystems;
- on Harness Cloud, a VM pool or the local Docker runner, a service run from an image is a
  container of the stage's Docker network, and a service without an image runs on the
  machine.

Not reported when the call runs in the service's own step, when both run directly on the
machine, or when the calling step starts a server of its own.

## Why is this bad?
The socket file lives in the server's container, so the client finds none in its own:
`connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: No such file or
directory` (MySQL: `Can't connect to local MySQL server through socket`).

## Example
```yaml
- step:
    identifier: check
    name: check
    type: Run
    spec:
      image: postgres:16.4
      command: pg_isready -U postgres
```
on Kubernetes, with a postgres Background step in the stage.

## Use instead
```yaml
      command: pg_isready -h localhost -U postgres
```
On Kubernetes use `-h localhost` (`-h 127.0.0.1` for MySQL); on a Docker network, the
service's host name (`-h db`, or `-h GROUPID_STEPID` in a step group).

## Sources
- Kubernetes: every step container shares the pod's network namespace; on Docker-based
  infrastructure each container joins the stage's network under its alias; MySQL clients
  need `127.0.0.1`: ../shared/harness-ci-facts.md, "How a later step reaches a Background
  service".
- libpq with no host connects to a Unix-domain socket in `/tmp` or `/var/run/postgresql`:
  https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNECT-HOST
- MySQL clients connect to `localhost` through a Unix socket file on Unix, and over TCP/IP to
  `127.0.0.1`: https://dev.mysql.com/doc/refman/8.4/en/transport-protocols.html
"#,
};

/// Programs that start a server in the calling step itself (then its socket is there).
const SERVER_STARTERS: &[&str] = &["service", "systemctl", "pg_ctlcluster", "mysqld_safe"];

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        let network = &stage.network;
        let infra = network.infra();
        if infra == InfraKind::Unknown {
            continue;
        }
        let mut seen = HashSet::new();
        for service_use in &stage.uses {
            if service_use.host != HostMeaning::Socket {
                continue;
            }
            let Some(target) = service_use.target.filter(|t| *t != service_use.caller) else {
                continue;
            };
            let Some(service) = network.service(target) else {
                continue;
            };
            let Some(image) = service.service() else {
                continue;
            };
            let call = service_use.call(&stage.scripts);
            if !speaks(call.service, image.kind) {
                continue;
            }
            let caller_placement = network.placement(service_use.caller);
            match (service.placement, caller_placement) {
                (Placement::Unknown, _) | (_, Placement::Unknown) => continue,
                (Placement::Host, Placement::Host) if infra != InfraKind::Kubernetes => continue,
                _ => {}
            }
            let Some(script) = stage.script(service_use.caller) else {
                continue;
            };
            let starts_a_server = script.script.invocations.iter().any(|invocation| {
                invocation.program.as_deref().is_some_and(|program| {
                    image.server_commands.contains(&program)
                        || image.is_entrypoint_script(program)
                        || SERVER_STARTERS.contains(&program)
                })
            });
            if starts_a_server {
                continue;
            }
            let call = service_use.call_in_file(&stage.scripts);
            let point = if call.host.is_given() {
                call.host.point().unwrap_or(call.program_span)
            } else {
                call.program_span
            };
            if !seen.insert((point.start, point.end)) {
                continue;
            }
            let program = program_of(stage, service_use);
            let caller = step_name(stage, service_use.caller);
            let id = &service.id;
            let socket_place = if caller_placement == Placement::Host {
                "on the machine".to_owned()
            } else {
                format!("in `{caller}`'s own container")
            };
            let how = match call.host.value.as_deref() {
                Some(host) if call.host.is_given() && call.service == Service::Mysql => {
                    format!("takes `{host}` to mean a Unix-domain socket")
                }
                Some(host) if call.host.is_given() => {
                    format!("connects through the Unix-domain socket in `{host}`")
                }
                _ => "has no host, so it connects through a Unix-domain socket".to_owned(),
            };
            let where_service = match (infra, service.placement, caller_placement) {
                (InfraKind::Kubernetes, _, _) => format!(
                    "`{id}` runs in its own container of the Kubernetes build pod, which shares the pod's network but not its filesystem"
                ),
                (_, Placement::Container, Placement::Container) => format!(
                    "`{id}` runs in its own container on the stage's Docker network ({})",
                    infra_name(infra)
                ),
                (_, Placement::Container, _) => format!(
                    "`{id}` runs in a container, while `{caller}` has no image and runs on the machine ({})",
                    infra_name(infra)
                ),
                _ => format!(
                    "`{id}` has no image and runs on the machine, while `{caller}` runs in a container ({})",
                    infra_name(infra)
                ),
            };
            let message = format!(
                "{program} {how} {socket_place}, but {where_service}: the {} socket is not there",
                image.kind.name()
            );
            let name = network
                .names_reaching(target, service_use.caller)
                .into_iter()
                .next();
            let mut diagnostic = Diagnostic::new(&RULE, point, message);
            if let Some(id_span) = service.id_span {
                diagnostic = diagnostic.with_label(id_span, format!("the Background step `{id}`"));
            }
            let Some(name) = name else {
                out.push(diagnostic.with_help(format!(
                    "no host name reaches `{id}` from `{caller}`: run both from an image (then use `{id}`'s container name) or both on the machine"
                )));
                continue;
            };
            let mysql_note =
                if image.kind.localhost_means_socket() && infra == InfraKind::Kubernetes {
                    " (MySQL clients read `localhost` as the socket)"
                } else {
                    ""
                };
            diagnostic = diagnostic.with_help(format!(
                "connect over TCP with `-h {name}`{mysql_note} and the port `{id}` listens on"
            ));
            if let Some(edit) = fix(cx.source, stage, service_use, &name) {
                diagnostic =
                    diagnostic.with_fix(format!("connect to `{name}` over TCP"), vec![edit]);
            }
            out.push(diagnostic);
        }
    }
}

/// Replaces a socket host (`localhost` for MySQL, a socket directory for libpq) with `name`,
/// or adds `-h name` after the program when no host is given.
fn fix(
    source: &str,
    stage: &crate::analysis::stage::StageAnalysis<'_>,
    service_use: &crate::analysis::uses::ServiceUse,
    name: &str,
) -> Option<Edit> {
    let call = service_use.call_in_file(&stage.scripts);
    if call.host.is_given() {
        let value = call.host.value.as_deref()?;
        let socket_value = match call.service {
            Service::Mysql => value.eq_ignore_ascii_case("localhost"),
            Service::Postgres => value.starts_with('/') || value.starts_with('@'),
            _ => false,
        };
        return socket_value
            .then(|| replace_written(source, call.host.span?, value, name))
            .flatten();
    }
    if !matches!(
        call.tool,
        Tool::Psql
            | Tool::PgIsready
            | Tool::PgDump
            | Tool::Mysql
            | Tool::Mariadb
            | Tool::Mysqladmin
    ) {
        return None;
    }
    let program = stage
        .script(service_use.caller)?
        .invocation(call)?
        .program
        .as_deref()?;
    let written = source.get(call.program_span.start..call.program_span.end)?;
    (program_name(written) == program).then(|| Edit {
        span: hlint_schema::Span::point(call.program_span.end),
        replacement: format!(" -h {name}"),
    })
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, pipeline, Infra};

    use super::super::wrong_host::tests::{fixed, group, postgres, postgres_and_check, run};

    #[test]
    fn bad_psql_without_host_on_kubernetes() {
        let steps = postgres_and_check("db", 5432, "check", "psql -U postgres -c 'select 1'");
        let text = pipeline(Infra::Kubernetes, &steps);
        let found = findings(&text, "HL210");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "psql");
        assert!(found[0].1.contains("has no host"), "{}", found[0].1);
        assert!(fixed(&text, "HL210").contains("psql -h localhost -U postgres"));
        let good = text.replace("psql -U", "psql -h localhost -U");
        assert!(findings(&good, "HL210").is_empty());
    }

    #[test]
    fn bad_mysql_localhost_on_kubernetes() {
        let steps = "- step:\n    identifier: db\n    name: db\n    type: Background\n    spec:\n      image: mysql:8.4\n      envVariables:\n        MYSQL_ROOT_PASSWORD: <+secrets.getValue(\"pw\")>\n- step:\n    identifier: check\n    name: check\n    type: Run\n    spec:\n      image: mysql:8.4\n      command: mysqladmin ping -h localhost\n";
        let text = pipeline(Infra::Kubernetes, steps);
        let found = findings(&text, "HL210");
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), ["localhost"]);
        assert!(fixed(&text, "HL210").contains("mysqladmin ping -h 127.0.0.1"));
    }

    #[test]
    fn bad_no_host_on_a_docker_network_suggests_the_alias() {
        let steps = group(
            "sg1",
            &postgres_and_check("db", 5432, "check", "pg_isready"),
        );
        let text = pipeline(Infra::Cloud, &steps);
        let found = findings(&text, "HL210");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(fixed(&text, "HL210").contains("pg_isready -h sg1_db"));
    }

    #[test]
    fn good_both_on_the_machine_or_own_server() {
        let steps = format!(
            "{}{}",
            postgres("db", None, 5432).replace("docker-entrypoint.sh", "postgres"),
            run("check", None, "", "pg_isready")
        );
        let text = pipeline(Infra::Cloud, &steps);
        assert!(
            findings(&text, "HL210").is_empty(),
            "{:?}",
            findings(&text, "HL210")
        );
        let steps = postgres_and_check(
            "db",
            5433,
            "own",
            "docker-entrypoint.sh postgres & sleep 5; pg_isready",
        );
        let text = pipeline(Infra::Kubernetes, &steps);
        assert!(
            findings(&text, "HL210").is_empty(),
            "{:?}",
            findings(&text, "HL210")
        );
    }
}
