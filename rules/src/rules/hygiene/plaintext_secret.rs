use hlint_schema::model::{is_expression, KeyValue, StepSpec};

use crate::analysis::stage::StageAnalysis;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL701",
    name: "plaintext-secret",
    severity: Severity::Warning,
    summary: "A password, token or key written in plain text in `envVariables`",
    doc: r#"## What it does
Finds `envVariables` whose name says they hold a credential (`PASSWORD`, `TOKEN`, `SECRET`,
`API_KEY`, `ACCESS_KEY`, `PRIVATE_KEY`, ...) and whose value is written out in the pipeline.

It leaves alone the throwaway credentials of the stage's own Background services: a
`POSTGRES_PASSWORD` that creates a database living only for the stage, and a client variable
(`PGPASSWORD`, `MYSQL_PWD`, ...) that repeats exactly such a password.

## Why is this bad?
The pipeline YAML is stored in Harness and often in Git, readable by everyone who can read the
repository, and printed in execution views. Harness secrets are masked in logs and kept out of
the YAML.

## Example
```yaml
envVariables:
  NPM_TOKEN: npm_8f2kQ0...
```

## Use instead
```yaml
envVariables:
  NPM_TOKEN: <+secrets.getValue("npm_token")>
```

## Sources
- Harness text secrets and `<+secrets.getValue("id")>`:
  https://developer.harness.io/docs/platform/secrets/add-use-text-secrets
- Harness's PostgreSQL examples suggest a secret expression for `POSTGRES_PASSWORD`:
  https://developer.harness.io/docs/continuous-integration/use-ci/manage-dependencies/multiple-postgres
"#,
};

/// Name fragments of variables that hold credentials (compared in upper case).
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
];

/// Variables with which service images create their own credentials on first start.
const SERVICE_CREDENTIALS: &[&str] = &[
    "POSTGRES_PASSWORD",
    "MYSQL_ROOT_PASSWORD",
    "MYSQL_PASSWORD",
    "MARIADB_ROOT_PASSWORD",
    "MARIADB_PASSWORD",
    "MONGO_INITDB_ROOT_PASSWORD",
    "RABBITMQ_DEFAULT_PASS",
    "REDIS_PASSWORD",
    "ELASTIC_PASSWORD",
    "MINIO_ROOT_PASSWORD",
];

/// Client variables that carry a password to a service.
const CLIENT_CREDENTIALS: &[&str] = &["PGPASSWORD", "MYSQL_PWD", "REDISCLI_AUTH"];

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        let throwaway = service_passwords(stage);
        for entry in stage.steps() {
            let Some(spec) = &entry.step.spec else {
                continue;
            };
            let Some(env) = spec.container().and_then(|c| c.env_variables.as_ref()) else {
                continue;
            };
            let is_service = matches!(spec.value, StepSpec::Background(_));
            for variable in env.iter() {
                let value = variable.value.value.trim();
                let key = &variable.key.value;
                if !SECRET_WORDS.iter().any(|word| holds_word(key, word)) || !is_literal(value) {
                    continue;
                }
                let name = key.to_ascii_uppercase();
                let own_service = (is_service && SERVICE_CREDENTIALS.contains(&name.as_str()))
                    || (CLIENT_CREDENTIALS.contains(&name.as_str()) && throwaway.contains(&value));
                if own_service {
                    continue;
                }
                let id = variable.key.value.to_ascii_lowercase();
                out.push(
                    Diagnostic::new(
                        &RULE,
                        variable.value.span,
                        format!("`{}` holds a credential in plain text", variable.key.value),
                    )
                    .with_help(format!(
                        "store it as a Harness secret and write `<+secrets.getValue(\"{id}\")>`"
                    )),
                );
            }
        }
    }
}

/// Literal passwords the stage's Background services create for themselves.
fn service_passwords<'s>(stage: &'s StageAnalysis) -> Vec<&'s str> {
    stage
        .network
        .services()
        .iter()
        .flat_map(|service| service.env.iter())
        .filter(|entry: &&KeyValue| SERVICE_CREDENTIALS.contains(&entry.key.value.as_str()))
        .map(|entry| entry.value.value.trim())
        .filter(|value| is_literal(value))
        .collect()
}

/// `name` holds `word` (upper case) in any case. A plain scan: names are short, and this runs
/// for every environment variable of every step (`str::contains` sets up a general search).
fn holds_word(name: &str, word: &str) -> bool {
    name.as_bytes()
        .windows(word.len())
        .any(|window| window.eq_ignore_ascii_case(word.as_bytes()))
}

/// Written out, rather than an expression, a shell variable or nothing.
fn is_literal(value: &str) -> bool {
    !value.is_empty() && !is_expression(value) && !value.starts_with('$')
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, pipeline, Infra};

    #[test]
    fn bad_token_in_a_run_step() {
        let text = pipeline(Infra::Cloud, "- step:\n    identifier: a\n    name: a\n    type: Run\n    spec:\n      command: npm publish\n      envVariables:\n        NPM_TOKEN: npm_8f2kQ0abc\n");
        assert_eq!(
            findings(&text, "HL701")
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
            ["npm_8f2kQ0abc"]
        );
    }

    #[test]
    fn good_secret_expression_and_throwaway_service_password() {
        let text = pipeline(Infra::Cloud, "- step:\n    identifier: db\n    name: db\n    type: Background\n    spec:\n      image: postgres:16.4\n      envVariables:\n        POSTGRES_PASSWORD: password\n- step:\n    identifier: a\n    name: a\n    type: Run\n    spec:\n      image: postgres:16.4\n      command: psql -h db -U postgres -c 'select 1'\n      envVariables:\n        PGPASSWORD: password\n        NPM_TOKEN: <+secrets.getValue(\"npm\")>\n");
        assert!(findings(&text, "HL701").is_empty());
    }
}
