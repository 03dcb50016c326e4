use std::collections::HashSet;

use hlint_schema::Span;

use crate::analysis::command::{ConnectionUri, UriOrigin, REMOTE_RUNNERS};
use crate::analysis::graph::StepIndex;
use crate::analysis::network::{
    BackgroundService, InfraKind, PortSpace, Resolution, WrongNameReason,
};
use crate::analysis::stage::StageAnalysis;
use crate::analysis::uses::{ports_of, HostMeaning, ServiceUse};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL206",
    name: "wrong-host",
    severity: Severity::Error,
    summary: "A client reaches a Background service by a host name that does not reach it",
    doc: r#"## What it does
Finds client calls (`psql -h`, `pg_isready -h`, `mysql -h`, `redis-cli -h`, `curl`, `nc`...)
and connection URIs (`postgres://user@HOST:5432/db`, in a script or in `envVariables`) whose
host names a Background step of the stage, but not by the name that reaches it from the
calling step:
- on Kubernetes, a step identifier: every step is a container of one build pod, and step
  identifiers are not host names there; use `localhost` (`127.0.0.1` for MySQL and MariaDB
  clients, which read `localhost` as their Unix-domain socket);
- on Harness Cloud, a VM pool or the local Docker runner, the bare step identifier of a
  service that sits in a step group: its host name is `GROUPID_STEPID`, even from a step of
  the same group;
- there too, a container name for a service with no image: it runs directly on the machine
  and has no container name; a step on the machine reaches it at `localhost`;
- a container name used from a step with no image: that step runs on the machine, where the
  stage's container names do not resolve.

## Why is this bad?
The name does not resolve (or reaches nothing) where the step runs: the client fails with
"could not translate host name ... to address" or "Connection refused", and the health check
or the tests fail although the service is running.

## Example
On Harness Cloud, a service with no image runs on the machine:
```yaml
- stepGroup:
    identifier: sg1
    name: group 1
    steps:
      - step:
          identifier: Background_1
          name: postgres
          type: Background
          spec:
            entrypoint: [postgres, "-p 5433"]
      - step:
          identifier: Run_1
          name: check
          type: Run
          spec:
            command: pg_isready -h Background_1 -p 5433
```

## Use instead
```yaml
            command: pg_isready -h localhost -p 5433
```
With `image: postgres:16.4` on the Background step (and on the Run step), the name would be
`sg1_Background_1`.

## Sources
- Host names by infrastructure (step identifier, `GROUPID_STEPID` in a step group, `localhost`
  for a service without image and on Kubernetes, `127.0.0.1` for MySQL on Kubernetes):
  ../shared/harness-ci-facts.md, "How a later step reaches a Background service".
- MySQL clients read `localhost` as their Unix socket file, `127.0.0.1` as TCP/IP:
  https://dev.mysql.com/doc/refman/8.4/en/transport-protocols.html
- A Background step without an image runs directly on the machine:
  ../shared/harness-ci-facts.md, "Background step".
- The seed document's Harness Cloud example reaches its image-less services as
  `Background_1` and `Background_2`: ../shared/harness-ci-facts.md, "Mistakes in the Harness
  documentation itself".
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        let network = &stage.network;
        let mut seen = HashSet::new();
        for site in written_hosts(stage) {
            let Resolution::WrongName {
                intended,
                correct_names,
                reason,
            } = &site.resolution
            else {
                continue;
            };
            let Some(service) = network.service(*intended) else {
                continue;
            };
            if !seen.insert((site.point.start, site.point.end)) {
                continue;
            }
            let caller = step_name(stage, site.caller);
            let infra = infra_name(network.infra());
            let host = site.host;
            let id = &service.id;
            let first = correct_names.first();
            let (message, help) = match reason {
                WrongNameReason::PodUsesLocalhost => {
                    let name = first.map_or("localhost", String::as_str);
                    let mysql = service
                        .service()
                        .is_some_and(|image| image.kind.localhost_means_socket());
                    (
                        format!("`{host}` is not a host name in a Kubernetes build pod: `{id}` is a container of the same pod as `{caller}`, reached at `{name}`"),
                        if mysql {
                            format!("every step of a Kubernetes stage shares the pod's network and step identifiers are not host names there; use `{name}` (MySQL clients read `localhost` as their Unix-domain socket) and the port `{id}` listens on")
                        } else {
                            format!("every step of a Kubernetes stage shares the pod's network and step identifiers are not host names there; use `{name}` and the port `{id}` listens on")
                        },
                    )
                }
                WrongNameReason::GroupPrefixRequired => {
                    let alias = first.cloned().unwrap_or_else(|| would_be_alias(service));
                    let group = service.group.as_deref().unwrap_or_default();
                    (
                        format!("`{host}` does not resolve on {infra}: `{id}` sits in step group `{group}`, so its host name is `{alias}`"),
                        format!("on the stage's Docker network a step in a step group is named `GROUPID_STEPID`, even from a step of the same group; use `{alias}`"),
                    )
                }
                WrongNameReason::ServiceOnHost => (
                    format!("no host is named `{host}` on {infra}: the Background step `{id}` has no image, so it runs directly on the machine, where it has no container name"),
                    match first {
                        Some(name) => format!("a step on the machine reaches a service run on the machine at `{name}` (run from an image, `{id}` would be reached as `{}`)", would_be_alias(service)),
                        None => format!("`{caller}` runs in a container, from which a service run on the machine cannot be reached: give `{id}` an image (its host name is then `{}`), or remove `{caller}`'s image so that it runs on the machine and use `localhost`", would_be_alias(service)),
                    },
                ),
                WrongNameReason::CallerOnHost => (
                    format!("`{host}` does not resolve from `{caller}` on {infra}: `{caller}` has no image, so it runs directly on the machine, where the stage's container names do not resolve"),
                    match first {
                        Some(name) => format!("from the machine, reach `{id}` at `{name}` through the host port its `portBindings` publish"),
                        None => format!("give `{caller}` an image so that it joins the stage's Docker network, or publish `{id}`'s port with `portBindings` and use `localhost` and that host port"),
                    },
                ),
            };
            let mut diagnostic = Diagnostic::new(&RULE, site.point, message).with_help(help);
            if let Some(id_span) = service.id_span {
                diagnostic = diagnostic.with_label(id_span, format!("the Background step `{id}`"));
            }
            if let Some(name) = first {
                if let Some(edit) = site
                    .written
                    .and_then(|span| replace_written(cx.source, span, host, name))
                {
                    let description = format!("replace `{host}` with `{name}`");
                    // From the machine the service is reached on its published host ports:
                    // only a port that is one of them keeps its meaning.
                    let keeps_port = *reason != WrongNameReason::CallerOnHost
                        || site.port.is_some_and(|port| {
                            ports_of(network, *intended, PortSpace::Published).contains(&port)
                        });
                    diagnostic = if keeps_port {
                        diagnostic.with_fix(description, vec![edit])
                    } else {
                        diagnostic.with_unsafe_fix(description, vec![edit])
                    };
                }
            }
            out.push(diagnostic);
        }
    }
}

/// A host name written in a step: the host of a client call, or of a connection URI that
/// no call reads (a `DATABASE_URL` for the tests).
pub(crate) struct WrittenHost<'s> {
    pub caller: StepIndex,
    pub host: &'s str,
    pub resolution: Resolution,
    /// The token to point at (in the file).
    pub point: Span,
    /// Where the value is written, for a fix (in the file).
    pub written: Option<Span>,
    /// The port the connection uses (given, or the default), when known.
    pub port: Option<u16>,
}

/// Every statically known host name of the stage's calls and free connection URIs.
pub(crate) fn written_hosts<'s>(stage: &'s StageAnalysis<'_>) -> Vec<WrittenHost<'s>> {
    let mut sites = Vec::new();
    for service_use in &stage.uses {
        let HostMeaning::Resolved(resolution) = &service_use.host else {
            continue;
        };
        let script = service_use.script(&stage.scripts);
        let call = &script.calls[service_use.call];
        let Some(host) = call.host.value.as_deref() else {
            continue;
        };
        sites.push(WrittenHost {
            caller: service_use.caller,
            host,
            resolution: resolution.clone(),
            point: script.file_span(call.host.point().unwrap_or(call.program_span)),
            written: script.file_span_of(call.host.span),
            port: service_use.port,
        });
    }
    for (caller, uri) in free_uris(stage) {
        let Some(host) = uri.host.as_ref() else {
            continue;
        };
        let written = stage.file_span(caller, host.span);
        sites.push(WrittenHost {
            caller,
            host: &host.text,
            resolution: stage.network.resolve(&host.text, caller),
            point: written,
            written: Some(written),
            port: uri_port(uri),
        });
    }
    sites
}

/// The connection URIs of the stage's scripts and environments that no client call reads,
/// with a static host part (spans: script offsets of the step's script).
pub(crate) fn free_uris<'s>(stage: &'s StageAnalysis<'_>) -> Vec<(StepIndex, &'s ConnectionUri)> {
    let mut found = Vec::new();
    for (index, script) in stage.scripts.iter().enumerate() {
        let Some(script) = script else { continue };
        for uri in &script.uris {
            let Some(host) = uri.host.as_ref() else {
                continue;
            };
            if host.dynamic || host.text.is_empty() {
                continue;
            }
            // `docker exec db psql postgres://localhost/...` connects from another place.
            let remote = match &uri.origin {
                UriOrigin::Script {
                    invocation: Some(i),
                } => script.script.invocations.get(*i).is_some_and(|invocation| {
                    invocation
                        .program
                        .as_deref()
                        .is_some_and(|program| REMOTE_RUNNERS.contains(&program))
                }),
                _ => false,
            };
            if remote {
                continue;
            }
            let read_by_a_call = script.calls.iter().any(|call| {
                call.host.span == Some(host.span)
                    || call.uri.as_ref().is_some_and(|u| u.span == uri.span)
            });
            if !read_by_a_call {
                found.push((StepIndex::new(index), uri));
            }
        }
    }
    found
}

/// The port a URI connects to: written, or the scheme's default (`None` when not static).
pub(crate) fn uri_port(uri: &ConnectionUri) -> Option<u16> {
    match &uri.port {
        Some(port) if port.dynamic => None,
        Some(_) => uri.port_number(),
        None => uri.default_port(),
    }
}

/// "the connection URI in `DATABASE_URL`", for messages.
pub(crate) fn uri_name(uri: &ConnectionUri) -> String {
    match &uri.origin {
        UriOrigin::StepEnv { name } => format!("the connection URI in `{name}`"),
        UriOrigin::Script { .. } => "the connection URI".to_owned(),
    }
}

/// The program of a call, for messages (`psql`), or "the connection" (`/dev/tcp`).
pub(crate) fn program_of(stage: &StageAnalysis<'_>, service_use: &ServiceUse) -> String {
    let call = service_use.call(&stage.scripts);
    stage
        .script(service_use.caller)
        .and_then(|script| script.invocation(call))
        .and_then(|invocation| invocation.program.clone())
        .map_or_else(
            || "the connection".to_owned(),
            |program| format!("`{program}`"),
        )
}

/// A step's identifier, for messages.
pub(crate) fn step_name<'a>(stage: &StageAnalysis<'a>, step: StepIndex) -> &'a str {
    stage.graph.id(step).unwrap_or("this step")
}

pub(crate) fn infra_name(infra: InfraKind) -> &'static str {
    match infra {
        InfraKind::Kubernetes => "Kubernetes",
        InfraKind::HarnessCloud => "Harness Cloud",
        InfraKind::VmPool => "a self-hosted VM pool",
        InfraKind::LocalDocker => "the local Docker runner",
        InfraKind::Unknown => "this infrastructure",
    }
}

/// The host name a service would have on a Docker network if it ran from an image.
fn would_be_alias(service: &BackgroundService) -> String {
    match &service.group {
        Some(group) => format!("{group}_{}", service.id),
        None => service.id.clone(),
    }
}

/// An edit that replaces `value` where it is written (`span`): the whole span when it reads
/// `value`, the inside of quotes, or the default of `${NAME:-value}`. `None` when the text
/// there is something else (a value built from several parts): then no mechanical fix.
pub(crate) fn replace_written(
    source: &str,
    span: Span,
    value: &str,
    replacement: &str,
) -> Option<Edit> {
    let text = source.get(span.start..span.end)?;
    if value.is_empty() {
        return None;
    }
    let inner = if text == value {
        span
    } else if text.len() == value.len() + 2
        && (text.starts_with('"') && text.ends_with('"')
            || text.starts_with('\'') && text.ends_with('\''))
        && &text[1..text.len() - 1] == value
    {
        Span::new(span.start + 1, span.end - 1)
    } else if text.starts_with("${")
        && text.ends_with('}')
        && text[..text.len() - 1].ends_with(value)
        && matches!(
            text.as_bytes().get(text.len() - 2 - value.len()),
            Some(b'-' | b'=')
        )
    {
        Span::new(span.end - 1 - value.len(), span.end - 1)
    } else {
        return None;
    };
    Some(Edit {
        span: inner,
        replacement: replacement.to_owned(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::lint::{lint_source, LintOptions, Origin};
    use crate::testing::{assert_clean, findings, lint, pipeline, Infra};

    /// A postgres Background step `id` (with `image` when given) listening on `port`.
    pub(crate) fn postgres(id: &str, image: Option<&str>, port: u16) -> String {
        let image = image.map_or(String::new(), |i| format!("      image: {i}\n"));
        format!("- step:\n    identifier: {id}\n    name: {id}\n    type: Background\n    spec:\n{image}      envVariables:\n        POSTGRES_PASSWORD: <+secrets.getValue(\"pg\")>\n        PGDATA: /tmp/pgdata/{id}\n      entrypoint:\n        - docker-entrypoint.sh\n        - \"-p {port}\"\n")
    }

    pub(crate) fn run(id: &str, image: Option<&str>, env: &str, command: &str) -> String {
        let image = image.map_or(String::new(), |i| format!("      image: {i}\n"));
        format!("- step:\n    identifier: {id}\n    name: {id}\n    type: Run\n    spec:\n{image}      envVariables:\n        PGPASSWORD: <+secrets.getValue(\"pg\")>\n{env}      command: |\n        {command}\n")
    }

    /// A postgres 16.4 service on `port` and a Run step `check` (same image) running `command`.
    pub(crate) fn postgres_and_check(
        service: &str,
        port: u16,
        check: &str,
        command: &str,
    ) -> String {
        let image = Some("postgres:16.4");
        format!(
            "{}{}",
            postgres(service, image, port),
            run(check, image, "", command)
        )
    }

    pub(crate) fn group(id: &str, steps: &str) -> String {
        let steps: String = steps.lines().map(|l| format!("      {l}\n")).collect();
        format!("- stepGroup:\n    identifier: {id}\n    name: {id}\n    steps:\n{steps}")
    }

    pub(crate) fn fixed(text: &str, code: &str) -> String {
        let diagnostics = lint(text);
        let diagnostic = diagnostics
            .iter()
            .find(|d| d.rule.code == code)
            .expect("a finding");
        let fix = diagnostic.fix.as_ref().expect("a fix");
        let mut out = text.to_owned();
        let mut edits = fix.edits.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        for edit in edits {
            out.replace_range(edit.span.start..edit.span.end, &edit.replacement);
        }
        out
    }

    #[test]
    fn bad_cloud_seed_container_name_for_services_on_the_machine() {
        let text = include_str!("../../../../tests/fixtures/seed-harness-cloud.yaml");
        let found = findings(text, "HL206");
        assert_eq!(
            found.iter().map(|f| f.0).collect::<Vec<_>>(),
            ["Background_1", "Background_2"],
            "{found:?}"
        );
        assert!(
            found[0]
                .1
                .contains("no image, so it runs directly on the machine"),
            "{}",
            found[0].1
        );
        let diagnostics =
            lint_source(text.as_bytes(), Origin::Named, &LintOptions::default()).diagnostics;
        let first = diagnostics.iter().find(|d| d.rule.code == "HL206").unwrap();
        let fix = first.fix.as_ref().unwrap();
        assert!(fix.is_safe());
        assert_eq!(fix.edits[0].replacement, "localhost");
        assert_eq!(
            &text[fix.edits[0].span.start..fix.edits[0].span.end],
            "Background_1"
        );
        assert!(fixed(text, "HL206").contains("-h localhost -p 5433"));
    }

    #[test]
    fn bad_bare_step_id_in_a_step_group_on_cloud() {
        let steps = group(
            "sg1",
            &postgres_and_check(
                "Background_1",
                5433,
                "Run_1",
                "pg_isready -h Background_1 -p 5433",
            ),
        );
        let text = pipeline(Infra::Cloud, &steps);
        let found = findings(&text, "HL206");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "Background_1");
        assert!(
            found[0].1.contains("its host name is `sg1_Background_1`"),
            "{}",
            found[0].1
        );
        assert!(fixed(&text, "HL206").contains("pg_isready -h sg1_Background_1 -p 5433"));
    }

    #[test]
    fn good_group_prefix_on_cloud() {
        let steps = group(
            "sg1",
            &postgres_and_check(
                "Background_1",
                5433,
                "Run_1",
                "pg_isready -h sg1_Background_1 -p 5433",
            ),
        );
        let text = pipeline(Infra::Cloud, &steps);
        assert!(findings(&text, "HL206").is_empty());
    }

    #[test]
    fn bad_step_id_on_kubernetes() {
        let steps = postgres_and_check("db", 5433, "check", "pg_isready -h db -p 5433");
        let text = pipeline(Infra::Kubernetes, &steps);
        let found = findings(&text, "HL206");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "db");
        assert!(
            found[0].1.contains("Kubernetes build pod"),
            "{}",
            found[0].1
        );
        assert!(fixed(&text, "HL206").contains("pg_isready -h localhost -p 5433"));
    }

    #[test]
    fn bad_mysql_step_id_on_kubernetes_is_fixed_to_the_loopback_address() {
        let steps = "- step:\n    identifier: db\n    name: db\n    type: Background\n    spec:\n      image: mysql:8.4\n      envVariables:\n        MYSQL_ROOT_PASSWORD: <+secrets.getValue(\"pw\")>\n- step:\n    identifier: check\n    name: check\n    type: Run\n    spec:\n      image: mysql:8.4\n      command: mysqladmin ping -h db\n";
        let text = pipeline(Infra::Kubernetes, steps);
        assert!(fixed(&text, "HL206").contains("mysqladmin ping -h 127.0.0.1"));
    }

    #[test]
    fn bad_database_url_in_env_variables() {
        let steps = format!(
            "{}{}",
            postgres("db", Some("postgres:16.4"), 5432),
            run(
                "tests",
                Some("golang:1.22"),
                "        DATABASE_URL: postgres://postgres@db:5432/app\n",
                "go test ./..."
            )
        );
        let text = pipeline(Infra::Kubernetes, &steps);
        let found = findings(&text, "HL206");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "db");
        assert!(fixed(&text, "HL206").contains("postgres://postgres@localhost:5432/app"));
        let good = text.replace("@db:", "@localhost:");
        assert!(findings(&good, "HL206").is_empty());
    }

    #[test]
    fn bad_host_variable_is_fixed_where_its_value_is_written() {
        let steps = format!(
            "{}{}",
            postgres("db", Some("postgres:16.4"), 5432),
            run(
                "check",
                Some("postgres:16.4"),
                "        DB_HOST: db\n",
                "pg_isready -h $DB_HOST"
            )
        );
        let text = pipeline(Infra::Kubernetes, &steps);
        let found = findings(&text, "HL206");
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), ["$DB_HOST"]);
        let out = fixed(&text, "HL206");
        assert!(out.contains("DB_HOST: localhost"), "{out}");
        assert!(out.contains("pg_isready -h $DB_HOST"));
    }

    #[test]
    fn good_kubernetes_seed_and_corrected_pipelines() {
        let seed = include_str!("../../../../tests/fixtures/seed-kubernetes.yaml");
        for code in ["HL206", "HL207", "HL208", "HL209", "HL210"] {
            assert!(
                findings(seed, code).is_empty(),
                "{code}: {:?}",
                findings(seed, code)
            );
        }
        assert_clean(include_str!(
            "../../../../tests/fixtures/clean-harness-cloud.yaml"
        ));
        assert_clean(include_str!(
            "../../../../examples/kubernetes-postgres.yaml"
        ));
    }

    #[test]
    fn replace_written_forms() {
        use super::replace_written;
        use hlint_schema::Span;
        let edit = |text: &str, value: &str| {
            replace_written(text, Span::new(0, text.len()), value, "x")
                .map(|e| (e.span.start, e.span.end))
        };
        assert_eq!(edit("db", "db"), Some((0, 2)));
        assert_eq!(edit("\"db\"", "db"), Some((1, 3)));
        assert_eq!(edit("${DB_HOST:-db}", "db"), Some((11, 13)));
        assert_eq!(edit("${PREFIX}_db", "sg1_db"), None);
    }
}
