use hlint_schema::model::KeyValue;

use crate::analysis::command::PasswordKind;
use crate::analysis::services::{Provisioned, ServiceImage, ServiceKind};
use crate::analysis::uses::speaks;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::{
    add_env_variable, authenticates, connection, container, program, secret_value, server,
    spec_anchor, unmet_requirements, variable_defined, Connection, Server, StageText,
};

pub static RULE: Rule = Rule {
    code: "HL401",
    name: "missing-password",
    severity: Severity::Error,
    summary:
        "A database client logs in to a Background service that requires a password, with none",
    doc: r#"## What it does
Finds calls of database clients that log in (`psql`, `pg_dump`, `mysql`, `mariadb`,
`mysqladmin` other than `ping`) with no password source at all (no `PGPASSWORD` /
`MYSQL_PWD`, no password option, no password in the connection URI, no `.pgpass` /
`.my.cnf`), to a Background service of the stage that requires one:
- the official PostgreSQL image, reached over the network (by a host name that is not
  `localhost`, `127.0.0.1` or `::1`): from PostgreSQL 14 on (and for an unpinned or `latest`
  image) it asks for a SCRAM password from every non-local connection, unless
  `POSTGRES_HOST_AUTH_METHOD=trust`; older images ask for an md5 password;
- MySQL and MariaDB, whatever the connection, unless an empty root password is allowed
  (`MYSQL_ALLOW_EMPTY_PASSWORD`, `MARIADB_ALLOW_EMPTY_ROOT_PASSWORD`).

A `-W` (psql) or a bare `-p` (mysql) only asks for the password on the terminal: a CI step
has no terminal, so that counts as no password.

Connections to PostgreSQL over `localhost` or the Unix socket are not reported: the official
image trusts them. `pg_isready` never needs a password.

## Why is this bad?
The client cannot log in and the step fails: psql with
`fe_sendauth: no password supplied`, mysql with `Access denied for user ... (using password:
NO)`. A health check written this way fails even when the service is up.

## Example
```yaml
- step:
    identifier: check
    name: check
    type: Run
    spec:
      image: postgres:16.4
      command: psql -h db -U postgres -c 'select 1'
```

## Use instead
```yaml
    spec:
      image: postgres:16.4
      envVariables:
        PGPASSWORD: <+secrets.getValue("pg_password")>
      command: psql -h db -U postgres -c 'select 1'
```

## Sources
- "From PostgreSQL 14 on, non-local connections need a SCRAM password; local connections
  (unix socket, 127.0.0.1, ::1) are trusted. So a `psql` over the network with no
  `PGPASSWORD` (or password in the URI, or `.pgpass`) fails in CI with
  "fe_sendauth: no password supplied"; `pg_isready` needs no password":
  ../shared/harness-ci-facts.md, "PostgreSQL official image".
- The seed document calls `psql` with no password: ../shared/harness-ci-facts.md,
  "Mistakes in the Harness documentation itself".
- libpq's password sources (`PGPASSWORD`, the connection URI, `~/.pgpass`):
  https://www.postgresql.org/docs/current/libpq-envars.html
- MySQL: the image creates `root` with `MYSQL_ROOT_PASSWORD` (or an empty password with
  `MYSQL_ALLOW_EMPTY_PASSWORD`): https://hub.docker.com/_/mysql; `mysqladmin ping` returns 0
  even when access is denied: https://dev.mysql.com/doc/refman/8.0/en/mysqladmin.html
"#,
};

/// The methods of an official postgres image that ask for a password.
const PASSWORD_METHODS: &[&str] = &["scram-sha-256", "md5", "password"];

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        let stage_text = StageText::new(cx.source, stage);
        for service_use in &stage.uses {
            let script = service_use.script(&stage.scripts);
            let call = &script.calls[service_use.call];
            if call.has_password() || call.database.dynamic || call.user.dynamic {
                continue;
            }
            if !authenticates(script, call) {
                continue;
            }
            let Some(target) = service_use.target else {
                continue;
            };
            let Some(server) = server(stage, target) else {
                continue;
            };
            let image = server.image;
            if !speaks(call.service, image.kind)
                || !unmet_requirements(image, &server.service.env).is_empty()
            {
                continue; // another service, or one that does not start (HL404)
            }
            let Some(connection) = connection(stage, service_use) else {
                continue;
            };
            let Some(requirement) = requirement(&server, connection) else {
                continue;
            };
            let (client_env, files): (&str, &[&str]) = match image.kind {
                ServiceKind::Postgres => ("PGPASSWORD", &[".pgpass", "pgpassfile"]),
                _ => ("MYSQL_PWD", &[".my.cnf", ".mylogin.cnf"]),
            };
            // A password file written by another step, or a variable Harness may pass on.
            if stage_text.mentions_any(files) || variable_defined(cx.pipeline, stage, client_env) {
                continue;
            }

            let name = program(script, call);
            // What follows reports: spans in the file from here.
            let call = service_use.call_in_file(&stage.scripts);
            let prompt = call
                .passwords
                .iter()
                .find(|p| p.kind == PasswordKind::Prompt);
            let failure = match image.kind {
                ServiceKind::Postgres => "\"fe_sendauth: no password supplied\"",
                _ => "\"Access denied for user ... (using password: NO)\"",
            };
            let mut message = format!(
                "`{name}` has no password, and {} requires one {requirement}: the step fails with {failure}",
                server.describe()
            );
            if prompt.is_some() {
                message.push_str(&format!(
                    "; the password prompt of `{name}` needs a terminal, and a CI step has none"
                ));
            }

            let variable = password_variable(image, &server.service.env, call);
            let entry = variable.and_then(|v| server.service.env.iter().find(|e| e.key.value == v));
            let caller_id = stage.graph.id(service_use.caller).unwrap_or("the step");
            let (value, reuses) = secret_value(
                entry.map(|e| e.value.value.as_str()),
                match image.kind {
                    ServiceKind::Postgres => "pg_password",
                    _ => "mysql_password",
                },
            );
            let of_service = match variable {
                Some(variable) => format!(" holding `{}`'s `{variable}`", server.service.id),
                None => String::new(),
            };
            let other = match image.kind {
                ServiceKind::Postgres => {
                    "or put the password in the connection URI (`postgres://user:password@host:port/db`)"
                }
                _ => "or pass it with `--password=...`",
            };
            let mut diagnostic = Diagnostic::new(&RULE, call.program_span, message).with_help(
                format!(
                    "add `{client_env}: {value}` to `{caller_id}`'s envVariables (a secret{of_service}), {other}"
                ),
            );
            if let Some(prompt_span) = prompt.and_then(|p| p.setting.span) {
                diagnostic = diagnostic.with_label(prompt_span, "this only asks on a terminal");
            }
            diagnostic = match entry {
                Some(entry) => diagnostic.with_label(
                    entry.key.span,
                    format!("`{}`'s password is set here", server.service.id),
                ),
                None => diagnostic.with_label(
                    server.span(),
                    format!("`{}` requires a password", server.service.id),
                ),
            };
            if reuses {
                if let Some(edit) = container(stage, service_use.caller).and_then(|c| {
                    add_env_variable(
                        cx.source,
                        c,
                        spec_anchor(stage, service_use.caller),
                        client_env,
                        &value,
                    )
                }) {
                    diagnostic = diagnostic.with_unsafe_fix(
                        format!("add `{client_env}` to `{caller_id}`'s envVariables"),
                        vec![edit],
                    );
                }
            }
            out.push(diagnostic);
        }
    }
}

/// Why the server asks this connection for a password ("for connections over the network
/// (scram-sha-256 from PostgreSQL 14 on)"), or `None` when it does not.
fn requirement(server: &Server, connection: Connection) -> Option<String> {
    let image = server.image;
    let auth = image.auth?;
    let env = &server.service.env;
    match image.kind {
        ServiceKind::Postgres => {
            if connection != Connection::Network {
                return None;
            }
            let method = image.network_auth_method(env, server.major)?;
            if !PASSWORD_METHODS.contains(&method.as_str()) {
                return None;
            }
            let set_by_env = auth
                .method_env
                .is_some_and(|name| env.iter().any(|e| e.key.value == name));
            let why = match (set_by_env, server.major) {
                (true, _) => format!("`{}={method}`", auth.method_env.unwrap_or_default()),
                (false, Some(major)) => format!("{method} in PostgreSQL {major}"),
                (false, None) => format!("{method} from PostgreSQL 14 on"),
            };
            Some(format!(
                "for connections over the network, which it does not trust ({why})"
            ))
        }
        ServiceKind::Mysql | ServiceKind::Mariadb => {
            let allows_empty = image
                .required_env
                .iter()
                .flat_map(|r| r.any_of.iter())
                .filter(|c| c.variable().contains("ALLOW_EMPTY"))
                .any(|c| c.holds(env));
            (!allows_empty).then(|| "from every client".to_owned())
        }
        _ => None,
    }
}

/// The service variable that holds the password this call needs: postgres's
/// `POSTGRES_PASSWORD`; for MySQL, the created user's password when the call logs in as
/// that user, else the root password.
fn password_variable(
    image: &'static ServiceImage,
    env: &[KeyValue],
    call: &crate::analysis::command::ClientCall,
) -> Option<&'static str> {
    let password = image.provision(Provisioned::Password).map(|p| p.variable);
    match image.kind {
        ServiceKind::Postgres => password,
        _ => {
            let user = call.user.value.as_deref();
            if user.is_some() && user == image.provisioned(Provisioned::User, env).as_deref() {
                return password;
            }
            image
                .required_env
                .iter()
                .flat_map(|r| r.any_of.iter())
                .map(|c| c.variable())
                .find(|v| v.ends_with("ROOT_PASSWORD"))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, lint, pipeline, Infra};

    fn service(image: &str, env: &str) -> String {
        format!("- step:\n    identifier: db\n    name: db\n    type: Background\n    spec:\n      connectorRef: account.harnessImage\n      image: {image}\n      envVariables:\n{env}")
    }

    fn client(env: &str, command: &str) -> String {
        format!("- step:\n    identifier: check\n    name: check\n    type: Run\n    spec:\n      connectorRef: account.harnessImage\n      image: postgres:16.4\n{env}      command: {command}\n")
    }

    const PG_ENV: &str = "        POSTGRES_PASSWORD: <+secrets.getValue(\"pg_password\")>\n";

    #[test]
    fn bad_psql_over_the_network_without_password() {
        let text = pipeline(
            Infra::Cloud,
            &format!(
                "{}{}",
                service("postgres:16.4", PG_ENV),
                client("", "psql -h db -U postgres -c 'select 1'")
            ),
        );
        let found = findings(&text, "HL401");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "psql");
        assert!(found[0].1.contains("fe_sendauth"), "{}", found[0].1);
        assert!(
            found[0].1.contains("scram-sha-256 in PostgreSQL 16"),
            "{}",
            found[0].1
        );
        // The unsafe fix adds the service's own secret to the caller.
        let diagnostic = lint(&text)
            .into_iter()
            .find(|d| d.rule.code == "HL401")
            .unwrap();
        let fix = diagnostic.fix.expect("a fix");
        assert!(!fix.is_safe());
        let (fixed, _) = crate::fix::apply_fixes_where(&text, &[diagnostic_with(fix)], |_| true);
        crate::rules::credentials::tests::assert_inserted(
            &fixed,
            "PGPASSWORD: <+secrets.getValue(\"pg_password\")>",
            "command:",
        );
        assert!(findings(&fixed, "HL401").is_empty());
    }

    fn diagnostic_with(fix: crate::diagnostic::Fix) -> crate::diagnostic::Diagnostic {
        let mut d =
            crate::diagnostic::Diagnostic::new(&super::RULE, hlint_schema::Span::new(0, 0), "");
        d.fix = Some(fix);
        d
    }

    #[test]
    fn bad_prompt_only_and_mysql() {
        let text = pipeline(
            Infra::Cloud,
            &format!(
                "{}{}",
                service("postgres:16.4", PG_ENV),
                client("", "psql -W -h db -U postgres -c 'select 1'")
            ),
        );
        let found = findings(&text, "HL401");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("needs a terminal"), "{}", found[0].1);

        let text = pipeline(
            Infra::Kubernetes,
            &format!(
                "{}{}",
                service(
                    "mysql:8.4",
                    "        MYSQL_ROOT_PASSWORD: <+secrets.getValue(\"mysql_root\")>\n"
                ),
                client("", "mysql -h 127.0.0.1 -u root -e 'select 1'")
            ),
        );
        let found = findings(&text, "HL401");
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), ["mysql"]);
    }

    #[test]
    fn good_with_password_localhost_trust_or_probe() {
        let with_password = pipeline(
            Infra::Cloud,
            &format!(
                "{}{}",
                service("postgres:16.4", PG_ENV),
                client(
                    "      envVariables:\n        PGPASSWORD: <+secrets.getValue(\"pg_password\")>\n",
                    "for i in $(seq 1 30); do pg_isready -h db -U postgres && break; sleep 1; done; psql -h db -U postgres -c 'select 1'"
                )
            ),
        );
        assert!(findings(&with_password, "HL401").is_empty());
        assert_clean(&with_password);

        let on_localhost = pipeline(
            Infra::Kubernetes,
            &format!(
                "{}{}",
                service(
                    "postgres:16.4",
                    &format!("{PG_ENV}        PGDATA: /tmp/pgdata/db\n")
                ),
                client("", "psql -h localhost -U postgres -c 'select 1'")
            ),
        );
        assert!(findings(&on_localhost, "HL401").is_empty());

        let trust = pipeline(
            Infra::Cloud,
            &format!(
                "{}{}",
                service(
                    "postgres:16.4",
                    "        POSTGRES_HOST_AUTH_METHOD: trust\n"
                ),
                client("", "psql -h db -U postgres -c 'select 1'")
            ),
        );
        assert!(findings(&trust, "HL401").is_empty());

        // The service with a password, and a Cloud step without one running `command`.
        let postgres_and_client = |command: &str| {
            pipeline(
                Infra::Cloud,
                &format!(
                    "{}{}",
                    service("postgres:16.4", PG_ENV),
                    client("", command)
                ),
            )
        };
        let probe = postgres_and_client("pg_isready -h db -U postgres");
        assert!(findings(&probe, "HL401").is_empty());

        // A password file written elsewhere in the stage, named in any case.
        let pgpass = postgres_and_client(
            "echo \"db:5432:*:postgres:$PW\" > ~/.PGPASS; psql -h db -U postgres -c 'select 1'",
        );
        assert!(findings(&pgpass, "HL401").is_empty());

        let uri =
            postgres_and_client("psql postgres://postgres:$PW@db:5432/postgres -c 'select 1'");
        assert!(findings(&uri, "HL401").is_empty());

        let allow_empty = pipeline(
            Infra::Kubernetes,
            &format!(
                "{}{}",
                service("mysql:8.4", "        MYSQL_ALLOW_EMPTY_PASSWORD: \"yes\"\n"),
                client("", "mysql -h 127.0.0.1 -u root -e 'select 1'")
            ),
        );
        assert!(findings(&allow_empty, "HL401").is_empty());

        let ping = pipeline(
            Infra::Kubernetes,
            &format!(
                "{}{}",
                service(
                    "mysql:8.4",
                    "        MYSQL_ROOT_PASSWORD: <+secrets.getValue(\"mysql_root\")>\n"
                ),
                client("", "mysqladmin ping -h 127.0.0.1 -u root")
            ),
        );
        assert!(findings(&ping, "HL401").is_empty());
    }

    #[test]
    fn cloud_seed_reports_both_health_checks() {
        let text = include_str!("../../../../tests/fixtures/seed-harness-cloud.yaml");
        let found = findings(text, "HL401");
        assert_eq!(
            found.iter().map(|f| f.0).collect::<Vec<_>>(),
            ["psql", "psql"],
            "{found:?}"
        );
        let kubernetes = include_str!("../../../../tests/fixtures/seed-kubernetes.yaml");
        assert!(findings(kubernetes, "HL401").is_empty());
        for clean in [
            include_str!("../../../../tests/fixtures/clean-harness-cloud.yaml"),
            include_str!("../../../../examples/kubernetes-postgres.yaml"),
        ] {
            assert!(findings(clean, "HL401").is_empty());
        }
    }
}
