use hlint_schema::validate::closest;

use crate::analysis::command::{Setting, StepScript};
use crate::analysis::services::{Provisioned, ServiceKind};
use crate::analysis::uses::speaks;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::registry::Rule;

use super::{
    authenticates, program, runs_image_entrypoint, server, unmet_requirements, Server, StageText,
};

pub static RULE: Rule = Rule {
    code: "HL402",
    name: "unknown-database",
    severity: Severity::Error,
    summary: "A client asks a Background service for a database or user it never creates",
    doc: r#"## What it does
Finds database clients that log in (`psql`, `pg_dump`, `mysql`, `mariadb`, `mysqladmin`) to a
Background service of the stage with a database or user name that the service's image never
creates:
- the official PostgreSQL image creates the user `POSTGRES_USER` (default `postgres`) and the
  database `POSTGRES_DB` (default: the user's name); `postgres`, `template1` and `template0`
  always exist;
- the official MySQL and MariaDB images create `MYSQL_DATABASE` and `MYSQL_USER`
  (`MARIADB_DATABASE`, `MARIADB_USER`) when they are set; `root` and the system schemas
  (`mysql`, `information_schema`, `performance_schema`, `sys`) always exist.

Only names written in the pipeline are compared, with the service's environment as written;
a name or variable given by an expression, a service whose `command` or `entrypoint` replaces
the image's entrypoint, and a stage that creates databases or users itself (`createdb`,
`CREATE DATABASE`, `CREATE USER`, `CREATE ROLE`) are left alone.

## Why is this bad?
The connection is refused after login: psql fails with `FATAL: database "test3" does not
exist` or `FATAL: role "app" does not exist`, mysql with `Unknown database` or
`Access denied`. The step fails although the service is up.

## Example
```yaml
- step:
    identifier: db
    name: db
    type: Background
    spec:
      image: postgres:16.4
      envVariables:
        POSTGRES_PASSWORD: <+secrets.getValue("pg_password")>
        POSTGRES_DB: test1
- step:
    identifier: check
    name: check
    type: Run
    spec:
      image: postgres:16.4
      envVariables:
        PGPASSWORD: <+secrets.getValue("pg_password")>
      command: psql -h db -U postgres -d test3 -c 'select 1'
```

## Use instead
```yaml
      command: psql -h db -U postgres -d test1 -c 'select 1'
```

## Sources
- "`POSTGRES_DB` creates that database; connecting to another name fails":
  ../shared/harness-ci-facts.md, "PostgreSQL official image".
- `POSTGRES_USER` and `POSTGRES_DB` and their defaults: https://hub.docker.com/_/postgres
  ("Environment Variables").
- `MYSQL_DATABASE`, `MYSQL_USER`: https://hub.docker.com/_/mysql ("Environment Variables");
  MariaDB: https://hub.docker.com/_/mariadb.
"#,
};

/// Lower-cased words that show a stage creating databases or users itself.
const CREATES: &[&str] = &[
    "createdb",
    "createuser",
    "create database",
    "create schema",
    "create user",
    "create role",
    "mysqladmin create",
];

/// Databases that exist in every server of a kind, whatever the environment.
fn builtin_databases(kind: ServiceKind) -> &'static [&'static str] {
    match kind {
        ServiceKind::Postgres => &["postgres", "template1", "template0"],
        ServiceKind::Mysql | ServiceKind::Mariadb => {
            &["mysql", "information_schema", "performance_schema", "sys"]
        }
        _ => &[],
    }
}

/// Users that exist in every server of a kind (PostgreSQL's superuser is `POSTGRES_USER`).
fn builtin_users(kind: ServiceKind) -> &'static [&'static str] {
    match kind {
        ServiceKind::Mysql | ServiceKind::Mariadb => &["root"],
        _ => &[],
    }
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    'stages: for stage in cx.ci_stages() {
        let stage_text = StageText::new(cx.source, stage);
        for service_use in &stage.uses {
            let script = service_use.script(&stage.scripts);
            let call = &script.calls[service_use.call];
            if !authenticates(script, call) {
                continue;
            }
            let Some(server) = service_use.target.and_then(|t| server(stage, t)) else {
                continue;
            };
            let kind = server.image.kind;
            if !server.from_image
                || !matches!(
                    kind,
                    ServiceKind::Postgres | ServiceKind::Mysql | ServiceKind::Mariadb
                )
                || !speaks(call.service, kind)
                || !unmet_requirements(server.image, &server.service.env).is_empty()
                || server
                    .service
                    .env
                    .iter()
                    .any(|e| e.key.value.ends_with("_FILE"))
                || !runs_image_entrypoint(stage, &server)
            {
                continue;
            }
            let name = program(script, call);
            for (setting, what) in [
                (&call.database, Provisioned::Database),
                (&call.user, Provisioned::User),
            ] {
                let Some(diagnostic) = judge(cx.source, script, &server, &name, setting, what)
                else {
                    continue;
                };
                // A stage that creates databases or users itself is not judged at all.
                if stage_text.mentions_any(CREATES) {
                    continue 'stages;
                }
                out.push(diagnostic);
            }
        }
    }
}

/// The finding for one name of a call of `script`, if the server never creates it.
fn judge(
    source: &str,
    script: &StepScript,
    server: &Server,
    program: &str,
    setting: &Setting,
    what: Provisioned,
) -> Option<Diagnostic> {
    if !setting.is_given() || setting.dynamic {
        return None;
    }
    let value = setting.value.as_deref()?.trim();
    let point = setting.point()?;
    if value.is_empty() {
        return None;
    }
    let image = server.image;
    let env = &server.service.env;
    let created = image.provisioned(what, env)?;
    let builtins = match what {
        Provisioned::Database => builtin_databases(image.kind),
        _ => builtin_users(image.kind),
    };
    if value == created || builtins.contains(&value) {
        return None;
    }
    let provision = image.provision(what)?;
    let entry = env.iter().find(|e| e.key.value == provision.variable);
    let noun = match what {
        Provisioned::Database => "database",
        _ => "user",
    };
    let failure = match (image.kind, what) {
        (ServiceKind::Postgres, Provisioned::Database) => {
            format!("FATAL: database \"{value}\" does not exist")
        }
        (ServiceKind::Postgres, _) => format!("FATAL: role \"{value}\" does not exist"),
        (_, Provisioned::Database) => format!("Unknown database '{value}'"),
        _ => format!("Access denied for user '{value}'"),
    };
    let others = if builtins.is_empty() {
        String::new()
    } else {
        format!(
            " (besides {})",
            builtins
                .iter()
                .map(|b| format!("`{b}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let source_of = match entry {
        Some(_) => format!("`{}`", provision.variable),
        None => format!("the default of `{}`", provision.variable),
    };
    let message = format!(
        "{noun} `{value}` does not exist on {}: the image creates only the {noun} `{created}` ({source_of}){others}, so `{program}` fails with \"{failure}\"",
        server.describe()
    );
    let mut diagnostic = Diagnostic::new(&RULE, script.file_span(point), message);
    diagnostic = match entry {
        Some(entry) => diagnostic.with_label(
            entry.value.span,
            format!("`{}` creates `{created}` here", server.service.id),
        ),
        None => diagnostic.with_label(
            server.span(),
            format!("`{}` creates `{created}` by default", server.service.id),
        ),
    };
    let candidates: Vec<&str> = std::iter::once(created.as_str())
        .chain(builtins.iter().copied())
        .collect();
    match closest(value, candidates) {
        Some(suggestion) => {
            diagnostic = diagnostic.with_help(format!(
                "did you mean `{suggestion}`? Or set `{}: {value}` on `{}` to create it",
                provision.variable, server.service.id
            ));
            if let Some(written) = script
                .file_span_of(setting.span)
                .filter(|s| source.get(s.start..s.end) == Some(value))
            {
                diagnostic = diagnostic.with_unsafe_fix(
                    format!("use the {noun} `{suggestion}`"),
                    vec![Edit {
                        span: written,
                        replacement: suggestion.to_owned(),
                    }],
                );
            }
        }
        None => {
            diagnostic = diagnostic.with_help(format!(
                "use the {noun} `{created}`, or set `{}: {value}` on `{}` to create it",
                provision.variable, server.service.id
            ));
        }
    }
    Some(diagnostic)
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    fn stage(service_env: &str, command: &str) -> String {
        format!("- step:\n    identifier: db\n    name: db\n    type: Background\n    spec:\n      connectorRef: account.harnessImage\n      image: postgres:16.4\n      envVariables:\n        POSTGRES_PASSWORD: <+secrets.getValue(\"pg_password\")>\n{service_env}- step:\n    identifier: check\n    name: check\n    type: Run\n    spec:\n      connectorRef: account.harnessImage\n      image: postgres:16.4\n      envVariables:\n        PGPASSWORD: <+secrets.getValue(\"pg_password\")>\n      command: {command}\n")
    }

    #[test]
    fn bad_database_the_service_does_not_create() {
        let text = pipeline(
            Infra::Cloud,
            &stage(
                "        POSTGRES_DB: test1\n",
                "psql -h db -U postgres -d test3 -c 'select 1'",
            ),
        );
        let found = findings(&text, "HL402");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "test3");
        assert!(
            found[0]
                .1
                .contains("database `test3` does not exist on `db`"),
            "{}",
            found[0].1
        );
        let diagnostic = crate::testing::lint(&text)
            .into_iter()
            .find(|d| d.rule.code == "HL402")
            .unwrap();
        assert!(diagnostic
            .help
            .as_deref()
            .unwrap()
            .contains("did you mean `test1`?"));
        let fix = diagnostic.fix.as_ref().unwrap();
        assert_eq!(fix.edits[0].replacement, "test1");
    }

    #[test]
    fn bad_user_the_service_does_not_create() {
        let text = pipeline(
            Infra::Cloud,
            &stage(
                "        POSTGRES_USER: app\n",
                "psql -h db -U postgres -d app -c 'select 1'",
            ),
        );
        let found = findings(&text, "HL402");
        assert_eq!(
            found.iter().map(|f| f.0).collect::<Vec<_>>(),
            ["postgres"],
            "{found:?}"
        );
        assert!(
            found[0].1.contains("role \"postgres\" does not exist"),
            "{}",
            found[0].1
        );
    }

    #[test]
    fn good_created_builtin_or_created_by_the_stage() {
        let created = pipeline(
            Infra::Cloud,
            &stage(
                "        POSTGRES_DB: test1\n",
                "for i in $(seq 1 30); do pg_isready -h db -U postgres && break; sleep 1; done; psql -h db -U postgres -d test1 -c 'select 1'",
            ),
        );
        assert!(findings(&created, "HL402").is_empty());
        assert_clean(&created);

        let builtin = pipeline(
            Infra::Cloud,
            &stage(
                "        POSTGRES_DB: test1\n",
                "psql -h db -U postgres -d template1 -c 'select 1'",
            ),
        );
        assert!(findings(&builtin, "HL402").is_empty());

        let default_db = pipeline(
            Infra::Cloud,
            &stage("", "psql -h db -U postgres -d postgres -c 'select 1'"),
        );
        assert!(findings(&default_db, "HL402").is_empty());

        let made_here = pipeline(
            Infra::Cloud,
            &stage(
                "        POSTGRES_DB: test1\n",
                "psql -h db -U postgres -d test1 -c 'CREATE DATABASE test3' && psql -h db -U postgres -d test3 -c 'select 1'",
            ),
        );
        assert!(findings(&made_here, "HL402").is_empty());

        let dynamic = pipeline(
            Infra::Cloud,
            &stage(
                "        POSTGRES_DB: <+pipeline.variables.db>\n",
                "psql -h db -U postgres -d test3 -c 'select 1'",
            ),
        );
        assert!(findings(&dynamic, "HL402").is_empty());
    }

    #[test]
    fn seeds_and_clean_fixtures_are_quiet() {
        for text in crate::testing::seeds_and_clean() {
            assert!(findings(text, "HL402").is_empty());
        }
    }
}
