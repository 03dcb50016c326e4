use std::collections::HashSet;

use crate::analysis::services::{identify_image, ServiceKind};
use crate::analysis::uses::speaks;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::registry::Rule;

use super::{
    authenticates, connection, container, program, server, unmet_requirements, Connection,
};

pub static RULE: Rule = Rule {
    code: "HL403",
    name: "client-cannot-authenticate",
    severity: Severity::Error,
    summary: "A PostgreSQL client too old for the server's password method (SCRAM needs libpq 10)",
    doc: r#"## What it does
Finds steps whose image is an old PostgreSQL image (major version below 10, such as
`postgres:9-alpine`) that log in with `psql` or `pg_dump` to a PostgreSQL Background service
whose network authentication method is `scram-sha-256`: the official image from version 14 on,
or unpinned / `latest`, unless `POSTGRES_HOST_AUTH_METHOD` says otherwise.

- Over the network (a host name that is not a loopback name), it is an error: the client
  cannot log in.
- Over `localhost` (the Kubernetes build pod, or the same machine), it is a warning: the
  official image trusts local connections and asks no password, so it works, but only by
  accident. The client is five or more major versions behind the server, and it breaks as
  soon as the connection is not trusted.

## Why is this bad?
libpq learnt SCRAM in version 10. An older client answers the server's SCRAM request with
"SCRAM authentication requires libpq version 10 or above" and the step fails.

## Example
```yaml
- step:
    identifier: check
    name: check
    type: Run
    spec:
      connectorRef: account.harnessImage
      image: postgres:9-alpine
      command: psql -U postgres -h sg1_db -p 5432 -c 'select 1'
```

## Use instead
Use the server's own image (or any client of version 10 or newer):
```yaml
      image: postgres:16.4
```

## Sources
- "A libpq older than 10 (for example the `postgres:9-alpine` client) cannot do SCRAM:
  'SCRAM authentication requires libpq version 10 or above'"; "From PostgreSQL 14 on,
  non-local connections need a SCRAM password; local connections (unix socket, 127.0.0.1,
  ::1) are trusted": ../shared/harness-ci-facts.md, "PostgreSQL official image".
- The seed document checks `postgres` (latest) with a `postgres:9-alpine` client:
  ../shared/harness-ci-facts.md, "Mistakes in the Harness documentation itself".
- SCRAM support arrived in PostgreSQL 10: https://www.postgresql.org/docs/10/release-10.html
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        let mut reported = HashSet::new();
        for service_use in &stage.uses {
            let script = service_use.script(&stage.scripts);
            let call = &script.calls[service_use.call];
            if !authenticates(script, call) {
                continue;
            }
            let Some(server) = service_use.target.and_then(|t| server(stage, t)) else {
                continue;
            };
            let image = server.image;
            if !server.from_image
                || image.kind != ServiceKind::Postgres
                || !speaks(call.service, image.kind)
                || !unmet_requirements(image, &server.service.env).is_empty()
            {
                continue;
            }
            let Some((method, library, minimum)) = image.auth.and_then(|a| a.client_minimum) else {
                continue;
            };
            if image
                .network_auth_method(&server.service.env, server.major)
                .as_deref()
                != Some(method)
            {
                continue;
            }
            let Some(caller_image) =
                container(stage, service_use.caller).and_then(|c| c.image.as_ref())
            else {
                continue;
            };
            let Some((reference, client_service)) = identify_image(&caller_image.value) else {
                continue;
            };
            let Some(client_major) = reference.major_version() else {
                continue;
            };
            if client_service.kind != ServiceKind::Postgres || client_major >= minimum {
                continue;
            }
            let Some(connection) = intended_connection(stage, service_use) else {
                continue;
            };
            if !reported.insert((service_use.caller, server.service.step, connection)) {
                continue;
            }

            let name = program(script, call);
            let failure =
                format!("\"SCRAM authentication requires {library} version {minimum} or above\"");
            let behind = match server.major {
                Some(major) => format!(
                    "{} major versions behind the server",
                    major.saturating_sub(client_major)
                ),
                None => {
                    // The first version whose default is `method` bounds the latest from below.
                    let since = image.auth.and_then(|a| {
                        a.network_method
                            .iter()
                            .find(|(_, m)| *m == method)
                            .map(|(from, _)| *from)
                    });
                    match since {
                        Some(from) => format!(
                            "at least {} major versions behind the server (unpinned: the latest)",
                            from.saturating_sub(client_major)
                        ),
                        None => "behind the server (unpinned: the latest)".to_owned(),
                    }
                }
            };
            let (severity, message) = match connection {
                Connection::Network => (
                    Severity::Error,
                    format!(
                        "`{}` ships {library} {client_major}, which cannot do {method}, and {} asks network clients for {method}: `{name}` fails with {failure}",
                        caller_image.value,
                        server.describe()
                    ),
                ),
                Connection::Loopback => (
                    Severity::Warning,
                    format!(
                        "`{}` ships {library} {client_major}, which cannot do {method}, the method {} uses for network connections: `{name}` over localhost works only because the image trusts local connections and asks no password; the client is {behind}, and fails with {failure} as soon as the connection is not trusted",
                        caller_image.value,
                        server.describe()
                    ),
                ),
            };
            let mut diagnostic = Diagnostic::new(&RULE, caller_image.span, message)
                .with_severity(severity)
                .with_label(
                    server.span(),
                    format!(
                        "`{}` runs {}: {method} for network connections",
                        server.service.id,
                        server.version()
                    ),
                );
            let server_image = server.service.image.as_deref().unwrap_or("postgres");
            diagnostic = diagnostic.with_help(format!(
                "use a client image with {library} {minimum} or newer, ideally the server's own `{server_image}`"
            ));
            if server.major.is_some() {
                diagnostic = diagnostic.with_unsafe_fix(
                    format!("use the server's image `{server_image}`"),
                    vec![Edit {
                        span: caller_image.span,
                        replacement: server_image.to_owned(),
                    }],
                );
            }
            out.push(diagnostic);
        }
    }
}

/// How the call reaches its server once its host name is right: a wrong name (reported by
/// the host rules) is judged by the names that do reach the service.
fn intended_connection(
    stage: &crate::analysis::stage::StageAnalysis,
    service_use: &crate::analysis::uses::ServiceUse,
) -> Option<Connection> {
    use crate::analysis::network::{Resolution, LOOPBACK_NAMES};
    use crate::analysis::uses::HostMeaning;
    if let HostMeaning::Resolved(Resolution::WrongName { correct_names, .. }) = &service_use.host {
        let loopback = |name: &String| LOOPBACK_NAMES.iter().any(|l| l.eq_ignore_ascii_case(name));
        return match correct_names.as_slice() {
            [] => None,
            names if names.iter().all(loopback) => Some(Connection::Loopback),
            names if !names.iter().any(loopback) => Some(Connection::Network),
            _ => None,
        };
    }
    connection(stage, service_use)
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Severity;
    use crate::testing::{assert_clean, lint, pipeline, Infra};

    fn stage(server: &str, client: &str, host: &str) -> String {
        format!("- step:\n    identifier: db\n    name: db\n    type: Background\n    spec:\n      connectorRef: account.harnessImage\n      image: {server}\n      envVariables:\n        POSTGRES_PASSWORD: <+secrets.getValue(\"pg_password\")>\n        PGDATA: /tmp/pgdata/db\n- step:\n    identifier: check\n    name: check\n    type: Run\n    spec:\n      connectorRef: account.harnessImage\n      image: {client}\n      envVariables:\n        PGPASSWORD: <+secrets.getValue(\"pg_password\")>\n      command: for i in $(seq 1 30); do pg_isready -h {host} -U postgres && break; sleep 1; done; psql -h {host} -U postgres -c 'select 1'\n")
    }

    fn found(text: &str) -> Vec<(String, Severity, String)> {
        lint(text)
            .into_iter()
            .filter(|d| d.rule.code == "HL403")
            .map(|d| {
                (
                    text[d.span.start..d.span.end].to_owned(),
                    d.severity,
                    d.message,
                )
            })
            .collect()
    }

    #[test]
    fn bad_old_client_over_the_network_is_an_error() {
        let text = pipeline(
            Infra::Cloud,
            &stage("postgres:16", "postgres:9-alpine", "db"),
        );
        let found = found(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "postgres:9-alpine");
        assert_eq!(found[0].1, Severity::Error);
        assert!(found[0]
            .2
            .contains("SCRAM authentication requires libpq version 10 or above"));
    }

    #[test]
    fn bad_old_client_over_localhost_is_a_warning() {
        let text = pipeline(
            Infra::Kubernetes,
            &stage("postgres:16", "postgres:9-alpine", "localhost"),
        );
        let found = found(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, Severity::Warning);
        assert!(
            found[0].2.contains("7 major versions behind"),
            "{}",
            found[0].2
        );
    }

    #[test]
    fn bad_wrong_name_is_judged_by_the_name_that_reaches_the_service() {
        // On Kubernetes the step identifier does not resolve (the host rules say so); the
        // name that does is localhost, where the old client works by accident.
        let text = pipeline(
            Infra::Kubernetes,
            &stage("postgres:16", "postgres:9-alpine", "db"),
        );
        let found = found(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, Severity::Warning);
    }

    #[test]
    fn good_new_client_old_server_or_trust() {
        let text = pipeline(Infra::Cloud, &stage("postgres:16", "postgres:16", "db"));
        assert!(found(&text).is_empty());
        assert_clean(&text);
        // A 13 server still uses md5 over the network.
        let text = pipeline(
            Infra::Cloud,
            &stage("postgres:13", "postgres:9-alpine", "db"),
        );
        assert!(found(&text).is_empty());
        let text = pipeline(
            Infra::Cloud,
            &stage("postgres:16", "postgres:9-alpine", "db").replace(
                "        PGDATA: /tmp/pgdata/db\n",
                "        POSTGRES_HOST_AUTH_METHOD: md5\n",
            ),
        );
        assert!(found(&text).is_empty());
    }

    #[test]
    fn kubernetes_seed_warns_twice() {
        let text = include_str!("../../../../tests/fixtures/seed-kubernetes.yaml");
        let found = found(text);
        assert_eq!(
            found
                .iter()
                .map(|f| (f.0.as_str(), f.1))
                .collect::<Vec<_>>(),
            [
                ("postgres:9-alpine", Severity::Warning),
                ("postgres:9-alpine", Severity::Warning)
            ],
            "{found:?}"
        );
        for clean in [
            include_str!("../../../../tests/fixtures/seed-harness-cloud.yaml"),
            include_str!("../../../../tests/fixtures/clean-harness-cloud.yaml"),
            include_str!("../../../../examples/kubernetes-postgres.yaml"),
        ] {
            assert!(self::found(clean).is_empty());
        }
    }
}
