use hlint_schema::model::StepSpec;

use crate::analysis::services::EnvCondition;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

use super::{
    add_env_variable, runs_image_entrypoint, secret_value, server, spec_anchor, unmet_requirements,
};

pub static RULE: Rule = Rule {
    code: "HL404",
    name: "service-will-not-start",
    severity: Severity::Error,
    summary: "A Background service's image refuses to start without a variable that is not set",
    doc: r#"## What it does
Finds Background steps whose image is one hlint knows (the official `postgres`, `mysql`,
`mariadb` images, `bitnami/postgresql`, ...) and whose `envVariables` lack what the image's
entrypoint requires:
- `postgres`: `POSTGRES_PASSWORD`, or `POSTGRES_HOST_AUTH_METHOD: trust`;
- `mysql`: one of `MYSQL_ROOT_PASSWORD`, `MYSQL_ALLOW_EMPTY_PASSWORD`,
  `MYSQL_RANDOM_ROOT_PASSWORD` (MariaDB: the `MARIADB_` names too).

A variable given by an expression counts as set. A service whose `command` or `entrypoint`
replaces the image's entrypoint script is left alone.

## Why is this bad?
The entrypoint prints an error and exits: postgres with "Database is uninitialized and
superuser password is not specified", mysql with "Database is uninitialized and password
option is not specified". The Background step itself counts as started, so the failure shows
up later, as health checks and tests that cannot connect.

## Example
```yaml
- step:
    identifier: db
    name: db
    type: Background
    spec:
      connectorRef: account.harnessImage
      image: postgres:16.4
```

## Use instead
```yaml
    spec:
      connectorRef: account.harnessImage
      image: postgres:16.4
      envVariables:
        POSTGRES_PASSWORD: <+secrets.getValue("pg_password")>
```

## Sources
- "Needs `POSTGRES_PASSWORD` (or `POSTGRES_HOST_AUTH_METHOD=trust`), or it refuses to start":
  ../shared/harness-ci-facts.md, "PostgreSQL official image".
- docker-library/postgres `docker-entrypoint.sh` (`docker_verify_minimum_env`);
  https://hub.docker.com/_/postgres ("POSTGRES_PASSWORD").
- https://hub.docker.com/_/mysql ("MYSQL_ROOT_PASSWORD": "This variable is mandatory" unless
  one of the other two is set); https://hub.docker.com/_/mariadb.
"#,
};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        for service in stage.network.services() {
            let Some(server) = server(stage, service.step) else {
                continue;
            };
            if !server.from_image || !runs_image_entrypoint(stage, &server) {
                continue;
            }
            let Some(StepSpec::Background(spec)) = stage.steps()[service.step.index()]
                .step
                .spec
                .as_ref()
                .map(|s| &s.value)
            else {
                continue;
            };
            let env_key = spec
                .container
                .env_variables
                .as_ref()
                .and_then(|e| e.key_span);
            let image_text = service.image.as_deref().unwrap_or_default();
            for requirement in unmet_requirements(server.image, &service.env) {
                let options: Vec<String> = requirement
                    .any_of
                    .iter()
                    .map(|condition| match condition {
                        EnvCondition::Set(name) => format!("`{name}`"),
                        EnvCondition::Equals(name, value) => format!("`{name}: {value}`"),
                    })
                    .collect();
                let options = match options.as_slice() {
                    [] => continue,
                    [one] => one.clone(),
                    [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
                };
                let empty = requirement
                    .any_of
                    .iter()
                    .filter_map(|c| match c {
                        EnvCondition::Set(name) => {
                            service.env.iter().find(|e| e.key.value == *name)
                        }
                        EnvCondition::Equals(..) => None,
                    })
                    .next();
                let message = match empty {
                    Some(entry) => format!(
                        "`{}` (`{image_text}`) will not start: `{}` is empty, and the image needs {options}; {}",
                        service.id, entry.key.value, requirement.otherwise
                    ),
                    None => format!(
                        "`{}` (`{image_text}`) will not start: the image needs {options}, and none is set; {}",
                        service.id, requirement.otherwise
                    ),
                };
                let span = empty
                    .map(|entry| entry.key.span)
                    .or(env_key)
                    .unwrap_or_else(|| server.span());
                let Some(variable) = requirement.any_of.iter().find_map(|c| match c {
                    EnvCondition::Set(name) => Some(*name),
                    EnvCondition::Equals(..) => None,
                }) else {
                    continue;
                };
                let placeholder = format!("{}_password", service.id.to_ascii_lowercase());
                let (value, _) = secret_value(None, &placeholder);
                let mut diagnostic = Diagnostic::new(&RULE, span, message).with_help(format!(
                    "add `{variable}: {value}` to `{}`'s envVariables (a secret holding the password its clients use)",
                    service.id
                ));
                if span != server.span() {
                    diagnostic = diagnostic.with_label(
                        server.span(),
                        format!("`{image_text}` checks its environment on start"),
                    );
                }
                if empty.is_none() {
                    if let Some(edit) = add_env_variable(
                        cx.source,
                        &spec.container,
                        spec_anchor(stage, service.step),
                        variable,
                        &value,
                    ) {
                        diagnostic = diagnostic
                            .with_unsafe_fix(format!("add `{variable}` from a secret"), vec![edit]);
                    }
                }
                out.push(diagnostic);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, lint, pipeline, Infra};

    fn service(image: &str, env: &str) -> String {
        format!("- step:\n    identifier: db\n    name: db\n    type: Background\n    spec:\n      connectorRef: account.harnessImage\n      image: {image}\n{env}")
    }

    #[test]
    fn bad_postgres_without_password() {
        let text = pipeline(Infra::Cloud, &service("postgres:16.4", ""));
        let found = findings(&text, "HL404");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "postgres:16.4");
        assert!(
            found[0]
                .1
                .contains("`POSTGRES_PASSWORD` or `POSTGRES_HOST_AUTH_METHOD: trust`"),
            "{}",
            found[0].1
        );
        let diagnostic = lint(&text)
            .into_iter()
            .find(|d| d.rule.code == "HL404")
            .unwrap();
        let (fixed, _) = crate::fix::apply_fixes_where(&text, &[diagnostic], |_| true);
        crate::rules::credentials::tests::assert_inserted(
            &fixed,
            "POSTGRES_PASSWORD: <+secrets.getValue(\"db_password\")>",
            "image:",
        );
        assert!(findings(&fixed, "HL404").is_empty(), "{fixed}");

        let text = pipeline(
            Infra::Cloud,
            &service(
                "postgres:16.4",
                "      envVariables:\n        POSTGRES_DB: app\n",
            ),
        );
        let found = findings(&text, "HL404");
        assert_eq!(
            found.iter().map(|f| f.0).collect::<Vec<_>>(),
            ["envVariables"]
        );
    }

    #[test]
    fn bad_mysql_without_root_password() {
        let text = pipeline(
            Infra::Cloud,
            &service(
                "mysql:8.4",
                "      envVariables:\n        MYSQL_DATABASE: app\n",
            ),
        );
        let found = findings(&text, "HL404");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].1.contains("`MYSQL_ROOT_PASSWORD`"),
            "{}",
            found[0].1
        );
    }

    #[test]
    fn good_password_trust_expression_or_own_command() {
        for env in [
            "      envVariables:\n        POSTGRES_PASSWORD: <+secrets.getValue(\"pg\")>\n",
            "      envVariables:\n        POSTGRES_HOST_AUTH_METHOD: trust\n",
            "      envVariables:\n        POSTGRES_PASSWORD_FILE: /harness/pg_password\n",
        ] {
            let text = pipeline(Infra::Cloud, &service("postgres:16.4", env));
            assert!(findings(&text, "HL404").is_empty());
        }
        let text = pipeline(
            Infra::Cloud,
            &service(
                "postgres:16.4",
                "      envVariables:\n        POSTGRES_PASSWORD: <+secrets.getValue(\"pg\")>\n",
            ),
        );
        assert_clean(&text);
        // A derived image may set its own defaults.
        let text = pipeline(Infra::Cloud, &service("mycorp/postgres:16", ""));
        assert!(findings(&text, "HL404").is_empty());
        // The service's own command replaces the entrypoint.
        let text = pipeline(
            Infra::Cloud,
            &service("postgres:16.4", "      command: sleep 1000\n"),
        );
        assert!(findings(&text, "HL404").is_empty());
    }

    #[test]
    fn seeds_and_clean_fixtures_are_quiet() {
        for text in crate::testing::seeds_and_clean() {
            assert!(findings(text, "HL404").is_empty());
        }
    }
}
